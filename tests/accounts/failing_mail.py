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
