"""Helpers every admin of the portal's records uses."""

from django.contrib.admin.utils import unquote
from django.http import Http404


def object_or_404(model_admin, request, object_id):
    """The record an admin URL names, among those the admin shows the user; 404 for an id that is
    not one (``abc``, ``-1``, a number beyond the column's range) as for one that does not exist.
    ``get_object`` turns every malformed id into None, where a plain ``get(pk=…)`` is a server error."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404
    return obj
