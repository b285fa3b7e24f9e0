"""Deterministic serialisation of kg datasets to files (atomic writes)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from .errors import KgError
from .fileio import write_bytes_atomic
from .rdf import union_graph

# format name -> (file extension, carries named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": (".ttl", False),
    "nt": (".nt", False),
    "nquads": (".nq", True),
    "trig": (".trig", True),
}
_ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "nq": "nquads", "n-quads": "nquads"}


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The format named, or the one the file extension implies."""
    if fmt:
        name = _ALIASES.get(fmt.lower(), fmt.lower())
        if name not in FORMATS:
            raise KgError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        return name
    suffix = Path(path).suffix.lower()
    for name, (ext, _) in FORMATS.items():
        if ext == suffix:
            return name
    raise KgError(f"cannot tell the RDF format of {path}; use one of "
                  f"{', '.join(ext for ext, _ in FORMATS.values())} or --format")


def _sorted_lines(data: str) -> bytes:
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize(ds: Dataset, fmt: str) -> bytes:
    """Bytes of `ds` in `fmt`; the same dataset always gives the same bytes."""
    fmt = format_for("", fmt)
    if fmt == "nt":
        return _sorted_lines(union_graph(ds).serialize(format="nt"))
    if fmt == "nquads":
        return _sorted_lines(ds.serialize(format="nquads"))
    if fmt == "turtle":
        return union_graph(ds).serialize(format="turtle").encode("utf-8")
    return ds.serialize(format="trig").encode("utf-8")


def write(ds: Dataset, path: str | Path, fmt: str | None = None) -> Path:
    path = Path(path)
    write_bytes_atomic(path, serialize(ds, format_for(path, fmt)))
    return path
