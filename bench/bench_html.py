"""Benchmark of the interactive page on synthetic graphs in the kg schema (a script, not a test).

Builds a seeded synthetic graph (default 5,000 actors / 10,000 statements) through the real
RDF layer, then measures: RDF -> model, statistics + page generation, file size, and in
headless Chromium (Debian's /usr/bin/chromium via Playwright): time to interactive, and the
response of a filter click, "show neighbours", "show more" and "show all".

    .venv/bin/python bench/bench_html.py                      # 5k/10k, and 100 / 1k for scale
    .venv/bin/python bench/bench_html.py --sizes 5000:10000 --json
    .venv/bin/python bench/bench_html.py --screenshot docs/screenshot.png output/graph.trig
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from kg.records import Actor, DocumentResult, Sentence, Statement  # noqa: E402

KINDS = (("person", 0.6), ("organization", 0.24), ("state", 0.12), ("place", 0.04))
RELATIONS = (("meets", 0.4), ("warns", 0.2), ("supports", 0.25), ("demands", 0.15))
MODALITIES = (("asserted", 0.7), ("planned", 0.12), ("possible", 0.1), ("negated", 0.08))
NO_TARGET = 0.08
PER_DOC = 20
VERB = {"meets": "trifft", "warns": "warnt", "supports": "unterstützt", "demands": "fordert von"}


def _pick(rng: random.Random, table) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def synthetic_results(n_actors: int, n_statements: int, seed: int = 42) -> list[DocumentResult]:
    """Documents with actors of skewed popularity (a few hubs, a long tail), like news."""
    rng = random.Random(seed)
    actors: list[Actor] = []
    for i in range(n_actors):
        kind = _pick(rng, KINDS)
        prefix = {"person": "person", "organization": "org", "state": "state", "place": "place"}[kind]
        label = {"person": f"Person {i} Müller", "organization": f"Organisation {i}", "state": f"Staat {i}",
                 "place": f"Ort {i}"}[kind]
        actors.append(Actor(f"{prefix}/a{i}", kind, label, (), f"Q{1000 + i}" if i % 3 == 0 else None,
                            iso2=f"x{i}" if kind == "state" else None,
                            org_type="international" if kind == "organization" and i % 2 else None))
    weights = [1.0 / (rank + 1) ** 0.85 for rank in range(n_actors)]
    # Every actor takes part at least once (as a target), so the graph has exactly n_actors actors.
    unused = actors[:]
    rng.shuffle(unused)
    results = []
    n_docs = max(1, -(-n_statements // PER_DOC))
    for d in range(n_docs):
        doc_id = f"doc{d:05d}"
        count = min(PER_DOC, n_statements - d * PER_DOC)
        text_parts, sentences, statements, used = [], [], [], {}
        offset = 0
        for s in range(count):
            agent, target = rng.choices(actors, weights=weights, k=2)
            if unused:
                target = unused.pop()
            elif rng.random() < NO_TARGET:
                target = None
            if target is not None and agent.key == target.key:
                target = None
            rel, mod = _pick(rng, RELATIONS), _pick(rng, MODALITIES)
            sentence = (f"{agent.label} {VERB[rel]} {target.label if target else 'vor einer Eskalation'} "
                        f"laut Meldung {d}-{s}, heißt es in Berlin.")
            sentences.append(Sentence(s + 1, offset, offset + len(sentence), sentence))
            statements.append(Statement(rel, agent.key, target.key if target else None, mod, 0.8, doc_id, s + 1,
                                        offset, offset + len(sentence), VERB[rel].split()[0]))
            used[agent.key] = agent
            if target:
                used[target.key] = target
            text_parts.append(sentence)
            offset += len(sentence) + 1
        results.append(DocumentResult(doc_id, f"{doc_id}.txt", " ".join(text_parts), sentences, used, [], statements))
    return results


def measure_generation(n_actors: int, n_statements: int, out_dir: Path, max_nodes: int) -> dict:
    from kg.rdfio.rdf import build_dataset
    from kg.viz import graph_model, render_html

    t0 = time.perf_counter()
    ds = build_dataset(synthetic_results(n_actors, n_statements))
    t1 = time.perf_counter()
    model = graph_model(ds)
    t2 = time.perf_counter()
    html = render_html(model, max_nodes=max_nodes, title=f"synthetic {n_actors}/{n_statements}")
    t3 = time.perf_counter()
    path = out_dir / f"bench_{n_actors}_{n_statements}.html"
    path.write_bytes(html.encode("utf-8"))
    return {
        "actors": len(model.actors),
        "statements": len(model.statements),
        "build_rdf_s": round(t1 - t0, 2),
        "rdf_to_model_s": round(t2 - t1, 2),
        "stats_and_render_s": round(t3 - t2, 2),
        "file_mb": round(path.stat().st_size / 1e6, 2),
        "path": path,
    }


def _timed(page, script: str) -> float:
    """Run an action in the page and return ms until the next frame after it has been drawn."""
    # Built as source here: the page's CSP forbids eval/new Function inside the page itself.
    return page.evaluate(
        "() => new Promise((resolve) => { const t0 = performance.now(); { " + script + " }"
        " requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0))); })"
    )


def measure_browser(path: Path) -> dict:
    from browser import chromium_context, chromium_missing_reason, open_page

    reason = chromium_missing_reason()
    if reason:
        return {"browser": f"skipped: {reason}"}
    with chromium_context() as ctx:
        t0 = time.perf_counter()
        page, log = open_page(ctx, path, timeout_ms=300_000)
        wall = time.perf_counter() - t0
        result = {
            "interactive_s": round(wall, 2),
            "interactive_in_page_s": round(page.evaluate("window.kgReadyAt") / 1000, 2),
            "drawn_nodes": page.evaluate("kg.nodeView.length"),
            "drawn_edges": page.evaluate("kg.edgeView.length"),
            "physics": page.evaluate("kg.payload.physics"),
        }
        result["filter_click_ms"] = round(_timed(
            page, "document.querySelector('input[data-filter=relation][value=meets]').click()"))
        result["filter_click_back_ms"] = round(_timed(
            page, "document.querySelector('input[data-filter=relation][value=meets]').click()"))
        result["search_focus_ms"] = round(_timed(
            page, "const a = kg.payload.actors[kg.payload.order[kg.payload.order.length - 1]];"
                  "kg.focusActor(a.id)"))
        result["show_more_ms"] = round(_timed(page, "kg.showMore()"))
        result["show_all_ms"] = round(_timed(page, "kg.showAll()"))
        result["all_nodes"] = page.evaluate("kg.nodeView.length")
        result["all_edges"] = page.evaluate("kg.edgeView.length")
        # Responsiveness with everything drawn: one redraw of the full canvas.
        result["redraw_all_ms"] = round(_timed(page, "kg.network.redraw()"))
        result["problems"] = log.problems
        page.close()
    return result


def screenshot(graph: Path, out: Path) -> None:
    """The README picture: the page of `graph` with the top actor's panel open and an edge hovered."""
    from browser import chromium_context, open_page

    from kg.fileio import write_bytes_atomic
    from kg.rdfio.source import open_graph_file as load_dataset
    from kg.viz import graph_model, render_html

    model = graph_model(load_dataset(graph))
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "graph.html"
        page_path.write_text(render_html(model, title=f"kg graph – {graph.name}"), encoding="utf-8")
        with chromium_context(viewport=(1400, 860)) as ctx:
            page, log = open_page(ctx, page_path)
            top = page.evaluate("() => kg.payload.actors[kg.payload.order[0]].id")
            page.evaluate("(k) => kg.focusActor(k)", top)
            page.evaluate("() => kg.network.fit()")
            page.wait_for_timeout(300)
            edge = page.evaluate("(k) => kg.edgeView.getIds({filter: e => e.from === k || e.to === k})[0]", top)
            if edge is not None:
                # The middle of the drawn (possibly curved) edge, from vis-network's edge geometry.
                mid = page.evaluate("(id) => kg.network.body.edges[id].edgeType.getPoint(0.5)", edge)
                dom = page.evaluate("(p) => kg.network.canvasToDOM(p)", mid)
                box = page.locator("#kg-network").bounding_box()
                page.mouse.move(box["x"] + dom["x"] - 20, box["y"] + dom["y"] - 20)
                page.mouse.move(box["x"] + dom["x"], box["y"] + dom["y"], steps=5)
                page.wait_for_timeout(400)
            if log.problems:
                raise SystemExit(f"page problems: {log.problems}")
            write_bytes_atomic(out, page.screenshot())
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100:200,1000:2000,5000:10000",
                        help="comma-separated ACTORS:STATEMENTS pairs")
    parser.add_argument("--max-nodes", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep the generated pages in this folder")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--screenshot", nargs=2, metavar=("PNG", "GRAPH"), type=Path,
                        help="only take the README screenshot of GRAPH's page")
    args = parser.parse_args(argv)
    if args.screenshot:
        screenshot(args.screenshot[1], args.screenshot[0])
        return 0

    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-html-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for pair in args.sizes.split(","):
        n_actors, n_statements = (int(x) for x in pair.split(":"))
        row = measure_generation(n_actors, n_statements, out_dir, args.max_nodes)
        row.update(measure_browser(row["path"]))
        row["path"] = str(row["path"])
        rows.append(row)
        if not args.json:
            print(f"# {n_actors} actors / {n_statements} statements", flush=True)
            for k, v in row.items():
                print(f"  {k:<22} {v}", flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
