import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from openpyxl import load_workbook

from indicators.models import Indicator
from indicators.progress import ProgressEngine
from partners.models import LAG, Municipality
from partners.spreadsheets import neutralise
from strategy.models import Activity, ActivityType
from strategy.workflow import Status
from tests import factories

# Query budget of each public page; a request runs in a transaction (ATOMIC_REQUESTS): SAVEPOINT + RELEASE.
ENGINE = 14  # indicators, their types, their priorities, LAGs, activity tallies, funding tallies by source,
# measurement aggregates, narratives, baselines, targets, estimate weights, closed years, data completion marks,
# closed years' snapshots (see tests/indicators/test_progress.py)
PAGES = [
    # savepoints 2, strategy 1, engine, LAGs 1, priorities 1, latest activities 1 + their territory 1, demo notice 1
    ("/lv/", 2 + 1 + ENGINE + 1 + 1 + 2 + 1),
    # savepoints 2, strategy 1, statements 1, LAGs 1 + their local strategies 1, results 1 + their indicators 1,
    # priorities 1, KPIs 1, demo notice 1
    ("/lv/strategy/", 2 + 1 + 1 + 2 + 2 + 1 + 1 + 1),
    # savepoints 2, strategy 1, priority 1, engine, activities 1 + territory 1, activity count 1, demo notice 1
    ("/lv/priorities/1/", 2 + 1 + 1 + ENGINE + 2 + 1 + 1),
    # savepoints 2, strategy 1, engine, demo notice 1 (no LAG filter: no LAG query)
    ("/lv/indicators/", 2 + 1 + ENGINE + 1),
    # savepoints 2, strategy 1, engine, the indicator's activity types 1, demo notice 1
    ("/lv/indicators/K1/", 2 + 1 + ENGINE + 1 + 1),
    # savepoints 2, strategy 1, indicator 1, engine, count from the tallies 1, the page's ids 1 + its rows 1
    # + territory 1 + funding 1, demo notice 1 (and the activity types subquery is inlined)
    ("/lv/indicators/K1/records/", 2 + 1 + 1 + ENGINE + 1 + 4 + 1 - 2 + 2),
    # savepoints 2, strategy 1, count from the tallies 1, demo notice 1, LAGs 1, municipalities 1, parishes 1,
    # priorities 1, types 1, the page's ids 1 + its activities 1 + their territory 1
    ("/lv/activities/", 2 + 1 + 1 + 1 + 5 + 3),
    # savepoints 2, strategy 1, LAG 1, engine, LAG priorities 1, local strategies 1, parishes 1,
    # activities 1 + territory 1, demo notice 1
    ("/lv/lags/kaimini/", 2 + 1 + 1 + ENGINE + 1 + 1 + 1 + 2 + 1),
    # savepoints 2, municipalities 1, demo notice 1
    ("/lv/municipalities/", 2 + 1 + 1),
    # savepoints 2, strategy 1, engine (it shows no figure: the snapshots are not read), demo notice 1
    ("/lv/open-data/", 2 + 1 + ENGINE - 1 + 1),
    # savepoints 2, strategy 1, engine, the indicator's activity types 1, the estimate weights 1, demo notice 1
    ("/lv/indicators/K8/", 2 + 1 + ENGINE + 1 + 1 + 1),
    # savepoints 2, strategy 1, the indicators 1, demo notice 1 (no engine: the page states rules, not figures)
    ("/lv/methodology/", 2 + 1 + 1 + 1),
]


def _grow(strategy, n):
    lag = LAG.objects.get(slug="kaimini")
    kinds = list(ActivityType.objects.all())
    for i in range(n):
        a = factories.activity(
            lag=lag,
            activity_type=kinds[i % len(kinds)],
            status=Status.APPROVED,
            start_date=date(2020 + i % 6, 5, 1),
        )
        a.priorities.set(strategy.priorities.all())
        a.territory_units.set(lag.territory_units.all()[:2])
        factories.funding_line(activity=a)


