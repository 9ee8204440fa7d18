"""Demonstration data: plausible activities, measurements, the LAGs' baselines and targets (the joint
ones are derived by the progress engine), estimate weights and the LAGs' data completion marks of every
ended year for 2020–2025 in all three LAGs, plus one demo account per role. Everything it writes is
flagged ``is_demo`` (a completion mark: made by a demo account), every public page shows a notice while
any exists, and ``--remove`` deletes exactly it."""

import random
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from indicators.models import Baseline, EstimateWeight, Indicator, Measurement, Target
from indicators.progress import ProgressEngine
from partners import roles
from partners.dbutils import ensure_migrated
from partners.models import LAG, User
from strategy import tallies
from strategy.models import Activity, ActivityType, DataCompletion, FundingLine, StatusChange, Strategy
from strategy.workflow import Status
from strategy.year_lock import closed_years

YEARS = range(2020, 2026)
SEED = 2020

# (type code, Latvian title, English title or None, priority numbers, how many a LAG does a year)
TEMPLATES = [
    ("event", "Pilsoniskās līdzdalības diena — {unit}", "Civic participation day — {unit}", [1, 2], 6),
    (
        "training",
        "Seminārs “Kā ietekmēt pašvaldības lēmumus” — {unit}",
        "Seminar “How to influence municipal decisions” — {unit}",
        [2],
        4,
    ),
    (
        "consultation",
        "Konsultācija par projektu konkursu NVO — {unit}",
        "Consultation on a project call for NGOs — {unit}",
        [1],
        8,
    ),
    ("clean_up", "Talka — {unit}", "Community clean-up (talka) — {unit}", [2], 3),
    ("public_consultation", "Sabiedriskā apspriešana par ciema attīstību — {unit}", None, [2, 3], 2),
    ("forum", "Iedzīvotāju forums — {unit}", "Residents' forum — {unit}", [2, 3], 1),
    (
        "municipal_planning",
        "Darba grupa novada attīstības programmas izstrādei — {unit}",
        "Working group on the municipal development programme — {unit}",
        [2, 3],
        2,
    ),
    (
        "expert_participation",
        "VRG eksperta dalība pašvaldības komisijā — {unit}",
        "LAG expert on a municipal committee — {unit}",
        [4],
        3,
    ),
    (
        "rights_support",
        "Konsultācijas diskriminācijas upuriem — {unit}",
        "Advice for victims of discrimination — {unit}",
        [2],
        2,
    ),
    (
        "youth_civic",
        "Jauniešu debates par vietējo politiku — {unit}",
        "Young people's debate on local politics — {unit}",
        [2],
        2,
    ),
    ("project", "Projekts “Aktīva kopiena” — {unit}", "Project “Active community” — {unit}", [1], 2),
    ("information", "Informatīvs pasākums par DDKC stratēģiju — {unit}", None, [3, 4], 2),
    ("networking", "Pieredzes apmaiņas brauciens — {unit}", "Experience-exchange visit — {unit}", [4], 1),
]

PARTICIPANTS = {
    "event": (25, 120),
    "training": (10, 35),
    "consultation": (1, 4),
    "clean_up": (15, 80),
    "public_consultation": (12, 70),
    "forum": (30, 150),
    "municipal_planning": (8, 30),
    "expert_participation": (None, None),
    "rights_support": (1, 8),
    "youth_civic": (15, 60),
    "project": (20, 200),
    "information": (20, 90),
    "networking": (10, 30),
}

# Estimate weights: invented populations of the order of the LAGs' territories (not official statistics).
POPULATIONS = {"kaimini": Decimal(24300), "kraslava": Decimal(19800), "preili": Decimal(16900)}
WEIGHT_SOURCE = "Demonstrācijas dati: izdomāts iedzīvotāju skaits, līdzīgs VRG teritorijai, nevis CSP dati"

ROLE_ACCOUNTS = [
    ("demo-specialists-{lag}", roles.EDITOR, True),
    ("demo-koordinators-{lag}", roles.COORDINATOR, True),
    ("demo-valde", roles.BOARD, False),
    ("demo-sekretariats", roles.SECRETARIAT, False),
]


