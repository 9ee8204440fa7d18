from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import latvian


class LAGQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class LAG(models.Model):
    """A Local Action Group (vietējā rīcības grupa): an association that owns activities and data."""

    slug = models.SlugField(_("īsais kods"), max_length=40, unique=True)
    name = models.CharField(_("pilns nosaukums"), max_length=255)
    short_name = models.CharField(_("īsais nosaukums"), max_length=100)
    founded_on = models.DateField(_("dibināšanas datums"), null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("dibināšanas gads"), null=True, blank=True)
    public_benefit = models.BooleanField(_("sabiedriskā labuma organizācija"), default=False)
    aim = models.TextField(_("mērķis"), blank=True)
    mission = models.TextField(_("misija"), blank=True)
    vision = models.TextField(_("vīzija"), blank=True)
    territory_description = models.TextField(_("darbības teritorija"), blank=True)
    notes = models.TextField(_("citi fakti"), blank=True)
    website = models.URLField(_("tīmekļa vietne"), blank=True)
    order = models.PositiveSmallIntegerField(_("secība"), default=0)

    objects = LAGQuerySet.as_manager()

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("vietējā rīcības grupa")
        verbose_name_plural = _("vietējās rīcības grupas")

    def __str__(self):
        return self.short_name or self.slug

    def natural_key(self):
        return (self.slug,)


class LAGPriority(models.Model):
    """One of a LAG's own priorities (as the strategy lists them for the LAG)."""

    lag = models.ForeignKey(LAG, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("VRG"))
    order = models.PositiveSmallIntegerField(_("secība"))
    text = models.TextField(_("teksts"))

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["lag", "order"]
        verbose_name = _("VRG prioritāte")
        verbose_name_plural = _("VRG prioritātes")
        constraints = [
            models.UniqueConstraint(
                fields=["lag", "order"],
                name="lagpriority_unique_order",
                violation_error_message=_("Šai VRG jau ir prioritāte ar šādu secības numuru."),
            )
        ]

    def __str__(self):
        return f"{self.lag}: {self.text[:60]}"


