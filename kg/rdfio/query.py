"""SPARQL over a graph file or the store, with results as table, CSV, TSV, JSON or XML."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef

from .. import iris
from ..errors import InputError, QueryError
from .prefixes import PREFIXES
from .iri import is_iri
from .results import GRAPH_FORMATS, SOLUTION_FORMATS, write_boolean, write_solutions, write_triples

def read_query(text: str) -> str:
    """The query itself, the contents of a file given as @path, or standard input for @-."""
    if text == "@-":
        import sys

        data = sys.stdin.read()
        if not data.strip():
            raise QueryError("empty query on standard input")
        return data
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
        if not is_iri(str(term)):
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


# What a SELECT-style --format means for CONSTRUCT/DESCRIBE.
_GRAPH_FOR = {"table": "turtle", "csv": "ntriples", "tsv": "ntriples", "json": "jsonld", "xml": "rdfxml"}
RESULT_FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)


def serialize_result(result, fmt: str) -> bytes:
    """pyoxigraph query results as bytes, by the one result writer (kg.rdfio.results).

    SELECT/ASK: csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle, ntriples, nquads, trig,
    rdfxml, jsonld (or csv/tsv -> ntriples, json -> jsonld, xml -> rdfxml).
    """
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        name = _GRAPH_FOR.get(fmt, fmt)
        if name not in GRAPH_FORMATS:
            raise QueryError(f"format {fmt!r} is for SELECT/ASK; CONSTRUCT/DESCRIBE give one of "
                             f"{', '.join(GRAPH_FORMATS)}")
        return write_triples(result, name)[0]
    if fmt not in SOLUTION_FORMATS:
        raise QueryError(f"format {fmt!r} is for CONSTRUCT/DESCRIBE; SELECT/ASK give one of "
                         f"table, {', '.join(SOLUTION_FORMATS)}")
    if isinstance(result, ox.QueryBoolean):
        return write_boolean(result, fmt)
    return write_solutions(result, fmt)[0]


def format_result(result, fmt: str, width: int | None = None) -> str:
    """pyoxigraph results as text; a table cuts cells longer than `width` (None: never)."""
    import pyoxigraph as ox

    if fmt == "table" and isinstance(result, ox.QueryBoolean):
        return "true" if result else "false"
    if fmt == "table" and isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [[short(solution[v]) for v in result.variables] for solution in result]
        return _table(names, rows, width)
    text = serialize_result(result, fmt).decode("utf-8")
    if fmt in ("csv", "tsv", "json", "xml") and not isinstance(result, ox.QueryTriples):
        text = text.replace("\r\n", "\n")
    return text.rstrip("\n")


def _table(names: list[str], rows: list[list[str]], max_width: int | None = 70) -> str:
    def clip(text: str) -> str:
        text = " ".join(text.split())
        if max_width is None or len(text) <= max_width:
            return text
        return text[: max(1, max_width - 1)] + "…"

    rows = [[clip(c) for c in r] for r in rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


# --- unknown ontology terms ----------------------------------------------------------------

# Strings, IRIs and comments first, so that a ':' inside them is not read as a prefixed name.
_TOKEN_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<([^<>"{}|^`\\\x00-\x20]*)>'
    r'|#[^\n]*'
    r'|(?<![\w?$])([A-Za-z][\w.-]*)?:((?:[\w\-]|\.(?=[\w\-]))+)',
    re.DOTALL,
)
_PREFIX_DECL_RE = re.compile(r'\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>', re.IGNORECASE)


@cache
def ontology_terms() -> frozenset[str]:
    """Local names the kg ontology defines (ontology/geo.ttl and kg.rdfio.namespace.GEO)."""
    import pyoxigraph as ox

    from .namespace import GEO
    from ..resources import data_path

    namespace = str(GEO._NS)
    names = {name for name in GEO.__annotations__}
    for quad in ox.parse(path=str(data_path("geo.ttl")), format=ox.RdfFormat.TURTLE):
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(namespace):
                names.add(term.value[len(namespace):])
    names.discard("")
    return frozenset(names)


def unknown_terms(sparql: str) -> list[str]:
    """Terms of the ontology namespace that a query uses but the ontology does not define,
    as written (e.g. ['gkg:meetz']); such a query silently matches nothing."""
    from .namespace import GEO

    namespace = str(GEO._NS)
    prefixes = {name: ns for name, ns in PREFIXES.items()}
    for match in _PREFIX_DECL_RE.finditer(sparql):
        prefixes[match.group(1) or ""] = match.group(2)
    known = ontology_terms()
    found: dict[str, None] = {}
    for match in _TOKEN_RE.finditer(sparql):
        iri, prefix, local = match.group(1), match.group(2), match.group(3)
        if iri is not None:
            # The namespace itself (a PREFIX declaration) is not a term.
            if iri.startswith(namespace) and iri != namespace and iri[len(namespace):] not in known:
                found[f"<{iri}>"] = None
            continue
        if local is None:
            continue
        ns = prefixes.get(prefix or "")
        if ns == namespace and local not in known:
            found[f"{prefix or ''}:{local}"] = None
    return list(found)


def unknown_terms_warning(sparql: str) -> str | None:
    """One warning line for unknown ontology terms in a query, or None."""
    terms = unknown_terms(sparql)
    if not terms:
        return None
    suggestions = []
    import difflib

    for term in terms:
        local = term.rsplit(":", 1)[-1].rsplit("#", 1)[-1].rstrip(">")
        close = difflib.get_close_matches(local, sorted(ontology_terms()), n=1)
        suggestions.append(f"{term} (did you mean gkg:{close[0]}?)" if close else term)
    return (f"not in the kg ontology: {', '.join(suggestions)}; "
            "these match nothing (the terms are in ontology/geo.ttl)")
