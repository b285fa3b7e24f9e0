"""Upload a kg graph into another triple store over HTTP.

One named graph per document, sent with the SPARQL 1.1 Graph Store HTTP Protocol: the
first chunk of a graph with PUT (replacing what the store held under that name), the
rest with POST (appending). The body is sorted N-Triples sent as text/turtle (every
N-Triples document is Turtle, and some stores accept only Turtle). If the store has no
Graph Store endpoint (404, 405, 415, 501 on the first request) and an update endpoint
is known, SPARQL 1.1 Update is used instead: DROP SILENT GRAPH, then INSERT DATA chunks.

Any HTTP failure stops the push with an error that says which graphs were complete;
re-running replaces them, so a retry is safe. With a query endpoint to verify against,
every graph's triple count is checked after the upload.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import KgError
from .iri import check_iri

_FALLBACK_STATUS = {404, 405, 415, 501}


class PushError(KgError):
    """The target store refused or failed part of a push."""


@dataclass
class Target:
    """Where and how to push."""

    endpoint: str | None = None          # Graph Store Protocol URL
    update_endpoint: str | None = None   # SPARQL Update URL (fallback or --protocol update)
    query_endpoint: str | None = None    # SPARQL query URL for verification
    user: str | None = None
    password: str | None = None
    auth: str = "auto"                   # auto | basic | digest
    protocol: str = "auto"               # auto | gsp | update
    chunk_size: int = 50_000             # triples per request
    timeout: float = 120.0
    prune: bool = False                  # delete target document graphs that the source lacks


@dataclass
class Report:
    graphs: list[tuple[str, int]] = field(default_factory=list)  # (graph IRI, triples) completed
    requests: int = 0
    protocol: str = "gsp"
    verified: bool = False
    pruned: list[str] = field(default_factory=list)   # graph IRIs deleted at the target
    stale: list[str] = field(default_factory=list)    # document graphs at the target not in the source

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)


def graph_units(store, single_graph: str | None = None) -> list[tuple[str, list[bytes]]]:
    """(graph IRI, sorted N-Triples lines) for each graph to upload."""
    import pyoxigraph as ox

    from .serialize import _check_no_blank_nodes, _sorted_lines, sorted_ntriples

    _check_no_blank_nodes(store)
    if single_graph:
        return [(check_iri(single_graph), _sorted_lines(sorted_ntriples(store)))]
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        raise KgError("the graph has triples outside named graphs (e.g. a Turtle or N-Triples file); "
                      "give --graph IRI to push everything into one graph, or push a store, TriG or N-Quads")
    units = []
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        lines = _sorted_lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
        units.append((check_iri(graph.value), lines))
    return units


def _auth(target: Target):
    import httpx

    if not target.user:
        return None
    password = target.password or ""
    if target.auth == "basic":
        return httpx.BasicAuth(target.user, password)
    if target.auth == "digest":
        return httpx.DigestAuth(target.user, password)
    return _AutoAuth(target.user, password)


def _make_auto_auth():
    import httpx

    class AutoAuth(httpx.Auth):
        """Answer the server's challenge with Basic or Digest, then keep that scheme."""

        def __init__(self, user: str, password: str) -> None:
            self.user, self.password = user, password
            self.chosen: httpx.Auth | None = None

        def auth_flow(self, request):
            if self.chosen is not None:
                yield from self.chosen.auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
            if scheme == "digest":
                self.chosen = httpx.DigestAuth(self.user, self.password)
                flow = self.chosen.auth_flow(request)
                next(flow)  # the unauthenticated request, already answered above
                try:
                    retry = flow.send(response)
                except StopIteration:
                    return
                yield retry
            elif scheme == "basic":
                self.chosen = httpx.BasicAuth(self.user, self.password)
                yield from self.chosen.auth_flow(request)

    return AutoAuth


def _AutoAuth(user: str, password: str):  # noqa: N802 - a class made lazily (httpx import)
    return _make_auto_auth()(user, password)


def _first_line(text: str, limit: int = 300) -> str:
    for line in text.splitlines():
        line = re.sub(r"<[^>]+>", " ", line).strip()  # HTML error pages: keep the words
        if line:
            return line[:limit]
    return ""


def _done_so_far(report: Report, total: int) -> str:
    return (f"{len(report.graphs)} of {total} graphs were uploaded completely before the failure; "
            "re-run kg push to replace them all")


