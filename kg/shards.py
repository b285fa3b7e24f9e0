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
        self._quads: list = []
        self._docs = 0
        self.quads = 0

    def add(self, doc_id: str, triples: Iterable[tuple]) -> None:
        from . import iris
        from .serialize import ox_quad

        name = iris.document(doc_id)
        self.add_quads([ox_quad(s, p, o, name) for s, p, o in triples])

    def add_quads(self, quads: list) -> None:
        """One document's statements as pyoxigraph Quads (already in its named graph)."""
        self._quads.extend(quads)
        self._docs += 1
        if self._docs >= self.docs_per_shard:
            self._flush()

    def _flush(self) -> None:
        if not self._docs:
            return
        import pyoxigraph as ox

        from .fileio import write_bytes_atomic
        from .serialize import sorted_nquads

        store = ox.Store()  # canonical literals, duplicates removed, as in the working store
        store.extend(self._quads)
        data = sorted_nquads(store, include_default=False)
        self.quads += len(store)
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as gz:  # same input, same bytes
            gz.write(data)
        path = self.directory / shard_name(len(self.written))
        write_bytes_atomic(path, buffer.getvalue())
        self.written.append(path)
        self._quads, self._docs = [], 0

    def close(self) -> list[Path]:
        """Write the last shard and remove shards an earlier, larger run left behind."""
        self._flush()
        keep = set(self.written)
        for old in self.directory.glob(PATTERN):
            if old not in keep:
                old.unlink()
        return self.written
