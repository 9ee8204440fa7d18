"""Absolute addresses of a public page for search engines and link previews (#15).

The canonical link keeps only the ``page`` query parameter: a list's pages each show other records, so
each is its own page for a crawler; every other parameter is either a filter (a filtered list is a
subset of the unfiltered one, whose pages already reach every record — indexing each combination of
filters would list the same records many times) or a tracking/unknown parameter (?utm_source, ?fbclid,
?v=…), and is dropped. The hreflang alternates (lv, en, and x-default → lv, the portal's default
language) point to the same canonical address in each language. Everything is built from
settings.PORTAL_URL, as the annual PDF builds its links, never from the request's Host header."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse, translate_url

CANONICAL_PARAMS = ("page",)


def absolute(path):
    return settings.PORTAL_URL.rstrip("/") + path


def canonical_path(request):
    try:
        kept = [(name, request.GET[name]) for name in CANONICAL_PARAMS if request.GET.get(name)]
    except SuspiciousOperation:  # the portal's 400 page for a query it refused (too many fields)
        kept = []
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def head_links(request):
    path = canonical_path(request)
    alternates = [(code, absolute(translate_url(path, code))) for code, _name in settings.LANGUAGES]
    default = dict(alternates)[settings.LANGUAGE_CODE]
    return {
        "canonical": absolute(path),
        "alternates": [*alternates, ("x-default", default)],
    }


def robots_txt(request):
    """Crawlers may read the public pages (/lv/, /en/); not the admin nor the evidence downloads (files
    of activities, served only to whom may see them); the sitemap is named. A non-default ADMIN_URL is
    chosen to keep the admin off the well-known path, so robots.txt does not publish it: only the
    well-known /admin/ is listed (a crawler gets the login page there at most)."""
    lines = [
        "User-agent: *",
        *(f"Allow: /{code}/" for code, _name in settings.LANGUAGES),
        "Disallow: /admin/",
        "Disallow: /evidence/",
        "Disallow: /i18n/",
        f"Sitemap: {absolute(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon (WhiteNoise
    serves it) instead of a 404 — a page-rendering 404 — on every first visit."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
