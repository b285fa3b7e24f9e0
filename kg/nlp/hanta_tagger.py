"""HanTa (Hannover Tagger) as a spaCy component: STTS tags, lemmas, coarse POS.

HanTa ships its German model inside the wheel, so it runs offline. Its cost is the
morphological analysis of each word form (analyze_forward for the tag distribution of
words outside its own lexicon, analyze_viterbi for the lemma). Both are pure functions
of the word form (and tag), so they are memoised per word form in memory (bounded memos that
keep the frequent forms, kg/memo.py) and, when a cache folder is given, in a SQLite file
that survives between runs: a corpus pays only for its new words. Whole sentences are cached
too (the same sentence again costs nothing). The analysis and the sentence Viterbi run as C
loops where the install compiled them (kg/nlp/_hanta_rows.pyx), else in pure Python; both
give HanTa's own results.

Work per token and per sentence is bounded: tokens longer than MAX_WORD_CHARS are
analysed by their last MAX_WORD_CHARS characters (German compounds are head-final) and
keep their text as lemma; sentences longer than WINDOW tokens are tagged in windows
(HanTa's sentence Viterbi runs out of probability mass on runaway "sentences").
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import weakref
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..memo import Memo

_PAREN_TAG = re.compile(r"^([A-Z]+)\(([A-Z]+)\)$")
CACHE_VERSION = "hanta-1.2.1/3"
MAX_WORD_CHARS = 64  # longer tokens: analysis cost grows with the square of the length
WINDOW = 200  # tokens tagged together; real sentences are far shorter
# Entries per generation of the in-memory memos (kg/memo.py; the SQLite file keeps them all).
# Bounded so that a worker's memory stops growing once a corpus has brought ~30,000 word forms
# (about a million tokens of news), whatever comes after.
WORD_MEMO_LIMIT = 30_000
SENTENCE_LIMIT = 2_500  # whole sentences rarely come again: 50,000 of them cost 65 MB for no speed
# SQLite's page cache per connection, in KiB (its default is 2 MiB): the cache file of the bench
# corpus (1.1M tokens) grows to ~110 MB, and every page read that misses this cache is a system call.
CACHE_PAGES_KIB = 32_768
FLUSH_ENTRIES = 5_000  # pending cache entries written at once, if no flush() came before

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


_NAME_TAGS = ("NE", "FM")  # tags whose lemma is the token's text


class SentenceCache:
    """Tag cache: sentences (a bounded memo in memory) and word-form analyses, in an optional SQLite file."""

    def __init__(self, path: Path | None):
        self.path = path
        self.memory = Memo(SENTENCE_LIMIT)
        self.pending: dict[str, str] = {}
        self.pending_words: dict[str, str] = {}
        self.db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Several worker processes share the file: wait for a writer instead of failing at once.
                self.db = sqlite3.connect(str(path), timeout=30)
                try:
                    self.db.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
                    # No fsync per document: a cache that loses its last writes to a power cut
                    # only analyses those words again (WAL keeps the file itself consistent).
                    self.db.execute("PRAGMA synchronous=NORMAL")
                    self.db.execute(f"PRAGMA cache_size=-{CACHE_PAGES_KIB}")
                except sqlite3.Error:
                    pass
                self.db.execute("CREATE TABLE IF NOT EXISTS tags (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                self.db.execute("CREATE TABLE IF NOT EXISTS words (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            except sqlite3.Error:
                self.db = None  # a cache that cannot be opened is no reason to fail
        if self.db is not None:
            # What is still pending when the program ends is written then (not only on flush()).
            self._finalizer = weakref.finalize(self, _write, self.db, self.pending, self.pending_words)

    def get(self, key: str) -> list[list[str]] | None:
        hit = self.memory.get(key)
        if hit is None and self.db is not None:
            try:
                row = self.db.execute("SELECT value FROM tags WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                row = None
            if row:
                hit = json.loads(row[0])
                self.memory.put(key, hit)
        return hit

    def put(self, key: str, value: list[list[str]]) -> None:
        self.memory.put(key, value)
        if self.db is not None:
            self.pending[key] = json.dumps(value, ensure_ascii=False)

    def get_word(self, key: str):
        """A persisted word-form analysis (JSON value), or None."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM words WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return json.loads(row[0]) if row else None

    def put_word(self, key: str, value) -> None:
        if self.db is not None:
            self.pending_words[key] = json.dumps(value, ensure_ascii=False)

    def flush(self) -> None:
        """Write what is pending, in one transaction."""
        _write(self.db, self.pending, self.pending_words)

    def close(self) -> None:
        """Write what is pending and close the file; the cache then works in memory only."""
        if self.db is not None:
            self._finalizer()  # writes, once
            self.db.close()
            self.db = None

    def flush_if_due(self) -> None:
        """Write once enough is pending: a transaction per document cost more than the
        writes in it (kg build flushes after each batch of documents, see kg.parallel)."""
        if len(self.pending) + len(self.pending_words) >= FLUSH_ENTRIES:
            self.flush()


