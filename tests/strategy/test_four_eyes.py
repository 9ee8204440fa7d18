"""Four eyes (invariant 8): nobody approves or returns a record they authored, last changed or
submitted — whichever path wrote it: the admin's form, its inlines, an import, a service. When a
LAG has no other coordinator who may review, the secretariat reviews; the record page always says
who reviews and why the person looking at it may not."""

import pytest
from django.urls import reverse

from indicators.models import Indicator, Measurement
from partners import roles
from strategy import permissions, services
from strategy.importing.formats import LatvianCSV
from strategy.models import Activity, FundingLine
from strategy.resources import ActivityResource
from strategy.workflow import Status
from tests import factories

CHANGED = "Jūs šo ierakstu labojāt — to izskata cits koordinators vai sekretariāts."
SUBMITTED = "Jūs šo ierakstu iesniedzāt — to izskata cits koordinators vai sekretariāts."
AUTHORED = "Jūs šo ierakstu izveidojāt — to izskata cits koordinators vai sekretariāts."


class People:
    def __init__(self):
        self.lag = factories.lag(slug="musu")
        self.lonely_lag = factories.lag(slug="viena")  # one coordinator only
        self.activity_type = factories.activity_type(code="talka")
        self.indicator = factories.indicator(code="K4", unit=Indicator.Unit.MEMBERS)
        self.editor = factories.user(role=roles.EDITOR, lag=self.lag, first_name="Ilze", last_name="Ozola")
        self.coordinator = factories.user(
            role=roles.COORDINATOR, lag=self.lag, first_name="Anna", last_name="Kalniņa"
        )
        self.second_coordinator = factories.user(
            role=roles.COORDINATOR, lag=self.lag, first_name="Juris", last_name="Liepa"
        )
        self.lonely_coordinator = factories.user(role=roles.COORDINATOR, lag=self.lonely_lag)
        self.lonely_editor = factories.user(role=roles.EDITOR, lag=self.lonely_lag)
        self.secretariat = factories.user(role=roles.SECRETARIAT)
        self.board = factories.user(role=roles.BOARD)


@pytest.fixture
def people(db):
    return People()


def make(people, kind, *, lag=None, author=None, status=Status.DRAFT, **fields):
    lag = lag or people.lag
    author = author or people.editor
    if kind == "activity":
        return factories.activity(
            lag=lag, activity_type=people.activity_type, author=author, status=status, **fields
        )
    if "indicator" not in fields:
        # a measurement is unique per indicator, LAG and year: each gets its own indicator
        fields["indicator"] = factories.indicator(strategy=people.indicator.strategy)
    return factories.measurement(lag=lag, author=author, status=status, **fields)


