from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin app, with the portal's admin site as ``admin.site``."""

    default_site = "ddkc.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401 - registers the portal's system checks
        from .api import cors

        cors.connect_signals()
