"""Joining an online meetup by phone: a number to call and an access code to key in.

One definition of what a dial-in number and code may be, used by the circle's and the
meetup's fields (and so by every form and the admin), and of how they are written:
shown as the facilitators typed them ("+1 (555) 123-4567"), dialled from a `tel:` link
that keys in the code too (RFC 3966: two commas pause for the call to connect, and the
`#` that ends the code is escaped, since a bare `#` would begin a fragment of the link).

Who may read them is the online link's permission (meetups.see_online_link); the Meeting
Guide feed publishes them only for circles that chose to (`Circle.dial_in_public`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# As typed, with spaces and brackets; E.164 numbers have at most 15 digits, and fewer
# than 7 is no number a conference service gives out.
PHONE_MAX_LENGTH = 32
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 15
PHONE_SHAPE = re.compile(r"\+?[0-9 ()\-]+")
# What a keypad keys in after the call connects: digits, grouped by spaces or dashes.
CODE_MAX_LENGTH = 24
CODE_MAX_DIGITS = 20
CODE_SHAPE = re.compile(r"[0-9 \-]+")


def digits_of(value: str) -> str:
    return "".join(character for character in value if character.isascii() and character.isdigit())


def validate_dial_in_phone(value: str) -> None:
    """Digits, spaces, dashes and brackets, with a + only in front: 7 to 15 digits."""
    if len(value) > PHONE_MAX_LENGTH or not PHONE_SHAPE.fullmatch(value):
        raise ValidationError(
            _(
                "Enter the phone number with digits, spaces, dashes, brackets and a + in "
                "front only, like +1 (555) 123-4567."
            ),
            code="invalid",
        )
    if not PHONE_MIN_DIGITS <= len(digits_of(value)) <= PHONE_MAX_DIGITS:
        raise ValidationError(
            _("A phone number has %(low)s to %(high)s digits."),
            code="invalid",
            params={"low": PHONE_MIN_DIGITS, "high": PHONE_MAX_DIGITS},
        )


def validate_dial_in_code(value: str) -> None:
    """Digits, grouped by spaces or dashes: at most 20 digits."""
    digits = digits_of(value)
    if (
        len(value) > CODE_MAX_LENGTH
        or not CODE_SHAPE.fullmatch(value)
        or not 1 <= len(digits) <= CODE_MAX_DIGITS
    ):
        raise ValidationError(
            _(
                "The access code is the digits people key in after calling, like 123 456 "
                "789 (at most %(high)s digits)."
            ),
            code="invalid",
            params={"high": CODE_MAX_DIGITS},
        )


def check_code_has_a_number(phone: str, code: str) -> None:
    """A code alone tells nobody what to call."""
    if code and not phone:
        raise ValidationError(
            {"dial_in_phone": _("Add the phone number the access code is for.")},
            code="required",
        )


@dataclass(frozen=True)
class DialIn:
    """A number to call and the code to key in once connected (may be empty)."""

    phone: str
    code: str = ""

    @property
    def number(self) -> str:
        """The number as a phone dials it: its digits, with the + in front if it has one."""
        plus = "+" if self.phone.strip().startswith("+") else ""
        return plus + digits_of(self.phone)

    @property
    def tel_url(self) -> str:
        """A link that calls and, once connected, keys in the code and #:
        "tel:+15551234567,,123456%23"."""
        if not self.code:
            return f"tel:{self.number}"
        return f"tel:{self.number},,{digits_of(self.code)}%23"
