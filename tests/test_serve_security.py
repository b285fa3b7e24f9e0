"""Security tests for `kg serve`: each reproduces an attack from issue 10 and asserts it is closed.

Every test starts a real `kg serve` process on 127.0.0.1 (slow-marked); nothing is mocked.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from test_serve import KgServe, make_store

from kg.rdfio.store import SNAPSHOT

slow = pytest.mark.slow  # on every test that starts a server; the guard's table runs in the fast suite

DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Listener:
    """An HTTP server on 127.0.0.1 standing for an internal service; records every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.requests.append(f"{self.command} {self.path}")
                outer.arrived.set()
                body = b'{"head":{"vars":["secret"]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Listener:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("security") / "store")


@pytest.fixture(scope="module")
def server(store_dir):
    with KgServe(store_dir, "--quiet") as running:
        yield running


def _ask_works(url: str, timeout: float = 30) -> bool:
    response = httpx.get(url, params={"query": "ASK {}"}, timeout=timeout)
    return response.status_code == 200 and response.json()["boolean"] is True


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(c) for c in text)
    return found


def _worker_pids(server: KgServe) -> list[int]:
    """The query workers: children of the zygote, the one child process of kg serve."""
    (zygote,) = _children(server.process.pid)
    return _children(zygote)


# --- SSRF: SERVICE and LOAD ------------------------------------------------------------


@slow
@pytest.mark.parametrize("shape", ["get", "form", "direct"])
@pytest.mark.parametrize("service", ["SERVICE <{url}/internal> {{ ?x ?y ?secret }}",
                                     "service silent <{url}/internal> {{ ?x ?y ?secret }}",
                                     "OPTIONAL {{ SERVICE<{url}/internal>{{ ?x ?y ?secret }} }}"])
