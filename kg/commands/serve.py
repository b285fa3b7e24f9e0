"""`kg serve`: a SPARQL 1.1 Protocol endpoint over the working graph."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click


@click.command("serve")
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="The kg store folder to serve [default: output/store].")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Other hosts than loopback expose the graph to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="TCP port; 0 picks a free one (printed on start).")
@click.option("--allow-update", is_flag=True,
              help="Accept SPARQL updates (POST) and save each to the store. Default: refused with 403.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may take before the client gets 503.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one result; larger results get 500.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=4, show_default=True,
              help="Queries evaluated at the same time; more wait in line (within the timeout).")
@click.option("--quiet", is_flag=True, help="Do not log each request to stderr.")
def serve_command(store: Path | None, host: str, port: int, allow_update: bool, timeout: float,
                  max_rows: int, workers: int, quiet: bool) -> None:
    """Serve the store as a SPARQL endpoint at http://HOST:PORT/sparql.

    Implements the SPARQL 1.1 Protocol: queries by GET (?query=…) or POST (form or
    application/sparql-query body). SELECT and ASK answer in
    application/sparql-results+json (default), +xml, text/csv or
    text/tab-separated-values; CONSTRUCT and DESCRIBE in text/turtle (default) or
    application/n-triples, chosen by the Accept header or by ?format= (json, xml, csv,
    tsv, turtle, nt). The default graph is the merge of all documents (each triple
    once) and GRAPH ?g reaches each document; default-graph-uri and named-graph-uri are
    honoured. The prefixes gkg:, rdfs:, owl:, skos:, xsd: and wd: are predeclared.
    CORS is open so that browser clients (YASGUI) can connect; http://HOST:PORT/ is a
    page with a query box and example queries.

    Read-only by default: updates get 403. With --allow-update the store is locked for
    this process and every successful update is saved; write into named graphs
    (GRAPH <…> { … }), as the default graph is rebuilt from them after each update.
    Without --allow-update, a `kg build` that commits to the same store meanwhile is
    picked up (reloaded in the background).

    A query still running at --timeout is answered with 503 (Oxigraph cannot cancel
    it, so it finishes in the background in one of the --workers); a result over
    --max-rows is answered with 500. Errors are plain text.

    \b
    Examples:
      kg serve                                  # output/store on 127.0.0.1:7878
      kg serve --store /data/kg/store --port 8890 --timeout 10
      curl -H 'Accept: text/csv' --data-urlencode \\
        'query=SELECT ?a ?b WHERE { ?a gkg:meets ?b }' http://127.0.0.1:7878/sparql
    """
    from ..server import Settings, make_server
    from ..store import DEFAULT_STORE, GraphStore

    directory = store or DEFAULT_STORE
    graph_store = GraphStore.open(directory, read_only=not allow_update)
    settings = Settings(timeout=timeout, max_rows=max_rows, workers=workers, allow_update=allow_update)
    server = make_server(graph_store, host, port, settings, quiet=quiet)
    bound_host, bound_port = server.server_address[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    mode = "read-write (--allow-update)" if allow_update else "read-only"
    click.echo(f"kg serve: SPARQL endpoint http://{shown_host}:{bound_port}/sparql "
               f"({len(graph_store)} quads from {directory}, {mode}); Ctrl-C stops", err=True)
    if not _is_loopback(host):
        click.echo(f"kg serve: warning: listening on {host}, reachable from other machines", err=True)
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("kg serve: stopped", err=True)
    finally:
        server.server_close()
        graph_store.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(cli: click.Group) -> None:
    cli.add_command(serve_command)
