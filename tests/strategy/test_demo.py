from django.core.management import call_command

from indicators.models import Baseline, Measurement, Target
from partners.models import LAG, User
from strategy.models import Activity, StatusChange
from tests import factories
from tests.partners.test_load_strategy import snapshot

NOTICE = {"lv": "Demonstrācijas dati.", "en": "Demonstration data."}


def test_demo_notice_shows_while_demo_data_exists_and_disappears_after_remove(client, strategy):
    for language, notice in NOTICE.items():
        assert notice not in client.get(f"/{language}/").content.decode()

    call_command("load_demo", verbosity=0)
    for language, notice in NOTICE.items():
        assert notice in client.get(f"/{language}/").content.decode()

    call_command("load_demo", "--remove", verbosity=0)
    for language, notice in NOTICE.items():
        assert notice not in client.get(f"/{language}/").content.decode()


def test_load_demo_covers_every_lag_and_year_with_plans(demo):
    years = set(Activity.objects.approved().values_list("start_date__year", flat=True))
    assert years == set(range(2020, 2026))
    assert set(Activity.objects.values_list("lag__slug", flat=True)) == {"kaimini", "kraslava", "preili"}
    assert Measurement.objects.approved().exists()
    assert Baseline.objects.filter(lag=None).count() == 16
    assert Target.objects.filter(lag=None, year=2026).count() == 16
    assert not Activity.objects.filter(is_demo=False).exists()


def test_load_demo_creates_one_account_per_role_and_is_idempotent(demo):
    call_command("load_demo", verbosity=0)
    groups = set(User.objects.filter(is_demo=True).values_list("groups__name", flat=True))
    assert groups == {"VRG speciālists", "VRG koordinators", "Valde", "Sekretariāts"}
    assert Activity.objects.filter(is_demo=True).count() == Activity.objects.count()
    # a second run did not duplicate the data
    assert Baseline.objects.filter(lag=None).count() == 16


def test_load_demo_remove_deletes_exactly_the_demo_data(strategy):
    real_user = factories.user(username="ilze")
    real_activity = factories.activity(lag=LAG.objects.get(slug="kaimini"), author=real_user)
    content_before = snapshot()
    call_command("load_demo", verbosity=0)

    call_command("load_demo", "--remove", verbosity=0)

    assert snapshot() == content_before
    assert list(Activity.objects.all()) == [real_activity]
    assert list(User.objects.all()) == [real_user]
    assert not Measurement.objects.exists()
    assert not Target.objects.exists()
    assert not Baseline.objects.exists()
    assert not StatusChange.objects.exists()
