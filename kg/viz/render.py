"""Render a VizModel as one self-contained HTML page (pyvis + the kg template, all assets inlined)."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import defaultdict
from pathlib import Path

from ..errors import KgError
from ..fileio import write_bytes_atomic
from .model import VizModel
from .stats import Analysis, analyse, stats_from_model

PHYSICS_MODES = ("auto", "on", "off")
# Above this many initially drawn actors, "auto" skips the force layout: measured in headless
# Chromium, bounded stabilisation of 500 nodes stays within a couple of seconds, beyond it not.
PHYSICS_NODE_LIMIT = 500
# Payload limits for the statistics panel (the full figures are in `kg stats`).
PANEL_TOP = 10
PANEL_COMMUNITIES = 12
PANEL_COMMUNITY_MEMBERS = 10
SPACING = 70.0  # canvas units between neighbouring actors in the precomputed layout
FONT_SIZE = 15

RELATION_STYLE: dict[str, dict] = {
    "meets": {"label": "meets", "de": "trifft", "color": "#2f6db5", "directed": False},
    "warns": {"label": "warns", "de": "warnt", "color": "#d1364a", "directed": True},
    "supports": {"label": "supports", "de": "unterstützt", "color": "#3f9b35", "directed": True},
    "demands": {"label": "demands", "de": "fordert", "color": "#e07b00", "directed": True},
}
OTHER_RELATION = {"color": "#6b6b6b", "directed": True}
MODALITY_STYLE: dict[str, dict] = {
    "asserted": {"label": "asserted", "de": "berichtet", "dashes": False, "shown": True},
    "planned": {"label": "planned", "de": "geplant", "dashes": [10, 6], "shown": True},
    "possible": {"label": "possible", "de": "möglich", "dashes": [3, 5], "shown": True},
    "negated": {"label": "negated", "de": "verneint", "dashes": [2, 9], "shown": False},
}
KIND_STYLE: dict[str, dict] = {
    "person": {"label": "person", "de": "Person", "shape": "dot", "color": "#7b5ea7"},
    "state": {"label": "state", "de": "Staat", "shape": "square", "color": "#23978a"},
    "organization": {"label": "organisation", "de": "Organisation", "shape": "triangle", "color": "#b07c1f"},
    "place": {"label": "place", "de": "Ort", "shape": "star", "color": "#8a94a6"},
    "actor": {"label": "other actor", "de": "Akteur", "shape": "hexagon", "color": "#a0a0a0"},
}


def templates_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"


def _read_asset(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KgError(f"missing page asset {path} ({exc.strerror or exc}); reinstall kg and pyvis==0.3.2") from None
    lowered = text.lower()
    # Inlined into <script>/<style>: these sequences would end the element early.
    for bad in ("</script", "<!--", "</style"):
        if bad in lowered:
            raise KgError(f"page asset {path} contains {bad!r} and cannot be inlined")
    return text


def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    return _read_asset(lib / "vis-network.min.js"), _read_asset(lib / "vis-network.css")


def script_json(value) -> str:
    """JSON safe inside an HTML <script> element: no `<`, `>`, `&` or line separators."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=True, separators=(",", ":"),
                                                           allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _darker(hex_color: str, factor: float = 0.7) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


def _layout(partition: tuple[tuple[str, ...], ...], degree: dict[str, int],
            keys: set[str]) -> dict[str, tuple[float, float]]:
    """Cheap deterministic layout of `keys`: each community a sunflower disc, discs packed in rows (O(n))."""
    golden = math.pi * (3 - math.sqrt(5))
    parts = [[k for k in g if k in keys] for g in partition]
    isolated = [k for g in parts if len(g) == 1 for k in g]
    groups = [g for g in parts if len(g) > 1]
    if isolated:
        groups.append(isolated)
    radii = [SPACING * (math.sqrt(len(g)) + 0.6) for g in groups]
    total_area = sum((2 * r + SPACING) ** 2 for r in radii)
    row_width = max([2 * r for r in radii] + [math.sqrt(total_area) * 1.3]) if groups else 0.0
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for members, radius in zip(groups, radii):
        size = 2 * radius + SPACING
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + size / 2, y + size / 2
        members.sort(key=lambda k: (-degree.get(k, 0), k))
        for i, key in enumerate(members):
            r = SPACING * math.sqrt(i + 0.5)
            positions[key] = (round(cx + r * math.cos(i * golden), 1), round(cy + r * math.sin(i * golden), 1))
        x += size
        row_height = max(row_height, size)
    return positions


