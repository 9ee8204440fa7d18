"""The portal's URLs plus a trivial view, for the benchmarks only (never in ``ddkc.urls``): every page's
server time is reported as a ratio to this view, served through the same middleware in the same run."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from ddkc.urls import urlpatterns as portal


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*portal, *i18n_patterns(path("bench/trivial/", trivial), prefix_default_language=True)]
