"""The plan table (an indicator's targets and baselines) and closed years: a closed year's target cells
are shown read-only with «gads slēgts», a forged POST that changes one gets the Latvian closed-year
message as a form error (HTTP 200, nothing changed — it used to be a server error), and the inputs a
browser leaves out because they are disabled change nothing. A baseline dated in a closed year is
read-only in the same way, everywhere (invariant 9), and none can be moved into a closed year."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import Baseline, EstimateWeight, Indicator, Target
from indicators.yearend.services import close_year
from partners import roles
from strategy import permissions
from strategy.year_lock import ClosedYearError
from tests import factories

CLOSED = "2024. gads ir slēgts"


@pytest.fixture
def world(db):
    strategy = factories.strategy()
    lag = factories.lag(slug="musu")
    indicator = factories.indicator(strategy=strategy, code="K4")
    targets = {
        year: factories.target(indicator=indicator, year=year, value=Decimal(year - 2000))
        for year in (2024, 2025)
    }
    baseline = factories.baseline(indicator=indicator, lag=lag, year=2024, value=Decimal("5"))
    close_year(year=2024, by=factories.user(is_superuser=True), strategy=strategy)
    return {"indicator": indicator, "lag": lag, "targets": targets, "baseline": baseline}


@pytest.fixture
def secretariat_client(client, world):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    return client


def url(world):
    return reverse("admin:indicators_indicator_plan", args=[world["indicator"].pk])


def page_data(page):
    """What the browser sends back: every input that is not disabled, as it is shown."""
    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if name and "disabled" not in tag and 'type="submit"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = value.group(1) if value else ""
    return data


def stored(world):
    targets = {(t.year, t.lag_id): t.value for t in Target.objects.filter(indicator=world["indicator"])}
    baselines = {(b.lag_id, b.year): b.value for b in Baseline.objects.filter(indicator=world["indicator"])}
    return targets, baselines


def input_tag(page, name):
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', page).group(0)


def test_a_closed_years_cells_are_read_only(secretariat_client, world):
    page = secretariat_client.get(url(world)).content.decode()

    assert "disabled" in input_tag(page, "t_2024_joint")
    assert "disabled" in input_tag(page, "t_2024_musu")
    assert "disabled" not in input_tag(page, "t_2025_joint")
    assert "gads slēgts" in page
    # the LAG's baseline is dated 2024: read-only too; the joint one (none yet) is not
    assert "disabled" in input_tag(page, "b_value_musu") and "disabled" in input_tag(page, "b_year_musu")
    assert "disabled" not in input_tag(page, "b_value_joint")


def test_saving_the_page_as_shown_changes_open_years_only(secretariat_client, world):
    before_targets, before_baselines = stored(world)
    data = page_data(secretariat_client.get(url(world)).content.decode())
    assert "t_2024_joint" not in data  # disabled inputs are not sent
    data["t_2025_joint"] = "30"

    response = secretariat_client.post(url(world), data)

    assert response.status_code == 302
    targets, baselines = stored(world)
    assert targets == {**before_targets, (2025, None): Decimal("30")}
    assert baselines == before_baselines


@pytest.mark.parametrize(
    "forged",
    [
        {"t_2024_joint": "99"},  # change a closed year's target
        {"t_2024_joint": ""},  # delete it
        {"t_2024_musu": "7"},  # add one
        {"b_value_musu": "6"},  # change a baseline dated in the closed year
        {"b_year_musu": "2023"},  # move it out of the closed year
        {"b_year_joint": "2024", "b_value_joint": "1"},  # add a baseline into the closed year
    ],
    ids=["change", "delete", "add", "baseline-value", "baseline-out", "baseline-in"],
)
def test_a_forged_post_to_a_closed_year_gets_the_latvian_message_and_changes_nothing(
    secretariat_client, world, forged
):
    before = stored(world)
    data = page_data(secretariat_client.get(url(world)).content.decode())
    data["t_2025_joint"] = "30"  # an allowed change in the same POST is not saved either

    response = secretariat_client.post(url(world), {**data, **forged})

    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    assert 'class="errorlist' in response.content.decode()
    assert stored(world) == before


def test_a_baseline_dated_in_a_closed_year_is_read_only_everywhere(world):
    baseline = Baseline.objects.get(pk=world["baseline"].pk)
    baseline.value = Decimal("6")
    with pytest.raises(ClosedYearError):
        baseline.save()
    with pytest.raises(ClosedYearError):
        baseline.delete()
    with pytest.raises(ClosedYearError):
        Baseline.objects.filter(pk=baseline.pk).update(value=Decimal("6"))
    with pytest.raises(ValidationError):
        Baseline(indicator=world["indicator"], year=2024, value=Decimal("1")).full_clean()
    assert Baseline.objects.get(pk=baseline.pk).value == Decimal("5")


# --- the joint column: derived from the LAGs', overridden only by the secretariat with a reason ---------


@pytest.fixture
def plan(db):
    strategy = factories.strategy()
    a, b = factories.lag(slug="a", short_name_lv="A"), factories.lag(slug="b", short_name_lv="B")
    stock = factories.indicator(strategy=strategy, code="K4")  # reported persons: a stock, summed
    estimate = factories.indicator(strategy=strategy, code="K8", unit=Indicator.Unit.PERCENT)
    for indicator, values in ((stock, (10, 20)), (estimate, (40, 60))):
        for lag, value in zip((a, b), values, strict=True):
            factories.target(indicator=indicator, lag=lag, year=2025, value=Decimal(value))
            factories.baseline(indicator=indicator, lag=lag, year=2020, value=Decimal(value) / 2)
    return {"strategy": strategy, "a": a, "b": b, "stock": stock, "estimate": estimate}


def plan_url(indicator):
    return reverse("admin:indicators_indicator_plan", args=[indicator.pk])


def joint_cell(page, key):
    """The text of the joint column's cell for a year (or «baseline»), without its override inputs; tags
    and spacing dropped."""
    cell = re.search(rf'<td [^>]*id="joint-{key}"[^>]*>(.*?)</td>', page, re.S).group(1)
    cell = cell.split('<div class="plan-override-fields">')[0]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).replace("\xa0", " ").split())


def joint_rows(indicator):
    return {
        "targets": set(
            Target.objects.filter(indicator=indicator, lag=None).values_list("year", "value", "reason")
        ),
        "baselines": set(
            Baseline.objects.filter(indicator=indicator, lag=None).values_list("year", "value", "reason")
        ),
    }


def secretariat(client):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    return client


def test_the_joint_target_is_the_sum_of_the_lags_with_its_check_not_typed(client, plan):
    page = secretariat(client).get(plan_url(plan["stock"])).content.decode()

    assert joint_cell(page, 2025) == "30 Σ VRG: 10 + 20 = 30"
    assert joint_cell(page, "baseline") == "15 Σ VRG: 5 + 10 = 15"
    assert joint_cell(page, 2024) == "— nav visu VRG vērtību"
    # what is typed for the joint scope is only an override, beside its reason
    assert 'name="t_2025_joint_reason"' in page


def test_a_joint_estimate_is_the_weighted_mean_or_says_the_weights_are_missing(client, plan):
    page = secretariat(client).get(plan_url(plan["estimate"])).content.decode()
    assert joint_cell(page, 2025) == (
        "— nav svaru: kopējo novērtējumu atvasina kā VRG vērtību svērto vidējo — novērtējumu svari"
    )

    for lag, weight in ((plan["a"], "1"), (plan["b"], "3")):
        EstimateWeight.objects.create(strategy=plan["strategy"], lag=lag, value=Decimal(weight), source="CSP")
    page = client.get(plan_url(plan["estimate"])).content.decode()
    assert joint_cell(page, 2025) == "55,0 svērtais vidējais (svari: A 1, B 3)"


def test_the_secretariat_overrides_a_joint_target_with_a_reason_and_sees_the_difference(client, plan):
    secretariat(client)
    data = page_data(client.get(plan_url(plan["stock"])).content.decode())
    data.update({"t_2025_joint": "28", "t_2025_joint_reason": "Valdes lēmums 2025-03"})

    response = client.post(plan_url(plan["stock"]), data)

    assert response.status_code == 302
    assert joint_rows(plan["stock"])["targets"] == {(2025, Decimal("28"), "Valdes lēmums 2025-03")}
    page = client.get(plan_url(plan["stock"])).content.decode()
    assert joint_cell(page, 2025) == ("28 aizstāts: Valdes lēmums 2025-03 Σ VRG: 10 + 20 = 30 (starpība −2)")


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"t_2025_joint": "28"}, "Aizstājot kopējo vērtību, jānorāda iemesls."),
        ({"t_2025_joint_reason": "Valdes lēmums"}, "Norādiet aizstājošo vērtību vai notīriet iemeslu."),
        ({"b_year_joint": "2020", "b_value_joint": "14"}, "Aizstājot kopējo vērtību, jānorāda iemesls."),
    ],
    ids=["target-without-reason", "reason-without-value", "baseline-without-reason"],
)
def test_an_override_without_its_reason_is_refused_in_latvian_and_nothing_is_saved(
    client, plan, sent, message
):
    secretariat(client)
    data = page_data(client.get(plan_url(plan["stock"])).content.decode())
    data["t_2025_a"] = "11"  # an allowed change in the same POST is not saved either
    before = stored({"indicator": plan["stock"]})

    response = client.post(plan_url(plan["stock"]), {**data, **sent})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored({"indicator": plan["stock"]}) == before


def test_the_secretariat_overrides_a_joint_baseline_with_a_reason_and_removes_overrides(client, plan):
    secretariat(client)
    data = page_data(client.get(plan_url(plan["stock"])).content.decode())
    data.update({"b_year_joint": "2020", "b_value_joint": "14", "b_reason_joint": "CSP precizēts"})
    data.update({"t_2026_joint": "40", "t_2026_joint_reason": "Valdes lēmums"})
    assert client.post(plan_url(plan["stock"]), data).status_code == 302
    assert joint_rows(plan["stock"]) == {
        "targets": {(2026, Decimal("40"), "Valdes lēmums")},
        "baselines": {(2020, Decimal("14"), "CSP precizēts")},
    }

    data = page_data(client.get(plan_url(plan["stock"])).content.decode())
    for name in ("b_year_joint", "b_value_joint", "b_reason_joint", "t_2026_joint", "t_2026_joint_reason"):
        data[name] = ""
    assert client.post(plan_url(plan["stock"]), data).status_code == 302

    assert joint_rows(plan["stock"]) == {"targets": set(), "baselines": set()}
    assert (
        joint_cell(client.get(plan_url(plan["stock"])).content.decode(), "baseline")
        == "15 Σ VRG: 5 + 10 = 15"
    )


@pytest.fixture
def plan_editor(client, db):
    """Someone who holds the plan's model permissions without being the secretariat: writes the LAGs'
    values, but a joint override is the secretariat's."""
    user = factories.user()
    codenames = [f"{a}_{m}" for a in ("view", "add", "change", "delete") for m in ("target", "baseline")]
    user.user_permissions.set(Permission.objects.filter(codename__in=[*codenames, "view_indicator"]))
    client.force_login(user)
    return client


