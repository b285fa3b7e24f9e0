"""The trigger lexicon and grammar cues, loaded from ontology/lexicon/*.toml.

Every entry is checked against a schema when it is loaded: an unknown key, a wrong type,
a duplicate, an unknown relation, slot, modality or word class is a clear error naming the
file and the entry, not a silent no-op.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property

from .errors import KgError
from .records import MODALITIES, RELATIONS
from .resources import data_path

TARGET_SLOTS = frozenset({"obj", "mit", "vor", "von", "für", "hinter", "an", "zu", "neben", "bei", "none"})
NOUN_ARGS = frozenset({"zwischen", "mit", "für", "an", "vor", "von"})


@dataclass(frozen=True)
class Example:
    """A sentence from the lexicon and the statements it must give ("meets: A -> B (asserted)")."""

    text: str
    gives: tuple[str, ...]
    source: str  # "triggers.toml verb 'treffen'"


@dataclass(frozen=True)
class VerbTrigger:
    lemma: str
    relation: str
    target: tuple[str, ...]
    reflexive: str | None = None  # "required": the reading needs "sich"
    exclude_preps: frozenset[str] = frozenset()
    exclude_objects: frozenset[str] = frozenset()
    requires_object_noun: frozenset[str] = frozenset()
    requires_words: frozenset[str] = frozenset()
    target_kinds: frozenset[str] = frozenset()
    modality: str | None = None
    confidence: float = 0.8
    agent_from: tuple[str, ...] = ()  # converse verbs: the agent is in this PP, the target is the subject
    symmetric: bool = False  # a coordinated subject meets each other: "Modi und Sharif telefonierten"


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
    examples: tuple[Example, ...] = ()

    def words(self, section: str, key: str) -> frozenset[str]:
        return frozenset(self.grammar[section][key])

    relation_governors: dict[str, dict[str, str]] = field(default_factory=dict)  # relation -> lemma -> modality

    def governor(self, lemma: str | None, relation: str | None) -> str | None:
        """The modality a verb imposes on a trigger it governs; some depend on the relation:
        "beendete die Militärhilfe" denies support, "beendete das Treffen" reports a meeting."""
        if lemma is None:
            return None
        return self.relation_governors.get(relation or "", {}).get(lemma) or self.governors.get(lemma)

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

    def is_reporting_verb(self, lemma: str) -> bool:
        """Verbs that follow a quote with the speaker after them: "…, sagte/forderte/warnte X"."""
        return lemma in self.speech_verbs or any(
            e.relation in ("warns", "demands") for e in self.verbs.get(lemma, ()))

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
    def speech_verbs(self) -> frozenset[str]:
        return frozenset(self.grammar["attribution"]["speech_verbs"])

    @cached_property
    def time_words(self) -> frozenset[str]:
        """Weekday, month and season names as they are written ("Montag", "März", "Sommer"),
        from time.toml, the one list of them."""
        t = _load_toml("time.toml")
        words = [*t["weekdays"], *(m for m in t["months"] if len(m) > 3), *t["seasons"]]
        return frozenset(w[:1].upper() + w[1:] for w in words)

    @cached_property
    def time_nouns(self) -> frozenset[str]:
        return self.time_words | frozenset(self.grammar["time"]["nouns"])

    @cached_property
    def compound_heads(self) -> tuple[str, ...]:
        """Noun triggers that also count as the last part of a compound, longest first."""
        return tuple(sorted((n for n, t in self.nouns.items() if t.compound), key=len, reverse=True))

    @cached_property
    def role_nouns(self) -> frozenset[str]:
        return frozenset(self.roles["roles"]["nouns"])

    @cached_property
    def role_suffixes(self) -> tuple[str, ...]:
        return tuple(self.roles["roles"]["suffixes"])


# -- schema ----------------------------------------------------------------------------
# key -> (type, required); "words" is a list of strings that may name "@classes".
_VERB_KEYS = {
    "lemma": (str, True), "relation": (str, True), "target": (list, True), "reflexive": (str, False),
    "exclude_preps": (list, False), "exclude_objects": ("words", False), "requires_object_noun": ("words", False),
    "requires_words": (list, False), "target_kinds": (list, False), "modality": (str, False),
    "confidence": (float, False), "agent_from": (list, False), "symmetric": (bool, False),
    "examples": ("examples", False),
}
_NOUN_KEYS = {
    "lemmas": (list, True), "relation": (str, True), "args": (list, True), "confidence": (float, True),
    "compound_heads": (list, False), "examples": ("examples", False),
}
_LIGHT_KEYS = {"verb": (str, True), "relations": (list, True), "with_words": (list, False), "examples": ("examples", False)}
_TOP_KEYS = {"classes", "verb", "noun", "light_verb", "governors", "relation_governors", "examples"}
_KINDS = {"person", "state", "organization", "place"}


def _load_toml(name: str) -> dict:
    path = data_path("lexicon", name)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise KgError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise KgError(f"{path}: cannot read the lexicon ({exc.strerror or exc})") from None


def _fail(where: str, message: str):
    raise KgError(f"ontology/lexicon/{where}: {message}")


def _check(entry: dict, schema: dict, where: str) -> None:
    if not isinstance(entry, dict):
        _fail(where, "expected a table")
    unknown = sorted(set(entry) - set(schema))
    if unknown:
        _fail(where, f"unknown key(s) {unknown}; allowed: {sorted(schema)}")
    for key, (kind, required) in schema.items():
        if key not in entry:
            if required:
                _fail(where, f"missing key {key!r}")
            continue
        value = entry[key]
        if kind in ("words", list):
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                _fail(where, f"{key!r} must be a list of non-empty strings")
            if len(set(value)) != len(value):
                dupes = sorted({v for v in value if value.count(v) > 1})
                _fail(where, f"{key!r} lists {dupes} twice")
        elif kind == "examples":
            if not isinstance(value, list) or not all(
                    isinstance(v, dict) and set(v) == {"text", "gives"} and isinstance(v["text"], str)
                    and isinstance(v["gives"], list) for v in value):
                _fail(where, f"{key!r} must be a list of {{ text = \"…\", gives = [\"relation: agent -> target (modality)\"] }}")
        elif kind is float:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1:
                _fail(where, f"{key!r} must be a number in (0, 1]")
        elif not isinstance(value, kind):
            _fail(where, f"{key!r} must be a {kind.__name__}")


def _expand(words: list[str], classes: dict[str, list[str]], where: str) -> frozenset[str]:
    out: set[str] = set()
    for w in words:
        if w.startswith("@"):
            if w[1:] not in classes:
                _fail(where, f"unknown word class {w!r}; defined: {sorted(classes)}")
            out.update(classes[w[1:]])
        else:
            out.add(w)
    return frozenset(out)


def _examples(entry: dict, source: str) -> list[Example]:
    return [Example(e["text"], tuple(e["gives"]), source) for e in entry.get("examples", ())]


def _parse_triggers(triggers: dict) -> tuple[dict, dict, dict, dict, list[Example]]:
    unknown = sorted(set(triggers) - _TOP_KEYS)
    if unknown:
        _fail("triggers.toml", f"unknown section(s) {unknown}; allowed: {sorted(_TOP_KEYS)}")
    classes = triggers.get("classes", {})
    for name, words in classes.items():
        _check({"words": words}, {"words": (list, True)}, f"triggers.toml [classes] {name}")
    examples: list[Example] = []
    verbs: dict[str, list[VerbTrigger]] = {}
    seen: set[tuple] = set()
    for entry in triggers.get("verb", []):
        where = f"triggers.toml verb {entry.get('lemma', '?')!r}"
        _check(entry, _VERB_KEYS, where)
        if entry["relation"] not in RELATIONS:
            _fail(where, f"unknown relation {entry['relation']!r}; one of {list(RELATIONS)}")
        bad = set(entry["target"]) - TARGET_SLOTS
        if bad:
            _fail(where, f"unknown target slot(s) {sorted(bad)}; allowed: {sorted(TARGET_SLOTS)}")
        modality = entry.get("modality")
        if modality is not None and modality not in MODALITIES:
            _fail(where, f"unknown modality {modality!r}")
        if entry.get("reflexive") not in (None, "required"):
            _fail(where, "reflexive must be \"required\" (any verb may take 'sich')")
        if set(entry.get("target_kinds", ())) - _KINDS:
            _fail(where, f"target_kinds must be among {sorted(_KINDS)}")
        signature = (entry["lemma"], entry["relation"], tuple(entry["target"]),
                     tuple(sorted(entry.get("requires_object_noun", ()))), tuple(sorted(entry.get("requires_words", ()))))
        if signature in seen:
            _fail(where, "duplicate entry (same lemma, relation, target and requirements)")
        seen.add(signature)
        verbs.setdefault(entry["lemma"], []).append(VerbTrigger(
            lemma=entry["lemma"], relation=entry["relation"], target=tuple(entry["target"]),
            reflexive=entry.get("reflexive"),
            exclude_preps=frozenset(entry.get("exclude_preps", ())),
            exclude_objects=_expand(entry.get("exclude_objects", []), classes, where),
            requires_object_noun=_expand(entry.get("requires_object_noun", []), classes, where),
            requires_words=frozenset(entry.get("requires_words", ())),
            target_kinds=frozenset(entry.get("target_kinds", ())),
            modality=modality, confidence=float(entry.get("confidence", 0.8)),
            agent_from=tuple(entry.get("agent_from", ())), symmetric=entry.get("symmetric", False),
        ))
        examples += _examples(entry, where)
    nouns: dict[str, NounTrigger] = {}
    for entry in triggers.get("noun", []):
        where = f"triggers.toml noun {entry.get('lemmas', ['?'])[:1]}"
        _check(entry, _NOUN_KEYS, where)
        if entry["relation"] not in RELATIONS:
            _fail(where, f"unknown relation {entry['relation']!r}")
        if set(entry["args"]) - NOUN_ARGS:
            _fail(where, f"unknown argument slot(s) {sorted(set(entry['args']) - NOUN_ARGS)}")
        heads = set(entry.get("compound_heads", ()))
        if heads - set(entry["lemmas"]):
            _fail(where, f"compound_heads {sorted(heads - set(entry['lemmas']))} are not among its lemmas")
        for lemma in entry["lemmas"]:
            if lemma in nouns:
                _fail(where, f"noun {lemma!r} is already a trigger of {nouns[lemma].relation}")
            nouns[lemma] = NounTrigger(lemma, entry["relation"], tuple(entry["args"]), float(entry["confidence"]),
                                       compound=lemma in heads)
        examples += _examples(entry, where)
    light_verbs: dict[str, list[LightVerb]] = {}
    for entry in triggers.get("light_verb", []):
        where = f"triggers.toml light_verb {entry.get('verb', '?')!r}"
        _check(entry, _LIGHT_KEYS, where)
        for relation in entry["relations"]:
            if relation not in RELATIONS:
                _fail(where, f"unknown relation {relation!r}")
            light_verbs.setdefault(relation, []).append(LightVerb(entry["verb"], frozenset(entry.get("with_words", ()))))
        examples += _examples(entry, where)
    governors: dict[str, str] = {}
    relation_governors: dict[str, dict[str, str]] = {}
    for relation, table in triggers.get("relation_governors", {}).items():
        where = f"triggers.toml [relation_governors] {relation}"
        if relation not in RELATIONS:
            _fail(where, f"unknown relation {relation!r}")
        for modality, lemmas in table.items():
            if modality not in MODALITIES:
                _fail(where, f"unknown modality {modality!r}")
            _check({"lemmas": lemmas}, {"lemmas": (list, True)}, where)
            for lemma in lemmas:
                relation_governors.setdefault(relation, {})[lemma] = modality
    for modality, lemmas in triggers.get("governors", {}).items():
        where = f"triggers.toml [governors] {modality}"
        if modality not in MODALITIES:
            _fail(where, f"unknown modality {modality!r}")
        _check({"lemmas": lemmas}, {"lemmas": (list, True)}, where)
        for lemma in lemmas:
            if lemma in governors:
                _fail(where, f"{lemma!r} already governs as {governors[lemma]!r}")
            governors[lemma] = modality
    for n, entry in enumerate(triggers.get("examples", [])):
        _check({"examples": [entry]}, {"examples": ("examples", True)}, f"triggers.toml [[examples]] #{n + 1}")
        examples.append(Example(entry["text"], tuple(entry["gives"]), f"triggers.toml [[examples]] #{n + 1}"))
    return verbs, nouns, light_verbs, governors, relation_governors, examples


# Sections and keys the rules read from grammar.toml and roles.toml; a missing one is an error
# at load time rather than a KeyError deep inside a rule.
_GRAMMAR_SCHEMA = {
    "negation": {"particles", "determiners", "not_after", "complementizers", "negating_words", "manner_nouns",
                 "copulas"},
    "modality": {"planned_modals", "possible_modals", "possible_forms", "possible_adverbs", "planned_adverbs",
                 "possible_adjectives", "planned_noun_adj", "possible_noun_adj", "future_auxiliary",
                 "purpose_complementizers", "question_complementizers", "past_auxiliary_forms"},
    "voice": {"recipient_auxiliaries", "passive_auxiliary", "agent_prepositions"},
    "participation": {"adjunct_prepositions", "blocking_nouns", "object_partner_nouns"},
    "attribution": {"speech_verbs", "quote_verbs", "prepositions", "postpositions", "source_nouns"},
    "time": {"nouns"},  # weekdays, months, seasons and time expressions: time.toml (kg/extract/timex.py)
    "sentences": {"abbreviations"},
    "pronouns": None,  # pronoun -> [number, gender]
    "clauses": {"coordinators", "unit_joiners", "shared_preposition_joiners", "relative_pronouns",
                "object_control", "reciprocal", "adverbial_relatives", "content_complementizers",
                "infinitive_complementizers", "preposition_like_conjunctions"},
    "case": {"accusative", "dative", "genitive", "genitive_articles", "dative_pronouns", "ambiguous_der",
             "nominative_pronouns", "definite"},
    "prepositions": None,  # contracted preposition -> preposition
    "web": {"debris_lines", "dateline"},
}
_ROLES_SCHEMA = {
    "roles": {"nouns", "suffixes", "not_roles"},
    "groups": {"person_plural", "state_plural", "any_plural", "generic_person_plural", "quantifiers", "counts",
               "state_descriptions"},
    "offices": None, "governmental": {"nouns", "feminine_endings"}, "descriptions": None,
}


def _check_sections(data: dict, schema: dict, name: str) -> None:
    for section, keys in schema.items():
        if section not in data:
            _fail(name, f"missing section [{section}]")
        if keys is None:
            continue
        missing = sorted(keys - set(data[section]))
        extra = sorted(set(data[section]) - keys)
        if missing:
            _fail(name, f"[{section}] lacks {missing}")
        if extra:
            _fail(name, f"[{section}] has unknown key(s) {extra}; allowed: {sorted(keys)}")
    extra_sections = sorted(set(data) - set(schema))
    if extra_sections:
        _fail(name, f"unknown section(s) {extra_sections}")
    for section, values in data.items():
        for key, value in values.items():
            if isinstance(value, list) and len(set(map(str, value))) != len(value):
                dupes = sorted({str(v) for v in value if value.count(v) > 1})
                _fail(name, f"[{section}] {key} lists {dupes} twice")
    for word, value in data.get("pronouns", {}).items():
        if not (isinstance(value, list) and len(value) == 2 and value[0] in ("sg", "pl", "any", "speaker", "speaker_self")
                and value[1] in ("m", "f", "n", "")):
            _fail(name, f"[pronouns] {word} must be [number, gender] with number sg|pl|any|speaker|speaker_self "
                        "and gender m|f|n|\"\"")


@cache
def load_lexicon() -> Lexicon:
    """Read and check the lexicon files (cached)."""
    verbs, nouns, light_verbs, governors, relation_governors, examples = _parse_triggers(_load_toml("triggers.toml"))
    grammar, roles = _load_toml("grammar.toml"), _load_toml("roles.toml")
    _check_sections(grammar, _GRAMMAR_SCHEMA, "grammar.toml")
    _check_sections(roles, _ROLES_SCHEMA, "roles.toml")
    return Lexicon(verbs, nouns, governors, grammar, roles, light_verbs, tuple(examples), relation_governors)
