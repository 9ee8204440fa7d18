"""Amounts and counts staff type in the admin (invariant 11): never a browser number field, always
the one server-side parser — in the activity form and its funding lines, the measurement form, the
target/baseline plan table and every other admin form with a decimal."""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from indicators.models import Baseline, Indicator, Measurement, Target
from partners import roles
from partners.models import LAG
from strategy.models import Activity, FundingLine
from tests import factories

NBSP = "\u00a0"
AMBIGUOUS_1234 = (
    "«1,234» var nozīmēt gan 1234, gan 1,234. Tūkstošus atdaliet ar atstarpi vai neatdaliet nemaz, "
    "decimāldaļu — ar komatu, piemēram, «1\u00a0234,50» vai «1234,50»."
)
# Years, positions in a list, priority numbers and ratings 1–5 are small whole numbers nobody groups
# in thousands: the browser's number field (with its arrows) suits them.
SMALL_WHOLE_NUMBERS = {
    "year",
    "order",
    "number",
    "rating",
    "founded_year",
    "period_start",
    "period_end",
    # days before a reporting deadline that its reminder goes out (#16)
    "remind_days_before",
}


def inputs(html):
    """Every <input> of a page as {attribute: value}, with "field": its name without a formset prefix."""
    found = []
    for tag in re.findall(r"<input\b[^>]*>", html):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        attributes.setdefault("name", "")
        attributes["field"] = re.sub(r"^.*-(\d+|__prefix__)-", "", attributes["name"])
        found.append(attributes)
    return found


def typed_number_fields(model_admin):
    """The model fields a person types an amount or a count into, in this admin and its inlines."""
    fields = set()
    for model in [model_admin.model, *(inline.model for inline in model_admin.inlines)]:
        for field in model._meta.get_fields():
            if (
                isinstance(
                    field, models.DecimalField | models.PositiveIntegerField | models.PositiveBigIntegerField
                )
                and field.editable
                and not field.auto_created
            ):
                fields.add(field.name)
    return fields


