"""The open-data files at any size: built once per data version and stored, then served from disk with an
ETag and Last-Modified (304 to a conditional request); a query parameter other than ``lag`` and ``year``
neither skips the stored file nor does any work; subsets by LAG and year are files of their own; and the
files say what the dashboard says."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from indicators import opendata
from indicators.progress import ProgressEngine
from partners import formats
from partners.models import LAG, TerritoryUnit
from strategy.models import Activity
from strategy.workflow import Status
from tests import factories

FILES = [(dataset, fmt) for dataset in opendata.DATASETS for fmt in opendata.FORMATS]


def rows_of(response, fmt):
    """The file's rows as dicts of text (CSV), cell values (XLSX) or JSON values."""
    body = response.getvalue()
    if fmt == "json":
        return json.loads(body)["rows"]
    if fmt == "csv":
        assert body.startswith("\ufeff".encode())  # the BOM a spreadsheet needs to read UTF-8
        return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


@pytest.fixture
def some_activities(strategy):
    lags = list(LAG.objects.order_by("slug"))
    made = [
        factories.activity(lag=lag, status=Status.APPROVED, start_date=date(year, 4, 1))
        for lag in lags
        for year in (2023, 2024)
    ]
    factories.activity(lag=lags[0], status=Status.DRAFT)  # never public
    return made


@pytest.mark.parametrize(("dataset", "fmt"), FILES)
def test_a_cache_busting_parameter_reads_nothing_and_sends_the_same_file(
    client, some_activities, dataset, fmt
):
    """Before: the page cache keyed on the whole query string, so each ``?v=…`` built the whole file
    again (at 100×: minutes and gigabytes per request)."""
    url = f"/lv/open-data/{dataset}.{fmt}"
    first = client.get(url)
    assert first.status_code == 200
    body = first.getvalue()
    for query in ("?v=1", "?v=2", "?utm_source=x&v=3"):
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url + query)
            assert again.getvalue() == body
        assert again.status_code == 200
        assert len(queries) == 0, [q["sql"] for q in queries]
        assert again["ETag"] == first["ETag"]


def test_a_conditional_request_is_answered_not_modified(client, some_activities):
    """Before: no ETag, no Last-Modified — every download sent the whole file again."""
    url = "/lv/open-data/activities.csv"
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    assert first["Content-Disposition"] == 'attachment; filename="ddkc-activities.csv"'
    with CaptureQueriesContext(connection) as queries:
        by_tag = client.get(url + "?v=9", headers={"if-none-match": first["ETag"]})
        by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert by_tag.status_code == 304
    assert by_date.status_code == 304
    assert not by_tag.content and not by_date.content
    assert len(queries) == 0
    # another file (a subset) has its own tag
    other = client.get(url + "?lag=" + some_activities[0].lag.slug, headers={"if-none-match": first["ETag"]})
    assert other.status_code == 200 and other["ETag"] != first["ETag"]


