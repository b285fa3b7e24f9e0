"""The installable package: a wheel (and `pip install .`) carries its data (kg/_data) and
works in a fresh virtualenv, outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from servers import ROOT

_IGNORE = shutil.ignore_patterns(".git", ".venv", "output", "build", "dist", "*.egg-info", "__pycache__",
                                 ".kg-cache", ".pytest_cache", "node_modules")


def run(*args, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def fresh_venv(path: Path) -> Path:
    """A new virtualenv that sees the test venv's dependencies (not kg itself): --no-deps stays offline."""
    # Without its own pip and setuptools (3.11's bundled setuptools cannot build wheels):
    # the test venv's pip installs into it, with the test venv's setuptools.
    run(sys.executable, "-m", "venv", "--without-pip", path)
    python = path / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # A bare path line: the dependencies' folder, without processing its .pth files (the editable kg).
    Path(site, "zz-kg-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


@pytest.mark.slow
@pytest.mark.parametrize("how", ["wheel", "pip install .", "wheel without a C compiler"])
def test_installed_package_builds_the_seeds_outside_the_source_tree(tmp_path, how):
    """... with the tagger's C loops, and (no compiler at hand) without them, in pure Python."""
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_IGNORE)
    python = fresh_venv(tmp_path / "venv")
    pip = [sys.executable, "-m", "pip", "--python", python, "--disable-pip-version-check", "install", "-q",
           "--no-deps", "--no-index", "--no-build-isolation"]
    compiler = how != "wheel without a C compiler"
    if how.startswith("wheel"):
        build_env = None if compiler else {**os.environ, "CC": "/bin/false", "LDSHARED": "/bin/false"}
        run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", source,
            "-w", tmp_path / "dist", env=build_env)
        wheels = list((tmp_path / "dist").glob("kg-*.whl"))
        assert len(wheels) == 1
        run(*pip, wheels[0])
    else:
        run(*pip, source)
    shutil.rmtree(source)  # nothing may be read from the source tree any more
    env = {k: v for k, v in os.environ.items() if k not in ("KG_ONTOLOGY_DIR", "PYTHONPATH")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = run(python, "-c", "import kg, kg.resources as r; print(kg.__file__); print(r.ontology_dir())",
                cwd=work, env=env).stdout.split()
    venv = str(tmp_path / "venv")
    has_c_loops = run(python, "-c", "import importlib.util as u; print(u.find_spec('kg.nlp._hanta_rows') is not None)",
                      cwd=work, env=env).stdout.strip()
    assert has_c_loops == str(compiler)
    assert where[0].startswith(venv) and where[1].startswith(venv) and where[1].endswith("kg/_data"), where
    shutil.copytree(ROOT / "seeds", work / "seeds")
    kg = tmp_path / "venv" / "bin" / "kg"
    built = run(kg, "build", "seeds", "-o", "out", "--no-cache", cwd=work, env=env)
    assert "documents: 1 (1 processed, 0 unchanged)" in built.stdout
    assert "statements: 0" not in built.stdout
    assert (work / "out" / "graph.ttl").stat().st_size > 0 and (work / "out" / "graph.html").is_file()
    validated = run(kg, "validate", "--store", "out/store", cwd=work, env=env)
    assert "conforms" in validated.stdout
