"""The API documentation (/api/v1/docs/, Swagger UI from drf-spectacular-sidecar) in real Chromium against
gunicorn with production settings: its script and styles are the portal's own static files, so it runs
under the portal's strict Content-Security-Policy — no CSP violation, no script error — and shows every
endpoint of the schema; the open-data page links to it."""

import pytest

from tests.production import gunicorn, prepare, production_env

pytestmark = pytest.mark.e2e

# The browser (and skipping where Chromium is missing, unless E2E_REQUIRED=1) is tests/e2e/conftest.py's.


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-docs")
    env = production_env(folder)
    prepare(env)
    with gunicorn(env) as base:
        yield base


@pytest.mark.parametrize("width", [1280, 375])
def test_api_docs_run_under_the_strict_policy(portal, browser, width, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}"),
    )

    page.goto(portal + "/lv/open-data/")
    page.click("text=API dokumentācija")
    page.wait_for_url(portal + "/api/v1/docs/")
    # Swagger UI ran: it fetched the schema and listed the operations
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/activities/" in paths
    assert "/api/v1/figures/" in paths
    page.screenshot(path=str(tmp_path / f"api-docs-{width}.png"))
    page.close()
    assert problems == []
