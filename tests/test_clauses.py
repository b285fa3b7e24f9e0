"""Clause building and argument binding on hand-tagged Docs (no tagger involved), so that a
tagger change and a grammar bug fail different tests."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.lexicon import load_lexicon
from kg.nlp.clauses import ClauseGrammar
from kg.nlp.mentions import TokenMention


@pytest.fixture(scope="module")
def grammar():
    return ClauseGrammar(load_lexicon())


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("de").vocab


def _doc(vocab, tagged: str) -> Doc:
    """'Word/TAG/lemma …' (lemma defaults to the word)."""
    words, tags, lemmas = [], [], []
    for item in tagged.split():
        parts = item.split("/")
        words.append(parts[0])
        tags.append(parts[1])
        lemmas.append(parts[2] if len(parts) > 2 else parts[0])
    return Doc(vocab, words=words, tags=tags, lemmas=lemmas, sent_starts=[i == 0 for i in range(len(words))])


def _mentions(doc: Doc, names: dict[str, str], genitive: set[str] = frozenset()) -> list[TokenMention]:
    out = []
    for tok in doc:
        if tok.text in names:
            out.append(TokenMention(tok.i, tok.i + 1, (names[tok.text],), "name", genitive=tok.text in genitive))
    return out


def _bound(grammar, vocab, tagged, names, genitive=frozenset()):
    doc = _doc(vocab, tagged)
    sent = next(doc.sents)
    return doc, grammar.bind(doc, grammar.build(sent), _mentions(doc, names, genitive))


def test_verb_bracket_after_an_apposition_stays_one_clause(grammar, vocab):
    doc, clauses = _bound(grammar, vocab,
        "Der/ART Präsident/NN Brasiliens/NE ,/$, Lula/NE ,/$, hat/VAFIN/haben seinen/PPOSAT Amtskollegen/NN "
        ",/$, Petro/NE ,/$, empfangen/VVPP/empfangen ./$.",
        {"Brasiliens": "state/br", "Lula": "person/lula", "Petro": "person/petro"}, genitive={"Brasiliens"})
    assert [c.kind for c in clauses] == ["main"]
    cl = clauses[0]
    assert cl.subject.actors == ["person/lula"]
    petro = next(u for u in cl.units if u.actors == ["person/petro"])
    assert petro.case == "acc" and petro.prep is None
    assert grammar.content_verb(doc, cl) == (12, "empfangen")


def test_shared_preposition_after_a_non_actor_conjunct(grammar, vocab):
    _, clauses = _bound(grammar, vocab,
        "Baerbock/NE berät/VVFIN/beraten mit/APPR mehreren/PIAT Kollegen/NN und/KON der/ART "
        "Außenbeauftragten/NN Kallas/NE ./$.",
        {"Baerbock": "person/baerbock", "Kallas": "person/kallas"})
    kallas = next(u for u in clauses[0].units if u.actors == ["person/kallas"])
    assert kallas.prep == "mit"


def test_genitive_possessors_join_the_role_persons(grammar, vocab):
    _, clauses = _bound(grammar, vocab,
        "Tusk/NE empfing/VVFIN/empfangen Kanadas/NE Premier/NN Carney/NE ,/$, Indiens/NE Regierungschef/NN "
        "Modi/NE und/KON weitere/ADJA Gäste/NN ./$.",
        {"Tusk": "person/tusk", "Kanadas": "state/ca", "Carney": "person/carney", "Indiens": "state/in",
         "Modi": "person/modi"}, genitive={"Kanadas", "Indiens"})
    cl = clauses[0]
    assert cl.subject.actors == ["person/tusk"]
    objects = [u for u in cl.units if u is not cl.subject]
    assert [u.actors for u in objects] == [["person/carney", "person/modi"]]


def test_a_noun_phrase_in_the_vorfeld_is_the_subject(grammar, vocab):
    _, clauses = _bound(grammar, vocab,
        "Die/ART Regierung/NN hat/VAFIN/haben Kanadas/NE Premier/NN Carney/NE empfangen/VVPP/empfangen ./$.",
        {"Kanadas": "state/ca", "Carney": "person/carney"}, genitive={"Kanadas"})
    assert clauses[0].subject is None


@pytest.mark.parametrize("tagged,kinds,comps", [
    ("Meloni/NE nutzte/VVFIN/nutzen den/ART Gipfel/NN ,/$, um/KOUI Tunesien/NE aufzufordern/VVIZU/auffordern ./$.",
     ["main", "inf"], [None, "um"]),
    ("Fico/NE reiste/VVFIN/reisen ab/PTKVZ ,/$, ohne/APPR Selenskyj/NE getroffen/VVPP/treffen zu/PTKZU "
     "haben/VAINF/haben ./$.", ["main", "inf"], [None, "ohne"]),
    ("Peking/NE fordere/VVFIN/fordern ,/$, dass/KOUS Manila/NE die/ART Manöver/NN beende/VVFIN/beenden ,/$, "
     "sagte/VVFIN/sagen die/ART Sprecherin/NN ./$.", ["main", "sub", "main"], [None, "dass", None]),
    ("Deutschland/NE setze/VVFIN/setzen die/ART Hilfe/NN fort/PTKVZ ,/$, unterstütze/VVFIN/unterstützen "
     "die/ART Ukraine/NE ./$.", ["main", "coord"], [None, None]),
    ("Das/ART Telefonat/NN ,/$, das/PRELS Merz/NE mit/APPR Erdoğan/NE führte/VVFIN/führen ,/$, "
     "dauerte/VVFIN/dauern lange/ADV ./$.", ["main", "rel", "main"], [None, None, None]),
])
def test_clause_kinds(grammar, vocab, tagged, kinds, comps):
    doc = _doc(vocab, tagged)
    clauses = grammar.build(next(doc.sents))
    assert [c.kind for c in clauses] == kinds
    assert [c.complementizer for c in clauses] == comps


def test_infinitive_and_coordinated_clauses_inherit_the_subject(grammar, vocab):
    _, clauses = _bound(grammar, vocab,
        "Fico/NE reiste/VVFIN/reisen ab/PTKVZ ,/$, ohne/APPR Selenskyj/NE getroffen/VVPP/treffen zu/PTKZU "
        "haben/VAINF/haben ./$.", {"Fico": "person/fico", "Selenskyj": "person/selenskyj"})
    inf = clauses[1]
    assert inf.subject.actors == ["person/fico"] and inf.subject_inherited
    # The complementizer is not the preposition of the first argument.
    assert next(u for u in inf.units if u.actors == ["person/selenskyj"]).prep is None


def test_a_passive_needs_werden_and_an_agent_for_participles_like_infinitives(grammar, vocab):
    doc, clauses = _bound(grammar, vocab,
        "Orbán/NE wird/VAFIN/werden von/APPR Xi/NE empfangen/VVPP/empfangen ./$.",
        {"Orbán": "person/orban", "Xi": "person/xi"})
    assert grammar.is_passive(doc, clauses[0])
    doc, clauses = _bound(grammar, vocab,
        "Xi/NE wird/VAFIN/werden Orbán/NE empfangen/VVPP/empfangen ./$.",
        {"Orbán": "person/orban", "Xi": "person/xi"})
    assert not grammar.is_passive(doc, clauses[0])  # future active: "wird … empfangen"
