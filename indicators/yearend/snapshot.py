"""The figures of one year, as the annual report shows them and as a year close freezes them.

``year_data(strategy, year)`` returns one JSON-serialisable dict: every indicator × (jointly and each
LAG) × the year, cumulatively to the year and per year up to it, and the year's headline totals,
totals per priority, funding by source, participation by municipality and data-quality counts — all
computed by the progress engine (``ProgressEngine`` and ``YearBreakdown``, invariant 2) — plus the
year's activities per priority to list them. A closed year's snapshot stores this dict; the report is rendered from it, so a
closed year's report never changes when data is later reopened and edited, and the public pages read
a closed year's figures from it too (``frozen``). Decimals are stored as strings, so nothing passes
through a float (invariant 11).

A figure is stored field by field (``figure_data``: every field of the engine's ``Figure``, its
indicator as its code and LAGs as their slugs); ``frozen.figure_from_data`` reads it back. SCHEMA 1
stored only the fields a figure had then; it is still read (missing fields take their defaults).

The query count does not grow with the number of activities: the per-priority lists are LIMITed
queries, everything else is GROUP BY.
"""

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Model, Sum
from django.db.models.functions import Coalesce

from partners.models import LAG, Municipality
from strategy.models import Activity

from ..models import Indicator, Measurement, YearSummary
from ..narratives import approved_for
from ..progress import JOINT, ProgressEngine, YearBreakdown

# 1: a figure's fields of 2025; 2: every field of Figure (generic), the indicators' definitions;
# 3: the LAGs' approved variance narratives of the year ("narratives"; an older snapshot has none).
SCHEMA = 3
# Per priority and scope the report lists at most this many activities (the largest by participants);
# the rest are counted and point to the open-data file of all activities.
ACTIVITY_LIMIT = 20


def _s(value):
    return None if value is None else str(value)


