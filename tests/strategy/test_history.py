"""The change history (django-simple-history): who changed which field from what to what, and when —
including the translated fields modeltranslation adds (title_lv, title_en)."""

import re
from decimal import Decimal

from indicators.models import Indicator, Measurement, Target
from partners import roles
from strategy import services
from strategy.models import Activity
from tests import factories


def test_historical_models_carry_the_translated_fields(db):
    fields = {f.name for f in Activity.history.model._meta.get_fields()}
    assert {"title_lv", "title_en", "summary_lv", "summary_en"} <= fields
    assert {"name_lv", "name_en"} <= {f.name for f in Indicator.history.model._meta.get_fields()}
    assert Measurement.history.model and Target.history.model


def test_a_title_lv_change_in_the_admin_is_recorded_with_user_old_and_new(client, db):
    lag = factories.lag()
    editor = factories.user(role=roles.EDITOR, lag=lag)
    activity = factories.activity(lag=lag, author=editor, title_lv="Talka Ambeļos")
    client.force_login(editor)
    data = {
        "edit_version": activity.version,
        "title_lv": "Talka Ambeļu pagastā",
        "activity_type": activity.activity_type.pk,
        "start_date": "05.03.2024",
        "participants_total": "20",
        "participants_youth": "5",
        "participants_vulnerable": "2",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    assert client.post(f"/admin/strategy/activity/{activity.pk}/change/", data).status_code == 302

    latest = activity.history.first()
    delta = latest.diff_against(latest.prev_record)
    changed = {(c.field, c.old, c.new) for c in delta.changes}
    assert ("title_lv", "Talka Ambeļos", "Talka Ambeļu pagastā") in changed
    assert latest.history_user == editor
    services.submit(activity, by=editor)
    page = client.get(f"/admin/strategy/activity/{activity.pk}/history/").content.decode()
    # the title change and the status change, each with its old and new value
    arrow = r"\s*&nbsp;&rarr;&nbsp;&nbsp;"
    assert re.search(f"Talka Ambeļos{arrow}Talka Ambeļu pagastā", page)
    assert re.search(f"melnraksts{arrow}iesniegts", page)


def test_target_and_indicator_changes_are_recorded(db):
    target = factories.target(value=Decimal("10"))
    target.value = Decimal("12")
    target.save()
    indicator = target.indicator
    indicator.name_lv = "Jauns nosaukums"
    indicator.save()

    assert [h.value for h in target.history.all()] == [Decimal("12"), Decimal("10")]
    assert indicator.history.first().name_lv == "Jauns nosaukums"
