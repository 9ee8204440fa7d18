"""Sending the outbox (:class:`partners.models.OutboxMessage`) with Django's own mail.

``send_due`` sends every message that is due (not sent, ``next_attempt_at`` reached) and marks it
sent. A message the SMTP server refuses, or that cannot be handed over at all (the server is down,
closes the connection, answers 4xx/5xx), stays in the outbox with one more attempt, the error, and a
later ``next_attempt_at`` (a growing pause, at most a day): nothing is lost, the next run tries again.

Concurrent runs (a run that overlaps the next timer's start, two servers) take turns per message:
PostgreSQL locks the rows a run sends (``select_for_update(skip_locked=True)``) and the other run skips
them; SQLite lets one writer at a time anyway. A row stays locked until its batch is marked, so a
message is never sent twice by two runs.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

#: messages sent per transaction (a batch's rows stay locked while it is sent)
BATCH = 50
#: a sent message is kept this long (the secretariat sees what went out), then deleted: it holds a
#: person's address and the text about their records (privacy notice, «Cik ilgi»)
KEEP_SENT = datetime.timedelta(days=90)
#: the first retry waits this long, each further one twice as long, never longer than MAX_PAUSE
FIRST_PAUSE = datetime.timedelta(minutes=5)
MAX_PAUSE = datetime.timedelta(days=1)


def pause_after(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 5 min, 10 min, 20 min… at most a day."""
    pause: datetime.timedelta = FIRST_PAUSE * (2 ** max(attempts - 1, 0))
    return min(pause, MAX_PAUSE)


def due(now: datetime.datetime) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(sent_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def send_due(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Send every due message; returns ``(sent, failed)``.

    A message the server refuses (its recipient, its sender, its content: ``REFUSED``) fails alone and
    the run goes on. A server that cannot be reached or talked to (refused or closed connection, a
    timeout, a failed login) fails the rest of the batch with the same error, untried, and ends the
    run: a down server costs one timeout per run, not one per message."""
    now = now or timezone.now()
    sent = failed = 0
    tried: set[int] = set()
    while True:
        with transaction.atomic():
            pending = due(now).exclude(pk__in=tried).order_by("next_attempt_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            batch = list(pending[:BATCH])
            if not batch:
                return sent, failed
            mail = get_connection()
            try:
                for position, message in enumerate(batch):
                    tried.add(message.pk)
                    try:
                        _send(message, mail)
                    except REFUSED as error:
                        failed += 1
                        _failed(message, error, now)
                        # The server may have dropped the session: the next message opens a new one.
                        _close_quietly(mail)
                    except (smtplib.SMTPException, OSError) as error:
                        for untried in batch[position:]:
                            _failed(untried, error, now)
                        return sent, failed + len(batch) - position
                    else:
                        sent += 1
                        message.attempts += 1
                        message.sent_at = timezone.now()
                        message.last_error = ""
                        message.save(update_fields=["attempts", "sent_at", "last_error"])
            finally:
                _close_quietly(mail)


#: the server's answer refuses this message (not the connection): the next message may still go
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _failed(message: OutboxMessage, error: Exception, now: datetime.datetime) -> None:
    """One more attempt, the error, and the time of the next one; the message stays in the outbox."""
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.next_attempt_at = now + pause_after(message.attempts)
    message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning("E-mail %s to %s not sent: %s", message.pk, message.to_email, error)


def forget_sent(now: datetime.datetime | None = None) -> int:
    """Delete the messages sent more than ``KEEP_SENT`` ago; unsent ones are never deleted here."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return deleted


def _send(message: OutboxMessage, mail: BaseEmailBackend) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to_email],
        connection=mail,
        headers={"Auto-Submitted": "auto-generated", "X-DDKC-Message": message.key[:200]},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if email.send() != 1:
        raise smtplib.SMTPException("the mail backend did not accept the message")


def _close_quietly(mail: BaseEmailBackend) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mail.close()
