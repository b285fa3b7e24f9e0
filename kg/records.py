"""Typed records passed between the extractor and the RDF layer (no rdflib here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["person", "state", "organization", "place"]
Relation = Literal["meets", "warns", "supports", "demands"]
Modality = Literal["asserted", "planned", "possible", "negated"]

KINDS: tuple[str, ...] = ("person", "state", "organization", "place")
RELATIONS: tuple[str, ...] = ("meets", "warns", "supports", "demands")
MODALITIES: tuple[str, ...] = ("asserted", "planned", "possible", "negated")


@dataclass(frozen=True)
class Actor:
    """A person, state, organisation or place; `key` is e.g. "state/ru"."""

    key: str
    kind: Kind
    label: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    role: str | None = None
    country: str | None = None  # actor key of the state (or organisation) it belongs to
    iso2: str | None = None
    gender: str | None = None  # grammatical gender of the German name: m, f, n, pl
    org_type: str | None = None  # international | governmental


@dataclass(frozen=True)
class Sentence:
    index: int  # 1-based
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """An actor mentioned at doc[start:end] (character offsets)."""

    actor_key: str
    start: int
    end: int
    text: str
    sentence: int


@dataclass(frozen=True)
class Statement:
    """One extracted relation between actors, with its evidence."""

    relation: Relation
    agent: str
    target: str | None
    modality: Modality
    confidence: float
    doc_id: str
    sentence: int
    start: int
    end: int
    trigger: str
    reported_by: str | None = None
    place: str | None = None
    time: str | None = None
    lemma: str | None = None  # trigger lemma ("treffen", "Telefonat", "zusammentreffen")
    tense: str | None = None  # past | present | future of the trigger's clause

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}")
        if self.modality not in MODALITIES:
            raise ValueError(f"unknown modality {self.modality!r}")
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad offsets {self.start}..{self.end}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence out of range: {self.confidence}")


@dataclass(frozen=True)
class DocumentMeta:
    """What is known of a document besides its text (never guessed, e.g. from a file's mtime)."""

    title: str | None = None
    date: str | None = None  # publication date, ISO 8601 "YYYY-MM-DD"
    url: str | None = None
    source: str | None = None  # publisher or corpus name


@dataclass
class DocumentResult:
    """Everything extracted from one document."""

    doc_id: str
    path: str
    text: str
    sentences: list[Sentence] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    meta: DocumentMeta = field(default_factory=DocumentMeta)
