"""`kg push` into a real Oxigraph server (PyPI oxigraph) on 127.0.0.1, checked by SPARQL over HTTP."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import make_sample_result
from servers import local_graph_statements, make_hostile_result, oxigraph_server, remote_graph_statements  # noqa: F401

from kg import iris
from kg.rdfio.rdf import build_dataset, document_triples
from kg.rdfio.serialize import write
from kg.rdfio.store import GraphStore

# Triples per test document, counted rather than written down: the RDF layer grows.
SAMPLE_TRIPLES = len(set(document_triples(make_sample_result())))
HOSTILE_TRIPLES = len(set(document_triples(make_hostile_result())))


def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300, env=env)


def make_store(directory: Path, results) -> GraphStore:
    with GraphStore.open(directory) as store:
        for result in results:
            store.put_document(result.doc_id, "h", document_triples(result))
    return GraphStore.open(directory, read_only=True)


@pytest.fixture
def server(oxigraph_server):  # noqa: F811
    """The session's Oxigraph server, emptied for each test."""
    response = httpx.post(oxigraph_server.update_url, content=b"DROP ALL",
                          headers={"Content-Type": "application/sparql-update"})
    assert response.status_code in (200, 204), response.text
    return oxigraph_server


def assert_same_statements(server, store: GraphStore) -> None:
    local = store.to_dataset()
    graphs = sorted(str(g.identifier) for g in local.graphs() if str(g.identifier).startswith(iris.DATA))
    assert graphs
    for graph in graphs:
        remote = remote_graph_statements(server.query_url, graph)
        assert remote == local_graph_statements(store.oxigraph, graph), graph
    listed = httpx.post(server.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "application/sparql-results+json"}).json()
    assert sorted(b["g"]["value"] for b in listed["results"]["bindings"]) == graphs


def test_push_one_graph_per_document_and_verify(server, tmp_path):
    store = make_store(tmp_path / "store", [make_sample_result(), make_hostile_result()])
    result = kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.store_url,
                "--verify", server.query_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (f"pushed 2 graphs, {SAMPLE_TRIPLES + HOSTILE_TRIPLES} triples, in 2 requests "
                                     "via Graph Store Protocol, verified")
    assert_same_statements(server, store)


def test_chunked_push_and_replacing_a_changed_document(server, tmp_path):
    store = make_store(tmp_path / "store", [make_sample_result(), make_hostile_result()])
    result = kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.store_url, "--chunk-size", "7",
                "--quiet")
    assert result.returncode == 0, result.stderr
    requests = -(-HOSTILE_TRIPLES // 7) - (-SAMPLE_TRIPLES // 7)  # ceil(hostile / 7) + ceil(sample / 7)
    assert f"in {requests} requests" in result.stdout
    assert_same_statements(server, store)
    # Re-building a document replaces its graph remotely too: nothing of the old version stays.
    sample = make_sample_result()
    with GraphStore.open(tmp_path / "store") as writable:
        writable.put_document("sample", "h2", document_triples(replace(sample, statements=sample.statements[2:])))
    store = GraphStore.open(tmp_path / "store", read_only=True)
    assert kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.store_url, "--chunk-size", "7",
              "--quiet").returncode == 0
    assert_same_statements(server, store)


def test_sparql_update_protocol_and_automatic_fallback(server, tmp_path):
    store = make_store(tmp_path / "store", [make_sample_result(), make_hostile_result()])
    result = kg("push", "--store", str(tmp_path / "store"), "--protocol", "update",
                "--update-endpoint", server.update_url, "--chunk-size", "100", "--verify", server.query_url)
    assert result.returncode == 0, result.stderr
    assert "via SPARQL Update, verified" in result.stdout
    assert_same_statements(server, store)
    httpx.post(server.update_url, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    # No Graph Store endpoint at this URL (404): the push falls back to SPARQL Update.
    result = kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.base + "/no-such-endpoint",
                "--update-endpoint", server.update_url)
    assert result.returncode == 0, result.stderr
    assert "via SPARQL Update" in result.stdout
    assert_same_statements(server, store)


