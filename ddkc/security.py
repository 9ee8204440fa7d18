"""Small security helpers the settings point to."""

import functools
import ipaddress

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


@functools.lru_cache(maxsize=8)
def _networks(addresses):
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


def from_trusted_proxy(request):
    """Whether the request came from one of TRUSTED_PROXIES (loopback by default), or over gunicorn's
    Unix socket (no address), which only the proxy may open: only then is X-Forwarded-For the proxy's."""
    address = request.META.get("REMOTE_ADDR", "")
    if not address:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request, *args):
    """The client's address for login throttling. Behind TRUSTED_PROXY_COUNT reverse proxies it is
    the address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, the part a
    client cannot forge); without proxies it is the socket's address. The header is believed only from
    the proxy itself: a client that reaches gunicorn directly is counted by its own address, whatever
    X-Forwarded-For it sends."""
    count = settings.TRUSTED_PROXY_COUNT
    if count and from_trusted_proxy(request):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the Latvian lockout page, 429 Too Many Requests."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
    }
    return render(request, "axes/lockout.html", context, status=429)
