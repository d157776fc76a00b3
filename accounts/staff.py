"""The staff's outbox page, for development: `/staff/outbox/` lists the emails the site
sent, newest first, read from the outbox's rows (accounts.outbox), so someone trying
`make run` sees reminders and prompts arrive without reading the terminal.

It exists only with DEBUG on, and only for staff: in production the rows hold messages
about people's circles, which nobody reads on a web page. Anyone else gets a 404, as if
the page did not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.models import Notification

SHOWN = 50


@never_cache
def outbox_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.read_outbox"):
        raise Http404
    sent = Notification.objects.filter(status=Notification.Status.SENT).order_by("-sent_at", "-pk")
    return render(
        request,
        "accounts/staff_outbox.html",
        {"emails": sent[:SHOWN], "shown": SHOWN, "waiting": outbox_waiting()},
    )


def outbox_waiting() -> int:
    return Notification.objects.filter(status=Notification.Status.PENDING).count()
