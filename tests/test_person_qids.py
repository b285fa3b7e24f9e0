"""Person QIDs in the gazetteer agree with tools/person_qids.csv, and each confirmed one has two
independent sources (see tools/confirm_qids.py)."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PERSONS = ROOT / "ontology" / "gazetteer" / "persons.csv"
SOURCES = ROOT / "tools" / "person_qids.csv"

# Reached by the confirmation pass of issue 9 (two-source QIDs / all persons with a QID).
MIN_CONFIRMED = 151
MIN_WITH_QID = 185


@pytest.fixture(scope="module")
def cq():
    spec = importlib.util.spec_from_file_location("confirm_qids", ROOT / "tools" / "confirm_qids.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["confirm_qids"] = module
    spec.loader.exec_module(module)
    return module


def person_rows(path: Path = PERSONS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_persons_csv_agrees_with_sources_file(cq):
    rep = cq.check()
    assert rep.problems == []


def test_coverage_qid_format_and_uniqueness(cq):
    rep = cq.check()
    assert rep.confirmed >= MIN_CONFIRMED
    qids = [p["wikidata"] for p in person_rows() if p["wikidata"]]
    assert len(qids) >= MIN_WITH_QID
    assert all(re.fullmatch(r"Q[1-9][0-9]*", q) for q in qids)
    assert len(qids) == len(set(qids)), "two persons share a QID"


def test_confirmed_rows_name_two_repositories(cq):
    rows, problems = cq.load_sources()
    assert problems == []
    for row in rows:
        if row["status"] == "confirmed":
            assert cq.repository(row["source1"]) != cq.repository(row["source2"]), row["key"]
            assert row["match1"] and row["match2"], row["key"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


PERSON_HEADER = ["key", "label", "variants", "wikidata", "role", "country", "gender"]
A = "every-politician-scrapers/world-leaders-2021/data/wikidata.csv"
B = "open-data-archive/world-leaders-current/data/countries/uk/current.json"
B2 = "open-data-archive/world-leaders-current/data/countries/fr/current.json"


@pytest.mark.parametrize("qid_in_persons,rows,message", [
    ("Q1", [["person/a", "Q1", "confirmed", A, "A — x", B, "A — y", ""]], None),
    ("Q1", [["person/a", "Q1", "confirmed", A, "A — x", "", "", ""]], "needs source1"),
    ("Q1", [["person/a", "Q1", "confirmed", B, "A — x", B2, "A — y", ""]], "same repository"),
    ("Q1", [["person/a", "Q1", "legacy", "", "", "", "", "kept"]], None),
    ("Q2", [["person/a", "Q1", "confirmed", A, "A — x", B, "A — y", ""]], "run tools/confirm_qids.py"),
    ("", [["person/a", "Q1", "rejected", A, "A — x", "", "", "disagree"],
          ["person/a", "Q2", "rejected", B, "A — y", "", "", "disagree"]], None),
    ("Q1", [["person/a", "Q1", "rejected", A, "A — x", "", "", "disagree"]], "run tools/confirm_qids.py"),
    ("", [["person/a", "Q1", "unconfirmed", A, "A — x", "", "", "one source"]], None),
    ("Q1", [["person/a", "Q1", "unconfirmed", A, "A — x", "", "", "one source"]], "run tools/confirm_qids.py"),
    ("Q1", [["person/a", "Q1", "confirmed", A, "A — x", B, "A — y", ""],
            ["person/a", "Q2", "rejected", B2, "A — z", "", "", "disagree"]], "leave it empty"),
    ("Q01", [["person/a", "Q01", "legacy", "", "", "", "", ""]], "malformed QID"),
    ("Q1", [["person/a", "Q1", "maybe", "", "", "", "", ""]], "status"),
    ("Q1", [["person/a", "Q1", "confirmed", "just a name", "A — x", B, "A — y", ""]], "neither owner/repo/path"),
    ("", [["person/zz", "Q1", "legacy", "", "", "", "", ""]], "no such person"),
])
def test_check_catches_bad_sources(cq, tmp_path, qid_in_persons, rows, message):
    persons = _write(tmp_path / "persons.csv", PERSON_HEADER,
                     [["person/a", "A", "", qid_in_persons, "Präsident", "de", "m"]])
    sources = _write(tmp_path / "person_qids.csv", cq.HEADER, rows)
    problems = cq.check(persons, sources).problems
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


def test_shared_qid_is_a_problem(cq, tmp_path):
    persons = _write(tmp_path / "persons.csv", PERSON_HEADER,
                     [["person/a", "A", "", "Q1", "x", "de", "m"], ["person/b", "B", "", "Q1", "x", "de", "m"]])
    sources = _write(tmp_path / "person_qids.csv", cq.HEADER,
                     [["person/a", "Q1", "legacy", "", "", "", "", ""], ["person/b", "Q1", "legacy", "", "", "", "", ""]])
    assert any("also given to" in p for p in cq.check(persons, sources).problems)


def test_write_sets_only_the_wikidata_column(cq, tmp_path):
    persons = _write(tmp_path / "persons.csv", PERSON_HEADER,
                     [["person/a", "A", "X|Y", "", "Präsident", "de", "m"], ["person/b", "B", "", "Q9", "x", "fr", "f"]])
    sources = _write(tmp_path / "person_qids.csv", cq.HEADER,
                     [["person/a", "Q1", "confirmed", A, "A — x", B, "A — y", ""]])
    assert cq.write(persons, sources).problems == []
    assert persons.read_text(encoding="utf-8") == (
        ",".join(PERSON_HEADER) + "\nperson/a,A,X|Y,Q1,Präsident,de,m\nperson/b,B,,,x,fr,f\n")
    assert cq.check(persons, sources).problems == []


def test_bad_sources_file_is_not_written_from(cq, tmp_path):
    persons = _write(tmp_path / "persons.csv", PERSON_HEADER, [["person/a", "A", "", "Q7", "x", "de", "m"]])
    before = persons.read_bytes()
    sources = _write(tmp_path / "person_qids.csv", cq.HEADER,
                     [["person/a", "Q1", "confirmed", A, "A — x", "", "", ""]])
    assert cq.write(persons, sources).problems
    assert persons.read_bytes() == before


def test_wrong_header_is_a_clear_error(cq, tmp_path):
    sources = _write(tmp_path / "person_qids.csv", ["key", "qid"], [["person/a", "Q1"]])
    with pytest.raises(cq.QidError, match="header"):
        cq.load_sources(sources)
