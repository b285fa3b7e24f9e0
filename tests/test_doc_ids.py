"""Document ids are unique and stable: no document is silently lost to a shared id."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kg import iris
from kg.cli import cli
from kg.sources import read_documents
from kg.rdfio.store import GraphStore

ID_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
SIX = ["a b.txt", "a-b.txt", "x.txt", "x.md", "中文.txt", "русский.txt"]


@pytest.mark.parametrize("paths,expected", [
    (["000_4d9e4ac50f9794c6.txt"], {"000_4d9e4ac50f9794c6.txt": "000_4d9e4ac50f9794c6"}),  # unique: kept
    (["sub dir/Grüße aus Köln.md", "b.txt"],
     {"sub dir/Grüße aus Köln.md": "sub-dir/Gruesse-aus-Koeln", "b.txt": "b"}),
    (["中文.txt", "русский.txt", "Ελλάδα.md"],
     {"中文.txt": "ZhongWen", "русский.txt": "russkiy", "Ελλάδα.md": "Ellada"}),
    (["news.jsonl.gz", "cc.warc.gz"], {"news.jsonl.gz": "news", "cc.warc.gz": "cc"}),
    (["😀.txt"], {"😀.txt": "grinning"}),
    (["!!!.txt"], {"!!!.txt": "x" + iris._digest("!!!", 8)}),  # nothing left of the name: a digest
])
def test_plain_ids_are_kept_when_unique(paths, expected):
    assert iris.doc_ids(paths) == expected


@pytest.mark.parametrize("paths", [
    SIX,
    ["a.txt", "a.md", "a.html", "a.jsonl", "a.warc.gz", "A.txt"],
    ["Köln.txt", "Koeln.txt", "Köln.md"],
    ["Москва.txt", "Moskva.txt"],
    ["sub/a.txt", "sub/a.md", "sub-a.txt"],
    ["a-b.txt", "a b.txt", "a-b-" + iris._digest("a b.txt", 8) + ".txt"],  # a name that looks like a digested id
])
def test_ids_are_unique_valid_and_order_independent(paths):
    ids = iris.doc_ids(paths)
    assert len(set(ids.values())) == len(paths)
    assert all(ID_RE.match(i) for i in ids.values())
    assert iris.doc_ids(reversed(paths)) == ids  # no file's id depends on the others' order
    assert iris.doc_ids(paths) == ids


def test_six_files_that_used_to_collide():
    ids = iris.doc_ids(SIX)
    assert ids["中文.txt"] == "ZhongWen" and ids["русский.txt"] == "russkiy"
    for clash in ("a b.txt", "a-b.txt"):
        assert re.fullmatch(r"a-b-[0-9a-f]{8}", ids[clash])
    for clash in ("x.txt", "x.md"):
        assert re.fullmatch(r"x-[0-9a-f]{8}", ids[clash])


@pytest.mark.parametrize("raw,expected", [
    ("art-001", "c/art-001"),
    ("A_1.v2", "c/A_1.v2"),
    (7, "c/7"),
])
def test_clean_record_ids_are_kept(raw, expected):
    assert iris.record_id("c", str(raw)) == expected


def test_other_record_ids_are_distinct():
    raws = ["a b", "a-b ", "a/b", "https://example.org/a?b", "https://example.org/a#b", "中", "..", "-a"]
    ids = [iris.record_id("c", r) for r in raws]
    assert len(set(ids)) == len(raws)
    assert all(ID_RE.match(i) and i.startswith("c/") for i in ids)


def test_records_and_files_do_not_share_ids(tmp_path):
    """news/a.txt and record "a" of news.jsonl would both be news/a."""
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("Putin traf Trump.", encoding="utf-8")
    (tmp_path / "news.jsonl").write_text(json.dumps({"id": "a", "text": "Merz traf Macron."}) + "\n",
                                         encoding="utf-8")
    docs = read_documents([tmp_path])
    assert len(docs) == 2 and len({d.doc_id for d in docs}) == 2
    assert {d.doc_id for d in docs} >= {"news/a"}


def test_six_files_build_six_documents(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for n, name in enumerate(SIX):
        (docs / name).write_text(f"Bundeskanzler Olaf Scholz traf Emmanuel Macron in Paris. Dokument {n}.",
                                 encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(docs), "-o", str(out), "--no-html", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "documents: 6 (6 processed, 0 unchanged)" in result.output
    with GraphStore.open(out / "store", read_only=True) as store:
        stored = store.documents()
    assert sorted(stored) == sorted(iris.doc_ids(SIX).values())
    # A second build finds every document unchanged: the ids are stable.
    again = CliRunner().invoke(cli, ["build", str(docs), "-o", str(out), "--no-html", "--no-cache"])
    assert again.exit_code == 0 and "documents: 6 (0 processed, 6 unchanged)" in again.output
    removed = CliRunner().invoke(cli, ["remove", "--store", str(out / "store"), "x.md"])
    assert removed.exit_code == 0 and removed.output.strip() == f"removed {iris.doc_ids(SIX)['x.md']}"


@pytest.mark.parametrize("paths", [SIX, ["a.txt"], ["sub/a.txt", "sub/a.md"]])
def test_every_id_is_among_the_candidates_of_its_path(paths):
    """`kg remove x.md` finds the document also when its id carries a digest."""
    for rel, doc in iris.doc_ids(paths).items():
        assert doc in iris.doc_id_candidates(rel)
