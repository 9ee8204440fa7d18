"""No lost updates: two people who open the same activity or measurement in the admin cannot
overwrite each other. The first save wins; the second gets a Latvian conflict message and the
first one's data stays — in the change form (inlines included), through the record's save(), and
when a save races between the form's check and the write."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from indicators.models import Indicator, Measurement
from partners import roles
from strategy import services
from strategy.models import Activity, FundingLine
from strategy.workflow import CONFLICT_MESSAGE, EditConflict
from tests import factories


@pytest.fixture
def people(db):
    lag = factories.lag(slug="musu")
    return {
        "lag": lag,
        "anna": factories.user(role=roles.EDITOR, lag=lag),
        "juris": factories.user(role=roles.EDITOR, lag=lag),
        "coordinator": factories.user(role=roles.COORDINATOR, lag=lag),
    }


def session(user):
    client = Client()
    client.force_login(user)
    return client


def opened_version(client, url):
    """Open the change form as a browser would and return the hidden version it carries."""
    page = client.get(url).content.decode()
    match = re.search(r'<input type="hidden" name="edit_version" value="(\d+)"', page)
    assert match, "the change form carries the version it was opened at"
    return match.group(1)


def activity_form(activity, version, title, funding=()):
    data = {
        "edit_version": version,
        "title_lv": title,
        "activity_type": activity.activity_type_id,
        "start_date": "05.03.2024",
        "participants_total": "20",
        "funding_lines-TOTAL_FORMS": str(len(funding)),
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    for n, amount in enumerate(funding):
        data[f"funding_lines-{n}-source"] = FundingLine.Source.EAFRD
        data[f"funding_lines-{n}-amount"] = amount
    return data


def conflict_shown(response):
    return str(CONFLICT_MESSAGE) in response.content.decode()


def test_activity_second_save_of_the_same_version_is_refused_and_the_first_stays(people):
    activity = factories.activity(lag=people["lag"], author=people["anna"], title_lv="Talka")
    url = f"/admin/strategy/activity/{activity.pk}/change/"
    anna, juris = session(people["anna"]), session(people["juris"])
    anna_version, juris_version = opened_version(anna, url), opened_version(juris, url)
    assert anna_version == juris_version == "1"

    first = anna.post(url, activity_form(activity, anna_version, "Talka Ambeļos"))
    second = juris.post(url, activity_form(activity, juris_version, "Talka Biķerniekos"))

    assert first.status_code == 302
    assert second.status_code == 200  # the form again, with his input and the message
    assert conflict_shown(second)
    assert "Talka Biķerniekos" in second.content.decode()
    activity.refresh_from_db()
    assert (activity.title_lv, activity.version) == ("Talka Ambeļos", 2)
    # Reopened, the form carries the new version and his save goes through.
    assert juris.post(url, activity_form(activity, opened_version(juris, url), "Talka 2")).status_code == 302
    activity.refresh_from_db()
    assert (activity.title_lv, activity.version) == ("Talka 2", 3)


def test_activity_inline_changes_of_a_stale_form_are_not_saved(people):
    activity = factories.activity(lag=people["lag"], author=people["anna"], title_lv="Talka")
    url = f"/admin/strategy/activity/{activity.pk}/change/"
    anna, juris = session(people["anna"]), session(people["juris"])
    anna_version, juris_version = opened_version(anna, url), opened_version(juris, url)

    assert (
        anna.post(url, activity_form(activity, anna_version, "Talka", funding=["100.00"])).status_code == 302
    )
    second = juris.post(url, activity_form(activity, juris_version, "Talka", funding=["999.00"]))

    assert conflict_shown(second)
    assert list(FundingLine.objects.values_list("amount", flat=True)) == [Decimal("100.00")]


def test_a_form_opened_before_a_workflow_transition_cannot_save_over_it(people):
    """Juris opens the draft; Anna submits it and the coordinator returns it with a note. The
    record is editable again, but Juris's form still holds the draft he read."""
    activity = factories.activity(lag=people["lag"], author=people["anna"], title_lv="Talka")
    url = f"/admin/strategy/activity/{activity.pk}/change/"
    juris = session(people["juris"])
    version = opened_version(juris, url)
    services.submit(activity, by=people["anna"])
    services.return_record(activity, by=people["coordinator"], note="Precizējiet nosaukumu.")

    response = juris.post(url, activity_form(activity, version, "Labots pēc atgriešanas"))

    assert conflict_shown(response)
    activity.refresh_from_db()
    assert (activity.title_lv, activity.return_note) == ("Talka", "Precizējiet nosaukumu.")


