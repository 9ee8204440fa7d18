from modeltranslation.translator import TranslationOptions, register

from .models import LAG, LAGPriority, LocalStrategy, Municipality


@register(LAG)
class LAGTranslation(TranslationOptions):
    fields = ("name", "short_name", "aim", "mission", "vision", "territory_description", "notes")


@register(LAGPriority)
class LAGPriorityTranslation(TranslationOptions):
    fields = ("text",)


@register(LocalStrategy)
class LocalStrategyTranslation(TranslationOptions):
    fields = ("title", "fund")


@register(Municipality)
class MunicipalityTranslation(TranslationOptions):
    fields = ("name",)