def push_store(store, target: Target, single_graph: str | None = None,
               progress: Callable[[str, int], None] | None = None) -> Report:
    """Upload every graph of a pyoxigraph store; PushError on any failure."""
    try:
        import httpx
    except ModuleNotFoundError:
        raise KgError("kg push needs the httpx package: pip install httpx") from None

    if target.protocol not in ("auto", "gsp", "update"):
        raise KgError(f"unknown protocol {target.protocol!r}")
    if target.protocol in ("auto", "gsp") and not target.endpoint:
        if target.protocol == "gsp" or not target.update_endpoint:
            raise KgError("give --endpoint (Graph Store Protocol URL) or --update-endpoint")
    if target.protocol == "update" and not target.update_endpoint:
        raise KgError("--protocol update needs --update-endpoint")
    if target.chunk_size < 1:
        raise KgError("--chunk-size must be at least 1")
    if target.prune and single_graph:
        raise KgError("--prune works on document graphs; it cannot be combined with --graph")
    if target.prune and not target.query_endpoint:
        raise KgError("--prune needs the target's query endpoint (--verify URL) to list its graphs")
    units = graph_units(store, single_graph)
    report = Report(protocol="update" if target.protocol == "update" or not target.endpoint else "gsp")
    with httpx.Client(auth=_auth(target), timeout=httpx.Timeout(target.timeout, connect=15.0),
                      follow_redirects=False) as client:
        for graph, lines in units:
            chunks = [lines[i:i + target.chunk_size] for i in range(0, len(lines), target.chunk_size)] or [[]]
            for index, chunk in enumerate(chunks):
                where = f"graph <{graph}> (chunk {index + 1}/{len(chunks)})"
                if report.protocol == "gsp":
                    unsupported = _gsp_request(client, target, graph, chunk, replace=index == 0, where=where,
                                               report=report, total=len(units))
                    if unsupported is None:
                        continue
                    report.protocol = "update"  # no Graph Store endpoint: fall back, from the start
                _update_request(client, target, graph, chunk, replace=index == 0, where=where,
                                report=report, total=len(units))
            report.graphs.append((graph, len(lines)))
            if progress:
                progress(graph, len(lines))
        if target.query_endpoint:
            local = {graph for graph, _ in units}
            extra = [g for g in remote_document_graphs(client, target.query_endpoint) if g not in local]
            if target.prune:
                for graph in extra:
                    _delete_graph(client, target, graph, report, len(units))
                    report.pruned.append(graph)
            verify(client, target.query_endpoint, units)
            # Pruned graphs must be gone; graphs left (no --prune) are reported, not hidden.
            report.stale = [g for g in remote_document_graphs(client, target.query_endpoint) if g not in local]
            if target.prune and report.stale:
                raise PushError(f"verification failed at {target.query_endpoint}: {len(report.stale)} pruned "
                                f"graphs are still there, e.g. <{report.stale[0]}>")
            report.verified = True
    return report


