"""A damaged backup is refused with a Latvian message before anything is written: the live database and
every live evidence file stay as they were, byte for byte.

Tried: an archive cut short (as an interrupted copy leaves it), an evidence file whose bytes differ from
the checksum the manifest recorded, and an evidence file the manifest lists but the archive lacks. And a
sound backup still restores its files — after the database part went through."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from strategy.models import Activity, Evidence
from strategy.workflow import Status
from tests import factories

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 50 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def evidence(activity, name, content):
    record = Evidence(activity=activity, file=SimpleUploadedFile(name, content))
    record.full_clean()
    record.save()
    return record


def live_files():
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


@pytest.fixture
def backup(db, tmp_path):
    """A backup of two approved activities with an evidence file each; then the live portal moved on
    (a new activity), so a refused restore that rolled back can be told from one that never ran."""
    first = factories.activity(title_lv="Pirms kopijas", status=Status.APPROVED)
    evidence(first, "saraksts.pdf", PDF)
    evidence(factories.activity(title_lv="Otra", status=Status.APPROVED), "foto.png", PNG)
    output = tmp_path / "ddkc.tar.gz"
    call_command("backup", output=str(output))
    factories.activity(title_lv="Pēc kopijas")
    return output


def rewrite(source, target, change):
    """A copy of the archive with ``change(name, data)`` applied to each member (None drops it)."""
    with tarfile.open(source) as original, tarfile.open(target, "w:gz") as copy:
        for member in original.getmembers():
            data = change(member.name, original.extractfile(member).read())
            if data is None:
                continue
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def media_members(archive):
    with tarfile.open(archive) as source:
        return [name for name in source.getnames() if name.startswith("media/")]


def assert_nothing_changed(before_files):
    assert live_files() == before_files
    assert sorted(Activity.objects.values_list("title_lv", flat=True)) == [
        "Otra",
        "Pirms kopijas",
        "Pēc kopijas",
    ]


def restore_fails(archive):
    before = live_files()
    assert len(before) == 2
    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(archive), force=True)
    assert_nothing_changed(before)
    return str(refusal.value)


def test_a_truncated_archive_is_refused_and_every_live_file_stays(backup, tmp_path):
    data = backup.read_bytes()
    for length in (len(data) // 2, len(data) - 40):
        cut = tmp_path / f"cut-{length}.tar.gz"
        cut.write_bytes(data[:length])
        message = restore_fails(cut)
        assert "bojāta vai nepilnīga" in message, message


def test_a_file_whose_bytes_do_not_match_its_checksum_is_refused(backup, tmp_path):
    target = media_members(backup)[-1]
    # A flipped byte in the last evidence file: the archive itself is well-formed.
    tampered = rewrite(
        backup,
        tmp_path / "tampered.tar.gz",
        lambda name, data: data[:-2] + b"X\n" if name == target else data,
    )
    message = restore_fails(tampered)
    assert "kontrolsumma" in message and target.removeprefix("media/") in message, message


def test_a_file_the_manifest_lists_but_the_archive_lacks_is_refused(backup, tmp_path):
    missing = media_members(backup)[-1]
    broken = rewrite(
        backup, tmp_path / "missing.tar.gz", lambda name, data: None if name == missing else data
    )
    message = restore_fails(broken)
    assert "trūkst" in message and missing.removeprefix("media/") in message, message


def test_a_manifest_that_does_not_match_the_data_leaves_every_live_file(backup, tmp_path):
    def more_rows(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["counts"]["strategy.activity"] += 1
        return json.dumps(manifest).encode()

    message = restore_fails(rewrite(backup, tmp_path / "counts.tar.gz", more_rows))
    assert "ierakstu skaits neatbilst" in message


def test_a_sound_backup_restores_the_files_it_holds(backup):
    saved = live_files()
    # The live portal lost the files since the backup (a disk replaced): the restore brings them back.
    for name in saved:
        (Path(settings.MEDIA_ROOT) / name).unlink()
    call_command("restore", str(backup), force=True)
    assert live_files() == saved
    assert sorted(Activity.objects.values_list("title_lv", flat=True)) == ["Otra", "Pirms kopijas"]
