"""The files an import reads and an export writes: CSV and XLSX as Latvian offices save them, read within the IMPORT_MAX_* limits."""

import csv
import io
import zipfile

import openpyxl
import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.formats import base_formats

from partners import formats

from .widgets import is_blank

ENCODINGS = ("utf-8-sig", "cp1257")
# An XLSX is a zip of a dozen parts; thousands of them is not a spreadsheet (and costs time to list).
MAX_XLSX_PARTS = 1000


class FileReadError(ValueError):
    """A file that cannot be read as a table; the message (Latvian) says why and is shown as is."""


def grouped(value):
    """A count in a message, grouped the Latvian way: 1 048 576."""
    return formats.number(value)


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
