"""The interactive page in a real browser: Debian's Chromium driven by Playwright, loaded from file://."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from browser import chromium_context, chromium_missing_reason, open_page
from kg.rdfio.rdf import build_dataset
from kg.records import Actor, DocumentMeta, DocumentResult, Sentence, Statement
from kg.viz import VizActor, VizDocument, VizModel, VizStatement, graph_model, graph_stats, render_html, write_html
from test_viz_model import hostile_result

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

ACTORS = [
    Actor("person/olaf-scholz", "person", "Olaf Scholz", ("Scholz",), "Q61053", "Bundeskanzler", "state/de"),
    Actor("person/emmanuel-macron", "person", "Emmanuel Macron", ("Macron",), "Q3052772", "Präsident", "state/fr"),
    Actor("person/wolodymyr-selenskyj", "person", "Wolodymyr Selenskyj", ("Selenskyj",), "Q3881", "Präsident"),
    Actor("person/jan-novak", "person", "Jan Novak", (), None, "Minister"),
    Actor("state/de", "state", "Deutschland", (), "Q183", iso2="de"),
    Actor("state/fr", "state", "Frankreich", (), "Q142", iso2="fr"),
    Actor("state/ua", "state", "Ukraine", (), "Q212", iso2="ua"),
    Actor("state/ru", "state", "Russland", (), "Q159", iso2="ru"),
    Actor("org/nato", "organization", "NATO", (), "Q7184", org_type="international"),
]
# (sentence, relation, agent, target, modality) per document
DOCS = {
    "gipfel": [
        ("Scholz traf Macron in Paris.", "meets", "person/olaf-scholz", "person/emmanuel-macron", "asserted"),
        ("Macron will Scholz im Mai erneut treffen.", "meets", "person/emmanuel-macron", "person/olaf-scholz",
         "planned"),
        ("Frankreich unterstützt die Ukraine mit Waffen.", "supports", "state/fr", "state/ua", "asserted"),
        ("Russland warnte die NATO vor einer Ausweitung.", "warns", "state/ru", "org/nato", "asserted"),
        ("Russland lehnte ein Treffen mit der Ukraine ab.", "meets", "state/ru", "state/ua", "negated"),
    ],
    "forderung": [
        ("Die Ukraine fordert von der NATO mehr Luftabwehr.", "demands", "state/ua", "org/nato", "asserted"),
        ("Selenskyj könnte Scholz in Berlin treffen.", "meets", "person/wolodymyr-selenskyj", "person/olaf-scholz",
         "possible"),
        ("Die NATO unterstützt die Ukraine.", "supports", "org/nato", "state/ua", "asserted"),
        ("Novak warnte, dass die Lage kippen könnte.", "warns", "person/jan-novak", None, "asserted"),
    ],
}


def news_results() -> list[DocumentResult]:
    actors = {a.key: a for a in ACTORS}
    results = []
    for doc_id, rows in DOCS.items():
        text = " ".join(r[0] for r in rows)
        sentences, statements = [], []
        for n, (sentence, rel, agent, target, mod) in enumerate(rows, 1):
            start = text.index(sentence)
            sentences.append(Sentence(n, start, start + len(sentence), sentence))
            statements.append(Statement(rel, agent, target, mod, 0.9, doc_id, n, start, start + len(sentence),
                                        sentence.split()[1]))
        results.append(DocumentResult(doc_id, f"{doc_id}.txt", text, sentences, actors, [], statements))
    return results


def expected_edges(dataset, exclude=lambda rel, mod, doc: False) -> set[tuple]:
    """(from, to, relation, modality) per distinct statement with a target, read by SPARQL (not via kg.viz)."""
    rows = dataset.query("""
        PREFIX gkg: <https://w3id.org/geokg/ontology#>
        SELECT DISTINCT ?a ?t ?rel ?mod ?doc WHERE { GRAPH ?g {
          ?s a gkg:Statement ; gkg:agent ?a ; gkg:target ?t ; gkg:relation ?rel ; gkg:modality ?mod ;
             gkg:document ?doc } }""")
    out = set()
    for a, t, rel, mod, doc in rows:
        key = lambda iri: str(iri).removeprefix("https://w3id.org/geokg/id/")  # noqa: E731
        rel_name, mod_name = str(rel).rsplit("#", 1)[1], str(mod).rsplit("#", 1)[1].lower()
        if exclude(rel_name, mod_name, key(doc)):
            continue
        a_key, t_key = key(a), key(t)
        if rel_name == "meets":
            a_key, t_key = sorted((a_key, t_key))
        out.add((a_key, t_key, rel_name, mod_name))
    return out


DRAWN_EDGES_JS = """() => kg.network.body.edgeIndices.map(id => {
    const e = kg.edges.get(id); return [e.from, e.to, e.rel, e.mod]; })"""


def drawn_edges(page) -> set[tuple]:
    return {tuple(e) for e in page.evaluate(DRAWN_EDGES_JS)}


@pytest.fixture(scope="module")
def browser():
    with chromium_context() as context:
        yield context


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    dataset = build_dataset(news_results())
    path = write_html(dataset, tmp_path_factory.mktemp("news") / "graph.html", title="Nachrichten")
    return dataset, path


def screen_point(page, canvas_xy: dict) -> tuple[float, float]:
    """Page coordinates of a point given in network (canvas) coordinates."""
    dom = page.evaluate("(p) => kg.network.canvasToDOM(p)", canvas_xy)
    box = page.locator("#kg-network").bounding_box()
    return box["x"] + dom["x"], box["y"] + dom["y"]


def node_point(page, key: str) -> tuple[float, float]:
    pos = page.evaluate("(k) => kg.network.getPositions([k])[k]", key)
    return screen_point(page, pos)


def test_page_loads_offline_without_errors(browser, news):
    page, log = open_page(browser, news[1])
    page.wait_for_timeout(200)
    assert log.problems == []
    resources = page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
    assert all(url.startswith(("file:", "data:")) for url in resources), resources
    assert page.title() == "Nachrichten"
    page.close()


def test_drawn_nodes_and_edges_match_the_graph(browser, news):
    dataset, path = news
    page, log = open_page(browser, path)
    actors = dataset.query("""PREFIX gkg: <https://w3id.org/geokg/ontology#>
        SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?s a gkg:Statement .
        { ?s gkg:agent ?x } UNION { ?s gkg:target ?x } } }""")
    n_actors = int(next(iter(actors))[0])
    assert n_actors == 8
    everything = expected_edges(dataset)
    assert page.evaluate("() => kg.edges.length") == len(everything) == 8
    # Negated statements are hidden until their box is ticked.
    not_negated = expected_edges(dataset, lambda rel, mod, doc: mod == "negated")
    assert drawn_edges(page) == not_negated
    # Actors with no drawn edge (Novak: only a warning without target) are hidden until ticked.
    assert set(page.evaluate("() => kg.network.body.nodeIndices")) == {k for e in not_negated for k in e[:2]}
    assert "person/jan-novak" not in page.evaluate("() => kg.network.body.nodeIndices")
    page.check("#kg-isolated")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == n_actors
    page.check("input[data-filter=modality][value=negated]")
    assert drawn_edges(page) == everything
    assert log.problems == []
    page.close()


def test_filters_hide_the_right_edges(browser, news):
    dataset, path = news
    page, log = open_page(browser, path)
    page.uncheck("input[data-filter=relation][value=supports]")
    assert drawn_edges(page) == expected_edges(dataset, lambda rel, mod, doc: rel == "supports" or mod == "negated")
    page.uncheck("input[data-filter=modality][value=planned]")
    assert drawn_edges(page) == expected_edges(
        dataset, lambda rel, mod, doc: rel == "supports" or mod in ("negated", "planned"))
    page.check("input[data-filter=relation][value=supports]")
    page.check("input[data-filter=modality][value=planned]")
    page.select_option("#kg-doc", label="forderung")
    assert drawn_edges(page) == expected_edges(dataset, lambda rel, mod, doc: doc != "doc/forderung"
                                               or mod == "negated")
    page.select_option("#kg-doc", label="All documents")
    assert drawn_edges(page) == expected_edges(dataset, lambda rel, mod, doc: mod == "negated")
    assert log.problems == []
    page.close()


# vis-network skips a label whose font size is below its draw threshold; 0 means not drawn.
LABEL_SIZE_JS = "(id) => kg.network.body.edges[id].labelModule.fontOptions.size"


def test_edge_hover_shows_relation_and_evidence(browser, news):
    page, log = open_page(browser, news[1])
    edge_id = page.evaluate("() => kg.edges.get({filter: e => e.rel === 'supports' && e.from === 'state/fr'})[0].id")
    mid = page.evaluate("(id) => kg.network.body.edges[id].edgeType.getPoint(0.5)", edge_id)
    x, y = screen_point(page, mid)
    box = page.locator("#kg-network").bounding_box()
    assert page.evaluate("(p) => kg.network.getEdgeAt(p)", {"x": x - box["x"], "y": y - box["y"]}) == edge_id
    assert page.evaluate(LABEL_SIZE_JS, edge_id) == 0  # edge labels only on hover
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=4)
    tooltip = page.locator("#kg-tooltip")
    tooltip.wait_for(state="visible", timeout=3000)
    text = tooltip.inner_text()
    assert "Frankreich → Ukraine" in text and "supports (unterstützt)" in text and "asserted" in text
    assert "Frankreich unterstützt die Ukraine mit Waffen." in text and "gipfel" in text
    assert page.evaluate(LABEL_SIZE_JS, edge_id) > 0
    page.mouse.move(box["x"] + 5, box["y"] + 5, steps=4)
    tooltip.wait_for(state="hidden", timeout=3000)
    page.wait_for_timeout(100)
    assert page.evaluate(LABEL_SIZE_JS, edge_id) == 0
    # The legend's switch draws every edge label.
    page.check("#kg-edge-labels")
    page.wait_for_timeout(100)
    sizes = page.evaluate("() => kg.network.body.edgeIndices.map(id => kg.network.body.edges[id].labelModule.fontOptions.size)")
    assert sizes and all(size >= 13 for size in sizes)
    assert log.problems == []
    page.close()


def test_node_click_opens_side_panel(browser, news):
    page, log = open_page(browser, news[1])
    page.mouse.click(*node_point(page, "person/olaf-scholz"))
    panel = page.locator("#kg-panel")
    panel.wait_for(state="visible", timeout=3000)
    assert panel.locator("h2").inner_text() == "Olaf Scholz"
    link = panel.locator("a.kg-wikidata")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q61053"
    groups = panel.locator("section.kg-rel-group")
    assert groups.count() == 1 and groups.first.get_attribute("data-relation") == "meets"
    meets = groups.first.inner_text()
    for sentence in ("Scholz traf Macron in Paris.", "Macron will Scholz im Mai erneut treffen.",
                     "Selenskyj könnte Scholz in Berlin treffen."):
        assert sentence in meets
    # A statement without a target is listed in its agent's panel.
    page.evaluate("() => kg.focusActor('person/jan-novak')")
    assert panel.locator("h2").inner_text() == "Jan Novak"
    warns = panel.locator("section[data-relation=warns]").inner_text()
    assert "(no target)" in warns and "Novak warnte, dass die Lage kippen könnte." in warns
    assert log.problems == []
    page.close()


def test_search_focuses_an_actor(browser, news):
    page, log = open_page(browser, news[1])
    page.fill("#kg-search", "selenskyj")
    page.press("#kg-search", "Enter")
    page.locator("#kg-panel").wait_for(state="visible", timeout=3000)
    assert page.evaluate("() => kg.network.getSelectedNodes()") == ["person/wolodymyr-selenskyj"]
    assert page.locator("#kg-panel h2").inner_text() == "Wolodymyr Selenskyj"
    page.fill("#kg-search", "Atlantis")
    page.press("#kg-search", "Enter")
    assert "No actor matches" in page.locator("#kg-search-status").inner_text()
    assert log.problems == []
    page.close()


def test_stats_panel_shows_networkx_figures(browser, news):
    dataset, path = news
    stats = graph_stats(dataset)
    page, log = open_page(browser, path)
    page.click("#kg-stats summary")
    first = page.locator("#kg-top-degree li").first.inner_text()
    assert stats.top_degree[0].label in first and str(stats.top_degree[0].value) in first
    assert page.locator("#kg-communities li").count() == len(stats.communities)
    assert log.problems == []
    page.close()


def test_injected_markup_never_runs(browser, tmp_path):
    model = graph_model(build_dataset([hostile_result()]))
    path = tmp_path / "evil.html"
    path.write_text(render_html(model, title="<script>window.__kgPwned=5</script>"), encoding="utf-8")
    requests: list[str] = []
    page, log = open_page(browser, path)
    page.on("request", lambda r: requests.append(r.url))
    evil_person = '<img src=x onerror="window.__kgPwned=2">'
    # Exercise every place text is shown: tooltip, both panels, search, statistics.
    a, b = node_point(page, "person/evil"), node_point(page, "org/evil")
    page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, steps=4)
    page.locator("#kg-tooltip").wait_for(state="visible", timeout=3000)
    assert "</script><script>window.__kgPwned=3</script>" in page.locator("#kg-tooltip").inner_text()
    page.mouse.click(*a)
    assert page.locator("#kg-panel h2").inner_text() == evil_person
    page.evaluate("() => kg.focusActor('org/evil')")
    assert page.locator("#kg-panel h2").inner_text() == "<script>window.__kgPwned=1</script>"
    page.fill("#kg-search", "<img")
    page.press("#kg-search", "Enter")
    page.click("#kg-stats summary")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__kgPwned") is None
    assert page.title() == "<script>window.__kgPwned=5</script>"
    assert page.evaluate("() => document.querySelectorAll('img, svg[onload], b').length") == 0
    assert page.evaluate("() => document.scripts.length") == 6
    assert log.problems == [] and requests == []
    page.close()


def hub_model(n_hubs: int = 12, spokes: int = 100) -> VizModel:
    """Hubs with many spokes: the first view must hold the hubs, not the spokes."""
    keys, statements = [], []
    for h in range(n_hubs):
        hub = f"org/hub{h:02d}"
        keys.append(hub)
        if h:
            statements.append((f"org/hub{h - 1:02d}", hub, "supports"))
        for s in range(spokes):
            spoke = f"person/h{h:02d}s{s:03d}"
            keys.append(spoke)
            statements.append((hub, spoke, "meets"))
    actors = tuple(VizActor(k, "https://w3id.org/geokg/id/" + k, k.split("/")[1],
                            "organization" if k.startswith("org/") else "person",
                            "Organization" if k.startswith("org/") else "Person") for k in sorted(keys))
    sts = tuple(VizStatement(f"https://w3id.org/geokg/id/statement/d/{i}", rel, "asserted", a, t, "d", (f"S{i}.",))
                for i, (a, t, rel) in enumerate(statements))
    return VizModel(actors, sts, (VizDocument("d", "https://w3id.org/geokg/id/doc/d", "d"),))


def test_large_graph_opens_on_top_actors_and_expands(browser, tmp_path):
    model = hub_model()
    path = tmp_path / "big.html"
    path.write_text(render_html(model, max_nodes=100), encoding="utf-8")
    page, log = open_page(browser, path)
    shown = set(page.evaluate("() => kg.network.body.nodeIndices"))
    assert len(shown) == 100
    laid_out = page.evaluate("() => kg.network.getPositions(['org/hub00', 'org/hub05'])")
    assert {f"org/hub{h:02d}" for h in range(12)} <= shown
    assert page.locator("#kg-shown").inner_text().startswith("Showing 100 of 1212 actors")
    page.click("#kg-more")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 200
    # A hidden spoke found by search comes with its neighbourhood.
    page.fill("#kg-search", "h11s099")
    page.press("#kg-search", "Enter")
    assert page.evaluate("() => kg.network.getSelectedNodes()") == ["person/h11s099"]
    assert "person/h11s099" in page.evaluate("() => kg.network.body.nodeIndices")
    page.click("#kg-only-neighbourhood")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 2
    page.click("#kg-all")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == len(model.actors)
    assert page.evaluate("() => kg.network.body.edgeIndices.length") == len(model.statements)
    page.click("#kg-reset")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 100
    # Actors come back where the layout had put them.
    back = page.evaluate("() => kg.network.getPositions(['org/hub00', 'org/hub05'])")
    for key, pos in laid_out.items():
        assert back[key]["x"] == pytest.approx(pos["x"], abs=1) and back[key]["y"] == pytest.approx(pos["y"], abs=1)
    assert log.problems == []
    page.close()


def test_physics_off_page_is_drawn_at_once(browser, news, tmp_path):
    path = tmp_path / "off.html"
    path.write_text(render_html(graph_model(news[0]), physics="off"), encoding="utf-8")
    page, log = open_page(browser, path)
    assert page.evaluate("() => kg.network.physics.physicsEnabled") is False
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 7  # Novak has no drawn edge
    assert log.problems == []
    page.close()



def test_empty_graph_page_says_so(browser, tmp_path):
    path = tmp_path / "empty.html"
    path.write_text(render_html(VizModel((), (), ())), encoding="utf-8")
    page, log = open_page(browser, path)
    assert page.locator("#kg-loading").inner_text() == "This graph has no statements."
    assert log.problems == []
    page.close()


def test_seed_graph_page_from_kg_build(browser, tmp_path):
    """The page `kg build seeds/` writes: offline, no errors, the graph's nodes and edges."""
    from pathlib import Path

    from kg.build import build
    from kg.rdfio.source import open_graph_file

    out = tmp_path / "seed"
    build([Path(__file__).resolve().parent.parent / "seeds"], out, cache_dir=None)
    dataset = open_graph_file(out / "graph.trig")
    page, log = open_page(browser, out / "graph.html")
    page.wait_for_timeout(200)
    actors = dataset.query("""PREFIX gkg: <https://w3id.org/geokg/ontology#>
        SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?s a gkg:Statement .
        { ?s gkg:agent ?x } UNION { ?s gkg:target ?x } } }""")
    drawn = expected_edges(dataset, lambda rel, mod, doc: mod == "negated")
    assert drawn_edges(page) == drawn
    assert set(page.evaluate("() => kg.network.body.nodeIndices")) == {k for e in drawn for k in e[:2]}
    page.check("#kg-isolated")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == int(next(iter(actors))[0])
    assert ("person/donald-trump", "person/wladimir-putin", "meets", "planned") in drawn_edges(page)
    assert log.problems == []
    page.close()


