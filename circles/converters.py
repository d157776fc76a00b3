"""The path converter for database ids in URLs.

Django's `int` converter matches any run of digits, so /meetups/99999999999999999999/
reached the database, which refused the number (Postgres: DataError; SQLite:
OverflowError) and the site answered 500. `id` matches only what a BigAutoField can hold,
so such a URL resolves to nothing and answers 404 like any other unknown page. Every URL
pattern with an id uses it (tests/test_out_of_range_ids.py walks them all).
"""

from __future__ import annotations

# The largest value of a signed 64-bit integer: BigAutoField's range on every backend.
MAX_ID = 2**63 - 1


class DatabaseIdConverter:
    """A positive database id: 1 to 19 digits, no larger than MAX_ID."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            # A ValueError makes the pattern not match: the URL answers 404.
            raise ValueError(f"{value} is not a database id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
