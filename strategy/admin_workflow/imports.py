"""The import and export of LAG-owned workflow records in the admin: the template, the preview that
shows each row as read, and a confirmation that writes what the preview showed or nothing."""

import os

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _

from ..importing.formats import FORMATS, IMPORT_FORMATS, FileReadError
from ..importing.preview import sign_preview
from ..importing.template import import_template_response
from .common import admin_url
from .forms import ImportFileForm, PreviewConfirmForm


class WorkflowImportMixin:
    """The import and export of a :class:`~strategy.admin_workflow.admins.WorkflowAdmin`."""

    import_template_name = "admin/workflow/import.html"
    # Export from the change form would bypass the list's queryset; the list's export does not.
    show_change_form_export = False
    formats = FORMATS
    import_formats = IMPORT_FORMATS
    import_form_class = ImportFileForm
    confirm_form_class = PreviewConfirmForm

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
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
