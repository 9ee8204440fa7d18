"""Backup and restore of all portal data: one .tar.gz holding ``manifest.json`` (format, time, row
counts), ``data.ddkcjson`` (every table as Django fixtures with its primary keys, and natural keys for the
references where they exist: users, groups, LAGs, indicators… — history and the admin log included) and ``media/`` (the evidence files
the records point to).

Not in a backup, because the target database recreates or does not need them: content types and
permissions (made by ``migrate``), sessions (everyone logs in again) and django-axes' login attempts."""

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import translation

from partners.backup_format import restoring
from partners.dbutils import APPS
from strategy import tallies

FORMAT = 1
# Django's JSON fixtures with exact times (see backup_format); the data file's extension names it.
SERIALIZATION = "ddkcjson"
serializers.register_serializer(SERIALIZATION, "partners.backup_format")
EXCLUDE_APPS = {"contenttypes", "sessions", "axes"}
EXCLUDE_MODELS = {
    "auth.permission",
    "strategy.activitytally",
    "strategy.activityplacetally",
    "strategy.activityprioritytally",
    "strategy.fundingtally",
}  # derived: rebuilt on restore


def backed_up_models():
    """Every concrete model whose rows a backup holds, in a stable order."""
    result = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in EXCLUDE_APPS or label in EXCLUDE_MODELS or model._meta.proxy:
            continue
        result.append(model)
    return sorted(result, key=lambda model: model._meta.label_lower)


def row_counts():
    return {model._meta.label_lower: model._default_manager.count() for model in backed_up_models()}


def file_names():
    """The names of the stored files the records point to (each once, in order)."""
    names = set()
    for model in backed_up_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                values = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                names.update(name for name in values if name)
    return sorted(names)


def _natural_key_joins(model):
    """What a row's natural key reads beyond its own columns (e.g. an indicator's strategy slug)."""
    dependencies = set(getattr(model.natural_key, "dependencies", []))
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model._meta.label_lower in dependencies
    ]


def _rows(using):
    """Every backed-up row, models in dependency order, each by primary key — what ``dumpdata`` gives,
    but with the related rows whose natural keys are written fetched by joins and prefetches instead
    of one query per reference."""
    by_app = {}
    for model in backed_up_models():
        by_app.setdefault(model._meta.app_config, []).append(model)
    for model in serializers.sort_dependencies(by_app.items()):
        joins = []
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and hasattr(target, "natural_key"):
                joins += [field.name, *(f"{field.name}__{name}" for name in _natural_key_joins(target))]
        prefetches = [
            models.Prefetch(
                field.name,
                queryset=field.related_model._default_manager.select_related(
                    *(
                        _natural_key_joins(field.related_model)
                        if hasattr(field.related_model, "natural_key")
                        else []
                    )
                ),
            )
            for field in model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        queryset = (
            model._default_manager.using(using)
            .order_by(model._meta.pk.name)
            .select_related(*joins)
            .prefetch_related(*prefetches)
        )
        yield from queryset.iterator(chunk_size=2000)


def _snapshot(using, outermost):
    # One consistent view of every table while dumping, even with staff saving meanwhile. Only the
    # first statement of a transaction can choose its isolation (inside a test's it is too late).
    connection = connections[using]
    if connection.vendor == "postgresql" and outermost:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def write_backup(output, *, using=DEFAULT_DB_ALIAS):
    """Write the backup to ``output``; returns the manifest. The file appears complete or not at all."""
    output = Path(output)
    outermost = not connections[using].in_atomic_block
    # Translated fields are read and written through the active language: always the default one.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic(using=using):
        _snapshot(using, outermost)
        data = io.StringIO()
        serializers.serialize(
            SERIALIZATION,
            _rows(using),
            use_natural_foreign_keys=True,
            # Primary keys are kept: public URLs carry them (/activities/<id>/, ?unit=<id>), and a
            # restore must not change a bookmarked link (found by the backup test on PostgreSQL).
            use_natural_primary_keys=False,
            stream=data,
        )
        counts = row_counts()
        files = file_names()
    missing = [name for name in files if not default_storage.exists(name)]
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "django": django.get_version(),
        "counts": counts,
        "files": [name for name in files if name not in missing],
        "missing_files": missing,
    }
    # Each member's SHA-256, so that a restore can tell a damaged copy before it changes anything.
    checksums = {f"data.{SERIALIZATION}": hashlib.sha256(data.getvalue().encode()).hexdigest()}
    media = {}
    for name in manifest["files"]:
        with default_storage.open(name, "rb") as handle:
            media[name] = handle.read()
        checksums[f"media/{name}"] = hashlib.sha256(media[name]).hexdigest()
    manifest["sha256"] = checksums
    temporary = output.with_name(f".{output.name}.partial")
    # Password hashes are inside: the file is readable by its owner only.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            _add_bytes(archive, f"data.{SERIALIZATION}", data.getvalue().encode())
            for name in manifest["files"]:
                _add_bytes(archive, f"media/{name}", media[name])
        os.replace(temporary, output)
    finally:
        if temporary.exists():
            temporary.unlink()
    return manifest


