"""Text as it comes from the web: headlines without a full stop, a missing space after a full
stop, captions, bylines, broadcast notes and datelines are no statements and are not merged
into the next sentence."""

from __future__ import annotations

import pytest
import spacy

from kg.extract.document import extract_text
from kg.lexicon import load_lexicon
from kg.nlp.sentences import SentenceSplitter, is_debris


@pytest.fixture(scope="module")
def splitter():
    web = load_lexicon().grammar["web"]
    return SentenceSplitter(abbreviations=frozenset({"z.B."}), debris_lines=tuple(web["debris_lines"]),
                            dateline=web["dateline"])


def _sents(splitter, text):
    doc = splitter(spacy.blank("de").make_doc(text))
    return doc, [s.text.strip() for s in doc.sents]


def test_a_headline_line_ends_its_sentence(splitter):
    _, sents = _sents(splitter, "Scholz trifft Macron in Paris\nDer Kanzler reist am Montag an.")
    assert sents == ["Scholz trifft Macron in Paris", "Der Kanzler reist am Montag an."]


def test_hard_wrapped_text_keeps_its_sentences(splitter):
    line = "Der Kanzler sagte am Montag in Berlin, die Gespräche mit dem französischen"
    text = "\n".join([line, "Präsidenten seien gut verlaufen und man werde sie in der kommenden", "Woche"
                      " fortsetzen, wie ein Sprecher der Regierung am Abend in Berlin mitteilte",
                      "und dabei auch auf weitere Termine in den nächsten Wochen und Monaten", "verwies, die"
                      " noch nicht feststehen würden, wie es aus Kreisen der Regierung hieß."])
    _, sents = _sents(splitter, text)
    assert len(sents) == 1


@pytest.mark.parametrize("line", [
    "Foto: dpa",
    "(Foto: Xinhua/VNA) |",
    "© Reuters",
    "Von Anna Muster und Pierre Martin",
    "Diese Nachricht wurde am 14.03.2025 im Programm Deutschlandfunk gesendet.",
    "/axr/bk/DP/jha",
    "Mehr zum Thema",
])
def test_debris_lines_are_marked(splitter, line):
    doc, _ = _sents(splitter, f"Merz traf Macron.\n{line}\nDanach reiste er ab.")
    debris = [s for s in doc.sents if is_debris(doc, s.start, s.end)]
    assert [s.text.strip() for s in debris] == [line]


def test_a_dateline_is_debris_and_the_sentence_after_it_starts(splitter):
    doc, sents = _sents(splitter, "BERLIN (dpa-AFX) - Merz hat mit Starmer telefoniert.")
    assert sents == ["BERLIN (dpa-AFX) -", "Merz hat mit Starmer telefoniert."]
    assert is_debris(doc, 0, next(doc.sents).end)


def test_runaway_sentences_are_cut():
    split = SentenceSplitter(abbreviations=frozenset(), max_tokens=50)
    doc = split(spacy.blank("de").make_doc(" ".join(["Wort"] * 500)))
    assert max(len(s) for s in doc.sents) <= 50


@pytest.mark.parametrize("text,expected", [
    ("Tusk hat Selenskyj in Warschau empfangen.Der Präsident dankte.",
     {("meets", "person/donald-tusk", "person/wolodymyr-selenskyj")}),
    ("Foto: Meloni und Erdoğan bei einem Treffen in Rom\n© dpa\nVon Anna Muster", set()),
    ("BERLIN (dpa) - Merz hat mit Starmer telefoniert.", {("meets", "person/friedrich-merz", "person/keir-starmer")}),
    ("Rutte warnt Russland\n\nDer Nato-Generalsekretär sprach in Brüssel.", {("warns", "person/mark-rutte", "state/ru")}),
])
def test_web_text_extraction(shared_nlp, text, expected):
    result = extract_text(shared_nlp, text, "web")
    assert {(s.relation, s.agent, s.target) for s in result.statements} == expected
