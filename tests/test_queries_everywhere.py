"""Every documented query (questions/, README.md, docs/STORES.md, the endpoint page) declares
its PREFIX lines and runs unchanged in rdflib, pyoxigraph, an Oxigraph server and Virtuoso,
with rows on the seed graph. No engine's predeclared prefixes are relied on: rdflib binds
`geo:` to GeoSPARQL and Virtuoso to WGS84, which is why kg's prefix is `gkg:`."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest
from servers import ROOT, oxigraph_server, virtuoso_server  # noqa: F401

from kg.rdfio.query import _PREFIX_DECL_RE, _TOKEN_RE, unknown_terms


def _doc_queries(path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    found = []
    # kg query [GRAPH] '…' and curl --data-urlencode 'query=…'
    for match in re.finditer(r"kg query(?:\s+[^\s']+)?\s+'([^']+)'|--data-urlencode\s+'query=([^']+)'", text):
        query = match.group(1) or match.group(2)
        if re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", query):
            found.append((f"{path.name}: {query[:50]}", query))
    return found


def all_queries() -> list[tuple[str, str]]:
    from kg.rdfio.server import EXAMPLE_QUERIES

    queries = [(f"questions/{p.name}", p.read_text(encoding="utf-8")) for p in sorted((ROOT / "questions").glob("*.rq"))]
    queries += [(f"endpoint page: {title}", query) for title, query in EXAMPLE_QUERIES]
    queries += _doc_queries(ROOT / "README.md") + _doc_queries(ROOT / "docs" / "STORES.md")
    return queries


QUERIES = all_queries()
IDS = [name for name, _ in QUERIES]


def test_there_are_queries_from_every_source():
    sources = {name.split(":")[0].split("/")[0] for name in IDS}
    assert {"questions", "endpoint page", "README.md", "STORES.md"} <= sources, sources


@pytest.mark.parametrize("query", [q for _, q in QUERIES], ids=IDS)
def test_every_prefix_used_is_declared_and_every_term_exists(query):
    declared = {m.group(1) or "" for m in _PREFIX_DECL_RE.finditer(query)}
    used = {m.group(2) or "" for m in _TOKEN_RE.finditer(query) if m.group(3) is not None}
    assert used <= declared, f"undeclared prefixes: {sorted(used - declared)}"
    assert unknown_terms(query) == []


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory):
    base = tmp_path_factory.mktemp("queries")
    out = base / "out"
    # The seeds have one pair that meets; a second meeting gives the two-hop example its rows.
    extra = base / "extra"
    extra.mkdir()
    (extra / "peking.txt").write_text("Wladimir Putin traf Xi Jinping am Montag in Peking.\n", encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "kg", "build", str(ROOT / "seeds"), str(extra), "-o", str(out),
                            "--no-html",
                            "-q", "-f", "turtle", "-f", "trig", "-f", "nquads"],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return out


def _rdflib_rows(out, query: str) -> int:
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    ds.parse(out / "graph.trig", format="trig")
    # That each query declares its prefixes is checked statically above.
    return len(list(ds.query(query)))


def _pyoxigraph_rows(out, query: str) -> int:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    # The merged graph as default graph, as kg's own store has it (each triple once).
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return len(list(store.query(query)))  # no prefixes passed: only the query's own


def _http_rows(url: str, query: str) -> int:
    response = httpx.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                          timeout=120)
    assert response.status_code == 200, response.text[:500]
    return len(response.json()["results"]["bindings"])


@pytest.mark.slow
@pytest.mark.parametrize("query", [q for _, q in QUERIES], ids=IDS)
def test_query_gives_rows_in_rdflib_and_pyoxigraph(seed_graph, query):
    rows = _pyoxigraph_rows(seed_graph, query)
    assert rows > 0
    assert _rdflib_rows(seed_graph, query) == rows


@pytest.fixture(scope="module")
def oxigraph_loaded(oxigraph_server, seed_graph):  # noqa: F811
    """The merged graph (graph.ttl) as the server's default graph, the documents as named graphs."""
    response = httpx.post(oxigraph_server.update_url, content=b"DROP ALL",
                          headers={"Content-Type": "application/sparql-update"})
    assert response.status_code in (200, 204), response.text
    response = httpx.post(oxigraph_server.store_url + "?default", content=(seed_graph / "graph.ttl").read_bytes(),
                          headers={"Content-Type": "text/turtle"}, timeout=120)
    assert response.status_code in (200, 201, 204), response.text
    # And the document graphs (graph.nq), for the queries that use GRAPH ?g.
    response = httpx.post(oxigraph_server.store_url, content=(seed_graph / "graph.nq").read_bytes(),
                          headers={"Content-Type": "application/n-quads"}, timeout=120)
    assert response.status_code in (200, 201, 204), response.text
    return oxigraph_server


@pytest.mark.slow
@pytest.mark.parametrize("query", [q for _, q in QUERIES], ids=IDS)
def test_query_gives_the_same_rows_on_an_oxigraph_server(oxigraph_loaded, seed_graph, query):
    assert _http_rows(oxigraph_loaded.query_url, query) == _pyoxigraph_rows(seed_graph, query) > 0


GRAPH = "https://example.org/kg-queries-everywhere"


@pytest.fixture(scope="module")
def virtuoso_loaded(virtuoso_server, seed_graph):  # noqa: F811
    response = httpx.put(virtuoso_server.gsp_url, params={"graph": GRAPH},
                         content=(seed_graph / "graph.ttl").read_bytes(), headers={"Content-Type": "text/turtle"},
                         auth=httpx.DigestAuth("dba", "dba"), timeout=120)
    assert response.status_code in (200, 201, 204), response.text
    return virtuoso_server


@pytest.mark.slow
@pytest.mark.parametrize("query", [q for _, q in QUERIES], ids=IDS)
def test_query_gives_rows_on_virtuoso(virtuoso_loaded, query):
    # Virtuoso's default graph is the union of all its graphs (other tests' graphs too), and it
    # predeclares geo: as WGS84: rows here prove the query carries its own prefixes.
    assert _http_rows(virtuoso_loaded.query_url, query) > 0
