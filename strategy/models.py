from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from partners import latvian
from partners.models import LAG, Municipality, TerritoryUnit
from partners.personal_data import personal_code_errors

from . import tallies
from .uploads import EvidenceFileField, safe_name, validate_evidence_file
from .workflow import Status, WorkflowQuerySet, WorkflowRecord
from .year_lock import YearLocked, YearLockedQuerySet


class StrategyQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def current(self):
        """The strategy the portal shows: the latest one (a 2027+ strategy is a new row)."""
        return self.order_by("-period_start").first()


class Strategy(models.Model):
    slug = models.SlugField(_("īsais kods"), max_length=60, unique=True)
    title = models.CharField(_("nosaukums"), max_length=300)
    short_title = models.CharField(_("īsais nosaukums"), max_length=100)
    period_start = models.PositiveSmallIntegerField(_("perioda sākums"))
    period_end = models.PositiveSmallIntegerField(_("perioda beigas"))
    vision = models.TextField(_("vīzija"))
    mission = models.TextField(_("misija"))
    long_term_goal = models.TextField(_("ilgtermiņa mērķis"))
    short_term_goal = models.TextField(_("īstermiņa mērķis"))
    purpose = models.TextField(_("stratēģijas pamatojums"), blank=True)
    origin = models.TextField(_("stratēģijas izcelsme"), blank=True)
    background = models.TextField(_("priekšvēsture"), blank=True)
    quality_policy = models.TextField(_("kvalitātes politika"), blank=True)
    analysis = models.TextField(_("ārējā un iekšējā analīze"), blank=True)
    vulnerable_definition = models.TextField(_("mazaizsargāto iedzīvotāju definīcija"), blank=True)

    objects = StrategyQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("stratēģija")
        verbose_name_plural = _("stratēģijas")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="strategy_period",
                violation_error_message=_("Perioda beigu gads nevar būt agrāks par sākuma gadu."),
            ),
        ]

    def __str__(self):
        return self.short_title or self.title

    def natural_key(self):
        return (self.slug,)

    @property
    def years(self):
        return range(self.period_start, self.period_end + 1)


class Priority(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("stratēģija")
    )
    number = models.PositiveSmallIntegerField(_("numurs"))
    title = models.TextField(_("nosaukums"))
    description = models.TextField(_("apraksts"), blank=True)

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name = _("prioritāte")
        verbose_name_plural = _("prioritātes")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "number"],
                name="priority_unique_number",
                violation_error_message=_("Stratēģijā jau ir prioritāte ar šādu numuru."),
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class ExpectedResult(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="results", verbose_name=_("stratēģija")
    )
    number = models.PositiveSmallIntegerField(_("numurs"))
    text = models.TextField(_("teksts"))

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name = _("sagaidāmais rezultāts")
        verbose_name_plural = _("sagaidāmie rezultāti")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "number"],
                name="result_unique_number",
                violation_error_message=_("Stratēģijā jau ir rezultāts ar šādu numuru."),
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"


class Statement(models.Model):
    """The strategy's other ordered lists: principles, trends, factors and main tasks."""

    class Kind(models.TextChoices):
        PRINCIPLE = "principle", _("principi un vērtības")
        TREND_7Y = "trend_7y", _("svarīgākās tendences tuvāko 7 gadu laikā")
        TREND_20Y = "trend_20y", _("svarīgākās tendences ilgtermiņā (20 gadi)")
        EXTERNAL_FACTOR = "external_factor", _("ārējās vides faktori")
        INTERNAL_FACTOR = "internal_factor", _("iekšējās vides faktori")
        MAIN_TASK = "main_task", _("galvenie darbības uzdevumi")

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="statements", verbose_name=_("stratēģija")
    )
    kind = models.CharField(_("veids"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("secība"))
    text = models.TextField(_("teksts"))

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["strategy", "kind", "order"]
        verbose_name = _("stratēģijas apgalvojums")
        verbose_name_plural = _("stratēģijas apgalvojumi")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "kind", "order"],
                name="statement_unique_order",
                violation_error_message=_("Šajā sarakstā jau ir apgalvojums ar šādu secības numuru."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.order}: {self.text[:60]}"


class ActivityTypeQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class ActivityType(models.Model):
    code = models.SlugField(_("kods"), max_length=40, unique=True)
    name = models.CharField(_("nosaukums"), max_length=200)
    description = models.TextField(_("apraksts"), blank=True)
    order = models.PositiveSmallIntegerField(_("secība"), default=0)

    objects = ActivityTypeQuerySet.as_manager()

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("aktivitātes veids")
        verbose_name_plural = _("aktivitāšu veidi")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class ActivityQuerySet(YearLockedQuerySet, WorkflowQuerySet):
    def in_year(self, year):
        return self.filter(start_date__year=year)

    def for_list(self):
        return self.select_related("lag", "activity_type").prefetch_related("territory_units")

    def in_municipality(self, municipality, *, probe=False):
        """The activities that touched the municipality: through one of its parishes or towns, or
        recorded on a whole municipality (of either era) that shares a parish or town with it — the
        same rule as the activity place tallies (``strategy.tallies.place_sums``).

        Two plans for the same rows. By default each link table's activity ids are collected first
        (PostgreSQL hashes them: at 100× Augšdaugava's 175 000 links take ≈ 100 ms, whichever page is
        read). With ``probe``, each activity the list's index walks past is checked in the link tables
        by its id — a few milliseconds for a page near either end of the list or after a cursor, but
        ever slower the deeper an OFFSET page lies (``strategy.paging`` picks). The second comparison
        (``activity >= pk``, redundant beside ``activity = pk``) keeps PostgreSQL from turning the probe
        back into the hashed set."""
        units = TerritoryUnit.objects.filter(
            Q(municipality_2009=municipality) | Q(municipality_2021=municipality)
        )
        covering = Municipality.objects.filter(Q(units_2009__in=units) | Q(units_2021__in=units))
        by_unit = Activity.territory_units.through.objects.filter(territoryunit__in=units)
        by_whole = Activity.municipalities.through.objects.filter(municipality__in=covering)
        if probe:
            here = {"activity": OuterRef("pk"), "activity__gte": OuterRef("pk")}
            return self.filter(Exists(by_unit.filter(**here)) | Exists(by_whole.filter(**here)))
        return self.filter(Q(pk__in=by_unit.values("activity_id")) | Q(pk__in=by_whole.values("activity_id")))

    # The writes that send no signals keep the tallies too (``strategy.tallies``).

    def bulk_create(self, objs, *args, **kwargs):
        with tallies.deferred():
            created = super().bulk_create(objs, *args, **kwargs)
            tallies.mark(
                *(tallies.slice_of(o.lag_id, o.start_date) for o in created if o.status == Status.APPROVED)
            )
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        with tallies.deferred():
            tallies.mark(*tallies.approved_activity_slices(o.pk for o in objs))
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            tallies.mark(*tallies.approved_activity_slices(o.pk for o in objs))
        return updated

    bulk_update.alters_data = True

    def update(self, **kwargs):
        with tallies.deferred():
            pks = list(self.values_list("pk", flat=True))
            tallies.mark(*tallies.approved_activity_slices(pks))
            updated = super().update(**kwargs)
            tallies.mark(*tallies.approved_activity_slices(pks))
        return updated

    update.alters_data = True

    def delete(self):
        with tallies.deferred():  # one refresh per LAG-year, not one per activity
            return super().delete()

    delete.alters_data = True


