"""Public pages that show figures: every figure comes from the progress engine (invariant 2)."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from partners.models import LAG
from partners.public_cache import data_version, public_page
from strategy import tallies
from strategy.models import Activity, FundingLine, Priority, Strategy
from strategy.paging import ActivityPaginator
from strategy.shortcuts import YEAR_RANGE, int_or_none, strategy_or_404

from . import narratives, opendata
from .charts import bar_chart, sparkline
from .models import EstimateWeight, Indicator, Measurement
from .progress import FORMULA, PERIOD_RULES, ProgressEngine, Status, thresholds


def portal_url(path):
    """An absolute address on the portal's public address (settings.PORTAL_URL), never the request's Host."""
    return settings.PORTAL_URL.rstrip("/") + path


def period_rule(indicator):
    """The indicator's period rule in words, as indicators/progress.py states it."""
    return PERIOD_RULES.get(indicator.measure, "")


def funding_source_labels(indicator):
    return [
        FundingLine.Source(code).label
        for code in indicator.funding_sources or []
        if code in FundingLine.Source
    ]


def scope_completeness(engine, indicator, lag, years):
    """(LAG-years with data, LAG-years) of the scope shown: the chosen LAG or all, over the figure's years."""
    lags = [lag] if lag is not None else engine.lags
    by_year = dict(engine.completeness(indicator))
    have = sum(1 for year in years for other, ok in by_year.get(year, []) if ok and other in lags)
    return have, len(years) * len(lags)


def shown_figure(engine, indicator, lag=None, year=None):
    """The figure of a scope; the running year's is the year-to-date figure, which has no status."""
    if year is not None and year == engine.year_to_date_year:
        return engine.year_to_date(indicator, lag)
    return engine.figure(indicator, lag, year)


def shown_series(engine, indicator, lag=None):
    return [shown_figure(engine, indicator, lag, year) for year in engine.years]


@public_page
def home(request):
    strategy = Strategy.objects.current()
    context = {"strategy": strategy, "lags": LAG.objects.all()}
    if strategy is not None:
        engine = ProgressEngine(strategy)
        context.update(
            {
                "headline": engine.headline(),
                "cofinancing": engine.cofinancing(),
                "funding_indicator": engine.funding_indicator(),
                "priority_cards": [(p, engine.for_priority(p)) for p in strategy.priorities.all()],
                "latest_activities": Activity.objects.approved().for_list()[:6],
                "last_update": engine.last_update(),
            }
        )
    return render(request, "indicators/home.html", context)


@public_page
def priority_detail(request, number):
    strategy = strategy_or_404()
    priority = get_object_or_404(Priority, strategy=strategy, number=number)
    engine = ProgressEngine(strategy)
    context = {
        "strategy": strategy,
        "priority": priority,
        "figures": engine.for_priority(priority),
        "activities": Activity.objects.approved().filter(priorities=priority).for_list()[:10],
        "activity_count": tallies.approved_count(priority=priority),
        "thresholds": thresholds(),
    }
    return render(request, "indicators/priority_detail.html", context)


@public_page
def dashboard(request):
    strategy = strategy_or_404()
    engine = ProgressEngine(strategy)
    lag = LAG.objects.filter(slug=request.GET.get("lag") or "").first() if request.GET.get("lag") else None
    year = int_or_none(request.GET.get("year"), YEAR_RANGE)
    if year not in engine.years:
        year = None
    rows = []
    for indicator in engine.indicators:
        figure = shown_figure(engine, indicator, lag, year)
        rows.append(
            {
                "figure": figure,
                "spark": sparkline(engine.series(indicator, lag)),
                "completeness": scope_completeness(engine, indicator, lag, figure.years),
            }
        )
    running = engine.year_to_date_year
    year_to_date = (
        [engine.year_to_date(indicator, lag) for indicator in engine.indicators]
        if running is not None and year is None
        else []
    )
    context = {
        "strategy": strategy,
        "rows": rows,
        "lags": engine.lags,
        "years": engine.years,
        "selected_lag": lag,
        "selected_year": year,
        "period_years": engine.period_years(),
        "year_to_date_year": running,
        "year_to_date": year_to_date,
        "formula": FORMULA,
        "thresholds": thresholds(),
        "last_update": engine.last_update(),
        "statuses": Status,
    }
    return render(request, "indicators/dashboard.html", context)


