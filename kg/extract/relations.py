"""Relations from clause structure: verb and noun triggers, arguments, modality,
attribution, place and time. Pure functions over a processed Doc.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span

from ..lexicon import Lexicon, NounTrigger, VerbTrigger
from ..nlp.mentions import COMPOUND, PLACE, TokenMention
from .clauses import (FINITE, Clause, Unit, aux_lemmas, build_clauses, content_verb, is_passive, prep_lemma,
                      resolve_der)
from .tense import verb_tense

OBJECT_CONTROL = {"auffordern", "bitten", "drängen", "ermutigen", "ermahnen", "überreden", "zwingen", "einladen"}


@dataclass(frozen=True)
class Found:
    """A statement before it becomes a Statement record (token-level)."""

    relation: str
    agent: str
    target: str | None
    modality: str
    confidence: float
    sentence: Span
    tokens: tuple[int, ...]  # tokens the evidence span must cover
    trigger: str
    reported_by: str | None = None
    place: str | None = None
    time: str | None = None
    lemma: str | None = None  # the trigger's lemma (a separated particle joined on)
    tense: str | None = None  # past | present | future of the trigger's clause


class Extractor:
    """Holds the lexicon-derived word sets; `extract(doc)` is a pure function of the doc."""

    def __init__(self, lexicon: Lexicon, actors: dict):
        self.lex = lexicon
        self.actors = actors
        g = lexicon.grammar
        self.neg_particles = frozenset(g["negation"]["particles"])
        self.neg_dets = frozenset(g["negation"]["determiners"])
        self.not_after = frozenset(g["negation"]["not_after"])
        self.negating_complementizers = frozenset(g["negation"]["complementizers"])
        self.recipient_auxiliaries = frozenset(g["voice"]["recipient_auxiliaries"])
        m = g["modality"]
        self.planned_modals = frozenset(m["planned_modals"])
        self.possible_modals = frozenset(m["possible_modals"])
        self.possible_forms = frozenset(m["possible_forms"])
        self.possible_adverbs = frozenset(m["possible_adverbs"])
        self.planned_adverbs = frozenset(m["planned_adverbs"])
        self.possible_adjectives = frozenset(m["possible_adjectives"])
        self.planned_noun_adj = frozenset(m["planned_noun_adj"])
        self.possible_noun_adj = frozenset(m["possible_noun_adj"])
        a = g["attribution"]
        self.speech_verbs = frozenset(a["speech_verbs"])
        self.source_preps = frozenset(a["prepositions"])
        self.source_posts = frozenset(a["postpositions"])
        self.source_nouns = frozenset(a["source_nouns"])
        p = g["participation"]
        self.adjunct_preps = frozenset(p["adjunct_prepositions"])
        self.non_participation = frozenset(p["blocking_nouns"])
        t = g["time"]
        self.time_heads = frozenset(t["weekdays"] + t["months"])
        self.time_relative = frozenset(t["relative"])
        self.time_openers = frozenset(t["openers"])

    # ------------------------------------------------------------------
    def extract(self, doc: Doc, mentions: list[TokenMention]) -> list[Found]:
        found: list[Found] = []
        for sent in doc.sents:
            sent_mentions = [m for m in mentions if sent.start <= m.start < sent.end]
            actor_mentions = [m for m in sent_mentions if m.is_actor]
            clauses = build_clauses(sent, actor_mentions)
            self._fix_relative_subjects(doc, clauses, actor_mentions)
            source = self._sentence_source(doc, sent, actor_mentions)
            for idx, cl in enumerate(clauses):
                if self._is_content_clause(doc, clauses, idx):
                    continue
                tense = verb_tense(doc, cl.verbs)
                _, verb_lemma = content_verb(doc, cl)
                found.extend(replace(f, lemma=verb_lemma, tense=tense)
                             for f in self._verb_statements(doc, sent, clauses, idx, source))
                found.extend(replace(f, lemma=doc[f.tokens[0]].lemma_.split("-")[-1], tense=tense)
                             for f in self._noun_statements(doc, sent, clauses, idx, sent_mentions, source))
        return _dedupe(found)

    # -- clause-level helpers ------------------------------------------
    def _is_content_clause(self, doc: Doc, clauses: list[Clause], idx: int) -> bool:
        """The content of a warning or demand ("forderte China auf, Russland keine Waffen zu
        liefern") is not itself a relation between actors: it did not happen."""
        cl = clauses[idx]
        if cl.parent is None or cl.kind not in ("inf", "sub"):
            return False
        if cl.kind == "sub" and cl.complementizer not in ("dass", "ob"):
            return False
        _, lemma = content_verb(doc, clauses[cl.parent])
        return any(e.relation in ("warns", "demands") for e in self.lex.verbs.get(lemma or "", []))

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
            _, lemma = content_verb(doc, other)
            if lemma in self.speech_verbs and other.subject is not None:
                return other.subject.actors[0]
            return None

        if cl.parent is not None and cl.kind == "sub" and cl.complementizer in ("dass", "ob"):
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
            if nxt.finite is not None and nxt.finite == _first_content(doc, nxt):
                return speaker(nxt)
        return None

    # -- modality ---------------------------------------------------------
    def _clause_modality(self, doc: Doc, clauses: list[Clause], idx: int) -> str:
        cl = clauses[idx]
        words = [doc[k] for k in range(cl.start, cl.end)]
        negated = any(t.lower_ == "weder" for t in words)  # "Weder Paris noch Berlin unterstützen …"
        for k, t in enumerate(words):
            if t.lower_ in self.neg_particles and t.tag_ in ("PTKNEG", "ADV"):
                nxt = words[k + 1].lower_ if k + 1 < len(words) else ""
                if nxt not in self.not_after:
                    negated = True
        if negated:
            return "negated"
        possible = planned = False
        finite = doc[cl.finite] if cl.finite is not None else None
        auxes = aux_lemmas(doc, cl)
        if finite is not None and finite.lower_ in self.possible_forms:
            possible = True
        if any(a in self.possible_modals for a in auxes):
            possible = True
        if any(t.lower_ in self.possible_adverbs for t in words):
            possible = True
        if finite is not None and finite.lemma_ in ("wollen", "sollen"):
            planned = True
        if any(doc[k].lemma_ in ("wollen", "sollen") and doc[k].tag_ == "VMINF" for k in cl.verbs):
            planned = True
        if "werden" in auxes and not is_passive(doc, cl) and any(doc[k].tag_ in ("VVINF", "VAINF", "VMINF") for k in cl.verbs):
            planned = True
        if finite is not None and finite.lemma_ == "werden" and not is_passive(doc, cl) and any(
                doc[k].tag_ == "VVINF" or (doc[k].tag_ == "VVPP" and doc[k].text == doc[k].lemma_) for k in cl.verbs):
            planned = True  # future: "wird … treffen", "wird … empfangen"
        if any(t.lower_ in self.planned_adverbs for t in words) and finite is not None and finite.tag_ in FINITE:
            planned = True
        # Governing clause: "kündigte an, … zu treffen", "lehnte es ab, …", "es ist möglich, dass …"
        if cl.parent is not None and cl.kind in ("inf", "sub"):
            parent = clauses[cl.parent]
            _, plemma = content_verb(doc, parent)
            gov = self.lex.governors.get(plemma or "")
            if cl.kind == "inf" and cl.complementizer in self.negating_complementizers:
                return "negated"  # "reiste ab, ohne Putin getroffen zu haben"
            if cl.kind == "inf" and gov in ("negated", "planned", "possible"):
                if gov == "negated":
                    return "possible" if self._has_negation(doc, parent) else "negated"
                possible |= gov == "possible"
                planned |= gov == "planned"
            if cl.kind == "inf" and self._has_negation(doc, parent) and cl.complementizer is None:
                return "negated"
            if cl.kind == "sub" and cl.complementizer == "dass" and gov == "negated":
                return "negated"  # "Der Kreml dementierte, dass Putin Trump getroffen habe"
            if cl.kind == "sub" and cl.complementizer == "dass" and any(
                    doc[k].lower_ in self.possible_adjectives for k in range(parent.start, parent.end)):
                possible = True
            if cl.kind == "inf" and any(doc[k].lower_ in self.possible_forms for k in parent.verbs):
                possible = True
            if cl.kind == "inf" and any(doc[k].lemma_ in ("wollen", "planen", "sollen") for k in parent.verbs):
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

    # -- verb triggers ------------------------------------------------------
    def _verb_statements(self, doc: Doc, sent: Span, clauses: list[Clause], idx: int, source) -> list[Found]:
        cl = clauses[idx]
        tok, lemma = content_verb(doc, cl)
        if tok is None:
            return []
        entries = self.lex.verbs.get(lemma or "", [])
        if not entries:
            return []
        out: list[Found] = []
        passive = is_passive(doc, cl)
        clause_words = [doc[k] for k in range(cl.start, cl.end)]
        has_sich = any(t.tag_ == "PRF" for t in clause_words)
        nouns = {t.lemma_ for t in clause_words if t.tag_ == "NN"} | {t.text for t in clause_words if t.tag_ == "NN"}
        preps_present = {prep_lemma(t) for t in clause_words if t.tag_ in ("APPR", "APPRART")}
        for entry in entries:
            if entry.reflexive == "required" and not has_sich:
                continue
            if entry.exclude_preps & preps_present and not any(
                    u.prep in entry.target for u in cl.units if u.prep):
                continue
            if entry.exclude_objects & nouns:
                continue
            if entry.requires_object_noun and not _has_noun(nouns, entry.requires_object_noun):
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
                first, rest = agents[0], agents[1:]
                for other in rest:
                    out.append(self._found(entry.relation, first, other, modality, conf, sent, agent_unit, None,
                                           tok, trigger_text, reported, place, time))
                continue
            if not target_units and entry.relation == "demands" and idx > 0 and cl.finite is not None \
                    and cl.finite == _first_content(doc, cl) and clauses[idx - 1].subject is not None:
                # "Teheran müsse die Anreicherung stoppen, forderte Barrot": the addressee is the
                # subject of the quoted demand.
                target_units = [clauses[idx - 1].subject]
            if not target_units and entry.relation == "demands":
                # "Peking fordere, dass Manila die Manöver beende": the addressee is the subject of
                # the demanded content.
                content = next((c for c in clauses[idx + 1:] if c.parent == idx and c.kind == "sub"
                                and c.complementizer == "dass"), None)
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
                    out.append(self._found(entry.relation, agent, target, modality,
                                           conf * self._factor(agent_unit, agent) * self._factor(tu, target),
                                           sent, agent_unit, tu, tok, trigger_text, reported, place, time))
            if out:
                break  # the first lexicon reading that yields a statement wins
        return out

    def _arguments(self, doc, clauses, idx, entry: VerbTrigger, passive: bool):
        cl = clauses[idx]
        units = [u for u in cl.units if u is not cl.subject]
        if passive:
            agent = next((u for u in cl.units if u.prep in ("von", "durch")), None)
            patient = next((u for u in cl.units if u.core and u is not agent), None) or (
                cl.subject if cl.subject is not None and cl.subject is not agent and not cl.subject_inherited else None)
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
            supplier = next((u for u in cl.units if u.prep in entry.agent_from), None)
            if supplier is None or cl.subject is None or cl.subject is supplier:
                return None, [], False
            return supplier, [cl.subject], False
        subject = cl.subject
        # Object control: "forderte Russland auf, … zu verhandeln" hands the object to the infinitive.
        if cl.kind == "inf" and cl.subject_inherited and cl.parent is not None:
            parent = clauses[cl.parent]
            _, plemma = content_verb(doc, parent)
            if plemma in OBJECT_CONTROL:
                obj = next((u for u in parent.units if u.core and u is not parent.subject), None)
                if obj is not None:
                    subject = obj
        if subject is None:
            return None, [], False
        clause_words = {doc[k].lower_ for k in range(cl.start, cl.end)}
        if entry.relation == "meets" and len(subject.actors) >= 2 and not any(u.prep == "mit" for u in units) and (
                clause_words & {"miteinander", "einander", "sich"} or entry.lemma.startswith("zusammen")):
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
                targets = [cands[0]]
                break
        if not targets and "none" not in entry.target:
            return None, [], False
        return subject, targets, False

    def _recipient_passive(self, doc: Doc, cl: Clause) -> bool:
        """bekommen/erhalten/kriegen + participle: "bekam Waffen geliefert"."""
        tok, _ = content_verb(doc, cl)
        return tok is not None and doc[tok].tag_ == "VVPP" and any(
            doc[k].lemma_ in self.recipient_auxiliaries and k != tok for k in cl.verbs)

    def _object_case(self, u: Unit) -> str | None:
        if u.case == "der":
            actor = self.actors.get(u.actors[0])
            return resolve_der(u, actor.gender if actor else None)
        return u.case

    def _noun_negation(self, doc: Doc, cl: Clause, nouns) -> str | None:
        for k in range(cl.start + 1, cl.end):
            if doc[k].text in nouns or doc[k].lemma_ in nouns:
                j = k - 1
                while j >= cl.start and doc[j].tag_ in ("ADJA", "ADV"):
                    j -= 1
                if j >= cl.start and doc[j].lower_ in self.neg_dets:
                    return "negated"
        return None

    # -- noun triggers -----------------------------------------------------
    def _noun_statements(self, doc, sent, clauses, idx, mentions, source) -> list[Found]:
        cl = clauses[idx]
        out: list[Found] = []
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
                out.append(self._found(trig.relation, a, b, modality, trig.confidence, sent, unit, None, k,
                                       t.text, self._speech_source(doc, clauses, idx) or source,
                                       self._place(doc, cl, exclude={a, b}), self._time(doc, cl)))
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
        _, verb_lemma = content_verb(doc, cl)
        light = self.lex.is_light_verb(trig.relation, verb_lemma, doc, cl)
        governed = verb_lemma in self.lex.governors or light
        prep_before, _ = _noun_prep(doc, k, cl.start)
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
        if pair is None and not targets and trig.relation == "meets" and adjunct and prep_before in ("in", "bei", "während") \
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
                    (governed and prep_before is None and (subject.end <= k or light)) or
                    (trig.relation == "meets" and adjunct)):
                # "Putin lehnte ein Treffen mit X ab"; "Nach einem Telefonat mit X warnte Biden …"
                agent_unit = subject
                governed_by_subject = True
            if agent_unit is None:
                return []
            if not targets and trig.relation in ("supports", "meets"):
                return []
        modality = self._noun_modality(doc, clauses, idx, k, governed=prep_before is None)
        reported = self._speech_source(doc, clauses, idx) or source
        conf = trig.confidence * (0.9 if governed_by_subject else 1.0)
        place = self._place(doc, cl, exclude=set(pair or ()) | {a for u in targets for a in u.actors}) \
            if trig.relation == "meets" else None
        time = self._time(doc, cl)
        trigger_text = doc[k].text
        if pair is not None:
            return [self._found(trig.relation, a, b, modality, conf, sent, agent_unit, agent_unit, k,
                                trigger_text, reported, place, time)
                    for n, a in enumerate(pair) for b in pair[n + 1:] if a != b]
        out = []
        target_keys = [a for u in targets for a in u.actors] or [None]
        for agent in agent_unit.actors:
            for target in target_keys:
                if target == agent:
                    continue
                tu = targets[0] if targets else None
                out.append(self._found(trig.relation, agent, target, modality, conf * self._factor(agent_unit, agent),
                                       sent, agent_unit, tu, k, trigger_text, reported, place, time))
        return out

    def _logical_subject(self, doc: Doc, cl: Clause) -> Unit | None:
        """The clause's subject, or in the passive its von/durch agent."""
        if is_passive(doc, cl):
            return next((u for u in cl.units if u.prep in ("von", "durch")), None)
        return cl.subject

    def _blocks_participation(self, doc: Doc, cl: Clause) -> bool:
        """"Taiwan spielte bei dem Treffen mit Xi keine Rolle": the subject took no part."""
        return any(doc[x].text in self.non_participation for x in range(cl.start, cl.end))

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
        _, lemma = content_verb(doc, cl)
        # A verb governs the noun it takes as object, not one in an adjunct: "hat der Ukraine in
        # einem Telefonat mit Selenskyj zugesagt, …" reports a call that took place.
        gov = self.lex.governors.get(lemma or "") if governed else None
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

    # -- place, time ------------------------------------------------------
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
        return [m for m in (doc._.kg_mentions or []) if m.start == k or (m.start == k + 1 and doc[k].tag_ == "ART")]

    def _time(self, doc: Doc, cl: Clause) -> str | None:
        from .timex import find_time_expression  # the time words live in ontology/lexicon/time.toml

        tokens = doc[cl.start:cl.end]
        span = find_time_expression([t.text for t in tokens], [t.tag_ for t in tokens])
        return tokens[span[0]:span[1]].text if span else None

    # -- records -------------------------------------------------------------
    @staticmethod
    def _factor(unit: Unit | None, key: str | None) -> float:
        if unit is None or key is None:
            return 1.0
        for m in unit.mentions:
            if key in m.actors:
                return m.confidence
        return 1.0

    @staticmethod
    def _found(relation, agent, target, modality, conf, sent, agent_unit, target_unit, tok, trigger, reported,
               place, time) -> Found:
        tokens = [tok]
        for unit, key in ((agent_unit, agent), (target_unit, target)):
            if unit is None:
                continue
            for m in unit.mentions:
                if key in m.actors and sent.start <= m.start < sent.end:
                    tokens += [m.start, m.end - 1]
        if reported == agent:
            reported = None
        return Found(relation, agent, target, modality, round(min(conf, 1.0), 2), sent, tuple(tokens), trigger,
                     reported, place, time)


