"""The persistent working graph: an in-memory Oxigraph store saved as one N-Quads snapshot.

Layout of a store folder:

    kg-store.json   marker: {"format": "kg-store", "version": 1}
    graph.nq        snapshot: every document's named graph, plus the meta graph
    .lock           held (flock) by the one process that may write

The meta graph `https://w3id.org/geokg/id/graph/meta` records the content hash of each
document (`<doc IRI> <…/graph/meta#contentHash> "…"`). It exists only in the snapshot file:
it is split off when the store is opened, so queries and exports never see it.

In memory, the default graph holds the merge of all document graphs (each triple once),
so SPARQL without GRAPH sees every actor once however many documents mention it (Oxigraph's
union-default-graph option repeats a triple once per graph: 4x the rows of a 2-hop join
on the benchmark graph). It is not saved, and built only when first needed (a query)
after loading or changing documents, so `kg build` never pays for it.

Why in-memory + snapshot and not Oxigraph's on-disk (RocksDB) store, measured at 1M
triples on 2 cores (docs/STORES.md): loading the snapshot takes ~3 s and writing it ~2 s;
replacing 1,400 document graphs one by one takes 2.6 s in memory but 24 s on disk; an
on-disk store reopens in 0.02 s when flushed but took 21 s after unflushed writes (log
replay), and RocksDB allows a single process, so `kg serve` could not run beside
`kg build`. The snapshot is replaced atomically, so readers never need the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import iris
from ..errors import KgError, QueryError
from ..fileio import atomic_write

DEFAULT_STORE = Path("output") / "store"
MARKER = "kg-store.json"
SNAPSHOT = "graph.nq"
LOCK = ".lock"
FORMAT_VERSION = 1
DEFAULT_WAIT = 300.0  # seconds a writer waits for another build or remove to finish
META_GRAPH = iris.DATA + "graph/meta"
CONTENT_HASH = META_GRAPH + "#contentHash"
_DOC_PREFIX = iris.DATA + "doc/"


class GraphStore:
    """The persistent working graph: one named graph per document."""

    def __init__(self, directory: Path, store: Any, hashes: dict[str, str], read_only: bool,
                 lock_fd: int | None, signature: tuple | None) -> None:
        self.directory = directory
        self._store = store
        self._hashes = hashes
        self.read_only = read_only
        self._lock_fd = lock_fd
        self._signature = signature
        self._dirty = False
        self._merged = False  # is the default graph the merge of the current named graphs?

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, directory: str | Path = DEFAULT_STORE, *, read_only: bool = False,
             wait: float | None = None) -> GraphStore:
        """Open the store in `directory`, creating it unless `read_only`.

        A writer holds an exclusive lock until close(), waiting up to `wait` seconds
        (default $KG_STORE_WAIT, else 300) while another build or remove holds it; readers
        take no lock because commit() replaces the snapshot atomically. A writer removes
        temp files that a killed commit left behind.
        """
        path = Path(directory)
        if path.exists() and not path.is_dir():
            raise KgError(f"{path}: not a folder, so it cannot be a kg store")
        marker = path / MARKER
        if not marker.is_file():
            if read_only:
                if not path.exists():
                    raise KgError(f"{path}: no kg store here (run `kg build … --store {path}` first)")
                if not any(path.iterdir()) or not _only_leftovers(path):
                    raise KgError(f"{path}: not a kg store (no {MARKER})")
                return cls(path, _load(path)[0], {}, True, None, None)
            if path.exists() and not _only_leftovers(path):
                raise KgError(f"{path}: not a kg store (no {MARKER}) and not empty; "
                              "give a new or empty folder")
            path.mkdir(parents=True, exist_ok=True)
        lock_fd = None if read_only else _lock(path, _wait_seconds(wait))
        try:
            if not read_only:
                if not marker.is_file():  # first writer: another one may have created it meanwhile
                    with atomic_write(marker) as fh:
                        json.dump({"format": "kg-store", "version": FORMAT_VERSION}, fh)
                        fh.write("\n")
                _remove_leftovers(path)
            _check_marker(marker)
            store, hashes, signature = _load(path)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        return cls(path, store, hashes, read_only, lock_fd, signature)

    # --- documents ---------------------------------------------------------------------

    def document_hash(self, doc_id: str) -> str | None:
        """The content hash recorded when the document was added, or None."""
        return self._hashes.get(doc_id)

    def put_document(self, doc_id: str, content_hash: str, triples: Iterable[tuple]) -> None:
        """Replace the named graph of `doc_id` with `triples` (rdflib terms)."""
        from .serialize import document_ntriples

        self.put_document_ntriples(doc_id, content_hash, document_ntriples(triples))

    def put_document_ntriples(self, doc_id: str, content_hash: str, data: bytes) -> None:
        """Replace the named graph of `doc_id` with N-Triples `data` (kg.rdfio.serialize.document_ntriples),
        loaded in one call, no Python object per triple. KgError if `data` does not parse; the
        document is then left out of the store (its hash too, so that the next build redoes it)."""
        import pyoxigraph as ox

        self._check_writable()
        graph = _document_graph(doc_id)
        self._unmerge()
        self._store.remove_graph(graph)
        self._store.add_graph(graph)
        self._dirty = True
        try:
            if data:
                self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)  # atomic
        except (SyntaxError, ValueError) as exc:
            self._store.remove_graph(graph)
            self._hashes.pop(doc_id, None)
            raise KgError(f"document {doc_id!r}: its statements do not parse as N-Triples: {exc}") from None
        self._hashes[doc_id] = str(content_hash)

    def remove_document(self, doc_id: str) -> None:
        """Drop the named graph of `doc_id`; KgError if the store does not hold it."""
        self._check_writable()
        graph = _document_graph(doc_id)
        if doc_id not in self._hashes and not self._has_graph(graph):
            raise KgError(f"document {doc_id!r} is not in the store {self.directory}")
        self._unmerge()
        self._store.remove_graph(graph)
        self._hashes.pop(doc_id, None)
        self._dirty = True

    def documents(self) -> dict[str, str]:
        """doc_id -> content hash, sorted by doc_id."""
        return dict(sorted(self._hashes.items()))

    def _has_graph(self, graph) -> bool:
        return any(g == graph for g in self._store.named_graphs())

    def _unmerge(self) -> None:
        # An empty default graph, not a stale one, until the merge is needed again.
        if self._merged:
            self._store.update("CLEAR DEFAULT")
            self._merged = False

    def _ensure_merged(self) -> None:
        if not self._merged:
            _merge_default_graph(self._store)
            self._merged = True

    def rebuild_default_graph(self) -> None:
        """Make the default graph the merge of the named graphs again (after a SPARQL update)."""
        _merge_default_graph(self._store)
        self._merged = True

    # --- reading -----------------------------------------------------------------------

    @property
    def oxigraph(self):
        """The underlying pyoxigraph.Store: document graphs plus their merge as default graph."""
        self._ensure_merged()
        return self._store

    def __len__(self) -> int:
        """Number of quads in the document graphs."""
        return len(self.oxigraph) - self.triple_count()

    def triple_count(self) -> int:
        """Number of distinct triples over all documents (the merged default graph)."""
        result = self.oxigraph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(result))["n"].value)

    def to_dataset(self):
        """The document graphs as an rdflib Dataset (Oxigraph-backed copy; no default graph)."""
        import pyoxigraph as ox
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        from .rdf import bind_prefixes

        copy = ox.Store()
        for graph in self._store.named_graphs():
            data = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            copy.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        ds = Dataset(store=OxigraphStore(store=copy))
        bind_prefixes(ds)
        return ds

    def view(self):
        """The document graphs as an rdflib Dataset over this store itself, not a copy (a
        copy of a million quads costs seconds): for reading only, until the store changes."""
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        from .rdf import bind_prefixes

        self._unmerge()  # the default graph stays empty: only the document graphs are seen
        ds = Dataset(store=OxigraphStore(store=self._store))
        bind_prefixes(ds)
        return ds

    def query(self, sparql: str, bindings: dict | None = None):
        """Run SPARQL; the default graph is the merge of all documents, GRAPH ?g sees each one.

        `bindings` maps variable names to rdflib or pyoxigraph terms (substituted safely).
        Returns pyoxigraph results: QuerySolutions, QueryBoolean or QueryTriples.
        """
        return run_query(self.oxigraph, sparql, bindings)

    # --- persisting --------------------------------------------------------------------

    def commit(self) -> None:
        """Write the snapshot atomically if anything changed."""
        self._check_writable()
        if not self._dirty and (self.directory / SNAPSHOT).exists():
            return
        self._hashes = _save(self.directory, self._store, self._hashes)
        self._signature = _signature(self.directory / SNAPSHOT)
        self._dirty = False

    def mark_changed(self) -> None:
        """Note a change made directly on `oxigraph` (e.g. a SPARQL update) so commit() saves it."""
        self._check_writable()
        self._dirty = True

    def changed_on_disk(self) -> bool:
        """True if another process committed a new snapshot since this one was loaded."""
        return _signature(self.directory / SNAPSHOT) != self._signature

    def close(self) -> None:
        """Release the lock; uncommitted changes are discarded."""
        if getattr(self, "_lock_fd", None) is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Commit on success (writers only), then close."""
        try:
            if exc_type is None and not self.read_only:
                self.commit()
        finally:
            self.close()

    def _check_writable(self) -> None:
        if self.read_only:
            raise KgError(f"the store {self.directory} was opened read-only")
        if self._lock_fd is None:
            raise KgError(f"the store {self.directory} is closed")


