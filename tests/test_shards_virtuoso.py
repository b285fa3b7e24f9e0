"""`kg build --shards` output goes into Virtuoso through its bulk loader, as docs/STORES.md shows:
ld_dir over the gzip shards, two rdf_loader_run() in parallel, checkpoint; every document's
named graph arrives with exactly the statements of the store kg builds from the same input."""

from __future__ import annotations

import gzip
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from servers import ROOT, local_graph_statements, remote_graph_statements, virtuoso_server  # noqa: F401

from kg.build import build

pytestmark = pytest.mark.slow  # starts Virtuoso

CORPUS = ROOT / "dev" / "articles-dev.jsonl"  # 28 articles, one per line


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "*** Error" not in proc.stdout, proc.stdout[-2000:]
    return proc.stdout


def _scalar(proc: subprocess.CompletedProcess) -> int:
    """The one value of a one-row, one-column isql answer (the line after the ____ rule)."""
    lines = [line.strip() for line in _ok(proc).splitlines()]
    rule = next(i for i, line in enumerate(lines) if line.startswith("____"))
    return int(next(line for line in lines[rule + 1:] if line))


def test_virtuoso_bulk_loader_ingests_the_shards_with_the_same_statements(virtuoso_server, tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg import shards as shard_module

    server = virtuoso_server
    shards = server.workdir / "shards"  # inside DirsAllowed of the suite's virtuoso.ini
    monkeypatch.setattr(shard_module, "DOCS_PER_SHARD", 5)
    build([CORPUS], tmp_path / "unused", cache_dir=None, shards=shards)
    files = sorted(shards.glob("shard-*.nq.gz"))
    assert len(files) == 6  # 28 documents, 5 a shard

    expected = ox.Store()
    for path in files:
        expected.load(gzip.decompress(path.read_bytes()), format=ox.RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in expected.named_graphs())
    assert len(graphs) == 28

    # The store kg builds from the same input holds the same document graphs.
    store_dir = tmp_path / "store"
    build([CORPUS], tmp_path / "out", store_dir=store_dir, cache_dir=None, html=False)
    built = ox.Store()
    built.load(path=str(store_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    for graph in graphs:
        assert local_graph_statements(built, graph) == local_graph_statements(expected, graph), graph

    _ok(server.isql(f"exec=ld_dir('{shards}', 'shard-*.nq.gz', 'https://w3id.org/geokg/id/graph/default');"))
    with ThreadPoolExecutor(2) as pool:  # one loader per core, as documented
        for proc in pool.map(lambda _: server.isql("exec=rdf_loader_run();", timeout=300), range(2)):
            _ok(proc)
    _ok(server.isql("exec=checkpoint;"))
    assert _scalar(server.isql("exec=select count(*) from DB.DBA.LOAD_LIST where ll_error is not null;")) == 0
    assert _scalar(server.isql(f"exec=select count(*) from DB.DBA.LOAD_LIST where ll_file like '{shards}/%' "
                               "and ll_state = 2;")) == len(files)

    for graph in graphs:
        got = remote_graph_statements(server.query_url, graph, numbers_by_value=True)
        assert got == local_graph_statements(expected, graph, numbers_by_value=True), graph
