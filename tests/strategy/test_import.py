"""Importing activities and measurements from Latvian spreadsheets: every dialect with a real file,
atomicity (one bad row writes nothing), own-LAG-only, the admin's preview and the round trip."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook

from indicators.models import Indicator, Measurement
from indicators.resources import MeasurementResource
from partners import roles
from partners.models import LAG
from strategy.importing.formats import LatvianCSV
from strategy.importing.widgets import LatvianDateWidget, LatvianDecimalWidget
from strategy.models import Activity, FundingLine
from strategy.resources import ActivityResource
from strategy.workflow import Status
from tests import factories

FILES = Path(__file__).parent / "files"


def read(name):
    data = (FILES / name).read_bytes()
    fmt = XLSX() if name.endswith(".xlsx") else LatvianCSV()
    return fmt.create_dataset(data)


@pytest.fixture
def kaimini(strategy):
    return LAG.objects.get(slug="kaimini")


@pytest.fixture
def editor(kaimini):
    return factories.user(role=roles.EDITOR, lag=kaimini)


def import_activities(name, user, dry_run=False):
    return ActivityResource(user=user).import_data(
        read(name), dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )


def errors_of(result):
    """{spreadsheet row: {column: [messages]}} of a result's invalid rows and row errors."""
    found = {row.number + 1: row.error_dict for row in result.invalid_rows}
    for line, errors in result.row_errors():
        found[line + 1] = {NON_FIELD_ERRORS: [str(e.error) for e in errors]}
    return found


def assert_two_sample_activities(kaimini, editor):
    clean_up, training = Activity.objects.order_by("start_date")
    assert clean_up.lag == kaimini
    assert clean_up.title_lv == "Talka Ambeļos"
    assert clean_up.start_date == date(2024, 3, 5)
    assert clean_up.end_date is None
    assert clean_up.activity_type.code == "clean_up"
    assert [u.name for u in clean_up.territory_units.all()] == ["Ambeļu pagasts"]
    assert [p.number for p in clean_up.priorities.all()] == [2]
    assert (clean_up.participants_total, clean_up.participants_youth, clean_up.participants_vulnerable) == (
        40,
        12,
        5,
    )
    assert [(f.source, f.amount) for f in clean_up.funding_lines.all()] == [
        (FundingLine.Source.EAFRD, Decimal("2899408.11"))
    ]
    assert clean_up.status == Status.DRAFT
    assert clean_up.author == editor
    assert training.title_lv == "Seminārs “Kā ietekmēt lēmumus”; Biķerniekos"
    assert training.end_date == date(2024, 4, 13)
    assert sorted(u.name for u in training.territory_units.all()) == ["Biķernieku pagasts", "Demenes pagasts"]
    assert sorted(p.number for p in training.priorities.all()) == [1, 2]
    assert [(f.source, f.amount) for f in training.funding_lines.all()] == [
        (FundingLine.Source.MUNICIPALITY, Decimal("150.50"))
    ]


@pytest.mark.parametrize(
    "name",
    [
        "activities_semicolon_utf8_bom.csv",  # Excel in Latvian: `;`, UTF-8 with BOM, 2 899 408,11 (NBSP), 05.03.2024
        "activities_comma_utf8.csv",  # `,`, UTF-8 without BOM, 2899408.11, 2024-03-05
        "activities_semicolon_cp1257.csv",  # Windows-1257, thousands grouped by spaces
        "activities.xlsx",  # real date and number cells, an empty row left behind
    ],
)
def test_import_reads_every_latvian_spreadsheet_dialect(name, kaimini, editor):
    result = import_activities(name, editor)

    assert errors_of(result) == {}
    assert result.totals["new"] == 2
    assert_two_sample_activities(kaimini, editor)


def test_import_dry_run_writes_nothing(kaimini, editor):
    result = import_activities("activities_semicolon_utf8_bom.csv", editor, dry_run=True)

    assert not result.has_errors() and not result.has_validation_errors()
    assert not Activity.objects.exists()
    assert not FundingLine.objects.exists()


