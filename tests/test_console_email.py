"""Development email prints links whole, so a confirmation link can be copied from the
terminal (Django's console backend prints them quoted-printable, broken across lines)."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from peersupport.mail import EmailBackend

LINK = "http://127.0.0.1:8000/accounts/confirm-email/OTM:1xWDvd:Rc01N-U4WSvske7bdiUBw=HrUP8oJv/"


def test_long_links_and_accents_print_whole() -> None:
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        "Please confirm your email address",
        f"Hello Zoë,\n\nFollow this link:\n\n{LINK}\n",
        "circles@localhost",
        ["zoe@example.org"],
    )
    message.attach_alternative(f'<p><a href="{LINK}">Confirm</a></p>', "text/html")

    assert EmailBackend(stream=stream).send_messages([message]) == 1

    printed = stream.getvalue()
    assert f"\n{LINK}\n" in printed
    assert "Hello Zoë," in printed
    assert "Subject: Please confirm your email address" in printed
    assert "To: zoe@example.org" in printed
    assert "<p>" not in printed
