"""Read actors and statements from a kg RDF graph into plain records for the page."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .. import iris
from ..rdfio.namespace import GEO

# Most specific class first: an actor typed twice is shown by the first match.
_CLASS_KIND: tuple[tuple[URIRef, str, str], ...] = (
    (GEO.InternationalOrganization, "organization", "InternationalOrganization"),
    (GEO.GovernmentalOrganization, "organization", "GovernmentalOrganization"),
    (GEO.Person, "person", "Person"),
    (GEO.State, "state", "State"),
    (GEO.Organization, "organization", "Organization"),
    (GEO.Place, "place", "Place"),
)
_MODALITY = {GEO.Asserted: "asserted", GEO.Planned: "planned", GEO.Possible: "possible", GEO.Negated: "negated"}
_QID_IRI = re.compile(r"^https?://www\.wikidata\.org/(?:entity|wiki)/(Q[1-9][0-9]*)$")
_DOC_PREFIX = iris.DATA + "doc/"
# schema.org is written with https by rdflib's SDO; the http form is the one in older data.
_SCHEMA_URL = (URIRef("https://schema.org/url"), URIRef("http://schema.org/url"))
_WEB_IRI = re.compile(r"^https?://[^\s<>\"]+$")


@dataclass(frozen=True)
class VizActor:
    """An actor taking part in at least one statement."""

    key: str  # actor key ("person/olaf-scholz") for kg IRIs, else the full IRI
    iri: str
    label: str
    kind: str  # person | state | organization | place | actor (untyped)
    cls: str  # local name of the class shown ("InternationalOrganization")
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None  # QID
    role: str | None = None
    country: str | None = None  # label of gkg:country


@dataclass(frozen=True)
class VizDocument:
    key: str  # doc id ("000_4d9e4ac50f9794c6") for kg IRIs, else the full IRI
    iri: str
    label: str
    path: str | None = None
    title: str | None = None  # dcterms:title
    date: str | None = None  # dcterms:issued, ISO "YYYY-MM-DD"
    url: str | None = None  # schema:url (http or https only)


@dataclass(frozen=True)
class VizStatement:
    """One gkg:Statement; actor fields hold VizActor keys, evidence the sentence texts."""

    iri: str
    relation: str  # local name: meets | warns | supports | demands (others kept as found)
    modality: str  # asserted | planned | possible | negated
    agent: str
    target: str | None
    document: str | None  # VizDocument key
    evidence: tuple[str, ...] = ()
    trigger: str | None = None
    confidence: float | None = None
    place: str | None = None  # label
    time: str | None = None
    reported_by: str | None = None  # label
    date: str | None = None  # gkg:date ("2025-02-10", "2025-06", "2025"), else "begin/end" of a span
    date_begin: str | None = None  # ISO dates of gkg:dateBegin / gkg:dateEnd
    date_end: str | None = None
    report_date: bool = False  # the date is only the document's publication date
    event_code: str | None = None  # CAMEO notation ("042")
    event_label: str | None = None  # its English name


@dataclass(frozen=True)
class VizModel:
    """Everything the page shows, in a stable order (actors by key, statements by document and offset)."""

    actors: tuple[VizActor, ...]
    statements: tuple[VizStatement, ...]
    documents: tuple[VizDocument, ...]


def _pairs(graph: Graph, predicate: URIRef, seen: dict | None = None) -> Iterator[tuple]:
    """(subject, object) for one predicate over all triples; every named graph of a Dataset.

    `seen` caches converted terms across calls (a statement IRI is the subject of ~20
    predicates)."""
    inner = _oxigraph(graph)
    if inner is not None:
        # Straight from Oxigraph, each distinct term converted once: rdflib's quads() over the
        # Oxigraph store converts every term of every quad, most of the page's build time.
        import pyoxigraph as ox
        from oxrdflib._converter import from_ox

        seen = {} if seen is None else seen

        def term(t):
            hit = seen.get(t)
            if hit is None:
                hit = seen[t] = from_ox(t)
            return hit

        for q in inner.quads_for_pattern(None, ox.NamedNode(str(predicate)), None, None):
            yield term(q.subject), term(q.object)
        return
    if isinstance(graph, Dataset):
        for s, _, o, _ in graph.quads((None, predicate, None, None)):
            yield s, o
    else:
        for s, _, o in graph.triples((None, predicate, None)):
            yield s, o


def _oxigraph(graph: Graph):
    """The pyoxigraph Store behind an Oxigraph-backed Dataset, else None."""
    if not isinstance(graph, Dataset):
        return None
    try:
        from oxrdflib import OxigraphStore
    except ImportError:
        return None
    return graph.store._inner if isinstance(graph.store, OxigraphStore) else None


def _index(graph: Graph, predicate: URIRef, seen: dict | None = None) -> dict:
    """subject -> sorted distinct objects (sorted so that picking the first is deterministic)."""
    found: dict = defaultdict(set)
    for s, o in _pairs(graph, predicate, seen):
        found[s].add(o)
    return {s: sorted(objs, key=_sort_key) for s, objs in found.items()}


def _sort_key(term) -> tuple:
    if isinstance(term, Literal):
        return (1, term.language or "", str(term))
    return (0, "", str(term))


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def _actor_key(iri: str) -> str:
    return iri[len(iris.DATA):] if iri.startswith(iris.DATA) and not iri.startswith(_DOC_PREFIX) else iri


def _pick_label(values: list) -> str | None:
    """German label first, then one without language, then any (all in sorted order)."""
    literals = [v for v in values if isinstance(v, Literal)]
    for wanted in ("de", None):
        for lit in literals:
            if (lit.language or None) == wanted and str(lit).strip():
                return str(lit)
    for lit in literals:
        if str(lit).strip():
            return str(lit)
    return None


def _first_literal(values: list | None) -> str | None:
    return _pick_label(values) if values else None


def _as_number(values: list | None, cast):
    """The first literal that `cast` (float or int) accepts, or None."""
    for v in values or ():
        if isinstance(v, Literal):
            try:
                return cast(v.toPython())
            except (TypeError, ValueError):
                continue
    return None


def _as_float(values: list | None) -> float | None:
    return _as_number(values, float)


def _as_int(values: list | None) -> int | None:
    return _as_number(values, int)


def graph_model(graph: Graph) -> VizModel:
    """Actors (agents and targets of statements) and statements of a kg graph or dataset."""
    terms: dict = {}  # ox term -> rdflib term, shared by every index

    def index(predicate: URIRef) -> dict:
        return _index(graph, predicate, terms)

    types = index(RDF.type)
    labels = index(RDFS.label)
    relation = index(GEO.relation)
    agent = index(GEO.agent)
    target = index(GEO.target)
    modality = index(GEO.modality)
    document = index(GEO.document)
    evidence = index(GEO.evidence)
    text = index(GEO.text)
    begin = index(GEO.beginIndex)

    def label_of(node) -> str:
        return _pick_label(labels.get(node, [])) or _local_name(str(node))

    statement_nodes = sorted(
        {s for s, objs in types.items() if GEO.Statement in objs} | set(relation) | set(agent),
        key=str,
    )
    statements: list[tuple[tuple, VizStatement]] = []
    doc_nodes: set = set()
    actor_nodes: set = set()
    trigger = index(GEO.trigger)
    confidence = index(GEO.confidence)
    place = index(GEO.place)
    time = index(GEO.timeExpression)
    reported = index(GEO.reportedBy)
    date = index(GEO.date)
    date_begin = index(GEO.dateBegin)
    date_end = index(GEO.dateEnd)
    report_flag = index(GEO.dateIsReportDate)
    event_code = index(GEO.eventCode)
    notation = index(SKOS.notation)
    pref_label = index(SKOS.prefLabel)
    for node in statement_nodes:
        agents = [a for a in agent.get(node, []) if isinstance(a, URIRef)]
        relations = [r for r in relation.get(node, []) if isinstance(r, URIRef)]
        if not agents or not relations:
            continue  # not a usable statement: nothing to draw or list
        targets = [t for t in target.get(node, []) if isinstance(t, URIRef)]
        docs = [d for d in document.get(node, []) if isinstance(d, URIRef)]
        sentences = [e for e in evidence.get(node, []) if isinstance(e, URIRef)]
        sentences.sort(key=lambda e: (_as_int(begin.get(e)) or 0, str(e)))
        texts = tuple(t for t in (_first_literal(text.get(e)) for e in sentences) if t)
        mod = next((_MODALITY[m] for m in modality.get(node, []) if m in _MODALITY), None)
        if mod is None:
            mod = _local_name(str(modality[node][0])).lower() if node in modality else "asserted"
        places = place.get(node)
        reporters = reported.get(node)
        begin_date, end_date = _iso_date(date_begin.get(node)), _iso_date(date_end.get(node))
        when = _first_literal(date.get(node)) or (f"{begin_date}/{end_date}" if begin_date and end_date else None)
        codes = [c for c in event_code.get(node, []) if isinstance(c, URIRef)]
        code_notation = _first_literal(notation.get(codes[0])) if codes else None
        st = VizStatement(
            iri=str(node),
            relation=_local_name(str(relations[0])),
            modality=mod,
            agent=_actor_key(str(agents[0])),
            target=_actor_key(str(targets[0])) if targets else None,
            document=_doc_key(str(docs[0])) if docs else None,
            evidence=texts,
            trigger=_first_literal(trigger.get(node)),
            confidence=_as_float(confidence.get(node)),
            place=label_of(places[0]) if places else None,
            time=_first_literal(time.get(node)),
            reported_by=label_of(reporters[0]) if reporters else None,
            date=when,
            date_begin=begin_date,
            date_end=end_date,
            report_date=any(isinstance(v, Literal) and v.toPython() is True for v in report_flag.get(node, [])),
            event_code=code_notation,
            event_label=_first_literal(pref_label.get(codes[0])) if code_notation else None,
        )
        actor_nodes.add(agents[0])
        if targets:
            actor_nodes.add(targets[0])
        if docs:
            doc_nodes.add(docs[0])
        order = (st.document or "", _as_int(begin.get(node)) or 0, st.iri)
        statements.append((order, st))
    statements.sort(key=lambda pair: pair[0])

    alt = index(SKOS.altLabel)
    same = index(OWL.sameAs)
    role = index(GEO.role)
    country = index(GEO.country)
    actors = []
    for node in sorted(actor_nodes, key=lambda n: _actor_key(str(n))):
        node_types = set(types.get(node, []))
        kind, cls = next(((k, c) for t, k, c in _CLASS_KIND if t in node_types), ("actor", "Actor"))
        label = label_of(node)
        aliases = tuple(sorted({str(a) for a in alt.get(node, []) if isinstance(a, Literal)} - {label, ""}))
        qids = [m.group(1) for m in (_QID_IRI.match(str(o)) for o in same.get(node, [])) if m]
        qids.sort(key=lambda q: int(q[1:]))
        countries = country.get(node)
        actors.append(VizActor(
            key=_actor_key(str(node)),
            iri=str(node),
            label=label,
            kind=kind,
            cls=cls,
            aliases=aliases,
            wikidata=qids[0] if qids else None,
            role=_first_literal(role.get(node)),
            country=label_of(countries[0]) if countries else None,
        ))

    source = index(GEO.sourcePath)
    titles = index(DCTERMS.title)
    issued = index(DCTERMS.issued)
    urls: dict = defaultdict(list)
    for predicate in _SCHEMA_URL:
        for s, objs in index(predicate).items():
            urls[s] += objs
    documents = [
        VizDocument(key=_doc_key(str(d)), iri=str(d), label=label_of(d) if d in labels else _doc_key(str(d)),
                    path=_first_literal(source.get(d)), title=_first_literal(titles.get(d)),
                    date=_iso_date(issued.get(d)),
                    url=next((str(u) for u in sorted(urls.get(d, []), key=str) if _WEB_IRI.match(str(u))), None))
        for d in doc_nodes
    ]
    documents.sort(key=lambda d: d.key)
    return VizModel(tuple(actors), tuple(st for _, st in statements), tuple(documents))


def _iso_date(values: list | None) -> str | None:
    """The first literal that is an ISO calendar date (YYYY-MM-DD), as text."""
    for v in values or ():
        if isinstance(v, Literal) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v)):
            return str(v)
    return None


def _doc_key(iri: str) -> str:
    return iri[len(_DOC_PREFIX):] if iri.startswith(_DOC_PREFIX) else iri
