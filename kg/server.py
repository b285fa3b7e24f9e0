"""A read-only SPARQL 1.1 Protocol endpoint over a kg store (stdlib http.server + pyoxigraph).

Queries run in a worker pool so that a slow query cannot hold a client past the
timeout: results are read row by row against the deadline; a query that blocks inside
one step (a sort or an aggregate) is answered with 503 at the deadline and its
evaluation is abandoned in the background (Oxigraph cannot cancel it), at most
`workers` at a time. Results are limited to `max_rows` rows (or triples).
"""

from __future__ import annotations

import csv
import html
import io
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from .errors import KgError, QueryError

_PREFIXES = """PREFIX gkg: <https://w3id.org/geokg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# Shown on the HTML page and timed by bench/bench_store.py; portable (own PREFIX lines).
EXAMPLE_QUERIES: list[tuple[str, str]] = [
    ("Who meets whom", _PREFIXES + """SELECT DISTINCT ?a ?aLabel ?b ?bLabel WHERE {
  ?a gkg:meets ?b .
  ?a rdfs:label ?aLabel .
  ?b rdfs:label ?bLabel .
  FILTER(STR(?aLabel) < STR(?bLabel))
}
ORDER BY ?aLabel ?bLabel
LIMIT 100"""),
    ("Statements with their evidence", _PREFIXES + """SELECT ?relation ?agentLabel ?targetLabel ?modality ?sentence WHERE {
  ?st a gkg:Statement ;
      gkg:relation ?relation ;
      gkg:agent ?agent ;
      gkg:modality ?modality ;
      gkg:evidence ?ev .
  ?agent rdfs:label ?agentLabel .
  ?ev gkg:text ?sentence .
  OPTIONAL { ?st gkg:target ?target . ?target rdfs:label ?targetLabel }
}
LIMIT 100"""),
    ("Most active actors", _PREFIXES + """SELECT ?agent (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?st) AS ?statements) WHERE {
  ?st gkg:agent ?agent .
  ?agent rdfs:label ?label .
}
GROUP BY ?agent
ORDER BY DESC(?statements)
LIMIT 20"""),
    ("Two hops: who meets someone who meets X", _PREFIXES + """SELECT DISTINCT ?a ?b ?c WHERE {
  ?a gkg:meets ?b .
  ?b gkg:meets ?c .
  FILTER(?a != ?c)
}
LIMIT 100"""),
    ("Statements by relation and modality", _PREFIXES + """SELECT ?relation ?modality (COUNT(*) AS ?n) WHERE {
  ?st a gkg:Statement ; gkg:relation ?relation ; gkg:modality ?modality .
}
GROUP BY ?relation ?modality
ORDER BY ?relation ?modality"""),
    ("Documents (named graphs) by size", """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY DESC(?triples)
