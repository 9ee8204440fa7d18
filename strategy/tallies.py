"""Activity tallies: approved activities summed per activity type × LAG × year (``ActivityTally``: what
the progress engine reads), their funding per activity type × LAG × year × source (``FundingTally``:
what a funding indicator sums over the sources it declares) and per municipality × LAG × year
(``ActivityPlaceTally``: the report's participation by municipality and the activity list's counts by
municipality) and per priority × activity type × LAG × year (``ActivityPriorityTally``: a priority's page
and the activity list's counts by priority).

At 100× volume aggregating every activity took over a second per uncached page; these few hundred rows
take a millisecond. They are kept exact, never approximately:

* a tally row is only ever written by ``refresh`` — it deletes a LAG-year's rows and aggregates them
  again from the activities with ``sums`` and ``place_sums`` (the same functions ``rebuild`` and
  ``differences`` use), so there is no increment that could drift;
* every write that can change a LAG-year's sums marks it (``mark``): ``save``/``delete`` of an activity
  or a funding line and changes of an activity's parishes or municipalities (signals), the bulk paths
  that send no signals — ``bulk_create``, ``bulk_update``, ``update`` and ``delete`` of their querysets
  (``ActivityQuerySet``, ``FundingLineQuerySet``) and the import's link rows —; a restore, the load
  generator's ``--remove`` and a parish moving to another municipality rebuild everything;
* a marked LAG-year is refreshed at once — inside the writer's transaction: requests (ATOMIC_REQUESTS)
  and services write in one — or, inside ``deferred()`` (imports, bulk deletes, the demo and load
  commands), once at the end of the block, before its transaction commits;
* ``refresh`` locks the LAG's row first (PostgreSQL), so two transactions refreshing the same LAG
  run one after the other and the second aggregates what the first committed.

``manage.py tallies`` compares every row with a from-scratch aggregation (``--rebuild`` repairs), and
``tests/strategy/test_tallies.py`` does so after every write path.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear

from .workflow import Status

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from django.db.models import Model, QuerySet

    from partners.models import Municipality, TerritoryUnit

    from .models import Activity, FundingLine, Priority

# A LAG-year: (LAG id, year), the unit a tally is refreshed in.
Slice = tuple[int, int]

FIELDS = (
    "activities",
    "participants",
    "youth",
    "vulnerable",
    "share_youth",
    "share_total",
    "funding",
    "last_reviewed",
)

_pending: contextvars.ContextVar[set[Slice] | None] = contextvars.ContextVar(
    "ddkc_tally_pending", default=None
)


def sums(activities: QuerySet[Activity]) -> dict[tuple[int, int, int], dict[str, Any]]:
    """{(activity type id, LAG id, year): {field: value}} of the given activities, from two GROUP BY
    queries (activities, then their funding lines). Only approved activities belong in a tally."""
    from .models import FundingLine

    shareable = Q(participants_youth__isnull=False, participants_total__gt=0)
    result = {}
    rows = (
        # The plugin takes this for a redefinition of ``Activity.year`` (a property, which Django allows).
        activities.annotate(year=ExtractYear("start_date"))  # type: ignore[misc,no-redef]
        .values("activity_type_id", "lag_id", "year")
        .annotate(
            activities=Count("id"),
            participants=Sum("participants_total"),
            youth=Sum("participants_youth"),
            vulnerable=Sum("participants_vulnerable"),
            share_youth=Sum("participants_youth", filter=shareable),
            share_total=Sum("participants_total", filter=shareable),
            last_reviewed=Max("reviewed_at"),
        )
        .order_by()
    )
    for row in rows:
        key = (row.pop("activity_type_id"), row.pop("lag_id"), row.pop("year"))
        result[key] = {name: row[name] or 0 for name in FIELDS if name not in ("funding", "last_reviewed")}
        result[key]["last_reviewed"] = row["last_reviewed"]
        result[key]["funding"] = Decimal(0)
    funding = (
        FundingLine.objects.filter(activity__in=activities.values("pk"))
        .annotate(year=ExtractYear("activity__start_date"))
        .values("activity__activity_type_id", "activity__lag_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in funding:
        key = (row["activity__activity_type_id"], row["activity__lag_id"], row["year"])
        result[key]["funding"] = Decimal(row["total"] or 0)
    return result


def funding_sums(activities: QuerySet[Activity]) -> dict[tuple[int, int, int, str], dict[str, Decimal]]:
    """{(activity type id, LAG id, year, source): {"amount": Decimal}} of the given activities' funding
    lines, from one GROUP BY query."""
    from .models import FundingLine

    rows = (
        FundingLine.objects.filter(activity__in=activities.values("pk"))
        .annotate(year=ExtractYear("activity__start_date"))
        .values("activity__activity_type_id", "activity__lag_id", "year", "source")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {
        (row["activity__activity_type_id"], row["activity__lag_id"], row["year"], row["source"]): {
            "amount": Decimal(row["total"] or 0)
        }
        for row in rows
    }


def place_sums(
    activities: QuerySet[Activity],
) -> dict[tuple[int | None, int, int], dict[str, int]]:
    """{(municipality id or None, LAG id, year): {"activities", "participants"}} of the given activities:
    each activity counts once in every municipality (of either era) it touched — through its parishes
    and towns, or through a whole municipality it was recorded on, which touches all of that
    municipality's parishes and towns —, and under None when it has no place."""
    from partners.models import TerritoryUnit

    from .models import ActivityMunicipality, ActivityTerritoryUnit

    municipalities_of_unit: dict[int, set[int]] = {}
    units_of_municipality: defaultdict[int, set[int]] = defaultdict(set)
    for unit, m2009, m2021 in TerritoryUnit.objects.values_list(
        "pk", "municipality_2009_id", "municipality_2021_id"
    ):
        municipalities_of_unit[unit] = {m for m in (m2009, m2021) if m is not None}
        for m in municipalities_of_unit[unit]:
            units_of_municipality[m].add(unit)
    ids = activities.values("pk")
    touched: defaultdict[int, set[int]] = defaultdict(set)  # activity id -> unit ids
    for activity_id, unit in ActivityTerritoryUnit.objects.filter(activity__in=ids).values_list(
        "activity_id", "territoryunit_id"
    ):
        touched[activity_id].add(unit)
    for activity_id, municipality in ActivityMunicipality.objects.filter(activity__in=ids).values_list(
        "activity_id", "municipality_id"
    ):
        touched[activity_id] |= units_of_municipality[municipality]
    result: defaultdict[tuple[int | None, int, int], dict[str, int]] = defaultdict(
        lambda: {"activities": 0, "participants": 0}
    )
    for pk, lag_id, start, participants in activities.values_list(
        "pk", "lag_id", "start_date", "participants_total"
    ).order_by():
        places: set[int | None] = set()
        for unit in touched.get(pk, ()):
            places |= municipalities_of_unit[unit]
        for place in places or (None,):
            cell = result[(place, lag_id, start.year)]
            cell["activities"] += 1
            cell["participants"] += participants or 0
    return dict(result)


