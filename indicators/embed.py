"""Figures on other sites (#15): one indicator's KPI card as a small page that other sites may frame, and
the same figure as an SVG badge for a plain ``<img>``.

The numbers are the dashboard's — the same progress-engine figure, sparkline and completeness the
dashboard's card shows for that scope (invariant 2). Only these pages may be framed, and only by the
origins in settings.EMBED_ORIGINS (plus the portal itself): CSP ``frame-ancestors`` is replaced on these
views and X-Frame-Options left out, while every other page keeps ``frame-ancestors 'none'`` and ``DENY``.
Both decorators sit outside ``public_page``, so a cached response gets them too; PublicPageMiddleware
keeps the finished response, whose pickled ``_csp_replace`` the CSP middleware still reads."""

import functools
import hashlib

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from partners import formats
from partners.public_cache import public_page
from strategy.shortcuts import strategy_or_404

from .charts import sparkline
from .progress import ProgressEngine, Status
from .views import scope_completeness

BADGE_MAX_AGE = 10 * 60  # an <img> on another site asks again after ten minutes at most
BADGE_HEIGHT = 20
CHAR_WIDTH = 7  # px per character at 11 px DejaVu Sans / Verdana, rounded up: the text always fits
PADDING = 6
# Background of the badge's right half per status; white text on each has a contrast of at least 4.5:1
# (tests/indicators/test_embed.py computes it). The portal's own status colours (portal.css).
STATUS_COLOURS = {
    Status.ON_TRACK: "#1d6b2f",
    Status.NOT_DIFFERENT: "#1d6b2f",
    Status.AT_RISK: "#8a5a00",
    Status.OFF_TRACK: "#a1261b",
}
NEUTRAL = "#4a5560"
CODE_COLOUR = "#073d27"


def frameable(view):
    """Let settings.EMBED_ORIGINS (and the portal itself) frame this view's pages, and nothing else. The
    policy is django-csp's per-view ``csp_replace``, built per request so that it follows the setting."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        framed = csp_replace({"frame-ancestors": [SELF, *settings.EMBED_ORIGINS]})(view)
        return framed(request, *args, **kwargs)

    return xframe_options_exempt(wrapper)


def _scope(code, lag_slug):
    """(engine, indicator, LAG or None) or 404 for an unknown code or LAG."""
    engine = ProgressEngine(strategy_or_404())
    indicator = engine.by_code.get(code)
    if indicator is None:
        raise Http404
    lag = None
    if lag_slug is not None:
        lag = next((x for x in engine.lags if x.slug == lag_slug), None)
        if lag is None:
            raise Http404
    return engine, indicator, lag


@frameable
@public_page
def card(request, code, lag=None):
    """The dashboard's card of one indicator (all LAGs together or one LAG), with a link back to the
    indicator page; no navigation, so that it fits a small frame."""
    engine, indicator, lag = _scope(code, lag)
    figure = engine.figure(indicator, lag)
    path = reverse("indicators:indicator", args=[indicator.code])
    context = {
        "indicator": indicator,
        "lag": lag,
        "figure": figure,
        "indicator_path": path,
        "indicator_url": settings.PORTAL_URL.rstrip("/") + path,
        "spark": sparkline(engine.series(indicator, lag)),
        "completeness": scope_completeness(engine, indicator, lag, figure.years),
    }
    return render(request, "indicators/embed_card.html", context)


def badge_label(figure, lag):
    """The badge in words (its ``<title>``): what a screen reader says for the ``<img>``'s content."""
    period = formats.years_label(figure.years) if figure.years else _("nav pabeigtu gadu")
    return _("%(code)s %(name)s (%(scope)s, %(period)s): %(text)s; statuss: %(status)s") % {
        "code": figure.indicator.code,
        "name": _translated(figure.indicator, "name"),
        "scope": _translated(lag, "short_name") if lag is not None else _("visas VRG kopā"),
        "period": period,
        "text": badge_text(figure),
        "status": figure.status_label,
    }


def _translated(obj, field):
    language = get_language() or settings.LANGUAGE_CODE
    return getattr(obj, f"{field}_{language}", None) or getattr(obj, f"{field}_lv", "") or ""


def badge_text(figure):
    """The badge's right half: the actual value and the achievement, as the card's headline says them."""
    value = formats.figure(figure.actual, figure.indicator) or _("nav datu")
    if figure.achievement is not None:
        percent = formats.number(figure.achievement_percent)
        return _("%(value)s · %(percent)s %% no mērķa") % {"value": value, "percent": percent}
    if figure.has_data:
        return _("%(value)s · bez mērķa izpildes") % {"value": value}
    return value


@public_page
def badge(request, code, lag=None):
    """The figure as an SVG badge for ``<img>``: indicator code, value, achievement and the status's
    colour (and its name in the ``<title>``, since colour alone tells nobody who cannot see it)."""
    engine, indicator, lag = _scope(code, lag)
    figure = engine.figure(indicator, lag)
    left, right = figure.indicator.code, badge_text(figure)
    left_width = len(left) * CHAR_WIDTH + 2 * PADDING
    right_width = len(right) * CHAR_WIDTH + 2 * PADDING
    context = {
        "label": badge_label(figure, lag),
        "left": left,
        "right": right,
        "left_width": left_width,
        "right_width": right_width,
        "width": left_width + right_width,
        "height": BADGE_HEIGHT,
        "left_text_x": left_width / 2,
        "right_text_x": left_width + right_width / 2,
        "left_text_length": left_width - 2 * PADDING,
        "right_text_length": right_width - 2 * PADDING,
        "code_colour": CODE_COLOUR,
        "status_colour": STATUS_COLOURS.get(figure.status, NEUTRAL),
    }
    response = render(
        request, "indicators/embed_badge.svg", context, content_type="image/svg+xml; charset=utf-8"
    )
    response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE)
    return response
