"""The portal as production runs it: gunicorn, production settings, hashed static files from
WhiteNoise, a SQLite database in a temporary folder (migrated, strategy loaded)."""

import re

import pytest

from tests.production import fetch, gunicorn, prepare, production_env


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = production_env(folder)
    prepare(env)
    with gunicorn(env) as base:
        yield base


def assert_security_headers(headers):
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(("url", "language"), [("/lv/", "lv"), ("/en/", "en")])
def test_production_serves_the_public_pages(portal, url, language):
    status, headers, body = fetch(portal + url)
    assert status == 200
    page = body.decode()
    assert f'<html lang="{language}">' in page
    assert_security_headers(headers)
    # Plain HTTP: no HSTS (browsers ignore it there anyway).
    assert "Strict-Transport-Security" not in headers


def test_production_sends_hsts_over_https_behind_the_proxy(portal):
    status, headers, _ = fetch(portal + "/lv/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_serves_hashed_static_files_for_a_year(portal):
    page = fetch(portal + "/lv/")[2].decode()
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links a hashed stylesheet"
    status, headers, body = fetch(portal + stylesheet.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert body


def test_production_health_probe_answers_ok(portal):
    status, _, body = fetch(portal + "/healthz")
    assert (status, body) == (200, b"ok\n")


def test_production_admin_login_page_is_latvian_and_strict(portal):
    status, headers, body = fetch(portal + "/admin/login/", {"Accept-Language": "en"})
    assert status == 200
    page = body.decode()
    assert 'lang="lv"' in page
    assert 'name="password"' in page
    assert_security_headers(headers)
    cookie = headers["Set-Cookie"]
    assert "csrftoken=" in cookie
    assert "Secure" in cookie


def test_production_does_not_publish_media_or_unknown_evidence(portal):
    assert fetch(portal + "/media/evidence/activities/x.pdf")[0] == 404
    assert fetch(portal + "/evidence/activity/1/")[0] == 404
