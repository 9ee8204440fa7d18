"""The admin home's work queues: what waits for the coordinator's (or, where no coordinator of the LAG
may review it, the secretariat's) review, and what came back to the editor."""

from django import template
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _

from strategy import permissions
from strategy.admin_workflow.common import admin_view_name
from strategy.admin_workflow.filters import ReviewFilter
from strategy.workflow import Status, WorkflowRecord
from strategy.year_lock import closed_years

register = template.Library()

SHOWN = 10


def _workflow_models():
    # Every registered LAG-owned workflow model (activities, measurements) without importing the
    # apps that define them: indicators depends on strategy, never the other way round.
    return [model for model in admin.site._registry if issubclass(model, WorkflowRecord)]


def _queue(model, queryset, query):
    opts = model._meta
    # what the list's rows need for their names (a measurement names its indicator): no query per row
    related = admin.site._registry[model].list_select_related
    related = related if isinstance(related, list | tuple) else ()
    items = list(queryset.select_related("lag", *related).order_by("-updated_at")[:SHOWN])
    if not items:
        return None
    count = len(items) if len(items) < SHOWN else queryset.count()
    change = admin_view_name(opts, "change")
    return {
        "title": opts.verbose_name_plural,
        "count": count,
        "items": [(item, reverse(change, args=[item.pk])) for item in items],
        "more_url": reverse(admin_view_name(opts, "changelist")) + f"?{query}",
        "more": count > len(items),
        "list_label": _("Atvērt sarakstu"),
    }


@register.inclusion_tag("admin/workflow/dashboard.html", takes_context=True)
def workflow_dashboard(context):
    user = context["request"].user
    boxes = []
    if permissions.may_review_any(user):
        closed = closed_years()  # once for every queue
        query = f"{ReviewFilter.parameter_name}={ReviewFilter.MINE}"
        queues = [
            _queue(model, permissions.awaiting_review(user, model._default_manager.all(), closed), query)
            for model in _workflow_models()
        ]
        title, empty = _("Gaida manu apstiprinājumu"), _("Nekas negaida jūsu apstiprinājumu.")
        note = None
        if permissions.reviews_only_as_secretariat(user):
            title = _("Gaida sekretariāta izskatīšanu")
            empty = _("Nekas negaida sekretariāta izskatīšanu.")
            note = _(
                "Ieraksti, kuru VRG nav cita koordinatora, kas tos nav veidojis, labojis vai iesniedzis."
            )
        boxes.append(
            {
                "id": "wf-waiting",
                "title": title,
                "note": note,
                "empty": empty,
                "queues": [q for q in queues if q],
            }
        )
    if permissions.may_submit_any(user):
        queues = [
            _queue(
                model,
                model._default_manager.filter(status=Status.RETURNED, author=user),
                f"status__exact={Status.RETURNED}",
            )
            for model in _workflow_models()
        ]
        boxes.append(
            {
                "id": "wf-returned",
                "title": _("Atgriezts man"),
                "empty": _("Neviens jūsu ieraksts nav atgriezts labošanai."),
                "queues": [q for q in queues if q],
            }
        )
    return {"boxes": boxes, "show_lag": permissions.sees_all_lags(user)}
