from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from partners import formats
from tests import factories

NBSP = "\xa0"


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


def test_money_is_formatted_the_latvian_way_on_latvian_pages():
    with translation.override("lv"):
        assert render("{{ amount|eur }}", amount=Decimal("2899408.11")) == f"2{NBSP}899{NBSP}408,11 EUR"
    with translation.override("en"):
        # EU English: the currency code first, a no-break space after it
        assert render("{{ amount|eur }}", amount=Decimal("2899408.11")) == f"EUR{NBSP}2,899,408.11"


def test_an_indicators_amount_puts_the_currency_where_the_language_does():
    euros, percent = SimpleNamespace(unit="eur"), SimpleNamespace(unit="percent")
    with translation.override("lv"):
        assert formats.figure(Decimal("1234.5"), euros) == f"1{NBSP}234,50{NBSP}EUR"
        assert formats.figure(Decimal("12.34"), percent) == f"12,3{NBSP}%"
        assert formats.unit_may_wrap(formats.figure(Decimal("1234.5"), euros)) == f"1{NBSP}234,50 EUR"
    with translation.override("en"):
        assert formats.figure(Decimal("1234.5"), euros) == f"EUR{NBSP}1,234.50"
        assert formats.figure(Decimal("12.34"), percent) == f"12.3{NBSP}%"
        assert formats.unit_may_wrap(formats.figure(Decimal("1234.5"), euros)) == "EUR 1,234.50"


def test_missing_money_stays_empty_never_zero():
    assert render("{{ amount|eur }}", amount=None) == ""


def test_dates_are_formatted_the_latvian_way_on_latvian_pages():
    with translation.override("lv"):
        assert render("{{ day|date }}", day=date(2024, 3, 5)) == "2024. gada 5. marts"
    with translation.override("en"):
        # EU English, not Django's American "en" formats (March 5, 2024; 03/05/2024; 2:05 p.m.)
        assert render("{{ day|date }}", day=date(2024, 3, 5)) == "5 March 2024"
        assert render('{{ day|date:"SHORT_DATE_FORMAT" }}', day=date(2024, 3, 5)) == "5.3.2024"
        moment = datetime(2026, 1, 20, 14, 5)
        assert render('{{ moment|date:"DATETIME_FORMAT" }}', moment=moment) == "20 January 2026, 14:05"
        assert render('{{ moment|date:"SHORT_DATETIME_FORMAT" }}', moment=moment) == "20.1.2026 14:05"
    with translation.override("lv"):
        assert render('{{ day|date:"SHORT_DATE_FORMAT" }}', day=date(2024, 3, 5)) == "5.03.2024"
        assert render('{{ moment|date:"DATETIME_FORMAT" }}', moment=datetime(2026, 1, 20, 14, 5)) == (
            "2026. gada 20. janvāris, 14:05"
        )


def test_missing_english_text_falls_back_to_latvian_with_a_marker(db):
    lag = factories.lag(aim_lv="Mazināt nabadzību", aim_en="")
    with translation.override("en"):
        html = render('{% tr lag "aim" %}', lag=lag)
    assert (
        html
        == '<span lang="lv">Mazināt nabadzību</span> <span class="fallback-marker">(only in Latvian)</span>'
    )
    with translation.override("lv"):
        assert render('{% tr lag "aim" %}', lag=lag) == "Mazināt nabadzību"


COUNTS = [
    0,
    1,
    7,
    999,
    1000,
    1234,
    2899408,
    Decimal("0.5"),
    Decimal("1.5"),
    Decimal("2.5"),
    Decimal("1234.49"),
    Decimal("1234.5"),
    Decimal("999.5"),
    Decimal("10.0"),
    1.5,
    "1234",
    Decimal("-2.5"),
]


def test_a_count_reads_as_floatformat_did_on_latvian_pages_rounding_half_up():
    """The counts on the home, indicator and records pages moved from ``floatformat:"0g"`` to ``count``:
    a Latvian page reads byte for byte the same, halves round up."""
    with translation.override("lv"):
        for value in COUNTS:
            assert render("{{ v|count }}", v=value) == render('{{ v|floatformat:"0g" }}', v=value), value
        assert render("{{ v|count }}", v=Decimal("2.5")) == "3"
        assert render("{{ v|count }}", v=1234567) == f"1{NBSP}234{NBSP}567"


def test_a_count_on_english_pages_groups_thousands_with_commas():
    with translation.override("en"):
        assert render("{{ v|count }}", v=Decimal("1234.5")) == "1,235"
        assert render("{{ v|count }}", v=7) == "7"


def test_a_missing_count_is_no_data_never_zero():
    with translation.override("lv"):
        assert "nav datu" in render("{{ v|count }}", v=None)


DECIMALS = [
    Decimal("36.56"),
    Decimal("30.9449"),
    Decimal("49.8"),
    Decimal("0.05"),
    Decimal("1234.55"),
    7,
    Decimal("2.25"),
]


def test_a_figure_with_one_decimal_rounds_half_up_as_the_web_pages_did():
    """An estimate's interval: the indicator page wrote ``floatformat:1`` (rounding), the annual report
    ``num:1``, which cut the digits — 36,56 % read "36,6" on the page and "36,5" in the PDF. Both
    write ``num:1`` now, rounded half up; a Latvian page reads as before."""
    with translation.override("lv"):
        for value in DECIMALS:
            assert render("{{ v|num:1 }}", v=value) == render("{{ v|floatformat:1 }}", v=value), value
        assert render("{{ v|num:1 }}", v=Decimal("36.56")) == "36,6"
    with translation.override("en"):
        assert render("{{ v|num:1 }}", v=Decimal("36.56")) == "36.6"
        assert render("{{ v|num:1 }}", v=Decimal("1234.55")) == "1,234.6"


def test_a_weight_shows_only_the_decimals_it_has():
    """``num:"-2"`` as ``floatformat:"-2g"``: up to two decimals, none for a whole number, grouped."""
    with translation.override("lv"):
        for value in [Decimal("12345.00"), Decimal("12345.50"), Decimal("0.25"), 3]:
            assert render('{{ v|num:"-2" }}', v=value) == render('{{ v|floatformat:"-2g" }}', v=value), value
    with translation.override("en"):
        assert render('{{ v|num:"-2" }}', v=Decimal("12345.00")) == "12,345"
        assert render('{{ v|num:"-2" }}', v=Decimal("12345.5")) == "12,345.50"
