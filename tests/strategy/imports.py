"""Helpers of the import tests: files written as staff write them and the admin's two steps."""

import csv
import io

from django.urls import reverse
from import_export.formats.base_formats import XLSX
from openpyxl import Workbook

from strategy.importing.formats import LatvianCSV


def csv_file(header, *rows):
    """A CSV as Excel in Latvian saves it: `;` between columns, UTF-8 with a BOM."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_file(header, *rows):
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dataset(data):
    """The data of a file of either kind, read as the import reads it."""
    return (XLSX() if data[:2] == b"PK" else LatvianCSV()).create_dataset(data)


def import_url(model, step="import"):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{step}")


def preview(client, model, data, name=None):
    """The import's first step: upload, check, show what would be imported."""
    name = name or ("dati.xlsx" if data[:2] == b"PK" else "dati.csv")
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        import_url(model),
        {"format": "1" if name.endswith(".xlsx") else "0", "resource": "0", "import_file": upload},
    )


def confirm(client, model, response, **changes):
    """The second step: the confirmation form exactly as the preview page offered it."""
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields} | changes
    return client.post(import_url(model, "process_import"), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]
