"""A SPARQL 1.1 Protocol endpoint over a kg store that untrusted clients cannot take down.

Layout, and why:

* Queries run in worker processes, never in the server process: Oxigraph cannot cancel
  a query, so a query still running at the timeout is ended by killing its worker, which
  is replaced at once. The workers are forked from one "zygote" process that loaded the
  store snapshot once, so a replacement costs a fork (milliseconds), and the store's
  memory is shared copy-on-write. Each worker's address space is capped (RLIMIT_AS:
  its size after the fork plus `query_memory_mb`), so a sort over a cross product ends
  that worker, not the machine.
* Every query is checked before any parser sees it (kg.rdfio.sparql_guard): size, nesting depth
  (Oxigraph's recursive parser overflows its stack on 5,000 nested parentheses) and
  SERVICE / LOAD, which are refused unless the operator enabled them, so a client
  cannot make the server fetch URLs (SSRF).
* Connections are multiplexed by one selector thread; only a connection with a request
  to read takes a handler thread (a small fixed pool). Idle connections are closed after
  `idle_timeout`, the oldest idle one when `max_connections` is reached.
* The Host header must name the bound address, a loopback name, an IP address or an
  `allowed_hosts` entry (DNS rebinding); CORS headers only for `cors_origins`. Updates
  (only with --allow-update) need Content-Type application/sparql-update, which no HTML
  form can send, and no foreign Origin, or the `update_token`.
"""

from __future__ import annotations

import html
import os
import queue
import selectors
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..errors import KgError, QueryError
from .prefixes import prefix_lines
from .results import UnwritableResult, write_boolean, write_solutions, write_triples

_PREFIXES = prefix_lines("gkg", "rdfs")

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
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "text/x-nquads": "nquads",
}
_CONTENT_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
_FORMAT_PARAM = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                 "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples", "rdfxml": "rdfxml", "rdf": "rdfxml",
                 "rdf+xml": "rdfxml", "jsonld": "jsonld", "json-ld": "jsonld", "trig": "trig", "nq": "nquads",
                 "nquads": "nquads", "n-quads": "nquads"}
MAX_BODY = 10 * 1024 * 1024
ENDPOINT_PATHS = ("/sparql", "/query")
STORE_PATH = "/store"
ONTOLOGY_GRAPH = "https://w3id.org/geokg/ontology"


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
    allow_service: bool = False
    allow_load: bool = False
    query_memory_mb: int = 2048
    max_connections: int = 256
    idle_timeout: float = 15.0
    allowed_hosts: list[str] = field(default_factory=list)
    cors_origins: list[str] = field(default_factory=list)
    update_token: str | None = None

    def worker_view(self) -> dict:
        """What a worker process needs (no token)."""
        return {k: v for k, v in asdict(self).items() if k != "update_token"}


# --- worker side: the zygote loads the store, forked workers answer one job at a time ----


def load_serving_store(directory: str):
    """The store snapshot in memory, merged default graph built, ontology as a named graph."""
    import pyoxigraph as ox

    from ..resources import data_path
    from .store import GraphStore

    graph_store = GraphStore.open(directory, read_only=True)
    store = graph_store.oxigraph  # builds the merged default graph before the ontology joins
    quads = len(graph_store)
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    store.load(path=str(data_path("geo.ttl")), format=ox.RdfFormat.TURTLE, to_graph=ontology)
    return store, quads


def evaluate(store, job: dict, settings: dict) -> dict:
    """Answer one job; returns {"status", "type", "body", "headers"}; never raises."""
    try:
        kind = job["kind"]
        if kind == "query":
            return _answer_query(store, job, settings)
        if kind == "graph":
            return _answer_graph(store, job, settings)
        if kind == "service":
            return _answer_service_description(store, job, settings)
        raise HttpError(500, f"unknown job {kind!r}")
    except HttpError as exc:
        return _text_reply(exc.status, exc.message)
    except UnwritableResult as exc:
        return _text_reply(406, str(exc))
    except QueryError as exc:
        return _text_reply(400, str(exc))
    except KgError as exc:
        return _text_reply(400, str(exc))
    except MemoryError:
        return _text_reply(503, f"the query needed more than {settings['query_memory_mb']} MB "
                                "(kg serve --query-memory); narrow the query or add LIMIT")
    except Exception as exc:  # noqa: BLE001 - the worker stays up; the client gets one line
        return _text_reply(500, f"internal error: {type(exc).__name__}: {str(exc).strip()[:300]}")


