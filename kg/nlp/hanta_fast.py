"""HanTa's two per-word analyses, rewritten for speed with results identical to HanTa's.

HanTa scores every segment of a word against every tag that may follow each live state
(`analyze_forward` for a word's tag distribution, `analyze_viterbi` for its morphemes and so its
lemma), calling `lp_m_t(segment, tag)` thousands of times per word: three quarters of the
cold tagging time. The score depends only on the segment and the tag, not on the state, so here
it is computed once per (segment, tag) and word, inline. The loops visit states, segments and
tags in HanTa's order and add the same numbers in the same order, so tables, ties and results
are bit-for-bit those of HanTa 1.2.x (`tests/test_tagger_cache.py` compares them on every word
form of the dev sets and on hostile strings). Where the install compiled kg/nlp/_hanta_rows.pyx,
the same loops run in C (another 3-5x); `_rows` is then the reference and the fallback.
"""

from __future__ import annotations

import math
from operator import itemgetter

# HanTa's reserved state numbers (HanTa/HanoverTagger.py).
EMPTY, START, END, UNKNOWN, END_UNKNOWN = 0, 1, -1, 2, -2
LOWERBOUND = -1e6
NEG_INF = -math.inf
# Entries of the suffix-score memos (all tags together) and of the follower memos (all states
# together) before they start afresh: both grow with the vocabulary, so a long run would
# otherwise grow without end. Either is cheap to refill (a few lookups, one list per entry).
TAIL_LIMIT = 300_000
KNOWN_LIMIT = 150_000
_by_score = itemgetter(1)


