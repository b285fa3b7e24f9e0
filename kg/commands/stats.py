"""`kg stats`: actor and statement counts, central actors and communities of a graph."""

from __future__ import annotations

import json
from pathlib import Path

import click


def format_table(stats) -> str:
    """Plain-text report of a Stats object."""
    def counts(d: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) or "-"

    lines = [
        f"actors                  {stats.actors:>7}   {counts(stats.by_kind)}",
        f"statements              {stats.statements:>7}   {counts(stats.by_relation)}",
        f"  by modality                      {counts(stats.by_modality)}",
        f"  with a target         {stats.statements_with_target:>7}",
        f"documents               {stats.documents:>7}",
        f"connected actor pairs   {stats.connected_pairs:>7}",
        f"connected components    {stats.components:>7}",
    ]
    width = max([len(r.label) for r in stats.top_degree + stats.top_betweenness] + [10])

    def ranking(title: str, items, fmt: str) -> None:
        lines.append("")
        lines.append(title)
        if not items:
            lines.append("  (none)")
        for i, r in enumerate(items, 1):
            lines.append(f"  {i:>2}. {r.label:<{width}}  {format(r.value, fmt)}")

    ranking("Top actors by degree (statements with a target, not negated)", stats.top_degree, "d")
    note = f", estimated from {stats.betweenness_sample} sampled actors" if stats.betweenness_sample else ""
    ranking(f"Top actors by betweenness (normalised{note})", stats.top_betweenness, ".4f")
    lines.append("")
    lines.append(f"Communities (Louvain, {len(stats.communities)} with two or more actors)")
    if not stats.communities:
        lines.append("  (none)")
    for i, members in enumerate(stats.communities, 1):
        names = [stats.labels.get(k, k) for k in members]
        shown = ", ".join(names[:12]) + (f", … (+{len(names) - 12})" if len(names) > 12 else "")
        lines.append(f"  {i:>2}. {len(members)} actors: {shown}")
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    @cli.command("stats")
    @click.argument("graph", required=False, type=click.Path(path_type=Path, allow_dash=True))
    @click.option("--store", "store", type=click.Path(path_type=Path),
                  help="Read this kg store folder [default: output/store when no GRAPH file is given].")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
                  help="How many actors to list per ranking.")
    def stats_command(graph: Path | None, store: Path | None, fmt: str, top: int) -> None:
        """Counts, top actors by degree and betweenness, and communities (networkx).

        GRAPH is a file (.ttl, .trig, .nt, .nq, .jsonld) or - for standard input; without it
        the store is read (--store DIR, default output/store).

        \b
        Examples:
          kg stats output/graph.ttl
          kg stats --format json                 # the default store
        """
        from ..viz import graph_model, graph_stats
        from .html import load_graph

        model = graph_model(load_graph(graph, store))
        stats = graph_stats(model, top=top)
        if fmt == "json":
            click.echo(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(format_table(stats))
