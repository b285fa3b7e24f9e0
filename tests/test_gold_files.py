"""Article-level gold files (dev/articles-*.jsonl) are valid, and the checker catches bad lines."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_FILES = sorted((ROOT / "dev").glob("articles-*.jsonl"))


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_gold", ROOT / "tools" / "check_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_gold = _load_checker()


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=[p.name for p in ARTICLE_FILES])
def test_article_gold_file_is_valid(path):
    assert check_gold.check_file(path) == []


def test_dev_articles_size_and_mix():
    articles, errors = check_gold.load(ROOT / "dev" / "articles-dev.jsonl")
    assert errors == []
    assert len(articles) >= 24
    assert [a["id"] for a in articles] == [f"art-dev-{i:03d}" for i in range(1, len(articles) + 1)]
    assert sum(len(a["statements"]) for a in articles) >= 170
    distractors = [a for a in articles if "DISTRACTOR" in a["note"]]
    assert len(distractors) >= 5 and len(distractors) >= 0.2 * len(articles)
    counts = check_gold.stats(articles)
    assert set(counts["relation"]) == set(check_gold.RELATIONS)
    assert set(counts["modality"]) == set(check_gold.MODALITIES)


BODY = " ".join(["Wort"] * 160)
GOOD_TEXT = f"Scholz trifft Macron\n\nBerlin (dpa) – Olaf Scholz traf Emmanuel Macron. {BODY}"
GOOD_ST = {
    "relation": "meets",
    "agent": "Olaf Scholz",
    "target": "Emmanuel Macron",
    "modality": "asserted",
    "evidence": "Olaf Scholz traf Emmanuel Macron.",
}


def _article(**changes):
    art = {
        "id": "art-test-001",
        "title": "Scholz trifft Macron",
        "date": "2024-05-02",
        "source": "invented",
        "text": GOOD_TEXT,
        "statements": [dict(GOOD_ST)],
        "note": "test",
    }
    art.update(changes)
    return art


def _with_st(**changes):
    return _article(statements=[{**GOOD_ST, **changes}])


@pytest.mark.parametrize(
    ("article", "message"),
    [
        (_with_st(evidence="Scholz traf Biden in Rom."), "not an exact substring"),
        (_with_st(relation="criticizes"), "relation 'criticizes'"),
        (_with_st(modality="likely"), "modality 'likely'"),
        (_with_st(target="Olaf Scholz"), "same actor"),
        (_with_st(relation="supports", target=None), "needs an actor target"),
        (_with_st(agent=" Olaf Scholz"), "trimmed"),
        (_with_st(evidence="traf"), "at least"),
        (_article(statements=[dict(GOOD_ST), dict(GOOD_ST)]), "repeats statement 1"),
        (_article(statements=[dict(GOOD_ST), {**GOOD_ST, "agent": "Emmanuel Macron", "target": "Olaf Scholz"}]), "repeats statement 1"),
        (_article(title="Scholz trifft Macron."), "full stop"),
        (_article(text=GOOD_TEXT.replace("\n\n", " ", 1)), "title line followed by a blank line"),
        (_article(text="Scholz trifft Macron\n\nOlaf Scholz traf Emmanuel Macron."), "words, expected 150-600"),
        (_article(date="2024-13-01"), "not YYYY-MM-DD"),
        (_article(date="2019-05-02"), "outside 2023-2026"),
        (_article(id="dev-001"), "does not match"),
        (_article(statements={"relation": "meets"}), "must be a list"),
        ({k: v for k, v in _article().items() if k != "note"}, "missing key(s) note"),
        (_article(extra=1), "unknown key(s) extra"),
    ],
)
def test_checker_reports_bad_article(tmp_path, article, message):
    path = tmp_path / "articles-x.jsonl"
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    errors = check_gold.check_file(path)
    assert any(message in e for e in errors), errors
    assert all(e.startswith(f"{path}:") for e in errors)


def test_checker_accepts_good_article_and_flags_file_level_problems(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_article(), ensure_ascii=False) + "\n", encoding="utf-8")
    assert check_gold.check_file(good) == []

    dup = tmp_path / "dup.jsonl"
    dup.write_text((json.dumps(_article()) + "\n") * 2, encoding="utf-8")
    assert any("duplicate id" in e and ":2:" in e for e in check_gold.check_file(dup))

    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(_article()) + "\n{\"id\": \"art-test-002\",\n", encoding="utf-8")
    assert any(":2: invalid JSON" in e for e in check_gold.check_file(broken))

    assert any("cannot read" in e for e in check_gold.check_file(tmp_path / "missing.jsonl"))
    (tmp_path / "latin1.jsonl").write_bytes("Größe".encode("latin-1"))
    assert any("not UTF-8" in e for e in check_gold.check_file(tmp_path / "latin1.jsonl"))


def test_checker_main_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_article()) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(_with_st(relation="hits")) + "\n", encoding="utf-8")
    assert check_gold.main([str(good), "--stats"]) == 0
    out = capsys.readouterr().out
    assert "OK, 1 articles, 1 statements" in out and "meets/asserted 1" in out
    assert check_gold.main([str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl:1: statement 1: relation 'hits'" in err and "Traceback" not in err
    assert check_gold.main([]) == 2
