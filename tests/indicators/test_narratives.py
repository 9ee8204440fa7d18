"""Variance narratives (#16): the approved ones, read by the indicator page, the report and the workbook."""

import pytest

from indicators import narratives
from indicators.models import VarianceNarrative
from strategy.workflow import Status
from tests import factories


def _narrative(**overrides):
    values = {"year": 2024, "text_lv": "Atpaliek, jo projekti sākās vēlāk."}
    values.update(overrides)
    values.setdefault("indicator", overrides.get("indicator") or factories.indicator())
    values.setdefault("lag", overrides.get("lag") or factories.lag())
    return VarianceNarrative.objects.create(**values)


@pytest.mark.django_db
def test_approved_for_gives_only_the_approved_narratives_of_the_year_and_strategy():
    indicator = factories.indicator()
    lag, other_lag = factories.lag(), factories.lag()
    approved = _narrative(indicator=indicator, lag=lag, status=Status.APPROVED)
    _narrative(indicator=indicator, lag=other_lag, status=Status.SUBMITTED)  # not public yet
    _narrative(indicator=indicator, lag=lag, year=2023, status=Status.APPROVED)  # another year
    _narrative(lag=lag, status=Status.APPROVED)  # another strategy's indicator

    found = narratives.approved_for(indicator.strategy, 2024)

    assert found == {(indicator.pk, lag.pk): approved}
    assert found[(indicator.pk, lag.pk)].text_lv == "Atpaliek, jo projekti sākās vēlāk."
    assert narratives.approved_for(indicator.strategy, None) == {}


@pytest.mark.django_db
def test_approved_for_one_indicator(django_assert_num_queries):
    indicator, other = factories.indicator(), factories.indicator()
    lag = factories.lag()
    mine = _narrative(indicator=indicator, lag=lag, status=Status.APPROVED)
    _narrative(indicator=other, lag=lag, status=Status.APPROVED)

    with django_assert_num_queries(1):
        found = narratives.approved_for(indicator.strategy, 2024, indicator=indicator)
        assert str(found[(indicator.pk, lag.pk)].lag)

    assert list(found.values()) == [mine]
