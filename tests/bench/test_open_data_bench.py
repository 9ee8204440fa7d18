"""The open-data files at 1× and 100× (`make bench`; not part of `make test`).

For each scale in BENCH_SCALES (default "1,100") the database gets the strategy, the demonstration data
and ``generate_load --scale N`` (as ``test_scale.py``); then each of the 9 files is requested in a process
of its own (``open_data_measure.py``, with production settings on this very database), which prints one
line: the first request's time (the file is built and stored), the repeated request's (sent from disk),
each as a ratio to the trivial view measured in the same process (``tests/bench/urls.py``), the file's
size and the process's peak resident memory. Goals at ×100 (README): build ≤ 20 s, peak ≤ 300 MB."""

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from indicators import opendata
from partners import roles
from tests.production import BASE_DIR, production_env

SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,100").split(",") if s.strip()]
GOAL_BUILD_S = 20
GOAL_RSS_MB = 300


def database_url(tmp_path):
    """This very database for another process: PostgreSQL's test database (a transactional test commits
    its rows), or a file copy of SQLite's in-memory one."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or ""
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"
    path = tmp_path / "bench.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def measure(env, url):
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tests.bench.open_data_measure", url],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.urls("tests.bench.urls")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scale", SCALES)
def test_open_data_files(scale, tmp_path):
    tag = f"[{connection.vendor} ×{scale}]"
    for role in roles.ALL:
        Group.objects.get_or_create(name=role)
    call_command("migrate", verbosity=0)
    call_command("load_strategy", verbosity=0)
    call_command("load_demo", verbosity=0)
    started = time.perf_counter()
    call_command("generate_load", "--scale", str(scale), stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"\n{tag} generate_load: {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum soon does after a bulk load (test_scale.py too)
    env = production_env(
        tmp_path,
        DATABASE_URL=database_url(tmp_path),
        STATIC_MANIFEST="false",
        CACHE_URL="locmemcache://open-data-bench",
        BENCH_REPEAT=os.environ.get("BENCH_REPEAT", "7"),
    )
    for dataset in opendata.DATASETS:
        for fmt in opendata.FORMATS:
            m = measure(env, f"/lv/open-data/{dataset}.{fmt}")
            build_ok = m["build_s"] <= GOAL_BUILD_S
            rss_ok = m["rss_peak_mb"] <= GOAL_RSS_MB
            print(
                f"{tag} open data {dataset}.{fmt}: {m['bytes'] / 1e6:.1f} MB; "
                f"first request (build) {m['build_s']:.2f} s = {m['build_s'] * 1000 / m['trivial_ms']:.0f}× trivial "
                f"({'goal met' if build_ok else 'GOAL MISSED'}: ≤ {GOAL_BUILD_S} s); "
                f"repeat {m['repeat_ms']:.1f} ms = {m['repeat_ms'] / m['trivial_ms']:.1f}× trivial "
                f"({m['trivial_ms']:.2f} ms); peak RSS {m['rss_peak_mb']:.0f} MB "
                f"(before the request {m['rss_before_mb']:.0f} MB; "
                f"{'goal met' if rss_ok else 'GOAL MISSED'}: ≤ {GOAL_RSS_MB} MB)",
                flush=True,
            )