# --- helpers ---------------------------------------------------------------------------


def _document_graph(doc_id: str):
    import pyoxigraph as ox

    if not isinstance(doc_id, str) or not doc_id:
        raise KgError(f"invalid document id {doc_id!r}")
    try:
        return ox.NamedNode(str(iris.document(doc_id)))
    except ValueError:
        raise KgError(f"invalid document id {doc_id!r}: it does not make a valid IRI") from None


def _check_marker(marker: Path) -> None:
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KgError(f"{marker}: unreadable store marker ({exc}); the store is corrupt") from None
    if not isinstance(info, dict) or info.get("format") != "kg-store":
        raise KgError(f"{marker}: not a kg store marker")
    if info.get("version") != FORMAT_VERSION:
        raise KgError(f"{marker}: store format version {info.get('version')!r} is not supported "
                      f"(this kg writes version {FORMAT_VERSION}); rebuild the store")


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return max(0.0, wait)
    try:
        return max(0.0, float(os.environ.get("KG_STORE_WAIT", DEFAULT_WAIT)))
    except ValueError:
        raise KgError(f"KG_STORE_WAIT must be a number of seconds, not {os.environ['KG_STORE_WAIT']!r}") from None


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _lock(path: Path, wait: float) -> int:
    """Take the writer lock, waiting up to `wait` s for a short holder (build, remove).

    A long-running holder (`kg serve --allow-update`) is reported at once: waiting for
    it would only delay the error.
    """
    fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    told = False
    delay = 0.02
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = _holder(fd)
            if time.monotonic() >= deadline or " serve" in f" {holder}":
                os.close(fd)
                who = f" ({holder})" if holder else ""
                raise KgError(f"{path}: the store is busy: in use by another kg process{who}; "
                              f"waited {wait:.0f} s (set KG_STORE_WAIT to wait longer)") from None
            if not told and wait >= 1:
                sys.stderr.write(f"kg: waiting for the store {path}: in use by another kg process"
                                 f"{f' ({holder})' if holder else ''}\n")
                told = True
            # flock has no timeout: poll for the lock, backing off, until the deadline.
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.5)
    # Say who holds it, for the message of a process that has to wait.
    note = f"pid {os.getpid()}: kg {' '.join(sys.argv[1:2])}".rstrip() + "\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, note.encode("utf-8", "replace"), 0)
    return fd


