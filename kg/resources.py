"""Locate the data files (ontology, gazetteer, lexicon) that kg ships."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from .errors import KgError


@cache
def ontology_dir() -> Path:
    """The `ontology/` folder: $KG_ONTOLOGY_DIR, else the one beside the package."""
    env = os.environ.get("KG_ONTOLOGY_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parent.parent / "ontology")
    for path in candidates:
        if (path / "geo.ttl").is_file():
            return path
    raise KgError(
        "cannot find the ontology folder (geo.ttl); install kg from its source tree "
        "(pip install -e .) or set KG_ONTOLOGY_DIR"
    )


def data_path(*parts: str) -> Path:
    """A file below `ontology/`, e.g. data_path("lexicon", "triggers.toml")."""
    path = ontology_dir().joinpath(*parts)
    if not path.exists():
        raise KgError(f"missing data file: {path}")
    return path
