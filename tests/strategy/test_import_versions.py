"""An import's update honours the record's version and status: what the preview showed is what the
confirmation writes, or nothing. A record submitted, approved or changed by someone else after the
preview is a row error at confirmation and nothing is written; a coordinator approving at the same
moment either goes first (the import refuses) or waits (and then works on the imported version)."""

import threading
import time
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.test import Client

from indicators.models import Indicator, Measurement
from partners import roles
from strategy import services
from strategy.models import Activity
from strategy.resources import ActivityResource
from strategy.workflow import Status
from tests import factories

from .imports import confirm, csv_file, dataset, messages_of, preview


@pytest.fixture
def people(db):
    # a transactional test's teardown empties every table, the role groups of a migration included
    for role in roles.ALL:
        Group.objects.get_or_create(name=role)
    lag = factories.lag(slug="musu")
    return {
        "lag": lag,
        "anna": factories.user(role=roles.EDITOR, lag=lag),
        "juris": factories.user(role=roles.EDITOR, lag=lag),
        "coordinator": factories.user(role=roles.COORDINATOR, lag=lag),
        "type": factories.activity_type(code="talka", name_lv="Talka"),
    }


NOTHING_IMPORTED = "Nekas nav importēts: kopš priekšskatījuma dati portālā ir mainījušies."


def session(user):
    client = Client()
    client.force_login(user)
    return client


def draft(people, title="Talka"):
    return factories.activity(
        lag=people["lag"],
        author=people["juris"],
        title_lv=title,
        start_date=date(2024, 3, 5),
        activity_type=people["type"],
    )


def update_file(activity, title):
    return csv_file(
        ["id", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
        [activity.pk, title, "05.03.2024", "talka", "20"],
    )


def unchanged_since(activity):
    """The record as stored equals the given copy: fields, version and change history."""
    stored = Activity.objects.get(pk=activity.pk)
    return (stored.title_lv, stored.status, stored.version, stored.history.count()) == (
        activity.title_lv,
        activity.status,
        activity.version,
        activity.history.count(),
    )


def test_a_record_changed_by_someone_else_after_the_preview_is_a_row_error_at_confirmation(people):
    activity = draft(people)
    anna = session(people["anna"])
    shown = preview(anna, Activity, update_file(activity, "Annas imports"))
    assert 'name="confirm"' in shown.content.decode()

    activity.title_lv = "Jura labojums"  # Juris saves the record meanwhile
    activity.save()
    response = confirm(anna, Activity, shown)

    assert messages_of(response) == [
        NOTHING_IMPORTED,
        f"Rinda 2, «id»: Aktivitāti {activity.pk} pēc priekšskatījuma mainīja kāds cits. Augšupielādējiet "
        "datni vēlreiz, lai redzētu pašreizējās vērtības.",
    ]
    assert unchanged_since(activity)


@pytest.mark.parametrize("transition", ["submit", "approve"])
def test_a_record_submitted_or_approved_after_the_preview_is_a_row_error_at_confirmation(people, transition):
    activity = draft(people)
    anna = session(people["anna"])
    shown = preview(anna, Activity, update_file(activity, "Annas imports"))

    services.submit(activity, by=people["juris"])
    if transition == "approve":
        services.approve(activity, by=people["coordinator"])
    response = confirm(anna, Activity, shown)

    reason = {
        "submit": "Iesniegtu ierakstu nevar labot, kamēr koordinators to nav atgriezis.",
        "approve": "Apstiprināts ieraksts ir tikai lasāms; koordinators to var atvērt labošanai.",
    }[transition]
    assert messages_of(response) == [
        NOTHING_IMPORTED,
        f"Rinda 2, «id»: Aktivitāti {activity.pk} nevar mainīt: {reason}",
    ]
    assert unchanged_since(activity)


def test_a_measurement_changed_after_the_preview_is_a_row_error_at_confirmation(people, strategy):
    measurement = factories.measurement(
        indicator=Indicator.objects.get(code="K4"), lag=people["lag"], year=2024, author=people["juris"]
    )
    anna = session(people["anna"])
    data = csv_file(["id", "rādītājs", "gads", "vērtība"], [measurement.pk, "K4", "2024", "58"])
    shown = preview(anna, Measurement, data)

    measurement.note = "Jura piezīme"
    measurement.save()
    response = confirm(anna, Measurement, shown)

    assert messages_of(response) == [
        NOTHING_IMPORTED,
        f"Rinda 2, «id»: Rādītāja vērtību {measurement.pk} pēc priekšskatījuma mainīja kāds cits. "
        "Augšupielādējiet datni vēlreiz, lai redzētu pašreizējās vērtības.",
    ]
    stored = Measurement.objects.get()
    assert (stored.value, stored.note, stored.version) == (
        measurement.value,
        "Jura piezīme",
        measurement.version,
    )


def test_a_confirmation_whose_preview_record_was_tampered_with_is_refused(people):
    activity = draft(people)
    anna = session(people["anna"])
    shown = preview(anna, Activity, update_file(activity, "Annas imports"))

    response = confirm(anna, Activity, shown, preview_versions=f"{activity.pk}:{activity.version}")

    assert messages_of(response) == [
        "Priekšskatījuma dati ir bojāti vai novecojuši: nekas nav importēts. Augšupielādējiet datni vēlreiz."
    ]
    assert unchanged_since(activity)


def test_the_confirmation_writes_what_the_preview_showed(people):
    activity = draft(people)
    anna = session(people["anna"])
    shown = preview(anna, Activity, update_file(activity, "Annas imports"))

    response = confirm(anna, Activity, shown)

    assert messages_of(response) == [
        "Imports pabeigts. Jauni: 0, atjaunināti: 1, jau bija portālā: 0, nemainīti: 0."
    ]
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title_lv, stored.version) == ("Annas imports", activity.version + 1)


