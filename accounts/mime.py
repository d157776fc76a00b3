"""How a stored message becomes MIME: Django's email classes, with lines folded at RFC
5322's limit of 998 characters instead of Python's default of 78.

Two things follow from the longer limit, both wanted:

- **Headers stay as written.** Python folds a header it cannot break at a space (a
  `List-Unsubscribe` URL of 150 characters) by turning it into RFC 2047 encoded-words
  (`=?utf-8?q?=3Chttp=3A//…?=`). Mail clients do not decode encoded-words in that
  header (RFC 2369 wants a bare `<URL>`), so one-click unsubscribe silently stopped
  working for every message. With 998, the header goes out as one line, as RFC 8058
  shows it.
- **Bodies go as they are.** A body whose lines fit in 998 characters is sent as 7bit
  (ASCII) or 8bit (anything else) instead of quoted-printable, which is also what Django
  already does for a short-lined body; only a longer line still makes it quoted-printable
  or base64. Plain-text readers see the URLs unbroken, and building a message costs much
  less (the README's benchmark section has the figures), which matters when ten thousand
  reminders fall due at once (accounts.outbox).

The backend's own policy is kept otherwise (SMTP's CRLF line endings, for one), with one
more change: header classes are made once per header name (`HeaderClasses`).
"""

from __future__ import annotations

import email.policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage as MIMEMessage
from email.policy import Policy

from django.core.mail import EmailMultiAlternatives

# RFC 5322 2.1.1: "Each line of characters MUST be no more than 998 characters".
MAX_LINE_LENGTH = 998


class HeaderClasses(HeaderRegistry):
    """The standard header registry, making each header's class once.

    Python's HeaderRegistry builds a new class (`type(...)`) every time it parses a header,
    some thirty times per message: a quarter of the time it takes to build a reminder. The
    class depends on nothing but the header's name, so it is made once per name and kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


HEADER_CLASSES = HeaderClasses()


class OutboxEmail(EmailMultiAlternatives):
    """An email whose lines fold at MAX_LINE_LENGTH, whichever policy the backend asks
    for (the SMTP backend passes email.policy.SMTP; the others use the default)."""

    def message(self, *, policy: Policy = email.policy.default) -> MIMEMessage:
        return super().message(
            policy=policy.clone(max_line_length=MAX_LINE_LENGTH, header_factory=HEADER_CLASSES)
        )
