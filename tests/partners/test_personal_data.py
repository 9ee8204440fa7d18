"""A Latvian personal code typed into a record's free text is refused on every path (invariant 12).

Tried: the old form with and without its dash, with a real and an impossible date (31 April, month
13), 29 February, the new 32… form; ordinary text that is not a code — ISO dates, Latvian amounts,
phone numbers, account numbers, a date range, a registration number; the admin's activity form
(title LV and EN, summary, a funding line's note), a measurement's narrative and note, an evidence
file's description, the return and reopen notes of the workflow services, an activity and a
measurement import (no row written), a year's reopen reason and the board's year summary."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from indicators.models import Indicator, Measurement
from indicators.resources import MeasurementResource
from partners import roles
from partners.models import LAG
from partners.personal_data import contains_personal_code
from strategy import services
from strategy.importing.formats import LatvianCSV
from strategy.models import Activity, Evidence, FundingLine, StatusChange
from strategy.resources import ActivityResource
from strategy.workflow import Status
from tests import factories

REFUSAL = (
    "Personas kodu portālā nenorāda: izņemiet to no teksta (sarakstus ar personas datiem glabā "
    "pierādījumu datnē, kas nav publicējama)."
)


@pytest.fixture(autouse=True)
def latvian():
    with translation.override("lv"):
        yield


@pytest.mark.parametrize(
    "text",
    [
        "Dalībnieks Jānis Bērziņš, 010190-12345",
        "p.k. 01019012345",
        "290200-21234 (29. februāris)",
        "jaunais kods 321234-56789",
        "32123456789",
        "Kods:150675-10023.",
    ],
)
def test_a_personal_code_is_recognised(text):
    assert contains_personal_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "Talka notika 2024-05-12, piedalījās 40 cilvēki",
        "Finansējums 2 899 408,11 EUR",
        "1234,50 EUR; 12345678,90 EUR",
        "Tālrunis +371 26123456",
        "Konts LV80HABA0551012345678",
        "Reģ. Nr. 40008012345",  # an association's registration number: 11 digits, no date
        "Norises laiks 05.03.2024–13.04.2024",
        "310424-12345",  # 31 April does not exist
        "011390-12345",  # nor does month 13
        "010190-1234",  # four digits after the dash
        "010190-123456",
        "",
    ],
)
def test_ordinary_numbers_and_dates_are_not_personal_codes(text):
    assert not contains_personal_code(text)


# --- the admin -------------------------------------------------------------------------------------


def activity_form(lag, activity_type, **fields):
    return {
        "lag": lag.pk,
        "title_lv": "Talka Ambeļos",
        "activity_type": activity_type.pk,
        "start_date": "05.03.2024",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        **fields,
    }


@pytest.mark.parametrize("field", ["title_lv", "title_en", "summary_lv", "summary_en", "venue"])
def test_the_activity_form_refuses_a_personal_code_in_any_text_field_and_saves_nothing(client, db, field):
    lag = factories.lag()
    client.force_login(factories.user(role=roles.EDITOR, lag=lag))

    response = client.post(
        "/admin/strategy/activity/add/",
        activity_form(lag, factories.activity_type(), **{field: "Ieradās Anna (120385-11223)"}),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [REFUSAL]
    assert not Activity.objects.exists()


def test_the_activity_form_refuses_a_personal_code_in_a_funding_lines_note(client, db):
    lag = factories.lag()
    client.force_login(factories.user(role=roles.EDITOR, lag=lag))
    fields = {
        "funding_lines-TOTAL_FORMS": "1",
        "funding_lines-0-source": FundingLine.Source.PRIVATE,
        "funding_lines-0-amount": "120,00",
        "funding_lines-0-note": "ziedoja 320000-00001",
    }

    response = client.post(
        "/admin/strategy/activity/add/", activity_form(lag, factories.activity_type(), **fields)
    )

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.forms[0].errors["note"] == [REFUSAL]
    assert not Activity.objects.exists()
    assert not FundingLine.objects.exists()


def test_the_activity_form_saves_dates_and_amounts_in_text(client, db):
    lag = factories.lag()
    client.force_login(factories.user(role=roles.EDITOR, lag=lag))
    summary = "Talka 2024-05-12 un 2024-05-13; budžets 2 899 408,11 EUR; tālr. 26123456"

    response = client.post(
        "/admin/strategy/activity/add/", activity_form(lag, factories.activity_type(), summary_lv=summary)
    )

    assert response.status_code == 302
    assert Activity.objects.get().summary_lv == summary


# --- the models (every other path: services, scripts) -------------------------------------------


@pytest.mark.parametrize("field", ["narrative", "note"])
def test_a_measurement_with_a_personal_code_in_its_text_is_invalid(db, field):
    indicator = factories.indicator(source=Indicator.Source.QUALITATIVE, unit=Indicator.Unit.RATING)
    measurement = Measurement(
        indicator=indicator, lag=factories.lag(), year=2024, rating=4, narrative="Situācija uzlabojās"
    )
    measurement.full_clean()  # valid as it is
    setattr(measurement, field, "Aptaujāja 010190-12345")

    with pytest.raises(ValidationError) as error:
        measurement.full_clean()

    assert error.value.message_dict[field] == [REFUSAL]


def test_an_evidence_description_with_a_personal_code_is_invalid(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = Evidence(
        activity=factories.activity(),
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
        description="Saraksts: 010190-12345",
    )
    with pytest.raises(ValidationError) as error:
        evidence.full_clean()
    assert error.value.message_dict["description"] == [REFUSAL]


# --- the workflow's notes ------------------------------------------------------------------------


def test_a_return_note_with_a_personal_code_is_refused_and_the_record_stays_submitted(db):
    activity = factories.activity(status=Status.SUBMITTED)
    coordinator = factories.user(role=roles.COORDINATOR, lag=activity.lag)

    with pytest.raises(services.WorkflowError) as error:
        services.return_record(activity, by=coordinator, note="Izdzēsiet 010190-12345 no apraksta")

    assert error.value.messages == [REFUSAL]
    activity.refresh_from_db()
    assert (activity.status, activity.return_note) == (Status.SUBMITTED, "")
    assert not StatusChange.objects.exists()


def test_a_reopen_reason_with_a_personal_code_is_refused(db):
    activity = factories.activity(status=Status.APPROVED)
    coordinator = factories.user(role=roles.COORDINATOR, lag=activity.lag)

    with pytest.raises(services.WorkflowError) as error:
        services.reopen(activity, by=coordinator, reason="Jālabo dalībnieks 32123456789")

    assert error.value.messages == [REFUSAL]
    activity.refresh_from_db()
    assert activity.status == Status.APPROVED


def test_a_return_note_with_a_date_goes_through(db):
    activity = factories.activity(status=Status.SUBMITTED)
    coordinator = factories.user(role=roles.COORDINATOR, lag=activity.lag)

    services.return_record(activity, by=coordinator, note="Norādiet beigu datumu 2024-05-12 un summu 450,00")

    activity.refresh_from_db()
    assert activity.status == Status.RETURNED


def test_a_return_note_with_a_personal_code_is_refused_in_the_admin(client, db):
    activity = factories.activity(status=Status.SUBMITTED)
    client.force_login(factories.user(role=roles.COORDINATOR, lag=activity.lag))

    response = client.post(
        "/admin/strategy/activity/",
        {
            "action": "return_selected",
            "_selected_action": [activity.pk],
            "apply": "1",
            "note": "Dalībnieks 010190-12345 jāizņem",
        },
        follow=True,
    )

    assert f"«{activity}»: {REFUSAL}" in [str(m) for m in response.context["messages"]]
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED


# --- imports -------------------------------------------------------------------------------------


def csv_dataset(text):
    return LatvianCSV().create_dataset(text.encode())


def test_an_activity_import_with_a_personal_code_in_a_cell_writes_no_rows(strategy):
    kaimini = LAG.objects.get(slug="kaimini")
    editor = factories.user(role=roles.EDITOR, lag=kaimini)
    data = csv_dataset(
        "VRG;nosaukums;apraksts;sākuma datums;veids;pagasti un pilsētas\n"
        "kaimini;Talka Ambeļos;Talka 2024-03-05;05.03.2024;clean_up;Ambeļu pagasts\n"
        "kaimini;Seminārs;Vadīja Anna 120385-11223;06.03.2024;training;Ambeļu pagasts\n"
    )

    result = ActivityResource(user=editor).import_data(
        data, use_transactions=True, rollback_on_validation_errors=True
    )

    errors = {row.number + 1: row.error_dict for row in result.invalid_rows}
    assert errors == {3: {"apraksts": [REFUSAL]}}
    assert not Activity.objects.exists()


def test_a_measurement_import_with_a_personal_code_in_a_note_writes_no_rows(strategy):
    kaimini = LAG.objects.get(slug="kaimini")
    editor = factories.user(role=roles.EDITOR, lag=kaimini)
    data = csv_dataset(
        "rādītājs;VRG;gads;vērtība;skaitītājs;saucējs;piezīme\n"
        "K4;kaimini;2024;57;;;biedru reģistrs 2024-01-01\n"
        "K8;kaimini;2024;;1 234;4 000;aptaujāja 010190-12345\n"
    )

    result = MeasurementResource(user=editor).import_data(
        data, use_transactions=True, rollback_on_validation_errors=True
    )

    errors = {row.number + 1: row.error_dict for row in result.invalid_rows}
    assert errors == {3: {"piezīme": [REFUSAL]}}
    assert not Measurement.objects.exists()


# --- the year's texts ------------------------------------------------------------------------------


def test_a_reopen_reason_for_a_year_with_a_personal_code_is_refused_and_the_year_stays_closed(db):
    from django.utils import timezone

    from indicators.yearend.services import reopen_year
    from strategy.models import YearClosure

    board = factories.user(role=roles.BOARD)
    factories.strategy()
    YearClosure.objects.create(year=2024, closed_by=board, closed_at=timezone.now())

    with pytest.raises(ValidationError) as error:
        reopen_year(year=2024, by=board, reason="Jālabo dalībnieks 010190-12345")

    assert error.value.messages == [REFUSAL]
    assert YearClosure.objects.in_force().filter(year=2024).exists()


@pytest.mark.parametrize("field", ["text_lv", "text_en"])
def test_the_boards_year_summary_with_a_personal_code_is_refused_in_the_admin(client, db, field):
    from indicators.models import YearSummary

    strategy = factories.strategy()
    client.force_login(factories.user(is_superuser=True))
    form = {"strategy": strategy.pk, "year": "2024", "text_lv": "Gads bija ražīgs.", "text_en": ""}
    form[field] = "Paldies Annai (120385-11223)"

    response = client.post("/admin/indicators/yearsummary/add/", form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [REFUSAL]
    assert not YearSummary.objects.exists()
