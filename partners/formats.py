"""How the portal writes a number — every page, the PDF, the admin, the open data and the spreadsheets
(invariants 4 and 11). Reading what people type is :mod:`partners.numbers`'s.

- :func:`number` — in the page's language: ``2 899 408,11`` on Latvian pages, ``2,899,408.11`` on
  English ones (always grouped), rounded half up to ``places`` (Django's ``number_format`` alone would cut
  the digits); a negative ``places`` shows up to that many decimals and none for a whole number.
- :func:`count` — a whole number (participants, records): rounded half up, grouped.
- :func:`money` — an amount in EUR; :func:`figure` — an indicator's figure with its unit. English pages
  write the currency code first, as EU English does (``EUR 2,899,408.11``); Latvian ones after
  (``2 899 408,11 EUR``). Dates: Django's formats, English ones from ``ddkc/formats/en``.
- :func:`no_data` — the one "no data" marker: a missing value is never written as 0 or 0 %.
- :func:`plain` — the open data's: a point, no grouping, no trailing zeros.
- :func:`typed` and :func:`format_decimal` — what a person would type back: the export's cells and the
  admin's inputs, which :func:`~partners.numbers.parse_decimal` reads as the same value.
- :func:`year`, :func:`years_label` — a year is a label, never grouped.

The template filters over these functions are in the ``portal`` library (``partners/templatetags``).
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils import formats as django_formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .numbers import NBSP

Number = Decimal | int | str


# How an indicator's figures are written, by its unit (``indicators.models.Indicator.Unit``): the
# decimals shown and the unit after the number. Counts (activities, persons, members) have neither: the
# heading names them.
UNITS: dict[str, tuple[int, str]] = {"eur": (2, "EUR"), "percent": (1, "%"), "rating": (1, "")}

# Languages that write a currency code before the amount (EU English: «EUR 2,899,408.11»).
CURRENCY_FIRST = {"en"}
CURRENCY = "EUR"


def _currency_first() -> bool:
    return (get_language() or "lv").split("-")[0] in CURRENCY_FIRST


class HasUnit(Protocol):
    """An indicator, or the frozen copy of one a closed year's report reads."""

    unit: str


def no_data() -> SafeString:
    """The visible "no data" marker (invariant 4)."""
    return format_html('<span class="no-data">{}</span>', _("nav datu"))


def number(value: Number, places: int = 0) -> str:
    """``value`` rounded half up to ``places`` decimals in the page's number format, thousands always
    grouped — as Django's ``floatformat:"<places>g"`` writes it. A negative ``places`` (``-2``) writes the
    decimals only when the rounded value has any, as ``floatformat:"-2g"`` does."""
    amount = Decimal(str(value))
    shown = abs(places)
    amount = amount.quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
    if places < 0 and amount == amount.to_integral_value():
        shown = 0
    return django_formats.number_format(amount, shown, use_l10n=True, force_grouping=True)


def count(value: Number) -> str:
    """A count, rounded to a whole number half up (as Django's ``floatformat`` rounds) and grouped:
    ``1 235`` on Latvian pages, ``1,235`` on English ones; never "-0"."""
    rounded = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return number(rounded if rounded else 0)


def money(value: Number | None) -> str:
    """2 899 408,11 EUR on Latvian pages, EUR 2,899,408.11 on English ones (a no-break space after the
    code); nothing becomes ""."""
    if value is None or value == "":
        return ""
    if _currency_first():
        return f"{CURRENCY}{NBSP}{number(value, 2)}"
    return f"{number(value, 2)} {CURRENCY}"


def figure(value: Number | None, indicator: HasUnit, *, with_unit: bool = True) -> str | None:
    """An indicator's figure rounded to its unit's places, with the unit (a no-break space before it)
    unless ``with_unit`` is false; ``None`` when there is no value."""
    if value is None:
        return None
    places, symbol = UNITS.get(indicator.unit, (0, ""))
    text = number(Decimal(value).quantize(Decimal(1).scaleb(-places)), places)
    if with_unit and symbol:
        if symbol == CURRENCY and _currency_first():
            return f"{symbol}{NBSP}{text}"
        return f"{text}{NBSP}{symbol}"
    return text


def unit_may_wrap(text: str) -> str:
    """A narrow PDF table cell may put the unit of a long amount on its own line ("342 944,24 / EUR",
    "EUR / 342,944.24") instead of running into the next column; the web pages keep number and unit
    together."""
    if isinstance(text, SafeString):
        return text  # the "no data" marker: nothing to wrap
    return text.replace(f"{NBSP}{CURRENCY}", f" {CURRENCY}").replace(f"{CURRENCY}{NBSP}", f"{CURRENCY} ")


def plain(value: Decimal | int | None) -> str | int | None:
    """A number for the open data: a point, no grouping, at most four decimals and no trailing zeros;
    a whole number as an integer; ``None`` (an empty cell, never 0) when there is no value."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return (
            str(value.quantize(Decimal("0.0001")).normalize())
            if value != value.to_integral()
            else str(int(value))
        )
    return value


def typed(value: Decimal | int) -> str:
    """A number as a spreadsheet's text cell takes it back: a decimal comma, no grouping, every digit."""
    return f"{value:f}".replace(".", ",")


def format_decimal(value: Number, *, decimal_places: int = 2) -> str:
    """A number the way the admin shows it and :func:`~partners.numbers.parse_decimal` reads back: no-break spaces
    between thousands and a decimal comma (``1 234,50``). It shows at least ``decimal_places``
    places and never rounds away a digit the value has."""
    amount = Decimal(value)
    exact = amount.quantize(Decimal(1).scaleb(-decimal_places))
    if exact == amount:
        amount = exact
    sign = "-" if amount.is_signed() and amount != 0 else ""
    whole, _point, fraction = f"{abs(amount):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, group = whole[:-3], whole[-3:]
        groups.insert(0, group)
    text = NBSP.join([whole, *groups])
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def year(value: int | None) -> str:
    """A year is a label, never grouped: 2024, not 2 024."""
    return "" if value is None else str(int(value))


def years_label(years: Sequence[int]) -> str:
    """A period: 2024, or 2020–2024."""
    if not years:
        return ""
    first, last = years[0], years[-1]
    return str(first) if first == last else f"{first}–{last}"