def priority_sums(activities: QuerySet[Activity]) -> dict[tuple[int, int, int, int], dict[str, int]]:
    """{(priority id, activity type id, LAG id, year): {"activities": n}} of the given activities, from
    one GROUP BY over their priority links: an activity with two priorities counts under each."""
    from .models import ActivityPriority

    rows = (
        ActivityPriority.objects.filter(activity__in=activities.values("pk"))
        .annotate(year=ExtractYear("activity__start_date"))
        .values("priority_id", "activity__activity_type_id", "activity__lag_id", "year")
        .annotate(activities=Count("activity_id"))
        .order_by()
    )
    return {
        (row["priority_id"], row["activity__activity_type_id"], row["activity__lag_id"], row["year"]): {
            "activities": row["activities"]
        }
        for row in rows
    }


def _years_filter(years: Iterable[int]) -> Q:
    condition = Q()
    for year in sorted(years):
        condition |= Q(start_date__gte=date(year, 1, 1), start_date__lt=date(year + 1, 1, 1))
    return condition


def refresh(slices: Iterable[Slice]) -> None:
    """Recompute the tallies of the given (LAG id, year) pairs from their approved activities."""
    if not slices:
        return
    from partners.models import LAG

    from .models import Activity, ActivityPlaceTally, ActivityPriorityTally, ActivityTally, FundingTally

    years_of = defaultdict(set)
    for lag_id, year in slices:
        if lag_id is not None and year is not None:
            years_of[lag_id].add(year)
    with transaction.atomic():
        # One refresh of a LAG at a time: a concurrent one waits here and then sees this one's rows.
        list(LAG._base_manager.select_for_update().filter(pk__in=years_of).order_by("pk").values_list("pk"))
        for lag_id, years in sorted(years_of.items()):
            activities = Activity._base_manager.filter(
                _years_filter(years), lag_id=lag_id, status=Status.APPROVED
            )
            ActivityTally._base_manager.filter(lag_id=lag_id, year__in=years).delete()
            ActivityTally._base_manager.bulk_create(
                ActivityTally(activity_type_id=t, lag_id=lag, year=year, **values)
                for (t, lag, year), values in sums(activities).items()
            )
            FundingTally._base_manager.filter(lag_id=lag_id, year__in=years).delete()
            FundingTally._base_manager.bulk_create(
                FundingTally(activity_type_id=t, lag_id=lag, year=year, source=source, **values)
                for (t, lag, year, source), values in funding_sums(activities).items()
            )
            ActivityPlaceTally._base_manager.filter(lag_id=lag_id, year__in=years).delete()
            ActivityPlaceTally._base_manager.bulk_create(
                ActivityPlaceTally(municipality_id=m, lag_id=lag, year=year, **values)
                for (m, lag, year), values in place_sums(activities).items()
            )
            ActivityPriorityTally._base_manager.filter(lag_id=lag_id, year__in=years).delete()
            ActivityPriorityTally._base_manager.bulk_create(
                ActivityPriorityTally(priority_id=p, activity_type_id=t, lag_id=lag, year=year, **values)
                for (p, t, lag, year), values in priority_sums(activities).items()
            )


