"""The persistent store: incremental documents, order independence, locking, errors, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import make_sample_result
from rdflib import BNode, Literal, URIRef
from servers import make_hostile_result

from kg import iris
from kg.errors import KgError, QueryError
from kg.rdfio.rdf import document_triples
from kg.rdfio.serialize import FORMATS, serialize
from kg.rdfio.store import META_GRAPH, SNAPSHOT, GraphStore

KG = [sys.executable, "-m", "kg"]


def run_kg(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, **(env or {})})


def second_result():
    """Another document mentioning some of the sample's actors (for merging across documents)."""
    result = make_sample_result()
    statements = [replace(st, doc_id="second") for st in result.statements[:1]]
    return replace(result, doc_id="second", path="second.txt", statements=statements)


def fill(directory: Path, results) -> None:
    with GraphStore.open(directory) as store:
        for result in results:
            store.put_document(result.doc_id, f"hash-{result.doc_id}", document_triples(result))


def test_new_store_round_trip(tmp_path):
    directory = tmp_path / "store"
    result = make_sample_result()
    with GraphStore.open(directory) as store:
        assert store.documents() == {}
        assert store.document_hash("sample") is None
        store.put_document("sample", "h1", document_triples(result))
        assert store.document_hash("sample") == "h1"
    assert (directory / "kg-store.json").is_file()
    reopened = GraphStore.open(directory, read_only=True)
    assert reopened.documents() == {"sample": "h1"}
    assert len(reopened) == len(set(document_triples(result)))
    meets = list(reopened.query("SELECT ?a ?b WHERE { ?a gkg:meets ?b }"))
    assert {(s["a"].value, s["b"].value) for s in meets} == {
        (str(iris.actor("person/olaf-scholz")), str(iris.actor("person/emmanuel-macron"))),
        (str(iris.actor("person/emmanuel-macron")), str(iris.actor("person/olaf-scholz"))),
    }
    # Each document is its own named graph, named by the document IRI.
    graphs = {s["g"].value for s in reopened.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {str(iris.document("sample"))}


def test_replacing_a_document_drops_its_old_statements(tmp_path):
    directory = tmp_path / "store"
    result = make_sample_result()
    fill(directory, [result])
    smaller = replace(result, statements=result.statements[2:])
    with GraphStore.open(directory) as store:
        store.put_document("sample", "h2", document_triples(smaller))
    store = GraphStore.open(directory, read_only=True)
    assert store.document_hash("sample") == "h2"
    assert len(store) == len(set(document_triples(smaller)))
    assert not bool(store.query("ASK { ?a gkg:meets ?b }"))


def test_actors_merge_across_documents_and_removal_keeps_shared_ones(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result(), second_result()])
    store = GraphStore.open(directory, read_only=True)
    scholz = URIRef(iris.actor("person/olaf-scholz"))
    rows = list(store.query("SELECT * WHERE { ?a rdfs:label ?label }", {"a": scholz}))
    assert [r["label"].value for r in rows] == ["Olaf Scholz"]  # one actor, one label, in the union
    graphs = list(store.query("SELECT DISTINCT ?g ?a WHERE { GRAPH ?g { ?a a gkg:Person } }", {"a": scholz}))
    assert len(graphs) == 2  # described in both document graphs

    assert run_kg("remove", "sample", "--store", str(directory)).returncode == 0
    store = GraphStore.open(directory, read_only=True)
    assert store.documents() == {"second": "hash-second"}
    assert bool(store.query(f"ASK {{ <{scholz}> rdfs:label ?l }}"))  # still mentioned by "second"
    assert not bool(store.query(f"ASK {{ <{iris.actor('person/jan-novak')}> ?p ?o }}"))


