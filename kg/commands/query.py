"""`kg query`: SPARQL over a graph file or the store."""

from __future__ import annotations

import sys

import click

_FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"]


@click.command("query")
@click.argument("graph", required=False)
@click.argument("query", required=False)
@click.option("--store", "store_dir", default=None, type=click.Path(file_okay=False),
              help="Query this kg store folder [default: output/store when no GRAPH file is given].")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(_FORMATS),
              help="Result format. SELECT/ASK: table, csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle, "
                   "ntriples, nquads, trig, rdfxml, jsonld (table means turtle, csv/tsv ntriples, "
                   "json jsonld, xml rdfxml).")
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Bind a variable safely (no string splicing): NAME=<iri>, NAME=gkg:meets, "
                   "NAME='\"text\"@de' or NAME=42. The variable must be in the SELECT clause. Repeatable.")
@click.option("--width", type=click.IntRange(min=0), default=None,
              help="Cut table cells longer than this many characters; 0 = never. Default: 70 on a "
                   "terminal, no cut when the output is a pipe or file.")
def query_command(graph, query, store_dir, fmt, binds, width) -> None:
    """Run a SPARQL 1.1 query on GRAPH or on the store.

    \b
    kg query [GRAPH] QUERY
    GRAPH is a file (.ttl, .trig, .nt, .nq, .jsonld, .rdf) or - for standard input.
    Without GRAPH the store is queried: --store DIR, default output/store.
    QUERY is the query text, @FILE (e.g. @questions/who-supports-whom.rq) or @- to read
    it from standard input.

    The default graph is the merge of all document graphs (each triple once); GRAPH ?g
    sees each document. Declare your PREFIX lines (the files in questions/ do, so they
    run unchanged in any SPARQL store); for convenience these are pre-bound here:
    gkg: (the kg ontology, https://w3id.org/geokg/ontology#), rdfs:, owl:, skos:, xsd:,
    wd: (Wikidata entities). A term of the gkg: namespace that the ontology does not
    define (a typo such as gkg:meetz) gets a warning on standard error.

    \b
    Examples:
      kg query 'SELECT ?a ?b WHERE { ?a gkg:meets ?b }'                  # the default store
      kg query output/graph.ttl @questions/who-supports-whom.rq --format csv
      kg query output/graph.trig @questions/warnings.rq --bind who='"Kyrylo Budanow"@de'
      kg query --store output/store 'ASK { ?s gkg:modality gkg:Negated }'
      cat questions/who-meets-whom.rq | kg query @- --width 0
    """
    from ..errors import KgError
    from .. import sparql_guard
    from ..rdfio.query import format_result, parse_binding, read_query, unknown_terms_warning
    from ..rdfio.source import resolve

    if query is None:  # "kg query QUERY": the one positional is the query, on the store
        graph, query = None, graph
    if query is None:
        raise click.UsageError("missing QUERY (text, @FILE or @-)")
    if graph == "-" and query == "@-":
        raise KgError("standard input can hold the graph or the query, not both")
    sparql = read_query(query)
    # Size and depth before Oxigraph's parser: 5,000 nested parentheses crash it (SIGSEGV);
    # tests/test_serve_security.py::test_deeply_nested_query_is_refused_before_parsing.
    sparql_guard.check(sparql)
    warning = unknown_terms_warning(sparql)
    if warning:
        click.echo(f"kg: warning: {warning}", err=True)
    bindings = dict(parse_binding(b) for b in binds)
    if width is None:
        width = 70 if sys.stdout.isatty() else 0
    source = resolve(graph, store_dir)
    click.echo(format_result(source.query(sparql, bindings), fmt, width or None))


def register(group: click.Group) -> None:
    group.add_command(query_command)
