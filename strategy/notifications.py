"""E-mail notifications (#16): who is told what, queued in the outbox, sent later by ``manage.py send_mail``.

Every message is a row of :class:`partners.models.OutboxMessage`, written in the same transaction as the
change it tells about: a transition that rolls back leaves no mail behind, and a mail is never sent
from inside a request (a slow or absent SMTP server never slows or breaks a page). Django's own mail
sends the outbox — no extra library: the outbox is one model of ours, written with the change, and its
``key`` (unique) makes each message idempotent.

The kinds and their recipients (each user can switch each kind off, ``User.notify_*``; an inactive
account or one without an e-mail address gets nothing):

- ``submitted`` — the record's reviewers as :mod:`strategy.permissions` decides (the LAG's coordinators
  who did not author, change or submit it; the secretariat when the LAG has none). Never another LAG's
  staff, never the person who submitted.
- ``returned`` — the author and the submitter, with the return note (a reopen back to "returned" too:
  its reason is the note).
- ``approved`` — the author.
- ``comment`` — the record's author, submitter and earlier commenters who may still read the record,
  never the comment's own author.
- ``digest`` — weekly, to each reviewer: what waits for their review now (nothing waits → no mail).
- ``reminder`` — N days before a :class:`~strategy.models.ReportingDeadline`, to the LAG editors whose
  LAG has drafts or returned records of that year (and to those records' authors).

The e-mails are in Latvian (the working language of the LAGs' staff), plain text and HTML, rendered
from ``templates/emails/``; their link opens the record in the admin at ``settings.PORTAL_URL``.

This module works on any :class:`~strategy.workflow.WorkflowRecord` through ``record._meta``: the
``indicators`` app's models (measurements, variance narratives) sit above ``strategy`` and are never
named here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from partners import latvian, roles
from partners.models import OutboxMessage, User

from . import permissions
from .workflow import Status, WorkflowRecord

if TYPE_CHECKING:
    from django.db.models import Model

Kind = OutboxMessage.Kind

#: the digest is queued on this weekday (Monday = 0) by the first run from this hour on, once per ISO week
DIGEST_WEEKDAY = 0
DIGEST_HOUR = 8
#: at most this many records are listed per kind in a digest or a reminder (the rest are counted)
LISTED = 30


# --- addresses, links, rendering ---------------------------------------------------------------


def admin_link(record: Model) -> str:
    """The absolute address of the record's admin page (``PORTAL_URL``, never a request's host); a
    record type without an admin page yet links to the admin's home (a mail is never lost over a link)."""
    opts = record._meta
    try:
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        path = reverse("admin:index")
    return _portal() + path


def _portal() -> str:
    """``PORTAL_URL`` without its trailing slash."""
    return str(settings.PORTAL_URL).rstrip("/")


def changelist_link(model: type[Model], query: str = "") -> str:
    opts = model._meta
    try:
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + (
            f"?{query}" if query else ""
        )
    except NoReverseMatch:
        path = reverse("admin:index")
    return _portal() + path


def profile_link() -> str:
    return _portal() + reverse("admin:notification_settings")


#: each kind's choice on the user (``User.notify_*``)
CHOICE: dict[str, str] = {
    Kind.SUBMITTED: "notify_submitted",
    Kind.RETURNED: "notify_returned",
    Kind.APPROVED: "notify_approved",
    Kind.COMMENT: "notify_comments",
    Kind.DIGEST: "notify_digest",
    Kind.REMINDER: "notify_reminders",
}


def wants(user: User | None, kind: str) -> bool:
    """The user gets this kind of mail: an active account with an address that did not switch it off."""
    return bool(user is not None and user.is_active and user.email and getattr(user, CHOICE[kind]))


def describe(record: Model) -> dict[str, Any]:
    """What every e-mail says about a record: its kind, name, LAG and link (in Latvian)."""
    return {
        "record": record,
        "record_kind": capfirst(str(record._meta.verbose_name)),
        "record_name": str(record),
        "lag": str(record.lag),  # type: ignore[attr-defined]
        "link": admin_link(record),
    }


def count_records(count: int) -> str:
    """«1 ieraksts», «3 ieraksti», «21 ieraksts» (the e-mails are Latvian)."""
    with translation.override("lv"):
        return f"{count} {'ieraksts' if latvian.takes_singular(count) else 'ieraksti'}"


def _subject(text: str) -> str:
    # One line (a header), within the column's 300 characters.
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:299] + "…"


