"""The discussion on a record (#16): a thread on each activity and measurement in the workflow panel,
for the staff who may read the record's private parts; a return note opens it; kept with the record's
history; never public."""

import pytest
from django.urls import reverse

from partners import roles
from strategy import services
from strategy.models import Comment
from strategy.workflow import Status
from tests import factories

NOTE = "Lūdzu, pievienojiet dalībnieku sarakstu."


class People:
    def __init__(self):
        self.lag = factories.lag(slug="musu")
        self.other_lag = factories.lag(slug="cita")
        self.editor = factories.user(role=roles.EDITOR, lag=self.lag, first_name="Ilze", last_name="Ozola")
        self.coordinator = factories.user(
            role=roles.COORDINATOR, lag=self.lag, first_name="Anna", last_name="Kalniņa"
        )
        self.other_coordinator = factories.user(role=roles.COORDINATOR, lag=self.other_lag)
        self.other_editor = factories.user(role=roles.EDITOR, lag=self.other_lag)
        self.board = factories.user(role=roles.BOARD)
        self.secretariat = factories.user(role=roles.SECRETARIAT)


@pytest.fixture
def people(db):
    return People()


def make(people, kind, status=Status.DRAFT):
    if kind == "activity":
        return factories.activity(lag=people.lag, author=people.editor, status=status)
    return factories.measurement(lag=people.lag, author=people.editor, status=status)


def url(record, view):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[record.pk])


def returned(people, kind):
    record = make(people, kind)
    services.submit(record, by=people.editor)
    services.return_record(record, by=people.coordinator, note=NOTE)
    return record


@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_the_return_note_opens_the_thread(people, client, kind):
    record = returned(people, kind)
    first = services.comments_of(record).get()
    assert (first.text, first.author, first.is_return_note) == (NOTE, people.coordinator, True)

    client.force_login(people.editor)
    client.post(url(record, "comment"), {"text": "Saraksts pievienots pierādījumos."})
    thread = list(services.comments_of(record))
    assert [c.text for c in thread] == [NOTE, "Saraksts pievienots pierādījumos."]
    assert [c.is_return_note for c in thread] == [True, False]
    page = client.get(url(record, "change")).content.decode()
    assert page.index(NOTE) < page.index("Saraksts pievienots pierādījumos.")
    assert "atgriešanas piezīme" in page


def test_a_refused_return_leaves_no_comment(people):
    record = make(people, "activity")
    services.submit(record, by=people.editor)
    with pytest.raises(services.WorkflowError):
        services.return_record(record, by=people.editor, note=NOTE)  # four eyes: not the submitter
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ["editor", "coordinator", "board", "secretariat"])
@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_the_records_lag_staff_the_board_and_the_secretariat_read_and_add_comments(people, client, kind, who):
    record = make(people, kind)
    client.force_login(getattr(people, who))
    page = client.get(url(record, "change")).content.decode()
    assert "Diskusija (0)" in page
    assert 'name="text"' in page
    response = client.post(url(record, "comment"), {"text": f"Jautājums no {who}"})
    assert response.status_code == 302
    assert services.comments_of(record).get().author == getattr(people, who)
    assert f"Jautājums no {who}" in client.get(url(record, "change")).content.decode()


@pytest.mark.parametrize("who", ["other_coordinator", "other_editor"])
@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_another_lags_staff_neither_read_nor_add_comments(people, client, kind, who):
    record = make(people, kind, status=Status.APPROVED)  # they may view an approved record
    factories_comment = services.add_comment(record, by=people.coordinator, text="Iekšējs jautājums")
    client.force_login(getattr(people, who))
    page = client.get(url(record, "change"))
    assert page.status_code == 200
    assert "Iekšējs jautājums" not in page.content.decode()
    assert 'name="text"' not in page.content.decode()
    client.post(url(record, "comment"), {"text": "Mēģinu komentēt"})
    assert list(services.comments_of(record)) == [factories_comment]


def test_an_empty_comment_is_refused_in_latvian(people, client):
    record = make(people, "activity")
    client.force_login(people.editor)
    response = client.post(url(record, "comment"), {"text": "   "}, follow=True)
    assert "Komentārs ir tukšs: uzrakstiet tekstu." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_personal_code_in_a_comment_is_refused(people, client):
    record = make(people, "measurement")
    client.force_login(people.editor)
    response = client.post(url(record, "comment"), {"text": "Dalībnieks 010180-12345"}, follow=True)
    assert "Personas kodu portālā nenorāda" in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_are_kept_with_the_records_history(people, client):
    record = returned(people, "activity")
    client.force_login(people.board)
    page = client.get(url(record, "history")).content.decode()
    assert "Diskusija (1)" in page
    assert NOTE in page
    assert 'name="text"' not in page  # the history is for reading


def test_comments_are_never_public(people, client):
    record = returned(people, "activity")
    services.add_comment(record, by=people.editor, text="Iekšēja piebilde par izmaksām")
    services.submit(record, by=people.editor)
    services.approve(record, by=people.coordinator)
    public = client.get(f"/lv/activities/{record.pk}/")
    assert public.status_code == 200
    assert "Iekšēja piebilde" not in public.content.decode()
    assert NOTE not in public.content.decode()
