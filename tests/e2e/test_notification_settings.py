"""«Mani e-pasta paziņojumi» in real Chromium (#16): reached from the admin's user tools, accessible
(axe-core, WCAG 2.1 AA), usable at 320 px, and a switched-off box stays off."""

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from partners import roles
from tests import factories
from tests.e2e.conftest import AXE
from tests.e2e.test_accessibility import AXE_RUN, NO_HORIZONTAL_SCROLL

pytestmark = pytest.mark.e2e


@pytest.fixture
def coordinator(transactional_db):
    for role in roles.ALL:
        Group.objects.get_or_create(name=role)
    roles.grant_permissions()
    return factories.user(
        role=roles.COORDINATOR, lag=factories.lag(slug="musu"), first_name="Ilze", email="ilze@example.lv"
    )


def logged_in(browser, live_server, user):
    """A browser context with the user's admin session; axe-core is injected as a script, which the
    admin's strict CSP (rightly) refuses, so this context bypasses it (as tests/e2e/conftest.py's page)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


def test_a_coordinator_switches_the_weekly_digest_off_from_the_user_tools(
    browser, live_server, coordinator, tmp_path
):
    context = logged_in(browser, live_server, coordinator)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    with page.expect_navigation():
        page.get_by_role("link", name="Mani e-pasta paziņojumi").click()

    assert page.locator("h1").inner_text() == "Mani e-pasta paziņojumi"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)
    page.screenshot(path=str(tmp_path / "notifications-1280.png"), full_page=True)

    # The label names the box: clicking it unticks the box.
    page.get_by_label("Iknedēļas kopsavilkums par izskatāmajiem ierakstiem").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Saglabāt").click()

    assert "Jūsu e-pasta paziņojumu izvēle saglabāta." in page.content()
    assert not page.get_by_label("Iknedēļas kopsavilkums par izskatāmajiem ierakstiem").is_checked()
    coordinator.refresh_from_db()
    assert (coordinator.notify_digest, coordinator.notify_submitted) == (False, True)

    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(tmp_path / "notifications-375.png"), full_page=True)
    print(f"\nscreenshots: {tmp_path}")
    context.close()
