"""A closed year's public figures are read from its snapshot (invariant 9, issue #13): once the board has
closed a year, the dashboard, the indicator page and the open data show the figures the signed PDF shows,
whatever changes afterwards — a record approved in an open year, or a target or an indicator's activity
types changed behind the lock (here at database level, as a migration or a restore could). Only the
snapshot's figures are read, with one query whatever the number of closed years."""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Indicator, Target, YearSnapshot
from indicators.opendata import figure_rows
from indicators.progress import ProgressEngine
from indicators.yearend.frozen import figure_from_data
from indicators.yearend.pdf import build_context
from indicators.yearend.services import close_year, latest_snapshot
from indicators.yearend.snapshot import SCHEMA, figure_data
from partners import formats
from strategy.workflow import Status
from tests import factories

CLOSED = 2024
COMPARED = ("actual", "numerator", "denominator", "baseline", "target", "progress", "status")


@pytest.fixture
def world(db):
    strategy = factories.strategy()
    lags = [factories.lag(slug="alfa"), factories.lag(slug="beta")]
    forum = factories.activity_type(code="forum")
    training = factories.activity_type(code="training")
    k2 = factories.indicator(
        strategy=strategy,
        code="K2",
        source=Indicator.Source.ACTIVITIES,
        rule=Indicator.Rule.PARTICIPANTS,
        unit=Indicator.Unit.PERSONS,
    )
    k2.activity_types.set([forum])
    for lag in lags:
        factories.baseline(indicator=k2, lag=lag, year=2019, value=Decimal("10"))
        for year in (2023, 2024, 2025):
            factories.target(indicator=k2, lag=lag, year=year, value=Decimal("100"))
    for lag, participants in zip(lags, (40, 70), strict=True):
        for year in (2023, 2024):
            factories.activity(
                lag=lag,
                activity_type=forum,
                status=Status.APPROVED,
                start_date=date(year, 5, 1),
                participants_total=participants,
            )
        # not counted by K2 when the year is closed: a training
        factories.activity(
            lag=lag,
            activity_type=training,
            status=Status.APPROVED,
            start_date=date(CLOSED, 6, 1),
            participants_total=500,
        )
    board = factories.user(is_superuser=True)
    snapshot = close_year(year=CLOSED, by=board, strategy=strategy)
    return {
        "strategy": strategy,
        "lags": lags,
        "k2": k2,
        "training": training,
        "board": board,
        "snapshot": snapshot,
    }


def change_behind_the_lock(world):
    """What would change the closed year's figures if they were computed live: its targets and the
    indicator's activity types changed at database level, and an approval in the open year after it."""
    k2 = world["k2"]
    models.QuerySet.update(Target.objects.filter(indicator=k2, year=CLOSED), value=Decimal("400"))
    Indicator.activity_types.through.objects.create(indicator=k2, activitytype=world["training"])
    factories.activity(
        lag=world["lags"][0],
        activity_type=world["training"],
        status=Status.APPROVED,
        start_date=date(CLOSED + 1, 2, 1),
        participants_total=9,
    )


def stored(world, scope, part):
    return world["snapshot"].data["scopes"][scope]["figures"]["K2"][part]


def shown(figure):
    return {name: getattr(figure, name) for name in COMPARED}


def frozen(raw):
    return {
        name: (Decimal(raw[name]) if raw[name] is not None and name != "status" else raw[name])
        for name in COMPARED
    }


def test_a_closed_years_figures_stay_as_the_snapshot_froze_them(world):
    change_behind_the_lock(world)
    engine = ProgressEngine(world["strategy"])
    for lag in [None, *world["lags"]]:
        scope = lag.slug if lag else "joint"
        figure = engine.figure(world["k2"], lag, CLOSED)
        assert shown(figure) == frozen(stored(world, scope, "year"))
        # computed live, the changes would show: the test would fail without the snapshot
        assert shown(engine._figure(world["k2"], lag, CLOSED)) != shown(figure)
    assert engine.figure("K2", None, CLOSED).actual == Decimal("110")  # 40 + 70, no training
    assert engine.figure("K2", world["lags"][0], CLOSED).target == Decimal("100")  # not 400


