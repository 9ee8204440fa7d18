"""A closed year is frozen completely (invariant 9, issue #13): besides its own records, the targets up to
it, every baseline and the indicators' definitions (rule, measure, source, unit, direction, funding
sources, activity types) shaped its figures, so they are refused for edit on every path — model save and
clean (forms, the admin), ``QuerySet.update()``, deletion, the activity-type links from both sides, the
plan table and a re-run of ``load_strategy`` — with a Latvian message naming the closed year and saying
that the board can reopen it. An indicator's texts stay editable, and reopening the year lifts the lock."""

import json
import shutil
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from indicators.management.commands import load_strategy
from indicators.models import Baseline, Indicator, Target
from indicators.yearend.services import close_year, reopen_year
from strategy.models import ActivityType
from tests import factories

CLOSED = 2023
MESSAGE = f"{CLOSED}. gads ir slēgts"
REOPEN = "Gadu var atvērt no jauna valde"


@pytest.fixture
def world(db):
    strategy = factories.strategy()
    lag = factories.lag(slug="musu")
    forum, training = factories.activity_type(code="forum"), factories.activity_type(code="training")
    indicator = factories.indicator(
        strategy=strategy,
        code="K2",
        source=Indicator.Source.ACTIVITIES,
        rule=Indicator.Rule.PARTICIPANTS,
        unit=Indicator.Unit.PERSONS,
    )
    indicator.activity_types.set([forum])
    targets = {
        year: factories.target(indicator=indicator, lag=lag, year=year, value=Decimal(year - 2000))
        for year in (2022, 2023, 2024)
    }
    baseline = factories.baseline(indicator=indicator, lag=lag, year=2019, value=Decimal("5"))
    board = factories.user(is_superuser=True)
    close_year(year=CLOSED, by=board, strategy=strategy)
    return {
        "strategy": strategy,
        "lag": lag,
        "indicator": indicator,
        "forum": forum,
        "training": training,
        "targets": targets,
        "baseline": baseline,
        "board": board,
    }


def refused(call):
    """The call is refused with the closed-year message (in a savepoint: an m2m change or a cascade is
    refused inside Django's transaction, which the test goes on using)."""
    with pytest.raises(ValidationError) as error, transaction.atomic():
        call()
    message = " ".join(error.value.messages)
    assert MESSAGE in message and REOPEN in message
    return message


# --- targets and baselines ---------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2022, 2023], ids=["before-the-closed-year", "the-closed-year"])
def test_a_target_up_to_the_closed_year_is_read_only_on_every_path(world, year):
    target = Target.objects.get(pk=world["targets"][year].pk)
    target.value = Decimal("99")
    refused(target.full_clean)
    refused(target.save)
    refused(target.delete)
    refused(lambda: Target.objects.filter(pk=target.pk).update(value=Decimal("99")))
    refused(lambda: Target.objects.filter(pk=target.pk).delete())
    later = world["targets"][2024]
    refused(lambda: Target.objects.filter(pk=later.pk).update(year=year))  # moved into the frozen years
    refused(
        lambda: Target(
            indicator=world["indicator"], lag=factories.lag(), year=year, value=Decimal("1")
        ).full_clean()
    )
    assert Target.objects.get(pk=target.pk).value == world["targets"][year].value


def test_joint_overrides_are_frozen_like_the_lags_values(world):
    with transaction.atomic():  # made while the year was open
        reopen_year(year=CLOSED, by=world["board"], reason="Kopējās vērtības", strategy=world["strategy"])
        target = factories.target(indicator=world["indicator"], year=2022, value=Decimal("50"))
        baseline = factories.baseline(indicator=world["indicator"], year=2019, value=Decimal("9"))
        close_year(year=CLOSED, by=world["board"], strategy=world["strategy"])
    for row in (target, baseline):
        row.reason = "Cits pamatojums"
        refused(row.save)
        refused(lambda row=row: type(row).objects.filter(pk=row.pk).update(value=Decimal("1")))
        refused(row.delete)


def test_a_target_after_the_closed_year_stays_editable(world):
    target = world["targets"][2024]
    target.value = Decimal("30")
    target.full_clean()
    target.save()
    assert Target.objects.filter(pk=target.pk).update(value=Decimal("31")) == 1


def test_a_baseline_is_read_only_while_any_year_is_closed_whatever_its_year(world):
    baseline = Baseline.objects.get(pk=world["baseline"].pk)  # dated 2019, before every closed year
    baseline.value = Decimal("6")
    refused(baseline.full_clean)
    refused(baseline.save)
    refused(baseline.delete)
    refused(lambda: Baseline.objects.filter(pk=baseline.pk).update(value=Decimal("6")))
    refused(lambda: Baseline.objects.filter(pk=baseline.pk).delete())
    refused(
        lambda: Baseline(
            indicator=world["indicator"], lag=factories.lag(), year=2025, value=Decimal("1")
        ).full_clean()
    )
    assert Baseline.objects.get(pk=baseline.pk).value == Decimal("5")


