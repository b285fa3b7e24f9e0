"""Doc -> DocumentResult: sentences, mentions and statements as plain records."""

from __future__ import annotations

from spacy.tokens import Doc

from ..lexicon import load_lexicon
from ..nlp.mentions import actors_of, mentions_of
from ..records import DocumentResult, Mention, Sentence, Statement
from .relations import Extractor


def _sentences(doc: Doc) -> tuple[list[Sentence], dict[int, int]]:
    """Sentences with surrounding whitespace trimmed; map sentence start token -> index."""
    out: list[Sentence] = []
    index_of: dict[int, int] = {}
    for sent in doc.sents:
        raw = sent.text
        stripped = raw.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(raw) - len(raw.lstrip()))
        out.append(Sentence(len(out) + 1, start, start + len(stripped), stripped))
        index_of[sent.start] = len(out)
    return out, index_of


def extract_document(doc: Doc, doc_id: str, path: str) -> DocumentResult:
    """All records of one processed document."""
    sentences, index_of = _sentences(doc)
    mentions = mentions_of(doc)
    actors = actors_of(doc)
    sent_of_token = {}
    for sent in doc.sents:
        for k in range(sent.start, sent.end):
            sent_of_token[k] = index_of.get(sent.start, 0)
    records = [
        Mention(key, doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1].text),
                doc[m.start:m.end].text, sent_of_token.get(m.start, 0))
        for m in mentions if m.is_actor for key in m.actors
    ]
    statements = []
    for f in Extractor(load_lexicon(), actors).extract(doc, mentions):
        first, last = min(f.tokens), max(f.tokens)
        start = doc[first].idx
        end = doc[last].idx + len(doc[last].text)
        statements.append(Statement(
            relation=f.relation, agent=f.agent, target=f.target, modality=f.modality,
            confidence=f.confidence, doc_id=doc_id, sentence=index_of.get(f.sentence.start, 0),
            start=start, end=end, trigger=f.trigger, reported_by=f.reported_by, place=f.place, time=f.time,
            lemma=f.lemma, tense=f.tense,
        ))
    return DocumentResult(doc_id, path, doc.text, sentences, dict(actors), records, statements)


def extract_text(nlp, text: str, doc_id: str, path: str = "") -> DocumentResult:
    """Run the pipeline on one text and return its records."""
    return extract_document(nlp(text), doc_id, path or doc_id)
