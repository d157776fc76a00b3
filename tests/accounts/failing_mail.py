"""An email backend whose server refuses every message, for send_once's failure path."""

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionError("mail server unavailable")
