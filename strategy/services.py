"""The workflow's transitions: one service function each, and no other path (invariant 8).

Each works on any :class:`~strategy.workflow.WorkflowRecord` (an activity, a measurement), locks
the record's row, asks :mod:`strategy.permissions` whether the user may make the transition,
records who and when on the record and as a :class:`~strategy.models.StatusChange`, queues the
e-mails it sends (:mod:`strategy.notifications`, in the same transaction), and raises
:class:`WorkflowError` with a Latvian message when the rule refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import personal_data

from . import notifications, permissions, year_lock
from .models import Comment, StatusChange
from .workflow import Status, WorkflowRecord

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from partners.models import User

# The same record comes back (an activity stays an activity for the caller's type checker).
R = TypeVar("R", bound=WorkflowRecord)


class WorkflowError(ValidationError):
    """A transition the rules refuse; its message is meant for the user."""


def _transition(
    record: R, *, by: User, transition: str, to: str, note: str = "", validate: bool = False
) -> R:
    model = type(record)
    with transaction.atomic():
        # The LAG's lock first, the lock a year close takes too (``year_lock.lock_lags``): the closed
        # years are checked below only once no close of this LAG's year is in progress.
        year_lock.lock_lags(record.lag_id)
        # The row lock makes two reviewers (or a reviewer and an editor) take turns: the second
        # one sees the status the first one left.
        # Any: simple-history reads the person and reason from attributes it sets on the instance.
        locked: Any = model._base_manager.select_for_update().get(pk=record.pk)
        refusal = permissions.transition_refusal(by, locked, transition)
        if refusal:
            raise WorkflowError(refusal, code=f"{transition}_refused")
        if validate:
            try:
                locked.full_clean()
            except ValidationError as error:
                raise WorkflowError(
                    _("Ierakstu nevar iesniegt, kamēr tajā ir kļūdas: %(errors)s")
                    % {"errors": " ".join(error.messages)},
                    code="invalid_record",
                ) from error
        now = timezone.now()
        from_status = locked.status
        locked.status = to
        fields = ["status"]
        if transition == permissions.SUBMIT:
            locked.submitted_at = now
            locked.submitted_by = by
            fields += ["submitted_at", "submitted_by"]
        elif transition in (permissions.APPROVE, permissions.RETURN):
            locked.reviewed_by = by
            locked.reviewed_at = now
            locked.return_note = note if transition == permissions.RETURN else ""
            fields += ["reviewed_by", "reviewed_at", "return_note"]
        elif transition == permissions.REOPEN:
            locked.return_note = note if to == Status.RETURNED else ""
            fields.append("return_note")
        # The change history (django-simple-history) names the same person and reason.
        locked._history_user = by
        locked._change_reason = note or None
        locked.save(update_fields=fields)
        change = StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=locked.pk,
            from_status=from_status,
            to_status=to,
            by=by,
            note=note,
        )
        # The e-mails it sends wait in the outbox, written in this transaction: kept or rolled back
        # with the change, sent later by ``manage.py send_mail``.
        notifications.transition_made(locked, transition=transition, to=to, by=by, note=note, change=change)
    # The caller's copy is now the stored version: saving it later is not a conflict.
    for field in [*fields, "version"]:
        setattr(record, field, getattr(locked, field))
    return record


def _required_text(value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(message, code="note_required")
    # The note stays in the record's history and its status log: no personal code (invariant 12).
    if personal_data.contains_personal_code(value):
        raise WorkflowError(personal_data.MESSAGE, code="personal_code")
    return value


def submit(record: R, *, by: User) -> R:
    """draft or returned → submitted; the record must be valid."""
    return _transition(record, by=by, transition=permissions.SUBMIT, to=Status.SUBMITTED, validate=True)


def approve(record: R, *, by: User) -> R:
    """submitted → approved, by a coordinator of the record's LAG who did not author, last change or
    submit it (or by the secretariat when the LAG has no such coordinator)."""
    return _transition(record, by=by, transition=permissions.APPROVE, to=Status.APPROVED)


def return_record(record: R, *, by: User, note: str | None) -> R:
    """submitted → returned, with a note that tells the author what to fix."""
    note = _required_text(note, _("Atgriežot ierakstu, jānorāda, kas jālabo."))
    with transaction.atomic():
        _transition(record, by=by, transition=permissions.RETURN, to=Status.RETURNED, note=note)
        # The note opens the record's discussion (#16): the author answers it there.
        add_comment(record, by=by, text=note, is_return_note=True)
    return record


def add_comment(
    record: WorkflowRecord, *, by: User, text: str | None, is_return_note: bool = False
) -> Comment:
    """A comment on the record by someone who may take part in its discussion; a Latvian
    :class:`WorkflowError` for an empty text, a personal code or someone who may not."""
    if not permissions.may_comment(by, record):
        raise WorkflowError(
            _("Komentēt var tikai ieraksta VRG darbinieki, valde un sekretariāts."), code="comment_refused"
        )
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("Komentārs ir tukšs: uzrakstiet tekstu."), code="comment_empty")
    comment = Comment(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        author=by,
        text=text,
        is_return_note=is_return_note,
    )
    try:
        comment.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages), code="comment_invalid") from error
    comment.save()
    return comment


def comments_of(record: WorkflowRecord) -> QuerySet[Comment]:
    """The record's discussion, oldest first (a return note opens it), with the authors: one query."""
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).select_related("author")


def reopen(record: R, *, by: User, reason: str | None, to: str = Status.RETURNED) -> R:
    """approved → returned (the reason becomes the return note) or → draft; logged with the reason."""
    if to not in (Status.RETURNED, Status.DRAFT):
        raise WorkflowError(_("Apstiprinātu ierakstu var atvērt tikai kā melnrakstu vai atgrieztu ierakstu."))
    reason = _required_text(reason, _("Atverot apstiprinātu ierakstu, jānorāda iemesls."))
    return _transition(record, by=by, transition=permissions.REOPEN, to=to, note=reason)


TRANSITION_FUNCTIONS: dict[str, Callable[..., Any]] = {
    permissions.SUBMIT: submit,
    permissions.APPROVE: approve,
    permissions.RETURN: return_record,
    permissions.REOPEN: reopen,
}