def rebuild() -> None:
    """Every tally from scratch, a LAG at a time (after a restore or a bulk load)."""
    from .models import Activity, ActivityPlaceTally, ActivityPriorityTally, ActivityTally, FundingTally

    with transaction.atomic():
        ActivityTally._base_manager.all().delete()
        FundingTally._base_manager.all().delete()
        ActivityPlaceTally._base_manager.all().delete()
        ActivityPriorityTally._base_manager.all().delete()
        slices = set(
            Activity._base_manager.filter(status=Status.APPROVED)
            .annotate(year=ExtractYear("start_date"))  # type: ignore[misc,no-redef]  # see sums()
            .values_list("lag_id", "year")
            .distinct()
            .order_by()
        )
        refresh(slices)


def differences() -> list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]]:
    """Rows where the stored tallies differ from a from-scratch aggregation: [(key, stored, fresh)]."""
    from .models import Activity, ActivityPlaceTally, ActivityPriorityTally, ActivityTally, FundingTally

    approved = Activity.objects.approved()
    found: list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    kinds: list[tuple[Mapping[Any, dict[str, Any]], Iterable[Mapping[str, Any]], tuple[str, ...]]] = [
        (sums(approved), ActivityTally.objects.values(), ("activity_type_id", "lag_id", "year")),
        (
            funding_sums(approved),
            FundingTally.objects.values(),
            ("activity_type_id", "lag_id", "year", "source"),
        ),
        (place_sums(approved), ActivityPlaceTally.objects.values(), ("municipality_id", "lag_id", "year")),
        (
            priority_sums(approved),
            ActivityPriorityTally.objects.values(),
            ("priority_id", "activity_type_id", "lag_id", "year"),
        ),
    ]
    for fresh, stored_rows, key_fields in kinds:
        stored: dict[Any, dict[str, Any]] = {}
        for values in stored_rows:
            row = dict(values)
            row.pop("id")
            stored[tuple(row.pop(name) for name in key_fields)] = row
        found += [
            (key, stored.get(key), fresh.get(key))
            for key in sorted(set(fresh) | set(stored), key=str)
            if stored.get(key) != fresh.get(key)
        ]
    return found


