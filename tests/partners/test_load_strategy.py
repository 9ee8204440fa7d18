import csv
import os
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from modeltranslation.translator import translator

from indicators.models import Baseline, Indicator, Target
from partners.models import LAG, LocalStrategy, Municipality, TerritoryUnit
from strategy.models import Activity, ExpectedResult, Priority, Statement, Strategy

ROOT = Path(settings.BASE_DIR)


def snapshot():
    """Every row the loader writes, as plain values, to compare runs."""
    models = [
        LAG,
        LocalStrategy,
        Municipality,
        TerritoryUnit,
        Strategy,
        Priority,
        ExpectedResult,
        Statement,
        Indicator,
    ]
    return {model.__name__: sorted(map(str, model.objects.values())) for model in models}


def test_load_strategy_twice_gives_the_same_rows(strategy):
    first = snapshot()
    call_command("load_strategy", verbosity=0)
    assert snapshot() == first
    assert LAG.objects.count() == 3
    assert Priority.objects.count() == 4
    assert ExpectedResult.objects.count() == 5
    assert Indicator.objects.count() == 16
    assert TerritoryUnit.objects.count() == 73
    assert Municipality.objects.filter(era=Municipality.Era.STRATEGY).count() == 9
    assert Municipality.objects.filter(era=Municipality.Era.CURRENT).count() == 4


def test_load_strategy_stores_every_list_of_the_document(strategy):
    counts = {kind: Statement.objects.filter(kind=kind).count() for kind in Statement.Kind.values}
    assert counts == {
        "principle": 4,
        "trend_7y": 3,
        "trend_20y": 3,
        "external_factor": 7,
        "internal_factor": 5,
        "main_task": 6,
    }
    assert list(Indicator.objects.values_list("code", flat=True)) == [
        *(f"K{n}" for n in range(1, 12)),
        *(f"R{n}" for n in range(1, 6)),
    ]


def test_load_strategy_stores_the_seed_figures_exactly(strategy):
    sums = dict(LocalStrategy.objects.values_list("lag__slug", "amount"))
    assert sums == {
        "kaimini": Decimal("2899408.11"),
        "kraslava": Decimal("2536741.03"),
        "preili": Decimal("2590288.62"),
    }
    assert set(LocalStrategy.objects.values_list("period_start", "period_end")) == {(2015, 2020)}
    kaimini, kraslava, preili = (LAG.objects.get(slug=slug) for slug in ("kaimini", "kraslava", "preili"))
    assert kaimini.name_lv == "Biedrība “Daugavpils un Ilūkstes novadu partnerība “Kaimiņi””"
    assert kraslava.name_lv == "Biedrība “Krāslavas rajona partnerība”"
    assert preili.name_lv == "Biedrība “Preiļu rajona partnerība”"
    assert kaimini.founded_year == 2001
    assert kraslava.founded_on == date(2006, 10, 17)
    assert (kaimini.public_benefit, kraslava.public_benefit, preili.public_benefit) == (True, False, False)
    assert kaimini.priorities.count() == 5
    strategy_row = Strategy.objects.get()
    assert (strategy_row.period_start, strategy_row.period_end) == (2020, 2026)


def test_load_strategy_gives_every_strategy_text_an_english_version(strategy):
    missing = []
    for model in translator.get_registered_models():
        if model is Activity:
            continue  # activities are staff records: English is optional there
        for field in translator.get_options_for_model(model).fields:
            for row in model.objects.all():
                if getattr(row, f"{field}_lv") and not getattr(row, f"{field}_en"):
                    missing.append(f"{model.__name__} {row.pk}.{field}")
    assert missing == []


def test_load_strategy_loads_the_territory_as_the_csv_gives_it(strategy):
    with open(ROOT / "fixtures" / "territory.csv", encoding="utf-8") as handle:
        expected = {
            row["unit"]: (row["kind"], row["lag"], row["novads_2009_2021"], row["novads_since_2021_07_01"])
            for row in csv.DictReader(handle)
        }
    stored = {
        unit.name: (unit.kind, unit.lag.slug, unit.municipality_2009.name_lv, unit.municipality_2021.name_lv)
        for unit in TerritoryUnit.objects.select_related("lag", "municipality_2009", "municipality_2021")
    }
    assert stored == expected
    assert stored["Aglonas pagasts"][1] == "preili"


def test_load_strategy_invents_no_baselines_or_targets(strategy):
    assert Baseline.objects.count() == 0
    assert Target.objects.count() == 0


def test_load_strategy_refuses_to_overwrite_staff_edits_without_force(strategy):
    row = Strategy.objects.get()
    row.vision_en = "Edited by staff"
    row.save()
    LAG.objects.filter(slug="preili").update(website="https://example.lv")  # not content: untouched
    Statement.objects.filter(kind="principle", order=4).delete()

    with pytest.raises(CommandError, match="--force"):
        call_command("load_strategy", verbosity=0)

    row.refresh_from_db()
    assert row.vision_en == "Edited by staff"
    # "changes nothing": not even the missing statement came back
    assert Statement.objects.filter(kind="principle").count() == 3

    call_command("load_strategy", "--force", verbosity=0)
    row.refresh_from_db()
    assert row.vision_en != "Edited by staff"
    assert Statement.objects.filter(kind="principle").count() == 4
    assert LAG.objects.get(slug="preili").website == "https://example.lv"


def run_command(tmp_path, database, *command):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "true"}
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["load_strategy", "load_demo"])
def test_loaders_stop_with_a_clear_message_on_an_unmigrated_database(tmp_path, command):
    result = run_command(tmp_path, tmp_path / "empty.sqlite3", command)
    assert result.returncode == 1
    assert "python manage.py migrate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["load_strategy", "load_demo"])
def test_loaders_stop_with_a_clear_message_on_a_foreign_database(tmp_path, command):
    database = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE invoices (id integer primary key, total real)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")
    result = run_command(tmp_path, database, command)
    assert result.returncode == 1
    assert "nav DDKC portāla datubāze" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (1,)
