from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.shortcuts import redirect
from django.urls import include, path

from . import seo, sitemaps, views


def root(request):
    # Latvian is the default; a visitor who chose English keeps it (language cookie only).
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return redirect(f"/{language}/")


# The portal's own error pages, in the page's language (a refusal in the admin: in the admin's look).
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error


urlpatterns = [
    path("", root),
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    # Evidence files are never published under MEDIA_URL: this view decides who gets them.
    path("evidence/<slug:kind>/<int:pk>/", views.evidence, name="evidence"),
    # Findable (#15): robots.txt, the sitemap index and its parts (ddkc/sitemaps.py), the browser's icon.
    path("robots.txt", seo.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_view, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap-section"),
    path("favicon.ico", seo.favicon),
    # The read API: versioned, no language prefix (texts come in both languages), ddkc/api/.
    path("api/v1/", include("ddkc.api.urls")),
]
urlpatterns += i18n_patterns(
    path("reports/", include("indicators.yearend.urls")),
    path("", include("indicators.urls")),
    path("", include("strategy.urls")),
    path("privacy/", views.privacy, name="privacy"),
    prefix_default_language=True,
)
