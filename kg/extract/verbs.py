from __future__ import annotations

"""Verb triggers and their arguments: subject, objects, prepositional targets, passive,
converse and recipient-passive givers, object control, reciprocal meetings."""

from spacy.tokens import Doc, Span

from ..lexicon import VerbTrigger
from ..nlp.clauses import Clause, Unit, first_content
from .found import Found, make_found, mention_confidence


class VerbRules:
    """Statements whose trigger is the clause's verb."""

    def _init_verbs(self, grammar: dict) -> None:
        self.recipient_auxiliaries = frozenset(grammar["voice"]["recipient_auxiliaries"])

    def _fix_relative_subjects(self, doc: Doc, clauses: list[Clause], mentions) -> None:
        """"…, die Russland unterstützt" after an actor: the relative pronoun stands for it."""
        for idx, cl in enumerate(clauses):
            if cl.kind != "rel" or idx == 0:
                continue
            first = doc[cl.start] if doc[cl.start].tag_ != "$," else doc[cl.start + 1]
            if first.lower_ not in ("der", "die"):
                continue  # "den", "dem", "dessen": the antecedent is not the subject
            prev = [m for m in mentions if m.end <= cl.start and m.end >= cl.start - 1]
            if first.lower_ == "die" and any(u.core and u.start > first.i for u in cl.units):
                # "die Ukraine, die Deutschland unterstützt": the pronoun may be the object; leave it.
                cl.subject = None
                continue
            if prev:
                cl.subject = Unit([prev[-1]], prev[-1].start, prev[-1].end, None, "nom")
                cl.subject_inherited = True
            else:
                cl.subject = None

    def _verb_statements(self, doc: Doc, sent: Span, clauses: list[Clause], idx: int, source) -> list[Found]:
        cl = clauses[idx]
        tok, lemma = self.g.content_verb(doc, cl)
        if tok is None:
            return []
        entries = self.lex.verbs.get(lemma or "", [])
        if not entries:
            return []
        out: list[Found] = []
        passive = self.g.is_passive(doc, cl)
        clause_words = [doc[k] for k in range(cl.start, cl.end)]
        has_sich = any(t.tag_ == "PRF" for t in clause_words)
        nouns = {t.lemma_ for t in clause_words if t.tag_ == "NN"} | {t.text for t in clause_words if t.tag_ == "NN"}
        for entry in entries:
            if entry.reflexive == "required" and not has_sich:
                continue
            if any(u.prep in entry.exclude_preps for u in cl.units):
                continue  # "traf im Halbfinale auf Frankreich": another reading ("auf keinen Fall" is none)
            if entry.exclude_objects & nouns:
                continue
            if entry.requires_object_noun and not _has_noun(nouns, entry.requires_object_noun):
                continue
            if entry.requires_words and not entry.requires_words <= {t.text for t in clause_words}:
                continue
            agent_unit, target_units, passive_used = self._arguments(doc, clauses, idx, entry, passive)
            if agent_unit is None:
                continue
            modality = entry.modality or self._clause_modality(doc, clauses, idx)
            if entry.modality == "planned" and self._has_negation(doc, cl):
                modality = "negated"
            if entry.requires_object_noun and modality != "negated":
                modality = self._noun_negation(doc, cl, entry.requires_object_noun) or modality
            reported = self._speech_source(doc, clauses, idx) or source
            conf = entry.confidence * (0.95 if passive_used else 1.0) * (0.9 if cl.subject_inherited else 1.0)
            trigger_text = doc[tok].text if cl.particle is None or doc[tok].tag_ != "VVFIN" \
                else f"{doc[tok].text} … {doc[cl.particle].text}"
            place = self._place(doc, cl, exclude={k for u in target_units for k in u.actors}) \
                if entry.relation == "meets" else None
            time = self._time(doc, cl)
            agents = agent_unit.actors
            # Reciprocal "A und B trafen sich" / "telefonierten miteinander": A meets B.
            if entry.relation == "meets" and not target_units and len(agents) >= 2:
                for n, first in enumerate(agents):  # every pair of the group meets
                    for other in agents[n + 1:]:
                        out.append(make_found(
                            relation=entry.relation, agent=first, target=other, modality=modality, confidence=conf,
                            sentence=sent, agent_unit=agent_unit, target_unit=agent_unit, trigger_token=tok,
                            trigger=trigger_text, reported_by=reported, place=place, time=time))
                continue
            if not target_units and entry.relation == "demands" and idx > 0 and cl.finite is not None \
                    and not cl.subject_inherited \
                    and cl.finite == first_content(doc, cl) and clauses[idx - 1].subject is not None:
                # "Teheran müsse die Anreicherung stoppen, forderte Barrot": the addressee is the
                # subject of the quoted demand.
                target_units = [clauses[idx - 1].subject]
            if not target_units and entry.relation == "demands":
                # "Peking fordere, dass Manila die Manöver beende": the addressee is the subject of
                # the demanded content.
                content = next((c for c in clauses[idx + 1:] if c.parent == idx and c.kind == "sub"
                                and c.complementizer in self.g.content_complementizers), None)
                if content is not None and content.subject is not None and not content.subject_inherited:
                    target_units = [content.subject]
            targets = [k for u in target_units for k in u.actors] or ([None] if "none" in entry.target else [])
            if entry.target_kinds:
                targets = [t for t in targets if t is None or self.actors[t].kind in entry.target_kinds]
            for agent in agents:
                for target in targets:
                    if target == agent:
                        continue
                    tu = next((u for u in target_units if target in u.actors), None)
                    out.append(make_found(
                        relation=entry.relation, agent=agent, target=target, modality=modality,
                        confidence=conf * mention_confidence(agent_unit, agent) * mention_confidence(tu, target),
                        sentence=sent, agent_unit=agent_unit, target_unit=tu, trigger_token=tok,
                        trigger=trigger_text, reported_by=reported, place=place, time=time))
            if out:
                break  # the first lexicon reading that yields a statement wins
        return out

    def _arguments(self, doc, clauses, idx, entry: VerbTrigger, passive: bool):
        cl = clauses[idx]
        units = [u for u in cl.units if u is not cl.subject]
        if passive:
            agent = next((u for u in cl.units if u.prep in self.g.agent_preps), None)
            patient = next((u for u in cl.units if u.core and u is not agent), None) or (
                cl.subject if cl.subject is not None and cl.subject is not agent
                and (not cl.subject_inherited or cl.kind == "rel") else None)  # "Selenskyj, der von Trump empfangen wird"
            if agent is None:
                return None, [], True
            return agent, [patient] if patient is not None and "obj" in entry.target else [], True
        if self._recipient_passive(doc, cl):
            # "Die Ukraine bekam Drohnen aus Iran geliefert": the subject receives, the giver is in a PP.
            giver = next((u for u in cl.units if u.prep in ("von", "aus", "durch")), None)
            if giver is None or cl.subject is None or cl.subject is giver or entry.relation != "supports":
                return None, [], True
            return giver, [cl.subject], True
        if entry.agent_from:
            # Converse: "Die Ukraine erhält Kampfjets aus Belgien" -> Belgien supports Ukraine.
            # "erhält Systeme aus den USA sowie Munition aus Norwegen und Schweden": every supplier.
            suppliers = [u for u in cl.units if u.prep in entry.agent_from and u is not cl.subject]
            if not suppliers or cl.subject is None:
                return None, [], False
            return _merged(suppliers), [cl.subject], False
        subject = cl.subject
        # Object control: "forderte Russland auf, … zu verhandeln" hands the object to the infinitive.
        if cl.kind == "inf" and cl.subject_inherited and cl.parent is not None:
            parent = clauses[cl.parent]
            _, plemma = self.g.content_verb(doc, parent)
            if plemma in self.g.object_control:
                obj = next((u for u in parent.units if u.core and u is not parent.subject), None)
                if obj is not None:
                    subject = obj
        if subject is None:
            return None, [], False
        clause_words = {doc[k].lower_ for k in range(cl.start, cl.end)}
        if entry.relation == "meets" and len(subject.actors) >= 2 and not any(u.prep == "mit" for u in units) and (
                clause_words & self.g.reciprocal or entry.symmetric):
            return subject, [], False  # reciprocal: "A und B trafen sich / telefonierten miteinander"
        targets: list[Unit] = []
        for slot in entry.target:
            if slot == "none":
                break
            if slot == "obj":
                cands = [u for u in units if u.core and self._object_case(u) in ("acc", "dat", None)]
            else:
                cands = [u for u in units if u.prep == slot]
            cands = [u for u in cands if u is not subject and not set(u.actors) & set(subject.actors)]
            if cands:
                # Objects: the first; prepositional targets: all ("mit X sowie mit Y").
                targets = [cands[0]] if slot == "obj" else cands
                break
        if not targets and "none" not in entry.target:
            return None, [], False
        return subject, targets, False

    def _recipient_passive(self, doc: Doc, cl: Clause) -> bool:
        """bekommen/erhalten/kriegen + participle: "bekam Waffen geliefert"."""
        tok, _ = self.g.content_verb(doc, cl)
        return tok is not None and doc[tok].tag_ == "VVPP" and any(
            doc[k].lemma_ in self.recipient_auxiliaries and k != tok for k in cl.verbs)

    def _object_case(self, u: Unit) -> str | None:
        if u.case == "der":
            actor = self.actors.get(u.actors[0])
            return self.g.resolve_der(u, actor.gender if actor else None)
        return u.case


def _merged(units: list[Unit]) -> Unit:
    """Several argument units read as one coordinated argument."""
    if len(units) == 1:
        return units[0]
    return Unit([m for u in units for m in u.mentions], units[0].start, units[-1].end, units[0].prep, units[0].case)


def _has_noun(nouns: set[str], wanted: frozenset[str]) -> bool:
    """Whole nouns, or compound heads for entries written "-bomben" ("Präzisionsbomben")."""
    if nouns & wanted:
        return True
    suffixes = tuple(w[1:].lower() for w in wanted if w.startswith("-"))
    return bool(suffixes) and any(n.lower().endswith(suffixes) for n in nouns)
