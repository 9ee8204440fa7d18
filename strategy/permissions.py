"""Who may do what in the portal: every decision "may this person do this" lives here (invariant 13).

Admin pages, forms, inlines, list and bulk actions, imports, deletion, the workflow services, the
evidence download and the year's close all ask this module; none of them decides on its own. Roles
are Django groups whose names and model permissions are data in ``partners.roles``; this module reads
a user's role names once per user object (:func:`role_names`), so asking again costs no query.

A map of the decisions, by what a newcomer asks:

Who is who
    :func:`role_names`, :func:`is_lag_staff` (an editor or coordinator with a LAG),
    :func:`is_coordinator`, :func:`is_secretariat`, :func:`is_superuser`, :func:`sees_all_lags`
    (the board, the secretariat, superusers).
Reading a LAG's records (activities, measurements) — invariants 7 and 12
    :func:`visible` (a queryset), :func:`can_view` (one record), :func:`may_view` (an admin page),
    :func:`can_export`.
Writing them — invariant 7
    :func:`editable_lags`, :func:`owns`, :func:`can_add`, :func:`edit_refusal` / :func:`can_edit`,
    :func:`can_delete`, :func:`can_import`; the admin's pages and parts: :func:`may_change`,
    :func:`may_delete`; :func:`locked_reason` (a closed year binds everyone, invariant 9).
The workflow's transitions and four eyes — invariant 8
    :func:`transition_refusal` / :func:`can_transition` (submit, approve, return, reopen),
    :func:`review_refusal`, :func:`involvement`, :func:`independent_coordinators`,
    :func:`reviewers`, :func:`awaiting_review` (the review queue as one query),
    :func:`reviews_only_as_secretariat`; for menus and actions: :func:`may_submit_any`,
    :func:`may_review_any`, :func:`may_reopen_any`.
Personal data: evidence files, change history, return notes — invariant 12
    :func:`reads_private_parts` (history and status log), :func:`may_download_evidence` (one
    file), :func:`shown_evidence` (an activity's list of files; the public's: ``PUBLIC_EVIDENCE``).
The year's end — invariant 9
    :func:`may_close_years` (close, reopen, the board's year page and its PDF report).
The plan (indicators' targets and baselines)
    :func:`may_edit_plan`; a joint value overriding the one derived from the LAGs':
    :func:`may_override_joint_plan`; the joint estimates' weights: :func:`may_change_estimate_weights`.
A LAG's data of an ended year marked complete (the default period's end) — invariant 9
    :func:`may_mark_any_complete` (the page), :func:`completion_lags`, :func:`completion_refusal` /
    :func:`may_mark_complete`.

The rules on top of Django's model permissions (which the roles' groups carry):
- LAG editors and coordinators read their own LAG's records in every status and other LAGs'
  records only once approved; they write only their own LAG's drafts and returned records.
- Coordinators also approve or return their LAG's submitted records and can reopen an approved
  record of their LAG.
- Four eyes (invariant 8): nobody approves or returns a record they authored, last changed or
  submitted (``author``, ``changed_by``, ``submitted_by``). When the record's LAG has no active
  coordinator left who did none of these, the secretariat approves or returns it instead.
- The board and the secretariat read every LAG's records and write none of them.
- A superuser acts as a coordinator of every LAG (and the four-eyes rule binds them too).
- Evidence is private: for the record's LAG's staff, the board and the secretariat. A file is public
  only when the LAG's staff marked it publishable (it holds no personal data) and its record is
  approved. Another LAG's staff see only what the public sees.
- The board and the secretariat close and reopen years; the secretariat writes the plan, and only
  the secretariat overrides a joint target or baseline (with a reason) and sets the estimate weights.
- A LAG's coordinator (or the secretariat) marks the LAG's data of an ended, open year complete, or
  withdraws the mark; editors and other LAGs' coordinators do not.

The review rule is stated twice, for one record (``transition_refusal``) and as one query for lists
(``awaiting_review``); ``tests/strategy/test_four_eyes.py`` checks that the two agree.

Account administration (who may edit a superuser's account) stays in ``partners/admin.py``: the
``partners`` app sits below ``strategy`` and may not import this module.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from django.db.models import BigIntegerField, Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from partners import roles
from partners.models import LAG, User

from .workflow import Status

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet
    from django.db.models.expressions import Combinable

    # ``request.user``: the portal's user, or Django's anonymous one.
    AnyUser = User | AnonymousUser


class UserWithLAG(Protocol):
    """A user the rules found to work for a LAG (:func:`is_lag_staff`, :func:`is_coordinator`)."""

    @property
    def pk(self) -> int: ...
    @property
    def lag_id(self) -> int: ...


class LAGRecord(Protocol):
    """What the rules read of a LAG-owned workflow record (an activity or a measurement; the
    ``indicators`` app's models cannot be named here, it sits above ``strategy``)."""

    @property
    def lag_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def author_id(self) -> int | None: ...
    @property
    def changed_by_id(self) -> int | None: ...
    @property
    def submitted_by_id(self) -> int | None: ...
    @property
    def is_approved(self) -> bool: ...
    def get_status_display(self) -> str: ...


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})

SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"
REOPEN = "reopen"
TRANSITIONS = (SUBMIT, APPROVE, RETURN, REOPEN)


def role_names(user: AnyUser) -> frozenset[str]:
    """The user's role names, asked once per user object (a request reuses its user)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_ddkc_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        # the way Django's auth backend caches permissions (``_perm_cache``) on the user object
        user._ddkc_role_names = cached  # type: ignore[attr-defined]
    return cached


def is_lag_staff(user: AnyUser) -> TypeGuard[UserWithLAG]:
    """An editor or coordinator attached to a LAG: the only people who write LAG records."""
    return bool(
        user.is_authenticated and user.lag_id and role_names(user) & {roles.EDITOR, roles.COORDINATOR}
    )


def is_coordinator(user: AnyUser) -> TypeGuard[UserWithLAG]:
    return bool(user.is_authenticated and user.lag_id and roles.COORDINATOR in role_names(user))


def is_superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_secretariat(user: AnyUser) -> bool:
    return roles.SECRETARIAT in role_names(user)


def sees_all_lags(user: AnyUser) -> bool:
    return is_superuser(user) or bool(role_names(user) & {roles.BOARD, roles.SECRETARIAT})


def editable_lags(user: AnyUser) -> QuerySet[LAG]:
    """The LAGs whose records the user may create or write."""
    if is_superuser(user):
        return LAG.objects.all()
    if is_lag_staff(user):
        return LAG.objects.filter(pk=user.lag_id)
    return LAG.objects.none()


def owns(user: AnyUser, record: LAGRecord) -> bool:
    """The record belongs to a LAG the user writes for."""
    return is_superuser(user) or (is_lag_staff(user) and record.lag_id == user.lag_id)


def visible(user: AnyUser, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The records of ``queryset`` the user may read."""
    if sees_all_lags(user):
        return queryset
    if is_lag_staff(user):
        return queryset.filter(Q(lag_id=user.lag_id) | Q(status=Status.APPROVED))
    return queryset.none()


def can_view(user: AnyUser, record: LAGRecord) -> bool:
    if sees_all_lags(user):
        return True
    if is_lag_staff(user):
        return record.lag_id == user.lag_id or record.status == Status.APPROVED
    return False


def may_view(user: AnyUser, record: LAGRecord | None = None) -> bool:
    """May the user read the record; without one (a list, an add page), the records :func:`visible`
    leaves them decide, and Django's model permission whether the page opens at all."""
    return record is None or can_view(user, record)


def may_change(user: AnyUser, record: LAGRecord | None = None) -> bool:
    """May the user change the record (and its funding lines and evidence: they are writable exactly
    when it is); without one, whether they write any record at all (lists offer change links, an add
    page offers the parts)."""
    return can_add(user) if record is None else can_edit(user, record)


def may_delete(user: AnyUser, record: LAGRecord | None = None) -> bool:
    """May the user delete the record; without one, whether they write any record at all (lists offer
    the delete action)."""
    return can_add(user) if record is None else can_delete(user, record)


def locked_reason(record: LAGRecord) -> str | None:
    """Why a record cannot be written whatever the user's role, or None.

    The single hook for rules such as "a closed year is read-only": every write path reaches it
    through :func:`edit_refusal` or :func:`transition_refusal`.
    """
    from .year_lock import locked_message

    return locked_message(record)