def change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def form_data(record, **changes):
    """The change form as a browser sends it back (with the version it was opened at)."""
    record.refresh_from_db()
    if isinstance(record, Activity):
        data = {
            "edit_version": str(record.version),
            "title_lv": record.title_lv,
            "activity_type": record.activity_type_id,
            "start_date": record.start_date.strftime("%d.%m.%Y"),
            "participants_total": str(record.participants_total),
            "participants_youth": str(record.participants_youth),
            "participants_vulnerable": str(record.participants_vulnerable),
            "funding_lines-TOTAL_FORMS": "0",
            "funding_lines-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        }
    else:
        data = {
            "edit_version": str(record.version),
            "indicator": record.indicator_id,
            "year": str(record.year),
            "value": str(record.value),
            "note": record.note,
        }
    data.update(changes)
    return data


def edit_in_admin(client, user, record, **changes):
    client.force_login(user)
    response = client.post(change_url(record), form_data(record, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()


def refusal(user, record, transition=permissions.APPROVE):
    return permissions.transition_refusal(user, type(record).objects.get(pk=record.pk), transition)


@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_a_coordinator_who_changed_an_editors_draft_cannot_approve_or_return_it(client, people, kind):
    draft = make(people, kind)
    change = {"title_lv": "Talka Aglonā"} if kind == "activity" else {"note": "Labots skaits."}
    edit_in_admin(client, people.coordinator, draft, **change)
    services.submit(draft, by=people.editor)

    with pytest.raises(services.WorkflowError) as error:
        services.approve(draft, by=people.coordinator)
    assert error.value.messages == [CHANGED]
    with pytest.raises(services.WorkflowError):
        services.return_record(draft, by=people.coordinator, note="Labot.")
    draft.refresh_from_db()
    assert (draft.status, draft.changed_by, draft.submitted_by) == (
        Status.SUBMITTED,
        people.coordinator,
        people.editor,
    )
    services.approve(draft, by=people.second_coordinator)  # another coordinator may
    assert draft.status == Status.APPROVED


@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_a_coordinator_who_submitted_a_record_cannot_approve_it(people, kind):
    draft = make(people, kind)
    services.submit(draft, by=people.coordinator)

    with pytest.raises(services.WorkflowError) as error:
        services.approve(draft, by=people.coordinator)
    assert error.value.messages == [SUBMITTED]
    assert type(draft).objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_adding_only_a_funding_line_in_the_admin_is_a_change(client, people):
    draft = make(people, "activity")
    data = form_data(
        draft,
        **{
            "funding_lines-TOTAL_FORMS": "1",
            "funding_lines-0-source": FundingLine.Source.EAFRD,
            "funding_lines-0-amount": "450",
        },
    )
    client.force_login(people.coordinator)
    assert client.post(change_url(draft), data).status_code == 302
    services.submit(draft, by=people.editor)

    assert draft.funding_lines.count() == 1
    assert refusal(people.coordinator, draft) == CHANGED


def test_saving_the_form_unchanged_is_not_a_change(client, people):
    draft = make(people, "activity", changed_by=None)
    edit_in_admin(client, people.coordinator, draft)
    services.submit(draft, by=people.editor)

    assert draft.changed_by is None
    services.approve(draft, by=people.coordinator)
    assert draft.status == Status.APPROVED


def test_an_import_that_updates_a_record_is_a_change(people):
    draft = make(people, "activity", title_lv="Vecais nosaukums")
    csv = f"id;VRG;nosaukums;sākuma datums;veids\r\n{draft.pk};musu;Jaunais nosaukums;01.02.2024;talka\r\n"
    result = ActivityResource(user=people.coordinator).import_data(
        LatvianCSV().create_dataset(csv.encode()), use_transactions=True, rollback_on_validation_errors=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    services.submit(draft, by=people.editor)

    draft.refresh_from_db()
    assert (draft.title_lv, draft.changed_by) == ("Jaunais nosaukums", people.coordinator)
    assert refusal(people.coordinator, draft) == CHANGED


def test_an_imported_new_record_names_its_importer_as_author_and_last_editor(people):
    csv = "VRG;nosaukums;sākuma datums;veids\r\nmusu;Talka;01.02.2024;talka\r\n"
    ActivityResource(user=people.coordinator).import_data(
        LatvianCSV().create_dataset(csv.encode()), use_transactions=True, rollback_on_validation_errors=True
    )
    record = Activity.objects.get()
    assert (record.author, record.changed_by) == (people.coordinator, people.coordinator)


def test_a_record_added_in_the_admin_names_its_author_as_last_editor(client, people):
    client.force_login(people.editor)
    data = {
        "title_lv": "Talka",
        "activity_type": people.activity_type.pk,
        "start_date": "05.03.2024",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("admin:strategy_activity_add"), data).status_code == 302
    record = Activity.objects.get()
    assert (record.author, record.changed_by) == (people.editor, people.editor)


@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_the_secretariat_reviews_when_the_lag_has_no_other_coordinator(people, kind):
    # the LAG's only coordinator wrote and submitted it: nobody in the LAG may review it
    record = make(people, kind, lag=people.lonely_lag, author=people.lonely_coordinator)
    services.submit(record, by=people.lonely_coordinator)
    assert refusal(people.lonely_coordinator, record) == AUTHORED
    assert refusal(people.board, record) is not None

    services.return_record(record, by=people.secretariat, note="Pievienojiet dalībnieku sarakstu.")
    services.submit(record, by=people.lonely_coordinator)
    services.approve(record, by=people.secretariat)

    record.refresh_from_db()
    assert (record.status, record.reviewed_by) == (Status.APPROVED, people.secretariat)


def test_the_secretariat_does_not_review_where_another_coordinator_may(people):
    record = make(people, "activity", author=people.coordinator)
    services.submit(record, by=people.coordinator)

    message = refusal(people.secretariat, record)
    assert message.startswith("Šo ierakstu izskata VRG koordinators")
    with pytest.raises(services.WorkflowError):
        services.approve(record, by=people.secretariat)
    # …unless that coordinator leaves: an inactive account reviews nothing
    people.second_coordinator.is_active = False
    people.second_coordinator.save()
    assert refusal(people.secretariat, record) is None


def test_a_lags_editor_is_never_its_reviewer_even_alone(people):
    record = make(people, "measurement", lag=people.lonely_lag, author=people.lonely_editor)
    services.submit(record, by=people.lonely_editor)

    assert refusal(people.lonely_editor, record).startswith("Apstiprināt un atgriezt ierakstus var tikai")
    assert refusal(people.lonely_coordinator, record) is None
    assert refusal(people.secretariat, record).startswith("Šo ierakstu izskata VRG koordinators")


def test_the_review_queue_query_agrees_with_the_rule(people):
    """``permissions.awaiting_review`` (one query, for lists) and ``transition_refusal`` (one record)
    state the same rule."""
    closed = factories.activity(lag=people.lag, activity_type=people.activity_type, author=people.editor)
    users = [
        people.editor,
        people.coordinator,
        people.second_coordinator,
        people.lonely_coordinator,
        people.secretariat,
        people.board,
        factories.user(is_superuser=True),
    ]
    records = []
    for lag, staff in (
        (people.lag, [people.editor, people.coordinator, people.second_coordinator, None]),
        (people.lonely_lag, [people.lonely_editor, people.lonely_coordinator, None]),
    ):
        for author in staff:
            for changed_by in staff:
                for submitted_by in staff[:2]:
                    for status in (Status.SUBMITTED, Status.DRAFT):
                        for kind in ("activity", "measurement"):
                            records.append(
                                make(
                                    people,
                                    kind,
                                    lag=lag,
                                    author=author,
                                    changed_by=changed_by,
                                    submitted_by=submitted_by,
                                    status=status,
                                )
                            )
    assert closed  # an unrelated draft
    for user in users:
        for model in (Activity, Measurement):
            expected = {
                r.pk
                for r in records
                if isinstance(r, model) and permissions.can_transition(user, r, permissions.APPROVE)
            }
            assert set(
                permissions.awaiting_review(user, model.objects.all()).values_list("pk", flat=True)
            ) == (expected), (user, model)
            assert expected or user in (people.editor, people.board)


def test_the_record_page_explains_who_reviews_and_why_you_may_not(client, people):
    record = make(people, "activity", author=people.coordinator)
    services.submit(record, by=people.coordinator)

    client.force_login(people.coordinator)
    page = client.get(change_url(record)).content.decode()
    assert AUTHORED in page
    assert "Izskata: Juris Liepa (VRG koordinators)" in page
    assert "/workflow/approve/" not in page

    client.force_login(people.secretariat)
    page = client.get(change_url(record)).content.decode()
    assert "Šo ierakstu izskata VRG koordinators" in page
    assert "/workflow/approve/" not in page

    client.force_login(people.second_coordinator)
    page = client.get(change_url(record)).content.decode()
    assert "/workflow/approve/" in page and "/workflow/return/" in page


def test_the_record_page_names_the_secretariat_when_no_coordinator_may_review(client, people):
    record = make(people, "measurement", lag=people.lonely_lag, author=people.lonely_coordinator)
    services.submit(record, by=people.lonely_coordinator)

    client.force_login(people.lonely_coordinator)
    page = client.get(change_url(record)).content.decode()
    assert AUTHORED in page
    assert "Izskata: sekretariāts" in page

    client.force_login(people.secretariat)
    page = client.get(change_url(record)).content.decode()
    assert "/workflow/approve/" in page and "/workflow/return/" in page


def test_the_secretariats_admin_home_lists_what_only_it_may_review(client, people):
    lonely = make(
        people, "activity", lag=people.lonely_lag, author=people.lonely_coordinator, title_lv="Viena"
    )
    services.submit(lonely, by=people.lonely_coordinator)
    lonely_measurement = make(people, "measurement", lag=people.lonely_lag, author=people.lonely_coordinator)
    services.submit(lonely_measurement, by=people.lonely_coordinator)
    reviewed_in_lag = make(people, "activity", author=people.coordinator, title_lv="Otrs koordinators")
    services.submit(reviewed_in_lag, by=people.coordinator)

    client.force_login(people.secretariat)
    page = client.get("/admin/").content.decode()
    assert "Gaida sekretariāta izskatīšanu" in page
    assert change_url(lonely) in page and change_url(lonely_measurement) in page
    assert change_url(reviewed_in_lag) not in page

    client.force_login(people.coordinator)
    page = client.get("/admin/").content.decode()
    assert change_url(reviewed_in_lag) not in page  # their own
    client.force_login(people.second_coordinator)
    assert change_url(reviewed_in_lag) in client.get("/admin/").content.decode()


def test_the_review_filter_lists_what_waits_for_me(client, people):
    mine = make(people, "activity", title_lv="Man jāizskata")
    services.submit(mine, by=people.editor)
    own = make(people, "activity", author=people.coordinator, title_lv="Paša veidots")
    services.submit(own, by=people.coordinator)

    client.force_login(people.coordinator)
    response = client.get(reverse("admin:strategy_activity_changelist") + "?izskatisana=man")
    assert [r.pk for r in response.context["cl"].result_list] == [mine.pk]


def _waiting(people, n):
    for _i in range(n):
        for kind in ("activity", "measurement"):
            make(
                people,
                kind,
                lag=people.lonely_lag,
                author=people.lonely_coordinator,
                status=Status.SUBMITTED,
                submitted_by=people.lonely_coordinator,
            )
            make(people, kind, status=Status.SUBMITTED, submitted_by=people.editor)


@pytest.mark.parametrize("size", [12, 30])
@pytest.mark.parametrize("who", ["coordinator", "secretariat"])
def test_admin_home_query_count_does_not_grow_with_the_queues(
    client, people, django_assert_num_queries, who, size
):
    _waiting(people, size)
    client.force_login(getattr(people, who))
    # savepoints 2, session 1, user 1, permissions 2, roles 1, closed years 1; per model (activities,
    # measurements) the waiting queue's first rows 1 and its count 1; coordinators also their
    # "returned to me" rows 1 per model; the admin's recent actions 1. Coordinators review variance
    # narratives too: their waiting rows 1 and "returned to me" rows 1 (none wait, so no count); the
    # secretariat their waiting rows 1
    expected = {
        "coordinator": 2 + 1 + 1 + 2 + 1 + 1 + 2 * 2 + 2 + 1 + 2,
        "secretariat": 2 + 1 + 1 + 2 + 1 + 1 + 2 * 2 + 1 + 1,
    }[who]
    with django_assert_num_queries(expected):
        assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("size", [12, 30])
def test_review_list_query_count_does_not_grow(client, people, django_assert_num_queries, size):
    _waiting(people, size)
    client.force_login(people.secretariat)
    url = reverse("admin:strategy_activity_changelist") + "?izskatisana=man"
    # savepoints 2, session 1, user 1, roles 1, permissions 2, filter choices (LAGs, activity types,
    # priorities) 3, closed years 1, the count 1 (no total count: ActivityAdmin.show_full_result_count),
    # the rows 1 (one page: no ids first), the date hierarchy 2
    with django_assert_num_queries(2 + 1 + 1 + 1 + 2 + 3 + 1 + 1 + 1 + 2):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == size


def test_a_closed_years_record_waits_in_no_queue(people):
    """It cannot be reviewed until the year is reopened: the queue does not offer it."""
    from indicators.yearend.services import close_year

    record = make(people, "activity", status=Status.SUBMITTED, submitted_by=people.editor)
    queue = permissions.awaiting_review(people.coordinator, Activity.objects.all())
    assert list(queue) == [record]

    close_year(
        year=2024,
        by=factories.user(is_superuser=True),
        strategy=factories.strategy(),
        acknowledge_unapproved=True,
    )

    assert list(permissions.awaiting_review(people.coordinator, Activity.objects.all())) == []
    assert refusal(people.coordinator, record).startswith("2024. gads ir slēgts")


def test_returning_selected_records_with_large_ids_returns_them(client, people):
    # The note form carries the chosen records' ids: «60325», never the grouped «60 325» (which no
    # record has, so the return would find nothing).
    record = make(people, "activity", pk=60325, status=Status.SUBMITTED, submitted_by=people.editor)
    client.force_login(people.coordinator)
    changelist = reverse("admin:strategy_activity_changelist")

    form = client.post(changelist, {"action": "return_selected", "_selected_action": [record.pk]})
    assert 'value="60325"' in form.content.decode()
    client.post(
        changelist,
        {"action": "return_selected", "_selected_action": ["60325"], "apply": "1", "note": "Trūkst datuma."},
    )

    record.refresh_from_db()
    assert (record.status, record.return_note) == (Status.RETURNED, "Trūkst datuma.")
