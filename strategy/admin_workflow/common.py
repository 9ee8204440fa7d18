"""Helpers every admin of the portal's records uses."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import reverse


def object_or_404(model_admin, request, object_id):
    """The record an admin URL names, among those the admin shows the user; 404 for an id that is
    not one (``abc``, ``-1``, a number beyond the column's range) as for one that does not exist.
    ``get_object`` turns every malformed id into None, where a plain ``get(pk=…)`` is a server error."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404
    return obj


def admin_view_name(opts, view, site_name="admin"):
    """The URL name of a model's admin view ("change", "changelist", "import", "transition"…):
    ``admin:strategy_activity_change``."""
    return f"{site_name}:{opts.app_label}_{opts.model_name}_{view}"


def admin_url(model_admin, view, *args):
    """The URL of one of ``model_admin``'s views on its own admin site (a record's change page…)."""
    return reverse(admin_view_name(model_admin.opts, view, model_admin.admin_site.name), args=args)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list for reading: rows written by the portal itself (status changes, closings' records)
    are never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
