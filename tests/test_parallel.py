"""kg build at corpus scale: worker processes, shards, failed documents, progress, fingerprint."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import PARTIAL_EXIT, build, pipeline_fingerprint
from kg.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
FILES = ("graph.ttl", "graph.trig", "graph.nq", "graph.html")


def make_corpus(folder: Path, n: int = 40) -> Path:
    """n documents from the dev set's texts (more than two batches, so workers are used)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.loads(line) for line in (ROOT / "dev/devset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    for k, item in enumerate(lines[:n]):
        (folder / f"{k:03d}_{item['id']}.txt").write_text(item["text"], encoding="utf-8")
    return folder


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def run_kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={"KG_CACHE_DIR": "", "PATH": "/usr/bin:/bin"}, timeout=600)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    summary = build([corpus], out, formats=("turtle", "trig", "nquads"), cache_dir=None, jobs=1)
    assert summary.processed == 40 and not summary.failures
    return out, summary


@pytest.mark.slow  # starts worker processes
def test_two_jobs_write_the_same_bytes_as_one(corpus, serial, tmp_path):
    out, summary = serial
    summary2 = build([corpus], tmp_path, formats=("turtle", "trig", "nquads"), cache_dir=None, jobs=2)
    assert outputs(tmp_path) == outputs(out)
    assert (summary2.processed, summary2.sentences, summary2.statements) == \
        (summary.processed, summary.sentences, summary.statements)
    assert (tmp_path / "store/graph.nq").read_bytes() == (out / "store/graph.nq").read_bytes()


@pytest.mark.slow  # starts worker processes
def test_the_page_made_beside_the_graph_files_reports_its_error(corpus, tmp_path):
    """With --jobs 2 the page is written in a forked child: its failure is the build's KgError,
    and the graph files are still written."""
    from kg.errors import KgError

    (tmp_path / "graph.html").mkdir()
    with pytest.raises(KgError, match="graph.html: is a folder"):
        build([corpus], tmp_path, cache_dir=None, jobs=2)
    assert (tmp_path / "graph.ttl").stat().st_size > 0


def _shard_quads(folder: Path) -> set[bytes]:
    lines: set[bytes] = set()
    for shard in sorted(folder.glob("shard-*.nq.gz")):
        lines.update(line for line in gzip.decompress(shard.read_bytes()).split(b"\n") if line)
    return lines


def _store_document_quads(out: Path) -> set[bytes]:
    meta = b"<https://w3id.org/geokg/id/graph/meta> ."
    return {line for line in (out / "store/graph.nq").read_bytes().split(b"\n")
            if line and not line.endswith(meta)}


def test_shards_hold_exactly_the_store_s_document_graphs(corpus, serial, tmp_path):
    out, summary = serial
    shards = tmp_path / "shards"
    (shards).mkdir()
    (shards / "shard-000099.nq.gz").write_bytes(b"stale")  # from an earlier, larger run: removed
    result = build([corpus], tmp_path / "unused", cache_dir=None, shards=shards)
    assert not (tmp_path / "unused").exists()  # no store, no graph files
    assert [p.name for p in sorted(shards.iterdir())] == ["shard-000000.nq.gz"]
    assert _shard_quads(shards) == _store_document_quads(out)
    assert result.statements == summary.statements and result.processed == summary.processed
    again = tmp_path / "again"
    build([corpus], tmp_path / "unused", cache_dir=None, shards=again)
    assert (again / "shard-000000.nq.gz").read_bytes() == (shards / "shard-000000.nq.gz").read_bytes()