def queue(kind: str, key: str, user: User, subject: str, template: str, context: dict[str, Any]) -> bool:
    """Put one e-mail into the outbox, unless a message with this ``key`` is there already.

    Call it inside the transaction of the change: the message is kept or rolled back with it. Returns
    whether a message was queued."""
    if not wants(user, kind):
        return False
    context = {
        **context,
        "user": user,
        "greeting_name": user.get_full_name() or user.get_username(),
        "portal_name": "DDKC stratēģijas uzraudzības portāls",
        "portal_url": _portal() + "/",
        "profile_link": profile_link(),
        "subject": subject,
    }
    # The e-mails are Latvian whatever language the request that caused them was in.
    with translation.override("lv"):
        body_text = render_to_string(f"emails/{template}.txt", context)
        body_html = render_to_string(f"emails/{template}.html", context)
    with transaction.atomic():
        _, created = OutboxMessage.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "recipient": user,
                "to_email": user.email,
                "subject": _subject(subject),
                "body_text": body_text,
                "body_html": body_html,
                "next_attempt_at": timezone.now(),
            },
        )
    return created


def _distinct(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _record_key(record: Model) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


# --- the workflow's transitions (called by strategy.services inside the transition's transaction) ------


def reviewers_of(record: WorkflowRecord) -> list[User]:
    """Who reviews the submitted record now: its LAG's independent coordinators, or, when it has none,
    the secretariat — each one asked :func:`permissions.review_refusal`, so nobody is told of a record
    they may not approve or return (another LAG's staff, its author, changer or submitter)."""
    candidates = list(permissions.independent_coordinators(record))
    if not candidates:
        candidates = list(
            User.objects.filter(is_active=True, is_staff=True, groups__name=roles.SECRETARIAT).distinct()
        )
    return [user for user in candidates if permissions.review_refusal(user, record) is None]


def transition_made(
    record: WorkflowRecord, *, transition: str, to: str, by: User, note: str, change: Any
) -> None:
    """Queue the mails a transition sends (``change``: its :class:`~strategy.models.StatusChange`)."""
    about = describe(record)
    context = {**about, "by": by.get_full_name() or by.get_username(), "note": note}
    key_of = f"{_record_key(record)}:{change.pk}"
    if transition == permissions.SUBMIT:
        subject = f"Iesniegts izskatīšanai: {about['record_kind'].lower()} «{about['record_name']}» ({about['lag']})"
        for user in reviewers_of(record):
            queue(Kind.SUBMITTED, f"submitted:{key_of}:{user.pk}", user, subject, "submitted", context)
    elif to == Status.RETURNED:
        subject = (
            f"Atgriezts labošanai: {about['record_kind'].lower()} «{about['record_name']}» ({about['lag']})"
        )
        for user in _distinct([record.author, record.submitted_by]):
            if user.pk != by.pk and permissions.can_view(user, record):
                queue(Kind.RETURNED, f"returned:{key_of}:{user.pk}", user, subject, "returned", context)
    elif transition == permissions.APPROVE:
        subject = f"Apstiprināts: {about['record_kind'].lower()} «{about['record_name']}» ({about['lag']})"
        author = record.author
        if author is not None and author.pk != by.pk and permissions.can_view(author, record):
            queue(Kind.APPROVED, f"approved:{key_of}:{author.pk}", author, subject, "approved", context)


# --- comments (a post_save receiver of strategy.Comment, connected in strategy.receivers) -----------


def comment_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new comment (not a return note: the "returned" mail carries that) tells the record's author,
    submitter and earlier commenters who may read the record — never the comment's own author."""
    if not created or raw or instance.is_return_note:
        return
    record = instance.record
    if record is None:
        return
    earlier = (
        type(instance)
        .objects.filter(content_type_id=instance.content_type_id, object_id=instance.object_id)
        .exclude(pk=instance.pk)
        .values_list("author_id", flat=True)
    )
    people = User.objects.filter(
        Q(pk__in=[record.author_id, record.submitted_by_id]) | Q(pk__in=earlier)
    ).exclude(pk=instance.author_id)
    about = describe(record)
    context = {
        **about,
        "by": instance.author.get_full_name() or instance.author.get_username(),
        "comment": instance.text,
    }
    subject = f"Jauns komentārs: {about['record_kind'].lower()} «{about['record_name']}» ({about['lag']})"
    for user in people:
        if permissions.can_view(user, record):
            queue(Kind.COMMENT, f"comment:{instance.pk}:{user.pk}", user, subject, "comment", context)


# --- the weekly digest and the deadline reminders (queued by manage.py send_mail) -------------------


def workflow_models() -> list[type[WorkflowRecord]]:
    """Every concrete workflow record model (activities, measurements, variance narratives…)."""
    return [
        model for model in apps.get_models() if issubclass(model, WorkflowRecord) and not model._meta.abstract
    ]


def _listed(queryset: Any) -> tuple[list[dict[str, Any]], int]:
    rows = list(queryset.select_related("lag")[:LISTED])
    total = len(rows) if len(rows) < LISTED else queryset.count()
    return [describe(row) for row in rows], total - len(rows)


def queue_digests(now: datetime.datetime | None = None) -> int:
    """Each reviewer's digest of what waits for their review, once per ISO week (the key names the
    week): on ``DIGEST_WEEKDAY`` (Monday), from ``DIGEST_HOUR`` (8:00, Riga) on, the day the users were
    told of. Nothing waits → no mail."""
    now = timezone.localtime(now)
    if now.weekday() != DIGEST_WEEKDAY or now.hour < DIGEST_HOUR:
        return 0
    year, week, _ = now.isocalendar()
    reviewers = (
        User.objects.filter(is_active=True, is_staff=True, notify_digest=True)
        .exclude(email="")
        .filter(Q(groups__name=roles.SECRETARIAT) | Q(groups__name=roles.COORDINATOR, lag__isnull=False))
        .distinct()
        .order_by("pk")
    )
    queued = 0
    for user in reviewers:
        key = f"digest:{user.pk}:{year}-W{week:02d}"
        if OutboxMessage.objects.filter(key=key).exists():
            continue
        sections: list[dict[str, Any]] = []
        for model in workflow_models():
            waiting = permissions.awaiting_review(user, model._default_manager.all()).order_by(
                "submitted_at", "pk"
            )
            rows, more = _listed(waiting)
            if rows:
                sections.append(
                    {
                        "title": capfirst(str(model._meta.verbose_name_plural)),
                        "rows": rows,
                        "more": more,
                        "count": len(rows) + more,
                        "list_link": changelist_link(model, "status__exact=submitted"),
                    }
                )
        if not sections:
            continue
        total = sum(int(section["count"]) for section in sections)
        subject = f"Jūsu izskatīšanu gaida {count_records(total)} ({week}. nedēļas kopsavilkums)"
        context = {"sections": sections, "total": count_records(total), "week": week, "year": str(year)}
        with transaction.atomic():
            queued += queue(Kind.DIGEST, key, user, subject, "digest", context)
    return queued


def queue_reminders(today: datetime.date | None = None) -> int:
    """Reminders of each reporting deadline whose reminder period has begun and that has not passed:
    to the editors of every LAG with drafts or returned records of that year, and to those records'
    authors (if they still work for that LAG). Once per deadline, date and person (a moved deadline
    reminds again)."""
    from .models import ReportingDeadline

    today = today or timezone.localdate()
    queued = 0
    for deadline in ReportingDeadline.objects.filter(due_date__gte=today):
        if today < deadline.due_date - datetime.timedelta(days=deadline.remind_days_before):
            continue
        open_records: dict[int, list[tuple[type[WorkflowRecord], Any]]] = {}
        for model in workflow_models():
            year_lookup: str = getattr(model, "year_lookup")  # noqa: B009 - declared by each concrete model
            # Any: each concrete model declares its LAG (``lag``), the abstract WorkflowRecord does not.
            records: Any = model._default_manager.filter(
                status__in=[Status.DRAFT, Status.RETURNED], **{year_lookup: deadline.year}
            )
            for lag_id in records.values_list("lag_id", flat=True).distinct():
                open_records.setdefault(lag_id, []).append((model, records.filter(lag_id=lag_id)))
        for lag_id, parts in open_records.items():
            authors = set()
            for _model, records in parts:
                authors |= set(records.exclude(author__isnull=True).values_list("author_id", flat=True))
            people = (
                User.objects.filter(is_active=True, is_staff=True, lag_id=lag_id)
                .filter(Q(groups__name=roles.EDITOR) | Q(pk__in=authors, groups__name__in=roles.LAG_ROLES))
                .distinct()
                .order_by("pk")
            )
            sections: list[dict[str, Any]] = []
            for model, records in parts:
                rows, more = _listed(records.order_by("status", "pk"))
                sections.append(
                    {
                        "title": capfirst(str(model._meta.verbose_name_plural)),
                        "rows": rows,
                        "more": more,
                        "count": len(rows) + more,
                    }
                )
            subject = f"Atgādinājums: {deadline.year}. gada dati jāiesniedz līdz {deadline.due_date:%d.%m.%Y}"
            context = {
                "deadline": deadline,
                "days_left": (deadline.due_date - today).days,
                "sections": sections,
                "total": count_records(sum(int(section["count"]) for section in sections)),
                "data_year": str(deadline.year),
            }
            for user in people:
                key = f"reminder:{deadline.pk}:{deadline.due_date.isoformat()}:{user.pk}"
                if OutboxMessage.objects.filter(key=key).exists():
                    continue
                with transaction.atomic():
                    queued += queue(Kind.REMINDER, key, user, subject, "reminder", context)
    return queued
