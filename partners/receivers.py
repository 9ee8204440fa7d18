"""What happens to this app's data outside a request, connected in one place (imported by
``PartnersConfig.ready``): after ``migrate``, the role groups get their permissions (:mod:`partners.roles`)."""

from django.db.models.signals import post_migrate

from .roles import grant_permissions

post_migrate.connect(grant_permissions, dispatch_uid="partners.grant_role_permissions")
