"""Spreadsheet import and export of LAG-owned workflow records, as Latvian spreadsheets really come.

- Files: CSV with ``;`` or ``,`` between columns, in UTF-8 (with or without BOM) or Windows-1257; XLSX.
- Numbers: decimal comma or point, thousands grouped with spaces or non-breaking spaces
  ("2 899 408,11"); dates as 2024-03-05 or 05.03.2024 (or real date cells in XLSX).
- References by natural keys (LAG code, activity type code, parish or town name, priority number,
  indicator code), resolved from lookups loaded once per file: no query per row.
- Every problem is a row error named by its column, in Latvian; the admin writes nothing unless
  every row is valid. Staff import only into their own LAG (:mod:`strategy.permissions`).
- Rows are written in bulk, with their many-to-many links, funding lines and change history.
- A row is matched with the stored records first: one already in the portal is not created again,
  one equal to its record is not written; the preview shows each row as read and what will happen.
- The confirmation writes what the preview showed or nothing (the records' versions, row locks).
- Reading is bounded by the IMPORT_MAX_* settings, checked before the work they bound.

Modules: ``formats`` (reading and writing files, the limits), ``widgets`` (cells), ``resources`` (the
resource base: columns, matching, bulk writes), ``preview`` (outcomes, preview cells, signed
versions), ``template`` (the import template workbook).
"""
