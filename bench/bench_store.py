#!/usr/bin/env python3
"""Benchmark the kg store against plain rdflib on a synthetic graph in the kg schema.

Builds N triples (default 1,000,000) of documents, sentences, statements and actors with
kg.rdfio.rdf, then times in one run:

  * the kg store (in-memory Oxigraph + N-Quads snapshot): putting documents, committing,
    reopening; Oxigraph's on-disk RocksDB store for comparison (bulk load, per-document
    writes, reopening after flushed and after unflushed writes);
  * loading N-Quads into plain rdflib, and into rdflib backed by Oxigraph (oxrdflib)
    with its `ox-*` parsers and with rdflib's own parser (a known pitfall);
  * the example queries of `kg serve` (kg/rdfio/server.py) plus a full 2-hop join, through
    Oxigraph and through plain rdflib (each rdflib query in a child process, stopped
    after --rdflib-timeout seconds);
  * serialisation to every kg format with kg.rdfio.serialize, and with rdflib's serialisers.

    python bench/bench_store.py                 # 1M triples, prints a Markdown report
    python bench/bench_store.py --triples 100000 --json bench.json

Not a test: figures depend on the machine (docs/STORES.md lists ours).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TWO_HOP = """PREFIX gkg: <https://w3id.org/geokg/ontology#>
SELECT (COUNT(*) AS ?n) WHERE { ?a gkg:meets ?b . ?b gkg:meets ?c . FILTER(?a != ?c) }"""
# The same two hops through the statement nodes (agent -> target -> agent of another statement).
TWO_HOP_STATEMENTS = """PREFIX gkg: <https://w3id.org/geokg/ontology#>
SELECT (COUNT(*) AS ?n) WHERE { ?s1 gkg:agent ?a ; gkg:target ?b . ?s2 gkg:agent ?b ; gkg:target ?c . }"""
COUNTS = (TWO_HOP, TWO_HOP_STATEMENTS)
WORDS = ("Regierung Präsident Gespräch Treffen Verhandlungen Grenze Sanktionen Hilfe Waffen Frieden Krieg "
         "Außenminister Gipfel Woche Montag erklärte sagte die der das und mit über nach").split()


def synthetic_results(n_triples: int, seed: int = 7):
    """DocumentResults (20 statements each) until about n_triples triples; deterministic."""
    from kg.rdfio.rdf import document_triples
    from kg.records import Actor, DocumentResult, Sentence, Statement

    rng = random.Random(seed)
    states = [Actor(f"state/s{i}", "state", f"Staat {i}", (f"S{i}",), f"Q{1000 + i}", iso2="x" + chr(97 + i % 26))
              for i in range(200)]
    persons = [Actor(f"person/p{i}", "person", f"Person {i}", (f"P. {i}",), f"Q{5000 + i}" if i % 3 == 0 else None,
                     "Minister" if i % 2 else "Präsident", f"state/s{i % 200}") for i in range(3000)]
    orgs = [Actor(f"org/o{i}", "organization", f"Organisation {i}", (), None, org_type="international")
            for i in range(100)]
    places = [Actor(f"place/c{i}", "place", f"Stadt {i}", (), None, country=f"state/s{i % 200}") for i in range(300)]
    actors = {a.key: a for a in states + persons + orgs + places}
    agents = [a.key for a in persons + states + orgs]
    total, number = 0, 0
    while total < n_triples:
        doc = f"doc{number:06d}"
        number += 1
        sentences, statements, pos = [], [], 0
        for k in range(1, 21):
            text = " ".join(rng.choice(WORDS) for _ in range(18)) + "."
            sentences.append(Sentence(k, pos, pos + len(text), text))
            agent, target = rng.sample(agents, 2)
            statements.append(Statement(
                rng.choice(("meets", "warns", "supports", "demands")), agent,
                target if rng.random() < 0.9 else None,
                rng.choice(("asserted", "asserted", "planned", "possible", "negated")), round(rng.random(), 2),
                doc, k, pos, pos + len(text) - 1, "trifft",
                place=rng.choice(places).key if rng.random() < 0.3 else None,
                time="am Montag" if rng.random() < 0.3 else None))
            pos += len(text) + 1
        result = DocumentResult(doc, f"{doc}.txt", "", sentences, actors, [], statements)
        triples = list(document_triples(result))
        total += len(triples)
        yield result, triples


def timed(label: str, rows: list, fn, *args, **kwargs):
    gc.collect()
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    rows.append((label, seconds))
    print(f"  {label}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return value


def in_child(fn, timeout: float):
    """Run fn() in a forked child; (seconds, result) or (None, None) after `timeout`."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            start = time.perf_counter()
            value = fn()
            payload = json.dumps([time.perf_counter() - start, value]).encode()
        except BaseException as exc:  # noqa: BLE001 - report anything to the parent
            payload = json.dumps([None, f"{type(exc).__name__}: {exc}"]).encode()
        os.write(write_fd, payload)
        os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            data = b""
            while chunk := os.read(read_fd, 65536):
                data += chunk
            os.close(read_fd)
            seconds, value = json.loads(data)
            return seconds, value
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    return None, None


