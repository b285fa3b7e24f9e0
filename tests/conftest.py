"""Shared fixtures: hand-built extraction results (no NLP involved)."""

from __future__ import annotations

import pytest

from kg.records import Actor, DocumentResult, Sentence, Statement

TEXT = (
    "Scholz traf Macron in Paris. "
    "Russland lehnte ein Treffen mit der Ukraine ab. "
    "Der Minister Jan Novak warnte, dass die Lage kippen könnte."
)


def make_sample_result() -> DocumentResult:
    actors = {
        a.key: a
        for a in [
            Actor("person/olaf-scholz", "person", "Olaf Scholz", ("Scholz",), "Q61053", "Bundeskanzler", "state/de", None, "m"),
            Actor("person/emmanuel-macron", "person", "Emmanuel Macron", ("Macron",), "Q3052772", "Präsident", "state/fr", None, "m"),
            Actor("person/jan-novak", "person", "Jan Novak", (), None, "Minister", "state/cz", None, "m"),
            Actor("state/de", "state", "Deutschland", (), "Q183", iso2="de", gender="n"),
            Actor("state/fr", "state", "Frankreich", (), "Q142", iso2="fr", gender="n"),
            Actor("state/cz", "state", "Tschechien", (), "Q213", iso2="cz", gender="n"),
            Actor("state/ru", "state", "Russland", ("Russische Föderation",), "Q159", iso2="ru", gender="n"),
            Actor("state/ua", "state", "Ukraine", (), "Q212", iso2="ua", gender="f"),
            Actor("place/paris", "place", "Paris", (), None, country="state/fr"),
        ]
    }
    s1, s2, s3 = TEXT.split(". ")[0] + ".", TEXT.split(". ")[1] + ".", TEXT.split(". ")[2]
    b2 = TEXT.index(s2)
    b3 = TEXT.index(s3)
    sentences = [
        Sentence(1, 0, len(s1), s1),
        Sentence(2, b2, b2 + len(s2), s2),
        Sentence(3, b3, b3 + len(s3), s3),
    ]
    statements = [
        Statement("meets", "person/olaf-scholz", "person/emmanuel-macron", "asserted", 0.9, "sample", 1,
                  0, 27, "traf", place="place/paris"),
        Statement("meets", "state/ru", "state/ua", "negated", 0.8, "sample", 2, b2, b2 + len(s2) - 1, "lehnte ein Treffen ab"),
        Statement("warns", "person/jan-novak", None, "asserted", 0.85, "sample", 3, b3, len(TEXT), "warnte"),
    ]
    return DocumentResult("sample", "sample.txt", TEXT, sentences, actors, [], statements)


@pytest.fixture
def sample_result() -> DocumentResult:
    return make_sample_result()


@pytest.fixture
def sample_dataset(sample_result):
    from kg.rdfio.rdf import build_dataset

    return build_dataset([sample_result])


@pytest.fixture(scope="session")
def shared_nlp():
    """One kg pipeline (blank German + kg components, no cache) for the extraction tests."""
    from kg.nlp.pipeline import make_nlp

    return make_nlp(cache_dir=None)
