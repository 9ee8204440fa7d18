"""Every server process sees one cache: after a coordinator reopens an approved activity, no gunicorn
worker serves it from its cache any more.

Production as documented: two gunicorn workers, production settings, and the cache that production
uses — Django's database cache (the default with DEBUG off, its table made by ``migrate``) and the
machine's Redis (``CACHE_URL=redis://…``). The coordinator reopens the activity through the admin (one
worker handles that request); then 60 anonymous requests alternate between the activity's public page
and the activity list, spread over both workers by concurrent connections: not one may still show it.
With a per-process cache (``locmemcache://``) the worker that did not handle the reopening keeps its
stale copy: ``test_a_per_process_cache_serves_stale_pages`` shows it (so the scenario does reach both
workers, and the shared-cache tests can fail), and ``check --deploy`` refuses that setup."""

import http.cookies
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.production import BASE_DIR, fetch, gunicorn, prepare, production_env

REDIS = ("127.0.0.1", 6379)
PASSWORD = "correct-horse-battery-staple"
TITLE = "Pagasta talka pie ezera"
SETUP = f"""
from strategy import services
from tests import factories
from partners import roles
lag = factories.lag()
coordinator = factories.user(role=roles.COORDINATOR, lag=lag, username="koordinators")
editor = factories.user(role=roles.EDITOR, lag=lag)
activity = factories.activity(lag=lag, title_lv={TITLE!r}, author=editor)
services.submit(activity, by=editor)
services.approve(activity, by=coordinator)
print(activity.pk)
"""


def redis_reachable():
    try:
        with socket.create_connection(REDIS, timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def shell(env, code):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def post(url, headers, body):
    """(status, headers, body) of a form POST, without following the redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Browser:
    """A coordinator's browser: cookies kept by hand (urllib's jar would not send them over plain
    HTTP to 127.0.0.1 when they are marked Secure in production)."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, path, data=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        if body is None:
            status, response_headers, content = fetch(self.base + path, headers)
        else:
            status, response_headers, content = post(self.base + path, headers, body)
        for header in response_headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return status, response_headers, content


def stale_answers(base, activity_pk, count):
    """Of ``count`` anonymous requests (half the public page, half the list), those that still show
    the activity."""
    urls = [f"/lv/activities/{activity_pk}/", "/lv/activities/"] * (count // 2)

    def shows_it(url):
        status, _, body = fetch(base + url)
        return status == 200 and TITLE in body.decode()

    with ThreadPoolExecutor(max_workers=6) as pool:
        return sum(pool.map(shows_it, urls))


def run_reopen_scenario(folder, **cache):
    overrides = {
        **cache,
        # Plain HTTP on 127.0.0.1: the coordinator's cookies travel without TLS in this test.
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    env = production_env(folder, **overrides)
    prepare(env)
    activity_pk = shell(env, SETUP)
    with gunicorn(env, workers=2) as base:
        # 40 concurrent requests: both workers serve the approved activity, and cache it.
        assert stale_answers(base, activity_pk, 40) == 40

        coordinator = Browser(base)
        coordinator.request("/admin/login/")
        status, headers, _ = coordinator.request(
            "/admin/login/?next=/admin/", {"username": "koordinators", "password": PASSWORD}
        )
        assert (status, headers["Location"]) == (302, "/admin/"), "the coordinator is logged in"
        status, headers, _ = coordinator.request(
            f"/admin/strategy/activity/{activity_pk}/workflow/reopen/",
            {"note": "Jāpārbauda dalībnieku skaits.", "to": "returned"},
        )
        assert status == 302
        status_now = (
            f"from strategy.models import Activity; print(Activity.objects.get(pk={activity_pk}).status)"
        )
        assert shell(env, status_now) == "returned", "the coordinator reopened the activity"

        return stale_answers(base, activity_pk, 60)


def test_database_cache_two_workers_serve_no_stale_page_after_a_reopen(tmp_path):
    # No CACHE_URL: production's default, the database cache in the table `migrate` made.
    assert run_reopen_scenario(tmp_path) == 0


def test_a_per_process_cache_serves_stale_pages(tmp_path):
    # The defect the shared caches fix (50 of 60 stale when measured): the worker that did not handle
    # the reopening keeps its own copy and its own data version.
    assert run_reopen_scenario(tmp_path, CACHE_URL="locmemcache://ddkc") > 0


def test_redis_cache_two_workers_serve_no_stale_page_after_a_reopen(tmp_path):
    if not redis_reachable():
        pytest.skip("Redis on 127.0.0.1:6379 cannot be reached: the Redis case is not tried")
    try:
        import redis
    except ImportError:
        pytest.fail(
            "The redis package (a dependency in pyproject.toml) is not installed: run `make install`."
        )
    # A prefix of its own: another portal (or another test run) on the same Redis never shares keys.
    prefix = f"ddkc-test-{secrets.token_hex(6)}"
    url = f"redis://{REDIS[0]}:{REDIS[1]}/1"
    try:
        assert run_reopen_scenario(tmp_path, CACHE_URL=url, CACHE_KEY_PREFIX=prefix) == 0
    finally:
        client = redis.Redis(host=REDIS[0], port=REDIS[1], db=1)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


@pytest.mark.parametrize("cache_url", ["locmemcache://ddkc", "dummycache://"])
def test_deploy_check_refuses_a_per_process_cache(cache_url):
    from tests.test_security import manage

    result = manage("check", "--deploy", CACHE_URL=cache_url)
    assert result.returncode != 0
    assert "ddkc.E001" in result.stderr + result.stdout
    assert "CACHE_URL" in result.stderr + result.stdout  # the hint says what to set


@pytest.mark.parametrize("cache_url", [None, "redis://127.0.0.1:6379/1", "dbcache://ddkc_cache"])
def test_deploy_check_accepts_a_shared_cache(cache_url):
    from tests.test_security import manage

    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **({"CACHE_URL": cache_url} if cache_url else {})
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cache_defaults_to_the_database_and_redis_urls_select_djangos_backend():
    probe = "import django; django.setup(); from django.conf import settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    base = {**production_env(BASE_DIR), "DATABASE_URL": "sqlite://:memory:"}

    def cache(**env):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=BASE_DIR,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.split()

    assert cache() == ["django.core.cache.backends.db.DatabaseCache", "ddkc_cache"]
    assert cache(CACHE_URL="redis://127.0.0.1:6379/1") == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/1",
    ]
    # Development (DEBUG on) keeps the in-process cache: one runserver process.
    assert cache(DEBUG="true")[0] == "django.core.cache.backends.locmem.LocMemCache"
