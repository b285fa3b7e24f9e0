"""Interactive HTML view (pyvis / vis-network) and network statistics (networkx) of a kg graph.

    model = graph_model(dataset)                # actors + statements read from the RDF
    html = render_html(model, max_nodes=300)    # one self-contained page
    write_html(dataset, "output/graph.html")    # atomic
    stats = graph_stats(dataset)                # counts, top degree/betweenness, communities
"""

from __future__ import annotations

from .model import VizActor, VizDocument, VizModel, VizStatement, graph_model
from .render import render_html, write_html
from .stats import RankedActor, Stats, stats_from_model

__all__ = [
    "RankedActor", "Stats", "VizActor", "VizDocument", "VizModel", "VizStatement",
    "graph_model", "graph_stats", "render_html", "write_html",
]


def graph_stats(graph, top: int = 10) -> Stats:
    """Statistics of an rdflib Graph/Dataset or a VizModel."""
    model = graph if isinstance(graph, VizModel) else graph_model(graph)
    return stats_from_model(model, top=top)
