"""The board's page in the admin: close or reopen a year, and generate / download the annual report.
Registered on ``admin.site`` (the portal's site, ``ddkc.admin_site``) when admin discovery imports
``indicators.admin``, which imports this module."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from modeltranslation.admin import TranslationAdmin

from partners.models import LAG
from strategy import permissions
from strategy.admin_workflow.common import ReadOnlyAdmin
from strategy.models import Strategy, YearClosure
from strategy.workflow import Status
from strategy.year_lock import closed_years

from .. import iptt
from ..models import Report, YearSnapshot, YearSummary
from ..progress import ProgressEngine
from .pdf import LANGUAGES, annual_report
from .services import KINDS, UNAPPROVED, close_year, latest_snapshot, reopen_year, total
from .services import unapproved_records as count_unapproved


@admin.register(YearClosure)
class YearClosureAdmin(admin.ModelAdmin):
    """The changelist is the board's year page; "add" is closing a year (from that page)."""

    def has_module_permission(self, request):
        return permissions.may_close_years(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.may_close_years(request.user)

    def has_add_permission(self, request):
        return permissions.may_close_years(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:year>/close/", wrap(self.close_view), name="strategy_yearclosure_close"),
            path("<int:year>/reopen/", wrap(self.reopen_view), name="strategy_yearclosure_reopen"),
            path("<int:year>/report/", wrap(self.report_view), name="strategy_yearclosure_report"),
            path("iptt.xlsx", wrap(self.iptt_view), name="strategy_yearclosure_iptt"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:strategy_yearclosure_changelist")

    def changelist_view(self, request, extra_context=None):
        if not permissions.may_close_years(request.user):
            raise PermissionDenied
        strategy = Strategy.objects.current()
        closures = list(YearClosure.objects.select_related("closed_by", "reopened_by"))
        in_force = {c.year: c for c in closures if c.in_force}
        snapshots = {
            s.closure_id: s
            for s in YearSnapshot.objects.prefetch_related("reports__lag").order_by("created_at")
        }
        years = []
        for year in strategy.years if strategy else []:
            closure = in_force.get(year)
            snapshot = snapshots.get(closure.pk) if closure else None
            years.append({"year": year, "closure": closure, "snapshot": snapshot})
        names = {lag.slug: lag.short_name for lag in LAG.objects.all()}
        for closure in closures:
            # what was not approved when it closed, per LAG, for the history
            closure.unapproved_by_lag = [
                (names.get(slug, slug), count)
                for slug, kinds in closure.unapproved.items()
                if (count := total({slug: kinds}))
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Gada slēgšana un gada pārskats"),
            "opts": self.model._meta,
            "years": years,
            "history": closures,
            "scopes": [("", _("visas VRG kopā"))] + [(lag.slug, lag.short_name) for lag in LAG.objects.all()],
            "languages": [("lv", "LV"), ("en", "EN")],
            "stored": Report.objects.select_related("lag", "snapshot").order_by("-year", "lag", "language"),
        }
        return TemplateResponse(request, "admin/indicators/year_board.html", context)

    def iptt_view(self, request):
        """The funders' workbook of every year of the strategy (#16): closed years from their snapshots,
        open years provisional (the "closed" column says which), for the board and the secretariat."""
        if not permissions.may_close_years(request.user):
            raise PermissionDenied
        strategy = Strategy.objects.current()
        if strategy is None:
            raise Http404
        response = HttpResponse(iptt.workbook(strategy, list(strategy.years)), content_type=iptt.CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="ddkc-iptt.xlsx"'
        return response

    def _post_only(self, request):
        if request.method != "POST":
            raise Http404
        if not permissions.may_close_years(request.user):
            raise PermissionDenied

    def close_view(self, request, year):
        """GET: what closing the year would freeze and leave out; POST: close it."""
        if not permissions.may_close_years(request.user):
            raise PermissionDenied
        strategy = Strategy.objects.current()
        if strategy is None or year not in strategy.years:
            raise Http404
        if year in closed_years():
            messages.info(request, _("%(year)s. gads jau ir slēgts.") % {"year": year})
            return redirect("admin:strategy_yearclosure_changelist")
        error = None
        if request.method == "POST":
            try:
                close_year(
                    year=year,
                    by=request.user,
                    strategy=strategy,
                    acknowledge_unapproved=bool(request.POST.get("acknowledge_unapproved")),
                )
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(
                    request, _("%(year)s. gads slēgts; skaitļi iesaldēti momentuzņēmumā.") % {"year": year}
                )
                if not summary_written(strategy, year):
                    # the snapshot froze the report without it: a summary written now needs a reopening
                    messages.warning(
                        request,
                        _(
                            "%(year)s. gads slēgts bez valdes kopsavilkuma: gada pārskatā tā nav. Lai to "
                            "pievienotu, gadu jāatver no jauna un jāslēdz vēlreiz."
                        )
                        % {"year": year},
                    )
                return redirect("admin:strategy_yearclosure_changelist")
        return TemplateResponse(
            request, "admin/indicators/year_close.html", self.close_context(request, strategy, year, error)
        )

    def close_context(self, request, strategy, year, error):
        lags = list(LAG.objects.all())
        counts = count_unapproved(year, lags)
        lists = {
            "activities": reverse("admin:strategy_activity_changelist") + f"?start_date__year={year}",
            "measurements": reverse("admin:indicators_measurement_changelist") + f"?year__exact={year}",
        }
        rows = [
            {
                "lag": lag,
                **{kind: counts[lag.slug][kind] for kind in KINDS},
                "cells": [
                    (counts[lag.slug][kind][status], f"{lists[kind]}&vrg={lag.slug}&status__exact={status}")
                    for kind in KINDS
                    for status in UNAPPROVED
                ],
            }
            for lag in lags
        ]
        engine = ProgressEngine(strategy)  # the year's figures, as the snapshot will freeze them
        figures = [
            (indicator, [engine.figure(indicator, lag, year) for lag in (None, *lags)])
            for indicator in engine.indicators
        ]
        summary = YearSummary.objects.filter(strategy=strategy, year=year).first()
        if summary is None:
            summary_url = reverse("admin:indicators_yearsummary_add") + f"?strategy={strategy.pk}&year={year}"
        else:
            summary_url = reverse("admin:indicators_yearsummary_change", args=[summary.pk])
        return {
            **self.admin_site.each_context(request),
            "title": _("Slēgt %(year)s. gadu?") % {"year": year},
            "opts": self.model._meta,
            "year": year,
            "lags": lags,
            "unapproved": {"rows": rows, "total": total(counts)},
            "statuses": [Status(status).label for status in UNAPPROVED],
            "summary_written": _written(summary),
            "summary_url": summary_url,
            "figures": figures,
            "error": error,
        }

    def reopen_view(self, request, year):
        self._post_only(request)
        try:
            reopen_year(year=year, by=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(year)s. gads atvērts no jauna; iemesls ierakstīts.") % {"year": year}
            )
        return redirect("admin:strategy_yearclosure_changelist")

    def report_view(self, request, year):
        if not permissions.may_close_years(request.user):
            raise PermissionDenied
        strategy = Strategy.objects.current()
        if strategy is None or year not in strategy.years:
            raise Http404  # the board reports on the strategy's years (a year URL can hold any number)
        lag = request.GET.get("lag") or None
        language = request.GET.get("lang") or "lv"
        if language not in LANGUAGES or (lag and not LAG.objects.filter(slug=lag).exists()):
            raise Http404
        pdf, _report = annual_report(year=year, lag=lag, language=language)
        final = latest_snapshot(year) is not None
        name = f"ddkc-{year}-{lag or 'joint'}-{language}{'' if final else '-provisional'}.pdf"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _written(summary):
    return bool(summary and (summary.text_lv or "").strip())


def summary_written(strategy, year):
    """Whether the board's summary of the year has its (Latvian) text: the report prints it."""
    return _written(YearSummary.objects.filter(strategy=strategy, year=year).first())


@admin.register(YearSummary)
class YearSummaryAdmin(TranslationAdmin):
    list_display = ["year", "strategy"]
    list_filter = ["strategy"]

    def has_module_permission(self, request):
        return permissions.may_close_years(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.may_close_years(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.may_close_years(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return permissions.may_close_years(request.user) or super().has_change_permission(request, obj)


@admin.register(YearSnapshot)
class YearSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["year", "created_at", "closure"]
    exclude = ["data"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["year", "lag", "language", "sha256", "size", "created_at"]
    list_filter = ["year", "language"]
