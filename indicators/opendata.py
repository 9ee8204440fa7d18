"""Open data: indicator figures (per year and LAG, from the progress engine), approved activities and the
territory, as CSV, XLSX and JSON. Licence CC BY 4.0. Text cells that a spreadsheet would run as a
formula (= + - @ at the start) are prefixed with an apostrophe.

At 100× (420 000 activities) a file is too big to build per request: each file — and each subset by LAG
and year — is built once per data version, row by row, straight to disk (``partners.filestore``), and
then served from there. Memory stays bounded whatever the size: the activities, their places, priorities
and funding lines are read by four cursors in the same order (server-side on PostgreSQL) and merged a
row at a time, CSV and JSON are written row by row, the workbook by ``partners.sheetwriter``."""

import csv
import json
import re
from decimal import Decimal
from json.encoder import encode_basestring  # the C function json.dumps uses for text

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from partners import formats, public_cache, sheetwriter
from partners.filestore import newest_earlier, stored
from partners.filestore import path as stored_path
from partners.models import LAG, TerritoryUnit
from partners.spreadsheets import FORMULA_STARTS, neutralise
from strategy.models import Activity, FundingLine

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


def figure_rows(strategy, engine=None, lag=None, year=None):
    """Every indicator × (joint, each LAG) × (each year, the period); a ``lag`` (slug) keeps that LAG's
    rows, a ``year`` that year's rows."""
    engine = engine or ProgressEngine(strategy)
    lags = [None, *engine.lags] if lag is None else [other for other in engine.lags if other.slug == lag]
    # the period row (year empty) only once a year is complete: before that there is no period
    years = [*engine.years, *([None] if engine.period_years() else [])] if year is None else [year]
    years = [y for y in years if y is None or y in engine.years]
    for indicator in engine.indicators:
        for scope in lags:
            for y in years:
                f = engine.figure(indicator, scope, y)
                estimate = f.measure == Indicator.Measure.ESTIMATE
                yield {
                    "indicator": indicator.code,
                    "indicator_name": indicator.name_lv,
                    "unit": indicator.unit,
                    "lag": scope.slug if scope else "",
                    "year": y if y is not None else "",
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


# Rows fetched per round trip of each cursor.
CHUNK = 5000


def activity_rows(strategy, lag=None, year=None):
    """The approved activities of the period, oldest first; a ``lag`` (slug) or ``year`` (of the start
    date) narrows them.

    At 100× the ORM's model instances and its prefetching cost more than the database (≈ 5 ms an
    activity on this machine: over half an hour for 420 000), and ``IN (…5 000 ids…)`` per chunk costs
    more than the rows it fetches. So four plain-value cursors (server-side on PostgreSQL) read the
    activities, their places, priorities and funding lines, each ordered by the activity's (start date,
    id), and are merged here a row at a time: memory holds one chunk of each, whatever the size."""
    activities = Activity.objects.approved().filter(
        start_date__year__gte=strategy.period_start, start_date__year__lte=strategy.period_end
    )
    if lag is not None:
        activities = activities.filter(lag__slug=lag)
    if year is not None:
        activities = activities.filter(start_date__year=year)
    chosen = activities.values("id")
    fields = (
        "id",
        "lag__slug",
        "title_lv",
        "title_en",
        "start_date",
        "end_date",
        "activity_type__code",
        "participants_total",
        "participants_youth",
        "participants_vulnerable",
    )
    by_activity = ("activity__start_date", "activity_id")
    places = _by_activity(
        Activity.territory_units.through.objects.filter(activity_id__in=chosen)
        # the model's order of places (name)
        .order_by(*by_activity, "territoryunit__name", "pk")
        .values_list("activity_id", "territoryunit__name")
    )
    priorities = _by_activity(
        Activity.priorities.through.objects.filter(activity_id__in=chosen)
        # the model's order of priorities (strategy, number)
        .order_by(*by_activity, "priority__strategy", "priority__number", "pk")
        .values_list("activity_id", "priority__number")
    )
    funding = _by_activity(
        FundingLine.objects.filter(activity_id__in=chosen)
        .order_by(*by_activity)
        .values_list("activity_id", "amount")
    )
    # rewrite(False): the fields are named in each language already, and modeltranslation's own
    # iteration (its fallbacks) cost 3.5 s of the 420 000 rows at 100×
    rows = (
        activities.order_by("start_date", "id").rewrite(False).values_list(*fields).iterator(chunk_size=CHUNK)
    )
    for pk, slug, title_lv, title_en, start, end, kind, total, youth, vulnerable in rows:
        yield {
            "id": pk,
            "lag": slug,
            "title_lv": title_lv,
            "title_en": title_en or "",
            "start_date": start.isoformat(),
            "end_date": end.isoformat() if end else None,
            "type": kind,
            "territory": "; ".join(places.of(pk)),
            "priorities": "; ".join(str(number) for number in priorities.of(pk)),
            "participants_total": total,
            "participants_youth": youth,
            "participants_vulnerable": vulnerable,
            "funding_eur": formats.plain(sum((a for a in funding.of(pk) if a is not None), Decimal(0))),
        }


class _by_activity:  # noqa: N801 — used like a function
    """The (activity id, value) pairs of a query, read in the activities' own order: ``of(pk)`` gives the
    values of the next activity, so each pair is read once and only one chunk is held."""

    def __init__(self, pairs):
        self.pairs = pairs.iterator(chunk_size=CHUNK)
        self.pending = next(self.pairs, None)

    def of(self, pk):
        values = []
        while self.pending is not None and self.pending[0] == pk:
            values.append(self.pending[1])
            self.pending = next(self.pairs, None)
        return values


def territory_rows(strategy, lag=None):
    units = TerritoryUnit.objects.select_related("lag", "municipality_2009", "municipality_2021")
    if lag is not None:
        units = units.filter(lag__slug=lag)
    for unit in units:
        yield {
            "name": unit.name,
            "kind": unit.kind,
            "lag": unit.lag.slug,
            "municipality_2009": unit.municipality_2009.name_lv,
            "municipality_2021": unit.municipality_2021.name_lv,
        }


ROWS = {"indicator-figures": figure_rows, "activities": activity_rows, "territory": territory_rows}
# The subsets each file offers (query parameters): the territory has no years.
SUBSETS = {"indicator-figures": ("lag", "year"), "activities": ("lag", "year"), "territory": ("lag",)}
LAG_SYNTAX = re.compile(r"[-a-zA-Z0-9_]{1,40}")
YEAR_SYNTAX = re.compile(r"\d{4}")


class BadSubset(Exception):
    """A subset the query asks for that cannot be: ``status`` 400 (not a LAG code or a year at all) or
    404 (no such LAG, a year outside the strategy period); the message is for the visitor."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def requested_subset(dataset, query):
    """The subset the query string asks for, checked for form only (no database): ``{"lag": slug,
    "year": 2024}`` with the parameters given. Every other parameter is ignored — ``?v=2`` is the same
    file as no query at all. An empty value is no subset."""
    subset = {}
    if "lag" in SUBSETS[dataset] and query.get("lag"):
        if not LAG_SYNTAX.fullmatch(query["lag"]):
            raise BadSubset(_("VRG norāda ar tās īso kodu, piemēram, ?lag=kraslava."), 400)
        subset["lag"] = query["lag"]
    if "year" in SUBSETS[dataset] and query.get("year"):
        if not YEAR_SYNTAX.fullmatch(query["year"]):
            raise BadSubset(_("Gadu norāda ar četriem cipariem, piemēram, ?year=2024."), 400)
        subset["year"] = int(query["year"])
    return subset


def check_subset(strategy, subset):
    """The subset's LAG and year against the database: raises BadSubset (404) for a LAG that is not there
    or a year outside the strategy period."""
    if "lag" in subset and not LAG.objects.filter(slug=subset["lag"]).exists():
        codes = ", ".join(LAG.objects.values_list("slug", flat=True))
        raise BadSubset(_("Šādas VRG nav. VRG īsie kodi: %(codes)s.") % {"codes": codes}, 404)
    if "year" in subset and not strategy.period_start <= subset["year"] <= strategy.period_end:
        raise BadSubset(
            _("Gadam jābūt stratēģijas periodā, %(start)s–%(end)s.")
            % {"start": strategy.period_start, "end": strategy.period_end},
            404,
        )


def file_name(dataset, fmt, subset):
    """The download's name: ``ddkc-activities-kraslava-2024.csv``."""
    parts = [f"ddkc-{dataset}", *([subset["lag"]] if "lag" in subset else [])]
    parts += [str(subset["year"])] if "year" in subset else []
    return f"{'-'.join(parts)}.{fmt}"


def stored_name(dataset, fmt, subset):
    """The stored file's name: each subset its own, unambiguous (a LAG code may be digits)."""
    return ".".join([dataset, *(f"{key}-{value}" for key, value in sorted(subset.items())), fmt])


def etag(version, dataset, fmt, subset):
    """Strong: the bytes of a stored file never change under its version."""
    return f'"{version}.{stored_name(dataset, fmt, subset)}"'


def stored_file(strategy_or_404, version, dataset, fmt, subset):
    """The file's path on disk for data version ``version``, built now if it is not there yet (the
    strategy and the subset are looked up only then: serving a built file reads no database)."""

    def build(path):
        # one transaction: the chunks of a server-side cursor, and what they prefetch, read together
        with transaction.atomic():
            read_whole_results()
            strategy = strategy_or_404()
            check_subset(strategy, subset)
            write(path, dataset, fmt, ROWS[dataset](strategy, **subset))

    return stored(
        version,
        stored_name(dataset, fmt, subset),
        build,
        current=public_cache.data_version,
    )


def read_whole_results():
    """PostgreSQL plans a server-side cursor for its first tenth of rows (``cursor_tuple_fraction``):
    index walks and nested loops, which suit a page but not a file that reads every row. For the rest
    of the build's transaction, plan for all rows and let each sort keep 32 MB in memory: at 100× the
    four activity cursors take 7.6 s instead of 14 s on this machine."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
            cursor.execute("SET LOCAL work_mem = '32MB'")


# The files that grow with the activities. At 100× volume one takes 10–20 s to build on an idle machine and
# more on a busy one — near or past what a web worker may take for a request (gunicorn's 30 s) — so they
# are built by `manage.py build_open_data` (a timer runs it every
# few minutes, docs/ddkc-opendata.timer), and until it has built the current version's copy a request is
# sent the newest earlier copy, with that version's ETag and Last-Modified. Below
# OPEN_DATA_BUILD_IN_REQUEST_MAX approved activities a request builds the file itself (about a second).
LARGE = {"activities"}


def served_file(strategy_or_404, version, dataset, fmt, subset):
    """``(version, path)`` of the file a request is sent: the current version's (built now when it is
    small), or — for a large file the timer has not built yet — the newest earlier copy."""
    name = stored_name(dataset, fmt, subset)
    if dataset in LARGE:
        earlier = newest_earlier(name, version)
        current = stored_path(version, name)
        if earlier is not None and not current.exists() and too_large_to_build_now():
            return earlier
    return version, stored_file(strategy_or_404, version, dataset, fmt, subset)


def too_large_to_build_now():
    return Activity.objects.approved().count() > settings.OPEN_DATA_BUILD_IN_REQUEST_MAX


def prebuilt(strategy):
    """The files ``manage.py build_open_data`` builds: every dataset in every format, and the activities
    of each LAG and of each year (a LAG's year is small enough to build on request)."""
    for dataset in DATASETS:
        for fmt in FORMATS:
            yield dataset, fmt, {}
    for fmt in FORMATS:
        for slug in LAG.objects.order_by("slug").values_list("slug", flat=True):
            yield "activities", fmt, {"lag": slug}
        for year in range(strategy.period_start, strategy.period_end + 1):
            yield "activities", fmt, {"year": year}


def build_all(strategy_or_404, version):
    """Build every prebuilt file of data ``version`` not built yet; returns the names built."""
    built = []
    for dataset, fmt, subset in prebuilt(strategy_or_404()):
        if public_cache.data_version() != version:
            break  # the data changed meanwhile: the next run builds the new version
        name = stored_name(dataset, fmt, subset)
        if not stored_path(version, name).exists():
            stored_file(strategy_or_404, version, dataset, fmt, subset)
            built.append(name)
    return built


def last_modified(version):
    return public_cache.data_changed_at(version)


def write(path, dataset, fmt, rows):
    columns = [name for name, _doc in DATASETS[dataset]["columns"]]
    WRITERS[fmt](path, dataset, columns, rows)


def write_json(path, dataset, columns, rows):
    """One JSON document, exactly as ``json.dumps(…, indent=1)`` writes it, one row at a time: each row
    is formatted here (its values are scalars) rather than by a ``json.dumps`` call per row, which took
    two thirds of the time of a 420 000-row file."""
    head = json.dumps(
        {"licence": LICENCE, "licence_url": LICENCE_URL, "columns": columns, "rows": []},
        ensure_ascii=False,
        indent=1,
    )
    empty_end = "[]\n}"
    assert head.endswith(empty_end)
    # a row as the dump nests it: two deeper than the document's own indent of one
    keys = [json.dumps(column, ensure_ascii=False) + ": " for column in columns]
    with open(path, "w", encoding="utf-8") as out:
        first = True
        block = []
        for row in rows:
            block.append(head[: -len(empty_end)] + "[\n  {\n   " if first else ",\n  {\n   ")
            block.append(
                ",\n   ".join(key + _json_value(row[c]) for key, c in zip(keys, columns, strict=True))
            )
            block.append("\n  }")
            first = False
            if len(block) >= BLOCK:
                out.write("".join(block))
                block = []
        block.append(head if first else "\n ]\n}")
        out.write("".join(block))


# Rows' pieces joined per write.
BLOCK = 3000


def _json_value(value):
    """A scalar exactly as ``json.dumps(value, ensure_ascii=False)`` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def write_csv(path, dataset, columns, rows):
    # UTF-8 with a BOM, so that a spreadsheet opened by double-click reads ā, č, š right
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row[c]) for c in columns])


def write_xlsx(path, dataset, columns, rows):
    # row by row straight into the zip file (``partners.sheetwriter``: 10× openpyxl's write-only mode)
    cells = ([_xlsx_cell(row[c]) for c in columns] for row in rows)
    sheetwriter.write(path, dataset, columns, cells, rights=f"{LICENCE} {LICENCE_URL}")


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):  # as JSON writes it
        return "true" if value else "false"
    return neutralise(value)


NUMBER_STARTS = frozenset("-0123456789")
FORMULA_FIRST = frozenset("".join(FORMULA_STARTS))


def _xlsx_cell(value):
    """A row's value as the workbook's cell value (millions of calls at 100×: the first character
    decides before any pattern runs)."""
    if type(value) is not str or not value:
        return value
    first = value[0]
    # Numbers were written as plain strings for CSV/JSON exactness; in a workbook they are numbers.
    if first in NUMBER_STARTS and NUMBER.fullmatch(value):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    return neutralise(value) if first in FORMULA_FIRST else value