@public_page
def indicator_detail(request, code):
    strategy = strategy_or_404()
    engine = ProgressEngine(strategy)
    indicator = engine.by_code.get(code)
    if indicator is None:
        raise Http404
    joint = shown_series(engine, indicator)
    per_lag = [(lag, shown_series(engine, indicator, lag)) for lag in engine.lags]
    chart = bar_chart(
        title=_("%(code)s pa gadiem") % {"code": indicator.code},
        indicator=indicator,
        years=engine.years,
        groups=[(_("Visas VRG kopā"), engine.series(indicator))]
        + [(lag.short_name, engine.series(indicator, lag)) for lag in engine.lags],
    )
    cumulative = engine.figure(indicator)
    # The LAGs' approved explanations of the period's last year, beside the figure (#16): one query.
    narrative_year = cumulative.years[-1] if cumulative.years else None
    found = narratives.approved_for(strategy, narrative_year, indicator=indicator)
    context = {
        "strategy": strategy,
        "indicator": indicator,
        "cumulative": cumulative,
        "narrative_year": narrative_year,
        "variance_narratives": [
            found[key] for key in ((indicator.pk, lag.pk) for lag in engine.lags) if key in found
        ],
        "completeness": scope_completeness(engine, indicator, None, cumulative.years),
        "cumulative_per_lag": [engine.figure(indicator, lag) for lag in engine.lags],
        "joint": joint,
        "per_lag": per_lag,
        "chart": chart,
        "completeness_table": engine.completeness(indicator),
        "lags": engine.lags,
        "period_rule": period_rule(indicator),
        "formula": FORMULA,
        "thresholds": thresholds(),
        "last_update": engine.last_update(indicator),
        "activity_types": indicator.activity_types.all(),
        "funding_sources": funding_source_labels(indicator),
        "year_to_date_year": engine.year_to_date_year,
        # the copy-paste snippet for other sites (indicators/embed.py): absolute, from PORTAL_URL
        "embed_url": portal_url(reverse("indicators:embed", args=[indicator.code])),
        "badge_url": portal_url(reverse("indicators:badge", args=[indicator.code])),
        "indicator_url": portal_url(reverse("indicators:indicator", args=[indicator.code])),
    }
    if indicator.rule == Indicator.Rule.FUNDING:
        context["cofinancing"] = engine.cofinancing()
    if indicator.measure == Indicator.Measure.ESTIMATE:
        context["weights"] = list(EstimateWeight.objects.filter(strategy=strategy).select_related("lag"))
    return render(request, "indicators/indicator_detail.html", context)


@public_page
def records(request, code):
    """The approved records behind a figure (invariant 3): activities of the indicator's types or
    approved measurements, for a LAG and/or year."""
    strategy = strategy_or_404()
    indicator = get_object_or_404(Indicator, strategy=strategy, code=code)
    lag = LAG.objects.filter(slug=request.GET.get("lag") or "").first() if request.GET.get("lag") else None
    year = int_or_none(request.GET.get("year"), YEAR_RANGE)
    if year is not None and year not in strategy.years:
        year = None
    engine = ProgressEngine(strategy)
    figure = engine.figure(indicator, lag, year)
    context = {"strategy": strategy, "indicator": indicator, "lag": lag, "year": year, "figure": figure}
    if indicator.is_computed:
        # The figure's years: the chosen year, or the period (none while no year is complete).
        first, last = (figure.years[0], figure.years[-1]) if figure.years else (strategy.period_start, None)
        lookups = {"activity_type__in": indicator.activity_types.all(), **({"lag": lag} if lag else {})}
        # While no year is complete the period is empty: every approved record of the indicator from the start.
        until = {} if last is None else {"start_date__year__lte": last}
        activities = Activity.objects.approved().filter(start_date__year__gte=first, **until, **lookups)
        count = tallies.approved_count(  # the same activities
            year__gte=first, **({} if last is None else {"year__lte": last}), **lookups
        )
        paginator = ActivityPaginator(
            activities, 50, count=count, rows=Activity.objects.for_list().prefetch_related("funding_lines")
        )
        page = paginator.get_page(request.GET.get("page"))
        context["page"] = page
        context["activities"] = page.object_list
        context["query_string"] = urlencode(
            {k: v for k, v in (("lag", lag and lag.slug), ("year", year)) if v}
        )
    else:
        measurements = Measurement.objects.approved().filter(indicator=indicator).select_related("lag")
        if lag is not None:
            measurements = measurements.filter(lag=lag)
        if year is not None:
            measurements = measurements.filter(year=year)
        context["measurements"] = measurements.select_related("municipality").order_by("year", "lag")
    return render(request, "indicators/records.html", context)


