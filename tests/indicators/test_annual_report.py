"""The annual PDF report: numbers equal the dashboard's, LV and EN, tagged and deterministic, and a
closed year's report never changes."""

import hashlib
import os
import re
import shutil
import subprocess
import zlib
from datetime import date

import pytest
from django.core.management import call_command

from indicators.models import Report, YearSnapshot
from indicators.report import render_pdf, stored_report
from indicators.yearclose import close_year, reopen_year
from partners import roles
from strategy.models import Activity
from tests import factories

YEAR = 2024
NBSP = re.compile("[\u00a0\u202f]")


def _tool(name):
    if shutil.which(name) is None:
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(f"{name} (poppler-utils) is required")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return name


def pdf_text(pdf, tmp_path, layout=True):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    args = [_tool("pdftotext"), *(["-layout"] if layout else []), str(path), "-"]
    return NBSP.sub(" ", subprocess.run(args, capture_output=True, check=True, text=True).stdout)


def document_languages(pdf):
    """The /Lang entries of the PDF (the catalog sits in a compressed object stream)."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found += re.findall(rb"/Lang ?\(([a-z]+)\)", zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return found


def dashboard_values(client, language, lag=None):
    """{code: the value text of the dashboard's card} for YEAR and the scope."""
    query = f"?year={YEAR}" + (f"&lag={lag}" if lag else "")
    html = client.get(f"/{language}/indicators/{query}").content.decode()
    values = {}
    for code, value in re.findall(r'id="kpi-(\w+)".*?class="kpi-value">(?:<a [^>]*>)?(.*?)</', html, re.S):
        values[code] = NBSP.sub(" ", re.sub(r"<[^>]+>", "", value)).strip()
    return values


@pytest.fixture
def board(db):
    return factories.user(role=roles.BOARD)


@pytest.fixture
def snapshot(demo, board):
    return close_year(year=YEAR, by=board)


@pytest.mark.parametrize(("language", "lag"), [("lv", None), ("en", "kraslava")])
def test_report_numbers_equal_the_dashboard(client, snapshot, tmp_path, language, lag):
    pdf = stored_report(snapshot, lag=lag, language=language).file.read()
    lines = pdf_text(pdf, tmp_path).splitlines()
    expected = dashboard_values(client, language, lag)
    assert len(expected) == 16
    for code, value in expected.items():
        row = next(line for line in lines if re.match(rf"\s*{code} ", line))
        # the table row of the indicator shows the year's actual value as the dashboard does
        assert value in row, (code, value, row)


def test_report_is_tagged_with_language_fonts_embedded_and_latvian_diacritics(snapshot, tmp_path):
    pdf = stored_report(snapshot, language="lv").file.read()
    path = tmp_path / "lv.pdf"
    path.write_bytes(pdf)
    info = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, check=True, text=True).stdout
    assert "Tagged:          yes" in info
    fonts = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True).stdout
    font_rows = [line.split() for line in fonts.splitlines()[2:]]
    assert font_rows
    assert all(row[-5] == "yes" for row in font_rows), fonts  # the "emb" column
    assert document_languages(pdf) == [b"lv"]
    text = pdf_text(pdf, tmp_path, layout=False)
    for word in (
        "Gada pārskats 2024",
        "Rādītāju tabula",
        "Līdzdalība pa novadiem",
        "Galīgie dati (gads slēgts)",
    ):
        assert word in text
    # "provisional" or "final" stands in the running header of every page
    pages = text.split("\f")
    assert all("Galīgie dati (gads slēgts)" in page for page in pages if page.strip())


def test_english_report_is_english(snapshot, tmp_path):
    pdf = stored_report(snapshot, language="en").file.read()
    assert document_languages(pdf) == [b"en"]
    text = pdf_text(pdf, tmp_path, layout=False)
    assert "Annual report 2024" in text
    assert "Indicator table" in text


def test_same_snapshot_gives_the_same_bytes_and_the_stored_hash(snapshot):
    report = stored_report(snapshot, language="lv")
    again = render_pdf(snapshot.data, language="lv", created_at=snapshot.created_at)
    assert hashlib.sha256(again).hexdigest() == report.sha256
    # a second download serves the stored file: no new row, no new render
    assert stored_report(snapshot, language="lv") == report
    assert Report.objects.count() == 1


def test_closed_year_report_does_not_change_when_data_is_reopened_and_edited(snapshot, board, client):
    report = stored_report(snapshot, language="lv")
    stored_bytes = report.file.read()
    reopen_year(year=YEAR, by=board, reason="Labojums")
    activity = Activity.objects.approved().filter(start_date__year=YEAR).first()
    activity.participants_total = (activity.participants_total or 0) + 1000
    activity.save()
    factories.activity(lag=activity.lag, start_date=date(YEAR, 6, 1))
    snapshot.refresh_from_db()
    assert render_pdf(snapshot.data, language="lv", created_at=snapshot.created_at) == stored_bytes
    report.file.open("rb")
    assert report.file.read() == stored_bytes
    # closing again freezes the new figures in a new snapshot; the first one stays
    second = close_year(year=YEAR, by=board)
    assert YearSnapshot.objects.filter(year=YEAR).count() == 2
    assert second.data["scopes"]["joint"]["headline"] != snapshot.data["scopes"]["joint"]["headline"]


def test_reports_page_lists_closed_years_with_sha256(client, snapshot):
    report = stored_report(snapshot, language="lv")
    page = client.get("/lv/reports/").content.decode()
    assert report.sha256 in page
    assert "galīgie dati (gads slēgts)" in page
    assert "provizoriski dati" in page
    english = client.get("/en/reports/").content.decode()
    assert "final (year closed)" in english
    response = client.get(f"/lv/reports/{YEAR}/joint-lv.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == report.file.open("rb").read()
    assert client.get("/lv/reports/2023/joint-lv.pdf").status_code == 404


def test_annual_report_command_writes_a_provisional_pdf_of_an_open_year(demo, tmp_path, capsys):
    output = tmp_path / "r.pdf"
    call_command("annual_report", year=2023, lag="kraslava", lang="en", output=str(output))
    assert output.read_bytes().startswith(b"%PDF")
    assert "provizorisks" in capsys.readouterr().out
    text = pdf_text(output.read_bytes(), tmp_path, layout=False)
    assert "Provisional data (year not closed)" in text
