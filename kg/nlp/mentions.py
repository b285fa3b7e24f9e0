"""The mention record shared by the actor ruler, coreference and the extractors."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

# How a mention was found (TokenMention.how): name, capital, metonym, governmental,
# role_person, ne_person, model_person, model_org (actors by name); pronoun, description,
# group (coreference); and these three, which are not actors themselves:
ADJECTIVE = "adjective"
COMPOUND = "compound"
PLACE = "place"


@dataclass(frozen=True)
class TokenMention:
    """Actor(s) mentioned at doc[start:end] (token indices)."""

    start: int
    end: int
    actors: tuple[str, ...]
    how: str
    place: str | None = None  # place reading of a capital (Moskau -> place/moskau)
    genitive: bool = False  # "Putins", "Russlands": modifies the next noun
    confidence: float = 1.0  # how sure the mention is; multiplies a statement's confidence

    @property
    def is_actor(self) -> bool:
        return self.how not in (ADJECTIVE, COMPOUND, PLACE) and bool(self.actors)


def ensure_extensions() -> None:
    """Register the Doc extensions kg uses (idempotent)."""
    if not Doc.has_extension("kg_mentions"):
        Doc.set_extension("kg_mentions", default=None)
    if not Doc.has_extension("kg_actors"):
        Doc.set_extension("kg_actors", default=None)


def mentions_of(doc: Doc) -> list[TokenMention]:
    ensure_extensions()
    if doc._.kg_mentions is None:
        doc._.kg_mentions = []
    return doc._.kg_mentions


def actors_of(doc: Doc) -> dict:
    ensure_extensions()
    if doc._.kg_actors is None:
        doc._.kg_actors = {}
    return doc._.kg_actors
