"""The import's preview shows each row as the portal read it — numbers and dates in Latvian formats,
the parish, type and LAG it matched — what will happen to it, and what an update changes; an
unknown name suggests the closest valid ones."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from indicators.models import Indicator, Measurement
from partners import roles
from partners.models import LAG
from strategy.models import Activity, ActivityType
from strategy.resources import ActivityResource
from tests import factories

from .imports import csv_file, dataset, preview

NBSP = "\u00a0"


@pytest.fixture
def kaimini(strategy):
    return LAG.objects.get(slug="kaimini")


@pytest.fixture
def editor(kaimini):
    return factories.user(role=roles.EDITOR, lag=kaimini)


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def table(page):
    """The preview table as text: a list of rows, each a list of cell texts."""
    body = re.search(r'<table class="[^"]*wf-import-preview[^"]*">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    # spaces collapsed, the non-breaking ones (1 500,00) kept
    return [
        [re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in row] for row in cells
    ]


def test_preview_shows_each_cell_as_the_portal_read_it(kaimini, editor_client):
    data = csv_file(
        [
            "VRG",
            "nosaukums",
            "sākuma datums",
            "beigu datums",
            "veids",
            "pagasti un pilsētas",
            "viss novads",
            "prioritātes",
            "dalībnieki kopā",
            "jaunieši (13–30 g.)",
            "finansējums EUR: ELFLA (LEADER)",
            "finansējums EUR: pašvaldība",
        ],
        [
            "KAIMINI",
            "  Talka   Ambeļos ",
            "2024-03-05",
            "2024-03-06",
            "clean_up",
            "ambeļu PAGASTS,demenes pagasts",
            "augšdaugavas novads",
            "2.",
            "1500",
            "12",
            "2899408.11",
            "150.5",
        ],
    )

    page = preview(editor_client, Activity, data).content.decode()

    header, row = table(page)
    cells = dict(zip(header, row, strict=True))
    assert cells == {
        "Rinda": "2",
        "Kas notiks": "jauns",
        "VRG": "Kaimiņi",
        "Nosaukums": "Talka Ambeļos",
        "Datumi": "05.03.2024–06.03.2024",
        "Veids": "Talka",
        "Vieta": "Ambeļu pagasts; Demenes pagasts; viss Augšdaugavas novads (2021)",
        "Prioritātes": "2",
        "Dalībnieki": f"1{NBSP}500, t. sk. jaunieši 12",
        "Finansējums, EUR": f"ELFLA (LEADER) 2{NBSP}899{NBSP}408,11; pašvaldība 150,50",
    }
    assert "Jauni: 1 · atjaunināti: 0 · jau ir portālā: 0 · nemainīti: 0" in page


def test_preview_of_an_update_shows_what_changes(kaimini, editor, editor_client):
    activity = factories.activity(
        lag=kaimini,
        author=editor,
        title_lv="Talka",
        start_date=date(2024, 3, 5),
        activity_type=ActivityType.objects.get(code="clean_up"),
        participants_total=20,
        participants_youth=None,
        participants_vulnerable=None,
    )
    data = csv_file(
        ["id", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
        [activity.pk, "Talka", "05.03.2024", "clean_up", "25"],
    )

    page = preview(editor_client, Activity, data).content.decode()

    header, row = table(page)
    cells = dict(zip(header, row, strict=True))
    assert cells["Kas notiks"] == f"tiks atjaunināts id {activity.pk}"
    assert cells["Dalībnieki"] == "25 bija: 20"
    assert cells["Nosaukums"] == "Talka"  # unchanged: no "bija"
    assert 'name="confirm"' in page


def test_preview_of_measurements_shows_values_as_read(kaimini, editor_client):
    data = csv_file(
        ["rādītājs", "VRG", "gads", "vērtība", "skaitītājs", "saucējs", "piezīme"],
        ["k4", "kaimini", "2024", "1234.5", "", "", "reģistrs"],
        ["K8", "", "2024", "", "1 234", "4000", ""],
    )

    page = preview(editor_client, Measurement, data).content.decode()

    header, k4, k8 = table(page)
    k4_name = Indicator.objects.get(code="K4").name_lv
    assert dict(zip(header, k4, strict=True)) == {
        "Rinda": "2",
        "Kas notiks": "jauns",
        "Rādītājs": f"K4 {k4_name}",
        "VRG": "Kaimiņi",
        "Gads": "2024",
        "Novads": "",
        "Vērtība": f"1{NBSP}234,50",
        "Piezīme": "reģistrs",
    }
    assert dict(zip(header, k8, strict=True))["Vērtība"] == f"1{NBSP}234,00 no 4{NBSP}000,00 (30,85 %)"


def row_errors(data, user):
    result = ActivityResource(user=user).import_data(
        dataset(data), use_transactions=True, rollback_on_validation_errors=True
    )
    return {row.number + 1: row.error_dict for row in result.invalid_rows}


def test_an_unknown_parish_suggests_the_closest_names_of_the_lag(kaimini, editor):
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids", "pagasti un pilsētas"],
        ["Talka", "05.03.2024", "clean_up", "Kalkūnu pagasts"],
        ["Talka", "06.03.2024", "clean_up", "Ambelu pagasts; Atlantīdas pagasts"],
    )

    errors = row_errors(data, editor)

    assert errors == {
        2: {
            "pagasti un pilsētas": [
                "Nav pagasta vai pilsētas «Kalkūnu pagasts». Vai domājāt «Kalkūnes pagasts»?"
            ]
        },
        3: {
            "pagasti un pilsētas": [
                "Nav pagasta vai pilsētas «Ambelu pagasts». Vai domājāt «Ambeļu pagasts»? "
                "Nav pagasta vai pilsētas «Atlantīdas pagasts»."
            ]
        },
    }


def test_an_unknown_activity_type_and_municipality_suggest_the_closest_ones(kaimini, editor):
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids", "viss novads"],
        ["Talka", "05.03.2024", "Talkas", "Augšdaugava novads"],
    )

    errors = row_errors(data, editor)

    assert errors[2]["veids"] == [
        "Nav aktivitātes veida «Talkas» (sk. importa veidnes lapu «Veidi»). Vai domājāt «Talka»?"
    ]
    assert errors[2]["viss novads"] == [
        "Nav novada «Augšdaugava novads». Vai domājāt «Augšdaugavas novads (2021)»?"
    ]


def test_suggestions_are_the_importing_users_lags_parishes(kaimini, strategy):
    kraslava_editor = factories.user(role=roles.EDITOR, lag=LAG.objects.get(slug="kraslava"))
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids", "pagasti un pilsētas"],
        ["T", "05.03.2024", "clean_up", "Kalkūnu pagasts"],
    )

    errors = row_errors(data, kraslava_editor)

    assert errors[2]["pagasti un pilsētas"] == ["Nav pagasta vai pilsētas «Kalkūnu pagasts»."]


def test_preview_table_holds_no_raw_cell_text_of_a_valid_row(kaimini, editor_client):
    measurement = factories.measurement(
        indicator=Indicator.objects.get(code="K4"), lag=kaimini, value=Decimal(1)
    )
    data = csv_file(["id", "rādītājs", "gads", "vērtība"], [measurement.pk, "K4", "2024", "2899408.11"])

    page = preview(editor_client, Measurement, data).content.decode()

    assert "2899408.11" not in page
    assert f"2{NBSP}899{NBSP}408,11" in page


def test_preview_names_a_record_by_its_id_as_written_never_grouped(kaimini, editor, editor_client):
    # a large portal has five-digit ids: «id 60325», which the «id» column takes back — not «60 325»
    activity = factories.activity(
        pk=60325,
        lag=kaimini,
        author=editor,
        title_lv="Talka",
        start_date=date(2024, 3, 5),
        activity_type=ActivityType.objects.get(code="clean_up"),
        participants_total=20,
    )
    data = csv_file(
        ["id", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
        [activity.pk, "Talka", "05.03.2024", "clean_up", "25"],
    )

    page = preview(editor_client, Activity, data).content.decode()

    header, row = table(page)
    assert dict(zip(header, row, strict=True))["Kas notiks"] == "tiks atjaunināts id 60325"
