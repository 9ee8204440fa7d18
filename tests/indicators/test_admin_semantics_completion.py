"""A LAG's data of an ended year marked complete (what the default period runs to): its coordinator or
the secretariat marks it or withdraws the mark on the admin's data completion page, which lists the years
and LAGs with their state and the records still waiting. The running year cannot be marked, a closed year
needs no mark, an editor and another LAG's coordinator cannot mark; a refused POST changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.yearend.services import close_year
from partners import latvian, roles
from strategy import permissions
from strategy.models import DataCompletion
from strategy.workflow import Status
from tests import factories

THIS_YEAR = timezone.localdate().year
ENDED = THIS_YEAR - 1
CLOSED = THIS_YEAR - 2


@pytest.fixture
def world(db):
    strategy = factories.strategy(period_start=THIS_YEAR - 3, period_end=THIS_YEAR + 1)
    ours, theirs = factories.lag(slug="musu", short_name_lv="Mūsu"), factories.lag(slug="citu")
    close_year(year=CLOSED, by=factories.user(is_superuser=True), strategy=strategy)
    return {
        "strategy": strategy,
        "ours": ours,
        "theirs": theirs,
        "coordinator": factories.user(role=roles.COORDINATOR, lag=ours, first_name="Ilze", last_name="Ozola"),
        "their_coordinator": factories.user(role=roles.COORDINATOR, lag=theirs),
        "editor": factories.user(role=roles.EDITOR, lag=ours),
        "board": factories.user(role=roles.BOARD),
        "secretariat": factories.user(role=roles.SECRETARIAT),
        "superuser": factories.user(is_superuser=True),
    }


PAGE = "admin:strategy_datacompletion_changelist"


def mark(client, year, lag, **data):
    return client.post(
        reverse("admin:strategy_datacompletion_mark", args=[year, lag.slug]), data, follow=True
    )


def withdraw(client, year, lag):
    return client.post(reverse("admin:strategy_datacompletion_withdraw", args=[year, lag.slug]), follow=True)


def marks():
    return set(DataCompletion.objects.values_list("lag__slug", "year", "marked_by_id"))


@pytest.mark.parametrize(
    ("who", "lag", "year", "allowed"),
    [
        ("coordinator", "ours", ENDED, True),
        ("secretariat", "ours", ENDED, True),
        ("secretariat", "theirs", ENDED, True),
        ("superuser", "theirs", ENDED, True),
        ("coordinator", "theirs", ENDED, False),  # another LAG's coordinator
        ("their_coordinator", "ours", ENDED, False),
        ("editor", "ours", ENDED, False),
        ("board", "ours", ENDED, False),
        ("coordinator", "ours", THIS_YEAR, False),  # the running year
        ("secretariat", "ours", THIS_YEAR + 1, False),
        ("coordinator", "ours", CLOSED, False),  # a closed year needs no mark
    ],
)
def test_who_may_mark_which_lags_year_complete(world, who, lag, year, allowed):
    assert permissions.may_mark_complete(world[who], world[lag], year) is allowed


def test_the_coordinator_marks_their_lags_ended_year_and_the_page_says_who_and_when(client, world):
    client.force_login(world["coordinator"])

    response = mark(client, ENDED, world["ours"])

    assert marks() == {("musu", ENDED, world["coordinator"].pk)}
    page = response.content.decode()
    assert "Ilze Ozola" in page
    assert f"atzīmēja Ilze Ozola {latvian.on_date(DataCompletion.objects.get().marked_at)}" in page


def test_the_coordinator_withdraws_the_mark(client, world):
    DataCompletion.objects.create(
        lag=world["ours"], year=ENDED, marked_by=world["secretariat"], marked_at=timezone.now()
    )
    client.force_login(world["coordinator"])

    withdraw(client, ENDED, world["ours"])

    assert marks() == set()


@pytest.mark.parametrize(
    ("who", "lag", "year", "message"),
    [
        ("coordinator", "theirs", ENDED, "Koordinators atzīmē tikai savas VRG gada datus."),
        ("coordinator", "ours", THIS_YEAR, f"{THIS_YEAR}. gads vēl nav beidzies"),
        ("secretariat", "ours", CLOSED, f"{CLOSED}. gads ir slēgts"),
    ],
)
def test_a_refused_mark_says_why_in_latvian_and_changes_nothing(client, world, who, lag, year, message):
    client.force_login(world[who])

    response = mark(client, year, world[lag], confirm_waiting="1")

    assert message in response.content.decode()
    assert marks() == set()


@pytest.mark.parametrize("who", ["editor", "board"])
def test_an_editor_or_the_board_cannot_open_the_page_or_mark(client, world, who):
    client.force_login(world[who])

    assert client.get(reverse(PAGE)).status_code == 403
    assert mark(client, ENDED, world["ours"]).status_code == 403
    assert marks() == set()


def test_a_refused_withdrawal_changes_nothing(client, world):
    DataCompletion.objects.create(
        lag=world["ours"], year=ENDED, marked_by=world["coordinator"], marked_at=timezone.now()
    )
    before = marks()
    client.force_login(world["their_coordinator"])

    response = withdraw(client, ENDED, world["ours"])

    assert "Koordinators atzīmē tikai savas VRG gada datus." in response.content.decode()
    assert marks() == before


def test_records_still_waiting_are_counted_and_marking_then_needs_confirmation(client, world):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED):
        indicator = factories.indicator(strategy=world["strategy"])
        factories.measurement(indicator=indicator, lag=world["ours"], year=ENDED, status=status)
    factories.activity(lag=world["ours"], start_date=date(ENDED, 5, 1))  # a draft
    factories.measurement(indicator=indicator, lag=world["theirs"], year=ENDED)  # another LAG's
    client.force_login(world["coordinator"])

    page = client.get(reverse(PAGE)).content.decode()
    assert "4 ieraksti vēl nav apstiprināti" in page

    refused = mark(client, ENDED, world["ours"])
    assert "apstipriniet" in refused.content.decode().lower()
    assert marks() == set()

    mark(client, ENDED, world["ours"], confirm_waiting="1")
    assert marks() == {("musu", ENDED, world["coordinator"].pk)}


def test_the_page_shows_closed_and_running_years_without_a_mark_button(client, world):
    client.force_login(world["secretariat"])

    page = client.get(reverse(PAGE)).content.decode()

    assert "slēgts" in page
    assert reverse("admin:strategy_datacompletion_mark", args=[ENDED, "musu"]) in page
    assert reverse("admin:strategy_datacompletion_mark", args=[CLOSED, "musu"]) not in page
    assert reverse("admin:strategy_datacompletion_mark", args=[THIS_YEAR, "musu"]) not in page


def test_a_coordinator_sees_only_their_own_lag(client, world):
    client.force_login(world["coordinator"])

    page = client.get(reverse(PAGE)).content.decode()

    assert reverse("admin:strategy_datacompletion_mark", args=[ENDED, "musu"]) in page
    assert reverse("admin:strategy_datacompletion_mark", args=[ENDED, "citu"]) not in page


@pytest.mark.parametrize("extra_lags", [0, 3])
def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_lags_and_marks(
    client, world, extra_lags
):
    for _n in range(extra_lags):
        lag = factories.lag()
        DataCompletion.objects.create(
            lag=lag, year=ENDED, marked_by=world["secretariat"], marked_at=timezone.now()
        )
        factories.measurement(indicator=factories.indicator(strategy=world["strategy"]), lag=lag, year=ENDED)
    client.force_login(world["secretariat"])
    client.get(reverse(PAGE))  # the session and the user's roles, read once

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(PAGE)).status_code == 200

    # the session, the user, their roles; the strategy, the LAGs they mark and every LAG, the closed years,
    # the marks; the admin's menu (the user's and their groups' permissions) and the atomic request's
    # savepoint and its release: 12; then per year shown that is not closed (the running year and the two
    # ended ones) the records still waiting: activities, measurements
    assert len(queries) == 12 + 3 * 2, "\n".join(q["sql"][:150] for q in queries)
