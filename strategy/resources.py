"""Activities in spreadsheets: the columns, their natural keys and what the import template says."""

from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import formats
from partners.models import Municipality, TerritoryUnit

from . import permissions, tallies
from .importing.formats import grouped
from .importing.resources import Column, LAGRecordResource, lag_column, status_column
from .importing.template import GENERAL_NOTES
from .importing.widgets import (
    LatvianDateWidget,
    LatvianDecimalWidget,
    LatvianIntegerWidget,
    LookupListWidget,
    LookupWidget,
    TextWidget,
    is_blank,
    normalise,
    suggestion,
)
from .models import Activity, ActivityType, FundingLine, Priority, Strategy

FUNDING_PREFIX = "extra:funding_"


def funding_column(source):
    return f"finansējums EUR: {source.label}"


def municipality_key(municipality):
    return f"{municipality.name_lv} ({municipality.era})"


class ActivityResource(LAGRecordResource):
    id = Column(
        attribute="id",
        column_name="id",
        widget=LatvianIntegerWidget(),
        doc=gettext_lazy(
            "Portāla aktivitātes numurs. Tukšs — jauna aktivitāte. Norādīts — labo šo aktivitāti, ja tā ir "
            "jūsu VRG melnraksts vai atgriezta labošanai; ja tādas aktivitātes nav (piemēram, citā datubāzē), "
            "tiek izveidota jauna."
        ),
        example="",
    )
    lag = lag_column()
    title = Column(
        attribute="title_lv",
        column_name="nosaukums",
        widget=TextWidget(),
        required=True,
        doc=gettext_lazy("Aktivitātes nosaukums latviski (līdz 300 zīmēm)."),
        example="Talka Ambeļos",
    )
    title_en = Column(
        attribute="title_en",
        column_name="nosaukums (EN)",
        widget=TextWidget(),
        doc=gettext_lazy("Nosaukums angliski; nav obligāts."),
        example="Clean-up in Ambeļi",
    )
    summary = Column(
        attribute="summary_lv",
        column_name="apraksts",
        widget=TextWidget(),
        doc=gettext_lazy("Īss apraksts latviski; nav obligāts."),
    )
    summary_en = Column(
        attribute="summary_en",
        column_name="apraksts (EN)",
        widget=TextWidget(),
        doc=gettext_lazy("Apraksts angliski; nav obligāts."),
    )
    start_date = Column(
        attribute="start_date",
        column_name="sākuma datums",
        widget=LatvianDateWidget(),
        required=True,
        doc=gettext_lazy("Datums: 05.03.2024 vai 2024-03-05."),
        example="05.03.2024",
    )
    end_date = Column(
        attribute="end_date",
        column_name="beigu datums",
        widget=LatvianDateWidget(),
        doc=gettext_lazy("Tukšs, ja aktivitāte notika vienā dienā; citādi ne agrāks par sākuma datumu."),
        example="06.03.2024",
    )
    activity_type = Column(
        attribute="activity_type",
        column_name="veids",
        required=True,
        doc=gettext_lazy("Aktivitātes veida kods vai nosaukums (sk. lapu «Veidi»)."),
        example="clean_up",
    )
    venue = Column(
        attribute="venue",
        column_name="norises vieta",
        widget=TextWidget(),
        doc=gettext_lazy("Norises vieta brīvā tekstā; nav obligāta."),
        example="Ambeļu tautas nams",
    )
    territory_units = Column(
        attribute="territory_units",
        column_name="pagasti un pilsētas",
        doc=gettext_lazy(
            "Pagastu vai pilsētu nosaukumi tieši tā, kā lapā «Teritorija», atdalīti ar semikolu vai komatu."
        ),
        example="Ambeļu pagasts; Biķernieku pagasts",
    )
    municipalities = Column(
        attribute="municipalities",
        column_name="viss novads",
        doc=gettext_lazy(
            "Tikai ja aktivitāte aptver visu novadu: novada nosaukums un iedalījuma gads iekavās, "
            "piemēram «Augšdaugavas novads (2021)»; bez iekavām — novads kopš 2021. gada."
        ),
        example="Augšdaugavas novads (2021)",
    )
    priorities = Column(
        attribute="priorities",
        column_name="prioritātes",
        doc=gettext_lazy("Stratēģijas prioritāšu numuri (1–4), atdalīti ar semikolu vai komatu."),
        example="1; 2",
    )
    participants_total = Column(
        attribute="participants_total",
        column_name="dalībnieki kopā",
        widget=LatvianIntegerWidget(),
        doc=gettext_lazy("Kopējais dalībnieku skaits; tukšs, ja nav skaitāms."),
        example="40",
    )
    participants_youth = Column(
        attribute="participants_youth",
        column_name="jaunieši (13–30 g.)",
        widget=LatvianIntegerWidget(),
        doc=gettext_lazy("Tai skaitā jaunieši 13–30 gadu vecumā; ne vairāk kā kopā."),
        example="12",
    )
    participants_vulnerable = Column(
        attribute="participants_vulnerable",
        column_name="mazaizsargātie",
        widget=LatvianIntegerWidget(),
        doc=gettext_lazy("Tai skaitā mazaizsargātie iedzīvotāji; ne vairāk kā kopā."),
        example="5",
    )
    indicators = Column(
        column_name="rādītāji",
        export_only=True,
        doc=gettext_lazy(
            "Tikai eksportā: rādītāji, kuros aktivitāte tiek ieskaitīta pēc tās veida (pēc apstiprināšanas)."
        ),
    )
    status = status_column(
        gettext_lazy("Tikai eksportā: darbplūsmas statuss. Importētie ieraksti vienmēr ir melnraksti.")
    )

    m2m_columns = ("territory_units", "municipalities", "priorities")
    # the base's foreign keys (the importing user among them: four eyes) and the looked-up type
    clean_exclude = (*LAGRecordResource.clean_exclude, "activity_type")

    class Meta:
        model = Activity
        fields = (
            "id",
            "lag",
            "title",
            "title_en",
            "summary",
            "summary_en",
            "start_date",
            "end_date",
            "activity_type",
            "venue",
            "territory_units",
            "municipalities",
            "priorities",
            "participants_total",
            "participants_youth",
            "participants_vulnerable",
            "indicators",
            "status",
        )
        import_id_fields = ["id"]
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        # Each funding source is a column of its own: spreadsheets add up columns easily.
        for source in FundingLine.Source:
            self.fields[f"funding_{source.value}"] = Column(
                attribute=f"{FUNDING_PREFIX}{source.value}",
                column_name=funding_column(source),
                widget=LatvianDecimalWidget(),
                doc=_("Finansējums no avota «%(source)s», EUR; tukšs, ja nav.") % {"source": source.label},
                example="1 500,00" if source == FundingLine.Source.EAFRD else "",
            )
        self.fields["activity_type"].widget = LookupWidget(self.resolve_type, lambda t: t.code)
        self.fields["territory_units"].widget = LookupListWidget(self.resolve_unit, lambda u: u.name)
        self.fields["municipalities"].widget = LookupListWidget(self.resolve_municipality, municipality_key)
        self.fields["priorities"].widget = LookupListWidget(self.resolve_priority, lambda p: str(p.number))

    def get_export_order(self):
        names = list(self._meta.export_order or ()) or [
            name
            for name in self.fields
            if not name.startswith("funding_") and name not in ("indicators", "status")
        ]
        return (*names, *(f"funding_{s.value}" for s in FundingLine.Source), "indicators", "status")

    def get_import_order(self):
        return self.get_export_order()

    # references, each loaded with one query per file ----------------------------------------

    def load_lookups(self, dataset):
        super().load_lookups(dataset)
        types = list(ActivityType.objects.all())
        self.types = {normalise(t.code): t for t in types} | {normalise(t.name_lv): t for t in types}
        units = list(TerritoryUnit.objects.select_related("municipality_2009", "municipality_2021"))
        self.units = {normalise(u.name): u for u in units}
        self.municipalities = {}
        for municipality in Municipality.objects.order_by("era"):
            self.municipalities[normalise(municipality_key(municipality))] = municipality
            # a bare name means the current division (2021 sorts last and wins)
            self.municipalities[normalise(municipality.name_lv)] = municipality
        # Suggestions for a misspelt name come from the importer's own LAG (all of them for those
        # who import for every LAG).
        own = [u for u in units if permissions.is_superuser(self.user) or u.lag_id == self.user.lag_id]
        self.unit_names = [u.name for u in own]
        self.municipality_names = sorted(
            {municipality_key(m) for u in own for m in (u.municipality_2009, u.municipality_2021)}
        )
        self.type_names = [t.name_lv for t in types]
        strategy = Strategy.objects.current()
        self.priorities = (
            {str(p.number): p for p in Priority.objects.filter(strategy=strategy)} if strategy else {}
        )

    def resolve_type(self, value):
        try:
            return self.types[normalise(value)]
        except KeyError:
            raise ValueError(
                _("Nav aktivitātes veida «%(value)s» (sk. importa veidnes lapu «Veidi»).") % {"value": value}
                + suggestion(value, self.type_names)
            ) from None

    def resolve_unit(self, value):
        try:
            return self.units[normalise(value)]
        except KeyError:
            raise ValueError(
                _("Nav pagasta vai pilsētas «%(value)s».") % {"value": value}
                + suggestion(value, self.unit_names)
            ) from None

    def resolve_municipality(self, value):
        try:
            return self.municipalities[normalise(value)]
        except KeyError:
            raise ValueError(
                _("Nav novada «%(value)s».") % {"value": value} + suggestion(value, self.municipality_names)
            ) from None

    def resolve_priority(self, value):
        key = value.rstrip(".").strip()
        try:
            return self.priorities[key]
        except KeyError:
            raise ValueError(
                _("Nav prioritātes «%(value)s»; derīgie numuri: %(numbers)s.")
                % {"value": value, "numbers": ", ".join(sorted(self.priorities))}
            ) from None

    # the stored activities the file refers to ------------------------------------------------

    def existing_queryset(self):
        return Activity._base_manager.select_related("lag", "activity_type").prefetch_related(
            "territory_units", "municipalities", "priorities", "funding_lines"
        )

    def natural_key(self, activity):
        """An activity is the LAG's record of that start date, type and title (spaces, case and the
        export's formula guard aside): a row matching one is already in the portal."""
        return (
            activity.lag_id,
            activity.start_date,
            activity.activity_type_id,
            normalise(activity.title_lv or ""),
        )

    def load_matches(self, dataset):
        """The stored activities the file's rows may already be: the file's keys are read quietly
        (a cell that does not read is its row's error later), then the LAGs' activities of those
        dates are compared by key — two queries per 10 000 dates, and the matches loaded at once."""
        self.matches = {}
        columns = [self.fields[name].column_name for name in ("title", "start_date", "activity_type")]
        if not set(columns) <= set(dataset.headers or []):
            return
        lag_column_name = self.fields["lag"].column_name
        lag_cells = dataset[lag_column_name] if lag_column_name in dataset.headers else [None] * len(dataset)
        dates, keys = set(), set()
        read_date, read_text = LatvianDateWidget(), TextWidget()
        for lag_cell, title, start, kind in zip(lag_cells, *(dataset[c] for c in columns), strict=True):
            lag = self.lag_of(lag_cell)
            activity_type = None if is_blank(kind) else self.types.get(normalise(kind))
            try:
                start, title = read_date.clean(start), read_text.clean(title)
            except ValueError:
                continue
            if lag and activity_type and start and title:
                keys.add((lag.pk, start, activity_type.pk, normalise(title)))
                dates.add(start)
        found = {}
        dates, lag_ids = sorted(dates), sorted({key[0] for key in keys})
        for offset in range(0, len(dates), tallies.ID_BATCH):
            stored = (
                Activity._base_manager.filter(
                    lag_id__in=lag_ids, start_date__in=dates[offset : offset + tallies.ID_BATCH]
                )
                .order_by("pk")
                .values_list("pk", "lag_id", "start_date", "activity_type_id", "title_lv")
            )
            for pk, lag_id, start, type_id, title in stored:
                key = (lag_id, start, type_id, normalise(title))
                if key in keys:
                    found.setdefault(key, pk)  # an activity stored twice already: the first one
        pks = sorted(found.values())
        records = {}
        for offset in range(0, len(pks), tallies.ID_BATCH):
            records |= self.existing_queryset().in_bulk(pks[offset : offset + tallies.ID_BATCH])
        self.matches = {key: records[pk] for key, pk in found.items()}

    def duplicate_keys(self, activity):
        return [("id", activity.pk)] if activity.pk else [("key", *self.natural_key(activity))]

    def stored_extra(self, activity, key):
        if activity.pk is None:
            return None
        source = key.removeprefix("funding_")
        amounts = [line.amount for line in activity.funding_lines.all() if line.source == source]
        return sum(amounts) if amounts else None  # the export sums a source's lines the same way

    def refusal_message(self, activity):
        return _("Aktivitāti %(id)s nevar mainīt: %(reason)s") % {
            "id": activity.pk,
            "reason": activity._import_refusal,
        }

    def changed_message(self, activity):
        return _(
            "Aktivitāti %(id)s pēc priekšskatījuma mainīja kāds cits. Augšupielādējiet datni vēlreiz, lai "
            "redzētu pašreizējās vērtības."
        ) % {"id": activity.pk}

    # the preview: an activity as the portal read it -------------------------------------------

    def preview_columns(self):
        return [
            (_("VRG"), lambda a: str(a.lag) if a.lag_id else ""),
            (_("Nosaukums"), self.show_title, "wide"),
            (_("Datumi"), show_dates),
            (_("Veids"), lambda a: a.activity_type.name_lv if a.activity_type_id else ""),
            (_("Vieta"), self.show_place),
            (
                _("Prioritātes"),
                lambda a: ", ".join(str(n) for n in sorted(p.number for p in self.related(a, "priorities"))),
            ),
            (_("Dalībnieki"), show_participants),
            (_("Finansējums, EUR"), self.show_funding),
        ]

    def show_title(self, activity):
        details = []
        if activity.title_en:
            details.append(_("EN: %(title)s") % {"title": activity.title_en})
        if activity.summary_lv:
            details.append(Truncator(activity.summary_lv).chars(90))
        return activity.title_lv or "", "\n".join(details)

    def show_place(self, activity):
        places = sorted(u.name for u in self.related(activity, "territory_units"))
        places += sorted(
            _("viss %(municipality)s") % {"municipality": municipality_key(m)}
            for m in self.related(activity, "municipalities")
        )
        return "; ".join(places), activity.venue or ""

    def show_funding(self, activity):
        amounts = [(source, self.extra(activity, f"funding_{source.value}")) for source in FundingLine.Source]
        return "; ".join(
            f"{source.label} {formats.number(amount, 2)}" for source, amount in amounts if amount is not None
        )

    # writes ----------------------------------------------------------------------------------

    def save_relations(self, objs, created):
        super().save_relations(objs, created)
        if not created:
            FundingLine.objects.filter(activity__in=[obj.pk for obj in objs]).delete()
        FundingLine.objects.bulk_create(
            [
                FundingLine(activity_id=obj.pk, source=key.removeprefix("funding_"), amount=amount)
                for obj in objs
                for key, amount in obj._import_extra.items()
                if amount is not None
            ]
        )

    # export ----------------------------------------------------------------------------------

    def export_queryset(self, queryset):
        return queryset.select_related("lag", "activity_type").prefetch_related(
            "territory_units", "municipalities", "priorities", "funding_lines", "activity_type__indicators"
        )

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        if name.startswith("funding_"):
            source = name.removeprefix("funding_")
            amounts = [line.amount for line in instance.funding_lines.all() if line.source == source]
            return field.widget.render(sum(amounts) if amounts else None, **kwargs)
        if name == "indicators":
            return ", ".join(
                sorted((i.code for i in instance.activity_type.indicators.all()), key=_code_order)
            )
        return super().export_field(field, instance, **kwargs)

    # the import template ---------------------------------------------------------------------

    def general_notes(self):
        return [
            _("Aktivitāšu imports"),
            *GENERAL_NOTES,
            _(
                "Finansējums: katram avotam sava kolonna (summa EUR). Ja aktivitātei ir vairākas viena avota "
                "rindas, eksportā tās ir saskaitītas."
            ),
            _(
                "Rinda, kas atbilst aktivitātei, kura jau ir portālā (tā pati VRG, sākuma datums, veids un "
                "nosaukums), netiek izveidota vēlreiz. Lai aktivitāti labotu, norādiet tās id (to satur eksports)."
            ),
        ]

    def value_lists(self):
        units = TerritoryUnit.objects.select_related("lag", "municipality_2021")
        if self.user is not None and not permissions.sees_all_lags(self.user) and self.user.lag_id:
            units = units.filter(lag_id=self.user.lag_id)
        strategy = Strategy.objects.current()
        return [
            (
                _("Veidi"),
                [(_("kods"), _("nosaukums"))] + [(t.code, t.name_lv) for t in ActivityType.objects.all()],
            ),
            (
                _("Teritorija"),
                [(_("pagasts vai pilsēta"), _("VRG"), _("novads (kopš 2021)"))]
                + [(u.name, u.lag.slug, u.municipality_2021.name_lv) for u in units],
            ),
            (
                _("Prioritātes"),
                [(_("numurs"), _("nosaukums"))]
                + [(p.number, p.title_lv) for p in Priority.objects.filter(strategy=strategy)],
            ),
            (
                _("Novadi"),
                [(_("rakstīt šūnā «viss novads»"),)]
                + [(municipality_key(m),) for m in Municipality.objects.order_by("-era", "name_lv")],
            ),
        ]


def show_dates(activity):
    def day(value):
        return date_format(value, "d.m.Y") if value else ""

    if activity.end_date and activity.end_date != activity.start_date:
        return f"{day(activity.start_date)}–{day(activity.end_date)}"
    return day(activity.start_date)


def show_participants(activity):
    parts = []
    if activity.participants_total is not None:
        parts.append(grouped(activity.participants_total))
    if activity.participants_youth is not None:
        parts.append(_("t. sk. jaunieši %(count)s") % {"count": grouped(activity.participants_youth)})
    if activity.participants_vulnerable is not None:
        parts.append(_("mazaizsargātie %(count)s") % {"count": grouped(activity.participants_vulnerable)})
    return ", ".join(parts)


def _code_order(code):
    return (code[0], int(code[1:]) if code[1:].isdigit() else 0)
