from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import EstimateWeight, Indicator, Measurement
from indicators.progress import Aggregation, ProgressEngine, Status, compute_progress, status_for
from partners.models import LAG
from strategy.models import Activity, FundingLine
from strategy.workflow import Status as Workflow
from tests import factories

APPROVED = Workflow.APPROVED


@pytest.fixture
def world(db):
    strategy = factories.strategy()
    lag_a, lag_b = factories.lag(slug="a"), factories.lag(slug="b")
    kind, other_kind = factories.activity_type(code="event"), factories.activity_type(code="other")
    return strategy, lag_a, lag_b, kind, other_kind


def activity_indicator(strategy, rule, kinds, unit=Indicator.Unit.PERSONS, **extra):
    indicator = factories.indicator(
        strategy=strategy, source=Indicator.Source.ACTIVITIES, rule=rule, unit=unit, **extra
    )
    indicator.activity_types.set(kinds)
    return indicator


def approved_activity(lag, kind, year=2024, **fields):
    fields.setdefault("status", APPROVED)
    return factories.activity(lag=lag, activity_type=kind, start_date=date(year, 3, 5), **fields)


def test_engine_count_rule_counts_only_approved_activities_of_declared_types(world):
    strategy, lag_a, _lag_b, kind, other_kind = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES)
    approved_activity(lag_a, kind)
    approved_activity(lag_a, kind)
    approved_activity(lag_a, other_kind)
    for status in (Workflow.DRAFT, Workflow.SUBMITTED, Workflow.RETURNED):
        approved_activity(lag_a, kind, status=status)

    assert ProgressEngine(strategy).figure(k, lag_a, 2024).actual == Decimal(2)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Indicator.Rule.PARTICIPANTS, Decimal(50)),
        (Indicator.Rule.YOUTH, Decimal(12)),
        (Indicator.Rule.VULNERABLE, Decimal(4)),
    ],
)
def test_engine_participant_rules_sum_the_declared_field(world, rule, expected):
    strategy, lag_a, _lag_b, kind, _other = world
    k = activity_indicator(strategy, rule, [kind])
    approved_activity(lag_a, kind, participants_total=20, participants_youth=2, participants_vulnerable=1)
    approved_activity(lag_a, kind, participants_total=30, participants_youth=10, participants_vulnerable=3)

    assert ProgressEngine(strategy).figure(k, lag_a, 2024).actual == expected


def test_engine_funding_rule_sums_declared_sources_of_approved_activities_as_decimal(world):
    strategy, lag_a, _lag_b, kind, _other = world
    k = activity_indicator(
        strategy,
        Indicator.Rule.FUNDING,
        [kind],
        unit=Indicator.Unit.EUR,
        funding_sources=[FundingLine.Source.EAFRD, FundingLine.Source.STATE],
    )
    first = approved_activity(lag_a, kind)
    factories.funding_line(activity=first, amount=Decimal("1000.10"), source=FundingLine.Source.EAFRD)
    factories.funding_line(activity=first, amount=Decimal("0.25"), source=FundingLine.Source.STATE)
    factories.funding_line(activity=first, amount=Decimal("0.20"), source=FundingLine.Source.MUNICIPALITY)
    draft = approved_activity(lag_a, kind, status=Workflow.DRAFT)
    factories.funding_line(activity=draft, amount=Decimal("999"), source=FundingLine.Source.EAFRD)

    engine = ProgressEngine(strategy)
    actual = engine.figure(k, lag_a, 2024).actual
    assert actual == Decimal("1000.35")
    assert isinstance(actual, Decimal)
    assert engine.cofinancing(lag_a, 2024) == Decimal("0.20")


