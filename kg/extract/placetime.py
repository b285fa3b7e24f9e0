from __future__ import annotations

"""Where a meeting took place and the time expression of a statement."""

from spacy.tokens import Doc

from ..nlp.clauses import Clause
from ..nlp.mentions import PLACE, TokenMention, starting_at


class PlaceTimeRules:
    """Place of a meeting ("in Genf", "im Weißen Haus") and the statement's time expression."""

    def _place(self, doc: Doc, cl: Clause, exclude: set) -> str | None:
        for k in range(cl.start, cl.end - 1):
            if doc[k].lower_ not in ("in", "im", "auf"):
                continue
            for m in self._mentions_at(doc, k + 1):
                key = m.place or (m.actors[0] if m.actors else None)
                if key and key not in exclude and (m.how in ("capital", PLACE, "name") and
                                                   self.actors.get(key) is not None and
                                                   self.actors[key].kind in ("place", "state")):
                    return key
        return None

    def _mentions_at(self, doc: Doc, k: int) -> list[TokenMention]:
        """Mentions at token k, or after an article there, in the order of doc._.kg_mentions."""
        found = starting_at(doc, k)
        if doc[k].tag_ == "ART":
            found = sorted(found + starting_at(doc, k + 1), key=lambda pair: pair[0])
        return [m for _, m in found]

    def _time(self, doc: Doc, cl: Clause) -> str | None:
        from .timex import find_time_expression  # the time words live in ontology/lexicon/time.toml

        tokens = doc[cl.start:cl.end]
        span = find_time_expression([t.text for t in tokens], [t.tag_ for t in tokens])
        return tokens[span[0]:span[1]].text if span else None
