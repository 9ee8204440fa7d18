"""The activity search's index (``strategy.search``) on each database, and the staff list's index.

PostgreSQL: the ``unaccent`` and ``pg_trgm`` extensions, the two IMMUTABLE SQL functions the search
calls (schema-qualified, so a restore with an empty search_path rebuilds the index) and a GIN trigram
index over the searched text. SQLite has neither extension: its functions are registered on each
connection in Python, and it gets an FTS5 trigram table kept in sync by triggers
(``strategy.search.ensure_sqlite_index``). Each part runs on its own database only (the extension
operations skip other databases themselves).
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.strategy_search_term(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
CREATE OR REPLACE FUNCTION public.strategy_activity_search(text, text, text, text, text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, concat_ws(E'\n', $1, $2, $3, $4, $5))) $$;
CREATE INDEX activity_search_trgm ON strategy_activity
    USING gin (public.strategy_activity_search(title_lv, title_en, summary_lv, summary_en, venue) gin_trgm_ops);
ANALYZE strategy_activity;
"""

DROP = """
DROP INDEX IF EXISTS activity_search_trgm;
DROP FUNCTION IF EXISTS public.strategy_activity_search(text, text, text, text, text);
DROP FUNCTION IF EXISTS public.strategy_search_term(text);
"""


class OnPostgreSQLOnly:
    """Django's extension operations skip other databases going forwards but not backwards (a migration
    test stepping back over this one on SQLite asked SQLite for pg_extension)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Unaccent(OnPostgreSQLOnly, UnaccentExtension):
    pass


class Trigram(OnPostgreSQLOnly, TrigramExtension):
    pass


def sqlite_index(apps, schema_editor):
    from strategy.search import ensure_sqlite_index

    ensure_sqlite_index(schema_editor.connection)


def drop_sqlite_index(apps, schema_editor):
    from strategy.search import drop_sqlite_index

    drop_sqlite_index(schema_editor.connection)


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in filter(None, (part.strip() for part in sql.split(";\n"))):
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("strategy", "0004_comments_deadlines")]

    operations = [
        Unaccent(),
        Trigram(),
        migrations.RunPython(on_postgresql(FUNCTIONS), on_postgresql(DROP), elidable=False),
        migrations.RunPython(sqlite_index, drop_sqlite_index, elidable=False),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["lag", "-start_date", "-id", "status"], name="activity_staff_lag"),
        ),
    ]
