"""A closed year is read-only until the board reopens it (invariant 9).

The lock sits at the lowest level every path goes through, so no path can forget it:

* ``YearLocked.clean()`` — forms (admin add/change, inlines) and imports that call ``full_clean()``
  show the Latvian message next to the record;
* ``YearLocked.save()`` — services (submit, approve, return), admin actions, commands and direct saves;
  it checks the year the record has now *and* the year stored in the database, so a record can
  neither be edited in a closed year nor moved into or out of one;
* ``pre_delete`` — ``obj.delete()``, admin "delete selected" (``queryset.delete()``) and cascades;
* ``m2m_changed`` — an activity's parishes, municipalities and priorities;
* ``YearLockedQuerySet.update()`` — bulk updates.

The permission check (``strategy.permissions``) and the admin ask ``is_locked(obj)`` to hide the
buttons; the lock itself does not depend on them. Year closing and reopening are
``indicators.yearend.services.close_year`` / ``reopen_year`` (they also freeze the figures).

Closing and the workflow serialise on one lock, the LAG rows (``lock_lags``): a close takes every
LAG's row before it reads the year's figures, and every status change (``strategy.services``) and
every admin save of a record takes its LAG's row before it checks the closed years. So an approval
either commits before the close reads the figures (and is in the snapshot) or waits for the close to
commit and is then refused — never approved into a closed year after its snapshot.

Lock order, the same everywhere so that no two transactions wait for each other: LAG rows (by
primary key) → the record's row → the tallies (``strategy.tallies.refresh`` locks the LAG rows again,
which the transaction already holds) → a year's closure row.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed, pre_delete
from django.utils.translation import gettext_lazy as _

from partners.backup_format import is_restoring

MESSAGE = _(
    "%(year)s. gads ir slēgts: tā ierakstus nevar izveidot, labot, importēt, apstiprināt, atgriezt vai "
    "dzēst. Gadu var atvērt no jauna valde, norādot iemeslu."
)


class ClosedYearError(ValidationError):
    """A write touched a closed year. A ValidationError, so forms and importers show it as one."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(MESSAGE, code="closed_year", params={"year": year})


def closed_years() -> set[int]:
    """The years that are closed now (one query)."""
    from .models import YearClosure

    return set(YearClosure.objects.in_force().values_list("year", flat=True))


# Inside ``closed_years_read_once()``: the closed years read at its start, so that validating thousands
# of records (an import) costs one query instead of one per record.
_known_closed: contextvars.ContextVar[frozenset[int] | None] = contextvars.ContextVar(
    "ddkc_known_closed_years", default=None
)


@contextlib.contextmanager
def closed_years_read_once() -> Iterator[None]:
    """Read the closed years once for the duration of the block (an import's validation). A close that
    commits meanwhile is not seen — as with a per-record query, which could also run just before it."""
    token = _known_closed.set(frozenset(closed_years()))
    try:
        yield
    finally:
        _known_closed.reset(token)


def ensure_open(*years: int | None) -> None:
    """Raise ClosedYearError if any of the years is closed."""
    given = {y for y in years if y is not None}
    if not given or is_restoring():
        return
    known = _known_closed.get()
    if known is not None:
        closed = sorted(given & known)
    else:
        from .models import YearClosure

        closed = sorted(YearClosure.objects.in_force().filter(year__in=given).values_list("year", flat=True))
    if closed:
        raise ClosedYearError(closed[0])


def lock_lags(*lag_ids: int) -> None:
    """Take the workflow lock of the given LAGs — every LAG when none are given — and hold it until the
    transaction ends: ``SELECT … FOR UPDATE`` of their rows, in primary-key order (see the module's
    docstring for why, and for the lock order). Outside a transaction it would hold nothing."""
    from partners.models import LAG

    rows = LAG._base_manager.select_for_update().order_by("pk")
    if lag_ids:
        rows = rows.filter(pk__in=lag_ids)
    list(rows.values_list("pk", flat=True))


def is_locked(obj: object) -> bool:
    """Whether a record may not be written because it lies in a closed year (for permission checks)."""
    years = obj.record_years() if isinstance(obj, YearLocked) else set()
    return bool(years & closed_years())


# Generic in its model, so Baseline.objects.filter(…) is typed as baselines, not as any year-locked model.
_Locked = TypeVar("_Locked", bound="YearLocked")


class YearLockedQuerySet(models.QuerySet[_Locked]):
    def update(self, **kwargs: Any) -> int:
        lookup = self.model.year_lookup
        ensure_open(*self.order_by().values_list(lookup, flat=True).distinct())
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]  # as Django marks its own update()

    def delete(self) -> tuple[int, dict[str, int]]:
        # Checked before Django's delete opens its transaction, so a refusal leaves it usable;
        # the pre_delete signal still guards cascades from other models.
        ensure_open(*self.order_by().values_list(self.model.year_lookup, flat=True).distinct())
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]


class YearLocked(models.Model):
    """A record dated in a year: ``record_years()`` says which year(s) it belongs to; ``year_lookup``
    is the same as a query lookup (for bulk checks)."""

    year_lookup: ClassVar[str] = "year"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        ensure_open(*self.record_years(), *self.stored_years())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        ensure_open(*self.record_years(), *self.stored_years())
        return super().delete(*args, **kwargs)

    def record_years(self) -> set[int]:
        """The year(s) of the record as it is in memory."""
        raise NotImplementedError

    def stored_years(self) -> set[int]:
        """The year(s) of the record as it is in the database (empty for a new record)."""
        if self.pk is None:
            return set()
        rows = type(self)._base_manager.filter(pk=self.pk).values_list(self.year_lookup, flat=True)
        return {y for y in rows if y is not None}

    def clean(self) -> None:
        super().clean()
        ensure_open(*self.record_years(), *self.stored_years())


def _refuse_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if isinstance(instance, YearLocked):
        ensure_open(*instance.record_years())


def _refuse_m2m(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if not reverse and isinstance(instance, YearLocked):
        ensure_open(*instance.record_years(), *instance.stored_years())
    elif reverse and issubclass(model, YearLocked):
        if pk_set is None:  # clear() from the other side: every related record
            related = getattr(instance, _reverse_accessor(sender, model))
            ensure_open(*related.values_list(model.year_lookup, flat=True))
        else:
            ensure_open(*model._base_manager.filter(pk__in=pk_set).values_list(model.year_lookup, flat=True))


def _reverse_accessor(through: type[models.Model], model: type[models.Model]) -> str:
    for field in model._meta.many_to_many:
        accessor = field.remote_field.get_accessor_name()
        if field.remote_field.through is through and accessor is not None:
            return accessor
    raise LookupError(through)


def connect_signals() -> None:
    pre_delete.connect(_refuse_delete, dispatch_uid="ddkc-closed-year-delete")
    m2m_changed.connect(_refuse_m2m, dispatch_uid="ddkc-closed-year-m2m")


def locked_message(obj: object) -> str | None:
    """The Latvian reason a record cannot be written (its year is closed), or None — for
    ``strategy.permissions.locked_reason``. Inside ``closed_years_read_once()`` (an import asks it
    of every record it updates) without a query."""
    known = _known_closed.get()
    closed = known if known is not None else closed_years()
    years = sorted(obj.record_years() & closed) if isinstance(obj, YearLocked) else []
    return str(MESSAGE % {"year": years[0]}) if years else None
