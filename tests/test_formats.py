"""Every output format loads with no errors and the same statements in rdflib, Oxigraph,
Raptor (rapper) and Serd (serdi) — on the sample, a hostile document and the seed build.

Raptor 2 and Serd have no JSON-LD parser, so JSON-LD is checked with rdflib and Oxigraph
(two independent JSON-LD implementations) only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import make_sample_result
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from servers import LONG_NAME, ROOT, make_hostile_result, need_binary

from kg.errors import KgError
from kg.rdfio.rdf import build_dataset
from kg.rdfio.serialize import FORMATS, format_for, jsonld_context, ox_quad, serialize
from kg.rdfio.source import open_graph_file
from kg.rdfio.store import GraphStore

OX_FORMAT = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
             "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD}
RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "nquads": "nquads", "trig": "trig", "json-ld": "json-ld"}
RAPPER_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "nquads": "nquads", "trig": "trig"}
SERDI_SYNTAX = {"turtle": "turtle", "nt": "ntriples", "nquads": "nquads", "trig": "trig"}
BASE = "http://base.invalid/"


def key(quad: ox.Quad, with_graph: bool) -> tuple[str, ...]:
    triple = (str(quad.subject), str(quad.predicate), str(quad.object))
    if not with_graph:
        return triple
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
    return (*triple, graph)


def expected(ds: Dataset, fmt: str) -> set[tuple[str, ...]]:
    """The statements of `ds` as Oxigraph stores them: numbers by value ("0.80" -> "0.8")."""
    store = ox.Store()
    store.extend(ox_quad(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None)))
    return {key(q, FORMATS[fmt][1]) for q in store}


def parsed_by_oxigraph(data: bytes, fmt: str, syntax=None) -> set[tuple[str, ...]]:
    return {key(q, FORMATS[fmt][1]) for q in ox.parse(data, syntax or OX_FORMAT[fmt], base_iri=BASE)}


def parsed_by_rdflib(data: bytes, fmt: str) -> set[tuple[str, ...]]:
    ds = Dataset()
    ds.parse(data=data, format=RDFLIB_FORMAT[fmt], publicID=BASE)
    quads = list(ds.quads((None, None, None, None)))
    assert not any(isinstance(t, BNode) for q in quads for t in q[:3]), "blank nodes appeared"
    found = {key(ox_quad(s, p, o, g), FORMATS[fmt][1]) for s, p, o, g in quads}
    assert len(found) == len(quads)  # no duplicates hiding a difference
    return found


def run_tool(args: list[str]) -> bytes:
    result = subprocess.run(args, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    # Zero errors and zero warnings: the tools report both on stderr.
    assert result.stderr.decode(errors="replace").strip() == "", result.stderr.decode(errors="replace")
    return result.stdout


def parsed_by_rapper(path: Path, fmt: str) -> set[tuple[str, ...]]:
    rapper = need_binary("rapper", "raptor2-utils")
    out = run_tool([rapper, "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "nquads", str(path), BASE])
    return parsed_by_oxigraph(out, fmt, ox.RdfFormat.N_QUADS)


def parsed_by_serdi(path: Path, fmt: str) -> set[tuple[str, ...]]:
    serdi = need_binary("serdi", "serdi")
    out = run_tool([serdi, "-q", "-i", SERDI_SYNTAX[fmt], "-o", "nquads", str(path), BASE])
    return parsed_by_oxigraph(out, fmt, ox.RdfFormat.N_QUADS)


def count_by_rapper(path: Path, fmt: str) -> int:
    rapper = need_binary("rapper", "raptor2-utils")
    result = subprocess.run([rapper, "-i", RAPPER_SYNTAX[fmt], "-c", str(path), BASE], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower() and "warning" not in result.stderr.lower(), result.stderr
    return int(result.stderr.strip().splitlines()[-1].split("returned")[1].split()[0])


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    """`kg build seeds/` with every format, as a user runs it."""
    out = tmp_path_factory.mktemp("seed-build")
    args = [sys.executable, "-m", "kg", "build", str(ROOT / "seeds"), "-o", str(out), "--no-html", "-q"]
    for fmt in ("turtle", "nt", "nquads", "trig", "json-ld"):
        args += ["-f", fmt]
    result = subprocess.run(args, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    return out


def make_read_result():
    """The sample as kg.sources would read it from text full of noncharacters and controls, with metadata."""
    import dataclasses

    from kg.records import DocumentMeta
    from kg.sources.text import clean_text, clean_value

    dirty = ("".join(chr(c) for c in range(0xFDD0, 0xFDF0)) + "".join(map(chr, range(0x20))) + "\x7f\x85\x9f"
             + "".join(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF)))
    base = make_sample_result()
    sentences = [dataclasses.replace(s, text=clean_text(s.text + dirty)) for s in base.sentences]
    meta = DocumentMeta(clean_value("Titel \"<x>\" " + dirty), "2025-02-13", "https://beispiel.de/ärger?x=1&y=%22",
                        clean_value("Quelle " + dirty))
    return dataclasses.replace(base, sentences=sentences, meta=meta)


def dataset_for(name: str, seed_build_dir: Path | None):
    if name == "read":
        return build_dataset([make_read_result()])
    if name == "sample":
        return build_dataset([make_sample_result()])
    if name == "hostile":
        return build_dataset([make_hostile_result(), make_sample_result()])
    return GraphStore.open(seed_build_dir / "store", read_only=True).to_dataset()


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("graph", ["sample", "hostile", "read", "seed"])
def test_every_format_loads_identically_everywhere(graph, fmt, tmp_path, request):
    seed_dir = request.getfixturevalue("seed_build") if graph == "seed" else None
    ds = dataset_for(graph, seed_dir)
    want = expected(ds, fmt)
    assert want
    data = serialize(ds, fmt)
    path = tmp_path / f"graph{FORMATS[fmt][0]}"
    path.write_bytes(data)
    assert parsed_by_oxigraph(data, fmt) == want
    assert parsed_by_rdflib(data, fmt) == want
    if fmt in RAPPER_SYNTAX:
        assert parsed_by_rapper(path, fmt) == want
        assert count_by_rapper(path, fmt) == len(want)
        assert parsed_by_serdi(path, fmt) == want
    # And back through kg's own reader.
    assert {key(ox_quad(s, p, o, g), FORMATS[fmt][1])
            for s, p, o, g in open_graph_file(path).quads((None, None, None, None))} == want


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_files_written_by_kg_build_load_everywhere(seed_build, fmt):
    path = seed_build / f"graph{FORMATS[fmt][0]}"
    ds = GraphStore.open(seed_build / "store", read_only=True).to_dataset()
    want = expected(ds, fmt)
    data = path.read_bytes()
    assert data == serialize(ds, fmt)
    assert parsed_by_oxigraph(data, fmt) == want
    assert parsed_by_rdflib(data, fmt) == want
    if fmt in RAPPER_SYNTAX:
        assert parsed_by_rapper(path, fmt) == want
        assert parsed_by_serdi(path, fmt) == want


def test_hostile_values_survive_exactly():
    ds = build_dataset([make_hostile_result()])
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    labels = {str(o) for _, _, o, _ in ds.quads((None, label, None, None))}
    assert LONG_NAME in labels and "محمد بن سلمان" in labels
    for fmt in FORMATS:
        back = Dataset()
        back.parse(data=serialize(ds, fmt), format=RDFLIB_FORMAT[fmt])
        texts = {str(o) for *_, o, _ in back.quads((None, None, None, None)) if isinstance(o, Literal)}
        assert "Zeile1\nZeile2\r\nZeile3\tTab\u2028LS\u0085NEL" in texts, fmt
        assert "<script>alert(\"kg\")</script>" in texts, fmt
        assert "Präsident 🇺🇦 Selenskyj 😀" in texts, fmt
        assert LONG_NAME in texts, fmt


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_output_is_deterministic_and_order_independent(fmt):
    one = build_dataset([make_sample_result(), make_hostile_result()])
    two = build_dataset([make_hostile_result(), make_sample_result()])
    assert serialize(one, fmt) == serialize(one, fmt) == serialize(two, fmt)


def test_line_formats_split_only_at_real_line_ends():
    # U+2028 and U+0085 count as line breaks for str.splitlines; they must stay inside literals.
    data = serialize(build_dataset([make_hostile_result()]), "nquads")
    lines = data.split(b"\n")
    assert lines[-1] == b"" and all(line.endswith(b" .") for line in lines[:-1])
    assert lines[:-1] == sorted(lines[:-1])


def test_jsonld_uses_the_published_context():
    published = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    document = json.loads(serialize(build_dataset([make_sample_result()]), "json-ld"))
    assert document["@context"] == published["@context"] == jsonld_context()
    (graph,) = document["@graph"]
    assert graph["@id"] == "geokg:doc/sample"
    statement = next(n for n in graph["@graph"] if n.get("@type") == "Statement" and n["relation"] == "gkg:warns")
    assert statement["agent"] == "geokg:person/jan-novak"
    assert statement["modality"] == "gkg:Asserted"
    assert statement["confidence"] == "0.85" and statement["beginIndex"].isdigit()
    doc = next(n for n in graph["@graph"] if n["@id"] == "geokg:doc/sample")
    assert doc["label"] == {"@value": "sample"}  # a plain string, not German-tagged like actor labels


def test_triples_outside_named_graphs_and_json_ld_iri_corner_cases():
    graph = Graph()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), URIRef("geokg://looks/absolute")))
    graph.add((URIRef("https://w3id.org/geokg/id//double"), URIRef("https://example.org/p"), Literal("x")))
    data = serialize(graph, "json-ld")
    assert parsed_by_oxigraph(data, "json-ld") == parsed_by_rdflib(data, "json-ld") == {
        key(ox_quad(s, p, o, None), True) for s, p, o in graph}
    assert b'"geokg://looks/absolute"' in data and b'"geokg:/double"' in data
    graph.add((URIRef("gkg:13,52"), URIRef("https://example.org/p"), Literal("y")))
    with pytest.raises(KgError, match="scheme is a term"):
        serialize(graph, "json-ld")


def test_blank_nodes_are_refused():
    graph = Graph()
    graph.add((BNode(), URIRef("https://example.org/p"), Literal("x")))
    for fmt in FORMATS:
        with pytest.raises(KgError, match="blank node"):
            serialize(graph, fmt)


def test_format_names_and_extensions():
    assert format_for("x.ttl") == "turtle" and format_for("x.NQ") == "nquads"
    assert format_for("x.jsonld") == "json-ld" and format_for("x", "JSONLD") == "json-ld"
    with pytest.raises(KgError, match="unknown format"):
        format_for("x.ttl", "rdfxml")
    with pytest.raises(KgError, match="cannot tell the RDF format"):
        format_for("graph.txt")


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, timeout=120)


def test_export_cli(tmp_path):
    store = tmp_path / "store"
    with GraphStore.open(store) as graph_store:
        from kg.rdfio.rdf import document_triples

        for result in (make_sample_result(), make_hostile_result()):
            graph_store.put_document(result.doc_id, "h", document_triples(result))
    ds = GraphStore.open(store, read_only=True).to_dataset()
    for fmt, (ext, _) in FORMATS.items():
        target = tmp_path / "out" / f"graph{ext}"
        result = kg("export", "--store", str(store), "-o", str(target))
        assert result.returncode == 0, result.stderr
        assert target.read_bytes() == serialize(ds, fmt)
        # Converting a file gives the same bytes as exporting the store.
        again = tmp_path / "again" / f"graph{ext}"
        assert kg("export", str(target), "-o", str(again)).returncode == 0
        if FORMATS[fmt][1]:
            assert again.read_bytes() == target.read_bytes()
    piped = kg("export", "--store", str(store), "--format", "nq", "-o", "-")
    assert piped.returncode == 0 and piped.stdout == serialize(ds, "nquads")
    for args, message in [
        (["--store", str(tmp_path / "nope"), "-o", str(tmp_path / "x.ttl")], "no kg store here"),
        (["--store", str(store), "-o", str(tmp_path / "x.txt")], "cannot tell the RDF format"),
        (["--store", str(store), "-o", "-"], "needs --format"),
        ([str(tmp_path / "missing.ttl"), "-o", str(tmp_path / "x.ttl")], "no such file"),
    ]:
        result = kg("export", *args)
        lines = result.stderr.decode().strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("kg: error:"), lines
        assert message in lines[0]
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    result = kg("export", str(broken), "-o", str(tmp_path / "y.nt"))
    assert result.returncode == 1 and b"not valid" in result.stderr and b"Traceback" not in result.stderr
    assert not (tmp_path / "y.nt").exists()