def _text_reply(status: int, message: str) -> dict:
    return {"status": status, "type": "text/plain; charset=utf-8", "body": (message + "\n").encode("utf-8"),
            "headers": {}}


# ?format= names as clients send them for graph results (SPARQLWrapper sends format=xml and
# format=n3 with its default CONSTRUCT), where "xml" can only mean RDF/XML.
_GRAPH_FORMAT_PARAM = {"xml": "rdfxml", "n3": "turtle", "json": "jsonld"}


def _choose(job: dict, offered: dict[str, str], default: str) -> str:
    """?format= if it names a format that fits this result, else the Accept header."""
    fmt_param = (job.get("format") or "").lower()
    if fmt_param:
        fmt = _FORMAT_PARAM.get(fmt_param)
        if offered is GRAPH_TYPES:
            fmt = _GRAPH_FORMAT_PARAM.get(fmt_param, fmt)
        if fmt in offered.values():
            return fmt
    return negotiate(job.get("accept"), offered, default)


def _limit_headers(truncated: bool, limit: int) -> dict:
    # Virtuoso's header name for the same cut, so clients that know it see it.
    return {"X-SPARQL-MaxRows": str(limit), "X-Kg-Result-Truncated": "true"} if truncated else {}


def _answer_query(store, job: dict, settings: dict) -> dict:
    import pyoxigraph as ox

    from .store import run_query

    result = run_query(store, job["sparql"], default_graph=job.get("default_graphs") or None,
                       named_graphs=job.get("named_graphs") or None)
    limit = settings["max_rows"]
    truncated = False
    if isinstance(result, ox.QueryBoolean):
        fmt = _choose(job, SELECT_TYPES, "json")
        body = write_boolean(result, fmt)
    elif isinstance(result, ox.QuerySolutions):
        fmt = _choose(job, SELECT_TYPES, "json")
        body, truncated = write_solutions(result, fmt, limit)
    else:
        fmt = _choose(job, GRAPH_TYPES, "turtle")
        body, truncated = write_triples(result, fmt, limit=limit)
    return {"status": 200, "type": _CONTENT_TYPE[fmt], "body": body, "headers": _limit_headers(truncated, limit)}


def _answer_graph(store, job: dict, settings: dict) -> dict:
    """Graph Store Protocol GET: one named graph (?graph=IRI) or the default graph (?default)."""
    import pyoxigraph as ox

    fmt = _choose(job, GRAPH_TYPES, "turtle")
    if job.get("graph") is None:
        graph = ox.DefaultGraph()
    else:
        graph = ox.NamedNode(_graph_iri(job["graph"]))
        if not store.contains_named_graph(graph):
            raise HttpError(404, f"no graph <{job['graph']}> in this store")
    limit = settings["max_rows"]
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph))
    body, truncated = write_triples(triples, fmt, graph=graph if isinstance(graph, ox.NamedNode) else None,
                                    limit=limit)
    return {"status": 200, "type": _CONTENT_TYPE[fmt], "body": body, "headers": _limit_headers(truncated, limit)}


def _graph_iri(value: str) -> str:
    """A graph IRI from a request, by kg's one IRI check; 400 if it is none."""
    from .iri import check_iri

    try:
        return check_iri(value)
    except KgError as exc:
        raise HttpError(400, str(exc)) from None


