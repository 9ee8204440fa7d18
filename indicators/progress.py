"""The progress engine: the ONE place every public figure, PDF figure and open-data figure comes from
(invariant 2), and the methodology's source — every rule below is stated here once.

``ProgressEngine(strategy)`` runs a fixed number of queries whatever the amount of data (the activity
tallies and funding tallies kept by ``strategy.tallies``, approved measurements by indicator × LAG ×
year, the plans, estimate weights, closed years and the LAGs' data completion marks), and then answers
per indicator, per year or for the period, per LAG or jointly.

Data. Only approved records count (invariant 1). A LAG-year without data is ``None`` and shown as "no
data", never 0 (invariant 4). For activity-fed indicators a LAG-year has data when the LAG has any
approved activity that year: then "none of this type" is a real 0. The participant rules
(participants, youth, vulnerable) count participations — a person at three activities counts three
times (``Figure.counts_participations``: the pages say "dalības reizes"). The FUNDING rule sums only the
funding sources the indicator declares (``Indicator.funding_sources``; declaring none, it sums nothing);
the rest of the same activities' funding is co-financing (``ProgressEngine.cofinancing``), and the home page's headline funding is that
indicator's figure for the period.

Complete years and the period. A year is complete for a LAG when it is closed (a ``YearClosure`` in
force) or it has ended (before today's year) and the LAG marked its data complete
(``strategy.DataCompletion``); jointly, when it is closed or every LAG marked it. The default period
runs from the strategy's start to the last complete year (``through_year``; None while no year is
complete; a report passes its own year). ``Figure.complete`` says whether every year of a figure is
complete for its scope and no LAG's value is missing. The year after the period, when it has begun,
is the "year to date" (``year_to_date``): its figures carry no judgement (``Status.YEAR_TO_DATE``),
and neither does any one-year figure with data of a year that has not ended.

Period rules, by the indicator's measure (``Indicator.measure``):

* FLOW (counts, participations, funding, R4's youth share): the period sums its years and LAGs add
  up; a share is 100·ΣN/ΣD over LAGs and years, never an average of percentages (invariant 5). The
  period's target is the sum of its yearly targets (a share: the last year's), its baseline the
  baseline × the years (a share: the baseline).
* STOCK (a level at the year's end, e.g. members): the period's value is its LAST year's; jointly the
  sum of the LAGs' values of that same year.
* ESTIMATE (a survey share with its sample): the period's value is its LAST year's, never pooled over
  years; jointly the LAGs' shares of that same year — weighted by the ``EstimateWeight`` values when
  every LAG has one (``weighting == "weighted"``), else ΣN/ΣD of the samples (``"pooled"``).
* RATING (1–5): the LAST year's rating; jointly the mean of the LAGs' ratings of that year.

For STOCK, ESTIMATE and RATING a LAG without a value for the year used makes the joint figure
incomplete: it has no value (a partial sum or mean is not the joint one) and ``Figure.missing_lags``
names the LAGs; years are never mixed across LAGs. For a FLOW, ``missing_lags`` names the LAGs without
data in some year of the figure (their sum is shown, marked incomplete).

Joint targets and baselines are derived from the LAGs' of the same year: the sum for FLOW and STOCK
counts; for ESTIMATEs and shares the mean weighted by the ``EstimateWeight`` values, only when every
LAG has one (else none: the page says the weights are missing); for RATINGs the mean. Every LAG must
have its value, else there is no derived joint value. A joint Target/Baseline row (LAG empty) exists
only as an override with a recorded reason and replaces the derived value (``Figure.target_basis``:
"derived", "override", or "lag" for a LAG's own plan; ``Figure.target_reason``; the same for the
baseline: ``baseline_basis``, ``baseline_reason``). ``ProgressEngine.joint_plan`` gives the plan
table's sum check.

Achievement (the headline, "% no mērķa") = actual ÷ target; for a "decrease" indicator target ÷ actual.
The status comes from achievement as shown (whole percent, half up) with one set of thresholds
(``thresholds()``): ≥ 90 % on track, ≥ 60 % at risk, below off track; no data → no data; no target (or
a zero target to increase) → no target. Progress from the baseline
= (actual − baseline) / (target − baseline) (``FORMULA``) is shown beside it, never as the status.

Estimates carry their sample (Σ denominators = respondents) and a 95 % interval (``interval_low``,
``interval_high``, percent): the Wilson score interval for one LAG's or a pooled share
(``wilson_interval``), the normal interval with the weighted variance for a weighted joint share
(``weighted_interval``; both state their formula). When the target lies inside the interval, a status that would be at risk
or off track is ``Status.NOT_DIFFERENT`` ("statistiski neatšķiras no mērķa").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import LAG, Municipality
from strategy import tallies
from strategy.models import (
    Activity,
    ActivityPlaceTally,
    ActivityTally,
    DataCompletion,
    Evidence,
    FundingLine,
    FundingTally,
    YearClosure,
)
from strategy.workflow import Status as WorkflowStatus

from .models import Baseline, EstimateWeight, Indicator, Measurement, Target
from .yearend.frozen import FrozenFigures

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.utils.functional import _StrPromise as StrPromise

    from strategy.models import Priority, Strategy

# What one year or period of an indicator combines to: (actual, numerator, denominator, last update,
# narratives).
Combined = tuple[Decimal | None, Decimal | None, Decimal | None, datetime | None, tuple[str, ...]]

# Status thresholds, defined once: achievement (actual ÷ target) ≥ 90 % is on track, ≥ 60 % at risk,
# below that off track.
ON_TRACK_FROM = Decimal("0.9")
AT_RISK_FROM = Decimal("0.6")

# The 95 % interval's normal quantile.
Z95 = Decimal("1.96")


def thresholds() -> dict[str, int]:
    """The status thresholds in percent, as the method note of the pages and the PDF states them."""
    return {"on_track": int(ON_TRACK_FROM * 100), "at_risk": int(AT_RISK_FROM * 100)}


FORMULA = _("progress = (faktiskā vērtība − bāzes vērtība) / (mērķa vērtība − bāzes vērtība)")
ACHIEVEMENT_FORMULA = _("izpilde = faktiskā vērtība / mērķa vērtība (samazināmam rādītājam — mērķis / fakts)")


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("atbilst plānam")
    AT_RISK = "at_risk", _("ir risks")
    OFF_TRACK = "off_track", _("atpaliek")
    NOT_DIFFERENT = "not_different", _("statistiski neatšķiras no mērķa")
    NO_TARGET = "no_target", _("nav mērķa vai bāzes")
    NO_DATA = "no_data", _("nav datu")
    YEAR_TO_DATE = "year_to_date", _("gads vēl nav noslēdzies")


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
        "Īpatsvaru aprēķina kā 100 · Σ skaitītāju / Σ saucēju, nevis kā procentu vidējo; aptaujas "
        "novērtējumam — tikai perioda pēdējā gada."
    ),
    Aggregation.LATEST: _(
        "Krājuma rādītājs: gada vērtība ir VRG vērtību summa; par periodu — perioda pēdējā gada vērtība "
        "(visām VRG tā paša gada)."
    ),
    Aggregation.RATING: _(
        "Gada vērtība ir VRG vērtējumu vidējais; par periodu — perioda pēdējā gada vērtējums."
    ),
}

# The period rule of each measure, as the indicator pages and the methodology page state it.
PERIOD_RULES = {
    Indicator.Measure.FLOW: _(
        "Plūsma: perioda gadu un VRG vērtības saskaita. Kopējais mērķis ir VRG mērķu summa, perioda mērķis — "
        "gadu mērķu summa. Īpatsvaru aprēķina kā 100 · ΣN/ΣD pār gadiem un VRG; tā mērķis ir perioda pēdējā "
        "gada mērķis, kopā — VRG mērķu vidējais, svērts ar svariem."
    ),
    Indicator.Measure.STOCK: _(
        "Krājums: perioda vērtība ir tā pēdējā gada vērtība; kopā — VRG tā paša gada vērtību summa. Ja kādai "
        "VRG šā gada vērtības nav, kopējā vērtība nav pilnīga."
    ),
    Indicator.Measure.ESTIMATE: _(
        "Novērtējums: perioda vērtība ir tā pēdējā gada aptaujas īpatsvars ar izlasi un 95 % ticamības "
        "intervālu, gadus neapvieno; kopā — VRG tā paša gada īpatsvaru vidējais, svērts ar svariem, ja tie "
        "ir visām VRG, citādi Σ skaitītāju / Σ saucēju."
    ),
    Indicator.Measure.RATING: _(
        "Vērtējums: perioda vērtība ir tā pēdējā gada vērtējums; kopā — VRG tā paša gada vērtējumu vidējais."
    ),
}

ACTIVITY_RULE_FIELDS: dict[str, str] = {
    Indicator.Rule.COUNT: "count",
    Indicator.Rule.PARTICIPANTS: "participants",
    Indicator.Rule.YOUTH: "youth",
    Indicator.Rule.VULNERABLE: "vulnerable",
    Indicator.Rule.FUNDING: "funding",
}

# The rules that count participations (a person at three activities counts three times).
PARTICIPATION_RULES = frozenset(
    {Indicator.Rule.PARTICIPANTS, Indicator.Rule.YOUTH, Indicator.Rule.VULNERABLE}
)

# How a joint target/baseline was found, and a LAG's own.
DERIVED, OVERRIDE, OWN = "derived", "override", "lag"
POOLED, WEIGHTED = "pooled", "weighted"


def aggregation_for(indicator: Indicator) -> Aggregation:
    """How LAGs' values combine, from the measure: a rating is averaged, a share is ΣN/ΣD, a stock is
    the LAGs' values of one year added, a flow adds up over LAGs and years."""
    if indicator.measure == Indicator.Measure.RATING or indicator.value_kind == Indicator.ValueKind.RATING:
        return Aggregation.RATING
    if indicator.value_kind == Indicator.ValueKind.SHARE:
        return Aggregation.SHARE
    return Aggregation.LATEST if indicator.measure == Indicator.Measure.STOCK else Aggregation.SUM


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


