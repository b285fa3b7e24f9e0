"""spaCy's tokenizer, with bounded work on very long runs of non-space characters.

spaCy strips affixes from a whitespace-delimited chunk one at a time, each time
searching the rest of the chunk: a run of 40,000 quotation marks took minutes.
Runs longer than MAX_RUN characters are tokenized in pieces of MAX_RUN characters;
all other text is tokenized exactly as before, and the Doc's text is the input text.
"""

from __future__ import annotations

import re

MAX_RUN = 200
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))


class BoundedTokenizer:
    """Wraps a spaCy tokenizer (callable text -> Doc)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str):
        if _LONG_RUN.search(text) is None:
            return self.tokenizer(text)
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []

        def add(segment: str) -> None:
            if not segment:
                return
            if words and not spaces[-1] and segment[0] == " ":
                spaces[-1] = True  # the single space after a piece belongs to it, as spaCy does
                segment = segment[1:]
                if not segment:
                    return
            for tok in self.tokenizer(segment):
                words.append(tok.text)
                spaces.append(bool(tok.whitespace_))

        pos = 0
        for m in _LONG_RUN.finditer(text):
            add(text[pos:m.start()])
            for begin in range(m.start(), m.end(), MAX_RUN):
                add(text[begin:min(begin + MAX_RUN, m.end())])
            pos = m.end()
        add(text[pos:])
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if doc.text != text:  # cannot happen for spaCy's tokenizer; never trade the offsets for speed
            return self.tokenizer(text)
        return doc

    # spaCy calls these when a pipeline is saved or loaded; delegate to the real tokenizer.
    def to_bytes(self, **kwargs):
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, data, **kwargs):
        self.tokenizer.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path, **kwargs):
        return self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs):
        self.tokenizer.from_disk(path, **kwargs)
        return self

    def pipe(self, texts, batch_size=1000):
        for text in texts:
            yield self(text)
