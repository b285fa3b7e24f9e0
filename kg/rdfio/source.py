"""Where a command's graph comes from: a graph file, standard input (`-`) or the store.

Every command that reads a graph resolves it here, with one rule: a GRAPH file if one is
given, else the store folder given by --store, else the default store `output/store`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, KgError

FILE_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG", ".jsonld": "JSON_LD",
                ".json": "JSON_LD", ".rdf": "RDF_XML", ".owl": "RDF_XML"}
STDIN = "-"


@dataclass
class Source:
    """A resolved graph source: exactly one of `path` (a file or '-') and `store_dir`."""

    path: Path | None = None
    store_dir: Path | None = None

    @property
    def name(self) -> str:
        if self.store_dir is not None:
            return f"store {self.store_dir}"
        return "standard input" if str(self.path) == STDIN else str(self.path)

    @property
    def short_name(self) -> str:
        if self.store_dir is not None:
            return self.store_dir.name or str(self.store_dir)
        return "stdin" if str(self.path) == STDIN else self.path.name

    def oxigraph(self):
        """A pyoxigraph Store: the document graphs as named graphs, the default graph their merge."""
        if self.store_dir is not None:
            from .store import GraphStore

            return GraphStore.open(self.store_dir, read_only=True).oxigraph
        store = load_graph_file(self.path)
        if any(True for _ in store.named_graphs()):
            merge_default_graph(store)  # TriG / N-Quads; triple formats fill the default graph already
        return store

    def documents(self):
        """A pyoxigraph Store holding the graphs as stored: named graphs per document (store,
        TriG, N-Quads, JSON-LD) or the default graph only (Turtle, N-Triples)."""
        if self.store_dir is not None:
            from .serialize import oxigraph_store
            from .store import GraphStore

            return oxigraph_store(GraphStore.open(self.store_dir, read_only=True).to_dataset())
        return load_graph_file(self.path)

    def dataset(self):
        """An Oxigraph-backed rdflib Dataset whose triple patterns see every graph."""
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        from .rdf import bind_prefixes

        ds = Dataset(store=OxigraphStore(store=self.documents()), default_union=True)
        bind_prefixes(ds)
        return ds

    def query(self, sparql: str, bindings: dict | None = None):
        from .store import run_query

        return run_query(self.oxigraph(), sparql, bindings)


def resolve(graph: str | Path | None, store: str | Path | None) -> Source:
    """The source of a command: GRAPH if given (a file or '-'), else --store, else output/store."""
    from .store import DEFAULT_STORE

    if graph is not None and store is not None:
        raise KgError("give either a GRAPH file or --store DIR, not both")
    if graph is not None:
        return Source(path=Path(graph))
    return Source(store_dir=Path(store) if store is not None else DEFAULT_STORE)


def _stdin_format(data: bytes):
    import pyoxigraph as ox

    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return [ox.RdfFormat.JSON_LD]
    if head == b"<" and data.lstrip()[:5].lower() in (b"<?xml", b"<rdf:"):
        return [ox.RdfFormat.RDF_XML]
    # TriG reads Turtle and N-Triples too; N-Quads needs its own parser.
    return [ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS]


def load_graph_file(path: str | Path):
    """Parse an RDF file (any format kg writes, or RDF/XML), or '-' for standard input, into
    a new pyoxigraph Store."""
    import pyoxigraph as ox

    path = Path(path)
    if str(path) == STDIN:
        data = sys.stdin.buffer.read()
        if not data.strip():
            raise InputError("standard input: empty graph")
        errors = []
        for fmt in _stdin_format(data):
            store = ox.Store()
            try:
                store.load(data, format=fmt)
                return store
            except SyntaxError as exc:
                errors.append(f"{fmt.name}: {_first_line(exc)}")
        raise InputError(f"standard input: not a graph in a format kg reads ({'; '.join(errors)})")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; for a store give --store {path}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    name = FILE_FORMATS.get(path.suffix.lower())
    if name is None:
        raise InputError(f"{path}: unknown graph file type; expected one of {', '.join(sorted(FILE_FORMATS))}")
    fmt = getattr(ox.RdfFormat, name)
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(65536):
                if chunk.strip():
                    break
            else:
                raise InputError(f"{path}: empty graph file")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    store = ox.Store()
    try:
        store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        raise InputError(f"{path}: not valid {fmt.name}: {_first_line(exc)}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return store


def merge_default_graph(store) -> None:
    """Make the default graph the merge of the named graphs (each triple once), in one transaction."""
    store.update("CLEAR DEFAULT ; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def query_graph_file(path: str | Path, sparql: str, bindings: dict | None = None):
    """SPARQL over a graph file; as in the store, the default graph is the merge of its graphs."""
    return Source(path=Path(path)).query(sparql, bindings)


def open_graph_file(path: str | Path):
    """Parse an RDF file into an Oxigraph-backed rdflib Dataset (triple patterns see all graphs)."""
    return Source(path=Path(path)).dataset()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
