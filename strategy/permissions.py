"""Who may read and write a LAG-owned workflow record (an activity or a measurement).

This module is the one place these rules live (invariant 7). Admin forms, inlines, list and bulk
actions, imports, deletion and the workflow services all ask it; none of them decides on its own.
A later rule that makes records read-only (a closed year) plugs into :func:`locked_reason`.

The rules on top of Django's model permissions (which the roles' groups carry):
- LAG editors and coordinators read their own LAG's records in every status and other LAGs'
  records only once approved; they write only their own LAG's drafts and returned records.
- Coordinators also approve or return their LAG's submitted records, never ones they authored,
  and can reopen an approved record of their LAG.
- The board and the secretariat read every LAG's records and write none of them.
- A superuser acts as a coordinator of every LAG (and still cannot approve their own record).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from partners import roles
from partners.models import LAG

from .workflow import Status

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})

SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"
REOPEN = "reopen"
TRANSITIONS = (SUBMIT, APPROVE, RETURN, REOPEN)


def role_names(user):
    """The user's role names, asked once per user object (a request reuses its user)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_ddkc_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._ddkc_role_names = cached
    return cached


def is_lag_staff(user):
    """An editor or coordinator attached to a LAG: the only people who write LAG records."""
    return bool(
        user.is_authenticated and user.lag_id and role_names(user) & {roles.EDITOR, roles.COORDINATOR}
    )


def is_coordinator(user):
    return bool(user.is_authenticated and user.lag_id and roles.COORDINATOR in role_names(user))


def is_superuser(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def sees_all_lags(user):
    return is_superuser(user) or bool(role_names(user) & {roles.BOARD, roles.SECRETARIAT})


def editable_lags(user):
    """The LAGs whose records the user may create or write."""
    if is_superuser(user):
        return LAG.objects.all()
    if is_lag_staff(user):
        return LAG.objects.filter(pk=user.lag_id)
    return LAG.objects.none()


def owns(user, record):
    """The record belongs to a LAG the user writes for."""
    return is_superuser(user) or (is_lag_staff(user) and record.lag_id == user.lag_id)


def visible(user, queryset):
    """The records of ``queryset`` the user may read."""
    if sees_all_lags(user):
        return queryset
    if is_lag_staff(user):
        return queryset.filter(Q(lag_id=user.lag_id) | Q(status=Status.APPROVED))
    return queryset.none()


def can_view(user, record):
    if sees_all_lags(user):
        return True
    if is_lag_staff(user):
        return record.lag_id == user.lag_id or record.status == Status.APPROVED
    return False


def locked_reason(record):
    """Why a record cannot be written whatever the user's role, or None.

    The single hook for rules such as "a closed year is read-only": every write path reaches it
    through :func:`edit_refusal` or :func:`transition_refusal`.
    """
    from .closing import locked_message

    return locked_message(record)


def can_add(user, lag=None):
    """May the user create a record (for ``lag``, when given)?"""
    if is_superuser(user):
        return True
    if not is_lag_staff(user):
        return False
    return lag is None or getattr(lag, "pk", lag) == user.lag_id


def edit_refusal(user, record):
    """Why the user may not change (or delete) the record's content, or None when they may."""
    # A closed year binds everyone, so it is the reason given first.
    locked = locked_reason(record)
    if locked:
        return locked
    if not (is_superuser(user) or is_lag_staff(user)):
        return _("Jūsu lomai nav tiesību labot VRG ierakstus.")
    if not owns(user, record):
        return _("Drīkst labot tikai savas VRG ierakstus.")
    if record.status not in EDITABLE_STATUSES:
        if record.status == Status.SUBMITTED:
            return _("Iesniegtu ierakstu nevar labot, kamēr koordinators to nav atgriezis.")
        return _("Apstiprināts ieraksts ir tikai lasāms; koordinators to var atvērt labošanai.")
    return None


def can_edit(user, record):
    return edit_refusal(user, record) is None


def can_delete(user, record):
    """Only what may still be edited may be deleted: nothing submitted or approved disappears."""
    return can_edit(user, record)


def transition_refusal(user, record, transition):
    """Why the user may not make this workflow transition on the record, or None when they may."""
    if transition == SUBMIT:
        if record.status not in EDITABLE_STATUSES:
            return _(
                "Iesniegt var tikai melnrakstu vai atgrieztu ierakstu (šī ieraksta statuss: %(status)s)."
            ) % {"status": record.get_status_display()}
        return edit_refusal(user, record)
    if transition in (APPROVE, RETURN):
        if not (is_superuser(user) or is_coordinator(user)):
            return _("Apstiprināt un atgriezt ierakstus var tikai VRG koordinators.")
        if not owns(user, record):
            return _("Koordinators izskata tikai savas VRG ierakstus.")
        if record.status != Status.SUBMITTED:
            return _("Izskatīt var tikai iesniegtu ierakstu (šī ieraksta statuss: %(status)s).") % {
                "status": record.get_status_display()
            }
        if record.author_id is not None and record.author_id == user.pk:
            return _("Savu ierakstu nevar apstiprināt vai atgriezt: to jāizskata citam koordinatoram.")
        return locked_reason(record)
    if transition == REOPEN:
        if not (is_superuser(user) or is_coordinator(user)):
            return _("Apstiprinātu ierakstu atvērt labošanai var tikai VRG koordinators.")
        if not owns(user, record):
            return _("Koordinators var atvērt tikai savas VRG ierakstus.")
        if record.status != Status.APPROVED:
            return _(
                "Atvērt labošanai var tikai apstiprinātu ierakstu (šī ieraksta statuss: %(status)s)."
            ) % {"status": record.get_status_display()}
        return locked_reason(record)
    raise ValueError(f"unknown transition {transition!r}")


def can_transition(user, record, transition):
    return transition_refusal(user, record, transition) is None


def may_submit_any(user):
    return is_superuser(user) or is_lag_staff(user)


def may_review_any(user):
    return is_superuser(user) or is_coordinator(user)


def can_import(user):
    """Imports create and update records, so only those who write records import them."""
    return is_superuser(user) or is_lag_staff(user)


def can_export(user):
    """Anyone who reads records may export what they read."""
    return is_superuser(user) or is_lag_staff(user) or sees_all_lags(user)
