"""Dates, times and numbers in Spanish as they are read in the United States (FORMAT_MODULE_PATH).

Django's Spanish formats are Spain's: a 24-hour clock and "1.234,5". A resident of San Antonio
reads opening hours on a 12-hour clock and numbers with a decimal point, as on every sign and
phone around them, so es/formats.py keeps Django's Spanish dates ("5 de marzo de 2026") and
takes the U.S. clock and numbers.

The words of that clock and of the short weekdays are Django's own messages; the portal's
catalogue (locale/es) gives them the spelling Spanish style guides ask for ("5 p. m.", "jue."),
and wins over Django's. Marked here so that makemessages keeps them in that catalogue.
"""

from django.utils.translation import gettext_noop

DJANGO_WORDS_RESPELLED = (
    gettext_noop("a.m."),
    gettext_noop("p.m."),
    gettext_noop("noon"),
    gettext_noop("midnight"),
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
)
