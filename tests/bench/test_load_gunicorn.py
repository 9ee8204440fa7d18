"""Under load: 50 concurrent clients for 60 s against gunicorn with production settings on 127.0.0.1.

Run with `make bench` (not part of `make test`). The database is a SQLite file in a temporary folder
with the strategy and the demonstration data, or BENCH_DATABASE_URL (e.g. a PostgreSQL database made
for the benchmark: it is migrated and loaded). Knobs: BENCH_CLIENTS (50), BENCH_SECONDS (60),
BENCH_WORKERS (gunicorn workers, 2 × cores + 1). The URLs rotate over the public pages in both
languages, a hashed stylesheet and the health probe."""

import os
import re
import shutil
import subprocess
import textwrap

import pytest

from tests.production import fetch, gunicorn, prepare, production_env

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))


def parse_wrk(output):
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0) + (
        int(non_2xx.group(1)) if non_2xx else 0
    )
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "requests": total,
        "rps": requests_per_second,
        "p99_ms": float(p99.group(1)) * scale,
        "errors": errors,
    }


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (apt-get install wrk)")
def test_load_50_clients_for_60_seconds_without_errors(tmp_path):
    overrides = {}
    if os.environ.get("BENCH_DATABASE_URL"):
        overrides["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    env = production_env(tmp_path, **overrides)
    prepare(env, demo=True)
    with open(tmp_path / "gunicorn.log", "wb") as log, gunicorn(env, workers=WORKERS, log=log) as base:
        page = fetch(base + "/lv/")[2].decode()
        stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page).group(1)
        paths = ["/lv/", "/en/", "/lv/", "/en/", stylesheet, "/healthz"]
        script = tmp_path / "rotate.lua"
        script.write_text(
            textwrap.dedent(
                """
                local paths = {%s}
                local i = 0
                request = function()
                  i = i %% #paths + 1
                  return wrk.format("GET", paths[i])
                end
                """
            )
            % ", ".join(f'"{path}"' for path in paths)
        )
        result = subprocess.run(
            [
                "wrk",
                "--threads",
                "2",
                "--connections",
                str(CLIENTS),
                "--duration",
                f"{SECONDS}s",
                "--timeout",
                "10s",
                "--latency",
                "--script",
                str(script),
                base + "/",
            ],
            capture_output=True,
            text=True,
            timeout=SECONDS + 120,
            check=True,
        )
    figures = parse_wrk(result.stdout)
    database = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(result.stdout)
    print(
        f"\nLoad: {CLIENTS} clients, {SECONDS} s, gunicorn {WORKERS} sync workers, {database}: "
        f"{figures['requests']} requests, {figures['rps']:.0f} requests/s, "
        f"p99 {figures['p99_ms']:.0f} ms, {figures['errors']} errors"
    )
    assert figures["errors"] == 0
