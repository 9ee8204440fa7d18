"""Every workflow transition, allowed and refused, for activities and measurements alike: the
service functions are the only path, and each records who and when."""

import pytest
from django.contrib.contenttypes.models import ContentType

from indicators.models import Indicator, Measurement
from partners import roles
from strategy import services
from strategy.models import Activity, StatusChange
from strategy.workflow import Status
from tests import factories


class People:
    def __init__(self):
        self.lag = factories.lag()
        self.other_lag = factories.lag()
        self.editor = factories.user(role=roles.EDITOR, lag=self.lag)
        self.coordinator = factories.user(role=roles.COORDINATOR, lag=self.lag)
        self.second_coordinator = factories.user(role=roles.COORDINATOR, lag=self.lag)
        self.other_editor = factories.user(role=roles.EDITOR, lag=self.other_lag)
        self.other_coordinator = factories.user(role=roles.COORDINATOR, lag=self.other_lag)
        self.board = factories.user(role=roles.BOARD)
        self.secretariat = factories.user(role=roles.SECRETARIAT)
        self.superuser = factories.user(is_superuser=True)


@pytest.fixture
def people(db):
    return People()


@pytest.fixture(params=["activity", "measurement"])
def make(request, people):
    """make(status, author=editor, **fields) → a record of the LAG in that status."""

    def build(status=Status.DRAFT, author=None, **fields):
        author = author or people.editor
        if request.param == "activity":
            return factories.activity(lag=people.lag, status=status, author=author, **fields)
        return factories.measurement(
            lag=people.lag, status=status, author=author, indicator=factories.indicator(), **fields
        )

    return build


def changes(record):
    return list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        ).values_list("from_status", "to_status", "by__username", "note")
    )


def test_submit_moves_a_draft_to_submitted_and_records_who_and_when(make, people):
    record = make(Status.DRAFT)

    services.submit(record, by=people.editor)

    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    assert record.submitted_at is not None
    assert changes(record) == [(Status.DRAFT, Status.SUBMITTED, people.editor.username, "")]
    assert record.history.first().history_user == people.editor


def test_submit_again_after_a_return(make, people):
    record = make(Status.RETURNED, return_note="Pievienojiet sarakstu.")

    services.submit(record, by=people.editor)

    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_coordinator_submits_like_an_editor(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.coordinator)
    assert record.status == Status.SUBMITTED


def test_approve_by_a_coordinator_who_did_not_author_it(make, people):
    record = make(Status.SUBMITTED)

    services.approve(record, by=people.coordinator)

    record.refresh_from_db()
    assert (record.status, record.reviewed_by) == (Status.APPROVED, people.coordinator)
    assert record.reviewed_at is not None
    assert changes(record) == [(Status.SUBMITTED, Status.APPROVED, people.coordinator.username, "")]


def test_return_needs_a_note_and_keeps_it(make, people):
    record = make(Status.SUBMITTED)

    services.return_record(record, by=people.coordinator, note="  Trūkst dalībnieku saraksta.  ")

    record.refresh_from_db()
    assert (record.status, record.return_note) == (Status.RETURNED, "Trūkst dalībnieku saraksta.")
    assert changes(record) == [
        (Status.SUBMITTED, Status.RETURNED, people.coordinator.username, "Trūkst dalībnieku saraksta.")
    ]


@pytest.mark.parametrize("to", [Status.RETURNED, Status.DRAFT])
def test_reopen_an_approved_record_is_logged_with_its_reason(make, people, to):
    record = make(Status.APPROVED)

    services.reopen(record, by=people.coordinator, reason="Kļūda dalībnieku skaitā.", to=to)

    record.refresh_from_db()
    assert record.status == to
    assert record.return_note == ("Kļūda dalībnieku skaitā." if to == Status.RETURNED else "")
    assert changes(record) == [(Status.APPROVED, to, people.coordinator.username, "Kļūda dalībnieku skaitā.")]


def test_a_coordinator_may_reopen_a_record_they_authored(make, people):
    record = make(Status.APPROVED, author=people.coordinator)
    services.reopen(record, by=people.coordinator, reason="Labojums.")
    assert record.status == Status.RETURNED


