"""The activity and funding tallies the progress engine reads stay exactly what aggregating the activities gives,
whichever path writes: single saves and deletes, workflow transitions, bulk writes, queryset updates and
deletes, an import, a restore, the load generator — and a long random mix of them."""

import io
import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from partners import roles
from partners.models import LAG, Municipality, TerritoryUnit
from strategy import services, tallies
from strategy.models import (
    Activity,
    ActivityPlaceTally,
    ActivityPriorityTally,
    ActivityTally,
    ActivityType,
    FundingLine,
    FundingTally,
    Priority,
)
from strategy.workflow import Status
from tests import factories

pytestmark = pytest.mark.django_db


def exact():
    """The stored tallies equal a from-scratch aggregation of the approved activities."""
    assert tallies.differences() == []
    return True


def tally(activity_type, lag, year):
    return ActivityTally.objects.filter(activity_type=activity_type, lag=lag, year=year).first()


def by_source(activity_type, lag, year):
    """{source: amount} of one funding tally slice."""
    return dict(
        FundingTally.objects.filter(activity_type=activity_type, lag=lag, year=year).values_list(
            "source", "amount"
        )
    )


REVIEWED = timezone.make_aware(datetime(2024, 4, 1, 12, 0))


def approved(**overrides):
    overrides.setdefault("status", Status.APPROVED)
    overrides.setdefault("reviewed_at", REVIEWED)
    return factories.activity(**overrides)


@pytest.fixture
def lag():
    return factories.lag()


@pytest.fixture
def kind():
    return factories.activity_type()


def test_approved_activity_counts_and_draft_does_not(lag, kind):
    approved(lag=lag, activity_type=kind, participants_total=30, participants_youth=10)
    approved(lag=lag, activity_type=kind, participants_total=12, participants_youth=None)
    factories.activity(lag=lag, activity_type=kind, participants_total=500)  # a draft
    row = tally(kind, lag, 2024)
    assert (row.activities, row.participants, row.youth) == (2, 42, 10)
    # the youth share counts only activities that recorded their youth
    assert (row.share_youth, row.share_total) == (10, 30)
    assert row.last_reviewed == REVIEWED
    assert exact()


def test_workflow_transitions_move_an_activity_in_and_out(lag, kind):
    coordinator = factories.user(role=roles.COORDINATOR, lag=lag)
    editor = factories.user(role=roles.EDITOR, lag=lag)
    activity = factories.activity(lag=lag, activity_type=kind, author=editor, participants_total=40)
    factories.funding_line(activity=activity, amount=Decimal("250.50"))
    services.submit(activity, by=editor)
    assert tally(kind, lag, 2024) is None  # submitted is not approved
    services.approve(activity, by=coordinator)
    row = tally(kind, lag, 2024)
    assert (row.activities, row.participants, row.funding) == (1, 40, Decimal("250.50"))
    services.reopen(activity, by=coordinator, reason="Jālabo dalībnieku skaits.")
    assert tally(kind, lag, 2024) is None
    assert exact()


def test_edits_moves_and_deletes_of_approved_activities(lag, kind):
    other_lag, other_kind = factories.lag(), factories.activity_type()
    activity = approved(lag=lag, activity_type=kind, participants_total=20, participants_youth=5)
    keep = approved(lag=lag, activity_type=kind, participants_total=7, participants_youth=1)
    activity.participants_total = 25
    activity.save()
    assert tally(kind, lag, 2024).participants == 32
    activity.start_date = date(2023, 6, 1)  # to another year
    activity.save()
    assert tally(kind, lag, 2024).participants == 7
    assert tally(kind, lag, 2023).participants == 25
    activity.lag, activity.activity_type = other_lag, other_kind  # to another LAG and type
    activity.save()
    assert tally(kind, lag, 2023) is None
    assert tally(other_kind, other_lag, 2023).activities == 1
    activity.delete()
    assert tally(other_kind, other_lag, 2023) is None
    Activity.objects.filter(pk=keep.pk).delete()
    assert not ActivityTally.objects.exists()
    assert exact()


