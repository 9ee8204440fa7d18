"""Every integrity rule holds in the database itself (so imports, scripts and bulk writes cannot
break it), and the same rule gives staff a clear Latvian message through validation."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Baseline, Indicator, Measurement, Target
from partners.models import LocalStrategy
from strategy.models import Activity, FundingLine
from tests import factories


def bad_activity_youth():
    return Activity(
        lag=factories.lag(),
        activity_type=factories.activity_type(),
        title_lv="A",
        start_date=date(2024, 1, 1),
        participants_total=10,
        participants_youth=11,
    )


def bad_activity_youth_without_total():
    return Activity(
        lag=factories.lag(),
        activity_type=factories.activity_type(),
        title_lv="A",
        start_date=date(2024, 1, 1),
        participants_youth=3,
    )


def bad_activity_vulnerable():
    return Activity(
        lag=factories.lag(),
        activity_type=factories.activity_type(),
        title_lv="A",
        start_date=date(2024, 1, 1),
        participants_total=10,
        participants_vulnerable=12,
    )


def bad_activity_dates():
    return Activity(
        lag=factories.lag(),
        activity_type=factories.activity_type(),
        title_lv="A",
        start_date=date(2024, 3, 5),
        end_date=date(2024, 3, 4),
    )


def bad_funding_amount():
    return FundingLine(
        activity=factories.activity(), source=FundingLine.Source.EAFRD, amount=Decimal("-0.01")
    )


def bad_local_strategy_amount():
    return LocalStrategy(
        lag=factories.lag(),
        title_lv="S",
        period_start=2015,
        period_end=2020,
        fund_lv="ELFLA",
        amount=Decimal("-1"),
    )


def share_indicator():
    return factories.indicator(unit=Indicator.Unit.PERCENT)


def bad_measurement_denominator():
    return Measurement(
        indicator=share_indicator(),
        lag=factories.lag(),
        year=2024,
        numerator=Decimal(0),
        denominator=Decimal(0),
    )


def bad_measurement_numerator():
    return Measurement(
        indicator=share_indicator(),
        lag=factories.lag(),
        year=2024,
        numerator=Decimal(11),
        denominator=Decimal(10),
    )


def bad_measurement_half_share():
    return Measurement(indicator=share_indicator(), lag=factories.lag(), year=2024, numerator=Decimal(3))


def bad_measurement_negative():
    return Measurement(indicator=factories.indicator(), lag=factories.lag(), year=2024, value=Decimal("-5"))


def bad_measurement_rating():
    return Measurement(
        indicator=factories.indicator(source=Indicator.Source.QUALITATIVE, unit=Indicator.Unit.RATING),
        lag=factories.lag(),
        year=2024,
        narrative="Apraksts",
        rating=6,
    )


def duplicate_measurement():
    existing = factories.measurement()
    return Measurement(indicator=existing.indicator, lag=existing.lag, year=existing.year, value=Decimal(1))


def duplicate_measurement_per_municipality():
    municipality = factories.municipality()
    existing = factories.measurement(
        municipality=municipality, indicator=factories.indicator(per_municipality=True)
    )
    return Measurement(
        indicator=existing.indicator,
        lag=existing.lag,
        year=existing.year,
        municipality=municipality,
        value=Decimal(1),
    )


def duplicate_target_per_lag():
    existing = factories.target(lag=factories.lag())
    return Target(indicator=existing.indicator, lag=existing.lag, year=existing.year, value=Decimal(1))


def duplicate_joint_target():
    existing = factories.target(lag=None)
    return Target(indicator=existing.indicator, lag=None, year=existing.year, value=Decimal(1), reason="x")


def duplicate_joint_baseline():
    existing = factories.baseline(lag=None)
    return Baseline(indicator=existing.indicator, lag=None, year=2020, value=Decimal(1), reason="x")


def activity_indicator_without_rule():
    indicator = factories.indicator(source="reported")
    indicator.source = "activities"
    return indicator


CASES = {
    "youth above total": (bad_activity_youth, "Jauniešu skaits nevar pārsniegt"),
    "youth without total": (bad_activity_youth_without_total, "Jauniešu skaits nevar pārsniegt"),
    "vulnerable above total": (bad_activity_vulnerable, "Mazaizsargāto dalībnieku skaits nevar pārsniegt"),
    "end before start": (bad_activity_dates, "Beigu datums nevar būt agrāks"),
    "negative funding": (bad_funding_amount, "Finansējuma summa nevar būt negatīva"),
    "negative strategy amount": (bad_local_strategy_amount, "Summa nevar būt negatīva"),
    "zero denominator": (bad_measurement_denominator, "Saucējam jābūt lielākam par nulli"),
    "numerator above denominator": (bad_measurement_numerator, "skaitītājs nevar būt lielāks par saucēju"),
    "numerator without denominator": (bad_measurement_half_share, "Jānorāda gan skaitītājs, gan saucējs"),
    "negative value": (bad_measurement_negative, "Vērtība nevar būt negatīva"),
    "rating out of range": (bad_measurement_rating, "Vērtējumam jābūt no 1 līdz 5"),
    "duplicate measurement": (duplicate_measurement, "vērtība jau ir ievadīta"),
    "duplicate measurement per municipality": (
        duplicate_measurement_per_municipality,
        "vērtība jau ir ievadīta",
    ),
    "duplicate LAG target": (duplicate_target_per_lag, "mērķa vērtība jau ir"),
    "duplicate joint target": (duplicate_joint_target, "kopējā mērķa vērtība jau ir"),
    "duplicate joint baseline": (duplicate_joint_baseline, "kopējā bāzes vērtība jau ir"),
    "activity indicator without rule": (activity_indicator_without_rule, "Aprēķina noteikums jānorāda"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("make_row", [case[0] for case in CASES.values()], ids=list(CASES))
def test_integrity_rule_is_enforced_by_the_database(make_row):
    row = make_row()
    model = type(row)
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert model.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("make_row", "message"), list(CASES.values()), ids=list(CASES))
def test_integrity_rule_gives_a_latvian_message_on_validation(make_row, message):
    row = make_row()
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert message in " ".join(error.value.messages)


@pytest.mark.django_db
def test_integrity_rules_accept_valid_rows():
    activity = factories.activity(
        participants_total=10, participants_youth=10, participants_vulnerable=0, end_date=date(2024, 3, 5)
    )
    activity.full_clean()
    factories.funding_line(activity=activity, amount=Decimal("0.00")).full_clean()
    share = factories.measurement(
        indicator=share_indicator(), value=None, numerator=Decimal(10), denominator=Decimal(10)
    )
    share.full_clean()
    assert share.share == Decimal(100)
    # one target per LAG and one joint target for the same indicator and year live side by side
    target = factories.target(lag=None)
    factories.target(indicator=target.indicator, lag=factories.lag(), year=target.year).full_clean()
