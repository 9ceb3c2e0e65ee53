"""What text people type may hold. A one-line value (a name, a title, a subject) holds no
control character at all: CR or LF in a name ends up in an email header, NUL is refused by
PostgreSQL. A multi-line value (a message, a profile text) may hold line breaks and tabs only.
Forms, the CSV import and the file imports all ask here."""

from __future__ import annotations

import re
import unicodedata

# Cc is C0, DEL and C1; Zl/Zp are the Unicode line and paragraph separators, which mail
# clients and str.splitlines() treat as line breaks.
_BREAKS_AND_TABS = {"\n", "\r", "\t"}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def control_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why the text may not be stored as typed, or None when it may."""
    allowed = _BREAKS_AND_TABS if multiline else set()
    bad = sorted({c for c in text if _is_control(c) and c not in allowed})
    if not bad:
        return None
    names = ", ".join(_char_name(c) for c in bad[:3])
    if not multiline and set(bad) & _BREAKS_AND_TABS:
        return f"Must be a single line, without line breaks or tabs ({names})."
    return f"Must not contain control characters ({names})."


def _char_name(char: str) -> str:
    return {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\0": "NUL"}.get(
        char, f"U+{ord(char):04X}"
    )


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """The text with every run of control characters (line breaks included) made one space:
    for values stored before they were checked that go where a break would do harm (an email
    header)."""
    return _CONTROLS.sub(" ", text).strip()
