"""The progress engine: the ONE place every public figure, PDF figure and open-data figure comes from
(invariant 2).

``ProgressEngine(strategy)`` runs a fixed number of queries whatever the amount of data (the activity
tallies — approved activities and their funding summed by activity type × LAG × year, kept by
``strategy.tallies`` —, approved measurements by indicator × LAG × year, plus the plans), and then
answers per indicator, per year or cumulatively, per LAG or jointly.

How figures combine — shown on the pages through ``Aggregation.explanation``:

* ``SUM`` (activity-fed counts, participants, youth, vulnerable participants, funding): LAGs and years
  add up. A cumulative target is the sum of the yearly targets; its baseline is the baseline × years.
* ``SHARE`` (unit %): numerators and denominators add up, the share is 100·ΣN/ΣD — across LAGs and
  across years alike; never an average of percentages (invariant 5).
* ``LATEST`` (reported numbers such as members or voters: a stock, not a flow): LAGs add up within a
  year; cumulatively each LAG's latest reported value counts.
* ``RATING`` (qualitative, 1–5): the mean of the LAGs' ratings of a year; cumulatively each LAG's
  latest rating.

Only approved records count (invariant 1). A LAG-year without data is ``None`` and shown as "no data",
never 0 (invariant 4). For activity-fed indicators a LAG-year has data when the LAG has any approved
activity that year: then "none of this type" is a real 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import LAG, Municipality
from strategy import tallies
from strategy.models import Activity, ActivityPlaceTally, ActivityTally, Evidence, FundingLine
from strategy.workflow import Status as WorkflowStatus

from .models import Baseline, Indicator, Measurement, Target

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.utils.functional import _StrPromise as StrPromise

    from strategy.models import Priority, Strategy

# What one year or period of an indicator combines to: (actual, numerator, denominator, last update,
# narratives).
Combined = tuple[Decimal | None, Decimal | None, Decimal | None, datetime | None, tuple[str, ...]]

# Status thresholds, defined once: progress ≥ 90 % of the way from baseline to target is on track,
# ≥ 60 % at risk, below that off track.
ON_TRACK_FROM = Decimal("0.9")
AT_RISK_FROM = Decimal("0.6")


def thresholds() -> dict[str, int]:
    """The status thresholds in percent, as the method note of the pages and the PDF states them."""
    return {"on_track": int(ON_TRACK_FROM * 100), "at_risk": int(AT_RISK_FROM * 100)}


FORMULA = _("progress = (faktiskā vērtība − bāzes vērtība) / (mērķa vērtība − bāzes vērtība)")


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("atbilst plānam")
    AT_RISK = "at_risk", _("ir risks")
    OFF_TRACK = "off_track", _("atpaliek")
    NO_TARGET = "no_target", _("nav mērķa vai bāzes")
    NO_DATA = "no_data", _("nav datu")


class Aggregation(models.TextChoices):
    SUM = "sum", _("summa")
    SHARE = "share", _("īpatsvars ΣN/ΣD")
    LATEST = "latest", _("jaunākā vērtība")
    RATING = "rating", _("vērtējums")


EXPLANATIONS = {
    Aggregation.SUM: _(
        "VRG un gadu vērtības saskaita. Kopējais mērķis ir gadu mērķu summa, bāzes vērtība — bāzes vērtība, "
        "reizināta ar gadu skaitu."
    ),
    Aggregation.SHARE: _(
        "Īpatsvaru aprēķina kā 100 · Σ skaitītāju / Σ saucēju pār VRG un gadiem, nevis kā procentu vidējo."
    ),
    Aggregation.LATEST: _(
        "Krājuma rādītājs: gada vērtība ir VRG vērtību summa; kopā par periodu — katras VRG jaunākā ziņotā vērtība."
    ),
    Aggregation.RATING: _(
        "Gada vērtība ir VRG vērtējumu vidējais; kopā par periodu — katras VRG jaunākais vērtējums."
    ),
}

ACTIVITY_RULE_FIELDS: dict[str, str] = {
    Indicator.Rule.COUNT: "count",
    Indicator.Rule.PARTICIPANTS: "participants",
    Indicator.Rule.YOUTH: "youth",
    Indicator.Rule.VULNERABLE: "vulnerable",
    Indicator.Rule.FUNDING: "funding",
}


def aggregation_for(indicator: Indicator) -> Aggregation:
    if indicator.value_kind == Indicator.ValueKind.RATING:
        return Aggregation.RATING
    if indicator.value_kind == Indicator.ValueKind.SHARE:
        return Aggregation.SHARE
    return Aggregation.SUM if indicator.is_computed else Aggregation.LATEST


def _dec(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def compute_progress(
    actual: Decimal | None, baseline: Decimal | None, target: Decimal | None, direction: str
) -> Decimal | None:
    """(actual − baseline) / (target − baseline); the direction of good decides when target equals
    baseline (met or not). None when anything is missing (invariant 6)."""
    if actual is None or baseline is None or target is None:
        return None
    span = target - baseline
    if span == 0:
        if direction == Indicator.Direction.DECREASE:
            return Decimal(1) if actual <= target else Decimal(0)
        return Decimal(1) if actual >= target else Decimal(0)
    if (direction == Indicator.Direction.DECREASE) != (span < 0):
        # A target on the wrong side of the baseline for the direction of good cannot measure progress.
        return None
    return (actual - baseline) / span


def status_for(actual: Decimal | None, progress: Decimal | None) -> Status:
    if actual is None:
        return Status.NO_DATA
    if progress is None:
        return Status.NO_TARGET
    if progress >= ON_TRACK_FROM:
        return Status.ON_TRACK
    if progress >= AT_RISK_FROM:
        return Status.AT_RISK
    return Status.OFF_TRACK


@dataclass
class Cell:
    """Raw approved data of one indicator, LAG and year."""

    value: Decimal | None = None
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    ratings: list[Decimal] = field(default_factory=list)
    narratives: list[str] = field(default_factory=list)
    last_update: datetime | None = None

    def touch(self, moment: datetime | None) -> None:
        if moment and (self.last_update is None or moment > self.last_update):
            self.last_update = moment


@dataclass(frozen=True)
class Figure:
    """One figure of an indicator, and how it shows (the shared includes, the PDF)."""

    indicator: Indicator
    lag: LAG | None
    year: int | None  # None: cumulative over ``years``
    years: tuple[int, ...]
    aggregation: str
    actual: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    baseline: Decimal | None
    target: Decimal | None
    progress: Decimal | None
    status: str
    last_update: datetime | None = None
    narratives: tuple[str, ...] = ()

    @property
    def has_data(self) -> bool:
        return self.actual is not None

    @property
    def status_label(self) -> StrPromise:
        return Status(self.status).label

    @property
    def progress_percent(self) -> Decimal | None:
        """Progress in percent for display (may exceed 100 or be negative)."""
        return None if self.progress is None else (self.progress * 100).quantize(Decimal("1"))

    @property
    def bar_percent(self) -> int | None:
        """The progress bar's fill, clamped to 0–100."""
        if self.progress is None:
            return None
        return int(max(Decimal(0), min(Decimal(100), self.progress * 100)))

    @property
    def records_url(self) -> str:
        """The records this figure was computed from (invariant 3)."""
        query: dict[str, str | int] = {}
        if self.lag is not None:
            query["lag"] = self.lag.slug
        if self.year is not None:
            query["year"] = self.year
        url = reverse("indicators:records", args=[self.indicator.code])
        return f"{url}?{urlencode(query)}" if query else url


