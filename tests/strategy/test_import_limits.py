"""An import's cost is bounded by the settings, whatever the file claims. A 1.5 KB XLSX declaring the
whole sheet (A1:XFD1048576), a shared-strings bomb, too many parts, rows or columns, or a file over
the size limit is refused with a Latvian message before the expensive part starts — and nothing is
written. No timing is asserted: each test proves structurally that the work was never done (the
reader never ran, or stopped at the limit); the time is measured for the README instead."""

import io
import zipfile

import openpyxl
import pytest
from django.apps import apps
from django.template.defaultfilters import filesizeformat
from django.test import Client
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from partners import roles
from partners.models import LAG
from strategy.importing.formats import LatvianCSV
from tests import factories

from .imports import csv_file, xlsx_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>nosaukums</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>sākuma datums</t></is></c><c r="C1" t="inlineStr"><is><t>veids</t></is></c></row>'
)
DATA_ROW = (
    '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Talka {n}</t></is></c>'
    '<c r="B{n}" t="inlineStr"><is><t>05.03.2024</t></is></c><c r="C{n}" t="inlineStr"><is><t>clean_up</t></is></c></row>'
)


def workbook(rows, dimension=None, shared_strings=None, extra_parts=0):
    """A minimal XLSX written part by part, so that it can claim what no spreadsheet program would.
    ``shared_strings``: an iterable of byte chunks streamed (deflated) into xl/sharedStrings.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        overrides = [
            ("/xl/workbook.xml", f"{TYPES}.sheet.main+xml"),
            ("/xl/worksheets/sheet1.xml", f"{TYPES}.worksheet+xml"),
        ]
        if shared_strings is not None:
            overrides.append(("/xl/sharedStrings.xml", f"{TYPES}.sharedStrings+xml"))
        book.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
            + "</Types>",
        )
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="Dati" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with book.open("xl/sharedStrings.xml", "w") as strings:
                strings.write(f'<sst xmlns="{MAIN}">'.encode())
                for chunk in shared_strings:
                    strings.write(chunk)
                strings.write(b"</sst>")
        for n in range(extra_parts):
            book.writestr(f"customXml/item{n}.xml", "<a/>")
    return out.getvalue()


@pytest.fixture
def editor_client(strategy):
    client = Client()
    client.force_login(factories.user(role=roles.EDITOR, lag=LAG.objects.get(slug="kaimini")))
    return client


def counts():
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("strategy", "indicators")
    }


def refusal(client, data, name):
    """The admin's preview of the file: it must be refused, say why, and write nothing."""
    before = counts()
    response = client.post(
        "/admin/strategy/activity/import/",
        {
            "format": "1" if name.endswith(".xlsx") else "0",
            "resource": "0",
            "import_file": upload(data, name),
        },
    )
    assert response.status_code == 200
    assert 'name="confirm"' not in response.content.decode()
    assert counts() == before
    # a non-breaking space groups thousands (1 048 576); the reader sees a space
    return [message.replace("\u00a0", " ") for message in response.context["form"].errors["import_file"]]


def size(n):
    return filesizeformat(n).replace("\u00a0", " ")


def upload(data, name):
    file = io.BytesIO(data)
    file.name = name
    return file


@pytest.fixture
def rows_never_read(monkeypatch):
    """openpyxl's read-only sheet pads every row to the declared size: it must not even start."""

    def fail(*args, **kwargs):
        raise AssertionError("the sheet's rows were read")

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", fail)


@pytest.fixture
def workbook_never_opened(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("openpyxl opened the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", fail)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", fail)


def test_a_tiny_xlsx_declaring_the_whole_sheet_is_refused_before_a_row_is_read(
    editor_client, rows_never_read
):
    # a cell in the sheet's last row: openpyxl would pad a million rows to 16 384 cells each (it hung)
    last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = workbook([HEADER_ROW, DATA_ROW.format(n=2), last], dimension="A1:XFD1048576")
    assert len(data) < 1600

    assert refusal(editor_client, data, "bumba.xlsx") == [
        "Datnes lapā ir 16 384 kolonnas; importā var būt ne vairāk kā 100. "
        "Izdzēsiet liekās kolonnas (arī tukšas, bet formatētas) un saglabājiet datni vēlreiz."
    ]


def test_an_xlsx_declaring_more_rows_than_allowed_is_refused_before_a_row_is_read(
    editor_client, rows_never_read
):
    data = workbook([HEADER_ROW, DATA_ROW.format(n=2)], dimension="A1:C1048576")

    assert refusal(editor_client, data, "rindas.xlsx") == [
        "Datnē ir 1 048 575 datu rindas (bez virsraksta rindas); vienā importā var būt ne vairāk kā 10 000. "
        "Izdzēsiet tukšās rindas zem datiem vai sadaliet datni vairākās daļās."
    ]


@pytest.fixture(scope="module")
def shared_strings_bomb():
    """≈ 200 MB of shared strings, deflated to well under a megabyte."""
    chunk = b"<si><t>" + b"a" * 990 + b"</t></si>"
    return workbook([HEADER_ROW], dimension="A1:C1", shared_strings=(chunk * 1000 for _ in range(200)))


def test_a_shared_strings_bomb_is_refused_before_the_workbook_is_opened(
    editor_client, shared_strings_bomb, workbook_never_opened
):
    assert len(shared_strings_bomb) < 1024 * 1024

    (message,) = refusal(editor_client, shared_strings_bomb, "bumba.xlsx")

    inflated = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(shared_strings_bomb)).infolist())
    assert inflated > 200 * 1000 * 1000
    assert message.startswith(
        f"Izpakota XLSX datne aizņemtu {size(inflated)}; atļauts līdz {size(50 * 1024 * 1024)}."
    )


