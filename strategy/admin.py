from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple, FilteredSelectMultiple
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from partners.forms import TypedNumbersAdminMixin

from . import permissions, search
from .admin_uploads import EvidenceFilesMixin
from .admin_workflow.admins import WorkflowAdmin
from .admin_workflow.common import ReadOnlyAdmin
from .admin_workflow.filters import LAGScopeFilter, ReviewFilter
from .admin_workflow.mixins import LAGOwnedInlineMixin
from .models import (
    Activity,
    ActivityType,
    Evidence,
    ExpectedResult,
    FundingLine,
    Priority,
    ReportingDeadline,
    Statement,
    StatusChange,
    Strategy,
)
from .paging import ActivityPaginator
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
    fields = ["file", "description", "publishable"]

    def get_queryset(self, request):
        # another LAG's staff see the files the public downloads, not the private ones
        return permissions.shown_evidence(request.user, super().get_queryset(request))


@admin.register(Activity)
class ActivityAdmin(WorkflowAdmin, TranslationAdmin):
    resource_classes = [ActivityResource]
    list_display = ["title", "status_badge", "start", "activity_type", "participants_total", "lag"]
    list_filter = [ReviewFilter, "status", LAGScopeFilter, "activity_type", "priorities", "is_demo"]
    # what the search box says it searches; the search itself is the public list's (get_search_results)
    search_fields = ["title", "summary", "venue"]
    date_hierarchy = "start_date"
    list_select_related = ["lag", "activity_type", "author"]
    autocomplete_fields = ["territory_units"]
    filter_horizontal = ["municipalities", "priorities"]
    inlines = [FundingLineInline, EvidenceInline]

    # The activity's links are explicit models that protect what they point to (models.ActivityLink).
    # Django's admin refuses any explicit link model in a form — its checks (admin.E013) and its
    # formfield_for_manytomany — because most carry fields a multiple choice cannot fill. These carry
    # only the two keys, so the form edits them exactly as it edits Django's own link tables (``set()``).
    LINKS = ("territory_units", "municipalities", "priorities")

    def check(self, **kwargs):
        return [
            error
            for error in super().check(**kwargs)
            if not (error.id == "admin.E013" and any(f"'{name}'" in error.msg for name in self.LINKS))
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.LINKS:
            field = self._link_field(db_field, request, **kwargs)
        else:
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "municipalities":
            # both divisions have a "Krāslavas novads": the era tells them apart
            field.label_from_instance = lambda m: f"{m.name} ({m.get_era_display()})"
        return field

    def _link_field(self, db_field, request, **kwargs):
        """What ``ModelAdmin.formfield_for_manytomany`` builds for a link table of its own."""
        using = kwargs.get("using")
        if "widget" not in kwargs:
            if db_field.name in self.get_autocomplete_fields(request):
                kwargs["widget"] = AutocompleteSelectMultiple(db_field, self.admin_site, using=using)
            elif db_field.name in self.filter_horizontal:
                kwargs["widget"] = FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(using, db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return db_field.formfield(**kwargs)

    # A LAG holds ~140 000 activities at 100× volume: Django's changelist counts the list twice (the
    # filtered and the full count) and reads a page with OFFSET through whole rows — page 2000 took
    # 1.6 s. One count, and the page's ids read from an index first (strategy.paging), from the
    # nearer end of the list.
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return ActivityPaginator(
            queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )

    def get_search_results(self, request, queryset, search_term):
        """The public list's search (``strategy.search``: every term, in either language, without
        diacritics), so a staff member finds what a visitor finds; it never duplicates rows."""
        if not search_term.strip():
            return queryset, False
        return search.search(queryset, search_term), False

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
        WorkflowAdmin.status_fieldset,
    ]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "content_type", "object_id", "from_status", "to_status", "by", "note"]
    list_filter = ["to_status", "content_type"]
    list_select_related = ["by", "content_type"]


class ReportingDeadlineForm(forms.ModelForm):
    """A deadline that can be met and a reminder that can be sent: refused with a Latvian message."""

    class Meta:
        model = ReportingDeadline
        fields = ["year", "due_date", "remind_days_before", "note"]
        error_messages = {
            "year": {
                "unique": _(
                    "Šī gada datu termiņš jau ir noteikts: labojiet to sarakstā, nevis pievienojiet jaunu."
                )
            }
        }

    def clean(self):
        cleaned = super().clean()
        year, due_date, days = cleaned.get("year"), cleaned.get("due_date"), cleaned.get("remind_days_before")
        if year and due_date and due_date.year < year:
            self.add_error(
                "due_date",
                _("Termiņš nevar būt agrāks par datu gada sākumu (%(year)s. gada 1. janvāri).")
                % {"year": year},
            )
        if days is not None and days > 365:
            self.add_error("remind_days_before", _("Atgādināt var ne agrāk kā 365 dienas pirms termiņa."))
        return cleaned


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    """The secretariat sets when each year's data is due (#16); ``manage.py send_mail`` reminds the
    LAGs' editors of their drafts and returned records of that year ``remind_days_before`` days before."""

    form = ReportingDeadlineForm
    list_display = ["year", "due_date", "remind_days_before", "note"]
    ordering = ["-year"]
