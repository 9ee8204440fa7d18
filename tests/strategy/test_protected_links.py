"""Nothing a record points to can be deleted — a priority, a parish or town, a municipality, an activity
type, an indicator, or a strategy whose priorities records name —, in every year: the deletion is
refused (PROTECT) and the admin's delete page lists the records in Latvian. Deleting them used to
remove the activity's links silently, changing the record (a closed year's too) through a related
object. The activity's own deletion still takes its links with it."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from indicators.yearend.services import close_year
from partners import roles
from partners.models import Municipality
from strategy.models import Activity, Priority, Strategy
from strategy.workflow import Status
from tests import factories


@pytest.fixture
def world(db):
    strategy = factories.strategy()
    unit = factories.territory_unit(name="Aglonas pagasts")
    activity = factories.activity(
        lag=unit.lag, title_lv="Talka Aglonā", status=Status.APPROVED, start_date=date(2024, 5, 1)
    )
    priority = factories.priority(strategy=strategy, number=1, title_lv="Pilsoniskā līdzdalība")
    whole = factories.municipality(name_lv="Preiļu novads", era=Municipality.Era.CURRENT)
    activity.priorities.add(priority)
    activity.territory_units.add(unit)
    activity.municipalities.add(whole)
    return {"strategy": strategy, "activity": activity, "priority": priority, "unit": unit, "whole": whole}


def links(activity):
    activity = Activity.objects.get(pk=activity.pk)
    return (
        list(activity.priorities.values_list("pk", flat=True)),
        list(activity.territory_units.values_list("pk", flat=True)),
        list(activity.municipalities.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("year_closed", [False, True], ids=["open-year", "closed-year"])
@pytest.mark.parametrize("target", ["priority", "unit", "whole", "strategy", "activity_type"])
def test_deleting_what_an_activity_points_to_is_refused(world, target, year_closed):
    if year_closed:
        close_year(year=2024, by=factories.user(is_superuser=True), strategy=world["strategy"])
    before = links(world["activity"])
    obj = world["activity"].activity_type if target == "activity_type" else world[target]

    with pytest.raises(ProtectedError), transaction.atomic():
        obj.delete()

    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert links(world["activity"]) == before


def test_deleting_an_indicator_that_measurements_point_to_is_refused(db):
    measurement = factories.measurement(year=2023)
    with pytest.raises(ProtectedError), transaction.atomic():
        measurement.indicator.delete()
    assert measurement.indicator.__class__.objects.filter(pk=measurement.indicator_id).exists()


def test_deleting_a_draft_activity_takes_its_links_with_it(world):
    activity = world["activity"]
    activity.status = Status.DRAFT
    activity.save()
    through = Activity.priorities.through

    activity.delete()

    assert not through.objects.exists()
    assert Priority.objects.filter(pk=world["priority"].pk).exists()


def test_an_unused_priority_can_still_be_deleted(world):
    spare = factories.priority(strategy=world["strategy"], number=4)
    spare.delete()
    assert not Priority.objects.filter(pk=spare.pk).exists()


@pytest.mark.parametrize(
    ("target", "url_name"),
    [
        ("priority", "strategy_priority_delete"),
        ("unit", "partners_territoryunit_delete"),
        ("whole", "partners_municipality_delete"),
        ("strategy", "strategy_strategy_delete"),
    ],
)
def test_the_admin_delete_page_lists_the_records_in_latvian_and_deletes_nothing(
    client, world, target, url_name
):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    obj = world[target]
    url = reverse(f"admin:{url_name}", args=[obj.pk])

    page = client.get(url).content.decode()
    assert "Talka Aglonā" in page
    assert {
        "priority": "Aktivitātes prioritāte",
        "unit": "Aktivitātes pagasts vai pilsēta",
        "whole": "Aktivitātes novads",
        "strategy": "Aktivitātes prioritāte",
    }[target] in page
    client.post(url, {"post": "yes"})
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert Strategy.objects.filter(pk=world["strategy"].pk).exists()
    assert links(world["activity"])[0] == [world["priority"].pk]


def test_the_admin_activity_form_still_edits_the_links(client, world):
    editor = factories.user(role=roles.EDITOR, lag=world["activity"].lag)
    draft = factories.activity(lag=editor.lag, author=editor, activity_type=world["activity"].activity_type)
    other_unit = factories.territory_unit(lag=editor.lag, name="Rušonas pagasts")
    client.force_login(editor)
    data = {
        "edit_version": str(draft.version),
        "title_lv": draft.title_lv,
        "activity_type": draft.activity_type_id,
        "start_date": "05.03.2024",
        "participants_total": "20",
        "territory_units": [world["unit"].pk, other_unit.pk],
        "municipalities": [world["whole"].pk],
        "priorities": [world["priority"].pk],
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    page = client.get(reverse("admin:strategy_activity_change", args=[draft.pk])).content.decode()
    assert (
        'name="territory_units"' in page and 'name="priorities"' in page and 'name="municipalities"' in page
    )

    response = client.post(reverse("admin:strategy_activity_change", args=[draft.pk]), data)

    assert response.status_code == 302
    assert links(draft) == (
        [world["priority"].pk],
        sorted([world["unit"].pk, other_unit.pk]),
        [world["whole"].pk],
    )
