"""Synthetic load for performance work: ``--scale N`` writes N × a realistic year (≈ 200 activities per
LAG per year, with parishes, priorities and funding lines) for every year of the strategy, approved,
plus one measurement for every reported or qualitative indicator × LAG × year that has none.

Everything it writes is flagged ``is_synthetic``: public pages say so while any exists, ``load_demo
--remove`` leaves it alone and ``generate_load --remove`` deletes exactly it. The data is a function of
``--seed`` (and of the strategy's content): each LAG-year draws from its own seeded generator.

It writes with ``bulk_create`` in batches (no signals, no per-row validation, no change history), so a
closed year is checked here: closed years are skipped (load) or refused (remove)."""

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator, Measurement
from partners.dbutils import ensure_migrated
from partners.models import LAG
from partners.public_cache import bump_data_version
from strategy import tallies
from strategy.models import Activity, ActivityType, Evidence, FundingLine, StatusChange, Strategy
from strategy.workflow import Status
from strategy.year_lock import closed_years, ensure_open

PER_LAG_YEAR = 200
BATCH = 2000
# (type code, share of a LAG's year, participants range or None)
MIX = [
    ("event", 14, (25, 120)),
    ("training", 10, (8, 35)),
    ("consultation", 20, (1, 4)),
    ("clean_up", 7, (10, 60)),
    ("public_consultation", 5, (10, 80)),
    ("forum", 3, (30, 150)),
    ("municipal_planning", 5, (5, 20)),
    ("expert_participation", 7, None),
    ("rights_support", 5, (1, 6)),
    ("youth_civic", 5, (10, 40)),
    ("project", 5, (20, 200)),
    ("information", 9, (15, 100)),
    ("networking", 5, (10, 30)),
]


