"""`kg query`: SPARQL over a graph file or the store."""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager

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
@click.option("--timeout", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help="End the query after this many seconds (exit 1, nothing written); 0 = no limit.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=0), default=4096, show_default=True,
              metavar="MB", help="End the query when it needs this many MB beyond the loaded graph "
                                 "(exit 1, nothing written); 0 = no limit.")
def query_command(graph, query, store_dir, fmt, binds, width, timeout, memory_mb) -> None:
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

    Oxigraph cannot stop a query once it runs, so --timeout and --memory end the whole
    process with a one-line error (exit 1) when a query (a cross product with ORDER BY,
    say) runs too long or grows too big; nothing is written then.

    \b
    Examples:
      kg query 'SELECT ?a ?b WHERE { ?a gkg:meets ?b }'                  # the default store
      kg query output/graph.ttl @questions/who-supports-whom.rq --format csv
      kg query output/graph.trig @questions/warnings.rq --bind who='"Kyrylo Budanow"@de'
      kg query --store output/store 'ASK { ?s gkg:modality gkg:Negated }'
      cat questions/who-meets-whom.rq | kg query @- --width 0
      kg query --timeout 10 --memory 1024 @big-question.rq
    """
    from ..errors import KgError
    from ..rdfio import sparql_guard
    from ..rdfio.query import format_result, parse_binding, read_query, unknown_terms_warning
    from ..rdfio.source import resolve
    from ..rdfio.store import run_query

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
    store = source.oxigraph()  # loaded before the bounds, which are the query's alone
    with _bounded(timeout, memory_mb):
        text = format_result(run_query(store, sparql, bindings), fmt, width or None)
    click.echo(text)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def _bounded(timeout: float, memory_mb: int, interval: float = 0.05):
    """Exit the process with a one-line error if the block runs past `timeout` seconds or
    grows past `memory_mb` MB of resident memory (0: no bound). A watcher thread does it:
    Oxigraph runs a query without returning to Python, so no signal handler would fire."""
    if not os.path.exists("/proc/self/statm"):
        memory_mb = 0  # no resident-memory figure to watch on this system
    if not timeout and not memory_mb:
        yield
        return
    done = threading.Event()
    start, base = time.monotonic(), _rss_mb() if memory_mb else 0.0

    def fail(message: str) -> None:
        os.write(2, f"kg: error: {message}\n".encode())
        os._exit(1)  # the query cannot be stopped; ending the process is the only bound

    def watch() -> None:
        while not done.wait(interval):
            if timeout and time.monotonic() - start > timeout:
                fail(f"the query ran longer than {timeout:g} s (--timeout); narrow it or add LIMIT")
            if memory_mb and _rss_mb() - base > memory_mb:
                fail(f"the query needed more than {memory_mb} MB (--memory); narrow it or add LIMIT")

    watcher = threading.Thread(target=watch, name="kg-query-bound", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def register(group: click.Group) -> None:
    group.add_command(query_command)
