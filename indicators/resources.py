"""Measurements in spreadsheets: one row per indicator, LAG, year (and municipality where measured so).

A row with a measurement's id updates it (when it is still a draft or returned, and only when the
row changes something). A row without one creates a measurement — unless its indicator, LAG, year
and municipality have one already: an identical row is "already in the portal", a different one is
refused with the stored measurement's id, so that a value is never replaced by accident.
"""

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import formats
from partners.models import Municipality
from strategy.importing.resources import Column, LAGRecordResource, lag_column, status_column
from strategy.importing.template import GENERAL_NOTES
from strategy.importing.widgets import (
    LatvianDecimalWidget,
    LatvianIntegerWidget,
    LookupWidget,
    TextWidget,
    normalise,
    suggestion,
)
from strategy.models import Strategy

from .models import Indicator, Measurement

CENT = Decimal("0.01")


class MeasurementResource(LAGRecordResource):
    id = Column(
        attribute="id",
        column_name="id",
        widget=LatvianIntegerWidget(),
        doc=gettext_lazy(
            "Portāla vērtības numurs (to satur eksports). Tukšs — jauna vērtība. Norādīts — labo šo "
            "vērtību, ja tā ir jūsu VRG melnraksts vai atgriezta labošanai."
        ),
        example="",
    )
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
            "id",
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
        import_id_fields = ["id"]
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["indicator"].widget = LookupWidget(self.resolve_indicator, lambda i: i.code)
        self.fields["municipality"].widget = LookupWidget(self.resolve_municipality, lambda m: m.name_lv)

    # the indicator's own strategy is needed by Measurement.clean(); FK existence is guaranteed
    clean_exclude = (*LAGRecordResource.clean_exclude, "municipality", "indicator")

    def load_lookups(self, dataset):
        super().load_lookups(dataset)
        self.strategy = Strategy.objects.current()
        indicators = Indicator.objects.filter(strategy=self.strategy).select_related("strategy")
        self.indicators = {normalise(i.code): i for i in indicators}
        self.municipalities = {}
        for municipality in Municipality.objects.order_by("era"):
            self.municipalities[normalise(municipality.name_lv)] = municipality

    def resolve_indicator(self, value):
        indicator = self.indicators.get(normalise(value))
        if indicator is None:
            raise ValueError(_("Nav rādītāja ar kodu «%(value)s».") % {"value": value})
        if indicator.is_computed:
            raise ValueError(
                _("Rādītāju %(code)s aprēķina no aktivitātēm; tā vērtības neimportē.")
                % {"code": indicator.code}
            )
        return indicator

    def resolve_municipality(self, value):
        try:
            return self.municipalities[normalise(value)]
        except KeyError:
            raise ValueError(
                _("Nav novada «%(value)s».") % {"value": value}
                + suggestion(value, sorted({m.name_lv for m in self.municipalities.values()}))
            ) from None

    # the stored measurements the file refers to ----------------------------------------------

    def existing_queryset(self):
        return Measurement._base_manager.select_related("indicator__strategy", "lag", "municipality")

    def natural_key(self, measurement):
        return (measurement.indicator_id, measurement.lag_id, measurement.year, measurement.municipality_id)

    def load_matches(self, dataset):
        # A strategy has a few hundred measurements per LAG: one query for all of them.
        stored = (
            self.existing_queryset()
            .filter(indicator__strategy=self.strategy, lag_id__in=self.editable_lag_ids)
            .order_by("pk")
        )
        self.matches = {}
        for measurement in stored:
            self.matches.setdefault(self.natural_key(measurement), measurement)

    def duplicate_keys(self, measurement):
        keys = [("key", *self.natural_key(measurement))]
        return keys + [("id", measurement.pk)] if measurement.pk else keys

    def already_there(self, measurement, match, differing):
        if not differing:
            return super().already_there(measurement, match, differing)
        if match.municipality_id is not None:
            message = _(
                "Šim rādītājam, VRG, gadam un novadam portālā jau ir vērtība ar citiem datiem (id %(id)s). "
                "Lai to mainītu, kolonnā «id» norādiet %(id)s (eksportētajā datnē tas jau ir) vai labojiet "
                "vērtību portālā."
            )
        else:
            message = _(
                "Šim rādītājam, VRG un gadam portālā jau ir vērtība ar citiem datiem (id %(id)s). "
                "Lai to mainītu, kolonnā «id» norādiet %(id)s (eksportētajā datnē tas jau ir) vai labojiet "
                "vērtību portālā."
            )
        return {NON_FIELD_ERRORS: ValidationError(message % {"id": match.pk}, code="exists")}

    def refusal_message(self, measurement):
        return _("Šo vērtību nevar mainīt: %(reason)s") % {"reason": measurement._import_refusal}

    def changed_message(self, measurement):
        return _(
            "Rādītāja vērtību %(id)s pēc priekšskatījuma mainīja kāds cits. Augšupielādējiet datni "
            "vēlreiz, lai redzētu pašreizējās vērtības."
        ) % {"id": measurement.pk}

    # the preview: a measurement as the portal read it -----------------------------------------

    def preview_columns(self):
        return [
            (
                _("Rādītājs"),
                lambda m: (
                    (m.indicator.code, Truncator(m.indicator.name_lv).chars(60)) if m.indicator_id else ""
                ),
            ),
            (_("VRG"), lambda m: str(m.lag) if m.lag_id else ""),
            (_("Gads"), lambda m: "" if m.year is None else str(m.year)),
            (_("Novads"), lambda m: m.municipality.name_lv if m.municipality_id else ""),
            (_("Vērtība"), show_value, "wide"),
            (_("Piezīme"), lambda m: Truncator(m.note or "").chars(80)),
        ]

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
        return [
            _("Rādītāju vērtību imports"),
            *GENERAL_NOTES,
            _(
                "Vienam rādītājam, VRG, gadam (un novadam) ir viena vērtība. Ja tā portālā jau ir, to labo, "
                "norādot tās id (to satur eksports); tāda pati rinda bez id netiek importēta vēlreiz."
            ),
        ]

    def value_lists(self):
        strategy = Strategy.objects.current()
        indicators = Indicator.objects.filter(strategy=strategy).entered()
        return [
            (
                _("Rādītāji"),
                [(_("kods"), _("nosaukums"), _("ko ievada"))]
                + [(i.code, i.name_lv, _what_to_enter(i)) for i in indicators],
            )
        ]


def amount(value):
    return formats.number(value, 2)


def show_value(measurement):
    if measurement.numerator is not None or measurement.denominator is not None:
        parts = [
            _("%(numerator)s no %(denominator)s")
            % {
                "numerator": amount(measurement.numerator) if measurement.numerator is not None else "—",
                "denominator": amount(measurement.denominator)
                if measurement.denominator is not None
                else "—",
            }
        ]
        if measurement.share is not None:
            parts.append(f"({amount(measurement.share.quantize(CENT))} %)")
        return " ".join(parts)
    if measurement.rating is not None or measurement.narrative:
        rating = (
            _("vērtējums %(rating)s") % {"rating": measurement.rating}
            if measurement.rating is not None
            else ""
        )
        return rating, Truncator(measurement.narrative or "").chars(120)
    return "" if measurement.value is None else amount(measurement.value)


def _what_to_enter(indicator):
    if indicator.value_kind == Indicator.ValueKind.RATING:
        return _("apraksts un vērtējums (1–5)")
    if indicator.value_kind == Indicator.ValueKind.SHARE:
        return _("skaitītājs un saucējs")
    return _("vērtība")
