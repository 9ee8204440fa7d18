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

What a closed year freezes beyond the records dated in it (``record_years`` and ``row_years`` say it per model):

* a target shapes its year's figures and the cumulative figures of every later year of its strategy,
  so its ``record_years`` are its year to the strategy's end; a baseline shapes the progress of every
  year of its strategy, so its ``record_years`` are its strategy's years;
* an indicator's definition (``DefinitionLocked.frozen_fields`` and ``frozen_m2m``: its rule, measure,
  source, unit, direction, funding sources and activity types) is read-only while a year of its
  strategy is closed — on the same paths: ``clean()``, ``save()`` comparing with the stored values,
  ``QuerySet.update()``, deletion and ``m2m_changed`` from either side; its texts stay editable.

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
from collections.abc import Iterable, Iterator
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


PLAN_MESSAGE = _(
    "%(year)s. gads ir slēgts: mērķa vērtības līdz šim gadam un visas bāzes vērtības veido tā galīgos "
    "skaitļus, tāpēc tās nevar izveidot, labot vai dzēst. Gadu var atvērt no jauna valde, norādot iemeslu."
)

DEFINITION_MESSAGE = _(
    "%(year)s. gads ir slēgts: rādītāja definīciju, pēc kuras aprēķināti tā galīgie skaitļi (aprēķina "
    "noteikumu, mērījuma veidu, datu avota veidu, mērvienību, virzienu, finansējuma avotus un aktivitāšu "
    "veidus), nevar mainīt, un rādītāju nevar dzēst; nosaukumu un aprakstus var labot. Gadu var atvērt no "
    "jauna valde, norādot iemeslu."
)


class ClosedYearError(ValidationError):
    """A write touched a closed year. A ValidationError, so forms and importers show it as one."""

    def __init__(self, year: int, message: Any = MESSAGE) -> None:
        self.year = year
        super().__init__(message, code="closed_year", params={"year": year})


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


def ensure_open(*years: int | None, message: Any = MESSAGE) -> None:
    """Raise ClosedYearError (with ``message``) if any of the years is closed."""
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
        raise ClosedYearError(closed[0], message)


def period_years(spans: Iterable[tuple[int, int]]) -> set[int]:
    """Every year of the given (first, last) periods — a strategy's years."""
    return {year for first, last in spans for year in range(first, last + 1)}


def _known_or_read_closed() -> frozenset[int]:
    known = _known_closed.get()
    return known if known is not None else frozenset(closed_years())


def ensure_writable(model: type[YearLocked], *years: int | None) -> None:
    """Raise ClosedYearError, with the model's message, if any of the years a record of ``model``
    belongs to (``record_years``, ``row_years``) is closed."""
    ensure_open(*years, message=model.lock_message)


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
        ensure_writable(self.model, *self.model.row_years(self))
        if lookup in kwargs and not hasattr(kwargs[lookup], "resolve_expression"):
            # moved into a year it may not be written in
            ensure_writable(self.model, *self.model.moved_years(self, kwargs[lookup]))
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]  # as Django marks its own update()

    def delete(self) -> tuple[int, dict[str, int]]:
        # Checked before Django's delete opens its transaction, so a refusal leaves it usable;
        # the pre_delete signal still guards cascades from other models.
        years = self.model.row_years(self)
        if years:
            ensure_writable(self.model, *years)
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]


class YearLocked(models.Model):
    """A record dated in a year: ``record_years()`` says which year(s) it belongs to; ``year_lookup``
    is the same as a query lookup (for bulk checks)."""

    year_lookup: ClassVar[str] = "year"
    lock_message: ClassVar[Any] = MESSAGE

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        ensure_writable(type(self), *self.record_years(), *self.stored_years())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        ensure_writable(type(self), *self.record_years(), *self.stored_years())
        return super().delete(*args, **kwargs)

    def record_years(self) -> set[int]:
        """The year(s) of the record as it is in memory."""
        raise NotImplementedError

    def stored_years(self) -> set[int]:
        """The year(s) of the record as it is in the database (empty for a new record)."""
        if self.pk is None:
            return set()
        return type(self).row_years(type(self)._base_manager.filter(pk=self.pk))

    @classmethod
    def moved_years(cls, rows: models.QuerySet[Any], year: int | None) -> set[int]:
        """The years the rows would belong to once their ``year_lookup`` is set to ``year``."""
        return {year} if year is not None else set()

    @classmethod
    def row_years(cls, rows: models.QuerySet[Any]) -> set[int]:
        """The years the given rows belong to, as ``record_years`` says it of one (bulk checks)."""
        return {
            y for y in rows.order_by().values_list(cls.year_lookup, flat=True).distinct() if y is not None
        }

    def clean(self) -> None:
        super().clean()
        ensure_writable(type(self), *self.record_years(), *self.stored_years())


