"""Standard input and output with `-`, the one default source (GRAPH, else --store, else
output/store) and the query table's width, through the CLI in process."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import make_sample_result

from kg.cli import cli
from kg.rdfio.rdf import document_triples
from kg.rdfio.serialize import serialize
from kg.rdfio.store import GraphStore

MEETS = "PREFIX gkg: <https://w3id.org/geokg/ontology#> SELECT ?a ?b WHERE { ?a gkg:meets ?b } ORDER BY ?a"
LONG = ("PREFIX gkg: <https://w3id.org/geokg/ontology#> "
        "SELECT ?t WHERE { ?e a gkg:Sentence ; gkg:text ?t } ORDER BY DESC(STRLEN(?t)) LIMIT 1")


@pytest.fixture
def workdir(tmp_path, monkeypatch, sample_dataset):
    """A folder with the default store output/store and the sample as graph files."""
    monkeypatch.chdir(tmp_path)
    with GraphStore.open(tmp_path / "output" / "store") as store:
        result = make_sample_result()
        store.put_document(result.doc_id, "h", document_triples(result))
    for fmt, name in [("trig", "graph.trig"), ("turtle", "graph.ttl"), ("nquads", "graph.nq"),
                      ("json-ld", "graph.jsonld")]:
        (tmp_path / name).write_bytes(serialize(sample_dataset, fmt))
    return tmp_path


def kg(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def rows(output: str) -> list[str]:
    return output.strip().splitlines()


@pytest.mark.parametrize("source", ["store", "graph.trig", "stdin:graph.trig", "stdin:graph.ttl",
                                    "stdin:graph.nq", "stdin:graph.jsonld"])
def test_query_from_every_source_gives_the_same_rows(workdir, source):
    if source == "store":
        result = kg("query", MEETS, "--format", "csv")
    elif source.startswith("stdin:"):
        result = kg("query", "-", MEETS, "--format", "csv", input=(workdir / source[6:]).read_bytes())
    else:
        result = kg("query", source, MEETS, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert rows(result.stdout) == ["a,b", "https://w3id.org/geokg/id/person/emmanuel-macron,"
                                   "https://w3id.org/geokg/id/person/olaf-scholz",
                                   "https://w3id.org/geokg/id/person/olaf-scholz,"
                                   "https://w3id.org/geokg/id/person/emmanuel-macron"]


def test_query_text_from_standard_input(workdir):
    result = kg("query", "graph.ttl", "@-", "--format", "json", input=MEETS)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 2
    both = kg("query", "-", "@-", input=MEETS)
    assert both.exit_code == 1 and "not both" in both.stderr


def test_unknown_ontology_terms_get_a_warning(workdir):
    result = kg("query", "SELECT * WHERE { ?a gkg:meetz ?b }")
    assert result.exit_code == 0
    assert rows(result.stderr) == ["kg: warning: not in the kg ontology: gkg:meetz (did you mean gkg:meets?); "
                                   "these match nothing (the terms are in ontology/geo.ttl)"]
    assert "(0 rows)" in result.stdout
    clean = kg("query", MEETS)
    assert clean.stderr == ""


@pytest.mark.parametrize("args, cut", [([], False), (["--width", "0"], False), (["--width", "20"], True)])
def test_the_table_is_not_cut_unless_asked(workdir, args, cut):
    # CliRunner's stdout is not a terminal: no cut by default.
    result = kg("query", LONG, *args)
    assert result.exit_code == 0, result.output
    cell = rows(result.stdout)[2]
    full = make_sample_result().sentences[2].text
    assert (cell == full[:19] + "…") if cut else (cell == full)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "json-ld"])
def test_export_from_standard_input_to_standard_output(workdir, fmt, sample_dataset):
    result = CliRunner().invoke(cli, ["export", "-", "--format", fmt, "-o", "-"],
                                input=(workdir / "graph.trig").read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == serialize(sample_dataset, fmt)
    from_store = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", "-"])
    assert from_store.stdout_bytes == result.stdout_bytes


def test_html_to_standard_output_writes_no_file(workdir):
    result = kg("html", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") or result.stdout.lstrip().lower().startswith("<!doctype html")
    assert "wrote standard output (" in result.stderr
    assert not (workdir / "-").exists()
    from_file = CliRunner().invoke(cli, ["html", "graph.trig", "-o", "page.html", "--title", "t"])
    from_stdin = CliRunner().invoke(cli, ["html", "-", "-o", "-", "--title", "t"],
                                    input=(workdir / "graph.trig").read_bytes())
    assert from_file.exit_code == 0 and from_stdin.exit_code == 0
    assert from_stdin.stdout_bytes == (workdir / "page.html").read_bytes()


@pytest.mark.parametrize("command", ["validate", "stats", "html", "export", "query", "events"])
def test_every_reader_defaults_to_the_store_and_refuses_both(workdir, command):
    extra = {"html": ["-o", "-"], "export": ["--format", "nt", "-o", "-"], "query": ["ASK {}"],
             "events": ["-o", "-"]}.get(command, [])
    default = kg(command, *extra)
    assert default.exit_code == 0, default.output
    both = kg(command, "graph.ttl", "--store", "output/store", *extra)
    assert both.exit_code == 1
    assert rows(both.stderr) == ["kg: error: give either a GRAPH file or --store DIR, not both"]
    (workdir / "output" / "store" / "kg-store.json").unlink()
    (workdir / "output" / "store" / "graph.nq").unlink()
    (workdir / "output" / "store" / ".lock").unlink()
    gone = kg(command, *extra)
    assert gone.exit_code == 1 and "output/store: not a kg store" in gone.stderr, gone.stderr


def test_validate_and_stats_read_standard_input(workdir):
    data = (workdir / "graph.nq").read_bytes()
    validated = kg("validate", "-", input=data)
    assert validated.exit_code == 0 and "standard input: conforms" in validated.stdout
    stats = kg("stats", "-", "--format", "json", input=data)
    assert stats.exit_code == 0 and json.loads(stats.stdout)["statements"] == 3
    bad = kg("validate", "-", input=b"this is no graph")
    assert bad.exit_code == 1 and rows(bad.stderr)[0].startswith("kg: error: standard input: not a graph")


def test_events_read_standard_input_like_a_file(workdir):
    data = (workdir / "graph.nq").read_bytes()
    piped = kg("events", "-", "-o", "-", input=data)
    from_file = kg("events", str(workdir / "graph.nq"), "-o", "-")
    assert piped.exit_code == 0 and from_file.exit_code == 0
    assert piped.stdout == from_file.stdout and len(rows(piped.stdout)) == 1 + 3  # header + 3 statements
    both = kg("events", "-", "--store", str(workdir / "store"), "-o", "-", input=data)
    assert both.exit_code != 0 and "not both" in both.stderr


def test_validate_reads_its_shapes_from_standard_input(workdir):
    strict = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix gkg: <https://w3id.org/geokg/ontology#> .
<urn:x:s> a sh:NodeShape ; sh:targetClass gkg:Statement ;
    sh:property [ sh:path gkg:relation ; sh:hasValue gkg:warns ] .
"""
    checked = kg("validate", "graph.nq", "--shapes", "-", input=strict.encode())
    assert checked.exit_code == 1 and "kg: error: graph.nq: 2 SHACL violations" in checked.stderr  # 3 statements, 1 warns
    both = kg("validate", "-", "--shapes", "-", input=strict.encode())
    assert both.exit_code == 1 and "cannot both be -" in both.stderr
    broken = kg("validate", "graph.nq", "--shapes", "-", input=b"sh:this is not turtle")
    assert broken.exit_code == 1 and rows(broken.stderr)[0].startswith("kg: error: stdin: not valid Turtle")


def test_eval_reads_a_gold_set_from_standard_input(workdir):
    gold = "\n".join(json.dumps(item, ensure_ascii=False) for item in [
        {"id": "a", "text": "Die Außenministerin Annalena Baerbock traf in Ankara den türkischen Präsidenten Erdoğan.",
         "statements": [{"relation": "meets", "agent": "Annalena Baerbock", "target": "Recep Tayyip Erdoğan",
                         "modality": "asserted"}]},
        {"id": "b", "text": "Das Wetter war schön.", "statements": []},
    ])
    (workdir / "gold.jsonl").write_text(gold + "\n", encoding="utf-8")
    piped = kg("eval", "-", "--json", input=gold.encode())
    from_file = kg("eval", "gold.jsonl", "--json")
    assert piped.exit_code == 0 and from_file.exit_code == 0, piped.output
    assert json.loads(piped.stdout)["-"] == json.loads(from_file.stdout)["gold.jsonl"]
    twice = kg("eval", "-", "-", input=gold.encode())
    assert twice.exit_code != 0 and "once" in twice.stderr
    bad = kg("eval", "-", input=b'{"id": 1}\n')
    assert bad.exit_code != 0 and "stdin:1: not a gold item" in bad.stderr
