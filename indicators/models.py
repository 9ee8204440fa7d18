import enum

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from partners import latvian
from partners.models import LAG, Municipality
from partners.personal_data import personal_code_errors
from strategy.models import PUBLISHABLE_HELP, ActivityType, ExpectedResult, Priority, Strategy
from strategy.uploads import EvidenceFileField, safe_name, validate_evidence_file
from strategy.workflow import Status, WorkflowQuerySet, WorkflowRecord
from strategy.year_lock import (
    PLAN_MESSAGE,
    DefinitionLocked,
    DefinitionLockedQuerySet,
    YearLocked,
    YearLockedQuerySet,
    period_years,
)


class IndicatorQuerySet(DefinitionLockedQuerySet):
    def get_by_natural_key(self, strategy_slug, code):
        return self.get(strategy__slug=strategy_slug, code=code)

    def entered(self):
        """The indicators whose values staff enter as measurements (not computed from activities)."""
        return self.exclude(source=Indicator.Source.ACTIVITIES)


class Indicator(DefinitionLocked):
    """A KPI (K1–K11) or expected-result indicator (R1–R5) with its reference sheet and its source.

    Its definition — what shapes its figures — is read-only while any year is closed (invariant 9,
    ``strategy.year_lock.DefinitionLocked``); its texts stay editable."""

    frozen_fields = ("rule", "measure", "source", "unit", "direction", "funding_sources")
    frozen_m2m = ("activity_types",)
    period_lookups = ("strategy__period_start", "strategy__period_end")

    class Kind(models.TextChoices):
        KPI = "kpi", _("galvenais darbības rādītājs")
        RESULT = "result", _("rezultāta rādītājs")

    class Unit(models.TextChoices):
        ACTIVITIES = "activities", _("aktivitātes")
        PERSONS = "persons", _("personas")
        MEMBERS = "members", _("biedri")
        EUR = "eur", _("EUR")
        PERCENT = "percent", _("%")
        RATING = "rating", _("vērtējums (1–5)")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("jo vairāk, jo labāk")
        DECREASE = "decrease", _("jo mazāk, jo labāk")

    class Source(models.TextChoices):
        ACTIVITIES = "activities", _("no aktivitātēm")
        REPORTED = "reported", _("ziņots (mērījumi)")
        QUALITATIVE = "qualitative", _("kvalitatīvs")

    class Rule(models.TextChoices):
        COUNT = "count", _("aktivitāšu skaits")
        PARTICIPANTS = "participants", _("dalībnieku skaits")
        YOUTH = "youth", _("jauniešu (13–30 g.) skaits")
        YOUTH_SHARE = "youth_share", _("jauniešu (13–30 g.) īpatsvars dalībniekos")
        VULNERABLE = "vulnerable", _("mazaizsargāto dalībnieku skaits")
        FUNDING = "funding", _("piesaistītais finansējums")

    class ValueKind(enum.StrEnum):
        """What a value of the indicator is: a rating, a share or a number (:attr:`value_kind`)."""

        RATING = "rating"  # qualitative: a yearly narrative and a rating 1–5
        SHARE = "share"  # a numerator and a denominator; the share (%) is computed, never typed
        NUMBER = "number"  # one value

    class Measure(models.TextChoices):
        """What a value measures, and so how a period combines (the progress engine's period rules)."""

        FLOW = "flow", _("plūsma: perioda gadu vērtības saskaita")
        STOCK = "stock", _("krājums: līmenis gada beigās")
        ESTIMATE = "estimate", _("novērtējums: aptaujas īpatsvars ar izlasi")
        RATING = "rating", _("vērtējums (1–5)")

    class Frequency(models.TextChoices):
        ANNUAL = "annual", _("reizi gadā")
        BIENNIAL = "biennial", _("reizi divos gados")
        PERIOD = "period", _("reizi periodā")

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("stratēģija")
    )
    code = models.CharField(_("kods"), max_length=10)
    kind = models.CharField(_("veids"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("secība"), default=0)
    statement = models.TextField(_("formulējums stratēģijā"))
    name = models.CharField(_("nosaukums"), max_length=200)
    definition = models.TextField(_("definīcija"))
    unit = models.CharField(_("mērvienība"), max_length=12, choices=Unit.choices)
    direction = models.CharField(
        _("vēlamais virziens"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    source = models.CharField(_("datu avota veids"), max_length=12, choices=Source.choices)
    rule = models.CharField(_("aprēķina noteikums"), max_length=20, choices=Rule.choices, blank=True)
    activity_types = models.ManyToManyField(
        ActivityType, blank=True, related_name="indicators", verbose_name=_("aktivitāšu veidi")
    )
    measure = models.CharField(
        _("mērījuma veids"),
        max_length=10,
        choices=Measure.choices,
        help_text=_("No tā izriet, kā apvieno perioda gadus un VRG vērtības."),
    )
    funding_sources = models.JSONField(
        _("ieskaitāmie finansējuma avoti"),
        default=list,
        blank=True,
        help_text=_("Finansējuma rādītājam: avoti, ko rādītājs ieskaita; pārējie avoti ir līdzfinansējums."),
    )
    data_source = models.TextField(_("datu avots"), blank=True)
    method = models.TextField(_("aprēķina metode"), blank=True)
    frequency = models.CharField(
        _("biežums"), max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    per_municipality = models.BooleanField(
        _("mēra pa novadiem"), default=False, help_text=_("Vērtības ievada katram novadam atsevišķi.")
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="indicators", verbose_name=_("prioritātes")
    )
    method_adopted_by = models.CharField(
        _("metodiku pieņēma"),
        max_length=200,
        blank=True,
        help_text=_("Kas pieņēma portāla aprēķina metodi (stratēģija to nenosaka), piem., valdes sēde."),
    )
    method_adopted_on = models.DateField(_("metodika pieņemta"), null=True, blank=True)
    result = models.ForeignKey(
        ExpectedResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("sagaidāmais rezultāts"),
    )

    objects = IndicatorQuerySet.as_manager()

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["strategy", "order", "code"]
        verbose_name = _("rādītājs")
        verbose_name_plural = _("rādītāji")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "code"],
                name="indicator_unique_code",
                violation_error_message=_("Stratēģijā jau ir rādītājs ar šādu kodu."),
            ),
            # An activity-fed indicator needs its rule; the others must not pretend to have one.
            models.CheckConstraint(
                condition=(Q(source="activities") & ~Q(rule="")) | (~Q(source="activities") & Q(rule="")),
                name="indicator_rule_matches_source",
                violation_error_message=_(
                    "Aprēķina noteikums jānorāda tikai (un obligāti) rādītājiem, ko aprēķina no aktivitātēm."
                ),
            ),
            # A rating is what a qualitative indicator gives and nothing else does; a survey estimate is a
            # reported share; a stock is a reported level.
            models.CheckConstraint(
                condition=(Q(measure="rating") & Q(source="qualitative"))
                | (Q(measure="estimate") & Q(source="reported", unit="percent"))
                | (Q(measure="stock") & Q(source="reported") & ~Q(unit="percent"))
                | (Q(measure="flow") & ~Q(source="qualitative")),
                name="indicator_measure_matches_source",
                violation_error_message=_(
                    "Mērījuma veids neatbilst datu avotam: vērtējums — kvalitatīvam rādītājam, novērtējums — "
                    "ziņotam īpatsvaram, krājums — ziņotam skaitam."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (*self.strategy.natural_key(), self.code)

    natural_key.dependencies = ["strategy.strategy"]

    @property
    def is_computed(self) -> bool:
        """Computed from approved activities by its rule: nobody enters its values."""
        return self.source == self.Source.ACTIVITIES

    @property
    def value_kind(self) -> "Indicator.ValueKind":
        """What a value of it is — the one place that says so for the measurement's validation, the
        admin's fields, the import, the progress engine's aggregation and the demonstration data."""
        if self.source == self.Source.QUALITATIVE:
            return self.ValueKind.RATING
        if self.unit == self.Unit.PERCENT:
            return self.ValueKind.SHARE
        return self.ValueKind.NUMBER


class PlanValue(models.Model):
    """A planned figure of an indicator for the three LAGs jointly (lag empty) or for one LAG."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, verbose_name=_("rādītājs"))
    lag = models.ForeignKey(
        LAG,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("VRG"),
        help_text=_("Tukšs — visām trim VRG kopā."),
    )
    year = models.PositiveSmallIntegerField(_("gads"))
    value = models.DecimalField(_("vērtība"), max_digits=16, decimal_places=2)
    reason = models.TextField(
        _("kopējās vērtības pamatojums"),
        blank=True,
        help_text=_(
            "Kopējo vērtību portāls atvasina no VRG vērtībām; to ievada tikai, lai aizstātu atvasināto, "
            "un tad jānorāda iemesls."
        ),
    )
    is_demo = models.BooleanField(_("demonstrācijas dati"), default=False, editable=False, db_index=True)

    class Meta:
        abstract = True

    @property
    def scope(self):
        return self.lag or _("visas VRG kopā")


class BaselineQuerySet(YearLockedQuerySet):
    pass


class Baseline(YearLocked, PlanValue):
    """The indicator's starting point (the strategy gives none: staff set it). The progress of every
    year of the strategy is measured from it, so it is read-only while any of them is closed
    (invariant 9) — whatever its own year, which usually lies before the strategy's first year."""

    lock_message = PLAN_MESSAGE

    objects = BaselineQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["indicator", "lag"]
        default_related_name = "baselines"
        verbose_name = _("bāzes vērtība")
        verbose_name_plural = _("bāzes vērtības")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "lag"],
                condition=Q(lag__isnull=False),
                name="baseline_unique_per_lag",
                violation_error_message=_("Šim rādītājam un VRG bāzes vērtība jau ir."),
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(lag__isnull=True),
                name="baseline_unique_joint",
                violation_error_message=_("Šim rādītājam kopējā bāzes vērtība jau ir."),
            ),
            models.CheckConstraint(
                condition=Q(lag__isnull=False) | ~Q(reason=""),
                name="baseline_joint_override_has_reason",
                violation_error_message=_(
                    "Kopējo bāzes vērtību atvasina no VRG vērtībām; aizstāt to var, tikai norādot iemeslu."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.scope} {self.year}: {self.value}"

    def record_years(self):
        """The years it shapes: every year of its indicator's strategy."""
        if self.indicator_id is None:
            return set()
        strategy = self.indicator.strategy
        return set(range(strategy.period_start, strategy.period_end + 1))

    @classmethod
    def row_years(cls, rows):
        return period_years(
            rows.order_by()
            .values_list("indicator__strategy__period_start", "indicator__strategy__period_end")
            .distinct()
        )


class TargetQuerySet(YearLockedQuerySet):
    pass


class Target(YearLocked, PlanValue):
    """A planned value of a year. It shapes that year's figures and the cumulative figures of every later
    year of the strategy, so it is read-only while its year or a later one is closed (invariant 9)."""

    lock_message = PLAN_MESSAGE

    objects = TargetQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["indicator", "year", "lag"]
        default_related_name = "targets"
        verbose_name = _("mērķa vērtība")
        verbose_name_plural = _("mērķa vērtības")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "lag"],
                condition=Q(lag__isnull=False),
                name="target_unique_per_lag",
                violation_error_message=_("Šim rādītājam, gadam un VRG mērķa vērtība jau ir."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(lag__isnull=True),
                name="target_unique_joint",
                violation_error_message=_("Šim rādītājam un gadam kopējā mērķa vērtība jau ir."),
            ),
            models.CheckConstraint(
                condition=Q(lag__isnull=False) | ~Q(reason=""),
                name="target_joint_override_has_reason",
                violation_error_message=_(
                    "Kopējo mērķa vērtību atvasina no VRG vērtībām; aizstāt to var, tikai norādot iemeslu."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.scope} {self.year}: {self.value}"

    def record_years(self):
        """The years it shapes: its own and every later year of its indicator's strategy."""
        if not self.year or self.indicator_id is None:
            return {self.year} if self.year else set()
        return set(range(self.year, max(self.year, self.indicator.strategy.period_end) + 1))

    @classmethod
    def row_years(cls, rows):
        return period_years(
            (year, max(year, end))
            for year, end in rows.order_by().values_list("year", "indicator__strategy__period_end").distinct()
        )

    @classmethod
    def moved_years(cls, rows, year):
        ends = rows.order_by().values_list("indicator__strategy__period_end", flat=True).distinct()
        return period_years((year, max(year, end)) for end in ends) if year is not None else set()


def measurement_evidence_path(instance, filename):
    return safe_name(f"evidence/measurements/{instance.lag.slug}", instance.evidence, filename)


class MeasurementQuerySet(YearLockedQuerySet, WorkflowQuerySet):
    pass


class Measurement(YearLocked, WorkflowRecord):
    """A reported value of an indicator for one LAG and year: a number, a share (numerator and
    denominator; the share itself is always computed), or a narrative with a rating."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("rādītājs")
    )
    lag = models.ForeignKey(LAG, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("VRG"))
    year = models.PositiveSmallIntegerField(_("gads"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("novads"),
        help_text=_("Tikai rādītājiem, ko mēra pa novadiem."),
    )
    value = models.DecimalField(_("vērtība"), max_digits=16, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(_("skaitītājs"), max_digits=16, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(_("saucējs"), max_digits=16, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("apraksts"), blank=True)
    rating = models.PositiveSmallIntegerField(_("vērtējums (1–5)"), null=True, blank=True)
    note = models.TextField(_("piezīme"), blank=True)
    evidence = EvidenceFileField(
        _("pierādījums"),
        download_kind="measurement",
        upload_to=measurement_evidence_path,
        blank=True,
        validators=[validate_evidence_file],
        help_text=_("PDF, JPEG, PNG, XLSX vai DOCX."),
    )
    # Private unless the LAG's staff say otherwise (invariant 12).
    evidence_publishable = models.BooleanField(
        _("pierādījums publicējams"), default=False, help_text=PUBLISHABLE_HELP
    )

    objects = MeasurementQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["indicator", "year", "lag"]
        verbose_name = _("rādītāja vērtība")
        verbose_name_plural = _("rādītāju vērtības")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "lag", "year"],
                condition=Q(municipality__isnull=True),
                name="measurement_unique_per_lag_year",
                violation_error_message=_("Šim rādītājam, VRG un gadam vērtība jau ir ievadīta."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "lag", "year", "municipality"],
                condition=Q(municipality__isnull=False),
                name="measurement_unique_per_municipality",
                violation_error_message=_("Šim rādītājam, VRG, gadam un novadam vērtība jau ir ievadīta."),
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measurement_denominator_positive",
                violation_error_message=_("Saucējam jābūt lielākam par nulli."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False, numerator__lte=F("denominator")),
                name="measurement_numerator_le_denominator",
                violation_error_message=_(
                    "Jānorāda gan skaitītājs, gan saucējs, un skaitītājs nevar būt lielāks par saucēju."
                ),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="measurement_numerator_nonnegative",
                violation_error_message=_("Skaitītājs nevar būt negatīvs."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="measurement_value_nonnegative",
                violation_error_message=_("Vērtība nevar būt negatīva."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="measurement_rating_1_5",
                violation_error_message=_("Vērtējumam jābūt no 1 līdz 5."),
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="measurement_status_valid"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.lag} {self.year}"

    def clean(self):
        """Which values a measurement needs depends on its indicator: a number; a numerator and a
        denominator for a share (the share itself is computed); or a narrative and a rating."""
        super().clean()
        if self.indicator_id is None:
            return
        indicator = self.indicator
        errors = {}

        def require(*fields, message):
            for field in fields:
                if getattr(self, field) in (None, ""):
                    errors.setdefault(field, message)

        def forbid(*fields, message):
            for field in fields:
                if getattr(self, field) not in (None, ""):
                    errors.setdefault(field, message)

        if indicator.is_computed:
            errors["indicator"] = _(
                "Rādītāju %(code)s aprēķina no apstiprinātajām aktivitātēm; tā vērtības neievada."
            ) % {"code": indicator.code}
        elif indicator.value_kind == Indicator.ValueKind.RATING:
            require("narrative", message=_("Kvalitatīvam rādītājam jāapraksta gada situācija."))
            require("rating", message=_("Kvalitatīvam rādītājam jānorāda vērtējums no 1 līdz 5."))
            forbid(
                "value",
                "numerator",
                "denominator",
                message=_("Kvalitatīvam rādītājam skaitlisku vērtību neievada: aprakstiet un novērtējiet."),
            )
        elif indicator.value_kind == Indicator.ValueKind.SHARE:
            require(
                "numerator",
                "denominator",
                message=_("Jānorāda gan skaitītājs, gan saucējs: īpatsvaru (%) aprēķina portāls."),
            )
            forbid("value", message=_("Īpatsvaru neievada: to aprēķina no skaitītāja un saucēja."))
            forbid("narrative", "rating", message=_("Šim rādītājam apraksts un vērtējums nav paredzēti."))
        else:
            require("value", message=_("Jānorāda rādītāja vērtība."))
            forbid(
                "numerator",
                "denominator",
                message=_("Skaitītāju un saucēju norāda tikai īpatsvara (%) rādītājiem."),
            )
            forbid("narrative", "rating", message=_("Šim rādītājam apraksts un vērtējums nav paredzēti."))
        if indicator.per_municipality and self.municipality_id is None:
            errors["municipality"] = _("Šo rādītāju mēra pa novadiem: jānorāda novads.")
        elif not indicator.per_municipality and self.municipality_id is not None:
            errors["municipality"] = _("Šo rādītāju nemēra pa novadiem: novadu nenorāda.")
        strategy = indicator.strategy
        if self.year is not None and not strategy.period_start <= self.year <= strategy.period_end:
            errors["year"] = _("Gadam jābūt stratēģijas periodā (%(start)s–%(end)s).") % {
                "start": strategy.period_start,
                "end": strategy.period_end,
            }
        for field, error in personal_code_errors(self, ["narrative", "note"]).items():
            errors.setdefault(field, error)
        if errors:
            raise ValidationError(errors)

    def record_years(self):
        return {self.year} if self.year else set()

    @property
    def share(self):
        """The share in percent, computed — never typed."""
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator * 100 / self.denominator


class VarianceNarrativeQuerySet(YearLockedQuerySet, WorkflowQuerySet):
    pass


class VarianceNarrative(YearLocked, WorkflowRecord):
    """Why a LAG's figure of a year is ahead of or behind its target, written by the LAG's coordinator
    (Latvian, optional English) and approved like other records (#16); shown beside the figure on the
    indicator page, in the annual report and in the funders' workbook once approved."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="narratives", verbose_name=_("rādītājs")
    )
    lag = models.ForeignKey(LAG, on_delete=models.PROTECT, related_name="narratives", verbose_name=_("VRG"))
    year = models.PositiveSmallIntegerField(_("gads"))
    text = models.TextField(_("skaidrojums"), help_text=_("Kāpēc vērtība apsteidz mērķi vai atpaliek no tā."))

    objects = VarianceNarrativeQuerySet.as_manager()

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["indicator", "year", "lag"]
        verbose_name = _("novirzes skaidrojums")
        verbose_name_plural = _("novirzes skaidrojumi")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "lag", "year"],
                name="narrative_unique_per_lag_year",
                violation_error_message=_("Šim rādītājam, VRG un gadam skaidrojums jau ir uzrakstīts."),
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="narrative_status_valid"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.lag} {self.year}"

    def clean(self):
        super().clean()
        errors = {}
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None and self.year is not None:
            strategy = indicator.strategy
            if not strategy.period_start <= self.year <= strategy.period_end:
                errors["year"] = _("Gadam jābūt stratēģijas periodā (%(start)s–%(end)s).") % {
                    "start": strategy.period_start,
                    "end": strategy.period_end,
                }
        # published on the indicator page, in the annual report and the workbook (invariant 12)
        for field, error in personal_code_errors(self, ["text_lv", "text_en"]).items():
            errors.setdefault(field, error)
        if errors:
            raise ValidationError(errors)

    def record_years(self):
        return {self.year} if self.year else set()


class EstimateWeight(models.Model):
    """A LAG's weight in the joint survey estimates and their targets and baselines (e.g. its population
    from the Central Statistical Bureau), with its source. Without weights for every LAG a joint estimate
    is ΣN/ΣD of the samples (invariant 5); the pages say which."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="estimate_weights", verbose_name=_("stratēģija")
    )
    lag = models.ForeignKey(LAG, on_delete=models.CASCADE, related_name="+", verbose_name=_("VRG"))
    value = models.DecimalField(
        _("svars"), max_digits=16, decimal_places=2, help_text=_("Piem., iedzīvotāju skaits.")
    )
    source = models.CharField(
        _("avots"), max_length=300, help_text=_("Piem., CSP, iedzīvotāju skaits 2024. gada sākumā.")
    )
    is_demo = models.BooleanField(_("demonstrācijas dati"), default=False, editable=False, db_index=True)

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["strategy", "lag"]
        verbose_name = _("novērtējumu svars")
        verbose_name_plural = _("novērtējumu svari")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "lag"],
                name="estimateweight_unique_lag",
                violation_error_message=_("Šai VRG svars jau ir."),
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="estimateweight_positive",
                violation_error_message=_("Svaram jābūt lielākam par nulli."),
            ),
        ]

    def __str__(self):
        return f"{self.lag}: {self.value}"


class YearSummary(models.Model):
    """The text the board writes for a year's report (Latvian, optional English)."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="year_summaries", verbose_name=_("stratēģija")
    )
    year = models.PositiveSmallIntegerField(_("gads"))
    text = models.TextField(_("valdes kopsavilkums"), blank=True)

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["strategy", "-year"]
        verbose_name = _("gada kopsavilkums")
        verbose_name_plural = _("gadu kopsavilkumi")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "year"],
                name="yearsummary_unique_year",
                violation_error_message=_("Šim gadam kopsavilkums jau ir."),
            )
        ]

    def __str__(self):
        return f"{self.year}"

    def clean(self):
        super().clean()
        # published in the annual report: no personal code (invariant 12)
        errors = personal_code_errors(self, ["text_lv", "text_en"])
        if errors:
            raise ValidationError(errors)