def test_the_whole_cycle_leaves_a_complete_history(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.editor)
    services.return_record(record, by=people.coordinator, note="Labot datumu.")
    services.submit(record, by=people.editor)
    services.approve(record, by=people.second_coordinator)

    assert [(a, b) for a, b, _who, _note in changes(record)] == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.RETURNED),
        (Status.RETURNED, Status.SUBMITTED),
        (Status.SUBMITTED, Status.APPROVED),
    ]
    record.refresh_from_db()
    assert record.return_note == ""  # approval clears the old return note


REFUSED = [
    # (transition, from status, who, kwargs, message fragment)
    ("submit", Status.DRAFT, "other_editor", {}, "Drīkst labot tikai savas VRG ierakstus"),
    ("submit", Status.DRAFT, "board", {}, "Jūsu lomai nav tiesību labot"),
    ("submit", Status.DRAFT, "secretariat", {}, "Jūsu lomai nav tiesību labot"),
    ("submit", Status.SUBMITTED, "editor", {}, "Iesniegt var tikai melnrakstu vai atgrieztu ierakstu"),
    ("submit", Status.APPROVED, "editor", {}, "Iesniegt var tikai melnrakstu vai atgrieztu ierakstu"),
    (
        "approve",
        Status.SUBMITTED,
        "editor",
        {},
        "Apstiprināt un atgriezt ierakstus var tikai VRG koordinators",
    ),
    ("approve", Status.SUBMITTED, "board", {}, "var tikai VRG koordinators"),
    # the LAG has coordinators who may review it: the secretariat does not
    ("approve", Status.SUBMITTED, "secretariat", {}, "Šo ierakstu izskata VRG koordinators"),
    ("approve", Status.SUBMITTED, "other_coordinator", {}, "Koordinators izskata tikai savas VRG ierakstus"),
    ("approve", Status.SUBMITTED, "author_coordinator", {}, "Jūs šo ierakstu izveidojāt"),
    ("approve", Status.SUBMITTED, "author_superuser", {}, "Jūs šo ierakstu izveidojāt"),
    ("approve", Status.DRAFT, "coordinator", {}, "Izskatīt var tikai iesniegtu ierakstu"),
    ("approve", Status.RETURNED, "coordinator", {}, "Izskatīt var tikai iesniegtu ierakstu"),
    ("approve", Status.APPROVED, "coordinator", {}, "Izskatīt var tikai iesniegtu ierakstu"),
    ("return", Status.SUBMITTED, "coordinator", {"note": ""}, "jānorāda, kas jālabo"),
    ("return", Status.SUBMITTED, "coordinator", {"note": "   "}, "jānorāda, kas jālabo"),
    ("return", Status.SUBMITTED, "editor", {"note": "x"}, "var tikai VRG koordinators"),
    ("return", Status.SUBMITTED, "other_coordinator", {"note": "x"}, "tikai savas VRG"),
    ("return", Status.SUBMITTED, "author_coordinator", {"note": "x"}, "Jūs šo ierakstu izveidojāt"),
    ("return", Status.DRAFT, "coordinator", {"note": "x"}, "Izskatīt var tikai iesniegtu ierakstu"),
    ("reopen", Status.APPROVED, "editor", {"reason": "x"}, "var tikai VRG koordinators"),
    ("reopen", Status.APPROVED, "board", {"reason": "x"}, "var tikai VRG koordinators"),
    ("reopen", Status.APPROVED, "other_coordinator", {"reason": "x"}, "tikai savas VRG"),
    ("reopen", Status.APPROVED, "coordinator", {"reason": ""}, "jānorāda iemesls"),
    ("reopen", Status.SUBMITTED, "coordinator", {"reason": "x"}, "Atvērt labošanai var tikai apstiprinātu"),
    ("reopen", Status.DRAFT, "coordinator", {"reason": "x"}, "Atvērt labošanai var tikai apstiprinātu"),
    ("reopen", Status.APPROVED, "coordinator", {"reason": "x", "to": Status.APPROVED}, "tikai kā melnrakstu"),
]