class Activity(YearLocked, WorkflowRecord):
    """Something a LAG did: an event, consultation, training, clean-up, project…"""

    lag = models.ForeignKey(LAG, on_delete=models.PROTECT, related_name="activities", verbose_name=_("VRG"))
    title = models.CharField(_("nosaukums"), max_length=300)
    summary = models.TextField(_("apraksts"), blank=True)
    start_date = models.DateField(_("sākuma datums"), db_index=True)
    end_date = models.DateField(
        _("beigu datums"), null=True, blank=True, help_text=_("Tukšs, ja viena diena.")
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="activities", verbose_name=_("veids")
    )
    venue = models.CharField(_("norises vieta"), max_length=200, blank=True)
    # The links are explicit models so that they protect what they point to (see ActivityLink).
    territory_units = models.ManyToManyField(
        TerritoryUnit,
        through="ActivityTerritoryUnit",
        blank=True,
        related_name="activities",
        verbose_name=_("pagasti un pilsētas"),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        through="ActivityMunicipality",
        blank=True,
        related_name="activities",
        verbose_name=_("viss novads"),
        help_text=_("Tikai tad, ja aktivitāte aptver visu novadu, nevis atsevišķus pagastus."),
    )
    priorities = models.ManyToManyField(
        Priority,
        through="ActivityPriority",
        blank=True,
        related_name="activities",
        verbose_name=_("stratēģijas prioritātes"),
    )
    participants_total = models.PositiveIntegerField(_("dalībnieki kopā"), null=True, blank=True)
    participants_youth = models.PositiveIntegerField(_("t. sk. jaunieši (13–30 g.)"), null=True, blank=True)
    participants_vulnerable = models.PositiveIntegerField(
        _("t. sk. mazaizsargātie iedzīvotāji"), null=True, blank=True
    )

    objects = ActivityQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("aktivitāte")
        verbose_name_plural = _("aktivitātes")
        indexes = [
            models.Index(fields=["status", "start_date"], name="activity_status_date"),
            # The public lists show approved activities newest first (all, one LAG's, one type's): these
            # partial indexes hold them in that order, so a page is read off an index, not sorted.
            models.Index(
                fields=["-start_date", "-id"], condition=Q(status=Status.APPROVED), name="activity_public"
            ),
            models.Index(
                fields=["lag", "-start_date", "-id"],
                condition=Q(status=Status.APPROVED),
                name="activity_public_lag",
            ),
            models.Index(
                fields=["activity_type", "-start_date", "-id"],
                condition=Q(status=Status.APPROVED),
                name="activity_public_type",
            ),
            # The staff list (admin) of one LAG's activities, every status, newest first; the status rides
            # along so a page's ids are read off the index alone (strategy.paging).
            models.Index(fields=["lag", "-start_date", "-id", "status"], name="activity_staff_lag"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_end_after_start",
                violation_error_message=_("Beigu datums nevar būt agrāks par sākuma datumu."),
            ),
            models.CheckConstraint(
                condition=Q(participants_youth__isnull=True)
                | Q(participants_total__isnull=False, participants_youth__lte=F("participants_total")),
                name="activity_youth_le_total",
                violation_error_message=_(
                    "Jauniešu skaits nevar pārsniegt kopējo dalībnieku skaitu (un kopējam skaitam jābūt norādītam)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(participants_vulnerable__isnull=True)
                | Q(participants_total__isnull=False, participants_vulnerable__lte=F("participants_total")),
                name="activity_vulnerable_le_total",
                violation_error_message=_(
                    "Mazaizsargāto dalībnieku skaits nevar pārsniegt kopējo dalībnieku skaitu (un kopējam skaitam jābūt norādītam)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="activity_status_valid",
                violation_error_message=_("Nezināms statuss."),
            ),
        ]

    year_lookup = "start_date__year"

    def __str__(self):
        return self.title

    @property
    def year(self):
        return self.start_date.year

    # These check constraints are checked in clean(), in Python: validating them through the
    # database costs a query each, per form and per imported row. The database still enforces them.
    PYTHON_CHECKED_CONSTRAINTS = frozenset(
        {
            "activity_end_after_start",
            "activity_youth_le_total",
            "activity_vulnerable_le_total",
            "activity_status_valid",
        }
    )

    def get_constraints(self):
        return [
            (model, [c for c in constraints if c.name not in self.PYTHON_CHECKED_CONSTRAINTS])
            for model, constraints in super().get_constraints()
        ]

    #: typed text the public reads once the record is approved: no personal code (invariant 12)
    FREE_TEXT = ("title_lv", "title_en", "summary_lv", "summary_en", "venue")

    def clean(self):
        super().clean()
        messages = {c.name: c.violation_error_message for c in self._meta.constraints}
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = messages["activity_end_after_start"]
        for field, name in (
            ("participants_youth", "activity_youth_le_total"),
            ("participants_vulnerable", "activity_vulnerable_le_total"),
        ):
            part = getattr(self, field)
            if part is not None and (self.participants_total is None or part > self.participants_total):
                errors[field] = messages[name]
        if self.status not in Status.values:
            errors["status"] = messages["activity_status_valid"]
        errors.update(personal_code_errors(self, self.FREE_TEXT))
        if errors:
            raise ValidationError(errors)

    def record_years(self):
        return {self.start_date.year} if self.start_date else set()

    def delete(self, *args, **kwargs):
        with tallies.deferred():  # the funding lines' cascade and the activity: one tally refresh
            return super().delete(*args, **kwargs)


class ActivityLink(models.Model):
    """One link of an activity to a parish or town, a whole municipality or a priority: the row of the
    many-to-many table Django would make, with one difference — the place or priority is PROTECTed.
    Deleting a priority, a parish or a municipality that an activity names is refused (the admin's
    delete page lists the activities), in every year: it used to remove the links silently and so
    change the records — a closed year's too — through a related object. Deleting the activity still
    takes its links (CASCADE). The tables are the ones Django made for the plain many-to-many fields
    (``Meta.db_table``); the links carry nothing else, so forms, ``set()`` and the signals work as before.
    No ordering: links are read in bulk (the tallies), never listed."""

    activity = models.ForeignKey("Activity", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def __str__(self):
        return f"«{self.activity}» ({self.activity.start_date:%d.%m.%Y}, {self.activity.lag}) — {self.target}"


class ActivityTerritoryUnit(ActivityLink):
    territoryunit = models.ForeignKey(
        TerritoryUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("pagasts vai pilsēta")
    )

    class Meta:
        db_table = "strategy_activity_territory_units"
        verbose_name = _("aktivitātes pagasts vai pilsēta")
        verbose_name_plural = _("aktivitāšu pagasti un pilsētas")
        constraints = [
            models.UniqueConstraint(fields=["activity", "territoryunit"], name="activityterritoryunit_unique")
        ]

    @property
    def target(self):
        return self.territoryunit


class ActivityMunicipality(ActivityLink):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("novads")
    )

    class Meta:
        db_table = "strategy_activity_municipalities"
        verbose_name = _("aktivitātes novads")
        verbose_name_plural = _("aktivitāšu novadi")
        constraints = [
            models.UniqueConstraint(fields=["activity", "municipality"], name="activitymunicipality_unique")
        ]

    @property
    def target(self):
        return self.municipality


class ActivityPriority(ActivityLink):
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("prioritāte")
    )

    class Meta:
        db_table = "strategy_activity_priorities"
        verbose_name = _("aktivitātes prioritāte")
        verbose_name_plural = _("aktivitāšu prioritātes")
        constraints = [
            models.UniqueConstraint(fields=["activity", "priority"], name="activitypriority_unique")
        ]

    @property
    def target(self):
        return self.priority


class ActivityPartQuerySet(YearLockedQuerySet):
    pass


class FundingLineQuerySet(ActivityPartQuerySet):
    """Funding lines count in the tallies of approved activities (``strategy.tallies``)."""

    def bulk_create(self, objs, *args, **kwargs):
        with tallies.deferred():
            created = super().bulk_create(objs, *args, **kwargs)
            tallies.mark(*tallies.approved_activity_slices({o.activity_id for o in created}))
        return created

    bulk_create.alters_data = True

    def _activity_ids(self, pks):
        """The activities the given lines belong to, as stored now."""
        found = set()
        for offset in range(0, len(pks), tallies.ID_BATCH):
            batch = pks[offset : offset + tallies.ID_BATCH]
            found |= set(self.model._base_manager.filter(pk__in=batch).values_list("activity_id", flat=True))
        return found

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        with tallies.deferred():
            before = self._activity_ids([o.pk for o in objs])
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            tallies.mark(*tallies.approved_activity_slices(before | {o.activity_id for o in objs}))
        return updated

    bulk_update.alters_data = True

    def update(self, **kwargs):
        with tallies.deferred():
            pks = list(self.values_list("pk", flat=True))
            before = self._activity_ids(pks)
            updated = super().update(**kwargs)
            after = self._activity_ids(pks)  # an update may move lines to other activities
            tallies.mark(*tallies.approved_activity_slices(before | after))
        return updated

    update.alters_data = True

    def delete(self):
        with tallies.deferred():
            return super().delete()

    delete.alters_data = True


class ActivityPart(YearLocked):
    """A part of an activity (a funding line, an evidence file): it lives in its activity's year."""

    year_lookup = "activity__start_date__year"

    class Meta:
        abstract = True

    def record_years(self):
        activity = self.activity if self.activity_id else None
        return {activity.start_date.year} if activity and activity.start_date else set()


class FundingLine(ActivityPart):
    class Source(models.TextChoices):
        EAFRD = "eafrd", _("ELFLA (LEADER)")
        ACTIVE_CITIZENS = "acf", _("Aktīvo iedzīvotāju fonds")
        OTHER_EU = "eu_other", _("citi ES fondi")
        STATE = "state", _("valsts budžets")
        MUNICIPALITY = "municipality", _("pašvaldība")
        PRIVATE = "private", _("privātais finansējums, ziedojumi")
        OWN = "own", _("biedrības līdzekļi")
        OTHER = "other", _("cits")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="funding_lines", verbose_name=_("aktivitāte")
    )
    source = models.CharField(_("avots"), max_length=20, choices=Source.choices)
    amount = models.DecimalField(_("summa, EUR"), max_digits=12, decimal_places=2)
    note = models.CharField(_("piezīme"), max_length=200, blank=True)

    objects = FundingLineQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["activity", "source", "id"]
        verbose_name = _("finansējuma rinda")
        verbose_name_plural = _("finansējums")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="fundingline_amount_nonnegative",
                violation_error_message=_("Finansējuma summa nevar būt negatīva."),
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.amount} EUR"

    def clean(self):
        super().clean()
        errors = personal_code_errors(self, ["note"])
        if errors:
            raise ValidationError(errors)


