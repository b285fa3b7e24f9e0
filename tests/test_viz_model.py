"""The page model read from RDF, the generated HTML (without a browser) and `kg html`."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import KgError
from kg.rdfio.source import open_graph_file as load_dataset
from kg.rdfio.namespace import GEO
from kg.rdfio.rdf import build_dataset, union_graph
from kg.records import Actor, DocumentResult, Sentence, Statement
from kg.viz import VizActor, VizDocument, VizModel, VizStatement, graph_model, render_html, write_html

ID = "https://w3id.org/geokg/id/"


def json_block(html: str, block: str):
    match = re.search(rf'<script type="application/json" id="kg-{block}">(.*?)</script>', html, re.S)
    assert match, block
    return json.loads(match.group(1))


def hostile_result() -> DocumentResult:
    evil_person = '<img src=x onerror="window.__kgPwned=2">'
    evil_org = "<script>window.__kgPwned=1</script>"
    sentence = 'Er traf sie. </script><script>window.__kgPwned=3</script> \u2028 & <b onmouseover=alert(1)>x</b>'
    actors = {
        "person/evil": Actor("person/evil", "person", evil_person, ("<i>alias</i>",)),
        "org/evil": Actor("org/evil", "organization", evil_org, org_type="international"),
    }
    sentences = [Sentence(1, 0, len(sentence), sentence)]
    statements = [Statement("meets", "person/evil", "org/evil", "asserted", 0.9, "evil", 1, 0, 12, "traf")]
    return DocumentResult("evil", "<svg onload=window.__kgPwned=4>.txt", sentence, sentences, actors, [], statements)


def test_model_reads_actors_and_statements(sample_dataset):
    model = graph_model(sample_dataset)
    # Only agents and targets are actors of the page; countries and places are attributes.
    assert [a.key for a in model.actors] == [
        "person/emmanuel-macron", "person/jan-novak", "person/olaf-scholz", "state/ru", "state/ua"]
    scholz = next(a for a in model.actors if a.key == "person/olaf-scholz")
    assert (scholz.label, scholz.kind, scholz.cls) == ("Olaf Scholz", "person", "Person")
    assert (scholz.wikidata, scholz.role, scholz.country, scholz.aliases) == (
        "Q61053", "Bundeskanzler", "Deutschland", ("Scholz",))
    assert [(s.relation, s.modality, s.agent, s.target) for s in model.statements] == [
        ("meets", "asserted", "person/olaf-scholz", "person/emmanuel-macron"),
        ("meets", "negated", "state/ru", "state/ua"),
        ("warns", "asserted", "person/jan-novak", None),
    ]
    first = model.statements[0]
    assert first.evidence == ("Scholz traf Macron in Paris.",)
    assert (first.document, first.place, first.trigger, first.confidence) == ("sample", "Paris", "traf", 0.9)
    assert [(d.key, d.label, d.path) for d in model.documents] == [("sample", "sample", "sample.txt")]


def test_model_is_the_same_from_dataset_union_and_files(sample_dataset, tmp_path):
    expected = graph_model(sample_dataset)
    trig = tmp_path / "g.trig"
    sample_dataset.serialize(trig, format="trig")
    nt = tmp_path / "g.nt"
    union_graph(sample_dataset).serialize(nt, format="nt")
    assert graph_model(union_graph(sample_dataset)) == expected
    assert graph_model(load_dataset(trig)) == expected
    assert graph_model(load_dataset(nt)) == expected


def test_model_tolerates_foreign_and_incomplete_statements():
    g = Graph()
    foreign = URIRef("http://example.org/people/Someone")
    ok = URIRef(ID + "statement/x/1")
    g.add((ok, RDF.type, GEO.Statement))
    g.add((ok, GEO.relation, GEO.supports))
    g.add((ok, GEO.agent, foreign))
    g.add((ok, GEO.target, URIRef(ID + "state/ua")))
    g.add((URIRef(ID + "state/ua"), RDF.type, GEO.State))
    g.add((URIRef(ID + "state/ua"), RDFS.label, Literal("Ukraine", lang="de")))
    g.add((URIRef(ID + "state/ua"), RDFS.label, Literal("Ukraine (en)", lang="en")))
    no_agent = URIRef(ID + "statement/x/2")
    g.add((no_agent, RDF.type, GEO.Statement))
    g.add((no_agent, GEO.relation, GEO.meets))
    model = graph_model(g)
    assert len(model.statements) == 1
    st = model.statements[0]
    assert (st.modality, st.agent, st.target, st.document, st.evidence) == (
        "asserted", str(foreign), "state/ua", None, ())
    actors = {a.key: a for a in model.actors}
    assert (actors[str(foreign)].kind, actors[str(foreign)].label) == ("actor", "Someone")
    assert actors["state/ua"].label == "Ukraine"
    render_html(model)  # an untyped actor and a statement without document still render


def test_same_graph_gives_byte_identical_html(sample_dataset, tmp_path):
    first = render_html(graph_model(sample_dataset), title="t")
    again = render_html(graph_model(sample_dataset), title="t")
    path = tmp_path / "g.trig"
    sample_dataset.serialize(path, format="trig")
    reparsed = render_html(graph_model(load_dataset(path)), title="t")
    assert first == again == reparsed


def test_page_is_self_contained(sample_dataset):
    html = render_html(graph_model(sample_dataset))
    assert not re.search(r"<(?:script|link|img|iframe|object|embed)\b[^>]*\b(?:src|href)\s*=", html, re.I)
    assert "cdn." not in html and "bootstrap" not in html.lower()
    assert "vis-network" in html and "DataView" in html  # the pyvis-bundled library, inlined
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    csp = csp.replace("&#39;", "'")
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    # Every executable inline script is allowed by its hash, and only those.
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert csp.count("sha256-") == 2


def test_document_text_is_escaped_in_the_html():
    model = graph_model(build_dataset([hostile_result()]))
    html = render_html(model, title='<script>window.__kgPwned=5</script>')
    for raw in ("<img src=x", "<script>window", "<svg onload", "<b onmouseover", "<i>alias", "\u2028"):
        assert raw not in html
    # Only the page's own script elements end with </script>.
    assert html.count("</script>") == 6
    assert "&lt;script&gt;window.__kgPwned=5&lt;/script&gt;" in html  # title, as text
    payload = json_block(html, "payload")
    labels = sorted(a["label"] for a in payload["actors"])
    assert labels == ['<img src=x onerror="window.__kgPwned=2">', "<script>window.__kgPwned=1</script>"]
    assert payload["sentences"][0].startswith("Er traf sie. </script><script>")


def test_payload_edges_follow_statements(sample_dataset):
    html = render_html(graph_model(sample_dataset))
    nodes, edges, payload = json_block(html, "nodes"), json_block(html, "edges"), json_block(html, "payload")
    assert len(nodes) == 5 and len(edges) == 2  # Novak's statement has no target: panel only
    by_mod = {e["mod"]: e for e in edges}
    meets = by_mod["asserted"]
    assert {meets["from"], meets["to"]} == {"person/olaf-scholz", "person/emmanuel-macron"}
    assert "arrows" not in meets and meets["dashes"] is False  # meets is undirected
    assert by_mod["negated"]["dashes"] and by_mod["negated"]["color"]["opacity"] < 1
    shown = {m["id"]: m["shown"] for m in payload["modalities"]}
    assert shown == {"asserted": True, "planned": True, "possible": True, "negated": False}
    warns = [s for s in payload["statements"] if s["r"] == "warns"]
    assert len(warns) == 1 and "t" not in warns[0]
    assert payload["sentences"][warns[0]["s"][0]] == "Der Minister Jan Novak warnte, dass die Lage kippen könnte."


def _model(pairs, n_extra=0) -> VizModel:
    keys = sorted({k for a, b, *_ in pairs for k in (a, b)} | {f"person/x{i}" for i in range(n_extra)})
    actors = tuple(VizActor(k, ID + k, k.split("/")[1].upper(), "person", "Person") for k in keys)
    statements = tuple(VizStatement(f"{ID}statement/d/{i}", rel, mod, a, b, "d", (f"Satz {i}.",))
                       for i, (a, b, rel, mod) in enumerate(pairs))
    return VizModel(actors, statements, (VizDocument("d", ID + "doc/d", "d"),))


def test_parallel_edges_are_curved_apart():
    a, b = "person/a", "person/b"
    model = _model([(a, b, "meets", "asserted"), (a, b, "warns", "asserted"), (b, a, "warns", "asserted"),
                    (a, b, "supports", "planned"), (a, b, "meets", "asserted")])
    edges = json_block(render_html(model), "edges")
    assert len(edges) == 4  # the two identical meets statements share one edge
    shared = next(e for e in edges if e["rel"] == "meets")
    assert len(shared["st"]) == 2 and shared["width"] > 1.5
    curves = [(e.get("smooth") or {}).get("type", "straight") + str((e.get("smooth") or {}).get("roundness"))
              for e in edges]
    # Drawn from one direction, every edge between the pair takes its own path.
    canonical = []
    for e in edges:
        smooth = e.get("smooth")
        if not smooth:
            canonical.append(0.0)
            continue
        sign = 1 if smooth["type"] == "curvedCW" else -1
        if e["from"] > e["to"]:
            sign = -sign
        canonical.append(sign * smooth["roundness"])
    assert len(set(canonical)) == 4, curves


def test_large_graph_opens_on_most_connected_actors():
    hub = "person/hub"
    pairs = [(hub, f"person/s{i:03d}", "meets", "asserted") for i in range(40)]
    pairs += [("person/s000", "person/s001", "warns", "asserted")]
    model = _model(pairs, n_extra=20)
    html = render_html(model, max_nodes=10)
    payload, nodes = json_block(html, "payload"), json_block(html, "nodes")
    assert payload["initial"] == 10 and payload["physics"] is True
    first = [payload["actors"][i]["id"] for i in payload["order"][:3]]
    assert first == [hub, "person/s000", "person/s001"]
    placed = {n["id"] for n in nodes if "x" in n}
    assert placed == {payload["actors"][i]["id"] for i in payload["order"][:10]}
    # Above the physics limit "auto" draws without force layout.
    big = _model([(f"person/p{i:03d}", f"person/q{i:03d}", "meets", "asserted") for i in range(300)])
    assert json_block(render_html(big, max_nodes=600), "payload")["physics"] is False
    assert json_block(render_html(big, max_nodes=600, physics="on"), "payload")["physics"] is True
    assert json_block(render_html(model, physics="off"), "options")["physics"]["enabled"] is False


@pytest.mark.parametrize("options", [{"physics": "fast"}, {"max_nodes": 0}, {"max_nodes": "300"}])
def test_render_rejects_bad_options(sample_dataset, options):
    with pytest.raises(KgError):
        render_html(graph_model(sample_dataset), **options)


def test_write_html_is_atomic(sample_dataset, tmp_path):
    out = write_html(sample_dataset, tmp_path / "sub" / "graph.html", title="x")
    assert out == tmp_path / "sub" / "graph.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.html"]
    with pytest.raises(KgError):
        write_html(sample_dataset, tmp_path)


def run_kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_kg_html_command(sample_dataset, tmp_path):
    graph = tmp_path / "graph.trig"
    sample_dataset.serialize(graph, format="trig")
    out = tmp_path / "page.html"
    done = run_kg("html", str(graph), "-o", str(out), "--max-nodes", "3", "--physics", "off", "--title", "Probe",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "<title>Probe</title>" in html
    payload = json_block(html, "payload")
    assert payload["initial"] == 3 and payload["physics"] is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.trig", "page.html"]  # no lib/ folder


@pytest.mark.parametrize("args, message", [
    (["missing.ttl"], "missing.ttl: no such file"),
    (["notes.txt"], "unknown graph file type"),
    (["empty.ttl"], "empty graph file"),
    (["onto.ttl"], "no gkg:Statement"),
    ([], "output/store: no kg store here"),  # no GRAPH: the default store, as for every command
    (["graph.trig", "--store", "store"], "give either a GRAPH file or --store DIR, not both"),
])
def test_kg_html_errors_are_one_line(sample_dataset, tmp_path, args, message):
    sample_dataset.serialize(tmp_path / "graph.trig", format="trig")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "empty.ttl").write_text("")
    (tmp_path / "onto.ttl").write_text("@prefix gkg: <https://w3id.org/geokg/ontology#> . gkg:meets a gkg:X .\n")
    done = run_kg("html", *args, "-o", str(tmp_path / "out.html"), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and message in lines[0], done.stderr
    assert not (tmp_path / "out.html").exists()


def test_kg_html_from_store_matches_graph_file(sample_result, sample_dataset, tmp_path):
    store_module = pytest.importorskip("kg.rdfio.store", reason="kg.rdfio.store not in this checkout")
    from kg.rdfio.rdf import document_triples

    with store_module.GraphStore.open(tmp_path / "store") as store:
        store.put_document(sample_result.doc_id, "hash", document_triples(sample_result))
    graph = tmp_path / "graph.trig"
    sample_dataset.serialize(graph, format="trig")
    from_store = run_kg("html", "--store", str(tmp_path / "store"), "-o", str(tmp_path / "a.html"), "--title", "t")
    from_file = run_kg("html", str(graph), "-o", str(tmp_path / "b.html"), "--title", "t")
    assert from_store.returncode == 0 and from_file.returncode == 0, from_store.stderr + from_file.stderr
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_kg("html", "--store", str(empty), "-o", str(tmp_path / "c.html"))
    assert done.returncode == 1 and "not a kg store" in done.stderr
    assert list(empty.iterdir()) == []  # reading never creates a store
