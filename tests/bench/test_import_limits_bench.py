"""How long the import takes to refuse a file over its limits (README: "Bounded cost"): the 1.5 KB
XLSX that declares A1:XFD1048576 with a cell in the last row, a ≈ 200 MB shared-strings bomb, an XLSX
of too many parts, and a CSV one row over IMPORT_MAX_ROWS — each through the admin's preview, as
staff would upload it. Run: pytest tests/bench/test_import_limits_bench.py -s"""

import statistics
import time

import pytest
from django.db import connection
from django.test import Client

from partners import roles
from partners.models import LAG
from tests import factories
from tests.strategy.imports import csv_file
from tests.strategy.test_import_limits import DATA_ROW, HEADER_ROW, upload, workbook


def files():
    last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = b"<si><t>" + b"a" * 990 + b"</t></si>"
    header = ["nosaukums", "sākuma datums", "veids"]
    return {
        "A1:XFD1048576 (xlsx)": workbook([HEADER_ROW, DATA_ROW.format(n=2), last], dimension="A1:XFD1048576"),
        "shared-strings bomb (xlsx)": workbook(
            [HEADER_ROW], dimension="A1:C1", shared_strings=(chunk * 1000 for _ in range(200))
        ),
        "1 006 parts (xlsx)": workbook([HEADER_ROW], dimension="A1:C1", extra_parts=1001),
        "10 001 rows (csv)": csv_file(
            header, *[[f"Talka {n}", "05.03.2024", "clean_up"] for n in range(10_001)]
        ),
    }


@pytest.mark.django_db
def test_files_over_the_import_limits_are_refused_quickly(strategy):
    client = Client()
    client.force_login(factories.user(role=roles.EDITOR, lag=LAG.objects.get(slug="kaimini")))
    for name, data in files().items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.post(
                "/admin/strategy/activity/import/",
                {"format": "0" if "csv" in name else "1", "resource": "0", "import_file": upload(data, name)},
            )
            times.append(time.perf_counter() - started)
            assert response.context["form"].errors["import_file"], name
        print(
            f"\n[{connection.vendor}] {name}: {len(data):,} bytes, refused in "
            f"{statistics.median(times) * 1000:.0f} ms (median of 5; the whole admin request)"
        )
        assert max(times) < 2
