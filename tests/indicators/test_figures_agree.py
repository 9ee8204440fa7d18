"""The dashboard, an indicator page, the annual PDF and the open-data file `indicator-figures` give the
same achievement ("% no mērķa") for the same indicator, scope and period — jointly and for one LAG, for a
flow, a stock and an estimate — on the demonstration data."""

import json
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest
from django.utils import timezone

from indicators.progress import ProgressEngine
from indicators.yearend.pdf import render_pdf
from indicators.yearend.snapshot import year_data
from partners import formats
from partners.models import LAG
from tests import factories

NBSP = re.compile("[\u00a0\u202f]")
PERCENT = r"(-?\d[\d\u00a0\u202f ]*)\s*%"
LAG_SLUG = "kraslava"


def _number(text):
    return Decimal(NBSP.sub("", text).replace(" ", "").replace(",", "."))


def _card(html, code):
    """The achievement on the card of ``code``."""
    card = html[html.index(f'id="kpi-{code}"') :]
    card = card[: card.index("</article>")]
    return _number(re.search(rf'class="kpi-percent">{PERCENT}', card).group(1))


def _indicator_page(html, lag, years):
    """The period's achievement on the indicator page: the headline card jointly, the LAG's period row
    of the figures table otherwise."""
    if lag is None:
        return _number(re.search(rf'class="kpi-percent">{PERCENT}', html).group(1))
    pattern = (
        rf'<tr class="total"><th scope="row">{re.escape(formats.years_label(years))}</th>'
        rf"<td>{re.escape(lag.short_name_lv)}</td>(.*?)</tr>"
    )
    row = re.search(pattern, html, re.S).group(1)
    return _number(re.search(rf'aria-valuetext="{PERCENT} no mērķa"', row).group(1))


def _pdf_period(pdf, tmp_path, code, codes):
    """The period column's achievement in the PDF's indicator table row of ``code``."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    lines = NBSP.sub(" ", text.stdout).splitlines()
    first = next(i for i, line in enumerate(lines) if re.match(rf"\s*{code} ", line))
    following = codes[codes.index(code) + 1] if code != codes[-1] else None
    last = next(
        (
            i
            for i, line in enumerate(lines[first + 1 :], first + 1)
            if following and re.match(rf"\s*{following} ", line)
        ),
        first + 10,
    )
    # the year's achievement comes first in the row, the period's last
    found = re.findall(rf"{PERCENT} no mērķa", "\n".join(lines[first:last]))
    return _number(found[-1])


def _open_data(rows, code, lag):
    row = next(
        r
        for r in rows
        if r["indicator"] == code and r["lag"] == (lag.slug if lag else "") and r["year"] == ""
    )
    return Decimal(row["achievement"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("lag_slug", [None, LAG_SLUG])
def test_dashboard_indicator_page_pdf_and_open_data_agree_on_achievement(client, demo, tmp_path, lag_slug):
    strategy = factories.current_strategy()
    engine = ProgressEngine(strategy)
    years = engine.period_years()
    assert years, "the demonstration data has complete years"
    lag = LAG.objects.get(slug=lag_slug) if lag_slug else None
    codes = [i.code for i in engine.indicators]
    chosen = {}
    for indicator in engine.indicators:
        figure = engine.figure(indicator, lag)
        if indicator.measure in ("flow", "stock", "estimate") and figure.achievement is not None:
            chosen.setdefault(indicator.measure, (indicator, figure))
    assert chosen.keys() == {"flow", "stock", "estimate"}

    query = f"?lag={lag_slug}" if lag_slug else ""
    dashboard = unescape(client.get(f"/lv/indicators/{query}").content.decode())
    rows = json.loads(client.get("/lv/open-data/indicator-figures.json").getvalue())["rows"]
    # the report of the period's last year: its period column covers the same years as the dashboard
    pdf = render_pdf(year_data(strategy, years[-1]), lag=lag_slug, language="lv", created_at=timezone.now())
    for measure, (indicator, figure) in chosen.items():
        page = unescape(client.get(f"/lv/indicators/{indicator.code}/").content.decode())
        seen = {
            "dashboard": _card(dashboard, indicator.code),
            "indicator page": _indicator_page(page, lag, years),
            "PDF": _pdf_period(pdf, tmp_path, indicator.code, codes),
            "open data": _open_data(rows, indicator.code, lag),
        }
        assert set(seen.values()) == {figure.achievement_percent}, (measure, indicator.code, seen)