PUBLISHABLE_HELP = _(
    "Uzmanību: atzīmējiet tikai tad, ja datnē nav personas datu — vārdu, parakstu, personas kodu, "
    "fotogrāfiju, kurās var atpazīt cilvēkus (piemēram, programma vai afiša). Publicējamu apstiprināta "
    "ieraksta datni var lejupielādēt ikviens; neatzīmētu redz tikai VRG darbinieki, valde un sekretariāts."
)


def evidence_path(instance, filename):
    return safe_name(f"evidence/activities/{instance.activity.lag.slug}", instance.file, filename)


class Evidence(ActivityPart):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("aktivitāte")
    )
    file = EvidenceFileField(
        _("datne"),
        download_kind="activity",
        upload_to=evidence_path,
        validators=[validate_evidence_file],
        help_text=_("PDF, JPEG, PNG, XLSX vai DOCX."),
    )
    description = models.CharField(_("apraksts"), max_length=200, blank=True)
    # Private unless the LAG's staff say otherwise (invariant 12): who downloads it is
    # ``permissions.may_download_evidence``.
    publishable = models.BooleanField(_("publicējams"), default=False, help_text=PUBLISHABLE_HELP)
    uploaded_at = models.DateTimeField(_("augšupielādēts"), auto_now_add=True)

    objects = ActivityPartQuerySet.as_manager()

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["activity", "uploaded_at"]
        verbose_name = _("pierādījums")
        verbose_name_plural = _("pierādījumi")

    def __str__(self):
        return self.description or self.file.display_name

    def clean(self):
        super().clean()
        errors = personal_code_errors(self, ["description"])
        if errors:
            raise ValidationError(errors)