def test_engine_youth_share_is_sum_of_numerators_over_sum_of_denominators(world):
    strategy, lag_a, lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.YOUTH_SHARE, [kind], unit=Indicator.Unit.PERCENT)
    approved_activity(lag_a, kind, participants_total=10, participants_youth=5)  # 50 %
    approved_activity(lag_b, kind, participants_total=90, participants_youth=9)  # 10 %
    approved_activity(
        lag_b, kind, participants_total=None, participants_youth=None, participants_vulnerable=None
    )

    joint = ProgressEngine(strategy).figure(k, None, 2024)
    # 14 / 100, not the average of 50 % and 10 %
    assert (joint.numerator, joint.denominator, joint.actual) == (Decimal(14), Decimal(100), Decimal(14))
    assert joint.aggregation == Aggregation.SHARE


def test_engine_reported_shares_add_numerators_and_denominators_over_lags_of_a_year(world):
    strategy, lag_a, lag_b, _kind, _other = world
    k = factories.indicator(strategy=strategy, unit=Indicator.Unit.PERCENT)
    factories.measurement(
        indicator=k, lag=lag_a, year=2023, value=None, numerator=1, denominator=4, status=APPROVED
    )
    factories.measurement(
        indicator=k, lag=lag_b, year=2023, value=None, numerator=30, denominator=100, status=APPROVED
    )
    factories.measurement(
        indicator=k, lag=lag_a, year=2024, value=None, numerator=45, denominator=96, status=APPROVED
    )

    engine = ProgressEngine(strategy, through_year=2024)
    assert engine.figure(k, None, 2023).actual == Decimal(31) * 100 / Decimal(104)
    # an estimate is the period's last year's, never pooled over years
    assert engine.figure(k, lag_a).actual == Decimal(45) * 100 / Decimal(96)
    assert engine.figure(k).missing_lags == (lag_b,)


def test_engine_ignores_measurements_that_are_not_approved(world):
    strategy, lag_a, _lag_b, _kind, _other = world
    k = factories.indicator(strategy=strategy, unit=Indicator.Unit.MEMBERS)
    for year, status in ((2022, Workflow.DRAFT), (2023, Workflow.SUBMITTED), (2024, Workflow.RETURNED)):
        factories.measurement(indicator=k, lag=lag_a, year=year, value=50, status=status)

    engine = ProgressEngine(strategy)
    assert [engine.figure(k, lag_a, y).actual for y in (2022, 2023, 2024)] == [None, None, None]
    assert engine.figure(k).status == Status.NO_DATA


def test_engine_stock_indicator_sums_lags_per_year_and_takes_the_periods_last_year(world):
    strategy, lag_a, lag_b, _kind, _other = world
    k = factories.indicator(strategy=strategy, unit=Indicator.Unit.MEMBERS)
    factories.measurement(indicator=k, lag=lag_a, year=2022, value=40, status=APPROVED)
    factories.measurement(indicator=k, lag=lag_a, year=2023, value=45, status=APPROVED)
    factories.measurement(indicator=k, lag=lag_b, year=2022, value=70, status=APPROVED)

    engine = ProgressEngine(strategy, through_year=2023)
    assert engine.figure(k, None, 2022).actual == Decimal(110)
    # lag b has not reported 2023: no joint level for it (a partial sum is not the joint one)
    assert (engine.figure(k, None, 2023).actual, engine.figure(k, None, 2023).missing_lags) == (
        None,
        (lag_b,),
    )
    # 2023 only: lag b's 2022 value is not added to lag a's 2023 one; the joint figure says it is incomplete
    period = engine.figure(k)
    assert (period.actual, period.missing_lags, period.complete) == (None, (lag_b,), False)
    assert engine.figure(k, lag_a).actual == Decimal(45)
    assert period.aggregation == Aggregation.LATEST


def test_engine_qualitative_indicator_gives_mean_rating_and_narratives(world):
    strategy, lag_a, lag_b, _kind, _other = world
    k = factories.indicator(
        strategy=strategy, unit=Indicator.Unit.RATING, source=Indicator.Source.QUALITATIVE
    )
    factories.measurement(
        indicator=k, lag=lag_a, year=2024, value=None, rating=2, narrative="Sākts.", status=APPROVED
    )
    factories.measurement(
        indicator=k, lag=lag_b, year=2024, value=None, rating=5, narrative="Gatavs.", status=APPROVED
    )

    figure = ProgressEngine(strategy).figure(k, None, 2024)
    assert figure.actual == Decimal("3.5")
    assert sorted(figure.narratives) == ["Gatavs.", "Sākts."]


