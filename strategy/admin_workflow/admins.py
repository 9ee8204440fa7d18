"""The admin of LAG-owned workflow records: permissions, transitions, the change page and the import."""

import os

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from partners import latvian
from partners.forms import TypedNumbersAdminMixin

from .. import permissions, services, year_lock
from ..admin_uploads import UnsavedUploadsMixin
from ..importing.formats import FORMATS, IMPORT_FORMATS, FileReadError
from ..importing.preview import sign_preview
from ..importing.template import import_template_response
from ..models import StatusChange
from ..workflow import EditConflict, Status
from .common import admin_url, admin_view_name, object_or_404
from .forms import ImportFileForm, NoteForm, PreviewConfirmForm, VersionedModelForm
from .mixins import ReadOnlyHistoryMixin

TRANSITION_LABELS = {
    permissions.SUBMIT: gettext_lazy("Iesniegt apstiprināšanai"),
    permissions.APPROVE: gettext_lazy("Apstiprināt"),
    permissions.RETURN: gettext_lazy("Atgriezt labošanai"),
    permissions.REOPEN: gettext_lazy("Atvērt labošanai"),
}
DONE_MESSAGES = {
    permissions.SUBMIT: gettext_lazy("Iesniegti apstiprināšanai: %(count)d."),
    permissions.APPROVE: gettext_lazy("Apstiprināti: %(count)d."),
    permissions.RETURN: gettext_lazy("Atgriezti labošanai: %(count)d."),
    permissions.REOPEN: gettext_lazy("Atvērti labošanai: %(count)d."),
}
# After «Iesniegt apstiprināšanai» on the change form; the participles agree with the model's noun.
SAVED_AND_SUBMITTED = {
    False: pgettext_lazy("masculine", "%(name)s «%(record)s» saglabāts un iesniegts apstiprināšanai."),
    True: pgettext_lazy("feminine", "%(name)s «%(record)s» saglabāta un iesniegta apstiprināšanai."),
}
SAVED_NOT_SUBMITTED = {
    False: pgettext_lazy("masculine", "%(name)s «%(record)s» saglabāts, bet nav iesniegts: %(reason)s"),
    True: pgettext_lazy("feminine", "%(name)s «%(record)s» saglabāta, bet nav iesniegta: %(reason)s"),
}
NEEDS_NOTE = {permissions.RETURN, permissions.REOPEN}
# The change form's own submit button: the edit is saved through the form first, then submitted.
SUBMIT_BUTTON = "_submit_for_approval"


def run_transition(request, transition, record, **kwargs):
    """Run one service; returns the refusal message, or None when it went through."""
    try:
        services.TRANSITION_FUNCTIONS[transition](record, by=request.user, **kwargs)
    except services.WorkflowError as error:
        return " ".join(error.messages)
    return None


