"""Spreadsheet import and export of LAG-owned workflow records, as Latvian spreadsheets really come.

- Files: CSV with ``;`` or ``,`` between columns, in UTF-8 (with or without BOM) or Windows-1257; XLSX.
- Numbers: decimal comma or point, thousands grouped with spaces or non-breaking spaces
  ("2 899 408,11"); dates as 2024-03-05 or 05.03.2024 (or real date cells in XLSX).
- References by natural keys (LAG code, activity type code, parish or town name, priority number,
  indicator code), resolved from lookups loaded once per file: no query per row.
- Every problem is a row error named by its column, in Latvian; the admin writes nothing unless
  every row is valid. Staff import only into their own LAG (:mod:`strategy.permissions`).
- Rows are written in bulk, with their many-to-many links, funding lines and change history.
"""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from partners.models import LAG
from partners.numbers import LARGEST, parse_decimal
from partners.spreadsheets import neutralise, restore

from . import permissions, tallies
from .closing import closed_years_read_once

# --- file formats --------------------------------------------------------------------------------

ENCODINGS = ("utf-8-sig", "cp1257")
# An XLSX is a zip of a dozen parts; thousands of them is not a spreadsheet (and costs time to list).
MAX_XLSX_PARTS = 1000


class FileReadError(ValueError):
    """A file that cannot be read as a table; the message (Latvian) says why and is shown as is."""


def grouped(value):
    """A count in a message, grouped the Latvian way: 1 048 576."""
    return formats.number_format(value, force_grouping=True)


