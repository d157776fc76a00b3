"""A circle's meeting outline (hosting.outline), as its facilitators write it."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from circles.models import Circle
from hosting.models import MeetingOutline
from hosting.outline import default_outline
from hosting.services._common import _locked_circle, _log


def outline_of(circle: Circle) -> tuple[str, bool]:
    """The circle's outline text, and whether it is the default (in the active language)."""
    written = MeetingOutline.objects.filter(circle=circle).values_list("text", flat=True).first()
    if written:
        return written, False
    return default_outline(), True


@transaction.atomic
def save_outline(*, circle: Circle, by: User, text: str) -> bool:
    """Keep the facilitators' outline; an empty one, or the default as it reads now,
    brings the default back (which then follows each reader's language). Returns whether
    anything changed; a change is logged."""
    _locked_circle(circle)
    text = text.strip()
    if text == default_outline().strip():
        text = ""
    current = MeetingOutline.objects.filter(circle=circle).first()
    if (current.text if current else "") == text:
        return False
    if text:
        MeetingOutline.objects.update_or_create(
            circle=circle, defaults={"text": text, "updated_by": by}
        )
    else:
        MeetingOutline.objects.filter(circle=circle).delete()
    _log(circle=circle, actor=by, action="edit meeting outline")
    return True
