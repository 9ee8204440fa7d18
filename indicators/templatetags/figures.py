"""Formatting of engine figures: Latvian or English number formats, and "no data" — never 0 (invariant 4)."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from indicators.models import Indicator

register = template.Library()

DECIMALS = {
    Indicator.Unit.EUR: 2,
    Indicator.Unit.PERCENT: 1,
    Indicator.Unit.RATING: 1,
}


def format_value(value, indicator, with_unit=True):
    if value is None:
        return None
    decimals = DECIMALS.get(indicator.unit, 0)
    number = formats.number_format(
        Decimal(value).quantize(Decimal(1).scaleb(-decimals)), decimals, use_l10n=True, force_grouping=True
    )
    if not with_unit:
        return number
    if indicator.unit == Indicator.Unit.EUR:
        return f"{number} EUR"
    if indicator.unit == Indicator.Unit.PERCENT:
        return f"{number} %"
    return number


@register.filter
def value(amount, indicator):
    """A figure's value with its unit, or a visible "no data"."""
    text = format_value(amount, indicator)
    if text is None:
        return format_html('<span class="no-data">{}</span>', _("nav datu"))
    return text


@register.filter
def plain(amount, indicator):
    """The number without the unit (tables whose header names the unit); "no data" when missing."""
    text = format_value(amount, indicator, with_unit=False)
    if text is None:
        return format_html('<span class="no-data">{}</span>', _("nav datu"))
    return text


@register.filter
def percent(amount):
    if amount is None:
        return format_html('<span class="no-data">{}</span>', _("nav datu"))
    return f"{formats.number_format(amount, 0, use_l10n=True, force_grouping=True)} %"


@register.filter
def year(value):
    """A year is a label, never grouped: 2024, not 2 024."""
    return "" if value is None else str(int(value))


@register.filter
def years_label(years):
    if not years:
        return ""
    first, last = years[0], years[-1]
    return str(first) if first == last else f"{first}–{last}"


@register.inclusion_tag("includes/progress_bar.html")
def progress_bar(figure, label=""):
    return {"figure": figure, "label": label}


@register.inclusion_tag("includes/status_badge.html")
def status_badge(figure):
    return {"figure": figure}
