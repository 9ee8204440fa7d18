"""English pages and the English PDF write dates and amounts the EU English way («20 January 2026»,
«EUR 2,899,408.11»), not the US way Django's "en" formats give («Jan. 20, 2026», «2,899,408.11 EUR»);
Latvian pages stay as they were."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.yearend.pdf import stored_report
from indicators.yearend.services import close_year
from partners import roles
from partners.models import LAG, LocalStrategy
from strategy.models import ActivityType
from strategy.workflow import Status
from tests import factories
from tests.indicators.test_annual_report import pdf_text

NBSP = re.compile("[\u00a0\u202f]")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# «January 20, 2026», «Jan. 20, 2026», «01/20/2026»: the US orders Django's "en" formats use
US_DATE = re.compile(
    rf"\b(?:{MONTHS}|(?:Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\.) \d{{1,2}}, \d{{4}}|\b\d{{2}}/\d{{2}}/\d{{4}}"
)
EU_MONEY = re.compile(r"EUR \d{1,3}(?:,\d{3})*\.\d{2}\b")
MONEY_AFTER = re.compile(r"\d\.\d{2} EUR")


def eu_date(day):
    return f"{day.day} {day:%B} {day.year}"


def text(response):
    return NBSP.sub(" ", response.content.decode())


def test_english_pages_write_amounts_and_dates_the_eu_way(client, strategy):
    lag = LAG.objects.get(slug="kaimini")
    activity = factories.activity(
        lag=lag,
        activity_type=ActivityType.objects.get(code="project"),
        status=Status.APPROVED,
        start_date=date(2026, 1, 20),
    )
    factories.funding_line(activity=activity, amount=Decimal("2899408.11"))
    en = text(client.get(f"/en/activities/{activity.pk}/"))
    assert "EUR 2,899,408.11" in en and "2,899,408.11 EUR" not in en
    assert eu_date(activity.start_date) in en
    assert not US_DATE.search(en), US_DATE.search(en)

    page = text(client.get("/en/lags/kaimini/"))
    for local in LocalStrategy.objects.filter(lag=lag):
        assert f"EUR {local.amount:,.2f}" in page
    assert not MONEY_AFTER.search(page)
    # the strategy page lists the LAGs' local strategies with their funding, the same way
    strategy_page = text(client.get("/en/strategy/"))
    assert all(f"EUR {s.amount:,.2f}" in strategy_page for s in LocalStrategy.objects.all())

    lv = text(client.get(f"/lv/activities/{activity.pk}/"))
    assert "2 899 408,11 EUR" in lv and "2026. gada 20. janvāris" in lv


@pytest.mark.parametrize("language", ["en"])
def test_the_english_pdf_writes_amounts_and_dates_the_eu_way(demo, tmp_path, language):
    board = factories.user(role=roles.BOARD)
    moment = timezone.make_aware(datetime(2026, 1, 20, 14, 5))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        snapshot = close_year(year=2024, by=board)
    pdf = stored_report(snapshot, language=language).file.read()
    page = pdf_text(pdf, tmp_path, layout=False)
    flat = " ".join(page.split())
    assert EU_MONEY.search(flat), "amounts read «EUR 1,234.56»"
    # in the laid-out text a cell's words are one space apart, columns further
    lines = pdf_text(pdf, tmp_path).splitlines()
    after = [line for line in lines if MONEY_AFTER.search(line)]
    assert not after, after
    assert f"{eu_date(moment)}, 14:05" in flat  # the closing moment
    assert not US_DATE.search(flat), US_DATE.search(flat)
    # the activities' dates in the table: day.month.year, as EU English writes dates in tables
    assert re.search(r"\b\d{1,2}\.\d{1,2}\.2024\b", flat)
