"""Document metadata on the document node: dcterms:title, dcterms:issued, dcterms:source, schema:url;
accepted by the shapes, queryable, carried from the inputs through `kg build`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import make_sample_result
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SDO, XSD

from kg import iris
from kg.build import build
from kg.commands.validate import check
from kg.rdfio.rdf import build_dataset, meta_triples, union_graph
from kg.records import DocumentMeta
from kg.sources import read_documents

ROOT = Path(__file__).resolve().parent.parent
DOC = iris.document("sample")


@pytest.mark.parametrize("meta,expected", [
    (DocumentMeta(), set()),
    (DocumentMeta("Titel", "2025-02-13", "https://www.tagesschau.de/a-100.html", "dpa"), {
        (DCTERMS.title, Literal("Titel")),
        (DCTERMS.issued, Literal("2025-02-13", datatype=XSD.date)),
        (DCTERMS.source, Literal("dpa")),
        (SDO.url, URIRef("https://www.tagesschau.de/a-100.html")),
    }),
    (DocumentMeta(source="https://www.dpa.com/"), {(DCTERMS.source, URIRef("https://www.dpa.com/"))}),
    (DocumentMeta(source="ftp://dpa"), {(DCTERMS.source, Literal("ftp://dpa"))}),  # not a web IRI: a name
    (DocumentMeta(url="https://a.de/mit leerzeichen"), set()),  # never an invalid IRI
    (DocumentMeta(url="http://münchen.de/ärger?x=1"), {(SDO.url, URIRef("http://münchen.de/ärger?x=1"))}),
])
def test_meta_triples(meta, expected):
    assert {(p, o) for s, p, o in meta_triples(DOC, meta)} == expected
    assert all(s == DOC for s, _, _ in meta_triples(DOC, meta))


HOSTILE_META = DocumentMeta('Titel "mit" <Zeichen> & \\ Umbruch\nzweite Zeile 😀', "2024-02-29",
                            "https://beispiel.de/pfad/%C3%A4rger?x=1&y=%22#frag", 'Quelle "Q" <b>')


def sample_with(meta: DocumentMeta):
    return dataclasses.replace(make_sample_result(), meta=meta)


@pytest.mark.parametrize("meta", [DocumentMeta(), HOSTILE_META,
                                  DocumentMeta(source="https://www.dpa.com/", date="2025-02-13")])
def test_documents_with_metadata_conform(meta):
    assert check(build_dataset([sample_with(meta)])) == []


def _set(graph, p, o):
    graph.remove((DOC, p, None))
    graph.add((DOC, p, o))


BREAKAGES = {
    "date as text": (lambda g: _set(g, DCTERMS.issued, Literal("2025-02-13")), "kgsh:DocumentIssued"),
    "two dates": (lambda g: g.add((DOC, DCTERMS.issued, Literal("2025-02-14", datatype=XSD.date))),
                  "kgsh:DocumentIssued"),
    "two titles": (lambda g: g.add((DOC, DCTERMS.title, Literal("noch einer"))), "kgsh:DocumentTitle"),
    "empty title": (lambda g: _set(g, DCTERMS.title, Literal("")), "kgsh:DocumentTitle"),
    "url as text": (lambda g: _set(g, SDO.url, Literal("https://example.org/")), "kgsh:DocumentURL"),
    "url not http": (lambda g: _set(g, SDO.url, URIRef("urn:x:y")), "kgsh:DocumentURL"),
    "source a number": (lambda g: _set(g, DCTERMS.source, Literal(7)), "kgsh:DocumentSource"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_broken_metadata_is_reported(name):
    breakage, shape = BREAKAGES[name]
    graph = union_graph(build_dataset([sample_with(DocumentMeta("Titel", "2025-02-13", "https://a.de/", "dpa"))]))
    breakage(graph)
    violations = check(graph)
    assert any(v.shape == shape and v.focus == "geokg:doc/sample" for v in violations), [str(v) for v in violations]


def test_sample_metadata_comes_from_its_metadata_csv():
    [doc] = read_documents([ROOT / "seeds"])
    assert doc.meta == DocumentMeta("Trump-Putin-Gespräch: Der erste Schritt und die Dilemmata des Kremls",
                                    "2025-02-13", None, "sample")
    assert doc.text.startswith(doc.meta.title + "\n")  # the title is the headline line


QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX gkg: <https://w3id.org/geokg/ontology#>
SELECT ?doc ?title ?date ?url ?source WHERE {
  ?doc a gkg:Document .
  OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:issued ?date }
  OPTIONAL { ?doc schema:url ?url } OPTIONAL { ?doc dcterms:source ?source }
} ORDER BY ?doc
"""


def test_build_keeps_metadata_and_redoes_documents_whose_metadata_changed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("---\ntitle: Treffen in Paris\ndate: 2025-03-04\nurl: https://example.org/a\n"
                               "source: dpa\n---\nBundeskanzler Olaf Scholz traf Emmanuel Macron in Paris.",
                               encoding="utf-8")
    (docs / "b.jsonl").write_text('{"id": "b1", "text": "Putin traf Trump.", "date": "2025-02"}\n', encoding="utf-8")
    out = tmp_path / "out"
    first = build([docs], out, html=False, formats=("turtle",), cache_dir=None)
    assert first.processed == 2
    graph = Graph().parse(out / "graph.ttl")
    rows = [tuple(str(v) if v is not None else None for v in row) for row in graph.query(QUERY)]
    assert rows == [
        (str(iris.document("a")), "Treffen in Paris", "2025-03-04", "https://example.org/a", "dpa"),
        (str(iris.document("b/b1")), None, None, None, None),  # a partial date is no date
    ]
    assert Graph().parse(out / "graph.ttl").value(iris.document("a"), DCTERMS.issued).datatype == XSD.date
    # Only the metadata changes: that document is redone, the other stays.
    (docs / "metadata.csv").write_text("file,title\na.md,Neuer Titel\n", encoding="utf-8")
    second = build([docs], out, html=False, formats=("turtle",), cache_dir=None)
    assert (second.processed, second.unchanged) == (1, 1)
    assert Graph().parse(out / "graph.ttl").value(iris.document("a"), DCTERMS.title) == Literal("Neuer Titel")
