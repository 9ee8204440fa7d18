"""The staff side of issue #13 in the admin: the share a measurement's page shows is rounded as the public
pages round it, the estimate weights are the secretariat's, and an indicator declares its measure and the
funding sources it counts."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
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
