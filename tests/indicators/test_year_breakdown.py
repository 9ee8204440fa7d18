"""The annual report's breakdowns come from the engine and equal a from-scratch recomputation."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from indicators.progress import JOINT, ProgressEngine, YearBreakdown
from partners.models import LAG, Municipality, TerritoryUnit
from strategy.models import Activity, FundingLine
from strategy.workflow import Status
from tests import factories

YEAR = 2024


def breakdown_for(strategy):
    return YearBreakdown(ProgressEngine(strategy), YEAR)


def test_year_breakdown_funding_and_headline_equal_a_recomputation(demo, strategy):
    breakdown = breakdown_for(strategy)
    expected = defaultdict(Decimal)
    for line in FundingLine.objects.filter(activity__status=Status.APPROVED, activity__start_date__year=YEAR):
        expected[line.source] += line.amount
    assert breakdown.funding_by_source()[JOINT] == {
        s: expected[s] for s in FundingLine.Source.values if expected[s]
    }

    approved = [a for a in Activity.objects.filter(start_date__year=YEAR) if a.status == Status.APPROVED]
    headline = breakdown.headline()
    assert headline[JOINT]["activities"] == len(approved)
    assert headline[JOINT]["participants"] == sum(a.participants_total or 0 for a in approved)
    kraslava = [a for a in approved if a.lag.slug == "kraslava"]
    assert headline["kraslava"]["youth"] == sum(a.participants_youth or 0 for a in kraslava)


def test_year_breakdown_counts_only_approved_activities(strategy):
    lag = LAG.objects.get(slug="preili")
    approved = factories.activity(
        lag=lag, start_date=date(YEAR, 5, 1), participants_total=30, status=Status.APPROVED
    )
    factories.funding_line(activity=approved, source=FundingLine.Source.MUNICIPALITY, amount=Decimal("10.50"))
    draft = factories.activity(lag=lag, start_date=date(YEAR, 6, 1), participants_total=99)
    factories.funding_line(activity=draft, source=FundingLine.Source.MUNICIPALITY, amount=Decimal("1000"))

    breakdown = breakdown_for(strategy)
    assert breakdown.headline()["preili"]["activities"] == 1
    assert breakdown.headline()["preili"]["participants"] == 30
    assert breakdown.funding_by_source()["preili"] == {FundingLine.Source.MUNICIPALITY: Decimal("10.50")}
    assert breakdown.funding_by_source()["kaimini"] == {}


def test_year_breakdown_places_a_whole_municipality_activity_in_both_divisions(strategy):
    lag = LAG.objects.get(slug="kraslava")
    dagda = Municipality.objects.get(era=Municipality.Era.STRATEGY, slug="dagda")
    activity = factories.activity(
        lag=lag, start_date=date(YEAR, 3, 5), participants_total=12, status=Status.APPROVED
    )
    activity.municipalities.set([dagda])
    unplaced = factories.activity(
        lag=lag,
        start_date=date(YEAR, 4, 5),
        participants_total=3,
        participants_youth=1,
        status=Status.APPROVED,
    )

    places = breakdown_for(strategy).participation_by_municipality()["kraslava"]

    current = Municipality.objects.get(era=Municipality.Era.CURRENT, slug="kraslava")
    assert dict(places[Municipality.Era.STRATEGY]) == {dagda: [1, 12]}
    assert dict(places[Municipality.Era.CURRENT]) == {current: [1, 12]}
    assert places["unplaced"] == [1, unplaced.participants_total]
    assert TerritoryUnit.objects.filter(municipality_2009=dagda).exists()
