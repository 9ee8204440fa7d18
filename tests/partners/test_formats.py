from datetime import date
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from tests import factories

NBSP = "\xa0"


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


def test_money_is_formatted_the_latvian_way_on_latvian_pages():
    with translation.override("lv"):
        assert render("{{ amount|eur }}", amount=Decimal("2899408.11")) == f"2{NBSP}899{NBSP}408,11 EUR"
    with translation.override("en"):
        assert render("{{ amount|eur }}", amount=Decimal("2899408.11")) == "2,899,408.11 EUR"


def test_missing_money_stays_empty_never_zero():
    assert render("{{ amount|eur }}", amount=None) == ""


def test_dates_are_formatted_the_latvian_way_on_latvian_pages():
    with translation.override("lv"):
        assert render("{{ day|date }}", day=date(2024, 3, 5)) == "2024. gada 5. marts"
    with translation.override("en"):
        assert render("{{ day|date }}", day=date(2024, 3, 5)) == "March 5, 2024"


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