def approved_count(
    *, municipality: Municipality | None = None, priority: Priority | None = None, **lookups: Any
) -> int:
    """How many approved activities match, read from the tallies — exactly the number a COUNT over the
    activities gives. ``lookups`` filter tally rows (``lag``, ``lag__slug``, ``year``, ``year__gte``,
    ``activity_type__code``, ``activity_type__in``…); with a ``municipality``, the activities that touched
    it (``place_sums``' rule; no activity type lookups then); with a ``priority``, those linked to it (not
    both: an activity may touch one and not be linked to the other)."""
    from .models import ActivityPlaceTally, ActivityPriorityTally, ActivityTally

    assert municipality is None or priority is None
    rows: QuerySet[Any] = ActivityTally.objects.all()
    if municipality is not None:
        rows = ActivityPlaceTally.objects.filter(municipality=municipality)
    elif priority is not None:
        rows = ActivityPriorityTally.objects.filter(priority=priority)
    return rows.filter(**lookups).aggregate(n=Sum("activities"))["n"] or 0


def mark(*slices: Slice | None) -> None:
    """The given (LAG id, year) pairs changed: refresh them now, or at the end of ``deferred()``."""
    changed = {s for s in slices if s is not None and None not in s}
    if not changed:
        return
    pending = _pending.get()
    if pending is not None:
        pending.update(changed)
    else:
        refresh(changed)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A transaction in which marked LAG-years are refreshed once, at its end (before it commits)."""
    if _pending.get() is not None:
        yield  # an outer block refreshes
        return
    pending: set[Slice] = set()
    with transaction.atomic():
        token = _pending.set(pending)
        try:
            yield
        finally:
            _pending.reset(token)
        refresh(pending)


def flush() -> None:
    """Inside ``deferred()``: refresh what is marked so far now (before reading the tallies)."""
    pending = _pending.get()
    if pending:
        refresh(set(pending))
        pending.clear()


def slice_of(lag_id: int | None, start_date: date | None) -> Slice | None:
    return (lag_id, start_date.year) if lag_id is not None and start_date is not None else None


# ids per query: SQLite builds with the default limit refuse more than 32 766 parameters in a statement
ID_BATCH = 10_000


def approved_activity_slices(activity_pks: Iterable[int]) -> set[Slice | None]:
    """{(LAG id, year)} of those of the given activities that are approved now."""
    from .models import Activity

    pks = list(activity_pks)
    found = set()
    for offset in range(0, len(pks), ID_BATCH):
        # By primary key only, the status checked here: with ``status`` in the query SQLite walks the
        # partial index of approved activities (420 000 entries at 100×) instead of looking the ids up.
        rows = (
            Activity._base_manager.filter(pk__in=pks[offset : offset + ID_BATCH])
            .order_by()
            .values_list("lag_id", "start_date", "status")
            .distinct()
        )
        found |= {slice_of(lag_id, start) for lag_id, start, status in rows if status == Status.APPROVED}
    return found


# --- signals: single saves and deletes ---------------------------------------------------------


def _activity_pre_save(sender: type[Activity], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    instance._tally_before = None
    if instance.pk is None or raw:
        return
    from .models import Activity

    stored = (
        Activity._base_manager.filter(pk=instance.pk).values_list("lag_id", "start_date", "status").first()
    )
    if stored and stored[2] == Status.APPROVED:
        instance._tally_before = slice_of(stored[0], stored[1])


def _activity_post_save(sender: type[Activity], instance: Activity, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_tally_before", None)
    now = slice_of(instance.lag_id, instance.start_date) if instance.status == Status.APPROVED else None
    mark(before, now)


def _activity_post_delete(sender: type[Activity], instance: Activity, **kwargs: Any) -> None:
    if instance.status == Status.APPROVED:
        mark(slice_of(instance.lag_id, instance.start_date))


def _funding_pre_save(sender: type[FundingLine], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    instance._tally_before = set()
    if instance.pk is None or raw:
        return
    from .models import FundingLine

    stored = FundingLine._base_manager.filter(pk=instance.pk).values_list("activity_id", flat=True).first()
    if stored is not None:
        instance._tally_before = approved_activity_slices([stored])


def _funding_post_save(
    sender: type[FundingLine], instance: FundingLine, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    mark(*getattr(instance, "_tally_before", set()), *approved_activity_slices([instance.activity_id]))


def _funding_post_delete(sender: type[FundingLine], instance: FundingLine, **kwargs: Any) -> None:
    # In a cascade the activity is still there (children go first); if not, its own delete marks.
    mark(*approved_activity_slices([instance.activity_id]))


def _places_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """An activity's parishes, towns, whole municipalities or priorities changed (``m2m_changed``)."""
    from .models import Activity

    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        if action != "pre_clear" and instance.status == Status.APPROVED:
            mark(slice_of(instance.lag_id, instance.start_date))
        return
    # from the place's side: the activities are pk_set, or — for a clear — those linked before it
    if action == "pre_clear":
        fields: dict[type[Model], str] = {
            Activity.territory_units.through: "territory_units",
            Activity.municipalities.through: "municipalities",
            Activity.priorities.through: "priorities",
        }
        field = fields[sender]
        instance._tally_cleared = approved_activity_slices(
            Activity._base_manager.filter(**{field: instance}).values_list("pk", flat=True)
        )
    elif action == "post_clear":
        mark(*getattr(instance, "_tally_cleared", set()))
    else:
        mark(*approved_activity_slices(pk_set or ()))