def test_a_change_form_post_without_a_version_is_refused(people):
    activity = factories.activity(lag=people["lag"], author=people["anna"], title_lv="Talka")
    url = f"/admin/strategy/activity/{activity.pk}/change/"
    data = activity_form(activity, "", "Bez versijas")
    del data["edit_version"]

    response = session(people["anna"]).post(url, data)

    assert conflict_shown(response)
    assert Activity.objects.get(pk=activity.pk).title_lv == "Talka"


def test_measurement_second_save_of_the_same_version_is_refused(people):
    indicator = factories.indicator(code="K4", unit=Indicator.Unit.MEMBERS)
    measurement = factories.measurement(lag=people["lag"], indicator=indicator, author=people["anna"])
    url = f"/admin/indicators/measurement/{measurement.pk}/change/"
    anna, juris = session(people["anna"]), session(people["juris"])
    anna_version, juris_version = opened_version(anna, url), opened_version(juris, url)

    def form(version, value):
        return {
            "edit_version": version,
            "indicator": indicator.pk,
            "year": "2024",
            "value": value,
            "note": "",
        }

    assert anna.post(url, form(anna_version, "57")).status_code == 302
    second = juris.post(url, form(juris_version, "75"))

    assert conflict_shown(second)
    assert Measurement.objects.get(pk=measurement.pk).value == Decimal("57")


def test_a_save_racing_between_the_form_check_and_the_write_is_refused(people, monkeypatch):
    """The form's check passed, but another save landed before ours: the atomic version claim in
    save() refuses it, the admin rolls back (inlines too) and says why."""
    activity = factories.activity(lag=people["lag"], author=people["anna"], title_lv="Talka")
    url = f"/admin/strategy/activity/{activity.pk}/change/"
    anna = session(people["anna"])
    version = opened_version(anna, url)

    from strategy.admin_workflow.admins import WorkflowAdmin

    save_model = WorkflowAdmin.save_model

    def someone_else_saves_first(self, request, obj, form, change):
        other = Activity.objects.get(pk=obj.pk)
        other.title_lv = "Cita lietotāja labojums"
        other.save()
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(WorkflowAdmin, "save_model", someone_else_saves_first)
    response = anna.post(url, activity_form(activity, version, "Mans labojums", funding=["10"]), follow=True)

    assert conflict_shown(response)
    # In a test both saves share one connection, so the other's save is rolled back with ours;
    # what matters is that ours (the title and the inline) was not written.
    assert Activity.objects.get(pk=activity.pk).title_lv != "Mans labojums"
    assert not FundingLine.objects.exists()


def test_saving_a_stale_copy_raises_edit_conflict_and_a_fresh_one_saves(people):
    activity = factories.activity(lag=people["lag"], author=people["anna"], title_lv="Talka")
    first, second = Activity.objects.get(pk=activity.pk), Activity.objects.get(pk=activity.pk)
    first.title_lv = "Pirmais"
    first.save()

    second.title_lv = "Otrais"
    with pytest.raises(EditConflict):
        second.save()
    assert Activity.objects.get(pk=activity.pk).title_lv == "Pirmais"
    assert (first.version, Activity.objects.get(pk=activity.pk).version) == (2, 2)


def test_service_transitions_raise_the_version_and_keep_the_callers_copy_current(people):
    activity = factories.activity(lag=people["lag"], author=people["anna"])
    services.submit(activity, by=people["anna"])
    assert activity.version == Activity.objects.get(pk=activity.pk).version == 2
    services.approve(activity, by=people["coordinator"])
    assert activity.version == 3