def test_engine_missing_years_and_lags_are_no_data_not_zero(world):
    strategy, lag_a, lag_b, kind, other_kind = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES)
    approved_activity(lag_a, kind, year=2024)
    approved_activity(lag_b, other_kind, year=2024)

    engine = ProgressEngine(strategy)
    assert engine.figure(k, lag_a, 2023).actual is None  # lag a recorded nothing in 2023
    assert engine.figure(k, lag_a, 2023).status == Status.NO_DATA
    # lag b worked in 2024, just not on this indicator's types: a real zero
    assert engine.figure(k, lag_b, 2024).actual == Decimal(0)
    assert [f.actual for f in engine.series(k)][3:6] == [None, Decimal(1), None]
    assert engine.completeness(k)[4] == (2024, [(lag_a, True), (lag_b, True)])
    assert engine.completeness(k)[3] == (2023, [(lag_a, False), (lag_b, False)])


def test_engine_cumulative_sums_flows_and_their_targets(world):
    strategy, lag_a, _lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES)
    for year, n in ((2020, 2), (2021, 3)):
        for _ in range(n):
            approved_activity(lag_a, kind, year=year)
    factories.baseline(indicator=k, value=Decimal(1))
    factories.target(indicator=k, year=2020, value=Decimal(3))
    factories.target(indicator=k, year=2021, value=Decimal(5))

    engine = ProgressEngine(strategy, through_year=2021)
    cumulative = engine.figure(k)
    assert cumulative.years == (2020, 2021)
    assert (cumulative.actual, cumulative.target, cumulative.baseline) == (Decimal(5), Decimal(8), Decimal(2))
    assert cumulative.progress == Decimal(3) / Decimal(6)
    yearly = engine.figure(k, None, 2021)
    assert (yearly.actual, yearly.target, yearly.baseline) == (Decimal(3), Decimal(5), Decimal(1))
    assert yearly.progress == Decimal("0.5")


def test_engine_cumulative_target_is_unknown_when_a_years_target_is_missing(world):
    strategy, lag_a, _lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES)
    approved_activity(lag_a, kind, year=2020)
    approved_activity(lag_a, kind, year=2021)
    factories.baseline(indicator=k, value=Decimal(1))
    factories.target(indicator=k, year=2021, value=Decimal(5))

    figure = ProgressEngine(strategy, through_year=2021).figure(k)
    assert (figure.target, figure.progress, figure.status) == (None, None, Status.NO_TARGET)


def test_engine_per_lag_figures_use_the_lags_own_plans(world):
    strategy, lag_a, lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES)
    approved_activity(lag_a, kind)
    approved_activity(lag_b, kind)
    approved_activity(lag_b, kind)
    factories.baseline(indicator=k, lag=lag_b, value=Decimal(0))
    factories.target(indicator=k, lag=lag_b, value=Decimal(4))

    engine = ProgressEngine(strategy)
    assert engine.figure(k, lag_b, 2024).progress == Decimal("0.5")
    assert engine.figure(k, lag_a, 2024).progress is None
    assert engine.figure(k, None, 2024).actual == Decimal(3)


