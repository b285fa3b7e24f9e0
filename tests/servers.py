"""Test helpers: real Oxigraph and Virtuoso servers on 127.0.0.1, a hostile document, and
comparison of statements across stores.

Servers are started on free ports with their data in a temp folder, polled until ready
(with a deadline), and always stopped again (terminate, then kill).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from kg import iris
from kg.records import Actor, DocumentResult, Sentence, Statement

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_binary(name: str, package: str) -> str:
    """Path of `name`; skip (fail in CI, where tools/install-system-deps.sh installs it) if missing."""
    found = shutil.which(name) or (str(VENV_BIN / name) if (VENV_BIN / name).exists() else None)
    if found:
        return found
    message = f"{name} is not installed (package {package}; run tools/install-system-deps.sh as root)"
    if IN_CI:
        pytest.fail(message + " — CI must have it")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ServerProcess:
    """A child process with a readiness probe and guaranteed cleanup."""

    def __init__(self, args: list[str], workdir: Path, name: str) -> None:
        self.args = args
        self.workdir = workdir
        self.name = name
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, ready, timeout: float) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.args, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{_log_tail(self.log)}")
            if ready():
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{_log_tail(self.log)}")

    def stop(self, graceful=None, timeout: float = 15.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            if graceful is not None:
                graceful()
                try:
                    process.wait(timeout=timeout)
                    return
                except subprocess.TimeoutExpired:
                    pass
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        except ProcessLookupError:
            pass


def _http_ok(url: str, auth=None) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=2.0, auth=auth).status_code == 200
    except httpx.HTTPError:
        return False


class OxigraphServer:
    """`oxigraph serve` (PyPI package oxigraph) with its database in a temp folder."""

    def __init__(self, workdir: Path) -> None:
        binary = need_binary("oxigraph", "PyPI oxigraph, from pip install -e '.[test]'")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.store_url = self.base + "/store"
        self.query_url = self.base + "/query"
        self.update_url = self.base + "/update"
        self._proc = ServerProcess([binary, "serve", "--location", str(workdir / "db"),
                                    "--bind", f"127.0.0.1:{self.port}"], workdir, "oxigraph")

    def __enter__(self) -> OxigraphServer:
        self._proc.start(lambda: _http_ok(self.query_url + "?query=ASK%7B%7D"), timeout=60)
        return self

    def __exit__(self, *exc) -> None:
        self._proc.stop()


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {dir}, /usr/share/virtuoso-opensource-7/vad
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 500M
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[Replication]
ServerName   = kgtest
ServerEnable = 1
QueueMax     = 50000

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
DeferInferenceRulesInit    = 0
"""


class VirtuosoServer:
    """Debian virtuoso-opensource run in the foreground with its own virtuoso.ini in a temp folder.

    The packaged service does not start in a container; this starts `virtuoso-t
    +foreground` directly, polls `isql-vt` until it answers, and stops it with `-K`.
    """

    user = "dba"
    password = "dba"

    def __init__(self, workdir: Path) -> None:
        self.virtuoso = need_binary("virtuoso-t", "virtuoso-opensource")
        self.isql_bin = need_binary("isql-vt", "virtuoso-opensource")
        self.workdir = workdir
        self.sql_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.gsp_url = self.base + "/sparql-graph-crud-auth"
        self.query_url = self.base + "/sparql"
        self.update_url = self.base + "/sparql-auth"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "vsp").mkdir(exist_ok=True)
        ini = workdir / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=self.sql_port, http_port=self.http_port),
                       encoding="utf-8")
        self._proc = ServerProcess([self.virtuoso, "+foreground", "+configfile", str(ini)], workdir, "virtuoso")

    def isql(self, *commands: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
        return subprocess.run([self.isql_bin, f"127.0.0.1:{self.sql_port}", self.user, self.password, *commands],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def _ready(self) -> bool:
        try:
            if self.isql("exec=select 1;", timeout=5).returncode != 0:
                return False
        except subprocess.TimeoutExpired:
            return False
        return _http_ok(self.query_url + "?query=ASK%7B%7D")

    def __enter__(self) -> VirtuosoServer:
        self._proc.start(self._ready, timeout=120)
        return self

    def __exit__(self, *exc) -> None:
        def shutdown() -> None:
            try:
                self.isql("-K", timeout=20)
            except subprocess.TimeoutExpired:
                pass

        self._proc.stop(graceful=shutdown, timeout=20)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


# --- comparing statements across stores ------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "int", "long", "short", "nonNegativeInteger")}


def term_key(kind: str, value: str, lang: str | None = None, datatype: str | None = None,
             numbers_by_value: bool = False) -> tuple:
    """A comparable form of an RDF term from SPARQL JSON results or pyoxigraph."""
    if kind == "uri":
        return ("uri", value)
    if lang:
        return ("literal", value, lang.lower(), None)
    datatype = datatype or XSD + "string"
    if numbers_by_value and datatype in _NUMERIC:
        # Virtuoso keeps numbers as numbers: "0.80"^^xsd:decimal comes back as 0.8.
        try:
            return ("number", Decimal(value).normalize())
        except InvalidOperation:
            pass
    if numbers_by_value and datatype == XSD + "boolean" and value in ("1", "0"):
        # ... and booleans as their canonical 1/0: "true"^^xsd:boolean comes back as "1".
        value = "true" if value == "1" else "false"
    return ("literal", value, None, datatype)


def json_term_key(term: dict, numbers_by_value: bool = False) -> tuple:
    kind = {"uri": "uri", "literal": "literal", "typed-literal": "literal"}.get(term["type"], term["type"])
    return term_key(kind, term["value"], term.get("xml:lang"), term.get("datatype"), numbers_by_value)


def ox_term_key(term, numbers_by_value: bool = False) -> tuple:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return term_key("uri", term.value)
    return term_key("literal", term.value, term.language, term.datatype.value, numbers_by_value)


def remote_graph_statements(query_url: str, graph: str, numbers_by_value: bool = False) -> set[tuple]:
    """(s, p, o) keys of one graph, read over HTTP with a SPARQL SELECT (JSON results)."""
    import httpx

    from kg.rdfio.iri import check_iri

    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{check_iri(graph)}> {{ ?s ?p ?o }} }}"
    response = httpx.post(query_url, data={"query": query}, timeout=60,
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:500]
    rows = response.json()["results"]["bindings"]
    return {tuple(json_term_key(row[v], numbers_by_value) for v in ("s", "p", "o")) for row in rows}


