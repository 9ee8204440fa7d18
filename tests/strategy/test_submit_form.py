"""«Iesniegt apstiprināšanai» on a record's page submits the change form itself: the edit goes through
the form's validation and save (version check included) and then the submit transition runs — or,
with an invalid form, nothing is saved or submitted and the errors show. Never a silent loss."""

import re

import pytest
from django.urls import reverse

from indicators.models import Indicator
from partners import roles
from strategy.models import Activity, StatusChange
from strategy.workflow import CONFLICT_MESSAGE, Status
from tests import factories

BUTTON = "_submit_for_approval"


@pytest.fixture
def editor(db):
    return factories.user(role=roles.EDITOR, lag=factories.lag(slug="musu"))


@pytest.fixture(params=["activity", "measurement"])
def draft(request, editor):
    if request.param == "activity":
        return factories.activity(lag=editor.lag, author=editor, title_lv="Talka")
    indicator = factories.indicator(code="K4", unit=Indicator.Unit.MEMBERS)
    return factories.measurement(lag=editor.lag, author=editor, indicator=indicator, note="Biedri.")


def url(record, action="change"):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[record.pk])


def form(record, **changes):
    if isinstance(record, Activity):
        data = {
            "edit_version": str(record.version),
            "title_lv": record.title_lv,
            "activity_type": record.activity_type_id,
            "start_date": "05.03.2024",
            "participants_total": "20",
            "participants_youth": "5",
            "participants_vulnerable": "2",
            "funding_lines-TOTAL_FORMS": "0",
            "funding_lines-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        }
    else:
        data = {
            "edit_version": str(record.version),
            "indicator": record.indicator_id,
            "year": str(record.year),
            "value": "10",
            "note": record.note,
        }
    data.update(changes)
    return data


def edit(record):
    """A field each kind of record has, changed."""
    return (
        {"title_lv": "Talka Aglonā"}
        if isinstance(record, Activity)
        else {"note": "Biedri 2024. gada beigās."}
    )


def text_of(record):
    record.refresh_from_db()
    return record.title_lv if isinstance(record, Activity) else record.note


def test_the_submit_button_is_inside_the_change_form(client, editor, draft):
    client.force_login(editor)
    page = client.get(url(draft)).content.decode()

    change_form = re.search(rf'<form [^>]*id="{draft._meta.model_name}_form".*?</form>', page, re.S).group(0)
    assert f'name="{BUTTON}"' in change_form
    assert "/workflow/submit/" not in page  # no second form that would send the status without the edit


def test_submitting_saves_the_edit_first(client, editor, draft):
    client.force_login(editor)
    response = client.post(url(draft), {**form(draft, **edit(draft)), BUTTON: "Iesniegt apstiprināšanai"})

    assert response.status_code == 302
    assert text_of(draft) == next(iter(edit(draft).values()))
    assert (draft.status, draft.submitted_by, draft.changed_by) == (Status.SUBMITTED, editor, editor)
    assert StatusChange.objects.filter(object_id=draft.pk, to_status=Status.SUBMITTED).count() == 1


def test_an_invalid_edit_is_neither_saved_nor_submitted(client, editor, draft):
    before = text_of(draft)
    invalid = (
        {"participants_youth": "50"}  # more youth than participants
        if isinstance(draft, Activity)
        else {"value": "", "numerator": "3"}  # a count indicator needs its value
    )
    client.force_login(editor)
    response = client.post(url(draft), {**form(draft, **edit(draft), **invalid), BUTTON: "Iesniegt"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert 'class="errorlist' in response.content.decode()
    assert text_of(draft) == before
    assert draft.status == Status.DRAFT
    assert not StatusChange.objects.exists()


def test_a_stale_form_is_neither_saved_nor_submitted(client, editor, draft):
    opened = form(draft, **edit(draft))
    other = type(draft).objects.get(pk=draft.pk)
    other.save()  # someone else saved meanwhile

    client.force_login(editor)
    response = client.post(url(draft), {**opened, BUTTON: "Iesniegt"})

    assert str(CONFLICT_MESSAGE) in response.content.decode()
    assert text_of(draft) != next(iter(edit(draft).values()))
    assert draft.status == Status.DRAFT


def test_a_new_record_can_be_saved_and_submitted_at_once(client, editor):
    activity_type = factories.activity_type()
    client.force_login(editor)
    data = {
        "title_lv": "Konsultācija",
        "activity_type": activity_type.pk,
        "start_date": "05.03.2024",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        BUTTON: "Saglabāt un iesniegt apstiprināšanai",
    }
    assert client.post(reverse("admin:strategy_activity_add"), data).status_code == 302

    record = Activity.objects.get()
    assert (record.title_lv, record.status, record.author, record.submitted_by) == (
        "Konsultācija",
        Status.SUBMITTED,
        editor,
        editor,
    )


def test_a_coordinator_who_submits_through_the_form_leaves_the_review_to_another(client, editor):
    coordinator = factories.user(role=roles.COORDINATOR, lag=editor.lag)
    draft = factories.activity(lag=editor.lag, author=editor)
    client.force_login(coordinator)
    client.post(url(draft), {**form(draft), BUTTON: "Iesniegt"})

    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (Status.SUBMITTED, coordinator)
    page = client.get(url(draft)).content.decode()
    assert "Jūs šo ierakstu iesniedzāt" in page
    assert "/workflow/approve/" not in page


def test_saving_and_submitting_says_so_in_agreement_with_the_records_noun(client, editor, draft):
    # Both nouns are feminine: «Aktivitāte … saglabāta», «Rādītāja vērtība … saglabāta».
    client.force_login(editor)

    response = client.post(url(draft), form(draft, **edit(draft), **{BUTTON: "1"}), follow=True)

    draft.refresh_from_db()
    name = draft._meta.verbose_name.capitalize()
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [f"{name} «{draft}» saglabāta un iesniegta apstiprināšanai."]
