"""The streamed workbook writer behind the open-data XLSX files: what a spreadsheet reads back."""

import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from partners import sheetwriter


def written(tmp_path, header, rows, name="activities"):
    path = tmp_path / "book.xlsx"
    sheetwriter.write(path, name, header, rows, rights="CC BY 4.0")
    return path, load_workbook(path)


def test_values_read_back_as_what_they_are(tmp_path):
    rows = [
        [1, "Jauniešu talka «Ā & <č>»", Decimal("1234.50"), None, True, 2.5, ""],
        [2, "  atstarpes  saglabātas ", Decimal("-3"), 0, False, -0.25, "x"],
    ]
    _path, book = written(tmp_path, ["id", "title", "amount", "empty", "flag", "share", "text"], rows)
    sheet = book.active
    assert sheet.title == "activities"
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("id", "title", "amount", "empty", "flag", "share", "text")
    assert lines[1] == (1, "Jauniešu talka «Ā & <č>»", 1234.5, None, True, 2.5, None)
    assert lines[2] == (2, "  atstarpes  saglabātas ", -3, 0, False, -0.25, "x")


def test_the_header_is_bold_and_stays_in_view(tmp_path):
    _path, book = written(tmp_path, ["id", "title"], [[1, "a"]])
    sheet = book.active
    assert sheet["A1"].font.b and sheet["B1"].font.b
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"


def test_a_control_character_is_dropped_rather_than_breaking_the_file(tmp_path):
    _path, book = written(tmp_path, ["title"], [["Talka\x0b\x01 Dagdā\tun\nKrāslavā"]])
    assert book.active["A2"].value == "Talka Dagdā\tun\nKrāslavā"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    # the open data neutralises such text too; the writer itself never writes a formula element
    path, book = written(tmp_path, ["title"], [['=HYPERLINK("http://x")']])
    assert book.active["A2"].value == '=HYPERLINK("http://x")'
    assert book.active["A2"].data_type != "f"
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_a_long_name_is_cut_to_the_31_characters_a_sheet_name_may_have(tmp_path):
    _path, book = written(tmp_path, ["a"], [], name="x" * 40)
    assert book.active.title == "x" * 31
    assert list(book.active.iter_rows(values_only=True)) == [("a",)]


def test_many_rows_are_written_in_blocks_without_losing_any(tmp_path):
    count = sheetwriter.BLOCK * 2 + 7
    _path, book = written(tmp_path, ["n"], ([n] for n in range(count)))
    values = [line[0] for line in book.active.iter_rows(min_row=2, values_only=True)]
    assert values == list(range(count))