@pytest.mark.parametrize("size", [1, 25])
@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_public_page_query_count_does_not_grow_with_data(
    client, strategy, django_assert_num_queries, url, expected, size
):
    _grow(strategy, size)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 25])
def test_municipality_page_query_count_does_not_grow_with_data(client, strategy, size):
    _grow(strategy, size)
    municipality = Municipality.objects.filter(era=Municipality.Era.CURRENT).first()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/lv/municipalities/2021/{municipality.slug}/").status_code == 200
    # savepoints 2, municipality 1, parishes 1, LAGs 1, other-era municipalities 1,
    # activities 1 + territory 1, activity count 1, demo notice 1
    assert len(queries) == 10


def _approve_one(strategy):
    lag = LAG.objects.get(slug="kaimini")
    return factories.activity(
        lag=lag,
        activity_type=ActivityType.objects.get(code="consultation"),
        title_lv="Unikāla konsultācija Nr. 7",
    )


@pytest.mark.parametrize("url", ["/lv/activities/", "/lv/indicators/K3/records/", "/lv/"])
def test_cached_page_shows_an_approval_and_hides_a_withdrawal_immediately(client, strategy, url):
    activity = _approve_one(strategy)
    assert "Unikāla konsultācija Nr. 7" not in client.get(url).content.decode()
    assert "Unikāla konsultācija Nr. 7" not in client.get(url).content.decode()  # now served from the cache

    activity.status = Status.APPROVED
    activity.save()
    assert "Unikāla konsultācija Nr. 7" in client.get(url).content.decode()

    activity.status = Status.DRAFT
    activity.save()
    assert "Unikāla konsultācija Nr. 7" not in client.get(url).content.decode()


def test_cached_dashboard_changes_when_a_target_changes(client, strategy):
    indicator = Indicator.objects.get(code="K3")
    factories.activity(
        lag=LAG.objects.first(),
        activity_type=ActivityType.objects.get(code="consultation"),
        status=Status.APPROVED,
    )
    page = client.get("/en/indicators/K3/").content.decode()
    assert "1,234" not in page
    factories.target(indicator=indicator, year=2024, value=Decimal(1234))
    assert "1,234" in client.get("/en/indicators/K3/").content.decode()


def test_activity_detail_of_an_unapproved_activity_is_not_found(client, strategy):
    activity = _approve_one(strategy)
    assert client.get(f"/lv/activities/{activity.pk}/").status_code == 404
    activity.status = Status.APPROVED
    activity.save()
    assert client.get(f"/lv/activities/{activity.pk}/").status_code == 200


PAGE_TYPES = [
    "/{}/",
    "/{}/strategy/",
    "/{}/priorities/2/",
    "/{}/indicators/",
    "/{}/indicators/?lag=preili&year=2023",
    "/{}/indicators/K4/",
    "/{}/indicators/R4/records/?lag=kraslava&year=2022",
    "/{}/indicators/K5/records/",
    "/{}/activities/?q=talka&year=2024",
    "/{}/lags/kraslava/",
    "/{}/municipalities/",
    "/{}/municipalities/2009/kraslava/",
    "/{}/open-data/",
    "/{}/methodology/",
    "/{}/accessibility/",
]


def test_every_page_type_renders_in_both_languages_with_the_switch_keeping_the_page(client, demo):
    # One test over every page type, so the demonstration data loads once.
    for url in PAGE_TYPES:
        for language, other in (("lv", "en"), ("en", "lv")):
            response = client.get(url.format(language))
            assert response.status_code == 200, url
            page = response.content.decode()
            assert f'<html lang="{language}">' in page
            assert f'href="{escape(url.format(other))}"' in page, url
            # no script but data (the open-data page's DCAT-AP JSON-LD, which no browser executes)
            assert 'style="' not in page, url
            assert page.count("<script") == page.count('<script type="application/ld+json">'), url


