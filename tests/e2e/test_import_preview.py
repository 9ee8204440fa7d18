"""The import's preview in real Chromium: a file with long texts and every column fits a 1280 px
screen without scrolling the page — or the table — sideways (long texts wrap)."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from partners import roles
from partners.models import LAG
from strategy.models import ActivityType
from tests import factories
from tests.strategy.imports import csv_file

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery-staple"  # tests.factories.user's
COLUMNS = [
    "id",
    "VRG",
    "nosaukums",
    "nosaukums (EN)",
    "apraksts",
    "sākuma datums",
    "beigu datums",
    "veids",
    "norises vieta",
    "pagasti un pilsētas",
    "viss novads",
    "prioritātes",
    "dalībnieki kopā",
    "jaunieši (13–30 g.)",
    "mazaizsargātie",
    "finansējums EUR: ELFLA (LEADER)",
    "finansējums EUR: pašvaldība",
    "finansējums EUR: Aktīvo iedzīvotāju fonds",
]


def long_file(stored):
    long_title = "Sabiedriskā apspriešana par Daugavpils novada attīstības programmas rīcības plānu un investīciju plānu"
    summary = "Iedzīvotāji apsprieda " + "pagasta attīstības jautājumus, " * 12
    rows = [
        [
            stored.pk,
            "kaimini",
            long_title,
            "Public consultation on the development programme's action and investment plans",
            summary,
            "05.03.2024",
            "06.03.2024",
            "consultation",
            "Ambeļu tautas nams, Ambeļi, Ambeļu pagasts",
            "Ambeļu pagasts; Biķernieku pagasts; Demenes pagasts; Kalkūnes pagasts",
            "Augšdaugavas novads (2021)",
            "1; 2; 3; 4",
            "1250",
            "340",
            "125",
            "12 899 408,11",
            "150,50",
            "2 500,00",
        ]
    ]
    for n in range(8):
        rows.append(
            ["", "", f"{long_title} ({n + 1}. sanāksme)", "", summary, f"{n + 10}.04.2024", "", "event",
             "Biķernieku kultūras nams", "Biķernieku pagasts", "", "2", "45", "12", "", "1 000,00", "", ""]
        )  # fmt: skip
    return csv_file(COLUMNS, *rows)


def test_the_import_preview_fits_a_1280px_screen(page, live_server, transactional_db, tmp_path):
    call_command("load_strategy", verbosity=0)
    for role in roles.ALL:  # a transactional test's teardown empties the role groups (a migration's)
        Group.objects.get_or_create(name=role)
    roles.grant_permissions()
    kaimini = LAG.objects.get(slug="kaimini")
    editor = factories.user(role=roles.EDITOR, lag=kaimini)
    stored = factories.activity(
        lag=kaimini,
        author=editor,
        title_lv="Apspriešana",
        activity_type=ActivityType.objects.get(code="consultation"),
    )
    upload = tmp_path / "aktivitates.csv"
    upload.write_bytes(long_file(stored))

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/strategy/activity/import/")
    page.set_input_files("#id_import_file", str(upload))
    page.select_option("#id_format", "0")
    page.click("input[type=submit]")
    page.wait_for_selector("table.import-preview")

    assert page.locator("table.import-preview tbody tr").count() == 9
    assert page.locator("input[name=confirm]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # ...and the table itself needs no sideways scrolling either: long texts wrap
    assert page.evaluate(
        "(box => box.scrollWidth <= box.clientWidth)(document.querySelector('.wf-import-scroll'))"
    )
