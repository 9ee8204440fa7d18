"""Public pages of the strategy document and the activities (no figures: those are the indicators app's)."""

import re
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from partners.models import LAG, Municipality, TerritoryUnit
from partners.public_cache import public_page

from . import permissions, search, tallies
from .models import Activity, ActivityType, Statement
from .paging import ActivityPaginator
from .shortcuts import YEAR_RANGE, int_or_none, strategy_or_404

PAGE_SIZE = 25


def _text(obj, field):
    """The field in the page's language, and whether it is the Latvian text standing in for a missing
    English one (invariant 10)."""
    language = get_language() or "lv"
    value = getattr(obj, f"{field}_{language}", None) or ""
    if value or language == "lv":
        return value, False
    return getattr(obj, f"{field}_lv", "") or "", True


def document_blocks(obj, field, slots=()):
    """A text field of the strategy as the document lays it out: its paragraphs (separated by a blank
    line); a paragraph in square brackets is an editorial note (e.g. that a figure the text cites is not
    in the source), shown marked as such; a paragraph ending in a colon introduces a list, and the next
    of ``slots`` (each a list of blocks) follows it, so a list sits where the document puts it. Slots no
    paragraph introduces follow the text, so nothing the strategy lists is lost."""
    text, fallback = _text(obj, field)
    slots = list(slots)
    blocks = []
    for paragraph in (" ".join(p.split()) for p in re.split(r"\n\s*\n", text)):
        if not paragraph:
            continue
        if paragraph.startswith("[") and paragraph.endswith("]"):
            label, _colon, rest = paragraph[1:-1].partition(": ")
            blocks.append({"kind": "note", "label": label, "text": rest, "fallback": fallback})
            continue
        blocks.append({"kind": "p", "text": paragraph, "fallback": fallback})
        if paragraph.endswith(":") and slots:
            blocks.extend(slots.pop(0))
    for slot in slots:
        blocks.extend(slot)
    if fallback and blocks:
        blocks[0]["marker"] = True
    return blocks


@public_page
def strategy_document(request):
    """The strategy as its document reads: the LAGs and their work, then sections 1–4 in the
    document's order (4 ends with the KPIs, each linking to its indicator's page)."""
    strategy = strategy_or_404()
    statements = {kind: [] for kind in Statement.Kind.values}
    for statement in strategy.statements.all():
        statements[statement.kind].append(statement)

    def listed(kind):
        return [{"kind": "list", "items": statements[kind]}] if statements[kind] else []

    lags = LAG.objects.prefetch_related("local_strategies")
    local_strategies = [s for lag in lags for s in lag.local_strategies.all()]
    context = {
        "strategy": strategy,
        "lags": lags,
        "background": document_blocks(
            strategy,
            "background",
            [
                listed(Statement.Kind.MAIN_TASK) + document_blocks(strategy, "quality_policy"),
                [{"kind": "local_strategies", "items": local_strategies}] if local_strategies else [],
            ],
        ),
        "origin": document_blocks(strategy, "origin"),
        "results": strategy.results.prefetch_related("indicators"),
        "purpose": document_blocks(
            strategy,
            "purpose",
            [
                listed(Statement.Kind.TREND_7Y),
                listed(Statement.Kind.TREND_20Y),
                listed(Statement.Kind.PRINCIPLE),
            ],
        ),
        "analysis": document_blocks(
            strategy,
            "analysis",
            [listed(Statement.Kind.EXTERNAL_FACTOR), listed(Statement.Kind.INTERNAL_FACTOR)],
        ),
        "priorities": strategy.priorities.all(),
        # the indicators app's (a higher layer): read through the reverse relation, never imported
        "kpis": strategy.indicators.filter(kind="kpi").order_by("order"),
    }
    return render(request, "strategy/strategy_document.html", context)


