"""How the portal writes a number (invariant 11): reading what people type is :mod:`partners.numbers`'s."""

from decimal import Decimal

from .numbers import NBSP


def format_decimal(value, *, decimal_places=2):
    """A number the way the admin shows it and :func:`~partners.numbers.parse_decimal` reads back: no-break spaces
    between thousands and a decimal comma (``1 234,50``). It shows at least ``decimal_places``
    places and never rounds away a digit the value has."""
    number = Decimal(value)
    exact = number.quantize(Decimal(1).scaleb(-decimal_places))
    if exact == number:
        number = exact
    sign = "-" if number.is_signed() and number != 0 else ""
    whole, _point, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, group = whole[:-3], whole[-3:]
        groups.insert(0, group)
    text = NBSP.join([whole, *groups])
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"
