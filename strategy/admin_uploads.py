"""Evidence files in the admin's forms.

A stored file is shown by its readable name and linked to the access-checked download view
(``EvidenceFileWidget``). A file chosen in a form that comes back with errors is not kept: a browser
cannot put a file back into a file input, and the portal does not hold on to uploads nobody saved
(attendance lists carry personal data; a temporary copy would have to be tracked and cleaned up). So
the form says so, by name, in the error summary and beside the field, instead of silently dropping it."""

from django import forms
from django.contrib.admin import helpers, widgets
from django.utils.translation import gettext as _

from .uploads import EvidenceFileField


class _ShownFile:
    """What the file widget shows of a stored file: its readable name, linked to its download."""

    def __init__(self, field_file):
        self.url = field_file.url
        self.name = field_file.display_name

    def __str__(self):
        return self.name


class EvidenceFileWidget(widgets.AdminFileWidget):
    def format_value(self, value):
        value = super().format_value(value)
        return _ShownFile(value) if value else value


class EvidenceFilesMixin:
    """For a ModelAdmin or an inline with evidence file fields."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, EvidenceFileField):
            kwargs["widget"] = EvidenceFileWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def unsaved_upload_messages(forms_with_files):
    """Mark each valid uploaded file of the (invalid) forms as not saved; returns the messages."""
    messages = []
    for form in forms_with_files:
        for name, field in form.fields.items():
            if not isinstance(field, forms.FileField):
                continue
            upload = form.files.get(form.add_prefix(name))
            if upload is None or form.has_error(name):
                continue  # nothing chosen, or the file's own error says what is wrong with it
            message = _("Datne «%(name)s» netika saglabāta, jo formā ir kļūdas: izvēlieties to vēlreiz.") % {
                "name": upload.name
            }
            form.add_error(name, message)
            messages.append(message)
    return messages


class UnsavedUploadsMixin(EvidenceFilesMixin):
    """For a ModelAdmin whose form or inlines take files."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST" and context.get("errors"):
            form = context["adminform"].form
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            messages = unsaved_upload_messages([form, *(f for formset in formsets for f in formset.forms)])
            for message in messages:
                form.add_error(None, message)  # the summary at the top lists them too
            if messages:
                context["errors"] = helpers.AdminErrorList(form, formsets)
        return super().render_change_form(request, context, add, change, form_url, obj)