def test_shards_load_into_oxigraph_with_the_same_counts(corpus, serial, tmp_path, monkeypatch):
    import pyoxigraph as ox

    out, _ = serial
    shards = tmp_path / "shards"
    from kg import shards as shard_module

    build([corpus], tmp_path / "unused", cache_dir=None, shards=shards)
    assert len(list(shards.glob("*.nq.gz"))) == 1
    # Several shards: the same documents split 7 to a file load into the same graph.
    small = tmp_path / "small"
    monkeypatch.setattr(shard_module, "DOCS_PER_SHARD", 7)
    build([corpus], tmp_path / "unused", cache_dir=None, shards=small)
    assert len(list(small.glob("*.nq.gz"))) == 6  # 40 documents, 7 a shard
    expected = ox.Store()
    expected.load(path=str(out / "store/graph.nq"), format=ox.RdfFormat.N_QUADS)
    count = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/geokg/id/graph/meta>) }"
    want = [(int(r["n"].value), int(r["graphs"].value)) for r in expected.query(count)]
    loaded = ox.Store()
    for shard in sorted(small.glob("*.nq.gz")):
        loaded.load(gzip.decompress(shard.read_bytes()), format=ox.RdfFormat.N_QUADS)
    assert [(int(r["n"].value), int(r["graphs"].value)) for r in loaded.query(count)] == want
    assert want[0][1] == 40


