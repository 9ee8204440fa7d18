"""The database cache's table (what `createcachetable` makes), so that `migrate` alone prepares
production's default cache (CACHE_URL=dbcache://ddkc_cache, see ddkc/settings.py). Only for the caches
configured with Django's database backend; with Redis or a development cache there is nothing to do.
Switching to the database cache later: `python manage.py createcachetable` (the same SQL)."""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def cache_tables():
    return sorted({cache["LOCATION"] for cache in settings.CACHES.values() if cache["BACKEND"] == DATABASE_CACHE})


def create_cache_tables(apps, schema_editor):
    alias = schema_editor.connection.alias
    command = CreateCacheTable()
    command.verbosity = 0
    for table in cache_tables():
        # createcachetable's own code: the same columns and index, and nothing if the table exists.
        command.create_table(alias, table, dry_run=False)


def drop_cache_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for table in cache_tables():
        if table in existing:
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_roles")]

    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False)]
