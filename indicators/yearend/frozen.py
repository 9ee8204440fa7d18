"""A closed year's figures as its snapshot froze them (invariant 9).

When the board closes a year, ``close_year`` stores every figure of the year — each indicator, jointly
and per LAG, for the year and for the period from the strategy's start to it — in a ``YearSnapshot``
(``snapshot.figure_data``); the annual PDF is rendered from that snapshot. So that the public pages and
the open data show the same numbers as the signed PDF, whatever is changed afterwards (an approval in
an open year, a definition changed behind the lock), the progress engine asks ``FrozenFigures`` first:

* a figure of a closed year is that year's stored figure;
* a period figure whose period is the strategy's start to a closed year is that year's stored period
  figure;
* anything else (an open year, a period ending in an open year, an indicator or LAG the snapshot does
  not have) is computed live.

The closed years' snapshots — the latest of each closure in force — are read with one query, on the
first figure asked, and only their figures (not the report's activity lists).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models.fields.json import KeyTransform

from ..models import YearSnapshot

if TYPE_CHECKING:
    from partners.models import LAG

    from ..models import Indicator
    from ..progress import Figure, ProgressEngine

JOINT = "joint"  # the scope of the three LAGs together (as ``progress.JOINT``)


def _field_value(field: dataclasses.Field[Any], raw: Any, lags: dict[str, LAG]) -> Any:
    """One stored field back to what ``Figure`` holds, by the field's declared type."""
    kind = str(field.type)
    if raw is None:
        return None
    if field.name == "years":
        return tuple(range(raw[0], raw[-1] + 1)) if raw else ()
    if "LAG" in kind:
        if isinstance(raw, list):
            return tuple(lags[slug] for slug in raw if slug in lags)
        return lags.get(raw)
    if "Decimal" in kind:
        return Decimal(raw)
    if "datetime" in kind:
        return datetime.fromisoformat(raw)
    if isinstance(raw, list):
        return tuple(raw)
    return raw


def figure_from_data(
    raw: dict[str, Any], indicator: Indicator, lag: LAG | None, lags: dict[str, LAG]
) -> Figure:
    """A ``Figure`` from its stored form (``snapshot.figure_data``; SCHEMA 1 too: a field it did not
    store takes its default). ``lags``: the LAGs by slug."""
    from ..progress import Figure

    values: dict[str, Any] = {}
    for field in dataclasses.fields(Figure):
        if field.name == "indicator":
            values["indicator"] = indicator
        elif field.name == "lag":
            values["lag"] = lag
        elif field.name in raw:
            values[field.name] = _field_value(field, raw[field.name], lags)
        elif field.default is not dataclasses.MISSING:
            values[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            values[field.name] = field.default_factory()
        else:
            values[field.name] = None
    return Figure(**values)


class FrozenFigures:
    """The closed years' figures for one progress engine: ``figure()`` returns the frozen figure, or
    None when the figure is not frozen (the engine then computes it)."""

    def __init__(self, engine: ProgressEngine) -> None:
        self.engine = engine
        self._by_year: dict[int, dict[str, Any]] | None = None

    def _load(self) -> dict[int, dict[str, Any]]:
        """{closed year: {scope: {indicator code: {"year", "cumulative", "series"}}}} — one query."""
        scopes = [JOINT, *(lag.slug for lag in self.engine.lags)]
        columns = {
            f"scope_{n}": KeyTransform("figures", KeyTransform(scope, KeyTransform("scopes", "data")))
            for n, scope in enumerate(scopes)
        }
        rows = (
            YearSnapshot.objects.filter(strategy=self.engine.strategy, closure__reopened_at__isnull=True)
            .order_by("year", "created_at", "id")
            .annotate(**columns)
            .values_list("year", *columns)
        )
        # One closure per year is in force and it has one snapshot; were there more, the latest wins.
        return {
            row[0]: {scope: figures for scope, figures in zip(scopes, row[1:], strict=True) if figures}
            for row in rows
        }

    def figure(self, indicator: Indicator, lag: LAG | None, year: int | None) -> Figure | None:
        if self._by_year is None:
            self._by_year = self._load()
        if not self._by_year:
            return None
        if year is None:
            period = self.engine.cumulative_years()
            if not period or period[-1] not in self._by_year:
                return None
            snapshot, part = self._by_year[period[-1]], "cumulative"
        elif year in self._by_year:
            snapshot, part = self._by_year[year], "year"
        else:
            return None
        raw = snapshot.get(lag.slug if lag is not None else JOINT, {}).get(indicator.code, {}).get(part)
        if raw is None:
            return None
        if year is None and raw.get("years") != [period[0], period[-1]]:
            return None  # a different period (another strategy start): not the frozen one
        return figure_from_data(raw, indicator, lag, {x.slug: x for x in self.engine.lags})
