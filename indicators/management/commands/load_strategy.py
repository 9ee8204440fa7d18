"""Load the DDKC strategy's content (fixtures/strategy.json, fixtures/territory.csv,
fixtures/municipalities.csv) into the database.

Running it twice changes nothing. Where the database differs from the fixtures (staff edited a
text in the admin), it lists the differences and changes nothing, unless run with --force. Even with
--force it never rewrites an indicator's definition while a year is closed (invariant 9): it says so
and changes nothing.
The strategy gives no baselines or targets, so none are loaded.
"""

import csv
import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators.models import Indicator
from partners.dbutils import Sync, ensure_migrated
from partners.models import LAG, LAGPriority, LocalStrategy, Municipality, TerritoryUnit
from strategy.models import ActivityType, ExpectedResult, Priority, Statement, Strategy
from strategy.year_lock import ClosedYearError

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class _Refused(Exception):
    pass


def tr(field, pair):
    """{"lv": …, "en": …} → {"field_lv": …, "field_en": …}"""
    return {f"{field}_lv": pair["lv"], f"{field}_en": pair["en"]}


def read_csv(name):
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Command(BaseCommand):
    help = "Ielādē DDKC stratēģijas saturu (LV un EN) un teritoriju. Atkārtota palaišana neko nemaina."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Pārrakstīt arī tekstus, ko darbinieki ir mainījuši."
        )

    def handle(self, *args, force=False, **options):
        ensure_migrated()
        content = json.loads((FIXTURES / "strategy.json").read_text(encoding="utf-8"))
        sync = Sync(force=force)
        try:
            with transaction.atomic():
                self.load(sync, content)
                if sync.differences and not force:
                    raise _Refused
        except _Refused:
            for label, field, current, wanted in sync.differences:
                self.stderr.write(
                    f"  {label}.{field}:\n    datubāzē: {current!r}\n    stratēģijā: {wanted!r}"
                )
            raise CommandError(
                f"{len(sync.differences)} lauki datubāzē atšķiras no stratēģijas satura, tāpēc nekas netika "
                "mainīts. Lai pārrakstītu, palaidiet ar --force."
            ) from None
        except ClosedYearError as refusal:  # --force would rewrite what a closed year froze
            raise CommandError(" ".join(refusal.messages) + " Nekas netika mainīts.") from None
        self.stdout.write(
            f"Stratēģija ielādēta: jauni ieraksti {sync.created}, nemainīti {sync.unchanged}"
            + (f", pārrakstīti lauki {len(sync.differences)}" if sync.differences else "")
            + "."
        )

    def load(self, sync, content):
        lags = {}
        for order, item in enumerate(content["lags"], start=1):
            founded_on = datetime.date.fromisoformat(item["founded_on"]) if item["founded_on"] else None
            lag = sync.row(
                LAG,
                {"slug": item["slug"]},
                {
                    **tr("name", item["name"]),
                    **tr("short_name", item["short_name"]),
                    **tr("aim", item["aim"]),
                    **tr("mission", item["mission"]),
                    **tr("vision", item["vision"]),
                    **tr("territory_description", item["territory_description"]),
                    **tr("notes", item["notes"]),
                    "founded_on": founded_on,
                    "founded_year": item["founded_year"],
                    "public_benefit": item["public_benefit"],
                    "order": order,
                },
            )
            lags[lag.slug] = lag
            for position, text in enumerate(item["priorities"], start=1):
                sync.row(LAGPriority, {"lag": lag, "order": position}, tr("text", text))
            for local in item["local_strategies"]:
                sync.row(
                    LocalStrategy,
                    {"lag": lag, "period_start": local["period_start"], "period_end": local["period_end"]},
                    {
                        **tr("title", local["title"]),
                        **tr("fund", local["fund"]),
                        "amount": Decimal(local["amount"]),
                    },
                )

        municipalities = {}
        for row in read_csv("municipalities.csv"):
            municipality = sync.row(
                Municipality,
                {"era": row["era"], "slug": row["slug"]},
                {"name_lv": row["name_lv"], "name_en": row["name_en"]},
            )
            municipalities[(row["era"], row["name_lv"])] = municipality

        for row in read_csv("territory.csv"):
            try:
                sync.row(
                    TerritoryUnit,
                    {"name": row["unit"]},
                    {
                        "kind": row["kind"],
                        "lag": lags[row["lag"]],
                        "municipality_2009": municipalities[("2009", row["novads_2009_2021"])],
                        "municipality_2021": municipalities[("2021", row["novads_since_2021_07_01"])],
                    },
                )
            except KeyError as exc:
                raise CommandError(f"territory.csv: nezināma vērtība {exc} rindā {row}") from exc

        data = content["strategy"]
        strategy = sync.row(
            Strategy,
            {"slug": data["slug"]},
            {
                "period_start": data["period_start"],
                "period_end": data["period_end"],
                **{
                    key: value
                    for field in (
                        "title",
                        "short_title",
                        "vision",
                        "mission",
                        "long_term_goal",
                        "short_term_goal",
                        "purpose",
                        "origin",
                        "background",
                        "quality_policy",
                        "analysis",
                        "vulnerable_definition",
                    )
                    for key, value in tr(field, data[field]).items()
                },
            },
        )

        priorities = {}
        for item in content["priorities"]:
            priorities[item["number"]] = sync.row(
                Priority,
                {"strategy": strategy, "number": item["number"]},
                {**tr("title", item["title"]), **tr("description", item["description"])},
            )
        results = {}
        for item in content["results"]:
            results[item["number"]] = sync.row(
                ExpectedResult, {"strategy": strategy, "number": item["number"]}, tr("text", item["text"])
            )
        statements = {**content["statements"], Statement.Kind.MAIN_TASK: content["main_tasks"]}
        for kind, items in statements.items():
            for order, text in enumerate(items, start=1):
                sync.row(Statement, {"strategy": strategy, "kind": kind, "order": order}, tr("text", text))

        types = {}
        for order, item in enumerate(content["activity_types"], start=1):
            types[item["code"]] = sync.row(
                ActivityType,
                {"code": item["code"]},
                {**tr("name", item["name"]), **tr("description", item["description"]), "order": order},
            )

        for order, item in enumerate(content["indicators"], start=1):
            sync.row(
                Indicator,
                {"strategy": strategy, "code": item["code"]},
                {
                    "kind": item["kind"],
                    "order": order,
                    **tr("statement", item["statement"]),
                    **tr("name", item["name"]),
                    **tr("definition", item["definition"]),
                    **tr("data_source", item["data_source"]),
                    **tr("method", item["method"]),
                    "unit": item["unit"],
                    "direction": item["direction"],
                    "source": item["source"],
                    "rule": item["rule"] or "",
                    "measure": item["measure"],
                    "funding_sources": item["funding_sources"],
                    "frequency": item["frequency"],
                    "result": results[item["result"]] if item.get("result") else None,
                },
                m2m={
                    "activity_types": [types[code] for code in item["activity_types"]],
                    "priorities": [priorities[number] for number in item["priorities"]],
                },
            )