def _noun_prep(doc: Doc, k: int, lo: int) -> tuple[str | None, int | None]:
    """The preposition governing the noun at k ("nach einem Telefonat"), if any."""
    j = k - 1
    while j >= lo and doc[j].tag_ in ("ART", "ADJA", "ADJD", "PPOSAT", "PIAT", "CARD", "ADV"):
        j -= 1
    if j >= lo and doc[j].tag_ in ("APPR", "APPRART"):
        return prep_lemma(doc[j]), j
    return None, None


def _has_noun(nouns: set[str], wanted: frozenset[str]) -> bool:
    """Whole nouns, or compound heads for entries written "-bomben" ("Präzisionsbomben")."""
    if nouns & wanted:
        return True
    suffixes = tuple(w[1:].lower() for w in wanted if w.startswith("-"))
    return bool(suffixes) and any(n.lower().endswith(suffixes) for n in nouns)


def _first_content(doc: Doc, cl: Clause) -> int | None:
    for k in range(cl.start, cl.end):
        if not doc[k].is_punct and doc[k].tag_ != "KON":
            return k
    return None


def _dedupe(found: list[Found]) -> list[Found]:
    """One statement per (relation, agent, target, sentence); the most confident wins."""
    best: dict[tuple, Found] = {}
    for f in found:
        key = (f.relation, f.agent, f.target, f.sentence.start)
        if f.relation == "meets" and f.target is not None:
            key = (f.relation, *sorted((f.agent, f.target)), f.sentence.start)
        old = best.get(key)
        if old is None or f.confidence > old.confidence:
            best[key] = f
    # A statement with a target makes the same agent's target-less one redundant.
    out = []
    for f in best.values():
        if f.target is None and any(o.target is not None and o.relation == f.relation and o.agent == f.agent
                                    and o.sentence.start == f.sentence.start for o in best.values()):
            continue
        out.append(f)
    return sorted(out, key=lambda f: (f.sentence.start, min(f.tokens), f.relation, f.agent, f.target or ""))
