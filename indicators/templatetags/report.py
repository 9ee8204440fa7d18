"""Number formatting for the annual report's plain counts (the figures use ``figures``)."""

from django import template

from partners import formats

register = template.Library()


@register.filter
def num(value, decimals=0):
    """A count or amount in the page's number format; a missing value is "no data", never 0."""
    if value is None or value == "":
        return formats.no_data()
    return formats.number(value, int(decimals))


@register.filter
def unit_may_wrap(text):
    return formats.unit_may_wrap(text)


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
