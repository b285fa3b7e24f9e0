"""Closed rdflib namespace of the kg ontology (kept in sync with ontology/geo.ttl by a test)."""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class GEO(DefinedNamespace):
    """https://w3id.org/geokg/ontology# — see ontology/geo.ttl."""

    _fail = True
    _NS = Namespace("https://w3id.org/geokg/ontology#")

    # Classes
    Actor: URIRef
    Person: URIRef
    State: URIRef
    Organization: URIRef
    InternationalOrganization: URIRef
    GovernmentalOrganization: URIRef
    Place: URIRef
    Statement: URIRef
    Document: URIRef
    Sentence: URIRef
    Modality: URIRef

    # Direct relations (also skos:Concepts of gkg:RelationTypes)
    meets: URIRef
    warns: URIRef
    supports: URIRef
    demands: URIRef

    # Schemes, datatypes and modality individuals
    RelationTypes: URIRef
    Modalities: URIRef
    CAMEOCode: URIRef
    PLOVERCategory: URIRef
    CAMEOCodes: URIRef
    Asserted: URIRef
    Planned: URIRef
    Possible: URIRef
    Negated: URIRef

    # Properties
    country: URIRef
    role: URIRef
    isoCode: URIRef
    relation: URIRef
    agent: URIRef
    target: URIRef
    modality: URIRef
    reportedBy: URIRef
    place: URIRef
    timeExpression: URIRef
    confidence: URIRef
    trigger: URIRef
    evidence: URIRef
    document: URIRef
    text: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    sourcePath: URIRef

    # Dates and event codes of statements
    date: URIRef
    dateBegin: URIRef
    dateEnd: URIRef
    datePrecision: URIRef
    dateIsReportDate: URIRef
    eventCode: URIRef
    goldstein: URIRef
    ploverCategory: URIRef