# Dates: document metadata, time expressions by sentence (with the clause's tense).
DOC_META = {
    "gipfel": DocumentMeta(title="Gipfel in Paris", date="2025-02-13", url="https://example.org/gipfel"),
    "forderung": DocumentMeta(title="Forderungen an die NATO", date="2024-06-05", url="https://example.org/f?id=7"),
}
TIMES = {
    "Scholz traf Macron in Paris.": ("am Montag", "past"),  # 2025-02-10
    "Macron will Scholz im Mai erneut treffen.": ("im Mai", "future"),  # 2025-05
}


def dated_results() -> list[DocumentResult]:
    from dataclasses import replace

    out = []
    for result in news_results():
        texts = {s.index: s.text for s in result.sentences}
        statements = [replace(st, time=TIMES.get(texts[st.sentence], (None, None))[0],
                              tense=TIMES.get(texts[st.sentence], (None, "past"))[1]) for st in result.statements]
        out.append(replace(result, statements=statements, meta=DOC_META[result.doc_id]))
    return out


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    dataset = build_dataset(dated_results())
    path = write_html(dataset, tmp_path_factory.mktemp("dated") / "graph.html", title="Datiert")
    return dataset, path


def edges_in_range(dataset, first: str, last: str) -> set[tuple]:
    """Drawn edges (not negated) with a statement whose date span overlaps [first, last], by SPARQL."""
    rows = dataset.query("""
        PREFIX gkg: <https://w3id.org/geokg/ontology#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT DISTINCT ?a ?t ?rel ?mod WHERE { GRAPH ?g {
          ?s a gkg:Statement ; gkg:agent ?a ; gkg:target ?t ; gkg:relation ?rel ; gkg:modality ?mod ;
             gkg:dateBegin ?b ; gkg:dateEnd ?e .
          FILTER(?mod != gkg:Negated && ?e >= ?first && ?b <= ?last) } }""",
                         initBindings={"first": Literal(first, datatype=XSD.date),
                                       "last": Literal(last, datatype=XSD.date)})
    out = set()
    for a, t, rel, mod in rows:
        a_key, t_key = (str(x).removeprefix("https://w3id.org/geokg/id/") for x in (a, t))
        rel_name = str(rel).rsplit("#", 1)[1]
        if rel_name == "meets":
            a_key, t_key = sorted((a_key, t_key))
        out.add((a_key, t_key, rel_name, str(mod).rsplit("#", 1)[1].lower()))
    return out


