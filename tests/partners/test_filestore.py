"""Files built once per data version: two concurrent first requests build once, a failed build leaves
nothing, and a new version's build removes the old versions' files — but not one still being built."""

import threading
import time

import pytest
from django.core.management import call_command

from partners import filestore
from partners.public_cache import data_version


@pytest.fixture
def root(settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path
    return tmp_path


def test_two_concurrent_first_requests_build_the_file_once(root):
    builds = []

    def build(path):
        builds.append(path)
        time.sleep(0.3)  # long enough for the other request to arrive while this one builds
        path.write_text("whole file")

    paths = []
    threads = [
        threading.Thread(target=lambda: paths.append(filestore.stored("v1", "a.csv", build))) for _ in "ab"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert paths == [root / "v1" / "a.csv"] * 2
    assert paths[0].read_text() == "whole file"


def test_a_failed_build_leaves_no_file(root):
    def build(path):
        path.write_text("half a fi")
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        filestore.stored("v1", "a.csv", build)
    assert [p.name for p in (root / "v1").iterdir()] == ["a.csv.lock"]


def test_a_new_version_removes_the_old_files_but_not_one_being_built(root):
    filestore.stored("old", "a.csv", lambda path: path.write_text("old"))
    started, finish = threading.Event(), threading.Event()

    def slow(path):
        started.set()
        finish.wait(5)
        path.write_text("still building")

    def current():
        return "new"

    # a build of a version the data has since left (a request that started before the change)
    building = threading.Thread(target=lambda: filestore.stored("busy", "a.csv", slow, current))
    building.start()
    started.wait(5)
    filestore.stored("new", "a.csv", lambda path: path.write_text("new"), current)
    assert not (root / "old").exists()
    assert (root / "busy").exists()
    finish.set()
    building.join()
    # … finishing later does not remove the current version's file
    assert (root / "new" / "a.csv").read_text() == "new"
    assert filestore.remove_old("new") == [root / "busy"]


def test_a_name_cannot_leave_the_folder(root):
    for version, name in (("..", "a.csv"), ("v1", "../a.csv"), ("v1", "a/b.csv"), ("v1", "")):
        with pytest.raises(ValueError):
            filestore.path(version, name)


def test_the_hourly_cleanup_removes_old_versions_files(root):
    current = data_version()
    for version in ("old", current):
        filestore.stored(version, "a.csv", lambda path: path.write_text("x"))
    (root / "old").mkdir(exist_ok=True)
    (root / "old" / "b.csv").write_text("x")
    call_command("cleanup", verbosity=0)
    # b.csv's newest copy is kept until the current version has its own (see the test below)
    assert sorted(p.name for p in root.iterdir()) == sorted(["old", current])
    filestore.stored(current, "b.csv", lambda path: path.write_text("y"))
    call_command("cleanup", verbosity=0)
    assert [p.name for p in root.iterdir()] == [current]


def test_the_newest_copy_of_a_file_the_current_version_lacks_is_kept_and_found(root):
    """The activity files at 100× are sent from the newest earlier copy until the timer builds the current
    one: building another file for the current version must not remove that copy, and only the newest
    copy of a name is kept."""
    filestore.stored("v1", "activities.csv", lambda path: path.write_text("v1"))
    time.sleep(0.01)
    filestore.stored("v2", "activities.csv", lambda path: path.write_text("v2"))
    filestore.stored("v3", "territory.csv", lambda path: path.write_text("t3"))
    assert not (root / "v1").exists()  # not the newest copy of anything
    assert filestore.newest_earlier("activities.csv", "v3") == ("v2", root / "v2" / "activities.csv")
    filestore.stored("v3", "activities.csv", lambda path: path.write_text("v3"))
    assert not (root / "v2").exists()
    assert filestore.newest_earlier("activities.csv", "v3") is None