@pytest.mark.parametrize(
    ("actual", "baseline", "target", "direction", "expected"),
    [
        (Decimal(15), Decimal(10), Decimal(20), Indicator.Direction.INCREASE, Decimal("0.5")),
        (Decimal(25), Decimal(10), Decimal(20), Indicator.Direction.INCREASE, Decimal("1.5")),
        (Decimal(5), Decimal(10), Decimal(20), Indicator.Direction.INCREASE, Decimal("-0.5")),
        (Decimal(15), Decimal(20), Decimal(10), Indicator.Direction.DECREASE, Decimal("0.5")),
        (Decimal(25), Decimal(20), Decimal(10), Indicator.Direction.DECREASE, Decimal("-0.5")),
        (Decimal(10), Decimal(10), Decimal(10), Indicator.Direction.INCREASE, Decimal(1)),
        (Decimal(9), Decimal(10), Decimal(10), Indicator.Direction.INCREASE, Decimal(0)),
        (Decimal(9), Decimal(10), Decimal(10), Indicator.Direction.DECREASE, Decimal(1)),
        (
            Decimal(9),
            Decimal(20),
            Decimal(10),
            Indicator.Direction.INCREASE,
            None,
        ),  # target on the wrong side
        (None, Decimal(10), Decimal(20), Indicator.Direction.INCREASE, None),
        (Decimal(15), None, Decimal(20), Indicator.Direction.INCREASE, None),
    ],
)
def test_compute_progress_honours_the_direction_of_good(actual, baseline, target, direction, expected):
    assert compute_progress(actual, baseline, target, direction) == expected


def test_engine_decreasing_indicator_progresses_as_the_value_falls(world):
    strategy, lag_a, _lag_b, _kind, _other = world
    k = factories.indicator(strategy=strategy, direction=Indicator.Direction.DECREASE)
    factories.measurement(indicator=k, lag=lag_a, year=2024, value=Decimal(80), status=APPROVED)
    factories.baseline(indicator=k, lag=lag_a, value=Decimal(100))
    factories.target(indicator=k, lag=lag_a, year=2024, value=Decimal(60))

    figure = ProgressEngine(strategy).figure(k, lag_a, 2024)
    # achievement of a decrease: target ÷ actual = 60 / 80
    assert (figure.progress, figure.achievement, figure.status) == (
        Decimal("0.5"),
        Decimal("0.75"),
        Status.AT_RISK,
    )


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (Decimal("0.9"), Status.ON_TRACK),
        (Decimal("1.4"), Status.ON_TRACK),
        (Decimal("0.89"), Status.AT_RISK),
        (Decimal("0.6"), Status.AT_RISK),
        (Decimal("0.59"), Status.OFF_TRACK),
        (None, Status.NO_TARGET),
    ],
)
def test_status_thresholds(progress, expected):
    assert status_for(Decimal(1), progress) == expected


def test_status_without_data_is_no_data():
    assert status_for(None, None) == Status.NO_DATA


def test_engine_last_update_is_the_latest_review_of_approved_records(world):
    strategy, lag_a, _lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES)
    early = timezone.make_aware(datetime(2024, 4, 1, 12))
    late = timezone.make_aware(datetime(2024, 6, 1, 12))
    approved_activity(lag_a, kind, reviewed_at=early)
    approved_activity(lag_a, kind, reviewed_at=late)
    approved_activity(lag_a, kind, status=Workflow.SUBMITTED, reviewed_at=timezone.now())

    engine = ProgressEngine(strategy)
    assert engine.figure(k, lag_a, 2024).last_update == late
    assert engine.last_update() == late


def test_engine_records_url_points_at_the_figures_records(world):
    strategy, lag_a, _lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.COUNT, [kind], unit=Indicator.Unit.ACTIVITIES, code="K77")
    figure = ProgressEngine(strategy).figure(k, lag_a, 2024)
    assert figure.records_url.endswith("/indicators/K77/records/?lag=a&year=2024")


@pytest.mark.parametrize("activities", [1, 30])
def test_engine_runs_a_fixed_number_of_queries(world, django_assert_num_queries, activities):
    strategy, lag_a, lag_b, kind, _other = world
    k = activity_indicator(strategy, Indicator.Rule.FUNDING, [kind], unit=Indicator.Unit.EUR)
    m = factories.indicator(strategy=strategy, unit=Indicator.Unit.PERCENT)
    for n in range(activities):
        a = approved_activity(lag_a if n % 2 else lag_b, kind, year=2020 + n % 6)
        factories.funding_line(activity=a)
        factories.measurement(
            indicator=m, lag=a.lag, year=2000 + n, value=None, numerator=1, denominator=2, status=APPROVED
        )
    # 1 indicators, 2 activity types of indicators, 3 priorities of indicators, 4 LAGs,
    # 5 activity tallies (activities and funding by type × LAG × year),
    # 6 funding tallies by type × LAG × year × source,
    # 7 measurements by indicator × LAG × year, 8 narratives, 9 baselines, 10 targets,
    # 11 estimate weights, 12 closed years, 13 data completion marks,
    # 14 the closed years' snapshots (on the first figure)
    with django_assert_num_queries(14):
        engine = ProgressEngine(strategy)
        for indicator in (k, m):
            for lag in (None, lag_a, lag_b):
                engine.series(indicator, lag)
                engine.figure(indicator, lag)


