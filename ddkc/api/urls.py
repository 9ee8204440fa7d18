from django.db import transaction
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("", views.Root.as_view(), name="root"),
    path("strategy/", views.StrategyView.as_view(), name="strategy"),
    path("indicators/", views.IndicatorList.as_view(), name="indicators"),
    path("indicators/<str:code>/", views.IndicatorDetail.as_view(), name="indicator"),
    path("figures/", views.Figures.as_view(), name="figures"),
    path("activities/", views.ActivityList.as_view(), name="activities"),
    path("activities/<int:pk>/", views.ActivityDetail.as_view(), name="activity"),
    path("activity-types/", views.ActivityTypeList.as_view(), name="activity-types"),
    path("lags/", views.LAGList.as_view(), name="lags"),
    path("municipalities/", views.MunicipalityList.as_view(), name="municipalities"),
    path("territory/", views.TerritoryList.as_view(), name="territory"),
    # The schema and the docs read no data: no transaction (ATOMIC_REQUESTS) to open.
    path("schema/", transaction.non_atomic_requests(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        transaction.non_atomic_requests(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html")
        ),
        name="docs",
    ),
]
