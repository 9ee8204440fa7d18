"""Evidence is private by default (invariant 12): an approved record's attendance list is not public.

Tried: the anonymous public, another LAG's editor, the LAG's editor and coordinator, a staff account of
the LAG without a role, the board and the secretariat, each downloading a private and a publishable file
of an approved activity and of an approved measurement; what the admin's record page lists and links to
for each of them; the form's warning next to the "publishable" box; the data migration that makes every
file stored before it private."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from partners import roles
from strategy.models import Evidence
from strategy.workflow import Status
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
WARNING = "Uzmanību: atzīmējiet tikai tad, ja datnē nav personas datu"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def latvian():
    with translation.override("lv"):
        yield


READERS = {
    "anonymous": lambda lag: None,
    "editor_of_another_lag": lambda lag: factories.user(role=roles.EDITOR, lag=factories.lag()),
    "coordinator_of_another_lag": lambda lag: factories.user(role=roles.COORDINATOR, lag=factories.lag()),
    "staff_of_the_lag_without_a_role": lambda lag: factories.user(lag=lag),
    "editor_of_the_lag": lambda lag: factories.user(role=roles.EDITOR, lag=lag),
    "coordinator_of_the_lag": lambda lag: factories.user(role=roles.COORDINATOR, lag=lag),
    "board": lambda lag: factories.user(role=roles.BOARD),
    "secretariat": lambda lag: factories.user(role=roles.SECRETARIAT),
}
# Who downloads a private file of an approved record; everyone downloads a publishable one.
PRIVATE_READERS = {"editor_of_the_lag", "coordinator_of_the_lag", "board", "secretariat"}


def activity_evidence(name, publishable, status=Status.APPROVED):
    activity = factories.activity(status=status)
    evidence = Evidence(activity=activity, file=SimpleUploadedFile(name, PDF), publishable=publishable)
    evidence.full_clean()
    evidence.save()
    return evidence


def log_in(client, who, lag):
    user = READERS[who](lag)
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("publishable", [False, True], ids=["private", "publishable"])
@pytest.mark.parametrize("who", list(READERS))
def test_an_approved_activitys_file_downloads_for_its_readers_and_publishable_ones_for_everyone(
    client, db, who, publishable
):
    evidence = activity_evidence("saraksts.pdf", publishable)
    log_in(client, who, evidence.activity.lag)

    response = client.get(f"/evidence/activity/{evidence.pk}/")

    expected = 200 if publishable or who in PRIVATE_READERS else 404
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        # a private file is never kept by a cache, not even the browser's
        assert response["Cache-Control"] == ("private, max-age=300" if publishable else "private, no-store")


@pytest.mark.parametrize("publishable", [False, True], ids=["private", "publishable"])
@pytest.mark.parametrize("who", list(READERS))
def test_an_approved_measurements_file_downloads_for_its_readers_and_publishable_ones_for_everyone(
    client, db, who, publishable
):
    measurement = factories.measurement(
        status=Status.APPROVED,
        evidence=SimpleUploadedFile("aptauja.png", PNG),
        evidence_publishable=publishable,
    )
    log_in(client, who, measurement.lag)

    response = client.get(f"/evidence/measurement/{measurement.pk}/")

    assert response.status_code == (200 if publishable or who in PRIVATE_READERS else 404)


def test_a_publishable_file_of_an_unapproved_record_is_still_private(client, db):
    evidence = activity_evidence("programma.pdf", True, status=Status.SUBMITTED)
    client.force_login(factories.user(role=roles.EDITOR, lag=factories.lag()))

    assert client.get(f"/evidence/activity/{evidence.pk}/").status_code == 404


def listed_files(page):
    """The evidence file names the record's page shows as download links."""
    return sorted(re.findall(r'<a href="/evidence/[^"]+">([^<]+)</a>', page))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("editor_of_another_lag", ["programma.pdf"]),
        ("coordinator_of_another_lag", ["programma.pdf"]),
        ("editor_of_the_lag", ["programma.pdf", "saraksts.pdf"]),
        ("coordinator_of_the_lag", ["programma.pdf", "saraksts.pdf"]),
        ("board", ["programma.pdf", "saraksts.pdf"]),
        ("secretariat", ["programma.pdf", "saraksts.pdf"]),
    ],
)
def test_the_admin_lists_another_lags_staff_only_the_publishable_files(client, db, who, expected):
    private = activity_evidence("saraksts.pdf", False)
    activity = private.activity
    Evidence.objects.create(
        activity=activity, file=SimpleUploadedFile("programma.pdf", PDF), publishable=True
    )
    log_in(client, who, activity.lag)

    page = client.get(f"/admin/strategy/activity/{activity.pk}/change/").content.decode()

    assert listed_files(page) == expected
    assert ("saraksts" in page) == ("saraksts.pdf" in expected)


