"""The read API, /api/v1/ (ddkc/api/): figures equal the dashboard's, only approved activities, a cursor
that walks every one of them once, CORS for GET only, a throttle for anonymous clients, and lists whose
query count does not grow with the data."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.progress import ProgressEngine
from indicators.views import shown_figure
from partners.models import LAG
from strategy.models import Evidence
from strategy.workflow import Status
from tests import factories

pytestmark = pytest.mark.django_db


def _get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def _plain(value):
    return None if value is None else str(Decimal(value).normalize())


# --- figures ---------------------------------------------------------------------------------------


def _card_achievement(html, code):
    """The achievement on the dashboard's card of ``code`` ("% no mērķa"), or None without one."""
    card = html[html.index(f'id="kpi-{code}"') :]
    card = card[: card.index("</article>")]
    found = re.search(r'class="kpi-percent">(-?\d[\d\u00a0\u202f ]*)\s*%', card)
    return None if found is None else Decimal(re.sub(r"[\s\u00a0\u202f]", "", found.group(1)))


@pytest.mark.parametrize("scope", ["joint", "lag", "year"])
def test_api_figures_equal_the_engine_and_the_dashboard(client, demo, scope):
    strategy = factories.current_strategy()
    engine = ProgressEngine(strategy)
    lag = LAG.objects.get(slug="kraslava") if scope == "lag" else None
    year = engine.period_years()[-1] if scope == "year" else None
    query = f"?lag={lag.slug}" if lag else f"?year={year}" if year else ""

    data = _get(client, f"/api/v1/figures/{query}")
    dashboard = unescape(client.get(f"/lv/indicators/{query}").content.decode())

    assert (data["lag"], data["year"]) == (lag and lag.slug, year)
    assert [f["indicator"] for f in data["figures"]] == [i.code for i in engine.indicators]
    cards = 0
    for indicator, answer in zip(engine.indicators, data["figures"], strict=True):
        figure = shown_figure(engine, indicator, lag, year)
        assert answer["years"] == list(figure.years), indicator.code
        assert answer["status"] == figure.status, indicator.code
        for name in ("actual", "numerator", "denominator", "baseline", "target", "progress"):
            expected = getattr(figure, name)
            assert (answer[name] is None) == (expected is None), (indicator.code, name)
            if expected is not None:
                assert Decimal(answer[name]) == expected.quantize(Decimal("0.0001")), (indicator.code, name)
        card = _card_achievement(dashboard, indicator.code)
        if card is not None:
            cards += 1
            assert Decimal(answer["achievement"]).quantize(Decimal(1)) == card == figure.achievement_percent
        assert answer["records"].startswith("http://testserver/lv/indicators/")
    assert cards >= 5, "the demonstration data has figures with targets"


def test_api_figures_are_computed_once_per_data_version(client, demo, monkeypatch):
    from ddkc.api import views

    runs = []
    original = views.ProgressEngine

    def counting(*args, **kwargs):
        runs.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(views, "ProgressEngine", counting)
    first = _get(client, "/api/v1/figures/?lag=kaimini")
    with CaptureQueriesContext(connection) as queries:
        again = _get(client, "/api/v1/figures/?lag=kaimini&unknown=1")
    assert again == first
    assert len(runs) == 1
    # the request's transaction (ATOMIC_REQUESTS) only: not one read
    assert not [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]

    # an approved activity changes the data: the next answer is computed anew
    factories.activity(lag=LAG.objects.get(slug="kaimini"), status=Status.APPROVED)
    _get(client, "/api/v1/figures/?lag=kaimini")
    assert len(runs) == 2


