"""Where an import keeps the uploaded file between its preview and its confirmation, and for how long.

django-import-export writes the upload to a temporary file at the preview and removes it when the import
is confirmed. A preview never confirmed, one whose rows had errors, or an import interrupted half-way
would leave that file (a spreadsheet of the staff's records) in the temporary folder forever. Here the
files live in a folder of their own (IMPORT_TEMP_DIR), and :func:`remove_stale` removes every file there
older than :func:`max_age` — the time a preview can still be confirmed (SESSION_COOKIE_AGE, 8 hours) and
never more than 23 hours: each new preview sweeps the folder, and the `cleanup` command, run every hour by
docs/ddkc-cleanup.timer, does it when nobody imports. No preview file outlives a day."""

import contextlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage

PREFIX = "import-"
LONGEST = 23 * 60 * 60


def folder():
    path = Path(settings.IMPORT_TEMP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def max_age():
    """Seconds a preview's file is kept: as long as its confirmation is accepted, at most 23 hours."""
    return min(settings.SESSION_COOKIE_AGE, LONGEST)


def remove_stale(now=None):
    """Remove the files of the import folder older than :func:`max_age`; returns their names."""
    cutoff = (time.time() if now is None else now) - max_age()
    removed = []
    with os.scandir(folder()) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                try:
                    os.remove(entry.path)
                except FileNotFoundError:  # another process removed it first
                    continue
                removed.append(entry.name)
    return sorted(removed)


class ImportFileStorage(TempFolderStorage):
    """django-import-export's temporary file storage (IMPORT_EXPORT_TMP_STORAGE_CLASS), in the import
    folder; a new preview first sweeps the folder of abandoned ones."""

    def get_full_path(self):
        # The name travels through the confirmation form: only its last part is ever used.
        return str(folder() / os.path.basename(self.name))

    def _open(self, mode="r"):
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)  # noqa: SIM115 - the caller closes it
        remove_stale()
        handle = tempfile.NamedTemporaryFile(dir=folder(), prefix=PREFIX, delete=False)  # noqa: SIM115
        self.name = os.path.basename(handle.name)
        return handle

    def remove(self):
        with contextlib.suppress(FileNotFoundError):  # already swept
            os.remove(self.get_full_path())
