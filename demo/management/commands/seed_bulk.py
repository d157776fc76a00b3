"""Many circles, fast, for benchmarks: `manage.py seed_bulk --circles 100000 [--seed 1]`.

What the circles look like, and how they are written, is in demo/bulk.py. Everything runs
in one transaction, so an interrupted run leaves nothing behind; each run adds circles
(slugs carry a random tag, so runs never collide).
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from circles.cache import bump_browse_version
from demo import bulk
from demo.seeding import ensure_topics, topics


class Command(BaseCommand):
    help = "Create many circles with venues, schedules and upcoming meetups, for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--circles", type=int, required=True, help="how many circles")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args: Any, circles: int, seed: int, **options: Any) -> None:
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            by_slug = ensure_topics()
            shared = [(by_slug[t["slug"]].pk, t["short"], t["description"]) for t in topics()]
            cities = bulk.us_cities()
            weights = [city[4] for city in cities]
            done = 0
            while done < circles:
                size = min(bulk.CHUNK, circles - done)
                bulk.write_circles(rng, size, cities, weights, shared)
                done += size
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"{done:,} circles in {elapsed:.1f} s ({done / elapsed:,.0f} circles/s)"
                )
        # Rows written in bulk send no signals: tell cached browse pages they are stale.
        bump_browse_version()
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {circles:,} circles in {time.monotonic() - started:.1f} s.")
        )