def test_an_xlsx_of_too_many_parts_is_refused_before_the_workbook_is_opened(
    editor_client, workbook_never_opened
):
    data = workbook([HEADER_ROW], dimension="A1:C1", extra_parts=1001)

    (message,) = refusal(editor_client, data, "daļas.xlsx")

    assert message.startswith("XLSX datnē ir 1 006 daļas; parastā izklājlapā to ir mazāk par 1 000.")


def test_a_file_over_the_size_limit_is_refused_at_upload(editor_client, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids"],
        *[[f"Talka {n}", "05.03.2024", "clean_up"] for n in range(60)],
    )

    assert refusal(editor_client, data, "liela.csv") == [
        f"Datne ir pārāk liela ({size(len(data))}); importā var augšupielādēt līdz "
        f"{size(1000)}. Sadaliet datni vairākās daļās."
    ]


def test_a_csv_over_the_row_limit_is_refused_naming_the_limit_and_the_count(editor_client, settings):
    settings.IMPORT_MAX_ROWS = 5
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids"], *[[f"Talka {n}", "05.03.2024", "clean_up"] for n in range(7)]
    )

    assert refusal(editor_client, data, "rindas.csv") == [
        "Datnē ir 7 datu rindas (bez virsraksta rindas); vienā importā var būt ne vairāk kā 5. "
        "Izdzēsiet tukšās rindas zem datiem vai sadaliet datni vairākās daļās."
    ]


@pytest.mark.parametrize(
    "rows",
    [
        [HEADER_ROW, *(DATA_ROW.format(n=n) for n in range(2, 2000))],
        # a jump to the sheet's last row: openpyxl fills the gap with empty rows
        [HEADER_ROW, DATA_ROW.format(n=2), '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'],
    ],
    ids=["many-rows", "last-row"],
)
def test_an_xlsx_without_a_declared_size_is_read_only_up_to_the_row_limit(
    editor_client, settings, monkeypatch, rows
):
    settings.IMPORT_MAX_ROWS = 5
    data = workbook(rows)  # no <dimension>
    read = []
    cells_by_row = ReadOnlyWorksheet._cells_by_row

    def counted(self, *args, **kwargs):
        for row in cells_by_row(self, *args, **kwargs):
            read.append(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counted)

    assert refusal(editor_client, data, "rindas.xlsx") == [
        "Datnē ir vairāk nekā 5 datu rindas (bez virsraksta rindas); vienā importā var būt ne vairāk kā 5. "
        "Izdzēsiet tukšās rindas zem datiem vai sadaliet datni vairākās daļās."
    ]
    assert len(read) == 7  # the header, the 5 allowed rows and the one that went over


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_over_the_column_limit_is_refused(editor_client, settings, kind):
    settings.IMPORT_MAX_COLUMNS = 4
    header = ["nosaukums", "sākuma datums", "veids", "a", "b"]
    rows = [["Talka", "05.03.2024", "clean_up", "", ""]]
    data = csv_file(header, *rows) if kind == "csv" else xlsx_file(header, *rows)

    assert refusal(editor_client, data, f"kolonnas.{kind}") == [
        "Datnes lapā ir 5 kolonnas; importā var būt ne vairāk kā 4. "
        "Izdzēsiet liekās kolonnas (arī tukšas, bet formatētas) un saglabājiet datni vēlreiz."
    ]


def test_the_default_limits_allow_the_benchmarks_ten_thousand_rows():
    from strategy.importing.formats import FileReadError, LatvianXLSX

    header = ["VRG", "nosaukums", "sākuma datums", "veids"]
    rows = [["kaimini", f"Aktivitāte {n}", "05.03.2024", "clean_up"] for n in range(10_000)]

    assert len(LatvianCSV().create_dataset(csv_file(header, *rows))) == 10_000
    assert len(LatvianXLSX().create_dataset(xlsx_file(header, *rows))) == 10_000
    with pytest.raises(FileReadError, match="Datnē ir 10\u00a0001 datu rindas "):
        LatvianCSV().create_dataset(
            csv_file(header, *rows, ["kaimini", "Vēl viena", "05.03.2024", "clean_up"])
        )


def test_random_bytes_named_xlsx_are_refused_in_latvian(editor_client):
    (message,) = refusal(editor_client, b"PK\x03\x04" + b"\x00" * 200, "nav.xlsx")

    assert message.startswith("Datne nav XLSX izklājlapa")
