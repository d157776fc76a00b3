"""accounts.background.after_commit: work gathered during a transaction is done once, when
it commits, and a savepoint rolled back inside it does not lose it."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.background import after_commit

pytestmark = pytest.mark.django_db

handled: list[list[int]] = []


def _handle(items: list[int]) -> None:
    handled.append(list(items))


@pytest.fixture(autouse=True)
def _nothing_handled() -> None:
    handled.clear()


def test_what_one_transaction_gathers_is_handled_once_when_it_commits(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for item in (1, 2, 3):
            after_commit("test-gather", _handle, item)
        assert handled == []

    assert handled == [[1, 2, 3]]


def test_a_savepoint_rolled_back_keeps_the_batch_for_the_commit(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                after_commit("test-savepoint", _handle, 1)
                raise RuntimeError("this part failed")
        except RuntimeError:
            pass
        after_commit("test-savepoint", _handle, 2)

    assert len(handled) == 1
    assert 2 in handled[0]


def test_a_rolled_back_transaction_handles_nothing(django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        after_commit("test-rollback", _handle, 1)
        raise RuntimeError("the change failed")

    assert (callbacks, handled) == ([], [])
