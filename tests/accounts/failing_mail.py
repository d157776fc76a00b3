"""Email backends whose server fails, for the outbox's failure paths."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    """The server is unreachable."""

    def send_messages(self, email_messages):
        raise ConnectionError("mail server unavailable")


class RefusingBackend(BaseEmailBackend):
    """The server answers, and refuses the recipient."""

    def send_messages(self, email_messages):
        recipients = {to: (550, b"no such mailbox") for m in email_messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)


class GreylistingBackend(BaseEmailBackend):
    """The server answers "try again later" to the recipient."""

    def send_messages(self, email_messages):
        recipients = {to: (451, b"4.7.1 greylisted") for m in email_messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)


class HungBackend(BaseEmailBackend):
    """The server accepted the connection and never answered: smtplib's read timed out."""

    def send_messages(self, email_messages):
        try:
            raise TimeoutError("timed out")
        except TimeoutError as exc:
            # As smtplib raises it: while handling the timeout, without `from`.
            raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {exc}")  # noqa: B904
