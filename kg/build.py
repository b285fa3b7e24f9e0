"""`kg build` as a library function: documents -> store -> RDF files (+ HTML)."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import KgError
from .resources import ontology_dir

DEFAULT_FORMATS = ("turtle", "trig")


@dataclass
class BuildSummary:
    documents: int = 0
    processed: int = 0
    unchanged: int = 0
    pruned: int = 0
    kept: int = 0  # stored documents not among the inputs, kept because --prune was not given
    sentences: int = 0  # in the documents processed by this run
    actors: int = 0  # in the whole graph
    statements: Counter = field(default_factory=Counter)  # (relation, modality) -> count, whole graph
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    failures: list = field(default_factory=list)  # Failure per skipped document, in input order

    def lines(self) -> list[str]:
        total = sum(self.statements.values())
        out = [
            f"documents: {self.documents} ({self.processed} processed, {self.unchanged} unchanged"
            + (f", {self.pruned} removed" if self.pruned else "") + ")",
            f"sentences processed: {self.sentences}",
            f"actors: {self.actors}",
            f"statements: {total}",
        ]
        modalities = ("asserted", "planned", "possible", "negated")
        for relation in ("meets", "warns", "supports", "demands"):
            counts = [f"{m} {self.statements[(relation, m)]}" for m in modalities if self.statements[(relation, m)]]
            n = sum(self.statements[(relation, m)] for m in modalities)
            out.append(f"  {relation:<9}{n:>5}" + (f"   ({', '.join(counts)})" if counts else ""))
        if self.kept:
            out.append(f"warning: {self.kept} stored document{'s are' if self.kept != 1 else ' is'} not among "
                       "the inputs and kept in the graph; kg build --prune drops them")
        if self.failures:
            out.append(f"failed: {len(self.failures)} document{'s' if len(self.failures) != 1 else ''} skipped")
        if len(self.outputs) > 8:
            out.append(f"wrote: {len(self.outputs)} files in {self.outputs[0].parent}")
        else:
            out.append(f"wrote: {', '.join(str(p) for p in self.outputs)}")
        out.append(f"time: {self.seconds:.1f} s")
        return out


def pipeline_fingerprint(package_dir: Path | None = None, data_dir: Path | None = None) -> str:
    """Changes whenever kg's code or data change, so stored documents are redone.

    Covers every .py and .pyx file of the kg package (extraction, tagging, RDF, IRIs: all
    shape the output) and every file under ontology/ (gazetteer, lexicons, ontology)."""
    h = hashlib.sha256(__version__.encode())
    here = Path(package_dir or Path(__file__).resolve().parent)
    root = Path(data_dir or ontology_dir())
    files = [("kg", here, p) for pattern in ("*.py", "*.pyx") for p in here.rglob(pattern)] + \
        [("ontology", root, p) for p in root.rglob("*")]
    for label, base, path in sorted((label, base, p) for label, base, p in files
                                    if p.is_file() and "__pycache__" not in p.parts):
        h.update(f"{label}/{path.relative_to(base).as_posix()}\x1f".encode())
        h.update(path.read_bytes())
        h.update(b"\x1e")
    return h.hexdigest()[:16]


def content_hash(text: str, fingerprint: str, model: str | None) -> str:
    return hashlib.sha256(f"{fingerprint}\x1f{model or ''}\x1f{text}".encode()).hexdigest()


PARTIAL_EXIT = 3  # `kg build`: some documents failed and were skipped, the rest was built


@dataclass(frozen=True)
class Failure:
    """A document that was skipped: where it is, the stage that failed, one line."""

    where: str
    stage: str
    message: str
    order: int = 0  # position in the input, so that reports come in input order

    def line(self) -> str:
        return f"{self.where}: {self.stage}: {self.message}"


def build(
    inputs: list[str | Path],
    out_dir: str | Path,
    *,
    store_dir: str | Path | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    html: bool = True,
    model: str | None = None,
    prune: bool = False,
    cache_dir: str | None = "default",
    progress: Callable[[str], None] | None = None,
    date: str | None = None,
    fields: dict[str, str] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    shards: str | Path | None = None,
    strict: bool = False,
    meter=None,
) -> BuildSummary:
    """Extract every input document into the store, then write the graph files.

    Documents are streamed. `jobs` > 1 extracts in worker processes, `scheduler` on a Dask
    cluster ("local" or tcp://host:port); results are merged in input order, so the files
    are the same bytes as a serial build. `shards` writes gzip N-Quads shards into that
    folder instead of the store and graph files. A document that cannot be read or fails in
    any stage is skipped and listed in `summary.failures` (`strict`: KgError instead, and
    nothing is written); when no document at all could be built, KgError.
    `progress` receives messages, `meter` (kg.progress.Progress) counts documents."""
    from .fileio import iter_documents
    from .parallel import Task, batches, make_runner
    from .rdfio.serialize import FORMATS

    started = time.perf_counter()
    out_dir = Path(out_dir)
    if shards is None and out_dir.exists() and not out_dir.is_dir():
        raise KgError(f"{out_dir}: exists and is not a folder")
    for fmt in formats:
        if fmt not in FORMATS:
            raise KgError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    if jobs < 1:
        raise KgError(f"--jobs {jobs}: must be at least 1")
    summary = BuildSummary()
    fingerprint = pipeline_fingerprint()

    def fail(where: str, stage: str, message: str, order: int | None = None) -> None:
        failure = Failure(where, stage, message, summary.documents if order is None else order)
        if strict:
            raise KgError(failure.line())
        summary.failures.append(failure)
        if meter is not None:
            meter.advance(failed=1)

    def skipped(message: str) -> None:  # a record the reader could not read
        summary.documents += 1
        where, _, rest = message.partition(": ")
        fail(where, "read", rest.removesuffix("; skipped") if rest else message)

    documents = iter_documents(list(inputs), date=date, fields=fields, on_skip=None if strict else skipped)
    sink = _ShardSink(shards) if shards is not None else None
    wanted: set[str] = set()

    def tasks(store):
        for doc in documents:
            summary.documents += 1
            if store is not None:  # for --prune and the count of documents kept
                wanted.add(doc.doc_id)
            digest = content_hash(f"{doc.meta!r}\x1e{doc.text}", fingerprint, model)  # new metadata: redo
            if store is not None and store.document_hash(doc.doc_id) == digest:
                summary.unchanged += 1
                if meter is not None:
                    meter.advance()
                continue
            yield Task(doc.doc_id, doc.relative, doc.text, doc.meta, digest, summary.documents)

    def merge(store) -> None:
        work = batches(tasks(store))
        first = [next(work, None), next(work, None)]
        if first[1] is None:  # one batch or none: worker start-up would cost more than it saves
            runner = make_runner(model, cache_dir)
        else:
            runner = make_runner(model, cache_dir, jobs=jobs, scheduler=scheduler, log=progress)
        try:
            for outcomes in runner.run(_chain(first, work)):
                for outcome in outcomes:
                    _merge_one(outcome, store, sink, summary, fail)
                    if meter is not None:
                        meter.advance(words=outcome.words)
        finally:
            runner.close()

    if sink is not None:
        merge(None)
        summary.outputs.extend(sink.close())
        summary.actors = len(sink.actors)
        summary.statements = sink.statements
    else:
        from .rdfio.store import GraphStore

        with GraphStore.open(store_dir or out_dir / "store") as store:
            merge(store)
            _check_something_built(summary)
            if prune:
                for doc_id in sorted(set(store.documents()) - wanted):
                    store.remove_document(doc_id)
                    summary.pruned += 1
            else:
                summary.kept = len(set(store.documents()) - wanted)
            store.commit()
            _write_outputs(store, out_dir, formats, html, summary, parallel=jobs > 1 or scheduler is not None)
    if sink is not None:
        _check_something_built(summary)
    summary.failures.sort(key=lambda f: f.order)
    summary.seconds = time.perf_counter() - started
    return summary


def _chain(first: list, rest):
    for batch in first:
        if batch is not None:
            yield batch
    yield from rest


def _merge_one(outcome, store, sink, summary: BuildSummary, fail) -> None:
    task = outcome.task
    if not outcome.ok:
        fail(task.path, outcome.stage, outcome.error, task.order)
        return
    try:
        if sink is not None:
            sink.add(outcome)
        else:
            store.put_document_ntriples(task.doc_id, task.digest, outcome.ntriples)
    except KgError as exc:  # e.g. unreadable N-Triples from a worker of another kg version
        fail(task.path, "store", str(exc), task.order)
        return
    summary.sentences += outcome.sentences
    summary.processed += 1


def _check_something_built(summary: BuildSummary) -> None:
    """A corpus where every document failed is an error (exit 1), not a partial build."""
    if summary.failures and not summary.processed and not summary.unchanged:
        first = min(summary.failures, key=lambda f: f.order)
        more = len(summary.failures) - 1
        raise KgError(first.line() + (f" (and {more} more document{'s' if more > 1 else ''} failed)" if more else ""))


def _write_outputs(store, out_dir: Path, formats, html: bool, summary: BuildSummary, parallel: bool = False) -> None:
    """The graph files and the page; with `parallel`, the page is made in a forked copy of this
    process while this one writes the graph files (the sequential tail of a --jobs build)."""
    from .fileio import write_bytes_atomic
    from .rdfio.serialize import FORMATS, serialize

    ds = store.view()
    ds.default_union = True  # queries see every document's named graph
    _count(ds, summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "graph.html"
    wait_for_page = _forked(_write_page, ds, page) if html and parallel else None
    for fmt in formats:
        path = out_dir / ("graph" + FORMATS[fmt][0])
        write_bytes_atomic(path, serialize(ds, fmt))
        summary.outputs.append(path)
    if html:
        if wait_for_page is not None:
            wait_for_page()
        else:
            _write_page(ds, page)
        summary.outputs.append(page)


def _write_page(ds, path: Path) -> None:
    from .viz import write_html

    write_html(ds, path)


def _forked(fn, *args):
    """Start fn(*args) in a forked child, which shares the in-memory store (nothing is pickled);
    returns a function that waits for it and raises its error as a KgError. None where the
    platform cannot fork: the caller then runs fn itself."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_forked_main, args=(send, fn, args), daemon=True)
    child.start()
    send.close()

    def wait() -> None:
        try:
            error = receive.recv()
        except EOFError:
            error = None
        child.join()
        receive.close()
        if error:
            raise KgError(error)
        if child.exitcode != 0:
            raise KgError(f"writing the HTML page: the process making it ended with status {child.exitcode}")

    return wait


def _forked_main(send, fn, args) -> None:
    try:
        fn(*args)
        send.send("")
    except KgError as exc:
        send.send(str(exc))
    except Exception as exc:  # noqa: BLE001 - reported by the parent, as any output error
        send.send(f"writing the HTML page: {type(exc).__name__}: {exc}")
    finally:
        send.close()


class _ShardSink:
    """--shards: documents go to N-Quads shards; counts come from the records."""

    def __init__(self, directory):
        from .shards import ShardWriter

        self.writer = ShardWriter(directory)
        self.actors: set[str] = set()
        self.statements: Counter = Counter()

    def add(self, outcome) -> None:
        self.writer.add_ntriples(outcome.task.doc_id, outcome.ntriples)
        self.actors.update(outcome.actors)
        self.statements.update(outcome.statements)

    def close(self) -> list[Path]:
        return self.writer.close()


def _count(ds, summary: BuildSummary) -> None:
    from .rdfio.namespace import GEO
    from .rdfio.rdf import MODALITY_TERM, RELATION_PROPERTY

    relation_name = {v: k for k, v in RELATION_PROPERTY.items()}
    modality_name = {v: k for k, v in MODALITY_TERM.items()}
    query = """
        SELECT ?rel ?mod (COUNT(DISTINCT ?s) AS ?n) WHERE {
            ?s a gkg:Statement ; gkg:relation ?rel ; gkg:modality ?mod .
        } GROUP BY ?rel ?mod
    """
    for row in ds.query(query, initNs={"gkg": GEO._NS}):
        summary.statements[(relation_name.get(row.rel, str(row.rel)), modality_name.get(row.mod, str(row.mod)))] += int(row.n)
    actors = ds.query("""
        SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
            VALUES ?class { gkg:Person gkg:State gkg:Organization gkg:InternationalOrganization
                            gkg:GovernmentalOrganization }
            ?a a ?class .
        }""", initNs={"gkg": GEO._NS})
    summary.actors = int(next(iter(actors)).n)
