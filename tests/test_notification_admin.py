"""The admin's side of the e-mail notifications (#16): each user's «Mani e-pasta paziņojumi» page, the
secretariat's reporting deadlines and its read-only view of the outbox, and the production check
that refuses a portal without an SMTP server."""

import datetime

import pytest
from django.utils import timezone

from partners import roles
from partners.models import OutboxMessage
from strategy.models import ReportingDeadline
from tests import factories
from tests.test_security import manage


@pytest.fixture
def editor(db):
    return factories.user(role=roles.EDITOR, lag=factories.lag(), email="anna@example.lv")


def test_every_staff_user_finds_their_email_choices_in_the_user_tools(client, editor):
    client.force_login(editor)

    page = client.get("/admin/").content.decode()

    assert 'href="/admin/notifications/">Mani e-pasta paziņojumi</a>' in page


def test_a_user_switches_a_kind_of_email_off_and_only_their_own(client, editor):
    colleague = factories.user(role=roles.EDITOR, lag=editor.lag)
    client.force_login(editor)

    page = client.get("/admin/notifications/").content.decode()
    assert "<h1>Mani e-pasta paziņojumi</h1>" in page
    assert "anna@example.lv" in page
    assert '<label for="id_notify_returned" class="vCheckboxLabel">' in page

    # Every box but "returned" stays ticked; an unticked box is left out of the form, as browsers do.
    kept = ["notify_submitted", "notify_approved", "notify_comments", "notify_digest", "notify_reminders"]
    response = client.post("/admin/notifications/", dict.fromkeys(kept, "on"), follow=True)

    assert "Jūsu e-pasta paziņojumu izvēle saglabāta." in response.content.decode()
    editor.refresh_from_db()
    colleague.refresh_from_db()
    assert editor.notify_returned is False
    assert all(getattr(editor, field) for field in kept)
    assert colleague.notify_returned is True


def test_the_email_choices_page_needs_a_login(client, db):
    response = client.get("/admin/notifications/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_secretariat_sets_the_reporting_deadlines(client, db):
    client.force_login(factories.user(role=roles.SECRETARIAT))

    response = client.post(
        "/admin/strategy/reportingdeadline/add/",
        {"year": "2025", "due_date": "2026-01-31", "remind_days_before": "14", "note": ""},
    )

    assert response.status_code == 302
    deadline = ReportingDeadline.objects.get()
    assert (deadline.year, deadline.due_date) == (2025, datetime.date(2026, 1, 31))


def test_the_secretariat_reads_the_outbox_and_nobody_changes_it(client, db):
    user = factories.user(email="k@example.lv")
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.RETURNED,
        key="test:1",
        recipient=user,
        to_email=user.email,
        subject="Atgriezts labošanai: aktivitāte «Talka»",
        body_text="…",
        attempts=3,
        last_error="SMTPDataError: (554, b'Transaction failed')",
        next_attempt_at=timezone.now(),
    )
    client.force_login(factories.user(role=roles.SECRETARIAT))

    listing = client.get("/admin/partners/outboxmessage/").content.decode()
    assert "Atgriezts labošanai: aktivitāte «Talka»" in listing
    assert "Transaction failed" in listing
    detail = client.get(f"/admin/partners/outboxmessage/{message.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/partners/outboxmessage/add/").status_code == 403
    assert (
        client.post(f"/admin/partners/outboxmessage/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert OutboxMessage.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize("role", [roles.EDITOR, roles.COORDINATOR, roles.BOARD])
def test_lag_staff_and_the_board_neither_see_the_outbox_nor_set_deadlines(client, db, role):
    lag = factories.lag() if role in roles.LAG_ROLES else None
    client.force_login(factories.user(role=role, lag=lag))

    assert client.get("/admin/partners/outboxmessage/").status_code == 403
    assert client.get("/admin/strategy/reportingdeadline/add/").status_code == 403


def test_deploy_check_refuses_production_without_an_smtp_server():
    result = manage("check", "--deploy", EMAIL_URL="")

    assert result.returncode != 0
    assert "ddkc.E003" in result.stdout + result.stderr
    assert "EMAIL_URL" in result.stdout + result.stderr


def test_a_second_deadline_for_a_year_or_an_impossible_one_is_refused_in_latvian(client, db):
    ReportingDeadline.objects.create(year=2025, due_date=datetime.date(2026, 1, 31))
    client.force_login(factories.user(role=roles.SECRETARIAT))

    duplicate = client.post(
        "/admin/strategy/reportingdeadline/add/",
        {"year": "2025", "due_date": "2026-02-28", "remind_days_before": "14", "note": ""},
    ).content.decode()
    impossible = client.post(
        "/admin/strategy/reportingdeadline/add/",
        {"year": "2027", "due_date": "2026-12-31", "remind_days_before": "400", "note": ""},
    ).content.decode()

    assert (
        "Šī gada datu termiņš jau ir noteikts: labojiet to sarakstā, nevis pievienojiet jaunu." in duplicate
    )
    assert "Termiņš nevar būt agrāks par datu gada sākumu (2027. gada 1. janvāri)." in impossible
    assert "Atgādināt var ne agrāk kā 365 dienas pirms termiņa." in impossible
    assert list(ReportingDeadline.objects.values_list("year", "due_date")) == [
        (2025, datetime.date(2026, 1, 31))
    ]
