"""The one place where kg mints IRIs. Everything else asks this module."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef

ONTOLOGY = "https://w3id.org/geokg/ontology#"
DATA = "https://w3id.org/geokg/id/"
WIKIDATA = "http://www.wikidata.org/entity/"

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_KEY_RE = re.compile(r"^(person|state|org|place)/[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID_RE = re.compile(r"^Q[1-9][0-9]*$")


def slug(text: str, max_len: int = 80) -> str:
    """ASCII slug: German umlauts folded, other accents stripped, [a-z0-9-] only."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(out) > max_len:
        # Keep long names distinct: truncate and add a short digest of the full text.
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        out = out[: max_len - 9].rstrip("-") + "-" + digest
    return out or "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def actor_key(kind: str, name: str) -> str:
    """Key for an actor not in the gazetteer, e.g. ("person", "Kyrylo Budanow")."""
    prefix = {"person": "person", "state": "state", "organization": "org", "place": "place"}[kind]
    return f"{prefix}/{slug(name)}"


def is_actor_key(key: str) -> bool:
    return bool(_KEY_RE.match(key))


def actor(key: str) -> URIRef:
    if not is_actor_key(key):
        raise ValueError(f"invalid actor key {key!r}")
    return URIRef(DATA + key)


def doc_id(relative_path: str) -> str:
    """Document id from its path relative to the input root, without extension."""
    stem = relative_path.rsplit(".", 1)[0] if "." in relative_path.rsplit("/", 1)[-1] else relative_path
    parts = [re.sub(r"[^A-Za-z0-9_.-]+", "-", unicodedata.normalize("NFKD", p.translate(_FOLD))
                    .encode("ascii", "ignore").decode("ascii")).strip("-.") or "x"
             for p in stem.split("/") if p]
    return "/".join(parts) or "x"


def document(doc: str) -> URIRef:
    return URIRef(f"{DATA}doc/{doc}")


def sentence(doc: str, index: int) -> URIRef:
    return URIRef(f"{DATA}doc/{doc}/sentence/{index}")


def statement(doc: str, relation: str, agent: str, target: str | None,
              begin: int, end: int, modality: str) -> URIRef:
    basis = "\x1f".join([relation, agent, target or "", str(begin), str(end), modality])
    digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{DATA}statement/{doc}/{digest}")


def wikidata(qid: str) -> URIRef:
    if not _QID_RE.match(qid):
        raise ValueError(f"invalid Wikidata QID {qid!r}")
    return URIRef(WIKIDATA + qid)


def term(name: str) -> URIRef:
    """An ontology term by local name (prefer kg.namespace.GEO, which is closed)."""
    return URIRef(ONTOLOGY + name)
