"""Closing a year and every workflow transition of a record dated in it serialise on one lock (the LAG
rows): a record is either approved before the close reads the year's figures — and is in the snapshot —
or it waits for the close to commit and is then refused. Two real database connections (threads) on
PostgreSQL, interleaved deterministically: one side pauses while it holds the lock, the other must be
seen waiting for it (``pg_stat_activity``) before the first goes on."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections

from indicators.models import YearSnapshot
from indicators.yearend import services as yearend
from strategy import permissions, services
from strategy.models import Activity, YearClosure
from strategy.workflow import Status
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks (one writer at a time for the whole database): the race needs PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

YEAR = 2024
WAIT = 20  # seconds: only reached when something is wrong


class Side:
    """A function run in its own thread, on its own database connection."""

    def __init__(self, function):
        self.result = self.error = None
        self.thread = threading.Thread(target=self._run, args=(function,), daemon=True)
        self.thread.start()

    def _run(self, function):
        try:
            self.result = function()
        except Exception as error:  # the test inspects it
            self.error = error
        finally:
            connections.close_all()

    def join(self):
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


def seen_waiting_for_a_lock(side):
    """True once another connection of this database waits for a lock, False if ``side`` finished first."""
    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            if not side.thread.is_alive():
                return False
            time.sleep(0.02)
    return False


@pytest.fixture
def world():
    strategy = factories.strategy()
    lag = factories.lag()
    editor = factories.user()
    record = factories.activity(lag=lag, author=editor, status=Status.SUBMITTED, start_date=date(YEAR, 5, 1))
    return {
        "strategy": strategy,
        "record": record,
        "reviewer": factories.user(is_superuser=True),  # reviews as a coordinator of every LAG
        "board": factories.user(is_superuser=True),
    }


def approve(world):
    return services.approve(Activity.objects.get(pk=world["record"].pk), by=world["reviewer"])


def close(world):
    return yearend.close_year(year=YEAR, by=world["board"], acknowledge_unapproved=True)


def headline_activities(snapshot):
    return snapshot.data["scopes"]["joint"]["headline"]["activities"]


def test_an_approval_during_a_close_waits_and_is_refused(world, monkeypatch):
    computed, go_on = threading.Event(), threading.Event()
    real_year_data = yearend.year_data

    def year_data_then_pause(strategy, year):
        data = real_year_data(strategy, year)  # the snapshot's figures are read: without the record
        computed.set()
        assert go_on.wait(WAIT)
        return data

    monkeypatch.setattr(yearend, "year_data", year_data_then_pause)
    closer = Side(lambda: close(world))
    assert computed.wait(WAIT)
    approver = Side(lambda: approve(world))
    waited = seen_waiting_for_a_lock(approver)
    go_on.set()
    closer.join()
    approver.join()

    assert closer.error is None
    assert waited, "the approval did not wait for the close"
    assert isinstance(approver.error, services.WorkflowError)
    assert "2024. gads ir slēgts" in " ".join(approver.error.messages)
    assert Activity.objects.get(pk=world["record"].pk).status == Status.SUBMITTED
    assert headline_activities(YearSnapshot.objects.get(year=YEAR)) == "0"
    assert YearClosure.objects.get(year=YEAR).unapproved_total == 1


def test_a_close_during_an_approval_waits_and_freezes_it(world, monkeypatch):
    checked, go_on = threading.Event(), threading.Event()
    real_refusal = permissions.transition_refusal

    def refusal_then_pause(user, record, transition):
        refusal = real_refusal(user, record, transition)  # the year is open: approved
        checked.set()
        assert go_on.wait(WAIT)
        return refusal

    monkeypatch.setattr(permissions, "transition_refusal", refusal_then_pause)
    approver = Side(lambda: approve(world))
    assert checked.wait(WAIT)
    closer = Side(lambda: close(world))
    waited = seen_waiting_for_a_lock(closer)
    go_on.set()
    approver.join()
    closer.join()

    assert approver.error is None and closer.error is None
    assert waited, "the close did not wait for the approval"
    assert Activity.objects.get(pk=world["record"].pk).status == Status.APPROVED
    snapshot = YearSnapshot.objects.get(year=YEAR)
    assert headline_activities(snapshot) == "1"
    assert YearClosure.objects.get(year=YEAR).unapproved_total == 0