class YearSnapshot(models.Model):
    """The figures of a year frozen when the board closed it: every indicator × (jointly and each
    LAG) × the year and cumulatively to it, plus everything else the annual report shows (activities,
    funding by source, participation by municipality, data quality, the board's text). Never edited:
    closing again makes a new snapshot, and the report of a closed year is rendered from its latest one."""

    closure = models.OneToOneField(
        "strategy.YearClosure", on_delete=models.PROTECT, related_name="snapshot", verbose_name=_("slēgšana")
    )
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("stratēģija")
    )
    year = models.PositiveSmallIntegerField(_("gads"), db_index=True)
    data = models.JSONField(_("dati"))
    created_at = models.DateTimeField(_("izveidots"))

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("gada momentuzņēmums")
        verbose_name_plural = _("gadu momentuzņēmumi")

    def __str__(self):
        return f"{self.year} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Gada momentuzņēmumu nevar labot: slēdziet gadu vēlreiz."))
        super().save(*args, **kwargs)


def report_path(instance, filename):
    return f"reports/{instance.year}/{filename}"


class Report(models.Model):
    """A generated annual report PDF of a snapshot, for one scope and language, with its SHA-256.
    The same snapshot always renders the same bytes, so a stored file is served as it is."""

    class Language(models.TextChoices):
        LV = "lv", _("latviešu")
        EN = "en", _("angļu")

    snapshot = models.ForeignKey(
        YearSnapshot, on_delete=models.PROTECT, related_name="reports", verbose_name=_("momentuzņēmums")
    )
    year = models.PositiveSmallIntegerField(_("gads"))
    lag = models.ForeignKey(
        LAG,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("VRG"),
        help_text=_("Tukšs — visām trim VRG kopā."),
    )
    language = models.CharField(_("valoda"), max_length=2, choices=Language.choices)
    file = models.FileField(_("datne"), upload_to=report_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("izmērs, baiti"))
    created_at = models.DateTimeField(_("izveidots"), auto_now_add=True)

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["-year", "lag", "language"]
        verbose_name = _("gada pārskats")
        verbose_name_plural = _("gada pārskati")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "lag", "language"],
                condition=Q(lag__isnull=False),
                name="report_unique_per_lag",
            ),
            models.UniqueConstraint(
                fields=["snapshot", "language"], condition=Q(lag__isnull=True), name="report_unique_joint"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.lag or 'kopā'} {self.language}"
