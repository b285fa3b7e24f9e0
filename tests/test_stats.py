"""Network statistics (networkx) and `kg stats`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.errors import KgError
from kg.rdfio.rdf import union_graph
from kg.viz import VizActor, VizDocument, VizModel, VizStatement, graph_stats
from kg.viz import stats as stats_module

ID = "https://w3id.org/geokg/id/"


def model_of(pairs, lonely=()) -> VizModel:
    keys = sorted({k for a, b, *_ in pairs for k in (a, b) if k} | set(lonely))
    actors = tuple(VizActor(k, ID + k, k.upper(), "person", "Person") for k in keys)
    statements = tuple(VizStatement(f"{ID}statement/d/{i}", rel, mod, a, b, "d")
                       for i, (a, b, rel, mod) in enumerate(pairs))
    return VizModel(actors, statements, (VizDocument("d", ID + "doc/d", "d"),))


def test_sample_counts_and_rankings(sample_dataset):
    stats = graph_stats(sample_dataset)
    assert (stats.actors, stats.statements, stats.documents, stats.statements_with_target) == (5, 3, 1, 2)
    assert stats.by_relation == {"meets": 2, "warns": 1}
    assert stats.by_modality == {"asserted": 2, "negated": 1}
    assert stats.by_kind == {"person": 3, "state": 2}
    # The negated meeting Russia/Ukraine is not a relation: no degree, no community.
    assert [(r.label, r.value) for r in stats.top_degree] == [("Emmanuel Macron", 1), ("Olaf Scholz", 1)]
    assert stats.top_betweenness == ()
    assert stats.communities == (("person/emmanuel-macron", "person/olaf-scholz"),)
    assert (stats.connected_pairs, stats.components) == (1, 4)
    assert graph_stats(union_graph(sample_dataset)) == stats


def test_betweenness_and_degree_on_a_path():
    # a - b - c - d, plus a negated and a self-loop statement that must not count.
    model = model_of([("a", "b", "warns", "asserted"), ("b", "c", "supports", "planned"),
                      ("c", "d", "meets", "possible"), ("a", "d", "meets", "negated"),
                      ("b", "b", "demands", "asserted"), ("d", None, "warns", "asserted")])
    stats = graph_stats(model)
    assert [(r.key, r.value) for r in stats.top_degree] == [("b", 2), ("c", 2), ("a", 1), ("d", 1)]
    top = [(r.key, round(r.value, 4)) for r in stats.top_betweenness]
    assert top == [("b", 0.6667), ("c", 0.6667)]
    assert stats.components == 1 and stats.betweenness_sample is None


def test_communities_split_at_a_bridge():
    left = ["l1", "l2", "l3", "l4"]
    right = ["r1", "r2", "r3", "r4"]
    pairs = [(x, y, "meets", "asserted") for group in (left, right) for i, x in enumerate(group)
             for y in group[i + 1:]]
    pairs.append(("l1", "r1", "supports", "asserted"))
    stats = graph_stats(model_of(pairs, lonely=["zz"]))
    assert stats.communities == (tuple(left), tuple(right))  # the lonely actor is in no community
    assert stats.components == 2
    assert {r.key for r in stats.top_betweenness[:2]} == {"l1", "r1"}


def test_top_limits_rankings_and_rejects_zero():
    model = model_of([("hub", f"s{i}", "meets", "asserted") for i in range(15)])
    assert len(graph_stats(model).top_degree) == 10
    assert [r.key for r in graph_stats(model, top=1).top_degree] == ["hub"]
    with pytest.raises(KgError):
        graph_stats(model, top=0)


def test_betweenness_is_sampled_but_stable_on_big_graphs(monkeypatch):
    monkeypatch.setattr(stats_module, "BETWEENNESS_BUDGET", 20 * 59)
    monkeypatch.setattr(stats_module, "BETWEENNESS_MIN_SAMPLE", 20)
    pairs = [(f"p{i:02d}", f"p{i + 1:02d}", "meets", "asserted") for i in range(59)]
    first, second = graph_stats(model_of(pairs)), graph_stats(model_of(pairs))
    assert first.betweenness_sample == 20
    assert first.top_betweenness == second.top_betweenness and first.top_betweenness


def run_kg(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_kg_stats_json_and_table(sample_dataset, tmp_path):
    graph = tmp_path / "graph.trig"
    sample_dataset.serialize(graph, format="trig")
    done = run_kg("stats", str(graph), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["actors"], data["statements"], data["documents"]) == (5, 3, 1)
    assert [r["label"] for r in data["top_degree"]] == ["Emmanuel Macron", "Olaf Scholz"]
    assert data["communities"] == [[{"key": "person/emmanuel-macron", "label": "Emmanuel Macron"},
                                    {"key": "person/olaf-scholz", "label": "Olaf Scholz"}]]
    table = run_kg("stats", str(graph), "--top", "1")
    assert table.returncode == 0, table.stderr
    assert "Top actors by degree" in table.stdout
    assert "1. Emmanuel Macron" in table.stdout and "Olaf Scholz" not in table.stdout.split("Communities")[0]
    assert "2 actors: Emmanuel Macron, Olaf Scholz" in table.stdout


def test_kg_stats_bad_input_is_one_line(tmp_path):
    (tmp_path / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    for args in (["missing.ttl"], ["broken.ttl"], []):
        done = run_kg("stats", *args, cwd=tmp_path)
        assert done.returncode == 1, args
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kg: error:"), done.stderr
