"""`manage.py seed_bulk`: many circles for benchmarks, written in bulk."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from circles.models import Circle, Schedule, Topic
from meetups.models import Meetup

pytestmark = pytest.mark.django_db


def seed_bulk(count: int, seed: int = 1) -> str:
    out = StringIO()
    call_command("seed_bulk", circles=count, seed=seed, stdout=out)
    return out.getvalue()


def test_seed_bulk_creates_circles_with_venues_schedules_and_meetups() -> None:
    output = seed_bulk(200)

    assert Circle.objects.count() == 200
    assert "200 circles" in output
    assert Schedule.objects.count() == 200
    in_person = Circle.objects.exclude(format=Circle.Format.ONLINE)
    assert in_person.count() > 150
    for circle in Circle.objects.prefetch_related("topics", "schedules__venue"):
        assert 1 <= len(circle.topics.all()) <= 3
        schedule = circle.schedules.all()[0]
        assert (schedule.venue is None) == circle.is_online
        assert 4 <= circle.meetups.count() <= 8
    assert Topic.objects.count() >= 12


def test_meetups_start_at_the_schedule_time_in_the_circle_timezone() -> None:
    seed_bulk(200)

    now = timezone.now()
    meetups = Meetup.objects.select_related("circle", "schedule")
    assert meetups.count() >= 800
    for meetup in meetups:
        assert meetup.starts_at > now
        assert meetup.local_start.time() == meetup.schedule.start_time
        assert meetup.local_start.weekday() == meetup.schedule.weekday
        assert 0 <= meetup.going_count <= meetup.capacity
        assert meetup.schedule.generated_through >= meetup.local_start.date()


def test_circles_near_baton_rouge_exist() -> None:
    seed_bulk(2000)

    near = Circle.objects.listed().near(30.4515, -91.1871, 50)
    assert near.exclude(format=Circle.Format.ONLINE).count() >= 3


def test_runs_add_up_with_unique_slugs() -> None:
    seed_bulk(150, seed=1)
    seed_bulk(150, seed=1)

    assert Circle.objects.count() == 300
    assert Circle.objects.values("slug").distinct().count() == 300
