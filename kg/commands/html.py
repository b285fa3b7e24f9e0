"""`kg html`: write the interactive graph page for a graph file or a store."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import KgError


def load_graph(graph: Path | None, store: Path | None):
    """An rdflib Dataset from exactly one of a graph file or a store folder."""
    if (graph is None) == (store is None):
        raise KgError("give either a GRAPH file or --store DIR (exactly one)")
    if graph is not None:
        from ..store import open_graph_file as load_dataset

        return load_dataset(graph)
    import importlib

    try:
        store_module = importlib.import_module("kg.store")
    except ModuleNotFoundError as exc:
        if exc.name in ("kg.store", "pyoxigraph"):
            raise KgError("--store is not available in this installation (kg.store missing)") from None
        raise
    # read_only: reading must never create a store in an empty folder or wait for a writer's lock.
    opened = store_module.GraphStore.open(store, read_only=True)
    try:
        return opened.to_dataset()
    finally:
        opened.close()


def register(cli: click.Group) -> None:
    @cli.command("html")
    @click.argument("graph", required=False, type=click.Path(path_type=Path))
    @click.option("--store", "store", type=click.Path(path_type=Path), help="Read from a kg store folder instead.")
    @click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
                  help="The .html file to write (one self-contained file).")
    @click.option("--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
                  help="Draw at most this many actors at first (the most connected); the page can show more.")
    @click.option("--physics", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
                  help="Force layout in the browser: auto = only when at most 500 actors are drawn at first.")
    @click.option("--title", default=None, help="Page title [default: kg graph – GRAPH file name].")
    def html_command(graph: Path | None, store: Path | None, output: Path, max_nodes: int, physics: str,
                     title: str | None) -> None:
        """Write an interactive, self-contained HTML view of GRAPH (.ttl, .trig, .nt, .nq, .jsonld).

        \b
        Actors are nodes, statements are edges (hover: evidence; click an actor: all its statements).
        The file needs no network: open it from disk or a file share.
        """
        from ..viz import graph_model, render_html
        from ..fileio import write_bytes_atomic

        dataset = load_graph(graph, store)
        model = graph_model(dataset)
        source = graph.name if graph is not None else store.name
        if not model.statements:
            raise KgError(f"{source}: no gkg:Statement with an agent and a relation; is this a kg graph?")
        if output.is_dir():
            raise KgError(f"{output}: is a folder, expected an .html file name")
        html = render_html(model, max_nodes=max_nodes, physics=physics, title=title or f"kg graph – {source}")
        try:
            write_bytes_atomic(output, html.encode("utf-8"))
        except OSError as exc:
            raise KgError(f"{output}: cannot write ({exc.strerror or exc})") from None
        click.echo(f"wrote {output} ({len(model.actors)} actors, {len(model.statements)} statements)")
