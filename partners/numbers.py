"""Numbers people type, read the way a Latvian reader reads them (invariant 11).

One function, :func:`parse_decimal`, reads every amount, value and count staff type — in the admin's
forms, the target/baseline plan table and the spreadsheet import — so `450,00` means the same
everywhere. A browser number field never reads them: an English browser takes the comma in `450,00`
for a thousands separator and sends 45000.

The rules, in order:

- Empty (nothing, or only spaces) means no value: ``None``.
- One currency mark, ``€`` or ``EUR`` (any case), may come first or last; it is dropped.
- One minus sign (``-`` or the typographic ``−``) may come first. The parser itself is neutral about
  negatives: whether a negative amount is allowed is the model's rule, and the models refuse them
  with a message naming the field.
- Then only the digits 0–9, spaces and the separators ``,`` and ``.``:

  - spaces of every kind (space, no-break space U+00A0, narrow no-break space U+202F, thin space
    U+2009, figure space U+2007) group thousands: ``1 234 567`` — one space between groups of exactly
    three digits, the first group one to three digits;
  - ``,`` or ``.`` is the decimal separator: ``450,00`` = ``450.00``;
  - with both ``,`` and ``.``, the last one is the decimal separator and occurs once; the other groups
    thousands in groups of exactly three: ``2.899.408,11`` = ``2,899,408.11`` = 2899408.11;
  - the same separator several times groups thousands (a whole number): ``1.234.567``;
  - spaces and a separator cannot both group thousands: ``1 234.567,50`` is refused;
  - a single ``,`` or ``.`` followed by exactly three digits, after one to three digits without
    grouping (``1,234``, ``12.500``), is **ambiguous** — a thousand and more, or a number with three
    decimals — and refused with a message saying both readings and how to write the number. With
    spaces grouping the thousands (``1 234,567``) the separator can only be the decimal one;
  - digits are needed on both sides of a decimal separator (``450,`` and ``,5`` are refused).

- Anything else is refused: letters, exponents (``1e5``), ``NaN``, ``Infinity``, two signs, a ``+``,
  an apostrophe or underscore, a tab, digits of other scripts.
- More decimals than the field keeps are refused unless they are zeros (``1,5000`` is 1.50, ``450,005``
  is refused): an amount is never rounded silently.
- 10¹⁵ and more (in either direction) is refused as absurdly large: no amount, value or count of the
  portal comes near it, and the database columns could not hold it.

The value comes back as a :class:`~decimal.Decimal` with exactly ``decimal_places`` places (a whole
number as an integral Decimal when ``decimal_places`` is 0). A refusal is a
:class:`~django.core.exceptions.ValidationError` with a Latvian message that repeats the input in «»
and shows how to write the number; its code is ``invalid_number``, ``ambiguous_number``,
``too_many_decimals`` or ``number_too_large``.

Writing numbers is :mod:`partners.formats`'s: its :func:`~partners.formats.format_decimal` writes a
number the way the admin's inputs show it, and what it writes :func:`parse_decimal` reads back as the same
value.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LARGEST = Decimal(10) ** 15
SPACES = "\u0020\u00a0\u2007\u2009\u202f"
NBSP = "\u00a0"

_CURRENCY_FIRST = re.compile(rf"^(?:€|eur)[{SPACES}]*", re.IGNORECASE)
_CURRENCY_LAST = re.compile(rf"[{SPACES}]*(?:€|eur)$", re.IGNORECASE)
_SPACE = re.compile(rf"[{SPACES}]")
_BODY = re.compile(r"[0-9][0-9 ,.]*")
_PLAIN = re.compile(r"[0-9]+")
_SPACE_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?: [0-9]{3})+")
_SHOWN_LENGTH = 40


def _shown(value):
    text = str(value).strip()
    return text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH] + "…"


def _example(decimal_places):
    """How to write a number, grouped and plain (a no-break space: the example never wraps)."""
    if not decimal_places:
        return f"1{NBSP}234", "1234"
    cents = ("50" + "0" * decimal_places)[:decimal_places]
    return f"1{NBSP}234,{cents}", f"1234,{cents}"


def _invalid(value, decimal_places):
    grouped, plain = _example(decimal_places)
    return ValidationError(
        _("«%(value)s» nav skaitlis. Rakstiet, piemēram, «%(grouped)s» vai «%(plain)s».")
        % {"value": _shown(value), "grouped": grouped, "plain": plain},
        code="invalid_number",
    )


def _ambiguous(value, sign, whole, fraction, decimal_places):
    grouped, plain = _example(decimal_places)
    return ValidationError(
        _(
            "«%(value)s» var nozīmēt gan %(thousands)s, gan %(decimals)s. Tūkstošus atdaliet ar atstarpi "
            "vai neatdaliet nemaz, decimāldaļu — ar komatu, piemēram, «%(grouped)s» vai «%(plain)s»."
        )
        % {
            "value": _shown(value),
            "thousands": f"{sign}{whole}{fraction}",
            "decimals": f"{sign}{whole},{fraction}",
            "grouped": grouped,
            "plain": plain,
        },
        code="ambiguous_number",
    )


def _too_many_decimals(value, decimal_places):
    grouped, plain = _example(decimal_places)
    if not decimal_places:
        message = _("«%(value)s» nav vesels skaitlis. Rakstiet, piemēram, «%(grouped)s» vai «%(plain)s».")
    else:
        message = _(
            "«%(value)s»: aiz komata drīkst būt ne vairāk kā %(places)d cipari (skaitli neapaļo). "
            "Rakstiet, piemēram, «%(grouped)s»."
        )
    return ValidationError(
        message % {"value": _shown(value), "places": decimal_places, "grouped": grouped, "plain": plain},
        code="too_many_decimals",
    )


def _too_large(value):
    return ValidationError(
        _("«%(value)s» ir pārāk liels skaitlis.") % {"value": _shown(value)}, code="number_too_large"
    )


def _split(body, value, sign, decimal_places):
    """The digits before and after the decimal separator of a body of digits, spaces (all made
    ordinary spaces) and separators; raises the refusal for anything a reader could not read once."""
    commas, points = body.count(","), body.count(".")
    if commas and points:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        whole, _sep, fraction = body.rpartition(decimal)
        if (
            body.count(decimal) != 1
            or " " in body
            or not _grouped_by(whole, grouping)
            or not _PLAIN.fullmatch(fraction)
        ):
            raise _invalid(value, decimal_places)
        return whole.replace(grouping, ""), fraction
    separator = "," if commas else "." if points else None
    if separator is None:
        return body, ""
    if body.count(separator) > 1:
        # the same separator several times can only group thousands: a whole number
        if " " in body or not _grouped_by(body, separator):
            raise _invalid(value, decimal_places)
        return body.replace(separator, ""), ""
    whole, _sep, fraction = body.partition(separator)
    if not whole or not _PLAIN.fullmatch(fraction):
        raise _invalid(value, decimal_places)
    if " " in whole:
        if not _SPACE_GROUPED.fullmatch(whole):
            raise _invalid(value, decimal_places)
        return whole.replace(" ", ""), fraction
    if not _PLAIN.fullmatch(whole):
        raise _invalid(value, decimal_places)
    if len(fraction) == 3 and len(whole) <= 3 and whole[0] != "0":
        raise _ambiguous(value, sign, whole, fraction, decimal_places)
    return whole, fraction


def _grouped_by(text, separator):
    groups = text.split(separator)
    return (
        len(groups) > 1
        and _PLAIN.fullmatch(groups[0]) is not None
        and 1 <= len(groups[0]) <= 3
        and groups[0][0] != "0"
        and all(len(group) == 3 and _PLAIN.fullmatch(group) for group in groups[1:])
    )


def _checked(number, value, decimal_places):
    if not number.is_finite():
        raise _invalid(value, decimal_places)
    if abs(number) >= LARGEST:
        raise _too_large(value)
    if decimal_places is None:
        return number
    exact = number.quantize(Decimal(1).scaleb(-decimal_places))
    if exact != number:
        raise _too_many_decimals(value, decimal_places)
    return exact.copy_abs() if exact == 0 else exact  # "-0" is 0


def parse_decimal(value, *, decimal_places=2):
    """The number a person typed (see the module's rules), as a Decimal with ``decimal_places``
    places (``None``: as many as typed); ``None`` for an empty input. A number that is already one
    (an int or Decimal, such as a spreadsheet's number cell) is only checked: finite, below 10¹⁵,
    no more decimals than kept."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _invalid(value, decimal_places)
    if not isinstance(value, str):
        return _checked(Decimal(value), value, decimal_places)
    text = value.strip()  # every kind of space, the no-break ones too
    if not text:
        return None
    text, found = _CURRENCY_FIRST.subn("", text, count=1)
    if not found:
        text = _CURRENCY_LAST.sub("", text, count=1)
    sign = ""
    if text[:1] in ("-", "\u2212"):
        sign, text = "-", text[1:]
    body = _SPACE.sub(" ", text)
    if not _BODY.fullmatch(body) or "  " in body:
        raise _invalid(value, decimal_places)
    if " " in body and not any(separator in body for separator in ",."):
        if not _SPACE_GROUPED.fullmatch(body):
            raise _invalid(value, decimal_places)
        body = body.replace(" ", "")
    whole, fraction = _split(body, value, sign, decimal_places)
    if len(whole.lstrip("0")) > len(str(LARGEST)):
        raise _too_large(value)  # before Decimal() is asked to read thousands of digits
    return _checked(Decimal(f"{sign}{whole}.{fraction or '0'}"), value, decimal_places)
