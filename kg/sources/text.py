"""Text hygiene, front matter and date checks shared by every input format."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

# Characters no RDF tool may be handed: C0/C1 controls (except tab, newline, carriage return),
# lone surrogates (JSON "\ud800") and the 66 Unicode noncharacters (U+FDD0..U+FDEF and the last
# two code points of every plane). Raptor rejects files that contain them.
_LINE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_NONCHARACTERS = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)
_FRONT_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{1,2})?$")
META_KEYS = ("title", "date", "url", "source")
FRONT_MATTER_MAX_LINES = 50


def clean_text(text: str) -> str:
    """Text as kg reads it: no byte-order mark, no controls or noncharacters, NFC.

    Line-like controls (vertical tab, form feed, NEL, separators) become a newline, other controls
    a space and noncharacters U+FFFD, so that words stay apart; then NFC, so that decomposed
    umlauts ("Mu\u0308ller") match the gazetteer. Offsets refer to the returned text.
    """
    text = text.removeprefix("\ufeff")
    text = _LINE_CONTROLS.sub("\n", text)
    text = _OTHER_CONTROLS.sub(" ", text)
    text = _NONCHARACTERS.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def clean_value(value: str | None) -> str | None:
    """A metadata value on one line: cleaned, whitespace collapsed, None when empty."""
    if value is None:
        return None
    value = " ".join(clean_text(value).split())
    return value or None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """({key: value}, rest) for text that opens with a `---` block of `key: value` lines.

    Anything else (a Markdown rule, an unclosed block, a line that is not `key: value`) is not
    front matter and the text is returned unchanged. Keys are lower-cased; values may be quoted.
    """
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n", FRONT_MATTER_MAX_LINES + 2)
    if lines[0].rstrip("\r") != "---":
        return {}, text
    found: dict[str, str] = {}
    for n, raw in enumerate(lines[1:FRONT_MATTER_MAX_LINES + 2], start=1):
        line = raw.rstrip("\r")
        if line.strip() in ("---", "..."):
            rest = "\n".join(lines[n + 1:]) if n + 1 < len(lines) else ""
            return found, rest
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FRONT_LINE.match(line)
        if not match:
            return {}, text
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found.setdefault(match.group(1).lower(), value)
    return {}, text


def check_date(value: str | None) -> tuple[str | None, str | None]:
    """(ISO date, None) for "YYYY-MM-DD" or an ISO date-time (its date part), else (None, why)."""
    value = (value or "").strip()
    if not value:
        return None, None
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value).isoformat(), None
        if _ISO_DATETIME.match(value):
            return datetime.fromisoformat(value).date().isoformat(), None
    except ValueError:
        return None, f"date {value!r} does not exist"
    if _PARTIAL_DATE.match(value):
        return None, f"date {value!r} is partial (a day is needed: YYYY-MM-DD)"
    return None, f"date {value!r} is not an ISO date (YYYY-MM-DD)"
