"""The API's endpoints: read-only (GET/HEAD), anonymous, no session or CSRF token needed.

Each list reads a fixed number of queries whatever the data size (select_related/prefetch_related); the
activities are paged with a cursor over the public list's index (approved, newest first), so the
thousandth page costs what the first does. Figures come from the progress engine, as the dashboard's do,
and are kept in the public cache under the data version (partners/public_cache.py): the engine runs once
per scope until a write changes the data."""

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from indicators.models import Indicator
from indicators.progress import ProgressEngine
from indicators.views import shown_figure
from partners.models import LAG, Municipality, TerritoryUnit
from partners.public_cache import PAGE_TIMEOUT, data_version
from strategy import search
from strategy.models import Activity, ActivityType, FundingLine, Priority, Strategy
from strategy.shortcuts import strategy_or_404

from . import serializers as api

THROTTLED = OpenApiResponse(
    api.Error, description="Too many requests from this address: wait Retry-After seconds."
)
NOT_FOUND = OpenApiResponse(api.Error, description="No such record (or not approved).")
BAD_FILTER = OpenApiResponse(
    inline_serializer(
        "FilterErrors", {"field": serializers.ListField(child=serializers.CharField(), required=False)}
    ),
    description="A parameter has the wrong shape: each field's reasons.",
)


def answers(ok, *others):
    return {200: ok, 429: THROTTLED, **dict(others)}


class ReadOnly:
    """GET and HEAD only; OPTIONS is CORS's preflight, answered by django-cors-headers."""

    http_method_names = ["get", "head"]


class Cached:
    """The answer kept in the public cache under the data version (partners/public_cache.py), so a
    repeated request reads no database until a write changes the data. The key is the host (the answer
    holds absolute links), the path and only the parameters the view reads (``cache_params``): the view
    ignores any other, so they cannot make a different answer — nor fill the cache. Only a 200 is kept;
    the throttle still counts every request."""

    cache_params = ()

    def get(self, request, *args, **kwargs):
        params = urlencode(
            sorted(
                (name, request.query_params.get(name))
                for name in self.cache_params
                if name in request.query_params
            )
        )
        digest = hashlib.sha256(f"{request.get_host()}|{request.path}|{params}".encode()).hexdigest()
        key = f"ddkc:api:{data_version()}:{digest}"
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.data, PAGE_TIMEOUT)
        return response


class ActivityCursor(CursorPagination):
    """Newest first, as the public list: the partial index activity_public reads a page without a sort."""

    ordering = ("-start_date", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema(summary="The API's endpoints", responses=answers(inline_serializer("Root", {})))
class Root(ReadOnly, APIView):
    def get(self, request):
        names = [
            "strategy",
            "indicators",
            "figures",
            "activities",
            "activity-types",
            "lags",
            "municipalities",
        ]
        links = {name: reverse(f"api:{name}", request=request) for name in names}
        links["territory"] = reverse("api:territory", request=request)
        links["schema"] = reverse("api:schema", request=request)
        links["docs"] = reverse("api:docs", request=request)
        return Response(links)


@extend_schema(
    summary="The strategy tree: priorities and expected results, with their indicators' codes",
    responses=answers(api.StrategySerializer, (404, NOT_FOUND)),
)
class StrategyView(Cached, ReadOnly, generics.RetrieveAPIView):
    serializer_class = api.StrategySerializer

    def get_object(self):
        strategy = strategy_or_404()
        indicators = Prefetch("indicators", queryset=Indicator.objects.order_by("order", "code"))
        return (
            Strategy.objects.prefetch_related(
                Prefetch("priorities", queryset=strategy.priorities.prefetch_related(indicators)),
                Prefetch("results", queryset=strategy.results.prefetch_related(indicators)),
            )
            .filter(pk=strategy.pk)
            .get()
        )


def indicators_queryset():
    return (
        Indicator.objects.filter(strategy=strategy_or_404())
        .select_related("result")
        .prefetch_related("activity_types", "priorities")
        .order_by("order", "code")
    )


@extend_schema(
    summary="Indicators with their reference sheets", responses=answers(api.IndicatorSerializer(many=True))
)
class IndicatorList(Cached, ReadOnly, generics.ListAPIView):
    serializer_class = api.IndicatorSerializer
    pagination_class = None

    def get_queryset(self):
        return indicators_queryset()


@extend_schema(
    summary="One indicator's reference sheet", responses=answers(api.IndicatorSerializer, (404, NOT_FOUND))
)
class IndicatorDetail(Cached, ReadOnly, generics.RetrieveAPIView):
    serializer_class = api.IndicatorSerializer
    lookup_field = "code"

    def get_queryset(self):
        return indicators_queryset()


class FiguresAnswer(serializers.Serializer):
    lag = serializers.SlugField(allow_null=True, help_text="null: all LAGs together.")
    year = serializers.IntegerField(allow_null=True, help_text="null: the period `period_years`.")
    period_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="The complete years the period figures cover."
    )
    year_to_date_year = serializers.IntegerField(
        allow_null=True, help_text="The running year: its figures are year to date, without a status."
    )
    last_update = serializers.DateTimeField(allow_null=True)
    figures = api.FigureSerializer(many=True)


