from django.urls import path

from . import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.reports, name="list"),
    path("<int:year>/<slug:scope>-<str:language>.pdf", report_views.report_file, name="file"),
]
