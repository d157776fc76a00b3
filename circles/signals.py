"""Any change to what browse results show invalidates the browse cache.

Only circles' own models are watched here; meetups bumps the version itself when a
meetup changes (seats taken, freed or added leave cached pages as they are: they have a
version of their own, in meetups.seats). A deploy bumps it too: it runs `migrate`, and
the cached HTML was rendered by the previous release's templates and code.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from circles.cache import bump_browse_version
from circles.models import Circle, Schedule, Topic, Venue


def _changed(**kwargs: object) -> None:
    bump_browse_version()


def _migrated(sender: AppConfig, **kwargs: object) -> None:
    bump_browse_version()


def connect() -> None:
    for model in (Circle, Topic, Schedule, Venue):
        post_save.connect(_changed, sender=model, dispatch_uid=f"browse-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"browse-{model.__name__}-del")
    m2m_changed.connect(_changed, sender=Circle.topics.through, dispatch_uid="browse-topics")
    post_migrate.connect(_migrated, sender=Circle._meta.app_config, dispatch_uid="browse-deploy")
