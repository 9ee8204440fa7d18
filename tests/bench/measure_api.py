"""The read API on an existing database, read-only (`make bench` builds its own; this measures one that is
already there, e.g. the ×100 PostgreSQL database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ddkc_x100 .venv/bin/python tests/bench/measure_api.py [URL…]

For each API list page: the median server time of BENCH_REPEAT requests through Django's test client with the
cache emptied before each (uncached: the first request after a data change) and warm (cached figures), each
as a ratio to a trivial view served through the same middleware (tests/bench/urls.py), and its query count.
Nothing is written: the cache is a per-process one, the requests are GETs."""

import base64
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddkc.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ["CACHE_URL"] = "locmemcache://api-bench"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from strategy.models import Activity  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
GOAL_MS = 150


def cursor_at(day):
    """A cursor into the middle of the list: DRF's cursor is the position (the first ordering field)."""
    return base64.b64encode(urlencode({"p": day}).encode()).decode()


def api_pages():
    middle = Activity.objects.approved().order_by("-start_date").values_list("start_date", flat=True)
    count = Activity.objects.approved().count()
    day = middle[count // 2].isoformat()
    return {
        # the public pages of the same data, for comparison in the same run
        "(page) activity list, page 1": "/lv/activities/",
        "(page) KPI dashboard": "/lv/indicators/",
        "API activities, page 1": "/api/v1/activities/",
        "API activities, middle page (cursor)": f"/api/v1/activities/?cursor={cursor_at(day)}",
        "API activities, ?lag=kraslava&year=2024": "/api/v1/activities/?lag=kraslava&year=2024",
        "API activities, ?municipality=2021:augsdaugava": "/api/v1/activities/?municipality=2021:augsdaugava",
        "API activities, ?priority=2&type=event": "/api/v1/activities/?priority=2&type=event",
        "API activities, 100 per page": "/api/v1/activities/?page_size=100",
        "API activities, ?q=koncerts": "/api/v1/activities/?q=koncerts",
        "API figures, joint": "/api/v1/figures/",
        "API figures, ?lag=kaimini": "/api/v1/figures/?lag=kaimini",
        "API figures, ?year=2024": "/api/v1/figures/?year=2024",
        "API indicators": "/api/v1/indicators/",
        "API strategy": "/api/v1/strategy/",
        "API LAGs": "/api/v1/lags/",
        "API municipalities": "/api/v1/municipalities/",
        "API territory": "/api/v1/territory/",
    }


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:200])
    return elapsed


def median(client, url, *, cached):
    times = []
    cache.clear()
    if cached:
        timed(client, url)
    for _ in range(REPEAT):
        if not cached:
            cache.clear()
        times.append(timed(client, url))
    return statistics.median(times)


def main():
    with override_settings(
        ROOT_URLCONF="tests.bench.urls", ALLOWED_HOSTS=["testserver"], API_ANON_RATE="1000000/minute"
    ):
        client = Client()
        # pages named on the command line instead of the API's, e.g. a public page being tuned
        pages = {url: url for url in sys.argv[1:]} or api_pages()
        print(f"{Activity.objects.approved().count()} approved activities; {connection.vendor}", flush=True)
        for _ in range(2):
            for url in ["/lv/bench/trivial/", *pages.values()]:
                client.get(url)
        trivial = statistics.median(timed(client, "/lv/bench/trivial/") for _ in range(10 * REPEAT))
        print(f"trivial view: {trivial:.2f} ms", flush=True)
        for name, url in pages.items():
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            count = len([q for q in queries if "SAVEPOINT" not in q["sql"]])
            uncached = median(client, url, cached=False)
            cached = median(client, url, cached=True)
            goal = "goal met" if uncached <= GOAL_MS else "GOAL MISSED"
            print(
                f"{name}: uncached {uncached:.1f} ms = {uncached / trivial:.1f}× trivial [{goal}: ≤ {GOAL_MS} ms]; "
                f"cached {cached:.1f} ms = {cached / trivial:.1f}×; {count} queries",
                flush=True,
            )


if __name__ == "__main__":
    main()
