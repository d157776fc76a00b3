"""Development email: printed to the terminal the way a person reads it.

Django's console backend prints the raw MIME message, where a long line such as the
confirmation link is quoted-printable encoded and broken with "=" at the end of a line,
so it cannot be copied. This one prints the headers that matter and the plain-text body
decoded, with links whole.
"""

from __future__ import annotations

from email.message import Message

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleBackend

HEADERS = ("From", "To", "Subject", "Date", "List-Unsubscribe")


def _plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.is_multipart():
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset() or "utf-8"
            return payload.decode(charset, errors="replace")
    return "(no plain-text part)"


class EmailBackend(ConsoleBackend):
    def write_message(self, message: EmailMessage) -> None:
        mime = message.message()
        for header in HEADERS:
            if mime.get(header):
                self.stream.write(f"{header}: {mime[header]}\n")
        self.stream.write("\n" + _plain_text(mime).rstrip() + "\n")
        self.stream.write("-" * 79 + "\n")
