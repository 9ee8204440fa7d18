"""The anonymous throttle of the API: DRF's AnonRateThrottle, counted in the configured cache (shared by
every server process, as the public cache is), with the rate read from settings.API_ANON_RATE on every
request (so a test or an operator's override takes effect) and the client's address found as the login
throttle finds it: behind TRUSTED_PROXY_COUNT proxies, X-Forwarded-For only from a trusted proxy."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from ddkc.security import client_ip


class AnonymousThrottle(AnonRateThrottle):
    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        return client_ip(request)