def test_date_range_filter(browser, dated):
    dataset, path = dated
    page, log = open_page(browser, path)
    assert page.locator("#kg-dates").is_visible()
    assert page.get_attribute("#kg-date-from", "min") == "2024-06-05"
    assert page.get_attribute("#kg-date-to", "max") == "2025-05-31"
    everything = drawn_edges(page)
    page.fill("#kg-date-from", "2025-01-01")
    page.fill("#kg-date-to", "2025-03-31")
    expected = edges_in_range(dataset, "2025-01-01", "2025-03-31")
    assert drawn_edges(page) == expected and 0 < len(expected) < len(everything)
    # The planned May meeting and the 2024 document's statements are outside the range.
    assert ("person/emmanuel-macron", "person/olaf-scholz", "meets", "planned") not in expected
    # Actors left without a drawn edge disappear with their edges.
    drawn_nodes = set(page.evaluate("() => kg.network.body.nodeIndices"))
    assert drawn_nodes == {k for e in expected for k in e[:2]}
    assert "person/wolodymyr-selenskyj" not in drawn_nodes
    assert "In the range" in page.locator("#kg-date-note").inner_text()
    page.fill("#kg-date-from", "2025-05-10")
    page.fill("#kg-date-to", "")
    assert drawn_edges(page) == edges_in_range(dataset, "2025-05-10", "9999-12-31") == {
        ("person/emmanuel-macron", "person/olaf-scholz", "meets", "planned")}
    page.click("#kg-date-clear")
    assert drawn_edges(page) == everything
    assert log.problems == []
    page.close()


