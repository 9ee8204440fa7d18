from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.reports, name="list"),
    path("iptt.xlsx", views.iptt_file, name="iptt"),
    path("<int:year>/<slug:scope>-<str:language>.pdf", views.report_file, name="file"),
]
