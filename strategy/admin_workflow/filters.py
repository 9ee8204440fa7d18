"""The workflow lists' filters: the LAG scope and the review queue."""

from django.contrib import admin
from django.db.models import Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import LAG

from .. import permissions


class LAGScopeFilter(admin.SimpleListFilter):
    """Which LAG's records the list shows. LAG staff start on their own LAG (every status); other
    LAGs show only what they may read there (approved records)."""

    title = gettext_lazy("VRG")
    parameter_name = "vrg"
    ALL = "visas"

    def __init__(self, request, params, model, model_admin):
        self.own_slug = request.user.lag.slug if permissions.is_lag_staff(request.user) else None
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(lag.slug, str(lag)) for lag in LAG.objects.all()]

    def value(self):
        return super().value() or self.own_slug or self.ALL

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        # the LAG's id as a value (a subquery run once), not a join: the list is then read in order
        # off the LAG's index (Activity.Meta.indexes), a page's ids without the rows
        return queryset.filter(lag=Subquery(LAG.objects.filter(slug=value).values("pk")[:1]))

    def choices(self, changelist):
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("visas VRG"),
        }
        for slug, title in self.lookup_choices:
            yield {
                "selected": self.value() == slug,
                "query_string": changelist.get_query_string({self.parameter_name: slug}),
                "display": title,
            }


class ReviewFilter(admin.SimpleListFilter):
    """ "Gaida manu apstiprinājumu": the submitted records this user may approve or return now — the
    admin home's queue as a list (``permissions.awaiting_review``: one query, however many rows)."""

    title = gettext_lazy("izskatīšana")
    parameter_name = "izskatisana"
    MINE = "man"

    def lookups(self, request, model_admin):
        if not permissions.may_review_any(request.user):
            return []
        return [(self.MINE, _("gaida manu apstiprinājumu"))]

    def queryset(self, request, queryset):
        if self.value() == self.MINE:
            return permissions.awaiting_review(request.user, queryset)
        return queryset
