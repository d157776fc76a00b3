"""Who may do what, for the predicates every room shares: the site's policy starts here.

Every "may this person see or do this" on the site is a named permission, registered with
the `rules` package in the `rules.py` of the room that owns the object, and asked through
Django's own API: `user.has_perm("circles.manage_circle", circle)` in views, feeds, emails
and forms; `{% has_perm "circles.manage_circle" user circle as may_manage %}` in
templates (`{% load rules %}`). The README's permission matrix lists each one against each
kind of person, and `tests/test_permission_matrix.py` walks it.

Permissions follow a person's state now: a removed, blocked or departed member, or a former
host, loses a permission the moment their state changes, on past meetups and in feeds too.

Staff are the site's moderators only with a second factor (allauth MFA): without one they
are ordinary members everywhere. `User.has_perm` asks this policy for every permission it
defines, with no superuser shortcut.
"""

from __future__ import annotations

import rules
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings


@rules.predicate
def is_signed_in(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "is_active", False)


@rules.predicate
def has_second_factor(user: object) -> bool:
    """An active authenticator (an app or recovery codes), as the admin requires."""
    return bool(getattr(user, "is_authenticated", False)) and is_mfa_enabled(user)


@rules.predicate
def is_staff(user: object) -> bool:
    return bool(getattr(user, "is_staff", False))


@rules.predicate
def debug_mode() -> bool:
    return settings.DEBUG


#: The site's moderators: active staff who signed in with a second factor. They act on
#: reports (hosting.handle_report), never as a circle's facilitator.
is_moderator = is_signed_in & is_staff & has_second_factor

# The staff's outbox page exists for development only (accounts.staff).
rules.add_perm("accounts.read_outbox", debug_mode & is_signed_in & is_staff)
