from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Rādītāji")

    def ready(self):
        from .cache import connect_signals

        connect_signals()

        from simple_history import register

        from .models import Indicator, Measurement, Target

        # Registered here, after modeltranslation has added the _lv/_en fields (see strategy.apps).
        register(Indicator)
        register(Target)
        register(Measurement, excluded_fields=["updated_at"])

        from strategy.uploads import remove_files_after_commit

        remove_files_after_commit(Measurement)
