"""SHACL shapes (ontology/shapes.ttl): what kg writes conforms, broken graphs are caught."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import make_sample_result
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from servers import ROOT, make_hostile_result

from kg import iris
from kg.commands.validate import check
from kg.rdfio.rdf import union_graph
from kg.rdfio.namespace import GEO
from kg.rdfio.rdf import build_dataset
from kg.rdfio.serialize import FORMATS

SAMPLE = make_sample_result()
WARN = iris.statement("sample", "warns", "person/jan-novak", None, SAMPLE.statements[2].start,
                      SAMPLE.statements[2].end, "asserted")
NOVAK = iris.actor("person/jan-novak")


def kg(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def sample_graph() -> Graph:
    return union_graph(build_dataset([make_sample_result()]))


def test_sample_and_hostile_graphs_conform():
    assert check(build_dataset([make_sample_result()])) == []
    assert check(build_dataset([make_hostile_result(), make_sample_result()])) == []


def _drop(graph, s, p):
    graph.remove((s, p, None))


def _set(graph, s, p, o):
    graph.remove((s, p, None))
    graph.add((s, p, o))


BREAKAGES = {
    "actor without label": (lambda g: _drop(g, NOVAK, RDFS.label), "kgsh:ActorLabel", NOVAK),
    "label without language": (lambda g: _set(g, NOVAK, RDFS.label, Literal("Jan Novak")), "kgsh:ActorLabel", NOVAK),
    "two agents": (lambda g: g.add((WARN, GEO.agent, iris.actor("state/cz"))), "kgsh:StatementAgent", WARN),
    "no agent": (lambda g: _drop(g, WARN, GEO.agent), "kgsh:StatementAgent", WARN),
    "agent is text": (lambda g: _set(g, WARN, GEO.agent, Literal("Novak")), "kgsh:StatementAgent", WARN),
    "unknown modality": (lambda g: _set(g, WARN, GEO.modality, URIRef(iris.ONTOLOGY + "Rumoured")),
                         "kgsh:StatementModality", WARN),
    "unknown relation": (lambda g: _set(g, WARN, GEO.relation, URIRef(iris.ONTOLOGY + "hugs")),
                         "kgsh:StatementRelation", WARN),
    "negative offset": (lambda g: _set(g, WARN, GEO.beginIndex, Literal(-1)), "kgsh:StatementBegin", WARN),
    "begin after end": (lambda g: _set(g, WARN, GEO.beginIndex, Literal(10_000)), "kgsh:StatementBegin", WARN),
    "offset as text": (lambda g: _set(g, WARN, GEO.endIndex, Literal("136")), "kgsh:StatementEnd", WARN),
    "offset as decimal": (lambda g: _set(g, WARN, GEO.endIndex, Literal("136.0", datatype=XSD.decimal)),
                          "kgsh:StatementEnd", WARN),
    "no evidence": (lambda g: _drop(g, WARN, GEO.evidence), "kgsh:StatementEvidence", WARN),
    "evidence is no sentence": (lambda g: _set(g, WARN, GEO.evidence, NOVAK), "kgsh:StatementEvidence", WARN),
    "confidence above 1": (lambda g: _set(g, WARN, GEO.confidence, Literal("1.5", datatype=XSD.decimal)),
                           "kgsh:StatementConfidence", WARN),
    "no trigger": (lambda g: _drop(g, WARN, GEO.trigger), "kgsh:StatementTrigger", WARN),
    "sentence without text": (lambda g: _drop(g, iris.sentence("sample", 3), GEO.text), "kgsh:SentenceText",
                              iris.sentence("sample", 3)),
    "document without path": (lambda g: _drop(g, iris.document("sample"), GEO.sourcePath),
                              "kgsh:DocumentSourcePath", iris.document("sample")),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_broken_graphs_are_reported(name):
    breakage, shape, focus = BREAKAGES[name]
    graph = sample_graph()
    breakage(graph)
    violations = check(graph)
    assert violations, name
    focus_text = "geokg:" + str(focus)[len(iris.DATA):]
    assert any(v.shape == shape and v.focus == focus_text for v in violations), [str(v) for v in violations]
    assert all(v.severity == "Violation" for v in violations)


def test_validate_cli_reports_readably(tmp_path):
    graph = sample_graph()
    graph.remove((NOVAK, RDFS.label, None))
    graph.add((WARN, GEO.agent, iris.actor("state/cz")))
    broken = tmp_path / "broken.nt"
    graph.serialize(broken, format="nt")
    result = kg("validate", str(broken))
    assert result.returncode == 1
    assert result.stderr.strip() == f"kg: error: {broken}: 2 SHACL violations"
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Violation: geokg:person/jan-novak rdfs:label: an actor needs a non-empty German label")
    assert "[kgsh:ActorLabel]" in lines[0]
    assert "gkg:agent: a statement has exactly one agent" in lines[1] and "[kgsh:StatementAgent]" in lines[1]
    limited = kg("validate", str(broken), "--max-report", "1")
    assert limited.stdout.strip().splitlines()[-1] == "... and 1 more"


def test_validate_cli_errors_are_one_line(tmp_path):
    for args, message in [((), "output/store: no kg store here"),  # the default store, as everywhere
                          ((str(tmp_path / "none.ttl"),), "no such file"),
                          (("--store", str(tmp_path / "nostore")), "no kg store here"),
                          (("x.ttl", "--store", str(tmp_path)), "give either a GRAPH file or --store DIR, not both")]:
        result = kg("validate", *args, cwd=tmp_path)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1 and message in lines[0], lines
    bad_shapes = tmp_path / "shapes.ttl"
    bad_shapes.write_text("this is not turtle")
    good = tmp_path / "good.ttl"
    sample_graph().serialize(good, format="turtle")
    result = kg("validate", str(good), "--shapes", str(bad_shapes))
    assert result.returncode == 1 and "not valid Turtle" in result.stderr and "Traceback" not in result.stderr


def test_every_graph_kg_build_writes_conforms(tmp_path):
    out = tmp_path / "out"
    args = ["build", str(ROOT / "seeds"), "-o", str(out), "--no-html", "-q"]
    for fmt in FORMATS:
        args += ["-f", fmt]
    built = kg(*args)
    assert built.returncode == 0, built.stderr
    written = sorted(p for p in out.iterdir() if p.is_file())
    assert {p.suffix for p in written} == {ext for ext, _ in FORMATS.values()}
    for path in written:
        result = kg("validate", str(path))
        assert result.returncode == 0, (path, result.stdout, result.stderr)
        assert "conforms to the SHACL shapes" in result.stdout
    result = kg("validate", "--store", str(out / "store"))
    assert result.returncode == 0, result.stdout + result.stderr


def _org_with_parent_keys() -> list[str]:
    from kg.gazetteer import load_gazetteer

    actors = load_gazetteer().actors
    with_country = sorted(k for k, a in actors.items() if a.country and a.country in actors and a.country != k)
    # Every organisation (their countries are states or parent organisations), a few persons and places.
    return ([k for k in with_country if actors[k].kind == "organization"]
            + [k for k in with_country if actors[k].kind == "person"][:3]
            + [k for k in with_country if actors[k].kind == "place"][:3])


def test_the_gazetteer_has_actors_whose_country_it_must_describe():
    keys = _org_with_parent_keys()
    assert "org/eu-kommission" in keys and len(keys) >= 7


@pytest.mark.parametrize("key", _org_with_parent_keys())
def test_an_actor_whose_country_the_text_never_mentions_conforms(key):
    """The agent's country (a state or parent organisation) is described from the gazetteer."""
    from dataclasses import replace

    from kg.gazetteer import load_gazetteer

    actor = load_gazetteer().actors[key]
    result = make_sample_result()
    actors = {k: a for k, a in result.actors.items() if k != actor.country}
    actors[key] = actor
    role = "place" if actor.kind == "place" else "agent"
    statements = [replace(result.statements[0], **{role: key})]
    result = replace(result, actors=actors, statements=statements)
    graph = union_graph(build_dataset([result]))
    country = iris.actor(actor.country)
    assert (iris.actor(key), GEO.country, country) in graph
    assert graph.value(country, RDFS.label) is not None
    assert check(graph) == []


@pytest.mark.slow
def test_von_der_leyen_meets_scholz_conforms(tmp_path):
    (tmp_path / "vdl.txt").write_text("Ursula von der Leyen traf Olaf Scholz in Berlin.\n", encoding="utf-8")
    built = kg("build", str(tmp_path / "vdl.txt"), "-o", str(tmp_path / "out"), "--no-html", "-q")
    assert built.returncode == 0, built.stderr
    result = kg("validate", str(tmp_path / "out" / "graph.ttl"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms to the SHACL shapes" in result.stdout
