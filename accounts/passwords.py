"""A password strength check that works offline: zxcvbn's estimate of how many guesses a
password takes, with the person's own email and name counted as known words."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from zxcvbn import zxcvbn

from accounts.models import User

# zxcvbn's scores run 0-4; 3 is "safely unguessable: moderate protection from an offline
# slow-hash scenario" (about 10^10 guesses).
MIN_SCORE = 3
# zxcvbn refuses passwords longer than this (its time grows with length), so only the
# first part of a longer one is judged.
MAX_JUDGED_LENGTH = 72


class StrengthValidator:
    """Refuses passwords that zxcvbn scores below `min_score`, saying why in its words."""

    def __init__(self, min_score: int = MIN_SCORE) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: User | None = None) -> None:
        known = [getattr(user, field, "") or "" for field in ("email", "display_name")]
        known += [part for value in known for part in value.replace("@", " ").split()]
        result = zxcvbn(password[:MAX_JUDGED_LENGTH], user_inputs=[k for k in known if k])
        if result["score"] >= self.min_score:
            return
        feedback = result.get("feedback") or {}
        hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        message = _("This password is too easy to guess.")
        extra = " ".join(hint for hint in hints if hint)
        raise ValidationError(f"{message} {extra}".strip(), code="password_too_guessable")

    def get_help_text(self) -> str:
        return _("Your password must be hard to guess: a few unrelated words make a good one.")