def disk_store_figures(snapshot: Path, workdir: Path, per_doc: bool, rows: list) -> None:
    """Oxigraph's on-disk store: the alternative to in-memory + snapshot."""
    code = r"""
import sys, time, pyoxigraph as ox
mode, path, data = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if mode == "bulk":
    store = ox.Store(path); store.bulk_load(path=data, format=ox.RdfFormat.N_QUADS); store.optimize(); store.flush()
elif mode == "per-doc":
    quads = list(ox.parse(path=data, format=ox.RdfFormat.N_QUADS))
    groups = {}
    for q in quads:
        groups.setdefault(q.graph_name, []).append(q)
    store = ox.Store(path)
    start = time.perf_counter()
    for graph, qs in groups.items():
        store.remove_graph(graph); store.extend(qs)
    # exit without flush(): what a crashed or careless writer leaves behind
elif mode == "reopen":
    store = ox.Store(path)
    opened = time.perf_counter() - start
    list(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <https://w3id.org/geokg/ontology#meets> ?o } }"))
    print(f"{opened:.3f}", end=" ")
print(f"{time.perf_counter() - start:.3f}")
"""

    def run(*args: str) -> list[float]:
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
        return [float(x) for x in out.stdout.split()]

    flushed = workdir / "disk-flushed"
    (seconds,) = run("bulk", str(flushed), str(snapshot))
    rows.append(("on-disk store: bulk load + optimize", seconds))
    opened, total = run("reopen", str(flushed), str(snapshot))
    rows.append(("on-disk store: reopen (flushed)", opened))
    rows.append(("on-disk store: reopen (flushed) + first query", total))
    if per_doc:
        unflushed = workdir / "disk-unflushed"
        (seconds,) = run("per-doc", str(unflushed), str(snapshot))
        rows.append(("on-disk store: put documents one by one", seconds))
        opened, total = run("reopen", str(unflushed), str(snapshot))
        rows.append(("on-disk store: reopen after unflushed writes", opened))
    for label, seconds in rows[-5:]:
        print(f"  {label}: {seconds:.2f} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph (quads)")
    parser.add_argument("--rdflib-timeout", type=float, default=300.0,
                        help="seconds before an rdflib query or serialiser is stopped")
    parser.add_argument("--pitfall-triples", type=int, default=100_000,
                        help="size for the oxrdflib format='nt' vs 'ox-nt' comparison")
    parser.add_argument("--no-disk", action="store_true", help="skip the on-disk Oxigraph store figures")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    import pyoxigraph as ox
    import rdflib

    from kg.rdfio.serialize import FORMATS, serialize
    from kg.rdfio.server import EXAMPLE_QUERIES
    from kg.rdfio.store import SNAPSHOT, GraphStore

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    rows: list[tuple[str, float]] = []
    queries: list[tuple[str, float | None, float | None, int, object]] = []
    sizes: dict[str, int] = {}
    try:
        print(f"generating ~{args.triples} triples ...", file=sys.stderr, flush=True)
        docs = timed("generate records + rdflib triples (kg.rdfio.rdf)", rows, lambda: list(synthetic_results(args.triples)))
        quads = sum(len(t) for _, t in docs)

        print("kg store ...", file=sys.stderr, flush=True)
        store_dir = work / "store"

        writer = GraphStore.open(store_dir)
        timed("kg store: put_document for every document", rows,
              lambda: [writer.put_document(r.doc_id, "x", t) for r, t in docs])
        timed("kg store: commit (sorted N-Quads snapshot)", rows, writer.commit)
        distinct = writer.triple_count()
        writer.close()
        del writer, docs
        snapshot = store_dir / SNAPSHOT
        sizes["snapshot"] = snapshot.stat().st_size
        store = timed("kg store: open (load snapshot)", rows, lambda: GraphStore.open(store_dir, read_only=True))
        timed("kg store: merge documents into the default graph (before the first query)", rows,
              lambda: store.oxigraph)

        if not args.no_disk:
            print("on-disk Oxigraph store ...", file=sys.stderr, flush=True)
            disk_store_figures(snapshot, work, per_doc=True, rows=rows)

        print("parsers ...", file=sys.stderr, flush=True)
        nquads = snapshot.read_bytes()

        def rdflib_load():
            ds = rdflib.Dataset(default_union=True)
            ds.parse(data=nquads, format="nquads")
            return ds

        rdf_ds = timed("plain rdflib: parse N-Quads (Memory store)", rows, rdflib_load)
        timed("pyoxigraph: Store.load N-Quads", rows,
              lambda: ox.Store().load(nquads, format=ox.RdfFormat.N_QUADS))
        timed("oxrdflib: Dataset(store='Oxigraph').parse(format='ox-nquads')", rows,
              lambda: rdflib.Dataset(store="Oxigraph").parse(data=nquads, format="ox-nquads"))
        head = b"\n".join(nquads.split(b"\n", args.pitfall_triples)[:args.pitfall_triples]) + b"\n"
        small_nt = ox.serialize((ox.Triple(q.subject, q.predicate, q.object)
                                 for q in ox.parse(head, ox.RdfFormat.N_QUADS)), format=ox.RdfFormat.N_TRIPLES)
        n_small = small_nt.count(b"\n")
        timed(f"oxrdflib pitfall at {n_small}: Graph(store='Oxigraph').parse(format='nt')", rows,
              lambda: rdflib.Graph(store="Oxigraph").parse(data=small_nt, format="nt"))
        timed(f"oxrdflib at {n_small}: Graph(store='Oxigraph').parse(format='ox-nt')", rows,
              lambda: rdflib.Graph(store="Oxigraph").parse(data=small_nt, format="ox-nt"))

        print("queries ...", file=sys.stderr, flush=True)
        for title, sparql in [*EXAMPLE_QUERIES, ("2-hop join over all gkg:meets (COUNT)", TWO_HOP),
                              ("2-hop join through statement nodes (COUNT)", TWO_HOP_STATEMENTS)]:
            start = time.perf_counter()
            result = list(store.query(sparql))
            ox_seconds = time.perf_counter() - start
            # Rows, or the number itself for a one-row COUNT: both engines must agree.
            count = int(result[0][0].value) if sparql in COUNTS else len(result)
            rd_seconds, rd_count = in_child(
                lambda q=sparql: int(next(iter(rdf_ds.query(q)))[0]) if q in COUNTS else len(list(rdf_ds.query(q))),
                args.rdflib_timeout)
            queries.append((title, ox_seconds, rd_seconds, count, rd_count))
            shown = f"{rd_seconds:.2f} s" if rd_seconds is not None else f"> {args.rdflib_timeout:.0f} s"
            print(f"  {title}: oxigraph {ox_seconds:.3f} s ({count} rows), rdflib {shown} ({rd_count})",
                  file=sys.stderr, flush=True)

        print("serialisation ...", file=sys.stderr, flush=True)
        kg_ds = store.to_dataset()
        rdf_union = rdflib.Graph()
        for s, p, o, _ in rdf_ds.quads((None, None, None, None)):
            rdf_union.add((s, p, o))
        for fmt in FORMATS:
            data = timed(f"kg.rdfio.serialize {fmt}", rows, serialize, kg_ds, fmt)
            sizes[fmt] = len(data)
            rdflib_fmt = {"nt": "nt", "turtle": "turtle", "nquads": "nquads", "trig": "trig",
                          "json-ld": "json-ld"}[fmt]
            source = rdf_ds if FORMATS[fmt][1] else rdf_union
            seconds, _ = in_child(lambda f=rdflib_fmt, g=source: len(g.serialize(format=f, encoding="utf-8")),
                                  args.rdflib_timeout)
            rows.append((f"plain rdflib serialize {fmt}", seconds if seconds is not None else float("nan")))
            print(f"  plain rdflib serialize {fmt}: {seconds}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}, pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else '?'},"
                   f" rdflib {rdflib.__version__}",
        "quads": quads, "distinct_triples": distinct, "sizes": sizes,
        "timings": rows, "queries": queries, "rdflib_timeout": args.rdflib_timeout,
    }
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")


def markdown(report: dict) -> str:
    timeout = report["rdflib_timeout"]
    lines = [f"Synthetic kg graph: {report['quads']:,} quads in document graphs, "
             f"{report['distinct_triples']:,} distinct triples; {report['machine']}.", "",
             "| step | seconds |", "|---|---:|"]
    lines += [f"| {label} | {seconds:.2f} |" for label, seconds in report["timings"]]
    lines += ["", "| query | Oxigraph (kg store) | plain rdflib | rows or count (Oxigraph / rdflib) |",
              "|---|---:|---:|---|"]
    for title, ox_s, rd_s, count, rd_count in report["queries"]:
        rd = f"{rd_s:.2f} s" if rd_s is not None else f"> {timeout:.0f} s (stopped)"
        lines.append(f"| {title} | {ox_s:.3f} s | {rd} | {count} / {rd_count if rd_count is not None else '-'} |")
    lines += ["", "| file | bytes |", "|---|---:|"]
    lines += [f"| {name} | {size:,} |" for name, size in report["sizes"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
