"""What the public pages of both apps (strategy's and indicators') start from: the current strategy,
and the numbers a query string gives."""

from django.http import Http404
from django.utils.translation import gettext as _

from .models import Strategy

# A filter value outside these bounds matches nothing and is ignored: a year outside the calendar
# cannot become a date range, an id beyond 32 bits overflows the database's integer columns.
YEAR_RANGE = range(1, 10_000)
ID_RANGE = range(1, 2**31)


def strategy_or_404():
    strategy = Strategy.objects.current()
    if strategy is None:
        raise Http404(_("Stratēģija vēl nav ielādēta."))
    return strategy


def int_or_none(value, allowed=ID_RANGE):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in allowed else None
