"""How a cell is read and written: numbers, dates, texts and references by natural key (with the closest names suggested)."""

import datetime
import difflib
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import widgets

from partners import formats
from partners.numbers import LARGEST, parse_decimal
from partners.spreadsheets import restore


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class LatvianDecimalWidget(widgets.Widget):
    """2 899 408,11 · 2899408.11 · 2.899.408,11 · a number cell. Text is read by the portal's one
    parser of typed numbers (:func:`partners.numbers.parse_decimal`), as in the admin's forms."""

    def __init__(self, places=2, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, float):
            # A real number cell holds a binary float (12.600000000000001 for a cell showing
            # 12,60): read to the field's places, as before. Text is never rounded.
            value = Decimal(repr(value))
            if self.places and value.is_finite() and abs(value) < LARGEST:
                value = value.quantize(Decimal(1).scaleb(-self.places))
        try:
            return parse_decimal(value, decimal_places=self.places)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return "" if not kwargs.get("force_native_type") else None
        if kwargs.get("force_native_type"):
            return value
        return formats.typed(value)


class LatvianIntegerWidget(LatvianDecimalWidget):
    def __init__(self, **kwargs):
        super().__init__(places=0, **kwargs)

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is None:
            return None
        if number < 0:
            raise ValueError(_("Skaits nevar būt negatīvs."))
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class LatvianDateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if " " in text:  # "05.03.2024 00:00" from a spreadsheet that kept a time
            text = text.split(" ", 1)[0]
        for pattern in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("«%(value)s» nav datums. Rakstiet 2024-03-05 vai 05.03.2024.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.strftime("%d.%m.%Y")


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
        if "\x00" in value:  # PostgreSQL refuses it in any text; it is never typed on purpose
            raise ValueError(_("Tekstā ir neatļauta rakstzīme (NUL)."))
        # A file the portal exported has formula-like texts neutralised: take back the apostrophe.
        return restore(value.strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def messages_of(value):
    if isinstance(value, ValidationError):
        return list(value.messages)
    if isinstance(value, list | tuple):
        return [message for item in value for message in messages_of(item)]
    return [str(value)]


def normalise(value):
    return " ".join(str(value).split()).casefold()


# What every name of a kind ends with ("… pagasts", "… novads (2021)"): left out when comparing
# names, or every parish would look like every other.
KIND_WORDS = re.compile(r"\s*(?:\(\d{4}\)|pagasts|pilsēta|novads)$")


def stem(name):
    name = normalise(name)
    while (shorter := KIND_WORDS.sub("", name)) != name:
        name = shorter
    return name


def suggestion(value, names):
    """ " Vai domājāt «…»?" with the names closest to ``value`` (up to three), or "" when none is
    close. Latvian letters count as letters: «Kalkūnu pagasts» is closest to «Kalkūnes pagasts»."""
    stems = {}
    for name in names:
        stems.setdefault(stem(name), []).append(name)
    closest = difflib.get_close_matches(stem(value), [key for key in stems if key], n=3, cutoff=0.75)
    found = list(dict.fromkeys(name for key in closest for name in stems[key]))[:3]
    if not found:
        return ""
    return " " + _("Vai domājāt %(names)s?") % {"names": ", ".join(f"«{name}»" for name in found)}


class LookupWidget(widgets.Widget):
    """A reference by natural key, resolved from a dict the resource loads once per file."""

    def __init__(self, resolve, render_key, **kwargs):
        super().__init__(**kwargs)
        self.resolve = resolve
        self.render_key = render_key

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.resolve(str(value).strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.render_key(value)


SEPARATORS = re.compile(r"[;,\n]")


class LookupListWidget(LookupWidget):
    """Several references in one cell, separated by ``;`` or ``,``."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return []
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result, problems = [], []
        for part in SEPARATORS.split(str(value)):
            if part.strip():
                try:
                    item = self.resolve(part.strip())
                except ValueError as error:
                    problems.append(str(error))
                    continue
                if item not in result:
                    result.append(item)
        if problems:
            raise ValueError(" ".join(problems))
        return result

    def render(self, value, obj=None, **kwargs):
        return "; ".join(self.render_key(item) for item in value.all()) if value is not None else ""