def compute_achievement(actual: Decimal | None, target: Decimal | None, direction: str) -> Decimal | None:
    """actual ÷ target (1 = 100 %); for a "decrease" indicator target ÷ actual (at or below the target
    is ≥ 100 %). None when either is missing or the ratio is undefined (a zero target to increase)."""
    if actual is None or target is None:
        return None
    if direction == Indicator.Direction.DECREASE:
        if actual <= 0:
            return Decimal(1) if target >= actual else None
        return target / actual
    if target <= 0:
        return None
    return actual / target


def status_for(actual: Decimal | None, achievement: Decimal | None) -> Status:
    """The status of a figure from its achievement as shown — in whole percent, half up — with one set
    of thresholds (``thresholds()``): "90 %" is never at risk."""
    if actual is None:
        return Status.NO_DATA
    if achievement is None:
        return Status.NO_TARGET
    achievement = achievement.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if achievement >= ON_TRACK_FROM:
        return Status.ON_TRACK
    if achievement >= AT_RISK_FROM:
        return Status.AT_RISK
    return Status.OFF_TRACK


def wilson_interval(numerator: Decimal, denominator: Decimal, z: Decimal = Z95) -> tuple[Decimal, Decimal]:
    """The Wilson score interval of a share N/D, in percent:

        p = N/D, n = D,
        centre = (p + z²/2n) / (1 + z²/n),
        half   = z / (1 + z²/n) · √( p(1 − p)/n + z²/4n² ),

    low = centre − half, high = centre + half (z = 1,96 for 95 %). Computed in Decimal."""
    n = denominator
    p = numerator / n
    z2 = z * z
    scale = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / scale
    half = z / scale * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    return max(Decimal(0), centre - half) * 100, min(Decimal(1), centre + half) * 100


