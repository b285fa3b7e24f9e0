"""Sentence boundaries for German news as it comes from the web.

Handles quotes, ordinals and abbreviations; headline and caption lines without a full stop;
a missing space after a full stop ("getroffen.Der Kanzler", split by the tokenizer infix in
`missing_space_infix`); and marks web debris (bylines, photo credits, broadcast notes,
datelines such as "BERLIN (dpa) -") so that no actor or statement is read from it.
"""

from __future__ import annotations

import re

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Token

_ENDERS = {".", "!", "?", "…"}
_CLOSERS = {"“", "”", "\"", "«", "»", "'", "’", ")", "]"}
_OPENERS = {"„", "\"", "«", "»", "(", "‚", "“"}

# "getroffen.Der": a lower-case word, a full stop and a capitalised word with no space between.
MISSING_SPACE_INFIX = r"(?<=[a-zäöüß]{3})\.(?=[A-ZÄÖÜ][a-zäöüß])"


def ensure_debris_extension() -> None:
    if not Token.has_extension("kg_debris"):
        Token.set_extension("kg_debris", default=False)


def is_debris(doc: Doc, start: int, end: int) -> bool:
    """All tokens of doc[start:end] are web debris (byline, credit, dateline …)."""
    ensure_debris_extension()
    return end > start and all(doc[k]._.kg_debris or doc[k].is_space for k in range(start, end))


class SentenceSplitter:
    """Mark sentence starts after . ! ? (and closing quotes), not after abbreviations; at line
    breaks of text that is not hard-wrapped; and mark debris lines and datelines."""

    def __init__(self, *, abbreviations: frozenset[str], debris_lines: tuple[str, ...] = (),
                 dateline: str | None = None, max_tokens: int = 400):
        self.abbreviations = abbreviations
        self.debris = [re.compile(p) for p in debris_lines]
        self.dateline = re.compile(dateline) if dateline else None
        self.max_tokens = max_tokens

    def __call__(self, doc: Doc) -> Doc:
        ensure_debris_extension()
        n = len(doc)
        if n == 0:
            return doc
        starts = [False] * n
        starts[0] = True
        line_breaks = not _hard_wrapped(doc.text)
        i = 0
        while i < n:
            tok = doc[i]
            if "\n\n" in tok.whitespace_ or (tok.is_space and "\n" in tok.text and tok.text.count("\n") >= 2):
                if i + 1 < n:
                    starts[i + 1] = True
            elif line_breaks and ("\n" in tok.whitespace_ or (tok.is_space and "\n" in tok.text)):
                # A headline or caption line ends its sentence even without a full stop.
                if i + 1 < n and not tok.text.endswith("-"):
                    starts[i + 1] = True
            if self._ends(tok):
                j = i + 1
                while j < n and (doc[j].text in _CLOSERS or doc[j].text in _ENDERS) and doc[j - 1].whitespace_ == "":
                    j += 1
                k = j
                while k < n and doc[k].is_space:
                    k += 1
                if k < n and self._can_start(doc, k):
                    starts[k] = True
                i = j
                continue
            i += 1
        self._mark_debris(doc, starts)
        self._bound_length(starts)
        _set_sent_starts(doc, starts)
        return doc

    def _bound_length(self, starts: list[bool]) -> None:
        """Cut runaway "sentences" (tables, lists, noise) so that work per sentence stays bounded."""
        run = 0
        for k in range(len(starts)):
            run = 0 if starts[k] else run + 1
            if run >= self.max_tokens:
                starts[k] = True
                run = 0

    def _mark_debris(self, doc: Doc, starts: list[bool]) -> None:
        text = doc.text
        spans: list[tuple[int, int]] = []
        pos = 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped and any(p.search(stripped) for p in self.debris):
                spans.append((pos, pos + len(line)))
            elif stripped and self.dateline is not None:
                m = self.dateline.match(line)
                if m:
                    spans.append((pos, pos + m.end()))
            pos += len(line) + 1
        if not spans:
            return
        # Spans are in text order and tokens are too: one pass over both.
        n = len(doc)
        ends: list[int] = []
        k = 0
        for a, b in spans:
            while k < n and doc[k].idx < a:
                k += 1
            while k < n and doc[k].idx < b:
                doc[k]._.kg_debris = True
                k += 1
            ends.append(k)
        for k in ends:
            # The text after a dateline starts a sentence of its own.
            while k < n and doc[k].is_space:
                k += 1
            if k < n and not doc[k]._.kg_debris:
                starts[k] = True

    def _ends(self, tok) -> bool:
        text = tok.text
        if text in _ENDERS or text in {"?!", "!?", "..."}:
            return True
        if text.endswith(".") and len(text) > 1:
            # spaCy keeps abbreviations ("z.B.") and ordinals ("3. März") as one token;
            # a year before a capital ("im Jahr 2025. Die …") does end the sentence.
            stem = text[:-1]
            if text in self.abbreviations or (stem.isdigit() and len(stem) <= 2):
                return False
            return stem.isdigit() or stem.isalpha()
        return False

    def _can_start(self, doc: Doc, k: int) -> bool:
        tok = doc[k]
        if tok.text in _OPENERS or tok.text[:1] in _OPENERS:
            return True
        first = tok.text[:1]
        return first.isupper() or first.isdigit()


def _set_sent_starts(doc: Doc, starts: list[bool]) -> None:
    """Write all sentence starts at once: spaCy's per-token setter rescans the whole doc for a
    parse each time, which made splitting quadratic in the length of the document."""
    values = numpy.fromiter((1 if s else -1 for s in starts), dtype=numpy.int64, count=len(starts))
    doc.from_array([SENT_START], values.astype(numpy.uint64))


def _hard_wrapped(text: str) -> bool:
    """Text broken into lines of similar width inside paragraphs (e-mail, plain-text agency
    feeds): there a single line break is a space, not the end of a headline."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 4:
        return False
    open_lines = [ln for ln in lines if 40 <= len(ln.rstrip()) <= 100 and ln.rstrip()[-1:] not in ".!?:“”\"»«"]
    return len(open_lines) >= 0.5 * len(lines)


@Language.factory(
    "kg_sentences",
    assigns=["token.is_sent_start", "token._.kg_debris"],
    default_config={"abbreviations": [], "debris_lines": [], "dateline": None, "max_tokens": 400},
)
def make_sentence_splitter(nlp: Language, name: str, *, abbreviations: list[str], debris_lines: list[str],
                           dateline: str | None, max_tokens: int) -> SentenceSplitter:
    return SentenceSplitter(abbreviations=frozenset(abbreviations), debris_lines=tuple(debris_lines),
                            dateline=dateline, max_tokens=max_tokens)
