"""Lighthouse 12.2.3 (#15, "Findable and shareable") on the home page, the KPI dashboard, an indicator page
and the activity list, mobile and desktop, against gunicorn with production settings (DEBUG off, hashed
and compressed static files served by WhiteNoise) and the demonstration data.

Run with `make bench`; it prints the four category scores per page and form factor and, for every
score below 100, the audits that cost points. Goals: 100 for SEO and best practices, at least 98 for
accessibility and performance. Performance is Lighthouse's simulated throttling (a slow 4G phone, or
desktop), computed from traces taken on this machine: a busy machine lowers it. Skips without Node.js,
the lighthouse package (`npm install`) or Chromium (CHROME_PATH, default /usr/bin/chromium)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.production import BASE_DIR, free_port, gunicorn, prepare, production_env

LIGHTHOUSE = BASE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {
    "home": "/lv/",
    "dashboard": "/lv/indicators/",
    "indicator": "/lv/indicators/K1/",
    "activities": "/lv/activities/",
}
FORMS = {"mobile": [], "desktop": ["--preset=desktop"]}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def lighthouse(url, extra, output):
    """One Lighthouse run; a run that fails (Chromium not starting in time on a busy machine) is repeated
    once, then its error is shown."""
    for _attempt in (1, 2):
        result = _run(url, extra, output)
        if result.returncode == 0:
            return json.loads(Path(output).read_text())
    raise AssertionError(f"lighthouse failed on {url} twice: {result.stderr[-2000:]}")


def _run(url, extra, output):
    return subprocess.run(
        [
            "node",
            str(LIGHTHOUSE),
            url,
            *extra,
            "--output=json",
            f"--output-path={output}",
            "--only-categories=" + ",".join(CATEGORIES),
            "--chrome-flags=--headless --no-sandbox --disable-gpu",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        capture_output=True,
        text=True,
        timeout=300,
    )


def scores(report):
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def failing(report):
    """The audits of a category that cost it points (weighted, scored below 1)."""
    found = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                found.append(f"{name}: {ref['id']} {audit['score']:.2f}{value}")
    return found


@pytest.mark.skipif(not shutil.which("node"), reason="Node.js is not installed")
@pytest.mark.skipif(not LIGHTHOUSE.exists(), reason="lighthouse is not installed (npm install)")
@pytest.mark.skipif(not Path(CHROME).exists(), reason=f"Chromium is missing at {CHROME}")
def test_lighthouse_scores_of_the_public_pages(tmp_path):
    port = free_port()
    # the canonical links and the sitemap name the address Lighthouse visits, as in production
    env = production_env(tmp_path, PORTAL_URL=f"http://127.0.0.1:{port}")
    prepare(env, demo=True)
    rows, problems = [], []
    with gunicorn(env, port=port) as base:
        for form, extra in FORMS.items():
            for page, path in PAGES.items():
                report = lighthouse(base + path, extra, tmp_path / f"{page}-{form}.json")
                rows.append((page, form, scores(report)))
                problems += [f"{page} {form} — {line}" for line in failing(report)]
    header = f"{'page':<12}{'form':<9}" + "".join(f"{name:>16}" for name in CATEGORIES)
    print("\nLighthouse 12.2.3 (goals: SEO and best practices 100, accessibility and performance ≥ 98)")
    print(header)
    for page, form, found in rows:
        print(f"{page:<12}{form:<9}" + "".join(f"{found[name]:>16}" for name in CATEGORIES))
    print("Audits below 1:" if problems else "No audit below 1.")
    for line in problems:
        print("  " + line)
    assert len(rows) == len(PAGES) * len(FORMS)