def test_the_period_ending_in_the_closed_year_is_the_snapshots(world):
    change_behind_the_lock(world)
    engine = ProgressEngine(world["strategy"], through_year=CLOSED)
    for lag in [None, *world["lags"]]:
        scope = lag.slug if lag else "joint"
        figure = engine.figure(world["k2"], lag)
        assert figure.years == tuple(range(2020, CLOSED + 1))
        assert shown(figure) == frozen(stored(world, scope, "cumulative"))
    # a period that ends in an open year is computed live
    later = ProgressEngine(world["strategy"], through_year=CLOSED + 1).figure(world["k2"])
    assert later.actual == Decimal("110") * 2 + 9 + 1000


def test_the_dashboard_the_indicator_page_the_open_data_and_the_pdf_agree(client, world):
    change_behind_the_lock(world)
    pdf = build_context(world["snapshot"].data, created_at=world["snapshot"].created_at)
    pdf_year = next(row for row in pdf["rows"] if row["indicator"].code == "K2")["year"]

    dashboard = client.get(f"/lv/indicators/?year={CLOSED}")
    card = next(row["figure"] for row in dashboard.context["rows"] if row["figure"].indicator.code == "K2")
    page = client.get("/lv/indicators/K2/")
    series = next(f for f in page.context["joint"] if f.year == CLOSED)
    open_data = next(
        row
        for row in figure_rows(world["strategy"])
        if row["indicator"] == "K2" and row["lag"] == "" and row["year"] == CLOSED
    )

    assert shown(card) == shown(series) == shown(pdf_year)
    assert open_data["actual"] == formats.plain(pdf_year.actual)
    assert open_data["target"] == formats.plain(pdf_year.target)
    assert open_data["status"] == pdf_year.status
    assert formats.figure(pdf_year.actual, world["k2"]) in dashboard.content.decode()


def test_reopening_the_year_makes_its_figures_live_again(world):
    from indicators.yearend.services import reopen_year

    reopen_year(year=CLOSED, by=world["board"], reason="Labojums", strategy=world["strategy"])
    Indicator.activity_types.through.objects.create(indicator=world["k2"], activitytype=world["training"])
    assert latest_snapshot(CLOSED, world["strategy"]) is None
    figure = ProgressEngine(world["strategy"]).figure(world["k2"], None, CLOSED)
    assert figure.actual == Decimal("110") + 1000


def test_a_figure_is_stored_field_by_field_and_read_back_equal(world):
    engine = ProgressEngine(world["strategy"])
    lags = {lag.slug: lag for lag in world["lags"]}
    for lag in [None, *world["lags"]]:
        for year in (2023, None):
            figure = engine._figure(world["k2"], lag, year)
            raw = figure_data(figure)
            assert set(raw) == {field.name for field in dataclasses.fields(figure)}
            assert raw["indicator"] == "K2" and raw["lag"] == (lag.slug if lag else None)
            assert figure_from_data(raw, world["k2"], lag, lags) == figure
    assert world["snapshot"].data["schema"] == SCHEMA == 3


def test_a_schema_1_snapshot_is_still_read(world):
    """A snapshot stored before #13 kept fewer fields: they are read, the others take their defaults."""
    raw = {
        "year": CLOSED,
        "years": [CLOSED, CLOSED],
        "aggregation": "sum",
        "actual": "110",
        "numerator": None,
        "denominator": None,
        "baseline": "20",
        "target": "200",
        "progress": "0.5",
        "status": "off_track",
        "last_update": "2025-01-02T10:00:00+00:00",
    }
    figure = figure_from_data(raw, world["k2"], None, {})
    assert (figure.actual, figure.target, figure.progress, figure.status) == (
        Decimal("110"),
        Decimal("200"),
        Decimal("0.5"),
        "off_track",
    )
    assert figure.years == (CLOSED,) and figure.narratives == ()
    assert figure.last_update.year == 2025


def engine_queries(strategy):
    with CaptureQueriesContext(connection) as queries:
        engine = ProgressEngine(strategy)
        for indicator in engine.indicators:
            for lag in [None, *engine.lags]:
                engine.series(indicator, lag)
                engine.figure(indicator, lag)
    return len(queries)


def test_the_closed_years_snapshots_cost_one_query_whatever_their_number(world):
    closed_one = engine_queries(world["strategy"])
    close_year(
        year=CLOSED - 1, by=world["board"], strategy=world["strategy"], now=timezone.now() + timedelta(1)
    )
    assert YearSnapshot.objects.count() == 2
    assert engine_queries(world["strategy"]) == closed_one
