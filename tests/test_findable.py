"""What a search engine, a link preview and a data portal read from the public pages (#15, "Findable and
shareable"): meta description, canonical and hreflang links, Open Graph, sitemap, robots.txt, favicon, gzip,
heading outline, named tables, and the open-data page's DCAT-AP catalogue."""

import gzip
import json
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import LAG
from strategy.models import Activity, ActivityType
from strategy.workflow import Status
from tests import factories
from tests.indicators.test_pages import PAGES

PORTAL = "https://ddkc.example.lv"
PUBLIC = [url for url, _queries in PAGES] + ["/lv/privacy/", "/lv/accessibility/", "/lv/reports/"]
BOTH = PUBLIC + [url.replace("/lv/", "/en/", 1) for url in PUBLIC]
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


class Head(HTMLParser):
    """The head's meta and link elements, every heading level in order, tables and forms."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.headings, self.tables, self.forms = {}, [], [], [], []
        self.scripts, self._script, self._in_table, self._caption = [], None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("name" in a or "property" in a):
            self.meta[a.get("name") or a.get("property")] = a.get("content")
        elif tag == "link":
            self.links.append(a)
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self._in_table = a
            self.tables.append(a)
        elif tag == "caption" and self._in_table is not None:
            self._in_table["caption"] = True
        elif tag == "form":
            self.forms.append(a)
        elif tag == "script":
            self._script = a
            self.scripts.append([a, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[-1][1] += data


def parse(response):
    parser = Head()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def site(strategy, settings):
    settings.PORTAL_URL = PORTAL
    lag = LAG.objects.get(slug="kaimini")
    factories.activity(
        lag=lag,
        activity_type=ActivityType.objects.first(),
        status=Status.APPROVED,
        start_date=date(2023, 5, 1),
        summary_lv="Jauniešu talka <b>Dvietē</b> & apkārtnē. " + "Garš apraksts. " * 40,
    )
    return strategy


@pytest.mark.parametrize("url", BOTH)
def test_every_public_page_describes_itself_for_search_and_sharing(client, site, url):
    response = client.get(url + "?utm_source=x&fbclid=y")
    assert response.status_code == 200
    page = parse(response)
    description = page.meta["description"]
    assert 20 <= len(description) <= 200
    language = url.split("/")[1]
    path = url
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == [PORTAL + path]  # absolute, tracking parameters dropped
    alternates = {link["hreflang"]: link["href"] for link in page.links if link.get("rel") == "alternate"}
    assert alternates == {
        "lv": PORTAL + "/lv/" + path.split("/", 2)[2],
        "en": PORTAL + "/en/" + path.split("/", 2)[2],
        "x-default": PORTAL + "/lv/" + path.split("/", 2)[2],
    }
    assert page.meta["og:url"] == PORTAL + path
    assert page.meta["og:title"] and "<" not in page.meta["og:title"]
    assert page.meta["og:description"] == description
    assert page.meta["og:type"] in ("website", "article")
    assert page.meta["og:locale"] == {"lv": "lv_LV", "en": "en_GB"}[language]
    assert page.meta["og:site_name"]


def test_a_page_is_described_by_its_own_text_shortened_and_escaped(client, site):
    activity = Activity.objects.get()
    page = parse(client.get(f"/lv/activities/{activity.pk}/"))
    description = page.meta["description"]
    assert description.startswith("Jauniešu talka <b>Dvietē</b> & apkārtnē.")  # escaped in HTML, text here
    assert len(description) <= 160 and description.endswith("…")
    summary = activity.summary_lv
    assert summary.startswith(description[:-1]) and summary[len(description) - 1] == " "  # after a whole word
    k1 = parse(client.get("/lv/indicators/K1/")).meta["description"]
    dashboard = parse(client.get("/lv/indicators/")).meta["description"]
    assert k1 != dashboard
    english = parse(client.get("/en/indicators/")).meta["description"]
    assert english.startswith("Every indicator of the strategy")  # the English page is described in English


def test_a_paginated_list_keeps_its_page_in_the_canonical_link(client, site):
    page = parse(client.get("/lv/activities/?page=1&year=2023&utm_campaign=z"))
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == [PORTAL + "/lv/activities/?page=1"]


def _sitemap_urls(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)


def test_the_sitemap_lists_every_public_page_in_both_languages_with_alternates(client, site):
    index = _sitemap_urls(client, "/sitemap.xml")
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert parts
    listed = {}
    for part in parts:
        tree = _sitemap_urls(
            client, urlsplit(part).path + ("?" + urlsplit(part).query if urlsplit(part).query else "")
        )
        for url in tree.findall("s:url", NS):
            alternates = {x.get("hreflang"): x.get("href") for x in url.findall("x:link", NS)}
            listed[url.find("s:loc", NS).text] = alternates
    activity = Activity.objects.get()
    for path in PUBLIC + [f"/lv/activities/{activity.pk}/"]:
        for language in ("lv", "en"):
            local = f"/{language}/" + path.split("/", 2)[2]
            assert PORTAL + local in listed, local
            assert set(listed[PORTAL + local]) == {"lv", "en", "x-default"}
    assert all("?" not in url for url in listed)  # no filtered variants, no tracking parameters


def _sitemap_queries(client):
    with CaptureQueriesContext(connection) as index:
        assert client.get("/sitemap.xml").status_code == 200
    with CaptureQueriesContext(connection) as activities:
        assert client.get("/sitemap-activities.xml?p=1").status_code == 200
    return len(index.captured_queries), len(activities.captured_queries)


def test_a_sitemap_page_costs_the_same_queries_at_any_size(client, site):
    small = _sitemap_queries(client)
    lag = LAG.objects.get(slug="kaimini")
    for i in range(30):
        factories.activity(
            lag=lag,
            activity_type=ActivityType.objects.first(),
            status=Status.APPROVED,
            start_date=date(2022, 1, 1 + i),
        )
    assert _sitemap_queries(client) == small


def test_robots_txt_allows_public_pages_and_names_the_sitemap(client, site):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /lv/" in lines and "Allow: /en/" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /evidence/" in lines
    assert f"Sitemap: {PORTAL}/sitemap.xml" in lines


def test_the_favicon_is_linked_and_favicon_ico_does_not_404(client, site):
    page = parse(client.get("/lv/"))
    icons = [link["href"] for link in page.links if link.get("rel") == "icon"]
    assert icons and icons[0].endswith(".svg")
    svg = client.get(icons[0])
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)
    ico = client.get("/favicon.ico", follow=True)
    assert ico.status_code == 200


@pytest.mark.parametrize("attempt", ["uncached", "cached"])
def test_html_is_gzipped_for_a_client_that_accepts_it(client, site, attempt):
    client.get("/lv/")  # the second request of "cached" comes from the public page cache
    if attempt == "uncached":
        from partners.public_cache import bump_data_version

        bump_data_version()
    response = client.get("/lv/", headers={"accept-encoding": "gzip, deflate"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<h1>" in gzip.decompress(response.content)
    plain = client.get("/lv/")
    assert "Content-Encoding" not in plain and b"<h1>" in plain.content


@pytest.mark.parametrize("url", BOTH)
def test_headings_skip_no_level_forms_have_no_empty_action_tables_are_named(client, site, url):
    page = parse(client.get(url))
    assert page.headings[0] == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, (url, page.headings)
    assert all(form.get("action", "x") != "" for form in page.forms)
    assert all(t.get("caption") or t.get("aria-label") or t.get("aria-labelledby") for t in page.tables), url


def test_the_activity_page_outline_and_its_funding_table(client, site):
    activity = Activity.objects.get()
    factories.funding_line(activity=activity)
    for language in ("lv", "en"):
        page = parse(client.get(f"/{language}/activities/{activity.pk}/"))
        assert page.headings[:2] == [1, 2]
        assert page.tables and all(t.get("caption") or t.get("aria-labelledby") for t in page.tables)


def test_open_data_page_carries_a_dcat_catalogue(client, site):
    page = parse(client.get("/lv/open-data/"))
    blocks = [text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    catalogue = json.loads(blocks[0])
    assert catalogue["@type"] == "dcat:Catalog"
    assert catalogue["dct:publisher"]["foaf:name"]
    assert "creativecommons.org/licenses/by/4.0" in catalogue["dct:license"]["@id"]
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(datasets) == {"indicator-figures", "activities", "territory"}
    for slug, dataset in datasets.items():
        assert dataset["dct:title"] and dataset["dct:language"]
        formats = {d["dct:format"]["@id"].rsplit("/", 1)[1] for d in dataset["dcat:distribution"]}
        assert formats == {"CSV", "XLSX", "JSON"}
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:downloadURL"]["@id"]
            assert url.startswith(PORTAL + "/lv/open-data/" + slug + ".")
            answer = client.get(urlsplit(url).path)
            assert answer.status_code == 200
            media_type = distribution["dcat:mediaType"]["@id"].split("/media-types/", 1)[1]
            assert answer["Content-Type"].split(";")[0] == media_type
    figures = datasets["indicator-figures"]
    assert figures["dct:temporal"]["dcat:startDate"] <= figures["dct:temporal"]["dcat:endDate"]


def test_json_ld_cannot_close_its_script_element(client, site):
    site.title_lv = "Stratēģija </script><script>alert(1)</script>"
    site.save()
    text = client.get("/lv/open-data/").content.decode()
    assert "</script><script>alert(1)" not in text
    # the policy does not run a data block: every inline <script> is one (script-src stays 'self')
    for attributes in re.findall(r"<script([^>]*)>", text):
        assert "src=" in attributes or 'type="application/ld+json"' in attributes, attributes
