"""HanTa (Hannover Tagger) as a spaCy component: STTS tags, lemmas, coarse POS.

HanTa ships its German model inside the wheel, so it runs offline. It is slow
(~2-4k tokens/s), so results are cached per sentence in memory and, when a cache
folder is given, in a SQLite file that survives between runs.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

_PAREN_TAG = re.compile(r"^([A-Z]+)\(([A-Z]+)\)$")
CACHE_VERSION = "hanta-1.2.1/2"

# STTS -> Universal POS, for token.pos_.
STTS_TO_UPOS = {
    "ADJA": "ADJ", "ADJD": "ADJ", "ADV": "ADV", "APPR": "ADP", "APPRART": "ADP", "APPO": "ADP",
    "APZR": "ADP", "ART": "DET", "CARD": "NUM", "FM": "X", "ITJ": "INTJ", "KOUI": "SCONJ",
    "KOUS": "SCONJ", "KON": "CCONJ", "KOKOM": "CCONJ", "NN": "NOUN", "NE": "PROPN", "PDS": "PRON",
    "PDAT": "DET", "PIS": "PRON", "PIAT": "DET", "PIDAT": "DET", "PPER": "PRON", "PPOSS": "PRON",
    "PPOSAT": "DET", "PRELS": "PRON", "PRELAT": "DET", "PRF": "PRON", "PWS": "PRON", "PWAT": "DET",
    "PWAV": "ADV", "PAV": "ADV", "PROAV": "ADV", "PTKZU": "PART", "PTKNEG": "PART", "PTKVZ": "ADP",
    "PTKANT": "PART", "PTKA": "PART", "TRUNC": "X", "VVFIN": "VERB", "VVIMP": "VERB", "VVINF": "VERB",
    "VVIZU": "VERB", "VVPP": "VERB", "VAFIN": "AUX", "VAIMP": "AUX", "VAINF": "AUX", "VAPP": "AUX",
    "VMFIN": "AUX", "VMINF": "AUX", "VMPP": "AUX", "XY": "X", "$,": "PUNCT", "$.": "PUNCT", "$(": "PUNCT",
}


def stts(tag: str) -> str:
    """HanTa writes some tags as VV(FIN) or ADJ(A); STTS spells them VVFIN, ADJA.

    A few HanTa tags are finer than STTS (e.g. NNA for "Drohnen"): they are folded
    to the STTS tag they start with."""
    m = _PAREN_TAG.match(tag)
    tag = m.group(1) + m.group(2) if m else tag
    if tag not in STTS_TO_UPOS:
        for base in ("NN", "NE", "ADJA", "ADJD", "ADV", "CARD"):
            if tag.startswith(base):
                return base
    return tag


class SentenceCache:
    """Per-sentence tag cache: dict in memory, optional SQLite file on disk."""

    def __init__(self, path: Path | None):
        self.memory: dict[str, list[list[str]]] = {}
        self.pending: dict[str, str] = {}
        self.db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(str(path))
                self.db.execute("CREATE TABLE IF NOT EXISTS tags (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            except sqlite3.Error:
                self.db = None  # a cache that cannot be opened is no reason to fail

    def get(self, key: str) -> list[list[str]] | None:
        hit = self.memory.get(key)
        if hit is None and self.db is not None:
            row = self.db.execute("SELECT value FROM tags WHERE key = ?", (key,)).fetchone()
            if row:
                hit = json.loads(row[0])
                self.memory[key] = hit
        return hit

    def put(self, key: str, value: list[list[str]]) -> None:
        self.memory[key] = value
        if self.db is not None:
            self.pending[key] = json.dumps(value, ensure_ascii=False)

    def flush(self) -> None:
        if self.db is not None and self.pending:
            try:
                with self.db:
                    self.db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?)", self.pending.items())
            except sqlite3.Error:
                pass
            self.pending.clear()


class HantaTagger:
    """Tag each sentence with HanTa; sets tag_ (STTS), pos_ (UPOS) and lemma_."""

    def __init__(self, *, cache_dir: str | None):
        self._tagger = None
        self.cache = SentenceCache(Path(cache_dir) / "hanta-tags.sqlite" if cache_dir else None)
        self.stats = {"sentences": 0, "cached": 0}

    @property
    def tagger(self):
        if self._tagger is None:
            from HanTa import HanoverTagger

            self._tagger = HanoverTagger.HanoverTagger("morphmodel_ger.pgz")
        return self._tagger

    def __call__(self, doc: Doc) -> Doc:
        for sent in doc.sents:
            tokens = [t for t in sent if not t.is_space]
            if not tokens:
                continue
            words = [t.text for t in tokens]
            key = CACHE_VERSION + "\x1f" + "\x1f".join(words)
            tagged = self.cache.get(key)
            self.stats["sentences"] += 1
            if tagged is None:
                tagged = [[lemma, stts(tag)] for _, lemma, tag in self.tagger.tag_sent(words, taglevel=1)]
                self.cache.put(key, tagged)
            else:
                self.stats["cached"] += 1
            for tok, (lemma, tag) in zip(tokens, tagged):
                tok.tag_ = tag
                tok.pos_ = STTS_TO_UPOS.get(tag, "X")
                # HanTa lower-cases inner parts of hyphenated names ("Saudi-arabien"): keep names as written.
                tok.lemma_ = tok.text if tag in ("NE", "FM") else lemma
        for tok in doc:
            if tok.is_space:
                tok.tag_, tok.pos_ = "_SP", "SPACE"
        self.cache.flush()
        return doc


@Language.factory(
    "kg_hanta",
    assigns=["token.tag", "token.pos", "token.lemma"],
    requires=["token.is_sent_start"],
    default_config={"cache_dir": None},
)
def make_hanta_tagger(nlp: Language, name: str, *, cache_dir: str | None) -> HantaTagger:
    return HantaTagger(cache_dir=cache_dir)