class DefinitionLockedQuerySet(models.QuerySet[Any]):
    """Bulk paths of a DefinitionLocked model: an update of a frozen field that changes a row, and a
    delete of any row, are refused while a year of the rows' period is closed."""

    def update(self, **kwargs: Any) -> int:
        frozen = [name for name in kwargs if name in self.model.frozen_fields]
        if frozen and _known_or_read_closed():
            changing = [
                row["pk"]
                for row in self.order_by().values("pk", *frozen)
                if any(hasattr(kwargs[n], "resolve_expression") or row[n] != kwargs[n] for n in frozen)
            ]
            if changing:
                self.model.ensure_rows_open(self.model._base_manager.filter(pk__in=changing))
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        self.model.ensure_rows_open(self)
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]


class DefinitionLocked(models.Model):
    """A record whose definition shaped the figures of every closed year of its period (an indicator:
    its strategy's years): the fields in ``frozen_fields`` and the links in ``frozen_m2m`` are
    read-only, and the record cannot be deleted, while one of those years is closed. Other fields stay
    editable; a new record may be created. ``period_lookups``: the query lookups of its period's first
    and last year."""

    frozen_fields: ClassVar[tuple[str, ...]] = ()
    frozen_m2m: ClassVar[tuple[str, ...]] = ()
    period_lookups: ClassVar[tuple[str, str]] = ("period_start", "period_end")
    definition_message: ClassVar[Any] = DEFINITION_MESSAGE

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.ensure_definition_open()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk is not None:
            type(self).ensure_rows_open(type(self)._base_manager.filter(pk=self.pk))
        return super().delete(*args, **kwargs)

    @classmethod
    def ensure_rows_open(cls, rows: models.QuerySet[Any]) -> None:
        """Refuse (ClosedYearError) if a year of the rows' periods is closed."""
        if is_restoring():
            return
        spans = rows.order_by().values_list(*cls.period_lookups).distinct()
        ensure_open(*period_years(spans), message=cls.definition_message)

    def changed_frozen_fields(self) -> list[str]:
        """The frozen fields whose value in memory differs from the stored one (none for a new record)."""
        if self.pk is None:
            return []
        stored = type(self)._base_manager.filter(pk=self.pk).values(*self.frozen_fields).first()
        if stored is None:
            return []
        return [name for name in self.frozen_fields if getattr(self, name) != stored[name]]

    def ensure_definition_open(self) -> None:
        if self.changed_frozen_fields():
            type(self).ensure_rows_open(type(self)._base_manager.filter(pk=self.pk))

    def clean(self) -> None:
        super().clean()
        self.ensure_definition_open()


def _frozen_link(through: type[models.Model], model: type[models.Model]) -> bool:
    """Whether ``through`` is one of ``model``'s frozen many-to-many links (``DefinitionLocked``)."""
    if not issubclass(model, DefinitionLocked):
        return False
    return any(
        field.remote_field.through is through
        for field in model._meta.many_to_many
        if field.name in model.frozen_m2m
    )


def _source_field(through: type[models.Model], model: type[models.Model]) -> str:
    """The through model's column pointing at ``model`` (``indicator_id``, ``activitytype_id``)."""
    for field in through._meta.concrete_fields:
        if field.is_relation and field.related_model is model:
            return field.attname
    raise LookupError(model)


def _refuse_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if isinstance(instance, YearLocked):
        ensure_writable(type(instance), *instance.record_years())
    elif isinstance(instance, DefinitionLocked) and instance.pk is not None:
        type(instance).ensure_rows_open(type(instance)._base_manager.filter(pk=instance.pk))


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
    definition = type(instance) if not reverse else model
    if _frozen_link(sender, definition):
        # pk_set is None for clear(): refused only when there is something to clear.
        links = sender._base_manager.filter(**{_source_field(sender, type(instance)): instance.pk})
        if not reverse:
            rows = definition._base_manager.filter(pk=instance.pk)
        else:  # the definitions linked or to be linked to ``instance``
            ids = pk_set if pk_set is not None else links.values(_source_field(sender, definition))
            rows = definition._base_manager.filter(pk__in=ids)
        if pk_set or (pk_set is None and links.exists()):
            definition.ensure_rows_open(rows)  # type: ignore[attr-defined]
    if not reverse and isinstance(instance, YearLocked):
        ensure_writable(type(instance), *instance.record_years(), *instance.stored_years())
    elif reverse and issubclass(model, YearLocked):
        if pk_set is None:  # clear() from the other side: every related record
            related = getattr(instance, _reverse_accessor(sender, model))
            ensure_writable(model, *model.row_years(related.all()))
        else:
            ensure_writable(model, *model.row_years(model._base_manager.filter(pk__in=pk_set)))


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
    if not isinstance(obj, YearLocked):
        return None
    years = sorted(obj.record_years() & _known_or_read_closed())
    return str(type(obj).lock_message % {"year": years[0]}) if years else None