def _write(db: sqlite3.Connection | None, pending: dict, pending_words: dict) -> None:
    if db is not None and (pending or pending_words):
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?)", pending.items())
                db.executemany("INSERT OR REPLACE INTO words VALUES (?, ?)", pending_words.items())
        except sqlite3.Error:
            pass
        pending.clear()
        pending_words.clear()


class HantaTagger:
    """Tag each sentence with HanTa; sets tag_ (STTS), pos_ (UPOS) and lemma_."""

    def __init__(self, *, cache_dir: str | None, memo: bool = True, compiled: bool | None = None):
        self._tagger = None
        self.memo = memo  # False: plain HanTa (used by the test that proves the memo changes nothing)
        self.compiled = compiled  # the C loops: None where built, False never (kg/nlp/hanta_fast.py)
        self._sentence_model = None  # the sentence Viterbi in C (kg/nlp/_hanta_rows.pyx), where built
        self.cache = SentenceCache(Path(cache_dir) / "hanta-tags.sqlite" if cache_dir else None)
        self.stats = {"sentences": 0, "cached": 0}
        self.word_stats = {"analysed": 0, "memo": 0, "disk": 0}
        self._positions: dict = {}  # state -> {tag: position in HanTa's transition table}

    @property
    def tagger(self):
        if self._tagger is None:
            from HanTa import HanoverTagger

            tagger = HanoverTagger.HanoverTagger("morphmodel_ger.pgz")
            if self.memo:
                self._install_memo(tagger)
            self._tagger = tagger
        return self._tagger

    def _install_memo(self, tagger) -> None:
        """Replace HanTa's per-word methods on this instance by memoised, faster ones (same
        results: kg/nlp/hanta_fast.py).

        HanTa calls them as self.analyze_forward / self._analyze / self._tag_word, so
        instance attributes take precedence over the class's methods."""
        from kg.nlp.hanta_fast import FastAnalyser

        fast = FastAnalyser(tagger, compiled=self.compiled)
        if fast.compiled:
            from HanTa.HanoverTagger import EMPTY, END, START

            from kg.nlp import _hanta_rows

            self._sentence_model = _hanta_rows.SentenceModel(tagger.LP_trans_word, (EMPTY, START), END)
        # HanTa's _analyze calls self.analyze_viterbi: the fast one answers it, with its results.
        tagger.analyze_viterbi = fast.viterbi
        forward, analyze, tag_word = fast.forward, tagger._analyze, tagger._tag_word
        forward_memo, analyze_memo, tag_word_memo = (Memo(WORD_MEMO_LIMIT) for _ in range(3))
        cache, stats = self.cache, self.word_stats
        prefix = CACHE_VERSION + "\x1f"

        def memo_forward(word):
            hit = forward_memo.get(word)
            if hit is not None:
                stats["memo"] += 1
                return hit
            key = prefix + "f\x1f" + word
            hit = cache.get_word(key)
            if hit is not None:
                stats["disk"] += 1
                hit = [(tag, p) for tag, p in hit]
            else:
                stats["analysed"] += 1
                hit = forward(word if len(word) <= MAX_WORD_CHARS else word[-MAX_WORD_CHARS:])
                hit = [(int(tag), float(p)) for tag, p in hit]
                cache.put_word(key, hit)
            forward_memo.put(word, hit)
            return hit

        def memo_analyze(word, pos, taglevel=1):
            if taglevel != 1:
                return analyze(word, pos, taglevel)
            lower = word.lower()  # HanTa's first step: the result depends on the lower-cased form only
            memo_key = (lower, pos)
            hit = analyze_memo.get(memo_key)
            if hit is not None:
                return hit
            if len(lower) > MAX_WORD_CHARS:
                hit = (word, tagger.int2tag[pos])
            else:
                key = prefix + "a\x1f" + lower + "\x1f" + str(pos)
                stored = cache.get_word(key)
                if stored is not None:
                    hit = tuple(stored)
                else:
                    hit = tuple(analyze(word, pos, taglevel))
                    cache.put_word(key, list(hit))
            analyze_memo.put(memo_key, hit)
            return hit

        def memo_tag_word(word, cutoff=5, casesensitive=True, conditional=False):
            memo_key = (word, cutoff, casesensitive, conditional)
            hit = tag_word_memo.get(memo_key)
            if hit is None:
                hit = tag_word(word, cutoff, casesensitive, conditional)
                tag_word_memo.put(memo_key, hit)
            return hit

        tagger.analyze_forward = memo_forward
        tagger._analyze = memo_analyze
        tagger._tag_word = memo_tag_word

    def tag_words(self, words: list[str]) -> list[list[str]]:
        """[lemma, STTS tag] per word of one sentence, tagged in windows of WINDOW tokens."""
        out: list[list[str]] = []
        for begin in range(0, len(words), WINDOW):
            out.extend(self._tag_window(words[begin:begin + WINDOW]))
        return out

    def _tag_window(self, words: list[str]) -> list[list[str]]:
        tagger = self.tagger
        if not self.memo:
            return [[lemma, stts(tag)] for _, lemma, tag in tagger.tag_sent(words, taglevel=1)]
        try:
            return self._tag_sent(words)
        except (KeyError, IndexError, ValueError):
            # HanTa's Viterbi fails when no tag sequence survives (e.g. thousands of quotation
            # marks): tag such a window word by word, and a word HanTa cannot tag as XY.
            out = []
            for word in words:
                try:
                    out.extend([lemma, stts(tag)] for _, lemma, tag in tagger.tag_sent([word], taglevel=1))
                except (KeyError, IndexError, ValueError):
                    out.append([word, "XY"])
            return out

    def _tag_sent(self, words: list[str]) -> list[list[str]]:
        """HanTa's tag_sent(taglevel=1), without the lemma analysis of names (NE, FM): their
        lemma is the word as written (see __call__), so HanTa's would be thrown away."""
        tagger = self.tagger
        int2tag = tagger.int2tag
        out = []
        for word, tag in zip(words, self._viterbi(words)):
            name = stts(int2tag[tag])
            out.append([word if name in _NAME_TAGS else tagger._analyze(word, tag, taglevel=1)[0], name])
        return out

    def _viterbi(self, sent: list[str]) -> list[int]:
        """HanTa's tag_sent_viterbi(sent, casesensitive=True), same result, less work.

        HanTa tries every tag its transition table allows after a state and then drops
        those the word cannot have; here only the word's own tags are tried, in the order
        HanTa would try them (so that ties between equal scores are broken the same way).
        The C loops (SentenceModel) do the same where they are built."""
        from HanTa.HanoverTagger import EMPTY, END, START, UNKNOWN

        tagger = self.tagger
        tag_word = tagger._tag_word
        if self._sentence_model is not None:
            word_tags = []
            for i, w in enumerate(sent):
                wprobs = dict(tag_word(w, cutoff=5, casesensitive=i > 0, conditional=True))
                word_tags.append(None if not wprobs or (len(wprobs) == 1 and UNKNOWN in wprobs) else wprobs)
            return self._sentence_model.viterbi(word_tags)
        trans = tagger.LP_trans_word
        positions = self._positions
        lowerbound = -1e6
        table: list[dict] = []
        backpointer: list[dict] = []
        for i, w in enumerate(sent):
            wprobs = dict(tag_word(w, cutoff=5, casesensitive=i > 0, conditional=True))
            wprobs_empty = len(wprobs) == 0
            if len(wprobs) == 1 and UNKNOWN in wprobs:
                wprobs = {}
                wprobs_empty = True
            row: dict = {}
            back: dict = {}
            backpointer.append(back)
            prevrow = {(EMPTY, START): 0.0} if i == 0 else table[i - 1]
            rowbound = sorted(prevrow.values(), reverse=True)[5] - 1 if len(prevrow) > 5 else lowerbound
            for state in prevrow:
                lp0 = prevrow[state]
                if lp0 < rowbound:
                    continue
                lp_t = trans[state]
                if wprobs_empty:  # an unknown word: every tag, as HanTa does
                    candidates = [(c, lp_tc, 0) for c, lp_tc in lp_t.items() if c != END]
                else:
                    pos = positions.get(state)
                    if pos is None:
                        pos = positions[state] = {c: k for k, c in enumerate(lp_t)}
                    found = sorted((pos[c], c) for c in wprobs if c in pos and c != END)
                    candidates = [(c, lp_t[c], wprobs[c]) for _, c in found]
                for c, lp_tc, lpwc in candidates:
                    lp = lp0 + lp_tc + lpwc
                    if lp > lowerbound:
                        newstate = (state[1], c)
                        if newstate not in row or lp > row[newstate]:
                            row[newstate] = lp
                            back[newstate] = state
            table.append(row)
        finalstate = (END, EMPTY)
        prevrow = table[-1]
        row = {}
        back = {}
        backpointer.append(back)
        for state in prevrow:
            lp = prevrow[state] + trans[state].get(END, -math.inf)
            if lp > row.get(finalstate, -math.inf):
                row[finalstate] = lp
                back[finalstate] = state
        tags = []
        state = finalstate
        for i in range(len(backpointer) - 1, 0, -1):
            state = backpointer[i][state]
            tags.append(state[1])
        return tags[::-1]

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
                tagged = self.tag_words(words)
                self.cache.put(key, tagged)
            else:
                self.stats["cached"] += 1
            for tok, (lemma, tag) in zip(tokens, tagged):
                tok.tag_ = tag
                tok.pos_ = STTS_TO_UPOS.get(tag, "X")
                # HanTa lower-cases inner parts of hyphenated names ("Saudi-arabien"): keep names as written.
                tok.lemma_ = tok.text if tag in _NAME_TAGS else lemma
        for tok in doc:
            if tok.is_space:
                tok.tag_, tok.pos_ = "_SP", "SPACE"
        self.cache.flush_if_due()
        return doc

    def flush(self) -> None:
        """Write the cache entries still pending to the SQLite file."""
        self.cache.flush()

    def adopt(self, previous: HantaTagger) -> None:
        """Go on with `previous`'s loaded model, memos and cache (same settings, or ValueError).

        kg.parallel makes a worker's spaCy pipeline afresh to drop spaCy's strings; none of
        this is spaCy's, and loading it again started the memos cold and re-allocated HanTa's
        ~30 MB model in a heap the old one had left fragmented."""
        if (previous.memo, previous.compiled, previous.cache.path) != (self.memo, self.compiled, self.cache.path):
            raise ValueError("a HanTa tagger can only adopt one with the same settings")
        self.cache.close()
        self._tagger, self._sentence_model, self._positions = (
            previous._tagger, previous._sentence_model, previous._positions)
        # The memoised methods write to these very objects (see _install_memo).
        self.cache, self.stats, self.word_stats = previous.cache, previous.stats, previous.word_stats


@Language.factory(
    "kg_hanta",
    assigns=["token.tag", "token.pos", "token.lemma"],
    requires=["token.is_sent_start"],
    default_config={"cache_dir": None},
)
def make_hanta_tagger(nlp: Language, name: str, *, cache_dir: str | None) -> HantaTagger:
    return HantaTagger(cache_dir=cache_dir)
