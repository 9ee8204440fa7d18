"""The portal's own system checks (registered by ``ddkc.apps.PortalAdminConfig.ready``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.translation import gettext as _

# Caches that live inside one process: with several gunicorn workers each keeps its own copy of a
# public page and its own data version, so a write handled by one worker never reaches the others.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """``check --deploy`` fails with DEBUG off and a per-process cache (ddkc.E001)."""
    if settings.DEBUG:
        return []
    return [
        Error(
            _(
                "Kešatmiņa «%(alias)s» (%(backend)s) dzīvo katra servera procesa atmiņā: ar vairākiem "
                "gunicorn procesiem atsaukts ieraksts publiskajās lapās paliktu redzams līdz stundai."
            )
            % {"alias": alias, "backend": cache["BACKEND"]},
            hint=_(
                "Iestatiet CACHE_URL uz visiem procesiem kopīgu kešatmiņu: noņemiet to (noklusējums "
                "dbcache://ddkc_cache, tabulu izveido migrate) vai CACHE_URL=redis://127.0.0.1:6379/1."
            ),
            id="ddkc.E001",
        )
        for alias, cache in settings.CACHES.items()
        if cache["BACKEND"] in PER_PROCESS_CACHES
    ]


# Hosts that only the server itself reaches: a report or e-mail link to them leads nowhere.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - compared, never bound


def portal_url_problem(value):
    """Why ``value`` is not a usable public address of the portal, or "" when it is."""
    if not value:
        return _("PORTAL_URL nav iestatīts.")
    invalid = _("PORTAL_URL «%(value)s» nav pilna http(s) adrese.") % {"value": value}
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return invalid
    if parts.scheme not in ("http", "https") or not host:
        return invalid
    if host in LOOPBACK_HOSTS:
        return _("PORTAL_URL «%(value)s» ir šī servera iekšējā adrese, ne publiskā.") % {"value": value}
    if parts.query or parts.fragment:
        return _("PORTAL_URL «%(value)s» satur vaicājumu vai fragmentu.") % {"value": value}
    return ""


@register(Tags.security, deploy=True)
def check_portal_url(app_configs=None, **kwargs):
    """``check --deploy`` fails with DEBUG off and no usable PORTAL_URL (ddkc.E002): the annual PDF
    report, the canonical links and the e-mails would print an address nobody can open."""
    if settings.DEBUG:
        return []
    problem = portal_url_problem(settings.PORTAL_URL)
    if not problem:
        return []
    return [
        Error(
            problem,
            hint=_(
                "Iestatiet PORTAL_URL uz portāla publisko adresi, piem., PORTAL_URL=https://portal.example.lv: "
                "uz to ved saites gada pārskatā un e-pastos."
            ),
            id="ddkc.E002",
        )
    ]


@register("email", deploy=True)
def check_email_server(app_configs=None, **kwargs):
    """``check --deploy`` fails with DEBUG off and no EMAIL_URL (ddkc.E003): the notifications would
    wait in the outbox forever, or go to a mail server on localhost that nobody set up."""
    if settings.DEBUG or getattr(settings, "EMAIL_URL_SET", False):
        return []
    return [
        Error(
            _("Nav iestatīts EMAIL_URL: e-pasta paziņojumi netiktu nosūtīti."),
            hint=_(
                "Iestatiet EMAIL_URL uz SMTP serveri, piemēram, "
                "EMAIL_URL=smtp+tls://lietotajs:parole@pasts.example.lv:587 (sk. .env.example)."
            ),
            id="ddkc.E003",
        )
    ]
