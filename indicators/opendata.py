"""Open data: indicator figures (per year and LAG, from the progress engine), approved activities and the
territory, as CSV, XLSX and JSON. Licence CC BY 4.0. Text cells that a spreadsheet would run as a
formula (= + - @ at the start) are prefixed with an apostrophe."""

import csv
import io
import json
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from partners import formats
from partners.models import TerritoryUnit
from partners.spreadsheets import neutralise
from strategy.models import Activity

from .models import Indicator
from .progress import ProgressEngine

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
LICENCE = "CC BY 4.0"
# How figures are written in these files (a point, no grouping): in a workbook they are numbers.
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

DATASETS = {
    "indicator-figures": {
        "title": _("Rādītāju vērtības pa gadiem un VRG"),
        "columns": [
            ("indicator", _("rādītāja kods (K1–K11, R1–R5)")),
            ("indicator_name", _("rādītāja nosaukums latviski")),
            ("unit", _("mērvienība")),
            ("lag", _("VRG īsais kods; tukšs — visas VRG kopā")),
            ("year", _("gads; tukšs — kopā par periodu")),
            ("period", _("gadi, ko vērtība aptver (piem., 2020–2025)")),
            ("actual", _("faktiskā vērtība; tukšs — nav datu (nevis 0)")),
            ("numerator", _("īpatsvaram: skaitītāju summa")),
            ("denominator", _("īpatsvaram: saucēju summa")),
            ("baseline", _("bāzes vērtība")),
            ("target", _("mērķa vērtība")),
            ("progress", _("progress = (faktiskā − bāzes) / (mērķa − bāzes); tukšs — nevar aprēķināt")),
            (
                "status",
                _(
                    "statuss pēc mērķa izpildes: on_track, at_risk, off_track, not_different (aplēse "
                    "statistiski neatšķiras no mērķa), no_target, no_data, year_to_date (gads līdz šim, bez vērtējuma)"
                ),
            ),
            ("aggregation", _("kā vērtības apvieno: sum, share, latest, rating")),
            ("last_update", _("pēdējā apstiprinātā ieraksta izskatīšanas laiks (ISO 8601)")),
            (
                "measure",
                _(
                    "mērījuma veids un perioda noteikums: flow — plūsma, perioda gadu summa; stock — krājums, "
                    "perioda pēdējā gada vērtība; estimate — aptaujas aplēse, perioda pēdējā gada īpatsvars (visām "
                    "VRG kopā — VRG īpatsvaru svērtais vidējais, ja visām VRG ir svari, tad tas nav skaitītājs / "
                    "saucējs); rating — vērtējums, perioda pēdējā gada vērtējums"
                ),
            ),
            (
                "achievement",
                _(
                    "mērķa izpilde procentos = faktiskā / mērķa · 100 (samazināmam rādītājam mērķa / "
                    "faktiskā · 100); tukšs — nav mērķa vai datu, vai to nevar aprēķināt"
                ),
            ),
            (
                "complete",
                _(
                    "true — visi perioda gadi ir pabeigti (gads slēgts vai beidzies un VRG dati atzīmēti kā "
                    "pilnīgi) un ir visu VRG vērtības; false — vērtība var mainīties (piem., gads līdz šim)"
                ),
            ),
            ("interval_low", _("aplēsei: 95 % ticamības intervāla apakšējā robeža, procentos; citādi tukšs")),
            ("interval_high", _("aplēsei: 95 % ticamības intervāla augšējā robeža, procentos; citādi tukšs")),
            ("sample", _("aplēsei: izlases lielums (respondentu skaits, saucēju summa); citādi tukšs")),
        ],
    },
    "activities": {
        "title": _("Apstiprinātās aktivitātes"),
        "columns": [
            ("id", _("aktivitātes numurs portālā")),
            ("lag", _("VRG īsais kods")),
            ("title_lv", _("nosaukums latviski")),
            ("title_en", _("nosaukums angliski (var būt tukšs)")),
            ("start_date", _("sākuma datums (GGGG-MM-DD)")),
            ("end_date", _("beigu datums (tukšs, ja viena diena)")),
            ("type", _("aktivitātes veida kods")),
            ("territory", _("pagasti un pilsētas, atdalīti ar semikolu")),
            ("priorities", _("stratēģijas prioritāšu numuri, atdalīti ar semikolu")),
            ("participants_total", _("dalībnieki kopā; tukšs — nav uzskaitīts")),
            ("participants_youth", _("t. sk. jaunieši (13–30 g.)")),
            ("participants_vulnerable", _("t. sk. mazaizsargātie iedzīvotāji")),
            ("funding_eur", _("piesaistītais finansējums kopā, EUR")),
        ],
    },
    "territory": {
        "title": _("Teritorija: pagasti un pilsētas"),
        "columns": [
            ("name", _("pagasta vai pilsētas nosaukums")),
            ("kind", _("pagasts vai pilsēta")),
            ("lag", _("VRG īsais kods")),
            ("municipality_2009", _("novads 2009–2021")),
            ("municipality_2021", _("novads kopš 2021. gada 1. jūlija")),
        ],
    },
}


