"""The word-form memo and its SQLite copy change nothing in HanTa's tags and lemmas."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kg.nlp.hanta_tagger import MAX_WORD_CHARS, WINDOW, HantaTagger, stts

ROOT = Path(__file__).resolve().parent.parent


def _sentences() -> list[list[str]]:
    """Token lists of every sentence of the dev sets and the seed article (kg's own splitter)."""
    from kg.nlp.pipeline import make_nlp

    nlp = make_nlp(None, cache_dir=None)
    texts = [json.loads(line)["text"] for name in ("dev/devset.jsonl", "dev/heldout.jsonl")
             for line in (ROOT / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    out = []
    with nlp.select_pipes(enable=["kg_sentences"]):
        for doc in nlp.pipe(texts):
            for sent in doc.sents:
                words = [t.text for t in sent if not t.is_space]
                if words:
                    out.append(words)
    return out


@pytest.fixture(scope="module")
def sentences():
    return _sentences()


@pytest.fixture(scope="module")
def plain(sentences):
    """HanTa as it is, without kg's memo: the reference."""
    tagger = HantaTagger(cache_dir=None, memo=False).tagger
    # Names (NE, FM) keep the word as written as lemma (the component always did that).
    return [[[word if stts(tag) in ("NE", "FM") else lemma, stts(tag)]
             for word, lemma, tag in tagger.tag_sent(words, taglevel=1)] for words in sentences]


def test_sentences_are_within_the_bounds(sentences):
    assert len(sentences) > 200
    assert max(len(w) for words in sentences for w in words) <= MAX_WORD_CHARS
    assert max(len(words) for words in sentences) <= WINDOW


def test_memo_in_memory_and_on_disk_gives_hantas_own_tags_and_lemmas(tmp_path, sentences, plain):
    first = HantaTagger(cache_dir=str(tmp_path))
    assert [first.tag_words(words) for words in sentences] == plain
    assert first.word_stats["analysed"] > 0 and first.word_stats["memo"] > 0
    first.cache.flush()
    # A new process: word forms come from the SQLite file, HanTa analyses nothing again.
    second = HantaTagger(cache_dir=str(tmp_path))
    assert [second.tag_words(words) for words in sentences] == plain
    assert second.word_stats["analysed"] == 0 and second.word_stats["disk"] > 0


@pytest.mark.parametrize("compiled", [False, True], ids=["pure Python", "C loops"])
def test_both_paths_give_hantas_own_tags_and_lemmas(sentences, plain, compiled):
    tagger = HantaTagger(cache_dir=None, compiled=compiled)
    assert [tagger.tag_words(words) for words in sentences] == plain
    assert (tagger._sentence_model is not None) == compiled


HOSTILE_SENTENCES = [["‚"] * 300 + ["Putin", "traf", "Trump", "."], ["x" * 64] * 50, ["."] * 40,
                     ["\u202e", "Wang", "\u0301\u0301", "traf", "🙂"], ["der"] * 100, ["Die"], ["123", "%", "$"],
                     ["‚"] * 40000]  # the last: no tag sequence stays above HanTa's lower bound


def test_both_sentence_viterbis_agree_on_hostile_sentences(sentences):
    """The same tags, or the same KeyError (the caller then tags word by word), on sentences
    HanTa's Viterbi may find no way through."""
    c_path, python_path = HantaTagger(cache_dir=None), HantaTagger(cache_dir=None, compiled=False)
    assert c_path.tagger and c_path._sentence_model is not None and python_path.tagger
    failed = 0
    for words in HOSTILE_SENTENCES + sentences[:50]:
        outcomes = []
        for tagger in (c_path, python_path):
            try:
                outcomes.append(tagger._viterbi(words))
            except KeyError:
                outcomes.append(KeyError)
        assert outcomes[0] == outcomes[1], words[:5]
        failed += outcomes[0] is KeyError
    assert failed == 1


def _fast(tagger):
    """The FastAnalyser behind a HantaTagger."""
    return tagger.tagger.analyze_viterbi.__self__


def _memo_entries(tagger) -> tuple[int, int, int]:
    """(word-form memo entries, suffix-score entries, follower-memo entries) of a tagger."""
    fast = _fast(tagger)
    words = sum(len(cell.cell_contents) for name in ("analyze_forward", "_analyze", "_tag_word")
                for cell in vars(tagger.tagger)[name].__closure__ or () if type(cell.cell_contents).__name__ == "Memo")
    tails = sum(len(m) for memos in (fast._long_tails, fast._short_tails) for m in memos.values()) + \
        sum(len(m) for m in fast._c_tails) * len(fast.guessing)  # the C loops keep a score per guessing tag
    known = sum(len(f[2]) for f in fast._forward_followers.values()) + \
        sum(len(f[2]) for by_state in fast._viterbi_followers.values() for f in by_state.values())
    return words, tails, known


def test_memos_stay_within_their_bounds_and_change_nothing(monkeypatch, sentences, plain):
    """Every memo made tiny, so that it turns or starts afresh all the time: memory stays within
    the bounds, and the tags and lemmas are still HanTa's own."""
    from kg.nlp import hanta_fast, hanta_tagger

    unbounded = HantaTagger(cache_dir=None)
    assert [unbounded.tag_words(words) for words in sentences] == plain
    words, tails, known = _memo_entries(unbounded)
    # What the bounds below cut (the C loops need no follower memo).
    assert words > 2_000 and tails > 20_000 and (known > 10_000 or _fast(unbounded).compiled)
    monkeypatch.setattr(hanta_tagger, "WORD_MEMO_LIMIT", 20)
    monkeypatch.setattr(hanta_tagger, "SENTENCE_LIMIT", 5)
    monkeypatch.setattr(hanta_fast, "TAIL_LIMIT", 500)
    monkeypatch.setattr(hanta_fast, "KNOWN_LIMIT", 500)
    bounded = HantaTagger(cache_dir=None)
    assert [bounded.tag_words(words) for words in sentences] == plain
    words, tails, known = _memo_entries(bounded)
    # Two generations of 20 per word memo; the others are checked after each word, which adds
    # at most a few thousand entries.
    assert words <= 3 * 2 * 20 and tails < 3_000 and known < 3_000
    assert len(bounded.cache.memory) <= 2 * 5


@pytest.mark.parametrize("text", [
    "‚" * 40000 + " Putin traf Trump.",  # HanTa's Viterbi raised KeyError; spaCy's tokenizer took minutes
    "Außenminister " + "x" * 1000 + " traf Wang Yi.",  # one huge token: was 11 s, quadratic in its length
    "Außenminister " + "\u0301" * 5000 + " traf Wang Yi.",  # a combining-mark storm as one token
    "Putin traf Trump und " * 2000 + "Xi.",  # a runaway sentence of 10,000 tokens
])
def test_hostile_text_is_tokenized_and_tagged_in_bounded_time(text):
    from kg.nlp.pipeline import make_nlp

    nlp = make_nlp(None, cache_dir=None)
    nlp("Putin traf Trump.")  # load HanTa's model outside the timed part
    started = time.perf_counter()
    doc = nlp.make_doc(text)
    tokenized = time.perf_counter() - started
    assert doc.text == text
    doc = nlp.get_pipe("kg_sentences")(doc)  # the splitter's own time is not measured here
    started = time.perf_counter()
    doc = nlp.get_pipe("kg_hanta")(doc)
    tagged = time.perf_counter() - started
    assert tokenized < 10.0 and tagged < 10.0  # generous bounds: the machine is shared (measured < 0.2 s)
    assert all(t.tag_ for t in doc)
    names = {t.text: t.tag_ for t in doc}
    assert names.get("Putin", "NE") == "NE" and names.get("Wang", "NE") == "NE"


def test_bounded_tokenizer_keeps_text_and_ordinary_tokens():
    from kg.nlp.pipeline import make_nlp

    nlp = make_nlp(None, cache_dir=None)
    plain = nlp.tokenizer.tokenizer
    ordinary = "Der Kanzler traf am 3. März in Berlin „überraschend“ Macron (Frankreich)."
    assert [t.text for t in nlp.make_doc(ordinary)] == [t.text for t in plain(ordinary)]
    hostile = "Vorher. " + "!?" * 300 + " Putin traf Trump.  Danach " + "y" * 450
    doc = nlp.make_doc(hostile)
    assert doc.text == hostile
    assert "Putin" in [t.text for t in doc] and max(len(t.text) for t in doc) <= 200


HOSTILE_WORDS = ["", "x", "ab", "‚‚‚", "x" * MAX_WORD_CHARS, "außenministerin", "u̇̈̈̈̈", "123", "a-b-c",
                 "\u202eabc", "zusammengetroffen", "ÄÖÜß", "ﬁnanzminister", "e-mail-adresse", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]


@pytest.mark.parametrize("compiled", [False, True], ids=["pure Python", "C loops"])
def test_fast_analyser_gives_hantas_own_tables(sentences, compiled):
    """Every word form of the dev sets (and hostile strings): the same tag distribution, floats
    and order included, and for its three best tags the same morpheme path as HanTa itself."""
    from kg.nlp.hanta_fast import FastAnalyser

    tagger = HantaTagger(cache_dir=None, memo=False).tagger
    fast = FastAnalyser(tagger, compiled=compiled)
    assert fast.compiled == compiled
    words = sorted({w.lower() for words in sentences for w in words}) + HOSTILE_WORDS
    assert len(words) > 1000
    for word in words:
        expected = tagger.analyze_forward(word)
        assert fast.forward(word) == expected, word
        for tag, _ in expected[:3]:
            assert fast.viterbi(word, -tag) == tagger.analyze_viterbi(word, -tag), (word, tag)


def test_the_install_built_the_c_loops():
    """`make install` (pip install -e .) compiles kg/nlp/_hanta_rows.pyx; the tagger uses it."""
    from kg.nlp import _hanta_rows  # noqa: F401  (ImportError: the build fell back to pure Python)

    assert _fast(HantaTagger(cache_dir=None)).compiled


def test_c_loops_suffix_scores_are_the_pure_python_ones(sentences):
    """The suffix scores the C loops memoise for unseen morphemes, on every tail of the dev sets,
    are those of the pure-Python `_suffix` (which the test above holds to HanTa's tables)."""
    from kg.nlp.hanta_fast import FastAnalyser

    tagger = HantaTagger(cache_dir=None, memo=False).tagger
    fast = FastAnalyser(tagger, compiled=True)
    for words in sentences:
        for word in words:
            fast.forward(word.lower())
    long_tails, short_tails = fast._c_tails
    assert len(long_tails) > 500 and len(short_tails) > 500
    guess_tags = sorted(fast.guessing)
    for memo, prefix in ((long_tails, "x"), (short_tails, "")):  # a long tail: any longer morpheme
        for tail, scores in memo.items():
            assert scores == tuple(fast._suffix(prefix + tail, t) for t in guess_tags), tail
