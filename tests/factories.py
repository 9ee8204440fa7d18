"""Small factories: each makes a valid object and takes overrides, so a test states only what it is about."""

import itertools
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group

from indicators.models import Baseline, Indicator, Measurement, Target
from partners.models import LAG, Municipality, TerritoryUnit, User
from strategy.models import Activity, ActivityType, FundingLine, Priority, Strategy

_seq = itertools.count(1)


def current_strategy():
    return Strategy.objects.current()


def lag(**overrides):
    n = next(_seq)
    values = {"slug": f"lag{n}", "name_lv": f"Biedrība “Partnerība {n}”", "short_name_lv": f"Partnerība {n}"}
    values.update(overrides)
    return LAG.objects.create(**values)


def municipality(era=Municipality.Era.STRATEGY, **overrides):
    n = next(_seq)
    values = {"era": era, "name_lv": f"Novads {n}", "slug": f"novads-{n}"}
    values.update(overrides)
    return Municipality.objects.create(**values)


def territory_unit(**overrides):
    n = next(_seq)
    values = {"name": f"Pagasts {n}", "kind": TerritoryUnit.Kind.PARISH}
    values.update(overrides)
    values.setdefault("lag", overrides.get("lag") or lag())
    values.setdefault("municipality_2009", municipality(Municipality.Era.STRATEGY))
    values.setdefault("municipality_2021", municipality(Municipality.Era.CURRENT))
    return TerritoryUnit.objects.create(**values)


def user(role=None, **overrides):
    n = next(_seq)
    values = {"username": f"user{n}", "is_staff": True}
    values.update(overrides)
    account = User.objects.create_user(password="correct-horse-battery-staple", **values)
    if role:
        account.groups.add(Group.objects.get(name=role))
    return account


def strategy(**overrides):
    n = next(_seq)
    values = {
        "slug": f"strategy-{n}",
        "title_lv": f"Stratēģija {n}",
        "short_title_lv": f"S{n}",
        "period_start": 2020,
        "period_end": 2026,
        "vision_lv": "Vīzija",
        "mission_lv": "Misija",
        "long_term_goal_lv": "Ilgtermiņa mērķis",
        "short_term_goal_lv": "Īstermiņa mērķis",
    }
    values.update(overrides)
    return Strategy.objects.create(**values)


def priority(**overrides):
    values = {"number": next(_seq), "title_lv": "Prioritāte"}
    values.update(overrides)
    values.setdefault("strategy", overrides.get("strategy") or strategy())
    return Priority.objects.create(**values)


def activity_type(**overrides):
    n = next(_seq)
    values = {"code": f"type{n}", "name_lv": f"Veids {n}"}
    values.update(overrides)
    return ActivityType.objects.create(**values)


def activity(**overrides):
    values = {
        "title_lv": f"Aktivitāte {next(_seq)}",
        "start_date": date(2024, 3, 5),
        "participants_total": 20,
        "participants_youth": 5,
        "participants_vulnerable": 2,
    }
    values.update(overrides)
    values.setdefault("lag", overrides.get("lag") or lag())
    values.setdefault("activity_type", overrides.get("activity_type") or activity_type())
    return Activity.objects.create(**values)


def funding_line(**overrides):
    values = {"source": FundingLine.Source.EAFRD, "amount": Decimal("1000.00")}
    values.update(overrides)
    values.setdefault("activity", overrides.get("activity") or activity())
    return FundingLine.objects.create(**values)


def indicator(**overrides):
    n = next(_seq)
    values = {
        "code": f"X{n}",
        "kind": Indicator.Kind.KPI,
        "statement_lv": "Formulējums",
        "name_lv": f"Rādītājs {n}",
        "definition_lv": "Definīcija",
        "unit": Indicator.Unit.PERSONS,
        "source": Indicator.Source.REPORTED,
    }
    values.update(overrides)
    values.setdefault("strategy", overrides.get("strategy") or strategy())
    values.setdefault("measure", implied_measure(values["source"], values["unit"]))
    return Indicator.objects.create(**values)


def implied_measure(source, unit):
    """The measure an indicator of this source and unit usually declares (a test may declare another)."""
    if source == Indicator.Source.QUALITATIVE:
        return Indicator.Measure.RATING
    if source == Indicator.Source.REPORTED:
        return Indicator.Measure.ESTIMATE if unit == Indicator.Unit.PERCENT else Indicator.Measure.STOCK
    return Indicator.Measure.FLOW


def target(**overrides):
    values = {"year": 2024, "value": Decimal("10")}
    values.update(overrides)
    values.setdefault("indicator", overrides.get("indicator") or indicator())
    if values.get("lag") is None:
        values.setdefault("reason", "Kopējā vērtība testam")
    return Target.objects.create(**values)


def baseline(**overrides):
    values = {"year": 2019, "value": Decimal("5")}
    values.update(overrides)
    values.setdefault("indicator", overrides.get("indicator") or indicator())
    if values.get("lag") is None:
        values.setdefault("reason", "Kopējā vērtība testam")
    return Baseline.objects.create(**values)


def measurement(**overrides):
    values = {"year": 2024, "value": Decimal("10")}
    values.update(overrides)
    values.setdefault("indicator", overrides.get("indicator") or indicator())
    values.setdefault("lag", overrides.get("lag") or lag())
    return Measurement.objects.create(**values)