def _answer_service_description(store, job: dict, settings: dict) -> dict:
    """The SPARQL 1.1 Service Description of this endpoint, built from terms (no string splicing)."""
    import pyoxigraph as ox

    fmt = _choose(job, GRAPH_TYPES, "turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    void = "http://rdfs.org/ns/void#"
    try:
        service = ox.NamedNode(job["endpoint"])
    except ValueError:
        raise HttpError(400, "cannot describe the service: bad Host header") from None

    def n(iri: str):
        return ox.NamedNode(iri)

    dataset = n(job["endpoint"] + "#dataset")
    default = n(job["endpoint"] + "#default-graph")
    triples = [ox.Triple(service, rdf_type, n(sd + "Service")),
               ox.Triple(service, n(sd + "endpoint"), service),
               ox.Triple(service, n(sd + "supportedLanguage"), n(sd + "SPARQL11Query")),
               ox.Triple(service, n(sd + "defaultDataset"), dataset),
               ox.Triple(dataset, rdf_type, n(sd + "Dataset")),
               ox.Triple(dataset, n(sd + "defaultGraph"), default),
               ox.Triple(default, rdf_type, n(sd + "Graph")),
               ox.Triple(default, n("http://www.w3.org/2000/01/rdf-schema#comment"),
                         ox.Literal("The merge of all document graphs (each triple once); "
                                    "the ontology is the named graph " + ONTOLOGY_GRAPH, language="en"))]
    if settings["allow_update"]:
        triples.append(ox.Triple(service, n(sd + "supportedLanguage"), n(sd + "SPARQL11Update")))
    if settings["allow_service"]:
        triples.append(ox.Triple(service, n(sd + "feature"), n(sd + "BasicFederatedQuery")))
    for media in sorted(set(_CONTENT_TYPE.values())):
        triples.append(ox.Triple(service, n(sd + "resultFormat"),
                                 n("http://www.w3.org/ns/formats/" + _FORMAT_IRI[media.split(";")[0]])))
    count = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
    triples.append(ox.Triple(default, n(void + "triples"), count))
    for index, graph in enumerate(sorted(store.named_graphs(), key=lambda g: g.value)):
        node = n(f"{job['endpoint']}#named-graph-{index}")
        triples += [ox.Triple(dataset, n(sd + "namedGraph"), node),
                    ox.Triple(node, rdf_type, n(sd + "NamedGraph")),
                    ox.Triple(node, n(sd + "name"), graph)]
    return {"status": 200, "type": _CONTENT_TYPE[fmt], "body": write_triples(triples, fmt)[0], "headers": {}}


_FORMAT_IRI = {"application/sparql-results+json": "SPARQL_Results_JSON",
               "application/sparql-results+xml": "SPARQL_Results_XML",
               "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
               "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/rdf+xml": "RDF_XML",
               "application/ld+json": "JSON-LD", "application/trig": "TriG", "application/n-quads": "N-Quads"}


def _worker_loop(conn, store, settings: dict) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        reply = evaluate(store, job, settings)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _cap_memory(budget_mb: int) -> None:
    import resource

    with open("/proc/self/statm") as fh:
        size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + budget_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborted worker leaves no core file


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent ends (no orphaned runaway queries)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def zygote_main(fd: int) -> None:
    """Entry of the zygote process (`python -m kg.rdfio.server --zygote FD`)."""
    from multiprocessing.connection import Connection
    from multiprocessing.reduction import send_handle

    # No PR_SET_PDEATHSIG here: it fires when the server *thread* that started us ends. The
    # zygote waits on its pipe instead, which reports the server's end (EOF) at once.
    control = Connection(fd)
    directory, settings = control.recv()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's; it ends us by closing the pipe
    try:
        store, quads = load_serving_store(directory)
    except KgError as exc:
        control.send(("error", str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the server, which prints one line
        control.send(("error", f"cannot load the store {directory}: {exc}"))
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked workers are reaped by the kernel
    control.send(("ready", quads))
    while True:
        try:
            message = control.recv()
        except (EOFError, OSError):
            return
        if message != "fork":
            continue
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                _die_with_parent()
                control.close()
                ours.close()
                _cap_memory(settings["query_memory_mb"])
                _worker_loop(Connection(theirs.detach()), store, settings)
            finally:
                os._exit(0)
        theirs.close()
        control.send(pid)
        send_handle(control, ours.fileno(), os.getppid())
        ours.close()


# --- server side: zygote and worker pool -------------------------------------------------


class Zygote:
    """A child process holding the loaded store, forking query workers on request."""

    def __init__(self, directory: Path, settings: Settings, start_timeout: float = 900.0) -> None:
        from multiprocessing.connection import Connection
        import subprocess

        ours, theirs = socket.socketpair()
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.rdfio.server", "--zygote", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        theirs.close()
        self.control = Connection(ours.detach())
        self.control.send((str(directory), settings.worker_view()))
        if not self.control.poll(start_timeout):
            self.close()
            raise KgError(f"loading the store {directory} took more than {start_timeout:g} s")
        try:
            status, value = self.control.recv()
        except (EOFError, OSError):
            self.close()
            raise KgError(f"the store {directory} could not be loaded (the loader process died)") from None
        if status != "ready":
            self.close()
            raise KgError(value)
        self.quads = value

    def fork(self) -> tuple[int, object]:
        from multiprocessing.connection import Connection
        from multiprocessing.reduction import recv_handle

        with self._lock:
            self.control.send("fork")
            pid = self.control.recv()
            return pid, Connection(recv_handle(self.control))

    def close(self, kill: bool = False) -> None:
        """End the zygote (closing its pipe ends it); its workers die with it."""
        try:
            self.control.close()
        except OSError:
            pass
        if kill:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a stuck loader is killed
            self.process.kill()
            self.process.wait()


@dataclass
class Worker:
    pid: int
    conn: object
    generation: int

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.close()

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass


class WorkerPool:
    """`size` worker processes; a job runs in one, which is killed and replaced at its deadline.

    Workers die with the zygote that forked them (PR_SET_PDEATHSIG), so the zygote of an
    older snapshot is kept until its last busy worker is done, and closing the pool (or
    the server dying) ends every worker, runaways included.
    """

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory
        self.settings = settings
        self.size = settings.workers
        self.generation = 1
        self.zygotes: dict[int, Zygote] = {1: Zygote(directory, settings)}
        self.quads = self.zygotes[1].quads
        self.idle: queue.Queue[Worker] = queue.Queue()
        self._busy: dict[int, int] = {}
        self._lock = threading.RLock()
        for _ in range(self.size):
            self.idle.put(self._fork())

    def _fork(self) -> Worker:
        with self._lock:
            generation = self.generation
            zygote = self.zygotes[generation]
            try:
                pid, conn = zygote.fork()
            except (OSError, EOFError):
                # The zygote died (killed from outside, out of memory): load the store again.
                print("kg serve: the store loader ended; loading the store again", file=sys.stderr, flush=True)
                self._swap(Zygote(self.directory, self.settings))
                generation = self.generation
                pid, conn = self.zygotes[generation].fork()
            return Worker(pid, conn, generation)

    def _replace(self, worker: Worker, kill: bool) -> None:
        worker.kill() if kill else worker.close()
        try:
            self.idle.put(self._fork())
        except (OSError, EOFError, KgError) as exc:
            print(f"kg serve: cannot start a query worker: {exc}", file=sys.stderr, flush=True)

    def run(self, job: dict, deadline: float, client_gone=None) -> dict:
        """Run `job` in a free worker, waiting for one until `deadline`; stop it if `client_gone()`."""
        while True:
            try:
                worker = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise HttpError(503, f"all {self.size} query workers stayed busy for {2 * self.settings.timeout:g} s "
                                     "(kg serve --timeout, --workers); try again") from None
            with self._lock:  # counted as busy before a reload could retire its zygote
                current = worker.generation == self.generation
                if current:
                    self._busy[worker.generation] = self._busy.get(worker.generation, 0) + 1
            if current:
                break
            self._replace(worker, kill=False)  # a newer snapshot was loaded meanwhile
        # The timeout counts from the start of evaluation: a query that waited in line behind
        # runaways still gets its full time (the wait itself is bounded by the same timeout).
        deadline = time.monotonic() + self.settings.timeout
        try:
            try:
                worker.conn.send(job)
                while not worker.conn.poll(min(0.25, max(0.0, deadline - time.monotonic()))):
                    if time.monotonic() >= deadline:
                        self._replace(worker, kill=True)
                        raise HttpError(503, f"query timed out after {self.settings.timeout:g} s "
                                             "(kg serve --timeout) and was stopped; narrow the query or add LIMIT")
                    if client_gone is not None and client_gone():
                        self._replace(worker, kill=True)  # nobody waits for the answer: free the worker
                        raise HttpError(499, "client closed the connection")
                reply = worker.conn.recv()
            except (EOFError, OSError, ValueError):
                self._replace(worker, kill=True)
                raise HttpError(503, "the query was stopped: its worker ended, most likely because it needed "
                                     f"more than {self.settings.query_memory_mb} MB (kg serve --query-memory); "
                                     "narrow the query or add LIMIT") from None
            if worker.generation == self.generation:
                self.idle.put(worker)
            else:
                self._replace(worker, kill=False)
            return reply
        finally:
            with self._lock:
                self._busy[worker.generation] -= 1
                self._retire()

    def _swap(self, fresh: Zygote) -> None:
        with self._lock:
            self.generation += 1
            self.zygotes[self.generation] = fresh
            self.quads = fresh.quads
            self._retire()

    def _retire(self) -> None:
        for generation in [g for g in self.zygotes if g != self.generation and not self._busy.get(g)]:
            self.zygotes.pop(generation).close()

    def reload(self) -> None:
        """Load the snapshot afresh in a new zygote, then move every worker over to it."""
        fresh = Zygote(self.directory, self.settings)  # loads outside the lock: queries go on meanwhile
        stale = []
        with self._lock:
            while True:
                try:
                    stale.append(self.idle.get_nowait())
                except queue.Empty:
                    break
            for worker in stale:
                worker.close()
            self._swap(fresh)
        for _ in stale:
            self.idle.put(self._fork())

    def close(self) -> None:
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                break
        with self._lock:
            for zygote in self.zygotes.values():
                zygote.close(kill=True)  # its workers, busy ones too, die with it
            self.zygotes.clear()


class Endpoint:
    """The SPARQL service over one kg store folder; thread-safe."""

    def __init__(self, directory: Path, settings: Settings, graph_store=None) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self.graph_store = graph_store  # the writable store with --allow-update, else None
        self.pool = WorkerPool(self.directory, settings)
        self._update_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._last_check = time.monotonic()
        self._signature = self._snapshot_signature()

    @property
    def quads(self) -> int:
        return self.pool.quads

    def _snapshot_signature(self):
        from .store import SNAPSHOT

        try:
            st = (self.directory / SNAPSHOT).stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def maybe_reload(self) -> None:
        """Pick up a snapshot committed by `kg build` meanwhile (read-only mode only)."""
        if self.settings.allow_update:
            return
        now = time.monotonic()
        if now - self._last_check < self.settings.reload_interval:
            return
        self._last_check = now
        signature = self._snapshot_signature()
        if signature == self._signature or not self._reload_lock.acquire(blocking=False):
            return
        self._signature = signature
        threading.Thread(target=self._reload, name="kg-reload", daemon=True).start()

    def _reload(self) -> None:
        try:
            self.pool.reload()
            print(f"kg serve: reloaded {self.directory} ({self.pool.quads} quads)", file=sys.stderr, flush=True)
        except KgError as exc:
            print(f"kg serve: reload failed, still serving the previous graph: {exc}", file=sys.stderr, flush=True)
        finally:
            self._reload_lock.release()

    def check(self, text: str, what: str) -> None:
        from .sparql_guard import check

        try:
            check(text, allow_service=self.settings.allow_service, allow_load=self.settings.allow_load, what=what)
        except QueryError as exc:
            raise HttpError(400, str(exc)) from None

    def run(self, job: dict, client_gone=None) -> dict:
        # Waiting in line gets twice the timeout: runaways ahead are stopped after one.
        deadline = time.monotonic() + 2 * self.settings.timeout
        if job["kind"] != "query":
            return self.pool.run(job, deadline, client_gone)
        self.check(job["sparql"], "query")
        reply = self.pool.run(job, deadline, client_gone)
        warning = _unknown_terms_header(job["sparql"])
        if warning:
            reply = {**reply, "headers": {**(reply.get("headers") or {}), "X-Kg-Warning": warning}}
        return reply

    def run_update(self, sparql: str) -> None:
        if not self.settings.allow_update or self.graph_store is None:
            raise HttpError(403, "updates are disabled: this endpoint is read-only "
                                 "(start kg serve with --allow-update to allow them)")
        self.check(sparql, "update")
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
            self.pool.reload()  # the workers answer from the committed snapshot

    def close(self) -> None:
        self.pool.close()


def _unknown_terms_header(sparql: str) -> str | None:
    """The warning of `kg query` about unknown gkg: terms, as an ASCII header value."""
    from .query import unknown_terms_warning

    warning = unknown_terms_warning(sparql)
    if warning is None:
        return None
    # Header values are Latin-1 on the wire; local names may be any Unicode. The token
    # pattern of unknown_terms excludes whitespace, so no CR/LF reaches the header.
    return warning.encode("ascii", "backslashreplace").decode("ascii")


# --- content negotiation ------------------------------------------------------------------


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


# --- HTTP ------------------------------------------------------------------------------


def render_page(endpoint_path: str = "/sparql") -> bytes:
    """The HTML page at `/`: a query box, example queries and a results table."""
    template = (Path(__file__).parent.parent / "templates" / "endpoint.html").read_text(encoding="utf-8")
    buttons = "\n".join(
        f'<button type="button" class="example" data-query="{html.escape(query, quote=True)}">'
        f"{html.escape(title)}</button>"
        for title, query in EXAMPLE_QUERIES
    )
    page = (template.replace("{{EXAMPLES}}", buttons)
            .replace("{{ENDPOINT}}", html.escape(endpoint_path, quote=True))
            .replace("{{FIRST_QUERY}}", html.escape(EXAMPLE_QUERIES[0][1])))
    return page.encode("utf-8")


_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                                            "style-src 'unsafe-inline'; connect-src 'self'",
                 "X-Content-Type-Options": "nosniff"}
_ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"


def _split_host(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Handler(BaseHTTPRequestHandler):
    """One HTTP request (the connection is handed back to the server's selector afterwards)."""

    server_version = "kg-sparql/0.2"
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # errors for unparsable request lines get a status line too
    endpoint: Endpoint  # set on the subclass made by make_server
    quiet = False

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        if not self.quiet:
            sys.stderr.write(f"kg serve: {self.address_string()} {format % args}\n")

    # Plain text for the stock errors too (bad request line, unknown method, …).
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 501:  # a method http.server has no do_ for
            code, message = 405, f"method {self.command} not allowed; use {_ALLOWED_METHODS}"
        self.close_connection = True
        try:
            self._error(code, message or self.responses.get(code, ("error",))[0],
                        {"Allow": _ALLOWED_METHODS} if code == 405 else None)
        except OSError:
            pass

    def _cors(self) -> None:
        headers = getattr(self, "headers", None)  # unset when the request line itself was bad
        origin = headers.get("Origin") if headers else None
        allowed = self.endpoint.settings.cors_origins
        if "*" in allowed:
            self.send_header("Access-Control-Allow-Origin", "*")
        elif origin and origin in allowed:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        else:
            return
        self.send_header("Access-Control-Expose-Headers", "Content-Type, Content-Length, X-SPARQL-MaxRows, "
                                                          "X-Kg-Result-Truncated, X-Kg-Warning")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.send_header("Cache-Control", "no-store")
        if self.close_connection:
            self.send_header("Connection", "close")
        self._cors()
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", extra)

    def _reply(self, reply: dict, started: float) -> None:
        extra = dict(reply.get("headers") or {})
        extra["X-Query-Time-Ms"] = f"{(time.monotonic() - started) * 1000:.1f}"
        self._send(reply["status"], reply["body"], reply["type"], extra)

    def _host_ok(self) -> bool:
        """DNS rebinding: the Host header must name us, a loopback name, an IP or an allowed host."""
        value = self.headers.get("Host")
        if value is None:
            return True  # HTTP/1.0 without Host: no browser sends this
        allowed = self.endpoint.settings.allowed_hosts
        host = _split_host(value)
        if "*" in allowed or host in ("localhost", "localhost.") or _is_ip(host):
            return True
        if host in (h.lower() for h in allowed):
            return True
        self._error(403, f"Host {value!r} is not allowed (DNS rebinding protection); "
                         f"start kg serve with --allowed-host {host} to serve under that name")
        return False

    def _client_gone(self) -> bool:
        """True if the client closed its connection (EOF waiting on the socket)."""
        import select

        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _method_not_allowed(self) -> None:
        if not self._host_ok():
            return
        self._error(405, f"method {self.command} not allowed; use {_ALLOWED_METHODS}", {"Allow": _ALLOWED_METHODS})

    do_PUT = do_DELETE = do_PATCH = do_TRACE = do_CONNECT = _method_not_allowed  # noqa: N815

    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib naming
        if not self._host_ok():
            return
        self.send_response(204)
        self._cors()
        self.send_header("Allow", _ALLOWED_METHODS)
        self.send_header("Access-Control-Allow-Methods", _ALLOWED_METHODS)
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        parts = urlsplit(self.path)
        if parts.path in ("/", "/index.html"):
            self._send(200, render_page(), "text/html; charset=utf-8", _PAGE_HEADERS)
            return
        params = parse_qs(parts.query, keep_blank_values=True)
        if parts.path == STORE_PATH:
            self._graph_store(params)
            return
        if parts.path not in ENDPOINT_PATHS:
            self._not_found(parts.path)
            return
        if "update" in params:
            self._error(405 if self.endpoint.settings.allow_update else 403,
                        "updates must be sent with POST" if self.endpoint.settings.allow_update
                        else "updates are disabled: this endpoint is read-only",
                        {"Allow": "POST"} if self.endpoint.settings.allow_update else None)
            return
        if "query" not in params:
            self._service_description()
            return
        self._handle(params, None, None)

    def _not_found(self, path: str) -> None:
        self._error(404, f"not found: {path}; the SPARQL endpoint is /sparql (or /query), "
                         f"the graph store {STORE_PATH}?graph=IRI")

    def _endpoint_iri(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}{urlsplit(self.path).path}"

    def _service_description(self) -> None:
        accept = self.headers.get("Accept")
        offered = {**GRAPH_TYPES, "text/html": "html"}
        try:
            fmt = negotiate(accept, offered, "turtle")
        except HttpError as exc:
            self._error(exc.status, exc.message)
            return
        if fmt == "html":  # a browser opening the endpoint URL gets the query page
            self._send(200, render_page(), "text/html; charset=utf-8", _PAGE_HEADERS)
            return
        self._run({"kind": "service", "endpoint": self._endpoint_iri(), "accept": accept})

    def _graph_store(self, params: dict[str, list[str]]) -> None:
        graphs = params.get("graph", [])
        if "default" in params and not graphs:
            job = {"kind": "graph", "graph": None}
        elif len(graphs) == 1 and "default" not in params:
            job = {"kind": "graph", "graph": graphs[0]}
        else:
            self._error(400, f"Graph Store Protocol: send {STORE_PATH}?graph=IRI or {STORE_PATH}?default")
            return
        self._run({**job, "accept": self.headers.get("Accept"), "format": params.get("format", [None])[0]})

    def _run(self, job: dict) -> None:
        self.endpoint.maybe_reload()
        started = time.monotonic()
        try:
            reply = self.endpoint.run(job, self._client_gone)
        except HttpError as exc:
            self._error(exc.status, exc.message)
            return
        self._reply(reply, started)

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        parts = urlsplit(self.path)
        if parts.path == STORE_PATH:
            self._error(405, "the graph store is read-only here: GET only; change the store with SPARQL "
                             "updates (kg serve --allow-update)", {"Allow": "GET, HEAD"})
            return
        if parts.path not in ENDPOINT_PATHS:
            self._not_found(parts.path)
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
            self._handle(params, None, content_type)
        elif content_type == "application/sparql-query":
            self._handle(params, text, content_type)
        elif content_type == "application/sparql-update":
            self._handle({**params, "update": [text]}, None, content_type)
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

    def _update_allowed(self, content_type: str | None) -> None:
        """Refuse updates a cross-site page could send: forms, foreign origins (unless the token is shown)."""
        settings = self.endpoint.settings
        if not settings.allow_update:
            raise HttpError(403, "updates are disabled: this endpoint is read-only "
                                 "(start kg serve with --allow-update to allow them)")
        import hmac

        sent = self.headers.get("Authorization") or ""
        token_ok = bool(settings.update_token) and hmac.compare_digest(
            sent.encode("utf-8", "replace"), f"Bearer {settings.update_token}".encode())
        if settings.update_token:
            if not token_ok:
                raise HttpError(401, "this update needs the update token: send 'Authorization: Bearer TOKEN' "
                                     "(kg serve --update-token)")
            return
        if content_type != "application/sparql-update":
            raise HttpError(403, "updates need Content-Type application/sparql-update (an HTML form cannot "
                                 "send it, so no other web page can change the store), or the update token")
        origin = self.headers.get("Origin")
        if origin and origin != "null":
            origin_host = urlsplit(origin).netloc.lower()
            if origin_host != (self.headers.get("Host") or "").lower():
                raise HttpError(403, f"updates from another origin ({origin}) are refused; "
                                     "use kg serve --update-token to allow a trusted client")
        elif origin == "null":
            raise HttpError(403, "updates from an opaque origin are refused")

    def _handle(self, params: dict[str, list[str]], direct_query: str | None, content_type: str | None) -> None:
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
                self._update_allowed(content_type)
                endpoint.run_update(updates[0])
                self._send(204, b"", "text/plain; charset=utf-8")
                return
            if len(queries) != 1 or not queries[0].strip():
                raise HttpError(400, "missing query: send ?query=... (GET), a form with query=... "
                                     "or an application/sparql-query body (POST)")
            reply = endpoint.run({"kind": "query", "sparql": queries[0],
                                  "default_graphs": [_graph_iri(g) for g in params.get("default-graph-uri", [])],
                                  "named_graphs": [_graph_iri(g) for g in params.get("named-graph-uri", [])],
                                  "accept": self.headers.get("Accept"),
                                  "format": params.get("format", [None])[0]}, self._client_gone)
            self._reply(reply, started)
        except HttpError as exc:
            self._error(exc.status, exc.message)


class Server:
    """HTTP server: one selector thread for all connections, a small pool for requests.

    An idle keep-alive connection costs a file descriptor, not a thread; it is closed
    after `idle_timeout`, or earlier when `max_connections` is reached and a new one comes.
    """

    def __init__(self, address: tuple[str, int], handler: type[Handler], endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.handler = handler
        settings = endpoint.settings
        self.max_connections = settings.max_connections
        self.idle_timeout = settings.idle_timeout
        host, port = address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        if host == "localhost":
            host = "127.0.0.1"
        self.socket = socket.create_server((host, port), family=family, backlog=128)
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()
        self.threads = ThreadPoolExecutor(max_workers=max(8, 2 * settings.workers + 4),
                                          thread_name_prefix="kg-http")
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._returned: queue.Queue = queue.Queue()
        self._idle: dict[socket.socket, float] = {}  # connection -> when it became idle
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._stop = threading.Event()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._selector.register(self.socket, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=poll_interval):
                if key.data == "accept":
                    self._accept()
                elif key.data == "wake":
                    self._take_back()
                else:
                    self._dispatch(key.fileobj)
            self._expire()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: keep serving the others
                print(f"kg serve: accept failed: {exc}", file=sys.stderr, flush=True)
                return
            if len(self._idle) + self._busy >= self.max_connections:
                if self._idle:
                    oldest = min(self._idle, key=self._idle.get)
                    self._drop(oldest)
                else:
                    self._refuse(conn)
                    continue
            conn.setblocking(False)
            self._idle[conn] = time.monotonic()
            self._selector.register(conn, selectors.EVENT_READ, "conn")

    def _refuse(self, conn: socket.socket) -> None:
        body = b"too many connections; try again\n"
        try:
            conn.setblocking(False)
            conn.send(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        except OSError:
            pass
        conn.close()

    def _drop(self, conn: socket.socket) -> None:
        self._idle.pop(conn, None)
        try:
            self._selector.unregister(conn)
        except (KeyError, ValueError):
            pass
        conn.close()

    def _expire(self) -> None:
        limit = time.monotonic() - self.idle_timeout
        for conn in [c for c, since in self._idle.items() if since < limit]:
            self._drop(conn)

    def _dispatch(self, conn: socket.socket) -> None:
        self._idle.pop(conn, None)
        self._selector.unregister(conn)
        with self._busy_lock:
            self._busy += 1
        self.threads.submit(self._serve_one, conn)

    def _serve_one(self, conn: socket.socket) -> None:
        keep = False
        try:
            conn.setblocking(True)
            conn.settimeout(self.idle_timeout)
            try:
                address = conn.getpeername()
            except OSError:
                address = ("?", 0)
            handler = self.handler(conn, address, self)
            keep = not handler.close_connection
        except Exception as exc:  # noqa: BLE001 - one broken request must not stop the server
            if not isinstance(exc, OSError):
                print(f"kg serve: internal error: {exc!r}", file=sys.stderr, flush=True)
        finally:
            with self._busy_lock:
                self._busy -= 1
            if keep:
                self._returned.put(conn)
                self._wake()
            else:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()

    def _take_back(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        while True:
            try:
                conn = self._returned.get_nowait()
            except queue.Empty:
                return
            if conn.fileno() < 0:
                continue
            conn.setblocking(False)
            self._idle[conn] = time.monotonic()
            self._selector.register(conn, selectors.EVENT_READ, "conn")

    def server_close(self) -> None:
        self._stop.set()
        self.threads.shutdown(wait=False, cancel_futures=True)
        for conn in list(self._idle):
            self._drop(conn)
        try:
            self._selector.unregister(self.socket)
        except (KeyError, ValueError):
            pass
        self.socket.close()
        self._wake_r.close()
        self._wake_w.close()
        self.endpoint.close()


def make_server(directory, host: str = "127.0.0.1", port: int = 7878, settings: Settings | None = None,
                quiet: bool = False, graph_store=None) -> Server:
    """A ready (bound, workers started, not yet serving) server for the store in `directory`.

    With `settings.allow_update`, `graph_store` is the writable GraphStore (its lock held).
    """
    settings = settings or Settings()
    try:
        probe = socket.create_server((host if host != "localhost" else "127.0.0.1", port),
                                     family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    probe.close()
    endpoint = Endpoint(directory, settings, graph_store)
    handler = type("KgHandler", (Handler,), {"endpoint": endpoint, "quiet": quiet})
    try:
        return Server((host, port), handler, endpoint)
    except OSError as exc:
        endpoint.close()
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--zygote":
    zygote_main(int(sys.argv[2]))