def test_import_with_one_bad_row_writes_nothing_and_names_row_column_and_reason(kaimini, editor):
    result = import_activities("activities_with_errors.csv", editor)

    errors = errors_of(result)
    assert sorted(errors) == [3, 4, 5]  # the header is row 1, the valid first activity is row 2
    assert errors[3] == {"VRG": ["Importēt var tikai savas VRG ierakstus; šī rinda ir VRG «kraslava»."]}
    assert errors[4] == {"sākuma datums": ["«31.02.2024» nav datums. Rakstiet 2024-03-05 vai 05.03.2024."]}
    assert errors[5]["pagasti un pilsētas"] == ["Nav pagasta vai pilsētas «Atlantīdas pagasts»."]
    assert "Jauniešu skaits nevar pārsniegt kopējo dalībnieku skaitu" in errors[5]["jaunieši (13–30 g.)"][0]
    # nothing was written, not even the valid row, its links or its history
    assert not Activity.objects.exists()
    assert not FundingLine.objects.exists()
    assert not Activity.history.exists()


def test_import_of_another_lags_row_is_refused_for_a_coordinator_too(kaimini, strategy):
    coordinator = factories.user(role=roles.COORDINATOR, lag=LAG.objects.get(slug="kraslava"))
    result = import_activities("activities_comma_utf8.csv", coordinator)

    assert set(errors_of(result)) == {2, 3}
    assert all(list(e) == ["VRG"] for e in errors_of(result).values())
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", [roles.BOARD, roles.SECRETARIAT])
def test_import_is_refused_to_roles_that_do_not_write_records(role, kaimini):
    result = import_activities("activities_comma_utf8.csv", factories.user(role=role))

    assert result.has_errors()
    assert "Jūsu lomai nav tiesību importēt" in str(result.base_errors[0].error)
    assert not Activity.objects.exists()


def test_import_reports_missing_required_columns_once(editor):
    dataset = LatvianCSV().create_dataset(b"nosaukums;veids\r\nTalka;clean_up\r\n")
    result = ActivityResource(user=editor).import_data(dataset, use_transactions=True)

    assert "«sākuma datums»" in str(result.base_errors[0].error)
    assert not result.rows


def test_import_updates_an_own_draft_by_id_and_refuses_an_approved_one(kaimini, editor):
    draft = factories.activity(lag=kaimini, title_lv="Vecais nosaukums", author=editor)
    approved = factories.activity(lag=kaimini, status=Status.APPROVED, author=editor)
    csv = (
        "id;nosaukums;sākuma datums;veids\r\n"
        f"{draft.pk};Jaunais nosaukums;01.02.2024;event\r\n"
        f"{approved.pk};Mēģinājums;01.02.2024;event\r\n"
    )
    result = ActivityResource(user=editor).import_data(
        LatvianCSV().create_dataset(csv.encode()), use_transactions=True, rollback_on_validation_errors=True
    )

    assert list(errors_of(result)) == [3]
    assert "Apstiprināts ieraksts ir tikai lasāms" in errors_of(result)[3]["id"][0]
    draft.refresh_from_db()
    assert draft.title_lv == "Vecais nosaukums"  # the bad row rolled the good one back too

    csv = f"id;nosaukums;sākuma datums;veids\r\n{draft.pk};Jaunais nosaukums;01.02.2024;event\r\n"
    result = ActivityResource(user=editor).import_data(
        LatvianCSV().create_dataset(csv.encode()), use_transactions=True, rollback_on_validation_errors=True
    )
    assert errors_of(result) == {}
    draft.refresh_from_db()
    assert (draft.title_lv, draft.start_date, draft.activity_type.code) == (
        "Jaunais nosaukums",
        date(2024, 2, 1),
        "event",
    )
    assert Activity.objects.count() == 2


