from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Indicator, Measurement
from indicators.progress import ProgressEngine
from indicators.yearend.services import close_year
from partners import roles
from strategy.models import Activity, FundingLine
from strategy.workflow import Status
from tests import factories

NOTICE = {"lv": "Sintētiski dati.", "en": "Synthetic data."}


def _snapshot():
    return sorted(
        Activity.objects.synthetic().values_list(
            "lag__slug",
            "start_date",
            "activity_type__code",
            "title_lv",
            "participants_total",
            "participants_youth",
        )
    ), sorted(
        FundingLine.objects.filter(activity__is_synthetic=True).values_list(
            "activity__title_lv", "source", "amount"
        )
    )


def test_generate_load_writes_scale_times_a_year_per_lag_approved_and_marked(strategy):
    call_command("generate_load", "--scale", "1", stdout=StringIO())
    synthetic = Activity.objects.synthetic()
    assert synthetic.count() == 200 * 3 * 7
    assert set(synthetic.values_list("start_date__year", flat=True)) == set(range(2020, 2027))
    assert set(synthetic.values_list("status", flat=True)) == {Status.APPROVED}
    assert Activity.territory_units.through.objects.filter(activity__is_synthetic=True).count() >= 4200
    assert FundingLine.objects.filter(activity__is_synthetic=True).exists()
    # every reported or qualitative indicator × LAG × year has a value
    measured = Indicator.objects.exclude(source=Indicator.Source.ACTIVITIES).count()
    assert Measurement.objects.synthetic().count() == measured * 3 * 7
    engine = ProgressEngine(strategy, through_year=2026)  # the whole period: no year is marked complete
    assert engine.headline()["activities"] == 4200


def test_generate_load_is_deterministic_for_a_seed(strategy):
    call_command("generate_load", "--scale", "1", "--seed", "7", stdout=StringIO())
    first = _snapshot()
    call_command("generate_load", "--remove", stdout=StringIO())
    call_command("generate_load", "--scale", "1", "--seed", "7", stdout=StringIO())
    assert _snapshot() == first
    call_command("generate_load", "--remove", stdout=StringIO())
    call_command("generate_load", "--scale", "1", "--seed", "8", stdout=StringIO())
    assert _snapshot() != first


def test_generate_load_remove_deletes_exactly_synthetic_data_and_demo_remove_keeps_it(demo):
    demo_counts = (Activity.objects.count(), Measurement.objects.count(), FundingLine.objects.count())
    call_command("generate_load", "--scale", "1", stdout=StringIO())
    call_command("load_demo", "--remove", stdout=StringIO())
    assert Activity.objects.count() == Activity.objects.synthetic().count() == 4200
    call_command("generate_load", "--remove", stdout=StringIO())
    assert (Activity.objects.count(), Measurement.objects.count(), FundingLine.objects.count()) == (0, 0, 0)
    call_command("load_demo", stdout=StringIO())
    call_command("generate_load", "--scale", "1", stdout=StringIO())
    call_command("generate_load", "--remove", stdout=StringIO())
    assert (Activity.objects.count(), Measurement.objects.count(), FundingLine.objects.count()) == demo_counts


def test_public_pages_say_synthetic_data_is_present(client, strategy):
    for language, notice in NOTICE.items():
        assert notice not in client.get(f"/{language}/").content.decode()
    call_command("generate_load", "--scale", "1", stdout=StringIO())
    for language, notice in NOTICE.items():
        assert notice in client.get(f"/{language}/").content.decode()
        assert notice in client.get(f"/{language}/activities/").content.decode()
    call_command("generate_load", "--remove", stdout=StringIO())
    for language, notice in NOTICE.items():
        assert notice not in client.get(f"/{language}/").content.decode()


def test_generate_load_skips_closed_years_and_remove_refuses_while_one_is_closed(strategy):
    board = factories.user(role=roles.BOARD)
    close_year(year=2021, by=board)
    out = StringIO()
    call_command("generate_load", "--scale", "1", stdout=out)
    assert "2021. gads ir slēgts" in out.getvalue()
    years = set(Activity.objects.synthetic().values_list("start_date__year", flat=True))
    assert years == set(range(2020, 2027)) - {2021}
    assert not Measurement.objects.synthetic().filter(year=2021).exists()

    close_year(year=2022, by=board)
    with pytest.raises(Exception, match="2022. gads ir slēgts"):
        call_command("generate_load", "--remove", stdout=StringIO())
    assert Activity.objects.synthetic().count() == 200 * 3 * 6


def test_generate_load_refuses_a_second_load_and_a_bad_scale(strategy):
    with pytest.raises(CommandError):
        call_command("generate_load", "--scale", "0", stdout=StringIO())
    call_command("generate_load", "--scale", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="jau ir ielādēti"):
        call_command("generate_load", "--scale", "1", stdout=StringIO())
