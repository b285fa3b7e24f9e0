"""Deterministic serialisation of kg datasets to files (atomic writes).

All formats are written by Oxigraph (pyoxigraph) from a sorted list of statements, so the
same dataset always gives the same bytes whatever order it was built in, and a million
triples serialise in seconds. JSON-LD is written here, compacted with the published
context in ontology/context.jsonld (embedded in every file so it loads offline).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import Dataset, Graph

from ..errors import KgError
from ..fileio import atomic_write
from ..memo import Memo

# format name -> (file extension, carries named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": (".ttl", False),
    "nt": (".nt", False),
    "nquads": (".nq", True),
    "trig": (".trig", True),
    "json-ld": (".jsonld", True),
}
_ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "nq": "nquads", "n-quads": "nquads",
            "jsonld": "json-ld", "json": "json-ld"}
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "json-ld": "application/ld+json",
}
CONTEXT_URL = "https://w3id.org/geokg/context.jsonld"
# Entries per generation of the IRI -> NamedNode memo (kg/memo.py): the ontology's terms and the
# actors recur and stay; the ~14 IRIs of each document's own nodes age out. A plain dict cleared at
# 200,000 entries grew every worker with the corpus (~7 MB per million tokens) until it was cleared.
IRI_MEMO_LIMIT = 20_000


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


def oxigraph_store(ds: Graph):
    """The pyoxigraph Store behind `ds` (shared, not copied, if `ds` is Oxigraph-backed)."""
    import pyoxigraph as ox
    from oxrdflib import OxigraphStore

    if isinstance(ds.store, OxigraphStore) and isinstance(ds, Dataset):
        return ds.store._inner
    store = ox.Store()
    if isinstance(ds, Dataset):
        quads = ds.quads((None, None, None, None))
    else:
        quads = ((s, p, o, None) for s, p, o in ds)
    store.extend(ox_quad(s, p, o, g) for s, p, o, g in quads)
    return store


def ox_term(term):
    """An rdflib term as a pyoxigraph term; KgError for blank nodes."""
    return _converters().term(term)


def ox_quad(s, p, o, g):
    """An rdflib statement (g None = default graph) as a pyoxigraph Quad."""
    return _converters().quad(s, p, o, g)


def document_ntriples(triples: Iterable[tuple]) -> bytes:
    """One document's triples as N-Triples: what a worker sends back, so that the parent
    (which merges in input order) loads them into the document's graph in one Rust call."""
    import pyoxigraph as ox

    triple = _converters().triple
    return ox.serialize([triple(s, p, o) for s, p, o in triples], format=ox.RdfFormat.N_TRIPLES) or b""


class _Converters(NamedTuple):
    term: Callable
    quad: Callable
    triple: Callable
    nodes: Memo  # IRI -> NamedNode


