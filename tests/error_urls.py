"""The portal's URLs and handlers, plus views that fail on purpose: for the error-page tests."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from ddkc import urls as portal


def refuse(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a request the portal cannot read")


def fail(request):
    raise RuntimeError("something broke")


handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500

urlpatterns = [
    *portal.urlpatterns,
    *i18n_patterns(
        path("failing/400/", suspicious),
        path("failing/403/", refuse),
        path("failing/500/", fail),
        prefix_default_language=True,
    ),
]
