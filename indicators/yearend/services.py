"""The board's year: close (freeze the figures), reopen (with a written, logged reason), close again
(a new snapshot; the earlier ones stay). Keyword-only service functions; the admin and tests use them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.models import LAG
from strategy import permissions
from strategy.models import Activity, Strategy, YearClosure
from strategy.workflow import Status
from strategy.year_lock import closed_years, lock_lags

from ..models import Measurement, YearSnapshot
from .snapshot import year_data

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from partners.models import User

UNAPPROVED: tuple[str, ...] = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
KINDS = ("activities", "measurements")

# {LAG slug: {"activities" | "measurements": {status: count}}}
Counts = dict[str, dict[str, dict[str, int]]]


def _check(user: User, strategy: Strategy, year: int) -> None:
    if not permissions.may_close_years(user):
        raise PermissionDenied(_("Gadu var slēgt un atvērt tikai valde vai sekretariāts."))
    if year not in strategy.years:
        raise ValidationError(
            _("%(year)s. gads nav stratēģijas periodā (%(start)s–%(end)s).")
            % {"year": year, "start": strategy.period_start, "end": strategy.period_end}
        )


def unapproved_records(year: int, lags: Iterable[LAG] | None = None) -> Counts:
    """The year's records that are not approved, per LAG: {LAG slug: {"activities": {status: count},
    "measurements": {status: count}}} for every LAG (``lags``, when the caller has them) and each of
    draft, submitted and returned (two GROUP BY queries)."""
    slugs = [lag.slug for lag in lags] if lags is not None else LAG.objects.values_list("slug", flat=True)
    counts = {slug: {kind: dict.fromkeys(UNAPPROVED, 0) for kind in KINDS} for slug in slugs}
    kinds: tuple[tuple[str, QuerySet[Any]], ...] = (
        ("activities", Activity.objects.in_year(year)),
        ("measurements", Measurement.objects.filter(year=year)),
    )
    for kind, records in kinds:
        rows = (
            records.filter(status__in=UNAPPROVED)
            .values_list("lag__slug", "status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for slug, status, count in rows:
            counts[slug][kind][status] = count
    return counts


def total(counts: Counts) -> int:
    return sum(n for kinds in counts.values() for statuses in kinds.values() for n in statuses.values())


@transaction.atomic
def close_year(
    *,
    year: int,
    by: User,
    acknowledge_unapproved: bool = False,
    strategy: Strategy | None = None,
    now: datetime | None = None,
) -> YearSnapshot:
    """Close ``year`` for all LAGs and freeze its figures. Returns the new snapshot.

    Records of the year that are not approved stay out of its figures; closing with any of them needs
    ``acknowledge_unapproved``, and what they were is stored on the closure."""
    strategy = strategy or Strategy.objects.current()
    _check(by, strategy, year)
    # Every LAG's workflow lock before anything is read: a status change in progress commits first
    # (and is in the figures); one that starts now waits and then finds the year closed.
    lock_lags()
    # Serialise concurrent closes of the same year: the partial unique constraint refuses the second.
    if YearClosure.objects.in_force().select_for_update().filter(year=year).exists():
        raise ValidationError(_("%(year)s. gads jau ir slēgts.") % {"year": year})
    unapproved = unapproved_records(year)
    count = total(unapproved)
    if count and not acknowledge_unapproved:
        raise ValidationError(
            ngettext(
                "%(year)s. gadā ir %(count)s neapstiprināts ieraksts: slēgtā gada skaitļos tas netiks "
                "ieskaitīts. Apstipriniet, ka zināt, vai vispirms to izskatiet.",
                "%(year)s. gadā ir %(count)s neapstiprināti ieraksti: slēgtā gada skaitļos tie netiks "
                "ieskaitīti. Apstipriniet, ka zināt, vai vispirms tos izskatiet.",
                count,
            )
            % {"year": year, "count": count},
            code="unapproved_not_acknowledged",
        )
    now = now or timezone.now()
    closure = YearClosure(
        year=year,
        closed_by=by,
        closed_at=now,
        unapproved=unapproved if count else {},
        unapproved_acknowledged=bool(count),
    )
    closure.full_clean()
    closure.save()
    data = year_data(strategy, year)
    data["closed_at"] = now.isoformat()
    data["closed_by"] = by.get_full_name() or by.get_username()
    return YearSnapshot.objects.create(
        closure=closure, strategy=strategy, year=year, data=data, created_at=now
    )


@transaction.atomic
def reopen_year(
    *, year: int, by: User, reason: str | None, strategy: Strategy | None = None, now: datetime | None = None
) -> YearClosure:
    """Reopen a closed year; the reason is required and logged on the closure. Snapshots stay."""
    strategy = strategy or Strategy.objects.current()
    _check(by, strategy, year)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Gadu var atvērt tikai, norādot iemeslu."))
    closure: YearClosure | None = YearClosure.objects.in_force().select_for_update().filter(year=year).first()
    if closure is None:
        raise ValidationError(_("%(year)s. gads nav slēgts.") % {"year": year})
    closure.reopened_by = by
    closure.reopened_at = now or timezone.now()
    closure.reopen_reason = reason
    closure.full_clean()
    closure.save()
    return closure


def latest_snapshot(year: int, strategy: Strategy | None = None) -> YearSnapshot | None:
    """The snapshot of the year's closure in force, or None when the year is open (provisional)."""
    strategy = strategy or Strategy.objects.current()
    return (
        YearSnapshot.objects.filter(strategy=strategy, year=year, closure__reopened_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def year_states(strategy: Strategy) -> dict[int, bool]:
    """{year: True if closed (final) else False (provisional)} for the strategy's years (one query)."""
    closed = closed_years()
    return {year: year in closed for year in strategy.years}
