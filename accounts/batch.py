"""Questions asked once per batch: a chunk of reminders, a calendar feed.

The permission rules ask the database small questions ("is this person in that circle
now?", "do they hold a seat at this meetup?"). A page asks each a few times; a chunk of
100 reminders or a feed of 50 meetups would ask them hundreds of times, two queries a
message. Inside `one_batch()` each answer is read once and remembered until the batch
ends, and the batch may read them all up front (`remember`) in one query of its own.

The rule: only work that changes none of what it asks about opens a batch (sending mail,
writing a feed), and a batch lasts that one piece of work, so an answer is never older
than the batch. Outside a batch nothing is remembered: a request that changes a
membership and then shows the page reads the change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_answers: ContextVar[dict[Hashable, object] | None] = ContextVar("batch_answers", default=None)


@contextmanager
def one_batch() -> Iterator[None]:
    """Remember each answer asked through `answer` until the block ends."""
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def answer[T](question: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or inside a batch the answer it gave the first time `question` was asked."""
    answers = _answers.get()
    if answers is None:
        return read()
    if question not in answers:
        answers[question] = read()
    return answers[question]  # type: ignore[return-value]


def remember(question: Hashable, value: object) -> None:
    """Inside a batch, the answer to `question` read ahead, in bulk; outside, nothing."""
    answers = _answers.get()
    if answers is not None:
        answers[question] = value