# --- two database connections at once (PostgreSQL: SQLite has one writer at a time) ------------

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a race of two transactions needs row locks and two connections: PostgreSQL "
    "(SQLite lets one writer at a time, so there is no race to test)",
)


def waiting_for_a_lock():
    """How many other connections of this database wait for a row lock now."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other transaction never reached the lock"
        time.sleep(0.02)


class InThread(threading.Thread):
    """Run ``work`` in a thread of its own (so on a database connection of its own)."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work = work
        self.error = None
        self.value = None

    def run(self):
        try:
            self.value = self.work()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
        finally:
            connections.close_all()

    def result(self):
        self.join(30)
        assert not self.is_alive(), "the thread did not finish"
        if self.error is not None:
            raise self.error
        return self.value


def confirmation(people, activity, seen_version, title):
    """The import's confirmation as the admin runs it: the versions the preview saw, not a dry run."""

    def work():
        resource = ActivityResource(user=people["anna"], preview_versions={activity.pk: seen_version})
        return resource.import_data(
            dataset(update_file(activity, title)),
            dry_run=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )

    return work


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_an_approval_holding_the_record_makes_the_confirmation_wait_and_then_refuse(people):
    activity = draft(people)
    seen = activity.version  # the preview was made now
    approving, release = threading.Event(), threading.Event()

    def coordinator():
        with transaction.atomic():
            record = Activity.objects.get(pk=activity.pk)
            services.submit(record, by=people["juris"])
            services.approve(record, by=people["coordinator"])
            approving.set()
            release.wait(30)  # the approval's transaction is still open: it holds the row

    approval = InThread(coordinator)
    approval.start()
    assert approving.wait(20)
    confirming = InThread(confirmation(people, activity, seen, "Nepārbaudīts imports"))
    confirming.start()
    wait_until(lambda: waiting_for_a_lock() == 1)  # the confirmation waits for the approval's row
    release.set()
    approval.result()
    result = confirming.result()

    assert [row.number + 1 for row in result.invalid_rows] == [2]
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.status, stored.title_lv) == (Status.APPROVED, "Talka")


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_a_submission_racing_the_confirmation_waits_and_then_submits_the_imported_version(people):
    activity = draft(people)
    imported, release = threading.Event(), threading.Event()
    run_import = confirmation(people, activity, activity.version, "Importētais nosaukums")

    def importer():
        with transaction.atomic():
            result = run_import()
            imported.set()
            release.wait(30)  # the import's transaction is still open: it holds the row
        return result

    confirming = InThread(importer)
    confirming.start()
    assert imported.wait(20)
    record = Activity.objects.get(pk=activity.pk)
    submitting = InThread(lambda: services.submit(record, by=people["juris"]))
    submitting.start()
    wait_until(lambda: waiting_for_a_lock() == 1)  # the submission waits for the import's row
    release.set()
    result = confirming.result()
    submitting.result()

    assert not result.has_errors() and not result.has_validation_errors()
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.status, stored.title_lv) == (Status.SUBMITTED, "Importētais nosaukums")
    assert record.version == stored.version == activity.version + 2  # the import's, then the submission's
