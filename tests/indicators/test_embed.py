"""Figures on other sites (#15): the embeddable KPI card and the SVG badge show the dashboard's numbers,
only the embed pages may be framed — by the origins in EMBED_ORIGINS — and every other page stays
unframeable; the indicator page offers the copy-paste snippet."""

import re
from html import unescape
from xml.etree import ElementTree

import pytest

from indicators.progress import ProgressEngine
from tests import factories

ALLOWED = "https://www.kaimini.lv"
LAG_SLUG = "kraslava"
SVG = "{http://www.w3.org/2000/svg}"


def _directives(response):
    csp = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in csp.split(";"))


def _card(html, code):
    """The KPI card of ``code``: the whole <article>, its heading level made the dashboard's."""
    start = html.index('<article class="kpi-card')
    start = html.index(f'id="kpi-{code}"', start)
    start = html.rindex("<article", 0, start)
    card = html[start : html.index("</article>", start)]
    return re.sub(r"<(/?)h[1-6]([ >])", r"<\1h3\2", card)


def _luminance(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast_with_white(colour):
    return (1.05) / (_luminance(colour) + 0.05)


@pytest.mark.parametrize(
    "url",
    [
        "/lv/embed/indicators/K1/",
        "/en/embed/indicators/K1/",
        f"/lv/embed/indicators/K1/{LAG_SLUG}/",
    ],
)
def test_embed_pages_may_be_framed_by_the_allowed_origins_only(client, strategy, settings, url):
    settings.EMBED_ORIGINS = [ALLOWED]
    # the second answer comes from the public caches (the view's and PublicPageMiddleware's)
    for _attempt in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert _directives(response)["frame-ancestors"] == f"'self' {ALLOWED}"
        assert "X-Frame-Options" not in response
        # the rest of the policy is the portal's strict one
        assert _directives(response)["script-src"] == "'self'"


def test_without_embed_origins_only_the_portal_itself_may_frame_the_cards(client, strategy, settings):
    settings.EMBED_ORIGINS = []
    response = client.get("/lv/embed/indicators/K1/")
    assert _directives(response)["frame-ancestors"] == "'self'"


@pytest.mark.parametrize(
    "url",
    # the badge is an image: an <img> needs no framing, so it keeps the strict policy too
    [
        "/lv/",
        "/en/",
        "/lv/indicators/",
        "/lv/indicators/K1/",
        "/lv/activities/",
        "/admin/login/",
        "/lv/embed/indicators/K1.svg",
    ],
)
def test_every_other_page_still_refuses_to_be_framed(client, strategy, settings, url):
    settings.EMBED_ORIGINS = [ALLOWED]
    client.get("/lv/embed/indicators/K1/")  # an embed page in the cache changes nothing for the others
    for _attempt in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert _directives(response)["frame-ancestors"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("lag_slug", [None, LAG_SLUG])
def test_embedded_card_is_the_dashboards_card(client, demo, language, lag_slug):
    engine = ProgressEngine(factories.current_strategy())
    query = f"?lag={lag_slug}" if lag_slug else ""
    dashboard = client.get(f"/{language}/indicators/{query}").content.decode()
    suffix = f"{lag_slug}/" if lag_slug else ""
    for indicator in engine.indicators:
        response = client.get(f"/{language}/embed/indicators/{indicator.code}/{suffix}")
        embedded = response.content.decode()
        assert _card(embedded, indicator.code) == _card(dashboard, indicator.code), indicator.code
        # small: no navigation, no language switch, no footer; a way back to the full figure
        assert "<nav" not in embedded and "<footer" not in embedded
        assert f'href="/{language}/indicators/{indicator.code}/"' in embedded
        assert '<base target="_blank">' in embedded
        assert f'<html lang="{language}">' in embedded


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("lag_slug", [None, LAG_SLUG])
def test_badge_is_valid_svg_with_the_dashboards_figure(client, demo, language, lag_slug):
    engine = ProgressEngine(factories.current_strategy())
    query = f"?lag={lag_slug}" if lag_slug else ""
    dashboard = unescape(client.get(f"/{language}/indicators/{query}").content.decode())
    suffix = f"/{lag_slug}" if lag_slug else ""
    shown = set()
    for indicator in engine.indicators:
        response = client.get(f"/{language}/embed/indicators/{indicator.code}{suffix}.svg")
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert response["ETag"]
        assert "public" in response["Cache-Control"] and "max-age=600" in response["Cache-Control"]
        root = ElementTree.fromstring(response.content)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title").text
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert texts[0] == indicator.code
        assert title.startswith(indicator.code) and title == root.get("aria-label")
        card = _card(dashboard, indicator.code)
        percent = re.search(r'class="kpi-percent">([^<]*)</span>', card)
        if percent:
            number = percent.group(1).replace("\xa0%", "")
            assert f"{number} %" in texts[1].replace("\xa0%", " %"), (indicator.code, texts[1], number)
            shown.add(indicator.code)
        value = re.search(r'class="kpi-value">(?:<a [^>]*>)?([^<]*)<', card).group(1)
        if "no-data" not in card.split('class="kpi-value">')[1][:60]:
            assert texts[1].startswith(value), (indicator.code, texts[1], value)
        # the status colour leaves the white text readable (WCAG AA: 4.5:1)
        fills = [rect.get("fill") for rect in root.iter(f"{SVG}rect")]
        assert all(_contrast_with_white(fill) >= 4.5 for fill in fills), fills
        status = re.search(r'class="status status-[a-z_]+">([^<]*)<', card)
        if status:
            assert title.endswith(status.group(1)), (title, status.group(1))
    assert shown, "some badge shows an achievement"


def test_badge_is_english_on_english_addresses(client, demo):
    root = ElementTree.fromstring(client.get("/en/embed/indicators/K1.svg").content)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    title = root.find(f"{SVG}title").text
    assert "of target" in texts[1] or "no data" in texts[1], texts
    assert "status:" in title and "statuss" not in title


@pytest.mark.parametrize(
    "url",
    [
        "/lv/embed/indicators/NOPE/",
        "/lv/embed/indicators/K1/no-such-lag/",
        "/lv/embed/indicators/NOPE.svg",
        "/en/embed/indicators/K1/no-such-lag.svg",
    ],
)
def test_unknown_indicator_or_lag_is_not_found(client, strategy, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("language", ["lv", "en"])
def test_indicator_page_offers_the_copy_paste_snippet(client, strategy, settings, language):
    settings.PORTAL_URL = "https://ddkc.example.lv"
    page = client.get(f"/{language}/indicators/K1/").content.decode()
    snippet = page[page.index('<details class="embed-snippet">') : page.index("</details>")]
    assert "<summary>" in snippet
    for name in ("embed-card-code", "embed-badge-code"):
        assert f'<label for="{name}">' in snippet
        assert re.search(rf'<textarea id="{name}" rows="\d" readonly>', snippet)
    text = unescape(snippet)
    assert f'<iframe src="https://ddkc.example.lv/{language}/embed/indicators/K1/" title="K1 ' in text
    assert f'<img src="https://ddkc.example.lv/{language}/embed/indicators/K1.svg" alt="K1 ' in text
    assert f'<a href="https://ddkc.example.lv/{language}/indicators/K1/">' in text


@pytest.mark.parametrize(
    "value", ["www.kaimini.lv", "https://www.kaimini.lv/page", "https://a.lv; script-src *"]
)
def test_malformed_embed_origins_stop_the_start_up(value):
    from tests.test_security import manage

    result = manage("check", EMBED_ORIGINS=value)
    assert result.returncode != 0
    assert "EMBED_ORIGINS must list origins" in result.stderr
