"""Docs that run: every command block of README.md and docs/STORES.md is executed here.

A block is a fenced block tagged `sh` (or `python`). A `<!-- needs: NAME — reason -->`
line right above it says what it needs:

* nothing: run with bash in a copy of the repository (README's blocks in order, so the
  first one's `kg build` feeds the rest; STORES.md's after `kg build seeds/ -o output/`);
* `background`: each line is a server, started, waited for until its port answers, stopped;
* `oxigraph` / `virtuoso`: run against the suite's own server (tests/servers.py), with the
  documented ports replaced by the server's;
* anything else (make, corpus, fuseki, graphdb, …): reported as skipped with the reason, so
  no block is silently left out.

A `sh` block whose first line starts with `$ ` is a transcript: the command is run and
its output must be the lines that follow.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import ROOT, free_port, oxigraph_server, virtuoso_server  # noqa: F401

DOCS = [ROOT / "README.md", ROOT / "docs" / "STORES.md"]
RUNNABLE_NEEDS = {"", "background", "oxigraph", "virtuoso"}
_BLOCK_RE = re.compile(r"^(?P<marks>(?:<!--[^\n]*-->\n)*)```(?P<lang>[\w-]*)\n(?P<body>.*?)^```\s*$",
                       re.MULTILINE | re.DOTALL)
_NEEDS_RE = re.compile(r"<!--\s*needs:\s*([\w-]+)\s*(?:—\s*(.*?))?\s*-->")
_IGNORE = shutil.ignore_patterns(".git", ".venv", "output", "build", "dist", "*.egg-info", "__pycache__",
                                 ".kg-cache", ".pytest_cache")


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    needs: str
    reason: str
    body: str

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}" + (f"[{self.needs}]" if self.needs else "")


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _BLOCK_RE.finditer(text):
        needs = _NEEDS_RE.search(match.group("marks"))
        line = text.count("\n", 0, match.start("lang")) + 1
        found.append(Block(path.name, line, match.group("lang"), needs.group(1) if needs else "",
                           (needs.group(2) or "") if needs else "", match.group("body")))
    return found


ALL = [b for path in DOCS for b in blocks(path)]
COMMANDS = [b for b in ALL if b.lang in ("sh", "python")]


def test_every_block_says_what_it_is():
    """Untagged blocks could hide commands: every fence has a language (text for output)."""
    untagged = [b.id for b in ALL if not b.lang]
    assert untagged == []
    assert len(COMMANDS) >= 15
    for block in COMMANDS:
        if block.needs not in RUNNABLE_NEEDS:
            assert block.reason, f"{block.id}: a block that is not run must say why"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    """One copy of the repository per document, made on first use."""
    made: dict[str, Path] = {}

    def get(doc: str) -> Path:
        if doc not in made:
            root = tmp_path_factory.mktemp("docs-" + doc.replace(".", "-")) / "repo"
            shutil.copytree(ROOT, root, ignore=_IGNORE)
            (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
            if doc != "README.md":
                run_shell("kg build seeds/ -o output/ -q", root)
            made[doc] = root
        return made[doc]

    return get


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_PUSH_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_shell(script: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    result = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=_env(), capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"exit {result.returncode}\n{script}\n--- stdout\n{result.stdout[-3000:]}" \
                                   f"\n--- stderr\n{result.stderr[-3000:]}"
    for bad in ("Traceback", "internal error"):
        assert bad not in result.stderr, result.stderr[-3000:]
    return result


def _substitute(script: str, ports: dict[str, int]) -> str:
    for old, new in ports.items():
        script = re.sub(rf"(?<=127\.0\.0\.1:){old}\b|(?<=--port ){old}\b", str(new), script)
    return script


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the server exited with {proc.returncode}: {proc.stderr.read()[-2000:]}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)  # polling a condition (the port answers), bounded by the deadline
    raise AssertionError(f"nothing listened on port {port} after {timeout} s")


def _run_background(block: Block, cwd: Path) -> None:
    for line in block.body.splitlines():
        command = line.split("  #")[0].strip()
        if not command or command.startswith("#"):
            continue
        documented = re.findall(r"127\.0\.0\.1:(\d+)|--port (\d+)", command)
        assert documented, f"{block.id}: a background command names its port"
        port = free_port()
        command = _substitute(command, {a or b: port for a, b in documented})
        proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            _wait_for_port(port, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stderr.close()


def _run_transcript(block: Block, cwd: Path) -> None:
    lines = block.body.splitlines()
    command = [lines[0][2:]]
    rest = lines[1:]
    while command[-1].endswith("\\") or (rest and rest[0].startswith((" ", "\t"))):
        command.append(rest.pop(0))
    result = run_shell("\n".join(command), cwd)
    assert result.stdout.splitlines() == rest


@pytest.mark.slow
@pytest.mark.parametrize("block", COMMANDS, ids=[b.id for b in COMMANDS])
def test_documented_commands_run(block, workspaces, request):
    if block.needs not in RUNNABLE_NEEDS:
        pytest.skip(f"needs {block.needs}: {block.reason}")
    cwd = workspaces(block.doc)
    if block.lang == "python":
        result = subprocess.run([sys.executable, "-c", block.body], cwd=cwd, env=_env(), capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        return
    if block.needs == "background":
        _run_background(block, cwd)
        return
    script = block.body
    if block.needs == "oxigraph":
        server = request.getfixturevalue("oxigraph_server")
        script = _substitute(script, {"7878": server.port})
    elif block.needs == "virtuoso":
        server = request.getfixturevalue("virtuoso_server")
        script = _substitute(script, {"8890": server.http_port, "1111": server.sql_port})
    if script.startswith("$ "):
        _run_transcript(block, cwd)
        return
    run_shell(script, cwd)