class FastAnalyser:
    """`forward(word)` and `viterbi(word, targetpos)` for one loaded HanTa model.

    `compiled`: None runs the C loops where they are built, True insists on them, False runs
    the pure-Python ones (both give HanTa's results)."""

    def __init__(self, tagger, compiled: bool | None = None):
        from HanTa.HanoverTagger import logaddexp

        self._logaddexp = logaddexp
        self.lp_m_t = tagger.LP_m_t
        self.hapax = tagger.LP_hapax_t
        self.suffix = tagger.LP_s_t
        self.length = tagger.LP_len_t
        self.int_t = tagger.Int_t
        self.nonfinal = tagger.LP_trans_nonfinal
        self.final = tagger.LP_trans_final
        self.reachability = tagger.reachability
        self.strict = tagger.strict
        # Tags that may score a morpheme they never saw (HanTa's guesser).
        self.guessing = frozenset(t for t in self.hapax if t in self.suffix)
        # morpheme -> {tag: log p(morpheme | tag)}: the tags that know a segment, at once.
        self.morphemes: dict[str, dict[int, float]] = {}
        for tag, known in self.lp_m_t.items():
            for morpheme, lp in known.items():
                self.morphemes.setdefault(morpheme, {})[tag] = lp
        self._forward_followers: dict = {}
        self._viterbi_followers: dict[int, dict] = {}  # target tag -> state -> _split(...)
        self._long_tails: dict[int, dict[str, float]] = {t: {} for t in self.guessing}
        self._short_tails: dict[int, dict[str, float]] = {t: {} for t in self.guessing}
        self._tail_entries = self._known_entries = 0  # entries in all of them, for the bounds
        # The C loops' suffix scores: tail -> the scores of all guessing tags (long, short tails).
        self._c_tails: tuple[dict, dict] = ({}, {})
        self._c_forward_followers = None
        self._c_viterbi_followers: dict = {}  # target tag -> kg.nlp._hanta_rows.Followers
        # Int_t + LP_hapax_t[t] + LP_len_t[t][k]: the first two sums of HanTa's guess, per length.
        self.guess_base = {t: [self.int_t + self.hapax[t] + n for n in self.length[t]] for t in self.guessing}
        self._compiled = None
        if compiled is not False:
            self._compiled = self._compile()
            if compiled and self._compiled is None:
                raise ImportError("kg.nlp._hanta_rows is not built (no C compiler at install time?)")

    @property
    def compiled(self) -> bool:
        """Whether the C loops (kg/nlp/_hanta_rows.pyx) run, rather than the pure-Python ones."""
        return self._compiled is not None

    def _compile(self):
        """The model as C arrays for kg.nlp._hanta_rows, or None where it is not built."""
        try:
            from kg.nlp import _hanta_rows
        except ImportError:
            return None
        # Every state a table row can hold: the closure of the start state under the followers.
        states, ids = [(EMPTY, START)], {(EMPTY, START): 0}
        for state in states:
            for tag, _ in self.nonfinal.get(state, ()):
                if (state[1], tag) not in ids:
                    ids[(state[1], tag)] = len(states)
                    states.append((state[1], tag))
        n_tags = 1 + max(t for state in states for t in state)
        if min(t for state in states for t in state) < 0 or any(len(self.guess_base[t]) < 25 for t in self.guessing):
            return None  # not the model this was written for: the pure-Python loops serve it
        guess_tags = sorted(self.guessing)
        rows = _hanta_rows.Rows(states, n_tags, guess_tags, [self.guess_base[t] for t in guess_tags],
                                self.morphemes, [self.suffix[t] for t in guess_tags])
        return _hanta_rows, states, ids, rows

    def _c_followers(self, keep=None):
        """kg.nlp._hanta_rows.Followers of every state (those whose tag is in `keep`, if given)."""
        module, states, ids, _ = self._compiled
        return module.Followers([[(t, p, ids[(state[1], t)]) for t, p in self.nonfinal.get(state, ())
                                  if keep is None or t in keep] for state in states])

    def _suffix(self, m: str, t: int) -> float:
        """HanTa's suffix score of an unseen morpheme `m` for the guessing tag `t`."""
        mlen = len(m)
        suffixes = self.suffix[t]
        if mlen > 4 and m[-4:] in suffixes:
            return suffixes[m[-4:]]
        if mlen > 3 and m[-3:] in suffixes:
            return suffixes[m[-3:]]
        if mlen > 2 and m[-2:] in suffixes:
            return suffixes[m[-2:]]
        if mlen > 1 and m[-1:] in suffixes:
            return suffixes[m[-1:]]
        return suffixes[""]

    def _rows(self, word: str, strict: bool, followers):
        """The tables and backpointers over the segments of `word` (HanTa's inner loops).

        `followers(state)` gives (all (tag, transition lp) pairs to try, those of guessing
        tags), both in HanTa's order. Only pairs whose morpheme score is finite are visited:
        a tag that neither knows the segment nor guesses adds nothing to HanTa's tables."""
        wlen = len(word)
        morphemes = self.morphemes
        guessing = self.guessing
        base = self.guess_base
        suffix = self._suffix
        long_tails, short_tails = self._long_tails, self._short_tails
        table = [{(EMPTY, START): 0}] + [{} for _ in range(wlen + 1)]
        tails_added = known_added = 0
        backpointer: list[dict] = [{} for _ in range(wlen + 2)]
        for i in range(wlen + 1):
            row = table[i]
            if len(row) > 3:
                rowbound = sorted(row.values(), reverse=True)[3] - 1
            else:
                rowbound = LOWERBOUND
            segments = None  # (j, word[i:j], the tags that know it, guessable), shared likewise
            for state, lp in list(row.items()):
                if lp < rowbound:
                    continue
                followup, guess_followup, known_memo = followers(state)
                if not followup:
                    continue
                if segments is None:
                    segments = [(j, word[i:j], morphemes.get(word[i:j]), not strict and (wlen < 4 or j - i > 2))
                                for j in range(i + 1, wlen + 1)]
                prev = state[1]
                for j, segment, known, guess in segments:
                    if known is None:
                        if not guess or not guess_followup:
                            continue
                        candidates = guess_followup
                    else:
                        # The followers that know this segment (or guess): memoised per state.
                        candidates = known_memo.get((segment, guess))
                        if candidates is None:
                            candidates = known_memo[(segment, guess)] = [
                                (t, p) for (t, p) in followup if t in known or (guess and t in guessing)]
                            known_added += 1
                    target = table[j]
                    pointers = backpointer[j]
                    for tag1, lpt in candidates:
                        if known is not None and tag1 in known:
                            lpm = known[tag1]
                        else:
                            # HanTa: Int_t + LP_hapax_t + LP_len_t + suffix score (- 4.6 for the
                            # whole word), added in that order.
                            # The suffix score depends on the last four letters (and whether
                            # there are more): memoised on them, across words.
                            mlen = j - i
                            if mlen > 4:
                                tail, memo = segment[-4:], long_tails[tag1]
                            else:
                                tail, memo = segment, short_tails[tag1]
                            lp_suf = memo.get(tail)
                            if lp_suf is None:
                                lp_suf = memo[tail] = suffix(segment, tag1)
                                tails_added += 1
                            lpm = base[tag1][mlen if mlen < 24 else 24] + lp_suf
                            if mlen == wlen:
                                lpm -= 4.6
                        lp1 = lp + lpt + lpm
                        if lp1 > LOWERBOUND:
                            newstate = (prev, tag1)
                            old = target.get(newstate)
                            if old is None or lp1 > old:
                                target[newstate] = lp1
                                pointers[newstate] = (state, i)
        self._bound_memos(tails_added, known_added)
        return table, backpointer

    def _bound_memos(self, tails_added: int, known_added: int) -> None:
        self._tail_entries += tails_added
        if self._tail_entries > TAIL_LIMIT:
            for memos in (self._long_tails, self._short_tails):
                for memo in memos.values():
                    memo.clear()
            for memo in self._c_tails:
                memo.clear()
            self._tail_entries = 0
        self._known_entries += known_added
        if self._known_entries > KNOWN_LIMIT:
            for _, _, known_memo in self._forward_followers.values():
                known_memo.clear()
            for followers in self._viterbi_followers.values():
                for _, _, known_memo in followers.values():
                    known_memo.clear()
            self._known_entries = 0

    def _split(self, followup) -> tuple[list, list, dict]:
        """(followers, those of guessing tags, an empty memo of followers per known segment)."""
        followup = list(followup)
        return followup, [(t, p) for (t, p) in followup if t in self.guessing], {}

    def _forward_follow(self, state):
        hit = self._forward_followers.get(state)
        if hit is None:
            hit = self._forward_followers[state] = self._split(self.nonfinal.get(state, ()))
        return hit

    def _table(self, word: str, strict: bool, followers, c_followers):
        """(the last row over the word as [(state, lp)] in order, pointer(j, state) -> (state, i)),
        from the C loops where they are built, else from `_rows`."""
        if self._compiled is None:
            table, backpointer = self._rows(word, strict, followers)
            return list(table[-2].items()), lambda j, state: backpointer[j][state]
        _, _, ids, rows = self._compiled
        added = rows.run(word, strict, c_followers(), *self._c_tails)
        self._bound_memos(added * len(self.guessing), 0)
        return rows.row(len(word)), lambda j, state: rows.pointer(j, state, ids)

    def _c_forward(self):
        if self._c_forward_followers is None:
            self._c_forward_followers = self._c_followers()
        return self._c_forward_followers

    def forward(self, word: str) -> list[tuple[int, float]]:
        """HanTa's analyze_forward: (tag, log p) for the word, best first."""
        end, _ = self._table(word, self.strict, self._forward_follow, self._c_forward)
        last: dict = {}
        for state, lp in end:
            for tag1, lpt in self.final.get(state, ()):
                lp1 = lp + lpt
                if lp1 > LOWERBOUND:
                    newstate = (state[1], tag1)
                    if newstate not in last or lp1 > last[newstate]:
                        last[newstate] = lp1
        results: dict[int, float] = {}
        for state, lp in last.items():
            if lp == NEG_INF:
                continue
            pos = -state[1]
            if pos in results:
                results[pos] = self._logaddexp(results[pos], lp)
            else:
                results[pos] = lp
        result_list = list(results.items())
        result_list.sort(key=_by_score, reverse=True)
        if not result_list:
            result_list = [(UNKNOWN, 0)]
        return result_list

    def viterbi(self, word: str, targetpos: int) -> list[tuple[int, int]]:
        """HanTa's analyze_viterbi: the best morpheme path (tag, end offset) to `targetpos`."""
        wlen = len(word)
        reachable = self.reachability.get(targetpos, frozenset())
        nonfinal = self.nonfinal
        filtered = self._viterbi_followers.setdefault(targetpos, {})

        def followers(state):
            hit = filtered.get(state)
            if hit is None:
                hit = filtered[state] = self._split(t for t in nonfinal.get(state, ()) if t[0] in reachable)
            return hit

        def c_followers():
            hit = self._c_viterbi_followers.get(targetpos)
            if hit is None:
                hit = self._c_viterbi_followers[targetpos] = self._c_followers(reachable)
            return hit

        for strict in (True, False):
            end, pointer = self._table(word, strict, followers, c_followers)
            last: dict = {}
            last_pointers: dict = {}
            for state, lp in end:
                for tag1, lpt in self.final.get(state, ()):
                    if tag1 == targetpos:
                        lp1 = lp + lpt
                        if lp1 > LOWERBOUND:
                            newstate = (state[1], tag1)
                            if newstate not in last or lp1 > last[newstate]:
                                last[newstate] = lp1
                                last_pointers[newstate] = (state, wlen)
                        break
            if last:
                break
        pmax = NEG_INF
        beststate = (EMPTY, EMPTY)
        for state, lp in last.items():
            if lp > pmax:
                pmax = lp
                beststate = state
        i = wlen + 1
        if beststate == (EMPTY, EMPTY):
            states = [((UNKNOWN, END_UNKNOWN), i), ((START, UNKNOWN), i - 1)]
        else:
            states = [(beststate, i)]
            state, i = last_pointers[beststate]
            states.append((state, i))
            while i > 0:
                state, i = pointer(i, state)
                states.append((state, i))
            states = states[:-1]
        return [(state[1], i) for (state, i) in states[::-1]]
