"""Backup and restore: restoring into an empty database gives back the same data, files, pages and
annual reports (the stored PDF, its SHA-256, and the same bytes when rendered again)."""

import hashlib
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from indicators.backup import backed_up_models, flush_database
from indicators.models import Report, YearSnapshot
from indicators.yearend.pdf import render_pdf, stored_report
from indicators.yearend.services import close_year
from partners import roles
from partners.models import LAG
from strategy.models import Activity, Evidence
from strategy.workflow import Status
from tests import factories

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def natural_keys():
    """pk → natural key of every row of every model that has natural keys (one query per model)."""
    result = {}
    for model in apps.get_models():
        if hasattr(model, "natural_key"):
            related = [f.name for f in model._meta.concrete_fields if f.is_relation]
            rows = model._default_manager.select_related(*related)
            result[model] = {row.pk: row.natural_key() for row in rows}
    return result


def content():
    """Every backed-up table's rows (M2M tables included) with foreign keys replaced by the natural keys
    of their targets and without the surrogate keys of natural-key rows: a restore that gives such rows
    new ids still compares equal, and any other change does not."""
    keys = natural_keys()
    tables = []
    for model in backed_up_models():
        tables.append(model)
        tables += [f.remote_field.through for f in model._meta.local_many_to_many]
    result = {}
    # A translated field's plain name reads the active language: compare in one fixed language.
    with translation.override("lv"):
        for model in tables:
            rows = []
            for row in model._default_manager.values():
                for field in model._meta.concrete_fields:
                    target = field.related_model
                    if field.is_relation and target in keys and row[field.attname] is not None:
                        row[field.attname] = keys[target][row[field.attname]]
                if model in keys or model._meta.auto_created:
                    del row[model._meta.pk.attname]
                rows.append(json.dumps(row, sort_keys=True, default=str))
            result[model._meta.label_lower] = sorted(rows)
    return result


PAGES = (
    "/lv/",
    "/en/",
    "/lv/indicators/",
    "/lv/indicators/?year=2024",
    "/en/indicators/K3/",
    "/lv/indicators/K1/records/?year=2024",
    "/lv/activities/",
    "/lv/reports/",
    "/lv/open-data/indicator-figures.csv",
)


def public_pages(client):
    cache.clear()
    return {url: _body(client.get(url)).decode() for url in PAGES}


def _body(response):
    # an open-data file is sent from disk (a FileResponse), a page as a whole
    return response.getvalue() if response.streaming else response.content


def test_backup_then_restore_into_an_empty_database_gives_identical_data_files_pages_and_reports(
    client, demo, tmp_path
):
    activity = Activity.objects.approved().first()
    evidence = Evidence(activity=activity, file=SimpleUploadedFile("Programma.pdf", PDF), publishable=True)
    evidence.full_clean()
    evidence.save()
    # The board closed 2024 and downloaded its report: a frozen snapshot and a stored PDF with its hash.
    snapshot = close_year(year=2024, by=factories.user(role=roles.BOARD))
    report = stored_report(snapshot, language="lv")
    report_bytes = report.file.read()
    assert hashlib.sha256(report_bytes).hexdigest() == report.sha256
    before_content, before_pages = content(), public_pages(client)
    assert report.sha256 in before_pages["/lv/reports/"]
    assert before_content["strategy.activity"]
    assert before_content["partners.user"]

    output = tmp_path / "ddkc.tar.gz"
    call_command("backup", output=str(output), stdout=None)
    assert output.stat().st_mode & 0o077 == 0  # password hashes inside: owner only
    with tarfile.open(output) as archive:
        assert f"media/{evidence.file.name}" in archive.getnames()

    with tarfile.open(output) as archive:
        assert f"media/{report.file.name}" in archive.getnames()

    flush_database()
    evidence.file.storage.delete(evidence.file.name)
    report.file.storage.delete(report.file.name)
    assert not LAG.objects.exists()
    call_command("restore", str(output), verbosity=0)

    assert content() == before_content
    assert public_pages(client) == before_pages
    # The stored report: the same row, hash and bytes…
    restored_report = Report.objects.get(pk=report.pk)
    assert restored_report.sha256 == report.sha256
    assert restored_report.file.read() == report_bytes
    # …and rendered again from the restored snapshot, the very same bytes (the snapshot keeps its time).
    restored_snapshot = YearSnapshot.objects.get(pk=snapshot.pk)
    assert restored_snapshot.data == snapshot.data
    again = render_pdf(restored_snapshot.data, language="lv", created_at=restored_snapshot.created_at)
    assert hashlib.sha256(again).hexdigest() == report.sha256
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
    flush_database()
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
