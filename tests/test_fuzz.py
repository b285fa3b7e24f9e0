"""Seeded fuzzing: a few hundred hostile documents build, nothing crashes, every file parses.

The documents come from bench/fuzz_corpus.py (which runs >= 10,000 of them, with larger
pieces): every Unicode plane, controls, bidi and zero-width characters, combining-mark
storms, long lines, punctuation runs, emoji/RTL/CJK, injection strings inside names.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from fuzz_corpus import hostile_documents, write_corpus  # noqa: E402

from kg.build import build  # noqa: E402


def test_hostile_corpus_builds_without_crashes_and_parses(tmp_path):
    docs = hostile_documents(300, seed=20261202, big=False)
    assert max(map(len, docs)) > 10_000 and any("\u202e" in d for d in docs) and any("<script>" in d for d in docs)
    write_corpus(docs, tmp_path / "corpus")
    started = time.perf_counter()
    summary = build([tmp_path / "corpus"], tmp_path / "out", formats=("turtle", "trig", "nquads", "json-ld"),
                    cache_dir=None, jobs=1)
    seconds = time.perf_counter() - started
    crashes = [f.line() for f in summary.failures if f.stage != "read"]
    assert crashes == []
    # The reader may refuse a document (e.g. nothing left after removing control characters): reported.
    assert all("empty" in f.message or "binary" in f.message for f in summary.failures), summary.failures
    assert summary.processed + len(summary.failures) == 300
    assert summary.processed > 250 and sum(summary.statements.values()) > 50
    assert seconds < 300  # measured ~30 s alone; generous for a shared machine

    import pyoxigraph as ox
    from rdflib import Dataset, Graph

    Graph().parse(tmp_path / "out/graph.ttl", format="turtle")
    Dataset().parse(tmp_path / "out/graph.trig", format="trig")
    quads = list(ox.parse(path=str(tmp_path / "out/graph.nq"), format=ox.RdfFormat.N_QUADS))
    assert quads and not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
                             for q in quads)
    html = (tmp_path / "out/graph.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html
