from __future__ import annotations

"""Modality of a statement: negation, future and modal verbs, hedges, governing verbs."""

from spacy.tokens import Doc

from ..nlp.clauses import FINITE, Clause


class ModalityRules:
    """asserted / planned / possible / negated, from the clause and the verb that governs it."""

    def _init_modality(self, grammar: dict) -> None:
        n, m = grammar["negation"], grammar["modality"]
        self.neg_particles = frozenset(n["particles"])
        self.neg_dets = frozenset(n["determiners"])
        self.not_after = frozenset(n["not_after"])
        self.negating_complementizers = frozenset(n["complementizers"])
        self.negating_words = frozenset(n["negating_words"])
        self.negating_manner = frozenset(n["manner_nouns"])
        self.copulas = frozenset(n["copulas"])
        self.purpose_complementizers = frozenset(m["purpose_complementizers"])
        self.question_complementizers = frozenset(m["question_complementizers"])
        self.planned_modals = frozenset(m["planned_modals"])
        self.future_aux = m["future_auxiliary"]
        self.past_aux_forms = frozenset(m["past_auxiliary_forms"])
        self.possible_modals = frozenset(m["possible_modals"])
        self.possible_forms = frozenset(m["possible_forms"])
        self.possible_adverbs = frozenset(m["possible_adverbs"])
        self.planned_adverbs = frozenset(m["planned_adverbs"])
        self.possible_adjectives = frozenset(m["possible_adjectives"])
        self.planned_noun_adj = frozenset(m["planned_noun_adj"])
        self.possible_noun_adj = frozenset(m["possible_noun_adj"])

    def _clause_modality(self, doc: Doc, clauses: list[Clause], idx: int) -> str:
        cl = clauses[idx]
        words = [doc[k] for k in range(cl.start, cl.end)]
        negated = any(t.lower_ == "weder" for t in words)  # "Weder Paris noch Berlin unterstützen …"
        # "auf keinen Fall", "in keiner Weise": a negating determiner with a manner noun
        negated |= any(t.lower_ in self.neg_dets and k + 1 < len(words) and words[k + 1].text in self.negating_manner
                       for k, t in enumerate(words))
        for k, t in enumerate(words):
            if t.lower_ in self.neg_particles and t.tag_ in ("PTKNEG", "ADV"):
                nxt = words[k + 1].lower_ if k + 1 < len(words) else ""
                if nxt not in self.not_after:
                    negated = True
        if negated:
            return "negated"
        possible = planned = False
        finite = doc[cl.finite] if cl.finite is not None else None
        auxes = self.g.aux_lemmas(doc, cl)
        if finite is not None and finite.lower_ in self.possible_forms:
            possible = True
        if any(a in self.possible_modals for a in auxes):
            possible = True
        if any(t.lower_ in self.possible_adverbs for t in words):
            possible = True
        if finite is not None and finite.lemma_ in self.planned_modals:
            planned = True
        if any(doc[k].lemma_ in self.planned_modals and doc[k].tag_ == "VMINF" for k in cl.verbs):
            planned = True
        if self.future_aux in auxes and not self.g.is_passive(doc, cl) and any(doc[k].tag_ in ("VVINF", "VAINF", "VMINF") for k in cl.verbs):
            planned = True
        if finite is not None and finite.lemma_ == self.future_aux and finite.lower_ not in self.past_aux_forms \
                and not self.g.is_passive(doc, cl) and any(
                doc[k].tag_ == "VVINF" or (doc[k].tag_ in ("VVPP", "VVFIN") and k != finite.i and doc[k].text == doc[k].lemma_)
                for k in cl.verbs):
            planned = True  # future: "wird … treffen", "wird … empfangen"
        if any(t.lower_ in self.planned_adverbs for t in words) and finite is not None and finite.tag_ in FINITE:
            planned = True
        # Governing clause: "kündigte an, … zu treffen", "lehnte es ab, …", "es ist möglich, dass …"
        if cl.parent is not None and cl.kind in ("inf", "sub"):
            parent = clauses[cl.parent]
            _, plemma = self.g.content_verb(doc, parent)
            gov = self.lex.governors.get(plemma or "")
            if cl.kind == "inf" and cl.complementizer in self.negating_complementizers:
                return "negated"  # "reiste ab, ohne Putin getroffen zu haben"
            if cl.kind == "inf" and cl.complementizer in self.purpose_complementizers \
                    and self._clause_modality(doc, clauses, cl.parent) == "planned":
                planned = True  # "reist nächste Woche nach Peking, um dort Wang zu treffen"
            if cl.kind == "inf" and gov in ("negated", "planned", "possible"):
                if gov == "negated":
                    return "possible" if self._has_negation(doc, parent) else "negated"
                possible |= gov == "possible"
                planned |= gov == "planned"
            if cl.kind == "inf" and self._has_negation(doc, parent) and cl.complementizer is None:
                return "negated"
            if cl.kind == "sub" and cl.complementizer in self.g.content_complementizers and gov == "negated":
                return "negated"  # "Der Kreml dementierte, dass Putin Trump getroffen habe"
            if cl.kind == "sub" and cl.complementizer in self.question_complementizers:
                possible = True  # "die Frage, ob Scholz mit dem Emir sprechen werde": open, not a fact
            if cl.kind == "sub" and cl.complementizer in self.g.content_complementizers and any(
                    doc[k].lower_ in self.possible_adjectives for k in range(parent.start, parent.end)):
                possible = True
            if cl.kind == "inf" and any(doc[k].lower_ in self.possible_forms for k in parent.verbs):
                possible = True
            if cl.kind == "inf" and any((doc[k].lemma_ in self.planned_modals or self.lex.governors.get(doc[k].lemma_) == "planned") for k in parent.verbs):
                planned = True
        if possible:
            return "possible"
        if planned:
            return "planned"
        return "asserted"

    def _has_negation(self, doc: Doc, cl: Clause) -> bool:
        for k in range(cl.start, cl.end):
            t = doc[k]
            if t.lower_ in self.neg_particles and t.tag_ in ("PTKNEG", "ADV"):
                if k + 1 >= cl.end or doc[k + 1].lower_ not in self.not_after:
                    return True
        return False

    def _noun_modality(self, doc, clauses, idx, k, governed: bool = True) -> str:
        cl = clauses[idx]
        planned_adj = False
        # Determiners and adjectives before the noun: "kein Treffen", "das geplante Treffen".
        j = k - 1
        while j >= max(cl.start, k - 4) and doc[j].tag_ in ("ADJA", "ADJD", "ADV", "ART", "PIAT", "PPOSAT", "NE"):
            word = doc[j].lower_
            if word in self.neg_dets:
                return "negated"
            if word in self.possible_noun_adj:
                return "possible"
            if word in self.planned_noun_adj:
                planned_adj = True
            j -= 1
        if self._denied_by_head(doc, cl, k):
            return "negated"  # "Es gebe keine Pläne für ein Treffen mit X", "kein Interesse an Gesprächen"
        if governed and any(doc[x].text in self.negating_words for x in range(cl.start, cl.end)):
            # "erteilte einem Treffen mit X eine Absage", "hält ein Treffen für ausgeschlossen"
            return "possible" if self._has_negation(doc, cl) else "negated"
        _, lemma = self.g.content_verb(doc, cl)
        # A verb governs the noun it takes as object, not one in an adjunct: "hat der Ukraine in
        # einem Telefonat mit Selenskyj zugesagt, …" reports a call that took place.
        trig = self.lex.noun(doc[k].text, doc[k].lemma_)
        gov = self.lex.governor(lemma, trig.relation if trig else None) if governed else None
        if lemma in self.copulas and any(doc[x].lower_ in self.neg_dets for x in range(cl.start, cl.end) if x != k - 1):
            return "negated"  # "Ein Treffen mit X ist keine Option", "… sei derzeit kein Thema"
        if gov == "negated":
            # "Ein Treffen wird nicht ausgeschlossen": a negated negation leaves it open.
            return "possible" if self._has_negation(doc, cl) else "negated"
        clause_mod = self._clause_modality(doc, clauses, idx)
        if clause_mod == "negated":
            return "negated"
        if gov == "possible" or clause_mod == "possible":
            return "possible"
        if gov == "planned" or planned_adj or clause_mod == "planned":
            return "planned"
        return "asserted"

    def _denied_by_head(self, doc: Doc, cl: Clause, k: int) -> bool:
        """The trigger noun hangs off a negated noun: "keine Pläne für ein Treffen"."""
        j = k - 1
        while j > cl.start and doc[j].tag_ in ("ART", "ADJA", "PPOSAT"):
            j -= 1
        if j <= cl.start or not self.g.is_preposition(doc[j]):
            return False
        j -= 1
        if j < cl.start or doc[j].tag_ != "NN":
            return False
        j -= 1
        while j >= cl.start and doc[j].tag_ in ("ADJA", "ADV"):
            j -= 1
        return j >= cl.start and doc[j].lower_ in self.neg_dets

    def _noun_negation(self, doc: Doc, cl: Clause, nouns) -> str | None:
        for k in range(cl.start + 1, cl.end):
            if doc[k].text in nouns or doc[k].lemma_ in nouns:
                j = k - 1
                while j >= cl.start and doc[j].tag_ in ("ADJA", "ADV"):
                    j -= 1
                if j >= cl.start and doc[j].lower_ in self.neg_dets:
                    return "negated"
        return None
