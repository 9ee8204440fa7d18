"""Issue #13, measured on the demonstration data: each case the issue measured on main, now fixed."""

from datetime import date
from decimal import Decimal

import pytest

from indicators.models import Target
from indicators.progress import ProgressEngine, compute_achievement
from partners.models import LAG
from strategy.models import Activity, FundingLine
from strategy.workflow import Status as Workflow
from tests import factories

pytestmark = pytest.mark.usefixtures("demo")


def engine():
    return ProgressEngine(factories.current_strategy())


def test_one_approved_activity_in_january_of_the_running_year_does_not_move_the_period():
    before = engine()
    codes = ("K2", "K3", "R5")
    figures = {code: before.figure(code) for code in codes}
    k2 = before.by_code["K2"]
    factories.activity(
        lag=LAG.objects.get(slug="preili"),
        activity_type=k2.activity_types.first(),
        start_date=date(2026, 1, 10),
        status=Workflow.APPROVED,
    )

    after = engine()
    assert after.period_years() == tuple(range(2020, 2026))
    for code in codes:
        now = after.figure(code)
        assert (now.actual, now.target, now.status) == (
            figures[code].actual,
            figures[code].target,
            figures[code].status,
        ), code
    # the running year is shown on its own, without a judgement
    assert after.year_to_date_year == 2026
    to_date = after.year_to_date("K2", LAG.objects.get(slug="preili"))
    assert (to_date.year, to_date.actual, to_date.is_year_to_date) == (2026, Decimal(1), True)


def test_a_survey_share_of_the_period_is_its_last_year_not_the_years_pooled():
    e = engine()
    preili = LAG.objects.get(slug="preili")
    period, last_year = e.figure("K8", preili), e.figure("K8", preili, 2025)
    assert (period.actual, period.numerator, period.denominator, period.target) == (
        last_year.actual,
        last_year.numerator,
        last_year.denominator,
        last_year.target,
    )
    assert period.status == last_year.status


@pytest.mark.parametrize("code", ["K4", "K9"])
def test_a_joint_stock_is_the_sum_of_the_lags_values_of_the_same_year(code):
    e = engine()
    period = e.figure(code)
    same_year = [e.figure(code, lag, 2025).actual for lag in e.lags]
    assert None not in same_year
    assert period.actual == sum(same_year)
    assert period.complete and period.missing_lags == ()


@pytest.mark.parametrize("code", ["K1", "K4"])
def test_the_joint_target_is_the_sum_of_the_lags_targets(code):
    e = engine()
    joint = e.figure(code)
    assert joint.target == sum(e.figure(code, lag).target for lag in e.lags)
    assert joint.target_basis == "derived"
    yearly = Target.objects.filter(indicator=e.by_code[code], year=2025).values_list("value", flat=True)
    assert e.figure(code, None, 2025).target == sum(yearly)


@pytest.mark.parametrize("code", ["K1", "K6"])
def test_the_card_percentage_is_achievement_against_the_target(code):
    figure = engine().figure(code)
    assert figure.achievement == figure.actual / figure.target
    assert figure.achievement_percent == (figure.actual * 100 / figure.target).quantize(Decimal(1))
    # progress from the baseline is a different number, kept beside it
    assert figure.progress != figure.achievement


def test_the_dashboard_for_one_lag_and_one_year_shows_achievement_not_a_negative_percentage():
    e = engine()
    for lag in e.lags:
        for indicator in e.indicators:
            figure = e.figure(indicator, lag, 2025)
            if figure.achievement is not None:
                assert figure.achievement_percent >= 0
                assert figure.achievement == compute_achievement(
                    figure.actual, figure.target, indicator.direction
                )


def test_k6_counts_only_its_declared_sources_and_the_home_headline_is_k6():
    e = engine()
    k6 = e.by_code["K6"]
    declared = set(k6.funding_sources)
    assert declared and FundingLine.Source.MUNICIPALITY not in declared
    assert FundingLine.Source.OWN not in declared
    lines = FundingLine.objects.filter(
        activity__in=Activity.objects.approved().filter(
            activity_type__in=k6.activity_types.all(), start_date__year__lte=2025
        )
    )
    counted = sum(line.amount for line in lines if line.source in declared)
    rest = sum(line.amount for line in lines if line.source not in declared)
    assert rest > 0  # the demo has the associations' own and municipal money
    assert e.figure(k6).actual == counted
    assert e.cofinancing() == rest
    headline = e.headline()
    assert headline["funding"] == e.figure(k6).actual
    assert headline["years"] == (2020, 2025)


def test_indicators_counting_participants_say_they_count_participations():
    e = engine()
    assert {code for code in e.by_code if e.figure(code).counts_participations} == {"K7", "R2", "R5"}