def test_import_of_measurements_reads_numbers_shares_and_ratings(kaimini, editor):
    result = MeasurementResource(user=editor).import_data(
        read("measurements_semicolon_utf8_bom.csv"), use_transactions=True, rollback_on_validation_errors=True
    )

    assert errors_of(result) == {}
    values = {m.indicator.code: m for m in Measurement.objects.select_related("indicator")}
    assert values["K4"].value == Decimal(57)
    assert (values["K8"].numerator, values["K8"].denominator) == (Decimal(1234), Decimal(4000))
    assert values["K8"].share == Decimal("30.85")
    assert (values["K5"].rating, values["K5"].narrative) == (4, "VRG piedalījās stratēģijas sagatavošanā.")
    assert {m.lag for m in values.values()} == {kaimini}


def test_import_of_measurements_checks_what_each_indicator_needs(kaimini, editor):
    csv = "rādītājs;gads;vērtība;skaitītājs;saucējs\r\nK8;2024;30;;\r\nK1;2024;5;;\r\nK4;2024;57;;\r\nK4;2024;58;;\r\n"
    result = MeasurementResource(user=editor).import_data(
        LatvianCSV().create_dataset(csv.encode()), use_transactions=True, rollback_on_validation_errors=True
    )

    errors = errors_of(result)
    assert "Jānorāda gan skaitītājs, gan saucējs" in errors[2]["skaitītājs"][0]
    assert errors[3] == {"rādītājs": ["Rādītāju K1 aprēķina no aktivitātēm; tā vērtības neimportē."]}
    assert errors[5] == {NON_FIELD_ERRORS: ["Tas pats ieraksts datnē jau ir rindā 4."]}
    assert not Measurement.objects.exists()


def snapshot(queryset):
    """Every field an activity's spreadsheet row carries, comparable across databases."""
    return sorted(
        (
            a.lag.slug,
            a.title_lv,
            a.title_en or "",
            a.summary_lv,
            a.summary_en or "",
            a.start_date,
            a.end_date,
            a.activity_type.code,
            a.venue,
            tuple(sorted(u.name for u in a.territory_units.all())),
            tuple(sorted((m.era, m.slug) for m in a.municipalities.all())),
            tuple(sorted(p.number for p in a.priorities.all())),
            a.participants_total,
            a.participants_youth,
            a.participants_vulnerable,
            tuple(sorted((f.source, f.amount) for f in a.funding_lines.all())),
        )
        for a in queryset.select_related("lag", "activity_type").prefetch_related(
            "territory_units", "municipalities", "priorities", "funding_lines"
        )
    )


@pytest.mark.parametrize("fmt", [LatvianCSV(), XLSX()], ids=["csv", "xlsx"])
def test_export_then_import_into_an_empty_database_reproduces_the_records(demo, fmt):
    preili = LAG.objects.get(slug="preili")
    coordinator = factories.user(role=roles.COORDINATOR, lag=preili)
    ours = Activity.objects.filter(lag=preili)
    # what demo data lacks: a whole municipality, several funding sources, amounts with cents
    first = ours.order_by("pk").first()
    first.municipalities.set([first.territory_units.first().municipality_2021])
    first.funding_lines.all().delete()
    factories.funding_line(activity=first, source=FundingLine.Source.EAFRD, amount=Decimal("2899408.11"))
    factories.funding_line(activity=first, source=FundingLine.Source.OWN, amount=Decimal("0.50"))
    before = snapshot(ours)

    exported = fmt.export_data(ActivityResource(user=coordinator).export(ours))
    Activity.objects.all().delete()  # the empty database
    result = ActivityResource(user=coordinator).import_data(
        fmt.create_dataset(exported), use_transactions=True, rollback_on_validation_errors=True
    )

    assert errors_of(result) == {}
    assert result.totals["new"] == len(before)
    assert snapshot(Activity.objects.all()) == before
    assert set(Activity.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_export_shows_the_indicators_an_activity_feeds_and_its_status(kaimini, editor):
    activity = factories.activity(
        lag=kaimini,
        activity_type=Indicator.objects.get(code="K3").activity_types.get(),
        status=Status.APPROVED,
    )
    dataset = ActivityResource(user=editor).export(Activity.objects.filter(pk=activity.pk))

    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["rādītāji"] == "K3"
    assert row["statuss"] == "apstiprināts"
    assert row["id"] == str(activity.pk)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 899 408,11", Decimal("2899408.11")),
        ("2\u00a0899\u00a0408,11", Decimal("2899408.11")),
        ("2\u202f899\u202f408,11 EUR", Decimal("2899408.11")),
        ("2.899.408,11", Decimal("2899408.11")),
        ("2899408.11", Decimal("2899408.11")),
        (1500, Decimal("1500.00")),
        (150.5, Decimal("150.50")),
    ],
)
def test_decimal_widget_reads_latvian_numbers(text, expected):
    assert LatvianDecimalWidget().clean(text) == expected


