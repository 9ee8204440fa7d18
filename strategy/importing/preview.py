"""What the preview shows and the confirmation carries: each row's outcome, the cells as read, the signed versions seen."""

from django.core import signing
from import_export import results

# What happens to a valid row, as the preview and the success message name it: a new record, an
# update of the record whose id the row carries, a row that is already in the portal (matched by the
# record's natural key: nothing is created), and a row equal to its record (nothing is written).
NEW, UPDATE, EXISTS, UNCHANGED = "new", "update", "exists", "unchanged"
OUTCOMES = (NEW, UPDATE, EXISTS, UNCHANGED)


class PreviewCell:
    """One cell of the preview as the portal read it: ``text``, a smaller ``detail`` below it, and
    ``before``: the stored text it replaces (an update) or differs from (a row already in the
    portal), or None."""

    __slots__ = ("text", "detail", "before", "css")

    def __init__(self, text, detail="", before=None, css=""):
        self.text = text
        self.detail = detail
        self.before = before
        self.css = css

    def __str__(self):
        return "\n".join(part for part in (self.text, self.detail) if part)


class ImportResult(results.Result):
    """django-import-export's result, with the portal's four outcomes and the preview's columns."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = dict.fromkeys(OUTCOMES, 0)
        self.preview_headers = []

    def increment_row_result_total(self, row_result):
        super().increment_row_result_total(row_result)
        if getattr(row_result, "outcome", None) in self.outcomes:
            self.outcomes[row_result.outcome] += 1

    @property
    def writes(self):
        """How many rows the confirmation would write."""
        return self.outcomes[NEW] + self.outcomes[UPDATE]

    def preview_versions(self):
        """{id: version} of every record a row names by its id, as this (preview) import saw it."""
        return {
            row.existing_id: row.seen_version
            for row in self.rows
            if getattr(row, "seen_version", None) is not None
        }


PREVIEW_SALT = "strategy.importing.preview"


def sign_preview(versions, file_name):
    """The versions a preview saw, for the confirmation form: signed, so they cannot be edited."""
    return signing.dumps(
        {"file": file_name, "versions": {str(pk): version for pk, version in versions.items()}},
        salt=PREVIEW_SALT,
        compress=True,
    )


def unsign_preview(value, file_name, max_age):
    """The versions :func:`sign_preview` signed for this file; ValueError when they are not that."""
    try:
        payload = signing.loads(value or "", salt=PREVIEW_SALT, max_age=max_age)
    except signing.BadSignature:
        raise ValueError("not a preview of this portal") from None
    if payload.get("file") != file_name:
        raise ValueError("a preview of another file")
    return {int(pk): int(version) for pk, version in payload["versions"].items()}
