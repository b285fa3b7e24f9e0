"""N-Quads shards: the graph as gzip files of whole documents, without a central store.

Each document is one named graph (its document IRI), exactly the quads `kg build` would
put in the store, lines sorted per shard. `oxigraph load --file shard-*.nq.gz` and
Virtuoso's bulk loader (ld_dir + rdf_loader_run) read them, in parallel. Memory stays
flat: only the current shard is held.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from pathlib import Path

DOCS_PER_SHARD = 1000
PATTERN = "shard-*.nq.gz"


def shard_name(number: int) -> str:
    return f"shard-{number:06d}.nq.gz"


class ShardWriter:
    """Collects documents and writes every DOCS_PER_SHARD of them as one shard (atomically)."""

    def __init__(self, directory: str | Path, docs_per_shard: int | None = None):
        from .errors import KgError

        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise KgError(f"{self.directory}: exists and is not a folder")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.docs_per_shard = docs_per_shard or DOCS_PER_SHARD
        self.written: list[Path] = []
        self._pending = None  # pyoxigraph Store of the shard being filled
        self._docs = 0
        self.quads = 0

    def add(self, doc_id: str, triples: Iterable[tuple]) -> None:
        """One document's statements (rdflib terms)."""
        from .rdfio.serialize import document_ntriples

        self.add_ntriples(doc_id, document_ntriples(triples))

    def add_ntriples(self, doc_id: str, data: bytes) -> None:
        """One document's statements as N-Triples (kg.rdfio.serialize.document_ntriples); KgError if
        they do not parse (nothing of the document is then added)."""
        import pyoxigraph as ox

        from . import iris
        from .errors import KgError

        try:
            if data:
                self._store().load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iris.document(doc_id)))
        except (SyntaxError, ValueError) as exc:
            raise KgError(f"document {doc_id!r}: its statements do not parse as N-Triples: {exc}") from None
        self._count_document()

    def _store(self):
        if self._pending is None:
            import pyoxigraph as ox

            self._pending = ox.Store()  # canonical literals, duplicates removed, as in the working store
        return self._pending

    def _count_document(self) -> None:
        self._docs += 1
        if self._docs >= self.docs_per_shard:
            self._flush()

    def _flush(self) -> None:
        if not self._docs:
            return
        from .fileio import write_bytes_atomic
        from .rdfio.serialize import sorted_nquads

        store = self._store()
        data = sorted_nquads(store, include_default=False)
        self.quads += len(store)
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as gz:  # same input, same bytes
            gz.write(data)
        path = self.directory / shard_name(len(self.written))
        write_bytes_atomic(path, buffer.getvalue())
        self.written.append(path)
        self._pending, self._docs = None, 0

    def close(self) -> list[Path]:
        """Write the last shard and remove shards an earlier, larger run left behind."""
        self._flush()
        keep = set(self.written)
        for old in self.directory.glob(PATTERN):
            if old not in keep:
                old.unlink()
        return self.written
