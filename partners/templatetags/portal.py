"""Template helpers every page uses: bilingual fields with a visible fallback marker, numbers (thin
filters over :mod:`partners.formats`: money, an indicator's figure, counts, years, "no data"), and a
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


@register.filter
def value(amount, indicator):
    """A figure's value with its unit, or a visible "no data"."""
    return formats.figure(amount, indicator) or formats.no_data()


@register.filter
def plain(amount, indicator):
    """The number without the unit (tables whose header names the unit); "no data" when missing."""
    return formats.figure(amount, indicator, with_unit=False) or formats.no_data()


@register.filter
def year(value):
    """A year is a label, never grouped: 2024, not 2 024."""
    return formats.year(value)


@register.filter
def years_label(years):
    return formats.years_label(years)


@register.filter
def num(value, decimals=0):
    """A count or amount in the page's number format; a missing value is "no data", never 0."""
    if value is None or value == "":
        return formats.no_data()
    return formats.number(value, int(decimals))


@register.filter
def count(value):
    """A count (participants, a share's numerator and denominator), rounded half up; a missing one is
    "no data", never 0."""
    if value is None or value == "":
        return formats.no_data()
    return formats.count(value)


@register.filter
def unit_may_wrap(text):
    return formats.unit_may_wrap(text)


@register.filter(expects_localtime=True)
def on_date(value, arg=""):
    """A date after a verb — «slēgts {{ d|on_date }}»: Latvian «2026. gada 2. decembrī» (the locative;
    Django's ``date`` filter gives the nominative «2. decembris»), English «2 December 2026».
    ``on_date:"time"`` adds the time."""
    return latvian.on_date(value, with_time=arg == "time")