def test_service_is_refused_and_nothing_is_fetched(server, shape, service):
    with Listener() as listener:
        query = "SELECT * WHERE { " + service.format(url=listener.url) + " }"
        if shape == "get":
            response = httpx.get(server.url, params={"query": query})
        elif shape == "form":
            response = httpx.post(server.url, data={"query": query})
        else:
            response = httpx.post(server.url, content=query.encode(),
                                  headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 400, response.text
        assert "SERVICE is disabled" in response.text and "--allow-service" in response.text
        assert response.headers["content-type"].startswith("text/plain")
        assert listener.requests == []  # refused before evaluation: no connection was ever made
    assert _ask_works(server.url)


@slow
def test_service_only_with_allow_service(store_dir):
    """The control: with --allow-service the same query does reach the listener (so the test above can fail)."""
    with Listener() as listener, KgServe(store_dir, "--quiet", "--allow-service") as running:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}/internal> {{ ?x ?y ?secret }} }}"
        response = httpx.get(running.url, params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        assert listener.arrived.wait(10) and listener.requests
        # A failing SERVICE call is an error answer, not a dropped connection.
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        port = dead.getsockname()[1]
        dead.close()
        failing = httpx.get(running.url, params={"query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> "
                                                          "{ ?s ?p ?o } }"}, timeout=30)
        assert failing.status_code == 400 and "query failed" in failing.text
        assert _ask_works(running.url)


@slow
@pytest.mark.parametrize("allow_load", [False, True])
def test_load_fetches_nothing_unless_enabled(tmp_path, allow_load):
    store = make_store(tmp_path / "store")
    args = ["--quiet", "--allow-update"] + (["--allow-load"] if allow_load else [])
    with Listener() as listener, KgServe(store, *args) as running:
        update = f"LOAD SILENT <{listener.url}/data.ttl> INTO GRAPH <https://example.org/g>"
        response = httpx.post(running.url, content=update.encode(),
                              headers={"Content-Type": "application/sparql-update"}, timeout=30)
        if allow_load:
            assert listener.arrived.wait(10) and listener.requests[0].startswith("GET /data.ttl")
        else:
            assert response.status_code == 400 and "LOAD is disabled" in response.text
            assert listener.requests == []


# --- queries that would take the endpoint down -----------------------------------------


@slow
def test_runaway_queries_do_not_block_others(store_dir):
    """Five cross products past the timeout, then ASK {}: it answers, and the runaways are gone."""
    with KgServe(store_dir, "--quiet", "--timeout", "2", "--workers", "4") as running:
        assert len(_worker_pids(running)) == 4
        with ThreadPoolExecutor(max_workers=6) as pool:
            runaways = [pool.submit(httpx.get, running.url, params={"query": CROSS}, timeout=60) for _ in range(5)]
            started = time.monotonic()
            ask = pool.submit(_ask_works, running.url, 60)
            assert ask.result() is True
            ask_seconds = time.monotonic() - started
            answers = [f.result() for f in runaways]
        assert all(a.status_code == 503 for a in answers), [a.text for a in answers]
        assert all("timed out" in a.text or "busy" in a.text for a in answers)
        assert ask_seconds < 2 + 20  # one timeout in line behind the runaways, and a margin for load
        # Later queries answer at once, and only fresh workers are left (the runaways were killed).
        started = time.monotonic()
        assert _ask_works(running.url)
        assert time.monotonic() - started < 10
        assert len(_worker_pids(running)) == 4


@slow
def test_one_worker_survives_a_runaway(store_dir):
    with KgServe(store_dir, "--quiet", "--timeout", "1", "--workers", "1") as running:
        before = _worker_pids(running)
        assert httpx.get(running.url, params={"query": CROSS}, timeout=60).status_code == 503
        assert _ask_works(running.url)
        assert _worker_pids(running) != before  # the runaway's worker was replaced


@slow
def test_order_by_on_a_cross_product_is_bounded_in_memory(store_dir):
    sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
    with KgServe(store_dir, "--quiet", "--timeout", "120", "--query-memory", "256") as running:
        started = time.monotonic()
        response = httpx.get(running.url, params={"query": sort}, timeout=180)
        elapsed = time.monotonic() - started
        assert response.status_code == 503 and "256 MB" in response.text, response.text
        assert elapsed < 100  # ended by the memory cap, well before the timeout
        assert _ask_works(running.url)


@slow
@pytest.mark.parametrize("where", ["serve", "query-store", "query-file"])
def test_deeply_nested_query_is_refused_before_parsing(server, store_dir, tmp_path, where):
    if where == "serve":
        for response in (httpx.get(server.url, params={"query": DEEP}),
                         httpx.post(server.url, content=DEEP.encode(),
                                    headers={"Content-Type": "application/sparql-query"})):
            assert response.status_code == 400 and "nested too deeply" in response.text
        assert _ask_works(server.url)
        assert server.process.poll() is None
        return
    query_file = tmp_path / "deep.rq"
    query_file.write_text(DEEP, encoding="utf-8")
    if where == "query-store":
        args = ["--store", str(store_dir), f"@{query_file}"]
    else:
        graph = tmp_path / "g.ttl"
        graph.write_text("<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
        args = [str(graph), f"@{query_file}"]
    result = subprocess.run([sys.executable, "-m", "kg", "query", *args], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert result.stderr.strip().splitlines() == [
        "kg: error: query nested too deeply: depth 5002 (limit 128); Oxigraph's parser would overflow its stack"]


@slow
def test_query_size_is_bounded(server):
    big = "ASK { FILTER(" + " || ".join(["true"] * 120_000) + ") }"
    response = httpx.post(server.url, content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "too large" in response.text


# --- connections ------------------------------------------------------------------------


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no thread count")


@slow
def test_a_thousand_idle_sockets_hold_no_threads(store_dir):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:  # this process holds the 1,000 client sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    with KgServe(store_dir, "--quiet") as running:
        port = int(running.base.rsplit(":", 1)[1])
        sockets = []
        try:
            for _ in range(1000):
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            started = time.monotonic()
            assert _ask_works(running.url)
            assert time.monotonic() - started < 15
            assert _threads(running.process.pid) < 40
        finally:
            for s in sockets:
                s.close()
        assert _ask_works(running.url)


@slow
def test_idle_connections_are_closed(store_dir):
    with KgServe(store_dir, "--quiet", "--idle-timeout", "1") as running:
        port = int(running.base.rsplit(":", 1)[1])
        idle = socket.create_connection(("127.0.0.1", port), timeout=20)
        slow = socket.create_connection(("127.0.0.1", port), timeout=20)
        slow.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\n")  # and never the rest (slowloris)
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server
        slow.recv(4096)
        assert slow.recv(4096) == b""
        assert time.monotonic() - started < 15
        idle.close()
        slow.close()
        assert _ask_works(running.url)


# --- DNS rebinding, cross-site requests --------------------------------------------------


@slow
@pytest.mark.parametrize(("host", "status"), [("evil.example", 403), ("evil.example:{port}", 403),
                                               ("127.0.0.1:{port}", 200), ("localhost:{port}", 200),
                                               ("[::1]:{port}", 200), ("kg.example:{port}", 200)])
def test_host_header_is_checked(store_dir, host, status):
    with KgServe(store_dir, "--quiet", "--allowed-host", "kg.example") as running:
        port = running.base.rsplit(":", 1)[1]
        header = host.format(port=port)
        for response in (httpx.get(running.url, params={"query": "ASK {}"}, headers={"Host": header}),
                         httpx.get(running.base + "/", headers={"Host": header}),
                         httpx.post(running.url, data={"query": "ASK {}"}, headers={"Host": header})):
            assert response.status_code == status, (header, response.text)
            if status == 403:
                assert "DNS rebinding" in response.text and "access-control-allow-origin" not in response.headers


def _snapshot_digest(store: Path) -> str:
    return hashlib.sha256((store / SNAPSHOT).read_bytes()).hexdigest()


@slow
@pytest.mark.parametrize(("headers", "body", "status"), [
    # The attack: an auto-submitted HTML form from another site.
    ({"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"},
     "update=DROP+ALL", 403),
    ({"Content-Type": "application/x-www-form-urlencoded"}, "update=DROP+ALL", 403),  # no Origin sent
    ({"Content-Type": "text/plain", "Origin": "http://evil.example"}, "update=DROP ALL", 415),  # enctype=text/plain
    ({"Content-Type": "multipart/form-data; boundary=x", "Origin": "http://evil.example"},
     '--x\r\nContent-Disposition: form-data; name="update"\r\n\r\nDROP ALL\r\n--x--\r\n', 415),
    # fetch() from another origin can send this type after a preflight: the Origin gives it away.
    ({"Content-Type": "application/sparql-update", "Origin": "http://evil.example"}, "DROP ALL", 403),
    ({"Content-Type": "application/sparql-update", "Origin": "null"}, "DROP ALL", 403),
])
def test_cross_site_update_is_refused_and_the_store_unchanged(tmp_path, headers, body, status):
    store = make_store(tmp_path / "store")
    before = _snapshot_digest(store)
    with KgServe(store, "--quiet", "--allow-update") as running:
        response = httpx.post(running.url, content=body.encode(), headers=headers)
        assert response.status_code == status, response.text
        still = httpx.get(running.url, params={"query": "ASK { GRAPH <https://w3id.org/geokg/id/doc/sample> "
                                                         "{ ?s ?p ?o } }"}).json()
        assert still["boolean"] is True
    assert _snapshot_digest(store) == before  # nothing was written to disk


@slow
def test_update_token(tmp_path):
    store = make_store(tmp_path / "store")
    with KgServe(store, "--quiet", "--allow-update", "--update-token", "s3cret") as running:
        drop = b"DROP GRAPH <https://w3id.org/geokg/id/doc/sample>"
        plain = httpx.post(running.url, content=drop, headers={"Content-Type": "application/sparql-update"})
        wrong = httpx.post(running.url, content=drop, headers={"Content-Type": "application/sparql-update",
                                                              "Authorization": "Bearer nope"})
        assert plain.status_code == wrong.status_code == 401
        good = httpx.post(running.url, data={"update": drop.decode()},
                          headers={"Authorization": "Bearer s3cret", "Origin": "https://trusted.example"})
        assert good.status_code == 204, good.text


@slow
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "FOO"])
@pytest.mark.parametrize("path", ["/sparql", "/query", "/store?default"])
def test_other_methods_get_plain_405(server, method, path):
    response = httpx.request(method, server.base + path, content=b"x")
    assert response.status_code == 405, response.text
    assert response.headers["content-type"].startswith("text/plain") and "<html" not in response.text.lower()
    assert "GET" in response.headers["allow"]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


@slow
def test_killing_the_server_ends_a_running_query(store_dir):
    """kill -9 of kg serve leaves no loader and no runaway worker behind."""
    import os
    import signal

    running = KgServe(store_dir, "--quiet", "--timeout", "120", "--workers", "1").__enter__()
    try:
        (zygote,) = _children(running.process.pid)
        (worker,) = _children(zygote)
        before = _cpu_ticks(worker)
        def runaway() -> None:
            try:
                httpx.get(running.url, params={"query": CROSS}, timeout=180)
            except httpx.HTTPError:
                pass  # the server is killed under it: that is the point

        threading.Thread(target=runaway, daemon=True).start()
        deadline = time.monotonic() + 30
        while _cpu_ticks(worker) < before + 20 and time.monotonic() < deadline:  # 0.2 s of CPU: it runs
            time.sleep(0.05)
        assert _cpu_ticks(worker) >= before + 20
        os.kill(running.process.pid, signal.SIGKILL)
        running.process.wait(10)
        deadline = time.monotonic() + 20
        while not (_gone(zygote) and _gone(worker)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(zygote) and _gone(worker)
    finally:
        running.__exit__()


# --- the guard itself (no server: fast suite) -------------------------------------------------


@pytest.mark.parametrize(("text", "depth", "service", "load"), [
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", 2, True, False),
    ("select * { service<http://x/>{} }", 2, True, False),
    ("SELECT * { OPTIONAL { SERVICE SILENT ?endpoint { ?s ?p ?o } } }", 3, True, False),
    ("LOAD <http://a/> INTO GRAPH <http://g/>", 0, False, True),
    ("load silent <http://a/>", 0, False, True),
    # Not keywords: variables, prefixed names, strings, IRIs, comments, language tags.
    ("SELECT ?service ?load WHERE { ?s ex:SERVICE ex:a.load }", 1, False, False),
    ('SELECT * { ?s ?p "SERVICE <http://x/> LOAD" }', 1, False, False),
    ("SELECT * { ?s ?p '''multi\nline SERVICE''' }", 1, False, False),
    ('SELECT * { ?s ?p "say \\"SERVICE\\"" }', 1, False, False),
    ("SELECT * { ?s <http://x/SERVICE> ?o } # SERVICE <http://x/>\n", 1, False, False),
    ('SELECT * { ?s ?p "x"@service }', 1, False, False),
    ("ASK { FILTER(?x < 3 && ?y > 2) }", 2, False, False),
    ("ASK { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }", 302, False, False),
    ("ASK { FILTER(" + "!" * 300 + "true) }", 300, False, False),
    ("SELECT * " + "{" * 50 + "}" * 50, 50, False, False),
])
def test_guard_scan(text, depth, service, load):
    from kg.rdfio.sparql_guard import scan

    shape = scan(text)
    assert (shape.depth, shape.service, shape.load) == (depth, service, load)


@pytest.mark.parametrize(("text", "options", "message"), [
    (DEEP, {}, "nested too deeply: depth 5002 (limit 128)"),
    ("ASK { FILTER(" + "-" * 1000 + "1) }", {}, "nested too deeply"),
    ("ASK {} #" + "x" * 600_000, {}, "query too large"),
    ("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", {"allow_service": False}, "SERVICE is disabled"),
    ("LOAD <http://127.0.0.1:1/>", {"allow_load": False}, "LOAD is disabled"),
])
def test_guard_refuses(text, options, message):
    from kg.errors import QueryError
    from kg.rdfio.sparql_guard import check

    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check(text, **options)


def test_guard_passes_ordinary_queries():
    from kg.rdfio.server import EXAMPLE_QUERIES
    from kg.rdfio.sparql_guard import check

    for _, query in EXAMPLE_QUERIES:
        assert check(query, allow_service=False, allow_load=False).depth <= 4
    assert check("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }").service  # allowed by default (kg query)


@slow
@pytest.mark.parametrize(("raw", "status"), [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n\r\nASK {}", 411),
])
def test_malformed_requests_get_plain_text_errors(server, raw, status):
    port = int(server.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()) or head.startswith(f"HTTP/1.0 {status} ".encode()), head
    assert b"text/plain" in head and b"<html" not in body.lower()
    assert _ask_works(server.url)


# --- in a real browser (Debian's Chromium): the page, and an attacker page on another origin ---------

ATTACK_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>attack</title></head><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="ENDPOINT" target="sink"><input name="update" value="DROP ALL"></form>
<script>
window.results = {};
document.querySelector("iframe").addEventListener("load", function () { window.results.form = "submitted"; });
document.getElementById("f").submit();
fetch("ENDPOINT", {method: "POST", headers: {"Content-Type": "application/sparql-update"}, body: "DROP ALL"})
  .then(function (r) { window.results.fetchUpdate = r.status; })
  .catch(function (e) { window.results.fetchUpdate = "blocked"; });
fetch("ENDPOINT?query=" + encodeURIComponent("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
  .then(function (r) { return r.text().then(function (t) { window.results.read = "read " + t.length; }); })
  .catch(function (e) { window.results.read = "blocked"; });
</script></body></html>"""


def _wait_for(page, expression: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


@slow
@pytest.mark.parametrize("cors", [None, "*"])
def test_in_a_browser_the_page_works_and_another_origin_cannot_write(tmp_path, cors):
    from browser import chromium_context, chromium_missing_reason

    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    store = make_store(tmp_path / "store")
    before = _snapshot_digest(store)
    with KgServe(store, "--allow-update", *(["--cors-origin", cors] if cors else [])) as running:
        served = {"/attack.html": ATTACK_PAGE.replace("ENDPOINT", running.url).encode()}

        class Pages(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = served.get(self.path, b"")
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        attacker = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
        threading.Thread(target=attacker.serve_forever, daemon=True).start()
        try:
            with chromium_context() as context:
                # The endpoint's own page: run the first example, see a results table.
                page = context.new_page()
                page.goto(running.base + "/")
                page.click("#run")
                _wait_for(page, "() => document.querySelectorAll('#results tr').length > 1")
                # A page of another origin (localhost vs 127.0.0.1, another port).
                evil = context.new_page()
                evil.goto(f"http://localhost:{attacker.server_address[1]}/attack.html")
                _wait_for(evil, "() => window.results && window.results.form && window.results.fetchUpdate "
                                "&& window.results.read")
                results = evil.evaluate("() => window.results")
        finally:
            attacker.shutdown()
            attacker.server_close()
        if cors:
            # The preflight passes (it names no content type) but the POST carries the Origin: 403.
            assert results["fetchUpdate"] == 403 and results["read"].startswith("read "), results
        else:
            # No CORS for that origin: the preflight fails, and results cannot be read either.
            assert results["fetchUpdate"] == "blocked" and results["read"] == "blocked", results
        still = httpx.get(running.url, params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}).json()
        assert still["boolean"] is True
        log = "".join(running.log)
        assert '"POST /sparql HTTP/1.1" 403' in log  # the form post reached the server and was refused
    assert _snapshot_digest(store) == before


@slow
def test_an_abandoned_runaway_frees_its_worker(store_dir):
    """A client that sends a runaway query and hangs up does not hold the worker until the timeout."""
    from urllib.parse import quote

    with KgServe(store_dir, "--quiet", "--timeout", "120", "--workers", "1") as running:
        port = int(running.base.rsplit(":", 1)[1])
        before = _worker_pids(running)
        with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
            conn.sendall(f"GET /sparql?query={quote(CROSS)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            (worker,) = before
            start = _cpu_ticks(worker)
            deadline = time.monotonic() + 30
            while _cpu_ticks(worker) < start + 20 and time.monotonic() < deadline:  # it is running
                time.sleep(0.05)
        started = time.monotonic()
        assert _ask_works(running.url, timeout=60)
        assert time.monotonic() - started < 20  # not the 120 s timeout
        assert _worker_pids(running) != before
