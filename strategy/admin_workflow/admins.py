"""The admin of LAG-owned workflow records: who sees and writes what, the form and the list; the
transitions (``transitions``) and the import (``imports``) are its mixins."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from partners.forms import TypedNumbersAdminMixin

from .. import permissions, year_lock
from ..admin_uploads import UnsavedUploadsMixin
from ..workflow import EditConflict
from .comments import WorkflowCommentsMixin
from .common import admin_url
from .forms import VersionedModelForm
from .imports import WorkflowImportMixin
from .mixins import ReadOnlyHistoryMixin
from .transitions import WorkflowTransitionsMixin


class WorkflowAdmin(
    WorkflowCommentsMixin,
    WorkflowTransitionsMixin,
    WorkflowImportMixin,
    UnsavedUploadsMixin,
    TypedNumbersAdminMixin,
    ReadOnlyHistoryMixin,
    ImportExportMixin,
    SimpleHistoryAdmin,
):
    """The admin of a LAG-owned workflow model (it has ``lag``, ``status``, ``author``…)."""

    form = VersionedModelForm
    change_form_template = "admin/workflow/change_form.html"
    change_list_template = "admin/workflow/change_list.html"
    workflow_readonly_fields = [
        "status_badge",
        "author",
        "changed_by",
        "submitted_at",
        "submitted_by",
        "reviewed_by",
        "reviewed_at",
    ]
    # The form's last fieldset, the same for every workflow record: who did what, folded away.
    status_fieldset = (gettext_lazy("Statuss"), {"fields": workflow_readonly_fields, "classes": ["collapse"]})
    list_per_page = 50

    class Media:
        css = {"all": ["strategy/admin-workflow.css"]}

    # --- who sees and writes what -------------------------------------------------------------

    def get_queryset(self, request):
        return permissions.visible(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return permissions.may_view(request.user, obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.can_add(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return permissions.may_change(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.may_delete(request.user, obj) and super().has_delete_permission(request, obj)

    def has_import_permission(self, request):
        return permissions.can_import(request.user) and self.has_add_permission(request)

    def has_export_permission(self, request):
        return permissions.can_export(request.user) and self.has_view_permission(request)

    def has_submit_permission(self, request):
        return permissions.may_submit_any(request.user)

    def has_approve_permission(self, request):
        return permissions.may_review_any(request.user)

    has_return_permission = has_approve_permission

    def has_reopen_permission(self, request):
        return permissions.may_reopen_any(request.user)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Django checks only the model permission for a bulk delete; each record's rule is ours.
        for obj in objs:
            refusal = permissions.edit_refusal(request.user, obj)
            if refusal:
                perms_needed.add(f"«{obj}»: {refusal}")
        return deleted, model_count, perms_needed, protected

    # A refused write says why, in Latvian, on the record's page — never a bare "403 Forbidden".

    def _refused(self, request, refusals, back):
        return TemplateResponse(
            request,
            "admin/workflow/refused.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Darbība atteikta"),
                "refusals": refusals,
                "back": back,
            },
            status=403,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and permissions.can_view(request.user, obj):
                refusal = permissions.edit_refusal(request.user, obj)
                if refusal:
                    return self._refused(request, [refusal], request.path)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            # Saved by someone else between the form's check and the write: the transaction
            # was rolled back (inlines included); the page reloads with the stored data.
            self.message_user(request, " ".join(conflict.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and permissions.can_view(request.user, obj):
            refusal = permissions.edit_refusal(request.user, obj)
            if refusal:
                change_url = admin_url(self, "change", obj.pk)
                return self._refused(request, [refusal], change_url)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (type(self).delete_selected_checked, name, description)
        return actions

    def delete_selected_checked(self, request, queryset):
        """Django's "delete selected", after every record's own rule has agreed."""
        refusals = [
            f"«{obj}»: {refusal}"
            for obj in queryset
            if (refusal := permissions.edit_refusal(request.user, obj))
        ]
        if refusals:
            return self._refused(request, refusals, request.get_full_path())
        return delete_selected(self, request, queryset)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if not permissions.can_delete(request.user, obj):
                raise PermissionDenied
        super().delete_queryset(request, queryset)

    def delete_model(self, request, obj):
        if not permissions.can_delete(request.user, obj):
            raise PermissionDenied
        super().delete_model(request, obj)

    # --- the form: the LAG is preset and fixed for staff --------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lag":
            kwargs["queryset"] = permissions.editable_lags(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if request.user.lag_id and not request.user.is_superuser:
            initial["lag"] = request.user.lag_id
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "lag" in form.base_fields and (obj is not None or not permissions.is_superuser(request.user)):
            # A disabled field keeps its initial value whatever a POST says, and the model's
            # constraints are still validated with it.
            form.base_fields["lag"].disabled = True
            if obj is None:
                form.base_fields["lag"].initial = request.user.lag_id
            form.base_fields["lag"].help_text = _("Ieraksts pieder šai VRG; to nevar mainīt.")
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            if not permissions.can_add(request.user, obj.lag):
                raise PermissionDenied
            obj.author = request.user
        elif not permissions.can_edit(request.user, obj):
            raise PermissionDenied
        if not change or form.has_changed():
            obj.changed_by = request.user  # four eyes: whoever changes a record does not review it
        # The LAG's workflow lock before the record's row (the lock order of ``strategy.year_lock``): a
        # save, and the submit that may follow it in the same transaction, wait for a year close.
        year_lock.lock_lags(obj.lag_id)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record = form.instance
        if change and record.changed_by_id != request.user.pk and any(f.has_changed() for f in formsets):
            # Only a funding line or an evidence file changed: that changes the record too. The
            # record's own save above already claimed its version; this names the person only.
            record.changed_by = request.user
            type(record)._base_manager.filter(pk=record.pk).update(changed_by=request.user)

    # --- list ---------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        # "Aktivitātes", not Django's "Select aktivitāte to change" (which cannot decline the noun)
        extra_context = {"title": capfirst(self.opts.verbose_name_plural), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("statuss"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="wf-status wf-{}">{}</span>', obj.status, obj.get_status_display())

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.workflow_readonly_fields]
