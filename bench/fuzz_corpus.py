"""Fuzzing `kg build` with hostile documents: crashes, hangs, peak memory.

    python bench/fuzz_corpus.py [--documents 10000] [--seed 1] [--hang 10]

Documents (seeded) mix news sentences with: code points from every Unicode plane,
C0/C1 controls, bidi and zero-width characters, combining-mark storms, long lines
(up to a megabyte), punctuation runs, emoji, right-to-left and CJK text, and injection
strings (HTML, SPARQL, Turtle, SQL, template and format strings) inside actor names.
Each document goes through the pipeline, the extractor and the RDF layer in this
process with a time limit (SIGALRM); a crash is any exception, a hang a document over
--hang seconds plus one second per --rate characters (a megabyte document may take its time;
what must not happen is time that grows faster than the input). Then the whole corpus is built once with kg.build.build (two jobs) and
the graph is parsed back. tests/test_fuzz.py runs a few hundred of these documents.
"""

from __future__ import annotations

import argparse
import random
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "{a} traf am Montag in Berlin mit {b} zusammen.",
    "Der Außenminister {a} warnte {b} vor einer Eskalation.",
    "{a} unterstützt {b} weiterhin mit Waffen.",
    "{a} forderte von {b} einen sofortigen Waffenstillstand.",
    "Laut {a} lehnte {b} ein Treffen ab.",
]
NAMES = ["Wladimir Putin", "Donald Trump", "Olaf Scholz", "Russland", "die Ukraine", "China", "die NATO",
         "Emmanuel Macron", "Wang Yi", "Kyrylo Budanow"]
INJECTIONS = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'); DROP TABLE tags;--",
    "} ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #", "<http://evil.example/x>", "_:b0", "\"\"\"", "^^xsd:int",
    "@prefix x: <urn:x> .", "{{7*7}}", "${jndi:ldap://x/a}", "%s%n%x", "../../etc/passwd", "\\u0000 \\n",
    "javascript:alert(1)", "&lt;b&gt;&amp;", "]]><!--", "SERVICE <http://x/> { }", "\\", "'", "\"",
]
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
PUNCT = "‚‘’“”„«»‹›.,;:!?-–—()[]{}/\\|*&%$#@^~`'\"…·"
SCRIPTS = ["مرحبا بالعالم", "שלום עולם", "你好世界", "こんにちは", "Привет мир", "😀🎉🇺🇦🏳️‍🌈", "Ελλάδα", "ℌ𝔢𝔩𝔩𝔬"]


def _random_char(rng: random.Random) -> str:
    plane = rng.randrange(17)
    while True:
        cp = plane * 0x10000 + rng.randrange(0x10000)
        if not 0xD800 <= cp <= 0xDFFF:  # surrogates cannot be written as UTF-8
            return chr(cp)


