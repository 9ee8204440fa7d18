"""Admin mixins of LAG-owned records: inlines writable with their parent, the read-only change history."""

import contextlib
import datetime

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from modeltranslation.translator import NotRegistered, translator
from simple_history.models import ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper

from .. import permissions
from .common import object_or_404


class LAGOwnedInlineMixin:
    """An inline of a workflow record (funding lines, evidence) is writable exactly when its parent is."""

    def has_add_permission(self, request, obj=None):
        return permissions.may_change(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return permissions.may_change(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.may_change(request.user, obj) and super().has_delete_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return permissions.may_view(request.user, obj) and super().has_view_permission(request, obj)


class HistoryContextHelper(HistoricalRecordContextHelper):
    """Values in the change history as staff read them: choices by their label, empties as a dash."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        if field.many_to_one:
            related = field.related_model._base_manager.filter(pk=value).first()
            return str(related) if related is not None else value
        return super().prepare_delta_change_value(change, value)


class ReadOnlyHistoryMixin:
    """The change history (django-simple-history): who changed which field from what to what, and
    when. It is for reading: its "revert" form would be a write path around the workflow, so it
    answers GET only."""

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # simple-history's diff_against() sees only editable fields; the workflow's (status,
        # return note, reviewer) are not editable in forms but are exactly what a reader looks
        # for, so every tracked field is compared here. The untranslated column behind each
        # translated field would repeat its _lv change.
        translated = set()
        with contextlib.suppress(NotRegistered):
            translated = set(translator.get_options_for_model(self.model).all_fields)
        previous = None
        for current in historical_records:
            current.history_change_reason = current.history_change_reason or ""
            if previous is not None:
                changes = [
                    ModelChange(
                        field.name, field.value_from_object(current), field.value_from_object(previous)
                    )
                    for field in previous.tracked_fields
                    if field.name not in translated
                    and field.name not in ("id", "version")
                    and field.value_from_object(current) != field.value_from_object(previous)
                ]
                delta = ModelDelta(changes, [c.field for c in changes], current, previous)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def _refuse_history(self, request, obj):
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if not permissions.reads_private_parts(request.user, obj):
            # the unapproved versions are not public, and another LAG's staff see what the public sees
            raise PermissionDenied(
                _("Ieraksta izmaiņu vēsture ir pieejama tikai tās VRG darbiniekiem, valdei un sekretariātam.")
            )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        obj = object_or_404(self, request, object_id)
        self._refuse_history(request, obj)
        history_pk = self.model.history.model._meta.pk
        try:
            version_id = history_pk.to_python(unquote(version_id))
        except ValidationError as error:
            raise Http404 from error
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = object_or_404(self, request, object_id)
        self._refuse_history(request, obj)
        return super().history_view(request, object_id, extra_context)
