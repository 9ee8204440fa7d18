from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Rādītāji")

    def ready(self):
        # What happens when a record is saved or deleted: public cache, history, files.
        from . import receivers  # noqa: F401
