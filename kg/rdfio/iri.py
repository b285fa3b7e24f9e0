"""The one IRI check: which strings may be written as <iri> in SPARQL, Turtle or N-Triples."""

from __future__ import annotations

import re

from ..errors import KgError

# IRIREF of SPARQL/Turtle: no controls, space, <>"{}|^`\ ; plus a scheme.
_IRI_RE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*$')


def is_iri(text: object) -> bool:
    """True if `text` is an absolute IRI that can be written between < and >."""
    return isinstance(text, str) and bool(_IRI_RE.match(text))


def check_iri(iri: str, what: str = "graph IRI") -> str:
    """`iri` if is_iri(iri); KgError otherwise."""
    if not is_iri(iri):
        raise KgError(f"invalid {what} {iri!r}: expected an absolute IRI without spaces or <>\"{{}}|^`\\")
    return iri