def test_a_change_to_the_data_makes_a_new_file(client, some_activities):
    url = "/lv/open-data/activities.json"
    first = client.get(url)
    activity = some_activities[0]
    activity.title_lv = "Pārdēvēta talka"
    activity.save()
    second = client.get(url, headers={"if-none-match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    titles = {row["id"]: row["title_lv"] for row in rows_of(second, "json")}
    assert titles[activity.pk] == "Pārdēvēta talka"
    assert client.get(url, headers={"if-none-match": second["ETag"]}).status_code == 304


@pytest.mark.parametrize("fmt", list(opendata.FORMATS))
def test_the_files_say_what_the_dashboard_says(client, demo, fmt):
    """The joint period figures are the progress engine's; the activities are the period's approved ones."""
    strategy = factories.current_strategy()
    engine = ProgressEngine(strategy)
    assert engine.period_years()
    joint = {
        row["indicator"]: row
        for row in rows_of(client.get(f"/lv/open-data/indicator-figures.{fmt}"), fmt)
        if not row["lag"] and row["year"] in ("", None)
    }
    assert set(joint) == {indicator.code for indicator in engine.indicators}
    for indicator in engine.indicators:
        f = engine.figure(indicator)
        row = joint[indicator.code]
        assert row["status"] == f.status, indicator.code
        for column, value in (("actual", f.actual), ("target", f.target), ("progress", f.progress)):
            expected = None if value is None else Decimal(formats.plain(value))
            written = row[column]
            # a number is text in CSV and JSON (exact decimals), a number cell in XLSX
            assert (None if written in ("", None) else Decimal(str(written))) == expected, (
                indicator.code,
                column,
            )

    activities = rows_of(client.get(f"/lv/open-data/activities.{fmt}"), fmt)
    approved = Activity.objects.approved().filter(
        start_date__year__gte=strategy.period_start, start_date__year__lte=strategy.period_end
    )
    assert len(activities) == approved.count() > 700
    assert {int(row["id"]) for row in activities} == set(approved.values_list("pk", flat=True))


def test_the_json_is_one_document_as_before(client, some_activities):
    """Written row by row, it is byte for byte what ``json.dumps(…, indent=1)`` writes of the whole."""
    body = client.get("/lv/open-data/activities.json").getvalue().decode()
    data = json.loads(body)
    assert list(data) == ["licence", "licence_url", "columns", "rows"]
    assert body == json.dumps(data, ensure_ascii=False, indent=1)
    assert len(data["rows"]) == len(some_activities)
    empty = client.get("/lv/open-data/activities.json?year=2021").getvalue().decode()
    assert json.loads(empty)["rows"] == []
    assert empty == json.dumps(json.loads(empty), ensure_ascii=False, indent=1)


@pytest.mark.parametrize("fmt", list(opendata.FORMATS))
def test_subsets_by_lag_and_year(client, some_activities, fmt):
    lag = some_activities[0].lag
    expected = {a.pk for a in some_activities if a.lag == lag and a.start_date.year == 2024}
    response = client.get(f"/lv/open-data/activities.{fmt}?lag={lag.slug}&year=2024&v=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ddkc-activities-{lag.slug}-2024.{fmt}"'
    assert {int(row["id"]) for row in rows_of(response, fmt)} == expected

    figures = rows_of(client.get(f"/lv/open-data/indicator-figures.{fmt}?lag={lag.slug}"), fmt)
    assert figures and {row["lag"] for row in figures} == {lag.slug}
    engine = ProgressEngine(factories.current_strategy())
    indicators = {indicator.code: indicator for indicator in engine.indicators}
    for row in figures:
        year = None if row["year"] in ("", None) else int(row["year"])
        figure = engine.figure(indicators[row["indicator"]], lag, year)
        assert row["status"] == figure.status

    by_year = rows_of(client.get(f"/lv/open-data/indicator-figures.{fmt}?year=2023"), fmt)
    assert by_year and {int(row["year"]) for row in by_year} == {2023}

    territory = rows_of(client.get(f"/lv/open-data/territory.{fmt}?lag={lag.slug}&year=1"), fmt)
    assert {row["name"] for row in territory} == set(
        TerritoryUnit.objects.filter(lag=lag).values_list("name", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("lag=nav-tadas", 404, "Šādas VRG nav"),
        ("lag=%3Cscript%3E", 400, "VRG norāda ar tās īso kodu"),
        ("year=1999", 404, "Gadam jābūt stratēģijas periodā"),
        ("year=20x4", 400, "Gadu norāda ar četriem cipariem"),
        ("year=99999", 400, "Gadu norāda ar četriem cipariem"),
    ],
)
def test_a_subset_that_cannot_be_is_refused_in_latvian_and_builds_nothing(
    client, strategy, settings, query, status, message
):
    response = client.get(f"/lv/open-data/activities.csv?{query}")
    assert response.status_code == status
    assert message in response.content.decode()
    assert not [p for p in settings.OPEN_DATA_ROOT.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    english = client.get(f"/en/open-data/activities.csv?{query}")
    assert english.status_code == status and message not in english.content.decode()


def test_the_open_data_page_explains_the_subsets(client, strategy):
    page = client.get("/lv/open-data/").content.decode()
    lag = LAG.objects.order_by("order", "slug").first()
    assert f"/lv/open-data/activities.csv?lag={lag.slug}" in page
    assert "?year=" in page
    assert "ETag" in page


def test_at_100x_the_activity_files_are_built_by_the_timer_and_the_earlier_copy_is_sent_meanwhile(
    client, some_activities, settings
):
    """At 100× volume building activities.csv takes minutes — a request building it would outlive the web
    worker's timeout (gunicorn's 30 s), be killed, and the next request start again. Above
    OPEN_DATA_BUILD_IN_REQUEST_MAX approved activities a request is sent the newest earlier copy (with its
    own ETag) until ``manage.py build_open_data`` (docs/ddkc-opendata.timer) has built the new one."""
    from django.core.management import call_command

    settings.OPEN_DATA_BUILD_IN_REQUEST_MAX = len(some_activities) - 1  # "too many to build in a request"
    url = "/lv/open-data/activities.csv"
    first = client.get(url)  # nothing built before: built now
    assert first.status_code == 200
    activity = some_activities[0]
    activity.title_lv = "Pārdēvēta talka"
    activity.save()

    with CaptureQueriesContext(connection) as queries:
        meanwhile = client.get(url)
    assert meanwhile.getvalue() == first.getvalue() and meanwhile["ETag"] == first["ETag"]
    assert meanwhile["Last-Modified"] == first["Last-Modified"]
    assert len(queries) == 1, [q["sql"] for q in queries]  # the count of approved activities, no rows
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    # a small file is built for the new version at once, and that does not remove the earlier copy
    assert "Pārdēvēta" not in client.get("/lv/open-data/territory.csv").getvalue().decode()
    assert client.get(url)["ETag"] == first["ETag"]

    call_command("build_open_data", verbosity=0)
    with CaptureQueriesContext(connection) as queries:
        built = client.get(url, headers={"if-none-match": first["ETag"]})
    assert len(queries) == 0
    assert built.status_code == 200 and built["ETag"] != first["ETag"]
    titles = {int(row["id"]): row["title_lv"] for row in rows_of(built, "csv")}
    assert titles[activity.pk] == "Pārdēvēta talka"
    # the timer built the subsets too: one LAG's and one year's activities are sent without a build
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{url}?lag={activity.lag.slug}").status_code == 200
        assert client.get(f"{url}?year=2024").status_code == 200
    assert len(queries) == 0


def test_below_the_limit_a_request_builds_the_new_activity_file_itself(client, some_activities, settings):
    settings.OPEN_DATA_BUILD_IN_REQUEST_MAX = len(some_activities)
    url = "/lv/open-data/activities.csv"
    first = client.get(url)
    activity = some_activities[0]
    activity.title_lv = "Pārdēvēta talka"
    activity.save()
    second = client.get(url)
    assert second["ETag"] != first["ETag"]
    assert "Pārdēvēta talka" in second.getvalue().decode()
