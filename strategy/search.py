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
connection (below), and an FTS5 table with the trigram tokenizer holds every activity's searched text,
normalised, kept equal to the activities by triggers (``ensure_sqlite_index``): the same substring
semantics, read from SQLite's own index.
"""

import re
import unicodedata

from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.utils.text import smart_split, unescape_string_literal

FIELDS = ("title_lv", "title_en", "summary_lv", "summary_en", "venue")
DOCUMENT_FUNCTION = "strategy_activity_search"
TERM_FUNCTION = "strategy_search_term"
SEPARATOR = "\n"
FTS_TABLE = "strategy_activity_fts"

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
    if connections[queryset.db].vendor == "sqlite":
        for term in terms(clean_query(query)):
            queryset = queryset.filter(pk__in=RawSQL(*_sqlite_lookup(term)))
        return queryset
    queryset = queryset.alias(search_document=Document())
    for term in terms(clean_query(query)):
        queryset = queryset.filter(search_document__contains=Term(term))
    return queryset


def _sqlite_lookup(term):
    """The ids of the activities whose searched text holds ``term``, from SQLite's FTS5 table: its
    trigram index finds a term of 3 or more letters (a phrase: the trigrams in a row, i.e. the exact
    substring); a shorter one is looked for in the table's normalised copy of the text (a scan, but of
    stored text: no function call per activity)."""
    term = normalise(term)
    if len(term) >= 3:
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [
            '"' + term.replace('"', '""') + '"'
        ]
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return f"SELECT rowid FROM {FTS_TABLE} WHERE document LIKE %s ESCAPE '\\'", [pattern]


def ensure_sqlite_index(connection, *, only_triggers=False):
    """SQLite's search table (FTS5, trigram tokenizer) and the triggers that keep it equal to the
    activities on every insert, update and delete, whoever writes (the ORM, bulk writes, raw SQL). Run
    by migration 0005 and after every ``migrate``: SQLite rebuilds a table a migration alters, and the
    triggers go with the old table — here they come back (the ids, and so the table's rows, stay)."""
    if connection.vendor != "sqlite":
        return
    exists = FTS_TABLE in connection.introspection.table_names()
    if only_triggers and not exists:
        return  # migration 0005 is not applied
    document = f"{DOCUMENT_FUNCTION}({', '.join('new.' + field for field in FIELDS)})"
    with connection.cursor() as cursor:
        if not exists:
            cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(document, tokenize='trigram')")
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, document) SELECT id, {DOCUMENT_FUNCTION}({', '.join(FIELDS)}) "
                "FROM strategy_activity"
            )
        cursor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON strategy_activity BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (new.id, {document}); END"
        )
        cursor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF {', '.join(FIELDS)} "
            f"ON strategy_activity BEGIN UPDATE {FTS_TABLE} SET document = {document} WHERE rowid = new.id; END"
        )
        cursor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON strategy_activity BEGIN "
            f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
        )


# Combining diacritical marks, as a decomposition (NFKD) leaves them after their letters. Decomposing and
# deleting them are both done in C: SQLite calls normalise() once per activity a search reads.
_MARKS = re.compile("[\u0300-\u036f]")


def normalise(text):
    """Lower case, without diacritics: what PostgreSQL's ``unaccent`` + ``lower`` make of Latvian text
    (ā→a, č→c, ē→e, ģ→g, ī→i, ķ→k, ļ→l, ņ→n, š→s, ū→u, ž→z)."""
    if text is None:
        return None
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))


def document(*fields):
    return normalise(SEPARATOR.join(field for field in fields if field is not None))


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(TERM_FUNCTION, 1, normalise, deterministic=True)
    connection.connection.create_function(DOCUMENT_FUNCTION, len(FIELDS), document, deterministic=True)


def drop_sqlite_index(connection):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for trigger in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def restore_sqlite_triggers(using, **kwargs):
    """After ``migrate`` (post_migrate): the triggers, should a rebuilt table have lost them."""
    ensure_sqlite_index(connections[using], only_triggers=True)