@extend_schema(
    summary="Every indicator's figure for a scope, as the KPI dashboard shows it",
    parameters=[api.FigureScope],
    responses=answers(FiguresAnswer, (400, BAD_FILTER), (404, NOT_FOUND)),
)
class Figures(ReadOnly, APIView):
    def get(self, request):
        scope = api.FigureScope(data=request.query_params)
        scope.is_valid(raise_exception=True)
        lag_slug = scope.validated_data.get("lag")
        year = scope.validated_data.get("year")
        # The key holds only validated values: other parameters cannot fill the cache.
        key = f"ddkc:api:figures:{data_version()}:{lag_slug or ''}:{year or ''}"
        data = cache.get(key)
        if data is None:
            # Checked before the engine runs: a made-up LAG must not cost a computation.
            strategy = strategy_or_404()
            if lag_slug and not LAG.objects.filter(slug=lag_slug).exists():
                raise ValidationError({"lag": [api.UNKNOWN_LAG]})
            if year is not None and year not in strategy.years:
                raise ValidationError({"year": [api.year_outside(strategy)]})
            data = self.compute(request, strategy, lag_slug, year)
            cache.set(key, data, PAGE_TIMEOUT)
        return Response(data)

    def compute(self, request, strategy, lag_slug, year):
        engine = ProgressEngine(strategy)
        lag = next((lag for lag in engine.lags if lag.slug == lag_slug), None)
        figures = [shown_figure(engine, indicator, lag, year) for indicator in engine.indicators]
        return FiguresAnswer(
            {
                "lag": lag_slug or None,
                "year": year,
                "period_years": list(engine.period_years()),
                "year_to_date_year": engine.year_to_date_year,
                "last_update": engine.last_update(),
                "figures": figures,
            },
            context={"request": request},
        ).data


def approved_activities():
    # Each related list into a plain list of only the columns shown (to_attr: no related manager per
    # row), so a page of 100 costs little more than a page of 25.
    return (
        Activity.objects.approved()
        .select_related("lag", "activity_type")
        .prefetch_related(
            Prefetch("territory_units", TerritoryUnit.objects.only("id").order_by("id"), to_attr="api_units"),
            Prefetch(
                "municipalities", Municipality.objects.only("era", "slug"), to_attr="api_municipalities"
            ),
            Prefetch(
                "priorities", Priority.objects.only("number").order_by("number"), to_attr="api_priorities"
            ),
            Prefetch(
                "funding_lines",
                FundingLine.objects.only("activity_id", "source", "amount"),
                to_attr="api_funding",
            ),
        )
    )


@extend_schema(
    summary="Approved activities, newest first (cursor pages; the public list's filters)",
    parameters=[api.ActivityFilters],
    responses=answers(api.ActivitySerializer(many=True), (400, BAD_FILTER), (404, NOT_FOUND)),
)
class ActivityList(Cached, ReadOnly, generics.ListAPIView):
    serializer_class = api.ActivitySerializer
    pagination_class = ActivityCursor
    cache_params = (*api.ActivityFilters().fields, "cursor", "page_size")

    def get_queryset(self):
        filters = api.ActivityFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return filtered(approved_activities(), **filters.validated_data)


def filtered(
    activities, *, lag=None, year=None, priority=None, type=None, municipality=None, unit=None, q=None
):
    """The filters of strategy.views.activity_list, on the same model methods."""
    if lag:
        activities = activities.filter(lag__slug=lag)
    if municipality:
        era, _sep, slug = municipality.partition(":")
        place = Municipality.objects.filter(era=era, slug=slug).first()
        # cursor pages start where the previous one ended: the per-activity probe reads only the page
        activities = activities.in_municipality(place, probe=True) if place else activities.none()
    if unit:
        activities = activities.filter(
            pk__in=Activity.territory_units.through.objects.filter(territoryunit=unit).values("activity_id")
        )
    if priority:
        activities = activities.filter(
            pk__in=Activity.priorities.through.objects.filter(
                priority__strategy=strategy_or_404(), priority__number=priority
            ).values("activity_id")
        )
    if type:
        activities = activities.filter(activity_type__code=type)
    if year:
        activities = activities.filter(start_date__year=year)
    q = search.clean_query(q)
    if q:
        # the public list's and the admin's search (unaccented, every term, read from its index)
        activities = search.search(activities, q)
    return activities


@extend_schema(summary="One approved activity", responses=answers(api.ActivitySerializer, (404, NOT_FOUND)))
class ActivityDetail(Cached, ReadOnly, generics.RetrieveAPIView):
    serializer_class = api.ActivitySerializer

    def get_object(self):
        pk = self.kwargs["pk"]
        activity = approved_activities().filter(pk=pk).first() if pk < 2**63 else None
        if activity is None:
            raise Http404
        return activity


@extend_schema(
    summary="Activity types (the codes of ?type=)", responses=answers(api.ActivityTypeSerializer(many=True))
)
class ActivityTypeList(Cached, ReadOnly, generics.ListAPIView):
    serializer_class = api.ActivityTypeSerializer
    pagination_class = None
    queryset = ActivityType.objects.order_by("order", "code")


@extend_schema(summary="The LAGs", responses=answers(api.LAGSerializer(many=True)))
class LAGList(Cached, ReadOnly, generics.ListAPIView):
    serializer_class = api.LAGSerializer
    pagination_class = None
    queryset = LAG.objects.prefetch_related("territory_units")


@extend_schema(
    summary="Municipalities of both eras", responses=answers(api.MunicipalitySerializer(many=True))
)
class MunicipalityList(Cached, ReadOnly, generics.ListAPIView):
    serializer_class = api.MunicipalitySerializer
    pagination_class = None
    queryset = Municipality.objects.all()


@extend_schema(
    summary="The territory: parishes and towns, each with its LAG and municipalities",
    responses=answers(api.TerritoryUnitSerializer(many=True)),
)
class TerritoryList(Cached, ReadOnly, generics.ListAPIView):
    serializer_class = api.TerritoryUnitSerializer
    pagination_class = None
    queryset = TerritoryUnit.objects.select_related("lag", "municipality_2009", "municipality_2021")
