"""The data completion page in the admin: a LAG's coordinator (or the secretariat) marks the LAG's data of
an ended year complete, or withdraws the mark. With the closed years, these marks are the complete years the
progress engine's default period runs to (invariant 9). Who may mark what: ``strategy.permissions``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from partners.models import LAG
from strategy import permissions
from strategy.models import DataCompletion, Strategy
from strategy.year_lock import closed_years

from .services import total, unapproved_records

CHANGELIST = "admin:strategy_datacompletion_changelist"


def waiting_message(count):
    return ngettext(
        "%(count)s ieraksts vēl nav apstiprināts (melnraksts, iesniegts vai atgriezts).",
        "%(count)s ieraksti vēl nav apstiprināti (melnraksti, iesniegti vai atgriezti).",
        count,
    ) % {"count": count}


@admin.register(DataCompletion)
class DataCompletionAdmin(admin.ModelAdmin):
    """The changelist is the page of years × LAGs; marking and withdrawing are its buttons."""

    def has_module_permission(self, request):
        return permissions.may_mark_any_complete(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.may_mark_any_complete(request.user)

    def has_add_permission(self, request):
        return False  # a mark is added from the page's rows (its "add" URL leads there)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:year>/<slug:lag>/mark/", wrap(self.mark_view), name="strategy_datacompletion_mark"),
            path(
                "<int:year>/<slug:lag>/withdraw/",
                wrap(self.withdraw_view),
                name="strategy_datacompletion_withdraw",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(CHANGELIST)  # a mark is added from the page's rows

    def changelist_view(self, request, extra_context=None):
        user = request.user
        if not permissions.may_mark_any_complete(user):
            raise PermissionDenied
        strategy = Strategy.objects.current()
        lags = list(permissions.completion_lags(user))
        every_lag = list(LAG.objects.all())  # the waiting records are counted for every LAG at once
        closed = closed_years()
        running = timezone.localdate().year
        marks = {
            (mark.lag_id, mark.year): mark
            for mark in DataCompletion.objects.filter(lag__in=lags).select_related("marked_by")
        }
        years = []
        for year in sorted((y for y in (strategy.years if strategy else []) if y <= running), reverse=True):
            # every LAG's counts (the function counts all of them), of which the page shows the user's
            waiting = {} if year in closed else unapproved_records(year, every_lag)
            rows = []
            for lag in lags:
                mark = marks.get((lag.pk, year))
                if year in closed:
                    state = "closed"
                elif year >= running:
                    state = "running"
                else:
                    state = "complete" if mark else "open"
                count = total({lag.slug: waiting[lag.slug]}) if waiting else 0
                rows.append(
                    {
                        "lag": lag,
                        "state": state,
                        "mark": mark,
                        "waiting": count,
                        "waiting_message": waiting_message(count) if count else "",
                        "may_mark": permissions.completion_refusal(user, lag, year, closed) is None,
                        "mark_url": reverse("admin:strategy_datacompletion_mark", args=[year, lag.slug]),
                        "withdraw_url": reverse(
                            "admin:strategy_datacompletion_withdraw", args=[year, lag.slug]
                        ),
                    }
                )
            years.append({"year": year, "rows": rows})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Gadu datu pabeigšana"),
            "opts": self.model._meta,
            "years": years,
        }
        return TemplateResponse(request, "admin/indicators/data_completion.html", context)

    def _target(self, request, year, lag):
        """The LAG and year a POST names, once the user may use the page and the year is the strategy's;
        the refusal for this user, LAG and year, or None."""
        if not permissions.may_mark_any_complete(request.user):
            raise PermissionDenied
        lag = get_object_or_404(LAG, slug=lag)
        strategy = Strategy.objects.current()
        if strategy is None or year not in strategy.years:
            raise Http404
        return lag, permissions.completion_refusal(request.user, lag, year)

    def mark_view(self, request, year, lag):
        return require_POST(self._mark)(request, year, lag)

    def _mark(self, request, year, lag):
        lag, refusal = self._target(request, year, lag)
        if refusal:
            messages.error(request, refusal)
            return redirect(CHANGELIST)
        waiting = total({lag.slug: unapproved_records(year)[lag.slug]})
        if waiting and not request.POST.get("confirm_waiting"):
            messages.error(
                request,
                _(
                    "%(lag)s %(year)s. gads nav atzīmēts: %(waiting)s Apstipriniet, ka tos zināt, un atzīmējiet vēlreiz."
                )
                % {"lag": lag.short_name, "year": year, "waiting": waiting_message(waiting)},
            )
            return redirect(CHANGELIST)
        with transaction.atomic():
            _mark, created = DataCompletion.objects.get_or_create(
                lag=lag, year=year, defaults={"marked_by": request.user, "marked_at": timezone.now()}
            )
        if created:
            messages.success(
                request,
                _("%(lag)s %(year)s. gada dati atzīmēti kā pilnīgi.") % {"lag": lag.short_name, "year": year},
            )
        return redirect(CHANGELIST)

    def withdraw_view(self, request, year, lag):
        return require_POST(self._withdraw)(request, year, lag)

    def _withdraw(self, request, year, lag):
        lag, refusal = self._target(request, year, lag)
        if refusal:
            messages.error(request, refusal)
            return redirect(CHANGELIST)
        deleted, _rows = DataCompletion.objects.filter(lag=lag, year=year).delete()
        if deleted:
            messages.success(
                request,
                _("%(lag)s %(year)s. gada datu pilnīguma atzīme atsaukta.")
                % {"lag": lag.short_name, "year": year},
            )
        return redirect(CHANGELIST)
