"""The RDF layer: records -> rdflib graphs (one named graph per document)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib import namespace as _namespaces

from .. import iris
from ..records import Actor, DocumentMeta, DocumentResult, Statement
from .namespace import GEO as _GEO
from .prefixes import PREFIXES


class _Terms:
    """A closed namespace's terms as plain attributes, each looked up once: rdflib's
    DefinedNamespace checks the name and builds a new URIRef on every access, and the
    triples of a corpus access them millions of times (a quarter of this layer's time)."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)  # AttributeError for a term the namespace lacks
        setattr(self, name, term)
        return term


GEO, DCTERMS, OWL, RDF, RDFS, SDO, SKOS, XSD = (_Terms(ns) for ns in (
    _GEO, _namespaces.DCTERMS, _namespaces.OWL, _namespaces.RDF, _namespaces.RDFS, _namespaces.SDO,
    _namespaces.SKOS, _namespaces.XSD))

_KIND_CLASS = {
    "person": GEO.Person,
    "state": GEO.State,
    "place": GEO.Place,
}
_ORG_CLASS = {
    "international": GEO.InternationalOrganization,
    "governmental": GEO.GovernmentalOrganization,
}
RELATION_PROPERTY = {
    "meets": GEO.meets,
    "warns": GEO.warns,
    "supports": GEO.supports,
    "demands": GEO.demands,
}
MODALITY_TERM = {
    "asserted": GEO.Asserted,
    "planned": GEO.Planned,
    "possible": GEO.Possible,
    "negated": GEO.Negated,
}
LANG = "de"


def bind_prefixes(graph: Graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def actor_triples(actor: Actor, described: Iterable[str] | None = None) -> Iterable[tuple]:
    """The description of one actor; with `described` (the keys a graph describes), gkg:country
    is written only if it points at one of them, so no country is left undescribed."""
    node = iris.actor(actor.key)
    if actor.kind == "organization":
        yield node, RDF.type, _ORG_CLASS.get(actor.org_type or "", GEO.Organization)
    else:
        yield node, RDF.type, _KIND_CLASS[actor.kind]
    yield node, RDFS.label, Literal(actor.label, lang=LANG)
    for alias in sorted(set(actor.aliases) - {actor.label}):
        yield node, SKOS.altLabel, Literal(alias, lang=LANG)
    if actor.role:
        yield node, GEO.role, Literal(actor.role, lang=LANG)
    if actor.country and actor.country != actor.key and (described is None or actor.country in described):
        yield node, GEO.country, iris.actor(actor.country)
    if actor.iso2 and actor.kind == "state":
        yield node, GEO.isoCode, Literal(actor.iso2.upper())
    if actor.wikidata:
        yield node, OWL.sameAs, iris.wikidata(actor.wikidata)


def statement_triples(st: Statement) -> Iterable[tuple]:
    node = iris.statement(st.doc_id, st.relation, st.agent, st.target, st.start, st.end, st.modality)
    yield node, RDF.type, GEO.Statement
    yield node, GEO.relation, RELATION_PROPERTY[st.relation]
    yield node, GEO.agent, iris.actor(st.agent)
    if st.target:
        yield node, GEO.target, iris.actor(st.target)
    yield node, GEO.modality, MODALITY_TERM[st.modality]
    if st.reported_by:
        yield node, GEO.reportedBy, iris.actor(st.reported_by)
    if st.place:
        yield node, GEO.place, iris.actor(st.place)
    if st.time:
        yield node, GEO.timeExpression, Literal(st.time, lang=LANG)
    yield node, GEO.confidence, Literal(Decimal(f"{st.confidence:.2f}"), datatype=XSD.decimal)
    yield node, GEO.trigger, Literal(st.trigger, lang=LANG)
    yield node, GEO.document, iris.document(st.doc_id)
    yield node, GEO.evidence, iris.sentence(st.doc_id, st.sentence)
    yield node, GEO.beginIndex, Literal(st.start, datatype=XSD.integer)
    yield node, GEO.endIndex, Literal(st.end, datatype=XSD.integer)
    if st.target and st.modality != "negated":
        # A negated relation must never appear as a plain fact: no direct edge.
        prop = RELATION_PROPERTY[st.relation]
        yield iris.actor(st.agent), prop, iris.actor(st.target)
        if st.relation == "meets":
            yield iris.actor(st.target), prop, iris.actor(st.agent)


_DATE_TYPE = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


def event_triples(st: Statement, sentence_text: str, result: DocumentResult) -> Iterable[tuple]:
    """A statement's date (typed by precision, plus begin/end) and CAMEO code with its SKOS description."""
    from ..event_table import event_code, statement_date

    node = iris.statement(st.doc_id, st.relation, st.agent, st.target, st.start, st.end, st.modality)
    when = statement_date(st, result.meta.date)
    if when is not None:
        if when.precision in _DATE_TYPE:
            yield node, GEO.date, Literal(when.value, datatype=_DATE_TYPE[when.precision])
        yield node, GEO.dateBegin, Literal(when.begin.isoformat(), datatype=XSD.date)
        yield node, GEO.dateEnd, Literal(when.end.isoformat(), datatype=XSD.date)
        yield node, GEO.datePrecision, Literal(when.precision)
        if when.report_date:
            yield node, GEO.dateIsReportDate, Literal(True)
    code = event_code(st, sentence_text, result.actors)
    if code is not None:
        concept = iris.cameo(code.code)
        yield node, GEO.eventCode, concept
        yield concept, RDF.type, SKOS.Concept
        yield concept, SKOS.inScheme, GEO.CAMEOCodes
        yield concept, SKOS.notation, Literal(code.code, datatype=GEO.CAMEOCode)
        yield concept, SKOS.prefLabel, Literal(code.label, lang="en")
        if code.goldstein is not None:
            yield concept, GEO.goldstein, Literal(Decimal(f"{code.goldstein:.1f}"), datatype=XSD.decimal)
        if code.plover:
            yield concept, GEO.ploverCategory, Literal(code.plover, datatype=GEO.PLOVERCategory)


def meta_triples(doc: URIRef, meta: DocumentMeta) -> Iterable[tuple]:
    """Title, publication date, source and URL of a document (Dublin Core terms, schema.org)."""
    if meta.title:
        yield doc, DCTERMS.title, Literal(meta.title)
    if meta.date:
        yield doc, DCTERMS.issued, Literal(meta.date, datatype=XSD.date)
    if meta.source:
        # A publisher's web address is a resource; a name ("dpa") stays a literal.
        source = iris.web_iri(meta.source)
        yield doc, DCTERMS.source, URIRef(source) if source else Literal(meta.source)
    url = iris.web_iri(meta.url)
    if url:  # the readers drop (with a warning) URLs that are not absolute http(s) IRIs
        yield doc, SDO.url, URIRef(url)


def document_triples(result: DocumentResult) -> Iterable[tuple]:
    """All triples of one document's named graph."""
    doc = iris.document(result.doc_id)
    yield doc, RDF.type, GEO.Document
    yield doc, RDFS.label, Literal(result.doc_id)
    yield doc, GEO.sourcePath, Literal(result.path)
    yield from meta_triples(doc, result.meta)
    used_sentences = {st.sentence for st in result.statements}
    for sent in result.sentences:
        if sent.index not in used_sentences:
            continue
        node = iris.sentence(result.doc_id, sent.index)
        yield node, RDF.type, GEO.Sentence
        yield node, GEO.document, doc
        yield node, GEO.text, Literal(sent.text, lang=LANG)
        yield node, GEO.beginIndex, Literal(sent.start, datatype=XSD.integer)
        yield node, GEO.endIndex, Literal(sent.end, datatype=XSD.integer)
    actors = described_actors(result)
    for key in sorted(actors):
        yield from actor_triples(actors[key], actors)
    texts = {sent.index: sent.text for sent in result.sentences}
    for st in result.statements:
        yield from statement_triples(st)
        yield from event_triples(st, texts.get(st.sentence, ""), result)


def described_actors(result: DocumentResult) -> dict[str, Actor]:
    """The actors a document's graph describes: those its statements use and, transitively,
    their countries (or parent organisations), from the gazetteer when the text did not
    mention them, so that every gkg:country points at a described actor (SHACL)."""
    table = {key: result.actors[key] for key in referenced_actors(result)}
    pending = list(table.values())
    gazetteer = None
    while pending:
        actor = pending.pop()
        country = actor.country
        if not country or country == actor.key or country in table:
            continue
        found = result.actors.get(country)
        if found is None:
            if gazetteer is None:
                from ..gazetteer import load_gazetteer

                gazetteer = load_gazetteer().actors
            found = gazetteer.get(country)
        if found is not None:
            table[country] = found
            pending.append(found)
    return table


def referenced_actors(result: DocumentResult) -> set[str]:
    """Keys of the actors a document's statements use, with their countries."""
    keys: set[str] = set()
    for st in result.statements:
        keys.update(k for k in (st.agent, st.target, st.reported_by, st.place) if k)
    pending = list(keys)
    while pending:
        actor = result.actors[pending.pop()]
        if actor.country and actor.country in result.actors and actor.country not in keys:
            keys.add(actor.country)
            pending.append(actor.country)
    return keys


def new_dataset() -> Dataset:
    ds = Dataset()
    bind_prefixes(ds)
    return ds


def add_document(ds: Dataset, result: DocumentResult) -> None:
    """Add (or replace) the named graph of one document."""
    name = iris.document(result.doc_id)
    ds.remove_graph(ds.graph(name))
    graph = ds.graph(name)
    for triple in document_triples(result):
        graph.add(triple)


def build_dataset(results: Iterable[DocumentResult]) -> Dataset:
    ds = new_dataset()
    for result in results:
        add_document(ds, result)
    return ds


def union_graph(ds: Dataset | Graph) -> Graph:
    """All triples of all named graphs (or of a plain graph) in one in-memory graph."""
    graph = Graph()
    bind_prefixes(graph)
    if isinstance(ds, Dataset):
        for s, p, o, _ in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        for triple in ds:
            graph.add(triple)
    return graph
