"""The translation catalogs stay complete: extraction would change nothing (every string
in the code is in them, none is left over), every Spanish entry is translated and none
is fuzzy, each keeps its placeholders, and the committed .mo files say what the .po files
say. `make messages` fixes the first and the last (tests/catalogs.py)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests import catalogs

PO_FILES = sorted(catalogs.LOCALE.glob("*/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _entries(po: Path) -> dict[tuple[str | None, object], object]:
    with po.open("rb") as source:
        catalog = read_po(source)
    return {(message.context, message.id): message for message in catalog if message.id}


def test_there_is_a_spanish_catalog_for_both_domains() -> None:
    assert {(po.parent.parent.name, po.stem) for po in PO_FILES} >= {
        ("es", "django"),
        ("es", "djangojs"),
    }


def test_extraction_would_change_no_catalog(tmp_path: Path) -> None:
    if not catalogs.has_gettext():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext is missing; .ci/run installs it (apt-get install gettext)")
        pytest.skip("GNU gettext is not installed (makemessages needs xgettext); CI has it")
    copy = tmp_path / "site"
    copy.mkdir()
    # The demo app too: settings install it (extraction leaves it out).
    for name in (*catalogs.SOURCES, "locale", "demo"):
        shutil.copytree(catalogs.ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(catalogs.ROOT / "manage.py", copy / "manage.py")
    catalogs.extract(copy)
    for po in PO_FILES:
        relative = po.relative_to(catalogs.ROOT)
        ours, extracted = _entries(po), _entries(copy / relative)
        added = sorted(str(key) for key in extracted.keys() - ours.keys())
        dropped = sorted(str(key) for key in ours.keys() - extracted.keys())
        assert not added and not dropped, (
            f"{relative} is behind the code: run `make messages` and translate what it adds.\n"
            f"New strings: {added}\nStrings no longer used: {dropped}"
        )


@pytest.mark.parametrize("po", PO_FILES, ids=lambda po: str(po.relative_to(catalogs.LOCALE)))
def test_every_entry_is_translated_and_none_is_fuzzy(po: Path) -> None:
    untranslated, fuzzy, placeholders = [], [], []
    for (_context, msgid), message in _entries(po).items():
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(forms):
            untranslated.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
        source = " ".join(msgid) if isinstance(msgid, tuple) else msgid
        wanted = {match.group(0) for match in PLACEHOLDER.finditer(source)}
        for form in forms:
            if {match.group(0) for match in PLACEHOLDER.finditer(form)} - wanted:
                placeholders.append((msgid, form))
    assert not untranslated, f"Untranslated in {po.name}: {untranslated}"
    assert not fuzzy, f"Fuzzy (check and clear the flag) in {po.name}: {fuzzy}"
    assert not placeholders, f"Placeholders the code never fills, in {po.name}: {placeholders}"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda po: str(po.relative_to(catalogs.LOCALE)))
def test_the_compiled_catalog_says_what_the_po_file_says(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.name} is missing: run `make messages`"
    assert catalogs.messages_of(mo.read_bytes()) == catalogs.messages_of(
        catalogs.compile_catalog(po)
    ), f"{mo.relative_to(catalogs.ROOT)} is out of date: run `make messages`"
