"""Write the `wikidata` column of ontology/gazetteer/persons.csv from tools/person_qids.csv.

tools/person_qids.csv holds one row per person QID and how it was confirmed:

    key, qid, status, source1, match1, source2, match2, notes

status is one of
  confirmed  two sources from different repositories/sites name the person (full name
             and role or country, in match1/match2) with this QID
  legacy     a QID that was in the gazetteer before; kept because no source contradicts
             it, but fewer than two sources were found (source1 may be empty)
  unconfirmed  only one source found; recorded for a later pass, not written (it stays empty)
  rejected   a source that disagrees with another one about this person; the person gets
             no QID from this file

A source is `owner/repo/path` for a file in a public repository, or `index-file:<id>` for a
file the search index returned without naming its repository (the id is what the index
answers for it). Two sources are independent when their repositories differ; two files of
one repository count as one.

    python tools/confirm_qids.py           # rewrite persons.csv's wikidata column
    python tools/confirm_qids.py --check   # exit 1 unless persons.csv agrees with the file
                                           # and every confirmed QID has two sources
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERSONS = ROOT / "ontology" / "gazetteer" / "persons.csv"
SOURCES = ROOT / "tools" / "person_qids.csv"

HEADER = ["key", "qid", "status", "source1", "match1", "source2", "match2", "notes"]
STATUSES = {"confirmed", "legacy", "unconfirmed", "rejected"}
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
# owner/repo/path..., or a search-index file id with an optional description
SOURCE_RE = re.compile(r"^(?:[\w.-]+/[\w.-]+/\S+|index-file:[0-9]+(?: \(.+\))?)$")


class QidError(Exception):
    """Input that cannot be read at all (missing file, wrong header)."""


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    assigned: dict[str, str] = field(default_factory=dict)  # person key -> QID for persons.csv
    counts: Counter = field(default_factory=Counter)  # status -> rows

    @property
    def confirmed(self) -> int:
        return self.counts["confirmed"]


def repository(source: str) -> str:
    """The repository (or index file) a source belongs to: independence is decided on this."""
    if source.startswith("index-file:"):
        return source.split(" ", 1)[0]
    return "/".join(source.split("/", 2)[:2])


def _read(path: Path) -> tuple[list[str], list[list[str]], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QidError(f"{path}: cannot read ({exc})") from exc
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise QidError(f"{path}: empty file")
    return rows[0], rows[1:], text


def load_sources(path: Path = SOURCES) -> tuple[list[dict[str, str]], list[str]]:
    header, rows, _ = _read(path)
    if header != HEADER:
        raise QidError(f"{path}: header {header} != {HEADER}")
    problems = []
    out = []
    for n, row in enumerate(rows, start=2):
        if len(row) != len(HEADER):
            problems.append(f"{path.name}:{n}: {len(row)} fields, expected {len(HEADER)}")
            continue
        out.append(dict(zip(HEADER, row)) | {"line": str(n)})
    return out, problems


def evaluate(sources: list[dict[str, str]], person_keys: set[str]) -> Report:
    """Check the source rows and work out which QID each person gets."""
    rep = Report()
    by_key: dict[str, list[dict[str, str]]] = {}
    for row in sources:
        where = f"person_qids.csv:{row['line']} {row['key']}"
        rep.counts[row["status"]] += 1
        if row["key"] not in person_keys:
            rep.problems.append(f"{where}: no such person in persons.csv")
        if not QID_RE.match(row["qid"]):
            rep.problems.append(f"{where}: malformed QID {row['qid']!r}")
        if row["status"] not in STATUSES:
            rep.problems.append(f"{where}: status {row['status']!r} not in {sorted(STATUSES)}")
            continue
        for col in ("source1", "source2"):
            if row[col] and not SOURCE_RE.match(row[col]):
                rep.problems.append(f"{where}: {col} {row[col]!r} is neither owner/repo/path nor index-file:<id>")
        if row["status"] == "confirmed":
            if not (row["source1"] and row["source2"] and row["match1"] and row["match2"]):
                rep.problems.append(f"{where}: a confirmed QID needs source1, match1, source2 and match2")
            elif repository(row["source1"]) == repository(row["source2"]):
                rep.problems.append(f"{where}: source1 and source2 are the same repository "
                                    f"({repository(row['source1'])}), not independent")
        by_key.setdefault(row["key"], []).append(row)

    holders: dict[str, str] = {}
    for key, rows in sorted(by_key.items()):
        usable = [r for r in rows if r["status"] in ("confirmed", "legacy")]
        if len(usable) > 1:
            rep.problems.append(f"{key}: {len(usable)} usable rows; one QID per person")
        if usable and any(r["status"] == "rejected" for r in rows):
            rep.problems.append(f"{key}: has a rejected source and a usable QID; sources that disagree leave it empty")
        if len(usable) != 1:
            continue
        qid = usable[0]["qid"]
        if qid in holders:
            rep.problems.append(f"{key}: QID {qid} is also given to {holders[qid]}")
        holders[qid] = key
        rep.assigned[key] = qid
    return rep


def expected_persons(text: str, assigned: dict[str, str]) -> str:
    """persons.csv with its wikidata column set from `assigned`, everything else as it was."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    if "key" not in header or "wikidata" not in header:
        raise QidError(f"{PERSONS.name}: no key/wikidata column in header {header}")
    ki, wi = header.index("key"), header.index("wikidata")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows[1:]:
        row = list(row)
        row[wi] = assigned.get(row[ki], "")
        writer.writerow(row)
    return buf.getvalue()