def test_reopening_the_year_lifts_the_lock(world):
    reopen_year(year=CLOSED, by=world["board"], reason="Labojums", strategy=world["strategy"])
    assert Baseline.objects.filter(pk=world["baseline"].pk).update(value=Decimal("6")) == 1
    assert Target.objects.filter(pk=world["targets"][2022].pk).update(value=Decimal("6")) == 1
    indicator = Indicator.objects.get(pk=world["indicator"].pk)
    indicator.unit = Indicator.Unit.ACTIVITIES
    indicator.save()
    indicator.activity_types.add(world["training"])


# --- the plan table --------------------------------------------------------------------------------


def plan_page_data(page):
    """What the browser sends back: every enabled input, as shown."""
    import re

    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if name and "disabled" not in tag and 'type="submit"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = value.group(1) if value else ""
    return data


@pytest.mark.parametrize(
    "change",
    [
        {"t_2022_musu": "99"},
        {"b_value_musu": "6"},
        {"b_year_joint": "2019", "b_value_joint": "1", "b_reason_joint": "Pamatojums"},
    ],
    ids=["target-before-the-closed-year", "baseline", "new-joint-baseline"],
)
def test_the_plan_table_refuses_frozen_targets_and_baselines(client, world, change):
    client.force_login(world["board"])
    url = reverse("admin:indicators_indicator_plan", args=[world["indicator"].pk])
    data = plan_page_data(client.get(url).content.decode())
    before = (
        sorted(Target.objects.values_list("year", "lag_id", "value")),
        sorted(Baseline.objects.values_list("year", "lag_id", "value")),
    )

    response = client.post(url, {**data, **change})

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert before == (
        sorted(Target.objects.values_list("year", "lag_id", "value")),
        sorted(Baseline.objects.values_list("year", "lag_id", "value")),
    )


# --- an indicator's definition ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("rule", Indicator.Rule.COUNT),
        ("unit", Indicator.Unit.ACTIVITIES),
        ("direction", Indicator.Direction.DECREASE),
        ("funding_sources", ["eafrd"]),
    ],
)
def test_an_indicators_definition_is_read_only_on_model_and_bulk_paths(world, field, value):
    indicator = Indicator.objects.get(pk=world["indicator"].pk)
    setattr(indicator, field, value)
    message = refused(indicator.save)
    assert "definīciju" in message
    refused(lambda: Indicator.objects.filter(pk=indicator.pk).update(**{field: value}))
    stored = Indicator.objects.get(pk=indicator.pk)
    assert getattr(stored, field) == getattr(world["indicator"], field)


def test_an_indicators_measure_is_read_only_too(world):
    stock = factories.indicator(strategy=world["strategy"], code="K4", measure=Indicator.Measure.STOCK)
    stock.measure = Indicator.Measure.FLOW  # a valid definition, but not the one the closed year used
    refused(stock.full_clean)
    refused(stock.save)
    refused(lambda: Indicator.objects.filter(pk=stock.pk).update(measure=Indicator.Measure.FLOW))
    assert Indicator.objects.get(pk=stock.pk).measure == Indicator.Measure.STOCK


def test_an_indicators_source_is_read_only_too(world):
    indicator = Indicator.objects.get(pk=world["indicator"].pk)
    indicator.source, indicator.rule = Indicator.Source.REPORTED, ""
    refused(indicator.full_clean)
    refused(indicator.save)


def test_an_indicators_texts_stay_editable(world):
    indicator = Indicator.objects.get(pk=world["indicator"].pk)
    indicator.name_lv = "Jauns nosaukums"
    indicator.method_lv = "Precizēta metode"
    indicator.full_clean()
    indicator.save()
    assert Indicator.objects.filter(pk=indicator.pk).update(definition_lv="Jauna definīcija") == 1
    # an update that leaves a definition field as it is changes nothing frozen
    assert Indicator.objects.filter(pk=indicator.pk).update(unit=indicator.unit) == 1
    indicator.activity_types.set([world["forum"]])  # the same types: nothing to refuse


def test_an_indicator_that_shaped_a_closed_year_cannot_be_deleted(world):
    indicator = world["indicator"]
    refused(indicator.delete)
    refused(lambda: Indicator.objects.filter(pk=indicator.pk).delete())
    assert Indicator.objects.filter(pk=indicator.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w["indicator"].activity_types.add(w["training"]),
        lambda w: w["indicator"].activity_types.remove(w["forum"]),
        lambda w: w["indicator"].activity_types.set([w["training"]]),
        lambda w: w["indicator"].activity_types.clear(),
        lambda w: w["training"].indicators.add(w["indicator"]),
        lambda w: w["forum"].indicators.remove(w["indicator"]),
        lambda w: w["forum"].indicators.clear(),
        lambda w: w["training"].indicators.set([w["indicator"]]),
    ],
    ids=["add", "remove", "set", "clear", "reverse-add", "reverse-remove", "reverse-clear", "reverse-set"],
)
def test_an_indicators_activity_types_are_read_only_from_both_sides(world, change):
    refused(lambda: change(world))
    assert list(world["indicator"].activity_types.all()) == [world["forum"]]


