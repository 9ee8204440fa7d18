"""An engine figure's progress bar and status badge (its numbers are written by the ``portal`` filters)."""

from django import template
from django.utils.translation import gettext as _

from partners.formats import years_label

register = template.Library()


@register.inclusion_tag("includes/progress_bar.html")
def progress_bar(figure, label="", number=True):
    """The achievement bar (actual ÷ target); ``number=False`` where the percentage is already the headline."""
    if not label:
        # Every progress bar needs a name: indicator, LAG (or jointly) and period.
        period = str(figure.year) if figure.year is not None else years_label(figure.years)
        scope = str(figure.lag) if figure.lag is not None else _("visas VRG kopā")
        label = _("%(code)s mērķa izpilde: %(scope)s, %(period)s") % {
            "code": figure.indicator.code,
            "scope": scope,
            "period": period,
        }
    return {"figure": figure, "label": label, "number": number}


@register.inclusion_tag("includes/status_badge.html")
def status_badge(figure):
    return {"figure": figure}
