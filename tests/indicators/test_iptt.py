"""The funders' workbook (IPTT, #16): per indicator × year, jointly and per LAG; its numbers equal the
open data's (and so the dashboard's); a closed year's are its snapshot's; downloadable by the board and
the secretariat from the admin and publicly for closed years."""

import io

import pytest
from openpyxl import load_workbook

from indicators import iptt
from indicators.models import VarianceNarrative, YearSnapshot
from indicators.yearend.services import close_year
from partners import roles
from partners.models import LAG
from strategy.workflow import Status
from tests import factories

COMPARED = ["baseline", "target", "actual", "achievement", "status", "complete"]


def table(content):
    book = load_workbook(io.BytesIO(content))
    sheet = book["IPTT"]
    lines = list(sheet.iter_rows(values_only=True))
    names = lines[0]
    return book, [dict(zip(names, line, strict=True)) for line in lines[1:]]


def open_data(client):
    """The open data's figure rows as a user downloads them (its XLSX), by (indicator, LAG, year)."""
    response = client.get("/lv/open-data/indicator-figures.xlsx")
    assert response.status_code == 200
    lines = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    found = {}
    for line in lines[1:]:
        row = dict(zip(lines[0], line, strict=True))
        if row["year"] is not None:
            found[(row["indicator"], row["lag"] or "", row["year"])] = row
    return found


@pytest.fixture
def board(db):
    return factories.user(role=roles.BOARD)


@pytest.fixture
def closed(demo, strategy, board):
    close_year(year=2024, by=board, acknowledge_unapproved=True)
    return strategy


def test_every_cell_equals_the_matching_open_data_row(demo, strategy, client):
    _book, rows = table(iptt.workbook(strategy, list(strategy.years)))
    expected = open_data(client)
    assert len(rows) == len(expected)
    compared = 0
    for row in rows:
        want = expected[(row["indicator"], row["lag"] or "", row["year"])]
        for column in COMPARED:
            got = row[column]
            assert got == want[column], (row, column)
            compared += got is not None
    assert compared > 100  # the demo's figures, not a table of blanks


def test_a_closed_years_figures_are_its_snapshots(closed, client):
    snapshot = YearSnapshot.objects.get(year=2024)
    # what the snapshot froze wins over anything computed now
    snapshot.data["scopes"]["joint"]["figures"]["K1"]["year"]["actual"] = "98765"
    YearSnapshot.objects.filter(pk=snapshot.pk).update(data=snapshot.data)
    _book, rows = table(iptt.workbook(closed, [2024]))
    k1 = next(r for r in rows if r["indicator"] == "K1" and not r["lag"])
    assert k1["actual"] == 98765
    assert k1["closed"] is True
    assert open_data(client)[("K1", "", 2024)]["actual"] == 98765  # the open data reads the same


def test_the_approved_narrative_is_in_the_lags_row_and_text_is_formula_neutralised(closed):
    lag = LAG.objects.get(slug="kaimini")
    indicator = closed.indicators.get(code="K1")
    VarianceNarrative.objects.bulk_create(
        [
            VarianceNarrative(
                indicator=indicator,
                lag=lag,
                year=2024,
                status=Status.APPROVED,
                text_lv='=HYPERLINK("http://x")',
                text_en="Behind.",
            )
        ]
    )
    book, rows = table(iptt.workbook(closed, [2024]))
    row = next(r for r in rows if r["indicator"] == "K1" and r["lag"] == "kaimini")
    assert row["variance_narrative_lv"] == '\'=HYPERLINK("http://x")'
    assert row["variance_narrative_en"] == "Behind."
    joint = next(r for r in rows if r["indicator"] == "K1" and not r["lag"])
    assert joint["variance_narrative_lv"] in (None, "")
    assert {"IPTT", "Metodes", "Kolonnas"} <= set(book.sheetnames)
    described = {line[0] for line in book["Kolonnas"].iter_rows(values_only=True)}
    assert {name for name, _doc in iptt.COLUMNS} <= described


def test_the_data_quality_notes_name_an_incomplete_year(demo, strategy):
    _book, rows = table(iptt.workbook(strategy, [strategy.years[-1]]))
    assert any("Gads nav pabeigts" in (r["data_quality"] or "") for r in rows)


def test_the_public_workbook_is_only_for_closed_years(closed, client):
    page = client.get("/lv/reports/").content.decode()
    assert "/lv/reports/iptt.xlsx" in page
    response = client.get("/lv/reports/iptt.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == iptt.CONTENT_TYPE
    _book, rows = table(response.content)
    assert {r["year"] for r in rows} == {2024}


def test_no_public_workbook_before_a_year_is_closed(demo, client):
    assert client.get("/lv/reports/iptt.xlsx").status_code == 404
    assert "iptt.xlsx" not in client.get("/lv/reports/").content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [(roles.BOARD, 200), (roles.SECRETARIAT, 200), (roles.EDITOR, 403)]
)
def test_the_admin_workbook_is_for_the_board_and_the_secretariat(strategy, client, role, status):
    user = factories.user(role=role, lag=LAG.objects.first() if role == roles.EDITOR else None)
    client.force_login(user)
    response = client.get("/admin/strategy/yearclosure/iptt.xlsx")
    assert response.status_code == status
    if status == 200:
        _book, rows = table(response.content)
        assert {r["year"] for r in rows} == set(strategy.years)