def _safe_member_name(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CommandError(f"Rezerves kopijā ir neatļauts ceļš: {name}")
    return path


def flush_database(using=DEFAULT_DB_ALIAS):
    """Empty every table (``manage.py flush``), also inside a transaction that already wrote rows:
    PostgreSQL refuses TRUNCATE while deferred foreign-key checks are pending, so they run first, and
    are deferred again for the load that follows."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, database=using, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def portal_has_data():
    portal_models = [model for model in backed_up_models() if model._meta.app_label in APPS]
    return any(model._default_manager.exists() for model in portal_models)


def _damaged(source, problem):
    return CommandError(
        f"Rezerves kopija {source} ir bojāta vai nepilnīga: {problem}. Nekas nav mainīts; "
        "atjaunojiet no citas kopijas."
    )


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_archive(source, folder):
    """Read the whole archive into ``folder`` and verify it — the compressed stream to its end (a cut
    copy fails its length and CRC), every member's path, the manifest, each file the manifest lists
    and each member's SHA-256 where the manifest has them (backups before checksums have none) —
    before a restore changes anything. Returns the manifest; a damaged archive is a CommandError."""
    try:
        with gzip.open(source, "rb") as stream:
            while stream.read(1 << 20):
                pass
        with tarfile.open(source, mode="r:gz") as archive:
            members = []
            for member in archive.getmembers():
                path = _safe_member_name(member.name)
                if not member.isfile() or not (
                    path.parts[0] == "media" or member.name in ("manifest.json", f"data.{SERIALIZATION}")
                ):
                    raise CommandError(f"Rezerves kopijā ir neparedzēts ieraksts: {member.name}")
                members.append(member)
            archive.extractall(folder, members=members, filter="data")
    except FileNotFoundError as error:
        raise CommandError(f"Nevar atvērt rezerves kopiju {source}: {error}") from error
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        raise _damaged(source, error) from error
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise CommandError("Rezerves kopijā nav derīga manifest.json.") from error
    if manifest.get("format") != FORMAT or not (folder / f"data.{SERIALIZATION}").is_file():
        raise CommandError("Šī nav DDKC portāla rezerves kopija vai tās formāts nav atbalstīts.")
    for name in manifest.get("files", []):
        if not (folder / "media" / _safe_member_name(name)).is_file():
            raise _damaged(source, f"tajā trūkst datnes {name}")
    for member, expected in manifest.get("sha256", {}).items():
        path = folder / _safe_member_name(member)
        if not path.is_file():
            raise _damaged(source, f"tajā trūkst datnes {member.removeprefix('media/')}")
        if _sha256(path) != expected:
            raise _damaged(source, f"datnes {member.removeprefix('media/')} kontrolsumma nesakrīt")
    return manifest


def _put_file(name, source):
    """Store ``source`` under ``name`` in place of the live file: written beside it, then renamed over
    it, so the live file is either the old one or the whole new one."""
    try:
        target = Path(default_storage.path(name))
    except NotImplementedError:  # a storage without local paths
        if default_storage.exists(name):
            default_storage.delete(name)
        with source.open("rb") as handle:
            if default_storage.save(name, File(handle)) != name:
                raise CommandError(f"Datni {name} nevar atjaunot ar tās nosaukumu.") from None
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def restore_backup(source, *, force=False, using=DEFAULT_DB_ALIAS):
    """Load a backup into this database in one transaction; returns the manifest.

    The whole archive is read and verified first (:func:`read_archive`); the evidence files are written
    only after the database transaction went through, so a refused or failed restore leaves every
    live file as it was."""
    with tempfile.TemporaryDirectory(prefix="ddkc-restore-") as folder:
        folder = Path(folder)
        manifest = read_archive(source, folder)
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic(using=using), restoring():
            if portal_has_data():
                if not force:
                    raise CommandError(
                        "Datubāzē jau ir dati. Atjaunošana tos aizstātu; ja tas ir nodoms, palaidiet ar --force."
                    )
                flush_database(using)
            call_command("loaddata", str(folder / f"data.{SERIALIZATION}"), database=using, verbosity=0)
            tallies.rebuild()  # derived from the activities just loaded (loaddata sends raw saves)
            counts = row_counts()
            expected = manifest.get("counts", {})
            differences = {
                label: (expected.get(label, 0), counts.get(label, 0))
                for label in set(expected) | set(counts)
                if expected.get(label, 0) != counts.get(label, 0)
            }
            if differences:
                raise CommandError(f"Pēc atjaunošanas ierakstu skaits neatbilst kopijai: {differences}")
        # The database part went through: now the files, each replaced whole.
        for name in manifest.get("files", []):
            try:
                _put_file(name, folder / "media" / _safe_member_name(name))
            except OSError as error:
                raise CommandError(
                    f"Datubāze ir atjaunota, bet datni {name} nevarēja ierakstīt ({error}). "
                    "Novērsiet cēloni un palaidiet atjaunošanu vēlreiz ar --force."
                ) from error
    return manifest