def _from_scratch(indicator, lag, year):
    """Recompute one yearly figure the slow, obvious way: row by row in Python."""
    types = set(indicator.activity_types.values_list("pk", flat=True))
    lags = [lag] if lag else list(LAG.objects.all())
    if indicator.source == Indicator.Source.ACTIVITIES:
        rows = list(
            Activity.objects.filter(status=APPROVED, start_date__year=year, lag__in=lags).prefetch_related(
                "funding_lines"
            )
        )
        if not rows:
            return None
        mine = [a for a in rows if a.activity_type_id in types]
        if indicator.rule == Indicator.Rule.COUNT:
            return Decimal(len(mine))
        if indicator.rule == Indicator.Rule.PARTICIPANTS:
            return Decimal(sum(a.participants_total or 0 for a in mine))
        if indicator.rule == Indicator.Rule.YOUTH:
            return Decimal(sum(a.participants_youth or 0 for a in mine))
        if indicator.rule == Indicator.Rule.VULNERABLE:
            return Decimal(sum(a.participants_vulnerable or 0 for a in mine))
        if indicator.rule == Indicator.Rule.FUNDING:
            declared = set(indicator.funding_sources)
            lines = [line for a in mine for line in a.funding_lines.all() if line.source in declared]
            return sum((line.amount for line in lines), Decimal(0))
        counted = [a for a in mine if a.participants_youth is not None and a.participants_total]
        d = sum(a.participants_total for a in counted)
        return Decimal(sum(a.participants_youth for a in counted)) * 100 / Decimal(d) if d else None
    rows = list(Measurement.objects.filter(status=APPROVED, indicator=indicator, year=year, lag__in=lags))
    if not rows:
        return None
    if indicator.measure != Indicator.Measure.FLOW and {m.lag_id for m in rows} != {x.pk for x in lags}:
        return None  # a joint level, estimate or rating needs every LAG's value of the year
    if indicator.source == Indicator.Source.QUALITATIVE:
        ratings = [Decimal(m.rating) for m in rows if m.rating is not None]
        return sum(ratings, Decimal(0)) / len(ratings) if ratings else None
    weights = dict(EstimateWeight.objects.filter(strategy=indicator.strategy).values_list("lag_id", "value"))
    if indicator.measure == Indicator.Measure.ESTIMATE and lag is None and all(x.pk in weights for x in lags):
        shares = {m.lag_id: m.numerator / m.denominator for m in rows}
        return sum(weights[i] * p for i, p in shares.items()) * 100 / sum(weights[x.pk] for x in lags)
    if indicator.unit == Indicator.Unit.PERCENT:
        return sum(m.numerator for m in rows) * 100 / sum(m.denominator for m in rows)
    return sum((m.value for m in rows if m.value is not None), Decimal(0))


def test_engine_equals_a_from_scratch_recomputation_on_the_demo_data(demo):
    engine = ProgressEngine(factories.current_strategy())
    compared = 0
    for indicator in engine.indicators:
        for lag in [None, *engine.lags]:
            for year in (2020, 2023, 2025, 2026):
                engine_value, scratch = (
                    engine.figure(indicator, lag, year).actual,
                    _from_scratch(indicator, lag, year),
                )
                # the same number (a weighted mean may differ in its 28th digit, the order of operations)
                assert engine_value == scratch or abs(engine_value - scratch) < Decimal("1e-20"), (
                    indicator.code,
                    lag,
                    year,
                )
                compared += 1
    assert compared == 16 * 4 * 4
