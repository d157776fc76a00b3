"""Every model that holds something about a person is in a personal data provider, so the
download and the deletion never silently leave new data out."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from accounts.my_data import collect_my_data


def _providers():
    return [import_module(path) for path in settings.PERSONAL_DATA_PROVIDERS]


def _declared() -> list[str]:
    labels: list[str] = []
    for provider in _providers():
        labels += provider.MODELS
        labels += getattr(provider, "NOT_EXPORTED", {})
    return labels


def _models_related_to_the_user() -> set[str]:
    """Models with a foreign key, one-to-one or many-to-many field to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is user_model
    }


def test_every_model_related_to_the_user_is_in_a_provider() -> None:
    missing = _models_related_to_the_user() - set(_declared())

    assert not missing, f"Add these to a PERSONAL_DATA_PROVIDERS module: {sorted(missing)}"


def test_each_model_is_declared_once_and_exists() -> None:
    declared = _declared()

    assert len(declared) == len(set(declared))
    for label in declared:
        apps.get_model(label)


def test_each_provider_exports_and_prepares_deletion() -> None:
    for provider in _providers():
        assert callable(provider.export), provider.__name__
        assert callable(provider.before_delete), provider.__name__


def test_the_walk_finds_a_relation_to_the_user() -> None:
    # A positive control: the walk above would pass vacuously if it found nothing.
    assert {"accounts.Notification", "circles.Membership", "meetups.RSVP"} <= (
        _models_related_to_the_user()
    )


def test_two_providers_may_not_export_the_same_key(member: User, settings) -> None:
    settings.PERSONAL_DATA_PROVIDERS = ["accounts.personal_data", "accounts.personal_data"]

    with pytest.raises(ImproperlyConfigured):
        collect_my_data(user=member)
