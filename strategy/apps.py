from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Stratēģija un aktivitātes")

    def ready(self):
        from simple_history import register

        from .models import Activity

        # Registered here, not on the model class: modeltranslation (whose ready() runs first) has
        # added title_lv/title_en… by now, so the historical model records them too.
        register(Activity, excluded_fields=["updated_at"])

        from . import tallies, uploads, year_lock
        from .models import Evidence

        year_lock.connect_signals()
        tallies.connect_signals()
        uploads.remove_files_after_commit(Evidence)
