"""An import never doubles a record: a row that is already in the portal is shown as such and not
created again, a row with a record's id updates it only when something changed, and importing the
same file (or the portal's own export) a second time changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client

from indicators.models import Indicator, Measurement
from indicators.resources import MeasurementResource
from partners import roles
from partners.models import LAG, TerritoryUnit
from strategy.importing.formats import LatvianCSV
from strategy.models import Activity, ActivityType, FundingLine, Priority
from strategy.resources import ActivityResource
from strategy.workflow import Status
from tests import factories

from .imports import confirm, csv_file, dataset, messages_of, preview

HEADER = ["VRG", "nosaukums", "sākuma datums", "veids", "pagasti un pilsētas", "dalībnieki kopā"]
FILE = csv_file(
    HEADER,
    ["kaimini", "Talka Ambeļos", "05.03.2024", "clean_up", "Ambeļu pagasts", "40"],
    ["kaimini", "Seminārs jauniešiem", "12.04.2024", "training", "Demenes pagasts", "25"],
)


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


def run(resource_class, data, user):
    return resource_class(user=user).import_data(
        dataset(data), use_transactions=True, rollback_on_validation_errors=True
    )


def errors_of(result):
    return {row.number + 1: row.error_dict for row in result.invalid_rows}


def state(model):
    """What an import could change: the rows, their versions and their change history."""
    return {
        "rows": sorted(model.objects.values_list("pk", "version")),
        "history": model.history.count(),
        "funding": sorted(FundingLine.objects.values_list("activity_id", "source", "amount")),
        "units": sorted(
            Activity.territory_units.through.objects.values_list("activity_id", "territoryunit_id")
        ),
    }


def test_importing_the_same_file_twice_creates_each_activity_once(kaimini, editor):
    assert errors_of(run(ActivityResource, FILE, editor)) == {}
    before = state(Activity)

    result = run(ActivityResource, FILE, editor)

    assert errors_of(result) == {}
    assert state(Activity) == before
    assert Activity.objects.count() == 2


def test_admin_preview_shows_rows_already_in_the_portal_and_writes_nothing_for_them(kaimini, editor_client):
    talka = factories.activity(
        lag=kaimini,
        title_lv="Talka Ambeļos",
        start_date=date(2024, 3, 5),
        activity_type=ActivityType.objects.get(code="clean_up"),
        status=Status.APPROVED,
    )

    response = preview(editor_client, Activity, FILE)

    page = response.content.decode()
    assert "jau ir portālā" in page
    assert f'href="/admin/strategy/activity/{talka.pk}/change/"' in page
    response = confirm(editor_client, Activity, response)
    assert Activity.objects.count() == 2  # the existing one and the seminar, not a second clean-up
    assert messages_of(response) == [
        "Imports pabeigts. Jauni: 1, atjaunināti: 0, jau bija portālā: 1, nemainīti: 0."
    ]


def test_a_row_matches_an_existing_activity_by_date_type_and_title_whatever_its_spaces_case_or_formula_guard(
    kaimini, editor
):
    clean_up = ActivityType.objects.get(code="clean_up")
    factories.activity(
        lag=kaimini, title_lv="=Talka  Ambeļos", start_date=date(2024, 3, 5), activity_type=clean_up
    )
    # the same activity of another LAG is another LAG's record
    factories.activity(
        lag=LAG.objects.get(slug="kraslava"),
        title_lv="Seminārs",
        start_date=date(2024, 3, 5),
        activity_type=clean_up,
    )
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids"],
        ["'=talka ambeļos ", "2024-03-05", "Talka"],  # type by its name, the export's apostrophe
        ["Seminārs", "05.03.2024", "clean_up"],
        ["=Talka Ambeļos", "06.03.2024", "clean_up"],  # another day: another activity
    )

    result = run(ActivityResource, data, editor)

    assert errors_of(result) == {}
    assert sorted(Activity.objects.filter(lag=kaimini).values_list("title_lv", "start_date")) == [
        ("=Talka  Ambeļos", date(2024, 3, 5)),
        ("=Talka Ambeļos", date(2024, 3, 6)),
        ("Seminārs", date(2024, 3, 5)),
    ]


def test_the_same_activity_twice_in_one_file_is_refused(kaimini, editor):
    data = csv_file(
        ["nosaukums", "sākuma datums", "veids"],
        ["Talka Ambeļos", "05.03.2024", "clean_up"],
        ["talka  ambeļos", "05.03.2024", "clean_up"],
    )

    result = run(ActivityResource, data, editor)

    assert errors_of(result) == {3: {NON_FIELD_ERRORS: ["Tas pats ieraksts datnē jau ir rindā 2."]}}
    assert not Activity.objects.exists()


def own_records(kaimini, editor):
    """Activities of every status, with parishes, priorities, a whole municipality, funding lines
    (two of one source: the export sums them) and a formula-like title."""
    clean_up = ActivityType.objects.get(code="clean_up")
    ambeli = TerritoryUnit.objects.get(name="Ambeļu pagasts")
    draft = factories.activity(lag=kaimini, author=editor, title_lv="=Talka Ambeļos", activity_type=clean_up)
    draft.territory_units.set([ambeli, TerritoryUnit.objects.get(name="Demenes pagasts")])
    draft.priorities.set(Priority.objects.filter(number__in=[1, 2]))
    draft.municipalities.set([ambeli.municipality_2021])
    factories.funding_line(activity=draft, amount=Decimal("1000.00"))
    factories.funding_line(activity=draft, amount=Decimal("500.25"))
    factories.funding_line(activity=draft, source=FundingLine.Source.MUNICIPALITY, amount=Decimal("0.50"))
    returned = factories.activity(lag=kaimini, author=editor, status=Status.RETURNED, summary_lv="Apraksts")
    approved = factories.activity(lag=kaimini, author=editor, status=Status.APPROVED, title_en="Clean-up")
    submitted = factories.activity(
        lag=kaimini,
        author=editor,
        status=Status.SUBMITTED,
        participants_total=None,
        participants_youth=None,
        participants_vulnerable=None,
    )
    return draft, returned, approved, submitted


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_portals_own_export_again_changes_nothing(kaimini, editor, fmt):
    from import_export.formats.base_formats import XLSX

    own_records(kaimini, editor)
    exported = ActivityResource(user=editor).export(Activity.objects.filter(lag=kaimini))
    data = (LatvianCSV() if fmt == "csv" else XLSX()).export_data(exported)
    before = state(Activity)

    result = run(ActivityResource, data, editor)

    assert errors_of(result) == {}
    assert not result.has_errors()
    assert state(Activity) == before


def test_an_id_row_updates_only_when_it_changes_something(kaimini, editor_client, editor):
    same = factories.activity(lag=kaimini, author=editor, title_lv="Talka", start_date=date(2024, 3, 5))
    changed = factories.activity(lag=kaimini, author=editor, title_lv="Seminārs", start_date=date(2024, 4, 1))
    history = {same.pk: same.history.count(), changed.pk: changed.history.count()}
    data = csv_file(
        ["id", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
        [same.pk, "Talka", "05.03.2024", same.activity_type.code, "20"],
        [changed.pk, "Seminārs jauniešiem", "01.04.2024", changed.activity_type.code, "20"],
    )

    response = confirm(editor_client, Activity, preview(editor_client, Activity, data))

    assert messages_of(response) == [
        "Imports pabeigts. Jauni: 0, atjaunināti: 1, jau bija portālā: 0, nemainīti: 1."
    ]
    same_after, changed_after = Activity.objects.get(pk=same.pk), Activity.objects.get(pk=changed.pk)
    assert (same_after.version, same_after.history.count()) == (same.version, history[same.pk])
    assert (changed_after.title_lv, changed_after.version) == ("Seminārs jauniešiem", changed.version + 1)
    assert changed_after.history.count() == history[changed.pk] + 1


def test_an_approved_activity_in_the_file_with_a_change_is_still_refused(kaimini, editor):
    approved = factories.activity(lag=kaimini, author=editor, title_lv="Talka", status=Status.APPROVED)
    data = csv_file(
        ["id", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
        [approved.pk, "Cits nosaukums", "05.03.2024", approved.activity_type.code, "20"],
    )

    result = run(ActivityResource, data, editor)

    assert "Apstiprināts ieraksts ir tikai lasāms" in errors_of(result)[2]["id"][0]
    assert Activity.objects.get(pk=approved.pk).title_lv == "Talka"


# --- measurements: one per indicator, LAG, year (and municipality) -------------------------------


@pytest.fixture
def k4(strategy):
    return Indicator.objects.get(code="K4")


def test_a_measurement_row_equal_to_a_stored_value_is_already_in_the_portal(kaimini, editor, k4):
    factories.measurement(
        indicator=k4, lag=kaimini, year=2024, value=Decimal(57), note="reģistrs", status=Status.APPROVED
    )
    before = state(Measurement)
    data = csv_file(
        ["rādītājs", "VRG", "gads", "vērtība", "piezīme"], ["K4", "kaimini", "2024", "57,00", "reģistrs"]
    )

    result = run(MeasurementResource, data, editor)

    assert errors_of(result) == {}
    assert state(Measurement) == before


def test_a_measurement_row_differing_from_a_stored_value_asks_for_its_id(kaimini, editor, k4):
    stored = factories.measurement(indicator=k4, lag=kaimini, year=2024, value=Decimal(57), author=editor)
    data = csv_file(["rādītājs", "VRG", "gads", "vērtība"], ["K4", "kaimini", "2024", "58"])

    result = run(MeasurementResource, data, editor)

    assert errors_of(result) == {
        2: {
            NON_FIELD_ERRORS: [
                f"Šim rādītājam, VRG un gadam portālā jau ir vērtība ar citiem datiem (id {stored.pk}). "
                f"Lai to mainītu, kolonnā «id» norādiet {stored.pk} (eksportētajā datnē tas jau ir) "
                "vai labojiet vērtību portālā."
            ]
        }
    }
    assert Measurement.objects.get().value == Decimal(57)


def test_a_measurement_row_with_its_id_updates_it(kaimini, editor, k4):
    stored = factories.measurement(indicator=k4, lag=kaimini, year=2024, value=Decimal(57), author=editor)
    data = csv_file(["id", "rādītājs", "VRG", "gads", "vērtība"], [stored.pk, "K4", "kaimini", "2024", "58"])

    result = run(MeasurementResource, data, editor)

    assert errors_of(result) == {}
    updated = Measurement.objects.get()
    assert (updated.pk, updated.value, updated.version) == (stored.pk, Decimal(58), stored.version + 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_exported_measurements_again_changes_nothing(kaimini, editor, fmt):
    from import_export.formats.base_formats import XLSX

    factories.measurement(
        indicator=Indicator.objects.get(code="K4"), lag=kaimini, year=2023, value=Decimal(50)
    )
    factories.measurement(
        indicator=Indicator.objects.get(code="K4"),
        lag=kaimini,
        year=2024,
        value=Decimal(57),
        status=Status.APPROVED,
    )
    factories.measurement(
        indicator=Indicator.objects.get(code="K8"),
        lag=kaimini,
        year=2024,
        value=None,
        numerator=Decimal(1234),
        denominator=Decimal(4000),
        note="=aptauja",
    )
    exported = MeasurementResource(user=editor).export(Measurement.objects.all())
    data = (LatvianCSV() if fmt == "csv" else XLSX()).export_data(exported)
    before = state(Measurement)

    result = run(MeasurementResource, data, editor)

    assert errors_of(result) == {}
    assert not result.has_errors()
    assert state(Measurement) == before


def test_matching_a_file_with_the_stored_records_costs_the_same_queries_for_3_rows_as_for_60(kaimini, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clean_up = ActivityType.objects.get(code="clean_up")
    stored = [
        factories.activity(lag=kaimini, author=editor, title_lv=f"Talka {n}", activity_type=clean_up)
        for n in range(60)
    ]
    for activity in stored:
        activity.territory_units.set([TerritoryUnit.objects.get(name="Ambeļu pagasts")])
        factories.funding_line(activity=activity)

    def queries(count):
        # every other row names its record by id (unchanged), the rest match by date, type and title
        rows = [
            [a.pk if n % 2 else "", a.title_lv, "05.03.2024", "clean_up", "Ambeļu pagasts", "1000", "20"]
            for n, a in enumerate(stored[:count])
        ]
        data = csv_file(
            [
                "id",
                "nosaukums",
                "sākuma datums",
                "veids",
                "pagasti un pilsētas",
                "finansējums EUR: ELFLA (LEADER)",
                "dalībnieki kopā",
            ],
            *rows,
        )
        user = type(editor).objects.get(pk=editor.pk)  # as a fresh request's user: nothing cached
        with CaptureQueriesContext(connection) as captured:
            result = ActivityResource(user=user).import_data(
                dataset(data), dry_run=True, use_transactions=True
            )
        assert errors_of(result) == {}
        assert result.outcomes == {
            "new": 0,
            "update": 0,
            "exists": count - count // 2,
            "unchanged": count // 2,
        }
        return len(captured.captured_queries)

    assert queries(3) == queries(60)


def test_an_id_of_another_lags_unpublished_activity_is_refused_even_with_its_own_values(kaimini, editor):
    hidden = factories.activity(lag=LAG.objects.get(slug="kraslava"), title_lv="Krāslavas melnraksts")
    data = csv_file(
        ["id", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
        [hidden.pk, hidden.title_lv, "05.03.2024", hidden.activity_type.code, "20"],
    )

    result = run(ActivityResource, data, editor)

    assert errors_of(result) == {
        2: {"id": [f"Aktivitāti {hidden.pk} nevar mainīt: Drīkst labot tikai savas VRG ierakstus."]}
    }