def test_a_file_into_one_graph(server, tmp_path):
    path = write(build_dataset([make_sample_result(), make_hostile_result()]), tmp_path / "graph.ttl")
    target = "https://example.org/kg/all"
    refused = kg("push", str(path), "--endpoint", server.store_url)
    assert refused.returncode == 1 and "give --graph IRI" in refused.stderr
    for bad in ("not an iri", "https://example.org/a b", "https://example.org/<x>"):
        result = kg("push", str(path), "--endpoint", server.store_url, "--graph", bad)
        assert result.returncode == 1 and "invalid graph IRI" in result.stderr
    result = kg("push", str(path), "--endpoint", server.store_url, "--graph", target, "--verify", server.query_url)
    assert result.returncode == 0, result.stderr
    import pyoxigraph as ox

    local = ox.Store()
    local.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(target))
    assert remote_graph_statements(server.query_url, target) == local_graph_statements(local, target)


class FailAfter:
    """A forwarding proxy in front of the real Oxigraph server that fails from request N on
    (a store or network failing in the middle of a push)."""

    def __init__(self, target: str, ok_requests: int) -> None:
        state = {"seen": 0}

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                state["seen"] += 1
                if state["seen"] > ok_requests:
                    payload = b"<html><body><h1>Service Unavailable</h1>store is overloaded</body></html>"
                    self.send_response(503)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                query = self.path.split("?", 1)[1] if "?" in self.path else ""
                answer = httpx.request(self.command, target + ("?" + query if query else ""), content=body,
                                       headers={"Content-Type": self.headers.get("Content-Type", "")})
                self.send_response(answer.status_code)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_PUT = do_POST = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/store"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FailAfter:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("fail_at", ["second chunk", "next graph"])
