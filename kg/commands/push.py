"""`kg push`: upload the graph into another triple store (Graph Store Protocol / SPARQL Update)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import KgError


@click.command("push")
@click.argument("graph", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Push the working graph of this kg store folder [default: output/store when no GRAPH is given].")
@click.option("--endpoint", metavar="URL", default=None,
              help="SPARQL 1.1 Graph Store HTTP Protocol endpoint of the target store.")
@click.option("--update-endpoint", metavar="URL", default=None,
              help="SPARQL 1.1 Update endpoint: used if the Graph Store endpoint is missing "
                   "(HTTP 404/405/415/501), or always with --protocol update.")
@click.option("--verify", "query_endpoint", metavar="URL", default=None,
              help="SPARQL query endpoint: after the upload, check every graph's triple count there.")
@click.option("--graph", "single_graph", metavar="IRI", default=None,
              help="Push everything (union, duplicates merged) into this one graph instead of one graph per "
                   "document.")
@click.option("--user", envvar="KG_PUSH_USER", default=None, help="User name [env: KG_PUSH_USER].")
@click.option("--password", envvar="KG_PUSH_PASSWORD", default=None,
              help="Password [env: KG_PUSH_PASSWORD; prefer the variable, command lines are visible to others].")
@click.option("--auth", type=click.Choice(["auto", "basic", "digest"]), default="auto", show_default=True,
              help="HTTP authentication; auto answers whatever the server asks for.")
@click.option("--protocol", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True,
              help="auto = Graph Store Protocol, falling back to SPARQL Update.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="Triples per HTTP request; larger graphs are sent in several requests.")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds to wait for each HTTP response.")
@click.option("--prune", is_flag=True,
              help="Delete the target's document graphs (…/id/doc/…) that the source no longer has; "
                   "needs --verify URL to list them. Other graphs at the target are never touched.")
@click.option("--allow-empty", is_flag=True,
              help="Succeed when there is nothing to push (otherwise a warning and exit status 1).")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def push_command(graph: Path | None, store: Path | None, endpoint: str | None, update_endpoint: str | None,
                 query_endpoint: str | None, single_graph: str | None, user: str | None, password: str | None,
                 auth: str, protocol: str, chunk_size: int, timeout: float, prune: bool, allow_empty: bool,
                 quiet: bool) -> None:
    """Upload the graph into a running triple store, one named graph per document.

    Each document graph is sent with the Graph Store Protocol: PUT for the first chunk
    (replacing the graph of that name in the target), POST for further chunks. Without
    a Graph Store endpoint, SPARQL Update is used (DROP SILENT GRAPH + INSERT DATA).
    Any HTTP error stops the push with a message naming the graphs already complete;
    running it again replaces them. The source is a TriG / N-Quads / JSON-LD GRAPH
    file (- for standard input; a Turtle or N-Triples file needs --graph IRI), or else
    the store (--store DIR, default output/store).

    With --verify URL every graph's triple count is checked at the target's query
    endpoint; document graphs there that the source no longer has are reported, and
    deleted with --prune. Pushing nothing is an error unless --allow-empty.

    \b
    Examples:
      # Oxigraph (oxigraph serve --location db --bind 127.0.0.1:7878)
      kg push --endpoint http://127.0.0.1:7878/store --verify http://127.0.0.1:7878/query
      # … and delete graphs of documents that left the store
      kg push --endpoint http://127.0.0.1:7878/store --verify http://127.0.0.1:7878/query --prune
      # Virtuoso (digest auth; the password from the environment)
      KG_PUSH_PASSWORD=dba kg push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
        --user dba --verify http://127.0.0.1:8890/sparql
      # Apache Jena Fuseki, dataset /kg
      kg push --endpoint http://localhost:3030/kg/data --update-endpoint http://localhost:3030/kg/update
      # GraphDB, repository kg
      kg push --endpoint http://localhost:7200/repositories/kg/rdf-graphs/service
      # a Turtle file into one graph
      kg push output/graph.ttl --graph https://example.org/kg --endpoint http://127.0.0.1:7878/store
    """
    from ..rdfio.push import Target, push_store
    from ..rdfio.iri import check_iri
    from ..rdfio.source import resolve

    source_of = resolve(graph, store)
    if not endpoint and not update_endpoint:
        raise KgError("give --endpoint URL (Graph Store Protocol) or --update-endpoint URL")
    for url in (endpoint, update_endpoint, query_endpoint):
        if url and not url.startswith(("http://", "https://")):
            raise KgError(f"not an http(s) URL: {url!r}")
    if single_graph:
        check_iri(single_graph)
    if password and not user:
        raise KgError("--password (or KG_PUSH_PASSWORD) needs --user (or KG_PUSH_USER)")
    if prune and not query_endpoint:
        raise KgError("--prune needs --verify URL (the target's SPARQL query endpoint) to list its graphs")
    # The document graphs only: the store's default graph is their merge.
    source = source_of.documents()
    if len(source) == 0:
        message = f"{source_of.name}: nothing to push (no documents)"
        if not allow_empty:
            raise KgError(f"{message}; build first, or give --allow-empty"
                          + (" (with --prune: to empty the target)" if prune else ""))
        click.echo(f"kg: warning: {message}", err=True)
    target = Target(endpoint=endpoint, update_endpoint=update_endpoint, query_endpoint=query_endpoint,
                    user=user, password=password, auth=auth, protocol=protocol, chunk_size=chunk_size,
                    timeout=timeout, prune=prune)

    def progress(name: str, count: int) -> None:
        if not quiet:
            click.echo(f"pushed <{name}> ({count} triples)", err=True)

    report = push_store(source, target, single_graph, progress)
    via = "Graph Store Protocol" if report.protocol == "gsp" else "SPARQL Update"
    pruned = f", pruned {len(report.pruned)} graphs" if report.pruned else ""
    checked = ", verified" if report.verified and not report.stale else ""
    click.echo(f"pushed {len(report.graphs)} graphs, {report.triples} triples, in {report.requests} "
               f"requests via {via}{pruned}{checked}")
    if report.stale:
        click.echo(f"kg: warning: the pushed graphs verified, but the target holds {len(report.stale)} document "
                   f"graphs that are not in {source_of.name} (e.g. <{report.stale[0]}>); "
                   "kg push --prune deletes them", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(push_command)
