from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Rādītāji")

    def ready(self):
        from .cache import connect_signals

        connect_signals()

        from .admin_year import register

        register()
