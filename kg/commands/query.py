"""`kg query`: SPARQL over a graph file or the store."""

from __future__ import annotations

import click


@click.command("query")
@click.argument("graph", required=False)
@click.argument("query", required=False)
@click.option("--store", "store_dir", default=None, type=click.Path(file_okay=False),
              help="Query the persistent store (e.g. output/store) instead of a GRAPH file.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
              help="Result format (SELECT/ASK); CONSTRUCT/DESCRIBE print Turtle (N-Triples for csv/tsv).")
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Bind a variable safely (no string splicing): NAME=<iri>, NAME=gkg:meets, "
                   "NAME='\"text\"@de' or NAME=42. The variable must be in the SELECT clause. Repeatable.")
def query_command(graph, query, store_dir, fmt, binds) -> None:
    """Run a SPARQL 1.1 query on GRAPH (.ttl, .trig, .nt, .nq, .jsonld) or on --store.

    QUERY is the query text or @FILE (e.g. @questions/who-supports-whom.rq). The default
    graph is the merge of all document graphs (each triple once); GRAPH ?g sees each
    document. These prefixes are pre-bound: gkg: (the kg ontology), rdfs:, owl:, skos:,
    xsd:, wd: (Wikidata entities).

    \b
    Examples:
      kg query output/graph.ttl 'SELECT ?a ?b WHERE { ?a gkg:meets ?b }'
      kg query output/graph.ttl @questions/who-supports-whom.rq --format csv
      kg query output/graph.trig @questions/warnings.rq --bind who='"Kyrylo Budanow"@de'
      kg query --store output/store 'ASK { ?s gkg:modality gkg:Negated }'
    """
    from .. import sparql_guard
    from ..query import format_result, parse_binding, read_query
    from ..store import GraphStore, query_graph_file

    if store_dir is not None:
        if query is None:  # "kg query --store DIR QUERY": the one positional is the query
            graph, query = None, graph
        if graph is not None:
            raise click.UsageError("give either a GRAPH file or --store, not both")
    elif graph is None or query is None:
        raise click.UsageError("give a GRAPH file (or --store DIR) and a QUERY")
    if query is None:
        raise click.UsageError("missing QUERY")
    sparql = read_query(query)
    sparql_guard.check(sparql)  # size and depth before Oxigraph's parser (deep nesting crashes it)
    bindings = dict(parse_binding(b) for b in binds)
    if store_dir is not None:
        with GraphStore.open(store_dir, read_only=True) as store:
            click.echo(format_result(store.query(sparql, bindings), fmt))
        return
    click.echo(format_result(query_graph_file(graph, sparql, bindings), fmt))


def register(group: click.Group) -> None:
    group.add_command(query_command)
