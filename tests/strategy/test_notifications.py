"""E-mail notifications (#16): who is told of what, in Latvian with a link to the record, once.

The transitions queue their e-mails in the outbox in the transition's own transaction; ``manage.py
send_mail`` sends them (Django's locmem backend here: ``mail.outbox``). Every kind is checked for its
recipients (never another LAG's staff, never the person who caused it), its content, its idempotence
and each user's opt-out."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from partners import roles
from partners.models import OutboxMessage
from strategy import notifications, services
from strategy.models import Comment, ReportingDeadline
from strategy.workflow import Status
from tests import factories

PORTAL = "https://portal.example.lv"
RIGA = ZoneInfo("Europe/Riga")
MONDAY_MORNING = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=RIGA)  # ISO week 50


class People:
    def __init__(self):
        self.lag = factories.lag(short_name_lv="Lauku partnerība")
        self.other_lag = factories.lag()
        self.editor = self.person(roles.EDITOR, self.lag, "Anna", "Bērziņa")
        self.second_editor = self.person(roles.EDITOR, self.lag, "Jānis", "Kalniņš")
        self.coordinator = self.person(roles.COORDINATOR, self.lag, "Ilze", "Ozola")
        self.second_coordinator = self.person(roles.COORDINATOR, self.lag, "Pēteris", "Liepa")
        self.other_editor = self.person(roles.EDITOR, self.other_lag, "Other", "Editor")
        self.other_coordinator = self.person(roles.COORDINATOR, self.other_lag, "Other", "Coordinator")
        self.board = self.person(roles.BOARD, None, "Valdes", "Loceklis")
        self.secretariat = self.person(roles.SECRETARIAT, None, "Sekretariāta", "Darbiniece")

    @staticmethod
    def person(role, lag, first, last):
        n = factories._seq.__next__()
        return factories.user(
            role=role, lag=lag, first_name=first, last_name=last, email=f"person{n}@example.lv"
        )


@pytest.fixture
def people(db, settings):
    settings.PORTAL_URL = PORTAL
    return People()


@pytest.fixture(params=["activity", "measurement"])
def make(request, people):
    """make(status, author=editor, **fields) → a record of the LAG (an activity or a measurement)."""

    def build(status=Status.DRAFT, author=None, **fields):
        author = author or people.editor
        if request.param == "activity":
            return factories.activity(
                lag=people.lag,
                status=status,
                author=author,
                title_lv="Pieredzes apmaiņas brauciens",
                **fields,
            )
        return factories.measurement(
            lag=people.lag, status=status, author=author, indicator=factories.indicator(), **fields
        )

    return build


def queued(kind=None):
    messages = OutboxMessage.objects.order_by("pk")
    if kind:
        messages = messages.filter(kind=kind)
    return list(messages)


def recipients(kind=None):
    return sorted(message.to_email for message in queued(kind))


def emails(*users):
    return sorted(user.email for user in users)


def change_url(record):
    opts = record._meta
    return f"{PORTAL}/admin/{opts.app_label}/{opts.model_name}/{record.pk}/change/"


# --- submitted -----------------------------------------------------------------------------------------


def test_a_submitted_record_is_announced_to_its_lags_coordinators_only(make, people):
    record = make(Status.DRAFT)

    services.submit(record, by=people.editor)

    # Not the submitter, not another LAG's coordinator, not the secretariat (the LAG has coordinators).
    assert recipients(OutboxMessage.Kind.SUBMITTED) == emails(people.coordinator, people.second_coordinator)
    message = queued()[0]
    assert str(record) in message.subject
    assert "Lauku partnerība" in message.subject
    assert message.subject.startswith("Iesniegts izskatīšanai")
    assert change_url(record) in message.body_text
    assert f'href="{change_url(record)}"' in message.body_html
    assert "Anna Bērziņa iesniedza izskatīšanai" in message.body_text
    assert message.body_html.startswith("<!DOCTYPE html>")
    assert '<html lang="lv">' in message.body_html


def test_a_coordinator_who_submitted_is_not_told_and_the_other_coordinator_is(make, people):
    record = make(Status.DRAFT, author=people.coordinator)

    services.submit(record, by=people.coordinator)

    assert recipients() == emails(people.second_coordinator)


def test_the_secretariat_is_told_when_the_lag_has_no_independent_coordinator(make, people):
    people.second_coordinator.groups.clear()
    record = make(Status.DRAFT, author=people.coordinator)

    services.submit(record, by=people.coordinator)

    assert recipients() == emails(people.secretariat)
    assert people.board.email not in recipients()


def test_a_submission_is_written_in_latvian_even_from_an_english_page(make, people):
    from django.utils import translation

    record = make(Status.DRAFT)
    with translation.override("en"):
        services.submit(record, by=people.editor)

    message = queued()[0]
    assert "Labdien" in message.body_text
    assert "Submitted" not in message.subject


# --- returned, approved -------------------------------------------------------------------------------


def test_a_returned_record_tells_its_author_and_submitter_what_to_fix(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.second_editor)
    OutboxMessage.objects.all().delete()

    services.return_record(
        record, by=people.coordinator, note="Trūkst dalībnieku saraksta.\nPievienojiet to."
    )

    assert recipients(OutboxMessage.Kind.RETURNED) == emails(people.editor, people.second_editor)
    message = queued()[0]
    assert message.subject.startswith("Atgriezts labošanai")
    assert "Trūkst dalībnieku saraksta." in message.body_text
    assert "Trūkst dalībnieku saraksta.<br>Pievienojiet to." in message.body_html
    assert change_url(record) in message.body_text
    assert "Ilze Ozola atgrieza ierakstu" in message.body_text


def test_an_approved_record_tells_its_author(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.second_editor)
    OutboxMessage.objects.all().delete()

    services.approve(record, by=people.coordinator)

    assert recipients() == emails(people.editor)
    message = queued()[0]
    assert message.kind == OutboxMessage.Kind.APPROVED
    assert message.subject.startswith("Apstiprināts")
    assert "Ilze Ozola apstiprināja jūsu ierakstu" in message.body_text


def test_a_reopened_record_returned_with_a_reason_tells_its_author(make, people):
    record = make(Status.APPROVED)

    services.reopen(record, by=people.coordinator, reason="Summa jālabo.")

    assert recipients(OutboxMessage.Kind.RETURNED) == emails(people.editor)
    assert "Summa jālabo." in queued()[0].body_text


def test_a_transition_rolled_back_queues_nothing(make, people):
    record = make(Status.DRAFT)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit(record, by=people.editor)
        assert queued()  # queued inside the transaction…
        raise RuntimeError("the request failed after the transition")

    assert queued() == []  # …and gone with it


def test_a_refused_transition_queues_nothing(make, people):
    record = make(Status.DRAFT)

    with pytest.raises(services.WorkflowError):
        services.approve(record, by=people.coordinator)

    assert queued() == []


# --- opt-out, inactive accounts, accounts without an address -----------------------------------------


def test_each_user_can_switch_each_kind_off(make, people):
    people.coordinator.notify_submitted = False
    people.coordinator.save()
    people.editor.notify_approved = False
    people.editor.save()
    record = make(Status.DRAFT)

    services.submit(record, by=people.editor)
    assert recipients() == emails(people.second_coordinator)

    OutboxMessage.objects.all().delete()
    services.approve(record, by=people.second_coordinator)
    assert queued() == []


def test_inactive_accounts_and_accounts_without_an_address_get_nothing(make, people):
    people.coordinator.is_active = False
    people.coordinator.save()
    people.second_coordinator.email = ""
    people.second_coordinator.save()
    record = make(Status.DRAFT)

    services.submit(record, by=people.editor)

    # The LAG still has a coordinator who reviews, so the secretariat is not asked instead.
    assert queued() == []


# --- comments -----------------------------------------------------------------------------------------


def comment(record, author, text, **fields):
    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        author=author,
        text=text,
        **fields,
    )


def test_a_comment_tells_the_author_the_submitter_and_earlier_commenters(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.second_editor)
    comment(record, people.coordinator, "Vai fotogrāfijas ir?")
    OutboxMessage.objects.all().delete()

    comment(record, people.second_coordinator, "Pievienojiet, lūdzu, arī programmu.")

    # Never the comment's own author.
    assert recipients(OutboxMessage.Kind.COMMENT) == emails(
        people.editor, people.second_editor, people.coordinator
    )
    message = queued()[0]
    assert "Pievienojiet, lūdzu, arī programmu." in message.body_text
    assert "Pēteris Liepa komentēja ierakstu" in message.body_text
    assert change_url(record) in message.body_html
    assert message.subject.startswith("Jauns komentārs")


def test_a_comment_is_not_sent_to_who_may_no_longer_read_the_record(make, people):
    record = make(Status.SUBMITTED)
    # The author moved to another LAG: a submitted record of their old LAG is no longer theirs to read.
    people.editor.lag = people.other_lag
    people.editor.save()

    comment(record, people.coordinator, "Lūdzu precizēt datumu.")

    assert queued() == []


def test_a_return_note_comment_sends_no_second_mail(make, people):
    record = make(Status.SUBMITTED)

    comment(record, people.coordinator, "Trūkst saraksta.", is_return_note=True)

    assert queued() == []


def test_comment_mails_respect_the_opt_out(make, people):
    people.editor.notify_comments = False
    people.editor.save()
    record = make(Status.DRAFT)

    comment(record, people.coordinator, "Labs ieraksts.")

    assert queued() == []


# --- the weekly digest ---------------------------------------------------------------------------------


def test_each_reviewer_gets_one_digest_a_week_of_what_waits_for_them(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.editor)
    OutboxMessage.objects.all().delete()

    assert notifications.queue_digests(MONDAY_MORNING) == 2
    assert notifications.queue_digests(MONDAY_MORNING + datetime.timedelta(hours=3)) == 0
    assert notifications.queue_digests(MONDAY_MORNING + datetime.timedelta(days=2)) == 0

    # The LAG's coordinators; not the other LAG's, nor the secretariat (nothing waits for it).
    assert recipients(OutboxMessage.Kind.DIGEST) == emails(people.coordinator, people.second_coordinator)
    message = queued()[0]
    assert message.key.endswith(":2026-W50")
    assert str(record) in message.body_text
    assert change_url(record) in message.body_html
    assert message.subject == "Jūsu izskatīšanu gaida 1 ieraksts (50. nedēļas kopsavilkums)"
    assert "(2026. gada 50. nedēļa)" in message.body_text

    # The next week: again.
    assert notifications.queue_digests(MONDAY_MORNING + datetime.timedelta(days=7)) == 2


def test_no_digest_when_nothing_waits_or_before_monday_morning(make, people):
    make(Status.DRAFT)
    assert notifications.queue_digests(MONDAY_MORNING) == 0

    record = make(Status.DRAFT)
    services.submit(record, by=people.editor)
    OutboxMessage.objects.all().delete()
    assert notifications.queue_digests(MONDAY_MORNING.replace(hour=7)) == 0
    # Only on Mondays: a Tuesday's run queues none (the week's digest went out, or nothing waited then).
    assert notifications.queue_digests(MONDAY_MORNING + datetime.timedelta(days=1)) == 0
    assert queued() == []


def test_the_secretariats_digest_lists_what_only_it_reviews(make, people):
    people.second_coordinator.groups.clear()
    record = make(Status.DRAFT, author=people.coordinator)
    services.submit(record, by=people.coordinator)
    OutboxMessage.objects.all().delete()

    notifications.queue_digests(MONDAY_MORNING)

    assert recipients() == emails(people.secretariat)


def test_the_digest_respects_the_opt_out(make, people):
    people.coordinator.notify_digest = False
    people.coordinator.save()
    record = make(Status.DRAFT)
    services.submit(record, by=people.editor)
    OutboxMessage.objects.all().delete()

    notifications.queue_digests(MONDAY_MORNING)

    assert recipients() == emails(people.second_coordinator)


# --- deadline reminders --------------------------------------------------------------------------------


def test_editors_with_open_records_are_reminded_once_before_the_deadline(make, people):
    draft = make(Status.DRAFT)  # dated 2024
    deadline = ReportingDeadline.objects.create(
        year=2024, due_date=datetime.date(2025, 1, 31), remind_days_before=14, note="Lūdzam neaizkavēt."
    )

    assert notifications.queue_reminders(datetime.date(2025, 1, 16)) == 0  # 15 days before
    assert notifications.queue_reminders(datetime.date(2025, 1, 17)) == 2
    assert notifications.queue_reminders(datetime.date(2025, 1, 20)) == 0
    assert notifications.queue_reminders(datetime.date(2025, 2, 1)) == 0  # the deadline has passed

    # The LAG's editors, not its coordinators (who did not author it), not the other LAG's editor.
    assert recipients(OutboxMessage.Kind.REMINDER) == emails(people.editor, people.second_editor)
    message = queued()[0]
    assert message.subject == "Atgādinājums: 2024. gada dati jāiesniedz līdz 31.01.2025"
    assert str(draft) in message.body_text
    assert "Lūdzam neaizkavēt." in message.body_text
    assert "2024. gada dati jāiesniedz līdz 31.01.2025" in message.body_text  # never «2 024. gada»
    assert "kopā 1 ieraksts" in message.body_text
    assert change_url(draft) in message.body_html
    assert message.key == f"reminder:{deadline.pk}:2025-01-31:{message.recipient_id}"

    # A moved deadline reminds again.
    deadline.due_date = datetime.date(2025, 2, 28)
    deadline.save()
    assert notifications.queue_reminders(datetime.date(2025, 2, 20)) == 2


def test_no_reminder_without_drafts_or_returned_records_of_that_year(make, people):
    make(Status.SUBMITTED)
    make(Status.APPROVED)
    ReportingDeadline.objects.create(year=2024, due_date=datetime.date(2025, 1, 31))

    assert notifications.queue_reminders(datetime.date(2025, 1, 30)) == 0


def test_a_coordinator_who_authored_a_draft_is_reminded_and_the_opt_out_holds(make, people):
    make(Status.RETURNED, author=people.coordinator)
    people.second_editor.notify_reminders = False
    people.second_editor.save()
    ReportingDeadline.objects.create(year=2024, due_date=datetime.date(2025, 1, 31))

    notifications.queue_reminders(datetime.date(2025, 1, 30))

    assert recipients() == emails(people.editor, people.coordinator)


# --- sending (locmem) ----------------------------------------------------------------------------------


def test_send_mail_sends_each_message_once_with_text_and_html(make, people):
    record = make(Status.DRAFT)
    services.submit(record, by=people.editor)

    call_command("send_mail", "--only-send", verbosity=0)
    call_command("send_mail", "--only-send", verbosity=0)

    assert sorted(message.to[0] for message in mail.outbox) == emails(
        people.coordinator, people.second_coordinator
    )
    sent = mail.outbox[0]
    assert sent.subject.startswith("Iesniegts izskatīšanai")
    assert change_url(record) in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert change_url(record) in html
    assert all(message.sent_at for message in queued())


def test_send_mail_queues_the_digest_once_whatever_the_number_of_runs(make, people, monkeypatch):
    record = make(Status.DRAFT)
    services.submit(record, by=people.editor)
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_MORNING)

    for _ in range(3):
        call_command("send_mail", verbosity=0)

    assert len(queued(OutboxMessage.Kind.DIGEST)) == 2
    digests = [message for message in mail.outbox if "kopsavilkums" in message.subject]
    assert len(digests) == 2


def test_a_record_type_without_an_admin_page_still_gets_its_mail_with_a_link_to_the_admin(
    make, people, monkeypatch
):
    """A workflow record whose admin is not registered (yet) must not break its transition."""
    from django.urls import NoReverseMatch, reverse

    def no_change_pages(name, *args, **kwargs):
        if name.endswith("_change"):
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(notifications, "reverse", no_change_pages)
    record = make(Status.DRAFT)

    services.submit(record, by=people.editor)

    assert recipients() == emails(people.coordinator, people.second_coordinator)
    assert f"Atvērt ierakstu: {PORTAL}/admin/\n" in queued()[0].body_text
