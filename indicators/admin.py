from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Baseline, Indicator, Measurement, Target


class BaselineInline(admin.TabularInline):
    model = Baseline
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
    list_display = ["code", "name", "kind", "unit", "direction", "source", "rule"]
    list_filter = ["kind", "source", "unit", "strategy"]
    search_fields = ["code", "name", "definition"]
    filter_horizontal = ["activity_types", "priorities"]
    inlines = [BaselineInline, TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "lag", "value"]
    list_filter = ["indicator", "year", "lag"]
    list_select_related = ["indicator", "lag"]


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ["indicator", "lag", "year", "value"]
    list_filter = ["indicator", "lag"]
    list_select_related = ["indicator", "lag"]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["indicator", "lag", "year", "municipality", "value", "numerator", "denominator", "status"]
    list_filter = ["status", "lag", "year", "indicator"]
    search_fields = ["note", "narrative", "indicator__code"]
    list_select_related = ["indicator", "lag", "municipality"]
    readonly_fields = ["status", "author", "submitted_at", "reviewed_by", "reviewed_at", "return_note"]