def test_queries_follow_changes_within_one_session(tmp_path):
    novak = iris.actor("person/jan-novak")
    scholz = iris.actor("person/olaf-scholz")
    with GraphStore.open(tmp_path / "store") as store:
        store.put_document("second", "h", document_triples(second_result()))
        assert not bool(store.query(f"ASK {{ <{novak}> ?p ?o }}"))
        count = len(store)
        store.put_document("sample", "h", document_triples(make_sample_result()))
        assert bool(store.query(f"ASK {{ <{novak}> ?p ?o }}"))
        assert len(store) > count
        store.remove_document("sample")
        assert not bool(store.query(f"ASK {{ <{novak}> ?p ?o }}"))  # only "sample" had him
        assert bool(store.query(f"ASK {{ <{scholz}> rdfs:label ?l }}"))  # "second" still has him
        assert len(store) == count
        assert store.triple_count() == len(store)  # one document: nothing to merge


def test_same_graph_whatever_the_order_of_additions(tmp_path):
    results = [make_sample_result(), make_hostile_result(), second_result()]
    fill(tmp_path / "a", results)
    for result in reversed(results):
        fill(tmp_path / "b", [result])
    fill(tmp_path / "c", [results[1]])
    fill(tmp_path / "c", [results[0], results[2]])
    snapshots = {(tmp_path / name / SNAPSHOT).read_bytes() for name in "abc"}
    assert len(snapshots) == 1
    for fmt in FORMATS:
        outputs = {serialize(GraphStore.open(tmp_path / name, read_only=True).to_dataset(), fmt) for name in "abc"}
        assert len(outputs) == 1, fmt


def test_meta_graph_is_kept_but_never_visible(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    assert META_GRAPH.encode() in (directory / SNAPSHOT).read_bytes()
    store = GraphStore.open(directory, read_only=True)
    assert not bool(store.query(f"ASK {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}"))
    assert not bool(store.query("ASK { ?s ?p 'hash-sample' }"))
    for fmt in FORMATS:
        assert META_GRAPH.encode() not in serialize(store.to_dataset(), fmt)


def test_uncommitted_changes_are_discarded_and_failed_blocks_do_not_commit(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    store = GraphStore.open(directory)
    store.remove_document("sample")
    store.close()
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}
    with pytest.raises(RuntimeError), GraphStore.open(directory) as store:
        store.remove_document("sample")
        raise RuntimeError("build failed half-way")
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}