class Command(BaseCommand):
    help = "Ielādē (vai ar --remove dzēš) demonstrācijas datus un demonstrācijas kontus."

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove", action="store_true", help="Dzēst tieši demonstrācijas datus un kontus."
        )

    def handle(self, *args, remove=False, **options):
        ensure_migrated()
        if remove:
            self.remove()
            return
        strategy = Strategy.objects.current()
        if strategy is None or LAG.objects.count() == 0:
            raise CommandError("Vispirms ielādējiet stratēģiju: python manage.py load_strategy")
        with tallies.deferred():  # one transaction; the activity tallies refreshed once, at its end
            accounts = self.accounts()
            if Activity.objects.filter(is_demo=True).exists():
                self.stdout.write("Demonstrācijas dati jau ir ielādēti; atjaunotas tikai kontu paroles.")
            else:
                self.load(strategy, accounts)
        self.stdout.write("\nDemonstrācijas konti (parole derīga līdz nākamajai load_demo palaišanai):")
        for user, role, password in accounts:
            lag = f" ({user.lag.short_name_lv})" if user.lag else ""
            self.stdout.write(f"  {role + lag:<48} {user.username:<28} {password}")

    @tallies.deferred()
    def remove(self):
        demo_activities = Activity.objects.filter(is_demo=True)
        demo_measurements = Measurement.objects.filter(is_demo=True)
        self.refuse_closed_years(demo_activities, demo_measurements)
        changes = (
            StatusChange.objects.filter(
                content_type=ContentType.objects.get_for_model(Activity),
                object_id__in=demo_activities.values("pk"),
            ).delete()[0]
            + StatusChange.objects.filter(
                content_type=ContentType.objects.get_for_model(Measurement),
                object_id__in=demo_measurements.values("pk"),
            ).delete()[0]
        )
        counts = {
            "aktivitātes": demo_activities.delete()[1].get("strategy.Activity", 0),
            "rādītāju vērtības": demo_measurements.delete()[0],
            "mērķa vērtības": Target.objects.filter(is_demo=True).delete()[0],
            "bāzes vērtības": Baseline.objects.filter(is_demo=True).delete()[0],
            "novērtējumu svari": EstimateWeight.objects.filter(is_demo=True).delete()[0],
            "gadu datu pabeigšanas atzīmes": DataCompletion.objects.filter(marked_by__is_demo=True).delete()[
                0
            ],
            "statusa maiņas": changes,
        }
        # After the records: deleting them wrote their last history rows.
        counts["izmaiņu vēstures ieraksti"] = self.remove_history()
        counts["konti"] = self.remove_accounts()
        self.stdout.write(
            "Dzēsti demonstrācijas dati: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."
        )

    @staticmethod
    def refuse_closed_years(demo_activities, demo_measurements):
        """A closed year's records are read-only (invariant 9), demo ones too: say so before deleting
        anything, instead of failing half-way on the first of them."""
        closed = closed_years()
        if not closed:
            return
        years = (
            {d.year for d in demo_activities.dates("start_date", "year")}
            | set(demo_measurements.values_list("year", flat=True).distinct())
            | set(Target.objects.filter(is_demo=True).values_list("year", flat=True).distinct())
            | set(Baseline.objects.filter(is_demo=True).values_list("year", flat=True).distinct())
        )
        locked = sorted(years & closed)
        if locked:
            raise CommandError(
                "Demonstrācijas datus nevar dzēst: "
                + ", ".join(f"{year}. gads" for year in locked)
                + " ir slēgts, un tajā ir demonstrācijas ieraksti. Atveriet gadu no jauna (valde, norādot "
                "iemeslu) un mēģiniet vēlreiz. Nekas nav dzēsts."
            )

    @staticmethod
    def remove_history():
        """The change history of the demo records (every row carries the record's ``is_demo``), and the
        demo accounts' names in the history of real records, which stays: a history row names its
        author and reviewer without a database constraint, so a deleted account would leave it pointing
        at nobody (and ``dumpdata --natural-foreign`` and the backup would fail on it)."""
        demo_users = list(User.objects.filter(is_demo=True).values_list("pk", flat=True))
        deleted = 0
        for model in (Activity, Measurement, Target, Indicator):
            history = model.history.model
            if any(field.name == "is_demo" for field in history._meta.fields):
                deleted += history.objects.filter(is_demo=True).delete()[0]
            for field in history._meta.concrete_fields:
                if field.is_relation and field.related_model is User:
                    history.objects.filter(**{f"{field.attname}__in": demo_users}).update(
                        **{field.attname: None}
                    )
        return deleted

    def remove_accounts(self):
        try:
            return User.objects.filter(is_demo=True).delete()[1].get("partners.User", 0)
        except ProtectedError as error:
            names = ", ".join(sorted({str(obj) for obj in error.protected_objects})[:10])
            raise CommandError(
                "Demonstrācijas kontus nevar dzēst: uz tiem atsaucas īsti dati (piemēram, viņu apstiprināti "
                f"ieraksti, statusa maiņas vai gada slēgšana): {names}. Nekas nav dzēsts."
            ) from error

    def accounts(self):
        result = []
        for pattern, role, per_lag in ROLE_ACCOUNTS:
            for lag in LAG.objects.all() if per_lag else [None]:
                username = pattern.format(lag=lag.slug if lag else "")
                user, _created = User.objects.get_or_create(
                    username=username, defaults={"is_demo": True, "is_staff": True, "lag": lag}
                )
                if not user.is_demo:
                    raise CommandError(
                        f"Lietotājs {username} jau pastāv un nav demonstrācijas konts; nemainu to."
                    )
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                user.groups.set([Group.objects.get(name=role)])
                result.append((user, role, password))
        return result

    def load(self, strategy, accounts):
        rng = random.Random(SEED)
        editors = {user.lag_id: user for user, role, _ in accounts if role == roles.EDITOR}
        coordinators = {user.lag_id: user for user, role, _ in accounts if role == roles.COORDINATOR}
        types = {t.code: t for t in ActivityType.objects.all()}
        priorities = {p.number: p for p in strategy.priorities.all()}
        activity_ct = ContentType.objects.get_for_model(Activity)
        activity_count = 0
        for lag in LAG.objects.prefetch_related("territory_units"):
            units = list(lag.territory_units.all())
            if not units:
                continue  # a LAG without territory yet: nothing plausible to invent
            editor, coordinator = editors[lag.pk], coordinators[lag.pk]
            for year in YEARS:
                growth = 1 + (year - 2020) * 0.12
                for code, title_lv, title_en, priority_numbers, per_year in TEMPLATES:
                    if code not in types:
                        continue
                    for _n in range(max(0, round(per_year * growth * rng.uniform(0.6, 1.3)))):
                        place = rng.sample(units, k=rng.choice([1, 1, 1, 2]))
                        start = date(year, 1, 1) + timedelta(days=rng.randrange(0, 360))
                        low, high = PARTICIPANTS[code]
                        total = rng.randint(low, high) if low is not None else None
                        youth = round(total * rng.uniform(0.1, 0.45)) if total else None
                        if code == "youth_civic" and total:
                            youth = round(total * rng.uniform(0.7, 1.0))
                        vulnerable = round(total * rng.uniform(0.05, 0.3)) if total else None
                        status = self.pick_status(rng, year)
                        stamp = timezone.make_aware(datetime.combine(start + timedelta(days=3), time(10)))
                        activity = Activity.objects.create(
                            lag=lag,
                            title_lv=title_lv.format(unit=place[0].name),
                            title_en=title_en.format(unit=place[0].name) if title_en else "",
                            summary_lv="Demonstrācijas ieraksts: izdomāta aktivitāte portāla iepazīšanai.",
                            summary_en="Demonstration record: an invented activity to explore the portal.",
                            start_date=start,
                            end_date=start + timedelta(days=rng.choice([0, 0, 0, 1])),
                            activity_type=types[code],
                            venue=place[0].name,
                            participants_total=total,
                            participants_youth=youth,
                            participants_vulnerable=vulnerable,
                            status=status,
                            author=editor,
                            changed_by=editor,
                            submitted_at=stamp if status != Status.DRAFT else None,
                            submitted_by=editor if status != Status.DRAFT else None,
                            reviewed_by=coordinator if status in (Status.APPROVED, Status.RETURNED) else None,
                            reviewed_at=stamp + timedelta(days=2)
                            if status in (Status.APPROVED, Status.RETURNED)
                            else None,
                            return_note="Lūdzu, pievienojiet dalībnieku sarakstu."
                            if status == Status.RETURNED
                            else "",
                            is_demo=True,
                        )
                        activity_count += 1
                        activity.territory_units.set(place)
                        activity.priorities.set([priorities[n] for n in priority_numbers if n in priorities])
                        if code == "project" or (code in ("event", "training") and rng.random() < 0.3):
                            self.funding(rng, activity, code)
                        self.history(activity_ct, activity, editor, coordinator, stamp)
        self.measurements(rng, strategy, editors, coordinators)
        tallies.flush()  # the plans follow the figures, which read the tallies
        self.plans(rng, strategy)
        self.weights(strategy)
        self.completion(accounts)
        self.stdout.write(f"Ielādētas {activity_count} demonstrācijas aktivitātes.")

    @staticmethod
    def pick_status(rng, year):
        if year < 2025:
            return Status.APPROVED
        return rng.choices(
            [Status.APPROVED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT], weights=[80, 10, 5, 5]
        )[0]

    @staticmethod
    def funding(rng, activity, code):
        if code == "project":
            lines = [
                (FundingLine.Source.EAFRD, rng.randint(3000, 40000)),
                (FundingLine.Source.ACTIVE_CITIZENS, rng.randint(0, 15000)),
                (FundingLine.Source.MUNICIPALITY, rng.randint(200, 3000)),
            ]
        else:
            lines = [
                (rng.choice([FundingLine.Source.MUNICIPALITY, FundingLine.Source.OWN]), rng.randint(50, 900))
            ]
        FundingLine.objects.bulk_create(
            FundingLine(
                activity=activity, source=source, amount=Decimal(amount) + Decimal(rng.randint(0, 99)) / 100
            )
            for source, amount in lines
            if amount
        )

    @staticmethod
    def history(content_type, record, editor, coordinator, stamp):
        steps = {
            Status.DRAFT: [],
            Status.SUBMITTED: [(Status.DRAFT, Status.SUBMITTED, editor, "")],
            Status.APPROVED: [
                (Status.DRAFT, Status.SUBMITTED, editor, ""),
                (Status.SUBMITTED, Status.APPROVED, coordinator, ""),
            ],
            Status.RETURNED: [
                (Status.DRAFT, Status.SUBMITTED, editor, ""),
                (Status.SUBMITTED, Status.RETURNED, coordinator, record.return_note),
            ],
        }[record.status]
        changes = StatusChange.objects.bulk_create(
            StatusChange(
                content_type=content_type, object_id=record.pk, from_status=a, to_status=b, by=who, note=note
            )
            for a, b, who, note in steps
        )
        # auto_now_add stamps "now"; a believable history dates the steps after the activity.
        for offset, change in enumerate(changes):
            StatusChange.objects.filter(pk=change.pk).update(at=stamp + timedelta(days=offset * 2))

    def measurements(self, rng, strategy, editors, coordinators):
        measurement_ct = ContentType.objects.get_for_model(Measurement)
        indicators = Indicator.objects.filter(strategy=strategy).entered()
        for indicator in indicators:
            for lag in LAG.objects.all():
                members = rng.randint(40, 90)
                share = rng.uniform(0.18, 0.35)
                for year in YEARS:
                    last = year == YEARS[-1]  # the last year's reports are all in and approved
                    if (
                        indicator.value_kind != Indicator.ValueKind.RATING
                        and not last
                        and rng.random() < 0.08
                    ):
                        continue  # a LAG that did not report: completeness shows it
                    fields = {}
                    if indicator.value_kind == Indicator.ValueKind.RATING:
                        fields = {
                            "narrative": "Demonstrācija: VRG piedalījās jaunās vietējās attīstības stratēģijas "
                            "sagatavošanā un sabiedrības iesaistes sanāksmēs.",
                            "rating": min(5, 2 + (year - 2020) // 2 + rng.randint(0, 1)),
                        }
                    elif indicator.value_kind == Indicator.ValueKind.SHARE:
                        respondents = rng.randint(150, 400)
                        share = min(0.9, share + rng.uniform(-0.01, 0.03))
                        fields = {
                            "numerator": Decimal(round(respondents * share)),
                            "denominator": Decimal(respondents),
                        }
                    elif indicator.unit == Indicator.Unit.MEMBERS:
                        members += rng.randint(-1, 5)
                        fields = {"value": Decimal(members)}
                    else:
                        fields = {"value": Decimal(rng.randint(2500, 9000))}
                    status = Status.APPROVED if last else self.pick_status(rng, year)
                    stamp = timezone.make_aware(datetime(year + 1, 1, 20, 10))
                    measurement = Measurement.objects.create(
                        indicator=indicator,
                        lag=lag,
                        year=year,
                        status=status,
                        author=editors[lag.pk],
                        changed_by=editors[lag.pk],
                        submitted_at=stamp if status != Status.DRAFT else None,
                        submitted_by=editors[lag.pk] if status != Status.DRAFT else None,
                        reviewed_by=coordinators[lag.pk]
                        if status in (Status.APPROVED, Status.RETURNED)
                        else None,
                        reviewed_at=stamp if status in (Status.APPROVED, Status.RETURNED) else None,
                        return_note="Lūdzu, pievienojiet aptaujas rezultātus."
                        if status == Status.RETURNED
                        else "",
                        note="Demonstrācijas dati.",
                        is_demo=True,
                        **fields,
                    )
                    self.history(measurement_ct, measurement, editors[lag.pk], coordinators[lag.pk], stamp)

    @staticmethod
    def weights(strategy):
        """Each LAG's weight in the joint estimates (its population), with a source that says it is
        invented."""
        EstimateWeight.objects.bulk_create(
            EstimateWeight(
                strategy=strategy, lag=lag, value=POPULATIONS[lag.slug], source=WEIGHT_SOURCE, is_demo=True
            )
            for lag in LAG.objects.filter(slug__in=POPULATIONS)
        )

    @staticmethod
    def completion(accounts):
        """Every LAG marked its data of every ended demo year complete (its coordinator, in January of
        the next year): the default period runs to the last ended year and the running one is year to
        date."""
        this_year = timezone.localdate().year
        coordinators = {user.lag_id: user for user, role, _ in accounts if role == roles.COORDINATOR}
        DataCompletion.objects.bulk_create(
            DataCompletion(
                lag_id=lag_id,
                year=year,
                marked_by=coordinator,
                marked_at=timezone.make_aware(datetime(year + 1, 1, 31, 12)),
            )
            for lag_id, coordinator in coordinators.items()
            for year in YEARS
            if year < this_year and not DataCompletion.objects.filter(lag_id=lag_id, year=year).exists()
        )

    @staticmethod
    def plans(rng, strategy):
        """Baselines (2019) and yearly targets to 2026 of each LAG, set around what the demo records
        themselves show (from the progress engine), so that the dashboards show a believable mix of on
        track, at risk and off track rather than random noise. The joint ones are derived from them."""
        engine = ProgressEngine(strategy)
        baselines, targets = [], []
        for indicator in engine.indicators:
            stretch = Decimal(rng.choice(["0.85", "0.95", "1", "1", "1.05", "1.15", "1.3", "1.8"]))
            for lag in engine.lags:
                first = next(
                    (
                        figure.actual
                        for year in strategy.years
                        if (figure := engine.figure(indicator, lag, year)).actual is not None
                    ),
                    None,
                )
                if first is None:
                    continue  # no records in this scope: no plan either
                base, pace = Command.plan_shape(rng, indicator, first)
                # How ambitious this LAG's plan is: most about right, some clearly too ambitious.
                ambition = stretch * Decimal(rng.choice(["0.9", "1", "1.1"]))
                baselines.append(Baseline(indicator=indicator, lag=lag, year=2019, value=base, is_demo=True))
                targets.extend(
                    Target(
                        indicator=indicator,
                        lag=lag,
                        year=year,
                        value=Command.planned(indicator, base, pace, year - 2019, ambition),
                        is_demo=True,
                    )
                    for year in strategy.years
                )
        Baseline.objects.bulk_create(baselines)
        Target.objects.bulk_create(targets)

    @staticmethod
    def plan_shape(rng, indicator, first):
        """A 2019 baseline a little under the first recorded value, and the yearly pace planned."""
        if indicator.value_kind == Indicator.ValueKind.RATING:
            return Decimal(2), None
        if indicator.value_kind == Indicator.ValueKind.SHARE:
            return max(Decimal(0), first - 1).quantize(Decimal("0.1")), Decimal(
                str(round(rng.uniform(0.5, 2.5), 1))
            )
        if indicator.unit == Indicator.Unit.MEMBERS:
            return max(Decimal(0), first - 2).quantize(Decimal(1)), Decimal(rng.randint(1, 4))
        return (first * Decimal("0.9")).quantize(Decimal(1)), Decimal(str(round(rng.uniform(0.06, 0.16), 2)))

    @staticmethod
    def planned(indicator, base, pace, years, ambition=Decimal(1)):
        if indicator.value_kind == Indicator.ValueKind.RATING:
            return min(Decimal(5), base + Decimal(years // 2))
        if indicator.value_kind == Indicator.ValueKind.SHARE:
            # a survey share's plan is less elastic: half the stretch
            return min(Decimal(90), (base + pace * years) * (1 + (ambition - 1) / 2)).quantize(Decimal("0.1"))
        if indicator.unit == Indicator.Unit.MEMBERS:
            return ((base + pace * years) * ambition).quantize(Decimal(1))
        return (base * (1 + pace * years) * ambition).quantize(Decimal(1))
