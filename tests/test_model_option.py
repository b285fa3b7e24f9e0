"""The optional trained-model path, with a tiny NER pipeline trained inside the test."""

from __future__ import annotations

import random

import pytest
import spacy
from spacy.training import Example

from kg.extract.document import extract_text
from kg.nlp.pipeline import make_nlp

TRAIN = [
    ("Grünfeld traf Scholz in Berlin.", [(0, 8, "ORG")]),
    ("Am Montag warnte Grünfeld vor Zöllen.", [(17, 25, "ORG")]),
    ("Grünfeld unterstützt die Ukraine.", [(0, 8, "ORG")]),
    ("Die Ukraine dankte Grünfeld.", [(19, 27, "ORG")]),
    ("Nach Angaben von Grünfeld ist die Lage ernst.", [(17, 25, "ORG")]),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    random.seed(0)
    nlp = spacy.blank("de")
    ner = nlp.add_pipe("ner")
    ner.add_label("ORG")
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    path = tmp_path_factory.mktemp("model") / "tiny_de_ner"
    nlp.to_disk(path)
    return path


def test_trained_ner_finds_an_actor_the_rules_cannot(tiny_model):
    text = "Grünfeld traf Scholz in Berlin."
    with_model = extract_text(make_nlp(str(tiny_model), cache_dir=None), text, "m")
    without = extract_text(make_nlp(None, cache_dir=None), text, "m")
    assert {(s.relation, s.agent, s.target) for s in with_model.statements} == {
        ("meets", "org/gruenfeld", "person/olaf-scholz")}
    assert without.statements == []


def test_missing_model_is_a_clean_error():
    from kg.errors import KgError

    with pytest.raises(KgError, match="cannot load spaCy model"):
        make_nlp("/nonexistent/model", cache_dir=None)