def can_add(user: AnyUser, lag: LAG | int | None = None) -> bool:
    """May the user create a record (for ``lag``, when given)?"""
    if is_superuser(user):
        return True
    if not is_lag_staff(user):
        return False
    return lag is None or getattr(lag, "pk", lag) == user.lag_id


def edit_refusal(user: AnyUser, record: LAGRecord) -> str | None:
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


def can_edit(user: AnyUser, record: LAGRecord) -> bool:
    return edit_refusal(user, record) is None


def can_delete(user: AnyUser, record: LAGRecord) -> bool:
    """Only what may still be edited may be deleted: nothing submitted or approved disappears."""
    return can_edit(user, record)


def transition_refusal(user: AnyUser, record: LAGRecord, transition: str) -> str | None:
    """Why the user may not make this workflow transition on the record, or None when they may."""
    if transition == SUBMIT:
        if record.status not in EDITABLE_STATUSES:
            return _(
                "Iesniegt var tikai melnrakstu vai atgrieztu ierakstu (šī ieraksta statuss: %(status)s)."
            ) % {"status": record.get_status_display()}
        return edit_refusal(user, record)
    if transition in (APPROVE, RETURN):
        return review_refusal(user, record)
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


# --- review: four eyes --------------------------------------------------------------------------


def involvement(user: AnyUser, record: LAGRecord) -> str | None:
    """The four-eyes reason the user may not review the record (they authored, last changed or
    submitted it), or None."""
    if user.pk is None:
        return None
    if record.author_id == user.pk:
        return _("Jūs šo ierakstu izveidojāt — to izskata cits koordinators vai sekretariāts.")
    if record.changed_by_id == user.pk:
        return _("Jūs šo ierakstu labojāt — to izskata cits koordinators vai sekretariāts.")
    if record.submitted_by_id == user.pk:
        return _("Jūs šo ierakstu iesniedzāt — to izskata cits koordinators vai sekretariāts.")
    return None


def coordinators() -> QuerySet[User]:
    """Everyone who reviews as a LAG's coordinator: active staff accounts in the role, with a LAG."""
    return User.objects.filter(
        is_active=True, is_staff=True, lag__isnull=False, groups__name=roles.COORDINATOR
    )


def independent_coordinators(record: LAGRecord) -> QuerySet[User]:
    """The record's LAG's coordinators who did not author, last change or submit it: its reviewers."""
    involved = {
        pk for pk in (record.author_id, record.changed_by_id, record.submitted_by_id) if pk is not None
    }
    return coordinators().filter(lag_id=record.lag_id).exclude(pk__in=involved)


def _reviews_as_coordinator(user: AnyUser, record: LAGRecord) -> bool:
    return is_superuser(user) or (is_coordinator(user) and record.lag_id == user.lag_id)


def review_refusal(user: AnyUser, record: LAGRecord) -> str | None:
    """Why the user may not approve or return the record, or None when they may."""
    as_coordinator = _reviews_as_coordinator(user, record)
    if not (as_coordinator or is_secretariat(user)):
        if is_coordinator(user):
            return _("Koordinators izskata tikai savas VRG ierakstus.")
        return _(
            "Apstiprināt un atgriezt ierakstus var tikai VRG koordinators (vai sekretariāts, ja VRG nav "
            "cita koordinatora)."
        )
    if record.status != Status.SUBMITTED:
        return _("Izskatīt var tikai iesniegtu ierakstu (šī ieraksta statuss: %(status)s).") % {
            "status": record.get_status_display()
        }
    involved = involvement(user, record)
    if involved:
        return involved
    if not as_coordinator and independent_coordinators(record).exists():
        return _(
            "Šo ierakstu izskata VRG koordinators; sekretariāts izskata tikai tad, ja VRG nav cita "
            "koordinatora, kas ierakstu nav veidojis, labojis vai iesniedzis."
        )
    return locked_reason(record)


