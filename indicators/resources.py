"""Measurements in spreadsheets: one row per indicator, LAG, year (and municipality where measured so).

A row whose indicator, LAG, year and municipality match an existing measurement updates it (when
it is still a draft or returned); otherwise it creates one.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Municipality
from strategy import permissions
from strategy.importing import (
    GENERAL_NOTES,
    Column,
    LAGRecordResource,
    LatvianDecimalWidget,
    LatvianIntegerWidget,
    LookupWidget,
    TextWidget,
    lag_column,
    normalise,
    status_column,
)
from strategy.models import Strategy

from .models import Indicator, Measurement

CENT = Decimal("0.01")


class MeasurementResource(LAGRecordResource):
    indicator = Column(
        attribute="indicator",
        column_name="rādītājs",
        required=True,
        doc=gettext_lazy("Rādītāja kods, piemēram K4 vai R1 (tikai ziņotie un kvalitatīvie rādītāji)."),
        example="K4",
    )
    lag = lag_column()
    year = Column(
        attribute="year",
        column_name="gads",
        widget=LatvianIntegerWidget(),
        required=True,
        doc=gettext_lazy("Gads, par kuru vērtība (stratēģijas periodā)."),
        example="2024",
    )
    municipality = Column(
        attribute="municipality",
        column_name="novads",
        doc=gettext_lazy("Tikai rādītājiem, ko mēra pa novadiem: novada nosaukums."),
    )
    value = Column(
        attribute="value",
        column_name="vērtība",
        widget=LatvianDecimalWidget(),
        doc=gettext_lazy("Skaitliska vērtība (ne īpatsvara un ne kvalitatīviem rādītājiem)."),
        example="57",
    )
    numerator = Column(
        attribute="numerator",
        column_name="skaitītājs",
        widget=LatvianDecimalWidget(),
        doc=gettext_lazy("Īpatsvara (%) rādītājiem: cik atbilst (piemēram, aptaujā atbildēja «jā»)."),
        example="",
    )
    denominator = Column(
        attribute="denominator",
        column_name="saucējs",
        widget=LatvianDecimalWidget(),
        doc=gettext_lazy("Īpatsvara (%) rādītājiem: no cik kopā (piemēram, respondentu skaits)."),
        example="",
    )
    share = Column(
        column_name="īpatsvars, %",
        export_only=True,
        doc=gettext_lazy("Tikai eksportā: skaitītājs ÷ saucējs × 100; to neievada."),
    )
    narrative = Column(
        attribute="narrative",
        column_name="apraksts",
        widget=TextWidget(),
        doc=gettext_lazy("Kvalitatīviem rādītājiem: gada situācijas apraksts."),
    )
    rating = Column(
        attribute="rating",
        column_name="vērtējums",
        widget=LatvianIntegerWidget(),
        doc=gettext_lazy("Kvalitatīviem rādītājiem: vērtējums no 1 līdz 5."),
    )
    note = Column(
        attribute="note",
        column_name="piezīme",
        widget=TextWidget(),
        doc=gettext_lazy("Piezīme (datu avots, aprēķins); nav obligāta."),
    )
    status = status_column(
        gettext_lazy("Tikai eksportā: darbplūsmas statuss. Importētās vērtības vienmēr ir melnraksti.")
    )

    class Meta:
        model = Measurement
        fields = (
            "indicator",
            "lag",
            "year",
            "municipality",
            "value",
            "numerator",
            "denominator",
            "share",
            "narrative",
            "rating",
            "note",
            "status",
        )
        import_id_fields = ["indicator"]
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["indicator"].widget = LookupWidget(self.resolve_indicator, lambda i: i.code)
        self.fields["municipality"].widget = LookupWidget(self.resolve_municipality, lambda m: m.name_lv)

    # the indicator's own strategy is needed by Measurement.clean(); FK existence is guaranteed
    clean_exclude = ("lag", "author", "reviewed_by", "municipality", "indicator")

    def load_lookups(self, dataset):
        super().load_lookups(dataset)
        strategy = Strategy.objects.current()
        indicators = Indicator.objects.filter(strategy=strategy).select_related("strategy")
        self.indicators = {normalise(i.code): i for i in indicators}
        self.municipalities = {}
        for municipality in Municipality.objects.order_by("era"):
            self.municipalities[normalise(municipality.name_lv)] = municipality
        self.existing = {
            (m.indicator_id, m.lag_id, m.year, m.municipality_id): m
            for m in Measurement.objects.filter(indicator__strategy=strategy)
        }

    def resolve_indicator(self, value):
        indicator = self.indicators.get(normalise(value))
        if indicator is None:
            raise ValueError(_("Nav rādītāja ar kodu «%(value)s».") % {"value": value})
        if indicator.source == Indicator.Source.ACTIVITIES:
            raise ValueError(
                _("Rādītāju %(code)s aprēķina no aktivitātēm; tā vērtības neimportē.")
                % {"code": indicator.code}
            )
        return indicator

    def resolve_municipality(self, value):
        try:
            return self.municipalities[normalise(value)]
        except KeyError:
            raise ValueError(_("Nav novada «%(value)s».") % {"value": value}) from None

    def find_existing(self, row):
        # Resolve the natural key quietly: import_instance reports any problem with its column.
        try:
            indicator = self.fields["indicator"].clean(row)
            lag = self.fields["lag"].clean(row) if "VRG" in row else None
            year = self.fields["year"].clean(row)
            municipality = self.fields["municipality"].clean(row) if "novads" in row else None
        except (ValueError, KeyError):
            return None
        lag = lag or self.own_lag
        if indicator is None or lag is None or year is None:
            return None
        instance = self.existing.get((indicator.pk, lag.pk, year, getattr(municipality, "pk", None)))
        if instance is not None:
            refusal = permissions.edit_refusal(self.user, instance)
            if refusal:
                instance._import_refusal = _("Šo vērtību nevar mainīt: %(reason)s") % {"reason": refusal}
        return instance

    def duplicate_key(self, instance):
        return (instance.indicator_id, instance.lag_id, instance.year, instance.municipality_id)

    def export_queryset(self, queryset):
        return queryset.select_related("indicator", "lag", "municipality")

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        if name == "share":
            share = instance.share
            return self.fields["value"].widget.render(
                share.quantize(CENT) if share is not None else None, **kwargs
            )
        return super().export_field(field, instance, **kwargs)

    def general_notes(self):
        return [_("Rādītāju vērtību imports"), *GENERAL_NOTES]

    def value_lists(self):
        strategy = Strategy.objects.current()
        indicators = Indicator.objects.filter(strategy=strategy).exclude(source=Indicator.Source.ACTIVITIES)
        return [
            (
                _("Rādītāji"),
                [(_("kods"), _("nosaukums"), _("ko ievada"))]
                + [(i.code, i.name_lv, _what_to_enter(i)) for i in indicators],
            )
        ]


def _what_to_enter(indicator):
    if indicator.source == Indicator.Source.QUALITATIVE:
        return _("apraksts un vērtējums (1–5)")
    if indicator.is_share:
        return _("skaitītājs un saucējs")
    return _("vērtība")