def test_blank_nodes_are_refused_and_leave_the_store_unchanged(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    with GraphStore.open(directory) as store:
        before = len(store)
        triples = [*document_triples(make_sample_result()), (BNode(), URIRef(iris.ONTOLOGY + "x"), Literal("y"))]
        with pytest.raises(KgError, match="blank node"):
            store.put_document("sample", "h3", triples)
        assert len(store) == before
        assert store.document_hash("sample") == "hash-sample"


def test_writers_are_exclusive_readers_are_not(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    writer = GraphStore.open(directory)
    try:
        with pytest.raises(KgError, match="the store is busy: in use by another kg process"):
            GraphStore.open(directory, wait=0)
        reader = GraphStore.open(directory, read_only=True)
        assert reader.documents() == {"sample": "hash-sample"}
        writer.put_document("second", "h", document_triples(second_result()))
        assert not reader.changed_on_disk()
        writer.commit()
        assert reader.changed_on_disk()
        assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample", "second": "h"}
        with pytest.raises(KgError, match="read-only"):
            reader.remove_document("sample")
        # Another process is refused too (flock is per process and file).
        result = run_kg("remove", "sample", "--store", str(directory), env={"KG_STORE_WAIT": "0"})
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"kg: error: {directory}: the store is busy: "
                                                       f"in use by another kg process (pid {os.getpid()}")
        assert lines[0].endswith("waited 0 s (set KG_STORE_WAIT to wait longer)")
    finally:
        writer.close()
    assert run_kg("remove", "sample", "--store", str(directory)).returncode == 0


@pytest.mark.parametrize("setup, message", [
    ("file", "not a folder"),
    ("foreign", "not a kg store"),
    ("marker", "not a kg store marker"),
    ("version", "store format version 99 is not supported"),
    ("corrupt", "the store is corrupt"),
])
def test_bad_store_folders_give_one_clear_error(tmp_path, setup, message):
    target = tmp_path / "store"
    if setup == "file":
        target.write_text("x")
    elif setup == "foreign":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    else:
        fill(target, [make_sample_result()])
        if setup == "marker":
            (target / "kg-store.json").write_text('{"format": "other"}')
        elif setup == "version":
            (target / "kg-store.json").write_text('{"format": "kg-store", "version": 99}')
        else:
            (target / SNAPSHOT).write_bytes(b"<a> <b> broken .\n")
    with pytest.raises(KgError, match=message):
        GraphStore.open(target)
    result = run_kg("store", "info", "--store", str(target))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: ") and message in lines[0]


def test_read_only_open_does_not_create(tmp_path):
    with pytest.raises(KgError, match="no kg store here"):
        GraphStore.open(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


def test_unknown_document_and_bad_ids(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    with GraphStore.open(directory) as store:
        with pytest.raises(KgError, match="not in the store"):
            store.remove_document("nope")
        with pytest.raises(KgError, match="invalid document id"):
            store.put_document("a b>", "h", [])
    result = run_kg("remove", "sampel", "--store", str(directory))
    assert result.returncode == 1
    assert result.stderr.strip() == "kg: error: document 'sampel' is not in the store; did you mean sample?"
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}
    # Removing several at once is all or nothing.
    assert run_kg("remove", "sample", "nope", "--store", str(directory)).returncode == 1
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}
    assert run_kg("remove", "sample.txt", "--store", str(directory)).returncode == 0
    assert GraphStore.open(directory, read_only=True).documents() == {}


def test_query_bindings_are_substituted_not_spliced(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_hostile_result()])
    store = GraphStore.open(directory, read_only=True)
    hostile = Literal('Jean "Le Grand" D\'Arc \\ O\'Neil', lang="de")
    rows = list(store.query("SELECT * WHERE { ?actor rdfs:label ?label }", {"label": hostile}))
    assert len(rows) == 1 and rows[0]["actor"].value.startswith(iris.DATA + "person/")
    injection = Literal('x" } ?s ?p ?o { "')
    assert list(store.query("SELECT * WHERE { ?actor rdfs:label ?label }", {"label": injection})) == []
    with pytest.raises(QueryError, match="must be in the SELECT clause"):
        store.query("SELECT ?actor WHERE { ?actor rdfs:label ?label }", {"label": hostile})
    with pytest.raises(QueryError, match="invalid SPARQL"):
        store.query("SELECT WHERE {")


