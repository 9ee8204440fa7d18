"""Public pages of the strategy document and the activities (no figures: those are the indicators app's)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from partners.models import LAG, Municipality, TerritoryUnit
from partners.public_cache import public_page

from . import tallies
from .models import Activity, ActivityType, Statement
from .paging import ActivityPaginator
from .shortcuts import YEAR_RANGE, int_or_none, strategy_or_404

PAGE_SIZE = 25


@public_page
def strategy_document(request):
    strategy = strategy_or_404()
    statements = {kind: [] for kind in Statement.Kind.values}
    for statement in strategy.statements.all():
        statements[statement.kind].append(statement)
    sections = [(kind, Statement.Kind(kind).label, statements[kind]) for kind in Statement.Kind.values]
    context = {
        "strategy": strategy,
        "priorities": strategy.priorities.all(),
        "results": strategy.results.all(),
        "sections": sections,
    }
    return render(request, "strategy/strategy_document.html", context)


# A search for more than this is not a search (SQLite refuses LIKE patterns of ~50 000 characters).
QUERY_MAX_LENGTH = 200


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
        activities = activities.in_municipality(place) if place else activities.none()
        filters["municipality"] = municipality
    unit = int_or_none(request.GET.get("unit"))
    if unit:
        activities = activities.filter(
            pk__in=Activity.territory_units.through.objects.filter(territoryunit=unit).values("activity_id")
        )
        filters["unit"] = unit
    priority = int_or_none(request.GET.get("priority"))
    if priority:
        activities = activities.filter(
            pk__in=Activity.priorities.through.objects.filter(
                priority__strategy=strategy, priority__number=priority
            ).values("activity_id")
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
    query = (request.GET.get("q") or "").strip()[:QUERY_MAX_LENGTH].strip()
    if query:
        activities = activities.filter(
            Q(title_lv__icontains=query)
            | Q(title_en__icontains=query)
            | Q(summary_lv__icontains=query)
            | Q(summary_en__icontains=query)
            | Q(venue__icontains=query)
        )
        filters["q"] = query
    # The tallies count these activities exactly when the filters are LAG, type and year, or LAG, year and
    # municipality; other filters are counted on the activities.
    count = None
    if set(filters) <= {"lag", "type", "year"} or (place and set(filters) <= {"lag", "year", "municipality"}):
        lookups = {"lag__slug": lag, "activity_type__code": kind, "year": year}
        count = tallies.approved_count(municipality=place, **{k: v for k, v in lookups.items() if v})
    paginator = ActivityPaginator(activities, PAGE_SIZE, count=count, rows=Activity.objects.for_list())
    page = paginator.get_page(request.GET.get("page"))
    query_string = "&".join(f"{k}={v}" for k, v in filters.items())
    context = {
        "strategy": strategy,
        "page": page,
        "filters": filters,
        "query_string": query_string,
        "lags": LAG.objects.all(),
        "municipalities": Municipality.objects.all(),
        "units": TerritoryUnit.objects.all(),
        "priorities": strategy.priorities.all(),
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
    context = {"activity": activity, "funding": activity.funding_lines.all()}
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