def test_an_activity_type_without_indicators_can_be_cleared(world):
    world["training"].indicators.clear()  # nothing to clear: nothing refused


def admin_form_data(form, **changes):
    """The admin change form as a browser sends it back unchanged, with ``changes``."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    data.update(changes)
    return data


@pytest.fixture
def indicator_admin(client, world):
    client.force_login(world["board"])
    url = reverse("admin:indicators_indicator_change", args=[world["indicator"].pk])
    form = client.get(url).context["adminform"].form
    return client, url, form


def test_the_admin_change_form_saves_an_indicators_texts(indicator_admin, world):
    client, url, form = indicator_admin
    response = client.post(url, admin_form_data(form, name_lv="Dalības reizes forumos"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Indicator.objects.get(pk=world["indicator"].pk).name_lv == "Dalības reizes forumos"


@pytest.mark.parametrize(
    "changes",
    [
        {"unit": Indicator.Unit.ACTIVITIES},
        {"rule": Indicator.Rule.COUNT},
        # the form takes sources only for a funding indicator (admin13's checkboxes): both change
        {"rule": Indicator.Rule.FUNDING, "unit": Indicator.Unit.EUR, "funding_sources": ["eafrd"]},
    ],
    ids=["unit", "rule", "funding_sources"],
)
def test_the_admin_change_form_refuses_a_definition_change(indicator_admin, world, changes):
    client, url, form = indicator_admin
    response = client.post(url, admin_form_data(form, name_lv="Cits nosaukums", **changes))
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    stored = Indicator.objects.get(pk=world["indicator"].pk)
    assert (stored.name_lv, stored.unit, stored.rule, stored.funding_sources) == (
        world["indicator"].name_lv,
        world["indicator"].unit,
        world["indicator"].rule,
        world["indicator"].funding_sources,
    )


def test_the_admin_change_form_refuses_other_activity_types(indicator_admin, world):
    client, url, form = indicator_admin
    data = admin_form_data(form, name_lv="Cits nosaukums")
    data["activity_types"] = [str(world["forum"].pk), str(world["training"].pk)]
    response = client.post(url, data, follow=True)
    assert MESSAGE in response.content.decode()
    stored = Indicator.objects.get(pk=world["indicator"].pk)
    assert stored.name_lv == world["indicator"].name_lv  # nothing of the POST was saved
    assert list(stored.activity_types.all()) == [world["forum"]]


# --- load_strategy ---------------------------------------------------------------------------------


def test_load_strategy_with_a_changed_fixture_does_not_rewrite_a_frozen_definition(
    strategy, tmp_path, monkeypatch
):
    close_year(year=CLOSED, by=factories.user(is_superuser=True), strategy=strategy)
    for name in ("strategy.json", "territory.csv", "municipalities.csv"):
        shutil.copy(load_strategy.FIXTURES / name, tmp_path / name)
    content = json.loads((tmp_path / "strategy.json").read_text(encoding="utf-8"))
    k1 = next(item for item in content["indicators"] if item["code"] == "K1")
    k1["activity_types"] = k1["activity_types"][:1]
    k1["direction"] = "decrease"
    (tmp_path / "strategy.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(load_strategy, "FIXTURES", tmp_path)
    before = Indicator.objects.get(code="K1")
    types_before = set(before.activity_types.values_list("code", flat=True))

    with pytest.raises(CommandError):  # without --force: the differences are listed, nothing changes
        call_command("load_strategy", verbosity=0)
    with pytest.raises(CommandError, match=MESSAGE):
        call_command("load_strategy", "--force", verbosity=0)

    after = Indicator.objects.get(code="K1")
    assert after.direction == before.direction
    assert set(after.activity_types.values_list("code", flat=True)) == types_before
    assert ActivityType.objects.filter(code__in=types_before).count() == len(types_before)


def test_a_later_strategys_baselines_and_definitions_are_not_frozen_by_this_strategys_closed_year(world):
    later = factories.strategy(period_start=2027, period_end=2033)
    indicator = factories.indicator(strategy=later, code="K2")
    baseline = factories.baseline(indicator=indicator, lag=world["lag"], year=2026, value=Decimal("1"))
    assert Baseline.objects.filter(pk=baseline.pk).update(value=Decimal("2")) == 1
    indicator.unit = Indicator.Unit.MEMBERS
    indicator.save()
    indicator.activity_types.add(world["forum"])
    world["forum"].indicators.remove(indicator)
