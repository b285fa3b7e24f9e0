"""`kg build` / `kg query` end to end on the seed article, and the CLI's error handling."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def run_kg(*args, cwd=None):
    """The real console entry point in a subprocess: what a user sees."""
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={"KG_CACHE_DIR": "", "PATH": "/usr/bin:/bin"}, timeout=300)


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    result = run_kg("build", SEEDS, "-o", out)
    assert result.returncode == 0, result.stderr
    return out, result


def query(graph, sparql, *extra):
    result = CliRunner().invoke(cli, ["query", str(graph), sparql, "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def test_build_writes_files_and_summary(seed_out):
    out, result = seed_out
    for name in ("graph.ttl", "graph.trig", "graph.html"):
        assert (out / name).stat().st_size > 0
    assert "documents: 1 (1 processed, 0 unchanged)" in result.stdout
    assert "meets" in result.stdout and "statements:" in result.stdout
    assert "Traceback" not in result.stderr


def test_seed_who_meets_whom(seed_out):
    out, _ = seed_out
    rows = query(out / "graph.ttl", """
        SELECT DISTINCT ?a ?b WHERE { ?x gkg:meets ?y . ?x rdfs:label ?a . ?y rdfs:label ?b }""")
    assert {(r["a"], r["b"]) for r in rows} == {("Donald Trump", "Wladimir Putin"), ("Wladimir Putin", "Donald Trump")}


def test_seed_planned_meeting_in_saudi_arabia(seed_out):
    out, _ = seed_out
    rows = query(out / "graph.ttl", """
        SELECT ?place WHERE { ?s gkg:relation gkg:meets ; gkg:modality gkg:Planned ; gkg:place/rdfs:label ?place }""")
    assert [r["place"] for r in rows] == ["Saudi-Arabien"]


def test_seed_who_supports_whom_with_modality(seed_out):
    out, _ = seed_out
    result = CliRunner().invoke(cli, ["query", str(out / "graph.ttl"), f"@{ROOT}/questions/who-supports-whom.rq",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("supporter,supported,modality")
    pairs = {tuple(line.split(",")[:3]) for line in lines[1:]}
    assert ("Vereinigte Staaten", "Ukraine", "Planned") in pairs
    assert ("China", "Russland", "Possible") in pairs


def test_seed_budanow_warning_with_sentence(seed_out):
    out, _ = seed_out
    rows = query(out / "graph.trig", f"@{ROOT}/questions/warnings.rq", "--bind", 'who="Kyrylo Budanow"@de')
    assert len(rows) == 1
    assert rows[0]["sentence"].startswith("Der ukrainische Geheimdienstdirektor Kyrylo Budanow warnte")
    assert "target" not in rows[0]


def test_seed_graph_has_no_negated_direct_edges_and_no_blank_nodes(seed_out):
    out, _ = seed_out
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "_:" not in text and "[" not in text.replace('"[', "")
    rows = query(out / "graph.ttl", """
        SELECT ?a ?b WHERE { ?s gkg:modality gkg:Negated ; gkg:relation ?r ; gkg:agent ?a ; gkg:target ?b .
                             ?a ?r ?b }""")
    assert rows == []


def test_rebuild_is_byte_identical_and_incremental(seed_out, tmp_path):
    out, _ = seed_out
    again = run_kg("build", SEEDS, "-o", tmp_path)
    assert again.returncode == 0, again.stderr
    for name in ("graph.ttl", "graph.trig", "graph.html"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    third = run_kg("build", SEEDS, "-o", tmp_path)
    assert "(0 processed, 1 unchanged)" in third.stdout


def test_adding_a_document_merges_actors_and_keeps_the_first(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Scholz traf Macron in Paris.", encoding="utf-8")
    out = tmp_path / "out"
    assert run_kg("build", docs, "-o", out).returncode == 0
    (docs / "b.txt").write_text("Macron warnte Russland vor einer Eskalation.", encoding="utf-8")
    second = run_kg("build", docs, "-o", out)
    assert "(1 processed, 1 unchanged)" in second.stdout
    rows = query(out / "graph.trig", """
        SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m rdfs:label "Emmanuel Macron"@de }""")
    assert rows[0]["n"] == "1"
    graphs = query(out / "graph.trig", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a gkg:Statement } }")
    assert {r["g"].rsplit("/", 1)[1] for r in graphs} == {"a", "b"}


BAD_INPUTS = {
    "missing": (None, "no such file or folder"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    "latin1": ("Grüße aus Köln".encode("latin-1"), "not valid UTF-8"),
    "empty": (b"  \n", "empty document"),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_gives_one_line_and_keeps_earlier_output(kind, tmp_path, seed_out):
    out, _ = seed_out
    work = tmp_path / "out"
    shutil.copytree(out, work)
    before = {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()}
    data, message = BAD_INPUTS[kind]
    path = tmp_path / f"{kind}.txt"
    if data is not None:
        path.write_bytes(data)
    result = run_kg("build", path, "-o", work)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("kg: error: ")
    assert message in result.stderr and "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("args,message", [
    (["query", "nope.ttl", "SELECT * {}"], "no such file"),
    (["query", "{graph}", "SELECT ?x WHERE { ?x gkg:meets }"], "invalid SPARQL"),
    (["query", "{graph}", "@nope.rq"], "no such query file"),
    (["query", "{graph}", "SELECT ?a WHERE { ?a ?p ?o }", "--bind", "a"], "bad --bind"),
    (["eval", "nope.jsonl"], "no such gold file"),
])
def test_cli_errors_are_one_line(args, message, seed_out, tmp_path):
    out, _ = seed_out
    args = [a.replace("{graph}", str(out / "graph.ttl")) for a in args]
    result = run_kg(*args, cwd=tmp_path)
    assert result.returncode == 1, result
    assert result.stderr.startswith("kg: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_every_command_has_complete_help():
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 40, f"kg {name} has no real description"
        assert name in top.output
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        for param in command.params:
            if isinstance(param, type(command.params[0])) and getattr(param, "help", None) is None \
                    and param.param_type_name == "option" and param.name != "help":
                pytest.fail(f"kg {name}: option {param.name} has no help text")
    assert {"build", "query", "eval"} <= set(cli.commands)


HOSTILE = {
    "a.txt": 'Der Präsident <script>alert(1)</script> Müller traf Scholz. "Zitat \\ mit \\n Backslash" 🎉 '
             "מלחמה ושלום. Außenminister Jean \"Bob\" O'Neil warnte Russland.",
    "b.md": "# Titel\n\n* Liste: Scholz traf Macron\n\n" + "Sehr langer Satz " * 2000 + ".",
    "c.txt": "\t\r\n Scholz\u00a0traf\u200bMacron.\r\nhttp://evil.example/<x> warnte Russland. "
             "Präsident https://example.org/a> Kim traf Putin.",
    "d.txt": "Ministerin " + "A" * 300 + " " + "B" * 300 + " warnte Russland.",
}


def test_hostile_documents_build_and_every_file_parses(tmp_path):
    from rdflib import Dataset, Graph

    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in HOSTILE.items():
        (docs / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_kg("build", docs, "-o", out, "-f", "turtle", "-f", "trig", "-f", "nt", "-f", "nquads")
    assert result.returncode == 0, result.stderr
    n = len(Graph().parse(out / "graph.ttl"))
    assert n > 0
    assert len(Graph().parse(out / "graph.nt")) == n
    ds = Dataset()
    ds.parse(out / "graph.trig")
    assert len(set((s, p, o) for s, p, o, _ in ds.quads())) == n
    if shutil.which("rapper"):
        for name, syntax in (("graph.ttl", "turtle"), ("graph.trig", "trig"), ("graph.nt", "ntriples")):
            check = subprocess.run(["rapper", "-i", syntax, "-c", str(out / name)], capture_output=True, text=True)
            assert check.returncode == 0 and "error" not in check.stderr.lower(), check.stderr
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html


def test_decomposed_umlauts_are_normalised(tmp_path):
    from kg.fileio import read_text

    path = tmp_path / "nfd.txt"
    path.write_text("Scho\u0308ne Gru\u0308\u00dfe aus Mu\u0308nchen.", encoding="utf-8")
    assert read_text(path) == "Schöne Grüße aus München."
