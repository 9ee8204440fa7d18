"""Deployment settings, security headers, login throttling, sessions and the admin path.

What each test tries is in its name and docstring; together they are the security note's evidence."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import get_random_secret_key

from tests import factories

PASSWORD = "correct-horse-battery-staple"  # the factories' password


def production_env(**overrides):
    """The production variables .env.example documents, as an operator would set them."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "AXES_", "DJANGO_"))
        and k
        not in (
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "ADMIN_URL",
            "STATIC_MANIFEST",
            "CACHE_URL",
            "PORTAL_URL",
        )
    }
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "ddkc.settings",
        "DEBUG": "false",
        "SECRET_KEY": get_random_secret_key() + secrets.token_urlsafe(16),
        "ALLOWED_HOSTS": "portal.example.lv",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.lv",
        "PORTAL_URL": "https://portal.example.lv",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        # The checks need no data; an in-memory database leaves no db.sqlite3 behind.
        "DATABASE_URL": "sqlite://:memory:",
        "EMAIL_URL": "smtp+tls://portal%40example.lv:password@mail.example.lv:587",
        **overrides,
    }


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_documents_every_production_variable_the_deploy_check_needs():
    documented = Path(settings.BASE_DIR, ".env.example").read_text()
    for variable in production_env():
        if variable in ("DJANGO_SETTINGS_MODULE",) or variable in os.environ:
            continue
        assert re.search(rf"^#? ?{variable}=", documented, re.MULTILINE), variable


def test_deploy_check_is_clean_with_the_documented_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_warns_when_hsts_is_left_out():
    result = manage("check", "--deploy", SECURE_HSTS_SECONDS="0")
    assert "security.W004" in result.stdout + result.stderr


def test_malformed_proxy_header_setting_fails_loudly():
    result = manage("check", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must be" in result.stderr


def test_production_settings_are_secure_by_default():
    # The test run uses DEBUG=false with only the SSL redirect switched off (plain-HTTP test client).
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.X_FRAME_OPTIONS == "DENY"
    validators = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert validators == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] == {"min_length": 12}


def test_public_page_sends_strict_security_headers(client, strategy):
    response = client.get("/lv/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/lv/", "/en/", "/admin/login/"])
def test_pages_have_no_inline_script_or_style_the_policy_would_block(client, strategy, url):
    page = client.get(url).content.decode()
    # <script> elements must load a file or be JSON data (which CSP does not execute).
    for attributes in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no onclick= and friends


def test_admin_change_form_has_no_inline_script_or_style(client, strategy):
    client.force_login(factories.user(is_superuser=True))
    page = client.get("/admin/strategy/activity/add/").content.decode()
    for attributes in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"\son[a-z]+=", page)
    assert "<style" not in page


def login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR="192.0.2.10",
    )


def test_login_is_locked_after_the_failure_limit_for_that_username_and_address(client, db, settings):
    """Tried: AXES_FAILURE_LIMIT wrong passwords, then the right one from the same address (refused,
    429 with a Latvian message), the same username from another address and another username from
    the same address (both still allowed)."""
    user = factories.user()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = login(client, user.username, "wrong-password-123")
        assert response.status_code == 200  # the login form again, with its error
    response = login(client, user.username, "wrong-password-123")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Pieteikšanās bloķēta" in page
    assert "šim lietotājvārdam no šīs adreses pieteikšanās ir bloķēta" in page
    assert f"pēc {settings.AXES_COOLOFF_TIME.seconds // 60} min." in page

    response = login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    other_address = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert other_address.status_code == 302
    client.logout()
    other_user = factories.user()
    assert login(client, other_user.username, PASSWORD).status_code == 302


def test_login_lock_ends_after_the_cooloff_period(client, db, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    user = factories.user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "wrong-password-123")
    assert login(client, user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(hours=2))
    assert login(client, user.username, PASSWORD).status_code == 302


def test_successful_login_resets_the_failure_count(client, db, settings):
    user = factories.user()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, user.username, "wrong-password-123")
    assert login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, user.username, "wrong-password-123").status_code == 200


def test_staff_session_cookie_expires_at_browser_close(client, db):
    user = factories.user()
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""  # a browser-session cookie
    assert cookie["max-age"] == ""
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert client.session.get_expiry_age() == 8 * 60 * 60


PROBE_ADMIN = """
import django
django.setup()
from django.test import Client
from django.urls import reverse
client = Client()
print(reverse("admin:index"))
print(client.get("/admin/login/").status_code)
response = client.get("/office/login/", HTTP_ACCEPT_LANGUAGE="en")
print(response.status_code, 'lang="lv"' in response.content.decode())
"""


def test_admin_path_comes_from_the_environment_and_stays_latvian(tmp_path):
    env = production_env(
        ADMIN_URL="office/",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        # The login form needs no database: an empty one proves it.
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE_ADMIN],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split("\n")[:3] == ["/office/", "404", "200 True"], result.stderr


def test_admin_path_must_be_relative_and_end_with_a_slash():
    result = manage("check", ADMIN_URL="/admin")
    assert result.returncode != 0
    assert "ADMIN_URL must be a relative path" in result.stderr


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy: a client's header is ignored
        (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the client's address
        (1, "10.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged first entry does not count
        (2, "203.0.113.9, 198.51.100.1", "203.0.113.9"),  # two proxies
        (2, "198.51.100.1", "192.0.2.1"),  # fewer entries than proxies: the socket's address
    ],
)
def test_login_throttling_sees_the_client_address_behind_trusted_proxies(
    settings, rf, proxies, forwarded_for, expected
):
    from ddkc.security import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    settings.TRUSTED_PROXIES = ["192.0.2.1"]  # the socket's address is the proxy's
    request = rf.post("/admin/login/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("portal_url", "problem"),
    [
        ("", "PORTAL_URL nav iestatīts"),
        ("portal.example.lv", "nav pilna http(s) adrese"),
        ("ftp://portal.example.lv", "nav pilna http(s) adrese"),
        ("http://127.0.0.1:8000", "iekšējā adrese"),
        ("https://localhost/", "iekšējā adrese"),
    ],
)
def test_deploy_check_refuses_a_missing_or_unusable_portal_url(portal_url, problem):
    """The annual report printed http://127.0.0.1:8000/ as the portal's address when PORTAL_URL was
    unset: with DEBUG off it has no default and the deploy check says what to set."""
    result = manage("check", "--deploy", PORTAL_URL=portal_url)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ddkc.E002" in output and problem in output
    assert "PORTAL_URL=https://" in output  # the hint shows the form


@pytest.mark.parametrize("portal_url", ["https://portal.example.lv", "https://example.lv/ddkc/"])
def test_deploy_check_accepts_a_public_portal_url(portal_url):
    result = manage("check", "--deploy", "--fail-level", "WARNING", PORTAL_URL=portal_url)
    assert result.returncode == 0, result.stdout + result.stderr
