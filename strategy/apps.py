from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Stratēģija un aktivitātes")

    def ready(self):
        # What happens when a record is saved or deleted: history, year lock, tallies, files; and the
        # search's functions on SQLite (PostgreSQL's are in the database: migration 0005).
        from . import receivers, search  # noqa: F401

        post_migrate.connect(search.restore_sqlite_triggers, sender=self)