def refuse_size(size):
    """The upload's size against ``IMPORT_MAX_FILE_BYTES`` (checked before anything else)."""
    limit = settings.IMPORT_MAX_FILE_BYTES
    if size > limit:
        raise FileReadError(
            _(
                "Datne ir pārāk liela (%(size)s); importā var augšupielādēt līdz %(limit)s. "
                "Sadaliet datni vairākās daļās."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def refuse_columns(count, more=False):
    limit = settings.IMPORT_MAX_COLUMNS
    if count > limit:
        message = (
            ngettext(
                "Datnes lapā ir vairāk nekā %(count)s kolonna",
                "Datnes lapā ir vairāk nekā %(count)s kolonnas",
                limit,
            )
            if more
            else ngettext("Datnes lapā ir %(count)s kolonna", "Datnes lapā ir %(count)s kolonnas", count)
        )
        raise FileReadError(
            (
                message
                + _(
                    "; importā var būt ne vairāk kā %(limit)s. Izdzēsiet liekās kolonnas (arī tukšas, bet formatētas) un saglabājiet datni vēlreiz."
                )
            )
            % {"count": grouped(limit if more else count), "limit": grouped(limit)}
        )


def refuse_rows(count, more=False):
    """``count`` rows below the header against ``IMPORT_MAX_ROWS``; ``more``: at least that many."""
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        message = (
            ngettext(
                "Datnē ir vairāk nekā %(count)s datu rinda (bez virsraksta rindas)",
                "Datnē ir vairāk nekā %(count)s datu rindas (bez virsraksta rindas)",
                limit,
            )
            if more
            else ngettext(
                "Datnē ir %(count)s datu rinda (bez virsraksta rindas)",
                "Datnē ir %(count)s datu rindas (bez virsraksta rindas)",
                count,
            )
        )
        raise FileReadError(
            (
                message
                + _(
                    "; vienā importā var būt ne vairāk kā %(limit)s. Izdzēsiet tukšās rindas zem datiem vai sadaliet datni vairākās daļās."
                )
            )
            % {"count": grouped(limit if more else count), "limit": grouped(limit)}
        )


def decode(data):
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise Windows-1257 (what
    Excel on a Latvian Windows writes when told "CSV")."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileReadError(_("Datnes kodējums nav atpazīts: saglabājiet to kā UTF-8 vai Windows-1257."))


def sniff_delimiter(text):
    """``;`` (Excel in Latvian) or ``,``: whichever splits the header line into more columns."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


def significant_width(cells):
    """The number of cells up to the last one that holds something."""
    width = len(cells)
    while width and is_blank(cells[width - 1]):
        width -= 1
    return width


class LatvianCSV(base_formats.CSV):
    """CSV as Latvian offices write it. Read as bytes so the encoding can be recognised; written
    with ``;`` and a BOM, which Excel in Latvian opens correctly by double-click. Reading is bounded
    by the import limits: the file's size first, then its columns and rows."""

    def get_title(self):
        return "csv"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        refuse_size(len(in_stream))
        text = decode(in_stream)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        refuse_columns(significant_width(rows[0]))
        refuse_rows(len(rows) - 1)
        width = len(rows[0])
        dataset.headers = [cell.strip() for cell in rows[0]]
        for number, row in enumerate(rows[1:], start=2):
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise FileReadError(
                    _("Rindā %(row)d ir vairāk kolonnu nekā virsrakstā: pārbaudiet atdalītāju un pēdiņas.")
                    % {"row": number}
                )
            dataset.append((row + [""] * width)[:width])
        return dataset

    def export_data(self, dataset, **kwargs):
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(dataset.headers)
        writer.writerows(dataset)
        return ("\ufeff" + out.getvalue()).encode("utf-8")


NOT_XLSX = gettext_lazy(
    "Datne nav XLSX izklājlapa vai ir bojāta. Atveriet to izklājlapu programmā un saglabājiet kā "
    "«Excel darbgrāmata (.xlsx)», vai izvēlieties formātu CSV."
)


class LatvianXLSX(base_formats.XLSX):
    """XLSX read within the import limits, each checked before the work it bounds:

    1. the upload's size;
    2. the zip's parts — how many, and what they declare they inflate to (zipfile never inflates a
       part beyond its declared size, so the declaration is a real bound: a shared-strings bomb is
       refused here, before openpyxl reads the strings);
    3. the sheet's declared dimension (``<dimension ref="A1:XFD1048576"/>``): openpyxl's read-only
       sheet pads every row to it, which is how a 1.5 KB file could keep a worker busy for minutes;
    4. then rows are read with the dimension ignored and the columns capped, and reading stops one
       row past the limit.

    Writing stays django-import-export's (numbers and dates as real cells)."""

    def create_dataset(self, in_stream):
        refuse_size(len(in_stream))
        try:
            parts = zipfile.ZipFile(io.BytesIO(in_stream)).infolist()
        except zipfile.BadZipFile:
            raise FileReadError(str(NOT_XLSX)) from None
        if len(parts) > MAX_XLSX_PARTS:
            raise FileReadError(
                _(
                    "XLSX datnē ir %(count)s daļas; parastā izklājlapā to ir mazāk par %(limit)s. "
                    "Saglabājiet datni no jauna izklājlapu programmā."
                )
                % {"count": grouped(len(parts)), "limit": grouped(MAX_XLSX_PARTS)}
            )
        inflated = sum(part.file_size for part in parts)
        if inflated > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise FileReadError(
                _(
                    "Izpakota XLSX datne aizņemtu %(size)s; atļauts līdz %(limit)s. Saglabājiet datni no "
                    "jauna izklājlapu programmā (bez attēliem un liekām lapām) vai sadaliet to vairākās daļās."
                )
                % {
                    "size": filesizeformat(inflated),
                    "limit": filesizeformat(settings.IMPORT_MAX_UNCOMPRESSED_BYTES),
                }
            )
        try:
            book = openpyxl.load_workbook(
                io.BytesIO(in_stream), read_only=True, data_only=True, keep_links=False
            )
        except Exception:  # openpyxl has no one error for "not a workbook": any failure means that
            raise FileReadError(str(NOT_XLSX)) from None
        try:
            return self.read_sheet(book.active)
        finally:
            book.close()

    def read_sheet(self, sheet):
        dataset = tablib.Dataset()
        if sheet is None or not hasattr(sheet, "reset_dimensions"):
            raise FileReadError(str(NOT_XLSX))
        if sheet.max_column is not None:
            refuse_columns(sheet.max_column)
        if sheet.max_row is not None:
            refuse_rows(sheet.max_row - 1)
        sheet.reset_dimensions()  # read the rows that are there, not the declared rectangle
        cap = settings.IMPORT_MAX_COLUMNS + 1  # one more column than allowed shows that there are more
        rows = sheet.iter_rows(min_row=1, max_col=cap, values_only=True)
        header = next(rows, None)
        if header is None:
            return dataset
        width = significant_width(header)
        if not width:
            return dataset  # no header: "no data to import"
        refuse_columns(width, more=width == cap)
        dataset.headers = ["" if cell is None else str(cell).strip() for cell in header[:width]]
        for number, row in enumerate(rows, start=2):
            refuse_rows(number - 1, more=True)
            if all(cell is None for cell in row):
                continue  # the empty rows Excel leaves behind
            used = significant_width(row)
            if used > width:
                refuse_columns(used, more=used == cap)
                raise FileReadError(
                    _(
                        "Rindā %(row)d ir aizpildīta šūna kolonnā bez virsraksta: ierakstiet virsrakstu "
                        "pirmajā rindā vai izdzēsiet šūnu."
                    )
                    % {"row": number}
                )
            dataset.append(row[:width])
        return dataset


IMPORT_FORMATS = [LatvianCSV, LatvianXLSX]
# Export: django-import-export's XLSX writes numbers and dates as real cells (it recognises its own
# class only, so the export keeps it).
FORMATS = [LatvianCSV, base_formats.XLSX]


# --- widgets -------------------------------------------------------------------------------------


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class LatvianDecimalWidget(widgets.Widget):
    """2 899 408,11 · 2899408.11 · 2.899.408,11 · a number cell. Text is read by the portal's one
    parser of typed numbers (:func:`partners.numbers.parse_decimal`), as in the admin's forms."""

    def __init__(self, places=2, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, float):
            # A real number cell holds a binary float (12.600000000000001 for a cell showing
            # 12,60): read to the field's places, as before. Text is never rounded.
            value = Decimal(repr(value))
            if self.places and value.is_finite() and abs(value) < LARGEST:
                value = value.quantize(Decimal(1).scaleb(-self.places))
        try:
            return parse_decimal(value, decimal_places=self.places)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return "" if not kwargs.get("force_native_type") else None
        if kwargs.get("force_native_type"):
            return value
        return f"{value:f}".replace(".", ",")


class LatvianIntegerWidget(LatvianDecimalWidget):
    def __init__(self, **kwargs):
        super().__init__(places=0, **kwargs)

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is None:
            return None
        if number < 0:
            raise ValueError(_("Skaits nevar būt negatīvs."))
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class LatvianDateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if " " in text:  # "05.03.2024 00:00" from a spreadsheet that kept a time
            text = text.split(" ", 1)[0]
        for pattern in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("«%(value)s» nav datums. Rakstiet 2024-03-05 vai 05.03.2024.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.strftime("%d.%m.%Y")


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
        if "\x00" in value:  # PostgreSQL refuses it in any text; it is never typed on purpose
            raise ValueError(_("Tekstā ir neatļauta rakstzīme (NUL)."))
        # A file the portal exported has formula-like texts neutralised: take back the apostrophe.
        return restore(value.strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def messages_of(value):
    if isinstance(value, ValidationError):
        return list(value.messages)
    if isinstance(value, list | tuple):
        return [message for item in value for message in messages_of(item)]
    return [str(value)]


def normalise(value):
    return " ".join(str(value).split()).casefold()


class LookupWidget(widgets.Widget):
    """A reference by natural key, resolved from a dict the resource loads once per file."""

    def __init__(self, resolve, render_key, **kwargs):
        super().__init__(**kwargs)
        self.resolve = resolve
        self.render_key = render_key

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.resolve(str(value).strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.render_key(value)


SEPARATORS = re.compile(r"[;,\n]")


class LookupListWidget(LookupWidget):
    """Several references in one cell, separated by ``;`` or ``,``."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return []
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result, problems = [], []
        for part in SEPARATORS.split(str(value)):
            if part.strip():
                try:
                    item = self.resolve(part.strip())
                except ValueError as error:
                    problems.append(str(error))
                    continue
                if item not in result:
                    result.append(item)
        if problems:
            raise ValueError(" ".join(problems))
        return result

    def render(self, value, obj=None, **kwargs):
        return "; ".join(self.render_key(item) for item in value.all()) if value is not None else ""


# --- the resource base ---------------------------------------------------------------------------


class Column(fields.Field):
    """A column with what the import template says about it."""

    def __init__(
        self,
        *args,
        required=False,
        doc="",
        example="",
        export_only=False,
        blank_keeps_default=False,
        **kwargs,
    ):
        if export_only:
            kwargs["readonly"] = True
        super().__init__(*args, **kwargs)
        self.required = required
        self.blank_keeps_default = blank_keeps_default
        self.doc = doc
        self.example = example
        self.export_only = export_only


def lag_column():
    """The owning LAG's column, the same in every LAG record spreadsheet."""
    return Column(
        attribute="lag",
        column_name="VRG",
        blank_keeps_default=True,
        doc=gettext_lazy("VRG īsais kods: kaimini, kraslava vai preili. Tukšs — jūsu VRG."),
        example="kaimini",
    )


def status_column(doc):
    """The workflow status: exported to read, never imported (imported records are drafts)."""
    return Column(column_name="statuss", export_only=True, doc=doc)


class LAGRecordResource(resources.ModelResource):
    """Import and export of a LAG-owned workflow model for one user.

    Subclasses declare :class:`Column` fields and implement ``load_lookups`` (one query per kind
    of reference), ``find_existing(row)`` and, where needed, ``save_relations(objs, created)``.
    """

    #: attribute → how its many-to-many column is saved (set by subclasses)
    m2m_columns = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.lookups_loaded = False
        self.seen_keys = {}
        self.fields["lag"].widget = LookupWidget(self.resolve_lag, lambda lag: lag.slug)

    # references ----------------------------------------------------------------------------

    def load_lookups(self, dataset):
        self.lags = {normalise(lag.slug): lag for lag in LAG.objects.all()}
        for lag in list(self.lags.values()):
            self.lags.setdefault(normalise(lag.short_name_lv or lag.slug), lag)
        self.editable_lag_ids = set(permissions.editable_lags(self.user).values_list("pk", flat=True))
        self.own_lag = next(
            (lag for lag in self.lags.values() if lag.pk == getattr(self.user, "lag_id", None)), None
        )
        self.lookups_loaded = True

    def resolve_lag(self, value):
        lag = self.lags.get(normalise(value))
        if lag is None:
            raise ValueError(
                _("Nav VRG ar kodu «%(value)s». Derīgie kodi: %(codes)s.")
                % {"value": value, "codes": ", ".join(sorted({lag.slug for lag in self.lags.values()}))}
            )
        if lag.pk not in self.editable_lag_ids:
            raise ValueError(
                _("Importēt var tikai savas VRG ierakstus; šī rinda ir VRG «%(lag)s».") % {"lag": lag.slug}
            )
        return lag

    # the import steps ----------------------------------------------------------------------

    def column_names(self):
        return {normalise(field.column_name): field.column_name for field in self.fields.values()}

    def import_data(self, dataset, **kwargs):
        # A file that cannot be read as a whole (a missing column, a user who may not import) is
        # one clear error, not the same error repeated on every row.
        try:
            self.prepare(dataset)
        except ValidationError as error:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(self.get_error_result_class()(error))
            return result
        # Every row's full_clean() checks its year against the closed years: read them once.
        # ...and refresh the activity tallies once, at the end, not once per batch.
        with closed_years_read_once(), tallies.deferred():
            return super().import_data(dataset, **kwargs)

    def prepare(self, dataset):
        if self.user is None:
            raise ValueError("an import needs the importing user")
        if not permissions.can_import(self.user):
            raise ValidationError(_("Jūsu lomai nav tiesību importēt VRG ierakstus."))
        known = self.column_names()
        headers = [known.get(normalise(header), header) for header in (dataset.headers or [])]
        dataset.headers = headers
        for column in self.import_id_columns():
            if column not in headers:
                dataset.append_col([""] * len(dataset), header=column)
        missing = [
            field.column_name
            for field in self.fields.values()
            if field.required and field.column_name not in dataset.headers
        ]
        if missing:
            raise ValidationError(
                _("Datnē trūkst obligāto kolonnu: %(columns)s. Lejupielādējiet importa veidni.")
                % {"columns": ", ".join(f"«{c}»" for c in missing)}
            )
        self.load_lookups(dataset)

    def import_id_columns(self):
        return [self.fields[name].column_name for name in self.get_import_id_fields()]

    def get_instance(self, instance_loader, row):
        return self.find_existing(row)

    def init_instance(self, row=None):
        instance = super().init_instance(row)
        instance.author = self.user
        if self.own_lag is not None and not permissions.is_superuser(self.user):
            instance.lag = self.own_lag  # an empty VRG cell means the importer's own LAG
        return instance

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        instance._import_m2m = {}
        instance._import_extra = {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            try:
                value = field.clean(row, **kwargs)
            except ValueError as error:
                errors[field.column_name] = ValidationError(force_str(error), code="invalid")
                continue
            if value is None and field.blank_keeps_default:
                continue
            if field.required and value in (None, "", []):
                errors[field.column_name] = ValidationError(
                    _("Obligāta kolonna: jānorāda vērtība."), code="required"
                )
                continue
            if field.attribute in self.m2m_columns:
                instance._import_m2m[field.attribute] = value
            elif field.attribute and field.attribute.startswith("extra:"):
                instance._import_extra[field.attribute.removeprefix("extra:")] = value
            elif field.attribute:
                setattr(instance, field.attribute, value)
        if instance.lag_id is None:
            errors.setdefault(
                self.fields["lag"].column_name, ValidationError(_("Jānorāda VRG."), code="required")
            )
        error = getattr(instance, "_import_refusal", None)
        if error:
            errors.setdefault(self.import_id_columns()[0], ValidationError(error, code="refused"))
        if errors:
            raise ValidationError(errors)

    # export ----------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        """The records the user may see (all of them without a user), with what their columns need."""
        if queryset is None:
            queryset = self._meta.model.objects.all()
            if self.user is not None:
                queryset = permissions.visible(self.user, queryset)
        return super().export(self.export_queryset(queryset), **kwargs)

    def export_queryset(self, queryset):
        return queryset

    def export_field(self, field, instance, **kwargs):
        if self.get_field_name(field) == "status":
            return instance.get_status_display()
        return super().export_field(field, instance, **kwargs)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """Every exported text cell goes through the portal's one formula-injection guard; number
        and date columns are written by their widgets and are never formulas."""
        values = super().export_resource(instance, selected_fields, **kwargs)
        fields = self.get_export_fields(selected_fields)
        return [
            value if isinstance(field.widget, LatvianDecimalWidget | LatvianDateWidget) else neutralise(value)
            for field, value in zip(fields, values, strict=True)
        ]

    def column_for(self, attribute):
        for field in self.fields.values():
            if field.attribute == attribute or (field.attribute or "").split("__")[0] == attribute:
                return field.column_name
        return NON_FIELD_ERRORS

    #: foreign keys resolved from the lookups (so they exist): full_clean would query each per row
    clean_exclude = ("lag", "author", "reviewed_by")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {column: messages_of(value) for column, value in (import_validation_errors or {}).items()}
        column_of = {field.column_name: field.attribute for field in self.fields.values()}
        exclude = set(self.clean_exclude) | {column_of.get(column, column) for column in errors}
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=self.validate_constraints
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                column = NON_FIELD_ERRORS if key == NON_FIELD_ERRORS else self.column_for(key)
                errors.setdefault(column, []).extend(messages)
        key = self.duplicate_key(instance)
        if key is not None:
            if key in self.seen_keys:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    _("Tas pats ieraksts datnē jau ir rindā %(row)s.") % {"row": self.seen_keys[key]}
                )
            else:
                self.seen_keys[key] = self.current_row_number
        if errors:
            raise ValidationError(errors)

    validate_constraints = True

    def duplicate_key(self, instance):
        return None

    def import_row(self, row, instance_loader, **kwargs):
        # The spreadsheet's own numbering: the header is row 1, the first data row is row 2.
        self.current_row_number = kwargs.get("row_number", 0) + 1
        row_result = super().import_row(row, instance_loader, **kwargs)
        # Meta.skip_diff spares a deep copy and two exports of every row; the preview shows the
        # row's own cells instead, which is what the person just typed.
        row_result.diff = [
            row.get(column, "") if row.get(column) is not None else "" for column in self.diff_headers
        ]
        return row_result

    def get_diff_headers(self):
        self.diff_headers = [field.column_name for field in self.get_import_fields()]
        return self.diff_headers

    def get_import_fields(self):
        # asked several times per row; the answer never changes during an import
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = [field for field in super().get_import_fields() if not field.export_only]
        return self._import_fields

    # bulk writes -----------------------------------------------------------------------------

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.create_instances:
            return
        try:
            if using_transactions or not dry_run:
                model = self._meta.model
                created = model.objects.bulk_create(self.create_instances, batch_size=batch_size)
                self.save_relations(created, created=True)
                model.history.bulk_history_create(
                    created, default_user=self.user, default_change_reason=_("imports")
                )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances:
            return
        try:
            if using_transactions or not dry_run:
                model = self._meta.model
                fields = sorted(
                    {f.attribute for f in self.get_import_fields() if self.is_model_field(f)} - {"id"}
                )
                model.objects.bulk_update(self.update_instances, fields, batch_size=batch_size)
                # An import is a save too: a change form opened before it must not overwrite it.
                model._base_manager.filter(pk__in=[obj.pk for obj in self.update_instances]).update(
                    version=F("version") + 1
                )
                for obj in self.update_instances:
                    obj.version += 1
                self.save_relations(self.update_instances, created=False)
                model.history.bulk_history_create(
                    self.update_instances,
                    default_user=self.user,
                    default_change_reason=_("imports"),
                    update=True,
                )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def is_model_field(self, field):
        return (
            bool(field.attribute)
            and not field.readonly
            and not field.attribute.startswith("extra:")
            and (field.attribute not in self.m2m_columns)
        )

    def save_relations(self, objs, created):
        model = self._meta.model
        for attribute in self.m2m_columns:
            m2m = model._meta.get_field(attribute)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            touched = [obj for obj in objs if attribute in getattr(obj, "_import_m2m", {})]
            if (
                model._meta.label_lower == "strategy.activity" and touched
            ):  # links written in bulk send no signals
                tallies.mark(*tallies.approved_activity_slices(obj.pk for obj in touched))
            if not created and touched:
                through.objects.filter(**{f"{source}__in": [obj.pk for obj in touched]}).delete()
            through.objects.bulk_create(
                [
                    through(**{f"{source}_id": obj.pk, f"{target}_id": item.pk})
                    for obj in touched
                    for item in obj._import_m2m[attribute]
                ]
            )


def import_template_response(resource, filename):
    """An XLSX with the columns to fill on the first sheet and each column explained on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    data = book.active
    data.title = _("Dati")
    columns = [field for field in resource.get_export_fields() if not field.export_only]
    data.append([field.column_name for field in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for index, field in enumerate(columns, start=1):
        data.column_dimensions[data.cell(row=1, column=index).column_letter].width = max(
            12, min(40, len(field.column_name) + 4)
        )
    docs = book.create_sheet(_("Kolonnas"))
    docs.append([_("Kolonna"), _("Obligāta"), _("Ko rakstīt"), _("Piemērs")])
    for cell in docs[1]:
        cell.font = Font(bold=True)
    for field in resource.get_export_fields():
        docs.append(
            [
                field.column_name,
                _("tikai eksportā") if field.export_only else (_("jā") if field.required else _("nē")),
                str(field.doc),
                str(field.example),
            ]
        )
    for row in docs.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (28, 14, 90, 30), strict=True):
        docs.column_dimensions[letter].width = width
    general = book.create_sheet(_("Kā importēt"))
    for line in resource.general_notes():
        general.append([str(line)])
    general.column_dimensions["A"].width = 120
    for sheet_title, values in resource.value_lists():
        sheet = book.create_sheet(sheet_title)
        for value_row in values:
            sheet.append([str(v) for v in value_row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for letter in "ABC":
            sheet.column_dimensions[letter].width = 40
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=base_formats.XLSX.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


GENERAL_NOTES = [
    _("Aizpildiet lapu «Dati»: viena rinda — viens ieraksts. Pirmajā rindā paliek kolonnu nosaukumi."),
    _(
        "Saglabājiet kā XLSX vai CSV. CSV var būt ar semikolu (;) vai komatu (,) starp kolonnām, kodējumā UTF-8 vai Windows-1257."
    ),
    _(
        "Skaitļi: 2 899 408,11 vai 2899408.11 (tūkstošus drīkst atdalīt ar atstarpi). Datumi: 05.03.2024 vai 2024-03-05."
    ),
    _("Vairākas vērtības vienā šūnā (pagasti, prioritātes) atdaliet ar semikolu vai komatu."),
    _(
        "Importa pirmais solis tikai pārbauda datni un parāda kļūdas pa rindām un kolonnām; rindu numuri ir tādi paši kā izklājlapā."
    ),
    _("Ja kaut vienā rindā ir kļūda, netiek ierakstīts nekas. Izlabojiet datni un augšupielādējiet vēlreiz."),
    _(
        "Importētie ieraksti ir melnraksti: tos iesniedz apstiprināšanai sarakstā ar darbību «Iesniegt apstiprināšanai»."
    ),
    _("Importēt var tikai savas VRG ierakstus. Kolonna «VRG» var palikt tukša: tad ieraksts ir jūsu VRG."),
]