@pytest.mark.parametrize(
    ("transition", "status", "who", "kwargs", "message"),
    REFUSED,
    ids=[f"{t}-{s}-{w}-{'+'.join(k) or 'none'}" for t, s, w, k, _m in REFUSED],
)
def test_transition_is_refused_with_a_latvian_message(make, people, transition, status, who, kwargs, message):
    author = {"author_coordinator": people.coordinator, "author_superuser": people.superuser}.get(who)
    user = author or getattr(people, who)
    record = make(status, author=author)

    with pytest.raises(services.WorkflowError) as error:
        services.TRANSITION_FUNCTIONS[transition](record, by=user, **kwargs)

    assert message.casefold() in " ".join(error.value.messages).casefold()
    record.refresh_from_db()
    assert record.status == status
    assert changes(record) == []


def test_the_service_judges_the_stored_status_not_a_stale_copy(make, people):
    record = make(Status.SUBMITTED)
    stale = type(record).objects.get(pk=record.pk)
    services.approve(record, by=people.coordinator)

    with pytest.raises(services.WorkflowError):
        services.return_record(stale, by=people.second_coordinator, note="Par vēlu.")
    record.refresh_from_db()
    assert record.status == Status.APPROVED


def test_an_invalid_measurement_cannot_be_submitted(people):
    share = factories.indicator(unit=Indicator.Unit.PERCENT)
    record = factories.measurement(lag=people.lag, indicator=share, author=people.editor)  # a value, no N/D

    with pytest.raises(services.WorkflowError) as error:
        services.submit(record, by=people.editor)

    assert "Jānorāda gan skaitītājs, gan saucējs" in error.value.messages[0]
    assert Measurement.objects.get().status == Status.DRAFT


def test_the_admin_change_page_shows_status_note_history_and_only_allowed_buttons(client, people):
    record = factories.activity(lag=people.lag, status=Status.SUBMITTED, author=people.editor)
    services.return_record(record, by=people.coordinator, note="Pievienojiet fotogrāfijas.")
    url = f"/admin/strategy/activity/{record.pk}/change/"

    client.force_login(people.editor)
    page = client.get(url).content.decode()
    assert "atgriezts labošanai" in page
    assert "Pievienojiet fotogrāfijas." in page
    assert 'name="_submit_for_approval"' in page  # the change form's own button (test_submit_form.py)
    assert "/workflow/approve/" not in page

    client.post(f"/admin/strategy/activity/{record.pk}/workflow/submit/")
    client.force_login(people.coordinator)
    page = client.get(url).content.decode()
    assert "/workflow/approve/" in page and "/workflow/return/" in page
    response = client.post(f"/admin/strategy/activity/{record.pk}/workflow/approve/")
    assert response.status_code == 302
    assert Activity.objects.get().status == Status.APPROVED
    assert "Statusa maiņas (3)" in client.get(url).content.decode()


def test_admin_home_shows_each_role_its_queue(client, people):
    waiting = factories.activity(
        lag=people.lag, status=Status.SUBMITTED, author=people.editor, title_lv="Gaida"
    )
    own = factories.activity(
        lag=people.lag, status=Status.SUBMITTED, author=people.coordinator, title_lv="Paša"
    )
    returned = factories.activity(
        lag=people.lag, status=Status.RETURNED, author=people.editor, title_lv="Atpakaļ", return_note="Labot."
    )
    factories.activity(
        lag=people.other_lag, status=Status.SUBMITTED, author=people.other_editor, title_lv="Cita"
    )

    client.force_login(people.coordinator)
    page = client.get("/admin/").content.decode()
    assert "Gaida manu apstiprinājumu" in page
    assert f"/admin/strategy/activity/{waiting.pk}/change/" in page
    assert f"/admin/strategy/activity/{own.pk}/change/" not in page  # never their own record
    assert "Cita" not in page

    client.force_login(people.editor)
    page = client.get("/admin/").content.decode()
    assert "Atgriezts man" in page and "Gaida manu apstiprinājumu" not in page
    assert f"/admin/strategy/activity/{returned.pk}/change/" in page
    assert "Labot." in page
