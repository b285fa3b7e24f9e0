"""Loading graph files (any format kg writes) into an rdflib Dataset, with clean errors."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from .errors import InputError
from .rdf import bind_prefixes

_PARSE_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}


def parse_format(path: Path) -> str:
    fmt = _PARSE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown graph file type; expected one of {', '.join(sorted(_PARSE_FORMATS))}")
    return fmt


def load_dataset(path: str | Path) -> Dataset:
    """Parse one graph file; triples formats go to the default graph."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a graph file (.ttl, .trig, .nt, .nq, .jsonld)")
    fmt = parse_format(path)
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    try:
        data = path.read_bytes()
        if not data.strip():
            raise InputError(f"{path}: empty graph file")
        ds.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except Exception as exc:  # rdflib raises many parser-specific types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not valid {fmt}: {first}") from None
    return ds