@pytest.mark.parametrize("text", ["2024-03-05", "05.03.2024", "5.3.2024"])
def test_date_widget_reads_iso_and_latvian_dates(text):
    assert LatvianDateWidget().clean(text) == date(2024, 3, 5)


def test_import_template_explains_every_column(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:strategy_activity_import_template"))

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    columns = [c.value for c in book["Dati"][1]]
    assert columns[:3] == ["id", "VRG", "nosaukums"]
    assert "finansējums EUR: ELFLA (LEADER)" in columns
    explained = {row[0].value: row[2].value for row in book["Kolonnas"].iter_rows(min_row=2)}
    assert set(columns) <= set(explained)
    assert all(explained[column] for column in explained)
    assert "rādītāji" in explained  # export-only columns are explained too
    assert book["Teritorija"]["A2"].value == "Ambeļu pagasts"


def test_admin_import_preview_shows_errors_and_the_confirmation_writes(client, kaimini, editor):
    client.force_login(editor)
    url = reverse("admin:strategy_activity_import")
    with (FILES / "activities_with_errors.csv").open("rb") as upload:
        response = client.post(url, {"format": "0", "import_file": upload, "resource": "0"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Importēt var tikai savas VRG ierakstus" in page
    assert "<td>3</td><td>VRG</td>" in page
    assert 'name="confirm"' not in page
    assert not Activity.objects.exists()

    with (FILES / "activities_semicolon_utf8_bom.csv").open("rb") as upload:
        response = client.post(url, {"format": "0", "import_file": upload, "resource": "0"})
    page = response.content.decode()
    assert 'name="confirm"' in page
    assert not Activity.objects.exists()  # the preview wrote nothing
    confirm = response.context["confirm_form"]
    response = client.post(
        reverse("admin:strategy_activity_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Activity.objects.filter(lag=kaimini, author=editor).count() == 2


@pytest.mark.parametrize("fmt", [LatvianCSV(), XLSX()], ids=["csv", "xlsx"])
def test_measurements_export_then_import_into_an_empty_database_reproduces_them(demo, fmt):
    kraslava = LAG.objects.get(slug="kraslava")
    coordinator = factories.user(role=roles.COORDINATOR, lag=kraslava)
    fields = ["indicator__code", "lag__slug", "year", "municipality", "value", "numerator", "denominator"]
    fields += ["narrative", "rating", "note"]
    ours = Measurement.objects.filter(lag=kraslava)
    before = sorted(ours.values_list(*fields))

    exported = fmt.export_data(MeasurementResource(user=coordinator).export(ours))
    Measurement.objects.all().delete()
    result = MeasurementResource(user=coordinator).import_data(
        fmt.create_dataset(exported), use_transactions=True, rollback_on_validation_errors=True
    )

    assert errors_of(result) == {}
    assert sorted(Measurement.objects.values_list(*fields)) == before


@pytest.mark.parametrize("model", ["activity", "measurement"])
def test_each_model_has_a_downloadable_import_template(client, editor, model):
    client.force_login(editor)
    app = "strategy" if model == "activity" else "indicators"
    response = client.get(reverse(f"admin:{app}_{model}_import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert {"Dati", "Kolonnas", "Kā importēt"} <= set(load_workbook(io.BytesIO(response.content)).sheetnames)


def test_import_of_a_row_in_a_closed_year_is_a_row_error_and_writes_nothing(kaimini, editor):
    from indicators.yearend.services import close_year

    close_year(year=2024, by=factories.user(role=roles.BOARD))

    result = import_activities("activities_semicolon_utf8_bom.csv", editor)

    messages = [m for row in errors_of(result).values() for column in row.values() for m in column]
    assert messages
    assert all("2024. gads ir slēgts" in m for m in messages)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("rows", [3, 60])
def test_import_reads_the_closed_years_once_whatever_the_number_of_rows(kaimini, editor, rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.bench.test_import_bench import as_csv, make_rows

    data = as_csv(make_rows(kaimini)[:rows], kaimini)
    with CaptureQueriesContext(connection) as queries:
        result = ActivityResource(user=editor).import_data(
            LatvianCSV().create_dataset(data), use_transactions=True, rollback_on_validation_errors=True
        )
    assert not result.has_validation_errors()
    assert Activity.objects.count() == rows
    closure_queries = [q for q in queries.captured_queries if "strategy_yearclosure" in q["sql"]]
    assert len(closure_queries) == 1  # the closed years, read once for the whole file


def test_an_import_does_not_look_up_the_importer_once_per_row(kaimini, editor):
    """The import sets who changed each row (four eyes) from the importing user, who exists: validating
    that foreign key row by row was 10 000 queries for 10 000 rows (5.6× bulk_create on PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.bench.test_import_bench import as_csv, make_rows

    rows = make_rows(kaimini)
    counts = []
    for size in (5, 45):
        Activity.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            result = ActivityResource(user=editor).import_data(
                LatvianCSV().create_dataset(as_csv(rows[:size], kaimini)),
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
        assert not result.has_validation_errors()
        assert Activity.objects.count() == size
        counts.append(len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]))
    assert counts[1] <= counts[0] + 4  # nine times the rows: a few more insert batches, nothing per row


def test_import_reads_amounts_with_the_admins_parser_and_refuses_an_ambiguous_one(kaimini, editor):
    header = "VRG;nosaukums;sākuma datums;veids;finansējums EUR: ELFLA (LEADER);dalībnieki kopā\r\n"
    good = header + "kaimini;Talka;05.03.2024;event;1\u00a0234,50 €;1 234\r\n"
    bad = good + "kaimini;Seminārs;06.03.2024;event;1,234;20\r\nkaimini;Forums;07.03.2024;event;0,005;20\r\n"

    result = ActivityResource(user=editor).import_data(
        LatvianCSV().create_dataset(bad.encode()), use_transactions=True, rollback_on_validation_errors=True
    )

    errors = errors_of(result)
    assert errors[3] == {
        "finansējums EUR: ELFLA (LEADER)": [
            "«1,234» var nozīmēt gan 1234, gan 1,234. Tūkstošus atdaliet ar atstarpi vai neatdaliet nemaz, "
            "decimāldaļu — ar komatu, piemēram, «1\u00a0234,50» vai «1234,50»."
        ]
    }
    assert errors[4] == {
        "finansējums EUR: ELFLA (LEADER)": [
            "«0,005»: aiz komata drīkst būt ne vairāk kā 2 cipari (skaitli neapaļo). "
            "Rakstiet, piemēram, «1\u00a0234,50»."
        ]
    }
    assert list(errors) == [3, 4]
    assert not Activity.objects.exists()
    assert not FundingLine.objects.exists()

    result = ActivityResource(user=editor).import_data(
        LatvianCSV().create_dataset(good.encode()), use_transactions=True, rollback_on_validation_errors=True
    )
    assert errors_of(result) == {}
    activity = Activity.objects.get()
    assert activity.participants_total == 1234
    assert [line.amount for line in activity.funding_lines.all()] == [Decimal("1234.50")]
