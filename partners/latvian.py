"""Latvian grammar the portal's messages need, in one place.

* **Gender.** A participle agrees with its noun: *aktivitāte pievienota*, *lietotājs pievienots*. Each
  model with an admin declares the gender of its Latvian ``verbose_name`` as ``grammatical_gender``
  (Django's own models that the admin shows are listed here), and the admin's messages
  (``ddkc.admin_site``) choose their wording by it.
* **Number.** A Latvian count takes the singular after 1, 21, 31 … 101 (but not 11): *21 aktivitāte*,
  *11 aktivitātes*. Strings written in Latvian in the code get their plural forms from the Latvian
  catalogue (``ddkc/locale/lv``); :func:`takes_singular` picks a noun form to go with a count.
* **Dates after a verb** take the locative: *slēgts 2026. gada 2. decembrī* (Django's date format gives
  the nominative, *2. decembris*, right in a table cell or after a colon). :func:`on_date` writes them;
  the template filter of the same name (``portal`` library) uses it.
"""

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

MASCULINE = "masculine"
FEMININE = "feminine"

# Models of Django and its add-ons that the admin shows, by label: "kopa" (a group) is feminine.
OTHER_MODELS = {"auth.group": FEMININE}


def gender_of(model):
    """The grammatical gender of the model's Latvian name, or None when it is not declared."""
    return getattr(model, "grammatical_gender", None) or OTHER_MODELS.get(model._meta.label_lower)


def takes_singular(count):
    """Whether a noun after ``count`` is singular in the active language (Latvian: 1, 21, 31…, not 11)."""
    if (get_language() or "lv").startswith("lv"):
        return count % 10 == 1 and count % 100 != 11
    return count == 1


LOCATIVE_MONTHS = [
    "janvārī",
    "februārī",
    "martā",
    "aprīlī",
    "maijā",
    "jūnijā",
    "jūlijā",
    "augustā",
    "septembrī",
    "oktobrī",
    "novembrī",
    "decembrī",
]


def on_date(value, with_time=False):
    """A date (or a moment) where it follows a verb: Latvian «2026. gada 2. decembrī» (with the time:
    «… plkst. 14:05»), English «2 December 2026» («… at 14:05»). A moment is shown in local time."""
    if value is None or value == "":
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    if (get_language() or "lv").startswith("lv"):
        text = f"{value.year}. gada {value.day}. {LOCATIVE_MONTHS[value.month - 1]}"
    else:
        text = formats.date_format(value, "j F Y")
    if with_time and hasattr(value, "hour"):
        return _("%(date)s plkst. %(time)s") % {"date": text, "time": formats.time_format(value, "H:i")}
    return text
