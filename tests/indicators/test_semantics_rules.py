"""Issue #13, on minimal data: the period rule of every measure (in both directions), complete years,
derived joint plans and their overrides, achievement as the status, the estimates' interval, K6's
declared sources — each stated once in ``indicators/progress.py``."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from indicators.models import EstimateWeight, Indicator, Measurement
from indicators.progress import PERIOD_RULES, ProgressEngine, Status, wilson_interval
from strategy.models import DataCompletion, FundingLine, YearClosure
from strategy.workflow import Status as Workflow
from tests import factories

APPROVED = Workflow.APPROVED
TODAY = date(2026, 12, 7)


@pytest.fixture
def world(db):
    strategy = factories.strategy()
    lag_a, lag_b = factories.lag(slug="a"), factories.lag(slug="b")
    kind = factories.activity_type(code="event")
    return strategy, lag_a, lag_b, kind


def mark_complete(*years, lags):
    who = factories.user()
    for year in years:
        for lag in lags:
            DataCompletion.objects.create(lag=lag, year=year, marked_by=who, marked_at=timezone.now())


def reported(strategy, measure, **extra):
    unit = {
        Indicator.Measure.FLOW: Indicator.Unit.PERSONS,
        Indicator.Measure.STOCK: Indicator.Unit.MEMBERS,
        Indicator.Measure.ESTIMATE: Indicator.Unit.PERCENT,
        Indicator.Measure.RATING: Indicator.Unit.RATING,
    }[measure]
    source = (
        Indicator.Source.QUALITATIVE if measure == Indicator.Measure.RATING else Indicator.Source.REPORTED
    )
    return factories.indicator(strategy=strategy, unit=unit, source=source, measure=measure, **extra)


def report(indicator, lag, year, amount):
    if indicator.measure == Indicator.Measure.ESTIMATE:
        fields = {"value": None, "numerator": amount, "denominator": 100}
    elif indicator.measure == Indicator.Measure.RATING:
        fields = {"value": None, "rating": amount}
    else:
        fields = {"value": amount}
    return factories.measurement(indicator=indicator, lag=lag, year=year, status=APPROVED, **fields)


# --- period rules, both directions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "follows_earlier_years"),
    [
        (Indicator.Measure.FLOW, True),
        (Indicator.Measure.STOCK, False),
        (Indicator.Measure.ESTIMATE, False),
        (Indicator.Measure.RATING, False),
    ],
)
def test_a_change_in_a_non_last_year_moves_a_flow_and_not_a_stock_estimate_or_rating(
    world, measure, follows_earlier_years
):
    strategy, lag_a, lag_b, _kind = world
    indicator = reported(strategy, measure)
    records = {}
    for lag in (lag_a, lag_b):
        for year in (2023, 2024, 2025):
            records[(lag.pk, year)] = report(indicator, lag, year, 3)
    mark_complete(2020, 2021, 2022, 2023, 2024, 2025, lags=[lag_a, lag_b])
    before = ProgressEngine(strategy, today=TODAY).figure(indicator)
    assert before.years == (2020, 2021, 2022, 2023, 2024, 2025)

    Measurement.objects.filter(pk=records[(lag_a.pk, 2024)].pk).update(
        value=None if measure in (Indicator.Measure.ESTIMATE, Indicator.Measure.RATING) else 5,
        numerator=5 if measure == Indicator.Measure.ESTIMATE else None,
        rating=5 if measure == Indicator.Measure.RATING else None,
    )
    earlier_changed = ProgressEngine(strategy, today=TODAY).figure(indicator)
    assert (earlier_changed.actual != before.actual) is follows_earlier_years

    Measurement.objects.filter(pk=records[(lag_a.pk, 2025)].pk).update(
        value=None if measure in (Indicator.Measure.ESTIMATE, Indicator.Measure.RATING) else 4,
        numerator=4 if measure == Indicator.Measure.ESTIMATE else None,
        rating=4 if measure == Indicator.Measure.RATING else None,
    )
    last_changed = ProgressEngine(strategy, today=TODAY).figure(indicator)
    assert last_changed.actual != earlier_changed.actual  # every measure follows the last year


def test_an_estimate_of_the_period_is_never_pooled_over_years(world):
    strategy, lag_a, _lag_b, _kind = world
    k = reported(strategy, Indicator.Measure.ESTIMATE)
    factories.measurement(indicator=k, lag=lag_a, year=2024, value=None, numerator=10, denominator=100)
    factories.measurement(indicator=k, lag=lag_a, year=2025, value=None, numerator=40, denominator=100)
    Measurement.objects.update(status=APPROVED)
    figure = ProgressEngine(strategy, through_year=2025, today=TODAY).figure(k, lag_a)
    assert (figure.actual, figure.sample) == (Decimal(40), Decimal(100))


@pytest.mark.parametrize("measure", [Indicator.Measure.STOCK, Indicator.Measure.ESTIMATE])
def test_a_joint_level_or_estimate_never_mixes_years_and_says_which_lag_is_missing(world, measure):
    strategy, lag_a, lag_b, _kind = world
    k = reported(strategy, measure)
    report(k, lag_a, 2024, 40)
    report(k, lag_a, 2025, 45)
    report(k, lag_b, 2024, 70)  # lag b has not reported 2025

    engine = ProgressEngine(strategy, through_year=2025, today=TODAY)
    joint = engine.figure(k)
    assert (joint.actual, joint.missing_lags, joint.complete) == (None, (lag_b,), False)
    assert engine.figure(k, None, 2024).actual is not None
    assert engine.figure(k, None, 2024).missing_lags == ()


def test_every_measure_states_its_period_rule_in_latvian_and_english():
    assert set(PERIOD_RULES) == set(Indicator.Measure)
    for rule in PERIOD_RULES.values():
        with translation.override("en"):
            english = str(rule)
        with translation.override("lv"):
            assert english != str(rule)


# --- complete years and the year to date -------------------------------------------------------------


def test_the_period_runs_to_the_last_year_every_lag_marked_complete_or_closed(world):
    strategy, lag_a, lag_b, kind = world
    k = factories.indicator(strategy=strategy, source=Indicator.Source.ACTIVITIES, rule=Indicator.Rule.COUNT)
    k.activity_types.set([kind])
    assert ProgressEngine(strategy, today=TODAY).through_year is None
    assert ProgressEngine(strategy, today=TODAY).figure(k).status == Status.NO_DATA

    mark_complete(2020, 2021, lags=[lag_a, lag_b])
    mark_complete(2022, lags=[lag_a])  # lag b has not marked 2022
    engine = ProgressEngine(strategy, today=TODAY)
    assert (engine.period_years(), engine.year_to_date_year) == ((2020, 2021), 2022)
    assert engine.year_complete(2022, lag_a) and not engine.year_complete(2022)

    YearClosure.objects.create(year=2022, closed_by=factories.user(), closed_at=timezone.now())
    assert ProgressEngine(strategy, today=TODAY).period_years() == (2020, 2021, 2022)

    # the running year is never complete, whoever marked it
    mark_complete(2023, 2024, 2025, 2026, lags=[lag_a, lag_b])
    engine = ProgressEngine(strategy, today=TODAY)
    assert (engine.through_year, engine.year_to_date_year) == (2025, 2026)


def test_the_year_to_date_carries_no_judgement(world):
    strategy, lag_a, lag_b, kind = world
    k = factories.indicator(strategy=strategy, source=Indicator.Source.ACTIVITIES, rule=Indicator.Rule.COUNT)
    k.activity_types.set([kind])
    factories.target(indicator=k, year=2026, value=Decimal(100))
    factories.activity(lag=lag_a, activity_type=kind, start_date=date(2026, 1, 10), status=APPROVED)
    mark_complete(2020, 2021, 2022, 2023, 2024, 2025, lags=[lag_a, lag_b])

    engine = ProgressEngine(strategy, today=TODAY)
    to_date = engine.year_to_date(k)
    assert (to_date.year, to_date.actual, to_date.status) == (2026, Decimal(1), Status.YEAR_TO_DATE)
    assert not to_date.complete
    assert engine.figure(k, None, 2026).status == Status.YEAR_TO_DATE


# --- achievement ------------------------------------------------------------------------------------


def test_achievement_not_the_distance_from_the_baseline_drives_the_status(world):
    strategy, lag_a, _lag_b, _kind = world
    k = reported(strategy, Indicator.Measure.STOCK)
    report(k, lag_a, 2025, 80)
    factories.baseline(indicator=k, lag=lag_a, value=Decimal(70))
    factories.target(indicator=k, lag=lag_a, year=2025, value=Decimal(100))

    figure = ProgressEngine(strategy, today=TODAY).figure(k, lag_a, 2025)
    # 80 of 100 is 80 % achieved (at risk); only a third of the way from 70 to 100
    assert (figure.achievement_percent, figure.progress_percent) == (Decimal(80), Decimal(33))
    assert figure.status == Status.AT_RISK


@pytest.mark.parametrize(
    ("actual", "status"),
    [(90, Status.ON_TRACK), (Decimal("89.6"), Status.ON_TRACK), (89, Status.AT_RISK), (59, Status.OFF_TRACK)],
)
def test_one_set_of_thresholds_applies_to_the_achievement_as_shown(world, actual, status):
    strategy, lag_a, _lag_b, _kind = world
    k = reported(strategy, Indicator.Measure.STOCK)
    report(k, lag_a, 2025, actual)
    factories.target(indicator=k, lag=lag_a, year=2025, value=Decimal(100))
    assert ProgressEngine(strategy, today=TODAY).figure(k, lag_a, 2025).status == status


# --- derived joint plans ----------------------------------------------------------------------------


def test_joint_targets_and_baselines_are_derived_from_the_lags_and_an_override_needs_a_reason(world):
    strategy, lag_a, lag_b, _kind = world
    k = reported(strategy, Indicator.Measure.STOCK)
    for lag, base, target in ((lag_a, 10, 30), (lag_b, 20, 50)):
        factories.baseline(indicator=k, lag=lag, value=Decimal(base))
        factories.target(indicator=k, lag=lag, year=2025, value=Decimal(target))
    factories.target(indicator=k, lag=lag_a, year=2024, value=Decimal(25))
    factories.target(indicator=k, lag=None, year=2024, value=Decimal(60), reason="Valdes lēmums Nr. 3")

    engine = ProgressEngine(strategy, today=TODAY)
    derived = engine.figure(k, None, 2025)
    assert (derived.target, derived.baseline, derived.target_basis) == (Decimal(80), Decimal(30), "derived")
    override = engine.figure(k, None, 2024)
    assert (override.target, override.target_basis, override.target_reason) == (
        Decimal(60),
        "override",
        "Valdes lēmums Nr. 3",
    )
    assert engine.figure(k, lag_a, 2025).target_basis == "lag"
    assert (derived.baseline_basis, derived.baseline_reason) == ("derived", "")
    plan = {row["year"]: row for row in engine.joint_plan(k)}
    assert plan[None]["derived"] == Decimal(30)
    assert plan[2025] == {
        "year": 2025,
        "derived": Decimal(80),
        "override": None,
        "reason": "",
        "lags": {"a": Decimal(30), "b": Decimal(50)},
    }
    # lag b has no 2024 target: nothing to derive, the override stands alone
    assert (plan[2024]["derived"], plan[2024]["override"]) == (None, Decimal(60))

    factories.baseline(indicator=k, lag=None, value=Decimal(25), reason="Apvienotā aptauja")
    overridden = ProgressEngine(strategy, today=TODAY).figure(k, None, 2025)
    assert (overridden.baseline, overridden.baseline_basis, overridden.baseline_reason) == (
        Decimal(25),
        "override",
        "Apvienotā aptauja",
    )
    assert overridden.target_reason == ""


def test_a_joint_estimate_is_weighted_only_when_every_lag_has_a_weight(world):
    strategy, lag_a, lag_b, _kind = world
    k = reported(strategy, Indicator.Measure.ESTIMATE)
    factories.measurement(indicator=k, lag=lag_a, year=2025, value=None, numerator=30, denominator=100)
    factories.measurement(indicator=k, lag=lag_b, year=2025, value=None, numerator=50, denominator=200)
    Measurement.objects.update(status=APPROVED)
    factories.target(indicator=k, lag=lag_a, year=2025, value=Decimal(20))
    factories.target(indicator=k, lag=lag_b, year=2025, value=Decimal(40))

    pooled = ProgressEngine(strategy, today=TODAY).figure(k, None, 2025)
    assert (pooled.weighting, pooled.actual, pooled.target) == ("pooled", Decimal(80) * 100 / 300, None)

    EstimateWeight.objects.create(strategy=strategy, lag=lag_a, value=1000, source="CSP")
    EstimateWeight.objects.create(strategy=strategy, lag=lag_b, value=3000, source="CSP")
    weighted = ProgressEngine(strategy, today=TODAY).figure(k, None, 2025)
    # ¼ · 30 % + ¾ · 25 %; the target ¼ · 20 + ¾ · 40
    assert (weighted.weighting, weighted.actual, weighted.target) == (
        "weighted",
        Decimal("26.25"),
        Decimal(35),
    )
    # the weighted normal interval, by hand: Var = (¼)²·0,3·0,7/100 + (¾)²·0,25·0,75/200
    q = Decimal("0.01")
    assert (weighted.interval_low.quantize(q), weighted.interval_high.quantize(q)) == (
        Decimal("21.22"),
        Decimal("31.28"),
    )
    assert weighted.sample == Decimal(300)


# --- the interval -----------------------------------------------------------------------------------


def test_the_wilson_interval_of_40_of_100():
    low, high = wilson_interval(Decimal(40), Decimal(100))
    assert (low.quantize(Decimal("0.01")), high.quantize(Decimal("0.01"))) == (
        Decimal("30.94"),
        Decimal("49.80"),
    )
    assert isinstance(low, Decimal)


@pytest.mark.parametrize(("target", "status"), [(45, Status.NOT_DIFFERENT), (55, Status.AT_RISK)])
def test_a_target_inside_the_interval_is_not_statistically_different(world, target, status):
    strategy, lag_a, _lag_b, _kind = world
    k = reported(strategy, Indicator.Measure.ESTIMATE)
    factories.measurement(
        indicator=k, lag=lag_a, year=2025, value=None, numerator=40, denominator=100, status=APPROVED
    )
    factories.target(indicator=k, lag=lag_a, year=2025, value=Decimal(target))

    figure = ProgressEngine(strategy, today=TODAY).figure(k, lag_a, 2025)
    assert (figure.sample, figure.interval_low.quantize(Decimal("0.01"))) == (Decimal(100), Decimal("30.94"))
    assert figure.status == status


# --- K6 and participations --------------------------------------------------------------------------


def test_funding_counts_only_the_declared_sources_and_the_rest_is_cofinancing(world):
    strategy, lag_a, lag_b, kind = world
    k6 = factories.indicator(
        strategy=strategy,
        source=Indicator.Source.ACTIVITIES,
        rule=Indicator.Rule.FUNDING,
        unit=Indicator.Unit.EUR,
        funding_sources=[FundingLine.Source.EAFRD, FundingLine.Source.ACTIVE_CITIZENS],
    )
    k6.activity_types.set([kind])
    activity = factories.activity(lag=lag_a, activity_type=kind, start_date=date(2025, 5, 5), status=APPROVED)
    for source, amount in (("eafrd", "100.10"), ("acf", "50"), ("own", "7"), ("municipality", "3")):
        factories.funding_line(activity=activity, source=source, amount=Decimal(amount))
    mark_complete(2020, 2021, 2022, 2023, 2024, 2025, lags=[lag_a, lag_b])

    engine = ProgressEngine(strategy, today=TODAY)
    assert engine.figure(k6).actual == Decimal("150.10")
    assert engine.cofinancing() == engine.cofinancing(lag_a, 2025) == Decimal(10)
    assert engine.headline()["funding"] == Decimal("150.10")


@pytest.mark.parametrize(
    ("rule", "participations"),
    [
        (Indicator.Rule.PARTICIPANTS, True),
        (Indicator.Rule.YOUTH, True),
        (Indicator.Rule.VULNERABLE, True),
        (Indicator.Rule.COUNT, False),
        (Indicator.Rule.YOUTH_SHARE, False),
    ],
)
def test_participant_rules_count_participations(world, rule, participations):
    strategy, lag_a, _lag_b, kind = world
    unit = Indicator.Unit.PERCENT if rule == Indicator.Rule.YOUTH_SHARE else Indicator.Unit.PERSONS
    k = factories.indicator(strategy=strategy, source=Indicator.Source.ACTIVITIES, rule=rule, unit=unit)
    assert (
        ProgressEngine(strategy, today=TODAY).figure(k, lag_a, 2025).counts_participations is participations
    )


# --- query count ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 20])
def test_the_new_answers_add_no_queries(world, django_assert_num_queries, size):
    strategy, lag_a, lag_b, kind = world
    estimate = reported(strategy, Indicator.Measure.ESTIMATE)
    funding = factories.indicator(
        strategy=strategy,
        source=Indicator.Source.ACTIVITIES,
        rule=Indicator.Rule.FUNDING,
        unit=Indicator.Unit.EUR,
        funding_sources=["eafrd"],
    )
    funding.activity_types.set([kind])
    for n in range(size):
        lag = (lag_a, lag_b)[n % 2]
        activity = factories.activity(
            lag=lag, activity_type=kind, start_date=date(2020 + n % 7, 3, 3), status=APPROVED
        )
        factories.funding_line(activity=activity, source=("eafrd", "own")[n % 2])
        factories.measurement(
            indicator=estimate,
            lag=lag,
            year=2020 + n // 2 if n < 14 else 2000 + n,  # each LAG-year once
            value=None,
            numerator=1,
            denominator=2,
            status=APPROVED,
        )
    for year in range(2020, 2020 + min(size, 7)):
        factories.target(indicator=estimate, lag=lag_a, year=year, value=Decimal(1))
    EstimateWeight.objects.create(strategy=strategy, lag=lag_a, value=1, source="x")
    mark_complete(*range(2020, 2020 + min(size, 6)), lags=[lag_a, lag_b])
    # 14 queries, whatever the data (tests/indicators/test_progress.py lists them)
    with django_assert_num_queries(14):
        engine = ProgressEngine(strategy, today=TODAY)
        for indicator in (estimate, funding):
            engine.joint_plan(indicator)
            for lag in (None, lag_a, lag_b):
                engine.series(indicator, lag)
                engine.figure(indicator, lag)
                engine.year_to_date(indicator, lag)
        engine.cofinancing()
        engine.headline()
