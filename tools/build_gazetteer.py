"""Build ontology/gazetteer/states.csv and check the actor gazetteer.

states.csv = German country names from CLDR (via babel) + the hand-curated
ontology/gazetteer/src/states_curated.csv (ISO codes, Wikidata QIDs, adjective
stems, capitals, metonyms, extra name variants, grammatical gender).

    python tools/build_gazetteer.py           # write states.csv, then check
    python tools/build_gazetteer.py --check   # exit 1 if states.csv is stale or
                                              # any gazetteer file has a problem

The check covers states.csv, organizations.csv, persons.csv, metonyms.csv (and
places.csv when present): headers, sorting, unique keys, one actor per surface
form (case-sensitive), QID format, known country codes, allowed enum values.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "ontology" / "gazetteer"
CURATED = GAZ / "src" / "states_curated.csv"
STATES = GAZ / "states.csv"

CURATED_HEADER = ["iso2", "iso3", "wikidata", "adjectives", "capitals", "metonyms", "variants", "gender"]
HEADERS = {
    "states.csv": ["key", "iso2", "iso3", "wikidata", "label", "variants", "adjectives", "capitals",
                   "metonyms", "gender"],
    "organizations.csv": ["key", "label", "variants", "wikidata", "org_type", "country"],
    "persons.csv": ["key", "label", "variants", "wikidata", "role", "country", "gender"],
    "metonyms.csv": ["surface", "actor_key"],
    "places.csv": ["key", "label", "variants", "wikidata", "country"],
}
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
KEY_RE = re.compile(r"^(person|state|org|place)/[a-z0-9]+(?:-[a-z0-9]+)*$")
STATE_GENDERS = {"m", "f", "n", "pl"}
PERSON_GENDERS = {"m", "f"}
ORG_TYPES = {"international", "governmental"}


def split(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]


def join(values: list[str]) -> str:
    out: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in out:
            out.append(value)
    return "|".join(out)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = [dict(zip(header, row)) | {"__len__": str(len(row))} for row in reader]
    return header, rows


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build_states() -> str:
    """The content states.csv should have."""
    from babel import Locale

    names = Locale("de").territories
    _, curated = read_rows(CURATED)
    rows = []
    for row in curated:
        iso2 = row["iso2"].strip().upper()
        label = names.get(iso2)
        if label is None:
            raise SystemExit(f"{CURATED}: CLDR has no German name for {iso2!r}")
        variants = [v for v in split(row.get("variants")) if v != label]
        rows.append([
            f"state/{iso2.lower()}", iso2, row["iso3"].strip().upper(), row["wikidata"].strip(), label,
            join(variants), join(split(row.get("adjectives"))), join(split(row.get("capitals"))),
            join(split(row.get("metonyms"))), row["gender"].strip(),
        ])
    rows.sort(key=lambda r: r[0])
    return to_csv(HEADERS["states.csv"], rows)


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.keys: dict[str, str] = {}  # key -> file
        self.surfaces: dict[str, tuple[str, str]] = {}  # surface -> (actor key, where)

    def problem(self, msg: str) -> None:
        self.problems.append(msg)

    def key(self, key: str, where: str) -> None:
        if not KEY_RE.match(key):
            self.problem(f"{where}: malformed key {key!r}")
        if key in self.keys:
            self.problem(f"{where}: duplicate key {key!r} (also in {self.keys[key]})")
        self.keys[key] = where

    def surface(self, text: str, actor: str, where: str, same_place: str | None = None) -> None:
        if text != text.strip() or not text:
            self.problem(f"{where}: empty surface or surrounding whitespace in {text!r}")
        old = self.surfaces.get(text)
        if old is not None and old[0] != actor and old[0] != same_place:
            self.problem(f"{where}: surface {text!r} -> {actor}, but also -> {old[0]} ({old[1]})")
        self.surfaces.setdefault(text, (actor, where))

    def qid(self, value: str, where: str) -> None:
        if value and not QID_RE.match(value):
            self.problem(f"{where}: invalid Wikidata QID {value!r}")

    def rows(self, name: str, sort_field: str) -> list[dict[str, str]]:
        path = GAZ / name
        raw = path.read_bytes()
        text = raw.decode("utf-8")  # a decode error is a crash, which is fine for a check tool
        if raw.startswith(b"\xef\xbb\xbf"):
            self.problem(f"{name}: has a UTF-8 BOM")
        if "\r" in text:
            self.problem(f"{name}: has CR line endings")
        if text and not text.endswith("\n"):
            self.problem(f"{name}: no newline at end of file")
        header, rows = read_rows(path)
        if header != HEADERS[name]:
            self.problem(f"{name}: header {header} != {HEADERS[name]}")
        for n, row in enumerate(rows, start=2):
            if row.pop("__len__") != str(len(header)):
                self.problem(f"{name}:{n}: wrong number of fields")
            for field, value in row.items():
                if value != value.strip() or any(v != v.strip() or not v for v in value.split("|") if value):
                    self.problem(f"{name}:{n}: stray whitespace or empty item in {field} {value!r}")
                items = split(value)
                if len(items) != len(set(items)):
                    self.problem(f"{name}:{n}: repeated item in {field} {value!r}")
        order = [row.get(sort_field, "") for row in rows]
        if order != sorted(order):
            self.problem(f"{name}: rows not sorted by {sort_field}")
        return rows


def check(expected_states: str) -> list[str]:
    from babel import Locale

    sys.path.insert(0, str(ROOT))
    from kg.iris import slug

    c = Checker()
    if not STATES.exists() or STATES.read_text(encoding="utf-8") != expected_states:
        c.problem("states.csv: differs from what tools/build_gazetteer.py writes (run it)")

    header, curated = read_rows(CURATED)
    if header != CURATED_HEADER:
        c.problem(f"src/states_curated.csv: header {header} != {CURATED_HEADER}")
    cldr = Locale("de").territories

    states = c.rows("states.csv", "key")
    iso2s: set[str] = set()
    iso3s: set[str] = set()
    adjectives: dict[str, str] = {}
    for row in states:
        key, iso2 = row["key"], row["iso2"]
        where = f"states.csv {key}"
        c.key(key, "states.csv")
        if not re.fullmatch(r"[A-Z]{2}", iso2) or key != f"state/{iso2.lower()}" or iso2 not in cldr:
            c.problem(f"{where}: bad iso2 {iso2!r}")
        if not re.fullmatch(r"[A-Z]{3}", row["iso3"]) or row["iso3"] in iso3s:
            c.problem(f"{where}: bad or duplicate iso3 {row['iso3']!r}")
        iso2s.add(iso2.lower())
        iso3s.add(row["iso3"])
        c.qid(row["wikidata"], where)
        if row["gender"] not in STATE_GENDERS:
            c.problem(f"{where}: gender {row['gender']!r} not in {sorted(STATE_GENDERS)}")
        for text in [row["label"], *split(row["variants"]), *split(row["metonyms"])]:
            c.surface(text, key, where)
        capitals = split(row["capitals"])
        capital_place = f"place/{slug(capitals[0])}" if capitals else None
        for text in capitals:
            c.surface(text, key, where, same_place=capital_place)
        for adj in split(row["adjectives"]):
            if adj.lower() in adjectives and adjectives[adj.lower()] != key:
                c.problem(f"{where}: adjective {adj!r} also used by {adjectives[adj.lower()]}")
            adjectives[adj.lower()] = key

    orgs = c.rows("organizations.csv", "key")
    persons = c.rows("persons.csv", "key")
    for row in orgs:
        c.key(row["key"], "organizations.csv")
    org_keys = {row["key"] for row in orgs}

    def country_ok(value: str, allow_empty: bool) -> bool:
        if not value:
            return allow_empty
        return value in iso2s or value in org_keys

    for row in orgs:
        key, where = row["key"], f"organizations.csv {row['key']}"
        if not key.startswith("org/"):
            c.problem(f"{where}: key must start with org/")
        c.qid(row["wikidata"], where)
        if row["org_type"] not in ORG_TYPES:
            c.problem(f"{where}: org_type {row['org_type']!r} not in {sorted(ORG_TYPES)}")
        if not country_ok(row["country"], allow_empty=row["org_type"] == "international"):
            c.problem(f"{where}: unknown or missing country {row['country']!r}")
        for text in [row["label"], *split(row["variants"])]:
            c.surface(text, key, where)

    for row in persons:
        key, where = row["key"], f"persons.csv {row['key']}"
        c.key(key, "persons.csv")
        if key != f"person/{slug(row['label'])}":
            c.problem(f"{where}: key is not person/<slug of label {row['label']!r}>")
        c.qid(row["wikidata"], where)
        if row["gender"] not in PERSON_GENDERS:
            c.problem(f"{where}: gender {row['gender']!r} not in {sorted(PERSON_GENDERS)}")
        if not row["role"]:
            c.problem(f"{where}: empty role")
        if not country_ok(row["country"], allow_empty=False):
            c.problem(f"{where}: unknown country {row['country']!r}")
        for text in [row["label"], *split(row["variants"])]:
            c.surface(text, key, where)

    if (GAZ / "places.csv").exists():
        for row in c.rows("places.csv", "key"):
            key, where = row["key"], f"places.csv {row['key']}"
            c.key(key, "places.csv")
            c.qid(row["wikidata"], where)
            if row["country"] and row["country"] not in iso2s:
                c.problem(f"{where}: unknown country {row['country']!r}")
            for text in [row["label"], *split(row["variants"])]:
                c.surface(text, key, where, same_place=key)

    for row in c.rows("metonyms.csv", "surface"):
        where = f"metonyms.csv {row['surface']!r}"
        if row["actor_key"] not in c.keys:
            c.problem(f"{where}: unknown actor {row['actor_key']!r}")
        c.surface(row["surface"], row["actor_key"], where)
    return c.problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if states.csv is stale or the gazetteer has problems")
    args = parser.parse_args(argv)

    expected = build_states()
    if not args.check:
        with STATES.open("w", encoding="utf-8", newline="") as fh:
            fh.write(expected)
        print(f"wrote {STATES.relative_to(ROOT)} ({expected.count(chr(10)) - 1} states)")
    problems = check(expected)
    for msg in problems:
        print(msg, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the gazetteer", file=sys.stderr)
        return 1
    if args.check:
        print("gazetteer OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
