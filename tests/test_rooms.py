"""The rooms import one way, by name too.

`lint-imports` (the layers contract in pyproject.toml, run by `make test`) sees `import`
statements only. A lower room can still reach a higher one by naming it in a string:
`apps.get_model("meetups", "Meetup")`, `import_module("meetups.tasks")`,
`import_string(...)`, `send_task("meetups.tasks...")`, a lazy `ForeignKey("meetups.Meetup")`
or a signal's `sender="meetups.Meetup"`. These tests read every module of every room and
fail on such a string naming a room above it. Reading a higher room's rows through a
Django relation (`circle.meetups.upcoming()`, `prefetch_related("meetups")`) stays allowed:
a bare related name is not a dotted path.

The order of the rooms is read from the contract itself, so adding a room (`hosting`,
`demo`) to the contract is the one change needed here; a room missing from it fails.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"

# Functions that turn a name into a model, an app, a module or a task.
NAME_LOOKUPS = {
    "get_model",
    "get_app_config",
    "import_module",
    "import_string",
    "__import__",
    "send_task",
    "signature",
}


def _contract() -> tuple[list[str], list[list[str]]]:
    """The root packages and the layers (top first, each a list of sibling rooms)."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (layers_contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = [
        [room.strip() for room in re.split(r"[|:]", layer)] for layer in layers_contract["layers"]
    ]
    return config["root_packages"], layers


def _rooms_above() -> dict[str, set[str]]:
    """For each room, the rooms it must not name: every room in a higher layer."""
    _, layers = _contract()
    above: dict[str, set[str]] = {}
    higher: set[str] = set()
    for layer in layers:
        for room in layer:
            # Siblings in one layer are kept apart by the contract's `|`; by name too.
            above[room] = higher | (set(layer) - {room})
        higher |= set(layer)
    return above


def _names_a_room(value: str, rooms: set[str]) -> str | None:
    """The room a string names as a dotted path (`meetups.Meetup`, `meetups.tasks.x`)."""
    match = re.fullmatch(r"([a-z_][a-z0-9_]*)(\.[A-Za-z_][A-Za-z0-9_]*)+", value)
    if match and match.group(1) in rooms:
        return match.group(1)
    return None


def _detours(source: str, path: str, forbidden: set[str]) -> list[str]:
    """Each place in the module `source` that names a forbidden room in a string."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(source, filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            room = _names_a_room(node.value, forbidden)
            if room:
                found.append((node.lineno, f"{node.value!r} names {room}"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in NAME_LOOKUPS and node.args:
                first = node.args[0]
                # A bare app label: get_model("meetups", "Meetup"), get_app_config("meetups").
                if isinstance(first, ast.Constant) and first.value in forbidden:
                    found.append((node.lineno, f"{name}({first.value!r}, …)"))
    return [f"{path}:{line}: {what}" for line, what in sorted(found)]


def test_every_app_of_the_project_is_a_room_of_the_contract() -> None:
    root_packages, layers = _contract()
    in_layers = {room for layer in layers for room in layer}
    base = Path(settings.BASE_DIR).resolve()
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        # An app of ours is a folder at the top of the checkout (a virtualenv inside the
        # checkout holds installed apps further down).
        if Path(config.path).resolve().parent == base
    }
    ours.add("peersupport")
    assert ours <= set(root_packages), f"missing from root_packages: {ours - set(root_packages)}"
    assert set(root_packages) == in_layers, "every root package is a layer and the reverse"


def test_no_room_names_a_room_above_it() -> None:
    base = Path(settings.BASE_DIR)
    detours = []
    for room, forbidden in _rooms_above().items():
        for path in sorted((base / room).rglob("*.py")):
            detours += _detours(path.read_text(), str(path.relative_to(base)), forbidden)
    assert not detours, "a lower room reaches a higher one by name:\n" + "\n".join(detours)


def test_the_check_sees_each_kind_of_detour_and_allows_relations() -> None:
    source = """
from django.apps import apps
from django.db import models
from importlib import import_module

apps.get_model("meetups", "Meetup")
apps.get_model("meetups.Meetup")
apps.get_app_config("meetups")
import_module("meetups.tasks")
app.send_task("meetups.tasks.send_due_reminders")
circle = models.ForeignKey("meetups.Meetup", on_delete=models.CASCADE)

# Allowed: a relation's name, another room's template or URL name, a lower room.
Circle.objects.prefetch_related("meetups").filter(meetups__isnull=False)
render(request, "meetups/detail.html", {"url": reverse("meetups:detail", args=[1])})
apps.get_model("accounts", "User")
"""
    found = _detours(source, "circles/example.py", {"meetups", "peersupport"})
    assert [line.split(":")[1] for line in found] == ["6", "7", "8", "9", "10", "11"], found
