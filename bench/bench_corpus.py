"""Corpus-scale benchmark of `kg build`: tokens/s cold and warm, per stage, jobs, Dask, memory.

    python bench/bench_corpus.py [--tokens 1000000] [--runs cold,nocache,warm,words,jobs2,dask,shards]

Makes a synthetic news corpus (seeded): sentence templates in news style filled with
gazetteer actors (persons, states, capitals, organisations) and German vocabulary drawn
Zipf-distributed from Debian's word list (/usr/share/dict/ngerman, package wngerman; without
it, compounds built from a small stem list), one article of about 250 tokens per file.
Then runs `kg build` in a subprocess per configuration and reports wall time, tokens/s
(spaCy tokens of the corpus) and the peak resident memory of the largest process (for the
shards runs also per quarter of the run, sampled every 0.5 s: where memory stops growing).

  cold    --jobs 1, empty tagger cache
  nocache --jobs 1, --no-cache (no SQLite tagger cache at all: what the cache itself costs cold)
  warm    --jobs 1, the cache of `cold` (every sentence seen), new store
  words   --jobs 1, a new corpus (other seed) on the cache of `cold`: known words, new sentences
  jobs2   --jobs 2, empty cache
  dask    --scheduler local --jobs 2 (a LocalCluster with 2 workers), empty cache
  shards  --jobs 2 --shards, empty cache, on a quarter of the corpus and on all of it (memory)

Time per stage is measured in-process on the first 5 % of the corpus, cold.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDLIST = Path("/usr/share/dict/ngerman")

TEMPLATES = [
    "{P} traf am {day} in {C} mit {P2} zusammen.",
    "Der {role} {P} warnte vor {adj} {N}.",
    "{S} unterstützt {S2} bei der {N}.",
    "{O} forderte {S} auf, die {N} zu beenden.",
    "Nach Angaben aus {C} sprachen beide Seiten über {N} und {N2}.",
    "Die {adj} {N} sei nach Ansicht von Beobachtern ein Zeichen für {N2}, sagte {P}.",
    "In {C} wurde am {day} über {N} und {N2} beraten.",
    "Experten rechnen in den kommenden Wochen mit {adj} {N}.",
    "Das Verhältnis zwischen {S} und {S2} gilt wegen der {N} als angespannt.",
    "{P} kündigte an, {P2} im {month} in {C} treffen zu wollen.",
    "Die Regierung in {C} lehnte ein Treffen mit {P} ab.",
    "Kritiker sprechen von {adj} {N} und verlangen mehr {N2}.",
    "Wie aus {C} verlautete, könnte {S} weiterhin {S2} unterstützen.",
    "Am Rande des Gipfels kam es zu {adj} {N} über die {N2}.",
    "Die Verhandlungen über {N} sollen bis {month} abgeschlossen sein.",
    "{P} sagte, man werde {N} und {N2} genau prüfen.",
    "Auch {N}, {N2} und {N3} spielten bei den Gesprächen eine Rolle.",
    "Zuvor hatten {N} und {N2} in {C} für {adj} {N3} gesorgt.",
    "Laut {O} ist die Lage in {S} wegen {adj} {N} weiterhin unübersichtlich.",
    "{S} will die Zusammenarbeit mit {S2} bei {N} und {N2} ausbauen.",
    "Der {role} {P} forderte von {S} ein Ende der {N}.",
    "Beobachter in {C} halten {adj} {N} für möglich.",
    "Ein Sprecher von {O} bestätigte am {day} die {N}.",
    "Die {N} hatte zuletzt {adj} {N2} ausgelöst, berichteten Medien in {C}.",
]
DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]
ROLES = ["Präsident", "Außenminister", "Regierungschef", "Verteidigungsminister", "Kanzler", "Sprecher"]
# Fallback vocabulary when wngerman is absent: stems combined into compounds (enough distinct forms).
STEMS = ("Handel Grenze Energie Wahl Krieg Frieden Sicherheit Wirtschaft Zoll Gas Öl Waffe Hilfe Flucht "
         "Arbeit Steuer Bahn Hafen Strom Kohle Wasser Bildung Gesundheit Klima Markt Bank Geld Rente Miete "
         "Bund Land Stadt Dorf Kirche Schule Polizei Armee Flotte Luft Raum Netz Daten Recht Gericht Vertrag "
         "Gipfel Treffen Gespräch Plan Gesetz Reform Krise Streit Bericht Forderung Sanktion Abkommen").split()
ENDINGS = ["", "n", "en", "s", "es", "e"]


def _gazetteer():
    def rows(name):
        with open(ROOT / "ontology/gazetteer" / name, encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    persons = [r["label"] for r in rows("persons.csv")]
    states = [r["label"] for r in rows("states.csv")]
    capitals = [c for r in rows("states.csv") for c in r["capitals"].split("|") if c]
    orgs = [r["label"] for r in rows("organizations.csv")]
    return persons, states, capitals, orgs


def _vocabulary() -> tuple[list[str], list[str], str]:
    """(nouns, adjectives, source) in a fixed, shuffled order (rank = Zipf rank)."""
    rng = random.Random(7)
    if WORDLIST.exists():
        words = [w.strip() for w in WORDLIST.read_text(encoding="utf-8", errors="replace").splitlines()]
        nouns = [w for w in words if w[:1].isupper() and w.isalpha() and len(w) > 3]
        adjectives = [w for w in words if w[:1].islower() and w.isalpha()
                      and w.endswith(("ischen", "lichen", "igen", "alen", "iven", "baren", "ischer", "licher",
                                      "iger", "ische", "liche", "ige", "enden", "ierten", "sten"))]
        source = f"{WORDLIST} ({len(words):,} words)"
    else:
        nouns = [a + b.lower() + e for a, b in itertools.permutations(STEMS, 2) for e in ENDINGS[:3]]
        adjectives = [s.lower() + "ischen" for s in STEMS] + [s.lower() + "lichen" for s in STEMS]
        source = "built-in stems (install wngerman for real vocabulary)"
    rng.shuffle(nouns)
    rng.shuffle(adjectives)
    return nouns, adjectives, source


class Zipf:
    def __init__(self, items: list[str], s: float, rng: random.Random):
        self.items, self.rng = items, rng
        self.cum = list(itertools.accumulate(1.0 / (k + 1) ** s for k in range(len(items))))

    def __call__(self) -> str:
        return self.items[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]


def make_corpus(folder: Path, tokens: int, seed: int = 1) -> dict:
    """Write articles of ~250 words into `folder` until `tokens` words; return facts about it."""
    persons, states, capitals, orgs = _gazetteer()
    nouns, adjectives, source = _vocabulary()
    rng = random.Random(seed)
    # s < 1 over a large list: a long tail of rare forms, as in a year of news (>= 50,000 forms per 1M tokens)
    noun, adj = Zipf(nouns, 0.8, rng), Zipf(adjectives, 0.8, rng)
    person, state = Zipf(persons, 1.1, rng), Zipf(states, 1.1, rng)
    capital, org = Zipf(capitals, 1.1, rng), Zipf(orgs, 1.1, rng)
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    n = 0
    while words < tokens:
        sentences = []
        length = 0
        while length < 250:
            sentence = rng.choice(TEMPLATES).format(
                P=person(), P2=person(), S=state(), S2=state(), C=capital(), O=org(), N=noun(), N2=noun(),
                N3=noun(), adj=adj(), day=rng.choice(DAYS), month=rng.choice(MONTHS), role=rng.choice(ROLES))
            sentences.append(sentence)
            length += len(sentence.split())
        paragraphs = [" ".join(sentences[k:k + 4]) for k in range(0, len(sentences), 4)]
        (folder / f"{n:06d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        words += length
        n += 1
    return {"documents": n, "vocabulary": source}


def count_tokens(folder: Path) -> tuple[int, int]:
    """(spaCy tokens, distinct word forms) of the corpus."""
    import spacy

    nlp = spacy.blank("de")
    total = 0
    forms: set[str] = set()
    for path in sorted(folder.glob("*.txt")):
        doc = nlp.make_doc(path.read_text(encoding="utf-8"))
        total += len(doc)
        forms.update(t.text for t in doc if t.is_alpha)
    return total, len(forms)


def run_build(args: list[str], cache: Path | None) -> tuple[float, float, str, list[float]]:
    """(seconds, peak RSS in MB of the largest process, stdout, the largest process's RSS in MB in
    each quarter of the run) of one `kg build`."""
    import threading

    env = {**os.environ, "KG_CACHE_DIR": str(cache) if cache else ""}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    sampler = threading.Thread(target=_sample_rss, args=(proc.pid, started, samples, done), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    import resource

    # The largest ru_maxrss among the reaped children: the build and, through it, its workers
    # (run_isolated calls this in a fresh interpreter, so the figure is this run's alone).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode not in (0, 3):
        raise SystemExit(f"kg build {' '.join(args)} failed ({proc.returncode}): {err.strip()[-2000:]}")
    quarters = [max((rss for t, rss in samples if k * seconds / 4 <= t < (k + 1) * seconds / 4), default=0.0)
                for k in range(4)]
    return seconds, peak, out, quarters


def _sample_rss(pid: int, started: float, samples: list, done) -> None:
    """Every half second: the resident memory of the largest process of the build's tree."""
    import psutil  # a dependency of Dask distributed

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not done.wait(0.5):
        largest = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    largest = max(largest, p.memory_info().rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            return
        samples.append((time.perf_counter() - started, largest / 2**20))


def run_isolated(args: list[str], cache: Path | None) -> tuple[float, float, str, list[float]]:
    """run_build in a fresh Python, so that RUSAGE_CHILDREN's maximum is this run's alone."""
    code = ("import json, sys; sys.path.insert(0, %r); from bench_corpus import run_build; "
            "print(json.dumps(run_build(json.loads(sys.argv[1]), None if sys.argv[2] == '-' else "
            "__import__('pathlib').Path(sys.argv[2]))))") % str(Path(__file__).parent)
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(args), str(cache) if cache else "-"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.strip()[-3000:])
    seconds, peak, out, quarters = json.loads(proc.stdout.strip().splitlines()[-1])
    return seconds, peak, out, quarters