def test_only_the_secretariat_may_override_a_joint_value(client, plan, plan_editor):
    factories.target(indicator=plan["stock"], year=2026, value=Decimal("40"), reason="Valdes lēmums")
    page = plan_editor.get(plan_url(plan["stock"])).content.decode()
    assert 'name="t_2026_joint"' not in page and 'name="t_2026_joint_reason"' not in page
    assert "kopējo vērtību aizstāt var tikai sekretariāts" in page
    assert "disabled" not in input_tag(page, "t_2025_a")
    data = page_data(page)
    before = stored({"indicator": plan["stock"]})

    forged = plan_editor.post(
        plan_url(plan["stock"]), {**data, "t_2025_joint": "28", "t_2025_joint_reason": "x"}
    )
    removed = plan_editor.post(
        plan_url(plan["stock"]), {**data, "t_2026_joint": "", "t_2026_joint_reason": ""}
    )

    for response in (forged, removed):
        assert response.status_code == 200
        assert "Kopējo vērtību aizstāt var tikai sekretariāts." in response.content.decode()
    assert stored({"indicator": plan["stock"]}) == before
    assert plan_editor.post(plan_url(plan["stock"]), {**data, "t_2025_a": "11"}).status_code == 302
    assert Target.objects.get(indicator=plan["stock"], lag=plan["a"], year=2025).value == Decimal("11")


