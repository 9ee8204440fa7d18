"""The workflow in the admin as staff use it, in real Chromium: «Iesniegt apstiprināšanai» is a button of
the record's own form, so what was typed is saved before the record is submitted."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from partners import roles
from strategy.models import Activity
from strategy.workflow import Status
from tests import factories

pytestmark = pytest.mark.e2e


@pytest.fixture
def editor(transactional_db):
    # A transactional test's database is flushed after it, role groups (made by a migration) too.
    for role in roles.ALL:
        Group.objects.get_or_create(name=role)
    roles.grant_permissions()
    return factories.user(role=roles.EDITOR, lag=factories.lag(slug="musu"))


def logged_in(browser, live_server, user, width=1280):
    """A browser context with the user's admin session (made by Django's test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_submit_button_saves_what_was_typed_and_submits(browser, live_server, editor):
    draft = factories.activity(lag=editor.lag, author=editor, title_lv="Talka")
    context = logged_in(browser, live_server, editor)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/strategy/activity/{draft.pk}/change/")

    button = page.locator("input[name=_submit_for_approval]")
    # the button belongs to the change form itself (the browser's own form owner, not a guess from markup)
    assert button.evaluate("b => b.form && b.form.id") == "activity_form"
    page.fill("#id_title_lv", "Talka Aglonā")
    with page.expect_navigation():
        button.click()

    draft.refresh_from_db()
    assert (draft.title_lv, draft.status, draft.submitted_by) == ("Talka Aglonā", Status.SUBMITTED, editor)
    assert "Aktivitāte «Talka Aglonā» saglabāta un iesniegta apstiprināšanai." in page.content()
    context.close()


def test_enter_in_a_field_still_only_saves(browser, live_server, editor):
    draft = factories.activity(lag=editor.lag, author=editor, title_lv="Talka")
    context = logged_in(browser, live_server, editor)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/strategy/activity/{draft.pk}/change/")
    page.fill("#id_title_lv", "Talka Dubnā")
    with page.expect_navigation():
        page.press("#id_title_lv", "Enter")

    draft = Activity.objects.get(pk=draft.pk)
    assert (draft.title_lv, draft.status) == ("Talka Dubnā", Status.DRAFT)
    context.close()
