"""Uploaded evidence: what is accepted is decided by the file's content, never by its name; the stored
name is a random token plus the slugified original name, so nothing a user typed becomes a path.

Files are not published under MEDIA_URL: ``ddkc.views.evidence`` serves them after checking who may
see the record they belong to, and an evidence file's ``url`` is that view's address (``EvidenceFileField``),
so every link to it — the admin's file widget, a read-only record page, any template — goes there.

A file leaves the disk with the record that held it (``remove_files_after_commit``): when its row is
deleted (also by a cascade) or the file is replaced or cleared, once the transaction commits — a rolled
back or refused write keeps it — and only if no row names it any more."""

import re
import secrets
import zipfile
from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# extension → content type of the accepted kinds; the extension of a stored file is the detected kind's.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ACCEPTED = "PDF, JPEG, PNG, XLSX, DOCX"


def detect_kind(file):
    """The kind of an open file by its first bytes (and, for Office files, the zip's parts), or None."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names:
            if any(name.startswith("xl/") for name in names):
                return "xlsx"
            if any(name.startswith("word/") for name in names):
                return "docx"
    return None


@deconstructible
class EvidenceFileValidator:
    """Refuses files that are too large or whose content is not one of the accepted kinds."""

    def __call__(self, value):
        limit = settings.EVIDENCE_MAX_BYTES
        if value.size > limit:
            raise ValidationError(
                _("Datne ir par lielu (%(size)s); lielākais pieļaujamais izmērs ir %(limit)s."),
                code="file_too_large",
                params={"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
            )
        if detect_kind(value) is None:
            raise ValidationError(
                _(
                    "Datnes saturs neatbilst nevienam atļautajam veidam (%(accepted)s). "
                    "Datnes veidu nosaka tās saturs, nevis nosaukums."
                ),
                code="file_type",
                params={"accepted": ACCEPTED},
            )

    def __eq__(self, other):
        return isinstance(other, EvidenceFileValidator)


validate_evidence_file = EvidenceFileValidator()


def safe_name(folder, field_file, filename):
    """``folder/<random token>-<slugified original name>.<extension>``: no path parts, a name nobody can
    guess, and the extension of the detected kind (an upload through a form has passed the validator,
    so its content is known); a file saved by code keeps an accepted extension of its own, else ``.bin``."""
    original = PurePosixPath(filename.replace("\\", "/"))
    stem = slugify(original.stem)[:40].strip("-") or "datne"
    kind = None
    if field_file is not None and getattr(field_file, "_file", None) is not None:
        try:
            kind = detect_kind(field_file)
        except (OSError, ValueError):
            kind = None
    if kind is None:
        suffix = original.suffix.lstrip(".").lower()
        kind = "jpg" if suffix == "jpeg" else suffix if suffix in CONTENT_TYPES else "bin"
    return f"{folder}/{secrets.token_hex(8)}-{stem}.{kind}"


def content_type_of(name):
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lstrip(".").lower(), "application/octet-stream")


class EvidenceFieldFile(FieldFile):
    @property
    def display_name(self):
        """The name as people read it: the stored name without its folder and random token."""
        return re.sub(r"^[0-9a-f]{16}-", "", PurePosixPath(self.name or "").name)

    def __html__(self):
        # Where a page shows the file (the admin's file field and read-only link), its readable name;
        # ``str()`` stays the stored name, which is what the database column holds.
        return escape(self.display_name)

    @property
    def url(self):
        """The access-checked download (``/evidence/<kind>/<record id>/``), never a ``MEDIA_URL`` path:
        uploads are deliberately not served from there."""
        self._require_file()
        if self.instance.pk is None:
            raise ValueError("An evidence file has a download address once its record is saved.")
        return reverse("evidence", args=[self.field.download_kind, self.instance.pk])


class EvidenceFileField(models.FileField):
    """A file field for evidence: its files' ``url`` is the download view of ``download_kind``
    (``activity`` for an activity's evidence row, ``measurement`` for a measurement)."""

    attr_class = EvidenceFieldFile

    def __init__(self, *args, download_kind, **kwargs):
        self.download_kind = download_kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["download_kind"] = self.download_kind
        return name, path, args, kwargs


def _evidence_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, EvidenceFileField)]


def _still_named(name):
    """Whether any row of any model still names the stored file."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.FileField)
                and model._base_manager.filter(**{field.name: name}).exists()
            ):
                return True
    return False


def _remove_after_commit(storage, names, using):
    def remove():
        for name in names:
            if not _still_named(name):
                storage.delete(name)

    if names:
        transaction.on_commit(remove, using=using)


def _note_replaced_files(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a save: the stored files this save replaces or clears (a restore's raw save replaces none)."""
    instance._ddkc_replaced_files = []
    if raw or instance.pk is None or instance._state.adding:
        return
    fields = [f for f in _evidence_fields(sender) if update_fields is None or f.name in update_fields]
    if not fields:
        return
    stored = sender._base_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first() or {}
    for field in fields:
        old, new = stored.get(field.attname), getattr(instance, field.attname)
        if old and (new.name != old or not new._committed):
            instance._ddkc_replaced_files.append((field.storage, old))


def _remove_replaced_files(sender, instance, using, **kwargs):
    """After the save is written: the replaced files go once the transaction commits."""
    for storage, name in instance.__dict__.pop("_ddkc_replaced_files", []):
        _remove_after_commit(storage, [name], using)


def _remove_deleted_files(sender, instance, using, **kwargs):
    for field in _evidence_fields(sender):
        field_file = getattr(instance, field.attname)
        if field_file:
            _remove_after_commit(field.storage, [field_file.name], using)


def remove_files_after_commit(model):
    """Connect the signals that remove ``model``'s replaced, cleared and deleted evidence files once
    the transaction commits (called from the app's ``ready()``)."""
    uid = model._meta.label_lower
    pre_save.connect(_note_replaced_files, sender=model, dispatch_uid=f"ddkc-evidence-replaced-{uid}")
    post_save.connect(_remove_replaced_files, sender=model, dispatch_uid=f"ddkc-evidence-saved-{uid}")
    post_delete.connect(_remove_deleted_files, sender=model, dispatch_uid=f"ddkc-evidence-deleted-{uid}")
