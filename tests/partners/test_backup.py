"""Backup and restore: restoring into an empty database gives back the same data, files and pages."""

import io
import json
import tarfile

import pytest
from django.core import serializers
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from partners.backup import backed_up_models
from partners.models import LAG
from strategy.models import Activity, Evidence
from strategy.workflow import Status
from tests import factories

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def content():
    """Every backed-up model's rows, serialised by natural key where there is one, so that a restore
    that gives rows new surrogate keys still compares equal."""
    result = {}
    # A translated field's plain name reads the active language: compare in one fixed language.
    with translation.override("lv"):
        for model in backed_up_models():
            rows = serializers.serialize(
                "python",
                model._default_manager.order_by("pk"),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
            result[model._meta.label_lower] = sorted(
                json.dumps(row, sort_keys=True, default=str) for row in rows
            )
    return result


def public_pages(client):
    cache.clear()
    return {url: client.get(url).content.decode() for url in ("/lv/", "/en/")}


def test_backup_then_restore_into_an_empty_database_gives_identical_data_files_and_pages(
    client, demo, tmp_path
):
    activity = Activity.objects.approved().first()
    evidence = Evidence(activity=activity, file=SimpleUploadedFile("Dalībnieku saraksts.pdf", PDF))
    evidence.full_clean()
    evidence.save()
    before_content, before_pages = content(), public_pages(client)
    assert before_content["strategy.activity"]
    assert before_content["partners.user"]

    output = tmp_path / "ddkc.tar.gz"
    call_command("backup", output=str(output), stdout=None)
    assert output.stat().st_mode & 0o077 == 0  # password hashes inside: owner only
    with tarfile.open(output) as archive:
        assert f"media/{evidence.file.name}" in archive.getnames()

    call_command("flush", interactive=False, verbosity=0)
    evidence.file.storage.delete(evidence.file.name)
    assert not LAG.objects.exists()
    call_command("restore", str(output), verbosity=0)

    assert content() == before_content
    assert public_pages(client) == before_pages
    restored = Evidence.objects.get(pk=evidence.pk)
    assert restored.file.read() == PDF
    response = client.get(f"/evidence/activity/{restored.pk}/")
    assert b"".join(response.streaming_content) == PDF


def test_restore_refuses_a_database_with_data_unless_forced(db, tmp_path):
    factories.activity(title_lv="Pirms kopijas", status=Status.APPROVED)
    output = tmp_path / "ddkc.tar.gz"
    call_command("backup", output=str(output))
    factories.activity(title_lv="Pēc kopijas")

    with pytest.raises(CommandError, match="Datubāzē jau ir dati"):
        call_command("restore", str(output))
    assert Activity.objects.count() == 2

    call_command("restore", str(output), force=True)
    assert list(Activity.objects.values_list("title_lv", flat=True)) == ["Pirms kopijas"]


def test_restore_is_all_or_nothing(db, tmp_path):
    factories.activity(title_lv="Pirms kopijas")
    output = tmp_path / "ddkc.tar.gz"
    call_command("backup", output=str(output))
    # A tampered copy: the data no longer matches its manifest's row counts.
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(output) as source, tarfile.open(broken, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["counts"]["strategy.activity"] += 1
                data = json.dumps(manifest).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="ierakstu skaits neatbilst"):
        call_command("restore", str(broken))
    assert not Activity.objects.exists()
    assert not LAG.objects.exists()


def test_restore_refuses_paths_outside_its_folder(db, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        info = tarfile.TarInfo("media/../../escape.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="neatļauts ceļš"):
        call_command("restore", str(evil))
    assert not (tmp_path / "escape.txt").exists()
