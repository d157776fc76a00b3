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
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.errors import RuleError
from accounts.models import User


class AccountDeletionBlocked(RuleError):
    """The account cannot be deleted yet: `message` says why, written for the person, and
    `blocking` holds what stands in the way (e.g. the circles that would lose their host)."""

    def __init__(self, message: str, blocking: Sequence[object]) -> None:
        super().__init__(message)
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
    person is kept in anonymized form: the admin's history of those rows loses their
    names (`scrub_admin_history`), and every session of the person ends, in every browser
    (`end_sessions`), once the deletion is committed.
    """
    for provider in providers():
        provider.before_delete(user)
    scrub_admin_history(user)
    sessions = session_keys_of(user)
    user.delete()
    transaction.on_commit(lambda: end_sessions(sessions))


def scrub_admin_history(user: User) -> int:
    """Make the admin's history (LogEntry) of the person, and of every row deleted along
    with them, say nothing about them; returns how many entries changed.

    The rows are found the way the deletion itself finds them (Django's collector follows
    every cascade), so a model added later is covered without a change here. Each entry
    keeps who did what and when, to a row now named only "<model> #<id>": `object_repr`
    was the row's text when the entry was written (for a membership it once read "<name>
    in <circle>"), and `change_message` can quote related rows' text, so both go.
    """
    collector = NestedObjects(using=router.db_for_write(User))
    collector.collect([user])
    scrubbed = 0
    for model, instances in collector.data.items():
        pks = [str(obj.pk) for obj in instances]
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id__in=pks,
        )
        for entry in entries.only("pk", "object_id"):
            entry.object_repr = f"{model._meta.verbose_name} #{entry.object_id}"
            entry.change_message = ""
            entry.save(update_fields=["object_repr", "change_message"])
            scrubbed += 1
    return scrubbed


def session_keys_of(user: User) -> list[str]:
    """The keys of every unexpired session signed in as `user`.

    Sessions live in the database (the `db` backend, or `cached_db` with Redis in front),
    and which person a session belongs to is only inside its encoded data, so every live
    session is read. That is one pass over the signed-in sessions, on the rare occasion an
    account is deleted: simpler, and never out of step, unlike an index of sessions per
    person kept up to date on every sign-in.
    """
    live = Session.objects.filter(expire_date__gt=timezone.now())
    return [
        session.session_key
        for session in live.iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def end_sessions(session_keys: Sequence[str]) -> None:
    """End these sessions through the configured engine, so with `cached_db` the cached
    copy in Redis goes as well as the database row (a cached copy alone would keep the
    session signed in)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()


def delete_page_parts(request: HttpRequest) -> list[DeletePagePart]:
    """What each provider adds to the delete page for the signed-in person."""
    return [
        provider.delete_page_part(request)
        for provider in providers()
        if hasattr(provider, "delete_page_part")
    ]
