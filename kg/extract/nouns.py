from __future__ import annotations

"""Noun triggers: "das Telefonat zwischen X und Y", "Macrons Treffen mit Scholz", "die
Unterstützung Deutschlands für die Ukraine", light verbs ("ein Telefonat führen"), compounds
("Trump-Putin-Gespräch") and noun triggers in adjuncts ("bei einem Treffen mit X")."""

from spacy.tokens import Doc

from ..lexicon import NounTrigger
from ..nlp.clauses import Clause, Unit, first_content
from ..nlp.mentions import COMPOUND
from .found import Found, make_found, mention_confidence


class NounRules:
    """Statements whose trigger is a noun."""

    def _init_nouns(self, grammar: dict) -> None:
        p = grammar["participation"]
        self.adjunct_preps = frozenset(p["adjunct_prepositions"])
        self.non_participation = frozenset(p["blocking_nouns"])
        self.object_partner_nouns = frozenset(p["object_partner_nouns"])

    def _relative_light_verb(self, doc, sent, clauses, idx, source) -> list[Found]:
        """"Das Telefonat, das Merz am Montag mit Erdoğan führte": a trigger noun, then a relative
        clause whose light verb has the agent as subject and the partner in a PP."""
        cl = clauses[idx]
        first = first_content(doc, cl)
        if cl.kind != "rel" or first is None or first < 2 or doc[first].lower_ not in ("das", "die", "den") \
                or doc[first - 1].text != ",":
            return []
        noun = doc[first - 2]
        trig = self.lex.noun(noun.text, noun.lemma_) if noun.tag_ == "NN" else None
        _, lemma = self.g.content_verb(doc, cl)
        if trig is None or not self.lex.is_light_verb(trig.relation, lemma, doc, cl):
            return []
        agent = next((u for u in cl.units if u.core and u.case in ("nom", "der", None)), None)
        target = next((u for slot in trig.args for u in cl.units if u.prep == slot and u is not agent), None)
        if agent is None or target is None:
            return []
        modality = self._noun_modality(doc, clauses, idx, noun.i)
        place = self._place(doc, cl, exclude=set(target.actors)) if trig.relation == "meets" else None
        return [make_found(
            relation=trig.relation, agent=a, target=t, modality=modality, confidence=trig.confidence * 0.9,
            sentence=sent, agent_unit=agent, target_unit=target, trigger_token=noun.i, trigger=noun.text,
            reported_by=self._speech_source(doc, clauses, idx) or source, place=place, time=self._time(doc, cl))
                for a in agent.actors for t in target.actors if a != t]

    def _noun_statements(self, doc, sent, clauses, idx, mentions, source) -> list[Found]:
        cl = clauses[idx]
        out: list[Found] = self._relative_light_verb(doc, sent, clauses, idx, source)
        compounds = {m.start: m for m in mentions if m.how == COMPOUND and cl.start <= m.start < cl.end}
        for k in range(cl.start, cl.end):
            t = doc[k]
            if k in compounds:
                m = compounds[k]
                head = t.text.split("-")[-1]
                trig = self.lex.nouns.get(head)
                if trig is None or len(m.actors) < 2:
                    continue
                modality = self._noun_modality(doc, clauses, idx, k)
                a, b = m.actors[0], m.actors[1]
                unit = Unit([m], m.start, m.end)
                out.append(make_found(
                    relation=trig.relation, agent=a, target=b, modality=modality, confidence=trig.confidence,
                    sentence=sent, agent_unit=unit, target_unit=None, trigger_token=k, trigger=t.text,
                    reported_by=self._speech_source(doc, clauses, idx) or source,
                    place=self._place(doc, cl, exclude={a, b}), time=self._time(doc, cl)))
                continue
            if t.tag_ != "NN":
                continue
            trig = self.lex.noun(t.text, t.lemma_)
            if trig is None:
                continue
            out.extend(self._noun_trigger(doc, sent, clauses, idx, k, trig, source))
        return out

    def _noun_trigger(self, doc, sent, clauses, idx, k, trig: NounTrigger, source) -> list[Found]:
        cl = clauses[idx]
        after = [u for u in cl.units if u.start > k]
        before_gen = [u for u in cl.units if u.end == k and u.case == "gen"]
        # Possessor after the noun: "die Unterstützung Deutschlands für …", "die Forderung der USA an …",
        # "ein Treffen von X mit Y"
        after_gen = [u for u in after if u.start <= k + 2 and (u.case in ("gen", "der") or u.prep == "von")]
        # "Zwischen A und B wird es kein Treffen geben": the pair may stand before the noun.
        if trig.relation == "meets":
            after = after + [u for u in cl.units if u.end <= k and u.prep == "zwischen"]
        agent_unit: Unit | None = None
        targets: list[Unit] = []
        pair: tuple[str, ...] | None = None  # all of them meet each other
        for slot in trig.args:
            cands = [u for u in after if u.prep == slot and u.start <= k + 6]
            if not cands:
                continue
            if slot == "zwischen":
                actors = cands[0].actors
                if len(actors) >= 2:
                    pair = tuple(actors)
                    agent_unit = cands[0]
                    break
                continue
            targets = [cands[0]]
            break
        _, verb_lemma = self.g.content_verb(doc, cl)
        light = self.lex.is_light_verb(trig.relation, verb_lemma, doc, cl)
        governed = verb_lemma in self.lex.governors or light
        prep_before, _ = self._noun_prep(doc, k, cl.start)
        adjunct = prep_before in self.adjunct_preps and not self._blocks_participation(doc, cl)
        subject = self._logical_subject(doc, cl)
        if pair is None and not targets and trig.relation == "meets" and subject is not None \
                and len(subject.actors) >= 2 and ((governed and prep_before is None) or adjunct):
            # "Washington und Peking führten Gespräche"; "Die Botschaft wurde von X und Y während
            # eines Telefonats übermittelt": the coordinated subject meets.
            pair = tuple(subject.actors)
            agent_unit = subject
        if pair is None and not targets and trig.relation == "meets" and after_gen and len(after_gen[0].actors) >= 2:
            pair = tuple(after_gen[0].actors)  # "das Treffen von Macron und Scholz"
            agent_unit = after_gen[0]
        if pair is None and not targets and trig.relation == "meets" and adjunct and doc[k].text in self.object_partner_nouns \
                and subject is not None and len(subject.actors) == 1:
            # "In einem Telefonat rief Steinmeier Lawrow auf, …": the other party is the object.
            obj = next((u for u in cl.units if u.core and u is not subject and u.case in ("acc", "dat", None)
                        and not set(u.actors) & set(subject.actors)), None)
            if obj is not None:
                targets = [obj]
        if pair is None and not targets and trig.relation not in ("warns", "demands"):
            return []
        governed_by_subject = False
        if pair is None:
            if before_gen:
                agent_unit = before_gen[-1]
            elif after_gen and after_gen[0] not in targets:
                agent_unit = after_gen[0]
            elif subject is not None and subject not in targets and (
                    # the noun as object, or prepositional object of the governor ("verzichtete auf ein Treffen")
                    (governed and prep_before not in self.adjunct_preps and (subject.end <= k or light)
                     # "wies die Forderung zurück": a governor rejects someone else's demand or warning
                     and (light or trig.relation in ("meets", "supports"))) or
                    (trig.relation == "meets" and adjunct)):
                # "Putin lehnte ein Treffen mit X ab"; "Nach einem Telefonat mit X warnte Biden …"
                agent_unit = subject
                governed_by_subject = True
            if agent_unit is None:
                return []
            if not targets and trig.relation in ("supports", "meets"):
                return []
        modality = self._noun_modality(doc, clauses, idx, k, governed=prep_before not in self.adjunct_preps)
        reported = self._speech_source(doc, clauses, idx) or source
        conf = trig.confidence * (0.9 if governed_by_subject else 1.0)
        place = self._place(doc, cl, exclude=set(pair or ()) | {a for u in targets for a in u.actors}) \
            if trig.relation == "meets" else None
        time = self._time(doc, cl)
        trigger_text = doc[k].text
        if pair is not None:
            return [make_found(
                relation=trig.relation, agent=a, target=b, modality=modality, confidence=conf, sentence=sent,
                agent_unit=agent_unit, target_unit=agent_unit, trigger_token=k, trigger=trigger_text,
                reported_by=reported, place=place, time=time)
                    for n, a in enumerate(pair) for b in pair[n + 1:] if a != b]
        out = []
        target_keys = [a for u in targets for a in u.actors] or [None]
        for agent in agent_unit.actors:
            for target in target_keys:
                if target == agent:
                    continue
                tu = targets[0] if targets else None
                out.append(make_found(
                    relation=trig.relation, agent=agent, target=target, modality=modality,
                    confidence=conf * mention_confidence(agent_unit, agent), sentence=sent, agent_unit=agent_unit,
                    target_unit=tu, trigger_token=k, trigger=trigger_text, reported_by=reported, place=place,
                    time=time))
        return out

    def _logical_subject(self, doc: Doc, cl: Clause) -> Unit | None:
        """The clause's subject, or in the passive its von/durch agent."""
        if self.g.is_passive(doc, cl):
            return next((u for u in cl.units if u.prep in self.g.agent_preps), None)
        return cl.subject

    def _blocks_participation(self, doc: Doc, cl: Clause) -> bool:
        """"Taiwan spielte bei dem Treffen mit Xi keine Rolle": the subject took no part."""
        return any(doc[x].text in self.non_participation for x in range(cl.start, cl.end))

    def _noun_prep(self, doc: Doc, k: int, lo: int) -> tuple[str | None, int | None]:
        """The preposition governing the noun at k ("nach einem Telefonat"), if any."""
        j = k - 1
        while j >= lo and doc[j].tag_ in ("ART", "ADJA", "ADJD", "PPOSAT", "PIAT", "CARD", "ADV"):
            j -= 1
        if j >= lo and self.g.is_preposition(doc[j]):
            return self.g.prep_lemma(doc[j]), j
        return None, None
