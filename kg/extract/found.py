from __future__ import annotations

"""The token-level statement record the rules produce, and how duplicates are merged."""

from dataclasses import dataclass

from spacy.tokens import Span

from ..nlp.clauses import Unit


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


def mention_confidence(unit: Unit | None, key: str | None) -> float:
    """How sure the mention of `key` in `unit` is (1.0 for a name, less for a pronoun)."""
    if unit is None or key is None:
        return 1.0
    for m in unit.mentions:
        if key in m.actors:
            return m.confidence
    return 1.0


def make_found(*, relation: str, agent: str, target: str | None, modality: str, confidence: float,
               sentence: Span, agent_unit: Unit | None, target_unit: Unit | None, trigger_token: int,
               trigger: str, reported_by: str | None, place: str | None, time: str | None) -> Found:
    """A Found whose evidence covers the trigger and the agent's and target's mentions."""
    tokens = [trigger_token]
    for unit, key in ((agent_unit, agent), (target_unit, target)):
        if unit is None:
            continue
        for m in unit.mentions:
            if key in m.actors and sentence.start <= m.start < sentence.end:
                tokens += [m.start, m.end - 1]
    return Found(relation=relation, agent=agent, target=target, modality=modality,
                 confidence=round(min(confidence, 1.0), 2), sentence=sentence, tokens=tuple(tokens), trigger=trigger,
                 reported_by=None if reported_by == agent else reported_by, place=place, time=time)


def dedupe(found: list[Found]) -> list[Found]:
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
