"""Activities in spreadsheets: the columns, their natural keys and what the import template says."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Municipality, TerritoryUnit

from . import permissions
from .importing import (
    GENERAL_NOTES,
    Column,
    LAGRecordResource,
    LatvianDateWidget,
    LatvianDecimalWidget,
    LatvianIntegerWidget,
    LookupListWidget,
    LookupWidget,
    TextWidget,
    lag_column,
    normalise,
    status_column,
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
    clean_exclude = ("lag", "author", "reviewed_by", "activity_type")

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
        self.units = {normalise(u.name): u for u in TerritoryUnit.objects.all()}
        self.municipalities = {}
        for municipality in Municipality.objects.order_by("era"):
            self.municipalities[normalise(municipality_key(municipality))] = municipality
            # a bare name means the current division (2021 sorts last and wins)
            self.municipalities[normalise(municipality.name_lv)] = municipality
        strategy = Strategy.objects.current()
        self.priorities = (
            {str(p.number): p for p in Priority.objects.filter(strategy=strategy)} if strategy else {}
        )
        ids = (
            {str(v).strip() for v in dataset["id"] if v not in (None, "")}
            if "id" in dataset.headers
            else set()
        )
        numeric = [
            int(Decimal(v.replace(",", ".")))
            for v in ids
            if v.replace(",", ".").replace(".", "", 1).isdigit()
        ]
        self.existing = Activity.objects.in_bulk(numeric) if numeric else {}

    def resolve_type(self, value):
        try:
            return self.types[normalise(value)]
        except KeyError:
            raise ValueError(
                _("Nav aktivitātes veida «%(value)s» (sk. importa veidnes lapu «Veidi»).") % {"value": value}
            ) from None

    def resolve_unit(self, value):
        try:
            return self.units[normalise(value)]
        except KeyError:
            raise ValueError(_("Nav pagasta vai pilsētas «%(value)s».") % {"value": value}) from None

    def resolve_municipality(self, value):
        try:
            return self.municipalities[normalise(value)]
        except KeyError:
            raise ValueError(_("Nav novada «%(value)s».") % {"value": value}) from None

    def resolve_priority(self, value):
        key = value.rstrip(".").strip()
        try:
            return self.priorities[key]
        except KeyError:
            raise ValueError(
                _("Nav prioritātes «%(value)s»; derīgie numuri: %(numbers)s.")
                % {"value": value, "numbers": ", ".join(sorted(self.priorities))}
            ) from None

    def find_existing(self, row):
        value = row.get("id")
        try:
            pk = self.fields["id"].widget.clean(value)
        except ValueError:
            return None  # reported as the id column's error by import_instance
        instance = self.existing.get(pk) if pk else None
        if instance is not None:
            refusal = permissions.edit_refusal(self.user, instance)
            if refusal:
                instance._import_refusal = _("Aktivitāti %(id)s nevar mainīt: %(reason)s") % {
                    "id": pk,
                    "reason": refusal,
                }
        return instance

    def import_instance(self, instance, row, **kwargs):
        is_new = instance.pk is None or instance.pk not in self.existing
        if is_new:
            # An id that does not exist here (an export from another database) makes a new record.
            row = {**row, "id": ""}
            instance.id = None
        super().import_instance(instance, row, **kwargs)

    def duplicate_key(self, instance):
        return ("id", instance.pk) if instance.pk else None

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


def _code_order(code):
    return (code[0], int(code[1:]) if code[1:].isdigit() else 0)