def _map_changing(sender: type[TerritoryUnit], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from partners.models import TerritoryUnit

    instance._tally_map_changed = False
    if raw or instance.pk is None:
        return
    stored = (
        TerritoryUnit._base_manager.filter(pk=instance.pk)
        .values_list("municipality_2009_id", "municipality_2021_id")
        .first()
    )
    instance._tally_map_changed = stored != (instance.municipality_2009_id, instance.municipality_2021_id)


def _map_changed(
    sender: type[TerritoryUnit], instance: TerritoryUnit, raw: bool = False, **kwargs: Any
) -> None:
    """A parish or town moved to another municipality: which municipalities the activities touched
    changes everywhere (rare: a full rebuild)."""
    if not raw and getattr(instance, "_tally_map_changed", False):
        rebuild()


def _place_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """A parish, town or municipality went, and with it the activities' links to it."""
    rebuild()


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from partners.models import Municipality, TerritoryUnit

    from .models import Activity, FundingLine

    for through in (
        Activity.territory_units.through,
        Activity.municipalities.through,
        Activity.priorities.through,
    ):
        m2m_changed.connect(
            _places_changed, sender=through, dispatch_uid=f"ddkc-tally-places-{through.__name__}"
        )
    pre_save.connect(_map_changing, sender=TerritoryUnit, dispatch_uid="ddkc-tally-map-pre")
    post_save.connect(_map_changed, sender=TerritoryUnit, dispatch_uid="ddkc-tally-map-post")
    post_delete.connect(_place_deleted, sender=TerritoryUnit, dispatch_uid="ddkc-tally-unit-delete")
    post_delete.connect(_place_deleted, sender=Municipality, dispatch_uid="ddkc-tally-municipality-delete")
    pre_save.connect(_activity_pre_save, sender=Activity, dispatch_uid="ddkc-tally-activity-pre")
    post_save.connect(_activity_post_save, sender=Activity, dispatch_uid="ddkc-tally-activity-post")
    post_delete.connect(_activity_post_delete, sender=Activity, dispatch_uid="ddkc-tally-activity-delete")
    pre_save.connect(_funding_pre_save, sender=FundingLine, dispatch_uid="ddkc-tally-funding-pre")
    post_save.connect(_funding_post_save, sender=FundingLine, dispatch_uid="ddkc-tally-funding-post")
    post_delete.connect(_funding_post_delete, sender=FundingLine, dispatch_uid="ddkc-tally-funding-delete")