def stages(folder: Path, share: float = 0.05) -> list[tuple[str, float]]:
    """Seconds per stage on the first `share` of the corpus, cold tagger, in this process."""
    from kg.extract.document import extract_document
    from kg.nlp.pipeline import make_nlp
    from kg.rdfio.rdf import document_triples
    from kg.rdfio.serialize import serialize
    from kg.rdfio.store import GraphStore

    files = sorted(folder.glob("*.txt"))
    files = files[:max(1, int(len(files) * share))]
    texts = [p.read_text(encoding="utf-8") for p in files]
    nlp = make_nlp(None, cache_dir=None)
    nlp("Putin traf Trump.")  # model loading is not a stage
    times: dict[str, float] = {}

    def add(name, t0):
        times[name] = times.get(name, 0.0) + time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp, GraphStore.open(Path(tmp) / "store") as store:
        for k, text in enumerate(texts):
            t0 = time.perf_counter()
            doc = nlp.make_doc(text)
            add("tokenizer", t0)
            for name, proc in nlp.pipeline:
                t0 = time.perf_counter()
                doc = proc(doc)
                add(name, t0)
            t0 = time.perf_counter()
            result = extract_document(doc, f"d{k}", files[k].name)
            add("extract (clauses, relations)", t0)
            t0 = time.perf_counter()
            triples = list(document_triples(result))
            add("rdf", t0)
            t0 = time.perf_counter()
            store.put_document(f"d{k}", "x", triples)
            add("store put", t0)
        t0 = time.perf_counter()
        store.commit()
        add("store commit", t0)
        t0 = time.perf_counter()
        ds = store.to_dataset()
        serialize(ds, "turtle")
        serialize(ds, "trig")
        add("write turtle + trig", t0)
    return list(times.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1_000_000, help="corpus size in words (default 1,000,000)")
    parser.add_argument("--runs", default="cold,nocache,warm,words,jobs2,dask,shards", help="comma-separated runs")
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpus and outputs in this folder")
    args = parser.parse_args()
    runs = args.runs.split(",")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        facts = make_corpus(corpus, args.tokens, seed=1)
    else:
        facts = {"documents": len(list(corpus.glob("*.txt"))), "vocabulary": "(kept corpus)"}
    tokens, forms = count_tokens(corpus)
    print(f"corpus: {facts['documents']:,} documents, {tokens:,} tokens, {forms:,} distinct word forms; "
          f"vocabulary: {facts['vocabulary']}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start "
          "(shared with other work: figures are noisy)")
    rows = []

    def report(name, seconds, peak, n=tokens):
        rows.append((name, seconds, n / seconds, peak))
        print(f"  {name:<44} {seconds:8.1f} s {n / seconds:10,.0f} tokens/s {peak:8,.0f} MB peak"
              f"   (load {os.getloadavg()[0]:.1f})", flush=True)

    def fresh(path: Path) -> Path:
        """`path`, emptied: a kept store would skip unchanged documents, a kept cache be warm."""
        shutil.rmtree(path, ignore_errors=True)
        return path

    cache = work / "cache"
    if "cold" in runs or "warm" in runs or "words" in runs:
        seconds, peak, *_ = run_isolated([str(corpus), "-o", str(fresh(work / "out-cold")), "--jobs", "1", "-q"],
                                         fresh(cache))
        report("cold, --jobs 1", seconds, peak)
    if "nocache" in runs:
        seconds, peak, *_ = run_isolated([str(corpus), "-o", str(fresh(work / "out-nocache")), "--jobs", "1", "-q",
                                          "--no-cache"], None)
        report("cold, --jobs 1 --no-cache", seconds, peak)
    if "warm" in runs:
        seconds, peak, *_ = run_isolated([str(corpus), "-o", str(fresh(work / "out-warm")), "--jobs", "1", "-q"],
                                         cache)
        report("warm (sentences cached), --jobs 1", seconds, peak)
    if "words" in runs:
        other = work / "corpus-2"
        if not other.exists():
            make_corpus(other, args.tokens, seed=2)
        other_tokens, _ = count_tokens(other)
        seconds, peak, *_ = run_isolated([str(other), "-o", str(fresh(work / "out-words")), "--jobs", "1", "-q"],
                                         cache)
        report("new corpus, known words (cache of cold), --jobs 1", seconds, peak, other_tokens)
    if "jobs2" in runs:
        seconds, peak, *_ = run_isolated([str(corpus), "-o", str(fresh(work / "out-jobs2")), "--jobs", "2", "-q"],
                                         fresh(work / "cache2"))
        report("cold, --jobs 2", seconds, peak)
        if (work / "out-cold/graph.trig").exists():
            same = (work / "out-cold/graph.trig").read_bytes() == (work / "out-jobs2/graph.trig").read_bytes()
            print(f"  --jobs 2 graph.trig identical to --jobs 1: {same}")
    if "dask" in runs:
        seconds, peak, *_ = run_isolated([str(corpus), "-o", str(fresh(work / "out-dask")), "--scheduler", "local",
                                          "--jobs", "2", "-q"], fresh(work / "cache3"))
        report("cold, Dask LocalCluster, 2 workers", seconds, peak)
    if "shards" in runs:
        quarter = work / "corpus-quarter"
        if not quarter.exists():
            quarter.mkdir()
            for path in sorted(corpus.glob("*.txt"))[: max(1, facts["documents"] // 4)]:
                os.link(path, quarter / path.name)
        q_tokens, _ = count_tokens(quarter)
        for name, folder, n in (("quarter", quarter, q_tokens), ("full", corpus, tokens)):
            seconds, peak, _, quarters = run_isolated([str(folder), "--shards", str(fresh(work / f"shards-{name}")),
                                                       "--jobs", "2", "-q"], fresh(work / "cache4"))
            report(f"cold, --jobs 2 --shards, {name} corpus", seconds, peak, n)
            print("    largest process by quarter of the run: " + " / ".join(f"{q:,.0f}" for q in quarters) + " MB")
    print("time per stage (first 5 % of the corpus, cold, one process):")
    measured = stages(corpus)
    total = sum(t for _, t in measured)
    for name, seconds in measured:
        print(f"  {name:<30} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