@pytest.mark.parametrize(
    ("query", "field"), [("lag=nav-tadas", "lag"), ("year=1999", "year"), ("year=divi", "year")]
)
def test_api_figures_refuse_an_unknown_scope_without_running_the_engine(
    client, strategy, monkeypatch, query, field
):
    from ddkc.api import views

    monkeypatch.setattr(views, "ProgressEngine", lambda *a, **k: pytest.fail("the engine ran"))
    response = client.get(f"/api/v1/figures/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- activities ------------------------------------------------------------------------------------


def test_api_cursor_walks_every_approved_activity_once(client, strategy):
    lag = factories.lag()
    kind = factories.activity_type()
    # many on the same day: the cursor must break ties by id, never skip or repeat one
    approved = {
        factories.activity(
            lag=lag, activity_type=kind, start_date=date(2024, 5, 1 + n % 3), status=Status.APPROVED
        ).pk
        for n in range(23)
    }
    for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
        factories.activity(lag=lag, activity_type=kind, status=status)

    seen = []
    url = "/api/v1/activities/?page_size=4"
    while url:
        page = _get(client, url)
        seen += [a["id"] for a in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == approved
    # newest first, as the public list
    dates = [a["start_date"] for a in _get(client, "/api/v1/activities/?page_size=100")["results"]]
    assert dates == sorted(dates, reverse=True)


def test_api_never_shows_an_unapproved_activity_or_evidence(client, strategy):
    lag = factories.lag()
    shown = factories.activity(lag=lag, status=Status.APPROVED, title_lv="Apstiprināta")
    Evidence.objects.create(activity=shown, file="evidence/saraksts.pdf", description="Dalībnieku saraksts")
    hidden = [
        factories.activity(lag=lag, status=status, title_lv=f"Slēpta {status}")
        for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    ]
    listed = _get(client, "/api/v1/activities/")["results"]
    assert [a["id"] for a in listed] == [shown.pk]
    assert not any("evidence" in key or "file" in key for key in listed[0])
    assert "saraksts" not in client.get(f"/api/v1/activities/{shown.pk}/").content.decode()
    for activity in hidden:
        assert client.get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    # an approved activity sent back for changes disappears at once
    shown.status = Status.RETURNED
    shown.save()
    assert _get(client, "/api/v1/activities/")["results"] == []


def test_api_activity_filters_are_the_public_lists(client, demo):
    def ids(query):
        found, url = [], f"/api/v1/activities/?page_size=100&{query}"
        while url:
            page = _get(client, url)
            found += [a["id"] for a in page["results"]]
            url = page["next"]
        return found

    def public(query):
        found, number = [], 1
        while True:
            response = client.get(f"/lv/activities/?{query}&page={number}")
            html = response.content.decode()
            found += [int(pk) for pk in re.findall(r'href="/lv/activities/(\d+)/"', html)]
            if f"page={number + 1}" not in html:
                return found
            number += 1

    for query in [
        "lag=kraslava",
        "year=2024",
        "priority=2",
        "type=event",
        "q=jaun",
        # the list's search: without diacritics, every term (strategy.search)
        "q=jauniesu",
        "q=JAUNIE%C5%A0U",
        "lag=preili&year=2023",
        "municipality=2021:augsdaugava",
        "municipality=2009:dagda",
    ]:
        api = ids(query)
        assert api, query
        assert sorted(api) == sorted(set(public(query))), query


@pytest.mark.parametrize("query", ["year=abc", "unit=0", "municipality=nekas", "page_size=x&year=20000"])
def test_api_activity_filters_of_the_wrong_shape_are_a_clear_400(client, strategy, query):
    response = client.get(f"/api/v1/activities/?{query}")
    assert response.status_code == 400
    assert response.json()


# --- CORS, sessions, throttle ----------------------------------------------------------------------

ELSEWHERE = "https://kaimini.example"


def test_api_is_open_to_other_sites_for_reading_only(client, strategy):
    read = client.get("/api/v1/lags/", headers={"Origin": ELSEWHERE})
    assert read["Access-Control-Allow-Origin"] == ELSEWHERE
    assert "Set-Cookie" not in read and not read.cookies

    preflight = client.options(
        "/api/v1/lags/", headers={"Origin": ELSEWHERE, "Access-Control-Request-Method": "GET"}
    )
    assert preflight["Access-Control-Allow-Origin"] == ELSEWHERE
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}

    for method in ("POST", "PUT", "DELETE"):
        asked = client.options(
            "/api/v1/lags/", headers={"Origin": ELSEWHERE, "Access-Control-Request-Method": method}
        )
        assert "Access-Control-Allow-Origin" not in asked, method
        sent = client.generic(method, "/api/v1/lags/", headers={"Origin": ELSEWHERE})
        assert sent.status_code == 405, method
        assert "Access-Control-Allow-Origin" not in sent, method

    # the portal's pages stay same-origin
    assert "Access-Control-Allow-Origin" not in client.get("/lv/", headers={"Origin": ELSEWHERE})


def test_api_throttles_an_anonymous_client_after_the_limit(client, strategy, settings):
    settings.API_ANON_RATE = "3/minute"
    for _ in range(3):
        assert client.get("/api/v1/lags/").status_code == 200
    refused = client.get("/api/v1/lags/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"]
    # another address is counted on its own
    assert client.get("/api/v1/lags/", REMOTE_ADDR="192.0.2.7").status_code == 200


# --- query counts ----------------------------------------------------------------------------------


def _grow(size):
    """``size`` approved activities, each with a parish, a municipality, a priority and funding lines."""
    strategy = factories.current_strategy()
    lag = LAG.objects.get(slug="kaimini")  # its parishes are in Augšdaugava
    kind = factories.activity_type()
    priorities = list(strategy.priorities.all())
    for n in range(size):
        activity = factories.activity(
            lag=lag, activity_type=kind, status=Status.APPROVED, title_lv=f"Talka {n}"
        )
        activity.territory_units.add(*lag.territory_units.all()[:2])
        activity.priorities.add(priorities[n % len(priorities)])
        factories.funding_line(activity=activity)
        factories.funding_line(activity=activity, amount=Decimal("12.50"))


LISTS = {
    # the activities, the lag filter's page, then each prefetch: parishes, municipalities, priorities, funding
    "/api/v1/activities/": 5,
    "/api/v1/activities/?lag=kaimini&year=2024&priority=1&q=Talka": 5 + 1,  # + the strategy (priority filter)
    "/api/v1/activities/?municipality=2021:augsdaugava": 5 + 1,  # + the municipality
    # the strategy, the indicators with their expected result, activity types, priorities
    "/api/v1/indicators/": 4,
    "/api/v1/lags/": 2,  # the LAGs, their parishes
    "/api/v1/municipalities/": 1,
    "/api/v1/territory/": 1,
    "/api/v1/activity-types/": 1,
    # the strategy twice (current, then with its tree), priorities, their indicators, results, theirs
    "/api/v1/strategy/": 6,
}


@pytest.mark.parametrize("url", LISTS)
def test_api_list_query_count_does_not_grow_with_the_data(client, strategy, url):
    counts = []
    for size in (2, 12):
        _grow(size)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        # not counted: the request's savepoint (ATOMIC_REQUESTS) and its release
        counts.append(len([q for q in queries if "SAVEPOINT" not in q["sql"]]))
    assert counts == [LISTS[url]] * 2, counts


def test_api_lists_are_answered_from_the_cache_until_the_data_changes(client, strategy):
    lag = factories.lag()
    first = factories.activity(lag=lag, status=Status.APPROVED)
    url = "/api/v1/activities/?page_size=10"
    assert [a["id"] for a in _get(client, url)["results"]] == [first.pk]
    with CaptureQueriesContext(connection) as queries:
        # a parameter the view does not read changes nothing: the same cached answer
        again = _get(client, url + "&utm_source=lapa")
    assert [a["id"] for a in again["results"]] == [first.pk]
    assert not [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]

    second = factories.activity(lag=lag, status=Status.APPROVED, start_date=date(2025, 1, 2))
    assert [a["id"] for a in _get(client, url)["results"]] == [second.pk, first.pk]
