"""Locate the data files (ontology, gazetteer, lexicon) that kg ships.

In a wheel the data is package data, `kg/_data` (setup.py copies the repository's
top-level ontology/ folder there), found with importlib.resources; in an editable
install (the source tree) it is the ontology/ folder beside the package.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from .errors import KgError


def _candidates() -> list[Path]:
    from importlib.resources import files

    env = os.environ.get("KG_ONTOLOGY_DIR")
    candidates = [Path(env)] if env else []
    packaged = files("kg").joinpath("_data")
    if isinstance(packaged, Path):  # an installed wheel on disk (not a zip import)
        candidates.append(packaged)
    candidates.append(Path(__file__).resolve().parent.parent / "ontology")  # the source tree
    return candidates


@cache
def ontology_dir() -> Path:
    """The data folder: $KG_ONTOLOGY_DIR, else the package's kg/_data, else the source tree's ontology/."""
    candidates = _candidates()
    for path in candidates:
        if (path / "geo.ttl").is_file():
            return path
    raise KgError(
        "cannot find kg's data files (geo.ttl) in " + ", ".join(str(p) for p in candidates)
        + "; reinstall kg (pip install .) or set KG_ONTOLOGY_DIR"
    )


def data_path(*parts: str) -> Path:
    """A file of the data folder, e.g. data_path("lexicon", "triggers.toml")."""
    path = ontology_dir().joinpath(*parts)
    if not path.exists():
        raise KgError(f"missing data file: {path}")
    return path
