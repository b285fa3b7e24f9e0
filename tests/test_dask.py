"""kg build on a real Dask cluster: a scheduler and two workers started here, on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import build

from test_parallel import FILES, make_corpus, outputs

pytestmark = pytest.mark.slow  # starts a scheduler and worker processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pytest.importorskip("distributed")
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "KG_CACHE_DIR": ""}
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "wb"), env=env)]
    for k in range(2):
        procs.append(subprocess.Popen([*dask, "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{k}"],
                                      stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{k}.log", "wb"),
                                      env=env, cwd=str(logs)))
    try:
        deadline = time.monotonic() + 120
        client = None
        while True:  # wait for the condition (two workers registered), with a bound
            try:
                client = client or Client(address, timeout=5)
                if len(client.scheduler_info()["workers"]) == 2:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail("dask cluster did not come up: " + (logs / "scheduler.log").read_text()[-2000:])
            time.sleep(0.2)
        client.close()
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_dask_cluster_writes_the_same_bytes_as_a_serial_build(cluster, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    serial = build([corpus], tmp_path / "serial", formats=("turtle", "trig", "nquads"), cache_dir=None, jobs=1)
    on_dask = build([corpus], tmp_path / "dask", formats=("turtle", "trig", "nquads"), cache_dir=None,
                    scheduler=cluster)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "serial")
    assert (on_dask.processed, on_dask.statements) == (serial.processed, serial.statements)
    assert set(FILES) <= {p.name for p in (tmp_path / "dask").iterdir()}


def test_dask_cluster_writes_shards(cluster, tmp_path):
    import gzip

    corpus = make_corpus(tmp_path / "corpus", n=20)
    build([corpus], tmp_path / "x", cache_dir=None, shards=tmp_path / "serial")
    build([corpus], tmp_path / "x", cache_dir=None, shards=tmp_path / "dask", scheduler=cluster)
    serial = [gzip.decompress(p.read_bytes()) for p in sorted((tmp_path / "serial").glob("*.nq.gz"))]
    assert serial and serial == [gzip.decompress(p.read_bytes()) for p in sorted((tmp_path / "dask").glob("*.nq.gz"))]


def test_unreachable_scheduler_is_one_clear_error(tmp_path):
    from kg.errors import KgError

    corpus = make_corpus(tmp_path / "corpus", n=40)
    with pytest.raises(KgError, match="cannot connect"):
        build([corpus], tmp_path / "out", cache_dir=None, scheduler=f"tcp://127.0.0.1:{_free_port()}")
    assert not (tmp_path / "out" / "graph.ttl").exists()