@pytest.fixture
def superuser(demo):
    return factories.user(is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def may_write(model_admin, user):
    request = RequestFactory().get("/")
    request.user = user
    return model_admin.has_add_permission(request) or model_admin.has_change_permission(request)


def test_every_admin_form_takes_amounts_and_counts_as_text_never_a_browser_number_field(
    superuser_client, superuser
):
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages = [reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        record = model._base_manager.order_by("pk").first()
        if record is not None:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
        typed = typed_number_fields(model_admin) if may_write(model_admin, superuser) else set()
        seen = set()
        for url in pages:
            response = superuser_client.get(url)
            if response.status_code != 200:
                continue  # read-only audit records and year closures have no form
            checked += 1
            for attributes in inputs(response.content.decode()):
                if attributes.get("type") == "number":
                    assert attributes["field"] in SMALL_WHOLE_NUMBERS, (url, attributes["name"])
                if attributes["field"] in typed:
                    seen.add(attributes["field"])
                    assert attributes.get("type") == "text", (url, attributes["name"])
                    assert attributes.get("inputmode") in ("decimal", "numeric"), (url, attributes["name"])
                    assert attributes.get("autocomplete") == "off", (url, attributes["name"])
        # every amount and count field was on a form checked here (none hides behind another widget)
        assert seen == typed, model
    assert checked >= 2 * 10


def test_the_plan_table_takes_values_as_text_and_only_years_as_number_fields(superuser_client):
    indicator = Indicator.objects.get(code="K4")
    page = superuser_client.get(reverse("admin:indicators_indicator_plan", args=[indicator.pk]))

    found = [a for a in inputs(page.content.decode()) if a["name"].startswith(("t_", "b_"))]
    assert {a["name"] for a in found if a["type"] == "number"} == {
        f"b_year_{scope}" for scope in ("joint", "kaimini", "kraslava", "preili")
    }
    # a joint override's reason is text, not a number
    values = [
        a for a in found if a["type"] != "number" and not a["name"].endswith(("_reason", "b_reason_joint"))
    ]
    assert len(values) == 4 * (7 + 1)  # joint and 3 LAGs × (7 years of targets + a baseline)
    assert {(a["type"], a["inputmode"], a["autocomplete"]) for a in values} == {("text", "decimal", "off")}


# --- the activity form, as a LAG editor ------------------------------------------------------


@pytest.fixture
def editor(db):
    lag = factories.lag(slug="musu")
    user = factories.user(role=roles.EDITOR, lag=lag)
    return user


def activity_data(activity_type, amount, participants="20"):
    return {
        "title_lv": "Talka Ambeļos",
        "activity_type": activity_type.pk,
        "start_date": "05.03.2024",
        "participants_total": participants,
        "funding_lines-TOTAL_FORMS": "1",
        "funding_lines-INITIAL_FORMS": "0",
        "funding_lines-0-source": FundingLine.Source.EAFRD,
        "funding_lines-0-amount": amount,
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("450,00", Decimal("450.00"), "450,00"),
        ("450.00", Decimal("450.00"), "450,00"),
        ("450", Decimal("450.00"), "450,00"),
        ("1 234,50", Decimal("1234.50"), f"1{NBSP}234,50"),
        (f"1{NBSP}234,50 €", Decimal("1234.50"), f"1{NBSP}234,50"),
        ("2.899.408,11", Decimal("2899408.11"), f"2{NBSP}899{NBSP}408,11"),
    ],
)
def test_activity_funding_amount_is_saved_exactly_as_typed_and_shown_back_the_latvian_way(
    client, editor, typed, stored, shown
):
    client.force_login(editor)
    activity_type = factories.activity_type()

    response = client.post(reverse("admin:strategy_activity_add"), activity_data(activity_type, typed))

    assert response.status_code == 302
    activity = Activity.objects.get()
    assert [line.amount for line in activity.funding_lines.all()] == [stored]
    page = client.get(reverse("admin:strategy_activity_change", args=[activity.pk])).content.decode()
    [amount] = [a for a in inputs(page) if a.get("name") == "funding_lines-0-amount"]
    assert amount["value"] == shown


def test_activity_with_an_ambiguous_amount_is_refused_in_latvian_and_nothing_is_written(client, editor):
    client.force_login(editor)
    activity_type = factories.activity_type()

    response = client.post(reverse("admin:strategy_activity_add"), activity_data(activity_type, "1,234"))

    assert response.status_code == 200
    page = response.content.decode()
    assert AMBIGUOUS_1234 in page
    [amount] = [a for a in inputs(page) if a.get("name") == "funding_lines-0-amount"]
    assert amount["value"] == "1,234"  # what was typed stays there to be corrected
    assert not Activity.objects.exists()
    assert not FundingLine.objects.exists()


def test_activity_participants_are_read_as_whole_numbers_the_latvian_way(client, editor):
    client.force_login(editor)
    activity_type = factories.activity_type()
    url = reverse("admin:strategy_activity_add")

    refused = client.post(url, activity_data(activity_type, "0", participants="1,234"))
    assert "«1,234» var nozīmēt gan 1234, gan 1,234." in refused.content.decode()
    assert not Activity.objects.exists()

    assert client.post(url, activity_data(activity_type, "0", participants="1 234")).status_code == 302
    activity = Activity.objects.get()
    assert activity.participants_total == 1234
    page = client.get(reverse("admin:strategy_activity_change", args=[activity.pk])).content.decode()
    [total] = [a for a in inputs(page) if a.get("name") == "participants_total"]
    assert (total["type"], total["inputmode"], total["value"]) == ("text", "numeric", f"1{NBSP}234")


# --- the measurement form, the target and baseline admins --------------------------------------


def test_measurement_value_numerator_and_denominator_are_parsed_the_latvian_way(client, editor):
    client.force_login(editor)
    members = factories.indicator(code="K4", unit=Indicator.Unit.MEMBERS)
    share = factories.indicator(code="K8", unit=Indicator.Unit.PERCENT, strategy=members.strategy)
    url = reverse("admin:indicators_measurement_add")
    data = {"indicator": members.pk, "year": "2024", "value": "1 234,50", "note": ""}

    assert client.post(url, data).status_code == 302
    assert (
        client.post(
            url, {**data, "indicator": share.pk, "value": "", "numerator": "1 234", "denominator": "4.000,00"}
        ).status_code
        == 302
    )
    refused = client.post(url, {**data, "year": "2023", "value": "1,234"})

    assert AMBIGUOUS_1234 in refused.content.decode()
    stored = {m.indicator.code: (m.value, m.numerator, m.denominator) for m in Measurement.objects.all()}
    assert stored == {
        "K4": (Decimal("1234.50"), None, None),
        "K8": (None, Decimal("1234.00"), Decimal("4000.00")),
    }


def test_target_and_baseline_admins_parse_values_the_latvian_way(client, db):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    indicator = factories.indicator()

    assert (
        client.post(
            reverse("admin:indicators_target_add"),
            # a joint target exists only as an override with its reason
            {"indicator": indicator.pk, "year": "2024", "value": "1 234,50", "reason": "Valdes lēmums"},
        ).status_code
        == 302
    )
    refused = client.post(
        reverse("admin:indicators_baseline_add"),
        {"indicator": indicator.pk, "year": "2019", "value": "1,234"},
    )

    assert AMBIGUOUS_1234 in refused.content.decode()
    assert list(Target.objects.values_list("value", flat=True)) == [Decimal("1234.50")]
    assert not Baseline.objects.exists()


def test_every_admin_form_field_for_an_amount_or_count_uses_the_one_parser(db):
    """The forms themselves, inlines included (a LAG's local strategies, an activity's funding lines)."""
    request = RequestFactory().get("/")
    request.user = factories.user(is_superuser=True)
    checked = []
    for model_admin in admin.site._registry.values():
        if not may_write(model_admin, request.user):
            continue  # read-only: the audit log, year snapshots and stored reports are never typed into
        forms = [model_admin.get_form(request)]
        forms += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form in forms:
            model_fields = {f.name: f for f in form._meta.model._meta.fields}
            for name, field in form.base_fields.items():
                model_field = model_fields.get(name)
                if isinstance(model_field, models.DecimalField):
                    assert field.clean("1 234,50") == Decimal("1234.50"), (form, name)
                elif isinstance(model_field, models.PositiveIntegerField):
                    assert field.clean("1 234") == 1234, (form, name)
                else:
                    continue
                with pytest.raises(ValidationError) as refused:
                    field.clean("1,234")
                assert refused.value.code == "ambiguous_number"
                checked.append(f"{form._meta.model.__name__}.{name}")
    assert sorted(checked) == [
        "Activity.participants_total",
        "Activity.participants_vulnerable",
        "Activity.participants_youth",
        "Baseline.value",
        "EstimateWeight.value",
        "FundingLine.amount",
        "LocalStrategy.amount",
        "Measurement.denominator",
        "Measurement.numerator",
        "Measurement.value",
        "Target.value",
    ]


# --- the plan table --------------------------------------------------------------------------


def test_plan_table_accepts_grouped_values_and_refuses_an_ambiguous_one_changing_nothing(client, db):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    lag = factories.lag(slug="musu")
    indicator = factories.indicator()
    url = reverse("admin:indicators_indicator_plan", args=[indicator.pk])

    assert (
        client.post(
            url,
            {
                f"t_2024_{lag.slug}": "1 234,50",
                "t_2025_joint": "2.899.408,11",
                "t_2025_joint_reason": "Valdes lēmums",
            },
        ).status_code
        == 302
    )
    refused = client.post(
        url,
        {f"t_2024_{lag.slug}": "1 234,50", "t_2026_joint": "1,234", "t_2026_joint_reason": "Valdes lēmums"},
    )

    assert refused.status_code == 200
    assert AMBIGUOUS_1234 in refused.content.decode()
    assert sorted(Target.objects.values_list("year", "lag__slug", "value")) == [
        (2024, "musu", Decimal("1234.50")),
        (2025, None, Decimal("2899408.11")),
    ]
    page = client.get(url).content.decode()
    [cell] = [a for a in inputs(page) if a.get("name") == "t_2025_joint"]
    assert cell["value"] == f"2{NBSP}899{NBSP}408,11"
    assert '<th scope="row">2024</th>' in page  # a year, not the number "2 024"
    assert LAG.objects.count() == 1
