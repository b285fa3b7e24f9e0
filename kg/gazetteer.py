"""The actor gazetteer: ontology/gazetteer/*.csv -> Actor records and a surface index."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import iris
from .errors import KgError
from .records import Actor
from .resources import data_path


@dataclass(frozen=True)
class Surface:
    """One way an actor is written. `place` is set for capitals (Moskau -> place/moskau)."""

    text: str
    actor: str
    how: str  # name | capital | metonym
    place: str | None = None


@dataclass
class Gazetteer:
    actors: dict[str, Actor] = field(default_factory=dict)
    surfaces: dict[str, Surface] = field(default_factory=dict)
    adjectives: dict[str, str] = field(default_factory=dict)  # stem (lower) -> state key
    prefixes: dict[str, str] = field(default_factory=dict)  # "US" in "US-Präsident" -> actor key
    _by_country: dict[str, list[Actor]] | None = field(default=None, repr=False, compare=False)
    first_names: frozenset[str] = frozenset()  # given names that open an unknown person's name

    def persons_of(self, country: str) -> list[Actor]:
        """Gazetteer persons whose country is `country` (an actor key)."""
        if self._by_country is None:
            index: dict[str, list[Actor]] = {}
            for actor in self.actors.values():
                if actor.kind == "person" and actor.country:
                    index.setdefault(actor.country, []).append(actor)
            self._by_country = index
        return self._by_country.get(country, [])

    def add_surface(self, surface: Surface) -> None:
        old = self.surfaces.get(surface.text)
        # First definition wins: persons and organisations are loaded before metonyms.
        if old is None:
            self.surfaces[surface.text] = surface


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise KgError(f"{path}: cannot read gazetteer ({exc})") from None


def _qid(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def _country_key(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return value if "/" in value else f"state/{value.lower()}"


_SURNAME_SKIP = {"Jr.", "Sr.", "II.", "III.", "VI.", "XIV."}


def _add_surnames(gaz: Gazetteer) -> None:
    """A person's surname alone names them ("Sánchez", "Costa") when no other person's name
    contains that word and it is no other surface: news refers to persons by surname."""
    counts: dict[str, int] = {}
    persons = [a for a in gaz.actors.values() if a.kind == "person"]
    for actor in persons:
        for word in {w for name in (actor.label, *actor.aliases) for w in name.split()}:
            counts[word] = counts.get(word, 0) + 1
    for actor in persons:
        words = actor.label.split()
        if len(words) < 2:
            continue
        surname = words[-2] if words[-1] in _SURNAME_SKIP else words[-1]
        if len(surname) >= 4 and surname[:1].isupper() and counts.get(surname) == 1 and surname not in gaz.surfaces:
            gaz.add_surface(Surface(surname, actor.key, "name"))


@cache
def load_gazetteer(directory: str | None = None) -> Gazetteer:
    """Load all gazetteer CSVs (cached per folder)."""
    folder = Path(directory) if directory else data_path("gazetteer")
    gaz = Gazetteer()

    for row in _rows(folder / "states.csv"):
        key = row["key"]
        variants = _split(row.get("variants"))
        capitals = _split(row.get("capitals"))
        metonyms = _split(row.get("metonyms"))
        gaz.actors[key] = Actor(
            key=key, kind="state", label=row["label"], aliases=tuple(variants),
            wikidata=_qid(row.get("wikidata", "")), iso2=row["iso2"].lower(),
            gender=(row.get("gender") or "n").strip() or "n",
        )
        for text in [row["label"], *variants]:
            gaz.add_surface(Surface(text, key, "name"))
            gaz.prefixes.setdefault(text, key)
        for adj in _split(row.get("adjectives")):
            gaz.adjectives.setdefault(adj.lower(), key)
        if capitals:
            place_key = iris.actor_key("place", capitals[0])
            gaz.actors.setdefault(place_key, Actor(place_key, "place", capitals[0], tuple(capitals[1:]), country=key))
            for text in capitals:
                gaz.add_surface(Surface(text, key, "capital", place_key))
        for text in metonyms:
            gaz.add_surface(Surface(text, key, "metonym"))

    for row in _rows(folder / "organizations.csv"):
        key = row["key"]
        variants = _split(row.get("variants"))
        gaz.actors[key] = Actor(
            key=key, kind="organization", label=row["label"], aliases=tuple(variants),
            wikidata=_qid(row.get("wikidata", "")), org_type=(row.get("org_type") or "international").strip(),
            country=_country_key(row.get("country", "")), gender="f",
        )
        for text in [row["label"], *variants]:
            gaz.add_surface(Surface(text, key, "name"))
            gaz.prefixes.setdefault(text, key)

    for row in _rows(folder / "persons.csv"):
        key = row["key"]
        variants = _split(row.get("variants"))
        gaz.actors[key] = Actor(
            key=key, kind="person", label=row["label"], aliases=tuple(variants),
            wikidata=_qid(row.get("wikidata", "")), role=(row.get("role") or "").strip() or None,
            country=_country_key(row.get("country", "")), gender=(row.get("gender") or "m").strip() or "m",
        )
        for text in [row["label"], *variants]:
            gaz.add_surface(Surface(text, key, "name"))

    _add_surnames(gaz)
    names_file = folder / "first_names.txt"
    listed = [ln.strip() for ln in names_file.read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")] if names_file.exists() else []
    gaz.first_names = frozenset(listed) | {a.label.split()[0] for a in gaz.actors.values()
                                            if a.kind == "person" and len(a.label.split()) >= 2}

    places = folder / "places.csv"
    if places.exists():
        for row in _rows(places):
            key = row["key"]
            variants = _split(row.get("variants"))
            gaz.actors.setdefault(key, Actor(key, "place", row["label"], tuple(variants),
                                             wikidata=_qid(row.get("wikidata", "")),
                                             country=_country_key(row.get("country", ""))))
            for text in [row["label"], *variants]:
                gaz.add_surface(Surface(text, key, "place", key))

    for row in _rows(folder / "metonyms.csv"):
        gaz.add_surface(Surface(row["surface"], row["actor_key"], "metonym"))

    for surface in gaz.surfaces.values():
        if surface.actor not in gaz.actors:
            raise KgError(f"gazetteer: {surface.text!r} refers to unknown actor {surface.actor!r}")
    return gaz