@cache
def _converters() -> _Converters:
    """rdflib -> oxigraph converters; IRIs are memoised because actors recur in every document."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    named_node, ox_literal, ox_quad_type, ox_triple_type = ox.NamedNode, ox.Literal, ox.Quad, ox.Triple
    default = ox.DefaultGraph()
    nodes = Memo(IRI_MEMO_LIMIT)

    def iri(value: str):
        node = nodes.get(value)
        if node is None:
            node = named_node(value)
            nodes.put(value, node)
        return node

    def term(t):
        if isinstance(t, URIRef):
            return iri(str(t))
        if isinstance(t, Literal):
            if t.language:
                return ox_literal(str(t), language=t.language)
            return ox_literal(str(t), datatype=iri(str(t.datatype)) if t.datatype else None)
        if isinstance(t, BNode):
            raise KgError("the graph contains a blank node; kg writes no blank nodes (they duplicate on every reload)")
        raise KgError(f"cannot serialise RDF term {t!r}")

    def quad(s, p, o, g):
        try:
            graph = default if g is None or g == DATASET_DEFAULT_GRAPH_ID else term(g)
            return ox_quad_type(term(s), term(p), term(o), graph)
        except (TypeError, ValueError) as exc:
            raise KgError(f"cannot serialise statement ({s}, {p}, {o}): {exc}") from None

    def triple(s, p, o):
        try:
            return ox_triple_type(term(s), term(p), term(o))
        except (TypeError, ValueError) as exc:
            raise KgError(f"cannot serialise statement ({s}, {p}, {o}): {exc}") from None

    return _Converters(term, quad, triple, nodes)


def _check_no_blank_nodes(store) -> None:
    import pyoxigraph as ox

    if any(isinstance(g, ox.BlankNode) for g in store.named_graphs()):
        raise KgError("the graph has a blank-node graph name; kg writes no blank nodes")
    found = store.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } FILTER(isBlank(?s) || isBlank(?o)) }")
    if bool(found):
        raise KgError("the graph contains a blank node; kg writes no blank nodes (they duplicate on every reload)")


def _graph_names(store, include_default: bool = True) -> list:
    """Default graph first (if asked for), then named graphs sorted by IRI."""
    import pyoxigraph as ox

    named = sorted(store.named_graphs(), key=lambda g: g.value)
    return [ox.DefaultGraph(), *named] if include_default else named


def _sorted_lines(data: bytes) -> list[bytes]:
    # Split on LF only: N-Triples escapes LF/CR in literals, but U+2028, U+0085 etc. stay raw.
    return sorted(set(data.split(b"\n")) - {b""})


def sorted_ntriples(store) -> bytes:
    """The union of all graphs as sorted, duplicate-free N-Triples."""
    import pyoxigraph as ox

    lines: set[bytes] = set()
    for graph in _graph_names(store):
        lines.update(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).split(b"\n"))
    lines.discard(b"")
    return b"".join(line + b"\n" for line in sorted(lines))


def sorted_nquads(store, include_default: bool = True) -> bytes:
    """All quads, default graph first, then graph by graph (sorted by IRI), lines sorted."""
    import pyoxigraph as ox

    out: list[bytes] = []
    for graph in _graph_names(store, include_default):
        lines = _sorted_lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
        if isinstance(graph, ox.DefaultGraph):
            out.extend(line + b"\n" for line in lines)
        else:
            # A canonical N-Triples line ends in " ."; the graph IRI goes before the dot.
            suffix = b" " + str(graph).encode("utf-8") + b" .\n"
            out.extend(line[:-2] + suffix for line in lines)
    return b"".join(out)


def serialize(ds: Graph, fmt: str) -> bytes:
    """Bytes of `ds` in `fmt`; the same dataset always gives the same bytes."""
    import pyoxigraph as ox

    from .prefixes import PREFIXES

    fmt = format_for("", fmt)
    store = oxigraph_store(ds)
    _check_no_blank_nodes(store)
    if fmt == "nt":
        return sorted_ntriples(store)
    if fmt == "turtle":
        data = sorted_ntriples(store)
        return ox.serialize(ox.parse(data, ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    data = sorted_nquads(store)
    if fmt == "nquads":
        return data
    if fmt == "trig":
        return ox.serialize(ox.parse(data, ox.RdfFormat.N_QUADS), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return jsonld_bytes(ox.parse(data, ox.RdfFormat.N_QUADS))


def write(ds: Graph, path: str | Path, fmt: str | None = None) -> Path:
    path = Path(path)
    data = serialize(ds, format_for(path, fmt))
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return path


# --- JSON-LD -----------------------------------------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@cache
def jsonld_context() -> dict[str, Any]:
    """The published JSON-LD context (the object under "@context" in ontology/context.jsonld)."""
    from ..resources import data_path

    path = data_path("context.jsonld")
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (ValueError, KeyError) as exc:
        raise KgError(f"{path}: not a JSON-LD context file ({exc})") from None


@cache
def _context_tables() -> tuple[list[tuple[str, str]], dict[str, str], dict[str, tuple[str, dict]]]:
    """(prefixes longest first, class IRI -> term, property IRI -> (term, definition))."""
    ctx = jsonld_context()
    prefixes: dict[str, str] = {}
    plain_terms: dict[str, str] = {}
    for term, definition in ctx.items():
        if isinstance(definition, str) and definition.endswith(("/", "#")):
            prefixes[term] = definition

    def expand(value: str) -> str:
        head, sep, tail = value.partition(":")
        return prefixes[head] + tail if sep and head in prefixes else value

    properties: dict[str, tuple[str, dict]] = {}
    for term, definition in ctx.items():
        if term in prefixes:
            continue
        if isinstance(definition, str):
            plain_terms[expand(definition)] = term
        else:
            info = dict(definition)
            if "@type" in info and info["@type"] != "@id":
                info["@type"] = expand(info["@type"])
            properties[expand(info["@id"])] = (term, info)
    ordered = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    return ordered, plain_terms, properties


def _compact_iri(iri: str) -> str:
    prefixes, _, _ = _context_tables()
    for prefix, namespace in prefixes:
        rest = iri[len(namespace):]
        # "prefix://x" would read as an absolute IRI, so such IRIs stay in full.
        if iri.startswith(namespace) and rest and not rest.startswith("//"):
            return f"{prefix}:{rest}"
    scheme, _, rest = iri.partition(":")
    # JSON-LD reads "term:rest" as a compact IRI unless rest starts with "//".
    if scheme in jsonld_context() and not rest.startswith("//"):
        raise KgError(f"cannot write IRI {iri!r} in JSON-LD: its scheme is a term of the kg context")
    return iri


def _jsonld_value(obj, info: dict | None) -> Any:
    import pyoxigraph as ox

    coerced = (info or {}).get("@type")
    language = (info or {}).get("@language")
    if isinstance(obj, ox.NamedNode):
        iri = _compact_iri(obj.value)
        return iri if coerced == "@id" else {"@id": iri}
    datatype = obj.datatype.value
    if obj.language:
        if language == obj.language and not getattr(obj, "direction", None):
            return obj.value
        return {"@value": obj.value, "@language": obj.language}
    if datatype == _XSD_STRING:
        return obj.value if not coerced and not language else {"@value": obj.value}
    if coerced == datatype:
        return obj.value
    return {"@value": obj.value, "@type": _compact_iri(datatype)}


def _node_object(subject: str, statements: list) -> dict[str, Any]:
    import pyoxigraph as ox

    _, class_terms, properties = _context_tables()
    node: dict[str, Any] = {"@id": _compact_iri(subject)}
    types: list[str] = []
    values: dict[str, list] = {}
    for predicate, obj in statements:
        if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode):
            types.append(class_terms.get(obj.value) or _compact_iri(obj.value))
            continue
        term, info = properties.get(predicate, (None, None))
        key = term or _compact_iri(predicate)
        values.setdefault(key, []).append(_jsonld_value(obj, info))
    if types:
        node["@type"] = types[0] if len(types) == 1 else types
    for key in sorted(values):
        node[key] = values[key][0] if len(values[key]) == 1 else values[key]
    return node


def jsonld_bytes(quads) -> bytes:
    """JSON-LD for quads sorted by graph then subject: named graphs become `@graph` objects."""
    import pyoxigraph as ox

    top: dict[str, dict[str, Any]] = {}
    graphs: dict[str, list[dict[str, Any]]] = {}
    default_nodes: list[dict[str, Any]] = []
    current: tuple | None = None
    pending: list = []

    def flush() -> None:
        if current is None:
            return
        graph, subject = current
        node = _node_object(subject, pending)
        if graph is None:
            default_nodes.append(node)
        else:
            graphs.setdefault(graph, []).append(node)

    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise KgError("the graph contains a blank node; kg writes no blank nodes")
        graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        key = (graph, quad.subject.value)
        if key != current:
            flush()
            current, pending = key, []
        pending.append((quad.predicate.value, quad.object))
    flush()
    for node in default_nodes:
        top[node["@id"]] = node
    for graph in sorted(graphs):
        name = _compact_iri(graph)
        # A graph name that is also described in the default graph shares one node object.
        holder = top.setdefault(name, {"@id": name})
        holder["@graph"] = graphs[graph]
    document = {"@context": jsonld_context(), "@graph": list(top.values())}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
