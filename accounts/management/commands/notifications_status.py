"""`manage.py notifications_status`: what the outbox holds, per kind of email.

Pending and claimed count every message still waiting, however old (an outage shows as a
growing pending column); sent, failed, expired and obsolete count those queued in the
last day (`--hours` to change it). Failed messages were refused by the mail server; their
`last_error` is in the admin.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import outbox


class Command(BaseCommand):
    help = "Pending, claimed, sent, failed, expired and obsolete emails per kind (last day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours", type=int, default=24, help="How far back to count finished messages."
        )

    def handle(self, *args: Any, hours: int, **options: Any) -> None:
        if hours < 1:
            raise CommandError("--hours must be 1 or more.")
        counts = outbox.status_counts(hours=hours)
        columns = outbox.REPORT_COLUMNS
        width = max([len("kind"), len("total"), *(len(kind) for kind in counts)])
        self.stdout.write(
            f"Emails waiting, and queued in the last {hours} h:\n"
            + f"{'kind':<{width}}"
            + "".join(f"{column:>10}" for column in columns)
        )
        totals = dict.fromkeys(columns, 0)
        for kind, row in counts.items():
            self.stdout.write(f"{kind:<{width}}" + "".join(f"{row[c]:>10}" for c in columns))
            for column in columns:
                totals[column] += row[column]
        self.stdout.write(f"{'total':<{width}}" + "".join(f"{totals[c]:>10}" for c in columns))