def _is_leftover(name: str) -> bool:
    """Files a store folder may hold besides the marker and snapshot: the lock, killed commits' temps."""
    return name == LOCK or (name.startswith((f".{SNAPSHOT}.", f".{MARKER}.")) and name.endswith(".tmp"))


def _only_leftovers(path: Path) -> bool:
    return all(_is_leftover(p.name) for p in path.iterdir())


def _remove_leftovers(path: Path) -> None:
    # Only called under the writer lock: no other process is writing these temp files.
    for entry in path.iterdir():
        if entry.name != LOCK and _is_leftover(entry.name):
            try:
                entry.unlink()
            except FileNotFoundError:
                pass


def _signature(snapshot: Path) -> tuple | None:
    try:
        st = snapshot.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _load(path: Path):
    import pyoxigraph as ox

    store = ox.Store()
    snapshot = path / SNAPSHOT
    hashes: dict[str, str] = {}
    try:
        fh = open(snapshot, "rb")
    except FileNotFoundError:
        return store, hashes, None
    except OSError as exc:
        raise KgError(f"{snapshot}: cannot read ({exc.strerror or exc})") from None
    with fh:
        # Stat the open file: a concurrent commit may replace the path meanwhile.
        st = os.fstat(fh.fileno())
        signature = (st.st_ino, st.st_size, st.st_mtime_ns)
        try:
            store.load(fh, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise KgError(f"{snapshot}: the store is corrupt ({_first_line(exc)}); "
                          "rebuild it or restore a backup") from None
    meta = ox.NamedNode(META_GRAPH)
    for quad in store.quads_for_pattern(None, ox.NamedNode(CONTENT_HASH), None, meta):
        doc = quad.subject.value
        if isinstance(quad.subject, ox.NamedNode) and doc.startswith(_DOC_PREFIX):
            hashes[doc[len(_DOC_PREFIX):]] = quad.object.value
    store.remove_graph(meta)
    hashes = _live_documents(store, hashes)  # snapshots of older versions kept hashes of dropped graphs
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        raise KgError(f"{snapshot}: the store is corrupt (statements outside document graphs); "
                      "rebuild it or restore a backup")
    return store, hashes, signature


def _merge_default_graph(store) -> None:
    from .source import merge_default_graph

    merge_default_graph(store)


def _live_documents(store, hashes: dict[str, str]) -> dict[str, str]:
    """The hashes of documents whose graph still holds triples: a graph dropped by a SPARQL
    update (or emptied) loses its hash too, so the next build processes the document again."""
    live = {g.value for g in store.named_graphs()
            if next(iter(store.quads_for_pattern(None, None, None, g)), None) is not None}
    return {doc: h for doc, h in hashes.items() if str(iris.document(doc)) in live}


def _save(path: Path, store, hashes: dict[str, str]) -> dict[str, str]:
    """Write the snapshot; returns the hashes kept (those of documents still in the store)."""
    import pyoxigraph as ox

    from .serialize import sorted_nquads

    meta = ox.NamedNode(META_GRAPH)
    # Whatever a SPARQL update wrote into the meta graph is not ours to keep.
    store.remove_graph(meta)
    hashes = _live_documents(store, hashes)
    meta_quads = [ox.Quad(ox.NamedNode(str(iris.document(doc))), ox.NamedNode(CONTENT_HASH), ox.Literal(h), meta)
                  for doc, h in sorted(hashes.items())]
    with atomic_write(path / SNAPSHOT, "wb") as fh:
        fh.write(sorted_nquads(store, include_default=False))
        fh.write(ox.serialize(meta_quads, format=ox.RdfFormat.N_QUADS) or b"")
    return hashes


def to_ox_term(term):
    """An rdflib (or pyoxigraph) term as a pyoxigraph term; KgError for blank nodes."""
    import pyoxigraph as ox

    from .serialize import ox_term

    if isinstance(term, ox.NamedNode | ox.Literal):
        return term
    return ox_term(term)


def run_query(store, sparql: str, bindings: dict | None = None, *, union: bool = False,
              default_graph: list | None = None, named_graphs: list | None = None):
    """SPARQL over a pyoxigraph store (kg prefixes predeclared); `default_graph` (graph IRIs)
    or `union` (all graphs, repeated per graph) replace the store's default graph."""
    import pyoxigraph as ox

    from .prefixes import PREFIXES
    from .sparql_guard import check

    check(sparql)  # size and nesting depth before Oxigraph's recursive parser (it would crash)
    substitutions = {ox.Variable(str(name).lstrip("?$")): to_ox_term(value)
                     for name, value in (bindings or {}).items()}
    options: dict = {"prefixes": PREFIXES, "substitutions": substitutions or None}
    try:
        if default_graph:
            options["default_graph"] = [ox.NamedNode(str(g)) for g in default_graph]
        elif union:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
    except ValueError as exc:
        raise QueryError(f"invalid graph IRI: {exc}") from None
    try:
        return store.query(sparql, **options)
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL: {_first_line(exc)}") from None
    except RuntimeError as exc:
        if substitutions and "projection" in str(exc):
            # Oxigraph substitutes only projected variables (SPARQL SEP-0007).
            raise QueryError(f"cannot bind {', '.join('?' + v.value for v in substitutions)}: "
                             "a bound variable must be in the SELECT clause (or use SELECT *)") from None
        raise QueryError(f"query failed: {_first_line(exc)}") from None
    except (ValueError, OSError) as exc:
        raise QueryError(f"query failed: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
