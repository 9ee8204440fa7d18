"""Open data `indicator-figures`: each row says what kind of measure it is, how far it is towards its target,
whether every year it covers is complete, and — for survey estimates — its sample and 95 % interval; in
every format, documented on the open-data page in both languages, and empty (never 0) where there is no
value."""

import csv
import html
import io
import json
import re
from decimal import Decimal

from django.utils import translation
from openpyxl import load_workbook

from indicators import opendata
from indicators.models import Indicator
from indicators.progress import ProgressEngine
from partners.models import LAG
from strategy.workflow import Status
from tests import factories

NEW_COLUMNS = ("measure", "achievement", "complete", "interval_low", "interval_high", "sample")
FOUR = Decimal("0.0001")


def _engine_figures(engine):
    return {
        (f.indicator.code, f.lag.slug if f.lag else "", "" if f.year is None else str(f.year)): f
        for indicator in engine.indicators
        for lag in [None, *engine.lags]
        for f in [
            *engine.series(indicator, lag),
            *([engine.figure(indicator, lag)] if engine.period_years() else []),
        ]
    }


def _number(value):
    return None if value is None else Decimal(str(value))


def _expected_percent(ratio):
    return None if ratio is None else (ratio * 100).quantize(FOUR)


def test_indicator_figures_carry_measure_achievement_completeness_and_uncertainty(client, demo):
    engine = ProgressEngine(factories.current_strategy())
    figures = _engine_figures(engine)
    data = json.loads(client.get("/lv/open-data/indicator-figures.json").getvalue())
    assert set(NEW_COLUMNS) <= set(data["columns"])
    assert {(r["indicator"], r["lag"], str(r["year"])) for r in data["rows"]} == figures.keys()

    estimates_with_interval = 0
    incomplete = 0
    for row in data["rows"]:
        f = figures[(row["indicator"], row["lag"], str(row["year"]))]
        key = (row["indicator"], row["lag"], row["year"])
        assert row["measure"] == f.indicator.measure, key
        # achievement is actual ÷ target in percent — the dashboard's headline, not progress from the baseline
        assert _number(row["achievement"]) == _expected_percent(f.achievement), key
        assert row["complete"] is f.complete, key
        if row["year"] != "" and row["year"] == engine.year_to_date_year:
            assert row["complete"] is False, key  # the running year is never complete
        incomplete += not row["complete"]
        if f.indicator.measure == Indicator.Measure.ESTIMATE and f.has_data:
            assert _number(row["sample"]) == f.sample.quantize(FOUR).normalize(), key
            low, high = _number(row["interval_low"]), _number(row["interval_high"])
            assert low <= _number(row["actual"]) <= high, key
            estimates_with_interval += 1
        else:
            # not an estimate (or no data): the uncertainty columns are empty, never 0
            assert (row["sample"], row["interval_low"], row["interval_high"]) == (None, None, None), key
    assert estimates_with_interval
    assert incomplete


def test_indicator_figures_new_columns_are_empty_not_zero_in_csv_and_xlsx(client, demo):
    data = json.loads(client.get("/lv/open-data/indicator-figures.json").getvalue())
    by_key = {(r["indicator"], r["lag"], str(r["year"])): r for r in data["rows"]}

    text = client.get("/lv/open-data/indicator-figures.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert set(NEW_COLUMNS) <= set(rows[0])
    empty_cells = 0
    for row in rows:
        expected = by_key[(row["indicator"], row["lag"], row["year"])]
        for column in NEW_COLUMNS:
            if column == "complete":
                assert row[column] == ("true" if expected[column] else "false")
            elif expected[column] is None:
                assert row[column] == "", (column, row)
                empty_cells += 1
            else:
                assert row[column] == str(expected[column]), (column, row)
    assert empty_cells

    book = load_workbook(io.BytesIO(client.get("/lv/open-data/indicator-figures.xlsx").getvalue()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert set(NEW_COLUMNS) <= set(header)
    for cells in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, cells, strict=True))
        expected = by_key[(row["indicator"], row["lag"] or "", str(row["year"] or ""))]
        assert row["measure"] == expected["measure"]
        assert row["complete"] is expected["complete"]
        for column in ("achievement", "interval_low", "interval_high", "sample"):
            # a number is a number cell; no value is an empty cell, never 0
            assert _number(row[column]) == _number(expected[column]), (column, row)


def test_open_data_page_documents_the_new_columns_in_both_languages(client, strategy):
    docs = dict(opendata.DATASETS["indicator-figures"]["columns"])
    for language in ("lv", "en"):
        page = client.get(f"/{language}/open-data/").content.decode()
        with translation.override(language):
            for column in NEW_COLUMNS:
                assert f"<code>{column}</code>" in page, (language, column)
                meaning = str(docs[column])
                assert meaning.strip()
                assert re.sub(r"\s+", " ", meaning) in re.sub(r"\s+", " ", html.unescape(page)), (
                    language,
                    column,
                )
    with translation.override("en"):
        english = {column: str(docs[column]) for column in NEW_COLUMNS}
    with translation.override("lv"):
        latvian = {column: str(docs[column]) for column in NEW_COLUMNS}
    # every meaning is translated, not shown in Latvian on the English page
    assert all(english[c] != latvian[c] for c in NEW_COLUMNS), english


def test_before_any_year_is_complete_the_file_has_yearly_rows_and_no_period_rows(client, strategy):
    """With no complete year there is no period to total: the yearly rows are there, marked incomplete,
    and no row claims a period it does not have."""
    factories.activity(lag=LAG.objects.first(), status=Status.APPROVED)
    engine = ProgressEngine(factories.current_strategy())
    assert engine.period_years() == ()
    response = client.get("/lv/open-data/indicator-figures.json")
    assert response.status_code == 200
    rows = json.loads(response.getvalue())["rows"]
    assert rows
    assert all(row["year"] != "" for row in rows)
    assert len(rows) == len(engine.indicators) * (1 + len(engine.lags)) * len(engine.years)
    assert not any(row["complete"] for row in rows)
