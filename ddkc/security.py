"""Small security helpers the settings point to."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def client_ip(request, *args):
    """The client's address for login throttling. Behind TRUSTED_PROXY_COUNT reverse proxies it is
    the address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, the part a
    client cannot forge); without proxies it is the socket's address."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
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
