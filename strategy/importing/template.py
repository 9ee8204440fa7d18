"""The import template: an XLSX with the columns to fill, each explained, and how to import."""

import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from import_export.formats import base_formats


def import_template_response(resource, filename):
    """An XLSX with the columns to fill on the first sheet and each column explained on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    data = book.active
    data.title = _("Dati")
    columns = [field for field in resource.get_export_fields() if not field.export_only]
    data.append([field.column_name for field in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for index, field in enumerate(columns, start=1):
        data.column_dimensions[data.cell(row=1, column=index).column_letter].width = max(
            12, min(40, len(field.column_name) + 4)
        )
    docs = book.create_sheet(_("Kolonnas"))
    docs.append([_("Kolonna"), _("Obligāta"), _("Ko rakstīt"), _("Piemērs")])
    for cell in docs[1]:
        cell.font = Font(bold=True)
    for field in resource.get_export_fields():
        docs.append(
            [
                field.column_name,
                _("tikai eksportā") if field.export_only else (_("jā") if field.required else _("nē")),
                str(field.doc),
                str(field.example),
            ]
        )
    for row in docs.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (28, 14, 90, 30), strict=True):
        docs.column_dimensions[letter].width = width
    general = book.create_sheet(_("Kā importēt"))
    for line in resource.general_notes():
        general.append([str(line)])
    general.column_dimensions["A"].width = 120
    for sheet_title, values in resource.value_lists():
        sheet = book.create_sheet(sheet_title)
        for value_row in values:
            sheet.append([str(v) for v in value_row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for letter in "ABC":
            sheet.column_dimensions[letter].width = 40
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=base_formats.XLSX.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


GENERAL_NOTES = [
    _("Aizpildiet lapu «Dati»: viena rinda — viens ieraksts. Pirmajā rindā paliek kolonnu nosaukumi."),
    _(
        "Saglabājiet kā XLSX vai CSV. CSV var būt ar semikolu (;) vai komatu (,) starp kolonnām, kodējumā UTF-8 vai Windows-1257."
    ),
    _(
        "Skaitļi: 2 899 408,11 vai 2899408.11 (tūkstošus drīkst atdalīt ar atstarpi). Datumi: 05.03.2024 vai 2024-03-05."
    ),
    _("Vairākas vērtības vienā šūnā (pagasti, prioritātes) atdaliet ar semikolu vai komatu."),
    _(
        "Importa pirmais solis tikai pārbauda datni un parāda kļūdas pa rindām un kolonnām; rindu numuri ir tādi paši kā izklājlapā."
    ),
    _("Ja kaut vienā rindā ir kļūda, netiek ierakstīts nekas. Izlabojiet datni un augšupielādējiet vēlreiz."),
    _(
        "Importētie ieraksti ir melnraksti: tos iesniedz apstiprināšanai sarakstā ar darbību «Iesniegt apstiprināšanai»."
    ),
    _("Importēt var tikai savas VRG ierakstus. Kolonna «VRG» var palikt tukša: tad ieraksts ir jūsu VRG."),
]
