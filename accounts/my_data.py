"""A person's own data: download all of it, or delete the account and everything in it.

Each app that holds personal data has a provider module, and `PERSONAL_DATA_PROVIDERS` in
settings names them in order. accounts never imports the other apps: it only calls what the
providers expose, so each app says itself what it holds about a person and what must happen
before that person goes.

A provider module has:

- `MODELS`: the labels (`"app_label.ModelName"`) of the models with a relation to the user
  that it exports or deliberately handles. A test fails when a model with a foreign key to
  the user is in no provider, so new personal data is never silently left out.
- `NOT_EXPORTED` (optional): labels of such models it leaves out of the download on
  purpose, each with the reason.
- `export(user) -> dict`: its part of the download; its keys must not clash with another
  provider's.
- `before_delete(user) -> None`: what must happen before the user row goes, inside the
  deletion's transaction. It raises `AccountDeletionBlocked` to refuse.
- `delete_page_part(request)` (optional): what it adds to the delete page (see
  `DeletePagePart`), for things the person settles there before deleting.

What the download leaves out everywhere: the password hash and the calendar feed token
(keys to the account, not facts about the person, and a downloaded file is easily shared),
and anyone else's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from types import ModuleType
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import User


class AccountDeletionBlocked(Exception):
    """The account cannot be deleted yet: `message` says why, written for the person, and
    `blocking` holds what stands in the way (e.g. the circles that would lose their host)."""

    def __init__(self, message: str, blocking: Sequence[object]) -> None:
        super().__init__(message)
        self.message = message
        self.blocking = list(blocking)


class DeletePagePart(Protocol):
    """A provider's part of the delete page: what the person settles there first.

    The page includes `template_name` with the part as `part`, and hands a POST whose
    `action` is one of `actions` to `handle`, which returns a response (a redirect when
    it worked) or None to show the page again with the part's bound forms.
    """

    actions: frozenset[str]
    template_name: str

    @property
    def blocks_deletion(self) -> bool: ...

    def handle(self, request: HttpRequest, action: str) -> HttpResponse | None: ...


def iso(value: Any) -> Any:
    """Dates and times as ISO 8601 text in full (Django's JSON encoder would cut them to
    milliseconds and write UTC as "Z", changing what the download has always said)."""
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def providers() -> list[ModuleType]:
    """The provider modules named in `PERSONAL_DATA_PROVIDERS`, in that order."""
    # import_module rather than import_string: these are modules, not attributes, and
    # import_string only finds a submodule its package has already imported.
    return [import_module(path) for path in settings.PERSONAL_DATA_PROVIDERS]


def collect_my_data(*, user: User) -> dict[str, Any]:
    """Everything the site holds about `user`, as plain JSON-ready data: each provider's
    part, in the order of the settings."""
    data: dict[str, Any] = {"exported_at": iso(timezone.now())}
    for provider in providers():
        part = provider.export(user)
        clash = data.keys() & part.keys()
        if clash:
            raise ImproperlyConfigured(
                f"{provider.__name__} exports keys another provider already uses: {sorted(clash)}"
            )
        data.update(part)
    return data


@transaction.atomic
def delete_user_account(*, user: User) -> None:
    """Delete the account and everything in it, in one transaction.

    Every provider's `before_delete` runs first (any of them may refuse with
    `AccountDeletionBlocked`, and then nothing changes); then the user row is deleted, and
    with it, by cascade, every row that belongs to the person alone. Nothing about the
    person is kept in anonymized form.
    """
    for provider in providers():
        provider.before_delete(user)
    user.delete()


def delete_page_parts(request: HttpRequest) -> list[DeletePagePart]:
    """What each provider adds to the delete page for the signed-in person."""
    return [
        provider.delete_page_part(request)
        for provider in providers()
        if hasattr(provider, "delete_page_part")
    ]