def reviewers(record: LAGRecord) -> tuple[list[str], bool]:
    """Who reviews the record as it stands: ``(names of its independent coordinators, whether the
    secretariat does instead)`` — for the record page (one query)."""
    names = [
        user.get_full_name() or user.get_username()
        for user in independent_coordinators(record).order_by("last_name", "first_name", "username")
    ]
    return names, not names


def awaiting_review(
    user: AnyUser, queryset: QuerySet[Any], closed_years: Collection[int] | None = None
) -> QuerySet[Any]:
    """The records of ``queryset`` the user may approve or return now, as one query whatever the number
    of records (the admin home's queue, the list's "waits for me" filter): ``review_refusal`` for
    many records. ``closed_years``: the years closed now, when the caller has read them already."""
    from .year_lock import closed_years as read_closed_years

    model = queryset.model
    waiting = queryset.filter(status=Status.SUBMITTED).exclude(
        Q(author_id=user.pk) | Q(changed_by_id=user.pk) | Q(submitted_by_id=user.pk)
    )
    closed = read_closed_years() if closed_years is None else closed_years
    if closed:
        waiting = waiting.exclude(**{f"{model.year_lookup}__in": closed})
    if is_superuser(user):
        return waiting
    allowed: Q | Combinable = Q(pk__in=[])
    if is_coordinator(user):
        allowed |= Q(lag_id=user.lag_id)
    if is_secretariat(user):
        # NULL never equals anything in SQL: a record without an author excludes nobody.
        def nobody_if_null(field: str) -> Coalesce:
            return Coalesce(OuterRef(field), Value(0), output_field=BigIntegerField())

        independent = (
            coordinators()
            .filter(lag_id=OuterRef("lag_id"))
            .exclude(pk=nobody_if_null("author_id"))
            .exclude(pk=nobody_if_null("changed_by_id"))
            .exclude(pk=nobody_if_null("submitted_by_id"))
        )
        allowed |= ~Exists(independent)
    return waiting.filter(allowed)


def can_transition(user: AnyUser, record: LAGRecord, transition: str) -> bool:
    return transition_refusal(user, record, transition) is None


def may_submit_any(user: AnyUser) -> bool:
    return is_superuser(user) or is_lag_staff(user)


def may_review_any(user: AnyUser) -> bool:
    return is_superuser(user) or is_coordinator(user) or is_secretariat(user)


def reviews_only_as_secretariat(user: AnyUser) -> bool:
    """The user reviews only what the secretariat reviews (records whose LAG has no independent
    coordinator), never as a LAG's coordinator: their queue is the secretariat's."""
    return is_secretariat(user) and not (is_superuser(user) or is_coordinator(user))


def may_reopen_any(user: AnyUser) -> bool:
    return is_superuser(user) or is_coordinator(user)


def may_close_years(user: AnyUser) -> bool:
    """The board closes and reopens years; the secretariat runs the yearly cycle for it."""
    # role_names: asked once per request, however many admin pages and links ask this
    return is_superuser(user) or bool(role_names(user) & {roles.BOARD, roles.SECRETARIAT})


def may_edit_plan(user: AnyUser) -> bool:
    """The plan table (an indicator's targets and baselines) is written by whoever holds every one of
    their model permissions: the secretariat (its role carries them, ``partners.roles``) and superusers.
    Django caches a user's permissions on the user object, so asking again costs no query."""
    return all(
        user.has_perm(f"indicators.{action}_{model}")
        for action in ("add", "change", "delete")
        for model in ("target", "baseline")
    )


# --- personal data: evidence files, change history, return notes (invariant 12) -------------------


def reads_private_parts(user: AnyUser, record: LAGRecord) -> bool:
    """The record's private parts — its evidence files (mostly attendance lists: names, signatures),
    its change history (the unapproved versions) and its status log with the return notes — are for
    the record's LAG's editors and coordinators, the board and the secretariat (and superusers). Not
    for another LAG's staff, who see an approved record as the public does, nor for a staff account
    of the LAG without a role."""
    return sees_all_lags(user) or (is_lag_staff(user) and record.lag_id == user.lag_id)


def may_read_comments(user: AnyUser, record: LAGRecord) -> bool:
    """The discussion on a record (#16) is one of its private parts: the record's LAG's editors and
    coordinators, the board and the secretariat read it. Another LAG's staff, who see an approved
    record as the public does, do not — and comments are never public."""
    return reads_private_parts(user, record)