def test_funding_lines_of_approved_activities(lag, kind):
    activity = approved(lag=lag, activity_type=kind)
    draft = factories.activity(lag=lag, activity_type=kind)
    line = factories.funding_line(activity=activity, amount=Decimal("1000.10"))
    factories.funding_line(activity=activity, amount=Decimal("0.05"), source=FundingLine.Source.MUNICIPALITY)
    factories.funding_line(activity=draft, amount=Decimal("999"))
    assert tally(kind, lag, 2024).funding == Decimal("1000.15")
    line.amount = Decimal("10.00")
    line.save()
    assert tally(kind, lag, 2024).funding == Decimal("10.05")
    line.activity = draft  # moved to an activity that is not approved
    line.save()
    assert tally(kind, lag, 2024).funding == Decimal("0.05")
    FundingLine.objects.filter(activity=activity).delete()
    assert tally(kind, lag, 2024).funding == 0
    assert exact()


def test_funding_tallies_keep_each_source_through_every_write(lag, kind):
    coordinator = factories.user(role=roles.COORDINATOR, lag=lag)
    activity = approved(lag=lag, activity_type=kind)
    draft = factories.activity(lag=lag, activity_type=kind)
    line = factories.funding_line(
        activity=activity, amount=Decimal("100.10"), source=FundingLine.Source.EAFRD
    )
    factories.funding_line(activity=activity, amount=Decimal("0.05"), source=FundingLine.Source.MUNICIPALITY)
    factories.funding_line(activity=draft, amount=Decimal("999"), source=FundingLine.Source.EAFRD)
    assert by_source(kind, lag, 2024) == {"eafrd": Decimal("100.10"), "municipality": Decimal("0.05")}
    line.source = FundingLine.Source.STATE
    line.save()
    assert by_source(kind, lag, 2024) == {"state": Decimal("100.10"), "municipality": Decimal("0.05")}
    FundingLine.objects.filter(activity=activity).update(amount=Decimal("2.00"))
    assert by_source(kind, lag, 2024) == {"state": Decimal("2.00"), "municipality": Decimal("2.00")}
    FundingLine.objects.bulk_create([FundingLine(activity=activity, source=FundingLine.Source.OWN, amount=1)])
    assert by_source(kind, lag, 2024)["own"] == Decimal(1)
    Activity.objects.filter(pk=activity.pk).update(start_date=date(2023, 6, 1))
    assert (by_source(kind, lag, 2024), set(by_source(kind, lag, 2023))) == (
        {},
        {"state", "municipality", "own"},
    )
    assert exact()
    services.reopen(Activity.objects.get(pk=activity.pk), by=coordinator, reason="Jālabo finansējums.")
    assert by_source(kind, lag, 2023) == {}
    assert exact()


def test_check_command_reports_a_tampered_funding_tally_and_rebuild_repairs_it(lag, kind):
    factories.funding_line(activity=approved(lag=lag, activity_type=kind), amount=Decimal("10.00"))
    call_command("tallies", stdout=io.StringIO())
    FundingTally.objects.update(amount=Decimal("11.00"))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 kopsummas neatbilst"):
        call_command("tallies", stdout=io.StringIO(), stderr=errors)
    assert "eafrd" in errors.getvalue()
    call_command("tallies", "--rebuild", stdout=io.StringIO())
    assert by_source(kind, lag, 2024) == {"eafrd": Decimal("10.00")}


