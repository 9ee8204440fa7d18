from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Stratēģija un aktivitātes")

    def ready(self):
        from .closing import connect_signals

        connect_signals()
