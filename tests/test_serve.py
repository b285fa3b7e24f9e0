"""`kg serve`, driven over HTTP by a real client (httpx) against a real server process."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import make_sample_result
from rdflib.query import Result
from servers import json_term_key, make_hostile_result, ox_term_key, term_key

from kg import iris
from kg.rdfio.rdf import document_triples
from kg.rdfio.server import EXAMPLE_QUERIES
from kg.rdfio.store import GraphStore

pytestmark = pytest.mark.slow  # every test here talks to a real `kg serve` process

ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class KgServe:
    """`kg serve --port 0 …` as a child process; the URL is read from its first line."""

    def __init__(self, store: Path, *args: str) -> None:
        self.args = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0", *args]
        self.log: list[str] = []

    def __enter__(self) -> KgServe:
        self.process = subprocess.Popen(self.args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, text=True, encoding="utf-8")
        ready = threading.Event()

        def drain() -> None:
            for line in self.process.stderr:
                self.log.append(line)
                if "SPARQL endpoint" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(60) or self.process.poll() is not None:
            self.__exit__()
            raise RuntimeError("kg serve did not start:\n" + "".join(self.log))
        match = re.search(r"http://(\S+?)/sparql", "".join(self.log))
        self.base = "http://" + match.group(1)
        self.url = self.base + "/sparql"
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def make_store(directory: Path) -> Path:
    with GraphStore.open(directory) as store:
        for result in (make_sample_result(), make_hostile_result()):
            store.put_document(result.doc_id, "h", document_triples(result))
    return directory


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(store_dir):
    with KgServe(store_dir, "--quiet", "--cors-origin", "https://yasgui.example") as running:
        yield running


@pytest.fixture(scope="module")
def local(store_dir):
    return GraphStore.open(store_dir, read_only=True)


def local_rows(local, query: str, numbers_by_value: bool = False) -> list[tuple]:
    result = local.query(query)
    names = [v.value for v in result.variables]
    return sorted(tuple(ox_term_key(s[n], numbers_by_value) if s[n] is not None else None for n in names)
                  for s in result)


def test_binds_to_loopback_by_default(server):
    assert server.base.startswith("http://127.0.0.1:")


def test_select_in_every_result_format(server, local):
    want = local_rows(local, ALL)
    assert len(want) > 300  # sample + hostile document, each triple once (merged default graph)

    body = httpx.get(server.url, params={"query": ALL}, headers={"Accept": "application/sparql-results+json"})
    assert body.status_code == 200 and body.headers["content-type"] == "application/sparql-results+json"
    data = body.json()
    assert data["head"]["vars"] == ["s", "p", "o"]
    assert sorted(tuple(json_term_key(b[v]) for v in "spo") for b in data["results"]["bindings"]) == want

    xml = httpx.post(server.url, data={"query": ALL}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.status_code == 200 and xml.headers["content-type"] == "application/sparql-results+xml"
    parsed = Result.parse(io.BytesIO(xml.content), format="xml")
    assert sorted(tuple(_rdflib_key(row[v]) for v in ("s", "p", "o")) for row in parsed) == want

    tsv = httpx.post(server.url, content=ALL.encode(), headers={"Content-Type": "application/sparql-query",
                                                                  "Accept": "text/tab-separated-values"})
    assert tsv.status_code == 200 and tsv.headers["content-type"].startswith("text/tab-separated-values")
    solutions = ox.parse_query_results(tsv.content, ox.QueryResultsFormat.TSV)
    assert sorted(tuple(ox_term_key(s[v]) for v in "spo") for s in solutions) == want

    csv_body = httpx.get(server.url, params={"query": ALL}, headers={"Accept": "text/csv"})
    assert csv_body.status_code == 200 and csv_body.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_body.content.decode("utf-8"), newline="")))
    assert rows[0] == ["s", "p", "o"]
    assert sorted(tuple(r) for r in rows[1:]) == sorted(tuple(k[1] for k in row) for row in want)


def _rdflib_key(term) -> tuple:
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return term_key("uri", str(term))
    assert isinstance(term, Literal)
    return term_key("literal", str(term), term.language, str(term.datatype) if term.datatype else None)


def test_hostile_strings_arrive_intact(server):
    query = "SELECT ?label WHERE { ?a rdfs:label ?label }"
    for accept in ("application/sparql-results+json", "application/sparql-results+xml"):
        response = httpx.get(server.url, params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        if "json" in accept:
            labels = {b["label"]["value"] for b in response.json()["results"]["bindings"]}
        else:
            labels = {str(row["label"]) for row in Result.parse(io.BytesIO(response.content), format="xml")}
        assert "Zeile1\nZeile2\r\nZeile3\tTab\u2028LS\u0085NEL" in labels, accept
        assert '<script>alert("kg")</script>' in labels and "محمد بن سلمان" in labels


def test_get_and_both_posts_agree(server):
    query = EXAMPLE_QUERIES[0][1]
    answers = [
        httpx.get(server.url, params={"query": query}),
        httpx.post(server.url, data={"query": query}),
        httpx.post(server.url, content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["results"]["bindings"]


def test_construct_and_describe_by_content_negotiation(server, local):
    query = "CONSTRUCT { ?a gkg:meets ?b } WHERE { ?a gkg:meets ?b }"
    want = {tuple(str(t) for t in (x.subject, x.predicate, x.object)) for x in local.query(query)}
    assert want
    for accept, fmt, content_type in [("text/turtle", ox.RdfFormat.TURTLE, "text/turtle"),
                                      ("application/n-triples", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
                                      ("*/*", ox.RdfFormat.TURTLE, "text/turtle")]:
        response = httpx.get(server.url, params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["content-type"].startswith(content_type)
        got = {tuple(str(t) for t in (q.subject, q.predicate, q.object)) for q in ox.parse(response.content, fmt)}
        assert got == want
    scholz = iris.actor("person/olaf-scholz")
    described = httpx.get(server.url, params={"query": f"DESCRIBE <{scholz}>"}, headers={"Accept": "text/turtle"})
    assert described.status_code == 200
    assert any(q.predicate.value.endswith("#label") for q in ox.parse(described.content, ox.RdfFormat.TURTLE))
    wrong = httpx.get(server.url, params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert wrong.status_code == 406


def test_ask(server):
    for query, value in [("ASK { ?s gkg:modality gkg:Negated }", True), ("ASK { ?s gkg:modality gkg:Nope }", False)]:
        response = httpx.get(server.url, params={"query": query})
        assert response.status_code == 200 and response.json() == {"head": {}, "boolean": value}
        xml = httpx.get(server.url, params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
        assert Result.parse(io.BytesIO(xml.content), format="xml").askAnswer is value


def test_updates_are_refused_by_default(server, local):
    before = local_rows(local, ALL)
    update = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> 1 } }"
    for response in (
        httpx.post(server.url, content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        httpx.post(server.url, data={"update": update}),
        httpx.get(server.url, params={"update": update}),
    ):
        assert response.status_code == 403 and "read-only" in response.text
    after = httpx.get(server.url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert int(after["results"]["bindings"][0]["n"]["value"]) == len(before)


def test_updates_with_allow_update_are_saved(tmp_path):
    store = make_store(tmp_path / "store")
    graph = iris.document("extra")
    with KgServe(store, "--allow-update", "--quiet") as running:
        update = (f"INSERT DATA {{ GRAPH <{graph}> {{ <https://example.org/a> "
                  "<http://www.w3.org/2000/01/rdf-schema#label> \"neu\"@de } }")
        response = httpx.post(running.url, content=update.encode(),
                              headers={"Content-Type": "application/sparql-update"})
        assert response.status_code == 204, response.text
        # Visible in the merged default graph and in its named graph.
        ask = httpx.get(running.url, params={"query": "ASK { <https://example.org/a> rdfs:label 'neu'@de }"})
        assert ask.json()["boolean"] is True
        # The default graph is the merge of the named graphs: writes straight into it are not kept.
        response = httpx.post(running.url, content=b"INSERT DATA { <https://example.org/x> <https://example.org/y> 1 }",
                              headers={"Content-Type": "application/sparql-update"})
        assert response.status_code == 204
        gone = httpx.get(running.url, params={"query": "ASK { <https://example.org/x> ?p ?o }"})
        assert gone.json()["boolean"] is False
        bad = httpx.post(running.url, content=b"INSERT DATA {", headers={"Content-Type": "application/sparql-update"})
        assert bad.status_code == 400 and "invalid SPARQL update" in bad.text
        # The store is locked for writing while the server runs.
        with pytest.raises(Exception, match="in use"):
            GraphStore.open(store)
    reopened = GraphStore.open(store, read_only=True)
    assert bool(reopened.query(f"ASK {{ GRAPH <{graph}> {{ <https://example.org/a> rdfs:label 'neu'@de }} }}"))


def test_cors_only_for_listed_origins(server):
    """--cors-origin lists who may read results from a browser; any other page gets no CORS header."""
    preflight = httpx.options(server.url, headers={"Origin": "https://yasgui.example",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://yasgui.example"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    response = httpx.get(server.url, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["access-control-allow-origin"] == "https://yasgui.example"
    other = httpx.get(server.url, params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers


def test_html_page_and_its_example_queries(server):
    page = httpx.get(server.base + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = page.text
    assert '<textarea id="query"' in text and 'id="run"' in text
    for title, query in EXAMPLE_QUERIES:
        assert f">{title}</button>" in text
        # Queries sit in attributes, escaped: no raw '<' or '"' from the query text.
        assert query.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") \
            .replace("'", "&#x27;") in text
        response = httpx.post(server.url, data={"query": query})
        assert response.status_code == 200, (title, response.text)
        assert "results" in response.json()
    assert "innerHTML" not in text  # results are written with textContent only


def test_errors_are_clear(server):
    cases = [
        (httpx.get(server.url, params={"query": "SELECT WHERE {"}), 400, "invalid SPARQL"),
        (httpx.post(server.url, data={"format": "json"}), 400, "missing query"),
        (httpx.get(server.url, params={"query": "ASK {}"}, headers={"Accept": "image/png"}), 406, "cannot answer"),
        (httpx.get(server.base + "/nothing"), 404, "not found"),
        (httpx.post(server.url, content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415, "Content-Type"),
        (httpx.get(server.url, params={"query": "ASK {}", "default-graph-uri": "not an iri"}), 400, "invalid"),
        (httpx.get(server.url, params={"query": "ASK {}", "named-graph-uri": "urn:a>"}), 400, "invalid graph IRI"),
        (httpx.get(server.base + "/store", params={"graph": "http://x/ y"}), 400, "invalid graph IRI"),
    ]
    for response, status, message in cases:
        assert response.status_code == status and message in response.text, (status, response.text)


def test_unknown_ontology_terms_get_a_warning_header(server):
    """Like `kg query`: the query runs (0 rows, as SPARQL says) and the answer names the typo."""
    typo = httpx.get(server.url, params={"query": "SELECT ?a WHERE { ?a gkg:meetz ?b ; gkg:trifftü ?c }"})
    assert typo.status_code == 200 and typo.json()["results"]["bindings"] == []
    warning = typo.headers["x-kg-warning"]
    assert "gkg:meetz (did you mean gkg:meets?)" in warning and "gkg:trifft\\xfc" in warning
    fine = httpx.get(server.url, params={"query": "SELECT ?a WHERE { ?a gkg:meets ?b }"})
    assert fine.status_code == 200 and "x-kg-warning" not in fine.headers
    exposed = httpx.get(server.url, params={"query": "ASK { ?a gkg:meetz ?b }"},
                        headers={"Origin": "https://yasgui.example"})
    assert "X-Kg-Warning" in exposed.headers["access-control-expose-headers"]


def test_dataset_parameters(server, local):
    graph = iris.document("sample")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = httpx.get(server.url, params={"query": query, "default-graph-uri": str(graph)})
    expected = len(list(local.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))))
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == expected


def test_result_size_limit(store_dir):
    """Past --max-rows the answer is cut there, usable, and says so (X-SPARQL-MaxRows), never a 500."""
    with KgServe(store_dir, "--max-rows", "5", "--quiet") as running:
        too_big = httpx.get(running.url, params={"query": ALL})
        assert too_big.status_code == 200 and len(too_big.json()["results"]["bindings"]) == 5
        assert too_big.headers["x-sparql-maxrows"] == "5" and too_big.headers["x-kg-result-truncated"] == "true"
        fits = httpx.get(running.url, params={"query": ALL + " LIMIT 5"})
        assert fits.status_code == 200 and len(fits.json()["results"]["bindings"]) == 5
        assert "x-sparql-maxrows" not in fits.headers
        construct = httpx.get(running.url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                              headers={"Accept": "application/n-triples"})
        assert construct.status_code == 200 and construct.headers["x-sparql-maxrows"] == "5"
        assert len(list(ox.parse(construct.content, ox.RdfFormat.N_TRIPLES))) == 5


def test_timeout_while_other_clients_are_served(store_dir):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with KgServe(store_dir, "--timeout", "3", "--quiet") as running:
        with ThreadPoolExecutor(max_workers=4) as pool:
            started = time.monotonic()
            slow_answer = pool.submit(httpx.get, running.url, params={"query": slow}, timeout=30)
            time.sleep(0.3)
            fast = [pool.submit(httpx.get, running.url, params={"query": "ASK { ?s a gkg:Statement }"}, timeout=30)
                    for _ in range(3)]
            for future in fast:
                response = future.result()
                assert response.status_code == 200 and response.json()["boolean"] is True
            assert not slow_answer.done()  # the fast ones were not stuck behind the slow query
            response = slow_answer.result()
            elapsed = time.monotonic() - started
        assert response.status_code == 503 and "timed out after 3 s" in response.text
        assert 2.9 < elapsed < 10


def test_concurrent_clients(server, local):
    want = local_rows(local, ALL)

    def client(n: int) -> list:
        with httpx.Client(timeout=30) as session:
            answers = []
            for i in range(5):
                if (n + i) % 2:
                    response = session.get(server.url, params={"query": ALL})
                else:
                    response = session.post(server.url, data={"query": ALL})
                assert response.status_code == 200
                answers.append(sorted(tuple(json_term_key(b[v]) for v in "spo")
                                      for b in response.json()["results"]["bindings"]))
            return answers

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(client, range(12)))
    assert all(answer == want for answers in results for answer in answers)


def test_picks_up_new_builds(tmp_path):
    store = tmp_path / "store"
    with GraphStore.open(store) as graph_store:
        graph_store.put_document("sample", "h", document_triples(make_sample_result()))
    with KgServe(store, "--quiet") as running:
        count = ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                 "FILTER(?g != <https://w3id.org/geokg/ontology>) }")

        def graphs() -> int:
            return int(httpx.get(running.url, params={"query": count}).json()["results"]["bindings"][0]["n"]["value"])

        assert graphs() == 1
        with GraphStore.open(store) as graph_store:  # a build while serving: allowed (read-only server)
            result = make_hostile_result()
            graph_store.put_document(result.doc_id, "h", document_triples(result))
        deadline = time.monotonic() + 15
        while graphs() != 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert graphs() == 2


def test_serve_errors_are_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"kg: error: {tmp_path / 'none'}: no kg store here "
                                                  f"(run `kg build … --store {tmp_path / 'none'}` first)"]
    store = make_store(tmp_path / "store")
    with KgServe(store, "--quiet") as running:
        port = running.base.rsplit(":", 1)[1]
        busy = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", port],
                              capture_output=True, text=True, timeout=60)
        assert busy.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
        assert len(busy.stderr.strip().splitlines()) == 1
    shutil.rmtree(store)