@pytest.mark.parametrize(
    ("who", "shown"),
    [("editor_of_another_lag", False), ("editor_of_the_lag", True), ("board", True)],
)
def test_the_admin_shows_a_private_measurement_file_only_to_its_readers(client, db, who, shown):
    measurement = factories.measurement(
        status=Status.APPROVED, evidence=SimpleUploadedFile("aptauja.png", PNG)
    )
    log_in(client, who, measurement.lag)

    page = client.get(f"/admin/indicators/measurement/{measurement.pk}/change/").content.decode()

    assert ("aptauja" in page) == shown


def test_the_evidence_form_warns_about_personal_data_next_to_the_publishable_box(client, db):
    activity = factories.activity()
    client.force_login(factories.user(role=roles.EDITOR, lag=activity.lag))

    page = client.get(f"/admin/strategy/activity/{activity.pk}/change/").content.decode()

    assert 'name="evidence-0-publishable"' in page
    assert WARNING in page


def test_a_file_is_marked_publishable_in_the_activity_form(client, db):
    lag = factories.lag()
    client.force_login(factories.user(role=roles.EDITOR, lag=lag))
    response = client.post(
        "/admin/strategy/activity/add/",
        {
            "lag": lag.pk,
            "title_lv": "Talka Ambeļos",
            "activity_type": factories.activity_type().pk,
            "start_date": "05.03.2024",
            "funding_lines-TOTAL_FORMS": "0",
            "funding_lines-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "2",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-file": SimpleUploadedFile("programma.pdf", PDF),
            "evidence-0-publishable": "on",
            "evidence-1-file": SimpleUploadedFile("saraksts.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert sorted((e.file.display_name, e.publishable) for e in Evidence.objects.all()) == [
        ("programma.pdf", True),
        ("saraksts.pdf", False),
    ]


# --- the data migration ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_every_stored_file_of_an_approved_record_private(client):
    executor = MigrationExecutor(connection)
    before = [("strategy", "0002_semantics"), ("indicators", "0002_semantics")]
    after = [
        ("strategy", "0003_evidence_publishable"),
        ("indicators", "0003_measurement_evidence_publishable"),
    ]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    # Rows as they were stored before: an approved activity's and an approved measurement's file.
    lag = apps.get_model("partners", "LAG").objects.create(slug="vrg", name_lv="VRG", short_name_lv="VRG")
    kind = apps.get_model("strategy", "ActivityType").objects.create(code="talka", name_lv="Talka")
    activity = apps.get_model("strategy", "Activity").objects.create(
        lag=lag, activity_type=kind, title_lv="Talka", start_date="2024-03-05", status=Status.APPROVED
    )
    evidence = apps.get_model("strategy", "Evidence").objects.create(
        activity=activity, file="evidence/activities/vrg/0123456789abcdef-saraksts.pdf"
    )
    strategy = apps.get_model("strategy", "Strategy").objects.create(
        slug="s",
        title_lv="S",
        short_title_lv="S",
        period_start=2020,
        period_end=2026,
        vision_lv="-",
        mission_lv="-",
        long_term_goal_lv="-",
        short_term_goal_lv="-",
    )
    indicator = apps.get_model("indicators", "Indicator").objects.create(
        strategy=strategy,
        code="X1",
        kind="kpi",
        statement_lv="-",
        name_lv="X",
        definition_lv="-",
        unit="persons",
        source="reported",
        measure="stock",
    )
    measurement = apps.get_model("indicators", "Measurement").objects.create(
        indicator=indicator,
        lag=lag,
        year=2024,
        value=1,
        status=Status.APPROVED,
        evidence="evidence/measurements/vrg/0123456789abcdef-aptauja.png",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps

    assert apps.get_model("strategy", "Evidence").objects.get(pk=evidence.pk).publishable is False
    assert (
        apps.get_model("indicators", "Measurement").objects.get(pk=measurement.pk).evidence_publishable
        is False
    )
    # and so the public no longer reaches them
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert client.get(f"/evidence/activity/{evidence.pk}/").status_code == 404
    assert client.get(f"/evidence/measurement/{measurement.pk}/").status_code == 404


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_public_activity_page_lists_only_the_publishable_files(client, db, language):
    private = activity_evidence("saraksts.pdf", False)
    activity = private.activity
    public = Evidence.objects.create(
        activity=activity, file=SimpleUploadedFile("programma.pdf", PDF), publishable=True
    )

    page = client.get(f"/{language}/activities/{activity.pk}/").content.decode()

    assert re.findall(r'<a href="(/evidence/[^"]+)">([^<]+)</a>', page) == [
        (f"/evidence/activity/{public.pk}/", "programma.pdf")
    ]
    assert "saraksts" not in page
