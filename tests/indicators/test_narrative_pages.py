"""Approved variance narratives on the public indicator page (#16): beside the figure, per LAG, of the
period's last year; the English page shows the English text or the Latvian one marked lang="lv"."""

import pytest
from django.utils import timezone

from indicators.models import VarianceNarrative
from partners.models import LAG
from strategy.models import DataCompletion
from strategy.workflow import Status
from tests import factories
from tests.indicators.test_pages import ENGINE

LV = "Kaimiņos vērtība atpaliek, jo divi projekti sākās vēlāk."
EN = "Behind because two projects started late."


@pytest.fixture
def complete_2024(strategy):
    """Every LAG marked 2024 complete: the page's period runs to 2024."""
    marker = factories.user()
    for lag in LAG.objects.all():
        DataCompletion.objects.create(lag=lag, year=2024, marked_by=marker, marked_at=timezone.now())
    return strategy


def narrative(strategy, slug="kaimini", year=2024, status=Status.APPROVED, **texts):
    return VarianceNarrative.objects.create(
        indicator=strategy.indicators.get(code="K1"),
        lag=LAG.objects.get(slug=slug),
        year=year,
        status=status,
        **({"text_lv": LV} | texts),
    )


def test_the_approved_narrative_of_the_periods_last_year_is_shown_beside_the_figure(client, complete_2024):
    narrative(complete_2024)
    narrative(complete_2024, year=2023, text_lv="Vecs skaidrojums")
    page = client.get("/lv/indicators/K1/").content.decode()
    assert "VRG skaidrojumi (2024)" in page
    assert LV in page
    assert "Vecs skaidrojums" not in page
    # beside the figure: before the indicator's passport
    assert page.index(LV) < page.index('id="sheet-heading"')


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_an_unapproved_narrative_is_not_public(client, complete_2024, status):
    narrative(complete_2024, status=status)
    assert LV not in client.get("/lv/indicators/K1/").content.decode()
    assert LV not in client.get("/en/indicators/K1/").content.decode()


def test_the_english_page_shows_the_english_text(client, complete_2024):
    narrative(complete_2024, text_en=EN)
    page = client.get("/en/indicators/K1/").content.decode()
    assert EN in page
    assert LV not in page


def test_the_english_page_falls_back_to_the_latvian_text_marked_as_latvian(client, complete_2024):
    narrative(complete_2024)
    page = client.get("/en/indicators/K1/").content.decode()
    assert f'<span lang="lv">{LV}</span>' in page
    assert "(only in Latvian)" in page


def test_a_narrative_approved_later_shows_on_the_cached_page(client, complete_2024):
    record = narrative(complete_2024, status=Status.SUBMITTED)
    assert LV not in client.get("/lv/indicators/K1/").content.decode()
    record.status = Status.APPROVED
    record.save()
    assert LV in client.get("/lv/indicators/K1/").content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_narratives_cost_one_query_whatever_their_number(
    client, complete_2024, django_assert_num_queries, count
):
    for slug in list(LAG.objects.values_list("slug", flat=True))[:count]:
        narrative(complete_2024, slug=slug)
    # the page's budget (tests/indicators/test_pages.py) and the narratives 1
    with django_assert_num_queries(2 + 1 + ENGINE + 1 + 1 + 1):
        assert client.get("/lv/indicators/K1/").status_code == 200
