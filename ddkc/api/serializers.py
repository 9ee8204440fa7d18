"""What the API answers, field by field (the OpenAPI schema is made from these).

Texts come in both languages side by side (``title_lv``, ``title_en``); an empty English text means there
is none (a page would fall back to Latvian, invariant 10). Exact numbers — amounts in EUR and every figure
— are strings with a point and no grouping ("2899408.11"), as in the open data files: a JSON number would
turn into a binary float in most clients (invariant 11). A missing figure is ``null``, never 0
(invariant 4)."""

from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Indicator
from indicators.progress import PERIOD_RULES, Status
from partners import formats
from partners.models import Municipality, TerritoryUnit
from strategy.models import FundingLine
from strategy.shortcuts import ID_RANGE, YEAR_RANGE

# A number written exactly: digits, an optional point and decimals.
NUMBER_PATTERN = r"^-?\d+(\.\d+)?$"


class Text(serializers.CharField):
    """A text in one language; a missing English text (NULL) is "" — there is none."""

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value


def public_url(request, name, *args, query=""):
    """The public page of a record (invariant 3), in Latvian: its address is the same in both
    languages but for the /lv/ or /en/ prefix."""
    with translation.override("lv"):
        path = reverse(name, args=args)
    return request.build_absolute_uri(path + query)


class Error(serializers.Serializer):
    detail = Text(help_text="What went wrong, in the request's language (Latvian or English).")


@extend_schema_field({"type": "string", "pattern": NUMBER_PATTERN, "nullable": True})
class ExactNumber(serializers.Field):
    """A Decimal written as the open data writes it (``partners.formats.plain``)."""

    def to_representation(self, value):
        plain = formats.plain(value)
        return None if plain is None else str(plain)


class LAGSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name_lv = Text()
    name_en = Text()
    short_name_lv = Text()
    short_name_en = Text()
    founded_on = serializers.DateField(allow_null=True)
    founded_year = serializers.IntegerField(allow_null=True)
    public_benefit = serializers.BooleanField()
    website = Text()
    aim_lv = Text()
    aim_en = Text()
    territory_units = serializers.SerializerMethodField(
        help_text="Ids of its parishes and towns (/territory/)."
    )
    url = serializers.SerializerMethodField(help_text="The LAG's public page.")

    def get_territory_units(self, lag) -> list[int]:
        return [unit.pk for unit in lag.territory_units.all()]

    def get_url(self, lag) -> str:
        return public_url(self.context["request"], "indicators:lag", lag.slug)


class MunicipalitySerializer(serializers.Serializer):
    era = serializers.ChoiceField(
        choices=Municipality.Era.choices,
        help_text="2009: the strategy's 9 municipalities (2009–2021); 2021: the 4 formed on 1 July 2021.",
    )
    slug = serializers.SlugField()
    name_lv = Text()
    name_en = Text()
    filter = serializers.SerializerMethodField(help_text="The value of /activities/?municipality= for it.")

    def get_filter(self, municipality) -> str:
        return f"{municipality.era}:{municipality.slug}"


class TerritoryUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The value of /activities/?unit= for it.")
    name = Text()
    kind = serializers.ChoiceField(choices=TerritoryUnit.Kind.choices)
    lag = serializers.SlugField(source="lag.slug")
    municipality_2009 = serializers.SlugField(source="municipality_2009.slug")
    municipality_2021 = serializers.SlugField(source="municipality_2021.slug")


class ActivityTypeSerializer(serializers.Serializer):
    code = serializers.SlugField(help_text="The value of /activities/?type= for it.")
    name_lv = Text()
    name_en = Text()


class PrioritySerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The value of /activities/?priority= for it.")
    title_lv = Text()
    title_en = Text()
    description_lv = Text()
    description_en = Text()
    indicators = serializers.SerializerMethodField(help_text="Codes of the indicators that measure it.")

    def get_indicators(self, priority) -> list[str]:
        return [indicator.code for indicator in priority.indicators.all()]


class ExpectedResultSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text_lv = Text()
    text_en = Text()
    indicators = serializers.SerializerMethodField(help_text="Codes of the indicators that measure it.")

    def get_indicators(self, result) -> list[str]:
        return [indicator.code for indicator in result.indicators.all()]


class StrategySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title_lv = Text()
    title_en = Text()
    short_title_lv = Text()
    short_title_en = Text()
    period_start = serializers.IntegerField()
    period_end = serializers.IntegerField()
    vision_lv = Text()
    vision_en = Text()
    mission_lv = Text()
    mission_en = Text()
    long_term_goal_lv = Text()
    long_term_goal_en = Text()
    short_term_goal_lv = Text()
    short_term_goal_en = Text()
    priorities = PrioritySerializer(many=True)
    expected_results = ExpectedResultSerializer(many=True, source="results")
    url = serializers.SerializerMethodField(help_text="The strategy document's public page.")

    def get_url(self, strategy) -> str:
        return public_url(self.context["request"], "strategy:document")


class IndicatorSerializer(serializers.Serializer):
    """An indicator and its reference sheet (what the methodology page shows)."""

    code = Text(help_text="K1–K11: the strategy's KPIs; R1–R5: its expected results'.")
    kind = serializers.ChoiceField(choices=Indicator.Kind.choices)
    order = serializers.IntegerField()
    statement_lv = Text(help_text="The indicator as the strategy states it.")
    statement_en = Text()
    name_lv = Text()
    name_en = Text()
    definition_lv = Text()
    definition_en = Text()
    unit = serializers.ChoiceField(choices=Indicator.Unit.choices)
    direction = serializers.ChoiceField(
        choices=Indicator.Direction.choices, help_text="The direction of good."
    )
    source = serializers.ChoiceField(
        choices=Indicator.Source.choices, help_text="activities: computed from approved activities."
    )
    rule = Text(help_text="For source=activities: what is counted or summed; otherwise empty.")
    activity_types = serializers.SerializerMethodField(help_text="Codes of the activity types it counts.")
    funding_sources = serializers.ListField(child=Text())
    measure = serializers.ChoiceField(choices=Indicator.Measure.choices)
    period_rule_lv = serializers.SerializerMethodField(
        help_text="How years and LAGs combine, by the measure."
    )
    period_rule_en = serializers.SerializerMethodField()
    frequency = serializers.ChoiceField(choices=Indicator.Frequency.choices)
    data_source_lv = Text()
    data_source_en = Text()
    method_lv = Text()
    method_en = Text()
    method_adopted_by = Text()
    method_adopted_on = serializers.DateField(allow_null=True)
    per_municipality = serializers.BooleanField()
    priorities = serializers.SerializerMethodField(help_text="Numbers of the priorities it measures.")
    expected_result = serializers.IntegerField(source="result.number", allow_null=True, default=None)
    url = serializers.SerializerMethodField(help_text="The indicator's public page.")

    def get_activity_types(self, indicator) -> list[str]:
        return [kind.code for kind in indicator.activity_types.all()]

    def _period_rule(self, indicator, language):
        with translation.override(language):
            return str(PERIOD_RULES.get(indicator.measure, ""))

    def get_period_rule_lv(self, indicator) -> str:
        return self._period_rule(indicator, "lv")

    def get_period_rule_en(self, indicator) -> str:
        return self._period_rule(indicator, "en")

    def get_priorities(self, indicator) -> list[int]:
        return [priority.number for priority in indicator.priorities.all()]

    def get_url(self, indicator) -> str:
        return public_url(self.context["request"], "indicators:indicator", indicator.code)


class FigureSerializer(serializers.Serializer):
    """One indicator's figure for the scope asked (joint or one LAG; the period or one year), the very
    figure the KPI dashboard shows for that scope."""

    indicator = Text(source="indicator.code")
    lag = serializers.SlugField(source="lag.slug", allow_null=True, default=None, help_text="null: all LAGs.")
    year = serializers.IntegerField(allow_null=True, help_text="null: the period `years`.")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The years the figure covers.")
    unit = Text(source="indicator.unit")
    measure = serializers.ChoiceField(choices=Indicator.Measure.choices, allow_blank=True)
    aggregation = Text(help_text="How values combine: sum, share, latest, rating.")
    actual = ExactNumber(help_text="null: no data (never 0).")
    numerator = ExactNumber(help_text="Shares: Σ numerators.")
    denominator = ExactNumber(help_text="Shares: Σ denominators.")
    baseline = ExactNumber()
    target = ExactNumber()
    achievement = serializers.SerializerMethodField(
        help_text="Percent of the target achieved = actual ÷ target · 100 (target ÷ actual for a decreasing one)."
    )
    progress = ExactNumber(help_text="(actual − baseline) / (target − baseline), 1 = 100 %.")
    status = serializers.ChoiceField(choices=Status.choices)
    complete = serializers.BooleanField(help_text="false: the figure may still change.")
    last_update = serializers.DateTimeField(allow_null=True)
    sample = ExactNumber(help_text="Survey estimates: respondents (Σ denominators).")
    interval_low = ExactNumber(help_text="Survey estimates: the 95 % interval's lower bound, percent.")
    interval_high = ExactNumber()
    weighting = Text(help_text="Joint estimates: pooled or weighted.")
    target_basis = Text()
    baseline_basis = Text()
    records = serializers.SerializerMethodField(
        help_text="The public page of the records it is computed from."
    )

    @extend_schema_field({"type": "string", "pattern": NUMBER_PATTERN, "nullable": True})
    def get_achievement(self, figure):
        value = None if figure.achievement is None else figure.achievement * 100
        plain = formats.plain(value)
        return None if plain is None else str(plain)

    def get_records(self, figure) -> str:
        with translation.override("lv"):
            path = figure.records_url
        return self.context["request"].build_absolute_uri(path)


class FundingSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=FundingLine.Source.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text='EUR, e.g. "450.00".')


class ActivitySerializer(serializers.Serializer):
    """An approved activity as its public page shows it; its evidence files are never listed."""

    id = serializers.IntegerField()
    lag = serializers.SlugField(source="lag.slug")
    title_lv = Text()
    title_en = Text()
    summary_lv = Text()
    summary_en = Text()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    type = serializers.SlugField(source="activity_type.code")
    venue = Text()
    territory_units = serializers.SerializerMethodField(help_text="Ids of its parishes and towns.")
    municipalities = serializers.SerializerMethodField(
        help_text="Whole municipalities it was recorded on, as era:slug."
    )
    priorities = serializers.SerializerMethodField(help_text="Numbers of the strategy's priorities.")
    participants_total = serializers.IntegerField(allow_null=True, help_text="null: not counted.")
    participants_youth = serializers.IntegerField(allow_null=True)
    participants_vulnerable = serializers.IntegerField(allow_null=True)
    funding = FundingSerializer(many=True, source="api_funding")
    funding_total = serializers.SerializerMethodField(help_text="EUR, the sum of its funding lines.")
    url = serializers.SerializerMethodField(help_text="The activity's public page.")

    def get_territory_units(self, activity) -> list[int]:
        return [unit.pk for unit in activity.api_units]

    def get_municipalities(self, activity) -> list[str]:
        return [f"{m.era}:{m.slug}" for m in activity.api_municipalities]

    def get_priorities(self, activity) -> list[int]:
        return [priority.number for priority in activity.api_priorities]

    @extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$"})
    def get_funding_total(self, activity):
        return str(sum((line.amount for line in activity.api_funding), Decimal("0.00")))

    def get_url(self, activity) -> str:
        # one reverse() per page, not per row: the address differs only by the id
        if "activity_url" not in self.context:
            self.context["activity_url"] = public_url(self.context["request"], "strategy:activity", 0)
        return self.context["activity_url"].replace("/0/", f"/{activity.pk}/")


class ActivityFilters(serializers.Serializer):
    """The public activity list's filters (strategy.views.activity_list), validated: a value of the wrong
    shape is a 400 with the reason, an unknown LAG or type simply matches nothing."""

    lag = serializers.SlugField(required=False, help_text="A LAG's slug (/lags/).")
    year = serializers.IntegerField(
        required=False, min_value=YEAR_RANGE.start, max_value=YEAR_RANGE.stop - 1, help_text="Start year."
    )
    priority = serializers.IntegerField(
        required=False, min_value=ID_RANGE.start, max_value=ID_RANGE.stop - 1, help_text="Priority number."
    )
    type = serializers.SlugField(required=False, help_text="An activity type's code (/activity-types/).")
    municipality = serializers.RegexField(
        r"^(2009|2021):[-a-zA-Z0-9_]+$",
        required=False,
        help_text="era:slug of a municipality (/municipalities/): activities on its parishes and towns.",
    )
    unit = serializers.IntegerField(
        required=False,
        min_value=ID_RANGE.start,
        max_value=ID_RANGE.stop - 1,
        help_text="A parish or town id.",
    )
    q = Text(
        required=False, max_length=200, help_text="Text in the title, summary (either language) or venue."
    )


UNKNOWN_LAG = _("Nav tādas VRG; VRG īsie kodi ir /api/v1/lags/.")


def year_outside(strategy):
    return _("Stratēģijas gadi ir %(start)s–%(end)s.") % {
        "start": strategy.period_start,
        "end": strategy.period_end,
    }


class FigureScope(serializers.Serializer):
    lag = serializers.SlugField(required=False, help_text="A LAG's slug; omitted: all LAGs together.")
    year = serializers.IntegerField(
        required=False,
        min_value=YEAR_RANGE.start,
        max_value=YEAR_RANGE.stop - 1,
        help_text="One year of the strategy; omitted: the period (up to the last complete year).",
    )
