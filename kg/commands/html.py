"""`kg html`: write the interactive graph page for a graph file or a store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KgError


def load_graph(graph: Path | None, store: Path | None):
    """An rdflib Dataset: GRAPH if given (- = standard input), else --store, else output/store."""
    from ..rdfio.source import resolve

    return resolve(graph, store).dataset()


def register(cli: click.Group) -> None:
    @cli.command("html")
    @click.argument("graph", required=False, type=click.Path(path_type=Path, allow_dash=True))
    @click.option("--store", "store", type=click.Path(path_type=Path),
                  help="Read this kg store folder [default: output/store when no GRAPH file is given].")
    @click.option("-o", "--output", required=True, type=click.Path(path_type=Path, allow_dash=True),
                  help="The .html file to write (one self-contained file), or - for standard output.")
    @click.option("--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
                  help="Draw at most this many actors at first (the most connected); the page can show more.")
    @click.option("--physics", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
                  help="Force layout in the browser: auto = only when at most 500 actors are drawn at first.")
    @click.option("--title", default=None, help="Page title [default: kg graph – GRAPH file name].")
    def html_command(graph: Path | None, store: Path | None, output: Path, max_nodes: int, physics: str,
                     title: str | None) -> None:
        """Write an interactive, self-contained HTML view of GRAPH or of the store.

        \b
        GRAPH is a file (.ttl, .trig, .nt, .nq, .jsonld) or - for standard input; without
        it the store is read (--store DIR, default output/store).
        Actors are nodes, statements are edges (hover: evidence; click an actor: all its statements).
        The file needs no network: open it from disk or a file share.

        \b
        Examples:
          kg html output/graph.trig -o graph.html
          kg html --store output/store -o - > graph.html
        """
        from ..fileio import write_bytes_atomic
        from ..rdfio.source import resolve
        from ..viz import graph_model, render_html

        source = resolve(graph, store)
        to_stdout = str(output) == "-"
        if not to_stdout and output.is_dir():
            raise KgError(f"{output}: is a folder, expected an .html file name")
        model = graph_model(source.dataset())
        if not model.statements:
            raise KgError(f"{source.name}: no gkg:Statement with an agent and a relation; is this a kg graph?")
        html = render_html(model, max_nodes=max_nodes, physics=physics,
                           title=title or f"kg graph – {source.short_name}")
        summary = f"({len(model.actors)} actors, {len(model.statements)} statements)"
        if to_stdout:
            sys.stdout.buffer.write(html.encode("utf-8"))
            sys.stdout.buffer.flush()
            click.echo(f"wrote standard output {summary}", err=True)
            return
        try:
            write_bytes_atomic(output, html.encode("utf-8"))
        except OSError as exc:
            raise KgError(f"{output}: cannot write ({exc.strerror or exc})") from None
        click.echo(f"wrote {output} {summary}")
