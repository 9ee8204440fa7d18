"""The admin and the public pages under the strict Content-Security-Policy, in real Chromium against
gunicorn with production settings: the browser reports no CSP violation and no script error, and the
admin's scripts (the translation tabs, the inline formsets, the date widgets) run."""

import subprocess
import sys

import pytest

from tests.production import BASE_DIR, gunicorn, prepare, production_env

PASSWORD = "csp-check-Password-2026"

pytestmark = pytest.mark.e2e

# The browser (and skipping where Chromium is missing, unless E2E_REQUIRED=1) is tests/e2e/conftest.py's.


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csp")
    env = production_env(folder)
    prepare(env)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "cspcheck",
            "--email",
            "",
        ],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )
    with gunicorn(env) as base:
        yield base, folder


def test_admin_and_public_pages_run_under_the_strict_policy(portal, browser):
    base, folder = portal
    page = browser.new_page()
    problems = []
    # Failed requests are checked by URL below (the browser asks for /favicon.ico, which has none).
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(base + "/lv/")
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "cspcheck")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")

    page.goto(base + "/admin/strategy/activity/add/")
    # The scripts ran: the date widget added its calendar link, the inline formset its "add" row.
    page.wait_for_selector(".datetimeshortcuts")
    page.wait_for_selector(".add-row")
    page.screenshot(path=str(folder / "admin-activity-add.png"), full_page=True)
    page.goto(base + "/admin/strategy/activity/")
    page.goto(base + "/admin/indicators/measurement/add/")

    csp = [
        text for text in problems if "Content Security Policy" in text or "Content-Security-Policy" in text
    ]
    assert csp == []
    assert problems == []
