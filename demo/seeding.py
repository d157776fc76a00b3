"""What both seeds share: the data files under demo/data/ and the topics every site starts
with (demo/data/topics.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from circles.models import Topic

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_data(name: str) -> dict[str, Any]:
    """One TOML file of demo/data/, parsed."""
    with (DATA_DIR / name).open("rb") as file:
        return tomllib.load(file)


def topics() -> list[dict[str, str]]:
    """The starting topics: slug, name, short (for generated circle names), description."""
    return read_data("topics.toml")["topics"]


def ensure_topics() -> dict[str, Topic]:
    """The starting topics by slug, created on first use; existing ones are left as they are."""
    by_slug = {}
    for topic in topics():
        by_slug[topic["slug"]], _ = Topic.objects.get_or_create(
            slug=topic["slug"],
            defaults={"name": topic["name"], "description": topic["description"]},
        )
    return by_slug