def check(persons: Path = PERSONS, sources: Path = SOURCES) -> Report:
    """All problems with persons.csv and the sources file; empty `problems` means in agreement."""
    header, rows, text = _read(persons)
    if "key" not in header:
        raise QidError(f"{persons}: no key column")
    keys = {dict(zip(header, r)).get("key", "") for r in rows}
    loaded, problems = load_sources(sources)
    rep = evaluate(loaded, keys)
    rep.problems[:0] = problems
    if expected_persons(text, rep.assigned) != text:
        current = {d["key"]: d.get("wikidata", "") for d in (dict(zip(header, r)) for r in rows)}
        for key in sorted(keys):
            want, have = rep.assigned.get(key, ""), current.get(key, "")
            if want != have:
                rep.problems.append(f"persons.csv {key}: wikidata {have!r}, person_qids.csv gives {want!r} "
                                    "(run tools/confirm_qids.py)")
        if not any(p.startswith("persons.csv ") for p in rep.problems):
            rep.problems.append("persons.csv: not in the form tools/confirm_qids.py writes (run it)")
    return rep


def write(persons: Path = PERSONS, sources: Path = SOURCES) -> Report:
    header, rows, text = _read(persons)
    loaded, problems = load_sources(sources)
    rep = evaluate(loaded, {dict(zip(header, r)).get("key", "") for r in rows})
    rep.problems[:0] = problems
    if rep.problems:
        return rep  # never write from a sources file with problems
    sys.path.insert(0, str(ROOT))
    from kg.fileio import write_bytes_atomic

    new = expected_persons(text, rep.assigned)
    if new != text:
        write_bytes_atomic(persons, new.encode("utf-8"))
    return rep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 unless persons.csv agrees with tools/person_qids.csv "
                             "and every confirmed QID has two independent sources")
    args = parser.parse_args(argv)
    try:
        rep = check() if args.check else write()
    except QidError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for msg in rep.problems:
        print(msg, file=sys.stderr)
    if rep.problems:
        print(f"{len(rep.problems)} problem(s) in person QIDs", file=sys.stderr)
        return 1
    print(f"person QIDs OK: {len(rep.assigned)} persons with a QID "
          f"({rep.counts['confirmed']} confirmed by two sources, {rep.counts['legacy']} legacy), "
          f"{rep.counts['unconfirmed']} unconfirmed (one source, left empty), {rep.counts['rejected']} rejected source rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
