"""People and how they are reached.

Email is the login; `display_name` is what everyone else sees (pseudonyms welcome). The
site never asks for a legal name: `first_name`/`last_name` inherited from AbstractUser stay
empty and are not shown anywhere.
"""

from __future__ import annotations

import secrets
import zoneinfo

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.mime import OutboxEmail


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list (for example America/Chicago).")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


# The emails a person may do without, each named by the User field that turns it on.

OPTIONAL_EMAILS = ("remind_24h", "remind_2h", "weekly_checkin")


def wanting_optional_email(kind: str, *, prefix: str = "") -> models.Q:
    """User.wants_optional_email as a filter: `RSVP.objects.filter(
    wanting_optional_email("remind_2h", prefix="user__"))`."""
    if kind not in OPTIONAL_EMAILS:
        raise ValueError(f"{kind!r} is not an optional email (accounts.models.OPTIONAL_EMAILS)")
    return models.Q(**{f"{prefix}{kind}": True, f"{prefix}consent_withdrawn_at__isnull": True})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        max_length=40,
        help_text=_("Shown to others instead of your email. A first name or a nickname is fine."),
    )
    home_place = models.CharField(max_length=120, blank=True)
    home_lat = models.FloatField(null=True, blank=True)
    home_lng = models.FloatField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    # The language the site and its emails speak to this person: one of settings.LANGUAGES,
    # set at signup from the language they signed up in and changed from the footer's
    # switcher. Empty: never chosen (emails then use settings.LANGUAGE_CODE). No choices on
    # the field, so a new language needs no migration; the forms offer settings.LANGUAGES.
    language = models.CharField(max_length=10, blank=True, default="")

    remind_24h = models.BooleanField(_("email me 24 hours before a meetup"), default=True)
    remind_2h = models.BooleanField(_("email me 2 hours before a meetup"), default=True)
    weekly_checkin = models.BooleanField(_("send me the weekly check-in"), default=True)

    class FacilitatorAlerts(models.TextChoices):
        DAILY = "daily", _("In one email a day at most, for each circle")
        IMMEDIATE = "immediate", _("At once, an email for each")

    # For facilitators: how they hear of new requests to join and new reports about the
    # circles they host (circles.facilitator_news).
    facilitator_alerts = models.CharField(
        _("when someone asks to join a circle you host, or reports a concern in it, tell me"),
        max_length=10,
        choices=FacilitatorAlerts,
        default=FacilitatorAlerts.DAILY,
    )
    calendar_shows_circle_name = models.BooleanField(
        _("show the circle's name in my calendar"),
        default=False,
        help_text=_("Off: calendar entries only say 'Circle at <venue>'."),
    )
    emails_show_circle_name = models.BooleanField(
        _("show the circle's name at the top of emails"),
        default=False,
        help_text=_(
            "Off: the first line of an email, which phones show on a locked screen, "
            "says only when and where."
        ),
    )
    neutral_titles = models.BooleanField(
        _("keep circle names and searches out of my browser tabs and history"),
        default=False,
        help_text=_(
            "On: tabs say only what kind of page it is, such as 'Meetup · Tue 3 Mar', "
            "and searching does not add entries to your browser's history."
        ),
    )
    # The private feed address is a credential: nobody has one until they turn the feed on
    # in their settings (accounts.services.regenerate_calendar_token).
    calendar_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, default=None
    )

    # The privacy note the person last accepted, and when. A new version
    # (settings.PRIVACY_NOTICE_VERSION) is asked for at their next visit
    # (accounts.middleware.PrivacyConsentMiddleware).
    health_data_consent_at = models.DateTimeField(null=True, blank=True)
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    # Set when the person withdrew their consent from the settings page: the account stays,
    # and no optional email goes out (User.wants_optional_email) until they consent again.
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(home_lat__isnull=True)
                | models.Q(home_lat__gte=-90, home_lat__lte=90),
                name="user_home_lat_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(home_lng__isnull=True)
                | models.Q(home_lng__gte=-180, home_lng__lte=180),
                name="user_home_lng_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"member {self.pk}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def email_language(self) -> str:
        """The language emails to this person are written in (accounts.notify): the one
        they chose, or the site's when they chose none or one no longer offered."""
        offered = dict(settings.LANGUAGES)
        return self.language if self.language in offered else settings.LANGUAGE_CODE

    def needs_privacy_consent(self) -> bool:
        """Whether the person is to be asked to accept the current privacy note: they
        accepted an older version (or none). Someone who withdrew consent is not asked on
        every page; they give it again from their settings when they choose."""
        return (
            self.consent_withdrawn_at is None
            and self.privacy_notice_version != settings.PRIVACY_NOTICE_VERSION
        )

    def wants_optional_email(self, kind: str) -> bool:
        """The one rule for every optional email (reminders, check-in prompts): the
        person has it turned on (`kind` is one of OPTIONAL_EMAILS) and has not withdrawn
        consent. Scans that pick recipients in SQL use `wanting_optional_email`, the same
        rule as a filter."""
        if kind not in OPTIONAL_EMAILS:
            raise ValueError(f"{kind!r} is not an optional email (accounts.models.OPTIONAL_EMAILS)")
        return self.consent_withdrawn_at is None and bool(getattr(self, kind))

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """The site's permissions (the `rules` policy: accounts.rules and each room's
        rules.py) are asked of that policy alone. Django would grant every permission to an
        active superuser first; on the site a superuser is a moderator only with a second
        factor, like any staff member. Django's own model permissions (the admin's) keep
        Django's answer."""
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def has_verified_email(self) -> bool:
        """Whether the person has confirmed an email address (allauth's EmailAddress):
        needed before joining a circle or asking for a seat."""
        return self.emailaddress_set.filter(verified=True).exists()


