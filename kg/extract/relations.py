"""Relations from clause structure: the Extractor runs the rules of each concern over the
clauses of every sentence. Pure functions of a processed Doc; the lexicon is passed in.

- verbs.py        verb triggers and their arguments
- nouns.py        noun triggers, light verbs, compounds, adjuncts
- modality.py     asserted / planned / possible / negated
- attribution.py  who reported it, and what is only reported content
- placetime.py    place of a meeting and time expression
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from ..lexicon import Lexicon
from ..nlp.clauses import ClauseGrammar, clauses_of
from ..nlp.mentions import TokenMention, by_sentence
from .attribution import AttributionRules
from .found import Found, dedupe
from .modality import ModalityRules
from .nouns import NounRules
from .placetime import PlaceTimeRules
from .tense import verb_tense
from .verbs import VerbRules

__all__ = ["Extractor", "Found"]


class Extractor(VerbRules, NounRules, ModalityRules, AttributionRules, PlaceTimeRules):
    """Holds the lexicon-derived word sets; `extract(doc)` is a pure function of the doc."""

    def __init__(self, lexicon: Lexicon, actors: dict, grammar: ClauseGrammar | None = None):
        self.lex = lexicon
        self.g = grammar or ClauseGrammar(lexicon)
        self.actors = actors
        g = lexicon.grammar
        self._init_verbs(g)
        self._init_nouns(g)
        self._init_modality(g)
        self._init_attribution(g)

    def extract(self, doc: Doc, mentions: list[TokenMention]) -> list[Found]:
        from ..nlp.sentences import is_debris

        found: list[Found] = []
        all_clauses = clauses_of(doc, self.g)
        grouped = by_sentence(doc, mentions)
        for sent in doc.sents:
            if is_debris(doc, sent.start, sent.end):
                continue
            sent_mentions = grouped.get(sent.start, [])
            actor_mentions = [m for m in sent_mentions if m.is_actor]
            clauses = self.g.bind(doc, all_clauses[sent.start], actor_mentions)
            self._fix_relative_subjects(doc, clauses, actor_mentions)
            source = self._sentence_source(doc, sent, actor_mentions)
            for idx, cl in enumerate(clauses):
                if self._is_content_clause(doc, clauses, idx):
                    continue
                tense = verb_tense(doc, cl.verbs)
                _, verb_lemma = self.g.content_verb(doc, cl)
                found.extend(replace(f, lemma=verb_lemma, tense=tense)
                             for f in self._verb_statements(doc, sent, clauses, idx, source))
                found.extend(replace(f, lemma=doc[f.tokens[0]].lemma_.split("-")[-1], tense=tense)
                             for f in self._noun_statements(doc, sent, clauses, idx, sent_mentions, source))
        return [f for f in dedupe(found) if self._political(f)]

    def _political(self, f: Found) -> bool:
        """A person kg knows nothing of (no gazetteer entry, no role: "Kapitän Gündoğan", a
        footballer) only counts in a statement with a known actor on the other side."""
        def unknown(key: str | None) -> bool:
            actor = self.actors.get(key) if key else None
            return actor is not None and actor.kind == "person" and not actor.role and not actor.wikidata
        if unknown(f.agent):
            return f.target is not None and not unknown(f.target)
        return not unknown(f.target)
