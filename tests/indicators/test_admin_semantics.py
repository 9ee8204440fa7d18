"""The staff side of issue #13 in the admin: the share a measurement's page shows is rounded as the public
pages round it, the estimate weights are the secretariat's, and an indicator declares its measure and the
funding sources it counts."""

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from indicators.models import EstimateWeight, Indicator
from partners import roles
from strategy.models import FundingLine
from tests import factories


@pytest.fixture
def superuser_client(client, db):
    client.force_login(factories.user(is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown", "not_shown"),
    [(2, 3, "66,7", "66,6"), (1, 6, "16,7", "16,6"), (1, 3, "33,3", "33,4")],
)
def test_a_measurements_share_is_rounded_like_the_dashboard_not_cut(
    superuser_client, numerator, denominator, shown, not_shown
):
    indicator = factories.indicator(code="K8", unit=Indicator.Unit.PERCENT)
    measurement = factories.measurement(
        indicator=indicator, value=None, numerator=Decimal(numerator), denominator=Decimal(denominator)
    )

    change = superuser_client.get(reverse("admin:indicators_measurement_change", args=[measurement.pk]))
    listing = superuser_client.get(reverse("admin:indicators_measurement_changelist"))

    for page in (change.content.decode(), listing.content.decode()):
        assert re.search(rf"{shown}[ \xa0]%", page)
        assert not re.search(rf"{not_shown}[ \xa0]%", page)


# --- the change form as a browser sends it back -------------------------------------------------------


class _Form(HTMLParser):
    """The fields of the page's main form as a browser would send them (checked boxes, selected options)."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.add(a["name"], a.get("value", "on"))
            else:
                self.add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea][-1] = self.data[self._textarea][-1].removeprefix("\n")
            self._textarea = None


def form_data(page):
    parser = _Form()
    parser.feed(page)
    return parser.data


def weight_url(action, *args):
    return reverse(f"admin:indicators_estimateweight_{action}", args=args)


@pytest.fixture
def weights_world(db):
    strategy = factories.strategy()
    return {"strategy": strategy, "lag": factories.lag(slug="musu", short_name_lv="Mūsu partnerība")}


def weight_post(world, value="12 345", source="CSP, iedzīvotāju skaits 2024. gada sākumā"):
    return {"strategy": world["strategy"].pk, "lag": world["lag"].pk, "value": value, "source": source}


def weights():
    return set(EstimateWeight.objects.values_list("lag__slug", "value", "source"))


@pytest.mark.parametrize("who", [{"role": roles.SECRETARIAT}, {"is_superuser": True}])
def test_the_secretariat_enters_a_lags_weight_with_its_source_and_the_list_shows_both(
    client, weights_world, who
):
    client.force_login(factories.user(**who))

    response = client.post(weight_url("add"), weight_post(weights_world))

    assert response.status_code == 302
    assert weights() == {("musu", Decimal("12345"), "CSP, iedzīvotāju skaits 2024. gada sākumā")}
    listing = client.get(weight_url("changelist")).content.decode()
    assert "Mūsu partnerība" in listing
    assert "12\xa0345" in listing
    assert "CSP, iedzīvotāju skaits 2024. gada sākumā" in listing


def test_a_weight_without_its_source_is_refused_in_latvian(client, weights_world):
    client.force_login(factories.user(role=roles.SECRETARIAT))

    response = client.post(weight_url("add"), weight_post(weights_world, source=""))

    assert response.status_code == 200
    assert "Šis lauks ir nepieciešams." in response.content.decode()
    assert weights() == set()


@pytest.mark.parametrize("role", [roles.BOARD, roles.COORDINATOR, roles.EDITOR])
def test_only_the_secretariat_changes_weights(client, weights_world, role):
    weight = EstimateWeight.objects.create(
        strategy=weights_world["strategy"], lag=weights_world["lag"], value=Decimal("100"), source="CSP"
    )
    before = weights()
    lag = weights_world["lag"] if role != roles.BOARD else None
    client.force_login(factories.user(role=role, lag=lag))

    assert client.post(weight_url("add"), weight_post(weights_world)).status_code == 403
    changed = client.post(weight_url("change", weight.pk), weight_post(weights_world, value="5"))
    assert changed.status_code == 403
    assert client.post(weight_url("delete", weight.pk), {"post": "yes"}).status_code == 403
    assert weights() == before


# --- the indicator's measure, funding sources and who adopted its method -----------------------------


@pytest.fixture
def k6(db):
    return factories.indicator(
        code="K6",
        source=Indicator.Source.ACTIVITIES,
        rule=Indicator.Rule.FUNDING,
        unit=Indicator.Unit.EUR,
        funding_sources=["eafrd"],
    )


def indicator_url(indicator):
    return reverse("admin:indicators_indicator_change", args=[indicator.pk])


def test_the_indicator_form_offers_the_measure_the_funding_sources_and_the_adoption(superuser_client, k6):
    page = superuser_client.get(indicator_url(k6)).content.decode()

    assert "No tā izriet, kā apvieno perioda gadus un VRG vērtības." in page  # the measure's help
    for code, label in FundingLine.Source.choices:
        assert re.search(rf'<input type="checkbox" name="funding_sources" value="{code}"', page)
        assert str(label) in page
    assert form_data(page)["funding_sources"] == ["eafrd"]
    assert 'name="method_adopted_by"' in page and 'name="method_adopted_on"' in page


def test_the_secretariat_sets_a_funding_indicators_sources_and_who_adopted_its_method(client, k6):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    data = form_data(client.get(indicator_url(k6)).content.decode())
    data["funding_sources"] = ["state", "eafrd", "acf"]
    data["method_adopted_by"] = ["Valdes sēde, protokols Nr. 3"]
    data["method_adopted_on"] = ["15.03.2026"]

    response = client.post(indicator_url(k6), data)

    assert response.status_code == 302
    k6.refresh_from_db()
    assert (k6.funding_sources, k6.method_adopted_by, k6.method_adopted_on) == (
        ["eafrd", "acf", "state"],
        "Valdes sēde, protokols Nr. 3",
        date(2026, 3, 15),
    )


@pytest.mark.parametrize(
    ("rule", "sources", "message"),
    [
        (Indicator.Rule.COUNT, ["eafrd"], "Finansējuma avotus norāda tikai finansējuma rādītājam"),
        (Indicator.Rule.FUNDING, ["eafrd", "lottery"], "lottery nav neviena no pieejamajām izvēlēm"),
        (Indicator.Rule.FUNDING, [], "Finansējuma rādītājam jānorāda vismaz viens avots"),
    ],
    ids=["not-a-funding-indicator", "unknown-code", "none"],
)
def test_funding_sources_are_refused_where_they_mean_nothing(client, k6, rule, sources, message):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    data = form_data(client.get(indicator_url(k6)).content.decode())
    data["rule"] = [rule]
    data["funding_sources"] = sources

    response = client.post(indicator_url(k6), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    k6.refresh_from_db()
    assert (k6.rule, k6.funding_sources) == (Indicator.Rule.FUNDING, ["eafrd"])
