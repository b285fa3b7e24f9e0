"""The one place where kg mints IRIs. Everything else asks this module."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii
from rdflib import URIRef

ONTOLOGY = "https://w3id.org/geokg/ontology#"
DATA = "https://w3id.org/geokg/id/"
WIKIDATA = "http://www.wikidata.org/entity/"
CAMEO = "https://w3id.org/geokg/cameo/"  # CAMEO event codes as SKOS concepts

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_KEY_RE = re.compile(r"^(person|state|org|place)/[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID_RE = re.compile(r"^Q[1-9][0-9]*$")
_CAMEO_RE = re.compile(r"^[0-2][0-9]{1,3}$")


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


def _id_part(part: str) -> str:
    """One path segment of a document id: ASCII letters, digits, '_', '.', '-'."""
    ascii_text = anyascii(unicodedata.normalize("NFC", part).translate(_FOLD))
    out = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_text).strip("-.")
    return out[:80].rstrip("-.") or "x" + _digest(part, 8)


def _digest(text: str, n: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def doc_id(relative_path: str) -> str:
    """Plain document id of a file: its path relative to the input root, without extension.

    Non-Latin names are transliterated (русский.txt -> russkiy). Different paths can share a
    plain id ("a b.txt", "a-b.txt"); doc_ids() makes the ids of a whole corpus unique.
    """
    stem = relative_path[:-3] if relative_path.lower().endswith(".gz") else relative_path
    last = stem.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in last.lstrip(".") else stem
    parts = [_id_part(p) for p in stem.split("/") if p]
    return "/".join(parts) or "x"


def doc_ids(relative_paths: Iterable[str]) -> dict[str, str]:
    """Unique, stable ids for the files of a corpus: the plain id where no other file shares it,
    else the plain id plus a short digest of the relative path (for every file of the clash, so
    that no file's id depends on the order in which the files were found)."""
    groups: dict[str, list[str]] = {}
    for rel in dict.fromkeys(relative_paths):
        groups.setdefault(doc_id(rel), []).append(rel)
    ids: dict[str, str] = {}
    for plain, rels in groups.items():
        for rel in rels:
            ids[rel] = plain if len(rels) == 1 else f"{plain}-{_digest(rel, 8)}"
    taken = [i for i in ids.values()]
    if len(set(taken)) != len(taken):  # a plain id that looks like another's digested one
        seen: set[str] = set()
        for rel in sorted(ids):
            if ids[rel] in seen:
                ids[rel] = f"{doc_id(rel)}-{_digest(rel, 16)}"
            seen.add(ids[rel])
    return ids


def doc_id_candidates(relative_path: str) -> list[str]:
    """The ids a file can have: its plain id, or that id with the digest doc_ids() adds on a clash."""
    plain = doc_id(relative_path)
    return [plain, f"{plain}-{_digest(relative_path, 8)}", f"{plain}-{_digest(relative_path, 16)}"]


def record_id(container: str, raw: str, readable: str | None = None) -> str:
    """Id of one record (JSON Lines article, WARC response) inside the file with id `container`.

    A record's own id is kept when it is already a clean id ("art-001"); otherwise (URLs,
    spaces, non-Latin) a readable slug plus a digest of the original, so distinct raw ids
    never share a document id. `readable` (e.g. a WARC record's URL) names it when `raw` is opaque.
    """
    if readable is None and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", raw) and ".." not in raw:
        return f"{container}/{raw}"
    readable = re.sub(r"^[a-z]+://|[^A-Za-z0-9_.-]+", "-", anyascii(readable or raw))[:48].strip("-.")
    return f"{container}/{readable or 'r'}-{_digest(raw, 12)}"


def doc_id_elsewhere(doc: str, where: str) -> str:
    """A second id for a document whose id another document of the run already has
    (a file "news/a.txt" and record "a" of "news.jsonl"): its id plus a digest of where it is."""
    return f"{doc}-{_digest(where, 8)}"


# Characters an IRI may not contain (RFC 3987 plus what N-Triples/Turtle writers must escape).
_IRI_BAD = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_HOST_RE = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?)(?:\.[^\W_](?:[\w-]*[^\W_])?)*$|^\[[0-9A-Fa-f:.]+\]$")


def web_iri(value: str | None) -> str | None:
    """`value` if it is an absolute http(s) IRI that every RDF tool accepts, else None."""
    from urllib.parse import urlsplit

    if not value or _IRI_BAD.search(value) or re.search(r"%(?![0-9A-Fa-f]{2})", value):
        return None
    if any((ord(c) & 0xFFFE) == 0xFFFE for c in value):  # noncharacters of every plane
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or not _HOST_RE.match(host):
        return None
    if port is not None and not 0 < port < 65536:
        return None
    return value


def document(doc: str) -> URIRef:
    return URIRef(f"{DATA}doc/{doc}")


def sentence(doc: str, index: int) -> URIRef:
    return URIRef(f"{DATA}doc/{doc}/sentence/{index}")


def statement(doc: str, relation: str, agent: str, target: str | None,
              begin: int, end: int, modality: str) -> URIRef:
    basis = "\x1f".join([relation, agent, target or "", str(begin), str(end), modality])
    digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{DATA}statement/{doc}/{digest}")


def cameo(code: str) -> URIRef:
    """The SKOS concept of a CAMEO event code ("042"), as declared in ontology/geo.ttl."""
    if not _CAMEO_RE.match(code):
        raise ValueError(f"invalid CAMEO code {code!r}")
    return URIRef(CAMEO + code)


def wikidata(qid: str) -> URIRef:
    if not _QID_RE.match(qid):
        raise ValueError(f"invalid Wikidata QID {qid!r}")
    return URIRef(WIKIDATA + qid)


def term(name: str) -> URIRef:
    """An ontology term by local name (prefer kg.rdfio.namespace.GEO, which is closed)."""
    return URIRef(ONTOLOGY + name)
