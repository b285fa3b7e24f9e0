"""Precision / recall / F1 of the extractor on a gold set (dev/*.jsonl)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .records import MODALITIES, RELATIONS, Actor, DocumentResult


@dataclass(frozen=True)
class GoldStatement:
    relation: str
    agent: str
    target: str | None
    modality: str
    evidence: str = ""  # articles: the passage that supports it


@dataclass(frozen=True)
class GoldItem:
    id: str
    text: str
    statements: tuple[GoldStatement, ...]
    note: str = ""


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    modality_total: int = 0
    modality_correct: int = 0
    negated_as_fact: int = 0  # a gold-negated relation predicted as non-negated
    errors: list[dict] = field(default_factory=list)
    # The same counts for statements with an actor target only (the article targets).
    targeted: Counter = field(default_factory=Counter)  # "tp" | "fp" | "fn" -> count

    def targeted_prf(self) -> tuple[float, float, float]:
        tp, fp, fn = self.targeted["tp"], self.targeted["fp"], self.targeted["fn"]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def prf(self, relation: str | None = None) -> tuple[float, float, float]:
        keys = [relation] if relation else list(RELATIONS)
        tp = sum(self.tp[k] for k in keys)
        fp = sum(self.fp[k] for k in keys)
        fn = sum(self.fn[k] for k in keys)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def modality_accuracy(self) -> float:
        return self.modality_correct / self.modality_total if self.modality_total else 1.0


def load_gold(path: str | Path) -> list[GoldItem]:
    """Gold items from a JSON-lines file, or from standard input for -."""
    import sys

    if str(path) == "-":
        try:
            return parse_gold(sys.stdin.buffer.read().decode("utf-8"), "stdin")
        except UnicodeDecodeError:
            raise InputError("stdin: not valid UTF-8") from None
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such gold file")
    try:
        return parse_gold(path.read_text(encoding="utf-8"), str(path))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8") from None


def parse_gold(text: str, name: str) -> list[GoldItem]:
    """Gold items from JSON-lines text; `name` (a file name) is for the error messages."""
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            statements = tuple(
                GoldStatement(s["relation"], s["agent"], s.get("target"), s["modality"], s.get("evidence", ""))
                for s in obj["statements"]
            )
            item = GoldItem(str(obj["id"]), obj["text"], statements, obj.get("note", ""))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{name}:{n}: not a gold item ({exc})") from None
        for s in item.statements:
            if s.relation not in RELATIONS or s.modality not in MODALITIES:
                raise InputError(f"{name}:{n}: unknown relation or modality in {s}")
        items.append(item)
    if not items:
        raise InputError(f"{name}: no gold items")
    return items


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("-", " ").strip()


def names_of(actor: Actor, actors: dict[str, Actor]) -> set[str]:
    """Names under which a gold annotation may refer to a predicted actor.

    A governmental organisation also answers to its state's names ("Bundesregierung"
    is annotated as "Deutschland"), and a body of an organisation to the organisation's
    ("EU-Kommission" as "EU"), as the annotation guidelines prescribe.
    """
    names = {_norm(actor.label), *(_norm(a) for a in actor.aliases)}
    if actor.kind == "organization" and actor.country in actors and (
            actor.org_type == "governmental" or actor.country.startswith("org/")):
        names |= names_of(actors[actor.country], actors)
    return names


def _matches(gold_name: str | None, key: str | None, actors: dict[str, Actor]) -> bool:
    if gold_name is None or key is None:
        return gold_name is None and key is None
    actor = actors.get(key)
    return actor is not None and _norm(gold_name) in names_of(actor, actors)


def _distinct(statements) -> list:
    """One statement per (relation, agent, target, modality), in document order: an article
    that repeats a fact (headline, lead, body) states it once."""
    seen, out = set(), []
    for st in statements:
        pair = tuple(sorted((st.agent, st.target or ""))) if st.relation == "meets" else (st.agent, st.target or "")
        key = (st.relation, pair, st.modality)
        if key not in seen:
            seen.add(key)
            out.append(st)
    return out


def score_item(item: GoldItem, result: DocumentResult, scores: Scores) -> None:
    predicted = _distinct(result.statements)
    unmatched_gold = list(item.statements)
    sentence_text = {s.index: s.text for s in result.sentences}
    for st in predicted:
        candidates = []
        for g in unmatched_gold:
            if g.relation != st.relation:
                continue
            direct = _matches(g.agent, st.agent, result.actors) and _matches(g.target, st.target, result.actors)
            swapped = st.relation == "meets" and _matches(g.agent, st.target, result.actors) and \
                _matches(g.target, st.agent, result.actors)
            if direct or swapped:
                candidates.append(g)
        # The same pair may be stated with two modalities (a call that happened, a meeting planned).
        match = next((g for g in candidates if g.modality == st.modality), candidates[0] if candidates else None)
        label = lambda k: result.actors[k].label if k in result.actors else None  # noqa: E731
        if match is None:
            scores.fp[st.relation] += 1
            if st.target is not None:
                scores.targeted["fp"] += 1
            scores.errors.append({"id": item.id, "kind": "FP", "relation": st.relation, "agent": label(st.agent),
                                  "target": label(st.target), "modality": st.modality,
                                  "text": sentence_text.get(st.sentence, item.text)})
            continue
        unmatched_gold.remove(match)
        scores.tp[st.relation] += 1
        if match.target is not None:
            scores.targeted["tp"] += 1
        scores.modality_total += 1
        if match.modality == st.modality:
            scores.modality_correct += 1
        else:
            scores.errors.append({"id": item.id, "kind": "MOD", "relation": st.relation, "agent": match.agent,
                                  "target": match.target, "gold": match.modality, "predicted": st.modality,
                                  "text": item.text})
        if match.modality == "negated" and st.modality != "negated":
            scores.negated_as_fact += 1
    for g in unmatched_gold:
        scores.fn[g.relation] += 1
        if g.target is not None:
            scores.targeted["fn"] += 1
        scores.errors.append({"id": item.id, "kind": "FN", "relation": g.relation, "agent": g.agent,
                              "target": g.target, "modality": g.modality, "text": g.evidence or item.text})


def evaluate(items: list[GoldItem], process) -> Scores:
    """`process(text, doc_id) -> DocumentResult` runs the extractor on one item."""
    scores = Scores()
    for item in items:
        score_item(item, process(item.text, item.id), scores)
    return scores


def report(scores: Scores, name: str = "") -> str:
    lines = [f"{'relation':<10} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
    for rel in RELATIONS:
        p, r, f = scores.prf(rel)
        lines.append(f"{rel:<10} {p:6.3f} {r:6.3f} {f:6.3f} {scores.tp[rel]:4d} {scores.fp[rel]:4d} {scores.fn[rel]:4d}")
    p, r, f = scores.prf()
    lines.append(f"{'all':<10} {p:6.3f} {r:6.3f} {f:6.3f} {sum(scores.tp.values()):4d} "
                 f"{sum(scores.fp.values()):4d} {sum(scores.fn.values()):4d}")
    tp, tr, tf = scores.targeted_prf()
    lines.append(f"{'targeted':<10} {tp:6.3f} {tr:6.3f} {tf:6.3f} {scores.targeted['tp']:4d} "
                 f"{scores.targeted['fp']:4d} {scores.targeted['fn']:4d}   (statements with an actor target)")
    lines.append(f"modality accuracy on matched statements: {scores.modality_accuracy:.3f} "
                 f"({scores.modality_correct}/{scores.modality_total})")
    lines.append(f"gold-negated relations output as non-negated: {scores.negated_as_fact}")
    if name:
        lines.insert(0, f"gold set: {name}")
    return "\n".join(lines)
