"""Error pages are the portal's own, in the page's language, with its navigation, and CSP-clean.

Tried, with DEBUG off, on /lv/ and on /en/: an unknown address (404), a refused page (403), a request
the portal cannot read (400, a SuspiciousOperation and a query string with too many fields) and a view
that fails (500) — the 500 page also with the database out of reach. The admin's own refusal page is
tests/test_admin.py's."""

import re

import pytest
from django.test import Client
from django.urls import reverse

TEXTS = {
    "lv": {
        400: "Nepareizs pieprasījums",
        403: "Piekļuve liegta",
        404: "Lapa nav atrasta",
        500: "Servera kļūda",
        "nav": "Aktivitātes",
    },
    "en": {
        400: "Bad request",
        403: "Access denied",
        404: "Page not found",
        500: "Server error",
        "nav": "Activities",
    },
}


@pytest.fixture(autouse=True)
def failing_views(settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    assert settings.DEBUG is False


def assert_portal_page(response, language, status):
    page = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in page
    assert f"<h1>{TEXTS[language][status]}</h1>" in page
    # the site's navigation, in the same language
    assert f'<a href="/{language}/activities/">{TEXTS[language]["nav"]}</a>' in page
    assert 'class="site-footer"' in page
    # CSP-clean: no inline script or style, and the policy is sent
    for attributes in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attributes, attributes
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("language", ["lv", "en"])
def test_an_unknown_address_is_the_portals_404_page(client, db, language):
    assert_portal_page(client.get(f"/{language}/nav-tadas-lapas/"), language, 404)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_an_unknown_record_is_the_portals_404_page(client, db, language):
    assert_portal_page(client.get(f"/{language}/activities/999999/"), language, 404)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_refused_page_is_the_portals_403_page(client, db, language):
    assert_portal_page(client.get(f"/{language}/failing/403/"), language, 403)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_an_unreadable_request_is_the_portals_400_page(client, db, language):
    assert_portal_page(client.get(f"/{language}/failing/400/"), language, 400)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_query_string_with_too_many_fields_is_the_portals_400_page(client, db, settings, language):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{n}=1" for n in range(11))
    # Raised in ddkc.middleware.NullCharacterMiddleware, below the CSP middleware.
    response = client.get(f"/{language}/activities/?{query}")
    assert_portal_page(response, language, 400)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_failing_view_is_the_portals_500_page(db, language):
    client = Client(raise_request_exception=False)
    assert_portal_page(client.get(f"/{language}/failing/500/"), language, 500)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_500_page_is_shown_without_the_database(language):
    # No `db` fixture: any database access in this test raises, as when the database is down — the
    # request's own transaction fails, and the 500 page must not need the database either.
    client = Client(raise_request_exception=False)
    assert_portal_page(client.get(f"/{language}/failing/500/"), language, 500)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_host_the_portal_does_not_serve_is_the_portals_400_page(client, db, language):
    response = client.get(f"/{language}/", HTTP_HOST="evil.example")
    assert_portal_page(response, language, 400)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_nul_character_in_the_query_is_the_portals_400_page(client, db, language):
    response = client.get(f"/{language}/activities/", {"q": "Talka\x00"})
    # Refused by ddkc.middleware.NullCharacterMiddleware, which sits below the CSP middleware.
    assert_portal_page(response, language, 400)


def test_a_form_sent_without_its_security_token_is_the_portals_403_page_saying_what_to_do(db):
    """A login page left open too long: Django's own page reads "Forbidden (403) CSRF verification failed"
    in English."""
    response = Client(enforce_csrf_checks=True).post(
        reverse("admin:login"), {"username": "x", "password": "y"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "CSRF" not in page
    assert 'class="site-footer"' in page
    assert "Pārlādējiet lapu un mēģiniet vēlreiz" in page
