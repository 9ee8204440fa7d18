"""The workflow admin's forms: the versioned change form, the transition note, the import's upload and confirmation."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.forms import ConfirmImportForm, ImportForm

from .. import permissions
from ..importing.formats import FileReadError, refuse_size
from ..importing.preview import unsign_preview
from ..workflow import CONFLICT_MESSAGE, Status


class VersionedModelForm(forms.ModelForm):
    """A change form that carries the version of the record it was opened at (a hidden field).

    Saving compares it with the stored version: if someone saved the record meanwhile, the form
    shows the conflict and keeps the other person's data. The record's ``save()`` claims the
    same version atomically, so a save racing between this check and the write is refused too."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and not self.instance._state.adding:
            opened_at = cleaned_data.get("edit_version")
            stored = (
                type(self.instance)
                ._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if opened_at is None or opened_at != stored:
                raise forms.ValidationError(CONFLICT_MESSAGE, code="edit_conflict")
            self.instance.version = opened_at
        return cleaned_data


class NoteForm(forms.Form):
    """The note a return needs, or the reason a reopening needs."""

    note = forms.CharField(
        label=gettext_lazy("Piezīme autoram: kas jālabo"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": gettext_lazy("Jānorāda, kas jālabo.")},
    )

    def __init__(self, *args, transition=permissions.RETURN, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        if transition == permissions.REOPEN:
            self.fields["note"].label = _("Iemesls, kāpēc apstiprināto ierakstu atver labošanai")
            self.fields["note"].error_messages["required"] = _("Jānorāda iemesls.")
            self.fields["to"] = forms.ChoiceField(
                label=_("Statuss pēc atvēršanas"),
                choices=[
                    (Status.RETURNED, _("atgriezts labošanai (autors redz iemeslu)")),
                    (Status.DRAFT, _("melnraksts")),
                ],
                initial=Status.RETURNED,
                required=False,
                widget=forms.RadioSelect,
            )

    def service_kwargs(self):
        if self.transition == permissions.REOPEN:
            return {"reason": self.cleaned_data["note"], "to": self.cleaned_data["to"] or Status.RETURNED}
        return {"note": self.cleaned_data["note"]}


class ImportFileForm(ImportForm):
    """The import's upload: a file over ``IMPORT_MAX_FILE_BYTES`` is refused before it is stored or read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            refuse_size(upload.size)
        except FileReadError as error:
            raise forms.ValidationError(str(error), code="too_large") from None
        return upload


class PreviewConfirmForm(ConfirmImportForm):
    """The confirmation carries, signed, the version of every record the preview showed an update
    of: the import then writes only what was seen, or nothing (see ``LAGRecordResource``)."""

    preview_versions = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_preview_versions(self):
        try:
            return unsign_preview(
                self.cleaned_data.get("preview_versions"),
                self.cleaned_data.get("import_file_name"),
                max_age=settings.SESSION_COOKIE_AGE,
            )
        except ValueError:
            raise forms.ValidationError(
                _(
                    "Priekšskatījuma dati ir bojāti vai novecojuši: nekas nav importēts. Augšupielādējiet datni vēlreiz."
                ),
                code="bad_preview",
            ) from None
