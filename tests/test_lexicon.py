"""The lexicon: every entry's examples give what they say, and bad entries are refused at
load time with a message that names the file and the entry."""

from __future__ import annotations

import re

import pytest

from kg.errors import KgError
from kg.evaluate import GoldItem, GoldStatement, Scores, score_item
from kg.extract.document import extract_text
from kg.lexicon import _check_sections, _parse_triggers, load_lexicon

_GIVES = re.compile(r"^(meets|warns|supports|demands): (.+?) -> (.+?) \((asserted|planned|possible|negated)\)$")


def _gold(example) -> GoldItem:
    statements = []
    for given in example.gives:
        m = _GIVES.match(given)
        assert m, f"{example.source}: cannot read {given!r}"
        relation, agent, target, modality = m.groups()
        statements.append(GoldStatement(relation, agent, None if target == "-" else target, modality))
    return GoldItem(example.source, example.text, tuple(statements))


@pytest.mark.parametrize("example", load_lexicon().examples, ids=lambda e: f"{e.source}: {e.text[:40]}")
def test_lexicon_example(shared_nlp, example):
    scores = Scores()
    score_item(_gold(example), extract_text(shared_nlp, example.text, "example"), scores)
    assert not scores.errors, scores.errors


def test_every_verb_trigger_has_an_example():
    lex = load_lexicon()
    covered = {e.source for e in lex.examples}
    missing = sorted({f"triggers.toml verb {lemma!r}" for lemma in lex.verbs} - covered)
    # Readings that share a lemma need only one example between them.
    assert not missing, missing


_VERB = {"lemma": "treffen", "relation": "meets", "target": ["obj"]}


@pytest.mark.parametrize("triggers,message", [
    ({"verb": [{**_VERB, "targets": ["obj"]}]}, "unknown key(s) ['targets']"),
    ({"verb": [{**_VERB, "relation": "hilft"}]}, "unknown relation 'hilft'"),
    ({"verb": [{**_VERB, "target": ["gegen"]}]}, "unknown target slot(s) ['gegen']"),
    ({"verb": [{**_VERB, "modality": "vielleicht"}]}, "unknown modality 'vielleicht'"),
    ({"verb": [{**_VERB, "reflexive": True}]}, "must be a str"),
    ({"verb": [_VERB, dict(_VERB)]}, "duplicate entry"),
    ({"verb": [{**_VERB, "requires_object_noun": ["@waffen"]}]}, "unknown word class '@waffen'"),
    ({"verb": [{**_VERB, "exclude_objects": ["Wahl", "Wahl"]}]}, "lists ['Wahl'] twice"),
    ({"verb": [{**_VERB, "confidence": 3}]}, "must be a number in (0, 1]"),
    ({"verb": [{"relation": "meets", "target": ["obj"]}]}, "missing key 'lemma'"),
    ({"verb": [{**_VERB, "examples": [{"text": "x"}]}]}, "'examples' must be a list"),
    ({"noun": [{"lemmas": ["Treffen"], "relation": "meets", "args": ["mit"], "confidence": 0.7},
               {"lemmas": ["Treffen"], "relation": "meets", "args": ["mit"], "confidence": 0.7}]},
     "already a trigger"),
    ({"noun": [{"lemmas": ["Treffen"], "relation": "meets", "args": ["bei"], "confidence": 0.7}]},
     "unknown argument slot(s) ['bei']"),
    ({"governors": {"negated": ["ablehnen"], "planned": ["ablehnen"]}}, "already governs"),
    ({"verbs": []}, "unknown section(s) ['verbs']"),
    ({"relation_governors": {"hilft": {"negated": ["beenden"]}}}, "unknown relation 'hilft'"),
    ({"relation_governors": {"supports": {"vielleicht": ["beenden"]}}}, "unknown modality 'vielleicht'"),
])
def test_bad_trigger_entries_are_refused(triggers, message):
    with pytest.raises(KgError) as err:
        _parse_triggers(triggers)
    assert message in str(err.value) and "ontology/lexicon/triggers.toml" in str(err.value)


def test_grammar_sections_are_checked():
    grammar = {k: dict(v) if isinstance(v, dict) else v for k, v in load_lexicon().grammar.items()}
    from kg.lexicon import _GRAMMAR_SCHEMA

    _check_sections(grammar, _GRAMMAR_SCHEMA, "grammar.toml")  # the shipped file passes
    broken = {**grammar, "negation": {k: v for k, v in grammar["negation"].items() if k != "particles"}}
    with pytest.raises(KgError, match=r"\[negation\] lacks \['particles'\]"):
        _check_sections(broken, _GRAMMAR_SCHEMA, "grammar.toml")
    extra = {**grammar, "negation": {**grammar["negation"], "partikel": []}}
    with pytest.raises(KgError, match="unknown key"):
        _check_sections(extra, _GRAMMAR_SCHEMA, "grammar.toml")
    bad_pronoun = {**grammar, "pronouns": {**grammar["pronouns"], "er": ["sg", "x"]}}
    with pytest.raises(KgError, match=r"\[pronouns\] er"):
        _check_sections(bad_pronoun, _GRAMMAR_SCHEMA, "grammar.toml")