class StatusChange(models.Model):
    """One workflow transition of an activity or a measurement: who, when, from what to what."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("no"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("uz"), max_length=10, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("kas")
    )
    at = models.DateTimeField(_("kad"), auto_now_add=True)
    note = models.TextField(_("piezīme"), blank=True)

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("statusa maiņa")
        verbose_name_plural = _("statusa maiņas")
        indexes = [models.Index(fields=["content_type", "object_id"], name="statuschange_record")]

    def __str__(self):
        return f"{self.from_status} → {self.to_status} ({self.by}, {self.at:%Y-%m-%d %H:%M})"

    def clean(self):
        super().clean()
        errors = personal_code_errors(self, ["note"])
        if errors:
            raise ValidationError(errors)


class Comment(models.Model):
    """A staff comment on an activity or a measurement (#16): kept with the record, never public.
    A return note opens the thread (``is_return_note``)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("autors")
    )
    text = models.TextField(_("komentārs"))
    is_return_note = models.BooleanField(_("atgriešanas piezīme"), default=False)
    created_at = models.DateTimeField(_("rakstīts"), auto_now_add=True)

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("komentārs")
        verbose_name_plural = _("komentāri")
        indexes = [models.Index(fields=["content_type", "object_id"], name="comment_record")]

    def __str__(self):
        return f"{self.author} ({self.created_at:%Y-%m-%d %H:%M})"

    def clean(self):
        super().clean()
        errors = personal_code_errors(self, ["text"])
        if errors:
            raise ValidationError(errors)