class WorkflowAdmin(
    UnsavedUploadsMixin, TypedNumbersAdminMixin, ReadOnlyHistoryMixin, ImportExportMixin, SimpleHistoryAdmin
):
    """The admin of a LAG-owned workflow model (it has ``lag``, ``status``, ``author``…)."""

    form = VersionedModelForm
    change_form_template = "admin/workflow/change_form.html"
    change_list_template = "admin/workflow/change_list.html"
    import_template_name = "admin/workflow/import.html"
    actions = ["submit_selected", "approve_selected", "return_selected", "reopen_selected"]
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
    # Export from the change form would bypass the list's queryset; the list's export does not.
    show_change_form_export = False
    formats = FORMATS

    class Media:
        css = {"all": ["strategy/admin-workflow.css"]}

    # --- who sees and writes what -------------------------------------------------------------

    def get_queryset(self, request):
        return permissions.visible(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        if obj is not None and not permissions.can_view(request.user, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.can_add(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            allowed = permissions.can_add(request.user)  # writes some records: lists offer links
        else:
            allowed = permissions.can_edit(request.user, obj)
        return allowed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            allowed = permissions.can_add(request.user)
        else:
            allowed = permissions.can_delete(request.user, obj)
        return allowed and super().has_delete_permission(request, obj)

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

    def _run_action(self, request, queryset, transition, **kwargs):
        done = 0
        for record in queryset:
            refusal = run_transition(request, transition, record, **kwargs)
            if refusal:
                self.message_user(request, f"«{record}»: {refusal}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, DONE_MESSAGES[transition] % {"count": done}, messages.SUCCESS)

    @admin.action(description=TRANSITION_LABELS[permissions.SUBMIT], permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._run_action(request, queryset, permissions.SUBMIT)

    @admin.action(description=TRANSITION_LABELS[permissions.APPROVE], permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._run_action(request, queryset, permissions.APPROVE)

    def _note_action(self, request, queryset, transition):
        form = NoteForm(request.POST if "apply" in request.POST else None, transition=transition)
        if form.is_valid():
            self._run_action(request, queryset, transition, **form.service_kwargs())
            return None  # back to the list
        action = "return_selected" if transition == permissions.RETURN else "reopen_selected"
        context = {
            **self.admin_site.each_context(request),
            "title": TRANSITION_LABELS[transition],
            "opts": self.model._meta,
            "records": queryset,
            "form": form,
            "action": action,
            "action_label": TRANSITION_LABELS[transition],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/workflow/note_action.html", context)

    @admin.action(description=TRANSITION_LABELS[permissions.RETURN], permissions=["return"])
    def return_selected(self, request, queryset):
        return self._note_action(request, queryset, permissions.RETURN)

    @admin.action(description=TRANSITION_LABELS[permissions.REOPEN], permissions=["reopen"])
    def reopen_selected(self, request, queryset):
        return self._note_action(request, queryset, permissions.REOPEN)

    # --- the change page: status, transitions, history ----------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/workflow/<str:transition>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
        ] + super().get_urls()

    def import_template_view(self, request):
        """The import template: the columns on the first sheet, each explained on the second."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0](user=request.user)
        return import_template_response(resource, f"{self.opts.verbose_name_plural}-importa-veidne.xlsx")

    def transition_view(self, request, object_id, transition):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if transition not in permissions.TRANSITIONS:
            raise PermissionDenied
        record = object_or_404(self, request, object_id)
        change_url = admin_url(self, "change", record.pk)
        kwargs = {}
        if transition in NEEDS_NOTE:
            form = NoteForm(request.POST, transition=transition)
            if not form.is_valid():
                self.message_user(request, " ".join(sum(form.errors.values(), [])), messages.ERROR)
                return HttpResponseRedirect(change_url)
            kwargs = form.service_kwargs()
        refusal = run_transition(request, transition, record, **kwargs)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
        else:
            self.message_user(
                request,
                _("«%(record)s»: %(status)s.") % {"record": record, "status": record.get_status_display()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change_url)

    def workflow_context(self, request, obj):
        user = request.user
        # Submitting is the change form's own button (``SUBMIT_BUTTON``), so that an edit in the form is
        # saved with it: a separate form here would send the status change without the edit.
        transitions = [
            {
                "name": name,
                "label": TRANSITION_LABELS[name],
                "form": NoteForm(transition=name, auto_id=f"id_{name}_%s") if name in NEEDS_NOTE else None,
            }
            for name in permissions.TRANSITIONS
            if name != permissions.SUBMIT and permissions.can_transition(user, obj, name)
        ]
        history = StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).select_related("by")
        review = {}
        if obj.status in (Status.DRAFT, Status.RETURNED, Status.SUBMITTED):
            # who reviews it, and why not this person: never a panel without an explanation
            names, secretariat = permissions.reviewers(obj)
            review = {
                "reviewer_names": names,
                "secretariat_reviews": secretariat,
                "review_refusal": permissions.review_refusal(user, obj)
                if obj.status == Status.SUBMITTED
                else None,
            }
        return {
            "record": obj,
            "transitions": transitions,
            "can_submit": permissions.can_transition(user, obj, permissions.SUBMIT),
            "history": history,
            "review": review,
            "read_only_reason": permissions.edit_refusal(user, obj),
            "transition_url_name": admin_view_name(self.opts, "transition", self.admin_site.name),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and permissions.can_view(request.user, obj):
            extra_context["workflow"] = self.workflow_context(request, obj)
            extra_context["submit_button"] = extra_context["workflow"]["can_submit"] and {
                "name": SUBMIT_BUTTON,
                "label": TRANSITION_LABELS[permissions.SUBMIT],
                "help": _("Saglabā izmaiņas un iesniedz ierakstu apstiprināšanai."),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if permissions.may_submit_any(request.user):
            extra_context["submit_button"] = {
                "name": SUBMIT_BUTTON,
                "label": _("Saglabāt un iesniegt apstiprināšanai"),
                "help": _("Saglabā jauno ierakstu un uzreiz iesniedz to apstiprināšanai."),
            }
        return super().add_view(request, form_url, extra_context)

    def _submit_saved(self, request, obj):
        """After the form saved the record (in the same transaction): submit it, and say so."""
        change_url = admin_url(self, "change", obj.pk)
        refusal = run_transition(request, permissions.SUBMIT, obj)
        # This message replaces the admin's "… changed" one (ddkc.admin_site), in the noun's gender.
        request.__dict__.pop("_portal_success_message", None)
        feminine = latvian.gender_of(self.model) == latvian.FEMININE
        name = capfirst(self.opts.verbose_name)
        if refusal:
            sentence = SAVED_NOT_SUBMITTED[feminine]
            self.message_user(
                request, sentence % {"name": name, "record": obj, "reason": refusal}, messages.WARNING
            )
        else:
            sentence = SAVED_AND_SUBMITTED[feminine]
            self.message_user(request, sentence % {"name": name, "record": obj}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def response_change(self, request, obj):
        if SUBMIT_BUTTON in request.POST:
            return self._submit_saved(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if SUBMIT_BUTTON in request.POST:
            return self._submit_saved(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.workflow_readonly_fields]

    # --- import -------------------------------------------------------------------------------

    import_formats = IMPORT_FORMATS
    import_form_class = ImportFileForm
    confirm_form_class = PreviewConfirmForm

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}
        form = kwargs.get("form")
        if isinstance(form, PreviewConfirmForm):
            resource_kwargs["preview_versions"] = form.cleaned_data["preview_versions"]
        return resource_kwargs

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def add_data_read_fail_error_to_form(self, form, e):
        # django-import-export names the exception class in English; staff need to know what to do.
        if isinstance(e, FileReadError):
            message = str(e)
        else:
            message = _(
                "Datni neizdevās nolasīt. Pārbaudiet, vai izvēlētais formāts (CSV vai XLSX) atbilst "
                "datnei un vai tā ir saglabāta no izklājlapas; varat sākt ar importa veidni."
            )
        form.add_error("import_file", message)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # One invalid row writes nothing: the preview and the confirmed import alike.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request, **kwargs):
        """The preview. Its confirmation form gets the versions the preview saw; a file with nothing
        to write (every row already in the portal or unchanged) gets no confirmation at all."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result, confirm_form = context.get("result"), context.get("confirm_form")
        if result is not None and confirm_form is not None:
            file_name = confirm_form.initial["import_file_name"]
            if result.writes:
                confirm_form.initial["preview_versions"] = sign_preview(
                    result.preview_versions(), os.path.basename(file_name)
                )
            else:
                context["confirm_form"] = None
                self.get_tmp_storage_class()(name=file_name, **self.get_tmp_storage_class_kwargs()).remove()
        return response

    def process_import(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            confirm_form = self.create_confirm_form(request)
            if not confirm_form.is_valid():
                for message in {m for errors in confirm_form.errors.values() for m in errors}:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(self.import_url())
        return super().process_import(request, **kwargs)

    def import_url(self):
        return admin_url(self, "import")

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation (a record was approved or
            # saved by someone else meanwhile): the transaction was rolled back; say where and why.
            self.message_user(
                request,
                _("Nekas nav importēts: kopš priekšskatījuma dati portālā ir mainījušies."),
                messages.ERROR,
            )
            for problem in confirmation_problems(result)[:CONFIRMATION_PROBLEMS_SHOWN]:
                self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(self.import_url())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        self.message_user(
            request,
            _(
                "Imports pabeigts. Jauni: %(new)d, atjaunināti: %(update)d, jau bija portālā: %(exists)d, "
                "nemainīti: %(unchanged)d."
            )
            % result.outcomes,
            messages.SUCCESS,
        )


CONFIRMATION_PROBLEMS_SHOWN = 20


def confirmation_problems(result):
    """What refused a confirmation, one line per problem: "Rinda 3, «id»: …"."""
    problems = [
        " ".join(str(m) for m in getattr(error.error, "messages", [error.error]))
        for error in result.base_errors
    ]
    for row in result.invalid_rows:
        for column, column_messages in row.error_dict.items():
            where = (
                _("Rinda %(row)s") % {"row": row.number + 1}
                if column == NON_FIELD_ERRORS
                else _("Rinda %(row)s, «%(column)s»") % {"row": row.number + 1, "column": column}
            )
            problems.append(f"{where}: {' '.join(column_messages)}")
    for line, errors in result.row_errors():
        problems += [
            _("Rinda %(row)s: %(error)s") % {"row": line + 1, "error": error.error} for error in errors
        ]
    return problems