def _hostile_piece(rng: random.Random, big: bool) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return "".join(_random_char(rng) for _ in range(rng.randrange(1, 40)))
    if kind == 1:
        return "".join(chr(rng.choice([*range(1, 32), 127, *range(0x80, 0xA0)])) for _ in range(rng.randrange(1, 20)))
    if kind == 2:
        return "".join(rng.choice(BIDI + ZERO_WIDTH) for _ in range(rng.randrange(1, 20))) + "Putin"
    if kind == 3:
        marks = "".join(chr(rng.randrange(0x300, 0x370)) for _ in range(rng.randrange(10, 3000 if big else 300)))
        return "P" + marks + "utin"
    if kind == 4:
        length = rng.randrange(1000, 1_000_000 if big else 20_000)
        return " ".join(rng.choice(["Putin", "traf", "Trump", "und", "Xi", "in", "Paris"])
                        for _ in range(length // 5))
    if kind == 5:
        return rng.choice(PUNCT) * rng.randrange(10, 40_000 if big else 5_000)
    if kind == 6:
        return "".join(rng.choice(PUNCT) for _ in range(rng.randrange(10, 2_000)))
    if kind == 7:
        return rng.choice(SCRIPTS) * rng.randrange(1, 20)
    if kind == 8:
        return rng.choice(INJECTIONS)
    if kind == 9:
        return "x" * rng.randrange(100, 100_000 if big else 3_000)
    if kind == 10:
        return "A. " * rng.randrange(10, 5_000 if big else 500)
    return str(rng.randrange(10 ** 30)) * rng.randrange(1, 50)


def hostile_documents(n: int, seed: int = 1, big: bool = True) -> list[str]:
    """n hostile documents (news sentences with hostile pieces, some inside names)."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randrange(1, 6)):
            a, b = rng.choice(NAMES), rng.choice(NAMES)
            if rng.random() < 0.4:  # inside a name
                a = a[: len(a) // 2] + _hostile_piece(rng, False)[:200] + a[len(a) // 2:]
            if rng.random() < 0.3:
                b = rng.choice(INJECTIONS) + " " + b
            parts.append(rng.choice(SENTENCES).format(a=a, b=b))
            if rng.random() < 0.5:
                parts.append(_hostile_piece(rng, big and rng.random() < 0.05))
        docs.append(" ".join(parts) if rng.random() < 0.5 else "\n".join(parts))
    return docs


def write_corpus(docs: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, text in enumerate(docs):
        path = folder / f"{k:06d}.txt"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        paths.append(path)
    return paths


class _Hang(BaseException):
    """Raised by the alarm; not an Exception, so that kg's own per-document error handling
    (which reports any Exception as a failed stage) cannot swallow it as a crash."""


def _alarm(signum, frame):
    raise _Hang()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang", type=float, default=10.0, help="seconds after which a document counts as a hang")
    parser.add_argument("--rate", type=float, default=20_000,
                        help="characters per second a long document is allowed on top of --hang")
    parser.add_argument("--jobs", type=int, default=2, help="jobs for the final whole-corpus build")
    args = parser.parse_args()

    from kg.build import build
    from kg.nlp.pipeline import make_nlp
    from kg.parallel import Task, extract_one
    from kg.sources import iter_documents

    docs = hostile_documents(args.documents, args.seed)
    print(f"{len(docs):,} documents, {sum(map(len, docs)):,} characters, longest {max(map(len, docs)):,}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(docs, folder)
        nlp = make_nlp(None, cache_dir=None)
        signal.signal(signal.SIGALRM, _alarm)
        crashes, hangs, unreadable, slowest = [], [], [], (0.0, "")
        readable = list(iter_documents([folder], on_skip=unreadable.append))
        started = time.perf_counter()
        for k, doc in enumerate(readable):
            if k and k % 1000 == 0:
                print(f"  {k:,} documents, {len(crashes)} crashes, {len(hangs)} hangs, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
            t0 = time.perf_counter()
            limit = args.hang + len(doc.text) / args.rate
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                outcome = extract_one(nlp, Task(doc.doc_id, doc.relative, doc.text, doc.meta))  # with its RDF
                if not outcome.ok:
                    crashes.append(f"{doc.relative}: {outcome.stage}: {outcome.error}")
            except _Hang:
                hangs.append(f"{doc.relative}: over {limit:.0f} s ({len(doc.text):,} characters)")
            except Exception as exc:  # noqa: BLE001 - what we count
                crashes.append(f"{doc.relative}: rdf: {type(exc).__name__}: {exc}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            took = time.perf_counter() - t0
            if took > slowest[0]:
                slowest = (took, f"{doc.relative} ({len(doc.text):,} characters)")
        per_doc = time.perf_counter() - started
        # The whole-corpus build has no time limit per document: leave out the ones that hung.
        for line in hangs:
            (folder / line.split(":", 1)[0]).unlink()
        t0 = time.perf_counter()
        summary = build([folder], Path(tmp) / "out", cache_dir=None, jobs=args.jobs, html=True)
        whole = time.perf_counter() - t0
        import pyoxigraph as ox

        quads = len(list(ox.parse(path=str(Path(tmp) / "out" / "graph.trig"), format=ox.RdfFormat.TRIG)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"one by one: {len(readable):,} readable documents in {per_doc:.0f} s; "
          f"{len(unreadable)} not readable (reported and skipped by the reader, e.g. empty after clean-up)")
    print(f"crashes: {len(crashes)}; hangs (> {args.hang:.0f} s + 1 s per {args.rate:,.0f} characters): {len(hangs)}; "
          f"slowest: {slowest[0]:.1f} s, {slowest[1]}")
    for line in (crashes + hangs)[:20]:
        print("  " + line)
    print(f"whole corpus without the hangs, kg build --jobs {args.jobs}: {whole:.0f} s, {summary.processed:,} processed, "
          f"{len(summary.failures)} skipped, graph.trig parses ({quads:,} quads)")
    print(f"peak memory: {peak:,.0f} MB this process, {children:,.0f} MB largest worker")
    sys.exit(1 if crashes or hangs else 0)


if __name__ == "__main__":
    main()
