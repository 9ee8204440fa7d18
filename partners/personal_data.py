"""Personal codes (personas kodi) are never typed into the portal (invariant 12).

A record's free text (an activity's title and summary, a note, a measurement's narrative, a return
note) is published once the record is approved, and its change history keeps every earlier version;
an attendance list belongs in a private evidence file, not in the text. So a Latvian personal code in
free text is refused wherever the text arrives — the admin's forms, the import and the workflow's
services all reach :func:`validate_no_personal_code` through the models' ``clean()`` (and the
services, for the notes they write).

Two forms of the code are recognised:

* the old one, ``DDMMYY-NNNNN``: a birth date that exists (29 February in any year: the century is
  in the digits after the dash) and five digits;
* the new one (since 1 July 2017), ``32XXXX-XXXXX``: no date, it always starts with 32.

Each form is matched with or without its dash, but only as eleven digits standing on their own: a
longer run of digits (an account number), a date written ``2024-05-12``, an amount such as
``1 234,50`` or a phone number are not personal codes.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGE = _(
    "Personas kodu portālā nenorāda: izņemiet to no teksta (sarakstus ar personas datiem glabā "
    "pierādījumu datnē, kas nav publicējama)."
)

_CODE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?\d{5}(?!\d)")

# The longest day of each month; 29 February is a date in a leap year, and a two-digit year does not say
# which century it is.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_code(day: str, month: str, _year: str) -> bool:
    if day == "32":
        return True  # the new form: 32 is no day of any month
    d, m = int(day), int(month)
    return 1 <= m <= 12 and 1 <= d <= _MONTH_DAYS[m - 1]


def contains_personal_code(text: str | None) -> bool:
    """Whether the text holds something that reads as a Latvian personal code."""
    if not text:
        return False
    return any(_is_code(*match.groups()) for match in _CODE.finditer(str(text)))


def validate_no_personal_code(value):
    """A field validator: refuses text that holds a personal code."""
    if contains_personal_code(value):
        raise ValidationError(MESSAGE, code="personal_code")


def personal_code_errors(instance, field_names) -> dict[str, ValidationError]:
    """For a model's ``clean()``: ``{field: error}`` for each of the fields whose text holds a
    personal code (the translated fields are named by their language columns, ``title_lv``…)."""
    errors = {}
    for name in field_names:
        if contains_personal_code(getattr(instance, name, None)):
            errors[name] = ValidationError(MESSAGE, code="personal_code")
    return errors
