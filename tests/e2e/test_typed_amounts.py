"""An amount typed into the activity form in real Chromium is saved as a Latvian reader means it,
whatever the browser's language: an English browser's number field would read `450,00` as 45 000."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from partners import roles
from strategy.models import Activity
from tests import factories

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"


@pytest.fixture
def editor(transactional_db):
    # Role groups come from a migration; a transactional test's flush may have removed them.
    for role in roles.ALL:
        Group.objects.get_or_create(name=role)
    roles.grant_permissions()
    return factories.user(role=roles.EDITOR, lag=factories.lag(slug="musu"), username="specialiste")


@pytest.mark.parametrize("locale", ["en-US", "lv-LV"])
@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [("450,00", Decimal("450.00"), "450,00"), ("1 234,50", Decimal("1234.50"), f"1{NBSP}234,50")],
)
def test_amount_typed_in_the_activity_form_is_saved_as_meant_in_any_browser_language(
    browser, live_server, editor, locale, typed, stored, shown
):
    activity_type = factories.activity_type(name_lv="Talka")
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "specialiste")
    page.fill("#id_password", "correct-horse-battery-staple")
    with page.expect_navigation():
        page.click("input[type=submit]")

    page.goto(live_server.url + "/admin/strategy/activity/add/")
    page.fill("#id_title_lv", "Talka Ambeļos")
    page.select_option("#id_activity_type", str(activity_type.pk))
    page.fill("#id_start_date", "05.03.2024")
    page.select_option("#id_funding_lines-0-source", "eafrd")
    page.locator("#id_funding_lines-0-amount").press_sequentially(typed)
    with page.expect_navigation():
        page.click("input[name=_save]")

    activity = Activity.objects.get()
    assert [line.amount for line in activity.funding_lines.all()] == [stored]
    page.goto(f"{live_server.url}/admin/strategy/activity/{activity.pk}/change/")
    assert page.input_value("#id_funding_lines-0-amount") == shown
    context.close()
