"""Extraction speed: tokens/s with a cold and a warm HanTa cache, and per component.

    python bench/bench_extract.py [--repeat N]

Input: the seed article and the dev and held-out gold sentences. The cold pass starts
with an empty cache; the warm passes repeat the corpus --repeat times.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    for name in ("devset.jsonl", "heldout.jsonl"):
        for line in (ROOT / "dev" / name).read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)["text"])
    return texts


def run(nlp, texts):
    from kg.extract.document import extract_document

    started = time.perf_counter()
    tokens = statements = 0
    for i, doc in enumerate(nlp.pipe(texts)):
        tokens += len(doc)
        statements += len(extract_document(doc, f"d{i}", "").statements)
    return tokens, statements, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="copies of the corpus (default 10)")
    args = parser.parse_args()
    from kg.nlp.pipeline import make_nlp

    texts = corpus()
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        nlp = make_nlp(cache_dir=cache)
        nlp("Warm-up.")
        setup = time.perf_counter() - t0
        tokens, statements, cold = run(nlp, texts)
        _, _, warm_same = run(nlp, texts * args.repeat)  # same pipeline: in-memory cache
        fresh = make_nlp(cache_dir=cache)  # as a new process would: SQLite cache only
        _, _, warm_disk = run(fresh, texts * args.repeat)
        uncached = make_nlp(cache_dir=None)
        timings = {}
        for name, proc in uncached.pipeline:
            timings[name] = 0.0
        docs = [uncached.make_doc(t) for t in texts]
        for name, proc in uncached.pipeline:
            t = time.perf_counter()
            docs = [proc(d) for d in docs]
            timings[name] = time.perf_counter() - t
    print(f"texts: {len(texts)}, tokens: {tokens}, statements: {statements}")
    print(f"pipeline setup (load lexicon, gazetteer, HanTa model): {setup:.2f} s")
    print(f"cold cache : {cold:6.2f} s  {tokens / cold:8.0f} tokens/s")
    n = tokens * args.repeat
    print(f"warm memory: {warm_same:6.2f} s  {n / warm_same:8.0f} tokens/s  ({args.repeat} passes)")
    print(f"warm SQLite: {warm_disk:6.2f} s  {n / warm_disk:8.0f} tokens/s  ({args.repeat} passes)")
    total = sum(timings.values())
    print("share per component (no cache):")
    for name, secs in timings.items():
        print(f"  {name:<14} {secs:6.2f} s  {100 * secs / total:5.1f} %")


if __name__ == "__main__":
    main()
