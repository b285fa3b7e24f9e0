"""`kg serve` from standard SPARQL clients: SPARQLWrapper, rdflib's SPARQLStore, YASGUI's request shapes,
plus content negotiation, the Service Description and the Graph Store Protocol (real server process)."""

from __future__ import annotations

import io

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from test_serve import KgServe, make_store

from kg import iris
from kg.rdfio.store import GraphStore

pytestmark = pytest.mark.slow

GKG = "https://w3id.org/geokg/ontology#"
MEETS = f"CONSTRUCT {{ ?a <{GKG}meets> ?b }} WHERE {{ ?a <{GKG}meets> ?b }}"
SCHOLZ = iris.actor("person/olaf-scholz")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ONTOLOGY = "https://w3id.org/geokg/ontology"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("clients") / "store")


@pytest.fixture(scope="module")
def server(store_dir):
    with KgServe(store_dir, "--quiet", "--cors-origin", "*") as running:
        yield running


@pytest.fixture(scope="module")
def local(store_dir):
    return GraphStore.open(store_dir, read_only=True)


def local_graph(local, query: str) -> Graph:
    graph = Graph()
    data = local.query(query).serialize(format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def _select_key(rows) -> list:
    return sorted(tuple(str(v) for v in row) for row in rows)


# --- SPARQLWrapper -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_and_ask(server, local, method):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    query = f"SELECT ?a ?b WHERE {{ ?a <{GKG}meets> ?b }}"
    client = SPARQLWrapper(server.url)
    if method == "POST":
        client.setMethod(POST)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    got = sorted((b["a"]["value"], b["b"]["value"]) for b in data["results"]["bindings"])
    want = sorted((s["a"].value, s["b"].value) for s in local.query(query))
    assert got == want and got
    client.setQuery(f"ASK {{ <{SCHOLZ}> <{GKG}meets> ?x }}")
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("return_format", ["default", "turtle", "n3", "jsonld", "xml"])
@pytest.mark.parametrize("kind", ["construct", "describe"])
def test_sparqlwrapper_construct_and_describe(server, local, return_format, kind):
    """SPARQLWrapper's default CONSTRUCT asks for RDF/XML (406 before); every format it offers works."""
    from SPARQLWrapper import JSONLD, N3, TURTLE, XML, SPARQLWrapper

    query = MEETS if kind == "construct" else f"DESCRIBE <{SCHOLZ}>"
    client = SPARQLWrapper(server.url)
    client.setQuery(query)
    formats = {"turtle": TURTLE, "n3": N3, "jsonld": JSONLD, "xml": XML}
    if return_format != "default":
        client.setReturnFormat(formats[return_format])
    result = client.query()
    assert result.response.status == 200
    graph = result.convert()
    if isinstance(graph, bytes):  # SPARQLWrapper hands Turtle / N3 over as bytes
        graph = Graph().parse(data=graph.decode("utf-8"), format="turtle")
    assert isinstance(graph, Graph) and len(graph) > 0
    assert isomorphic(graph, local_graph(local, query))


# --- rdflib SPARQLStore --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(server, local, method):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server.url, method=method)
    graph = Graph(store=store)
    select = f"SELECT ?a ?b WHERE {{ ?a <{GKG}meets> ?b }}"
    assert _select_key(graph.query(select)) == _select_key(
        [(s["a"].value, s["b"].value) for s in local.query(select)])
    constructed = graph.query(MEETS).graph
    assert isomorphic(constructed, local_graph(local, MEETS)) and len(constructed) > 0
    described = graph.query(f"DESCRIBE <{SCHOLZ}>").graph
    assert isomorphic(described, local_graph(local, f"DESCRIBE <{SCHOLZ}>"))
    assert graph.query(f"ASK {{ <{SCHOLZ}> ?p ?o }}").askAnswer is True
    labels = {o for o in graph.objects(URIRef(SCHOLZ), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert Literal("Olaf Scholz", lang="de") in labels


# --- YASGUI ---------------------------------------------------------------------------------


def test_yasgui_request_shapes(server, local):
    """What YASGUI (Yasqe) sends from another origin: a preflight, then a urlencoded POST."""
    origin = "https://yasgui.triply.cc"
    preflight = httpx.options(server.url, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    select = f"SELECT ?a ?b WHERE {{ ?a <{GKG}meets> ?b }}"
    response = httpx.post(server.url, content=httpx.QueryParams({"query": select}).__str__().encode(),
                          headers={"Origin": origin,
                                   "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                   "Accept": "application/sparql-results+json,*/*;q=0.9"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/sparql-results+json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert len(response.json()["results"]["bindings"]) == len(list(local.query(select)))
    construct = httpx.post(server.url, data={"query": MEETS},
                           headers={"Origin": origin, "Accept": "text/turtle,*/*;q=0.9"})
    assert construct.status_code == 200 and construct.headers["content-type"].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=construct.text, format="turtle"), local_graph(local, MEETS))
    via_get = httpx.get(server.url, params={"query": select},
                        headers={"Origin": origin, "Accept": "application/sparql-results+json,*/*;q=0.9"})
    assert via_get.json() == response.json()


# --- content negotiation, paths, service description, graph store ---------------------------


@pytest.mark.parametrize(("accept", "content_type", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/rdf+xml;q=0.5, application/ld+json", "application/ld+json", "json-ld"),
])
@pytest.mark.parametrize("path", ["/sparql", "/query"])
def test_construct_in_every_rdf_format(server, local, accept, content_type, rdflib_format, path):
    response = httpx.get(server.base + path, params={"query": MEETS}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(content_type)
    if rdflib_format in ("trig", "nquads"):
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=response.text, format=rdflib_format)
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        graph = Graph().parse(data=response.text, format=rdflib_format)
    assert len(graph) > 0 and isomorphic(graph, local_graph(local, MEETS))


def test_service_description(server, local):
    response = httpx.get(server.url, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(server.url)
    assert (service, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # read-only
    names = set(graph.objects(None, SD.name))
    want = {URIRef(g.value) for g in local.oxigraph.named_graphs()} | {URIRef(ONTOLOGY)}
    assert names == want
    page = httpx.get(server.url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_the_ontology_is_a_named_graph(server):
    query = (f"ASK {{ GRAPH <{ONTOLOGY}> {{ <{ONTOLOGY}> a <http://www.w3.org/2002/07/owl#Ontology> . "
             f"<{GKG}meets> ?p ?o }} }}")
    assert httpx.get(server.url, params={"query": query}).json()["boolean"] is True
    # ... and only a named graph: the default graph stays the merge of the documents.
    default = f"ASK {{ <{ONTOLOGY}> a <http://www.w3.org/2002/07/owl#Ontology> }}"
    assert httpx.get(server.url, params={"query": default}).json()["boolean"] is False


def test_graph_store_protocol_read(server, local):
    document = str(iris.document("sample"))
    response = httpx.get(server.base + "/store", params={"graph": document}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    want = local_graph(local, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{document}> {{ ?s ?p ?o }} }}")
    assert isomorphic(Graph().parse(data=response.text, format="turtle"), want) and len(want) > 0
    quads = httpx.get(server.base + "/store", params={"graph": document}, headers={"Accept": "application/n-quads"})
    assert {q.graph_name.value for q in ox.parse(quads.content, ox.RdfFormat.N_QUADS)} == {document}
    default = httpx.get(server.base + "/store?default", headers={"Accept": "application/n-triples"})
    assert isomorphic(Graph().parse(data=default.text, format="nt"),
                      local_graph(local, "CONSTRUCT WHERE { ?s ?p ?o }"))
    ontology = httpx.get(server.base + "/store", params={"graph": ONTOLOGY})
    assert ontology.status_code == 200 and "owl:Ontology" in ontology.text
    head = httpx.head(server.base + "/store", params={"graph": document})
    assert head.status_code == 200 and head.content == b""
    for params, status in [({"graph": "https://example.org/none"}, 404), ({}, 400), ({"graph": "not an iri"}, 400)]:
        answer = httpx.get(server.base + "/store", params=params)
        assert answer.status_code == status and answer.headers["content-type"].startswith("text/plain")
    assert httpx.post(server.base + "/store?default", content=b"x").status_code == 405


def test_results_parse_in_rdflib_as_sent(server, local):
    """SELECT results in XML from /query: rdflib's parser reads them back to the same rows."""
    from rdflib.query import Result

    select = f"SELECT ?a ?b WHERE {{ ?a <{GKG}meets> ?b }}"
    response = httpx.post(server.base + "/query", data={"query": select},
                          headers={"Accept": "application/sparql-results+xml"})
    parsed = Result.parse(io.BytesIO(response.content), format="xml")
    assert _select_key(parsed) == _select_key([(s["a"].value, s["b"].value) for s in local.query(select)])