def may_comment(user: AnyUser, record: LAGRecord) -> bool:
    """Whoever reads the discussion may take part in it (a reviewer asks, the author answers, the
    board or the secretariat adds what they know). A comment changes no figure, so a closed year
    does not stop the discussion."""
    return may_read_comments(user, record)


def may_download_evidence(user: AnyUser, record: LAGRecord, *, publishable: bool) -> bool:
    """May the user download an evidence file (an activity's evidence row, or a measurement's file)?
    A file is public only when the LAG's staff marked it publishable and its record is approved;
    any other file only for :func:`reads_private_parts`."""
    return (publishable and record.is_approved) or reads_private_parts(user, record)


def shown_evidence(user: AnyUser, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The activities' evidence rows (``strategy.Evidence``) the user is shown, as one query: the
    rows :func:`may_download_evidence` lets them download."""
    if sees_all_lags(user):
        return queryset
    if is_lag_staff(user):
        return queryset.filter(Q(activity__lag_id=user.lag_id) | PUBLIC_EVIDENCE)
    return queryset.filter(PUBLIC_EVIDENCE)


#: the evidence rows anyone may download (the public pages list these)
PUBLIC_EVIDENCE = Q(publishable=True, activity__status=Status.APPROVED)


def may_override_joint_plan(user: AnyUser) -> bool:
    """A joint target or baseline is derived from the LAGs'; only the secretariat (and superusers)
    replace the derived value, with a recorded reason, or remove that override."""
    return is_superuser(user) or is_secretariat(user)


def may_change_estimate_weights(user: AnyUser) -> bool:
    """The LAGs' weights in the joint survey estimates (e.g. their population, with its source) are
    the secretariat's (and superusers')."""
    return is_superuser(user) or is_secretariat(user)


def may_mark_any_complete(user: AnyUser) -> bool:
    """Whether the user marks any LAG's year complete at all (the data completion page opens)."""
    return is_superuser(user) or is_secretariat(user) or is_coordinator(user)


def completion_lags(user: AnyUser) -> QuerySet[LAG]:
    """The LAGs whose years the user marks complete (and whose waiting records the page counts)."""
    if is_superuser(user) or is_secretariat(user):
        return LAG.objects.all()
    if is_coordinator(user):
        return LAG.objects.filter(pk=user.lag_id)
    return LAG.objects.none()


def completion_refusal(
    user: AnyUser, lag: LAG | int, year: int, closed_years: Collection[int] | None = None
) -> str | None:
    """Why the user may not mark ``lag``'s data of ``year`` complete, or withdraw the mark, or None.

    The LAG's coordinator marks it (a superuser acts as every LAG's coordinator) or the secretariat;
    only a year that has ended can be complete, and a closed year needs no mark (invariant 9).
    ``closed_years``: the years closed now, when the caller has read them already."""
    from django.utils import timezone

    from .year_lock import closed_years as read_closed_years

    if not (is_superuser(user) or is_secretariat(user)):
        if not is_coordinator(user):
            return _("Gada datus kā pilnīgus atzīmē VRG koordinators vai sekretariāts.")
        if getattr(lag, "pk", lag) != user.lag_id:
            return _("Koordinators atzīmē tikai savas VRG gada datus.")
    if year >= timezone.localdate().year:
        return _("%(year)s. gads vēl nav beidzies: par pilnīgiem var atzīmēt tikai beigušos gadu datus.") % {
            "year": year
        }
    if year in (read_closed_years() if closed_years is None else closed_years):
        return _("%(year)s. gads ir slēgts: slēgta gada dati ir pilnīgi bez atzīmes.") % {"year": year}
    return None


def may_mark_complete(user: AnyUser, lag: LAG | int, year: int) -> bool:
    return completion_refusal(user, lag, year) is None


def can_import(user: AnyUser) -> bool:
    """Imports create and update records, so only those who write records import them."""
    return is_superuser(user) or is_lag_staff(user)


def can_export(user: AnyUser) -> bool:
    """Anyone who reads records may export what they read."""
    return is_superuser(user) or is_lag_staff(user) or sees_all_lags(user)
