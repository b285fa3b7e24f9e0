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


def by_sentence(doc: Doc, mentions: list[TokenMention]) -> dict[int, list[TokenMention]]:
    """`mentions` grouped by the first token of their sentence, each group in list order.

    One pass over the doc and the list: filtering the list once per sentence costs
    sentences × mentions, which made megabyte documents quadratic.
    """
    sentence_of = [0] * len(doc)
    for sent in doc.sents:
        sentence_of[sent.start:sent.end] = [sent.start] * (sent.end - sent.start)
    groups: dict[int, list[TokenMention]] = {}
    for m in mentions:
        if 0 <= m.start < len(doc):
            groups.setdefault(sentence_of[m.start], []).append(m)
    return groups


def starting_at(doc: Doc, k: int) -> list[tuple[int, TokenMention]]:
    """(position in doc._.kg_mentions, mention) of the mentions that start at token k.

    Indexed once per state of the list (kept in doc.user_data), not scanned per token.
    """
    mentions = mentions_of(doc)
    cached = doc.user_data.get(_BY_START)
    if cached is None or cached[0] is not mentions or cached[1] != len(mentions):
        index: dict[int, list[tuple[int, TokenMention]]] = {}
        for position, m in enumerate(mentions):
            index.setdefault(m.start, []).append((position, m))
        # The list itself is kept so that `is` cannot match a new list at a reused address.
        cached = doc.user_data[_BY_START] = (mentions, len(mentions), index)
    return cached[2].get(k, [])


_BY_START = ("kg", "mentions_by_start")