def _plain(value):
    """A figure's field as JSON: Decimals as strings, moments as ISO 8601, an indicator as its code, a
    LAG as its slug, tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Indicator):
        return value.code
    if isinstance(value, LAG):
        return value.slug
    if isinstance(value, Model):
        raise TypeError(f"A figure's {type(value).__name__} has no stored form")
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)  # a TextChoices member as its value
    return value


def figure_data(figure):
    """Every field of an engine ``Figure``, JSON-serialisable. ``years`` (a period's consecutive years)
    is stored as [first, last], as SCHEMA 1 did."""
    data = {field.name: _plain(getattr(figure, field.name)) for field in dataclasses.fields(figure)}
    data["years"] = [figure.years[0], figure.years[-1]] if figure.years else None
    return data


def year_data(strategy, year):
    # Cumulative figures run to the report's year, not to the latest year with data.
    engine = ProgressEngine(strategy, through_year=year)
    lags = engine.lags
    scopes = [(JOINT, None)] + [(lag.slug, lag) for lag in lags]
    series_years = [y for y in engine.years if y <= year]
    types_of = {}
    for indicator_id, code in (
        Indicator.activity_types.through.objects.filter(indicator__strategy=strategy)
        .order_by("activitytype__order", "activitytype__code")
        .values_list("indicator_id", "activitytype__code")
    ):
        types_of.setdefault(indicator_id, []).append(code)

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
        # With the definitions that shaped the figures (frozen while the year is closed).
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
                "measure": i.measure,
                "rule": i.rule,
                "funding_sources": list(i.funding_sources or ()),
                "activity_types": types_of.get(i.pk, []),
            }
            for i in engine.indicators
        ],
        "has_demo": Activity.objects.approved().in_year(year).filter(is_demo=True).exists()
        or Measurement.objects.approved().filter(year=year, is_demo=True).exists(),
        "summary": _summary(strategy, year),
        "narratives": _narratives(strategy, year, engine.indicators),
        "scopes": {},
    }
    for slug, lag in scopes:
        data["scopes"][slug] = {
            "figures": {
                i.code: {
                    "year": figure_data(engine.figure(i, lag, year)),
                    "cumulative": figure_data(engine.figure(i, lag)),
                    "series": [figure_data(engine.figure(i, lag, y)) for y in series_years],
                }
                for i in engine.indicators
            }
        }

    breakdown = YearBreakdown(engine, year)
    _add_headline(data, breakdown)
    _add_activities(data, strategy, breakdown, scopes)
    _add_funding(data, breakdown)
    _add_municipalities(data, breakdown)
    _add_quality(data, breakdown)
    return data


def _narratives(strategy, year, indicators):
    """{indicator code: {LAG slug: {"lv", "en"}}}: the approved variance narratives of the year (one
    query). Frozen with the figures, so a closed year's report keeps the explanations that were
    approved when it closed, whatever is edited after a reopening."""
    codes = {indicator.pk: indicator.code for indicator in indicators}
    found = {}
    for (indicator_id, _lag_id), narrative in approved_for(strategy, year).items():
        if indicator_id in codes:
            found.setdefault(codes[indicator_id], {})[narrative.lag.slug] = {
                "lv": narrative.text_lv or "",
                "en": narrative.text_en or "",
            }
    return found


def _summary(strategy, year):
    summary = YearSummary.objects.filter(strategy=strategy, year=year).first()
    if summary is None:
        return {"lv": "", "en": ""}
    return {"lv": summary.text_lv or "", "en": summary.text_en or ""}


def _add_headline(data, breakdown):
    engine = breakdown.engine
    lags = {lag.slug: lag for lag in engine.lags}
    for scope, values in breakdown.headline().items():
        headline = {k: _s(v) for k, v in values.items()}
        # the funding indicator's (K6's) activities' money it does not count: shown beside it
        headline["cofinancing"] = _s(engine.cofinancing(lags.get(scope), breakdown.year))
        data["scopes"][scope]["headline"] = headline


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


def _add_activities(data, strategy, breakdown, scopes):
    """Per priority: the year's totals (from the engine) and the activities themselves — all of them,
    or the ACTIVITY_LIMIT largest by participants with a pointer to the open data."""
    priorities = list(strategy.priorities.all())
    per_priority = breakdown.priority_totals()
    groups = [(p.pk, p.number, p.title_lv, p.title_en or "") for p in priorities]
    if None in per_priority:
        groups.append((None, None, "", ""))
    listed = breakdown.approved.annotate(
        funding_total=Coalesce(Sum("funding_lines__amount"), Decimal(0))
    ).select_related("lag")
    for scope, lag in scopes:
        sections = []
        for pk, number, title_lv, title_en in groups:
            totals = per_priority.get(pk, {}).get(scope)
            if not totals or not totals["activities"]:
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
            chosen = breakdown.approved.filter(lag=lag) if lag is not None else breakdown.approved
            if pk is not None:
                chosen = chosen.filter(priorities=pk)
            else:
                chosen = chosen.filter(priorities__isnull=True)
            if totals["activities"] > ACTIVITY_LIMIT:
                order = ("-participants_total", "start_date", "id")
            else:
                order = ("start_date", "id")
            # The listed activities first, then their funding: summing every activity's funding only
            # to list the first ACTIVITY_LIMIT of them took seconds at 100× volume.
            ids = list(chosen.order_by(*order).values_list("pk", flat=True)[:ACTIVITY_LIMIT])
            items = (
                listed.filter(pk__in=ids)
                .order_by(*order)
                .prefetch_related("territory_units", "municipalities")
            )
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


def _add_funding(data, breakdown):
    for scope, by_source in breakdown.funding_by_source().items():
        data["scopes"][scope]["funding"] = [
            {"source": source, "amount": _s(amount)} for source, amount in by_source.items()
        ]
        data["scopes"][scope]["funding_total"] = _s(sum(by_source.values(), Decimal(0)))


def _add_municipalities(data, breakdown):
    """Activities and participants per municipality of both divisions (see
    ``YearBreakdown.participation_by_municipality``)."""
    for scope, eras in breakdown.participation_by_municipality().items():
        data["scopes"][scope]["municipalities"] = {
            era: [
                {
                    "name_lv": municipality.name_lv,
                    "name_en": municipality.name_en or "",
                    "activities": cell[0],
                    "participants": cell[1],
                }
                for municipality, cell in sorted(eras[era].items(), key=lambda item: item[0].name_lv)
            ]
            for era in Municipality.Era.values
        }
        data["scopes"][scope]["unplaced"] = {
            "activities": eras["unplaced"][0],
            "participants": eras["unplaced"][1],
        }


def _add_quality(data, breakdown):
    rows = breakdown.data_quality()
    for scope in data["scopes"]:
        data["scopes"][scope]["quality"] = [r for r in rows if scope == JOINT or r["lag"] == scope]