def test_dates_and_sources_in_tooltip_and_panel(browser, dated):
    page, log = open_page(browser, dated[1])
    edge_id = page.evaluate("""() => kg.edges.get({filter: e => e.rel === 'meets' && e.mod === 'asserted'
                                                   && e.from === 'person/emmanuel-macron'})[0].id""")
    mid = page.evaluate("(id) => kg.network.body.edges[id].edgeType.getPoint(0.5)", edge_id)
    x, y = screen_point(page, mid)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=4)
    tooltip = page.locator("#kg-tooltip")
    tooltip.wait_for(state="visible", timeout=3000)
    text = tooltip.inner_text()
    assert "Scholz traf Macron in Paris." in text
    assert "2025-02-10 (am Montag)" in text and "Gipfel in Paris, 2025-02-13" in text
    assert "https://example.org/gipfel" in text
    page.evaluate("() => kg.focusActor('person/olaf-scholz')")
    panel = page.locator("#kg-panel")
    body = panel.inner_text()
    assert "date: 2025-05 (im Mai)" in body and "CAMEO 036" in body
    assert "date: 2024-06-05 (report date)" in body  # Selenskyj's possible meeting: no time in the text
    links = panel.locator("a.kg-source-link")
    assert {links.nth(i).get_attribute("href") for i in range(links.count())} == {
        "https://example.org/gipfel", "https://example.org/f?id=7"}
    assert all(links.nth(i).get_attribute("rel") == "noopener noreferrer" for i in range(links.count()))
    assert log.problems == []
    page.close()


