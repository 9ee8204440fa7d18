from modeltranslation.translator import TranslationOptions, register

from .models import Indicator, VarianceNarrative, YearSummary


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("statement", "name", "definition", "data_source", "method")


@register(YearSummary)
class YearSummaryTranslation(TranslationOptions):
    fields = ("text",)


@register(VarianceNarrative)
class VarianceNarrativeTranslation(TranslationOptions):
    fields = ("text",)
