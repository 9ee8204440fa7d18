from django.urls import path

from . import views

app_name = "strategy"

# URL paths are English and the same in both languages, so the language switch keeps the page.
urlpatterns = [
    path("strategy/", views.strategy_document, name="document"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("municipalities/", views.municipality_list, name="municipalities"),
    path("municipalities/<str:era>/<slug:slug>/", views.municipality_detail, name="municipality"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
