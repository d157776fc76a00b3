"""What only the facilitator's side keeps: the agreement a host accepted, invitations to
co-facilitate, members offering
to host one meetup, messages to the people going, reports and the log of what facilitators
and moderators did.

Lower rooms never import this module; where they show something of it (the meetup page's
"hosted by"), they read it through Django relations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from meetups.models import Meetup


class HostingAgreement(models.Model):
    """A facilitator accepted the facilitator agreement (hosting.agreement) for a circle:
    peers, not counsellors; what is shared stays in the circle; what to do in a crisis."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosting_agreements"
    )
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="agreements")
    version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "circle", "version"], name="one_agreement_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"Agreement {self.version} (#{self.pk})"


class CoFacilitatorInvitationQuerySet(models.QuerySet["CoFacilitatorInvitation"]):
    def open(self) -> CoFacilitatorInvitationQuerySet:
        """Invitations still waiting for the invited member's answer."""
        return self.filter(status=CoFacilitatorInvitation.Status.INVITED)


class CoFacilitatorInvitation(models.Model):
    """A facilitator invites an active member to co-facilitate the circle. Until the
    member accepts (and with it the facilitator agreement) they stay an ordinary member
    everywhere: their membership's role changes only then. They may decline; whoever
    manages the circle may withdraw it while it waits."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Waiting for an answer")
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="co_facilitator_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="co_facilitator_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = CoFacilitatorInvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            # One invitation waiting per person and circle: a double click invites once.
            models.UniqueConstraint(
                fields=["circle", "user"],
                condition=Q(status="invited"),
                name="one_open_co_facilitator_invitation",
            )
        ]

    def __str__(self) -> str:
        # No name and no circle, as for memberships: which circle a person is in is
        # health information.
        return f"Co-facilitator invitation #{self.pk} ({self.status})"


class HostOfferQuerySet(models.QuerySet["HostOffer"]):
    def offered(self) -> HostOfferQuerySet:
        return self.filter(status=HostOffer.Status.OFFERED)

    def confirmed(self) -> HostOfferQuerySet:
        return self.filter(status=HostOffer.Status.CONFIRMED)


class HostOffer(models.Model):
    """A member offers to host one meetup in rotation; a facilitator confirms or declines.
    A confirmed offer makes the member `Meetup.host`."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="host_offers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="host_offers"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HostOfferQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meetup", "user"], name="one_offer_per_meetup"),
            models.UniqueConstraint(
                fields=["meetup"],
                condition=Q(status="confirmed"),
                name="one_confirmed_host_per_meetup",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer to host #{self.pk} ({self.status})"


class MeetupMessage(models.Model):
    """A facilitator's message to the people going to a meetup: kept as a log of what was
    sent, by whom and to how many (never to whom)."""

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sender", "created_at"], name="message_sender_time")]

    def __str__(self) -> str:
        return f"Message #{self.pk}"


class ReportQuerySet(models.QuerySet["Report"]):
    def open(self) -> ReportQuerySet:
        return self.filter(status=Report.Status.OPEN)

    def for_facilitators(self) -> ReportQuerySet:
        return self.filter(routed_to=Report.RoutedTo.FACILITATORS)

    def for_moderators(self) -> ReportQuerySet:
        return self.filter(routed_to=Report.RoutedTo.MODERATORS)


class Report(models.Model):
    """A member's private concern about a circle, one of its meetups or a person in it, or
    word that nobody was there for a meetup. The person reported never sees it.

    Who reads it (`routed_to`, decided once by `route`): the circle's facilitators for
    concerns about a member or a meetup; the site's moderators (in the admin) for concerns
    about the whole circle or about one of its facilitators, so no facilitator ever judges
    a report about themselves. A person the reporter could only describe in words
    (`about_description`) is taken for a member: their facilitators know who came.
    """

    class Kind(models.TextChoices):
        CONCERN = "concern", _("A concern")
        NOBODY_THERE = "nobody_there", _("Nobody was there")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class RoutedTo(models.TextChoices):
        FACILITATORS = "facilitators", _("The circle's facilitators")
        MODERATORS = "moderators", _("Site moderators")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="reports")
    meetup = models.ForeignKey(
        Meetup, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    about_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_about",
    )
    # Someone the reporter could not name (they never met at a meetup), in their words.
    about_description = models.CharField(max_length=300, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONCERN)
    reason = models.CharField(max_length=200)
    details = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    routed_to = models.CharField(
        max_length=20, choices=RoutedTo.choices, default=RoutedTo.MODERATORS
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["circle", "routed_to", "status"], name="report_queue"),
        ]
        constraints = [
            # "Nobody was there" is one person's word about one meetup: said once.
            models.UniqueConstraint(
                fields=["reporter", "meetup"],
                condition=Q(kind="nobody_there"),
                name="one_nobody_there_per_person_per_meetup",
            )
        ]

    def __str__(self) -> str:
        return f"Report #{self.pk} ({self.get_kind_display()}, {self.status})"

    def route(self) -> str:
        """Who reads this report (see the class docstring); call before the first save."""
        if self.about_user_id is not None and self.circle.is_facilitator(self.about_user):
            return self.RoutedTo.MODERATORS
        if self.about_user_id is None and self.meetup_id is None and not self.about_description:
            return self.RoutedTo.MODERATORS
        return self.RoutedTo.FACILITATORS


class ActionLog(models.Model):
    """What a facilitator or moderator did, by whom and when: every hosting service that
    changes a circle, a meetup or someone's membership writes one row."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="action_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    meetup = models.ForeignKey(
        Meetup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


class CoverRequestQuerySet(models.QuerySet["CoverRequest"]):
    def open(self) -> CoverRequestQuerySet:
        """Still asking: nobody has accepted and the facilitators have not settled it."""
        return self.filter(status=CoverRequest.Status.OPEN)

    def peer_led(self) -> CoverRequestQuerySet:
        """Settled by the facilitators: the meetup runs without a host."""
        return self.filter(status=CoverRequest.Status.PEER_LED)


class CoverRequest(models.Model):
    """ "I can't host this one": a meetup's host (a facilitator, or its host in rotation)
    asks for someone to host it instead (hosting.services.cover).

    The co-facilitators and the members who have offered to host are emailed once each;
    the first to accept hosts it (`covered_by`). If nobody has by `answer_by`, the
    facilitators are told (`facilitators_told_at`) and choose: call the meetup off, or
    let it run peer-led without a host (shown on the meetup's page)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Asking for cover")
        COVERED = "covered", _("Covered")
        PEER_LED = "peer_led", _("Peer-led without a host")
        CANCELLED = "cancelled", _("Meetup cancelled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="cover_requests")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # When the facilitators are told nobody has accepted (see hosting.services.cover).
    answer_by = models.DateTimeField()
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    facilitators_told_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CoverRequestQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "answer_by"], name="cover_request_due")]
        constraints = [
            # One request open per meetup: a double click asks once.
            models.UniqueConstraint(
                fields=["meetup"], condition=Q(status="open"), name="one_open_cover_request"
            )
        ]

    def __str__(self) -> str:
        return f"Cover request #{self.pk} ({self.status})"


class MeetingOutline(models.Model):
    """How a circle's meetups run, as its facilitators wrote it (hosting.outline): shown
    to its hosts on each meetup's host page. A circle without one uses the default."""

    circle = models.OneToOneField(Circle, on_delete=models.CASCADE, related_name="outline")
    text = models.TextField(max_length=6000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Meeting outline #{self.pk}"
