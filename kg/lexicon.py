"""The trigger lexicon and grammar cues, loaded from ontology/lexicon/*.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property

from .errors import KgError
from .records import MODALITIES, RELATIONS
from .resources import data_path

_TARGET_SLOTS = {"obj", "mit", "vor", "von", "für", "hinter", "an", "zu", "none"}


@dataclass(frozen=True)
class VerbTrigger:
    lemma: str
    relation: str
    target: tuple[str, ...]
    reflexive: bool | str = False
    exclude_preps: frozenset[str] = frozenset()
    exclude_objects: frozenset[str] = frozenset()
    requires_object_noun: frozenset[str] = frozenset()
    target_kinds: frozenset[str] = frozenset()
    modality: str | None = None
    confidence: float = 0.8
    agent_from: tuple[str, ...] = ()  # converse verbs: the agent is in this PP, the target is the subject


@dataclass(frozen=True)
class NounTrigger:
    lemma: str
    relation: str
    args: tuple[str, ...]
    confidence: float
    compound: bool = False  # also as a compound head: "Krisentreffen", "Telefongespräch"


@dataclass(frozen=True)
class LightVerb:
    """A verb that takes a trigger noun as its object without a meaning of its own."""

    verb: str
    with_words: frozenset[str] = frozenset()  # words the clause must hold: {"zum", "Ausdruck"}


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, list[VerbTrigger]]
    nouns: dict[str, NounTrigger]
    governors: dict[str, str]  # verb lemma -> modality it imposes on a governed trigger
    grammar: dict
    roles: dict

    light_verbs: dict[str, list[LightVerb]] = field(default_factory=dict)  # relation -> constructions

    def is_light_verb(self, relation: str, lemma: str | None, doc, clause) -> bool:
        """The clause's verb carries a trigger noun of `relation` as its object: "ein Telefonat
        führen", "seine Unterstützung zum Ausdruck bringen"."""
        for lv in self.light_verbs.get(relation, ()):
            if lv.verb == lemma and (not lv.with_words or lv.with_words <= {doc[k].text for k in range(clause.start, clause.end)}):
                return True
        return False

    def noun(self, text: str, lemma: str) -> NounTrigger | None:
        """The noun trigger for a word, also as the head of a compound ("Krisentreffen")."""
        found = self.nouns.get(text) or self.nouns.get(lemma)
        if found is not None:
            return found
        for head in self.compound_heads:
            if len(text) > len(head) + 2 and text.endswith(head.lower()) and text[:1].isupper():
                return self.nouns[head]
        return None

    def words(self, section: str, key: str) -> frozenset[str]:
        return frozenset(self.grammar[section][key])

    def is_role(self, word: str) -> bool:
        """A role noun, also inflected or with a prefix: Präsidenten, US-Amtskollegen, Regierungschefs."""
        word = word.rsplit("-", 1)[-1]
        if not word[:1].isupper() or word in self.roles["roles"]["not_roles"]:
            return False
        nouns = self.role_nouns
        suffixes = self.role_suffixes
        for form in (word, word[:-1], word[:-2]):
            if form in nouns or (len(form) > 6 and form.lower().endswith(suffixes)):
                return True
        return False

    @cached_property
    def compound_heads(self) -> tuple[str, ...]:
        """Noun triggers that also count as the last part of a compound, longest first."""
        return tuple(sorted((n for n, t in self.nouns.items() if t.compound), key=len, reverse=True))

    @cached_property
    def role_nouns(self) -> frozenset[str]:
        return frozenset(self.roles["roles"]["nouns"])

    @cached_property
    def speech_verbs(self) -> frozenset[str]:
        return frozenset(self.grammar["attribution"]["speech_verbs"])

    def is_reporting_verb(self, lemma: str) -> bool:
        """Verbs that follow a quote with the speaker after them: "…, sagte/forderte/warnte X"."""
        return lemma in self.speech_verbs or any(
            e.relation in ("warns", "demands") for e in self.verbs.get(lemma, ()))

    @cached_property
    def time_nouns(self) -> frozenset[str]:
        t = self.grammar["time"]
        return frozenset(t["weekdays"] + t["months"] + t.get("nouns", []))

    @cached_property
    def role_suffixes(self) -> tuple[str, ...]:
        return tuple(self.roles["roles"]["suffixes"])


def _load_toml(name: str) -> dict:
    path = data_path("lexicon", name)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise KgError(f"{path}: invalid TOML: {exc}") from None


@cache
def load_lexicon() -> Lexicon:
    """Read and check the lexicon files (cached)."""
    triggers = _load_toml("triggers.toml")
    verbs: dict[str, list[VerbTrigger]] = {}
    for entry in triggers.get("verb", []):
        relation = entry["relation"]
        if relation not in RELATIONS:
            raise KgError(f"triggers.toml: unknown relation {relation!r} for verb {entry['lemma']!r}")
        bad = set(entry["target"]) - _TARGET_SLOTS
        if bad:
            raise KgError(f"triggers.toml: unknown target slot(s) {sorted(bad)} for verb {entry['lemma']!r}")
        modality = entry.get("modality")
        if modality is not None and modality not in MODALITIES:
            raise KgError(f"triggers.toml: unknown modality {modality!r}")
        verbs.setdefault(entry["lemma"], []).append(
            VerbTrigger(
                lemma=entry["lemma"],
                relation=relation,
                target=tuple(entry["target"]),
                reflexive=entry.get("reflexive", False),
                exclude_preps=frozenset(entry.get("exclude_preps", ())),
                exclude_objects=frozenset(entry.get("exclude_objects", ())),
                requires_object_noun=frozenset(entry.get("requires_object_noun", ())),
                target_kinds=frozenset(entry.get("target_kinds", ())),
                modality=modality,
                confidence=float(entry.get("confidence", 0.8)),
                agent_from=tuple(entry.get("agent_from", ())),
            )
        )
    nouns: dict[str, NounTrigger] = {}
    for entry in triggers.get("noun", []):
        heads = set(entry.get("compound_heads", ()))
        for lemma in entry["lemmas"]:
            nouns[lemma] = NounTrigger(lemma, entry["relation"], tuple(entry["args"]), float(entry["confidence"]),
                                       compound=lemma in heads)
    light_verbs: dict[str, list[LightVerb]] = {}
    for entry in triggers.get("light_verb", []):
        for relation in entry["relations"]:
            light_verbs.setdefault(relation, []).append(
                LightVerb(entry["verb"], frozenset(entry.get("with_words", ()))))
    governors: dict[str, str] = {}
    for modality, lemmas in triggers.get("governors", {}).items():
        for lemma in lemmas:
            governors[lemma] = modality
    return Lexicon(verbs, nouns, governors, _load_toml("grammar.toml"), _load_toml("roles.toml"), light_verbs)
