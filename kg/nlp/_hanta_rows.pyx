# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The inner loops of kg.nlp.hanta_fast (`FastAnalyser._rows`) in C: same tables, same order.

HanTa's per-word model is small (about 300 states of two tags, two followers each), so a
row of the table fits in C arrays indexed by state. Insertion order is kept per row (a
Python dict's order decides ties and sums in HanTa), the additions are the same double
additions in the same order, so results are bit-for-bit those of the pure-Python
`_rows` and of HanTa (tests/test_tagger_cache.py checks both paths).
Optional: without a C compiler at install time, kg runs the pure-Python loops.
"""

from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy

cdef double LOWERBOUND = -1e6


cdef class Followers:
    """Per state: its follower tags, transition log-probabilities and next states, in HanTa's order."""
    cdef int n_states
    cdef int *offsets
    cdef int *tags
    cdef double *lps
    cdef int *nexts

    def __cinit__(self, list rows):
        # rows[state id] = [(tag, lp, next state id), ...]
        cdef int n = len(rows)
        cdef int total = sum(len(r) for r in rows)
        cdef int k = 0
        cdef int s
        self.n_states = n
        self.offsets = <int *> malloc((n + 1) * sizeof(int))
        self.tags = <int *> malloc((total + 1) * sizeof(int))
        self.lps = <double *> malloc((total + 1) * sizeof(double))
        self.nexts = <int *> malloc((total + 1) * sizeof(int))
        if not (self.offsets and self.tags and self.lps and self.nexts):
            raise MemoryError()
        for s in range(n):
            self.offsets[s] = k
            for tag, lp, nxt in rows[s]:
                self.tags[k] = tag
                self.lps[k] = lp
                self.nexts[k] = nxt
                k += 1
        self.offsets[n] = k

    def __dealloc__(self):
        free(self.offsets)
        free(self.tags)
        free(self.lps)
        free(self.nexts)


cdef class Rows:
    """The table of one word: `run(...)` fills rows 0..len(word); `row` and `pointer` read them."""
    cdef int n_states, n_tags, n_guess, wlen
    cdef double *val
    cdef char *present
    cdef int *order
    cdef int *count
    cdef int *bp_state
    cdef int *bp_pos
    cdef double *kval
    cdef int *kmask
    cdef double *tails
    cdef char *is_guessing
    cdef int *guess_slot
    cdef double *base  # [guess slot][length 0..24]
    cdef list states  # state id -> (tag, tag)
    cdef dict morphemes
    cdef list guess_tags
    cdef list suffixes  # per guess slot: HanTa's suffix -> log p (LP_s_t[tag])

    def __cinit__(self, list states, int n_tags, list guess_tags, list base, dict morphemes, list suffixes):
        cdef int g, n
        self.states = states
        self.n_states = len(states)
        self.n_tags = n_tags
        self.guess_tags = guess_tags
        self.n_guess = len(guess_tags)
        self.morphemes = morphemes
        self.suffixes = suffixes
        self.is_guessing = <char *> calloc(n_tags, sizeof(char))
        self.guess_slot = <int *> calloc(n_tags, sizeof(int))
        self.base = <double *> malloc((self.n_guess * 25 + 1) * sizeof(double))
        if not (self.is_guessing and self.guess_slot and self.base):
            raise MemoryError()
        for g in range(self.n_guess):
            self.is_guessing[guess_tags[g]] = 1
            self.guess_slot[guess_tags[g]] = g
            for n in range(25):
                self.base[g * 25 + n] = base[g][n]
        self.val = NULL
        self.wlen = -1

    def __dealloc__(self):
        self._release()
        free(self.is_guessing)
        free(self.guess_slot)
        free(self.base)

    cdef void _release(self):
        free(self.val)
        free(self.present)
        free(self.order)
        free(self.count)
        free(self.bp_state)
        free(self.bp_pos)
        free(self.kval)
        free(self.kmask)
        free(self.tails)
        self.val = NULL

    cdef int _allocate(self, int wlen) except -1:
        cdef int rows = wlen + 1
        cdef size_t cells = <size_t> rows * self.n_states
        self._release()
        self.val = <double *> malloc(cells * sizeof(double))
        self.present = <char *> calloc(cells, sizeof(char))
        self.order = <int *> malloc(cells * sizeof(int))
        self.count = <int *> calloc(rows, sizeof(int))
        self.bp_state = <int *> malloc(cells * sizeof(int))
        self.bp_pos = <int *> malloc(cells * sizeof(int))
        self.kval = <double *> malloc(<size_t> (rows + 1) * self.n_tags * sizeof(double))
        self.kmask = <int *> calloc(<size_t> (rows + 1) * self.n_tags, sizeof(int))
        # [j][guess slot] for tails of short segments ending at j, then the same for long ones.
        self.tails = <double *> malloc(<size_t> 2 * (rows + 1) * (self.n_guess + 1) * sizeof(double))
        if not (self.val and self.present and self.order and self.count and self.bp_state and self.bp_pos
                and self.kval and self.kmask and self.tails):
            self._release()
            raise MemoryError()
        self.wlen = wlen
        return 0

    def run(self, str word, bint strict, Followers followers, dict long_tails, dict short_tails):
        """Fill the table for `word` (HanTa's inner loops); returns the number of new tail entries."""
        cdef int wlen = len(word)
        cdef int S = self.n_states, T = self.n_tags, G = self.n_guess
        cdef int i, j, k, s, c, e, tag1, ns, mlen, cell, g, live
        cdef int n_row, stamp
        cdef double lp, lp1, lpm, lpt, rowbound, a0, a1, a2, a3, v
        cdef bint any_guess, have_segments
        cdef int *seg_known = NULL
        cdef char *seg_guess = NULL
        cdef char *long_done = NULL
        cdef int tails_added = 0
        cdef object known, tail_values
        cdef str segment, tail
        cdef dict memo
        if followers.n_states != S:
            raise ValueError("followers of another state set")
        self._allocate(wlen)
        seg_known = <int *> calloc(wlen + 2, sizeof(int))
        seg_guess = <char *> calloc(wlen + 2, sizeof(char))
        long_done = <char *> calloc(wlen + 2, sizeof(char))
        if not (seg_known and seg_guess and long_done):
            free(seg_known)
            free(seg_guess)
            free(long_done)
            raise MemoryError()
        try:
            # Row 0: the start state (EMPTY, START), state id 0.
            self.val[0] = 0.0
            self.present[0] = 1
            self.order[0] = 0
            self.count[0] = 1
            for i in range(wlen + 1):
                n_row = self.count[i]
                if n_row == 0:
                    continue
                if n_row > 3:
                    # The fourth-best value of the row (HanTa: sorted(values, reverse=True)[3]).
                    a0 = a1 = a2 = a3 = -1e308 * 10
                    for e in range(n_row):
                        v = self.val[i * S + self.order[i * S + e]]
                        if v > a0:
                            a3 = a2; a2 = a1; a1 = a0; a0 = v
                        elif v > a1:
                            a3 = a2; a2 = a1; a1 = v
                        elif v > a2:
                            a3 = a2; a2 = v
                        elif v > a3:
                            a3 = v
                    rowbound = a3 - 1
                else:
                    rowbound = LOWERBOUND
                have_segments = False
                stamp = i + 1
                for e in range(n_row):
                    s = self.order[i * S + e]
                    lp = self.val[i * S + s]
                    if lp < rowbound:
                        continue
                    if followers.offsets[s] == followers.offsets[s + 1]:
                        continue
                    if not have_segments:
                        have_segments = True
                        for j in range(i + 1, wlen + 1):
                            segment = word[i:j]
                            known = self.morphemes.get(segment)
                            seg_guess[j] = (not strict) and (wlen < 4 or j - i > 2)
                            if known is None:
                                seg_known[j] = 0
                            else:
                                seg_known[j] = 1
                                for tag, tlp in (<dict> known).items():
                                    if 0 <= tag < T:
                                        self.kmask[j * T + tag] = stamp
                                        self.kval[j * T + tag] = tlp
                            if seg_guess[j]:
                                # HanTa's suffix score depends on the last four letters when there
                                # are more (the same for every segment ending at j), else on the
                                # segment: memoised on that, across words.
                                mlen = j - i
                                if mlen > 4:
                                    if long_done[j]:
                                        continue
                                    long_done[j] = 1
                                    tail, memo, cell = segment[mlen - 4:], long_tails, (wlen + 1 + j) * G
                                else:
                                    tail, memo, cell = segment, short_tails, j * G
                                tail_values = memo.get(tail)
                                if tail_values is None:
                                    tail_values = memo[tail] = self._tail_scores(segment)
                                    tails_added += 1
                                for g in range(G):
                                    self.tails[cell + g] = (<tuple> tail_values)[g]
                    for j in range(i + 1, wlen + 1):
                        if not seg_known[j] and not seg_guess[j]:
                            continue
                        mlen = j - i
                        for k in range(followers.offsets[s], followers.offsets[s + 1]):
                            tag1 = followers.tags[k]
                            if seg_known[j] and self.kmask[j * T + tag1] == stamp:
                                lpm = self.kval[j * T + tag1]
                            elif seg_guess[j] and self.is_guessing[tag1]:
                                # HanTa: Int_t + LP_hapax_t + LP_len_t + suffix score (- 4.6 for
                                # the whole word), added in that order.
                                g = self.guess_slot[tag1]
                                cell = ((wlen + 1 + j) if mlen > 4 else j) * G + g
                                lpm = self.base[g * 25 + (mlen if mlen < 24 else 24)] + self.tails[cell]
                                if mlen == wlen:
                                    lpm = lpm - 4.6
                            else:
                                continue
                            lpt = followers.lps[k]
                            lp1 = lp + lpt
                            lp1 = lp1 + lpm
                            if lp1 > LOWERBOUND:
                                ns = followers.nexts[k]
                                cell = j * S + ns
                                if not self.present[cell]:
                                    self.present[cell] = 1
                                    self.order[j * S + self.count[j]] = ns
                                    self.count[j] += 1
                                    self.val[cell] = lp1
                                    self.bp_state[cell] = s
                                    self.bp_pos[cell] = i
                                elif lp1 > self.val[cell]:
                                    self.val[cell] = lp1
                                    self.bp_state[cell] = s
                                    self.bp_pos[cell] = i
        finally:
            free(seg_known)
            free(seg_guess)
            free(long_done)
        return tails_added

    cdef tuple _tail_scores(self, str m):
        """HanTa's suffix score of the unseen morpheme `m`, for every guessing tag (its longest
        known suffix of at most four letters, shorter than `m`; else the empty one)."""
        cdef Py_ssize_t n = len(m)
        cdef object s4 = m[n - 4:] if n > 4 else None
        cdef object s3 = m[n - 3:] if n > 3 else None
        cdef object s2 = m[n - 2:] if n > 2 else None
        cdef object s1 = m[n - 1:] if n > 1 else None
        cdef list out = []
        cdef dict scores
        cdef object v
        for scores in self.suffixes:
            v = None
            if s4 is not None:
                v = scores.get(s4)
            if v is None and s3 is not None:
                v = scores.get(s3)
            if v is None and s2 is not None:
                v = scores.get(s2)
            if v is None and s1 is not None:
                v = scores.get(s1)
            if v is None:
                v = scores[""]
            out.append(v)
        return tuple(out)

    def row(self, int j):
        """[(state, log p)] of row j, in insertion order."""
        cdef int S = self.n_states
        cdef int e, s
        out = []
        if self.val == NULL or j < 0 or j > self.wlen:
            return out
        for e in range(self.count[j]):
            s = self.order[j * S + e]
            out.append((self.states[s], self.val[j * S + s]))
        return out

    def pointer(self, int j, tuple state, dict ids):
        """(previous state, its row) of `state` in row j."""
        cdef int s = ids[state]
        cdef int cell = j * self.n_states + s
        return self.states[self.bp_state[cell]], self.bp_pos[cell]


cdef class SentenceModel:
    """HanTa's sentence Viterbi (`kg.nlp.hanta_tagger.HantaTagger._viterbi`) over C arrays.

    States are pairs of tags; each keeps its followers in the order of HanTa's transition
    table (LP_trans_word), which decides ties. A state outside that table raises KeyError
    where HanTa's own lookup would, and so does a sentence no tag sequence survives."""
    cdef int n_states, n_tags, start, end_tag
    cdef int *offsets
    cdef int *tags
    cdef int *nexts
    cdef double *lps
    cdef double *end_lp
    cdef char *has_end
    cdef char *known
    cdef int *stamp  # per state: the row (stamp) it was last entered in
    cdef int *slot   # per state: its entry in that row
    cdef int stamp_now
    cdef list states
    # entries of the current sentence's rows
    cdef int cap
    cdef int *ent_state
    cdef int *ent_back
    cdef double *ent_val
    cdef double *wval
    cdef char *wmask

    def __cinit__(self, dict trans, tuple start, int end_tag):
        cdef dict ids = {}
        cdef list states = []
        cdef int k = 0, s, n, total = 0
        for state in trans:
            ids[state] = len(states)
            states.append(state)
        for state, follow in trans.items():
            for c in follow:
                if c != end_tag and (state[1], c) not in ids:
                    ids[(state[1], c)] = len(states)
                    states.append((state[1], c))
                total += 1
        n = len(states)
        self.n_states = n
        self.states = states
        self.start = ids[start]
        self.end_tag = end_tag
        self.n_tags = 1 + max(max(t for t in st) for st in states)
        self.offsets = <int *> malloc((n + 1) * sizeof(int))
        self.tags = <int *> malloc((total + 1) * sizeof(int))
        self.nexts = <int *> malloc((total + 1) * sizeof(int))
        self.lps = <double *> malloc((total + 1) * sizeof(double))
        self.end_lp = <double *> malloc(n * sizeof(double))
        self.has_end = <char *> calloc(n, sizeof(char))
        self.known = <char *> calloc(n, sizeof(char))
        self.stamp = <int *> calloc(n, sizeof(int))
        self.slot = <int *> calloc(n, sizeof(int))
        self.wval = <double *> malloc(self.n_tags * sizeof(double))
        self.wmask = <char *> calloc(self.n_tags, sizeof(char))
        self.cap = 0
        self.ent_state = self.ent_back = NULL
        self.ent_val = NULL
        if not (self.offsets and self.tags and self.nexts and self.lps and self.end_lp and self.has_end
                and self.known and self.stamp and self.slot and self.wval and self.wmask):
            raise MemoryError()
        self.stamp_now = 0
        for s in range(n):
            self.offsets[s] = k
            follow = trans.get(states[s])
            if follow is None:
                continue
            self.known[s] = 1
            for c, lp in (<dict> follow).items():
                if c == end_tag:
                    self.has_end[s] = 1
                    self.end_lp[s] = lp
                else:
                    self.tags[k] = c
                    self.lps[k] = lp
                    self.nexts[k] = ids[(states[s][1], c)]
                    k += 1
        self.offsets[n] = k

    def __dealloc__(self):
        free(self.offsets)
        free(self.tags)
        free(self.nexts)
        free(self.lps)
        free(self.end_lp)
        free(self.has_end)
        free(self.known)
        free(self.stamp)
        free(self.slot)
        free(self.wval)
        free(self.wmask)
        free(self.ent_state)
        free(self.ent_back)
        free(self.ent_val)

    cdef int _reserve(self, int need) except -1:
        cdef int cap = self.cap if self.cap else 1024
        cdef int *a
        cdef int *b
        cdef double *v
        if need <= self.cap:
            return 0
        while cap < need:
            cap *= 2
        a = <int *> malloc(cap * sizeof(int))
        b = <int *> malloc(cap * sizeof(int))
        v = <double *> malloc(cap * sizeof(double))
        if not (a and b and v):
            free(a)
            free(b)
            free(v)
            raise MemoryError()
        if self.cap:
            memcpy(a, self.ent_state, self.cap * sizeof(int))
            memcpy(b, self.ent_back, self.cap * sizeof(int))
            memcpy(v, self.ent_val, self.cap * sizeof(double))
        free(self.ent_state)
        free(self.ent_back)
        free(self.ent_val)
        self.ent_state, self.ent_back, self.ent_val, self.cap = a, b, v, cap
        return 0

    def viterbi(self, list word_tags):
        """The best tag per word; `word_tags[i]` is the word's {tag: log p}, or None (unknown
        word: every tag, scored 0)."""
        cdef int n_words = len(word_tags)
        cdef int i, e, k, s, c, ns, prev_begin, prev_end, begin, end, best_entry, t
        cdef double lp0, lp, rowbound, best
        cdef double top[6]
        cdef bint unknown
        cdef dict wprobs
        if n_words == 0:
            raise KeyError("an empty sentence")
        self._reserve(1)
        self.ent_state[0] = self.start
        self.ent_back[0] = -1
        self.ent_val[0] = 0.0
        prev_begin, prev_end = 0, 1
        for i in range(n_words):
            unknown = word_tags[i] is None
            if not unknown:
                wprobs = <dict> word_tags[i]
                for tag, tlp in wprobs.items():
                    if 0 <= tag < self.n_tags:
                        self.wmask[<int> tag] = 1
                        self.wval[<int> tag] = tlp
            try:
                if prev_end - prev_begin > 5:
                    # The sixth-best value of the row before (HanTa: sorted(values, reverse=True)[5]).
                    for k in range(6):
                        top[k] = -1e308 * 10
                    for e in range(prev_begin, prev_end):
                        lp = self.ent_val[e]
                        for k in range(6):
                            if lp > top[k]:
                                for t in range(5, k, -1):
                                    top[t] = top[t - 1]
                                top[k] = lp
                                break
                    rowbound = top[5] - 1
                else:
                    rowbound = LOWERBOUND
                self.stamp_now += 1
                begin = end = prev_end
                for e in range(prev_begin, prev_end):
                    lp0 = self.ent_val[e]
                    if lp0 < rowbound:
                        continue
                    s = self.ent_state[e]
                    if not self.known[s]:
                        raise KeyError(self.states[s])
                    self._reserve(end + self.offsets[s + 1] - self.offsets[s])
                    for k in range(self.offsets[s], self.offsets[s + 1]):
                        c = self.tags[k]
                        if unknown:
                            lp = lp0 + self.lps[k]
                            lp = lp + 0.0
                        elif self.wmask[c]:
                            lp = lp0 + self.lps[k]
                            lp = lp + self.wval[c]
                        else:
                            continue
                        if lp > LOWERBOUND:
                            ns = self.nexts[k]
                            if self.stamp[ns] != self.stamp_now:
                                self.stamp[ns] = self.stamp_now
                                self.slot[ns] = end
                                self.ent_state[end] = ns
                                self.ent_val[end] = lp
                                self.ent_back[end] = e
                                end += 1
                            elif lp > self.ent_val[self.slot[ns]]:
                                self.ent_val[self.slot[ns]] = lp
                                self.ent_back[self.slot[ns]] = e
            finally:
                if not unknown:
                    for tag in wprobs:
                        if 0 <= tag < self.n_tags:
                            self.wmask[<int> tag] = 0
            prev_begin, prev_end = begin, end
        best = -1e308 * 10
        best_entry = -1
        for e in range(prev_begin, prev_end):
            s = self.ent_state[e]
            if not self.known[s]:
                raise KeyError(self.states[s])
            lp = self.ent_val[e] + (self.end_lp[s] if self.has_end[s] else -1e308 * 10)
            if lp > best:
                best = lp
                best_entry = e
        if best_entry < 0:
            raise KeyError("no tag sequence survives")
        out = []
        e = best_entry
        while e > 0:
            out.append(self.states[self.ent_state[e]][1])
            e = self.ent_back[e]
        out.reverse()
        return out
