from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from partners.forms import TypedNumbersAdminMixin

from .admin_uploads import EvidenceFilesMixin
from .admin_workflow import LAGOwnedInlineMixin, LAGScopeFilter, ReviewFilter, WorkflowAdmin
from .models import (
    Activity,
    ActivityType,
    Evidence,
    ExpectedResult,
    FundingLine,
    Priority,
    Statement,
    StatusChange,
    Strategy,
)
from .resources import ActivityResource


class PriorityInline(TranslationTabularInline):
    model = Priority
    extra = 0


class ExpectedResultInline(TranslationTabularInline):
    model = ExpectedResult
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(TranslationAdmin):
    list_display = ["short_title", "title", "period_start", "period_end"]
    search_fields = ["title", "short_title"]
    inlines = [PriorityInline, ExpectedResultInline]


@admin.register(Priority)
class PriorityAdmin(TranslationAdmin):
    list_display = ["number", "title", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["title", "description"]


@admin.register(ExpectedResult)
class ExpectedResultAdmin(TranslationAdmin):
    list_display = ["number", "text", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["text"]


@admin.register(Statement)
class StatementAdmin(TranslationAdmin):
    list_display = ["kind", "order", "text"]
    list_filter = ["strategy", "kind"]
    search_fields = ["text"]


@admin.register(ActivityType)
class ActivityTypeAdmin(TranslationAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]


class FundingLineInline(TypedNumbersAdminMixin, LAGOwnedInlineMixin, admin.TabularInline):
    model = FundingLine
    extra = 1


class EvidenceInline(EvidenceFilesMixin, LAGOwnedInlineMixin, admin.TabularInline):
    model = Evidence
    extra = 1


@admin.register(Activity)
class ActivityAdmin(WorkflowAdmin, TranslationAdmin):
    resource_classes = [ActivityResource]
    list_display = ["title", "status_badge", "start", "activity_type", "participants_total", "lag"]
    list_filter = [ReviewFilter, "status", LAGScopeFilter, "activity_type", "priorities", "is_demo"]
    search_fields = ["title", "summary", "venue"]
    date_hierarchy = "start_date"
    list_select_related = ["lag", "activity_type", "author"]
    autocomplete_fields = ["territory_units"]
    filter_horizontal = ["municipalities", "priorities"]
    inlines = [FundingLineInline, EvidenceInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "municipalities":
            # both divisions have a "Krāslavas novads": the era tells them apart
            field.label_from_instance = lambda m: f"{m.name} ({m.get_era_display()})"
        return field

    @admin.display(description=_("sākuma datums"), ordering="start_date")
    def start(self, obj):
        return date_format(obj.start_date, "SHORT_DATE_FORMAT")

    fieldsets = [
        (None, {"fields": ["lag", "title", "summary", "activity_type", "start_date", "end_date", "venue"]}),
        (_("Teritorija un prioritātes"), {"fields": ["territory_units", "municipalities", "priorities"]}),
        (
            _("Dalībnieki"),
            {"fields": ["participants_total", "participants_youth", "participants_vulnerable"]},
        ),
        (
            _("Statuss"),
            {
                "fields": WorkflowAdmin.workflow_readonly_fields,
                "classes": ["collapse"],
            },
        ),
    ]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "content_type", "object_id", "from_status", "to_status", "by", "note"]
    list_filter = ["to_status", "content_type"]
    list_select_related = ["by", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
