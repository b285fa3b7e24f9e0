"""`kg push` into a real Virtuoso (Debian virtuoso-opensource) started on 127.0.0.1 with a temp
database, checked by SPARQL over HTTP.

Virtuoso keeps numbers by value ("0.80"^^xsd:decimal comes back as 0.8), so numeric
literals are compared by value; everything else must match exactly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import make_sample_result
from servers import local_graph_statements, make_hostile_result, remote_graph_statements, virtuoso_server  # noqa: F401

from kg.rdfio.rdf import document_triples
from kg.rdfio.store import GraphStore


def kg(*args: str, password: str | None = "dba") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_PUSH_")}
    if password is not None:
        env["KG_PUSH_USER"] = "dba"
        env["KG_PUSH_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, GraphStore]:
    directory = tmp_path_factory.mktemp("virtuoso-push") / "store"
    with GraphStore.open(directory) as writable:
        for result in (make_sample_result(), make_hostile_result()):
            writable.put_document(result.doc_id, "h", document_triples(result))
    return directory, GraphStore.open(directory, read_only=True)


@pytest.fixture
def server(virtuoso_server):  # noqa: F811
    """The session's Virtuoso with our document graphs dropped."""
    for graph in ("https://w3id.org/geokg/id/doc/sample", "https://w3id.org/geokg/id/doc/hostile/uenicoede-doc-1"):
        response = httpx.post(virtuoso_server.update_url, content=f"DROP SILENT GRAPH <{graph}>".encode(),
                              headers={"Content-Type": "application/sparql-update"},
                              auth=httpx.DigestAuth("dba", "dba"), timeout=60)
        assert response.status_code == 200, response.text
    return virtuoso_server


def assert_same_statements(server, local: GraphStore) -> None:
    for doc_id in local.documents():
        graph = f"https://w3id.org/geokg/id/doc/{doc_id}"
        remote = remote_graph_statements(server.query_url, graph, numbers_by_value=True)
        assert remote == local_graph_statements(local.oxigraph, graph, numbers_by_value=True), graph


def test_graph_store_protocol_with_digest_auth(server, store):
    directory, local = store
    result = kg("push", "--store", str(directory), "--endpoint", server.gsp_url, "--verify", server.query_url)
    assert result.returncode == 0, result.stderr
    total = len(set(document_triples(make_sample_result()))) + len(set(document_triples(make_hostile_result())))
    assert result.stdout.strip() == f"pushed 2 graphs, {total} triples, in 2 requests via Graph Store Protocol, verified"
    assert_same_statements(server, local)


def test_chunked_graph_store_push(server, store):
    directory, local = store
    result = kg("push", "--store", str(directory), "--endpoint", server.gsp_url, "--auth", "digest",
                "--chunk-size", "40", "--quiet", "--verify", server.query_url)
    assert result.returncode == 0, result.stderr
    chunks = sum(-(-len(set(document_triples(r))) // 40) for r in (make_sample_result(), make_hostile_result()))
    assert f"in {chunks} requests" in result.stdout  # chunks of the hostile document + those of the sample
    assert_same_statements(server, local)


def test_sparql_update_protocol(server, store):
    directory, local = store
    result = kg("push", "--store", str(directory), "--protocol", "update", "--update-endpoint", server.update_url,
                "--chunk-size", "100", "--verify", server.query_url)
    assert result.returncode == 0, result.stderr
    assert "via SPARQL Update, verified" in result.stdout
    assert_same_statements(server, local)


def test_wrong_or_missing_credentials(server, store):
    directory, _ = store
    for password, hint in (("wrong", "check --user/--password"), (None, "check --user/--password")):
        result = kg("push", "--store", str(directory), "--endpoint", server.gsp_url, password=password)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kg: error: HTTP 401 Unauthorized from PUT"), lines
        assert hint in lines[0] and "0 of 2 graphs were uploaded completely" in lines[0]
