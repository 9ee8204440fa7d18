"""Import speed: 10 000 activity rows through the spreadsheet import, against a plain bulk_create of
the same rows. Run with `make bench` (SQLite) and with DATABASE_URL=postgres://… for PostgreSQL.

The import parses a Latvian CSV (`;`, decimal comma, dd.mm.yyyy), resolves every natural key,
validates each row, then writes the activities, their parishes and priorities, funding lines and
change history in bulk. The baseline writes the same activities, links and funding lines with
bulk_create and nothing else (no parsing, no validation, no history)."""

import time
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from partners import roles
from partners.models import LAG, TerritoryUnit
from strategy.importing.formats import LatvianCSV
from strategy.models import Activity, ActivityType, FundingLine, Priority
from strategy.resources import ActivityResource
from tests import factories

ROWS = 10_000


def make_rows(lag):
    units = list(TerritoryUnit.objects.filter(lag=lag))
    types = list(ActivityType.objects.all())
    priorities = list(Priority.objects.all())
    rows = []
    for n in range(ROWS):
        start = date(2024, 1, 1) + timedelta(days=n % 360)
        rows.append(
            {
                "title": f"Aktivitāte {n}",
                "start": start,
                "type": types[n % len(types)],
                "units": [units[n % len(units)], units[(n * 7) % len(units)]],
                "priorities": [priorities[n % len(priorities)]],
                "total": 10 + n % 50,
                "youth": n % 10,
                "eafrd": (n * 37) % 5000 + 0.25 if n % 3 == 0 else None,
            }
        )
    return rows


def as_csv(rows, lag):
    header = "VRG;nosaukums;sākuma datums;veids;pagasti un pilsētas;prioritātes;dalībnieki kopā;jaunieši (13–30 g.);finansējums EUR: ELFLA (LEADER)"
    lines = [header]
    for r in rows:
        eafrd = f"{r['eafrd']:,.2f}".replace(",", "\u00a0").replace(".", ",") if r["eafrd"] else ""
        lines.append(
            ";".join(
                [
                    lag.slug,
                    r["title"],
                    r["start"].strftime("%d.%m.%Y"),
                    r["type"].code,
                    "; ".join(u.name for u in r["units"]).join('""'),
                    ", ".join(str(p.number) for p in r["priorities"]).join('""'),
                    str(r["total"]),
                    str(r["youth"]),
                    eafrd,
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def bulk_create_baseline(rows, lag, author):
    from decimal import Decimal

    activities = Activity.objects.bulk_create(
        [
            Activity(
                lag=lag,
                title_lv=r["title"],
                title=r["title"],
                start_date=r["start"],
                activity_type=r["type"],
                participants_total=r["total"],
                participants_youth=r["youth"],
                author=author,
            )
            for r in rows
        ],
        batch_size=1000,
    )
    units = Activity.territory_units.through
    prios = Activity.priorities.through
    units.objects.bulk_create(
        [
            units(activity_id=a.pk, territoryunit_id=u.pk)
            for a, r in zip(activities, rows, strict=True)
            for u in set(r["units"])
        ],
        batch_size=1000,
    )
    prios.objects.bulk_create(
        [
            prios(activity_id=a.pk, priority_id=p.pk)
            for a, r in zip(activities, rows, strict=True)
            for p in r["priorities"]
        ],
        batch_size=1000,
    )
    FundingLine.objects.bulk_create(
        [
            FundingLine(activity_id=a.pk, source="eafrd", amount=Decimal(str(r["eafrd"])))
            for a, r in zip(activities, rows, strict=True)
            if r["eafrd"]
        ],
        batch_size=1000,
    )


class _Rollback(Exception):
    pass


def measure_import(lag, editor):
    """(import seconds, bulk_create seconds) for the same 10 000 rows; both are rolled back, so this
    can run on top of other data (the scale benchmark runs it after generate_load)."""
    rows = make_rows(lag)
    data = as_csv(rows, lag)
    before = Activity.objects.count()
    try:
        with transaction.atomic():
            started = time.perf_counter()
            bulk_create_baseline(rows, lag, editor)
            baseline = time.perf_counter() - started
            assert Activity.objects.count() == before + ROWS
            raise _Rollback
    except _Rollback:
        pass
    try:
        with transaction.atomic():
            started = time.perf_counter()
            dataset = LatvianCSV().create_dataset(data)
            result = ActivityResource(user=editor).import_data(
                dataset, use_transactions=True, rollback_on_validation_errors=True
            )
            imported = time.perf_counter() - started
            assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows[:3]
            assert Activity.objects.count() == before + ROWS
            raise _Rollback
    except _Rollback:
        pass
    return imported, baseline


@pytest.mark.django_db(transaction=True)
def test_import_of_10000_activity_rows_against_bulk_create(strategy):
    lag = LAG.objects.get(slug="kaimini")
    editor = factories.user(role=roles.EDITOR, lag=lag)
    imported, baseline = measure_import(lag, editor)
    print(
        f"\n[{connection.vendor}] import of {ROWS} activity rows: {imported:.2f} s; "
        f"bulk_create of the same rows: {baseline:.2f} s; ratio {imported / baseline:.1f}×"
    )
