"""The top of every email (its first line, and the hidden preheader of its HTML) says when
and where, never which circle: phones show it on a locked screen. A person who opted in
(`emails_show_circle_name`) sees the circle's name there too."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notify import build_message
from circles import wording
from meetups import services
from meetups.notifications import send_due_reminders
from tests.factories import MeetupFactory, TopicFactory, UserFactory, VenueFactory

CIRCLE = "Alcohol Recovery Tuesdays"
TOPIC = "Addiction"
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
TEMPLATES = sorted(
    path.name.removesuffix("-body.txt")
    for path in EMAILS.glob("*-body.txt")
    if not path.name.startswith("_")
)

# Every value any email template reads, the circle's name and topic where they may appear.
CONTEXT = {
    "circle_name": CIRCLE,
    "topic": TOPIC,
    "when": "Tuesday 3 March, 7:00 pm",
    "day_was": "Monday 2 March",
    "when_was": "Monday 2 March, 6:00 pm",
    "place": "Rosie's Coffee",
    "place_was": "Corner Coffee",
    "address": "12 Main St",
    "time_changed": True,
    "place_changed": True,
    "circle_url": "https://example.org/circles/x/",
    "meetup_url": "https://example.org/meetups/1/",
    "browse_url": "https://example.org/circles/",
    "confirm_url": "https://example.org/confirm/",
    "queue_url": "https://example.org/queue/",
    "meeting_link": "",
    "when_there": "Tuesday 3 March, 6:00 pm CST",
    "map_url": "https://www.openstreetmap.org/search?query=12+Main+St",
    "ics_url": "https://example.org/meetups/1.ics",
    "cant_make_it_url": "https://example.org/meetups/1/cant-make-it/x/",
    "message": f"See you at {CIRCLE}",
    "sender_name": "Milo",
    "nobody_there": False,
    "for_moderators": False,
    "meetup": SimpleNamespace(
        starts_at=dt.datetime(2026, 3, 3, 19, tzinfo=dt.UTC),
        circle=SimpleNamespace(timezone="America/Chicago"),
    ),
}


def preheader(html: str) -> str:
    match = re.search(r'<div style="display:none[^>]*>(.*?)</div>', html, re.S)
    assert match, "every HTML email starts with a hidden preheader"
    return unescape(match.group(1)).replace("\u034f", "").replace("\u200c", "").strip()


def top(message) -> tuple[str, str]:
    html = message.alternatives[0][0]
    assert html.lstrip().startswith('<div style="display:none'), "the preheader comes first"
    return message.body.splitlines()[0], preheader(html)


def test_every_email_template_is_swept():
    assert {"reminder-24h", "promoted", "cancelled", "moved", "meetup-message"} <= set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_top_of_an_email_never_names_the_circle(db, template):
    person = UserFactory()

    first_line, hidden = top(build_message(user=person, template=template, context=CONTEXT))

    for words in (CIRCLE, TOPIC):
        assert words not in first_line
        assert words not in hidden
    assert first_line.strip(), "the first line is not empty"


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_person_who_opted_in_sees_the_circle_at_the_top(db, template):
    person = UserFactory(emails_show_circle_name=True)

    first_line, hidden = top(build_message(user=person, template=template, context=CONTEXT))

    assert CIRCLE in hidden
    if "when" in (EMAILS / f"{template}-body.txt").read_text().split("\n")[0]:
        assert CIRCLE in first_line


REMINDER_AT = {"reminder-24h": dt.timedelta(hours=20), "reminder-2h": dt.timedelta(minutes=90)}


def _reminder(person, circle, template: str):
    """The one reminder `person` gets for a meetup of `circle` at Rosie's Coffee."""
    starts = timezone.now() + REMINDER_AT[template]
    meetup = MeetupFactory(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        venue=VenueFactory(name="Rosie's Coffee"),
    )
    services.rsvp(user=person, meetup=meetup)
    assert send_due_reminders() == 1
    [message] = mail.outbox
    assert Notification.objects.filter(key__startswith=f"{template}:", user=person).exists()
    return message, wording.long_when(starts, person.timezone)


@pytest.mark.parametrize("template", REMINDER_AT)
def test_a_reminder_leads_with_time_and_place_only(member, circle, template):
    circle.topics.set([TopicFactory(name=TOPIC)])

    message, when = _reminder(member, circle, template)

    first_line, hidden = top(message)
    assert message.subject == f"Reminder: {when}, Rosie's Coffee"
    assert first_line == hidden == f"{when}, Rosie's Coffee"
    for words in (circle.name, "Grief", TOPIC):
        assert words not in message.subject
        assert words not in first_line and words not in hidden
    assert circle.name in message.body  # the body itself still says which circle


@pytest.mark.parametrize("template", REMINDER_AT)
def test_a_reminder_names_the_circle_at_the_top_for_who_chose_it(member, circle, template):
    User.objects.filter(pk=member.pk).update(emails_show_circle_name=True)
    member.refresh_from_db()

    message, when = _reminder(member, circle, template)

    first_line, hidden = top(message)
    expected = f"{when}, Rosie's Coffee · {circle.name}"
    assert message.subject == f"Reminder: {expected}"
    assert first_line == hidden == expected
