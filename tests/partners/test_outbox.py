"""Sending the outbox through a real SMTP server on 127.0.0.1 (aiosmtpd): the messages arrive as
text and HTML; a server that refuses the connection, closes it or answers 5xx leaves every message in
the outbox to be retried on a later run — nothing is lost, nothing is sent twice."""

import datetime
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from partners import outbox
from partners.models import OutboxMessage
from tests import factories
from tests.production import free_port


class Recorder:
    """An SMTP peer that keeps what it receives, or answers every message with ``reply``."""

    def __init__(self, reply=None):
        self.reply = reply
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.received.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """start(reply=None) → a Recorder listening on a free 127.0.0.1 port that the portal sends to."""
    controllers = []

    def start(reply=None, port=None):
        recorder = Recorder(reply)
        controller = Controller(recorder, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_TIMEOUT = 5
        return recorder

    yield start
    for controller in controllers:
        controller.stop()


def message(n=1, **fields):
    user = factories.user(email=f"saņēmējs{n}@example.lv")
    values = {
        "kind": OutboxMessage.Kind.SUBMITTED,
        "key": f"test:{n}",
        "recipient": user,
        "to_email": user.email,
        "subject": f"Iesniegts izskatīšanai: aktivitāte «Ķekava» {n}",
        "body_text": "Labdien!\n\nAtvērt ierakstu: https://portal.example.lv/admin/x/",
        "body_html": '<p>Labdien!</p><p><a href="https://portal.example.lv/admin/x/">Atvērt</a></p>',
        "next_attempt_at": timezone.now(),
    }
    values.update(fields)
    return OutboxMessage.objects.create(**values)


@pytest.mark.django_db
def test_messages_arrive_at_the_smtp_server_as_text_and_html(smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "DDKC portāls <portals@example.lv>"
    server = smtp()
    first, second = message(1), message(2)

    call_command("send_mail", "--only-send", verbosity=0)

    assert sorted(received["To"] for received in server.received) == sorted([first.to_email, second.to_email])
    received = next(item for item in server.received if item["To"] == first.to_email)
    assert received["Subject"].strip() == first.subject
    assert "portals@example.lv" in received["From"]
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_body(("plain",)).get_content().startswith("Labdien!")
    assert 'href="https://portal.example.lv/admin/x/"' in received.get_body(("html",)).get_content()
    for sent in OutboxMessage.objects.all():
        assert sent.sent_at is not None
        assert (sent.attempts, sent.last_error) == (1, "")

    # A second run sends nothing again.
    call_command("send_mail", "--only-send", verbosity=0)
    assert len(server.received) == 2


@pytest.mark.django_db
def test_a_server_answering_5xx_keeps_the_message_for_the_next_run(smtp):
    refusing = smtp(reply="554 Transaction failed")
    queued = message()
    started = timezone.now()

    assert outbox.send_due() == (0, 1)

    queued.refresh_from_db()
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert "554" in queued.last_error
    assert queued.next_attempt_at >= started + datetime.timedelta(minutes=5)
    assert refusing.received == []
    # Not due again before its pause is over…
    assert outbox.send_due() == (0, 0)

    # …then sent by the run after it, once the server accepts again.
    server = smtp()
    assert outbox.send_due(queued.next_attempt_at) == (1, 0)
    assert [item["To"] for item in server.received] == [queued.to_email]
    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert queued.attempts == 2
    assert queued.last_error == ""


@pytest.mark.django_db
def test_a_server_that_refuses_the_connection_loses_nothing(smtp, settings):
    port = free_port()  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    queued = [message(1), message(2)]

    assert outbox.send_due() == (0, 2)
    assert OutboxMessage.objects.filter(sent_at__isnull=True, attempts=1).count() == 2
    assert "ConnectionRefusedError" in OutboxMessage.objects.first().last_error

    # A second failure waits longer (5 min, then 10 min…).
    later = timezone.now() + datetime.timedelta(minutes=6)
    assert outbox.send_due(later) == (0, 2)
    retried = OutboxMessage.objects.get(pk=queued[0].pk)
    assert retried.attempts == 2
    assert retried.next_attempt_at >= later + datetime.timedelta(minutes=10) - datetime.timedelta(seconds=60)

    server = smtp(port=port)
    assert outbox.send_due(timezone.now() + datetime.timedelta(hours=1)) == (2, 0)
    assert len(server.received) == 2


@pytest.mark.django_db
def test_a_server_that_closes_the_connection_loses_nothing_and_is_tried_once_per_run(settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    connections = []

    def hang_up():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return  # closed by the test, or nobody else came
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        listener.getsockname()[1],
        5,
    )
    queued = [message(n) for n in range(1, 4)]

    try:
        assert outbox.send_due() == (0, 3)
        thread.join(2)
    finally:
        listener.close()
    # One connection for the run, not one per message: the rest of the batch fails untried.
    assert len(connections) == 1
    for item in queued:
        item.refresh_from_db()
        assert item.sent_at is None
        assert item.attempts == 1
        assert "SMTPServerDisconnected" in item.last_error


def test_the_pause_between_attempts_grows_to_at_most_a_day():
    pauses = [outbox.pause_after(attempts) for attempts in (1, 2, 3, 10, 20)]
    assert pauses[:3] == [datetime.timedelta(minutes=minutes) for minutes in (5, 10, 20)]
    assert pauses[3:] == [datetime.timedelta(days=1)] * 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_send_a_message_twice(settings):
    """PostgreSQL: a message another run is sending (its row locked) is skipped, not sent again."""
    from django.core import mail
    from django.db import connection, connections, transaction

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite lets one writer at a time: runs cannot overlap")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    busy, free = message(1), message(2)
    result = {}

    def other_run():
        try:
            result["sent"] = outbox.send_due()
        finally:
            connections.close_all()

    with transaction.atomic():
        # This run holds the first message, as a run does while it is sending it.
        OutboxMessage.objects.select_for_update().get(pk=busy.pk)
        thread = threading.Thread(target=other_run)
        thread.start()
        thread.join(30)

    assert result["sent"] == (1, 0)
    assert [sent.to for sent in mail.outbox] == [[free.to_email]]
    busy.refresh_from_db()
    assert busy.sent_at is None  # still this run's to send


@pytest.mark.django_db
def test_sent_messages_are_deleted_after_90_days_and_unsent_ones_never():
    now = timezone.now()
    old_sent = message(1, sent_at=now - datetime.timedelta(days=91))
    recent = message(2, sent_at=now - datetime.timedelta(days=89))
    old_unsent = message(3, attempts=40, next_attempt_at=now - datetime.timedelta(days=200))
    OutboxMessage.objects.filter(pk=old_unsent.pk).update(created_at=now - datetime.timedelta(days=200))

    assert outbox.forget_sent(now) == 1

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, old_unsent.pk}
    assert not OutboxMessage.objects.filter(pk=old_sent.pk).exists()
