"""The activity search: without diacritics both ways, the same in the public list and the staff admin,
never showing what is not approved; on PostgreSQL read from its trigram index (``strategy.search``)."""

from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategy import search
from strategy.models import Activity, ActivityType
from strategy.workflow import Status
from tests import factories


@pytest.fixture
def kind(strategy):
    return ActivityType.objects.first() or factories.activity_type()


def _activity(kind, status=Status.APPROVED, **fields):
    return factories.activity(activity_type=kind, status=status, **fields)


def _public(client, query):
    response = client.get("/lv/activities/", {"q": query})
    assert response.status_code == 200
    return {a.title_lv for a in response.context["page"].object_list}


def test_a_search_without_diacritics_finds_the_latvian_words(client, kind):
    _activity(kind, title_lv="Jauniešu forums Ķepovā")
    _activity(kind, title_lv="Pavasara talka", venue="Šķeltovas pagasts")
    _activity(kind, title_lv="Cits pasākums")

    assert _public(client, "jauniesu") == {"Jauniešu forums Ķepovā"}
    assert _public(client, "JAUNIESU kepova") == {"Jauniešu forums Ķepovā"}
    assert _public(client, "skeltovas") == {"Pavasara talka"}


def test_a_search_with_diacritics_finds_words_written_without_them(client, kind):
    _activity(kind, title_lv="Talka pie ezera")
    _activity(kind, title_lv="Jauniesu diena", summary_en="Youth day")

    assert _public(client, "Talkā") == {"Talka pie ezera"}
    assert _public(client, "jauniešu") == {"Jauniesu diena"}
    assert _public(client, "YOUTH") == {"Jauniesu diena"}


def test_every_term_must_occur_in_some_field_and_quotes_keep_a_phrase(client, kind):
    _activity(kind, title_lv="Talka", venue="Krāslava")
    _activity(kind, title_lv="Talka Preiļos")
    _activity(kind, title_lv="Krāslavas talka")

    assert _public(client, "talka kraslava") == {"Talka", "Krāslavas talka"}
    assert _public(client, '"kraslavas talka"') == {"Krāslavas talka"}
    assert _public(client, '"talka kraslava"') == set()  # the title and the venue are not one text


def test_a_search_for_wildcards_finds_them_literally(client, kind):
    _activity(kind, title_lv="Atlaide 50% jauniešiem")
    _activity(kind, title_lv="Atlaide 500 jauniešiem")
    _activity(kind, title_lv="Fails a_b")
    _activity(kind, title_lv="Fails axb")

    assert _public(client, "50%") == {"Atlaide 50% jauniešiem"}
    assert _public(client, "a_b") == {"Fails a_b"}


def test_what_is_not_approved_or_was_withdrawn_is_never_found_publicly(client, kind):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
        _activity(kind, status=status, title_lv=f"Slepena talka {status}")
    withdrawn = _activity(kind, title_lv="Atsaukta talka")
    assert _public(client, "talka") == {"Atsaukta talka"}

    withdrawn.status = Status.DRAFT
    withdrawn.save()
    assert _public(client, "talka") == set()


@pytest.mark.parametrize("query", ["jauniesu", "Talkā", "talka kraslava", '"pavasara talka"', "zzz"])
def test_the_admin_search_finds_what_the_public_search_finds(client, kind, query):
    lag = factories.lag()
    titles = [
        ("Pavasara talka Krāslavā", "", ""),
        ("Jauniešu forums", "Youth forum", ""),
        ("Talka", "", "Krāslava"),
        ("Koncerts", "", "Talkas laukums"),
        ("Seminārs", "", ""),
    ]
    for n, (title, title_en, venue) in enumerate(titles):
        _activity(
            kind, lag=lag, title_lv=title, title_en=title_en, venue=venue, start_date=date(2024, 1, 1 + n)
        )
    client.force_login(factories.user(is_superuser=True))
    response = client.get(reverse("admin:strategy_activity_changelist"), {"q": query})
    assert response.status_code == 200
    staff = {a.title_lv for a in response.context["cl"].result_list}
    client.logout()

    assert staff == _public(client, query)
    assert staff == {a.title_lv for a in search.search(Activity.objects.all(), query)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_postgresql_reads_the_search_from_its_trigram_index(kind):
    _activity(kind, title_lv="Jauniešu talka")
    queryset = search.search(Activity.objects.order_by(), "jauniesu")
    with connection.cursor() as cursor:
        # the test's few rows would be read whole: ask whether the index *can* serve the search
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "activity_search_trgm" in plan
    assert [a.title_lv for a in queryset] == ["Jauniešu talka"]


def test_the_admin_list_pages_are_djangos_pages_at_a_constant_query_count(client, kind):
    """The staff list reads a page's ids first (strategy.paging) and counts once: every page holds
    what Django's OFFSET page holds, and the last page costs the queries of the second."""
    lag = factories.lag()
    for n in range(130):
        status = [Status.DRAFT, Status.APPROVED][n % 2]
        _activity(kind, lag=lag, status=status, start_date=date(2024, 1, 1 + n % 28))
    client.force_login(factories.user(is_superuser=True))
    url = reverse("admin:strategy_activity_changelist")
    expected = list(Activity.objects.order_by("-start_date", "-id").values_list("pk", flat=True))
    counts = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"p": page})
        counts.append(len(queries))
        assert [a.pk for a in response.context["cl"].result_list] == expected[(page - 1) * 50 : page * 50]
        assert response.context["cl"].result_count == 130
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_sqlite_search_table_follows_every_insert_update_and_delete(kind):
    def found(query):
        return set(search.search(Activity.objects.all(), query).values_list("pk", flat=True))

    first = _activity(kind, title_lv="Ziemas talka")
    bulk = Activity.objects.bulk_create(
        [Activity(lag=first.lag, activity_type=kind, title_lv="Ziemas koncerts", start_date=date(2024, 2, 1))]
    )[0]
    assert found("ziemas") == {first.pk, bulk.pk}

    first.title_lv = "Vasaras talka"
    first.save()
    Activity.objects.filter(pk=bulk.pk).update(venue="Šķeltova")
    assert found("ziemas") == {bulk.pk}
    assert found("vasaras") == {first.pk}
    assert found("skeltova") == {bulk.pk}

    Activity.objects.filter(pk=bulk.pk).delete()
    assert found("ziemas") == set()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {search.FTS_TABLE}")
        assert {row[0] for row in cursor.fetchall()} == set(Activity.objects.values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_sqlite_reads_the_search_from_its_fts_table(kind):
    plan = str(search.search(Activity.objects.order_by(), "jauniesu").query)
    assert f"{search.FTS_TABLE} MATCH" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_sqlite_triggers_come_back_after_a_migration_rebuilt_the_table(kind):
    """SQLite rebuilds a table a migration alters, and drops its triggers with the old table: after
    ``migrate`` (post_migrate) they are there again, and new activities are found."""
    with connection.cursor() as cursor:
        for trigger in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_{trigger}")
    post_migrate.send(
        sender=apps.get_app_config("strategy"),
        app_config=apps.get_app_config("strategy"),
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )
    activity = _activity(kind, title_lv="Rudens talka")
    assert set(search.search(Activity.objects.all(), "rudens").values_list("pk", flat=True)) == {activity.pk}
