"""Form fields for the amounts and counts staff type (invariant 11).

They are text inputs, never ``<input type="number">``: a browser number field reads `450,00` by the
browser's language (an English one sends 45000) before the portal sees it. The text goes to the one
parser, :func:`partners.numbers.parse_decimal`; a stored value is shown the way the admin shows
numbers (``1 234,50``, no-break spaces between thousands), which the parser reads back unchanged.
Phones still offer a numeric keyboard (``inputmode``).

:class:`TypedNumbersAdminMixin` gives an admin (or inline) these fields for every model decimal and
every count (``PositiveIntegerField``). Years, positions, priority numbers and ratings are small
whole numbers (``PositiveSmallIntegerField``) nobody groups in thousands: they keep Django's number
field with its arrows.
"""

from decimal import Decimal

from django import forms
from django.db import models

from .formats import format_decimal
from .numbers import parse_decimal


class LatvianNumberInput(forms.TextInput):
    """A text input that shows a number the Latvian way and offers a numeric keyboard on phones."""

    def __init__(self, attrs=None, decimal_places=2):
        defaults = {
            "inputmode": "decimal" if decimal_places else "numeric",
            "autocomplete": "off",
            "spellcheck": "false",
            "size": 14 if decimal_places else 8,
        }
        super().__init__({**defaults, **(attrs or {})})
        self.decimal_places = decimal_places

    def format_value(self, value):
        # What someone typed (a refused input shown again) stays exactly as typed.
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return format_decimal(value, decimal_places=self.decimal_places or 0)
        return super().format_value(value)


class LatvianDecimalField(forms.DecimalField):
    """An amount or value: `450,00`, `1 234,50`, `2.899.408,11 €` — read by the one parser."""

    widget = LatvianNumberInput

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        kwargs.setdefault("widget", LatvianNumberInput(decimal_places=decimal_places))
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        self.widget.decimal_places = decimal_places

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_decimal(value, decimal_places=self.decimal_places)


class LatvianIntegerField(forms.IntegerField):
    """A count (participants): `1 234` — read by the one parser, refused if not whole."""

    widget = LatvianNumberInput

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", LatvianNumberInput(decimal_places=0))
        super().__init__(**kwargs)
        self.widget.decimal_places = 0

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return int(parse_decimal(value, decimal_places=0))


TYPED_NUMBERS = {
    models.DecimalField: {"form_class": LatvianDecimalField},
    models.PositiveIntegerField: {"form_class": LatvianIntegerField},
    models.PositiveBigIntegerField: {"form_class": LatvianIntegerField},
}


class TypedNumbersAdminMixin:
    """For a ModelAdmin or an inline: every decimal and count of its model is typed into a
    :class:`LatvianDecimalField` / :class:`LatvianIntegerField`. Options an admin sets for the same
    model field class in its own ``formfield_overrides`` win."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_class, options in TYPED_NUMBERS.items():
            # Django's own defaults (the admin's number widget) are replaced; the admin's own kept.
            own = type(self).formfield_overrides.get(field_class, {})
            self.formfield_overrides[field_class] = {**options, **own}
