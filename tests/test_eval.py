"""The evaluation helper, and the quality targets on the gold sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.evaluate import GoldItem, GoldStatement, Scores, evaluate, load_gold, report, score_item
from kg.records import Actor, DocumentResult, Statement

ROOT = Path(__file__).resolve().parent.parent


def _result(statements):
    actors = {a.key: a for a in [
        Actor("person/a-b", "person", "Anna Berg", ("Berg",)),
        Actor("state/ru", "state", "Russland"),
        Actor("state/de", "state", "Deutschland"),
        Actor("org/bundesregierung", "organization", "Bundesregierung", org_type="governmental", country="state/de"),
    ]}
    return DocumentResult("x", "x", "", [], actors, [], statements)


def _st(rel, agent, target, modality="asserted"):
    return Statement(rel, agent, target, modality, 0.9, "x", 1, 0, 1, "t")


def test_scoring_counts_tp_fp_fn_modality_and_aliases():
    item = GoldItem("1", "", (GoldStatement("meets", "Russland", "Berg", "planned"),
                              GoldStatement("warns", "Deutschland", None, "asserted")))
    scores = Scores()
    score_item(item, _result([_st("meets", "person/a-b", "state/ru", "asserted"),  # swapped, alias, wrong modality
                              _st("warns", "org/bundesregierung", None),  # governmental org answers to its state
                              _st("supports", "state/de", "state/ru")]), scores)
    assert (scores.tp["meets"], scores.tp["warns"], scores.fp["supports"]) == (1, 1, 1)
    assert sum(scores.fn.values()) == 0
    assert (scores.modality_correct, scores.modality_total) == (1, 2)
    assert scores.prf("supports") == (0.0, 1.0, 0.0)
    assert "modality accuracy" in report(scores)


def test_negated_gold_output_as_fact_is_counted():
    item = GoldItem("1", "", (GoldStatement("meets", "Russland", "Deutschland", "negated"),))
    scores = Scores()
    score_item(item, _result([_st("meets", "state/ru", "state/de", "asserted")]), scores)
    assert scores.negated_as_fact == 1


@pytest.fixture(scope="module")
def nlp():
    from kg.nlp.pipeline import make_nlp

    return make_nlp(cache_dir=None)


@pytest.mark.parametrize("name", ["devset.jsonl", "heldout.jsonl"])
def test_quality_targets_on_gold_sets(nlp, name):
    """Issue target: precision >= 0.85 and recall >= 0.70; negated never output as fact."""
    from kg.extract.document import extract_text

    items = load_gold(ROOT / "dev" / name)
    assert len(items) >= (80 if name == "devset.jsonl" else 40)
    scores = evaluate(items, lambda text, doc_id: extract_text(nlp, text, doc_id))
    p, r, _ = scores.prf()
    assert p >= 0.85 and r >= 0.70, report(scores, name)
    assert scores.negated_as_fact == 0
    assert scores.modality_accuracy >= 0.85


@pytest.mark.parametrize("name,min_f1", [("devset.jsonl", 0.95), ("heldout.jsonl", 0.85)])
def test_sentence_sets_do_not_regress(nlp, name, min_f1):
    """Article issue: the sentence sets keep dev F1 >= 0.95 and held-out F1 >= 0.85."""
    from kg.extract.document import extract_text

    scores = evaluate(load_gold(ROOT / "dev" / name), lambda text, doc_id: extract_text(nlp, text, doc_id))
    assert scores.prf()[2] >= min_f1, report(scores, name)


# Article targets of the issue on statements with an actor target (precision >= 0.85,
# recall >= 0.70), on the dev articles and on the held-out articles.
@pytest.mark.parametrize("name,min_p,min_r", [("articles-dev.jsonl", 0.85, 0.75), ("articles-heldout.jsonl", 0.85, 0.70)])
def test_article_targets(nlp, name, min_p, min_r):
    from kg.extract.document import extract_text

    items = load_gold(ROOT / "dev" / name)
    assert len(items) >= 20 and sum(len(i.statements) for i in items) >= 150
    scores = evaluate(items, lambda text, doc_id: extract_text(nlp, text, doc_id))
    p, r, _ = scores.targeted_prf()
    assert p >= min_p and r >= min_r, report(scores, name)
    assert scores.modality_accuracy >= 0.90, report(scores, name)
