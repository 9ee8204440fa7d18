"""Real-browser tests: one headless Chromium for the whole session. Where Chromium or Playwright is
missing they skip with the reason — except in CI (E2E_REQUIRED=1), where they fail."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason):
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
    print(f"\nSkipping browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _unavailable(f"Chromium is not installed at {CHROMIUM}")
    if not AXE.exists():
        _unavailable(f"axe-core is missing at {AXE} (run npm install)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # The accessibility checks inject axe-core as a script, which the portal's strict CSP (rightly)
    # refuses; the policy itself is tested under gunicorn in test_admin_csp.py.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    yield tab
    context.close()
