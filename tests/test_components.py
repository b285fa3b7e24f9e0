"""Each spaCy component on Docs built by hand (words, tags and sentence starts given)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.nlp.actor_ruler import ActorRuler
from kg.nlp.coref import Coref
from kg.nlp.hanta_tagger import HantaTagger, stts
from kg.nlp.mentions import mentions_of
from kg.nlp.sentences import SentenceSplitter


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("de").vocab


def tagged(vocab, pairs, sent_starts=None):
    words = [w for w, _ in pairs]
    doc = Doc(vocab, words=words, spaces=[True] * len(words), tags=[t for _, t in pairs],
              sent_starts=sent_starts or [i == 0 for i in range(len(words))])
    return doc


def test_sentence_splitter_quotes_ordinals_abbreviations():
    nlp = spacy.blank("de")
    split = SentenceSplitter(abbreviations=frozenset({"z.B.", "Dr."}))
    doc = split(nlp.make_doc("Am 3. März kam Dr. Weber. „Wir warnen“, sagte er. Das war 2025. Danach z.B. nichts."))
    assert [s.text for s in doc.sents] == [
        "Am 3. März kam Dr. Weber.", "„Wir warnen“, sagte er.", "Das war 2025.", "Danach z.B. nichts."]


def test_sentence_splitter_paragraph_break_without_period():
    nlp = spacy.blank("de")
    doc = SentenceSplitter(abbreviations=frozenset())(nlp.make_doc("Eine Überschrift\n\nDer Text beginnt."))
    assert [s.text.strip() for s in doc.sents] == ["Eine Überschrift", "Der Text beginnt."]


def test_stts_tag_spelling():
    assert stts("VV(FIN)") == "VVFIN" and stts("ADJ(A)") == "ADJA" and stts("$(") == "$(" and stts("NE") == "NE"


def test_hanta_tagger_tags_lemmas_particles_and_caches(tmp_path, vocab):
    words = ["Scholz", "traf", "Macron", "in", "Paris", "zusammen", "."]
    tagger = HantaTagger(cache_dir=str(tmp_path))
    doc = tagger(Doc(vocab, words=words, sent_starts=[True] + [False] * 6))
    tags = [t.tag_ for t in doc]
    assert (tags[1], tags[3], tags[5], tags[6]) == ("VVFIN", "APPR", "PTKVZ", "$.")
    assert doc[1].lemma_ == "treffen" and doc[1].pos_ == "VERB"
    assert tagger.stats == {"sentences": 1, "cached": 0}
    tagger.flush()  # kg build flushes after each batch of documents
    # A new tagger on the same folder reads the SQLite cache instead of running HanTa.
    again = HantaTagger(cache_dir=str(tmp_path))
    doc2 = again(Doc(vocab, words=words, sent_starts=[True] + [False] * 6))
    assert again.stats == {"sentences": 1, "cached": 1}
    assert again._tagger is None  # the model was never loaded
    assert [t.tag_ for t in doc2] == [t.tag_ for t in doc]


def test_hanta_tagger_writes_what_is_pending_when_it_goes(tmp_path, vocab):
    import gc

    words = ["Lula", "empfing", "Petro", "."]
    tagger = HantaTagger(cache_dir=str(tmp_path))
    tagger(Doc(vocab, words=words, sent_starts=[True] + [False] * 3))
    assert tagger.cache.pending  # not written yet: one transaction per batch, not per document
    del tagger
    gc.collect()
    again = HantaTagger(cache_dir=str(tmp_path))
    again(Doc(vocab, words=words, sent_starts=[True] + [False] * 3))
    assert again.stats == {"sentences": 1, "cached": 1}


def test_actor_ruler_inflected_names_capitals_and_metonyms(vocab):
    doc = tagged(vocab, [("Putins", "NE"), ("Sprecher", "NN"), ("sagte", "VVFIN"), (",", "$,"), ("Moskaus", "NE"),
                         ("Truppen", "NN"), ("und", "KON"), ("das", "ART"), ("Weiße", "ADJA"), ("Haus", "NN"),
                         ("sowie", "KON"), ("Kyjiw", "NE"), ("hätten", "VAFIN"), ("Russlands", "NE"),
                         ("Angebot", "NN"), ("geprüft", "VVPP"), (".", "$.")])
    ActorRuler(use_model_entities=False)(doc)
    found = {(doc[m.start:m.end].text, m.actors, m.how, m.genitive) for m in mentions_of(doc)}
    assert ("Putins", ("person/wladimir-putin",), "name", True) in found
    assert ("Moskaus", ("state/ru",), "capital", True) in found
    assert ("Weiße Haus", ("state/us",), "metonym", False) in found
    assert ("Kyjiw", ("state/ua",), "capital", False) in found
    assert ("Russlands", ("state/ru",), "name", True) in found
    assert {e.kb_id_ for e in doc.ents} >= {"person/wladimir-putin", "state/ru", "state/us", "state/ua"}


def test_actor_ruler_role_introduced_persons_get_role_and_country(vocab):
    doc = tagged(vocab, [("Der", "ART"), ("ukrainische", "ADJA"), ("Geheimdienstdirektor", "NN"),
                         ("Olena", "NE"), ("Kowalenko", "NE"), ("und", "KON"), ("US-Außenminister", "NN"),
                         ("John", "NE"), ("Doe", "NE"), ("warnten", "VVFIN"), (".", "$.")])
    ruler = ActorRuler(use_model_entities=False)
    ruler(doc)
    actors = doc._.kg_actors
    a, b = actors["person/olena-kowalenko"], actors["person/john-doe"]
    assert (a.role, a.country) == ("Geheimdienstdirektor", "state/ua")
    assert (b.role, b.country) == ("Außenminister", "state/us")


def test_actor_ruler_government_nouns_and_compounds(vocab):
    doc = tagged(vocab, [("Die", "ART"), ("russische", "ADJA"), ("Regierung", "NN"), ("lobte", "VVFIN"),
                         ("das", "ART"), ("Trump-Putin-Gespräch", "NN"), (".", "$.")])
    ActorRuler(use_model_entities=False)(doc)
    by_how = {m.how: m for m in mentions_of(doc)}
    assert by_how["governmental"].actors == ("state/ru",)
    assert doc[by_how["governmental"].start:by_how["governmental"].end].text == "russische Regierung"
    assert by_how["compound"].actors == ("person/donald-trump", "person/wladimir-putin")


def test_actor_ruler_ignores_unknown_single_words_and_sports_clubs_are_not_states(vocab):
    doc = tagged(vocab, [("Dortmund", "NE"), ("gewann", "VVFIN"), ("gegen", "APPR"), ("Freiburg", "NE"), (".", "$.")])
    ActorRuler(use_model_entities=False)(doc)
    assert [m for m in mentions_of(doc) if m.is_actor] == []


def test_coref_pronoun_prefers_subject_and_respects_binding(vocab):
    doc = tagged(vocab, [("Scholz", "NE"), ("traf", "VVFIN"), ("Macron", "NE"), (".", "$."),
                         ("Er", "PPER"), ("lobte", "VVFIN"), ("ihn", "PPER"), (".", "$.")],
                 sent_starts=[True, False, False, False, True, False, False, False])
    ActorRuler(use_model_entities=False)(doc)
    Coref(max_sentences=2)(doc)
    resolved = {doc[m.start].text: m.actors[0] for m in mentions_of(doc) if m.how == "pronoun"}
    assert resolved == {"Er": "person/olaf-scholz", "ihn": "person/emmanuel-macron"}


def test_coref_groups_and_descriptions(vocab):
    doc = tagged(vocab, [("Biden", "NE"), ("rief", "VVFIN"), ("Putin", "NE"), ("an", "PTKVZ"), (".", "$."),
                         ("Die", "ART"), ("beiden", "PIAT"), ("Präsidenten", "NN"), ("sprachen", "VVFIN"),
                         ("lange", "ADV"), (".", "$."),
                         ("Der", "ART"), ("Kremlchef", "NN"), ("schwieg", "VVFIN"), (".", "$.")],
                 sent_starts=[True] + [False] * 4 + [True] + [False] * 5 + [True] + [False] * 3)
    ActorRuler(use_model_entities=False)(doc)
    Coref(max_sentences=2)(doc)
    by_how = {m.how: m for m in mentions_of(doc) if m.how in ("group", "description")}
    assert set(by_how["group"].actors) == {"person/joe-biden", "person/wladimir-putin"}
    assert by_how["description"].actors == ("person/wladimir-putin",)
    assert doc[by_how["description"].start:by_how["description"].end].text == "Der Kremlchef"


def test_coref_leaves_pronoun_unresolved_without_antecedent(vocab):
    doc = tagged(vocab, [("Er", "PPER"), ("warnte", "VVFIN"), (".", "$.")])
    ActorRuler(use_model_entities=False)(doc)
    Coref(max_sentences=2)(doc)
    assert mentions_of(doc) == []


def test_factories_declare_assigns_and_requires():
    from kg.nlp.pipeline import make_nlp

    nlp = make_nlp(cache_dir=None)
    assert nlp.pipe_names == ["kg_sentences", "kg_hanta", "kg_clauses", "kg_actors", "kg_coref"]
    assert "doc._.kg_clauses" in nlp.get_pipe_meta("kg_clauses").assigns
    meta = nlp.get_pipe_meta("kg_actors")
    assert "doc.ents" in meta.assigns and "token.tag" in meta.requires
    assert nlp.analyze_pipes()["problems"] == {name: [] for name in nlp.pipe_names}


def test_mention_indexes_agree_with_scanning_the_list(vocab):
    """by_sentence and starting_at (one pass each) give what filtering the list per sentence
    or per token gives, in the list's order; the scans made megabyte documents quadratic."""
    from kg.nlp.mentions import TokenMention, by_sentence, starting_at

    words = "Putin traf Xi . Dann kam er nach Berlin . Die Ukraine auch".split()
    doc = Doc(vocab, words=words, sent_starts=[True, False, False, False, True, False, False, False, False,
                                                False, True, False, False])
    mentions = mentions_of(doc)
    mentions.extend([TokenMention(8, 9, ("state/de",), "capital"), TokenMention(0, 1, ("person/putin",), "name"),
                     TokenMention(11, 12, ("state/ua",), "name"), TokenMention(2, 3, ("person/xi",), "name"),
                     TokenMention(6, 7, ("person/putin",), "pronoun"), TokenMention(10, 12, ("state/ua",), "name")])
    grouped = by_sentence(doc, mentions)
    for sent in doc.sents:
        assert grouped.get(sent.start, []) == [m for m in mentions if sent.start <= m.start < sent.end]
    assert sorted(grouped) == [0, 4, 10]
    for k in range(len(doc)):
        assert [m for _, m in starting_at(doc, k)] == [m for m in mentions if m.start == k]
    mentions.append(TokenMention(1, 2, ("x",), "name"))  # the index follows the list
    assert [m for _, m in starting_at(doc, 1)] == [mentions[-1]]
