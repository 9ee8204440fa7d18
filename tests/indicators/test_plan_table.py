"""The plan table (an indicator's targets and baselines) and closed years: a closed year's target cells
are shown read-only with «gads slēgts», a forged POST that changes one gets the Latvian closed-year
message as a form error (HTTP 200, nothing changed — it used to be a server error), and the inputs a
browser leaves out because they are disabled change nothing. A baseline dated in a closed year is
read-only in the same way, everywhere (invariant 9), and none can be moved into a closed year."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import Baseline, Target
from indicators.yearend.services import close_year
from partners import roles
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
