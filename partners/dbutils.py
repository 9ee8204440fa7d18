"""Helpers for the management commands that load content into the database."""

import datetime
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

APPS = ("partners", "strategy", "indicators")


def ensure_migrated(using=DEFAULT_DB_ALIAS):
    """Stop with a clear message on a database that is not this portal's, or not migrated yet."""
    connection = connections[using]
    try:
        executor = MigrationExecutor(connection)
        applied = {app for app, _name in executor.loader.applied_migrations}
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"Datubāze nav pieejama ({exc}). Pārbaudiet DATABASE_URL.") from exc
    if not set(APPS) <= applied:
        raise CommandError(
            "Šī datubāze nav DDKC portāla datubāze vai tā vēl nav sagatavota. "
            "Vispirms palaidiet: python manage.py migrate"
        )
    if pending:
        raise CommandError(
            f"Datubāzē nav lietotas {len(pending)} migrācijas. Vispirms palaidiet: python manage.py migrate"
        )


def _same(current, wanted):
    if isinstance(wanted, Decimal) or isinstance(current, Decimal):
        return current is not None and wanted is not None and Decimal(current) == Decimal(wanted)
    if isinstance(wanted, datetime.date) and isinstance(current, str):
        return current == wanted.isoformat()
    return (current or "") == (wanted or "") if isinstance(wanted, str) else current == wanted


class Sync:
    """Brings rows to the wanted content while recording every difference it finds in rows that
    already exist, so a caller can refuse to overwrite what staff edited (unless forced)."""

    def __init__(self, *, force):
        self.force = force
        self.created = 0
        self.unchanged = 0
        self.differences = []

    def row(self, model, lookup, values, m2m=None):
        obj = model._base_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            for field, wanted in (m2m or {}).items():
                getattr(obj, field).set(wanted)
            self.created += 1
            return obj
        changed = []
        for field, wanted in values.items():
            current = getattr(obj, field)
            if not _same(current, wanted):
                changed.append((field, current, wanted))
                if self.force:
                    setattr(obj, field, wanted)
        for field, wanted in (m2m or {}).items():
            current = set(getattr(obj, field).values_list("pk", flat=True))
            wanted_pks = {item.pk for item in wanted}
            if current != wanted_pks:
                changed.append((field, sorted(current), sorted(wanted_pks)))
                if self.force:
                    getattr(obj, field).set(wanted)
        if changed:
            label = f"{model._meta.verbose_name} «{obj}»"
            self.differences.extend((label, *change) for change in changed)
            if self.force:
                obj.full_clean()
                obj.save()
        else:
            self.unchanged += 1
        return obj