LIMIT 20"""),
]

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
}
_CONTENT_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
}
_FORMAT_PARAM = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                 "nt": "nt", "ntriples": "nt", "n-triples": "nt"}
MAX_BODY = 10 * 1024 * 1024
_XML_FORBIDDEN = {c for c in range(0x20) if c not in (0x9, 0xA, 0xD)} | {0xFFFE, 0xFFFF}


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Settings:
    timeout: float = 30.0
    max_rows: int = 10_000
    workers: int = 4
    allow_update: bool = False
    reload_interval: float = 2.0


class Endpoint:
    """The SPARQL service over one kg store; thread-safe."""

    def __init__(self, graph_store, settings: Settings) -> None:
        self.graph_store = graph_store
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="kg-query")
        self._update_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._last_check = time.monotonic()

    # --- store freshness ---------------------------------------------------------------

    def maybe_reload(self) -> None:
        """Pick up a snapshot committed by `kg build` meanwhile (read-only mode only)."""
        if self.settings.allow_update:
            return
        now = time.monotonic()
        if now - self._last_check < self.settings.reload_interval:
            return
        self._last_check = now
        if not self.graph_store.changed_on_disk() or not self._reload_lock.acquire(blocking=False):
            return
        threading.Thread(target=self._reload, name="kg-reload", daemon=True).start()

    def _reload(self) -> None:
        from .store import GraphStore

        try:
            fresh = GraphStore.open(self.graph_store.directory, read_only=True)
            fresh.oxigraph  # build the merged default graph before any query sees this store
            self.graph_store = fresh  # queries already running keep the old store
            print(f"kg serve: reloaded {fresh.directory} ({len(fresh)} quads)", file=sys.stderr, flush=True)
        except KgError as exc:
            print(f"kg serve: reload failed, still serving the previous graph: {exc}", file=sys.stderr, flush=True)
        finally:
            self._reload_lock.release()

    # --- queries -----------------------------------------------------------------------

    def run_query(self, sparql: str, default_graphs: list[str], named_graphs: list[str]):
        """Evaluate with the time and size limits; returns ("boolean", bool) | ("solutions", vars, rows) | ("triples", list)."""
        deadline = time.monotonic() + self.settings.timeout
        store = self.graph_store.oxigraph
        future = self.pool.submit(self._evaluate, store, sparql, default_graphs, named_graphs, deadline)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()) + 0.05)
        except FutureTimeout:
            raise HttpError(503, f"query timed out after {self.settings.timeout:g} s "
                                 "(kg serve --timeout); narrow the query or add LIMIT") from None

    def _evaluate(self, store, sparql, default_graphs, named_graphs, deadline):
        import pyoxigraph as ox

        from .store import run_query

        if time.monotonic() > deadline:
            raise HttpError(503, "query timed out while waiting for a free worker")
        result = run_query(store, sparql, default_graph=default_graphs, named_graphs=named_graphs)
        limit = self.settings.max_rows
        if isinstance(result, ox.QueryBoolean):
            return ("boolean", bool(result))
        def collect(items, what: str) -> list:
            rows = []
            for item in items:
                if time.monotonic() > deadline:
                    raise HttpError(503, f"query timed out after {self.settings.timeout:g} s")
                if len(rows) >= limit:
                    raise HttpError(500, f"result too large: more than {limit} {what} "
                                         "(kg serve --max-rows); add LIMIT to the query")
                rows.append(item)
            return rows

        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return ("solutions", names, collect((tuple(s[n] for n in names) for s in result), "rows"))
        return ("triples", collect(result, "triples"))

    def run_update(self, sparql: str) -> None:
        if not self.settings.allow_update:
            raise HttpError(403, "updates are disabled: this endpoint is read-only "
                                 "(start kg serve with --allow-update to allow them)")
        with self._update_lock:
            try:
                self.graph_store.oxigraph.update(sparql)
            except SyntaxError as exc:
                raise HttpError(400, f"invalid SPARQL update: {str(exc).strip().splitlines()[0]}") from None
            except (OSError, ValueError, RuntimeError) as exc:
                raise HttpError(400, f"update failed: {str(exc).strip().splitlines()[0]}") from None
            # The default graph is the merge of the document graphs: direct edits to it are
            # not kept, edits to named graphs show up in it.
            self.graph_store.rebuild_default_graph()
            self.graph_store.mark_changed()
            self.graph_store.commit()


# --- content negotiation and result writers ---------------------------------------------


def negotiate(accept: str | None, offered: dict[str, str], default: str) -> str:
    """The format for the best media range in `accept` that we offer (406 if none)."""
    if not accept:
        return default
    ranges = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((-q, -specificity, index, media))
    for neg_q, _, _, media in sorted(ranges):
        if neg_q == 0:
            continue
        if media in offered:
            return offered[media]
        if media == "*/*":
            return default
        if media.endswith("/*"):
            major = media[:-1]
            for offer, fmt in offered.items():
                if offer.startswith(major):
                    return fmt
    raise HttpError(406, f"cannot answer in {accept!r}; offered: {', '.join(offered)}")


def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _xml_text(text: str) -> str:
    bad = next((c for c in text if ord(c) in _XML_FORBIDDEN), None)
    if bad is not None:
        raise HttpError(406, f"the result contains U+{ord(bad):04X}, which XML 1.0 cannot carry; "
                             "ask for application/sparql-results+json")
    # XML parsers turn a raw CR (or CR LF) into LF; a character reference keeps it.
    return xml_escape(text).replace("\r", "&#13;")


def _xml_term(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def _csv_value(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def write_solutions(fmt: str, names: list[str], rows: list[tuple]) -> bytes:
    if fmt == "json":
        bindings = [{name: _json_term(term) for name, term in zip(names, row, strict=True) if term is not None}
                    for row in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(n)}/>" for n in names), "</head><results>"]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                       for n, t in zip(names, row, strict=True) if t is not None)
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join("?" + n for n in names)]
    lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_boolean(fmt: str, value: bool) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode("utf-8")
    # CSV/TSV define no boolean form; this is what most endpoints send.
    return (("_askResult\r\n" if fmt == "csv" else "?_askResult\n") + ("true" if value else "false") + "\n").encode()


def write_triples(fmt: str, triples: list) -> bytes:
    import pyoxigraph as ox

    from .rdf import PREFIXES

    if fmt == "turtle":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


# --- HTTP ------------------------------------------------------------------------------


def render_page(endpoint_path: str = "/sparql") -> bytes:
    """The HTML page at `/`: a query box, example queries and a results table."""
    template = (Path(__file__).parent / "templates" / "endpoint.html").read_text(encoding="utf-8")
    buttons = "\n".join(
        f'<button type="button" class="example" data-query="{html.escape(query, quote=True)}">'
        f"{html.escape(title)}</button>"
        for title, query in EXAMPLE_QUERIES
    )
    page = (template.replace("{{EXAMPLES}}", buttons)
            .replace("{{ENDPOINT}}", html.escape(endpoint_path, quote=True))
            .replace("{{FIRST_QUERY}}", html.escape(EXAMPLE_QUERIES[0][1])))
    return page.encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-sparql/0.1"
    protocol_version = "HTTP/1.1"
    endpoint: Endpoint  # set on the subclass made by make_server
    quiet = False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        if not self.quiet:
            sys.stderr.write(f"kg serve: {self.address_string()} {format % args}\n")

    # CORS lets browser tools such as YASGUI call the endpoint from another origin.
    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Type, Content-Length")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.send_header("Cache-Control", "no-store")
        self._cors()
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib naming
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path in ("/", "/index.html"):
            self._send(200, render_page(), "text/html; charset=utf-8", {
                "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                                           "style-src 'unsafe-inline'; connect-src 'self'",
                "X-Content-Type-Options": "nosniff"})
            return
        if parts.path != "/sparql":
            self._error(404, f"not found: {parts.path}; the SPARQL endpoint is /sparql")
            return
        params = parse_qs(parts.query, keep_blank_values=True)
        if "update" in params:
            self._error(405 if self.endpoint.settings.allow_update else 403,
                        "updates must be sent with POST" if self.endpoint.settings.allow_update
                        else "updates are disabled: this endpoint is read-only")
            return
        self._handle(params, None)

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path != "/sparql":
            self._error(404, f"not found: {parts.path}; the SPARQL endpoint is /sparql")
            return
        try:
            body = self._read_body()
        except HttpError as exc:
            self.close_connection = True
            self._error(exc.status, exc.message)
            return
        params = parse_qs(parts.query, keep_blank_values=True)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._error(400, "the request body is not UTF-8")
            return
        if content_type == "application/x-www-form-urlencoded":
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            self._handle(params, None)
        elif content_type == "application/sparql-query":
            self._handle(params, text)
        elif content_type == "application/sparql-update":
            self._handle({**params, "update": [text]}, None)
        else:
            self._error(415, "POST needs Content-Type application/sparql-query, application/sparql-update "
                             "or application/x-www-form-urlencoded")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise HttpError(411, "chunked request bodies are not supported; send Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise HttpError(411, "POST needs a Content-Length header")
        try:
            size = int(length)
        except ValueError:
            raise HttpError(400, "bad Content-Length") from None
        if size < 0 or size > MAX_BODY:
            raise HttpError(413, f"request body too large (limit {MAX_BODY} bytes)")
        return self.rfile.read(size)

    def _handle(self, params: dict[str, list[str]], direct_query: str | None) -> None:
        endpoint = self.endpoint
        endpoint.maybe_reload()
        started = time.monotonic()
        try:
            queries = params.get("query", [])
            updates = params.get("update", [])
            if direct_query is not None:
                queries = [direct_query]
            if updates and queries:
                raise HttpError(400, "send either a query or an update, not both")
            if updates:
                if len(updates) != 1:
                    raise HttpError(400, "send exactly one update")
                endpoint.run_update(updates[0])
                self._send(204, b"", "text/plain; charset=utf-8")
                return
            if len(queries) != 1 or not queries[0].strip():
                raise HttpError(400, "missing query: send ?query=... (GET), a form with query=... "
                                     "or an application/sparql-query body (POST)")
            fmt_param = params.get("format", [None])[0]
            outcome = endpoint.run_query(queries[0], params.get("default-graph-uri", []),
                                         params.get("named-graph-uri", []))
            kind = outcome[0]
            offered = GRAPH_TYPES if kind == "triples" else SELECT_TYPES
            default = "turtle" if kind == "triples" else "json"
            if fmt_param:
                fmt = _FORMAT_PARAM.get(fmt_param.lower())
                if fmt not in offered.values():
                    raise HttpError(406, f"format={fmt_param!r} does not fit this query; offered: "
                                         f"{', '.join(sorted(set(offered.values())))}")
            else:
                fmt = negotiate(self.headers.get("Accept"), offered, default)
            if kind == "boolean":
                body = write_boolean(fmt, outcome[1])
            elif kind == "solutions":
                body = write_solutions(fmt, outcome[1], outcome[2])
            else:
                body = write_triples(fmt, outcome[1])
            elapsed = f"{(time.monotonic() - started) * 1000:.1f}"
            self._send(200, body, _CONTENT_TYPE[fmt], {"X-Query-Time-Ms": elapsed})
        except HttpError as exc:
            self._error(exc.status, exc.message)
        except QueryError as exc:
            self._error(400, str(exc))
        except KgError as exc:
            self._error(400, str(exc))


def make_server(graph_store, host: str = "127.0.0.1", port: int = 7878, settings: Settings | None = None,
                quiet: bool = False) -> ThreadingHTTPServer:
    """A ready (bound, not yet serving) HTTP server for `graph_store`."""
    endpoint = Endpoint(graph_store, settings or Settings())
    handler = type("KgHandler", (Handler,), {"endpoint": endpoint, "quiet": quiet})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server
