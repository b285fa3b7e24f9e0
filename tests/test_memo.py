"""The bounded memo: at most two generations of `limit` entries, frequent keys kept."""

from __future__ import annotations

import random

import pytest

from kg.memo import Memo


def test_a_memo_never_holds_more_than_two_generations():
    memo = Memo(100)
    for k in range(10_000):
        memo.put(k, str(k))
        assert len(memo) <= 200
    assert memo.get(9_999) == "9999" and memo.get(0) is None


def test_a_hit_in_the_old_generation_survives_the_next_turn():
    memo = Memo(3)
    for key in "abc":
        memo.put(key, key.upper())
    memo.put("d", "D")  # "a", "b", "c" are now the old generation
    assert memo.get("a") == "A"  # ... and "a" is moved back into the young one
    for key in "efg":
        memo.put(key, key.upper())  # the old generation ("a", "b", "c") is dropped
    assert memo.get("a") == "A"
    assert memo.get("b") is None and memo.get("c") is None


def test_zipf_traffic_keeps_most_hits_in_a_small_memo():
    rng = random.Random(3)
    keys = [f"w{k}" for k in range(50_000)]
    weights = [1 / (k + 1) for k in range(len(keys))]
    memo, hits, stream = Memo(2_000), 0, rng.choices(keys, weights, k=100_000)
    for key in stream:
        if memo.get(key) is not None:
            hits += 1
        else:
            memo.put(key, key)
    assert len(memo) <= 4_000
    # A dict cleared when full would lose its frequent keys at every clear; this keeps them.
    assert hits / len(stream) > 0.5


def test_clear_and_bad_limit():
    memo = Memo(2)
    memo.put(1, 1)
    memo.clear()
    assert memo.get(1) is None and len(memo) == 0
    with pytest.raises(ValueError):
        Memo(0)


def test_the_iri_memo_of_the_rdf_layer_stays_bounded_and_keeps_the_recurring_iris():
    """Each document brings IRIs of its own (document, sentences, statements): over a long run
    they must age out of the worker's IRI memo, while the actors that recur stay memoised."""
    from rdflib import Literal, URIRef

    from kg.rdfio import serialize

    nodes = serialize._converters().nodes
    nodes.clear()
    actor = URIRef("https://example.org/actor/putin")
    limit = serialize.IRI_MEMO_LIMIT
    for n in range(3 * limit):
        own = URIRef(f"https://example.org/doc/{n}")
        data = serialize.document_ntriples([(own, actor, Literal(n))])
        assert data == f"<https://example.org/doc/{n}> <https://example.org/actor/putin> \"{n}\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n".encode()
        assert len(nodes) <= 2 * limit
    assert nodes.get(str(actor)) is not None
    assert nodes.get("https://example.org/doc/0") is None