def test_dashboard_figures_link_to_their_records_and_show_no_data_not_zero(client, demo):
    page = client.get("/lv/indicators/?year=2026").content.decode()
    assert page.count("nav datu") >= 16
    assert "/lv/indicators/K1/records/?year=2025" in client.get("/lv/indicators/?year=2025").content.decode()


def test_latvian_pages_use_latvian_number_and_date_formats(client, strategy):
    lag = LAG.objects.get(slug="kaimini")
    activity = factories.activity(
        lag=lag,
        activity_type=ActivityType.objects.get(code="project"),
        status=Status.APPROVED,
        start_date=date(2024, 3, 5),
    )
    factories.funding_line(activity=activity, amount=Decimal("2899408.11"))
    lv = client.get(f"/lv/activities/{activity.pk}/").content.decode()
    en = client.get(f"/en/activities/{activity.pk}/").content.decode()
    assert "2\xa0899\xa0408,11 EUR" in lv
    assert "2024. gada 5. marts" in lv
    assert "EUR\xa02,899,408.11" in en  # EU English (tests/partners/test_english_formats.py)
    assert "5 March 2024" in en
    assert "2\xa0024" not in client.get("/lv/indicators/K6/").content.decode()


def test_english_page_marks_a_latvian_fallback(client, strategy):
    activity = factories.activity(
        lag=LAG.objects.first(), title_lv="Tikai latvisks nosaukums", title_en="", status=Status.APPROVED
    )
    page = client.get(f"/en/activities/{activity.pk}/").content.decode()
    assert '<span lang="lv">Tikai latvisks nosaukums</span>' in page
    assert "(only in Latvian)" in page


def _dashboard_figures(engine):
    return {
        (f.indicator.code, f.lag.slug if f.lag else "", "" if f.year is None else str(f.year)): f.actual
        for indicator in engine.indicators
        for lag in [None, *engine.lags]
        for f in [*engine.series(indicator, lag), engine.figure(indicator, lag)]
    }


def test_open_data_figures_equal_the_dashboards_in_every_format(client, demo):
    expected = _dashboard_figures(ProgressEngine(factories.current_strategy()))
    data = json.loads(client.get("/lv/open-data/indicator-figures.json").getvalue())
    got = {(r["indicator"], r["lag"], str(r["year"])): r["actual"] for r in data["rows"]}
    assert data["licence"] == "CC BY 4.0"
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert (None if got[key] is None else Decimal(got[key])) == (
            None if value is None else value.quantize(Decimal("0.0001"))
        ), key

    text = client.get("/lv/open-data/indicator-figures.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["indicator"], r["lag"], r["year"]): r["actual"] or None for r in rows} == got

    book = load_workbook(io.BytesIO(client.get("/lv/open-data/indicator-figures.xlsx").getvalue()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert len(list(sheet.iter_rows(min_row=2))) == len(rows)
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["indicator"] == rows[0]["indicator"]


def test_open_data_activities_contain_only_approved_ones(client, demo):
    data = json.loads(client.get("/en/open-data/activities.json").getvalue())
    assert len(data["rows"]) == Activity.objects.approved().filter(start_date__year__lte=2026).count()
    territory = json.loads(client.get("/en/open-data/territory.json").getvalue())
    assert len(territory["rows"]) == 73


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM", "'@SUM"),
        ("Talka", "Talka"),
        (5, 5),
    ],
)
def test_neutralise_prefixes_spreadsheet_formulas(value, expected):
    assert neutralise(value) == expected


def test_open_data_csv_neutralises_a_formula_in_a_title(client, strategy):
    factories.activity(lag=LAG.objects.first(), title_lv='=HYPERLINK("http://x")', status=Status.APPROVED)
    text = client.get("/lv/open-data/activities.csv").getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_progress_bars_carry_aria_values(client, demo):
    page = client.get("/en/indicators/K1/").content.decode()
    assert 'role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="' in page
    assert "<title" in page and "<caption>" in page