def remote_document_graphs(client, query_endpoint: str) -> list[str]:
    """IRIs of the kg document graphs (…/id/doc/…) that a SPARQL endpoint holds, sorted."""
    import httpx

    from ..iris import DATA

    prefix = DATA + "doc/"
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    try:
        response = client.post(query_endpoint, data={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
    except httpx.HTTPError as exc:
        raise PushError(f"listing the graphs at {query_endpoint} failed: {exc}") from None
    if not response.is_success:
        raise PushError(f"listing the graphs at {query_endpoint} failed: HTTP {response.status_code} "
                        f"{_first_line(response.text)}")
    try:
        names = [row["g"]["value"] for row in response.json()["results"]["bindings"] if "g" in row]
    except (ValueError, KeyError, TypeError) as exc:
        raise PushError(f"listing the graphs at {query_endpoint}: unexpected answer ({exc})") from None
    # Only graphs of kg documents: a shared target may hold graphs that are not ours.
    return sorted(n for n in names if n.startswith(prefix))


def _delete_graph(client, target: Target, graph: str, report: Report, total: int) -> None:
    where = f"pruning graph <{graph}>"
    if report.protocol == "gsp" and target.endpoint:
        response = _send(client, "DELETE", target.endpoint, where, report, total, params={"graph": graph})
        if response.is_success or response.status_code == 404:
            return
        if not (response.status_code in _FALLBACK_STATUS and target.update_endpoint):
            raise _fail(response, "DELETE", target.endpoint, where, report, total)
    if not target.update_endpoint:
        raise PushError(f"cannot prune <{graph}>: no Graph Store or update endpoint accepted a delete")
    body = f"DROP SILENT GRAPH <{check_iri(graph)}>".encode("utf-8")
    response = _send(client, "POST", target.update_endpoint, where, report, total, content=body,
                     headers={"Content-Type": "application/sparql-update; charset=utf-8"})
    if not response.is_success:
        raise _fail(response, "POST", target.update_endpoint, where, report, total)


def _send(client, method: str, url: str, where: str, report: Report, total: int, **kwargs):
    import httpx

    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise PushError(f"{method} {url} timed out for {where}; {_done_so_far(report, total)}") from None
    except httpx.HTTPError as exc:
        raise PushError(f"{method} {url} failed for {where}: {exc}; {_done_so_far(report, total)}") from None
    report.requests += 1
    return response


def _fail(response, method: str, url: str, where: str, report: Report, total: int) -> PushError:
    detail = _first_line(response.text)
    hint = ""
    if response.status_code == 401:
        hint = " (check --user/--password or KG_PUSH_USER/KG_PUSH_PASSWORD)"
    elif response.status_code == 403:
        hint = " (the account may lack write permission)"
    return PushError(f"HTTP {response.status_code} {response.reason_phrase} from {method} {url} for {where}"
                     f"{hint}{': ' + detail if detail else ''}; {_done_so_far(report, total)}")


def _gsp_request(client, target: Target, graph: str, chunk: list[bytes], replace: bool, where: str,
                 report: Report, total: int) -> int | None:
    """Send one chunk; None on success, the status if GSP looks unsupported (auto mode)."""
    method = "PUT" if replace else "POST"
    body = b"".join(line + b"\n" for line in chunk)
    response = _send(client, method, target.endpoint, where, report, total, params={"graph": graph},
                     content=body, headers={"Content-Type": "text/turtle; charset=utf-8"})
    if response.is_success:
        return None
    if (response.status_code in _FALLBACK_STATUS and target.protocol == "auto" and target.update_endpoint
            and replace and not report.graphs):
        return response.status_code
    raise _fail(response, method, target.endpoint, where, report, total)


def _update_request(client, target: Target, graph: str, chunk: list[bytes], replace: bool, where: str,
                    report: Report, total: int) -> None:
    # The graph IRI is checked by check_iri and the triples are canonical N-Triples written
    # by Oxigraph, so both are safe to place in the update text.
    name = f"<{check_iri(graph)}>"
    parts = []
    if replace:
        parts.append(f"DROP SILENT GRAPH {name}")
    if chunk:
        triples = b"\n".join(chunk).decode("utf-8")
        parts.append(f"INSERT DATA {{ GRAPH {name} {{\n{triples}\n}} }}")
    if not parts:
        return
    body = " ;\n".join(parts).encode("utf-8")
    response = _send(client, "POST", target.update_endpoint, where, report, total, content=body,
                     headers={"Content-Type": "application/sparql-update; charset=utf-8"})
    if not response.is_success:
        raise _fail(response, "POST", target.update_endpoint, where, report, total)


def remote_count(client, query_endpoint: str, graph: str) -> int:
    """Number of triples in `graph` at a SPARQL query endpoint."""
    import httpx

    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{check_iri(graph)}> {{ ?s ?p ?o }} }}"
    try:
        response = client.post(query_endpoint, data={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
    except httpx.HTTPError as exc:
        raise PushError(f"verification query to {query_endpoint} failed: {exc}") from None
    if not response.is_success:
        raise PushError(f"verification query to {query_endpoint} failed: HTTP {response.status_code} "
                        f"{_first_line(response.text)}")
    try:
        bindings = response.json()["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError) as exc:
        raise PushError(f"verification query to {query_endpoint}: unexpected answer ({exc})") from None


def verify(client, query_endpoint: str, units: list[tuple[str, list[bytes]]]) -> None:
    """PushError unless every graph holds exactly as many triples remotely as locally."""
    wrong = []
    for graph, lines in units:
        found = remote_count(client, query_endpoint, graph)
        if found != len(lines):
            wrong.append(f"<{graph}> has {found} triples, expected {len(lines)}")
    if wrong:
        more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
        raise PushError(f"verification failed at {query_endpoint}: {'; '.join(wrong[:3])}{more}")
