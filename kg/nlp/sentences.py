"""Sentence boundaries for German news: handles quotes, ordinals and abbreviations."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

_ENDERS = {".", "!", "?", "…"}
_CLOSERS = {"“", "”", "\"", "«", "»", "'", "’", ")", "]"}
_OPENERS = {"„", "\"", "«", "»", "(", "‚", "“"}


class SentenceSplitter:
    """Mark sentence starts after . ! ? (and closing quotes), not after abbreviations."""

    def __init__(self, *, abbreviations: frozenset[str]):
        self.abbreviations = abbreviations

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        starts = [False] * n
        starts[0] = True
        i = 0
        while i < n:
            tok = doc[i]
            if "\n\n" in tok.whitespace_ or (tok.is_space and "\n" in tok.text and tok.text.count("\n") >= 2):
                if i + 1 < n:
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
        for tok, start in zip(doc, starts):
            tok.is_sent_start = start
        return doc

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


@Language.factory(
    "kg_sentences",
    assigns=["token.is_sent_start"],
    default_config={"abbreviations": []},
)
def make_sentence_splitter(nlp: Language, name: str, *, abbreviations: list[str]) -> SentenceSplitter:
    return SentenceSplitter(abbreviations=frozenset(abbreviations))
