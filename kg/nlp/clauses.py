"""German clause structure over STTS tags: the `kg_clauses` component and the grammar it uses.

No dependency parser is needed: German word order is regular enough to find the finite
verb, the Vorfeld, the Mittelfeld, the verb-final cluster and the preposition that governs
each actor phrase. The component builds each sentence's clauses once (`doc._.kg_clauses`);
coreference and extraction then bind their actor mentions to them with
`ClauseGrammar.bind`, which fills in the argument units and subjects.

Word lists (determiners by case, relative pronouns, coordinators, contracted prepositions,
object-control verbs …) come from ontology/lexicon/grammar.toml through the Lexicon passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..lexicon import Lexicon
from .mentions import TokenMention

# STTS tag classes (the tag set, not words: these stay in code).
FINITE = frozenset({"VVFIN", "VAFIN", "VMFIN", "VVIMP", "VAIMP"})
NONFINITE = frozenset({"VVINF", "VVPP", "VVIZU", "VAINF", "VAPP", "VMINF", "VMPP"})
FULL_VERB = frozenset({"VVFIN", "VVINF", "VVPP", "VVIZU", "VVIMP"})
NP_INNER = frozenset({"ART", "ADJA", "ADJD", "CARD", "PPOSAT", "PIAT", "PIDAT", "PDAT", "ADV", "PTKA", "PWAT"})
SPLIT_PUNCT = frozenset({",", ";", ":", "–", "—", "(", ")", "„", "“", "”", "\"", "«", "»"})
JOIN_GAP_TAGS = frozenset({"ART", "ADJA", "ADJD", "NN", "PPOSAT"})
DETERMINER_TAGS = frozenset({"ART", "PDAT", "PIAT", "PPOSAT"})
OPENS_CLAUSE = frozenset({"KOUS", "KOUI", "PRELS", "PRELAT", "PWAV", "PWS", "KON"})


@dataclass
class Unit:
    """One argument: an actor phrase, possibly coordinated ("Südkorea und Japan")."""

    mentions: list[TokenMention]
    start: int  # first token of the phrase (including article/preposition-free part)
    end: int
    prep: str | None = None  # governing preposition lemma ("mit", "von", "zu" for "zum")
    case: str | None = None  # nom | acc | dat | gen | der (ambiguous) | None (unknown)
    genitive_of: int | None = None  # token the genitive modifies

    @property
    def actors(self) -> list[str]:
        seen: list[str] = []
        for m in self.mentions:
            for key in m.actors:
                if key not in seen:
                    seen.append(key)
        return seen

    @property
    def core(self) -> bool:
        return self.prep is None and self.case != "gen" and self.genitive_of is None


@dataclass
class Clause:
    start: int
    end: int
    kind: str  # main | sub | inf | rel | coord
    finite: int | None = None
    verbs: list[int] = field(default_factory=list)
    particle: int | None = None
    complementizer: str | None = None
    parent: int | None = None  # index of the governing clause in the sentence's list
    units: list[Unit] = field(default_factory=list)  # set by ClauseGrammar.bind
    subject: Unit | None = None
    subject_inherited: bool = False

    def tokens(self, doc: Doc) -> Span:
        return doc[self.start:self.end]


def is_verb(tag: str) -> bool:
    return tag in FINITE or tag in NONFINITE


def first_word(doc: Doc, a: int, b: int) -> int | None:
    for k in range(a, b):
        if not doc[k].is_punct:
            return k
    return None


def first_content(doc: Doc, cl: Clause) -> int | None:
    """First token of the clause that is neither punctuation nor a conjunction."""
    for k in range(cl.start, cl.end):
        if not doc[k].is_punct and doc[k].tag_ != "KON":
            return k
    return None


class ClauseGrammar:
    """Clause building and argument binding with the word lists of one Lexicon."""

    def __init__(self, lexicon: Lexicon):
        self.lex = lexicon
        c, case, g = lexicon.grammar["clauses"], lexicon.grammar["case"], lexicon.grammar
        self.coordinators = frozenset(c["coordinators"])
        self.unit_joiners = frozenset(c["unit_joiners"])
        self.prep_joiners = frozenset(c["shared_preposition_joiners"])
        self.relative_pronouns = frozenset(c["relative_pronouns"])
        self.object_control = frozenset(c["object_control"])
        self.reciprocal = frozenset(c["reciprocal"])
        self.adverbial_relatives = frozenset(c["adverbial_relatives"])
        self.infinitive_complementizers = frozenset(c["infinitive_complementizers"])
        self.preposition_like = frozenset(c["preposition_like_conjunctions"])
        self.content_complementizers = frozenset(c["content_complementizers"])
        self.accusative = frozenset(case["accusative"])
        self.dative = frozenset(case["dative"])
        self.genitive = frozenset(case["genitive"])
        self.genitive_articles = frozenset(case["genitive_articles"])
        self.dative_pronouns = frozenset(case["dative_pronouns"])
        self.ambiguous_der = case["ambiguous_der"]
        self.nominative_pronouns = frozenset(case["nominative_pronouns"])
        self.contracted = dict(g["prepositions"])
        self.passive_aux = g["voice"]["passive_auxiliary"]
        self.agent_preps = frozenset(g["voice"]["agent_prepositions"])

    # -- building (once per sentence, no mentions needed) ------------------------------
    def build(self, sent: Span) -> list[Clause]:
        """The clauses of one sentence: kind, verb complex, complementizer and parent."""
        doc = sent.doc
        clauses: list[Clause] = []
        for a, b in self._segments(sent):
            first = first_word(doc, a, b)
            verbs = [k for k in range(a, b) if is_verb(doc[k].tag_)]
            finite = next((k for k in verbs if doc[k].tag_ in FINITE), None)
            particle = next((k for k in range(a, b) if doc[k].tag_ == "PTKVZ"), None)
            kind, comp = "main", None
            has_zu = any(doc[k].tag_ in ("PTKZU", "VVIZU") for k in range(a, b))
            if first is not None:
                ftag = doc[first].tag_
                nxt = doc[first + 1] if first + 1 < b else None
                if ftag == "KOUS" and doc[first].lower_ in self.preposition_like and nxt is not None \
                        and nxt.tag_ in ("ART", "PPOSAT", "PDAT"):
                    ftag = "APPR"  # "Während eines Telefonats …": a preposition, not a conjunction
                if (ftag == "KOUI" or doc[first].lower_ in self.infinitive_complementizers) and finite is None and has_zu:
                    kind, comp = "inf", doc[first].lower_  # "um … zu", "ohne … zu": subject control
                elif ftag in ("KOUS", "KOUI"):
                    kind, comp = "sub", doc[first].lower_
                elif ftag == "PWAV" and finite is not None and doc[first].lower_ in self.adverbial_relatives:
                    kind, comp = "sub", doc[first].lower_  # "…, wo ihn Macron empfangen wird": own subject
                elif ftag in ("PRELS", "PRELAT", "PWS") or (
                        ftag in ("APPR", "APPRART") and nxt is not None and nxt.tag_ in ("PRELS", "PRELAT", "PWS")) \
                        or self.looks_relative(doc, a, b):
                    kind = "rel"
                elif ftag == "KON" and doc[first].lower_ in self.coordinators:
                    kind, comp = "coord", doc[first].lower_
            if kind in ("main", "coord") and finite is None and has_zu:
                kind = "inf"
            if kind == "main" and clauses and first == finite and finite is not None and doc[a].text == "," \
                    and clauses[-1].kind in ("main", "coord") and clauses[-1].finite is not None \
                    and self._continues_subject(doc, finite, b):
                kind = "coord"  # "Deutschland setze … fort, unterstütze das Land …": the subject is shared
            clauses.append(Clause(a, b, kind, finite, verbs, particle, comp))
        # Parents: subordinate, relative and infinitive clauses hang off the nearest main clause.
        for idx, cl in enumerate(clauses):
            if cl.kind in ("sub", "rel", "inf"):
                before = [j for j in range(idx - 1, -1, -1) if clauses[j].kind in ("main", "coord")]
                after = [j for j in range(idx + 1, len(clauses)) if clauses[j].kind in ("main", "coord")]
                if cl.kind == "sub" and idx == 0 and after:
                    cl.parent = after[0]
                elif cl.kind == "inf":
                    prev = idx - 1 if idx > 0 else None
                    cl.parent = prev if prev is not None else (after[0] if after else None)
                else:
                    cl.parent = before[0] if before else (after[0] if after else None)
            elif cl.kind == "coord" and idx > 0:
                cl.parent = idx - 1
        return clauses

    def _continues_subject(self, doc: Doc, finite: int, end: int) -> bool:
        """A verb-first piece after a comma shares the subject before it, unless it is the
        inverted speech clause after a quote ("…, sagte Biden", "…, forderte der Nato-Chef")."""
        lemma = doc[finite].lemma_
        if lemma in self.lex.speech_verbs:
            return False
        if self.lex.is_reporting_verb(lemma):
            # "…, verlangte aber von der EU …": no subject right after the verb.
            nxt = next((doc[k] for k in range(finite + 1, end) if not doc[k].is_punct), None)
            return nxt is not None and nxt.tag_ in ("ADV", "PTKNEG", "APPR", "APPRART", "PAV", "KON")
        return True

    def _segments(self, sent: Span) -> list[tuple[int, int]]:
        """Split a sentence at punctuation and clause-level conjunctions."""
        doc = sent.doc
        cuts = [sent.start]
        for tok in sent:
            if tok.i == sent.start:
                continue
            if tok.text in SPLIT_PUNCT or (tok.tag_ == "$(" and tok.text not in ("-", "/")):
                cuts.append(tok.i)
        cuts.append(sent.end)
        raw = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
        # Split at "und/oder/aber" when both sides have a verb: "… strebt an und will …",
        # unless the right side only closes the left side's verb bracket.
        out: list[tuple[int, int]] = []
        for a, b in raw:
            pieces = [a]
            for k in range(a + 1, b):
                if doc[k].lower_ in self.coordinators and doc[k].tag_ == "KON":
                    left = any(doc[x].tag_ in FINITE for x in range(pieces[-1], k))
                    right_end = next((x for x in range(k + 1, b) if doc[x].lower_ in self.coordinators
                                      and doc[x].tag_ == "KON"), b)
                    # HanTa sometimes tags a verb-final finite verb as a participle ("… erwartet").
                    right = any(is_verb(doc[x].tag_) for x in range(k + 1, right_end))
                    if left and right and not self._closes_bracket(doc, (pieces[-1], k), k + 1, right_end):
                        pieces.append(k)
            pieces.append(b)
            out.extend((x, y) for x, y in zip(pieces, pieces[1:]) if y > x)
        # Verbless pieces (appositions, enumerations) belong to a neighbour; so does the closing
        # verb bracket after an apposition ("Lula hat seinen Amtskollegen, Gustavo Petro, empfangen").
        merged: list[list[int]] = []
        for a, b in out:
            has_verb = any(is_verb(doc[x].tag_) for x in range(a, b))
            content = [doc[x] for x in range(a, b) if not doc[x].is_punct]
            if merged and (not has_verb or not content or self._closes_bracket(doc, merged[-1], a, b)):
                merged[-1][1] = b
            else:
                merged.append([a, b])
        second = first_word(doc, merged[1][0], merged[1][1]) if len(merged) > 1 else None
        if len(merged) > 1 and not any(is_verb(doc[x].tag_) for x in range(merged[0][0], merged[0][1])) \
                and not self.looks_relative(doc, merged[1][0], merged[1][1]) \
                and not (second is not None and doc[second].tag_ in ("KOUS", "KOUI")):
            # A verbless start joins the next clause, unless that is a relative clause embedded
            # in the Vorfeld ("Die Ukraine, die Deutschland unterstützt, bat …").
            merged[1][0] = merged[0][0]
            merged.pop(0)
        return [(a, b) for a, b in merged]

    @staticmethod
    def _closes_bracket(doc: Doc, prev, a: int, b: int) -> bool:
        """Piece a..b only holds the non-finite end of the previous piece's verb bracket.

        The previous piece has a finite auxiliary or modal and no verb of its own after it;
        this one has non-finite verbs only, no zu, and opens no subordinate or relative clause
        (whose own finite verb would stand at its end)."""
        verbs = [x for x in range(a, b) if is_verb(doc[x].tag_)]
        if not verbs or any(doc[x].tag_ in FINITE for x in verbs) or any(
                doc[x].tag_ in ("PTKZU", "VVIZU") for x in range(a, b)):
            return False
        first = first_word(doc, a, b)
        if first is None or doc[first].tag_ in OPENS_CLAUSE:
            return False
        prev_verbs = [x for x in range(prev[0], prev[1]) if is_verb(doc[x].tag_)]
        return len(prev_verbs) == 1 and doc[prev_verbs[0]].tag_ in ("VAFIN", "VMFIN")

    def looks_relative(self, doc: Doc, a: int, b: int) -> bool:
        """A clause after a comma that opens with a relative pronoun and ends with its finite verb.

        HanTa often tags the pronoun as an article, so the verb-final order decides."""
        first = first_word(doc, a, b)
        if first is None or first == a or doc[first].lower_ not in self.relative_pronouns:
            return False
        if doc[first].tag_ in ("PRELS", "PRELAT"):
            return True
        verbs = [k for k in range(first + 1, b) if is_verb(doc[k].tag_)]
        if not verbs:
            return False
        last = max(verbs)
        # Verb-final: nothing but punctuation after the last verb, and the finite verb is last.
        tail_ok = all(doc[k].is_punct for k in range(last + 1, b))
        return tail_ok and doc[last].tag_ in FINITE | {"VVPP"} and not any(
            doc[k].tag_ in FINITE for k in verbs if k != last)

    # -- binding (units and subjects for a set of mentions) ------------------------------
    def bind(self, doc: Doc, clauses: list[Clause], mentions: list[TokenMention]) -> list[Clause]:
        """Attach argument units and subjects to the clauses of one sentence (in place)."""
        for cl in clauses:
            cl.units = self._units(doc, cl, mentions)
            cl.subject = self._subject(doc, cl)
            cl.subject_inherited = False
        # "Macron, der Scholz getroffen hatte, warnte Russland": the verbless start is the
        # Vorfeld of the clause after the embedded relative clause(s).
        if len(clauses) > 2 and clauses[0].finite is None and not clauses[0].verbs and clauses[1].kind == "rel":
            k = 1
            while k < len(clauses) and clauses[k].kind == "rel":
                k += 1
            if k < len(clauses) and clauses[k].kind == "main" and clauses[k].finite is not None \
                    and first_word(doc, clauses[k].start, clauses[k].end) == clauses[k].finite:
                vorfeld = [u for u in clauses[0].units if u.core and u.case not in ("acc", "dat")]
                if vorfeld:
                    clauses[k].subject = vorfeld[0]
                    clauses[k].subject_inherited = True
                    clauses[k].units = [*vorfeld[:1], *clauses[k].units]
                elif clauses[k].subject is not None:
                    # "Nach einem Gespräch mit Maduro, der …, sagte Lula …": the fronted adjunct
                    # belongs to the clause whose Vorfeld it is.
                    clauses[0].subject = clauses[k].subject
                    clauses[0].subject_inherited = True
        # Subject inheritance: "China scheint … und könnte Moskau unterstützen"; "kündigte an, X zu treffen".
        for cl in clauses:
            if cl.subject is None and cl.parent is not None and cl.kind in ("coord", "inf"):
                parent = clauses[cl.parent]
                if parent.subject is not None:
                    cl.subject = parent.subject
                    cl.subject_inherited = True
        return clauses

    def np_left_edge(self, doc: Doc, start: int, lo: int, appositive: bool = True) -> int:
        """Index of the token before the NP that ends with the actor at `start`.

        Skips articles, adjectives and, for a person, one appositive head noun ("dem
        japanischen Regierungschef Fumio Kishida", "Indiens Premierminister Narendra Modi"),
        also across an apposition comma ("seinen Amtskollegen, Gustavo Petro", "der Präsident
        Brasiliens, Lula"); a genitive after a noun ("vor einem Angriff Russlands") is not
        such an apposition."""
        is_role = self.lex.is_role
        k = start - 1
        if appositive:
            # Name parts the gazetteer did not cover, between a role noun and the name:
            # "Präsidenten Abdel-Fattah al-Sisi" matched as "al-Sisi".
            j = k
            while j > lo and j > k - 2 and doc[j].tag_ == "NE" and doc[j].text[:1].isupper():
                j -= 1
            if j < k and doc[j].tag_ == "NN" and is_role(doc[j].text):
                k = j
        if appositive and k > lo and doc[k].text == ",":
            j = k - 1
            if j > lo and doc[j].tag_ == "NE" and doc[j].text.endswith("s") and is_role(doc[j - 1].text):
                j -= 1  # "der Präsident Brasiliens, Lula"
            elif j > lo and doc[j].tag_ in ("NE", "NN"):
                # "den Vorsitzenden der oppositionellen CHP, Özgür Özel": a genitive phrase after the
                # role; "seinen Kollegen aus Frankreich und Polen, Barrot und Sikorski": a PP after it
                g = j
                while g > lo and g > j - 6 and (doc[g].tag_ in ("NE", "NN", "ADJA") or doc[g].lower_ in self.unit_joiners):
                    g -= 1
                if g > lo and (doc[g].lower_ in self.genitive_articles or doc[g].tag_ == "APPR") \
                        and is_role(doc[g - 1].text):
                    j = g - 1
            if doc[j].tag_ == "NN" and is_role(doc[j].text):
                k = j
        if appositive and k >= lo and doc[k].tag_ == "NN" and is_role(doc[k].text):
            k -= 1
            if k - 1 >= lo and doc[k].tag_ == "KON" and doc[k - 1].text.endswith("-"):
                k -= 2  # "Staats- und Parteichef Xi Jinping"
            if k >= lo and doc[k].tag_ == "NE" and doc[k].text.endswith("s"):
                k -= 1  # genitive name before the head noun: "Senegals Präsidenten"
        while k >= lo:
            if doc[k].tag_ in NP_INNER:
                k -= 1
            elif (doc[k].text == "," or doc[k].tag_ == "KON") and k - 1 >= lo and doc[k - 1].tag_ == "ADJA" \
                    and doc[k + 1].tag_ == "ADJA":
                k -= 1  # coordinated adjectives: "seinen ukrainischen, russischen und französischen Kollegen"
            else:
                break
        return k

    def is_preposition(self, tok) -> bool:
        """APPR/APPRART, or "während"/"seit" before an article (HanTa tags them as conjunctions)."""
        if tok.tag_ in ("APPR", "APPRART"):
            return True
        return tok.tag_ == "KOUS" and tok.lower_ in self.preposition_like and tok.i + 1 < len(tok.doc) \
            and tok.doc[tok.i + 1].tag_ in ("ART", "PPOSAT", "PDAT")

    def prep_lemma(self, tok) -> str:
        """The preposition of an APPR/APPRART token: "zum" -> "zu", "vom" -> "von"."""
        return self.contracted.get(tok.lower_, tok.lemma_.lower() or tok.lower_)

    def governing_prep(self, doc: Doc, start: int, lo: int, appositive: bool = True) -> str | None:
        k = self.np_left_edge(doc, start, lo, appositive)
        if k >= lo and doc[k].lower_ in self.prep_joiners:
            # Second conjunct after a non-actor noun phrase: "mit mehreren Kollegen und der
            # EU-Außenbeauftragten Kaja Kallas" shares the preposition.
            j = k - 1
            while j >= lo and j > k - 6 and (doc[j].tag_ in NP_INNER or doc[j].tag_ == "NN"):
                j -= 1
            if j < k - 1 and j >= lo and doc[j].tag_ in ("APPR", "APPRART") and doc[j + 1].tag_ != "KON":
                return self.prep_lemma(doc[j])
        if k >= lo and self.is_preposition(doc[k]):
            return self.prep_lemma(doc[k])
        return None

    def case_cue(self, doc: Doc, start: int, lo: int, appositive: bool = True) -> str | None:
        left = self.np_left_edge(doc, start, lo, appositive)
        k = next((x for x in range(left + 1, start) if doc[x].tag_ in DETERMINER_TAGS), None)
        if k is not None:
            word = doc[k].lower_
            if word in self.accusative:
                return "acc"
            if word in self.dative:
                return "dat"
            if word in self.genitive:
                return "gen"
            if word == self.ambiguous_der:
                return "der"  # nom masc, or dat/gen fem: decided with the actor's gender
        first = doc[start].lower_
        if first in self.accusative:
            return "acc"
        if first in self.dative or (doc[start].tag_ == "PPER" and first in self.dative_pronouns):
            return "dat"
        if first in self.nominative_pronouns:
            return "nom"
        return None

    def _units(self, doc: Doc, cl: Clause, mentions: list[TokenMention]) -> list[Unit]:
        inside = [m for m in mentions if cl.start <= m.start and m.end <= cl.end and m.is_actor]
        # A mention inside a longer one is part of it ("Japans" in "Japans Regierungschef").
        inside = [m for m in inside if not any(o is not m and o.start <= m.start and m.end <= o.end
                                               and o.end - o.start > m.end - m.start for o in inside)]
        # A genitive possessor of a role noun before a person is part of that person's phrase:
        # "Kanadas Premier Mark Carney, Indiens Regierungschef Narendra Modi".
        person_starts = {m.start for m in inside if m.actors and m.actors[0].startswith("person/")}
        possessors = {id(m) for m in inside if m.genitive and self._possesses_role(doc, m.end, cl.end, person_starts)}
        possessor_tokens = {k for m in inside if id(m) in possessors for k in range(m.start, m.end)}
        inside = [m for m in inside if id(m) not in possessors]
        units: list[Unit] = []
        for m in inside:
            if units:
                last = units[-1]
                gap = list(doc[last.end:m.start])
                # "A und B", "A, B und C", "A und seinen ägyptischen Amtskollegen B"
                # A noun in the gap must be a role noun ("seinen Amtskollegen"), not another thing.
                joined = bool(gap) and all(t.lower_ in self.unit_joiners or t.i in possessor_tokens or (
                    t.tag_ in JOIN_GAP_TAGS and (t.tag_ != "NN" or self.lex.is_role(t.text))) for t in gap) \
                    and any(t.lower_ in self.unit_joiners for t in gap) and len(gap) <= 6
                if joined and self._opens_apposition(doc, last, gap, m):
                    joined = False  # "der Generalsekretär der Nato, Mark Rutte": no list
                if joined and m.genitive == last.mentions[-1].genitive and (
                        not m.genitive or all(t.lower_ in self.unit_joiners for t in gap)):
                    # "Deutschlands, Frankreichs und Großbritanniens": genitives coordinate too.
                    last.mentions.append(m)
                    last.end = m.end
                    continue
            units.append(Unit([m], m.start, m.end))
        # "ohne Selenskyj getroffen zu haben": the complementizer governs the clause, not the name.
        lo = cl.start
        if cl.complementizer is not None:
            opener = first_word(doc, cl.start, cl.end)
            lo = opener + 1 if opener is not None else cl.start
        for u in units:
            first = u.mentions[0]
            appositive = first.actors[0].startswith("person/") and not first.genitive
            u.prep = self.governing_prep(doc, u.start, lo, appositive)
            cue = self.case_cue(doc, u.start, lo, appositive)
            if first.genitive:
                nxt = doc[u.end] if u.end < cl.end else None
                # "Putins Sprecher", "des Kremls": the phrase modifies a noun.
                if nxt is not None and nxt.tag_ in ("NN", "NE") or (cue == "gen"):
                    u.case = "gen"
                    u.genitive_of = u.end if nxt is not None else None
            if u.case is None and cue in ("der", "gen") and u.start >= 2 and doc[u.start - 1].tag_ == "ART" \
                    and doc[u.start - 2].tag_ == "NN" and u.start - 2 >= cl.start:
                # "der Vorschlag der EU-Kommission": a genitive attribute of the noun before it.
                u.case, u.genitive_of = "gen", u.start - 2
            # A name right after a noun ("die Unterstützung Deutschlands") with genitive -s.
            if u.case is None and first.genitive and u.start > cl.start and doc[u.start - 1].tag_ == "NN":
                u.case, u.genitive_of = "gen", u.start - 1
            if u.case is None:
                u.case = cue
        # A genitive chain goes on across commas and articles: "Saudi-Arabiens, der Vereinigten
        # Arabischen Emirate und Bahrains" are all attributes of the noun before the first.
        for prev, u in zip(units, units[1:]):
            if prev.case == "gen" and u.case != "gen" and all(m.genitive for m in u.mentions) and all(
                    t.lower_ in self.unit_joiners or t.lower_ in self.genitive_articles for t in doc[prev.end:u.start]):
                u.case, u.genitive_of = "gen", prev.genitive_of
        return units

    def _possesses_role(self, doc: Doc, k: int, end: int, person_starts: set[int]) -> bool:
        """Tokens from k are a role noun phrase before a person: "Premier Carney", "Staats- und
        Parteichef Xi Jinping" (a genitive before them is the person's country, no argument)."""
        seen_role = False
        for j in range(k, min(end, k + 4)):
            t = doc[j]
            if j in person_starts:
                return seen_role
            if t.tag_ == "NN" and self.lex.is_role(t.text):
                seen_role = True
            elif not (t.tag_ in ("TRUNC", "KON", "ADJA") or t.text.endswith("-")):
                return False
        return False

    def _opens_apposition(self, doc: Doc, last: Unit, gap, m: TokenMention) -> bool:
        """A comma after the genitive attribute of a role noun, or after states, then a person:
        an apposition ("der Nato, Mark Rutte"; "Kollegen aus Jordanien und Ägypten, al-Safadi …")."""
        if len(gap) != 1 or gap[0].text != "," or not m.actors or not m.actors[0].startswith("person/"):
            return False
        if all(not key.startswith("person/") for key in last.actors):
            return True
        k = last.start - 1
        while k > 0 and doc[k].tag_ in ("ADJA", "ADJD"):
            k -= 1
        return k > 0 and doc[k].lower_ in self.genitive_articles and doc[k - 1].tag_ == "NN" \
            and self.lex.is_role(doc[k - 1].text)

    def _subject(self, doc: Doc, cl: Clause) -> Unit | None:
        cores = [u for u in cl.units if u.core and u.case not in ("acc", "dat", "gen")]
        if cl.kind in ("rel", "inf"):
            # Relative clauses: the pronoun is the subject (resolved by the caller);
            # zu-infinitives never have an overt subject (it is inherited).
            return None
        if not cores:
            return None
        if cl.kind == "coord" and cl.finite is not None and first_word(doc, cl.start + 1, cl.end) == cl.finite \
                and not any(u.case == "nom" for u in cores):
            return None  # "… und könnte Moskau unterstützen": the subject is the first conjunct's
        if cl.kind in ("main", "coord") and cl.finite is not None:
            vorfeld = [u for u in cores if u.end <= cl.finite]
            if vorfeld:
                return vorfeld[0]
            if self._vorfeld_noun_phrase(doc, cl) and not any(u.case == "nom" for u in cores):
                return None  # "Die Regierung hat Kanadas Premier empfangen": the subject is no actor
        return cores[0]

    def _vorfeld_noun_phrase(self, doc: Doc, cl: Clause) -> bool:
        """A bare noun phrase (no preposition, not a time noun) before the finite verb."""
        first = first_word(doc, cl.start, cl.finite)
        if first is None or doc[first].tag_ in ("APPR", "APPRART", "KOUS", "ADV", "PAV"):
            return False
        return any(doc[x].tag_ == "NN" and doc[x].text not in self.lex.time_nouns for x in range(first, cl.finite)) \
            and not any(doc[x].tag_ in ("APPR", "APPRART", "KOUS", "PWAV") for x in range(first, cl.finite))

    # -- the verb complex ---------------------------------------------------------------
    @staticmethod
    def content_verb(doc: Doc, cl: Clause) -> tuple[int | None, str | None]:
        """(token, lemma) of the clause's full verb, with a separated particle joined on."""
        full = [k for k in cl.verbs if doc[k].tag_ in FULL_VERB]
        if not full:
            # "Orbán hat kein Interesse an einem Treffen": an auxiliary as the main verb.
            if cl.finite is not None and doc[cl.finite].tag_ == "VAFIN" and len(cl.verbs) == 1:
                return cl.finite, doc[cl.finite].lemma_
            return None, None
        if cl.kind in ("main", "coord"):
            nonfin = [k for k in full if doc[k].tag_ != "VVFIN"]
            tok = nonfin[0] if nonfin else full[0]
        else:
            tok = full[0]
        lemma = doc[tok].lemma_
        if cl.particle is not None and doc[tok].tag_ == "VVFIN":
            lemma = doc[cl.particle].lower_ + lemma
        return tok, lemma

    @staticmethod
    def aux_lemmas(doc: Doc, cl: Clause) -> list[str]:
        return [doc[k].lemma_ for k in cl.verbs if doc[k].tag_.startswith(("VA", "VM"))]

    def is_passive(self, doc: Doc, cl: Clause) -> bool:
        tok, lemma = self.content_verb(doc, cl)
        if tok is None or doc[tok].tag_ != "VVPP":
            return False
        if self.passive_aux not in self.aux_lemmas(doc, cl):
            return False
        if doc[tok].text == lemma and not any(u.prep in self.agent_preps for u in cl.units):
            # "empfangen wird" is future active when the participle equals the infinitive
            # and no agent phrase follows.
            return False
        return True

    @staticmethod
    def resolve_der(unit: Unit, gender: str | None) -> str | None:
        """'der' before a masculine noun is nominative; before a feminine one dative/genitive."""
        if unit.case != "der":
            return unit.case
        return "nom" if gender in ("m", None) else "dat"


def ensure_clause_extension() -> None:
    if not Doc.has_extension("kg_clauses"):
        Doc.set_extension("kg_clauses", default=None)


def clauses_of(doc: Doc, grammar: ClauseGrammar) -> dict[int, list[Clause]]:
    """The clauses of each sentence (keyed by its first token), built once per doc."""
    ensure_clause_extension()
    if doc._.kg_clauses is None:
        doc._.kg_clauses = {sent.start: grammar.build(sent) for sent in doc.sents}
    return doc._.kg_clauses


class ClauseBuilder:
    """The `kg_clauses` component: builds every sentence's clauses once."""

    def __init__(self, grammar: ClauseGrammar):
        self.grammar = grammar

    def __call__(self, doc: Doc) -> Doc:
        ensure_clause_extension()
        doc._.kg_clauses = None
        clauses_of(doc, self.grammar)
        return doc


@Language.factory(
    "kg_clauses",
    assigns=["doc._.kg_clauses"],
    requires=["token.tag", "token.lemma", "token.is_sent_start"],
    default_config={},
)
def make_clause_builder(nlp: Language, name: str) -> ClauseBuilder:
    from ..lexicon import load_lexicon

    return ClauseBuilder(ClauseGrammar(load_lexicon()))
