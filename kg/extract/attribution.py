from __future__ import annotations

"""Attribution: who reported a statement ("sagte Biden", "laut dem Kreml"), and which clauses
are only the reported content of a warning or demand."""

from spacy.tokens import Doc, Span

from ..nlp.clauses import Clause, first_content
from ..nlp.mentions import TokenMention


class AttributionRules:
    """Speakers of reported speech and sources of attributed statements."""

    def _init_attribution(self, grammar: dict) -> None:
        a = grammar["attribution"]
        self.speech_verbs = frozenset(a["speech_verbs"])
        self.source_preps = frozenset(a["prepositions"])
        self.source_posts = frozenset(a["postpositions"])
        self.source_nouns = frozenset(a["source_nouns"])

    def _is_content_clause(self, doc: Doc, clauses: list[Clause], idx: int) -> bool:
        """The content of a warning or demand ("forderte China auf, Russland keine Waffen zu
        liefern") is not itself a relation between actors: it did not happen."""
        cl = clauses[idx]
        if cl.parent is None or cl.kind not in ("inf", "sub"):
            return False
        if cl.kind == "sub" and cl.complementizer not in self.g.content_complementizers:
            return False
        _, lemma = self.g.content_verb(doc, clauses[cl.parent])
        return any(e.relation in ("warns", "demands") for e in self.lex.verbs.get(lemma or "", []))

    def _sentence_source(self, doc: Doc, sent: Span, mentions: list[TokenMention]) -> str | None:
        """'laut X', 'X zufolge', 'nach Angaben aus/von X' -> X."""
        for m in mentions:
            k = m.start - 1
            while k > sent.start and doc[k].tag_ in ("ART", "ADJA"):
                k -= 1  # "laut dem Weißen Haus"
            before = doc[k] if k >= sent.start else None
            after = doc[m.end] if m.end < sent.end else None
            if before is not None and before.lower_ in self.source_preps:
                return m.actors[0]
            if after is not None and after.lower_ in self.source_posts:
                return m.actors[0]
            window = [t.text for t in doc[max(sent.start, m.start - 4):m.start]]
            if any(w in self.source_nouns for w in window) and any(w.lower() == "nach" for w in window):
                return m.actors[0]
        return None

    def _speech_source(self, doc: Doc, clauses: list[Clause], idx: int) -> str | None:
        """The speaker when clause idx is reported speech.

        "Biden sagte, dass …" (a dass/ob clause under a speech verb), "Biden sagte,
        Deutschland werde …" (a verb-second clause right after it) and "…, sagte Biden"
        (a speech clause with the verb first, right after the reported clause)."""
        cl = clauses[idx]

        def speaker(other: Clause) -> str | None:
            _, lemma = self.g.content_verb(doc, other)
            if lemma in self.speech_verbs and other.subject is not None:
                return other.subject.actors[0]
            return None

        if cl.parent is not None and cl.kind == "sub" and cl.complementizer in self.g.content_complementizers:
            return speaker(clauses[cl.parent])
        if cl.kind == "main" and idx > 0 and clauses[idx - 1].kind == "main":
            prev = clauses[idx - 1]
            if prev.finite is not None and not any(u.start > prev.finite and u is not prev.subject and u.core
                                                   for u in prev.units):
                found = speaker(prev)
                if found:
                    return found
        if idx + 1 < len(clauses):
            nxt = clauses[idx + 1]
            if nxt.finite is not None and nxt.finite == first_content(doc, nxt):
                return speaker(nxt)
        return None