def test_bulk_paths_send_no_signals_and_still_count(lag, kind):
    made = Activity.objects.bulk_create(
        [
            Activity(
                lag=lag,
                activity_type=kind,
                title_lv=f"A{n}",
                start_date=date(2022, 1 + n % 12, 1),
                participants_total=n,
                status=Status.APPROVED if n % 2 else Status.DRAFT,
            )
            for n in range(1, 41)
        ]
    )
    assert tally(kind, lag, 2022).activities == 20
    FundingLine.objects.bulk_create(
        [FundingLine(activity=a, source=FundingLine.Source.EAFRD, amount=Decimal("1.01")) for a in made]
    )
    assert tally(kind, lag, 2022).funding == Decimal("20.20")
    for a in made:
        a.participants_total = 1
    Activity.objects.bulk_update(made, ["participants_total"])
    assert tally(kind, lag, 2022).participants == 20
    Activity.objects.filter(lag=lag).update(status=Status.APPROVED)
    assert tally(kind, lag, 2022).activities == 40
    FundingLine.objects.filter(activity__lag=lag).update(amount=Decimal("2.00"))
    assert tally(kind, lag, 2022).funding == Decimal("80.00")
    Activity.objects.filter(pk__in=[a.pk for a in made[:10]]).update(start_date=date(2021, 5, 5))
    assert (tally(kind, lag, 2021).activities, tally(kind, lag, 2022).activities) == (10, 30)
    assert exact()


def test_an_import_refreshes_once_and_exactly(strategy):
    from strategy.resources import ActivityResource

    kaimini = LAG.objects.get(slug="kaimini")
    kind = factories.activity_type(code="talka", name_lv="Talka")
    approved(lag=kaimini, activity_type=kind, start_date=date(2024, 5, 1))
    editor = factories.user(role=roles.EDITOR, lag=kaimini)
    dataset = ActivityResource(user=editor).export(Activity.objects.none())
    result = ActivityResource(user=editor).import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )
    assert not result.has_errors()
    assert exact()


def test_restore_and_load_generator_rebuild(strategy, tmp_path):
    call_command("generate_load", "--scale", "1", stdout=io.StringIO())
    assert ActivityTally.objects.filter(activities__gt=0).exists()
    assert exact()
    call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=io.StringIO())
    call_command("restore", str(tmp_path / "b.tar.gz"), "--force", stdout=io.StringIO())
    assert ActivityTally.objects.exists()
    assert exact()
    call_command("generate_load", "--remove", stdout=io.StringIO())
    assert exact()


def test_check_command_reports_a_tampered_tally_and_rebuild_repairs_it(lag, kind):
    approved(lag=lag, activity_type=kind, participants_total=10)
    call_command("tallies", stdout=io.StringIO())  # agrees: no error
    ActivityTally.objects.update(participants=11)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 kopsummas neatbilst"):
        call_command("tallies", stdout=io.StringIO(), stderr=errors)
    assert "glabātā kopsumma" in errors.getvalue()
    call_command("tallies", "--rebuild", stdout=io.StringIO())
    assert tally(kind, lag, 2024).participants == 10


def test_tallies_stay_exact_through_random_writes(strategy):
    """Two hundred seeded random writes through every path; every twenty the tallies are exact."""
    rng = random.Random(2026)
    lags = list(LAG.objects.all())
    kinds = list(ActivityType.objects.all())
    units = list(TerritoryUnit.objects.all())
    municipalities = list(Municipality.objects.all())
    priorities = list(Priority.objects.all())
    coordinator_of = {lag.pk: factories.user(role=roles.COORDINATOR, lag=lag) for lag in lags}
    editor_of = {lag.pk: factories.user(role=roles.EDITOR, lag=lag) for lag in lags}
    for step in range(200):
        action = rng.choice(
            [
                "create",
                "approve",
                "edit",
                "fund",
                "reopen",
                "delete",
                "bulk",
                "update",
                "place",
                "whole",
                "priority",
            ]
        )
        pool = list(Activity.objects.order_by("pk"))
        if action == "create" or not pool:
            lag = rng.choice(lags)
            factories.activity(
                lag=lag,
                activity_type=rng.choice(kinds),
                author=editor_of[lag.pk],
                start_date=date(rng.randint(2020, 2026), rng.randint(1, 12), 1),
                participants_total=rng.randint(0, 50),
                participants_youth=0,
                participants_vulnerable=None,
            )
            continue
        activity = rng.choice(pool)
        if action == "approve" and activity.status == Status.DRAFT:
            services.submit(activity, by=editor_of[activity.lag_id])
            services.approve(activity, by=coordinator_of[activity.lag_id])
        elif action == "edit":
            activity.participants_total = rng.randint(0, 80)
            activity.start_date = date(rng.randint(2020, 2026), 2, 2)
            activity.save()
        elif action == "fund":
            factories.funding_line(
                activity=activity,
                amount=Decimal(rng.randint(0, 100000)) / 100,
                source=rng.choice(FundingLine.Source.values),
            )
        elif action == "reopen" and activity.status == Status.APPROVED:
            services.reopen(activity, by=coordinator_of[activity.lag_id], reason="Pārbaude.")
        elif action == "delete":
            activity.delete()
        elif action == "bulk":
            Activity.objects.bulk_create(
                [
                    Activity(
                        lag=activity.lag,
                        activity_type=activity.activity_type,
                        title_lv="B",
                        start_date=activity.start_date,
                        participants_total=rng.randint(1, 9),
                        status=Status.APPROVED,
                    )
                    for _ in range(rng.randint(1, 5))
                ]
            )
        elif action == "place":
            activity.territory_units.set(rng.sample(units, k=rng.randint(0, 2)))
        elif action == "whole":
            activity.municipalities.set(rng.sample(municipalities, k=rng.randint(0, 1)))
        elif action == "priority":
            activity.priorities.set(rng.sample(priorities, k=rng.randint(0, 2)))
        elif action == "update":
            Activity.objects.filter(lag=activity.lag).update(participants_total=rng.randint(0, 30))
        if step % 20 == 19:
            assert exact()
    assert ActivityTally.objects.exists()
    assert FundingTally.objects.values("source").distinct().count() > 1
    assert ActivityPriorityTally.objects.exists()