class ProgressEngine:
    """All figures of one strategy, from a fixed number of aggregate queries."""

    def __init__(self, strategy: Strategy, *, through_year: int | None = None) -> None:
        """``through_year``: the last year of the cumulative figures; by default the latest year with
        data (the annual report passes its own year)."""
        self.strategy = strategy
        self.years: list[int] = list(strategy.years)
        first, last = self.years[0], self.years[-1]
        # Query 1: the indicators. Query 2: their activity types. Query 3: their priorities.
        self.indicators = list(Indicator.objects.filter(strategy=strategy).order_by("order", "code"))
        self.by_code = {i.code: i for i in self.indicators}
        through = Indicator.activity_types.through
        types_of: defaultdict[int, set[int]] = defaultdict(set)
        for indicator_id, type_id in through.objects.filter(indicator__strategy=strategy).values_list(
            "indicator_id", "activitytype_id"
        ):
            types_of[indicator_id].add(type_id)
        self.priority_indicators: defaultdict[int, list[Indicator]] = defaultdict(list)
        by_id = {i.pk: i for i in self.indicators}
        for indicator_id, priority_id in (
            # django-stubs types this auto-created through model as Never.
            Indicator.priorities.through.objects.filter(  # type: ignore[attr-defined]
                indicator__strategy=strategy
            )
            .order_by("indicator__order", "indicator__code")
            .values_list("indicator_id", "priority_id")
        ):
            self.priority_indicators[priority_id].append(by_id[indicator_id])
        # Query 4: the LAGs.
        self.lags = list(LAG.objects.all())
        self.lag_by_id = {lag.pk: lag for lag in self.lags}

        # Query 5: the approved activities' sums by type × LAG × year (``strategy.tallies`` keeps them
        # equal to aggregating the activities, in the same transaction as every write).
        per_type: dict[tuple[int, int, int], dict[str, Any]] = {}
        funding: dict[tuple[int, int, int], Decimal] = {}
        self.active_lag_years: set[tuple[int, int]] = set()
        self.activity_last_update: datetime | None = None
        self.headline_totals: defaultdict[str, Decimal] = defaultdict(Decimal)
        activity_years: set[int] = set()
        for row in ActivityTally.objects.filter(year__gte=first, year__lte=last).values(
            "activity_type_id", "lag_id", "year", *tallies.FIELDS
        ):
            key = (row["activity_type_id"], row["lag_id"], row["year"])
            sums = {
                "count": row["activities"],
                "participants": row["participants"],
                "youth": row["youth"],
                "vulnerable": row["vulnerable"],
                "share_n": row["share_youth"],
                "share_d": row["share_total"],
                "last": row["last_reviewed"],
                "funding": row["funding"],
            }
            per_type[key] = sums
            funding[key] = Decimal(sums["funding"])  # a tally's funding is never NULL
            self.active_lag_years.add((key[1], key[2]))
            activity_years.add(key[2])
            for name in ("count", "participants", "youth", "funding"):
                self.headline_totals[name] += Decimal(sums[name] or 0)
            if sums["last"] and (
                self.activity_last_update is None or sums["last"] > self.activity_last_update
            ):
                self.activity_last_update = sums["last"]
        self.headline_years = (min(activity_years), max(activity_years)) if activity_years else None

        # Query 6: approved measurements by indicator × LAG × year.
        measured = Measurement.objects.approved().filter(indicator__strategy=strategy)
        measurement_rows = (
            measured.values("indicator_id", "lag_id", "year")
            .annotate(
                value_sum=Sum("value"),
                value_count=Count("value"),
                numerator_sum=Sum("numerator"),
                denominator_sum=Sum("denominator"),
                rating_sum=Sum("rating"),
                rating_count=Count("rating"),
                last_review=Max("reviewed_at"),
            )
            .order_by()
        )
        # Query 7: the narratives of qualitative indicators (a handful per LAG and year).
        narrative_rows = measured.exclude(narrative="").values_list(
            "indicator_id", "lag_id", "year", "narrative"
        )

        self.cells: dict[tuple[int, int, int], Cell] = {}  # (indicator_id, lag_id, year) -> Cell
        for indicator in self.indicators:
            if not indicator.is_computed:
                continue
            types = types_of[indicator.pk]
            for lag_id, year in self.active_lag_years:
                cell = Cell()
                rows = [per_type[(t, lag_id, year)] for t in types if (t, lag_id, year) in per_type]
                if indicator.rule == Indicator.Rule.YOUTH_SHARE:
                    cell.numerator = sum((Decimal(r["share_n"] or 0) for r in rows), Decimal(0))
                    cell.denominator = sum((Decimal(r["share_d"] or 0) for r in rows), Decimal(0))
                    if not cell.denominator:
                        continue  # nobody counted: no share, not 0 %
                elif indicator.rule == Indicator.Rule.FUNDING:
                    cell.value = sum((funding.get((t, lag_id, year), Decimal(0)) for t in types), Decimal(0))
                else:
                    name = ACTIVITY_RULE_FIELDS[indicator.rule]
                    cell.value = sum((Decimal(r[name] or 0) for r in rows), Decimal(0))
                for r in rows:
                    cell.touch(r["last"])
                self.cells[(indicator.pk, lag_id, year)] = cell
        for row in measurement_rows:
            cell = Cell(
                value=_dec(row["value_sum"]) if row["value_count"] else None,
                numerator=_dec(row["numerator_sum"]) or Decimal(0),
                denominator=_dec(row["denominator_sum"]) or Decimal(0),
            )
            if row["rating_count"]:
                cell.ratings = [Decimal(row["rating_sum"]) / row["rating_count"]]
            cell.touch(row["last_review"])
            self.cells[(row["indicator_id"], row["lag_id"], row["year"])] = cell
        for indicator_id, lag_id, year, narrative in narrative_rows:
            narrated = self.cells.get((indicator_id, lag_id, year))
            if narrated is not None:
                narrated.narratives.append(narrative)

        # Query 8: baselines. Query 9: targets.
        self.baselines: dict[tuple[int, int | None], Decimal] = {
            (b.indicator_id, b.lag_id): b.value for b in Baseline.objects.filter(indicator__strategy=strategy)
        }
        self.targets: dict[tuple[int, int | None, int], Decimal] = {
            (t.indicator_id, t.lag_id, t.year): t.value
            for t in Target.objects.filter(indicator__strategy=strategy)
        }
        if through_year is None:
            years_with_data = {year for (_i, _l, year) in self.cells}
            through_year = max(years_with_data) if years_with_data else first
        self.through_year: int = through_year
        self._cache: dict[tuple[int, int | None, int | None], Figure] = {}

    # --- raw data -------------------------------------------------------------------------------

    def _lag_ids(self, lag: LAG | None) -> list[int]:
        return [lag.pk] if lag is not None else [x.pk for x in self.lags]

    def _year_value(self, indicator: Indicator, aggregation: str, lag_ids: list[int], year: int) -> Combined:
        """(actual, numerator, denominator, last update, narratives) of one year for the given LAGs."""
        cells = [
            self.cells[(indicator.pk, lag_id, year)]
            for lag_id in lag_ids
            if (indicator.pk, lag_id, year) in self.cells
        ]
        return self._combine(aggregation, cells)

    @staticmethod
    def _combine(aggregation: str, some_cells: Iterable[Cell | None]) -> Combined:
        cells = [c for c in some_cells if c is not None]
        if not cells:
            return None, None, None, None, ()
        last = max((c.last_update for c in cells if c.last_update), default=None)
        narratives = tuple(n for c in cells for n in c.narratives)
        if aggregation == Aggregation.SHARE:
            n = sum((c.numerator for c in cells), Decimal(0))
            d = sum((c.denominator for c in cells), Decimal(0))
            if not d:
                return None, None, None, last, narratives
            return n * 100 / d, n, d, last, narratives
        if aggregation == Aggregation.RATING:
            ratings = [r for c in cells for r in c.ratings]
            if not ratings:
                return None, None, None, last, narratives
            return sum(ratings, Decimal(0)) / len(ratings), None, None, last, narratives
        values = [c.value for c in cells if c.value is not None]
        if not values:
            return None, None, None, last, narratives
        return sum(values, Decimal(0)), None, None, last, narratives

    def cumulative_years(self) -> tuple[int, ...]:
        return tuple(range(self.years[0], self.through_year + 1))

    # --- figures --------------------------------------------------------------------------------

    def figure(self, indicator: Indicator | str, lag: LAG | None = None, year: int | None = None) -> Figure:
        """One figure: ``year=None`` is cumulative from the strategy's start to ``through_year``."""
        if isinstance(indicator, str):
            indicator = self.by_code[indicator]
        key = (indicator.pk, lag.pk if lag else None, year)
        if key not in self._cache:
            self._cache[key] = self._figure(indicator, lag, year)
        return self._cache[key]

    def _figure(self, indicator: Indicator, lag: LAG | None, year: int | None) -> Figure:
        aggregation = aggregation_for(indicator)
        lag_ids = self._lag_ids(lag)
        lag_id = lag.pk if lag else None
        baseline = self.baselines.get((indicator.pk, lag_id))
        years: tuple[int, ...]
        if year is not None:
            years = (year,)
            actual, n, d, last, narratives = self._year_value(indicator, aggregation, lag_ids, year)
            target = self.targets.get((indicator.pk, lag_id, year))
        else:
            years = self.cumulative_years()
            if aggregation in (Aggregation.SUM, Aggregation.SHARE):
                cells = [self.cells.get((indicator.pk, i, y)) for i in lag_ids for y in years]
                actual, n, d, last, narratives = self._combine(aggregation, cells)
            else:
                # A stock: each LAG's latest reported value.
                latest: list[Cell | None] = []
                for i in lag_ids:
                    for y in reversed(years):
                        cell = self.cells.get((indicator.pk, i, y))
                        if cell is not None and (cell.value is not None or cell.ratings):
                            latest.append(cell)
                            break
                actual, n, d, last, narratives = self._combine(aggregation, latest)
            if aggregation == Aggregation.SUM:
                yearly = [self.targets.get((indicator.pk, lag_id, y)) for y in years]
                known = [t for t in yearly if t is not None]
                target = sum(known, Decimal(0)) if len(known) == len(yearly) else None
                baseline = baseline * len(years) if baseline is not None else None
            else:
                target = self.targets.get((indicator.pk, lag_id, years[-1]))
        progress = compute_progress(actual, baseline, target, indicator.direction)
        return Figure(
            indicator=indicator,
            lag=lag,
            year=year,
            years=years,
            aggregation=aggregation,
            actual=actual,
            numerator=n,
            denominator=d,
            baseline=baseline,
            target=target,
            progress=progress,
            status=status_for(actual, progress),
            last_update=last,
            narratives=narratives,
        )

    def series(self, indicator: Indicator | str, lag: LAG | None = None) -> list[Figure]:
        """One figure per year of the strategy (a gap is a figure without data)."""
        return [self.figure(indicator, lag, year) for year in self.years]

    def completeness(self, indicator: Indicator | str) -> list[tuple[int, list[tuple[LAG, bool]]]]:
        """Which LAG has data for which year: [(year, [(lag, bool), …]), …]."""
        if isinstance(indicator, str):
            indicator = self.by_code[indicator]
        return [
            (year, [(lag, (indicator.pk, lag.pk, year) in self.cells) for lag in self.lags])
            for year in self.years
        ]

    def complete_share(self, indicator: Indicator) -> tuple[int, int]:
        """(LAG-years with data, LAG-years expected up to through_year)."""
        years = self.cumulative_years()
        have = sum(1 for y in years for lag in self.lags if (indicator.pk, lag.pk, y) in self.cells)
        return have, len(years) * len(self.lags)

    def last_update(self, indicator: Indicator | None = None) -> datetime | None:
        cells = (c for (i, _l, _y), c in self.cells.items() if indicator is None or i == indicator.pk)
        moments = [c.last_update for c in cells if c.last_update]
        return max(moments, default=None)

    def headline(self) -> dict[str, Any] | None:
        """Home-page totals over every approved activity of the strategy's years, with their year range."""
        if self.headline_years is None:
            return None
        return {
            "years": self.headline_years,
            "activities": self.headline_totals["count"],
            "participants": self.headline_totals["participants"],
            "youth": self.headline_totals["youth"],
            "funding": self.headline_totals["funding"],
        }

    def for_priority(self, priority: Priority) -> list[Figure]:
        return [self.figure(i) for i in self.priority_indicators.get(priority.pk, [])]