class ReportingDeadline(models.Model):
    """When the LAGs' data of a year is due (e.g. "2025. gada dati līdz 2026-01-31"), set by the
    secretariat; editors with drafts or returned records of that year are reminded before it (#16)."""

    year = models.PositiveSmallIntegerField(_("datu gads"), unique=True)
    due_date = models.DateField(_("termiņš"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("atgādināt dienas pirms termiņa"),
        default=14,
        help_text=_("Piemēram, 14: atgādinājums divas nedēļas pirms."),
    )
    note = models.CharField(_("piezīme"), max_length=300, blank=True)

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["-year"]
        verbose_name = _("iesniegšanas termiņš")
        verbose_name_plural = _("iesniegšanas termiņi")

    def __str__(self):
        return _("%(year)s. gada dati līdz %(date)s") % {"year": self.year, "date": self.due_date.isoformat()}


class DataCompletion(models.Model):
    """A LAG marked its data of an ended year complete: with the closed years, these are the complete
    years the default period of the figures runs to (invariant 9). Removing the mark withdraws it."""

    lag = models.ForeignKey(
        LAG, on_delete=models.CASCADE, related_name="data_completions", verbose_name=_("VRG")
    )
    year = models.PositiveSmallIntegerField(_("gads"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("atzīmēja")
    )
    marked_at = models.DateTimeField(_("atzīmēts"))

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["-year", "lag"]
        verbose_name = _("gada datu pabeigšana")
        verbose_name_plural = _("gadu datu pabeigšana")
        constraints = [
            models.UniqueConstraint(
                fields=["lag", "year"],
                name="datacompletion_unique",
                violation_error_message=_("Šīs VRG šā gada dati jau ir atzīmēti kā pilnīgi."),
            ),
        ]

    def __str__(self):
        return f"{self.lag} {self.year}"


class YearClosureQuerySet(models.QuerySet):
    def in_force(self):
        """Closures that have not been reopened: these years are read-only."""
        return self.filter(reopened_at__isnull=True)


class YearClosure(models.Model):
    """The board closed a year (for all three LAGs): its records are read-only until the board reopens
    it with a written reason. Closing again makes a new row, so the history of closes and reopenings
    stays (invariant 9). The frozen figures of the close live in ``indicators.YearSnapshot``."""

    year = models.PositiveSmallIntegerField(_("gads"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("slēdza")
    )
    closed_at = models.DateTimeField(_("slēgts"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("atvēra"),
    )
    reopened_at = models.DateTimeField(_("atvērts no jauna"), null=True, blank=True)
    reopen_reason = models.TextField(_("atvēršanas iemesls"), blank=True)
    # What was not approved when the year closed — {LAG slug: {"activities"/"measurements": {status: count}}}
    # — and that whoever closed it acknowledged it: those records stay out of the year's figures.
    unapproved = models.JSONField(_("neapstiprinātie ieraksti slēgšanas brīdī"), default=dict, blank=True)
    unapproved_acknowledged = models.BooleanField(
        _("apstiprināts, ka neapstiprinātie ieraksti netiks ieskaitīti"), default=False
    )

    objects = YearClosureQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["-year", "-closed_at"]
        verbose_name = _("gada slēgšana")
        verbose_name_plural = _("gadu slēgšana")
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(reopened_at__isnull=True),
                name="yearclosure_one_in_force",
                violation_error_message=_("Šis gads jau ir slēgts."),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="yearclosure_reopen_has_reason",
                violation_error_message=_("Gadu var atvērt tikai, norādot iemeslu."),
            ),
        ]

    def __str__(self):
        return f"{self.year}"

    def clean(self):
        super().clean()
        errors = personal_code_errors(self, ["reopen_reason"])
        if errors:
            raise ValidationError(errors)

    @property
    def in_force(self):
        return self.reopened_at is None

    @property
    def unapproved_total(self):
        return sum(
            count
            for kinds in self.unapproved.values()
            for statuses in kinds.values()
            for count in statuses.values()
        )


class ActivityTally(models.Model):
    """The approved activities of one activity type, LAG and year, summed: what the progress engine
    reads instead of scanning every activity (at 100× volume that scan took over a second per page).

    Never edited by hand: ``strategy.tallies`` recomputes a LAG-year's rows from the activities in
    the same transaction as every write that can change them, so the rows always equal what a
    from-scratch aggregation gives (``manage.py tallies --check`` compares the two)."""

    activity_type = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="+")
    lag = models.ForeignKey(LAG, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    activities = models.PositiveIntegerField()
    participants = models.PositiveBigIntegerField()
    youth = models.PositiveBigIntegerField()
    vulnerable = models.PositiveBigIntegerField()
    # the youth share counts only activities that recorded both their youth and a total above 0
    share_youth = models.PositiveBigIntegerField()
    share_total = models.PositiveBigIntegerField()
    funding = models.DecimalField(max_digits=16, decimal_places=2)
    last_reviewed = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("aktivitāšu kopsumma")
        verbose_name_plural = _("aktivitāšu kopsummas")
        constraints = [
            models.UniqueConstraint(fields=["lag", "year", "activity_type"], name="activitytally_unique"),
        ]

    def __str__(self):
        return f"{self.lag_id} {self.year} {self.activity_type_id}: {self.activities}"


class FundingTally(models.Model):
    """The funding of the approved activities of one activity type, LAG and year from one source: what a
    funding indicator sums over the sources it declares. Kept like ``ActivityTally`` (``strategy.tallies``)."""

    activity_type = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="+")
    lag = models.ForeignKey(LAG, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=20, choices=FundingLine.Source.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("finansējuma kopsumma")
        verbose_name_plural = _("finansējuma kopsummas")
        constraints = [
            models.UniqueConstraint(
                fields=["lag", "year", "activity_type", "source"], name="fundingtally_unique"
            ),
        ]

    def __str__(self):
        return f"{self.lag_id} {self.year} {self.activity_type_id} {self.source}: {self.amount}"


class ActivityPlaceTally(models.Model):
    """The approved activities of one LAG and year that touched one municipality (either era), with
    their participants; ``municipality`` empty: the activities recorded without a place. An activity
    touches the municipalities of its parishes and towns and, when recorded on a whole municipality,
    of every parish and town in it — so one activity counts in several municipalities, and the rows
    do not add up to the year's total. Kept like ``ActivityTally`` (``strategy.tallies``)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, null=True, related_name="+")
    lag = models.ForeignKey(LAG, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    activities = models.PositiveIntegerField()
    participants = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("aktivitāšu kopsumma pēc novada")
        verbose_name_plural = _("aktivitāšu kopsummas pēc novada")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "lag", "year"],
                condition=Q(municipality__isnull=False),
                name="activityplacetally_unique",
            ),
            models.UniqueConstraint(
                fields=["lag", "year"],
                condition=Q(municipality__isnull=True),
                name="activityplacetally_unplaced",
            ),
        ]

    def __str__(self):
        return f"{self.municipality_id} {self.lag_id} {self.year}: {self.activities}"


class ActivityPriorityTally(models.Model):
    """The approved activities of one activity type, LAG and year linked to one strategy priority: what a
    priority's page and the activity list filtered by priority count (at 100× counting the links took
    over 100 ms a page). An activity with two priorities counts under each. Kept like ``ActivityTally``
    (``strategy.tallies``)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="+")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="+")
    lag = models.ForeignKey(LAG, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    activities = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("aktivitāšu kopsumma pēc prioritātes")
        verbose_name_plural = _("aktivitāšu kopsummas pēc prioritātes")
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "lag", "year", "activity_type"], name="activityprioritytally_unique"
            ),
        ]

    def __str__(self):
        return f"{self.priority_id} {self.lag_id} {self.year} {self.activity_type_id}: {self.activities}"
