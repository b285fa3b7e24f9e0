"""`kg serve`: a SPARQL 1.1 Protocol endpoint over the working graph."""

from __future__ import annotations

import ipaddress
import signal
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
              help="Seconds a query may run; then it is stopped and the client gets 503 (it may wait twice as long for a free worker).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE, graph store) in one answer; a larger "
                   "result is cut there and the answer carries the header X-SPARQL-MaxRows.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=4, show_default=True,
              help="Query worker processes (queries evaluated at the same time); more wait in line "
                   "(within the timeout).")
@click.option("--query-memory", "query_memory", type=click.IntRange(min=64), default=2048, show_default=True,
              metavar="MB", help="Memory one query may use beyond the loaded store; its worker is ended past it.")
@click.option("--allow-service", is_flag=True,
              help="Execute SERVICE clauses (federated queries: the server then makes outgoing requests). "
                   "Default: refused with 400.")
@click.option("--allow-load", is_flag=True,
              help="With --allow-update: execute LOAD <url> (the server then fetches URLs). Default: refused.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name clients may use in the Host header besides IP addresses and localhost "
                   "(DNS rebinding protection); '*' allows any. Repeatable.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="A web origin whose pages may read query results (CORS), e.g. https://yasgui.triply.cc; "
                   "'*' allows any. Default: none, only the endpoint's own page. Repeatable.")
@click.option("--update-token", envvar="KG_UPDATE_TOKEN", default=None, metavar="TOKEN",
              help="With --allow-update: updates need 'Authorization: Bearer TOKEN' (then also as form "
                   "posts and from other origins). Also read from $KG_UPDATE_TOKEN.")
@click.option("--max-connections", type=click.IntRange(min=4), default=256, show_default=True,
              help="Open client connections; at the limit the longest idle one is closed.")
@click.option("--idle-timeout", type=click.FloatRange(min=0.5), default=15.0, show_default=True,
              help="Seconds an idle keep-alive connection (or a request still being sent) is kept.")
@click.option("--quiet", is_flag=True, help="Do not log each request to stderr.")
def serve_command(store: Path | None, host: str, port: int, allow_update: bool, timeout: float,
                  max_rows: int, workers: int, query_memory: int, allow_service: bool, allow_load: bool,
                  allowed_hosts: tuple[str, ...], cors_origins: tuple[str, ...], update_token: str | None,
                  max_connections: int, idle_timeout: float, quiet: bool) -> None:
    """Serve the store as a SPARQL endpoint at http://HOST:PORT/sparql.

    Implements the SPARQL 1.1 Protocol at /sparql and /query: queries by GET
    (?query=…) or POST (form or application/sparql-query body). SELECT and ASK answer
    in application/sparql-results+json (default), +xml, text/csv or
    text/tab-separated-values; CONSTRUCT and DESCRIBE in text/turtle (default),
    application/n-triples, application/rdf+xml, application/ld+json, application/trig
    or application/n-quads, chosen by the Accept header or by ?format= (json, xml, csv,
    tsv, turtle, nt, rdfxml, jsonld, trig, nq). GET /sparql without a query returns the
    SPARQL 1.1 Service Description. GET /store?graph=IRI or /store?default reads one
    graph (Graph Store Protocol, read only). The default graph is the merge of all
    documents (each triple once); GRAPH ?g reaches each document, and the ontology is
    the named graph <https://w3id.org/geokg/ontology>. default-graph-uri and
    named-graph-uri are honoured. The prefixes gkg:, rdfs:, owl:, skos:, xsd: and wd:
    are predeclared. A query naming gkg: terms the ontology does not define (gkg:meetz)
    still runs, with the header X-Kg-Warning naming them (they match nothing).
    http://HOST:PORT/ is a page with a query box and example queries.

    Safe for untrusted clients by default: read-only (updates get 403); SERVICE and
    LOAD are refused (no outgoing requests); a query is checked for size and nesting
    depth before it is parsed; each query runs in a worker process that is ended at
    --timeout (503) or when it needs more than --query-memory, and replaced at once, so
    no query blocks the others; idle connections hold no thread and are closed after
    --idle-timeout; the Host header must be an IP address, localhost or an
    --allowed-host; CORS only for --cors-origin. With --allow-update the store is locked
    for this process and every successful update is saved; updates need Content-Type
    application/sparql-update from no other origin (no web page can send that), or
    the --update-token. Write into named graphs (GRAPH <…> { … }), as the default graph
    is rebuilt from them after each update. Without --allow-update, a `kg build` that
    commits to the same store meanwhile is picked up (reloaded in the background).
    Errors are plain text.

    \b
    Examples:
      kg serve                                  # output/store on 127.0.0.1:7878
      kg serve --store /data/kg/store --port 8890 --timeout 10
      kg serve --cors-origin https://yasgui.triply.cc   # let the hosted YASGUI read it
      curl -H 'Accept: text/csv' --data-urlencode 'query=PREFIX gkg:
        <https://w3id.org/geokg/ontology#> SELECT ?a ?b WHERE { ?a gkg:meets ?b }' \\
        http://127.0.0.1:7878/sparql
    """
    from ..rdfio.server import Settings, make_server
    from ..rdfio.store import DEFAULT_STORE, GraphStore

    directory = store or DEFAULT_STORE
    if (allow_load or update_token) and not allow_update:
        raise click.UsageError("--allow-load and --update-token only make sense with --allow-update")
    # The writable store is opened here for its lock and the updates; queries never run in this process.
    graph_store = GraphStore.open(directory, read_only=False) if allow_update else None
    settings = Settings(timeout=timeout, max_rows=max_rows, workers=workers, allow_update=allow_update,
                        allow_service=allow_service, allow_load=allow_load, query_memory_mb=query_memory,
                        max_connections=max_connections, idle_timeout=idle_timeout,
                        allowed_hosts=list(allowed_hosts), cors_origins=list(cors_origins),
                        update_token=update_token)
    try:
        server = make_server(directory, host, port, settings, quiet=quiet, graph_store=graph_store)
    except BaseException:
        if graph_store is not None:
            graph_store.close()
        raise
    bound_host, bound_port = server.server_address[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    mode = "read-write (--allow-update)" if allow_update else "read-only"
    click.echo(f"kg serve: SPARQL endpoint http://{shown_host}:{bound_port}/sparql "
               f"({server.endpoint.quads} quads from {directory}, {mode}, {workers} workers); Ctrl-C stops",
               err=True)
    if not _is_loopback(host):
        click.echo(f"kg serve: warning: listening on {host}, reachable from other machines", err=True)
    sys.stderr.flush()
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("kg serve: stopped", err=True)
    finally:
        server.server_close()
        if graph_store is not None:
            graph_store.close()


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the server like Ctrl-C: workers and loader are stopped


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(cli: click.Group) -> None:
    cli.add_command(serve_command)
