"""Formatting of engine figures: Latvian or English number formats, and "no data" — never 0 (invariant 4)."""

from django import template
from django.utils.translation import gettext as _

from partners import formats

register = template.Library()


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


@register.inclusion_tag("includes/progress_bar.html")
def progress_bar(figure, label=""):
    if not label:
        # Every progress bar needs a name: indicator, LAG (or jointly) and period.
        period = str(figure.year) if figure.year is not None else years_label(figure.years)
        scope = str(figure.lag) if figure.lag is not None else _("visas VRG kopā")
        label = _("%(code)s progress: %(scope)s, %(period)s") % {
            "code": figure.indicator.code,
            "scope": scope,
            "period": period,
        }
    return {"figure": figure, "label": label}


@register.inclusion_tag("includes/status_badge.html")
def status_badge(figure):
    return {"figure": figure}