class Command(BaseCommand):
    help = "Ģenerē (vai ar --remove dzēš) sintētiskus slodzes testa datus: N × reāla gada apjoms 2020–2026."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="Cik reizes reāla gada apjoms (200 aktivitāšu uz VRG gadā)."
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Gadījumskaitļu sēkla (tie paši dati katru reizi)."
        )
        parser.add_argument("--remove", action="store_true", help="Dzēst tieši sintētiskos datus.")

    def handle(self, *args, scale=1, seed=2026, remove=False, **options):
        ensure_migrated()
        if remove:
            self.remove()
            return
        if scale < 1:
            raise CommandError("--scale jābūt veselam skaitlim, ne mazākam par 1.")
        strategy = Strategy.objects.current()
        if strategy is None or not LAG.objects.exists():
            raise CommandError("Vispirms ielādējiet stratēģiju: python manage.py load_strategy")
        if Activity.objects.synthetic().exists() or Measurement.objects.synthetic().exists():
            raise CommandError(
                "Sintētiskie dati jau ir ielādēti; vispirms: python manage.py generate_load --remove"
            )
        closed = closed_years()
        years = [y for y in strategy.years if y not in closed]
        for year in sorted(closed & set(strategy.years)):
            self.stdout.write(f"{year}. gads ir slēgts: to izlaižu.")
        started = time.perf_counter()
        types = {t.code: t for t in ActivityType.objects.all()}
        mix = [(types[code], weight, people) for code, weight, people in MIX if code in types]
        if not mix:
            raise CommandError("Nav aktivitāšu veidu: vispirms python manage.py load_strategy")
        priorities = list(strategy.priorities.order_by("number"))
        total = 0
        for lag in LAG.objects.order_by("slug").prefetch_related("territory_units"):
            units = sorted(lag.territory_units.all(), key=lambda u: u.pk)
            if not units:
                continue
            for year in years:
                rng = random.Random(f"{seed}:{lag.slug}:{year}")
                with tallies.deferred():  # one transaction; the LAG-year's tallies refreshed once, at its end
                    total += self.activities(rng, lag, year, scale * PER_LAG_YEAR, mix, units, priorities)
                self.stdout.write(
                    f"  {lag.slug} {year}: {total} aktivitātes, {time.perf_counter() - started:.0f} s"
                )
        with transaction.atomic():
            measurements = self.measurements(strategy, years, seed)
        bump_data_version()
        self.stdout.write(
            f"Ģenerētas {total} sintētiskas aktivitātes un {measurements} rādītāju vērtības "
            f"({time.perf_counter() - started:.1f} s)."
        )

    @staticmethod
    def activities(rng, lag, year, count, mix, units, priorities):
        kinds = [kind for kind, _w, _p in mix]
        weights = [w for _k, w, _p in mix]
        people = {kind.pk: p for kind, _w, p in mix}
        written = 0
        for offset in range(0, count, BATCH):
            rows = []
            for n in range(offset, min(count, offset + BATCH)):
                kind = rng.choices(kinds, weights)[0]
                place = rng.sample(units, k=min(len(units), rng.choice([1, 1, 1, 2])))
                start = date(year, 1, 1) + timedelta(days=rng.randrange(0, 365 if year % 4 else 366))
                span = people[kind.pk]
                total = rng.randint(*span) if span else None
                youth = round(total * rng.uniform(0.1, 0.45)) if total else None
                vulnerable = round(total * rng.uniform(0.05, 0.3)) if total else None
                reviewed = timezone.make_aware(datetime.combine(start + timedelta(days=5), clock(10)))
                title = f"Sintētiska aktivitāte {year}-{n + 1} — {place[0].name}"
                activity = Activity(
                    lag=lag,
                    title=title,
                    title_lv=title,
                    summary_lv="Sintētisks ieraksts slodzes testam.",
                    start_date=start,
                    activity_type=kind,
                    venue=place[0].name,
                    participants_total=total,
                    participants_youth=youth,
                    participants_vulnerable=vulnerable,
                    status=Status.APPROVED,
                    submitted_at=reviewed - timedelta(days=2),
                    reviewed_at=reviewed,
                    is_synthetic=True,
                )
                picked = rng.sample(priorities, k=min(len(priorities), rng.choice([1, 1, 2])))
                lines = []
                if kind.code == "project" or rng.random() < 0.25:
                    lines.append((FundingLine.Source.EAFRD, rng.randint(300, 40000)))
                    if rng.random() < 0.4:
                        lines.append((FundingLine.Source.MUNICIPALITY, rng.randint(50, 3000)))
                rows.append((activity, place, picked, lines, rng.randint(0, 99)))
            Activity.objects.bulk_create([r[0] for r in rows], batch_size=BATCH)
            units_through = Activity.territory_units.through
            priorities_through = Activity.priorities.through
            units_through.objects.bulk_create(
                [
                    units_through(activity_id=a.pk, territoryunit_id=u.pk)
                    for a, place, *_ in rows
                    for u in place
                ],
                batch_size=BATCH * 2,
            )
            priorities_through.objects.bulk_create(
                [
                    priorities_through(activity_id=a.pk, priority_id=p.pk)
                    for a, _u, picked, *_ in rows
                    for p in picked
                ],
                batch_size=BATCH * 2,
            )
            FundingLine.objects.bulk_create(
                [
                    FundingLine(
                        activity_id=a.pk, source=source, amount=Decimal(amount) + Decimal(cents) / 100
                    )
                    for a, _u, _p, lines, cents in rows
                    for source, amount in lines
                ],
                batch_size=BATCH * 2,
            )
            written += len(rows)
        return written

    @staticmethod
    def measurements(strategy, years, seed):
        """One approved value for each reported or qualitative indicator × LAG × year that has none."""
        indicators = list(Indicator.objects.filter(strategy=strategy).entered().order_by("order", "code"))
        taken = set(
            Measurement.objects.filter(indicator__in=indicators, year__in=years).values_list(
                "indicator_id", "lag_id", "year"
            )
        )
        rows = []
        for indicator in indicators:
            for lag in LAG.objects.order_by("slug"):
                rng = random.Random(f"{seed}:{indicator.code}:{lag.slug}")
                for year in years:
                    draw = rng.random()
                    if (indicator.pk, lag.pk, year) in taken:
                        continue
                    if indicator.value_kind == Indicator.ValueKind.RATING:
                        fields = {
                            "narrative": "Sintētisks apraksts slodzes testam.",
                            "rating": 1 + int(draw * 5),
                        }
                    elif indicator.value_kind == Indicator.ValueKind.SHARE:
                        respondents = 150 + int(draw * 250)
                        fields = {
                            "numerator": Decimal(round(respondents * (0.2 + draw / 5))),
                            "denominator": Decimal(respondents),
                        }
                    else:
                        fields = {"value": Decimal(40 + int(draw * 9000))}
                    reviewed = timezone.make_aware(datetime(year + 1, 1, 20, 10))
                    rows.append(
                        Measurement(
                            indicator=indicator,
                            lag=lag,
                            year=year,
                            status=Status.APPROVED,
                            submitted_at=reviewed,
                            reviewed_at=reviewed,
                            note="Sintētiski dati.",
                            is_synthetic=True,
                            **fields,
                        )
                    )
        Measurement.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def remove(self):
        """Delete exactly the synthetic records. Raw deletes: hundreds of thousands of rows through the
        ORM's collector would take minutes; nothing else points at synthetic records (no history, no
        status log, no evidence: the generator writes none; should staff have touched one, its status
        log, evidence rows and change history go too)."""
        activities = Activity.objects.synthetic()
        measurements = Measurement.objects.synthetic()
        ensure_open(
            *activities.order_by().values_list("start_date__year", flat=True).distinct(),
            *measurements.order_by().values_list("year", flat=True).distinct(),
        )
        started = time.perf_counter()
        counts = {}
        with transaction.atomic():
            ids = activities.values("pk")
            for model, records in ((Activity, ids), (Measurement, measurements.values("pk"))):
                StatusChange.objects.filter(
                    content_type=ContentType.objects.get_for_model(model), object_id__in=records
                )._raw_delete(StatusChange.objects.db)
                history = model.history.model.objects.filter(is_synthetic=True)
                history._raw_delete(history.db)
            Evidence.objects.filter(activity_id__in=ids)._raw_delete(Evidence.objects.db)
            for through in (
                Activity.territory_units.through,
                Activity.municipalities.through,
                Activity.priorities.through,
            ):
                through.objects.filter(activity_id__in=ids)._raw_delete(through.objects.db)
            counts["finansējuma rindas"] = FundingLine.objects.filter(activity_id__in=ids)._raw_delete(
                FundingLine.objects.db
            )
            counts["aktivitātes"] = activities._raw_delete(activities.db)
            counts["rādītāju vērtības"] = measurements._raw_delete(measurements.db)
            tallies.rebuild()  # raw deletes send no signals
        bump_data_version()
        self.stdout.write(
            "Dzēsti sintētiskie dati: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f" ({time.perf_counter() - started:.1f} s)."
        )