# --- One year's breakdowns (the annual report) ------------------------------------------------------
# Beyond the indicators, the annual report shows the year's headline totals, totals per priority,
# funding by source, participation by municipality and the data-quality counts. They are figures too,
# so they are computed here (invariant 2), from approved records only (invariant 1), with a fixed
# number of GROUP BY queries whatever the amount of data.

JOINT = "joint"


def _per_scope(
    rows_by_lag: Mapping[int, Mapping[str, Any]], lag_slugs: Mapping[int, str], fields: Iterable[str]
) -> dict[str, dict[str, Decimal]]:
    """{scope: {field: Decimal}} from per-LAG rows; the joint scope is their sum."""
    result = {JOINT: dict.fromkeys(fields, Decimal(0))}
    for slug in lag_slugs.values():
        result[slug] = dict.fromkeys(fields, Decimal(0))
    for lag_id, row in rows_by_lag.items():
        for name in fields:
            value = Decimal(row.get(name) or 0)
            result[lag_slugs[lag_id]][name] += value
            result[JOINT][name] += value
    return result


class YearBreakdown:
    """The figures of one year of a strategy other than the indicators', jointly (scope ``JOINT``)
    and per LAG (scope = the LAG's slug)."""

    HEADLINE_FIELDS = ("activities", "participants", "youth", "vulnerable", "funding")
    PRIORITY_FIELDS = ("activities", "participants", "youth", "funding")

    def __init__(self, engine: ProgressEngine, year: int) -> None:
        self.engine = engine
        self.year = year
        self.lag_slugs = {lag.pk: lag.slug for lag in engine.lags}
        self.approved = Activity.objects.approved().in_year(year)

    @property
    def scopes(self) -> list[str]:
        return [JOINT, *self.lag_slugs.values()]

    def headline(self) -> dict[str, dict[str, Decimal]]:
        """{scope: {activities, participants, youth, vulnerable, funding}} of the year."""
        by_lag: defaultdict[int, defaultdict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for row in ActivityTally.objects.filter(year=self.year).values("lag_id", *self.HEADLINE_FIELDS):
            for name in self.HEADLINE_FIELDS:
                by_lag[row["lag_id"]][name] += row[name]
        return _per_scope(by_lag, self.lag_slugs, self.HEADLINE_FIELDS)

    def priority_totals(self) -> dict[int | None, dict[str, dict[str, Decimal]]]:
        """{priority id or None (no priority): {scope: {activities, participants, youth, funding}}}.
        An activity serving several priorities counts under each."""
        counts = (
            self.approved.values("priorities", "lag_id")
            .annotate(
                activities=Count("id", distinct=True),
                participants=Sum("participants_total"),
                youth=Sum("participants_youth"),
            )
            .order_by()
        )
        funding = (
            FundingLine.objects.filter(activity__in=self.approved)
            .values("activity__priorities", "activity__lag_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        per_priority: defaultdict[int | None, dict[int, dict[str, Any]]] = defaultdict(dict)
        for row in counts:
            per_priority[row["priorities"]][row["lag_id"]] = dict(row)
        for row in funding:
            per_priority[row["activity__priorities"]].setdefault(row["activity__lag_id"], {})["funding"] = (
                row["total"]
            )
        return {
            priority_id: _per_scope(rows, self.lag_slugs, self.PRIORITY_FIELDS)
            for priority_id, rows in per_priority.items()
        }

    def funding_by_source(self) -> dict[str, dict[str, Decimal]]:
        """{scope: {source: Decimal}} of the year's approved activities (sources without money left out)."""
        rows = (
            FundingLine.objects.filter(activity__in=self.approved)
            .values("source", "activity__lag_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        sums: dict[str, defaultdict[str, Decimal]] = {scope: defaultdict(Decimal) for scope in self.scopes}
        for row in rows:
            sums[self.lag_slugs[row["activity__lag_id"]]][row["source"]] += row["total"]
            sums[JOINT][row["source"]] += row["total"]
        return {
            scope: {
                source: by_source[source] for source in FundingLine.Source.values if by_source.get(source)
            }
            for scope, by_source in sums.items()
        }

    def participation_by_municipality(self) -> dict[str, dict[str, Any]]:
        """{scope: {era: {municipality: [activities, participants]}, "unplaced": [activities, participants]}}.

        An activity recorded on a whole municipality covers all its parishes and towns; one spanning
        several municipalities counts in each, so the rows do not add up to the year's total. Read from
        the activity place tallies (``strategy.tallies.place_sums`` states the rule)."""
        municipalities = {m.pk: m for m in Municipality.objects.all()}
        result: dict[str, dict[str, Any]] = {
            scope: {
                **{era: defaultdict(lambda: [0, 0]) for era in Municipality.Era.values},
                "unplaced": [0, 0],
            }
            for scope in self.scopes
        }
        for municipality_id, lag_id, activities, participants in ActivityPlaceTally.objects.filter(
            year=self.year
        ).values_list("municipality_id", "lag_id", "activities", "participants"):
            for scope in (JOINT, self.lag_slugs[lag_id]):
                if municipality_id is None:
                    cell = result[scope]["unplaced"]
                else:
                    municipality = municipalities[municipality_id]
                    cell = result[scope][municipality.era][municipality]
                cell[0] += activities
                cell[1] += participants
        return result

    def data_quality(self) -> list[dict[str, Any]]:
        """Per LAG: the year's records still waiting (draft, submitted, returned), approved activities
        without evidence, whether the LAG has approved activities, and the annual reported indicators
        it has not reported."""
        open_statuses = [WorkflowStatus.DRAFT, WorkflowStatus.SUBMITTED, WorkflowStatus.RETURNED]
        waiting: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in (
            Activity.objects.in_year(self.year)
            .filter(status__in=open_statuses)
            .values("lag_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            waiting[row["lag_id"]][f"activities_{row['status']}"] += row["n"]
        for row in (
            Measurement.objects.filter(year=self.year, status__in=open_statuses)
            .values("lag_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            waiting[row["lag_id"]][f"measurements_{row['status']}"] += row["n"]
        no_evidence = dict(
            self.approved.filter(~Exists(Evidence.objects.filter(activity=OuterRef("pk"))))
            .values("lag_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("lag_id", "n")
        )
        annual = [
            i
            for i in self.engine.indicators
            if not i.is_computed and i.frequency == Indicator.Frequency.ANNUAL
        ]
        kinds = [f"{kind}_{status}" for kind in ("activities", "measurements") for status in open_statuses]
        return [
            {
                "lag": lag.slug,
                **{k: waiting[lag.pk][k] for k in kinds},
                "no_evidence": no_evidence.get(lag.pk, 0),
                "no_activities": (lag.pk, self.year) not in self.engine.active_lag_years,
                "missing_measurements": [
                    i.code for i in annual if (i.pk, lag.pk, self.year) not in self.engine.cells
                ],
            }
            for lag in self.engine.lags
        ]
