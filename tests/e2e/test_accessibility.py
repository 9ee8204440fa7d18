"""WCAG 2.1 AA in real Chromium: axe-core on every page type in both languages, keyboard use and
a 320 px wide screen."""

import json

import pytest
from django.core.management import call_command

from strategy.models import Activity

from .conftest import AXE

pytestmark = pytest.mark.e2e

PAGE_TYPES = [
    "/{}/",
    "/{}/strategy/",
    "/{}/priorities/2/",
    "/{}/indicators/",
    "/{}/indicators/?lag=preili&year=2023",
    "/{}/indicators/K8/",
    "/{}/indicators/K1/records/?lag=kaimini&year=2024",
    "/{}/indicators/K4/records/",
    "/{}/methodology/",
    "/{}/activities/",
    "/{}/activities/{activity}/",
    "/{}/lags/kaimini/",
    "/{}/municipalities/",
    "/{}/municipalities/2021/kraslavas-novads/",
    "/{}/open-data/",
    "/{}/accessibility/",
]
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _urls():
    activity = Activity.objects.approved().order_by("pk").first().pk
    for url in PAGE_TYPES:
        for language in ("lv", "en"):
            yield url.format(language, activity=activity)


def test_every_page_type_has_no_axe_violations_and_fits_320px(page, live_server, transactional_db):
    call_command("load_strategy", verbosity=0)
    call_command("load_demo", verbosity=0)
    municipality = "/municipalities/2021/"
    from partners.models import Municipality

    slug = Municipality.objects.filter(era="2021").order_by("slug").first().slug
    failures = {}
    for url in _urls():
        url = url.replace(f"{municipality}kraslavas-novads/", f"{municipality}{slug}/")
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        if violations:
            failures[url] = violations
        page.set_viewport_size({"width": 320, "height": 800})
        if not page.evaluate(NO_HORIZONTAL_SCROLL):
            wide = page.evaluate(
                "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
                "window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
            )
            failures[f"{url} @320px"] = [{"id": "horizontal-scroll", "nodes": wide}]
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def test_keyboard_reaches_the_nav_the_skip_link_works_and_focus_is_visible(
    page, live_server, transactional_db
):
    call_command("load_strategy", verbosity=0)
    page.goto(live_server.url + "/lv/")

    page.keyboard.press("Tab")
    skip = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.getBoundingClientRect().left]"
    )
    assert skip[0] == "skip-link" and skip[1] >= 0  # focused and moved into view
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.goto(live_server.url + "/lv/")
    reached_nav = False
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.main-nav')"):
            reached_nav = True
            break
    assert reached_nav
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/lv/"  # the first nav link is the home page


def test_dashboard_filters_work_with_the_keyboard_and_without_javascript(
    browser, live_server, transactional_db
):
    call_command("load_strategy", verbosity=0)
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + "/en/indicators/")
    tab.select_option("#f-year", "2024")
    tab.focus("button[type=submit]")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url.endswith("/en/indicators/?lag=&year=2024"), tab.url
    context.close()
