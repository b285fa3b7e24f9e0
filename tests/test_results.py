"""The one result writer (kg.rdfio.results), shared by `kg query` and `kg serve`."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib.query import Result

from kg.rdfio.query import serialize_result
from kg.rdfio.results import GRAPH_FORMATS, SOLUTION_FORMATS, UnwritableResult, write_solutions, write_triples
from kg.rdfio.server import evaluate

XSD = "http://www.w3.org/2001/XMLSchema#"
# Terms a cut result must carry through its TSV round trip unchanged: non-canonical and
# ill-typed numbers, language tags, escapes, IRIs beyond ASCII, blank nodes, empty strings.
TERMS = [
    ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("+1", datatype=ox.NamedNode(XSD + "int")),
    ox.Literal("1e0", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("NaN", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("abc", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("TRUE", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("2024-02-29", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("Grüße", language="de-DE"),
    ox.Literal(""),
    ox.Literal("Tab\tLF\nCR\rBackslash\\ \"quote\" 'apostrophe' \u2028 \u0085 <b>&amp;"),
    ox.NamedNode("http://example.org/Köln?x=1#f"),
    ox.BlankNode("b1"),
]
QUERY = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def store():
    store = ox.Store()
    for index, term in enumerate(TERMS):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{index:02d}"), ox.NamedNode("http://example.org/p"),
                          term))
    return store


def rows(body: bytes, fmt: str) -> list[tuple]:
    parsed = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, SOLUTION_FORMATS[fmt][0]))
    return [tuple(solution) for solution in parsed]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_a_cut_result_carries_every_term_unchanged(store, fmt):
    whole = [tuple(solution) for solution in store.query(QUERY)]
    body, truncated = write_solutions(store.query(QUERY), fmt, limit=len(TERMS))
    assert not truncated
    assert rows(body, fmt) == whole
    cut, truncated = write_solutions(store.query(QUERY), fmt, limit=4)
    assert truncated and rows(cut, fmt) == whole[:4]


def test_no_limit_and_a_limit_write_the_same_bytes(store):
    for fmt in SOLUTION_FORMATS:
        assert write_solutions(store.query(QUERY), fmt)[0] == write_solutions(store.query(QUERY), fmt, 100)[0], fmt


@pytest.mark.parametrize("limit", [0, 1])
def test_small_limits(store, limit):
    body, truncated = write_solutions(store.query(QUERY), "json", limit=limit)
    assert truncated and len(rows(body, "json")) == limit


def test_xml_keeps_a_carriage_return_and_refuses_what_xml_cannot_carry(store):
    body, _ = write_solutions(store.query(QUERY), "xml")
    values = {str(row["o"]) for row in Result.parse(io.BytesIO(body), format="xml")}
    assert str(TERMS[10].value) in values  # with its CR, which a raw CR in XML would lose
    store.add(ox.Quad(ox.NamedNode("http://example.org/bad"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("bell\x07")))
    try:
        with pytest.raises(UnwritableResult, match="U\\+0007"):
            write_solutions(store.query(QUERY), "xml")
        assert write_solutions(store.query(QUERY), "json")[0]  # JSON carries it
    finally:
        store.remove(ox.Quad(ox.NamedNode("http://example.org/bad"), ox.NamedNode("http://example.org/p"),
                             ox.Literal("bell\x07")))


@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_triples_cut_at_a_limit_in_every_rdf_format(store, fmt):
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    whole, truncated = write_triples(store.query(construct), fmt)
    assert not truncated
    parsed = list(ox.parse(whole, format=getattr(ox.RdfFormat, GRAPH_FORMATS[fmt][0])))
    assert len(parsed) == len(TERMS)
    cut, truncated = write_triples(store.query(construct), fmt, limit=3)
    assert truncated and len(list(ox.parse(cut, format=getattr(ox.RdfFormat, GRAPH_FORMATS[fmt][0])))) == 3


def test_evaluation_errors_are_one_line_query_errors(store):
    from kg.errors import QueryError

    # Evaluated lazily: the error surfaces inside the writer.
    failing = "SELECT ?x WHERE { BIND(<http://example.org/a> AS ?x) FILTER(?x) }"
    body, _ = write_solutions(store.query(failing), "json", limit=5)  # an error in FILTER is false
    assert rows(body, "json") == []
    with pytest.raises(QueryError):
        write_triples(iter(_failing_triples()), "turtle", limit=5)


def _failing_triples():
    yield ox.Triple(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), ox.Literal("1"))
    raise OSError("disk went away")


@pytest.mark.parametrize(("accept", "fmt"), [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
])
def test_kg_query_and_the_endpoint_write_the_same_bytes(store, accept, fmt):
    settings = {"max_rows": 1000, "query_memory_mb": 512, "allow_update": False, "allow_service": False}
    for query in (QUERY, "ASK { ?s ?p ?o }"):
        reply = evaluate(store, {"kind": "query", "sparql": query, "accept": accept}, settings)
        assert reply["status"] == 200, reply["body"]
        assert reply["body"] == serialize_result(store.query(query), fmt), (query, fmt)
