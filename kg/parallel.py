"""Running the extraction: in this process, in worker processes, or on a Dask cluster.

Work travels in batches of `Task`s; each task comes back as an `Outcome` (the
DocumentResult, or the stage and one line of the error that stopped it). Results are
handed back in input order, whatever order the workers finish in, so the parent can
merge them into the store exactly as a serial run would.
"""

from __future__ import annotations

import gc
import os
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BATCH_DOCS = 16  # documents per batch at most
BATCH_CHARS = 60_000  # characters per batch at most (one larger document travels alone)


@dataclass(frozen=True)
class Task:
    doc_id: str
    path: str  # shown in the graph (gkg:sourcePath) and in reports
    text: str
    meta: Any = None  # kg.records.DocumentMeta
    digest: str = ""  # content hash, for the store
    order: int = 0  # position in the input


@dataclass
class Outcome:
    """What a worker sends back for one document: its RDF and the counts the build reports
    (not the DocumentResult, whose objects would cost the parent ~1 ms a document to unpickle)."""

    task: Task
    stage: str = ""  # where it failed, e.g. "nlp/hanta_tagger"; empty when it worked
    error: str = ""  # one line
    words: int = 0  # whitespace-separated words, for tokens/s
    ntriples: bytes = b""  # the document's triples (kg.rdfio.serialize.document_ntriples)
    sentences: int = 0
    actors: tuple[str, ...] = ()  # keys of the persons, states and organisations it describes
    statements: tuple[tuple[str, str], ...] = ()  # (relation, modality) per statement

    @property
    def ok(self) -> bool:
        return not self.stage


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def batches(tasks: Iterable[Task]) -> Iterator[list[Task]]:
    batch: list[Task] = []
    chars = 0
    for task in tasks:
        if batch and (len(batch) >= BATCH_DOCS or chars + len(task.text) > BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(task)
        chars += len(task.text)
    if batch:
        yield batch


# One pipeline per (process, thread): spaCy components and the SQLite cache are not shared.
_PIPELINES: dict[tuple, Any] = {}
# spaCy's vocabulary keeps every string it has seen (word forms, lemmas, tags), and its tokenizer
# a cache entry per new chunk of text, for the life of the pipeline. Past this many strings the
# pipeline is made afresh (about 1.5 s), so a worker's memory does not grow with the corpus.
# spaCy's memory_zone() would drop them per batch, but it turns the tokenizer cache off for every
# batch (spaCy's docs: "some performance impact"); a rebuild costs nothing until the limit.
STRING_LIMIT = 150_000


def pipeline(model: str | None, cache_dir: str | None):
    key = (model, cache_dir, os.getpid(), threading.get_ident())
    nlp = _PIPELINES.get(key)
    kept: dict[str, Any] = {}
    if nlp is not None and len(nlp.vocab.strings) > STRING_LIMIT:
        # What is not spaCy's (HanTa's model, memos and cache) goes on into the new pipeline.
        kept = {name: component for name, component in nlp.pipeline if hasattr(component, "adopt")}
        del _PIPELINES[key]
        nlp = None
        # The old pipeline holds reference cycles: free it now, before the new one is made,
        # so that a worker never holds two.
        gc.collect()
    if nlp is None:
        from .nlp.pipeline import make_nlp

        nlp = make_nlp(model, cache_dir=cache_dir)
        for name, component in kept.items():
            nlp.get_pipe(name).adopt(component)
        _PIPELINES[key] = nlp
    return nlp


def failure_stage(exc: BaseException) -> str:
    """Where it failed: the spaCy component ("kg_coref") if inside the pipeline, else the
    innermost kg module in the traceback ("extract/relations", "rdf"), else "pipeline"."""
    root = Path(__file__).resolve().parent
    chain = []
    seen = set()
    while exc is not None and id(exc) not in seen:  # spaCy re-raises a component's KeyError as E109
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    module = None
    for error in chain:
        tb = error.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_name == "__call__" and code.co_filename.endswith(("spacy/language.py", "spacy\\language.py")):
                name = tb.tb_frame.f_locals.get("name")
                if isinstance(name, str):
                    return name  # Language.__call__ runs the components as `for name, proc in ...`
            try:
                rel = Path(code.co_filename).resolve().relative_to(root)
            except ValueError:
                rel = None
            if rel is not None and rel.name != "parallel.py":
                module = rel.with_suffix("").as_posix()  # the last one seen is the innermost
            tb = tb.tb_next
    return module or "pipeline"


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
    return line if len(line) <= 300 else line[:297] + "..."


def extract_one(nlp, task: Task) -> Outcome:
    from .extract.document import extract_text

    from .rdfio.rdf import document_triples, referenced_actors
    from .rdfio.serialize import document_ntriples

    try:
        result = extract_text(nlp, task.text, task.doc_id, task.path)
        if task.meta is not None:
            result.meta = task.meta
        # RDF is made here, in the worker: the parent, which merges in input order, only loads it.
        ntriples = document_ntriples(document_triples(result))
        actors = tuple(key for key in referenced_actors(result)
                       if result.actors[key].kind in ("person", "state", "organization"))
    except Exception as exc:  # noqa: BLE001 - one bad document must not sink the corpus
        return Outcome(task, stage=failure_stage(exc), error=one_line(exc))
    return Outcome(task, words=len(task.text.split()), ntriples=ntriples, sentences=len(result.sentences),
                   actors=actors, statements=tuple((st.relation, st.modality) for st in result.statements))


def extract_batch(batch: list[Task], model: str | None, cache_dir: str | None) -> list[Outcome]:
    """Worker entry point (process pool and Dask): the outcomes of one batch, in order."""
    try:
        nlp = pipeline(model, cache_dir)
    except Exception as exc:  # noqa: BLE001 - e.g. a --model a worker does not have
        return [Outcome(t, stage="pipeline set-up", error=one_line(exc)) for t in batch]
    try:
        return [extract_one(nlp, task) for task in batch]
    finally:
        # The tagger's cache is written once per batch: other workers and the next run read it.
        for _, component in nlp.pipeline:
            flush = getattr(component, "flush", None)
            if flush is not None:
                flush()


class SerialRunner:
    """Everything in this process (--jobs 1)."""

    def __init__(self, model: str | None, cache_dir: str | None):
        self.model, self.cache_dir = model, cache_dir

    def run(self, work: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        for batch in work:
            yield extract_batch(batch, self.model, self.cache_dir)

    def close(self) -> None:
        pass


class ProcessRunner:
    """Worker processes on this machine (--jobs N); a worker that dies costs only its documents."""

    def __init__(self, model: str | None, cache_dir: str | None, jobs: int):
        self.model, self.cache_dir, self.jobs = model, cache_dir, jobs
        self.pool = None

    def _pool(self):
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: no fork of a parent that holds the store, threads and open files
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"))
        return self.pool

    def _restart(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def run(self, work: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        from concurrent.futures.process import BrokenProcessPool

        def submit(batch):
            return self._pool().submit(extract_batch, batch, self.model, self.cache_dir)

        pending: deque = deque()
        window = 4 * self.jobs
        work = iter(work)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                batch = next(work, None)
                if batch is None:
                    exhausted = True
                else:
                    pending.append((batch, submit(batch)))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                yield future.result()
            except BrokenProcessPool:
                # A worker died (out of memory, a crash in native code): redo the batches in
                # flight one document at a time, so that only the guilty document is lost.
                redo = [batch] + [b for b, _ in pending]
                pending.clear()
                for b in redo:
                    yield [self._alone(task) for task in b]

    def _alone(self, task: Task) -> Outcome:
        from concurrent.futures.process import BrokenProcessPool

        self._restart_if_broken()
        try:
            return self._pool().submit(extract_batch, [task], self.model, self.cache_dir).result()[0]
        except BrokenProcessPool:
            self._restart()
            return Outcome(task, stage="worker", error="the worker process died on this document")

    def _restart_if_broken(self) -> None:
        if self.pool is not None and getattr(self.pool, "_broken", False):
            self._restart()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class DaskRunner:
    """A Dask distributed cluster: an address (tcp://host:8786) or "local" (a LocalCluster here)."""

    def __init__(self, model: str | None, cache_dir: str | None, address: str, jobs: int,
                 log: Callable[[str], None] | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - a dependency of kg
            from .errors import KgError

            raise KgError("--scheduler needs Dask distributed: pip install 'dask[distributed]'") from None
        self.model, self.cache_dir = model, cache_dir
        self.cluster = None
        try:
            if address == "local":
                self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=40)
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout=15)
        except (OSError, TimeoutError, ValueError) as exc:
            from .errors import KgError

            if self.cluster is not None:
                self.cluster.close()
            raise KgError(f"--scheduler {address}: cannot connect ({one_line(exc)})") from None
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.window = 4 * max(1, workers)
        if log:
            log(f"dask: {address} with {workers} worker(s)")

    def run(self, work: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        pending: deque = deque()
        work = iter(work)
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.window:
                batch = next(work, None)
                if batch is None:
                    exhausted = True
                else:
                    pending.append((batch, self.client.submit(extract_batch, batch, self.model, self.cache_dir,
                                                              pure=False)))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost connection: the batch failed
                yield [Outcome(t, stage="dask worker", error=one_line(exc)) for t in batch]
            finally:
                future.release()

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def make_runner(model: str | None, cache_dir: str | None, *, jobs: int = 1, scheduler: str | None = None,
                log: Callable[[str], None] | None = None):
    if scheduler:
        return DaskRunner(model, cache_dir, scheduler, jobs, log)
    if jobs > 1:
        return ProcessRunner(model, cache_dir, jobs)
    return SerialRunner(model, cache_dir)
