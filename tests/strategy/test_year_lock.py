"""A closed year is read-only through every path (invariant 9), with a Latvian message."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from indicators.models import Measurement, Target, YearSnapshot
from indicators.yearend.services import close_year, reopen_year
from partners import roles
from strategy.models import Activity, Evidence, FundingLine, YearClosure
from strategy.year_lock import ClosedYearError, is_locked, locked_message
from tests import factories

MESSAGE = "2024. gads ir slēgts"


@pytest.fixture
def board(db):
    return factories.user(role=roles.BOARD)


@pytest.fixture
def closed_2024(strategy, board):
    """An activity, a funding line, a measurement and a target of 2024, then 2024 closed."""
    records = {}
    records["activity"] = factories.activity(start_date=date(2024, 5, 1))
    records["funding"] = factories.funding_line(activity=records["activity"])
    records["measurement"] = factories.measurement(year=2024)
    records["target"] = factories.target(year=2024)
    records["open_activity"] = factories.activity(start_date=date(2025, 5, 1))
    close_year(year=2024, by=board, acknowledge_unapproved=True)  # they are drafts
    return records


def assert_refused(error):
    assert MESSAGE in " ".join(error.value.messages)


def test_direct_save_of_a_closed_year_activity_is_refused(closed_2024):
    activity = Activity.objects.get(pk=closed_2024["activity"].pk)
    activity.title_lv = "Labots"
    with pytest.raises(ClosedYearError) as error:
        activity.save()
    assert_refused(error)
    assert Activity.objects.get(pk=activity.pk).title_lv != "Labots"


def test_creating_an_activity_in_a_closed_year_is_refused(closed_2024):
    with pytest.raises(ValidationError) as error:
        factories.activity(start_date=date(2024, 12, 31))
    assert_refused(error)


def test_moving_an_activity_into_a_closed_year_is_refused(closed_2024):
    activity = closed_2024["open_activity"]
    activity.start_date = date(2024, 6, 1)
    with pytest.raises(ClosedYearError):
        activity.save()
    assert Activity.objects.get(pk=activity.pk).start_date == date(2025, 5, 1)


def test_moving_an_activity_out_of_a_closed_year_is_refused(closed_2024):
    activity = Activity.objects.get(pk=closed_2024["activity"].pk)
    activity.start_date = date(2025, 6, 1)
    with pytest.raises(ClosedYearError):
        activity.save()


def test_an_open_year_activity_can_still_be_edited(closed_2024):
    activity = closed_2024["open_activity"]
    activity.title_lv = "Labots"
    activity.save()
    assert Activity.objects.get(pk=activity.pk).title_lv == "Labots"


@pytest.mark.parametrize("key", ["funding", "measurement", "target"])
def test_saving_and_deleting_a_closed_year_record_is_refused(closed_2024, key):
    record = closed_2024[key]
    with pytest.raises(ClosedYearError) as error:
        record.save()
    assert_refused(error)
    with pytest.raises(ClosedYearError):
        record.delete()
    assert type(record).objects.filter(pk=record.pk).exists()


def test_new_funding_line_and_evidence_of_a_closed_year_activity_are_refused(closed_2024):
    activity = closed_2024["activity"]
    with pytest.raises(ClosedYearError):
        FundingLine.objects.create(activity=activity, source="eafrd", amount=Decimal("1.00"))
    evidence = Evidence(activity=activity, description="Saraksts")
    with pytest.raises(ClosedYearError):
        evidence.file.save("saraksts.pdf", ContentFile(b"%PDF-1.4"), save=True)
    assert not Evidence.objects.filter(activity=activity).exists()


def test_new_measurement_and_target_in_a_closed_year_are_refused(closed_2024):
    with pytest.raises(ClosedYearError):
        factories.measurement(year=2024)
    with pytest.raises(ClosedYearError):
        factories.target(year=2024)


def test_deleting_through_the_queryset_is_refused(closed_2024):
    with pytest.raises(ClosedYearError):
        Activity.objects.filter(pk=closed_2024["activity"].pk).delete()
    with pytest.raises(ClosedYearError):
        Measurement.objects.all().delete()
    assert Activity.objects.filter(pk=closed_2024["activity"].pk).exists()
    assert Measurement.objects.count() == 1


def test_bulk_update_is_refused(closed_2024):
    with pytest.raises(ClosedYearError):
        Activity.objects.all().update(status="approved")
    with pytest.raises(ClosedYearError):
        Target.objects.filter(year=2024).update(value=Decimal("1"))
    with pytest.raises(ClosedYearError):
        FundingLine.objects.update(amount=Decimal("1"))
    assert Activity.objects.get(pk=closed_2024["activity"].pk).status == "draft"
    # an update of open years only goes through
    assert Activity.objects.filter(start_date__year=2025).update(venue="Krāslava") == 1


def test_changing_the_territory_of_a_closed_year_activity_is_refused(closed_2024):
    unit = factories.territory_unit()
    # Django sends m2m_changed inside its own transaction: the refusal rolls back to the savepoint.
    with pytest.raises(ClosedYearError), transaction.atomic():
        closed_2024["activity"].territory_units.add(unit)
    with pytest.raises(ClosedYearError), transaction.atomic():
        unit.activities.add(closed_2024["activity"])
    assert closed_2024["activity"].territory_units.count() == 0


def test_permission_helpers_report_the_lock(closed_2024):
    assert is_locked(closed_2024["activity"])
    assert not is_locked(closed_2024["open_activity"])
    assert locked_message(closed_2024["measurement"]).startswith(MESSAGE)
    assert locked_message(closed_2024["open_activity"]) is None


def test_reopening_unlocks_and_is_logged(closed_2024, board):
    reopen_year(year=2024, by=board, reason="Kaimiņi iesniedza kļūdainu dalībnieku skaitu.")
    activity = Activity.objects.get(pk=closed_2024["activity"].pk)
    activity.title_lv = "Labots pēc atvēršanas"
    activity.save()
    closure = YearClosure.objects.get(year=2024)
    assert (closure.reopened_by, closure.reopen_reason) == (
        board,
        "Kaimiņi iesniedza kļūdainu dalībnieku skaitu.",
    )
    assert closure.reopened_at is not None


def test_reopening_needs_a_reason(closed_2024, board):
    with pytest.raises(ValidationError) as error:
        reopen_year(year=2024, by=board, reason="  ")
    assert "iemeslu" in " ".join(error.value.messages)
    assert YearClosure.objects.in_force().filter(year=2024).exists()


def test_only_the_board_or_secretariat_closes_a_year(strategy):
    coordinator = factories.user(role=roles.COORDINATOR)
    with pytest.raises(PermissionDenied):
        close_year(year=2023, by=coordinator)
    assert not YearClosure.objects.exists()


def test_closing_twice_keeps_earlier_snapshots(closed_2024, board):
    first = YearSnapshot.objects.get(year=2024)
    with pytest.raises(ValidationError):
        close_year(year=2024, by=board)
    reopen_year(year=2024, by=board, reason="Labojums")
    second = close_year(year=2024, by=board, acknowledge_unapproved=True)
    assert list(YearSnapshot.objects.filter(year=2024).order_by("created_at", "id")) == [first, second]
    assert YearClosure.objects.filter(year=2024).count() == 2


def test_a_snapshot_cannot_be_edited(closed_2024):
    snapshot = YearSnapshot.objects.get(year=2024)
    snapshot.data = {}
    with pytest.raises(ValidationError):
        snapshot.save()


# --- the admin: add, change, delete, list actions -----------------------------------------------


@pytest.fixture
def admin_client(client, closed_2024):
    client.force_login(factories.user(is_superuser=True))
    return client


def _activity_form(activity, **changes):
    data = {
        "edit_version": activity.version,
        "lag": activity.lag_id,
        "title_lv": activity.title_lv,
        "activity_type": activity.activity_type_id,
        "start_date": activity.start_date.strftime("%d.%m.%Y"),
        "participants_total": "20",
        "participants_youth": "5",
        "participants_vulnerable": "2",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_admin_change_of_a_closed_year_activity_is_refused(admin_client, closed_2024):
    activity = closed_2024["activity"]
    response = admin_client.post(
        f"/admin/strategy/activity/{activity.pk}/change/",
        _activity_form(activity, title_lv="Labots"),
    )
    assert response.status_code == 403  # refused, with the reason on the page
    assert MESSAGE in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).title_lv == activity.title_lv


def test_admin_add_in_a_closed_year_is_refused(admin_client, closed_2024):
    activity = closed_2024["open_activity"]
    before = Activity.objects.count()
    response = admin_client.post(
        "/admin/strategy/activity/add/", _activity_form(activity, start_date="01.07.2024", title_lv="Jauna")
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert Activity.objects.count() == before


def test_admin_delete_of_a_closed_year_record_is_refused(admin_client, closed_2024):
    measurement = closed_2024["measurement"]
    url = f"/admin/indicators/measurement/{measurement.pk}/delete/"
    response = admin_client.post(url, {"post": "yes"}, HTTP_REFERER=url, follow=True)
    assert MESSAGE in response.content.decode()
    assert Measurement.objects.filter(pk=measurement.pk).exists()


def test_admin_delete_selected_action_is_refused(admin_client, closed_2024):
    activity = closed_2024["activity"]
    response = admin_client.post(
        "/admin/strategy/activity/",
        {"action": "delete_selected", "_selected_action": [activity.pk], "post": "yes"},
        HTTP_REFERER="/admin/strategy/activity/",
        follow=True,
    )
    assert MESSAGE in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_admin_year_page_closes_and_reopens(client, strategy, board):
    board.is_staff = True
    board.save()
    client.force_login(board)
    page = client.get("/admin/strategy/yearclosure/")
    assert page.status_code == 200
    assert "Slēgt 2023. gadu" in page.content.decode()
    assert (
        "Neapstiprinātu 2023. gada ierakstu nav"
        in client.get("/admin/strategy/yearclosure/2023/close/").content.decode()
    )
    client.post("/admin/strategy/yearclosure/2023/close/")
    assert YearClosure.objects.in_force().filter(year=2023).exists()
    assert YearSnapshot.objects.filter(year=2023).count() == 1
    client.post("/admin/strategy/yearclosure/2023/reopen/", {"reason": ""})
    assert YearClosure.objects.in_force().filter(year=2023).exists()
    client.post("/admin/strategy/yearclosure/2023/reopen/", {"reason": "Jāpapildina Preiļu dati."})
    assert not YearClosure.objects.in_force().filter(year=2023).exists()
