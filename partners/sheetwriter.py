"""A one-sheet workbook (.xlsx, ECMA-376 SpreadsheetML) written row by row straight into its zip file.

The open-data workbook of 420 000 activities (100× volume) is 5.5 million cells. openpyxl's write-only
mode builds a cell object for each and took 32 s for them on this machine before a row was read from
the database (and 463 s for the whole file on a busy one); this writer formats each row as one string and
writes in blocks: 3 s for the same cells (``tests/bench/test_open_data_bench.py``). It writes only what
the open data needs — text (inline, so no shared-string table held in memory), numbers, true/false and
empty cells, a bold frozen header row — and openpyxl reads every file back in the tests.

Characters XML 1.0 cannot carry (control characters other than tab and line breaks) are dropped: Excel
would refuse the whole file over one of them.
"""

import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Rows joined per write: bounded memory, few calls.
BLOCK = 2000

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
Target="docProps/core.xml"/>\
</Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
</Relationships>"""

# Two cell formats: 0 plain, 1 bold (the header row).
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
<dc:title>{title}</dc:title><dc:rights>{rights}</dc:rights></cp:coreProperties>"""

SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" \
state="frozen"/></sheetView></sheetViews><sheetData>"""
SHEET_END = "</sheetData></worksheet>"


def text(value):
    return escape(NOT_IN_XML.sub("", value))


TEXT_CELL = '<c t="inlineStr"><is><t xml:space="preserve">'


def cell(value):
    """One cell: None and "" empty (as openpyxl writes them), bool true/false, int/float/Decimal a
    number, anything else text. Characters XML cannot carry are removed from the whole block later."""
    kind = type(value)
    if kind is str:
        if not value:
            return "<c/>"
        # xml.sax.saxutils.escape, inline: this runs for millions of cells
        return (
            TEXT_CELL
            + value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + "</t></is></c>"
        )
    if value is None:
        return "<c/>"
    if kind is int or kind is Decimal:
        return f"<c><v>{value}</v></c>"
    if kind is bool:
        return f'<c t="b"><v>{int(value)}</v></c>'
    if kind is float:
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, int):  # a subclass (an IntEnum…)
        return f"<c><v>{int(value)}</v></c>"
    return cell(str(value))


def header_cell(value):
    return f'<c t="inlineStr" s="1"><is><t xml:space="preserve">{text(str(value))}</t></is></c>'


def write(path, sheet_name, header, rows, *, title="", rights=""):
    """Write ``header`` (bold, frozen) and then each row of ``rows`` (sequences of cell values) as the
    one sheet ``sheet_name`` (at most 31 characters) of a new workbook at ``path``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK.format(name=escape(sheet_name[:31], {'"': "&quot;"})))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        book.writestr("docProps/core.xml", CORE.format(title=text(title), rights=text(rights)))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(("".join([SHEET_START, "<row>", *map(header_cell, header), "</row>"])).encode())
            block = []
            for row in rows:
                block.append("<row>" + "".join(map(cell, row)) + "</row>")
                if len(block) >= BLOCK:
                    sheet.write(NOT_IN_XML.sub("", "".join(block)).encode())
                    block = []
            sheet.write((NOT_IN_XML.sub("", "".join(block)) + SHEET_END).encode())
