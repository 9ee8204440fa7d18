from modeltranslation.translator import TranslationOptions, register

from .models import Activity, ActivityType, ExpectedResult, Priority, Statement, Strategy


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = (
        "title",
        "short_title",
        "vision",
        "mission",
        "long_term_goal",
        "short_term_goal",
        "purpose",
        "origin",
        "background",
        "quality_policy",
        "analysis",
        "vulnerable_definition",
    )


@register(Priority)
class PriorityTranslation(TranslationOptions):
    fields = ("title", "description")


@register(ExpectedResult)
class ExpectedResultTranslation(TranslationOptions):
    fields = ("text",)


@register(Statement)
class StatementTranslation(TranslationOptions):
    fields = ("text",)


@register(ActivityType)
class ActivityTypeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Activity)
class ActivityTranslation(TranslationOptions):
    # English is optional for activities: staff write Latvian, the page says when it falls back.
    fields = ("title", "summary")
