"""The site's translation catalogs: extracting them with Django's makemessages (which needs
GNU gettext) and compiling them with Babel (pure Python, so a newcomer's machine needs no
gettext to run the site). `make messages` runs this module: it brings locale/*/django.po
and djangojs.po up to date with the code and writes their .mo files, which are committed.

tests/test_catalogs.py runs the same extraction into a copy of the code, and fails when it
would change a catalog.
"""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
# What extraction reads: our apps, templates and scripts, never the tests, the vendored
# libraries or the demo data (people's words, not the site's).
SOURCES = ("accounts", "circles", "meetups", "hosting", "peersupport", "templates", "static")
IGNORE = ("static/vendor", "*/migrations/*")
# No file locations in the catalogs: a line moving elsewhere changes nothing a translator
# needs, so the catalogs change only when the words do.
OPTIONS = ("--no-location", "--no-obsolete", "--no-wrap")


def languages(locale: Path = LOCALE) -> list[str]:
    return sorted(path.name for path in locale.iterdir() if (path / "LC_MESSAGES").is_dir())


def has_gettext() -> bool:
    return all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib"))


def extract(root: Path = ROOT) -> None:
    """makemessages for every language in `root`/locale, both domains."""
    manage = [sys.executable, "manage.py", "makemessages", *OPTIONS]
    ignore = [f"--ignore={pattern}" for pattern in IGNORE]
    # Anything beside the sources (a virtualenv, .data, node_modules) stays out.
    ignore += [
        f"--ignore={path.name}"
        for path in root.iterdir()
        if path.is_dir() and path.name not in (*SOURCES, "locale")
    ]
    locales = [f"--locale={code}" for code in languages(root / "locale")]
    for domain in DOMAINS:
        done = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [*manage, f"--domain={domain}", *locales, *ignore],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"makemessages failed:\n{done.stderr}")


def compile_catalog(po: Path) -> bytes:
    """The .mo file of a .po file, compiled by Babel."""
    with po.open("rb") as source:
        catalog = read_po(source)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all(locale: Path = LOCALE) -> None:
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        po.with_suffix(".mo").write_bytes(compile_catalog(po))


def messages_of(mo: bytes) -> dict[object, object]:
    """What a compiled catalog says, as Python's gettext reads it."""
    return dict(gettext.GNUTranslations(io.BytesIO(mo))._catalog)  # type: ignore[attr-defined]


if __name__ == "__main__":
    if not has_gettext():
        sys.exit(
            "makemessages needs GNU gettext: apt-get install gettext (or brew install gettext)"
        )
    extract()
    compile_all()
    print("Catalogs extracted and compiled:", ", ".join(languages()))
