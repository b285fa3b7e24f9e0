"""SPARQL over a graph file or the store, with results as table, CSV, TSV, JSON or XML."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef

from . import iris
from .errors import InputError, QueryError
from .rdf import PREFIXES

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")


def read_query(text: str) -> str:
    """The query itself, or the contents of a file given as @path."""
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{path}: no such query file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read query file ({exc})") from None
    if not text.strip():
        raise QueryError("empty query")
    return text


def parse_binding(spec: str):
    """'name=<iri>', 'name=gkg:meets', 'name="text"@de' or 'name=42' -> (name, rdflib term).

    Values become RDF terms passed as bindings, never spliced into the query text.
    """
    name, sep, value = spec.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not name.isidentifier():
        raise QueryError(f"bad --bind {spec!r}; expected NAME=VALUE")
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        term = URIRef(value[1:-1])
        if not _valid_iri(str(term)):
            raise QueryError(f"bad IRI in --bind {spec!r}")
        return name, term
    if value.startswith('"'):
        end = value.rfind('"')
        if end <= 0:
            raise QueryError(f"unterminated string in --bind {spec!r}")
        text, rest = value[1:end], value[end + 1:]
        if rest.startswith("@"):
            return name, Literal(text, lang=rest[1:])
        return name, Literal(text)
    if ":" in value and value.split(":", 1)[0] in PREFIXES:
        prefix, local = value.split(":", 1)
        return name, URIRef(PREFIXES[prefix] + local)
    try:
        return name, Literal(int(value))
    except ValueError:
        return name, Literal(value)


def _valid_iri(text: str) -> bool:
    return ":" in text and not any(c in text for c in '<>"{}|^`\\ \n\t')


def short(term) -> str:
    """Readable cell text: literals as is, our IRIs without the base, others as prefixed names."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    text = term.value
    if text.startswith(iris.DATA):
        return text[len(iris.DATA):]
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>"


def format_result(result, fmt: str) -> str:
    """pyoxigraph results as text: SELECT/ASK in `fmt`, CONSTRUCT/DESCRIBE as Turtle or N-Triples."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        rdf = ox.RdfFormat.N_TRIPLES if fmt in ("csv", "tsv") else ox.RdfFormat.TURTLE
        return result.serialize(format=rdf).decode("utf-8").rstrip("\n")
    if isinstance(result, ox.QueryBoolean) and fmt == "table":
        return "true" if result else "false"
    if fmt != "table":
        formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                   "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
        return result.serialize(format=formats[fmt]).decode("utf-8").replace("\r\n", "\n").rstrip("\n")
    names = [v.value for v in result.variables]
    rows = [[short(solution[v]) for v in result.variables] for solution in result]
    return _table(names, rows)


def _table(names: list[str], rows: list[list[str]], max_width: int = 70) -> str:
    def clip(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    rows = [[clip(c) for c in r] for r in rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
