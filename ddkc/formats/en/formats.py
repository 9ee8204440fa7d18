"""English pages write dates, times and numbers the EU English way (the European Commission's English
Style Guide): «20 January 2026», «14:05», in tables «20.1.2026»; a point for decimals and a comma between
thousands (2,899,408.11). Django's own "en" formats are American («Jan. 20, 2026», «2:05 p.m.»,
«01/20/2026»). Only what differs from Django's "en" is set here (``FORMAT_MODULE_PATH``); Latvian pages
keep Django's "lv" formats. Amounts put the currency code first («EUR 2,899,408.11»):
:func:`partners.formats.money`."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
