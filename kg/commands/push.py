"""`kg push`: upload the graph into another triple store (Graph Store Protocol / SPARQL Update)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import KgError


@click.command("push")
@click.argument("graph", required=False, type=click.Path(path_type=Path))
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
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def push_command(graph: Path | None, store: Path | None, endpoint: str | None, update_endpoint: str | None,
                 query_endpoint: str | None, single_graph: str | None, user: str | None, password: str | None,
                 auth: str, protocol: str, chunk_size: int, timeout: float, quiet: bool) -> None:
    """Upload the graph into a running triple store, one named graph per document.

    Each document graph is sent with the Graph Store Protocol: PUT for the first chunk
    (replacing the graph of that name in the target), POST for further chunks. Without
    a Graph Store endpoint, SPARQL Update is used (DROP SILENT GRAPH + INSERT DATA).
    Any HTTP error stops the push with a message naming the graphs already complete;
    running it again replaces them. The source is the store (--store DIR, default
    output/store) or a TriG / N-Quads / JSON-LD GRAPH file (a Turtle or N-Triples
    file needs --graph IRI).

    \b
    Examples:
      # Oxigraph (oxigraph serve --location db --bind 127.0.0.1:7878)
      kg push --endpoint http://127.0.0.1:7878/store --verify http://127.0.0.1:7878/query
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
    from ..push import Target, check_iri, push_store
    from ..serialize import oxigraph_store
    from ..store import DEFAULT_STORE, GraphStore, open_graph_file

    if graph is not None and store is not None:
        raise KgError("give either a GRAPH file or --store DIR, not both")
    if not endpoint and not update_endpoint:
        raise KgError("give --endpoint URL (Graph Store Protocol) or --update-endpoint URL")
    for url in (endpoint, update_endpoint, query_endpoint):
        if url and not url.startswith(("http://", "https://")):
            raise KgError(f"not an http(s) URL: {url!r}")
    if single_graph:
        check_iri(single_graph)
    if password and not user:
        raise KgError("--password (or KG_PUSH_PASSWORD) needs --user (or KG_PUSH_USER)")
    if graph is not None:
        source = oxigraph_store(open_graph_file(graph))
    else:
        # The document graphs only: the store's default graph is their merge.
        source = oxigraph_store(GraphStore.open(store or DEFAULT_STORE, read_only=True).to_dataset())
    target = Target(endpoint=endpoint, update_endpoint=update_endpoint, query_endpoint=query_endpoint,
                    user=user, password=password, auth=auth, protocol=protocol, chunk_size=chunk_size,
                    timeout=timeout)

    def progress(name: str, count: int) -> None:
        if not quiet:
            click.echo(f"pushed <{name}> ({count} triples)", err=True)

    report = push_store(source, target, single_graph, progress)
    via = "Graph Store Protocol" if report.protocol == "gsp" else "SPARQL Update"
    checked = ", verified" if report.verified else ""
    click.echo(f"pushed {len(report.graphs)} graphs, {report.triples} triples, in {report.requests} "
               f"requests via {via}{checked}")


def register(cli: click.Group) -> None:
    cli.add_command(push_command)
