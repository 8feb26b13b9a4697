"""The one check of a work phone number that an administrator will call.

Accepted: digits, spaces and + - ( ) . as people write them, and an extension after "x" or
"ext" ("(512) 555-0142 ext. 12"). A U.S. number (no "+", or "+1") needs its 10 digits with
the area code (an optional leading 1 makes 11); a number given with another country code
("+44 20 7946 0958") needs 8 to 15 digits, as international numbers have.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SHAPE = re.compile(
    r"(?P<number>\+?[0-9 ().\-]+?)\s*(?:(?:x|ext\.?)\s*(?P<extension>[0-9]{1,6}))?",
    re.IGNORECASE,
)

WRONG_CHARACTERS = _(
    "Enter a phone number with digits, spaces and + - ( ) . only, and x or ext before an "
    "extension, for example (512) 555-0142 ext. 12."
)
US_LENGTH = _(
    "A U.S. phone number has 10 digits with its area code, for example (512) 555-0142; "
    "this one has %(count)d."
)
US_AREA_CODE = _("A U.S. area code never starts with 0 or 1; check the first digits.")
INTERNATIONAL_LENGTH = _(
    "An international number has 8 to 15 digits after the +; this one has %(count)d."
)


def validate_work_phone(value: str) -> None:
    text = " ".join(value.split())
    match = _SHAPE.fullmatch(text)
    # "+" only at the start; at least one digit before any extension.
    if match is None or "+" in match["number"][1:]:
        raise ValidationError(WRONG_CHARACTERS, code="phone_characters")
    digits = re.sub(r"[^0-9]", "", match["number"])
    if match["number"].startswith("+"):
        if not digits.startswith("1"):
            if not 8 <= len(digits) <= 15:
                raise ValidationError(
                    INTERNATIONAL_LENGTH, code="phone_length", params={"count": len(digits)}
                )
            return
        national = digits[1:]  # +1: the U.S. country code
    else:
        national = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    if len(national) != 10:
        raise ValidationError(US_LENGTH, code="phone_length", params={"count": len(national)})
    if national[0] in "01":
        raise ValidationError(US_AREA_CODE, code="phone_area_code")
