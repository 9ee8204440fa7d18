"""The admin home's work queues: what waits for the coordinator's review, what came back to the editor."""

from django import template
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _

from strategy import permissions
from strategy.workflow import Status, WorkflowRecord

register = template.Library()

SHOWN = 10


def _workflow_models():
    # Every registered LAG-owned workflow model (activities, measurements) without importing the
    # apps that define them: indicators depends on strategy, never the other way round.
    return [model for model in admin.site._registry if issubclass(model, WorkflowRecord)]


def _queue(model, queryset, status):
    opts = model._meta
    items = list(queryset.select_related("lag").order_by("-updated_at")[:SHOWN])
    if not items:
        return None
    count = len(items) if len(items) < SHOWN else queryset.count()
    change = f"admin:{opts.app_label}_{opts.model_name}_change"
    return {
        "title": opts.verbose_name_plural,
        "count": count,
        "items": [(item, reverse(change, args=[item.pk])) for item in items],
        "more_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        + f"?status__exact={status}",
        "more": count > len(items),
        "list_label": _("Atvērt sarakstu"),
    }


@register.inclusion_tag("admin/workflow/dashboard.html", takes_context=True)
def workflow_dashboard(context):
    user = context["request"].user
    boxes = []
    if permissions.may_review_any(user):
        queues = []
        for model in _workflow_models():
            queryset = model._default_manager.filter(status=Status.SUBMITTED).exclude(author=user)
            if not permissions.is_superuser(user):
                queryset = queryset.filter(lag_id=user.lag_id)
            queues.append(_queue(model, queryset, Status.SUBMITTED))
        boxes.append(
            {
                "id": "wf-waiting",
                "title": _("Gaida manu apstiprinājumu"),
                "empty": _("Nekas negaida jūsu apstiprinājumu."),
                "queues": [q for q in queues if q],
            }
        )
    if permissions.may_submit_any(user):
        queues = [
            _queue(model, model._default_manager.filter(status=Status.RETURNED, author=user), Status.RETURNED)
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