def figure_rows(strategy, engine=None):
    engine = engine or ProgressEngine(strategy)
    for indicator in engine.indicators:
        for lag in [None, *engine.lags]:
            # the period row (year empty) only once a year is complete: before that there is no period
            for year in [*engine.years, *([None] if engine.period_years() else [])]:
                f = engine.figure(indicator, lag, year)
                estimate = f.measure == Indicator.Measure.ESTIMATE
                yield {
                    "indicator": indicator.code,
                    "indicator_name": indicator.name_lv,
                    "unit": indicator.unit,
                    "lag": lag.slug if lag else "",
                    "year": year if year is not None else "",
                    "period": f"{f.years[0]}–{f.years[-1]}" if len(f.years) > 1 else str(f.years[0]),
                    "actual": formats.plain(f.actual),
                    "numerator": formats.plain(f.numerator),
                    "denominator": formats.plain(f.denominator),
                    "baseline": formats.plain(f.baseline),
                    "target": formats.plain(f.target),
                    "progress": formats.plain(f.progress),
                    "status": f.status,
                    "aggregation": f.aggregation,
                    "last_update": f.last_update.isoformat() if f.last_update else None,
                    "measure": f.measure,
                    "achievement": formats.plain(None if f.achievement is None else f.achievement * 100),
                    "complete": f.complete,
                    # the uncertainty of a survey estimate; empty for every other measure
                    "interval_low": formats.plain(f.interval_low) if estimate else None,
                    "interval_high": formats.plain(f.interval_high) if estimate else None,
                    "sample": formats.plain(f.sample) if estimate else None,
                }


def activity_rows(strategy):
    activities = (
        Activity.objects.approved()
        .filter(start_date__year__gte=strategy.period_start, start_date__year__lte=strategy.period_end)
        .select_related("lag", "activity_type")
        .prefetch_related("territory_units", "priorities", "funding_lines")
        .order_by("start_date", "id")
    )
    for a in activities:
        yield {
            "id": a.pk,
            "lag": a.lag.slug,
            "title_lv": a.title_lv,
            "title_en": a.title_en or "",
            "start_date": a.start_date.isoformat(),
            "end_date": a.end_date.isoformat() if a.end_date else None,
            "type": a.activity_type.code,
            "territory": "; ".join(u.name for u in a.territory_units.all()),
            "priorities": "; ".join(str(p.number) for p in a.priorities.all()),
            "participants_total": a.participants_total,
            "participants_youth": a.participants_youth,
            "participants_vulnerable": a.participants_vulnerable,
            "funding_eur": formats.plain(sum((line.amount for line in a.funding_lines.all()), Decimal(0))),
        }


def territory_rows(strategy):
    for unit in TerritoryUnit.objects.select_related("lag", "municipality_2009", "municipality_2021"):
        yield {
            "name": unit.name,
            "kind": unit.kind,
            "lag": unit.lag.slug,
            "municipality_2009": unit.municipality_2009.name_lv,
            "municipality_2021": unit.municipality_2021.name_lv,
        }


ROWS = {"indicator-figures": figure_rows, "activities": activity_rows, "territory": territory_rows}


def response(strategy, dataset, fmt):
    columns = [name for name, _doc in DATASETS[dataset]["columns"]]
    rows = list(ROWS[dataset](strategy))
    filename = f"ddkc-{dataset}.{fmt}"
    if fmt == "json":
        body = json.dumps(
            {"licence": LICENCE, "licence_url": LICENCE_URL, "columns": columns, "rows": rows},
            ensure_ascii=False,
            indent=1,
        )
        result = HttpResponse(body, content_type=FORMATS[fmt])
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row[c]) for c in columns])
        result = HttpResponse("\ufeff" + buffer.getvalue(), content_type=FORMATS[fmt])
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = dataset[:31]
        sheet.append(columns)
        for row in rows:
            sheet.append([_xlsx_cell(row[c]) for c in columns])
        buffer = io.BytesIO()
        book.save(buffer)
        result = HttpResponse(buffer.getvalue(), content_type=FORMATS[fmt])
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):  # as JSON writes it
        return "true" if value else "false"
    return neutralise(value)


def _xlsx_cell(value):
    if value is None:
        return None
    if isinstance(value, str):
        # Numbers were written as plain strings for CSV/JSON exactness; in a workbook they are numbers.
        try:
            return Decimal(value) if NUMBER.fullmatch(value) else neutralise(value)
        except ArithmeticError:
            return neutralise(value)
    return value