def local_graph_statements(ox_store, graph: str, numbers_by_value: bool = False) -> set[tuple]:
    import pyoxigraph as ox

    return {tuple(ox_term_key(t, numbers_by_value) for t in (q.subject, q.predicate, q.object))
            for q in ox_store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


# --- a document built to break serialisers ---------------------------------------------

LONG_NAME = "Ministerpräsident " + "Überlangername-" * 400 + "Ende"
HOSTILE_SENTENCES = [
    'Der "Präsident" \\ sagte: \'Nein\' """ dreifach """ und \\u0041 sowie \\"Backslash-Quote\\".',
    "Zeilen\numbruch\r\nund\tTab, Zeilentrenner\u2028hier, NEL\u0085da, Absatz\u2029Ende.",
    "Emoji 🇺🇦🤝🇩🇪 und 😀 treffen sich; Arabisch: الرئيس يلتقي; Hebräisch: ראש הממשלה נפגש.",
    "<script>alert('x')</script> & <b>fett</b> ]]> --> <!-- @context {\"@id\": \"x\"}.",
    f"{LONG_NAME} traf http://evil.example/<x> am <https://w3id.org/geokg/id/person/olaf-scholz>.",
]


def make_hostile_result() -> DocumentResult:
    """Quotes, backslashes, newlines, emoji, RTL text, <script>, very long and IRI-like names."""
    names = {
        "quote": 'Jean "Le Grand" D\'Arc \\ O\'Neil',
        "newline": "Zeile1\nZeile2\r\nZeile3\tTab\u2028LS\u0085NEL",
        "emoji": "Präsident 🇺🇦 Selenskyj 😀",
        "rtl": "محمد بن سلمان",
        "hebrew": "בנימין נתניהו",
        "script": "<script>alert(\"kg\")</script>",
        "long": LONG_NAME,
        "iri": "http://evil.example/<x>\"{}|^`",
        "iri2": "<https://w3id.org/geokg/id/person/olaf-scholz>",
        "jsonld": '{"@id": "gkg:meets", "@context": null}',
        "curie": "gkg:meets",
    }
    actors: dict[str, Actor] = {}
    keys: dict[str, str] = {}
    for tag, name in names.items():
        key = iris.actor_key("person", name)
        keys[tag] = key
        actors[key] = Actor(key, "person", name, (name + " (alias)", '"' + name + '"'), None,
                            f"Rolle <{tag}> \"\\\n", "state/xx")
    actors["state/xx"] = Actor("state/xx", "state", "Staat \"X\" \\ 🏳️‍🌈 \u202eRTL-override", ("X\nY",),
                               "Q42", iso2="xx")
    actors["place/ort"] = Actor("place/ort", "place", "Ort <i>&amp;</i> \"Q\"", (), None, country="state/xx")
    text = ""
    sentences = []
    for index, sentence in enumerate(HOSTILE_SENTENCES, start=1):
        start = len(text)
        text += sentence
        sentences.append(Sentence(index, start, len(text), sentence))
        text += " "
    doc = iris.doc_id("hostile/Ünïcödé <doc> \"1\".txt")
    tags = list(names)
    statements = []
    for n, (tag, target) in enumerate(zip(tags, tags[1:] + tags[:1], strict=True)):
        sent = sentences[n % len(sentences)]
        statements.append(Statement(
            relation=("meets", "warns", "supports", "demands")[n % 4], agent=keys[tag], target=keys[target],
            modality=("asserted", "planned", "possible", "negated")[n % 4], confidence=round(0.5 + n / 40, 2),
            doc_id=doc, sentence=sent.index, start=sent.start, end=sent.end,
            trigger=f"trigger \"{tag}\" \\ <{tag}>\n😀",
            reported_by=keys["rtl"] if n % 3 == 0 else None,
            place="place/ort" if n % 2 == 0 else None,
            time="am \"Montag\"\n<script>\\" if n % 2 else None,
        ))
    path = 'hostile/Ünïcödé <doc> "1"\\\n.txt'
    return DocumentResult(doc, path, text, sentences, actors, [], statements)