def test_store_info_cli(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result(), second_result()])
    result = run_kg("store", "info", "--store", str(directory), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["documents"] == 2
    assert info["hashes"] == {"sample": "hash-sample", "second": "hash-second"}
    assert info["quads"] == len(GraphStore.open(directory, read_only=True))
    text = run_kg("store", "info", "--store", str(directory)).stdout
    assert "documents  2" in text and "sample  hash-sample" in text


def test_help_texts_are_complete():
    for command, needles in {
        ("remove",): ["DOC", "--store", "output/store", "Examples"],
        ("store", "info"): ["--store", "--json", "Examples"],
        ("export",): ["--format", "-o", "json-ld", "Examples", "output/store"],
        ("validate",): ["GRAPH", "--store", "--shapes", "Examples"],
        ("serve",): ["--host", "--port", "--allow-update", "--timeout", "--max-rows", "7878", "Examples"],
        ("push",): ["--endpoint", "--graph", "--user", "KG_PUSH_PASSWORD", "--chunk-size", "Virtuoso", "Fuseki",
                    "GraphDB", "Examples"],
    }.items():
        result = run_kg(*command, "--help")
        assert result.returncode == 0, result.stderr
        for needle in needles:
            assert needle in result.stdout, (command, needle)


def test_dropped_graphs_lose_their_hashes(tmp_path):
    """After DROP (e.g. through kg serve --allow-update) the document is no longer 'unchanged'."""
    directory = tmp_path / "store"
    fill(directory, [make_sample_result(), second_result()])
    with GraphStore.open(directory) as store:
        store.oxigraph.update(f"DROP GRAPH <{iris.document('sample')}>")
        store.rebuild_default_graph()
        store.mark_changed()
    reopened = GraphStore.open(directory, read_only=True)
    assert reopened.documents() == {"second": "hash-second"}
    assert reopened.document_hash("sample") is None
    assert f"<{iris.document('sample')}>" not in (directory / SNAPSHOT).read_text(encoding="utf-8")


def _snapshot_with_stale_hash(directory: Path) -> None:
    # A snapshot written by an older kg: the meta graph names a document whose graph is gone.
    fill(directory, [second_result()])
    stale = (f"<{iris.document('gone')}> <{META_GRAPH}#contentHash> \"h\" <{META_GRAPH}> .\n")
    with (directory / SNAPSHOT).open("a", encoding="utf-8") as fh:
        fh.write(stale)


def test_stale_hashes_in_old_snapshots_are_ignored(tmp_path):
    directory = tmp_path / "store"
    _snapshot_with_stale_hash(directory)
    assert GraphStore.open(directory, read_only=True).documents() == {"second": "hash-second"}


def test_temp_files_of_a_killed_commit_are_cleaned(tmp_path):
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    leftover = directory / f".{SNAPSHOT}.abc123.tmp"
    leftover.write_bytes(b"<a> <b> \"half a snapshot")
    # Readers leave it (a writer might be writing it) and are not confused by it.
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}
    assert leftover.exists()
    with GraphStore.open(directory, wait=0) as store:
        assert store.documents() == {"sample": "hash-sample"}
    assert not leftover.exists()


@pytest.mark.parametrize("names", [[f".{SNAPSHOT}.x1.tmp"], [".lock", f".{SNAPSHOT}.x1.tmp", ".kg-store.json.y.tmp"]])
def test_a_folder_with_only_leftovers_opens_as_a_new_store(tmp_path, names):
    directory = tmp_path / "store"
    directory.mkdir()
    for name in names:
        (directory / name).write_bytes(b"x" * 100)
    assert GraphStore.open(directory, read_only=True).documents() == {}
    fill(directory, [make_sample_result()])
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}
    assert sorted(p.name for p in directory.iterdir()) == [".lock", "graph.nq", "kg-store.json"]


def test_a_writer_waits_for_the_lock_then_proceeds(tmp_path):
    import threading

    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    first = GraphStore.open(directory)
    result = {}

    def second_writer():
        with GraphStore.open(directory, wait=60) as store:
            result["docs"] = store.documents()
            store.remove_document("second")

    first.put_document("second", "h2", document_triples(second_result()))
    thread = threading.Thread(target=second_writer)
    thread.start()
    first.commit()
    first.close()
    thread.join(timeout=90)
    assert not thread.is_alive()
    # The waiting writer saw the first one's committed work.
    assert result["docs"] == {"sample": "hash-sample", "second": "h2"}
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}


