from django.urls import path

from . import embed, views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("priorities/<int:number>/", views.priority_detail, name="priority"),
    path("indicators/", views.dashboard, name="dashboard"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/records/", views.records, name="records"),
    path("lags/<slug:slug>/", views.lag_detail, name="lag"),
    path("methodology/", views.methodology, name="methodology"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/<slug:dataset>.<str:fmt>", views.open_data_file, name="open_data_file"),
    # Figures on other sites (#15): a frameable card and an SVG badge, for all LAGs together or one LAG.
    path("embed/indicators/<str:code>/", embed.card, name="embed"),
    path("embed/indicators/<str:code>/<slug:lag>/", embed.card, name="embed_lag"),
    path("embed/indicators/<str:code>.svg", embed.badge, name="badge"),
    path("embed/indicators/<str:code>/<slug:lag>.svg", embed.badge, name="badge_lag"),
]
