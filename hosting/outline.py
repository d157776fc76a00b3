"""A circle's meeting outline: how its meetups run, shown to its hosts on each meetup's
host page (and printed from there).

An outline is plain text. A line starting with "#" begins a section and names it; blank
lines separate paragraphs. Nothing in it is HTML: the page escapes every word. A circle
whose facilitators have not written their own uses the default, drawn from peer-support
practice and read in the reader's language.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext

# Room for a long outline, not for a manual.
OUTLINE_MAX_LENGTH = 6000


def default_outline() -> str:
    """The default outline in the active language: welcome and guidelines, a check-in
    round, open sharing with "share the air", closing."""
    sections = [
        (
            gettext("Welcome and guidelines"),
            gettext(
                "Welcome everyone, and anyone new especially. Say that this is peer support: "
                "we are equals sharing our own experience, not counsellors, and nobody has to "
                "speak. Read the circle's guidelines aloud, or a short version: what is said "
                "here stays here; speak from your own experience; no advice unless someone "
                "asks for it. Say where the crisis help is on the site."
            ),
        ),
        (
            gettext("Check-in round"),
            gettext(
                "Go round once. Each person says the name they use here and a sentence or two "
                "about how they are arriving today. Anyone may pass."
            ),
        ),
        (
            gettext("Open sharing"),
            gettext(
                "Open the floor. Share the air: if you have spoken a lot, leave room for "
                "others; if you have been quiet, you are welcome to come in. Listen without "
                "fixing, and thank each person who shares."
            ),
        ),
        (
            gettext("Closing"),
            gettext(
                "A few minutes before the end, go round once more: one word, or one thing you "
                "take with you. Thank everyone, say when the next meetup is, and remind people "
                "that what was shared stays in the circle."
            ),
        ),
    ]
    return "\n\n".join(f"# {title}\n{body}" for title, body in sections)


@dataclasses.dataclass
class Section:
    title: str
    paragraphs: list[str]


def sections(text: str) -> list[Section]:
    """The outline's sections, in order; text before the first heading is a section
    without a title. Empty sections are left out."""
    found: list[Section] = [Section(title="", paragraphs=[])]
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            found[-1].paragraphs.append("\n".join(paragraph))
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("#"):
            end_paragraph()
            found.append(Section(title=line.lstrip("#").strip(), paragraphs=[]))
        elif not line:
            end_paragraph()
        else:
            paragraph.append(line)
    end_paragraph()
    return [section for section in found if section.title or section.paragraphs]
