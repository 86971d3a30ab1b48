"""Django's own messages whose Chinese, in Django's catalogue, misleads: said again in the project's
catalogue (``LOCALE_PATHS`` comes before Django's). Named here so that ``makemessages`` keeps them.

- A NUL character in a text: Django's Chinese says "empty strings are not allowed".
- Rows named twice in an admin inline: no final 。 (an ASCII period, or none at all).
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Please correct the duplicate data for %(field)s."),
    gettext_noop("Please correct the duplicate data for %(field)s, which must be unique."),
    gettext_noop("Please correct the duplicate values below."),
]