def test_priorities_count_each_linked_activity_through_every_path(lag, kind):
    first, second = factories.priority(), factories.priority()
    other_kind = factories.activity_type()

    def linked(priority, year=2024, activity_type=kind):
        row = ActivityPriorityTally.objects.filter(
            priority=priority, lag=lag, year=year, activity_type=activity_type
        ).first()
        return row.activities if row else 0

    one = approved(lag=lag, activity_type=kind)
    one.priorities.set([first, second])  # counts under each
    two = approved(lag=lag, activity_type=kind)
    two.priorities.add(first)
    draft = factories.activity(lag=lag, activity_type=kind)
    draft.priorities.set([first])  # not approved: not counted
    assert (linked(first), linked(second)) == (2, 1)
    assert tallies.approved_count(priority=first) == 2
    assert tallies.approved_count(priority=first, lag=lag, year=2024, activity_type__code=kind.code) == 2
    assert tallies.approved_count(priority=first, year=2023) == 0
    second.activities.add(two)  # from the priority's side
    assert linked(second) == 2
    second.activities.clear()
    assert linked(second) == 0
    two.start_date = date(2023, 6, 1)  # another year
    two.activity_type = other_kind
    two.save()
    assert (linked(first), linked(first, 2023, other_kind)) == (1, 1)
    coordinator = factories.user(role=roles.COORDINATOR, lag=lag)
    services.reopen(one, by=coordinator, reason="Jālabo prioritātes.")
    assert linked(first) == 0
    Activity.objects.filter(pk=one.pk).update(status=Status.APPROVED)  # a bulk path
    assert linked(first) == 1
    one.refresh_from_db()
    one.priorities.remove(first)
    assert linked(first) == 0
    two.delete()
    assert linked(first, 2023, other_kind) == 0
    assert exact()


