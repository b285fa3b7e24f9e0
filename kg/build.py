"""`kg build` as a library function: documents -> store -> RDF files (+ HTML)."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import KgError
from .fileio import read_documents
from .resources import ontology_dir

DEFAULT_FORMATS = ("turtle", "trig")


@dataclass
class BuildSummary:
    documents: int = 0
    processed: int = 0
    unchanged: int = 0
    pruned: int = 0
    sentences: int = 0  # in the documents processed by this run
    actors: int = 0  # in the whole graph
    statements: Counter = field(default_factory=Counter)  # (relation, modality) -> count, whole graph
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        total = sum(self.statements.values())
        out = [
            f"documents: {self.documents} ({self.processed} processed, {self.unchanged} unchanged"
            + (f", {self.pruned} removed" if self.pruned else "") + ")",
            f"sentences processed: {self.sentences}",
            f"actors: {self.actors}",
            f"statements: {total}",
        ]
        modalities = ("asserted", "planned", "possible", "negated")
        for relation in ("meets", "warns", "supports", "demands"):
            counts = [f"{m} {self.statements[(relation, m)]}" for m in modalities if self.statements[(relation, m)]]
            n = sum(self.statements[(relation, m)] for m in modalities)
            out.append(f"  {relation:<9}{n:>5}" + (f"   ({', '.join(counts)})" if counts else ""))
        out.append(f"wrote: {', '.join(str(p) for p in self.outputs)}")
        out.append(f"time: {self.seconds:.1f} s")
        return out


def pipeline_fingerprint() -> str:
    """Changes whenever the extractor or its data change, so stored documents are redone."""
    h = hashlib.sha256(__version__.encode())
    root = ontology_dir()
    for path in sorted([*root.glob("gazetteer/*.csv"), *root.glob("lexicon/*.toml")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    here = Path(__file__).parent
    # rdf.py and event_table.py turn records into triples (dates, event codes): part of the output too.
    code = sorted(here.glob("extract/*.py")) + sorted(here.glob("nlp/*.py")) + [here / "rdf.py", here / "event_table.py"]
    for path in code:
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def content_hash(text: str, fingerprint: str, model: str | None) -> str:
    return hashlib.sha256(f"{fingerprint}\x1f{model or ''}\x1f{text}".encode()).hexdigest()


def build(
    inputs: list[str | Path],
    out_dir: str | Path,
    *,
    store_dir: str | Path | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    html: bool = True,
    model: str | None = None,
    prune: bool = False,
    cache_dir: str | None = "default",
    progress: Callable[[str], None] | None = None,
    date: str | None = None,
    fields: dict[str, str] | None = None,
) -> BuildSummary:
    """Extract every input document into the store, then write the graph files."""
    from .extract.document import extract_text
    from .rdf import document_triples
    from .serialize import FORMATS, serialize
    from .fileio import write_bytes_atomic
    from .store import GraphStore

    started = time.perf_counter()
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KgError(f"{out_dir}: exists and is not a folder")
    for fmt in formats:
        if fmt not in FORMATS:
            raise KgError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    # All input errors surface before anything is written.
    documents = read_documents(list(inputs), date=date, fields=fields)
    summary = BuildSummary(documents=len(documents))
    fingerprint = pipeline_fingerprint()
    nlp = None
    with GraphStore.open(store_dir or out_dir / "store") as store:
        wanted = set()
        for doc in documents:
            doc_id = doc.doc_id
            wanted.add(doc_id)
            digest = content_hash(f"{doc.meta!r}\x1e{doc.text}", fingerprint, model)  # new metadata: redo
            if store.document_hash(doc_id) == digest:
                summary.unchanged += 1
                continue
            if nlp is None:
                from .nlp.pipeline import make_nlp

                nlp = make_nlp(model, cache_dir=cache_dir)
            if progress:
                progress(f"processing {doc.path}")
            result = extract_text(nlp, doc.text, doc_id, doc.relative)
            result.meta = doc.meta
            summary.sentences += len(result.sentences)
            store.put_document(doc_id, digest, document_triples(result))
            summary.processed += 1
        if prune:
            for doc_id in sorted(set(store.documents()) - wanted):
                store.remove_document(doc_id)
                summary.pruned += 1
        store.commit()
        ds = store.to_dataset()
        ds.default_union = True  # queries see every document's named graph
        _count(ds, summary)
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            path = out_dir / ("graph" + FORMATS[fmt][0])
            write_bytes_atomic(path, serialize(ds, fmt))
            summary.outputs.append(path)
        if html:
            from .viz import write_html

            summary.outputs.append(write_html(ds, out_dir / "graph.html"))
    summary.seconds = time.perf_counter() - started
    return summary


def _count(ds, summary: BuildSummary) -> None:
    from .namespace import GEO
    from .rdf import MODALITY_TERM, RELATION_PROPERTY

    relation_name = {v: k for k, v in RELATION_PROPERTY.items()}
    modality_name = {v: k for k, v in MODALITY_TERM.items()}
    query = """
        SELECT ?rel ?mod (COUNT(DISTINCT ?s) AS ?n) WHERE {
            ?s a gkg:Statement ; gkg:relation ?rel ; gkg:modality ?mod .
        } GROUP BY ?rel ?mod
    """
    for row in ds.query(query, initNs={"gkg": GEO._NS}):
        summary.statements[(relation_name.get(row.rel, str(row.rel)), modality_name.get(row.mod, str(row.mod)))] += int(row.n)
    actors = ds.query("""
        SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
            VALUES ?class { gkg:Person gkg:State gkg:Organization gkg:InternationalOrganization
                            gkg:GovernmentalOrganization }
            ?a a ?class .
        }""", initNs={"gkg": GEO._NS})
    summary.actors = int(next(iter(actors)).n)
