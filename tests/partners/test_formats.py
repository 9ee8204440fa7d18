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