@public_page
def activity_list(request):
    strategy = strategy_or_404()
    activities = Activity.objects.approved()
    filters = {}
    lag = request.GET.get("lag") or ""
    if lag:
        activities = activities.filter(lag__slug=lag)
        filters["lag"] = lag
    municipality = request.GET.get("municipality") or ""
    place = None
    if municipality:
        era, _sep, slug = municipality.partition(":")
        place = Municipality.objects.filter(era=era, slug=slug).first()
        if place is None:
            activities = activities.none()
        filters["municipality"] = municipality
    unit = int_or_none(request.GET.get("unit"))
    if unit:
        activities = activities.filter(
            pk__in=Activity.territory_units.through.objects.filter(territoryunit=unit).values("activity_id")
        )
        filters["unit"] = unit
    priorities = list(strategy.priorities.all())  # the filter's choices, and the chosen one
    priority = int_or_none(request.GET.get("priority"))
    linked = None
    if priority:
        linked = next((p for p in priorities if p.number == priority), None)
        activities = (
            activities.filter(
                pk__in=Activity.priorities.through.objects.filter(priority=linked).values("activity_id")
            )
            if linked
            else activities.none()
        )
        filters["priority"] = priority
    kind = request.GET.get("type") or ""
    if kind:
        activities = activities.filter(activity_type__code=kind)
        filters["type"] = kind
    year = int_or_none(request.GET.get("year"), YEAR_RANGE)
    if year:
        activities = activities.filter(start_date__year=year)
        filters["year"] = year
    query = search.clean_query(request.GET.get("q"))
    if query:
        # the admin's search is the same (ActivityAdmin.get_search_results)
        activities = search.search(activities, query)
        filters["q"] = query
    # The tallies count these activities exactly when the filters are LAG, type and year, with a priority
    # or not, or LAG, year and municipality; other filters are counted on the activities.
    count = None
    lookups = {"lag__slug": lag, "activity_type__code": kind, "year": year}
    if set(filters) <= {"lag", "type", "year"} or (
        linked and set(filters) <= {"lag", "type", "year", "priority"}
    ):
        count = tallies.approved_count(priority=linked, **{k: v for k, v in lookups.items() if v})
    elif place and set(filters) <= {"lag", "year", "municipality"}:
        count = tallies.approved_count(municipality=place, **{k: v for k, v in lookups.items() if v})
    near = None
    if place:  # last: the other filters narrow both plans alike
        activities, near = activities.in_municipality(place), activities.in_municipality(place, probe=True)
    paginator = ActivityPaginator(
        activities, PAGE_SIZE, count=count, rows=Activity.objects.for_list(), near=near
    )
    page = paginator.get_page(request.GET.get("page"))
    # encoded: a search for "Talka & koncerts" stays one search on every page
    query_string = urlencode(filters)
    context = {
        "strategy": strategy,
        "page": page,
        "filters": filters,
        "query_string": query_string,
        "lags": LAG.objects.all(),
        "municipalities": Municipality.objects.all(),
        "units": TerritoryUnit.objects.all(),
        "priorities": priorities,
        "types": ActivityType.objects.all(),
        "years": list(strategy.years),
    }
    return render(request, "strategy/activity_list.html", context)


@public_page
def activity_detail(request, pk):
    activity = get_object_or_404(
        Activity.objects.approved()
        .select_related("lag", "activity_type")
        .prefetch_related(
            "territory_units__municipality_2021", "municipalities", "priorities", "funding_lines"
        ),
        pk=pk,
    )
    # the files its LAG marked publishable; the others are personal data (invariant 12)
    files = activity.evidence.filter(permissions.PUBLIC_EVIDENCE)
    context = {"activity": activity, "funding": activity.funding_lines.all(), "files": files}
    return render(request, "strategy/activity_detail.html", context)


@public_page
def municipality_list(request):
    municipalities = Municipality.objects.all()
    context = {
        "eras": [
            (era, label, [m for m in municipalities if m.era == era])
            for era, label in Municipality.Era.choices
        ]
    }
    return render(request, "strategy/municipality_list.html", context)


@public_page
def municipality_detail(request, era, slug):
    municipality = get_object_or_404(Municipality, era=era, slug=slug)
    unit_field = "municipality_2009" if era == Municipality.Era.STRATEGY else "municipality_2021"
    units = TerritoryUnit.objects.filter(**{unit_field: municipality}).select_related(
        "lag", "municipality_2009", "municipality_2021"
    )
    activities = Activity.objects.approved().in_municipality(municipality)
    lags = LAG.objects.filter(territory_units__in=units).distinct()
    other_field = "municipality_2021" if unit_field == "municipality_2009" else "municipality_2009"
    others = Municipality.objects.filter(**{f"units_{other_field[-4:]}__in": units}).distinct()
    context = {
        "municipality": municipality,
        "units": units,
        "lags": lags,
        "others": others,
        "activities": activities.for_list()[:10],
        "activity_count": tallies.approved_count(municipality=municipality),
        "filter_value": f"{municipality.era}:{municipality.slug}",
    }
    return render(request, "strategy/municipality_detail.html", context)


@public_page
def accessibility(request):
    return render(request, "strategy/accessibility.html", {})
