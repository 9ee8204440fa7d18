"""The figures of one year, as the annual report shows them and as a year close freezes them.

``year_data(strategy, year)`` returns one JSON-serialisable dict: every indicator × (jointly and each
LAG) × the year, cumulatively to the year and per year up to it — all straight from the progress
engine (invariant 2) — plus the year's activities per priority, funding by source, participation by
municipality and the data-quality annex, which are approved-record aggregates of the same kind as the
engine's (invariant 1). A closed year's snapshot stores this dict; the report is rendered from it, so a
closed year's report never changes when data is later reopened and edited. Decimals are stored as
strings, so nothing passes through a float (invariant 11).

The query count does not grow with the number of activities: the per-priority lists are LIMITed
queries, everything else is GROUP BY.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import Coalesce

from partners.models import Municipality, TerritoryUnit
from strategy.models import Activity, Evidence, FundingLine
from strategy.workflow import Status as WorkflowStatus

from .models import Indicator, Measurement, YearSummary
from .progress import ProgressEngine

SCHEMA = 1
JOINT = "joint"
# Per priority and scope the report lists at most this many activities (the largest by participants);
# the rest are counted and point to the open-data file of all activities.
ACTIVITY_LIMIT = 20


def _s(value):
    return None if value is None else str(value)


def _figure(figure):
    return {
        "year": figure.year,
        "years": [figure.years[0], figure.years[-1]] if figure.years else None,
        "aggregation": figure.aggregation,
        "actual": _s(figure.actual),
        "numerator": _s(figure.numerator),
        "denominator": _s(figure.denominator),
        "baseline": _s(figure.baseline),
        "target": _s(figure.target),
        "progress": _s(figure.progress),
        "status": figure.status,
        "last_update": figure.last_update.isoformat() if figure.last_update else None,
    }


def _engine_to(strategy, year):
    engine = ProgressEngine(strategy)
    # Cumulative figures run to the report's year, not to the latest year with data.
    engine.through_year = year
    return engine


def year_data(strategy, year):
    engine = _engine_to(strategy, year)
    lags = engine.lags
    scopes = [(JOINT, None)] + [(lag.slug, lag) for lag in lags]
    series_years = [y for y in engine.years if y <= year]

    data = {
        "schema": SCHEMA,
        "year": year,
        "strategy": {
            "slug": strategy.slug,
            "title_lv": strategy.title_lv,
            "title_en": strategy.title_en or "",
            "period": [strategy.period_start, strategy.period_end],
        },
        "lags": [
            {
                "slug": lag.slug,
                "name_lv": lag.name_lv,
                "name_en": lag.name_en or "",
                "short_name_lv": lag.short_name_lv,
                "short_name_en": lag.short_name_en or "",
            }
            for lag in lags
        ],
        "indicators": [
            {
                "code": i.code,
                "kind": i.kind,
                "name_lv": i.name_lv,
                "name_en": i.name_en or "",
                "unit": i.unit,
                "direction": i.direction,
                "source": i.source,
                "frequency": i.frequency,
            }
            for i in engine.indicators
        ],
        "has_demo": Activity.objects.approved().in_year(year).filter(is_demo=True).exists()
        or Measurement.objects.approved().filter(year=year, is_demo=True).exists(),
        "summary": _summary(strategy, year),
        "scopes": {},
    }
    for slug, lag in scopes:
        data["scopes"][slug] = {
            "figures": {
                i.code: {
                    "year": _figure(engine.figure(i, lag, year)),
                    "cumulative": _figure(engine.figure(i, lag)),
                    "series": [_figure(engine.figure(i, lag, y)) for y in series_years],
                }
                for i in engine.indicators
            }
        }

    lag_slug = {lag.pk: lag.slug for lag in lags}
    approved = Activity.objects.approved().in_year(year)
    _add_headline(data, approved, lag_slug)
    _add_activities(data, strategy, approved, lag_slug, scopes)
    _add_funding(data, year, lag_slug)
    _add_municipalities(data, approved, lag_slug)
    _add_quality(data, engine, year, lags)
    return data


def _summary(strategy, year):
    summary = YearSummary.objects.filter(strategy=strategy, year=year).first()
    if summary is None:
        return {"lv": "", "en": ""}
    return {"lv": summary.text_lv or "", "en": summary.text_en or ""}


def _per_scope(rows_by_lag, lag_slug, fields):
    """{scope: {field: Decimal}} from per-LAG rows, the joint scope being their sum."""
    result = {JOINT: dict.fromkeys(fields, Decimal(0))}
    for slug in lag_slug.values():
        result[slug] = dict.fromkeys(fields, Decimal(0))
    for lag_id, row in rows_by_lag.items():
        for name in fields:
            value = Decimal(row.get(name) or 0)
            result[lag_slug[lag_id]][name] += value
            result[JOINT][name] += value
    return result


def _add_headline(data, approved, lag_slug):
    rows = approved.values("lag_id").annotate(
        activities=Count("id"),
        participants=Sum("participants_total"),
        youth=Sum("participants_youth"),
        vulnerable=Sum("participants_vulnerable"),
    )
    funding = (
        FundingLine.objects.filter(activity__in=approved)
        .values("activity__lag_id")
        .annotate(total=Sum("amount"))
    )
    by_lag = {r["lag_id"]: dict(r) for r in rows.order_by()}
    for f in funding.order_by():
        by_lag.setdefault(f["activity__lag_id"], {})["funding"] = f["total"]
    fields = ["activities", "participants", "youth", "vulnerable", "funding"]
    totals = _per_scope(by_lag, lag_slug, fields)
    for scope, values in totals.items():
        data["scopes"][scope]["headline"] = {k: _s(v) for k, v in values.items()}


def _activity_item(activity):
    units = [u.name for u in activity.territory_units.all()]
    whole = [m.name_lv for m in activity.municipalities.all()]
    return {
        "id": activity.pk,
        "title_lv": activity.title_lv,
        "title_en": activity.title_en or "",
        "start_date": activity.start_date.isoformat(),
        "end_date": activity.end_date.isoformat() if activity.end_date else None,
        "lag": activity.lag.slug,
        "venue": activity.venue,
        "place": ", ".join(whole + units),
        "participants": activity.participants_total,
        "youth": activity.participants_youth,
        "funding": _s(activity.funding_total),
    }


def _add_activities(data, strategy, approved, lag_slug, scopes):
    priorities = list(strategy.priorities.all())
    counts = (
        approved.values("priorities", "lag_id")
        .annotate(
            activities=Count("id", distinct=True),
            participants=Sum("participants_total"),
            youth=Sum("participants_youth"),
        )
        .order_by()
    )
    funding = (
        FundingLine.objects.filter(activity__in=approved)
        .values("activity__priorities", "activity__lag_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    per_priority = defaultdict(dict)
    for row in counts:
        per_priority[row["priorities"]][row["lag_id"]] = dict(row)
    for row in funding:
        per_priority[row["activity__priorities"]].setdefault(row["activity__lag_id"], {})["funding"] = row[
            "total"
        ]
    fields = ["activities", "participants", "youth", "funding"]
    groups = [(p.pk, p.number, p.title_lv, p.title_en or "") for p in priorities]
    if None in per_priority:
        groups.append((None, None, "", ""))
    listed = approved.annotate(
        funding_total=Coalesce(Sum("funding_lines__amount"), Decimal(0))
    ).select_related("lag")
    for scope, lag in scopes:
        sections = []
        for pk, number, title_lv, title_en in groups:
            totals = _per_scope(per_priority.get(pk, {}), lag_slug, fields)[scope]
            if not totals["activities"]:
                sections.append(
                    {
                        "number": number,
                        "title_lv": title_lv,
                        "title_en": title_en,
                        "totals": None,
                        "items": [],
                    }
                )
                continue
            items = listed.filter(lag=lag) if lag is not None else listed
            items = items.filter(priorities=pk) if pk is not None else items.filter(priorities__isnull=True)
            if totals["activities"] > ACTIVITY_LIMIT:
                items = items.order_by("-participants_total", "start_date", "id")
            else:
                items = items.order_by("start_date", "id")
            items = items.prefetch_related("territory_units", "municipalities")[:ACTIVITY_LIMIT]
            sections.append(
                {
                    "number": number,
                    "title_lv": title_lv,
                    "title_en": title_en,
                    "totals": {k: _s(v) for k, v in totals.items()},
                    "truncated": totals["activities"] > ACTIVITY_LIMIT,
                    "items": [_activity_item(a) for a in items],
                }
            )
        data["scopes"][scope]["priorities"] = sections
        data["scopes"][scope]["activity_limit"] = ACTIVITY_LIMIT


def _add_funding(data, year, lag_slug):
    rows = (
        FundingLine.objects.filter(activity__status=WorkflowStatus.APPROVED, activity__start_date__year=year)
        .values("source", "activity__lag_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    sums = {scope: defaultdict(Decimal) for scope in [JOINT, *lag_slug.values()]}
    for row in rows:
        sums[lag_slug[row["activity__lag_id"]]][row["source"]] += row["total"]
        sums[JOINT][row["source"]] += row["total"]
    for scope, by_source in sums.items():
        data["scopes"][scope]["funding"] = [
            {"source": source, "amount": _s(by_source[source])}
            for source in FundingLine.Source.values
            if by_source.get(source)
        ]
        data["scopes"][scope]["funding_total"] = _s(sum(by_source.values(), Decimal(0)))


def _add_municipalities(data, approved, lag_slug):
    """Activities and participants per municipality of both divisions. An activity recorded on a
    whole municipality covers all its parishes and towns; one spanning several municipalities counts in
    each, so the rows do not add up to the total (the report says so)."""
    units = {
        u[0]: u[1:]
        for u in TerritoryUnit.objects.values_list("pk", "municipality_2009_id", "municipality_2021_id")
    }
    units_of_municipality = defaultdict(set)
    for pk, (m2009, m2021) in units.items():
        units_of_municipality[m2009].add(pk)
        units_of_municipality[m2021].add(pk)
    touched = defaultdict(set)  # activity id -> unit ids
    for activity_id, unit_id in Activity.territory_units.through.objects.filter(
        activity__in=approved
    ).values_list("activity_id", "territoryunit_id"):
        touched[activity_id].add(unit_id)
    for activity_id, municipality_id in Activity.municipalities.through.objects.filter(
        activity__in=approved
    ).values_list("activity_id", "municipality_id"):
        touched[activity_id] |= units_of_municipality[municipality_id]
    municipalities = {m.pk: m for m in Municipality.objects.all()}
    counters = {
        scope: {era: defaultdict(lambda: [0, 0]) for era in Municipality.Era.values}
        for scope in [JOINT, *lag_slug.values()]
    }
    unplaced = defaultdict(lambda: [0, 0])
    for activity_id, lag_id, participants in approved.values_list("pk", "lag_id", "participants_total"):
        targets = set()
        for unit in touched.get(activity_id, ()):
            targets.add(units[unit][0])
            targets.add(units[unit][1])
        for scope in (JOINT, lag_slug[lag_id]):
            if not targets:
                unplaced[scope][0] += 1
                unplaced[scope][1] += participants or 0
            for m in targets:
                cell = counters[scope][municipalities[m].era][m]
                cell[0] += 1
                cell[1] += participants or 0
    for scope, eras in counters.items():
        data["scopes"][scope]["municipalities"] = {
            era: [
                {
                    "name_lv": municipalities[m].name_lv,
                    "name_en": municipalities[m].name_en or "",
                    "activities": cell[0],
                    "participants": cell[1],
                }
                for m, cell in sorted(eras[era].items(), key=lambda item: municipalities[item[0]].name_lv)
            ]
            for era in Municipality.Era.values
        }
        data["scopes"][scope]["unplaced"] = {
            "activities": unplaced[scope][0],
            "participants": unplaced[scope][1],
        }


def _add_quality(data, engine, year, lags):
    """Records of the year still waiting (submitted, returned, draft), approved activities without
    evidence, and LAGs that have not reported."""
    open_statuses = [WorkflowStatus.DRAFT, WorkflowStatus.SUBMITTED, WorkflowStatus.RETURNED]
    waiting = defaultdict(lambda: defaultdict(int))
    for row in (
        Activity.objects.in_year(year)
        .filter(status__in=open_statuses)
        .values("lag_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        waiting[row["lag_id"]][f"activities_{row['status']}"] += row["n"]
    for row in (
        Measurement.objects.filter(year=year, status__in=open_statuses)
        .values("lag_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        waiting[row["lag_id"]][f"measurements_{row['status']}"] += row["n"]
    no_evidence = dict(
        Activity.objects.approved()
        .in_year(year)
        .filter(~Exists(Evidence.objects.filter(activity=OuterRef("pk"))))
        .values("lag_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("lag_id", "n")
    )
    annual = [
        i
        for i in engine.indicators
        if i.source != Indicator.Source.ACTIVITIES and i.frequency == Indicator.Frequency.ANNUAL
    ]
    kinds = [f"{kind}_{status}" for kind in ("activities", "measurements") for status in open_statuses]
    rows = []
    for lag in lags:
        rows.append(
            {
                "lag": lag.slug,
                **{k: waiting[lag.pk][k] for k in kinds},
                "no_evidence": no_evidence.get(lag.pk, 0),
                "no_activities": (lag.pk, year) not in engine.active_lag_years,
                "missing_measurements": [i.code for i in annual if (i.pk, lag.pk, year) not in engine.cells],
            }
        )
    for scope in data["scopes"]:
        data["scopes"][scope]["quality"] = [r for r in rows if scope == JOINT or r["lag"] == scope]
