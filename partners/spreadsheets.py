"""Cells a spreadsheet would run as a formula, made harmless — one rule for every export the portal
writes (open data, the admin's CSV/XLSX export of activities and measurements).

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or with a tab or carriage return, which
some spreadsheets skip before looking for those) is a formula to Excel and LibreOffice: a title
``=HYPERLINK("http://…")`` entered by anyone would become a live link or a command in the board's
spreadsheet. Such a cell is written with a leading apostrophe, which spreadsheets show as text.
A negative number written as text (``-12.50``, ``-12,50``) is what it says and stays as it is.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")


def neutralise(value):
    """A text cell a spreadsheet would evaluate becomes text; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value):
    """The text a neutralised cell stood for (for importing a file the portal exported)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
