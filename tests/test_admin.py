import pytest
from django.contrib import admin

from strategy.models import Activity
from tests import factories


@pytest.fixture
def superuser_client(client, db):
    client.force_login(factories.user(is_superuser=True))
    return client


def admin_url(model, action):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{action}"


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_admin_lists_and_add_forms_open_for_every_model(superuser_client, strategy, model):
    assert superuser_client.get(admin_url(model, "")).status_code == 200
    # the audit log of status changes, year snapshots and stored reports are read-only: no add form;
    # "adding" a year closure is closing a year from the board's year page, a data completion mark
    # is added on the data completion page
    expected = {
        "StatusChange": 403,
        "YearSnapshot": 403,
        "Report": 403,
        "YearClosure": 302,
        "DataCompletion": 302,  # marking a year complete is done from the data completion page
        "OutboxMessage": 403,  # the portal writes its e-mails; the admin only shows them
    }.get(model.__name__, 200)
    assert superuser_client.get(admin_url(model, "add/")).status_code == expected


def test_admin_refuses_an_impossible_activity_with_a_latvian_message(superuser_client, strategy):
    lag = factories.lag()
    activity_type = factories.activity_type()
    response = superuser_client.post(
        admin_url(Activity, "add/"),
        {
            "lag": lag.pk,
            "title_lv": "Talka Ambeļos",
            "activity_type": activity_type.pk,
            "start_date": "05.03.2024",
            "end_date": "04.03.2024",
            "participants_total": "10",
            "participants_youth": "12",
            "funding_lines-TOTAL_FORMS": "0",
            "funding_lines-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Beigu datums nevar būt agrāks par sākuma datumu." in page
    assert not Activity.objects.exists()
    response = superuser_client.post(
        admin_url(Activity, "add/"),
        {
            "lag": lag.pk,
            "title_lv": "Talka Ambeļos",
            "activity_type": activity_type.pk,
            "start_date": "05.03.2024",
            "participants_total": "10",
            "participants_youth": "12",
            "funding_lines-TOTAL_FORMS": "0",
            "funding_lines-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert "Jauniešu skaits nevar pārsniegt kopējo dalībnieku skaitu" in response.content.decode()
    assert not Activity.objects.exists()


BAD_IDS = ["abc", "-1", "99999999999999999999"]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/admin/strategy/activity/{bad}/workflow/submit/"),
        ("post", "/admin/indicators/measurement/{bad}/workflow/approve/"),
        ("get", "/admin/indicators/indicator/{bad}/plan/"),
        ("post", "/admin/indicators/indicator/{bad}/plan/"),
        ("get", "/admin/strategy/activity/{bad}/history/"),
        ("get", "/admin/strategy/activity/{bad}/history/1/"),
        ("get", "/admin/strategy/activity/{activity}/history/{bad}/"),
        ("get", "/admin/indicators/measurement/{bad}/history/"),
        ("get", "/admin/indicators/measurement/{measurement}/history/{bad}/"),
        ("get", "/admin/indicators/indicator/{bad}/history/"),
        ("get", "/admin/indicators/indicator/{indicator}/history/{bad}/"),
        ("get", "/admin/indicators/target/{bad}/history/"),
        ("get", "/admin/indicators/target/{target}/history/{bad}/"),
    ],
)
def test_admin_urls_with_a_malformed_or_unknown_id_are_not_found(superuser_client, method, url, bad_id):
    measurement = factories.measurement()
    records = {
        "activity": factories.activity().pk,
        "measurement": measurement.pk,
        "indicator": measurement.indicator_id,
        "target": factories.target(indicator=measurement.indicator).pk,
    }
    response = getattr(superuser_client, method)(url.format(bad=bad_id, **records))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("bad_year", "expected"),
    # a year that is not a number is not a year URL at all: Django's admin sends it to the record
    # page, which says the record does not exist
    [("abc", 302), ("-1", 302), ("99999999999999999999", 404), ("1999", 404)],
)
def test_year_report_url_with_a_year_outside_the_strategy_is_not_found(superuser_client, bad_year, expected):
    factories.strategy()
    response = superuser_client.get(f"/admin/strategy/yearclosure/{bad_year}/report/")
    assert response.status_code == expected