def test_places_parishes_whole_municipalities_and_unplaced(lag, kind):
    old = factories.municipality(era=Municipality.Era.STRATEGY)
    new = factories.municipality(era=Municipality.Era.CURRENT)
    other_new = factories.municipality(era=Municipality.Era.CURRENT)
    parish = factories.territory_unit(lag=lag, municipality_2009=old, municipality_2021=new)
    town = factories.territory_unit(lag=lag, municipality_2009=old, municipality_2021=other_new)
    in_parish = approved(lag=lag, activity_type=kind, participants_total=10)
    in_parish.territory_units.set([parish])
    whole = approved(lag=lag, activity_type=kind, participants_total=100)
    whole.municipalities.set([new])  # covers the parish, so also the parish's 2009 municipality
    approved(
        lag=lag, activity_type=kind, participants_total=1, participants_youth=0, participants_vulnerable=0
    )  # no place

    def place(municipality):
        row = ActivityPlaceTally.objects.filter(municipality=municipality, lag=lag, year=2024).first()
        return (row.activities, row.participants) if row else None

    assert place(old) == (2, 110)
    assert place(new) == (2, 110)
    assert place(other_new) is None
    assert place(None) == (1, 1)
    in_parish.territory_units.add(town)  # now touches other_new too, still once in old
    assert (place(old), place(other_new)) == ((2, 110), (1, 10))
    town.activities.clear()  # from the parish's side
    assert place(other_new) is None
    parish.municipality_2021 = other_new  # a parish moved to another municipality
    parish.save()
    assert place(new) is None  # no parish left in it: the whole-municipality record touches nothing there
    assert place(other_new) == (1, 10)
    assert Activity.objects.approved().in_municipality(old).count() == place(old)[0]
    for municipality in (old, new, other_new):
        hashed = Activity.objects.approved().in_municipality(municipality)
        probed = Activity.objects.approved().in_municipality(municipality, probe=True)
        assert list(probed.order_by("pk").values_list("pk", flat=True)) == list(
            hashed.order_by("pk").values_list("pk", flat=True)
        )
    assert exact()


@pytest.mark.parametrize("near_rows", [2500, 60, 0])
def test_municipality_filter_lists_and_counts_the_same_activities(client, strategy, monkeypatch, near_rows):
    """Every page, whichever of the filter's two plans reads it (near either end: the per-activity
    probe; deeper: the hashed ids)."""
    from strategy.paging import ActivityPaginator

    monkeypatch.setattr(ActivityPaginator, "NEAR_ROWS", near_rows)
    call_command("generate_load", "--scale", "1", stdout=io.StringIO())
    municipality = Municipality.objects.filter(era=Municipality.Era.CURRENT).order_by("slug").first()
    url = f"/lv/activities/?municipality={municipality.era}:{municipality.slug}&year=2024"
    first = client.get(url)
    paginator = first.context["page"].paginator
    listed = set()
    for number in paginator.page_range:
        listed |= {a.pk for a in client.get(f"{url}&page={number}").context["page"].object_list}
    expected = set(
        Activity.objects.approved()
        .in_municipality(municipality)
        .filter(start_date__year=2024)
        .values_list("pk", flat=True)
    )
    assert paginator.count == len(listed) == len(expected) > 0
    assert listed == expected


def test_activity_list_counts_from_tallies_equal_the_listed_activities(client, strategy):
    call_command("generate_load", "--scale", "1", stdout=io.StringIO())
    kraslava = LAG.objects.get(slug="kraslava")
    kind = ActivityType.objects.order_by("code").first()
    approved_activities = Activity.objects.approved()
    for query, expected in (
        ("", approved_activities),
        ("?lag=kraslava", approved_activities.filter(lag=kraslava)),
        ("?lag=kraslava&year=2024", approved_activities.filter(lag=kraslava, start_date__year=2024)),
        (
            f"?type={kind.code}&year=2021",
            approved_activities.filter(activity_type=kind, start_date__year=2021),
        ),
        ("?priority=2", approved_activities.filter(priorities__number=2)),
        (
            f"?priority=3&lag=kraslava&type={kind.code}&year=2022",
            approved_activities.filter(
                priorities__number=3, lag=kraslava, activity_type=kind, start_date__year=2022
            ),
        ),
    ):
        page = client.get(f"/lv/activities/{query}").context["page"]
        assert page.paginator.count == expected.count() > 0, query


def test_a_prioritys_page_counts_its_activities_from_the_tally(client, strategy):
    call_command("generate_load", "--scale", "1", stdout=io.StringIO())
    for priority in Priority.objects.all():
        response = client.get(f"/lv/priorities/{priority.number}/")
        expected = Activity.objects.approved().filter(priorities=priority).count()
        assert response.context["activity_count"] == expected
    assert expected > 0
