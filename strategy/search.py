"""The free-text search of activities: one rule for the public list and the staff admin.

A search is split into terms the way Django's admin splits it (spaces separate terms; "quoted words"
stay one term); an activity is found when every term occurs in its titles, summaries (both languages)
or venue — case-insensitively and *without diacritics* on either side, so ``jauniesu`` finds
``jauniešu``, ``talka`` finds ``Talkā`` and ``talkā`` finds ``Talka``. The list keeps its order
(newest first); a search narrows it, it does not rank it.

Both sides go through the same two database functions, named in SQL so the database can index them:

* ``strategy_activity_search(title_lv, title_en, summary_lv, summary_en, venue)`` — the searched text,
  lower-case and unaccented (the fields joined by new lines, which no search term holds);
* ``strategy_search_term(term)`` — a term, normalised the same way.

On PostgreSQL they are SQL functions over the ``unaccent`` extension, declared IMMUTABLE, and a GIN
trigram index (``pg_trgm``) holds the first — so ``LIKE '%term%'`` reads the index instead of every
activity (migration ``0005_activity_search``). On SQLite they are Python functions registered on each
connection (below): the same results by a slower path, a scan of the activities (README, *Performance
at 100×*).
"""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField, Value
from django.dispatch import receiver
from django.utils.text import smart_split, unescape_string_literal

FIELDS = ("title_lv", "title_en", "summary_lv", "summary_en", "venue")
DOCUMENT_FUNCTION = "strategy_activity_search"
TERM_FUNCTION = "strategy_search_term"
SEPARATOR = "\n"

# A search for more than this is not a search (SQLite refuses LIKE patterns of ~50 000 characters).
QUERY_MAX_LENGTH = 200


class Document(Func):
    """An activity's searched text (the expression the PostgreSQL index holds, exactly)."""

    function = DOCUMENT_FUNCTION
    output_field = TextField()

    def __init__(self):
        super().__init__(*FIELDS)


class Term(Func):
    function = TERM_FUNCTION
    output_field = TextField()

    def __init__(self, term):
        super().__init__(Value(term, output_field=TextField()))


def clean_query(raw):
    """The search as the list shows and links it: trimmed, at most QUERY_MAX_LENGTH characters."""
    return (raw or "").strip()[:QUERY_MAX_LENGTH].strip()


def terms(query):
    """The terms of a search, as Django's admin splits them (``ModelAdmin.get_search_results``)."""
    for bit in smart_split(query):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            yield bit


def search(queryset, query):
    """The activities of ``queryset`` that hold every term of ``query`` (see the module's docstring)."""
    queryset = queryset.alias(search_document=Document())
    for term in terms(clean_query(query)):
        queryset = queryset.filter(search_document__contains=Term(term))
    return queryset


def normalise(text):
    """Lower case, without diacritics: what PostgreSQL's ``unaccent`` + ``lower`` make of Latvian text
    (ā→a, č→c, ē→e, ģ→g, ī→i, ķ→k, ļ→l, ņ→n, š→s, ū→u, ž→z)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def document(*fields):
    return normalise(SEPARATOR.join(field for field in fields if field is not None))


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(TERM_FUNCTION, 1, normalise, deterministic=True)
    connection.connection.create_function(DOCUMENT_FUNCTION, len(FIELDS), document, deterministic=True)