@pytest.mark.slow  # runs the oxigraph command-line tool
def test_oxigraph_cli_loads_the_shards_in_parallel(corpus, serial, tmp_path, monkeypatch):
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        pytest.skip("the oxigraph CLI (test extra) is not installed")
    from kg import shards as shard_module

    shards = tmp_path / "shards"
    monkeypatch.setattr(shard_module, "DOCS_PER_SHARD", 10)
    build([corpus], tmp_path / "unused", cache_dir=None, shards=shards)
    files = sorted(str(p) for p in shards.glob("*.nq.gz"))
    assert len(files) == 4
    db = tmp_path / "db"
    load = subprocess.run([binary, "load", "--location", str(db), "--file", *files], capture_output=True,
                          text=True, timeout=300)
    assert load.returncode == 0, load.stderr
    query = subprocess.run([binary, "query", "--location", str(db), "--results-format", "csv", "--query",
                            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"],
                           capture_output=True, text=True, timeout=300)
    assert query.returncode == 0, query.stderr
    assert int(query.stdout.split()[-1]) == len(_store_document_quads(serial[0]))


def test_a_failing_document_is_reported_skipped_and_the_rest_built(corpus, serial, tmp_path, monkeypatch):
    """Failure injection: no real document makes the pipeline raise any more, so one component is
    made to raise on one marked document; reading failures below are real."""
    from kg.nlp import coref

    component = next(c for c in vars(coref).values()
                     if isinstance(c, type) and c.__module__ == coref.__name__ and "__call__" in vars(c))
    original = component.__call__

    def explode(self, doc):
        if "EXPLODE" in doc.text:
            raise RuntimeError("injected failure\nsecond line")
        return original(self, doc)

    monkeypatch.setattr(component, "__call__", explode)
    docs = tmp_path / "docs"
    shutil.copytree(corpus, docs)
    (docs / "zz_boom.txt").write_text("Putin traf Trump. EXPLODE", encoding="utf-8")
    (docs / "zz_binary.txt").write_bytes(b"\x89PNG\x00\x00")
    (docs / "zz_latin1.txt").write_bytes("Grüße aus Köln".encode("latin-1"))
    summary = build([docs], tmp_path / "out", formats=("turtle", "trig", "nquads"), cache_dir=None)
    assert [(f.where.rsplit("/", 1)[-1], f.stage) for f in summary.failures] == [
        ("zz_binary.txt", "read"), ("zz_boom.txt", "kg_coref"), ("zz_latin1.txt", "read")]
    assert summary.failures[1].message == "RuntimeError: injected failure"
    assert summary.processed == 40 and summary.documents == 43
    assert outputs(tmp_path / "out") == outputs(serial[0])  # the rest is exactly the clean corpus
    with pytest.raises(Exception, match="zz_binary.txt"):
        build([docs], tmp_path / "strict", cache_dir=None, strict=True)
    assert not (tmp_path / "strict" / "graph.ttl").exists()


@pytest.mark.slow  # runs kg in a subprocess
def test_cli_exit_status_partial_and_strict(corpus, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(corpus, docs)
    (docs / "zz_binary.txt").write_bytes(b"\x89PNG\x00\x00")
    partial = run_kg("build", docs, "-o", tmp_path / "out", "--jobs", "1")
    assert partial.returncode == PARTIAL_EXIT == 3, partial.stderr
    assert "kg: skipped " in partial.stderr and "zz_binary.txt: read: " in partial.stderr
    assert "Traceback" not in partial.stderr and "failed: 1 document skipped" in partial.stdout
    assert (tmp_path / "out/graph.ttl").exists()
    before = (tmp_path / "out/graph.ttl").read_bytes()
    (docs / "new.txt").write_text("Macron warnte Russland.", encoding="utf-8")
    strict = run_kg("build", docs, "-o", tmp_path / "out", "--strict")
    assert strict.returncode == 1 and strict.stderr.startswith("kg: error: ") and strict.stderr.count("\n") == 1
    assert (tmp_path / "out/graph.ttl").read_bytes() == before  # nothing written
    quiet = run_kg("build", docs, "-o", tmp_path / "q", "-q", "--jobs", "1")
    assert quiet.returncode == 3 and quiet.stdout == ""
    assert quiet.stderr.count("\n") == 1 and "zz_binary.txt" in quiet.stderr  # errors even when quiet


def test_progress_lines_bar_and_quiet():
    plain = io.StringIO()
    meter = Progress(total=4, stream=plain, interval=0.0)
    meter.advance(words=100)
    meter.advance(failed=1)
    meter.message("a note")
    meter.close()
    lines = plain.getvalue().splitlines()
    assert lines[0].startswith("kg build: 1 documents of 4, ") and "tokens/s" in lines[0] and "ETA " in lines[0]
    assert "1 failed" in lines[1] and lines[2] == "a note"
    silent = io.StringIO()
    meter = Progress(total=4, stream=silent, interval=0.0, quiet=True)
    meter.advance(words=5)
    meter.message("not shown")
    meter.close()
    assert silent.getvalue() == ""
    terminal = io.StringIO()
    meter = Progress(total=3, stream=terminal, bar=True)  # what a terminal gets: tqdm's bar
    meter.advance(words=10)
    meter.message("note")
    meter.close()
    assert "1/3" in terminal.getvalue() and "note" in terminal.getvalue()


def test_fingerprint_covers_all_code_and_data(tmp_path):
    package = tmp_path / "kg"
    data = tmp_path / "ontology"
    shutil.copytree(ROOT / "kg", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "ontology", data)
    base = pipeline_fingerprint(package, data)
    assert base == pipeline_fingerprint(package, data)
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert pipeline_fingerprint(package, data) == base  # byte code is not the code
    for edited in (package / "rdf.py", package / "iris.py", package / "nlp" / "_hanta_rows.pyx", data / "geo.ttl",
                   data / "gazetteer" / "persons.csv"):
        if not edited.exists():
            continue
        saved = edited.read_bytes()
        edited.write_bytes(saved + b"\n")
        assert pipeline_fingerprint(package, data) != base, edited.name
        edited.write_bytes(saved)
    assert pipeline_fingerprint(package, data) == base


def test_changed_metadata_redoes_the_document(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("---\ntitle: Erst\n---\nScholz traf Macron in Paris.", encoding="utf-8")
    first = build([docs], tmp_path / "out", cache_dir=None)
    assert first.processed == 1
    assert build([docs], tmp_path / "out", cache_dir=None).unchanged == 1
    (docs / "a.txt").write_text("---\ntitle: Zweit\n---\nScholz traf Macron in Paris.", encoding="utf-8")
    assert build([docs], tmp_path / "out", cache_dir=None).processed == 1


def _workers_of(pid: int) -> list[int]:
    """Process ids of the spawned pool workers below `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.slow  # starts worker processes and kills them
def test_a_dead_worker_costs_nothing_when_its_documents_succeed_again(corpus, serial, tmp_path):
    import os
    import signal
    import threading
    import time

    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the workers")
    docs = tmp_path / "docs"
    shutil.copytree(corpus, docs)
    # A slow but real document keeps a worker busy long enough to be killed mid-work.
    (docs / "zz_slow.txt").write_text("‚" * 20000 + " Putin traf Trump.", encoding="utf-8")
    killed: list[int] = []

    def killer():
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not killed:
            workers = _workers_of(os.getpid())
            if len(workers) == 2:
                time.sleep(0.5)  # condition met (both workers up); let them start on the batches
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
                return
            time.sleep(0.1)

    thread = threading.Thread(target=killer)
    thread.start()
    summary = build([docs], tmp_path / "out", formats=("turtle", "trig", "nquads"), cache_dir=None, jobs=2)
    thread.join()
    assert killed, "the workers were never seen"
    assert not summary.failures and summary.processed == 41
    clean = build([docs], tmp_path / "clean", formats=("turtle", "trig", "nquads"), cache_dir=None, jobs=1)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "clean") and clean.processed == 41


def test_a_pipeline_made_afresh_when_its_vocabulary_is_full_writes_the_same_bytes(corpus, serial, tmp_path,
                                                                                 monkeypatch):
    """Past STRING_LIMIT strings the worker's pipeline is rebuilt (flat memory on long runs): no
    state that matters lives in it across documents, so the graph is the same."""
    from kg import parallel
    from kg.nlp import pipeline as nlp_pipeline

    made = []
    real = nlp_pipeline.make_nlp
    monkeypatch.setattr(nlp_pipeline, "make_nlp", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    monkeypatch.setattr(parallel, "STRING_LIMIT", 2_000)
    monkeypatch.setattr(parallel, "BATCH_DOCS", 4)
    out, _ = serial
    build([corpus], tmp_path / "out", formats=("turtle", "trig", "nquads"), cache_dir=str(tmp_path / "cache"), jobs=1)
    assert len(made) >= 2  # 40 documents in batches of 4: rebuilt on the way
    assert outputs(tmp_path / "out") == outputs(out)
    # HanTa's model, memos and cache were loaded once and handed on, not loaded again per pipeline.
    taggers = [nlp.get_pipe("kg_hanta") for nlp in made]
    assert len({id(t._tagger) for t in taggers}) == 1 and len({id(t.cache) for t in taggers}) == 1
    assert all(t._tagger is not None and t.cache.db is not None for t in taggers)
    # ... and the tag cache it went on writing holds what a build without rebuilds writes.
    taggers[-1].flush()
    monkeypatch.setattr(parallel, "STRING_LIMIT", 10**9)
    build([corpus], tmp_path / "ref", formats=("turtle",), cache_dir=str(tmp_path / "ref-cache"), jobs=1)
    made[-1].get_pipe("kg_hanta").flush()
    assert len(made) == len(taggers) + 1
    assert cache_rows(tmp_path / "cache") == cache_rows(tmp_path / "ref-cache") != ([], [])


def cache_rows(folder: Path) -> tuple[list, list]:
    con = sqlite3.connect(folder / "hanta-tags.sqlite")
    try:
        return tuple(con.execute(f"SELECT key, value FROM {table} ORDER BY key").fetchall()
                     for table in ("tags", "words"))
    finally:
        con.close()


def test_a_tagger_adopts_only_one_with_the_same_settings(tmp_path):
    from kg.nlp.hanta_tagger import HantaTagger

    first = HantaTagger(cache_dir=str(tmp_path / "a"))
    with pytest.raises(ValueError):
        HantaTagger(cache_dir=str(tmp_path / "b")).adopt(first)
    with pytest.raises(ValueError):
        HantaTagger(cache_dir=str(tmp_path / "a"), memo=False).adopt(first)
    second = HantaTagger(cache_dir=str(tmp_path / "a"))
    own = second.cache
    second.adopt(first)
    assert second.cache is first.cache and own.db is None  # its own connection was closed
