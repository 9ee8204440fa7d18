"""The annual PDF report: numbers equal the dashboard's, LV and EN, tagged and deterministic, and a
closed year's report never changes."""

import hashlib
import io
import os
import re
import shutil
import subprocess
import zlib
from datetime import date
from decimal import Decimal
from html import unescape

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from indicators.models import Report, YearSnapshot
from indicators.yearend.pdf import render_html, render_pdf, stored_report
from indicators.yearend.services import close_year, reopen_year
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
    # A compressed stream may itself end in a CR or LF byte, so the end-of-line before «endstream» is not
    # cut off by pattern: the decompressor stops at the end of its data and leaves the rest unused.
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            found += re.findall(rb"/Lang ?\(([a-z]+)\)", zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            continue
    return found


def dashboard_values(client, language, lag=None):
    """{code: the value text of the dashboard's card} for YEAR and the scope."""
    query = f"?year={YEAR}" + (f"&lag={lag}" if lag else "")
    html = client.get(f"/{language}/indicators/{query}").content.decode()
    values = {}
    for code, value in re.findall(r'id="kpi-(\w+)".*?class="kpi-value">(.*?)</p>', html, re.S):
        # the value itself, without the card's label, unit note or period
        value = re.sub(r'<span class="kpi-(?:label|unit|period)">.*?</span>', "", value, flags=re.S)
        values[code] = NBSP.sub(" ", unescape(re.sub(r"<[^>]+>", "", value))).strip()
    return values


@pytest.fixture
def board(db):
    return factories.user(role=roles.BOARD)


@pytest.fixture
def snapshot(demo, board):
    return close_year(year=YEAR, by=board)


@pytest.mark.parametrize(
    ("language", "lag", "title"),
    [("lv", None, "Gada pārskats 2024"), ("en", "kraslava", "Annual report 2024")],
)
def test_report_numbers_equal_the_dashboard_in_a_tagged_pdf(client, snapshot, tmp_path, language, lag, title):
    pdf = stored_report(snapshot, lag=lag, language=language).file.read()
    lines = pdf_text(pdf, tmp_path).splitlines()
    expected = dashboard_values(client, language, lag)
    assert len(expected) == 16
    codes = list(expected)
    for position, code in enumerate(codes):
        # the indicator's table row: from its code to the next indicator's code (long amounts wrap
        # onto further lines of the row)
        start = next(i for i, line in enumerate(lines) if re.match(rf"\s*{code} ", line))
        following = codes[position + 1] if position + 1 < len(codes) else None
        end = next(
            (
                i
                for i, line in enumerate(lines[start + 1 :], start + 1)
                if following and re.match(rf"\s*{following} ", line)
            ),
            start + 8,
        )
        row = " ".join(lines[start:end])
        value = expected[code]
        # the unit of a long amount may wrap to a line of its own in its cell (after the number in
        # Latvian, before it in English)
        assert value.removesuffix(" EUR").removeprefix("EUR ") in row, (code, value, row)

    # accessible: tagged, document language set, every font embedded
    path = tmp_path / "report.pdf"
    info = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, check=True, text=True).stdout
    assert "Tagged:          yes" in info
    fonts = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True).stdout
    font_rows = [line.split() for line in fonts.splitlines()[2:]]
    assert font_rows
    assert all(row[-5] == "yes" for row in font_rows), fonts  # the "emb" column
    # the document's language; parts in another language carry their own (Latvian titles in English)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == language
    assert set(document_languages(pdf)) <= {language.encode(), b"lv"}

    text = pdf_text(pdf, tmp_path, layout=False)
    assert title in text
    final = {"lv": "Galīgie dati (gads slēgts)", "en": "Final data (year closed)"}[language]
    # "final" (or "provisional") stands in the running header of every page
    assert all(final in page for page in text.split("\f") if page.strip())
    if language == "lv":  # Latvian diacritics survive extraction
        for words in ("Rādītāju tabula", "Līdzdalība pa novadiem", "Krāslavas rajona partnerība"):
            assert words in text


