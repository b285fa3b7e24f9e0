"""`kg query --timeout/--memory`: a runaway query ends the process with one line, not a hang
or an out-of-memory kill (Oxigraph cannot stop a running query)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import make_sample_result

from kg.rdfio.rdf import build_dataset
from kg.rdfio.serialize import serialize

pytestmark = pytest.mark.slow  # subprocesses: the bound ends the whole process

# A cross product sorted on every variable: Oxigraph materialises all of it before the
# first row, growing by ~100 MB/s and computing for hours on the sample.
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?c ?d ?f ?g ?i"


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    path = tmp_path_factory.mktemp("bounds") / "graph.trig"
    path.write_bytes(serialize(build_dataset([make_sample_result()]), "trig"))
    return path


def kg_query(*args: str):
    return subprocess.run([sys.executable, "-m", "kg", "query", *args], capture_output=True, text=True,
                          timeout=120)


def test_a_query_past_its_memory_ends_with_one_line(graph):
    result = kg_query(str(graph), RUNAWAY, "--memory", "200", "--timeout", "100")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "kg: error: the query needed more than 200 MB (--memory); narrow it or add LIMIT")


def test_a_query_past_its_time_ends_with_one_line(graph):
    result = kg_query(str(graph), RUNAWAY, "--timeout", "1", "--memory", "0")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "kg: error: the query ran longer than 1 s (--timeout); narrow it or add LIMIT")


def test_a_query_within_its_bounds_is_answered(graph):
    result = kg_query(str(graph), "ASK { ?s ?p ?o }", "--timeout", "30", "--memory", "100")
    assert result.returncode == 0 and result.stdout.strip() == "true", result.stderr