@pytest.mark.slow
def test_eight_simultaneous_builds_on_one_store_all_succeed(tmp_path):
    store = tmp_path / "store"
    procs = []
    for i in range(8):
        docs = tmp_path / f"in{i}"
        docs.mkdir()
        (docs / f"doc{i}.txt").write_text(f"Olaf Scholz traf Emmanuel Macron in Paris. Nummer {i}.\n",
                                          encoding="utf-8")
        procs.append(subprocess.Popen([*KG, "build", str(docs), "-o", str(tmp_path / f"out{i}"), "--store",
                                       str(store), "--no-html", "-q"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    outcomes = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in outcomes] == [0] * 8, outcomes
    assert len(GraphStore.open(store, read_only=True).documents()) == 8


def _two_docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Olaf Scholz traf Emmanuel Macron in Paris.\n", encoding="utf-8")
    (docs / "b.txt").write_text("Russland unterstützt Belarus.\n", encoding="utf-8")
    return docs


@pytest.mark.slow
def test_build_warns_about_documents_missing_from_its_inputs(tmp_path):
    docs = _two_docs(tmp_path)
    out = tmp_path / "out"
    assert run_kg("build", str(docs), "-o", str(out), "--no-html").returncode == 0
    (docs / "b.txt").unlink()
    kept = run_kg("build", str(docs), "-o", str(out), "--no-html")
    assert kept.returncode == 0, kept.stderr
    assert ("warning: 1 stored document is not among the inputs and kept in the graph; "
            "kg build --prune drops them") in kept.stdout
    assert len(GraphStore.open(out / "store", read_only=True).documents()) == 2
    pruned = run_kg("build", str(docs), "-o", str(out), "--no-html", "--prune")
    assert pruned.returncode == 0 and "1 removed" in pruned.stdout and "warning" not in pruned.stdout
    assert len(GraphStore.open(out / "store", read_only=True).documents()) == 1


@pytest.mark.slow
def test_a_dropped_graph_is_rebuilt(tmp_path):
    docs = _two_docs(tmp_path)
    out = tmp_path / "out"
    assert run_kg("build", str(docs), "-o", str(out), "--no-html").returncode == 0
    with GraphStore.open(out / "store") as store:  # what DROP GRAPH through kg serve --allow-update does
        dropped = sorted(store.documents())[0]
        store.oxigraph.update(f"DROP GRAPH <{iris.document(dropped)}>")
        store.rebuild_default_graph()
        store.mark_changed()
    again = run_kg("build", str(docs), "-o", str(out), "--no-html")
    assert again.returncode == 0, again.stderr
    assert "documents: 2 (1 processed, 1 unchanged)" in again.stdout, again.stdout + again.stderr
    assert dropped in GraphStore.open(out / "store", read_only=True).documents()


_KILLED_WRITER = """
import sys
from kg.rdfio.store import GraphStore
from rdflib import Literal, URIRef
with GraphStore.open(sys.argv[1]) as store:
    triples = [(URIRef(f"https://example.org/s{i}"), URIRef("https://example.org/p"), Literal("x" * 40 + str(i)))
               for i in range(300_000)]
    store.put_document("big", "h-big", triples)
    print("committing", flush=True)
"""


@pytest.mark.slow
def test_kill_9_during_commit_leaves_the_last_snapshot_and_the_next_writer_cleans_up(tmp_path):
    import signal
    import time

    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    before = (directory / SNAPSHOT).read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(directory)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "committing"
        deadline = time.monotonic() + 120
        leftovers: list[Path] = []
        while not leftovers and proc.poll() is None and time.monotonic() < deadline:
            leftovers = list(directory.glob(f".{SNAPSHOT}.*.tmp"))
            time.sleep(0.005)  # polling for the temp file, bounded by the deadline
        assert leftovers, "the commit's temp file never appeared (it finished too fast to be killed)"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert list(directory.glob(f".{SNAPSHOT}.*.tmp"))  # the kill left it
    assert (directory / SNAPSHOT).read_bytes() == before
    assert GraphStore.open(directory, read_only=True).documents() == {"sample": "hash-sample"}
    with GraphStore.open(directory, wait=30) as store:  # the next build, remove, …
        assert store.documents() == {"sample": "hash-sample"}
    assert list(directory.glob(f".{SNAPSHOT}.*.tmp")) == []


def test_library_queries_are_guarded_against_parser_crashes(tmp_path):
    """Not only kg query and kg serve: every query through kg.rdfio.store.run_query is checked first."""
    directory = tmp_path / "store"
    fill(directory, [make_sample_result()])
    deep = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    with pytest.raises(QueryError, match="nested too deeply"):
        GraphStore.open(directory, read_only=True).query(deep)
    from kg.rdfio.source import query_graph_file

    graph = tmp_path / "g.nq"
    graph.write_bytes(serialize(GraphStore.open(directory, read_only=True).to_dataset(), "nquads"))
    with pytest.raises(QueryError, match="nested too deeply"):
        query_graph_file(graph, deep)
