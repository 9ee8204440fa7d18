"""The settings read the environment; production mistakes fail loudly."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"


def run(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "ddkc.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = run(DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_settings_default_to_sqlite_and_select_postgresql_from_database_url():
    assert run(DEBUG="true").stdout.strip() == "django.db.backends.sqlite3"
    result = run(DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/ddkc")
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_settings_are_latvian_first_in_riga():
    assert settings.LANGUAGE_CODE == "lv"
    assert [code for code, _ in settings.LANGUAGES] == ["lv", "en"]
    assert settings.TIME_ZONE == "Europe/Riga"
    assert settings.DEBUG is False


def test_settings_take_a_secret_key_starting_with_a_dollar_verbatim():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)",
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ddkc.settings",
            "DEBUG": "false",
            "SECRET_KEY": "$x-random-key",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "$x-random-key", result.stderr


def test_portal_url_has_a_default_only_in_development():
    """With DEBUG off an unset PORTAL_URL stays unset (``check --deploy`` then refuses it, ddkc.E002):
    the annual report printed the development address http://127.0.0.1:8000/ instead."""
    probe = "import django; django.setup(); from django.conf import settings as s; print(repr(s.PORTAL_URL))"
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "PORTAL_URL")}

    def portal_url(**env):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=settings.BASE_DIR,
            env={**base, "DJANGO_SETTINGS_MODULE": "ddkc.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    assert portal_url(DEBUG="false", SECRET_KEY="x") == "''"
    assert portal_url(DEBUG="false", SECRET_KEY="x", PORTAL_URL="https://ddkc.lv") == "'https://ddkc.lv'"
    assert portal_url(DEBUG="true") == "'http://127.0.0.1:8000'"
