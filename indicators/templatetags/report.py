"""Number formatting for the annual report's plain counts (the figures use ``figures``)."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def num(value, decimals=0):
    """A count or amount in the page's number format; a missing value is "no data", never 0."""
    if value is None or value == "":
        return format_html('<span class="no-data">{}</span>', _("nav datu"))
    return formats.number_format(Decimal(value), int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def unit_may_wrap(text):
    """A narrow PDF table cell may put the unit of a long amount on the next line ("342 944,24 / EUR")
    instead of running into the next column; the web pages keep number and unit together."""
    if isinstance(text, SafeString):
        return text  # the "no data" marker: nothing to wrap
    return text.replace("\xa0EUR", " EUR")


@register.filter
def css_string(value):
    """A text as a CSS string literal (for ``content:`` in the report's page margins)."""
    from django.utils.safestring import mark_safe

    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return mark_safe(f'"{text}"')


@register.inclusion_tag("includes/year_state.html", takes_context=True)
def year_state(context, year):
    """ "Final (year closed)" or "provisional" next to a figure of ``year``. The closed years are asked
    once per page and kept in the context."""
    from strategy.year_lock import closed_years

    if "_closed_years" not in context.dicts[0]:
        context.dicts[0]["_closed_years"] = closed_years()
    return {"closed": year in context.dicts[0]["_closed_years"]}