@public_page
def lag_detail(request, slug):
    strategy = strategy_or_404()
    lag = get_object_or_404(LAG, slug=slug)
    engine = ProgressEngine(strategy)
    contributions = [
        {"lag": engine.figure(indicator, lag), "joint": engine.figure(indicator)}
        for indicator in engine.indicators
    ]
    context = {
        "strategy": strategy,
        "lag": lag,
        "priorities": lag.priorities.all(),
        "local_strategies": lag.local_strategies.all(),
        "units": lag.territory_units.select_related("municipality_2009", "municipality_2021"),
        "contributions": contributions,
        "activities": Activity.objects.approved().filter(lag=lag).for_list()[:10],
        "cumulative_years": engine.period_years(),
        "thresholds": thresholds(),
    }
    return render(request, "indicators/lag_detail.html", context)


@public_page
def methodology(request):
    """How the portal measures each indicator: the strategy states the indicators, not how to measure them."""
    strategy = strategy_or_404()
    indicators = Indicator.objects.filter(strategy=strategy).order_by("order", "code")
    context = {
        "strategy": strategy,
        "rows": [
            {"indicator": i, "period_rule": period_rule(i), "funding_sources": funding_source_labels(i)}
            for i in indicators
        ],
        "formula": FORMULA,
        "thresholds": thresholds(),
    }
    return render(request, "indicators/methodology.html", context)


@public_page
def open_data(request):
    strategy = strategy_or_404()
    engine = ProgressEngine(strategy)
    context = {
        "strategy": strategy,
        "datasets": opendata.DATASETS,
        "formats": opendata.FORMATS,
        "last_update": engine.last_update(),
        "lags": engine.lags,
        "example_year": str(engine.years[-1] if engine.years else strategy.period_start),
    }
    return render(request, "indicators/open_data.html", context)


@require_safe
@transaction.non_atomic_requests  # serving a stored file opens no transaction; a build opens its own
def open_data_file(request, dataset, fmt):
    """A stored open-data file (``opendata``): built on the first request of a data version, then sent
    from disk with an ETag (version, file, subset) and Last-Modified (the data's last change), and a
    conditional request answered 304. Not ``public_page``: the page cache keys on the whole query string,
    so ``?v=1``, ``?v=2``… would each build the file; here only ``lag`` and ``year`` choose the file and
    every other parameter is ignored — a request for a built file reads no database at all."""
    if dataset not in opendata.DATASETS or fmt not in opendata.FORMATS:
        raise Http404
    try:
        subset = opendata.requested_subset(dataset, request.GET)
        version = data_version()
        etag = opendata.etag(version, dataset, fmt, subset)
        changed = opendata.last_modified(version)
        not_modified = get_conditional_response(request, etag=etag, last_modified=changed)
        if not_modified is not None:
            return not_modified
        # a large file the timer has not built for this version yet: its newest earlier copy
        served, path = opendata.served_file(strategy_or_404, version, dataset, fmt, subset)
        if served != version:
            etag = opendata.etag(served, dataset, fmt, subset)
            changed = opendata.last_modified(served)
            not_modified = get_conditional_response(request, etag=etag, last_modified=changed)
            if not_modified is not None:
                return not_modified
    except opendata.BadSubset as refusal:
        return render(request, f"{refusal.status}.html", {"reason": str(refusal)}, status=refusal.status)
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 — FileResponse closes it when the answer is sent
        as_attachment=True,
        filename=opendata.file_name(dataset, fmt, subset),
        content_type=opendata.FORMATS[fmt],
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed)
    # a browser asks again each time (a 304 while the data is unchanged), never keeps an old file
    response["Cache-Control"] = "no-cache"
    return response