class Notification(models.Model):
    """One message to one person: a row in the outbox (accounts.outbox).

    `key` is unique, e.g. "reminder-24h:meetup:412:seq:0:user:9": the guard that makes
    every message go out once. The row is written, with the message already rendered, in
    the same transaction as the change that causes it (accounts.notify.queue_once); a
    worker then claims it for `claimed_until`, sends it and marks it sent. A message that
    no longer applies when its turn comes is marked obsolete, one whose `expires_at` has
    passed expired, and one the mail server refused too often failed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("refused by the mail server")
        EXPIRED = "expired", _("too late to send")
        OBSOLETE = "obsolete", _("no longer applies")

    key = models.CharField(max_length=200, unique=True)
    # None only for an account email to an address that belongs to nobody (allauth's
    # "no account with this address" answer to a password reset).
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    recipient = models.EmailField(max_length=254, blank=True)
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # While in the future: a worker is sending it (or it waits before the next try).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # How often the mail server refused this message for good (a 5xx reply about it);
    # temporary replies and outages count in `attempts` only (accounts.outbox).
    refusals = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep: pending rows in id order, skipping those under a lease.
            models.Index(
                fields=["id", "claimed_until"],
                condition=models.Q(status="pending"),
                name="notification_pending",
            ),
            # Retention's purge and the status report read by age.
            models.Index(fields=["created_at"], name="notification_created"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def purpose(self) -> str:
        """The first part of the key: "reminder-24h", "promoted", "still-meeting"…"""
        return self.key.split(":", 1)[0]

    def key_parts(self) -> dict[str, str]:
        """The named ids of the key: "moved:meetup:4:seq:2:user:9" gives {"meetup": "4",
        "seq": "2", "user": "9"}. A qualifier right after the purpose (the month of
        "still-meeting:2026-03:circle:5:user:9") is left out."""
        rest = self.key.split(":")[1:]
        if len(rest) % 2:
            rest = rest[1:]
        return dict(zip(rest[::2], rest[1::2], strict=True))

    def email_message(self) -> OutboxEmail:
        """The stored message, ready to send as it was rendered when it was queued."""
        message = OutboxEmail(
            subject=self.subject, body=self.body, to=[self.recipient], headers=self.headers
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message
