"""The annual report's tags: a figure's year state, and the PDF's page-margin strings."""

from django import template

register = template.Library()


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
