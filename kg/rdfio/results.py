"""The one writer of SPARQL results, for `kg query` and `kg serve`: pyoxigraph's serialisers.

A result with a row limit is written by pyoxigraph as TSV until the limit is passed (which
also stops the evaluation there), read back by pyoxigraph's parser and written in the asked
format, so a cut result comes from the same writer as a whole one. TSV carries every term
exactly (N-Triples syntax), which the round trip relies on; a test checks it.
"""

from __future__ import annotations

import io
import re

from ..errors import QueryError
from .prefixes import PREFIXES

# name -> (pyoxigraph format attribute, media type)
SOLUTION_FORMATS = {
    "csv": ("CSV", "text/csv"),
    "tsv": ("TSV", "text/tab-separated-values"),
    "json": ("JSON", "application/sparql-results+json"),
    "xml": ("XML", "application/sparql-results+xml"),
}
GRAPH_FORMATS = {
    "turtle": ("TURTLE", "text/turtle"),
    "ntriples": ("N_TRIPLES", "application/n-triples"),
    "nquads": ("N_QUADS", "application/n-quads"),
    "trig": ("TRIG", "application/trig"),
    "rdfxml": ("RDF_XML", "application/rdf+xml"),
    "jsonld": ("JSON_LD", "application/ld+json"),
}
_PREFIXED = ("turtle", "trig", "rdfxml")
# Characters XML 1.0 cannot carry, as UTF-8: C0 controls but TAB/LF/CR, U+FFFE, U+FFFF.
_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# pyoxigraph's own errors while it evaluates lazily (the query fails mid-result).
_EVALUATION_ERRORS = (OSError, RuntimeError, ValueError, SyntaxError)


class UnwritableResult(QueryError):
    """A result the asked format cannot carry (the endpoint answers 406)."""


def write_solutions(solutions, fmt: str, limit: int | None = None) -> tuple[bytes, bool]:
    """SELECT solutions in `fmt` (csv, tsv, json, xml); with `limit`, at most that many rows.

    Returns the bytes and whether rows were left out.
    """
    import pyoxigraph as ox

    target = getattr(ox.QueryResultsFormat, SOLUTION_FORMATS[fmt][0])
    truncated = False
    if limit is None:
        body = _evaluate(lambda: solutions.serialize(format=target))
    else:
        sink = _FirstLines(limit + 1)  # the header line, then one line per solution
        try:
            _evaluate(lambda: solutions.serialize(sink, format=ox.QueryResultsFormat.TSV))
        except _Enough:
            truncated = True
        body = bytes(sink.kept)
        if fmt != "tsv":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(format=target)
    body = body or b""
    return (_xml_safe(body) if fmt == "xml" else body), truncated


def write_boolean(answer, fmt: str) -> bytes:
    """An ASK answer (pyoxigraph QueryBoolean) in `fmt` (csv and tsv: `true` or `false`)."""
    import pyoxigraph as ox

    return answer.serialize(format=getattr(ox.QueryResultsFormat, SOLUTION_FORMATS[fmt][0])) or b""


def write_triples(triples, fmt: str, *, graph=None, limit: int | None = None) -> tuple[bytes, bool]:
    """Triples (pyoxigraph QueryTriples or any iterable of Triple) in an RDF format of
    GRAPH_FORMATS; TriG and N-Quads put them in `graph` (the default graph if None).

    Returns the bytes and whether triples were left out (only with `limit`).
    """
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, GRAPH_FORMATS[fmt][0])
    options = {"prefixes": PREFIXES} if fmt in _PREFIXED else {}
    if limit is None:
        # Streamed: the evaluation runs inside the writer, so its errors come out of it too.
        data, truncated, failed = iter(triples), False, QueryError
    else:
        (data, truncated), failed = _take(triples, limit), UnwritableResult
    if rdf_format.supports_datasets:
        name = graph if graph is not None else ox.DefaultGraph()
        data = (ox.Quad(t.subject, t.predicate, t.object, name) for t in data)
    try:
        body = ox.serialize(data, format=rdf_format, **options) or b""
    except _EVALUATION_ERRORS as exc:
        text = str(exc).strip().splitlines()
        raise failed(f"cannot write this result as {rdf_format.name}: {text[0] if text else type(exc).__name__}"
                     + ("; ask for text/turtle" if failed is UnwritableResult else "")) from None
    return (_xml_safe(body) if fmt == "rdfxml" else body), truncated


def _take(items, limit: int) -> tuple[list, bool]:
    rows: list = []

    def collect() -> bool:
        for item in items:
            if len(rows) >= limit:
                return True
            rows.append(item)
        return False

    return rows, _evaluate(collect)


def _evaluate(run):
    """Run `run()`, turning pyoxigraph's evaluation errors into one-line QueryErrors."""
    try:
        return run()
    except _Enough:
        raise
    except _EVALUATION_ERRORS as exc:
        text = str(exc).strip()
        raise QueryError(f"query failed: {text.splitlines()[0] if text else type(exc).__name__}") from None


def _xml_safe(body: bytes) -> bytes:
    bad = _XML_FORBIDDEN.search(body)
    if bad is not None:
        char = bad.group().decode("utf-8")
        raise UnwritableResult(f"the result contains U+{ord(char):04X}, which XML 1.0 cannot carry; "
                               "ask for JSON (application/sparql-results+json or application/ld+json)")
    # pyoxigraph writes a CR as is, and XML parsers read a raw CR as LF; a reference keeps it.
    # CR can only occur in text or attribute values of its output, where the reference is valid.
    return body.replace(b"\r", b"&#13;")


class _Enough(Exception):
    """Raised by _FirstLines when the row limit is passed: stops pyoxigraph's writer."""


class _FirstLines(io.RawIOBase):
    """A binary sink that keeps the first `lines` lines and stops the writer after them."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.kept = bytearray()
        self._left = lines

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        start = 0
        while self._left:
            end = data.find(b"\n", start)
            if end < 0:
                self.kept += data[start:]
                return len(data)
            self.kept += data[start:end + 1]
            start = end + 1
            self._left -= 1
        if start < len(data):
            raise _Enough
        return len(data)