class LocalStrategy(models.Model):
    """A LAG's own local development strategy (e.g. the CLLD strategy 2015–2020) and its EAFRD funding."""

    lag = models.ForeignKey(
        LAG, on_delete=models.CASCADE, related_name="local_strategies", verbose_name=_("VRG")
    )
    title = models.CharField(_("nosaukums"), max_length=400)
    period_start = models.PositiveSmallIntegerField(_("perioda sākums"))
    period_end = models.PositiveSmallIntegerField(_("perioda beigas"))
    fund = models.CharField(_("fonds"), max_length=100)
    amount = models.DecimalField(_("summa, EUR"), max_digits=14, decimal_places=2, null=True, blank=True)

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["lag", "period_start"]
        verbose_name = _("vietējās attīstības stratēģija")
        verbose_name_plural = _("vietējās attīstības stratēģijas")
        constraints = [
            models.UniqueConstraint(
                fields=["lag", "period_start", "period_end"],
                name="localstrategy_unique",
                violation_error_message=_("Šai VRG jau ir stratēģija ar šādu periodu."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="localstrategy_period",
                violation_error_message=_("Perioda beigu gads nevar būt agrāks par sākuma gadu."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True),
                name="localstrategy_amount",
                violation_error_message=_("Summa nevar būt negatīva."),
            ),
        ]

    def __str__(self):
        return f"{self.lag} {self.period_start}–{self.period_end}"


class MunicipalityQuerySet(models.QuerySet):
    def get_by_natural_key(self, era, slug):
        return self.get(era=era, slug=slug)


class Municipality(models.Model):
    """A municipality (novads) of one of the two administrative divisions the strategy spans."""

    class Era(models.TextChoices):
        STRATEGY = "2009", _("2009–2021 (stratēģijas novadi)")
        CURRENT = "2021", _("kopš 2021. gada 1. jūlija")

    era = models.CharField(_("administratīvais iedalījums"), max_length=4, choices=Era.choices)
    name = models.CharField(_("nosaukums"), max_length=100)
    slug = models.SlugField(_("īsais kods"), max_length=60)

    objects = MunicipalityQuerySet.as_manager()

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["era", "name"]
        verbose_name = _("novads")
        verbose_name_plural = _("novadi")
        constraints = [
            models.UniqueConstraint(
                fields=["era", "slug"],
                name="municipality_unique_slug",
                violation_error_message=_("Šajā administratīvajā iedalījumā jau ir novads ar šādu kodu."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.era, self.slug)


class TerritoryUnitQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class TerritoryUnit(models.Model):
    """A parish (pagasts) or town (pilsēta): the smallest stable unit activities are recorded on."""

    class Kind(models.TextChoices):
        PARISH = "pagasts", _("pagasts")
        TOWN = "pilsēta", _("pilsēta")

    name = models.CharField(_("nosaukums"), max_length=100, unique=True)
    kind = models.CharField(_("veids"), max_length=10, choices=Kind.choices)
    lag = models.ForeignKey(
        LAG, on_delete=models.PROTECT, related_name="territory_units", verbose_name=_("VRG")
    )
    municipality_2009 = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="units_2009",
        limit_choices_to={"era": Municipality.Era.STRATEGY},
        verbose_name=_("novads (2009–2021)"),
    )
    municipality_2021 = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="units_2021",
        limit_choices_to={"era": Municipality.Era.CURRENT},
        verbose_name=_("novads (kopš 2021)"),
    )

    objects = TerritoryUnitQuerySet.as_manager()

    grammatical_gender = latvian.MASCULINE

    class Meta:
        ordering = ["name"]
        verbose_name = _("pagasts vai pilsēta")
        verbose_name_plural = _("pagasti un pilsētas")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class User(AbstractUser):
    """A portal user; LAG staff belong to exactly one LAG, the board and secretariat to none."""

    lag = models.ForeignKey(
        LAG, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("VRG")
    )
    is_demo = models.BooleanField(_("demonstrācijas konts"), default=False, editable=False)
    # Which e-mails the user wants (each kind can be switched off in the profile, #16).
    notify_submitted = models.BooleanField(_("e-pasts, kad ieraksts iesniegts izskatīšanai"), default=True)
    notify_returned = models.BooleanField(_("e-pasts, kad mans ieraksts atgriezts"), default=True)
    notify_approved = models.BooleanField(_("e-pasts, kad mans ieraksts apstiprināts"), default=True)
    notify_comments = models.BooleanField(_("e-pasts par jauniem komentāriem"), default=True)
    notify_digest = models.BooleanField(
        _("iknedēļas kopsavilkums par izskatāmajiem ierakstiem"), default=True
    )
    notify_reminders = models.BooleanField(_("atgādinājumi par iesniegšanas termiņiem"), default=True)

    grammatical_gender = latvian.MASCULINE

    class Meta(AbstractUser.Meta):
        verbose_name = _("lietotājs")
        verbose_name_plural = _("lietotāji")
        ordering = ["username"]


class OutboxMessage(models.Model):
    """An e-mail waiting to be sent, or sent: written in the same transaction as the change it tells
    about, sent later by ``manage.py send_mail`` (never inside a request). ``key`` makes each message
    unique — a reminder or a digest is queued once, whatever the number of runs."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("iesniegts izskatīšanai")
        RETURNED = "returned", _("atgriezts")
        APPROVED = "approved", _("apstiprināts")
        COMMENT = "comment", _("komentārs")
        DIGEST = "digest", _("iknedēļas kopsavilkums")
        REMINDER = "reminder", _("atgādinājums par termiņu")

    kind = models.CharField(_("veids"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("unikālā atslēga"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("saņēmējs")
    )
    to_email = models.EmailField(_("e-pasta adrese"))
    subject = models.CharField(_("temats"), max_length=300)
    body_text = models.TextField(_("teksts"))
    body_html = models.TextField(_("HTML teksts"), blank=True)
    created_at = models.DateTimeField(_("izveidots"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("nosūtīts"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("mēģinājumi"), default=0)
    next_attempt_at = models.DateTimeField(_("nākamais mēģinājums"), null=True, blank=True)
    last_error = models.TextField(_("pēdējā kļūda"), blank=True)

    grammatical_gender = latvian.FEMININE

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-pasta vēstule")
        verbose_name_plural = _("e-pasta vēstules")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.to_email} — {self.subject}"
