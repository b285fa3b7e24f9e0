#!/usr/bin/env python3
"""Benchmark `kg serve` against `oxigraph serve-read-only` over the same kg store.

Builds bench/bench_store.py's synthetic graph (default 1,000,000 triples) as a kg store,
then for each server: start-up until the first answer to `ASK {}`, memory of its process
tree (PSS and RSS, from /proc/PID/smaps_rollup) after start-up and after the query, and
the time of a two-hop count through the statement nodes (its row count too: Oxigraph's
own server has no merged default graph, see docs/STORES.md). Oxigraph's server needs a
one-off `oxigraph load` into RocksDB first, which is timed as well.

    python bench/bench_serve.py                    # 1M triples, a Markdown table
    python bench/bench_serve.py --triples 100000 --runs 2

Not a test: figures depend on the machine (docs/STORES.md lists ours). Needs the
`oxigraph` command (pip package `oxigraph`, installed with kg's dev extras).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import TWO_HOP_STATEMENTS, synthetic_results  # noqa: E402

START_LIMIT = 600.0  # seconds a server gets to answer its first query


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory_mb(pid: int) -> tuple[int, float, float]:
    """(processes, PSS MB, RSS MB) summed over the process tree of pid."""
    pss = rss = 0
    pids = tree(pid)
    for member in pids:
        try:
            with open(f"/proc/{member}/smaps_rollup") as fh:
                for line in fh:
                    key, _, value = line.partition(":")
                    if key == "Pss":
                        pss += int(value.split()[0])
                    elif key == "Rss":
                        rss += int(value.split()[0])
        except OSError:
            continue
    return len(pids), pss / 1024, rss / 1024


def ask(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_answering(url: str, process: subprocess.Popen) -> float:
    """Seconds since now until `url` answers ASK {}; polled, bounded by START_LIMIT."""
    start = time.perf_counter()
    while not ask(url):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering")
        if time.perf_counter() - start > START_LIMIT:
            raise RuntimeError(f"no answer from {url} within {START_LIMIT:.0f} s")
        time.sleep(0.02)
    return time.perf_counter() - start


def count_query(url: str) -> tuple[float, int]:
    import httpx

    start = time.perf_counter()
    response = httpx.post(url, data={"query": TWO_HOP_STATEMENTS}, timeout=600,
                          headers={"Accept": "application/sparql-results+json"})
    seconds = time.perf_counter() - start
    response.raise_for_status()
    return seconds, int(response.json()["results"]["bindings"][0]["n"]["value"])


def measure(label: str, command: list[str], url: str) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    try:
        wait_until_answering(url, process)
        start_up = time.perf_counter() - started
        _, pss_idle, rss_idle = memory_mb(process.pid)
        seconds, rows = count_query(url)
        processes, pss, rss = memory_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    row = {"server": label, "start_up_s": start_up, "processes": processes, "pss_idle_mb": pss_idle,
           "rss_idle_mb": rss_idle, "pss_mb": pss, "rss_mb": rss, "two_hop_s": seconds, "two_hop_rows": rows}
    print(f"  {label}: up in {start_up:.2f} s, PSS {pss_idle:.0f} MB idle / {pss:.0f} MB after the query, "
          f"two hops {seconds:.2f} s ({rows:,} rows)", file=sys.stderr, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph (quads)")
    parser.add_argument("--runs", type=int, default=1, help="measure each server this many times")
    args = parser.parse_args()

    from kg.rdfio.store import SNAPSHOT, GraphStore

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxigraph).exists():
        sys.exit("bench_serve: the `oxigraph` command is missing (pip install oxigraph)")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-serve-"))
    try:
        print(f"building a kg store of ~{args.triples:,} triples ...", file=sys.stderr, flush=True)
        store_dir = work / "store"
        with GraphStore.open(store_dir) as writer:
            for result, triples in synthetic_results(args.triples):
                writer.put_document(result.doc_id, "x", triples)
        snapshot = store_dir / SNAPSHOT
        location = work / "rocksdb"
        start = time.perf_counter()
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(snapshot)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load_s = time.perf_counter() - start
        disk_mb = sum(f.stat().st_size for f in location.rglob("*") if f.is_file()) / 2**20
        print(f"  oxigraph load: {load_s:.1f} s, {disk_mb:.0f} MB on disk", file=sys.stderr, flush=True)

        rows = []
        for _ in range(args.runs):
            for workers in (1, 4):
                port = free_port()
                rows.append(measure(f"kg serve --workers {workers}",
                                    [sys.executable, "-m", "kg", "serve", "--store", str(store_dir), "--port",
                                     str(port), "--workers", str(workers), "--quiet"],
                                    f"http://127.0.0.1:{port}/sparql"))
            for union in (False, True):
                port = free_port()
                rows.append(measure("oxigraph serve-read-only" + (" --union-default-graph" if union else ""),
                                    [oxigraph, "serve-read-only", "--location", str(location), "--bind",
                                     f"127.0.0.1:{port}", *(["--union-default-graph"] if union else [])],
                                    f"http://127.0.0.1:{port}/query"))
        print(f"\n{args.triples:,} triples; snapshot {snapshot.stat().st_size / 2**20:.0f} MB; "
              f"oxigraph load {load_s:.1f} s into {disk_mb:.0f} MB; {os.cpu_count()} cores\n")
        print("| server | start-up to first answer | processes | PSS idle / after query | RSS after query "
              "| two-hop count | rows |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            print(f"| {row['server']} | {row['start_up_s']:.2f} s | {row['processes']} | "
                  f"{row['pss_idle_mb']:.0f} / {row['pss_mb']:.0f} MB | {row['rss_mb']:.0f} MB | "
                  f"{row['two_hop_s']:.2f} s | {row['two_hop_rows']:,} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