def test_failure_in_the_middle_is_reported_not_hidden(server, tmp_path, fail_at):
    from kg.rdfio.push import graph_units

    store = make_store(tmp_path / "store", [make_sample_result(), make_hostile_result()])
    chunks = [(graph, -(-len(lines) // 100)) for graph, lines in graph_units(store.to_dataset().store._inner)]
    assert chunks[0][1] >= 2, "the first graph must need several chunks of 100 triples"
    if fail_at == "second chunk":
        ok_requests, method, graph, chunk, total, done = 1, "POST", chunks[0][0], 2, chunks[0][1], 0
    else:
        ok_requests, method, graph, chunk, total, done = chunks[0][1], "PUT", chunks[1][0], 1, chunks[1][1], 1
    with FailAfter(server.store_url, ok_requests=ok_requests) as proxy:
        result = kg("push", "--store", str(tmp_path / "store"), "--endpoint", proxy.url, "--chunk-size", "100")
        failing = f"{method} {proxy.url} for graph <{graph}> (chunk {chunk}/{total})"
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error == (f"kg: error: HTTP 503 Service Unavailable from {failing}: Service Unavailable store is "
                     f"overloaded; {done} of 2 graphs were uploaded completely before the failure; "
                     "re-run kg push to replace them all")
    # Running it again directly against the store completes everything.
    assert kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.store_url).returncode == 0
    assert_same_statements(server, store)


def test_verification_catches_missing_statements(server, tmp_path):
    make_store(tmp_path / "store", [make_sample_result()])
    # The query endpoint of an empty kg store: every graph count is 0 there.
    from test_serve import KgServe

    empty = tmp_path / "empty"
    with GraphStore.open(empty):
        pass
    with KgServe(empty, "--quiet") as elsewhere:
        result = kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.store_url,
                    "--verify", elsewhere.url)
    assert result.returncode == 1
    assert "kg: error: verification failed at" in result.stderr
    assert f"has 0 triples, expected {SAMPLE_TRIPLES}" in result.stderr


def test_http_and_connection_errors_are_one_line(server, tmp_path):
    make_store(tmp_path / "store", [make_sample_result()])
    cases = [
        (["--endpoint", server.query_url], "kg: error: HTTP 4"),
        (["--endpoint", "http://127.0.0.1:9/store"], "failed for graph"),
        (["--endpoint", "ftp://example.org/"], "not an http(s) URL"),
        ([], "give --endpoint URL"),
        (["--endpoint", server.store_url, "--password", "x"], "needs --user"),
    ]
    for args, message in cases:
        result = kg("push", "--store", str(tmp_path / "store"), *args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and lines and message in lines[-1], (args, result.stderr)
        assert "Traceback" not in result.stderr


def _remote_graphs(server) -> list[str]:
    listed = httpx.post(server.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "application/sparql-results+json"}).json()
    return sorted(b["g"]["value"] for b in listed["results"]["bindings"])


@pytest.mark.parametrize("protocol", [["--endpoint"], ["--protocol", "update", "--update-endpoint"]])
def test_prune_deletes_graphs_of_documents_that_left_the_store(server, tmp_path, protocol):
    store_dir = tmp_path / "store"
    make_store(store_dir, [make_sample_result(), make_hostile_result()])
    url = server.store_url if protocol == ["--endpoint"] else server.update_url
    push = ["push", "--store", str(store_dir), *protocol, url, "--verify", server.query_url]
    assert kg(*push).returncode == 0
    # A graph that is not a kg document graph: prune must leave it alone.
    other = "https://example.org/not-ours"
    httpx.post(server.update_url, content=f"INSERT DATA {{ GRAPH <{other}> {{ <https://example.org/a> "
                                          f"<https://example.org/b> 1 }} }}".encode(),
               headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    hostile = str(iris.document(make_hostile_result().doc_id))
    with GraphStore.open(store_dir) as writable:
        writable.remove_document(make_hostile_result().doc_id)
    # Without --prune the stale graph stays, and the report says so instead of "verified".
    stale = kg(*push)
    assert stale.returncode == 0, stale.stderr
    assert "verified" not in stale.stdout
    assert f"the target holds 1 document graphs that are not in store {store_dir} (e.g. <{hostile}>)" in stale.stderr
    assert "kg push --prune deletes them" in stale.stderr
    assert hostile in _remote_graphs(server)
    pruned = kg(*push, "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.strip().endswith("pruned 1 graphs, verified")
    assert "warning" not in pruned.stderr
    assert _remote_graphs(server) == sorted([str(iris.document("sample")), other])
    assert_same_statements_of(server, GraphStore.open(store_dir, read_only=True), "sample")


def assert_same_statements_of(server, store: GraphStore, doc_id: str) -> None:
    graph = str(iris.document(doc_id))
    assert remote_graph_statements(server.query_url, graph) == local_graph_statements(store.oxigraph, graph)


def test_prune_needs_a_query_endpoint_and_document_graphs(server, tmp_path):
    make_store(tmp_path / "store", [make_sample_result()])
    result = kg("push", "--store", str(tmp_path / "store"), "--endpoint", server.store_url, "--prune")
    assert result.returncode == 1
    assert result.stderr.strip() == ("kg: error: --prune needs --verify URL (the target's SPARQL query "
                                     "endpoint) to list its graphs")


def test_pushing_nothing_is_an_error_unless_allowed(server, tmp_path):
    make_store(tmp_path / "full", [make_sample_result()])
    assert kg("push", "--store", str(tmp_path / "full"), "--endpoint", server.store_url).returncode == 0
    empty = tmp_path / "empty"
    with GraphStore.open(empty):
        pass
    base = ["push", "--store", str(empty), "--endpoint", server.store_url]
    result = kg(*base)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"kg: error: store {empty}: nothing to push (no documents); "
                                     "build first, or give --allow-empty")
    allowed = kg(*base, "--allow-empty")
    assert allowed.returncode == 0
    assert allowed.stderr.strip() == f"kg: warning: store {empty}: nothing to push (no documents)"
    assert allowed.stdout.strip() == "pushed 0 graphs, 0 triples, in 0 requests via Graph Store Protocol"
    assert _remote_graphs(server) == [str(iris.document("sample"))]
    # --prune with an empty source empties the target of kg documents, verified.
    emptied = kg(*base, "--allow-empty", "--prune", "--verify", server.query_url)
    assert emptied.returncode == 0, emptied.stderr
    assert "pruned 1 graphs, verified" in emptied.stdout
    assert _remote_graphs(server) == []