def test_actors_without_drawn_edges_toggle_and_search(browser, dated):
    page, log = open_page(browser, dated[1])
    nodes = lambda: set(page.evaluate("() => kg.network.body.nodeIndices"))  # noqa: E731
    assert "person/jan-novak" not in nodes()
    assert "1 without a drawn edge hidden" in page.locator("#kg-shown").inner_text()
    # Without warns and demands the NATO keeps one drawn edge (it supports the Ukraine); without
    # supports too, it has none left and is hidden, and so is the Ukraine.
    page.uncheck("input[data-filter=relation][value=warns]")
    page.uncheck("input[data-filter=relation][value=demands]")
    assert "org/nato" in nodes()  # the NATO still supports the Ukraine
    page.uncheck("input[data-filter=relation][value=supports]")
    assert "org/nato" not in nodes() and "state/ua" not in nodes()
    page.check("#kg-isolated")
    assert {"org/nato", "state/ua", "person/jan-novak"} <= nodes()
    page.uncheck("#kg-isolated")
    assert "person/jan-novak" not in nodes()
    # An actor found by search is drawn and selected even without an edge.
    page.fill("#kg-search", "Novak")
    page.press("#kg-search", "Enter")
    assert page.evaluate("() => kg.network.getSelectedNodes()") == ["person/jan-novak"]
    assert "person/jan-novak" in nodes()
    assert log.problems == []
    page.close()