def weighted_interval(
    parts: Iterable[tuple[Decimal, Decimal, Decimal]], z: Decimal = Z95
) -> tuple[Decimal, Decimal, Decimal]:
    """The weighted mean of LAG shares and its normal interval, in percent, from (weight, N, D) per LAG:

        wᵢ = weightᵢ / Σ weight,  pᵢ = Nᵢ/Dᵢ,
        p̂ = Σ wᵢ pᵢ,  Var(p̂) = Σ wᵢ² · pᵢ(1 − pᵢ) / Dᵢ,
        interval = p̂ ± z · √Var(p̂)   (clipped to 0–100 %).

    Returns (p̂, low, high) in percent. Computed in Decimal."""
    rows = list(parts)
    total = sum((w for w, _n, _d in rows), Decimal(0))
    mean = Decimal(0)
    variance = Decimal(0)
    for weight, n, d in rows:
        w = weight / total
        p = n / d
        mean += w * p
        variance += w * w * p * (1 - p) / d
    half = z * variance.sqrt()
    return mean * 100, max(Decimal(0), mean - half) * 100, min(Decimal(1), mean + half) * 100


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
    year: int | None  # None: the period ``years``
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
    measure: str = ""
    achievement: Decimal | None = None  # actual ÷ target, 1 = 100 %
    complete: bool = True
    missing_lags: tuple[LAG, ...] = ()
    sample: Decimal | None = None  # estimates: respondents (Σ denominators)
    interval_low: Decimal | None = None  # estimates: the 95 % interval, percent
    interval_high: Decimal | None = None
    weighting: str = ""  # joint estimates: "pooled" or "weighted"
    target_basis: str = ""  # "derived", "override" or "lag"
    target_reason: str = ""  # an override's recorded reason
    baseline_basis: str = ""
    baseline_reason: str = ""

    @property
    def has_data(self) -> bool:
        return self.actual is not None

    @property
    def status_label(self) -> StrPromise:
        return Status(self.status).label

    @property
    def is_year_to_date(self) -> bool:
        return self.status == Status.YEAR_TO_DATE

    @property
    def counts_participations(self) -> bool:
        """Participations, not persons: a person at three activities counts three times."""
        return self.indicator.rule in PARTICIPATION_RULES

    @property
    def achievement_percent(self) -> Decimal | None:
        """Achievement in percent for display ("% no mērķa"), whole percent."""
        if self.achievement is None:
            return None
        return (self.achievement * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def achievement_bar(self) -> int | None:
        """The achievement bar's fill, clamped to 0–100."""
        if self.achievement is None:
            return None
        return int(max(Decimal(0), min(Decimal(100), self.achievement * 100)))

    @property
    def progress_percent(self) -> Decimal | None:
        """Progress from the baseline in percent for display (may exceed 100 or be negative)."""
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


@dataclass(frozen=True)
class Plan:
    """A target or baseline of one scope: its value and how it was found."""

    value: Decimal | None
    basis: str = ""
    reason: str = ""


class ProgressEngine:
    """All figures of one strategy, from a fixed number of aggregate queries."""

    def __init__(
        self, strategy: Strategy, *, through_year: int | None = None, today: date | None = None
    ) -> None:
        """``through_year``: the last year of the period figures; by default the last complete year
        (the annual report passes its own year). ``today``: the date complete years are judged on."""
        self.strategy = strategy
        self.today: date = today or timezone.localdate()
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
        self.types_of = types_of
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
        self.active_lag_years: set[tuple[int, int]] = set()
        self.activity_last_update: datetime | None = None
        self.year_totals: defaultdict[int, defaultdict[str, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
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
            self.active_lag_years.add((key[1], key[2]))
            for name in ("count", "participants", "youth", "funding"):
                self.year_totals[key[2]][name] += Decimal(sums[name] or 0)
            if sums["last"] and (
                self.activity_last_update is None or sums["last"] > self.activity_last_update
            ):
                self.activity_last_update = sums["last"]
        # Query 6: the approved activities' funding by type × LAG × year × source.
        self.funding: defaultdict[tuple[int, int, int], dict[str, Decimal]] = defaultdict(dict)
        for type_id, lag_id, year, source, amount in FundingTally.objects.filter(
            year__gte=first, year__lte=last
        ).values_list("activity_type_id", "lag_id", "year", "source", "amount"):
            self.funding[(type_id, lag_id, year)][source] = amount

        # Query 7: approved measurements by indicator × LAG × year.
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
        # Query 8: the narratives of qualitative indicators (a handful per LAG and year).
        narrative_rows = measured.exclude(narrative="").values_list(
            "indicator_id", "lag_id", "year", "narrative"
        )

        self.cells: dict[tuple[int, int, int], Cell] = {}  # (indicator_id, lag_id, year) -> Cell
        for indicator in self.indicators:
            if not indicator.is_computed:
                continue
            types = types_of[indicator.pk]
            sources = set(indicator.funding_sources or ())
            for lag_id, year in self.active_lag_years:
                cell = Cell()
                rows = [per_type[(t, lag_id, year)] for t in types if (t, lag_id, year) in per_type]
                if indicator.rule == Indicator.Rule.YOUTH_SHARE:
                    cell.numerator = sum((Decimal(r["share_n"] or 0) for r in rows), Decimal(0))
                    cell.denominator = sum((Decimal(r["share_d"] or 0) for r in rows), Decimal(0))
                    if not cell.denominator:
                        continue  # nobody counted: no share, not 0 %
                elif indicator.rule == Indicator.Rule.FUNDING:
                    # Only the sources the indicator declares; the rest is co-financing.
                    cell.value = sum(
                        (
                            amount
                            for t in types
                            for source, amount in self.funding.get((t, lag_id, year), {}).items()
                            if source in sources
                        ),
                        Decimal(0),
                    )
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

        # Query 9: baselines. Query 10: targets. A joint row (LAG empty) is an override with a reason.
        self.baselines: dict[tuple[int, int | None], Decimal] = {}
        self.baseline_reasons: dict[int, str] = {}
        for b in Baseline.objects.filter(indicator__strategy=strategy):
            self.baselines[(b.indicator_id, b.lag_id)] = b.value
            if b.lag_id is None:
                self.baseline_reasons[b.indicator_id] = b.reason
        self.targets: dict[tuple[int, int | None, int], Decimal] = {}
        self.target_reasons: dict[tuple[int, int], str] = {}
        for t in Target.objects.filter(indicator__strategy=strategy):
            self.targets[(t.indicator_id, t.lag_id, t.year)] = t.value
            if t.lag_id is None:
                self.target_reasons[(t.indicator_id, t.year)] = t.reason
        # Query 11: the estimate weights (e.g. the LAGs' populations).
        self.weights: dict[int, Decimal] = dict(
            EstimateWeight.objects.filter(strategy=strategy).values_list("lag_id", "value")
        )
        self.weighted = bool(self.lags) and all(lag.pk in self.weights for lag in self.lags)
        # Query 12: the closed years. Query 13: the LAGs' data completion marks.
        self.closed_years: set[int] = set(YearClosure.objects.in_force().values_list("year", flat=True))
        self.marked: set[tuple[int, int]] = set(DataCompletion.objects.values_list("lag_id", "year"))

        if through_year is None:
            complete = [y for y in self.years if self.year_complete(y)]
            through_year = complete[-1] if complete else None
        self.through_year: int | None = through_year
        after = (through_year + 1) if through_year is not None else first
        self.year_to_date_year: int | None = (
            after if after <= min(last, self.today.year) and not self.year_complete(after) else None
        )
        self._cache: dict[tuple[int, int | None, int | None, bool], Figure] = {}
        self._frozen = FrozenFigures(self)  # the closed years' snapshots (one query, on first use)

    # --- complete years -------------------------------------------------------------------------

    def year_ended(self, year: int) -> bool:
        return year < self.today.year or year in self.closed_years

    def year_complete(self, year: int, lag: LAG | None = None) -> bool:
        """Closed, or ended and marked complete by the LAG (jointly: by every LAG)."""
        if year in self.closed_years:
            return True
        if year >= self.today.year:
            return False
        return all((lag_id, year) in self.marked for lag_id in self._lag_ids(lag))

    def cumulative_years(self) -> tuple[int, ...]:
        """The default period: the strategy's start to the last complete year (empty while none is)."""
        if self.through_year is None:
            return ()
        return tuple(range(self.years[0], self.through_year + 1))

    def period_years(self) -> tuple[int, ...]:
        return self.cumulative_years()

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
    def _has_value(cell: Cell | None) -> bool:
        return cell is not None and (cell.value is not None or bool(cell.ratings) or bool(cell.denominator))

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

    # --- plans ----------------------------------------------------------------------------------

    def _derive(self, indicator: Indicator, values: list[Decimal | None]) -> Decimal | None:
        """A joint plan value from the LAGs' (every LAG must have one): sum of counts, weighted mean of
        estimates and shares (only with every LAG's weight), mean of ratings."""
        if not values or any(v is None for v in values):
            return None
        known = [v for v in values if v is not None]
        if indicator.measure == Indicator.Measure.RATING:
            return sum(known, Decimal(0)) / len(known)
        if indicator.measure == Indicator.Measure.ESTIMATE or indicator.unit == Indicator.Unit.PERCENT:
            if not self.weighted:
                return None
            weights = [self.weights[lag.pk] for lag in self.lags]
            return sum((w * v for w, v in zip(weights, known, strict=True)), Decimal(0)) / sum(
                weights, Decimal(0)
            )
        return sum(known, Decimal(0))

    def target_plan(self, indicator: Indicator, lag: LAG | None, year: int) -> Plan:
        """One year's target of a scope: the LAG's own, or jointly the override or the derived value."""
        if lag is not None:
            value = self.targets.get((indicator.pk, lag.pk, year))
            return Plan(value, OWN if value is not None else "")
        if (indicator.pk, None, year) in self.targets:
            reason = self.target_reasons.get((indicator.pk, year), "")
            return Plan(self.targets[(indicator.pk, None, year)], OVERRIDE, reason)
        derived = self._derive(indicator, [self.targets.get((indicator.pk, x.pk, year)) for x in self.lags])
        return Plan(derived, DERIVED if derived is not None else "")

    def baseline_plan(self, indicator: Indicator, lag: LAG | None) -> Plan:
        """A scope's baseline: the LAG's own, or jointly the override or the derived value."""
        if lag is not None:
            value = self.baselines.get((indicator.pk, lag.pk))
            return Plan(value, OWN if value is not None else "")
        if (indicator.pk, None) in self.baselines:
            reason = self.baseline_reasons.get(indicator.pk, "")
            return Plan(self.baselines[(indicator.pk, None)], OVERRIDE, reason)
        derived = self._derive(indicator, [self.baselines.get((indicator.pk, x.pk)) for x in self.lags])
        return Plan(derived, DERIVED if derived is not None else "")

    def joint_plan(self, indicator: Indicator | str) -> list[dict[str, Any]]:
        """The plan table's sum check: the baseline (``year`` None), then each year — the derived joint
        value, the override and its reason, and every LAG's value."""
        if isinstance(indicator, str):
            indicator = self.by_code[indicator]
        rows: list[dict[str, Any]] = []
        for year in [None, *self.years]:
            if year is None:
                lag_values = {x.slug: self.baselines.get((indicator.pk, x.pk)) for x in self.lags}
                override = self.baselines.get((indicator.pk, None))
                reason = self.baseline_reasons.get(indicator.pk, "")
            else:
                lag_values = {x.slug: self.targets.get((indicator.pk, x.pk, year)) for x in self.lags}
                override = self.targets.get((indicator.pk, None, year))
                reason = self.target_reasons.get((indicator.pk, year), "")
            rows.append(
                {
                    "year": year,
                    "derived": self._derive(indicator, list(lag_values.values())),
                    "override": override,
                    "reason": reason,
                    "lags": lag_values,
                }
            )
        return rows

    # --- figures --------------------------------------------------------------------------------

    def figure(self, indicator: Indicator | str, lag: LAG | None = None, year: int | None = None) -> Figure:
        """One figure: ``year=None`` is the period from the strategy's start to ``through_year``."""
        if isinstance(indicator, str):
            indicator = self.by_code[indicator]
        key = (indicator.pk, lag.pk if lag else None, year, False)
        if key not in self._cache:
            # A closed year (or a period ending in one) as its snapshot froze it (invariant 9).
            self._cache[key] = self._frozen.figure(indicator, lag, year) or self._figure(indicator, lag, year)
        return self._cache[key]

    def year_to_date(self, indicator: Indicator | str, lag: LAG | None = None) -> Figure | None:
        """The year after the period so far (``year_to_date_year``), without a judgement; None when
        there is no such year."""
        if self.year_to_date_year is None:
            return None
        if isinstance(indicator, str):
            indicator = self.by_code[indicator]
        key = (indicator.pk, lag.pk if lag else None, self.year_to_date_year, True)
        if key not in self._cache:
            self._cache[key] = self._figure(indicator, lag, self.year_to_date_year, to_date=True)
        return self._cache[key]

    def _figure(
        self, indicator: Indicator, lag: LAG | None, year: int | None, *, to_date: bool = False
    ) -> Figure:
        aggregation = aggregation_for(indicator)
        measure = indicator.measure
        scope = [lag] if lag is not None else self.lags
        years: tuple[int, ...] = (year,) if year is not None else self.cumulative_years()
        sample = low = high = None
        weighting = ""
        missing: list[LAG] = []
        if not years:
            actual = n = d = last = None
            narratives: tuple[str, ...] = ()
        elif measure == Indicator.Measure.FLOW:
            cells = [self.cells.get((indicator.pk, x.pk, y)) for x in scope for y in years]
            actual, n, d, last, narratives = self._combine(aggregation, cells)
            missing = [
                x
                for x in scope
                if any(not self._has_value(self.cells.get((indicator.pk, x.pk, y))) for y in years)
            ]
        else:
            # A level, an estimate or a rating: the period's last year, the same year for every LAG.
            at = years[-1]
            cells = [self.cells.get((indicator.pk, x.pk, at)) for x in scope]
            missing = [x for x, c in zip(scope, cells, strict=True) if not self._has_value(c)]
            actual, n, d, last, narratives = self._combine(aggregation, cells)
            if missing:
                # A partial sum, share or mean of the LAGs is not the joint value: none, and it says why.
                actual = n = d = None
            if measure == Indicator.Measure.ESTIMATE and d:
                sample = d
                present = [
                    (x, c) for x, c in zip(scope, cells, strict=True) if c is not None and c.denominator
                ]
                if lag is None and self.weighted:
                    weighting = WEIGHTED
                    actual, low, high = weighted_interval(
                        (self.weights[x.pk], c.numerator, c.denominator) for x, c in present
                    )
                else:
                    weighting = POOLED if lag is None else ""
                    assert n is not None
                    low, high = wilson_interval(n, d)
        target_plan, baseline_plan = self._plans(indicator, lag, years)
        target, baseline = target_plan.value, baseline_plan.value
        achievement = compute_achievement(actual, target, indicator.direction)
        progress = compute_progress(actual, baseline, target, indicator.direction)
        status = status_for(actual, achievement)
        if (
            status in (Status.AT_RISK, Status.OFF_TRACK)
            and low is not None
            and high is not None
            and target is not None
            and low <= target <= high
        ):
            status = Status.NOT_DIFFERENT
        running = year is not None and not self.year_ended(year)
        if to_date or (running and actual is not None):
            status = Status.YEAR_TO_DATE
        complete = (
            bool(years) and not to_date and not missing and all(self.year_complete(y, lag) for y in years)
        )
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
            status=status,
            last_update=last,
            narratives=narratives,
            measure=measure,
            achievement=achievement,
            complete=complete,
            missing_lags=tuple(missing),
            sample=sample,
            interval_low=low,
            interval_high=high,
            weighting=weighting,
            target_basis=target_plan.basis,
            target_reason=target_plan.reason,
            baseline_basis=baseline_plan.basis,
            baseline_reason=baseline_plan.reason,
        )

    def _plans(self, indicator: Indicator, lag: LAG | None, years: tuple[int, ...]) -> tuple[Plan, Plan]:
        """(target, baseline) of a scope for one year or a period: a counted flow's period target is the
        sum of its yearly targets and its baseline the baseline × the years; otherwise the last year's."""
        baseline = self.baseline_plan(indicator, lag)
        if not years:
            return Plan(None), baseline
        summed = indicator.measure == Indicator.Measure.FLOW and indicator.unit != Indicator.Unit.PERCENT
        if not summed or len(years) == 1:
            return self.target_plan(indicator, lag, years[-1]), baseline
        yearly = [self.target_plan(indicator, lag, y) for y in years]
        values = [p.value for p in yearly if p.value is not None]
        if len(values) < len(yearly):
            target = Plan(None)
        else:
            bases = {p.basis for p in yearly}
            basis = OVERRIDE if OVERRIDE in bases else next(iter(bases))
            reasons = dict.fromkeys(p.reason for p in yearly if p.reason)
            target = Plan(sum(values, Decimal(0)), basis, "; ".join(reasons))
        if baseline.value is not None:
            baseline = Plan(baseline.value * len(years), baseline.basis, baseline.reason)
        return target, baseline

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
        """(LAG-years with data, LAG-years expected in the period)."""
        years = self.cumulative_years()
        have = sum(1 for y in years for lag in self.lags if (indicator.pk, lag.pk, y) in self.cells)
        return have, len(years) * len(self.lags)

    def last_update(self, indicator: Indicator | None = None) -> datetime | None:
        cells = (c for (i, _l, _y), c in self.cells.items() if indicator is None or i == indicator.pk)
        moments = [c.last_update for c in cells if c.last_update]
        return max(moments, default=None)

    # --- funding --------------------------------------------------------------------------------

    def funding_indicator(self) -> Indicator | None:
        """The indicator of funding attracted (K6): the first with the FUNDING rule."""
        return next((i for i in self.indicators if i.rule == Indicator.Rule.FUNDING), None)

    def cofinancing(
        self, lag: LAG | None = None, year: int | None = None, indicator: Indicator | None = None
    ) -> Decimal:
        """The funding of the funding indicator's activities from the sources it does not declare
        (the associations' own money, municipalities, private…), for one year or the period."""
        indicator = indicator or self.funding_indicator()
        if indicator is None:
            return Decimal(0)
        declared = set(indicator.funding_sources or ())
        years = (year,) if year is not None else self.cumulative_years()
        return sum(
            (
                amount
                for t in self.types_of[indicator.pk]
                for lag_id in self._lag_ids(lag)
                for y in years
                for source, amount in self.funding.get((t, lag_id, y), {}).items()
                if source not in declared
            ),
            Decimal(0),
        )

    def headline(self) -> dict[str, Any] | None:
        """Home-page totals of the period (``years``: its first and last year); ``funding`` is the
        funding indicator's (K6's) figure for the same period, ``cofinancing`` the rest."""
        period = self.cumulative_years()
        if not period:
            return None
        totals = {
            name: sum((self.year_totals[y][name] for y in period), Decimal(0))
            for name in ("count", "participants", "youth", "funding")
        }
        k6 = self.funding_indicator()
        funding = totals["funding"]
        if k6 is not None:
            funding = self.figure(k6).actual or Decimal(0)
        return {
            "years": (period[0], period[-1]),
            "activities": totals["count"],
            "participants": totals["participants"],
            "youth": totals["youth"],
            "funding": funding,
            "cofinancing": self.cofinancing(),
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
