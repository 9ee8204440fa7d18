import io
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from indicators.models import Baseline, EstimateWeight, Measurement, Target
from indicators.progress import ProgressEngine
from partners.models import LAG, User
from strategy.models import Activity, DataCompletion, StatusChange, YearClosure
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
    assert Baseline.objects.filter(lag__isnull=False).count() == 16 * 3
    assert Target.objects.filter(lag__isnull=False, year=2026).count() == 16 * 3
    assert not Activity.objects.filter(is_demo=False).exists()


def test_load_demo_plans_only_the_lags_and_the_joint_plan_is_derived_from_them(demo):
    assert not Baseline.objects.filter(lag=None).exists()
    assert not Target.objects.filter(lag=None).exists()
    engine = ProgressEngine(factories.current_strategy())
    k1 = engine.by_code["K1"]
    lag_targets = Target.objects.filter(indicator=k1, year=2025).values_list("value", flat=True)
    assert engine.figure(k1, None, 2025).target == sum(lag_targets)
    assert {engine.figure(i).target_basis for i in engine.indicators} == {"derived"}


def test_load_demo_weights_the_estimates_and_marks_every_ended_year_complete(demo):
    weights = EstimateWeight.objects.all()
    assert weights.count() == 3 and all(w.is_demo and "Demonstrācijas dati" in w.source for w in weights)
    assert set(DataCompletion.objects.values_list("lag__slug", "year")) == {
        (slug, year) for slug in ("kaimini", "kraslava", "preili") for year in range(2020, 2026)
    }
    engine = ProgressEngine(factories.current_strategy())
    assert (engine.period_years(), engine.year_to_date_year) == (tuple(range(2020, 2026)), 2026)
    assert engine.figure("K8").weighting == "weighted"


def test_load_demo_shows_a_believable_mix_of_statuses(demo):
    engine = ProgressEngine(factories.current_strategy())
    for lag in [None, *engine.lags]:
        statuses = [engine.figure(i, lag).status for i in engine.indicators]
        assert statuses.count("on_track") >= 4, (lag, statuses)
        assert statuses.count("at_risk") + statuses.count("not_different") >= 3, (lag, statuses)
    assert any(engine.figure(i, lag).status == "off_track" for i in engine.indicators for lag in engine.lags)


def test_load_demo_creates_one_account_per_role_and_is_idempotent(demo):
    call_command("load_demo", verbosity=0)
    groups = set(User.objects.filter(is_demo=True).values_list("groups__name", flat=True))
    assert groups == {"VRG speciālists", "VRG koordinators", "Valde", "Sekretariāts"}
    assert Activity.objects.filter(is_demo=True).count() == Activity.objects.count()
    # a second run did not duplicate the data
    assert Baseline.objects.count() == 16 * 3
    assert DataCompletion.objects.count() == 3 * 6


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
    assert not EstimateWeight.objects.exists()
    assert not DataCompletion.objects.exists()


def history_rows(model):
    return sorted(map(str, model.history.model.objects.values()))


def test_load_demo_remove_takes_the_demo_history_along_so_a_dump_and_a_backup_succeed(
    strategy, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    real_user = factories.user(username="ilze")
    real_activity = factories.activity(lag=LAG.objects.get(slug="kaimini"), author=real_user)
    call_command("load_demo", verbosity=0)
    # a demo coordinator reviewed the real record once (its history names them), then it moved on
    coordinator = User.objects.get(username="demo-koordinators-kaimini")
    real_activity.reviewed_by = coordinator
    real_activity.save()
    real_activity.reviewed_by = None
    real_activity.save()
    assert {row.history_type for row in Activity.history.filter(is_demo=True)} == {"+"}

    call_command("load_demo", "--remove", verbosity=0)

    for model in (Activity, Measurement, Target):
        assert not model.history.filter(is_demo=True).exists()
    kept = Activity.history.filter(id=real_activity.pk).order_by("history_id")
    assert [(row.history_type, row.reviewed_by_id) for row in kept] == [("+", None), ("~", None), ("~", None)]
    dump = io.StringIO()
    call_command("dumpdata", "--natural-foreign", "--natural-primary", stdout=dump)
    assert '"demo-' not in dump.getvalue()
    call_command("backup", "--output", str(tmp_path / "kopija.tar.gz"), verbosity=0)
    with tarfile.open(tmp_path / "kopija.tar.gz") as archive:
        assert "data.ddkcjson" in archive.getnames()


def test_load_demo_remove_refuses_while_real_data_names_a_demo_account_and_deletes_nothing(demo):
    # someone tried the demo board account on the real year page (a year without demo records)
    YearClosure.objects.create(
        year=2030, closed_by=User.objects.get(username="demo-valde"), closed_at=timezone.now()
    )
    activities = Activity.objects.count()

    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--remove", verbosity=0)

    assert str(error.value).startswith("Demonstrācijas kontus nevar dzēst: uz tiem atsaucas īsti dati")
    assert str(error.value).endswith("Nekas nav dzēsts.")
    assert Activity.objects.count() == activities
    assert Activity.history.filter(is_demo=True).exists()


def test_load_demo_remove_refuses_while_a_year_with_demo_records_is_closed_and_deletes_nothing(demo):
    YearClosure.objects.create(year=2019, closed_by=factories.user(), closed_at=timezone.now())
    activities, baselines = Activity.objects.count(), Baseline.objects.count()

    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--remove", verbosity=0)

    assert str(error.value).startswith("Demonstrācijas datus nevar dzēst: 2019. gads ir slēgts")
    assert (Activity.objects.count(), Baseline.objects.count()) == (activities, baselines)
