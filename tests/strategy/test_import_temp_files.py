"""An import's uploaded file lives in the portal's import folder only as long as its preview can be
confirmed: a confirmed import removes it, and previews never confirmed (or imports interrupted) are
removed once older than the session (8 hours), never later than a day — by the next preview or by the
hourly `cleanup` command. Files outside the import folder are never touched."""

import os
import time

import pytest
from django.core.management import call_command
from django.test import Client

from partners import roles
from partners.models import LAG
from strategy.models import Activity
from tests import factories

from .imports import confirm, csv_file, preview

HOUR = 60 * 60


@pytest.fixture(autouse=True)
def import_folder(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = tmp_path / "imports"
    return settings.IMPORT_TEMP_DIR


@pytest.fixture
def editor_client(strategy):
    client = Client()
    client.force_login(factories.user(role=roles.EDITOR, lag=LAG.objects.get(slug="kaimini")))
    return client


def aged(path, hours):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"VRG;nosaukums\r\nKAIMINI;Talka\r\n")
    moment = time.time() - hours * HOUR
    os.utime(path, (moment, moment))
    return path


def files(folder):
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


DATA = csv_file(
    ["VRG", "nosaukums", "sākuma datums", "veids"], ["KAIMINI", "Talka", "05.03.2024", "clean_up"]
)


def test_a_preview_keeps_its_file_in_the_import_folder_until_it_is_confirmed(editor_client, import_folder):
    response = preview(editor_client, Activity, DATA)
    assert response.status_code == 200
    assert len(files(import_folder)) == 1
    confirm(editor_client, Activity, response)
    assert Activity.objects.filter(title_lv="Talka").exists()
    assert files(import_folder) == []


def test_cleanup_removes_previews_older_than_the_session_and_keeps_fresh_ones(import_folder, tmp_path):
    aged(import_folder / "import-abandoned", hours=25)
    aged(import_folder / "import-yesterday", hours=9)
    aged(import_folder / "import-interrupted", hours=8.5)
    aged(import_folder / "import-this-morning", hours=2)
    aged(import_folder / "import-just-now", hours=0)
    outside = aged(tmp_path / "someone-elses-file", hours=48)

    call_command("cleanup", verbosity=0)

    assert files(import_folder) == ["import-just-now", "import-this-morning"]
    assert outside.exists()


def test_no_preview_outlives_a_day_even_with_long_sessions(settings, import_folder):
    settings.SESSION_COOKIE_AGE = 7 * 24 * HOUR
    aged(import_folder / "import-old", hours=24)
    aged(import_folder / "import-fresh", hours=20)
    call_command("cleanup", verbosity=0)
    assert files(import_folder) == ["import-fresh"]


def test_a_new_preview_removes_abandoned_previews(editor_client, import_folder):
    aged(import_folder / "import-abandoned", hours=25)
    response = preview(editor_client, Activity, DATA)
    assert response.status_code == 200
    remaining = files(import_folder)
    assert len(remaining) == 1 and remaining != ["import-abandoned"]
