"""Files built once per data version and kept on disk (the open data): ``OPEN_DATA_ROOT/<version>/<name>``.

A file is built on its first request after a data change and then served from disk as it is, so a repeated
request costs a file open instead of a build. Building:

* under an exclusive lock on ``<name>.lock`` (``fcntl.flock``): two concurrent first requests do not both
  build — the second waits for the first and then serves its file;
* into a temporary name in the same folder, renamed into place when complete (``os.replace`` is atomic), so
  no request ever serves half a file, and a failed build leaves nothing behind;
* after which, if the version is still the current one, the folders of other (old) versions are
  removed — except one whose build is still running (its lock is held), and the one holding the newest
  copy of a file the current version has not built yet (:func:`newest_earlier` serves it meanwhile). A
  request still sending an old file keeps its open file: removing a name does not take the data away from
  an open descriptor. ``manage.py cleanup`` removes them too.

The locks are per machine: several machines serving from one shared folder may each build a file once,
and each renames a complete file into place, so the result is still one correct file."""

import fcntl
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

# A version is a hex uuid (partners.public_cache); a name is built by the caller from checked parts.
SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def root():
    return Path(settings.OPEN_DATA_ROOT)


def path(version, name):
    if not SAFE.fullmatch(version) or not SAFE.fullmatch(name):
        raise ValueError(f"unsafe stored file name: {version!r}/{name!r}")
    return root() / version / name


@contextmanager
def _locked(lock_path, *, blocking=True):
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def stored(version, name, build, current=None):
    """The path of the file ``name`` of data version ``version``, built first by ``build(path)`` if it
    is not there yet. ``build`` writes the whole file to the path it is given. After a build, if
    ``version`` is still ``current()`` (a build for a version the data has since left must not remove
    the newer one's files), the other versions' folders are removed."""
    target = path(version, name)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f"{name}.lock"):
        if target.exists():  # built by the request we waited for
            return target
        target.parent.mkdir(parents=True, exist_ok=True)  # an old version's folder may have been removed
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".tmp")
        os.close(handle)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep the file from a web server of another user
        try:
            build(Path(temporary))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    if current is None or current() == version:
        remove_old(version)
    return target


def newest_earlier(name, current):
    """``(version, path)`` of the newest complete copy of ``name`` in a version other than ``current``, or
    None: what a request may be sent while the current version's copy is still to be built."""
    copies = []
    for folder in _folders(current):
        candidate = folder / name
        try:
            copies.append((candidate.stat().st_mtime, folder.name, candidate))
        except FileNotFoundError:
            continue
    if not copies:
        return None
    _mtime, version, found = max(copies)
    return version, found


def remove_old(current):
    """Remove the folders of every version but ``current``, unless a build in one is still running or it
    holds the newest copy of a file ``current`` has not built yet (at most one folder per name is kept
    so). Returns the removed folders."""
    removed = []
    folders = _folders(current)
    current_folder = root() / current
    kept = set()
    names = {entry.name for folder in folders for entry in _entries(folder) if _is_file(entry)}
    for name in names:
        if not (current_folder / name).exists():
            newest = newest_earlier(name, current)
            if newest is not None:
                kept.add(newest[0])
    for folder in folders:
        if folder.name in kept or _building(folder):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _folders(current):
    try:
        return [entry for entry in root().iterdir() if entry.is_dir() and entry.name != current]
    except FileNotFoundError:
        return []


def _entries(folder):
    try:
        return list(folder.iterdir())
    except FileNotFoundError:  # removed by another process meanwhile
        return []


def _is_file(entry):
    """A stored file: not a lock, not a build's temporary file."""
    return entry.is_file() and not entry.name.startswith(".") and not entry.name.endswith(".lock")


def _building(folder):
    for lock_path in folder.glob("*.lock"):
        try:
            with _locked(lock_path, blocking=False) as acquired:
                if not acquired:
                    return True
        except FileNotFoundError:
            continue
    return False
