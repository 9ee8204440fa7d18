"""Template helpers every page uses: bilingual fields with a visible fallback marker, money, and a
date after a verb."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partners import formats, latvian

register = template.Library()


@register.simple_tag
def tr(obj, field):
    """The field in the page's language; when the English text is missing, the Latvian one marked as
    such (invariant 10), with lang="lv" so screen readers pronounce it right."""
    language = get_language() or "lv"
    value = getattr(obj, f"{field}_{language}", None)
    if value or language == "lv":
        return value or ""
    fallback = getattr(obj, f"{field}_lv", "") or ""
    if not fallback:
        return ""
    return format_html(
        '<span lang="lv">{}</span> <span class="fallback-marker">({})</span>',
        fallback,
        _("tikai latviski"),
    )


@register.filter
def eur(value):
    """2 899 408,11 EUR on Latvian pages, 2,899,408.11 EUR on English ones; nothing becomes 0."""
    return formats.money(value)


@register.simple_tag
def no_data():
    """The "no data" marker, never 0 (invariant 4)."""
    return formats.no_data()


@register.filter(expects_localtime=True)
def on_date(value, arg=""):
    """A date after a verb — «slēgts {{ d|on_date }}»: Latvian «2026. gada 2. decembrī» (the locative;
    Django's ``date`` filter gives the nominative «2. decembris»), English «2 December 2026».
    ``on_date:"time"`` adds the time."""
    return latvian.on_date(value, with_time=arg == "time")