def test_closed_year_report_does_not_change_when_data_is_reopened_and_edited(snapshot, board, client):
    report = stored_report(snapshot, language="lv")
    stored_bytes = report.file.read()
    assert hashlib.sha256(stored_bytes).hexdigest() == report.sha256
    # a second download serves the stored file: no new row, no new render
    assert stored_report(snapshot, language="lv") == report
    assert Report.objects.count() == 1
    reopen_year(year=YEAR, by=board, reason="Labojums")
    activity = Activity.objects.approved().filter(start_date__year=YEAR).first()
    activity.participants_total = (activity.participants_total or 0) + 1000
    activity.save()
    factories.activity(lag=activity.lag, start_date=date(YEAR, 6, 1))
    snapshot.refresh_from_db()
    # deterministic: the same snapshot renders the same bytes, whatever happened to the data since
    assert render_pdf(snapshot.data, language="lv", created_at=snapshot.created_at) == stored_bytes
    report.file.open("rb")
    assert report.file.read() == stored_bytes
    # closing again freezes the new figures in a new snapshot; the first one stays
    second = close_year(year=YEAR, by=board, acknowledge_unapproved=True)  # the new draft stays out
    assert YearSnapshot.objects.filter(year=YEAR).count() == 2
    assert second.data["scopes"]["joint"]["headline"] != snapshot.data["scopes"]["joint"]["headline"]


def test_reports_page_lists_closed_years_with_sha256(client, snapshot):
    content = b"%PDF-1.7 stored report"
    report = Report(
        snapshot=snapshot, year=YEAR, language="lv", sha256=hashlib.sha256(content).hexdigest(), size=13
    )
    report.file.save("stored.pdf", ContentFile(content))
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


REPORT_YEAR = 2025
WORDS = {
    "lv": {
        "of_target": "% no mērķa",
        "participations": "dalības reizes, nevis cilvēki",
        "interval": "95 % intervāls:",
        "sum": "VRG mērķu summa",
        "weighted": "VRG mērķu svērtais vidējais",
        "measures": {
            "flow": "plūsma",
            "stock": "krājums",
            "estimate": "aptaujas aplēse",
            "rating": "vērtējums",
        },
        "sources": "ieskaita tikai šos avotus:",
        "summary_end": "Valdes vērtējums",
    },
    "en": {
        "of_target": "% of target",
        "participations": "participations, not persons",
        "interval": "95 % interval:",
        "sum": "sum of the LAGs' targets",
        "weighted": "weighted mean of the LAGs' targets",
        "measures": {"flow": "flow", "stock": "stock", "estimate": "survey estimate", "rating": "rating"},
        "sources": "counts only these sources:",
        "summary_end": "The board's assessment",
    },
}


def _words(text):
    """Text as the rows are compared: every run of spaces (also no-break ones) as one space."""
    return " ".join(str(text).split())


def _html_rows(html):
    """{code: the words of the indicator table's row} of the report's HTML (what WeasyPrint renders)."""
    return {
        code: " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for code, row in re.findall(r'<tr class="indicator-row" data-code="(\w+)">(.*?)</tr>', html, re.S)
    }