def test_who_may_override_a_joint_value(db):
    allowed = [factories.user(role=roles.SECRETARIAT), factories.user(is_superuser=True)]
    lag = factories.lag()
    refused = [
        factories.user(role=roles.BOARD),
        factories.user(role=roles.COORDINATOR, lag=lag),
        factories.user(role=roles.EDITOR, lag=lag),
        factories.user(),
    ]
    assert [permissions.may_override_joint_plan(u) for u in allowed + refused] == [True] * 2 + [False] * 4


def test_readers_see_the_override_and_its_reason(client, plan):
    factories.target(indicator=plan["stock"], year=2026, value=Decimal("40"), reason="Valdes lēmums")
    client.force_login(factories.user(role=roles.COORDINATOR, lag=plan["a"]))

    page = client.get(plan_url(plan["stock"])).content.decode()

    assert joint_cell(page, 2026) == "40 aizstāts: Valdes lēmums nav visu VRG vērtību"
    assert 'name="t_2026_joint"' not in page


def test_an_override_that_rounds_to_the_derived_value_shows_no_difference(client, plan):
    for lag, weight in ((plan["a"], "1"), (plan["b"], "3")):
        EstimateWeight.objects.create(strategy=plan["strategy"], lag=lag, value=Decimal(weight), source="CSP")
    factories.target(
        indicator=plan["estimate"], year=2025, value=Decimal("55.04"), reason="Aptaujas precizējums"
    )
    factories.target(indicator=plan["estimate"], year=2026, value=Decimal("57.5"), reason="Valdes lēmums")
    for lag in (plan["a"], plan["b"]):
        factories.target(indicator=plan["estimate"], lag=lag, year=2026, value=Decimal("60"))

    page = secretariat(client).get(plan_url(plan["estimate"])).content.decode()

    assert joint_cell(page, 2025) == (
        "55,0 aizstāts: Aptaujas precizējums svērtais vidējais (svari: A 1, B 3): 55,0"
    )
    assert joint_cell(page, 2026) == (
        "57,5 aizstāts: Valdes lēmums svērtais vidējais (svari: A 1, B 3): 60,0 (starpība −2,5)"
    )
