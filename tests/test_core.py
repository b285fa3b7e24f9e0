"""IRIs, the ontology namespace and the RDF layer, on hand-built records."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import iris
from kg.rdfio.namespace import GEO
from kg.rdfio.rdf import build_dataset, union_graph
from kg.records import Statement
from kg.resources import data_path
from kg.rdfio.serialize import serialize

IRI_RE = re.compile(r"^https://w3id\.org/geokg/id/[A-Za-z0-9/_.-]+$")


@pytest.mark.parametrize("name,expected", [
    ("Wladimir Putin", "wladimir-putin"),
    ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
    ("Jean-Noël Barrot", "jean-noel-barrot"),
    ("Friedrich Merz", "friedrich-merz"),
    ("Südkorea", "suedkorea"),
    ("Weißes Haus", "weisses-haus"),
    ("<script>alert(1)</script>", "script-alert-1-script"),
    ("مرحبا", None),  # no ASCII at all: a digest, still valid
])
def test_slug(name, expected):
    out = iris.slug(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", out)
    if expected:
        assert out == expected
    assert iris.slug(name) == out  # stable


def test_long_names_stay_distinct_and_short():
    a, b = iris.slug("A" * 200 + "x"), iris.slug("A" * 200 + "y")
    assert a != b and len(a) <= 80 and len(b) <= 80


def test_actor_keys_and_iris_are_validated():
    assert iris.actor("state/ru") == URIRef("https://w3id.org/geokg/id/state/ru")
    for bad in ["state/RU", "person/", "nation/x", "person/a b", "person/../x"]:
        with pytest.raises(ValueError):
            iris.actor(bad)
    with pytest.raises(ValueError):
        iris.wikidata("Q0x")


def test_doc_ids_and_statement_iris():
    assert iris.doc_id("000_4d9e4ac50f9794c6.txt") == "000_4d9e4ac50f9794c6"
    assert iris.doc_id("sub dir/Grüße aus Köln.md") == "sub-dir/Gruesse-aus-Koeln"
    one = iris.statement("d", "meets", "person/a", "person/b", 1, 5, "asserted")
    assert one == iris.statement("d", "meets", "person/a", "person/b", 1, 5, "asserted")
    assert one != iris.statement("d", "meets", "person/a", "person/b", 1, 5, "negated")
    assert IRI_RE.match(str(one))


def test_namespace_matches_ontology_file():
    """GEO (closed) and ontology/geo.ttl define exactly the same terms."""
    g = Graph().parse(data_path("geo.ttl"))
    ns = str(GEO._NS)
    defined = {str(s)[len(ns):] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}
    used = {str(o)[len(ns):] for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(ns)}
    in_python = set(GEO.__annotations__)
    assert defined == in_python
    assert used <= defined, f"used but not defined: {used - defined}"
    with pytest.raises(AttributeError):
        GEO.notATerm  # noqa: B018


def test_the_one_prefix_table_names_the_namespaces_rdflib_and_the_ontology_use():
    from rdflib.namespace import DCTERMS, OWL, RDFS, SDO, SKOS, XSD

    from kg import iris
    from kg.rdfio.prefixes import PREFIXES, prefix_lines

    assert PREFIXES == {
        "gkg": str(GEO._NS), "rdfs": str(RDFS), "owl": str(OWL), "skos": str(SKOS),
        "xsd": str(XSD), "wd": iris.WIKIDATA, "cameo": iris.CAMEO, "dcterms": str(DCTERMS),
        "schema": str(SDO),
    }
    assert prefix_lines("gkg", "rdfs") == (
        f"PREFIX gkg: <{GEO._NS}>\nPREFIX rdfs: <{RDFS}>\n"
    )


def test_relation_scheme_has_cameo_and_plover():
    g = Graph().parse(data_path("geo.ttl"))
    for rel in (GEO.meets, GEO.warns, GEO.supports, GEO.demands):
        notations = {(str(o), o.datatype) for o in g.objects(rel, SKOS.notation)}
        assert any(dt == GEO.CAMEOCode for _, dt in notations), rel
        assert any(dt == GEO.PLOVERCategory for _, dt in notations), rel
        assert (rel, SKOS.inScheme, GEO.RelationTypes) in g
    assert (GEO.meets, RDF.type, OWL.SymmetricProperty) in g


EXPECTED_SAMPLE = """
@prefix gkg: <https://w3id.org/geokg/ontology#> .
@prefix id: <https://w3id.org/geokg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def test_statement_triples_and_direct_edges(sample_dataset):
    g = union_graph(sample_dataset)
    scholz, macron = iris.actor("person/olaf-scholz"), iris.actor("person/emmanuel-macron")
    ru, ua = iris.actor("state/ru"), iris.actor("state/ua")
    # asserted meets: written in both directions (symmetric, materialised)
    assert (scholz, GEO.meets, macron) in g and (macron, GEO.meets, scholz) in g
    # negated meets: statement node only, no direct edge in any direction
    assert (ru, GEO.meets, ua) not in g and (ua, GEO.meets, ru) not in g
    negated = list(g.subjects(GEO.modality, GEO.Negated))
    assert len(negated) == 1 and (negated[0], GEO.agent, ru) in g
    # warns without target: no direct edge at all
    assert not list(g.triples((iris.actor("person/jan-novak"), GEO.warns, None)))
    # labels carry language tags; no blank nodes
    assert Literal("Olaf Scholz", lang="de") in set(g.objects(scholz, RDFS.label))
    assert not any(isinstance(t, BNode) for triple in g for t in triple)
    assert (scholz, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q61053")) in g


def test_statement_node_is_isomorphic_to_expected(sample_result):
    """The warns statement alone, compared by graph isomorphism to hand-written Turtle."""
    st = sample_result.statements[2]
    from kg.rdfio.rdf import statement_triples

    got = Graph()
    for t in statement_triples(st):
        got.add(t)
    node = iris.statement(st.doc_id, st.relation, st.agent, st.target, st.start, st.end, st.modality)
    expected = Graph().parse(data=EXPECTED_SAMPLE + f"""
<{node}> a gkg:Statement ;
    gkg:relation gkg:warns ;
    gkg:agent <https://w3id.org/geokg/id/person/jan-novak> ;
    gkg:modality gkg:Asserted ;
    gkg:confidence 0.85 ;
    gkg:trigger "warnte"@de ;
    gkg:document <https://w3id.org/geokg/id/doc/sample> ;
    gkg:evidence <https://w3id.org/geokg/id/doc/sample/sentence/3> ;
    gkg:beginIndex {st.start} ;
    gkg:endIndex {st.end} .
""", format="turtle")
    assert isomorphic(got, expected)


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nt", "nquads"])
def test_serialisation_is_byte_identical(fmt):
    from conftest import make_sample_result

    a = serialize(build_dataset([make_sample_result()]), fmt)
    b = serialize(build_dataset([make_sample_result()]), fmt)
    assert a == b and a


def test_every_iri_in_output_is_valid(sample_dataset):
    for s, p, o, c in sample_dataset.quads((None, None, None, None)):
        for term in (s, p, o, c):
            if isinstance(term, URIRef):
                text = str(term)
                assert re.match(r"^[a-z]+://[^\s<>\"{}|\\^`]+$", text), text


def test_statement_record_rejects_bad_values():
    with pytest.raises(ValueError):
        Statement("hits", "state/ru", None, "asserted", 0.5, "d", 1, 0, 1, "x")
    with pytest.raises(ValueError):
        Statement("meets", "state/ru", None, "maybe", 0.5, "d", 1, 0, 1, "x")
    with pytest.raises(ValueError):
        Statement("meets", "state/ru", None, "asserted", 1.5, "d", 1, 0, 1, "x")
