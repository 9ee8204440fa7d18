"""Another LAG's staff see an approved record as the public does (invariant 12): not its unapproved
versions (the change history) and not its status log with the return notes.

Tried: an activity whose summary held a personal code before it was corrected and approved, and whose
return note repeated it (both stored before codes were refused, as old data may be); opened in the admin
by an editor and a coordinator of another LAG (change page, workflow panel, history list, one old
version), by the LAG's own coordinator and by the board (who still read the history)."""

import pytest

from partners import roles
from strategy.models import Activity, StatusChange
from strategy.workflow import Status
from tests import factories

CODE = "120385-11223"


@pytest.fixture
def corrected_activity(db):
    """Approved after its personal code was removed; the earlier versions and the note keep it."""
    activity = factories.activity(summary_lv=f"Vadīja Anna Kalniņa ({CODE})", status=Status.SUBMITTED)
    activity.status = Status.RETURNED
    activity.return_note = f"Izņemiet personas kodu {CODE}"
    activity.save()
    activity.summary_lv = "Vadīja Anna Kalniņa"
    activity.return_note = ""
    activity.status = Status.APPROVED
    activity.save()
    coordinator = factories.user(role=roles.COORDINATOR, lag=activity.lag)
    StatusChange.objects.create(
        record=activity,
        from_status=Status.SUBMITTED,
        to_status=Status.RETURNED,
        by=coordinator,
        note=f"Izņemiet personas kodu {CODE}",
    )
    return activity


def admin_pages(client, activity):
    """Every admin page of the record: its change page (with the workflow panel), its history list,
    and each of its stored versions."""
    base = f"/admin/strategy/activity/{activity.pk}"
    urls = [f"{base}/change/", f"{base}/history/"]
    urls += [f"{base}/history/{version.pk}/" for version in Activity.history.filter(id=activity.pk)]
    return {url: client.get(url) for url in urls}


@pytest.mark.parametrize("role", [roles.EDITOR, roles.COORDINATOR])
def test_another_lags_staff_see_no_earlier_version_and_no_return_note(client, corrected_activity, role):
    client.force_login(factories.user(role=role, lag=factories.lag()))

    pages = admin_pages(client, corrected_activity)

    change = pages.pop(f"/admin/strategy/activity/{corrected_activity.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert "Vadīja Anna Kalniņa" in page  # the approved record itself, as the public sees it
    assert "/history/" not in page  # no link to the history
    assert "Statusa maiņas" not in page  # no status log in the workflow panel
    assert len(pages) >= 3
    for url, response in pages.items():
        assert response.status_code == 403, url
        assert "Ieraksta izmaiņu vēsture ir pieejama tikai tās VRG darbiniekiem" in response.content.decode()
    for response in [change, *pages.values()]:
        assert CODE not in response.content.decode()


@pytest.mark.parametrize("who", ["coordinator_of_the_lag", "board"])
def test_the_lags_own_staff_and_the_board_still_read_the_history(client, corrected_activity, who):
    users = {
        "coordinator_of_the_lag": lambda: factories.user(role=roles.COORDINATOR, lag=corrected_activity.lag),
        "board": lambda: factories.user(role=roles.BOARD),
    }
    client.force_login(users[who]())

    pages = admin_pages(client, corrected_activity)

    assert {response.status_code for response in pages.values()} == {200}
    change = pages[f"/admin/strategy/activity/{corrected_activity.pk}/change/"].content.decode()
    assert "Statusa maiņas" in change
    assert f"Izņemiet personas kodu {CODE}" in change  # the status log's note
    history = pages[f"/admin/strategy/activity/{corrected_activity.pk}/history/"].content.decode()
    assert CODE in history  # the summary's earlier version


def test_another_lags_editor_cannot_open_a_measurements_history(client, db):
    measurement = factories.measurement(note=f"Aptaujāja {CODE}")
    measurement.note = "Aptauja"
    measurement.status = Status.APPROVED
    measurement.save()
    client.force_login(factories.user(role=roles.EDITOR, lag=factories.lag()))
    base = f"/admin/indicators/measurement/{measurement.pk}"

    change = client.get(f"{base}/change/")
    history = client.get(f"{base}/history/")

    assert change.status_code == 200
    assert "/history/" not in change.content.decode()
    assert history.status_code == 403
    assert CODE not in change.content.decode() + history.content.decode()
