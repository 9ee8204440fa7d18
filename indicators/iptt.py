"""The funders' workbook (#16): an Indicator Performance Tracking Table (IPTT) as XLSX, the format donors
and the Active Citizens Fund ask for — per indicator × year, jointly and per LAG: baseline, target, actual,
achievement and status, the LAG's approved variance narrative and the data-quality notes the progress
engine gives (an incomplete year, missing LAGs, a survey estimate's interval, the method).

Its figures are the progress engine's, the same the dashboard and the open data (``indicator-figures``)
show — a closed year's are its snapshot's (``yearend.frozen``) — written as the open data writes them
(``formats.plain`` → a number), so every cell equals the matching open-data row. Text cells are
formula-neutralised (``partners.spreadsheets.neutralise``)."""

import io
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from partners import formats
from partners.spreadsheets import neutralise
from strategy.year_lock import closed_years

from . import narratives
from .models import Indicator
from .progress import ProgressEngine

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (column, its description on the "Kolonnas" sheet); the names match the open data's where they agree.
COLUMNS = [
    ("indicator", gettext_lazy("rādītāja kods (K1–K11, R1–R5)")),
    ("indicator_name", gettext_lazy("rādītāja nosaukums latviski")),
    ("unit", gettext_lazy("mērvienība")),
    ("year", gettext_lazy("gads")),
    ("lag", gettext_lazy("VRG īsais kods; tukšs — visas VRG kopā")),
    ("lag_name", gettext_lazy("VRG nosaukums; «visas VRG kopā» — kopējā vērtība")),
    ("baseline", gettext_lazy("bāzes vērtība")),
    ("target", gettext_lazy("mērķa vērtība")),
    ("actual", gettext_lazy("faktiskā vērtība; tukšs — nav datu (nevis 0)")),
    (
        "achievement",
        gettext_lazy(
            "mērķa izpilde procentos = faktiskā / mērķa · 100 (samazināmam rādītājam mērķa / faktiskā · 100); "
            "tukšs — nav mērķa vai datu"
        ),
    ),
    (
        "status",
        gettext_lazy(
            "statuss pēc mērķa izpildes: on_track, at_risk, off_track, not_different, no_target, no_data, "
            "year_to_date (kā atvērtajos datos)"
        ),
    ),
    ("complete", gettext_lazy("true — gads pabeigts un ir visu VRG vērtības; false — vērtība var mainīties")),
    ("closed", gettext_lazy("true — gads slēgts, skaitļi no slēgšanas momentuzņēmuma; false — provizoriski")),
    ("variance_narrative_lv", gettext_lazy("VRG apstiprinātais novirzes skaidrojums latviski")),
    (
        "variance_narrative_en",
        gettext_lazy("VRG apstiprinātais novirzes skaidrojums angliski (var būt tukšs)"),
    ),
    (
        "data_quality",
        gettext_lazy("datu kvalitātes piezīmes: nepilnīgs gads, trūkstošās VRG, aplēses intervāls"),
    ),
]
NUMERIC = {"baseline", "target", "actual", "achievement"}


def _number(value):
    """As the open data writes it (``formats.plain``), then a number: the cells equal its rows."""
    plain = formats.plain(value)
    return None if plain in (None, "") else Decimal(plain)


def _quality_notes(figure):
    notes = []
    if not figure.complete:
        notes.append(_("Gads nav pabeigts: vērtība var mainīties."))
    if figure.missing_lags:
        notes.append(
            _("Kopējā vērtība ir nepilnīga: nav vērtību no %(lags)s.")
            % {"lags": ", ".join(lag.short_name_lv for lag in figure.missing_lags)}
        )
    if figure.measure == Indicator.Measure.ESTIMATE and figure.interval_low is not None:
        notes.append(
            _("Aplēse: 95 %% ticamības intervāls %(low)s–%(high)s %%, izlase %(n)s.")
            % {
                "low": formats.plain(figure.interval_low),
                "high": formats.plain(figure.interval_high),
                "n": formats.plain(figure.sample),
            }
        )
    if figure.status == "not_different":
        notes.append(_("Mērķis ir ticamības intervālā: statistiski neatšķiras no mērķa."))
    if figure.target_basis == "override" and figure.target_reason:
        notes.append(_("Kopējais mērķis noteikts atsevišķi: %(reason)s") % {"reason": figure.target_reason})
    return " ".join(notes)


def rows(strategy, years, engine=None):
    """The table's rows: each indicator × year × (joint, each LAG), in the engine's order."""
    engine = engine or ProgressEngine(strategy)
    closed = set(closed_years())
    texts = {year: narratives.approved_for(strategy, year) for year in years}
    for indicator in engine.indicators:
        for year in years:
            for lag in [None, *engine.lags]:
                f = engine.figure(indicator, lag, year)
                narrative = texts[year].get((indicator.pk, lag.pk)) if lag is not None else None
                yield {
                    "indicator": indicator.code,
                    "indicator_name": indicator.name_lv,
                    "unit": indicator.unit,
                    "year": year,
                    "lag": lag.slug if lag else "",
                    "lag_name": lag.short_name_lv if lag else _("visas VRG kopā"),
                    "baseline": _number(f.baseline),
                    "target": _number(f.target),
                    "actual": _number(f.actual),
                    "achievement": _number(None if f.achievement is None else f.achievement * 100),
                    "status": f.status,
                    "complete": f.complete,
                    "closed": year in closed,
                    "variance_narrative_lv": narrative.text_lv if narrative else "",
                    "variance_narrative_en": (narrative.text_en or "") if narrative else "",
                    "data_quality": _quality_notes(f),
                }


def workbook(strategy, years):
    """The IPTT of ``years`` as XLSX bytes, in Latvian (the funders' language of the portal)."""
    with translation.override("lv"):
        engine = ProgressEngine(strategy)
        book = Workbook()
        table = book.active
        table.title = "IPTT"
        names = [name for name, _doc in COLUMNS]
        table.append(names)
        for cell in table[1]:
            cell.font = Font(bold=True)
        for row in rows(strategy, years, engine):
            table.append([_cell(row[name]) for name in names])
        table.freeze_panes = "A2"
        for index, name in enumerate(names, start=1):
            width = 60 if name.startswith(("variance", "data_quality")) else 14
            table.column_dimensions[get_column_letter(index)].width = width
        for line in table.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str) and len(cell.value) > 40:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")

        methods = book.create_sheet(_("Metodes"))
        methods.append([neutralise(v) for v in ("indicator", "indicator_name", "measure", "method")])
        for indicator in engine.indicators:
            methods.append(
                [
                    neutralise(v)
                    for v in (indicator.code, indicator.name_lv, indicator.measure, indicator.method_lv or "")
                ]
            )

        about = book.create_sheet(_("Kolonnas"))
        about.append([_("kolonna"), _("nozīme")])
        for name, doc in COLUMNS:
            about.append([name, neutralise(str(doc))])
        about.append([])
        about.append(
            [
                _("Avots"),
                neutralise(
                    _(
                        "DDKC uzraudzības portāls; skaitļi vienādi ar atvērto datu kopu «indicator-figures» un "
                        "rādītāju paneli. Licence CC BY 4.0."
                    )
                ),
            ]
        )
        about.column_dimensions["A"].width = 24
        about.column_dimensions["B"].width = 100
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, str):
        return neutralise(value)
    return value
