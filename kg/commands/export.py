"""`kg export`: write the working graph (or convert a graph file) in any kg RDF format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KgError

FORMAT_CHOICES = ("turtle", "nt", "nquads", "trig", "json-ld", "ttl", "ntriples", "nq", "jsonld")


@click.command("export")
@click.argument("graph", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Export the working graph of this kg store folder [default: output/store "
                   "when no GRAPH file is given].")
@click.option("-o", "--output", required=True,
              help="File to write (replaced atomically), or - for standard output.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES, case_sensitive=False), default=None,
              help="RDF format. Default: from the extension of --output "
                   "(.ttl, .nt, .nq, .trig, .jsonld); required with -o -.")
def export_command(graph: Path | None, store: Path | None, output: str, fmt: str | None) -> None:
    """Write the graph as Turtle, N-Triples, N-Quads, TriG or JSON-LD.

    The source is a GRAPH file in any of these formats (or RDF/XML) to convert, - for
    standard input, or else the store folder (--store DIR, default output/store). N-Quads, TriG and JSON-LD keep one
    named graph per document; Turtle and N-Triples hold the union (actors merged).
    JSON-LD is compacted with the kg context (ontology/context.jsonld, embedded so that
    the file loads offline). Output is sorted: the same graph gives the same bytes.
    Graphs with blank nodes are refused.

    \b
    Examples:
      kg export -o output/graph.trig                    # the default store as TriG
      kg export --store output/store -o graph.jsonld
      kg export output/graph.ttl -o graph.nt            # convert a file
      kg export --format nquads -o - | gzip > graph.nq.gz
      cat output/graph.trig | kg export - --format nt -o -
    """
    from ..rdfio.source import resolve
    from ..rdfio.serialize import format_for, serialize, write

    if output == "-" and not fmt:
        raise KgError("writing to standard output (-o -) needs --format")
    name = format_for(output if output != "-" else "", fmt)
    ds = resolve(graph, store).dataset()
    if output == "-":
        sys.stdout.buffer.write(serialize(ds, name))
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    if target.is_dir():
        raise KgError(f"{target}: is a folder; give a file name such as {target / 'graph.ttl'}")
    write(ds, target, name)
    click.echo(f"wrote {target} ({name})", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(export_command)