def _pdf_rows(text, codes):
    """{code: the lines of the PDF's indicator table row} (pdftotext -layout)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*K1 ", line))
    rows = {}
    for position, code in enumerate(codes):
        first = next(i for i, line in enumerate(lines[start:], start) if re.match(rf"\s*{code} ", line))
        following = codes[position + 1] if position + 1 < len(codes) else None
        last = next(
            (
                i
                for i, line in enumerate(lines[first + 1 :], first + 1)
                if following and re.match(rf"\s*{following} ", line)
            ),
            first + 10,
        )
        rows[code] = " ".join(" ".join(lines[first:last]).split())
        start = first
    return rows


@pytest.mark.parametrize(("language", "lag"), [("lv", None), ("en", "preili")])
def test_report_headlines_achievement_with_status_and_says_how_each_figure_is_measured(
    demo, tmp_path, language, lag
):
    from django.utils import timezone, translation

    from indicators.models import Indicator
    from indicators.progress import FORMULA, ProgressEngine
    from indicators.yearend.snapshot import year_data
    from partners import formats
    from partners.models import LAG
    from strategy.models import FundingLine

    strategy = factories.current_strategy()
    data = year_data(strategy, REPORT_YEAR)
    created_at = timezone.now()
    pdf = render_pdf(data, lag=lag, language=language, created_at=created_at)
    rows = _html_rows(render_html(data, lag=lag, language=language, created_at=created_at))
    words = WORDS[language]
    engine = ProgressEngine(strategy, through_year=REPORT_YEAR)
    scope = LAG.objects.get(slug=lag) if lag else None
    pdf_rows = _pdf_rows(pdf_text(pdf, tmp_path), [i.code for i in engine.indicators])
    participations = []
    with translation.override(language):
        for indicator in engine.indicators:
            figure = engine.figure(indicator, scope, REPORT_YEAR)
            row = rows[indicator.code]
            # the headline: achievement against the year's target, and the status that follows from it
            if figure.achievement_percent is not None:
                headline = _words(f"{formats.number(figure.achievement_percent)} {words['of_target']}")
                assert headline in pdf_rows[indicator.code], pdf_rows[indicator.code]
                assert row.index(headline) < row.index(_words(figure.status_label)), row
            else:
                assert _words(figure.status_label) in row, row
            assert words["measures"][indicator.measure] in row, row
            if figure.counts_participations:
                assert words["participations"] in row, row
                participations.append(indicator.code)
            else:
                assert words["participations"] not in row, row
            if indicator.measure == Indicator.Measure.ESTIMATE and figure.sample is not None:
                assert _words(f"n = {formats.number(figure.sample)}") in row, row
                low, high = formats.number(figure.interval_low, 1), formats.number(figure.interval_high, 1)
                assert _words(f"{words['interval']} {low}–{high} %") in row, row
            if scope is None and figure.target_basis == "derived" and figure.target is not None:
                # a joint count's target is the sum of the LAGs'; a share's or an estimate's their weighted mean
                share = (
                    indicator.measure == Indicator.Measure.ESTIMATE
                    or indicator.unit == Indicator.Unit.PERCENT
                )
                if indicator.measure != Indicator.Measure.RATING:
                    assert words["weighted" if share else "sum"] in row, row
        text = pdf_text(pdf, tmp_path, layout=False)
        assert participations  # K7, R2, R5 count participations
        method = " ".join(text[text.rindex("K1, ") - 2000 :].split())
        # progress from the baseline keeps its formula; each measure's period rule names its indicators
        assert " ".join(str(FORMULA).split()) in method
        for measure in {i.measure for i in engine.indicators}:
            listed = ", ".join(i.code for i in engine.indicators if i.measure == measure)
            assert f"({listed})" in method, measure
        # K6: the sources it counts; the rest is co-financing
        k6 = next(i for i in engine.indicators if i.funding_sources)
        labels = dict(FundingLine.Source.choices)
        sources = "; ".join(str(labels[s]) for s in k6.funding_sources)
        assert f"{k6.code} {words['sources']} {sources}." in method
        # ... and the co-financing of its activities in the year is shown as an amount beside K6
        summary = " ".join(text[: text.index(words["summary_end"])].split())
        cofinancing = engine.cofinancing(scope, REPORT_YEAR)
        assert cofinancing
        assert _words(formats.money(cofinancing)) in " ".join(_words(summary).split()), summary


def _chart_figures(values, lag=None):
    from types import SimpleNamespace

    return [
        SimpleNamespace(year=2022 + i, actual=Decimal(v), target=Decimal(5), lag=lag, has_data=True)
        for i, v in enumerate(values)
    ]


def test_chart_ticks_show_the_decimals_their_gridline_needs():
    from types import SimpleNamespace

    from django.utils import translation

    from indicators.charts import bar_chart

    count = SimpleNamespace(unit="count")
    with translation.override("lv"):
        chart = bar_chart(
            title="K1", indicator=count, years=[2022, 2023], groups=[("x", _chart_figures([3, 4]))]
        )
    # the axis goes 0 – 5: its middle gridline is 2,5, not "2"
    assert [t["label"] for t in chart["ticks"]] == ["0", "2,5", "5"]
    with translation.override("en"):
        chart = bar_chart(title="K1", indicator=count, years=[2022], groups=[("x", _chart_figures([40]))])
    assert [t["label"] for t in chart["ticks"]] == ["0", "25", "50"]


def test_one_lag_report_labels_the_target_line_as_the_lags_own(demo):
    from django.utils import timezone

    from indicators.yearend.snapshot import year_data

    data = year_data(factories.current_strategy(), REPORT_YEAR)
    created_at = timezone.now()
    one = render_html(data, lag="kraslava", language="lv", created_at=created_at)
    assert "mērķa vērtība (kopā)" not in one
    assert "mērķa vērtība: Krāslavas rajona partnerība" in one
    english = render_html(data, lag="kraslava", language="en", created_at=created_at)
    assert "target (joint)" not in english and "target: Krāslava District Partnership" in english
    joint = render_html(data, language="lv", created_at=created_at)
    assert "mērķa vērtība (kopā)" in joint


def struct_elements(pdf):
    """Every structure element of a pikepdf document with its parent, in reading order."""
    root = pdf.Root.StructTreeRoot.K
    for top in root if isinstance(root, pikepdf.Array) else [root]:
        yield from struct_elements_of(top)


def _kids(node, role):
    kids = node.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/S") == role]


def test_report_pdf_tags_header_scopes_latvian_titles_and_a_contents_list(demo, tmp_path):
    """PDF/UA as WeasyPrint 70 left it: 0 of 363 TH had /Scope, Latvian titles in the English report
    were not Latvian, the contents page was 1 130 dots as separate text with links nested three
    deep, and a definition list was a flat list."""
    import pdfua
    from django.utils import timezone

    from indicators.yearend.snapshot import year_data

    data = year_data(factories.current_strategy(), REPORT_YEAR)
    created_at = timezone.now()
    html = render_html(data, language="en", created_at=created_at)
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(data, language="en", created_at=created_at))
    pdf = pikepdf.open(path)
    elements = list(struct_elements(pdf))

    # every table header cell says whether it heads its column or its row
    headers = [(node, parent) for node, parent in elements if node.S == "/TH"]
    assert len(headers) > 300
    for node, row in headers:
        scope = node.A.get("/Scope")
        section = next(parent for n, parent in elements if n.objgen == row.objgen).S
        assert scope == ("/Column" if section == "/THead" else "/Row"), (section, scope)

    # Latvian text in the English report is marked Latvian: each activity title without an English one
    latvian_rows = len(re.findall(r'<th scope="row" lang="lv">', html))
    assert latvian_rows
    assert sum(1 for node, _ in headers if node.get("/Lang") == "lv") == latvian_rows
    assert sum(1 for node, _ in elements if node.get("/Lang") == "lv") >= html.count('lang="lv"')

    # the contents: one list, an item per section with its number as the label and a link as the body
    contents = next(
        node
        for node, _ in elements
        if node.S == "/L" and len(_kids(node, "/LI")) == 7 and len(_kids(node, "/L")) == 1
    )
    items = _kids(contents, "/LI") + _kids(_kids(contents, "/L")[0], "/LI")
    assert len(items) == 9
    for item in items:
        (body,) = _kids(item, "/LBody")
        links = [node for node, parent in struct_elements_of(body) if node.S == "/Link"]
        assert len(links) == 1  # one link, not a link inside a link inside a link
    assert (
        sum(1 for item in items if _kids(item, "/Lbl")) == 7
    )  # "1." … "5.", "2.1.", "2.2."; the annexes have none
    # … and its leaders are drawn, not typed: no run of dots anywhere in the text
    text = pdf_text(path.read_bytes(), tmp_path, layout=False)
    assert not re.search(r"(\.\s*){4,}", text)
    assert "<dl" not in html  # term–value pairs are tables with row headers

    # the pdfua checker finds no error; its only warning is a table whose caption WeasyPrint leaves
    # alone at the foot of a page (tagged as a table of its own: the rows follow on the next page)
    report = pdfua.validate(str(path))
    assert not [f for f in report.findings if f.severity >= pdfua.Severity.ERROR], report.findings
    for finding in report.findings:
        assert finding.rule_id == "UA-15-003" and "no /TR rows" in finding.message, finding


def struct_elements_of(node):
    """The structure elements under ``node`` (itself included)."""

    def walk(current, parent):
        if not isinstance(current, pikepdf.Dictionary) or "/S" not in current:
            return
        yield current, parent
        kids = current.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            yield from walk(kid, current)

    yield from walk(node, None)


def test_report_shows_the_lags_approved_variance_narratives_and_k5_descriptions(
    demo, board, tmp_path, settings
):
    """The report showed figures without the LAGs' explanation of why an indicator is behind, and
    without the qualitative K5 descriptions; a closed year's report keeps the texts it closed with."""
    from indicators.models import Indicator, Measurement, VarianceNarrative
    from partners.models import LAG
    from strategy.workflow import Status

    settings.PORTAL_URL = "https://ddkc.example.lv"
    k1 = Indicator.objects.get(code="K1")
    kraslava, kaimini, preili = (LAG.objects.get(slug=s) for s in ("kraslava", "kaimini", "preili"))
    ahead = VarianceNarrative.objects.create(
        indicator=k1,
        lag=kraslava,
        year=YEAR,
        text_lv="Krāslavā mērķis apsteigts: notika divi papildu forumi.",
        text_en="Krāslava is ahead of its target: two extra forums were held.",
        status=Status.APPROVED,
    )
    VarianceNarrative.objects.create(
        indicator=k1,
        lag=kaimini,
        year=YEAR,
        text_lv="Kaimiņos atpaliek: pasākumi atcelti.",
        status=Status.APPROVED,
    )
    VarianceNarrative.objects.create(
        indicator=k1,
        lag=preili,
        year=YEAR,
        text_lv="Melnraksts, kas vēl nav publisks.",
        status=Status.SUBMITTED,
    )
    descriptions = dict(
        Measurement.objects.approved()
        .filter(indicator__code="K5", year=YEAR)
        .exclude(narrative="")
        .values_list("lag__slug", "narrative")
    )
    assert set(descriptions) == {"kaimini", "kraslava", "preili"}
    snapshot = close_year(year=YEAR, by=board, acknowledge_unapproved=True)

    joint = " ".join(
        pdf_text(stored_report(snapshot, language="lv").file.read(), tmp_path, layout=False).split()
    )
    assert "K1: VRG skaidrojumi par novirzi no mērķa, 2024" in joint
    assert "Krāslavas rajona partnerība: Krāslavā mērķis apsteigts: notika divi papildu forumi." in joint
    assert "Kaimiņi: Kaimiņos atpaliek: pasākumi atcelti." in joint
    assert "Melnraksts" not in joint  # only approved narratives
    assert "K5: VRG apraksti, 2024" in joint
    for text in descriptions.values():
        assert " ".join(text.split()) in joint
    # the portal's configured address, not the development one
    assert "https://ddkc.example.lv/" in joint and "127.0.0.1" not in joint

    one = " ".join(
        pdf_text(
            stored_report(snapshot, lag="kraslava", language="en").file.read(), tmp_path, layout=False
        ).split()
    )
    assert "K1: the LAGs' explanations of the variance from the target, 2024" in one
    assert (
        "Krāslava District Partnership: Krāslava is ahead of its target: two extra forums were held." in one
    )
    assert "Kaimiņos" not in one  # the one-LAG report: that LAG's narratives only
    assert " ".join(descriptions["kraslava"].split()) in one

    # frozen with the year: a text edited after reopening does not change the closed report
    reopen_year(year=YEAR, by=board, reason="Labojums")
    ahead.text_lv = "Pārrakstīts pēc slēgšanas."
    ahead.save()
    snapshot.refresh_from_db()
    frozen = render_html(snapshot.data, language="lv", created_at=snapshot.created_at)
    assert "notika divi papildu forumi" in frozen and "Pārrakstīts" not in frozen
    # a snapshot from before the narratives (SCHEMA 2) is still read: without them
    older = {key: value for key, value in snapshot.data.items() if key != "narratives"}
    assert "notika divi papildu forumi" not in render_html(
        older, language="lv", created_at=snapshot.created_at
    )
