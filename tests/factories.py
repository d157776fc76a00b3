"""factory-boy factories for every model the tests build."""

from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.utils.timezone import localdate, now

from accounts.models import User, new_calendar_token
from circles.models import Circle, Membership, Schedule, Topic, Venue
from hosting import agreement, services
from hosting.models import CoFacilitatorInvitation
from meetups.models import RSVP, Meetup


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    timezone = "America/Chicago"
    health_data_consent_at = factory.LazyFunction(now)
    privacy_notice_version = factory.LazyFunction(lambda: settings.PRIVACY_NOTICE_VERSION)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    class Params:
        # New accounts start with the feed off; `calendar_feed=True` is someone who turned it on.
        calendar_feed = factory.Trait(calendar_token=factory.LazyFunction(new_calendar_token))

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """A verified primary email, unless `verified=False` is passed."""
        if not create:
            return
        self.save()
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )

    @factory.post_generation
    def mfa(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Staff get an authenticator app, as the admin requires, unless `mfa=False` is
        passed; anyone gets one with `mfa=True`."""
        if create and (extracted or (extracted is None and self.is_staff)):
            TOTP.activate(self, generate_totp_secret())


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Corner Coffee {n}")
    address = "100 Main St, Baton Rouge, LA"
    lat = 30.4515
    lng = -91.1871


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Circle {n}")
    slug = factory.Sequence(lambda n: f"circle-{n}")
    description = "People who meet as equals to share what helps."
    format = Circle.Format.IN_PERSON
    area_name = "Baton Rouge, LA"
    lat = 30.4433
    lng = -91.1875
    timezone = "America/Chicago"
    guidelines = "What is said here stays here. Speak from your own experience."

    @factory.post_generation
    def topics(self, create: bool, extracted: list[Topic] | None, **kwargs: object) -> None:
        if create and extracted:
            self.topics.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    circle = factory.SubFactory(CircleFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    guidelines_version = 1
    guidelines_accepted_at = factory.LazyFunction(now)


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    circle = factory.SubFactory(CircleFactory)
    frequency = Schedule.Frequency.WEEKLY
    weekday = 1
    start_time = dt.time(18, 30)
    duration_minutes = 90
    venue = factory.SubFactory(VenueFactory)
    capacity = 12
    starts_on = factory.LazyFunction(localdate)


class MeetupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meetup

    circle = factory.SubFactory(CircleFactory)
    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyFunction(lambda: now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(minutes=90))
    capacity = 12


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    meetup = factory.SubFactory(MeetupFactory)
    user = factory.SubFactory(UserFactory)
    status = RSVP.Status.GOING


def met_at_a_meetup(circle: Circle, *people: User) -> Meetup:
    """A meetup of `circle` that started yesterday, all of `people` going: they met there
    (hosting.services.reportable_people)."""
    start = now() - dt.timedelta(days=1)
    meetup = MeetupFactory(circle=circle, starts_at=start)
    for person in people:
        RSVPFactory(meetup=meetup, user=person)
    return meetup


def accept_invitation(user: User, circle: Circle) -> None:
    """`user` accepts their open invitation to co-facilitate `circle`, and the agreement."""
    services.accept_co_facilitation(
        invitation=CoFacilitatorInvitation.objects.open().get(user=user, circle=circle),
        agreement_version=agreement.VERSION,
    )