def _bends(count: int) -> list[int]:
    """Signed bend steps for `count` parallel edges: odd counts keep one straight edge."""
    out = [0] if count % 2 else []
    step = 1
    while len(out) < count:
        out += [step, -step]
        step += 1
    return out[:count]


def _edge_items(model: VizModel, doc_index: dict[str, int]) -> list[dict]:
    """One edge per (agent, target, relation, modality); parallel edges get distinct curvature."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, st in enumerate(model.statements):
        if not st.target:
            continue  # listed in the agent's panel only
        a, b = st.agent, st.target
        directed = RELATION_STYLE.get(st.relation, OTHER_RELATION)["directed"]
        if not directed and b < a:
            a, b = b, a
        groups[(a, b, st.relation, st.modality)].append(i)

    rel_order = {r: n for n, r in enumerate(RELATION_STYLE)}
    mod_order = {m: n for n, m in enumerate(MODALITY_STYLE)}

    def order(key):
        a, b, rel, mod = key
        return (min(a, b), max(a, b), rel_order.get(rel, 99), rel, mod_order.get(mod, 99), mod, a, b)

    keys = sorted(groups, key=order)
    by_pair: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for key in keys:
        by_pair[(min(key[0], key[1]), max(key[0], key[1]))].append(key)

    items = []
    for n, key in enumerate(keys):
        a, b, rel, mod = key
        members = groups[key]
        style = RELATION_STYLE.get(rel, OTHER_RELATION)
        mstyle = MODALITY_STYLE.get(mod, MODALITY_STYLE["asserted"])
        color = style["color"]
        item: dict = {
            "id": f"e{n}",
            "from": a,
            "to": b,
            "label": style.get("label", rel),  # drawn only on hover or selection (size 0 otherwise)
            "rel": rel,
            "mod": mod,
            "st": members,
            "docs": sorted({doc_index[s] for s in (model.statements[i].document for i in members) if s in doc_index}),
            "color": {"color": color, "highlight": color, "hover": color,
                      "opacity": 0.55 if mod == "negated" else 1.0},
            "width": round(1.5 + min(4.0, math.log2(len(members))), 2),
            "dashes": mstyle["dashes"],
        }
        if style["directed"]:
            item["arrows"] = "to"
        siblings = by_pair[(min(a, b), max(a, b))]
        bend = _bends(len(siblings))[siblings.index(key)]
        if bend:
            # Bend relative to the pair's canonical direction, so reversed edges bend consistently.
            clockwise = (bend > 0) == (a <= b)
            item["smooth"] = {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                              "roundness": round(min(0.9, 0.2 * abs(bend)), 2)}
        items.append(item)
    return items


def _font_size(degree: int) -> int:
    return min(30, FONT_SIZE + int(1.6 * math.sqrt(degree)))


def _ranked(model: VizModel, analysis: Analysis) -> list[int]:
    """Actor indices, most connected first (ties: label, key)."""
    return sorted(range(len(model.actors)), key=lambda i: (-analysis.degree.get(model.actors[i].key, 0),
                                                           model.actors[i].label, model.actors[i].key))


def _payload(model: VizModel, analysis: Analysis, title: str, initial: int, physics_on: bool) -> dict:
    actor_index = {a.key: i for i, a in enumerate(model.actors)}
    doc_index = {d.key: i for i, d in enumerate(model.documents)}
    sentences: dict[str, int] = {}
    statements = []
    for st in model.statements:
        item: dict = {"r": st.relation, "m": st.modality, "a": actor_index[st.agent]}
        if st.target:
            item["t"] = actor_index[st.target]
        if st.document in doc_index:
            item["d"] = doc_index[st.document]
        if st.evidence:
            item["s"] = [sentences.setdefault(text, len(sentences)) for text in st.evidence]
        for field, value in (("tr", st.trigger), ("c", st.confidence), ("pl", st.place), ("tm", st.time),
                             ("by", st.reported_by), ("dt", st.date), ("db", st.date_begin), ("de", st.date_end),
                             ("ev", st.event_code), ("el", st.event_label)):
            if value is not None:
                item[field] = value
        if st.report_date:
            item["rd"] = 1
        statements.append(item)
    begins = sorted(st.date_begin for st in model.statements if st.date_begin)
    ends = sorted(st.date_end for st in model.statements if st.date_end)

    actors = []
    for a in model.actors:
        item = {"id": a.key, "label": a.label, "kind": a.kind, "cls": a.cls, "deg": analysis.degree.get(a.key, 0)}
        for field, value in (("al", list(a.aliases)), ("wd", a.wikidata), ("role", a.role), ("country", a.country)):
            if value:
                item[field] = value
        actors.append(item)
    ranked = _ranked(model, analysis)

    stats = stats_from_model(model, top=PANEL_TOP, analysis=analysis).to_dict()
    stats["communities_total"] = len(stats["communities"])
    stats["communities"] = [{"size": len(c), "members": c[:PANEL_COMMUNITY_MEMBERS]}
                            for c in stats["communities"][:PANEL_COMMUNITIES]]

    relations = [dict(id=r, count=stats["by_relation"].get(r, 0), **RELATION_STYLE[r]) for r in RELATION_STYLE]
    relations += [dict(id=r, label=r, de=r, count=c, **OTHER_RELATION)
                  for r, c in stats["by_relation"].items() if r not in RELATION_STYLE]
    modalities = [dict(id=m, count=stats["by_modality"].get(m, 0), **MODALITY_STYLE[m]) for m in MODALITY_STYLE]
    modalities += [dict(id=m, label=m, de=m, dashes=False, shown=True, count=c)
                   for m, c in stats["by_modality"].items() if m not in MODALITY_STYLE]
    kinds = [dict(id=k, count=stats["by_kind"].get(k, 0), **KIND_STYLE[k]) for k in KIND_STYLE
             if k in stats["by_kind"] or k != "actor"]
    return {
        "title": title,
        "relations": relations,
        "modalities": modalities,
        "kinds": kinds,
        "actors": actors,
        "docs": [{"id": d.key, "label": d.label,
                  **{k: v for k, v in (("path", d.path), ("title", d.title), ("date", d.date), ("url", d.url)) if v}}
                 for d in model.documents],
        "dates": {"min": begins[0], "max": ends[-1]} if begins and ends else None,
        "sentences": list(sentences),
        "statements": statements,
        "order": ranked,
        "initial": initial,
        "physics": physics_on,
        "stats": stats,
    }


def _vis_options(physics_on: bool, initial: int, total: int) -> dict:
    groups = {}
    for kind, style in KIND_STYLE.items():
        c, border = style["color"], _darker(style["color"])
        groups[kind] = {"shape": style["shape"], "color": {
            "background": c, "border": border,
            "highlight": {"background": c, "border": "#111111"},
            "hover": {"background": c, "border": "#111111"}}}
    iterations = 300 if initial <= 300 else 150
    large = total > 1000
    return {
        "autoResize": True,
        "groups": groups,
        "nodes": {"borderWidth": 1.5, "font": {"size": FONT_SIZE, "face": "system-ui, 'DejaVu Sans', sans-serif",
                                               "color": "#1d1d1d", "strokeWidth": 4, "strokeColor": "#ffffff"},
                  # Labels smaller than 8 px on screen are skipped: unreadable, they only add clutter.
                  "scaling": {"label": {"enabled": False, "drawThreshold": 8}}},
        "edges": {"smooth": {"enabled": False}, "hoverWidth": 1.5, "selectionWidth": 2,
                  "arrows": {"to": {"scaleFactor": 0.7}},
                  "font": {"size": 0, "align": "top", "strokeWidth": 4, "strokeColor": "#ffffff"}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "multiselect": False, "keyboard": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        # forceAtlas2Based spreads dense hubs better than barnesHut in the same number of iterations.
        "physics": {"enabled": physics_on, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -120, "centralGravity": 0.01,
                                         "springLength": 120, "springConstant": 0.08, "damping": 0.4,
                                         "avoidOverlap": 0.5},
                    "minVelocity": 1.0,
                    "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 40, "fit": True}},
    }


def render_html(model: VizModel, *, max_nodes: int = 300, physics: str = "auto", title: str = "kg graph") -> str:
    """The page as a string: same model and options give the same text."""
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise KgError(f"max_nodes must be a whole number of at least 1, got {max_nodes!r}")
    if physics not in PHYSICS_MODES:
        raise KgError(f"physics must be one of {', '.join(PHYSICS_MODES)}, got {physics!r}")
    title = " ".join(str(title).split()) or "kg graph"

    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup
    from pyvis.network import Network

    analysis = analyse(model)
    total = len(model.actors)
    initial = min(max_nodes, total)
    # Fewer than two actors: nothing to lay out (and vis would never report a finished stabilisation).
    physics_on = initial >= 2 and (physics == "on" or (physics == "auto" and initial <= PHYSICS_NODE_LIMIT))
    ranked = _ranked(model, analysis)
    # Only the first view is laid out here; actors shown later are placed by the page beside a
    # drawn neighbour, so the first view stays compact instead of spanning all communities.
    positions = _layout(analysis.partition, analysis.degree, {model.actors[i].key for i in ranked[:initial]})
    doc_index = {d.key: i for i, d in enumerate(model.documents)}

    net = Network(height="100%", width="100%", directed=True, heading=title, cdn_resources="remote")
    net.set_template_dir(str(templates_dir()), "graph.html")
    # pyvis's add_node/add_edge are quadratic (a membership scan per call); fill its lists directly.
    net.nodes = [
        {"id": a.key, "label": a.label, "group": a.kind,
         "size": round(11 + 4.5 * math.sqrt(analysis.degree.get(a.key, 0)), 1),
         # Bigger labels for hubs keep them readable when a large view is zoomed out.
         **({"font": {"size": _font_size(analysis.degree.get(a.key, 0))}}
            if _font_size(analysis.degree.get(a.key, 0)) != FONT_SIZE else {}),
         **({"x": positions[a.key][0], "y": positions[a.key][1]} if a.key in positions else {})}
        for a in model.actors
    ]
    net.node_ids = [a.key for a in model.actors]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges = _edge_items(model, doc_index)
    net.options = _vis_options(physics_on, initial, total)

    vis_js, vis_css = _vis_assets()
    kg_js = _read_asset(templates_dir() / "graph.js")
    kg_css = _read_asset(templates_dir() / "graph.css")
    csp = "; ".join([
        "default-src 'none'",
        f"script-src {_csp_hash(vis_js)} {_csp_hash(kg_js)}",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["script_json"] = lambda value: Markup(script_json(value))
    env.globals.update(
        vis_js=Markup(vis_js), vis_css=Markup(vis_css), kg_js=Markup(kg_js), kg_css=Markup(kg_css), csp=csp,
        payload=_payload(model, analysis, title, initial, physics_on),
    )
    net.templateEnv = env
    return net.generate_html(name="graph.html", notebook=False)


def write_html(graph, path: str | Path, **options) -> Path:
    """Render a graph (rdflib Graph/Dataset or VizModel) and write the page atomically."""
    from .model import graph_model

    model = graph if isinstance(graph, VizModel) else graph_model(graph)
    html = render_html(model, **options)
    target = Path(path)
    if target.is_dir():
        raise KgError(f"{target}: is a folder, expected an .html file name")
    try:
        write_bytes_atomic(target, html.encode("utf-8"))
    except OSError as exc:
        raise KgError(f"{target}: cannot write ({exc.strerror or exc})") from None
    return target
