"""The phenomena of whole news articles (dev/phenomena.jsonl, sentences written for kg):
each item must give exactly its statements, with the right modality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.evaluate import GoldItem, Scores, load_gold, score_item
from kg.extract.document import extract_text

PHENOMENA = Path(__file__).resolve().parent.parent / "dev" / "phenomena.jsonl"

# Items the extractor does not get yet, with the reason (strict: a fix must remove the entry).
KNOWN_GAPS = {
}


def _items() -> list[GoldItem]:
    return load_gold(PHENOMENA)


def _phenomenon(item_id: str) -> str:
    for line in PHENOMENA.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        if obj["id"] == item_id:
            return obj["phenomenon"]
    raise KeyError(item_id)


@pytest.mark.parametrize("item", [
    pytest.param(item, id=item.id, marks=pytest.mark.xfail(reason=KNOWN_GAPS[item.id], strict=True))
    if item.id in KNOWN_GAPS else pytest.param(item, id=item.id)
    for item in _items()
])
def test_phenomenon(shared_nlp, item):
    scores = Scores()
    score_item(item, extract_text(shared_nlp, item.text, item.id), scores)
    problems = [e for e in scores.errors]
    assert not problems, f"{_phenomenon(item.id)}: {problems}"


def test_every_phenomenon_of_the_issue_has_cases():
    counts: dict[str, int] = {}
    for line in PHENOMENA.read_text(encoding="utf-8").splitlines():
        ph = json.loads(line)["phenomenon"]
        counts[ph] = counts.get(ph, 0) + 1
    assert len(counts) >= 13 and min(counts.values()) >= 4, counts
