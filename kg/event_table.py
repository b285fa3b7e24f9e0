"""Events: a CAMEO code and a date per statement, and the flat events table analysts use.

    event_code(statement, sentence_text, actors)  -> EventCode("072", …) from ontology/lexicon/events.toml
    statement_date(statement, "2025-02-13")       -> TimeValue (kg.extract.timex)
    events_table("output/graph.ttl")              -> list of row dicts (one SPARQL query)
    events("output/graph.ttl")                    -> pandas DataFrame  (also kg.events)
    to_networkx("output/graph.ttl")               -> networkx MultiDiGraph (also kg.to_networkx)
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import InputError, KgError
from .rdfio.prefixes import prefix_lines
from .records import MODALITIES, RELATIONS, Actor, Statement
from .resources import data_path

TABLE_FORMATS = ("csv", "parquet", "jsonl")


@dataclass(frozen=True)
class EventCode:
    code: str  # CAMEO, as a string: "042" and "42" differ
    label: str
    goldstein: float | None
    plover: str | None


@dataclass(frozen=True)
class _Rule:
    relation: str
    code: str
    lemmas: frozenset[str] | None = None
    modality: frozenset[str] | None = None
    target: bool | None = None
    cues: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    third_place: bool | None = None


@dataclass(frozen=True)
class EventLexicon:
    rules: tuple[_Rule, ...]
    codes: dict[str, EventCode]
    cues: dict[str, tuple[str, ...]]


@cache
def event_lexicon() -> EventLexicon:
    """Rules, codes and cue words of ontology/lexicon/events.toml (checked on load)."""
    path = data_path("lexicon", "events.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cues = {name: tuple(w.lower() for w in words) for name, words in data["cues"].items()}
        codes = {code: EventCode(code, entry["label"], entry.get("goldstein"), entry.get("plover") or None)
                 for code, entry in data["codes"].items()}
        rules = []
        for entry in data["rule"]:
            rule = _Rule(
                relation=entry["relation"], code=entry["code"],
                lemmas=frozenset(entry["lemmas"]) if "lemmas" in entry else None,
                modality=frozenset(entry["modality"]) if "modality" in entry else None,
                target=entry.get("target"), cues=tuple(entry.get("cues", ())),
                without=tuple(entry.get("without", ())), third_place=entry.get("third_place"),
            )
            unknown = [c for c in rule.cues + rule.without if c not in cues]
            if rule.relation not in RELATIONS or (rule.code and rule.code not in codes) or unknown \
                    or (rule.modality and not rule.modality <= set(MODALITIES)):
                raise ValueError(f"bad rule {entry}")
            rules.append(rule)
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise KgError(f"{path}: bad event lexicon ({exc})") from None
    return EventLexicon(tuple(rules), codes, cues)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text.lower())


def _has_cue(words: list[str], patterns: tuple[str, ...]) -> bool:
    match = _cue_regex(patterns).match
    return any(match(w) for w in words)


@cache
def _cue_regex(patterns: tuple[str, ...]) -> re.Pattern:
    """One regular expression for a cue's shell patterns (fnmatch's own translation)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or r"(?!)")


def _state_of(key: str | None, actors: dict[str, Actor]) -> str | None:
    actor = actors.get(key) if key else None
    if actor is None or actor.kind == "state":
        return key
    return actor.country or key


def event_code(st: Statement, sentence_text: str, actors: dict[str, Actor] | None = None) -> EventCode | None:
    """The CAMEO code of a statement: the first rule of events.toml that matches it (None: no code)."""
    lex = event_lexicon()
    actors = actors or {}
    words = _words(sentence_text)
    third = None
    if st.place:
        place_state = _state_of(st.place, actors)
        third = place_state not in {_state_of(st.agent, actors), _state_of(st.target, actors)}
    for rule in lex.rules:
        if rule.relation != st.relation:
            continue
        if rule.lemmas is not None and (st.lemma or "") not in rule.lemmas:
            continue
        if rule.modality is not None and st.modality not in rule.modality:
            continue
        if rule.target is not None and rule.target != (st.target is not None):
            continue
        if rule.third_place is not None and rule.third_place != bool(third):
            continue
        if any(not _has_cue(words, lex.cues[c]) for c in rule.cues):
            continue
        if any(_has_cue(words, lex.cues[c]) for c in rule.without):
            continue
        return lex.codes[rule.code] if rule.code else None
    return None


def statement_date(st: Statement, doc_date: str | None):
    """The statement's date from its time expression, tense and modality; with no expression
    (or one without a date of its own) the document date, marked as the report date."""
    from .extract.timex import normalise

    value = normalise(st.time, doc_date, st.tense, st.modality) if st.time else None
    return value or normalise(None, doc_date)


# -- the events table -------------------------------------------------------------

COLUMNS = (
    "statement", "date", "date_precision", "date_begin", "date_end", "report_date", "time_expression",
    "relation", "cameo", "cameo_label", "plover", "goldstein", "modality", "confidence",
    "agent", "agent_iri", "agent_type", "agent_country", "agent_qid",
    "target", "target_iri", "target_type", "target_country", "target_qid",
    "place", "place_iri", "reported_by", "reported_by_iri",
    "document", "document_iri", "title", "document_date", "url", "source",
    "sentence", "begin", "end", "trigger",
)

# Actor and code attributes come from subqueries grouped once per actor or code and then
# joined: Oxigraph evaluates them once, where nested OPTIONALs were re-evaluated per row
# (10,000 statements: 1.3 s instead of 8 s).
_ACTOR_PART = """
  OPTIONAL {{ {bind}{{ SELECT ?{v}_iri (MIN(?{v}_l0) AS ?{v}_l) (MIN(?{v}_t0) AS ?{v}_t)
        (MIN(COALESCE(?{v}_own, ?{v}_up)) AS ?{v}_iso) (MIN(?{v}_same0) AS ?{v}_same)
      WHERE {{
        ?{v}_any gkg:{role} ?{v}_iri .
        OPTIONAL {{ ?{v}_iri rdfs:label ?{v}_l0 }}
        OPTIONAL {{ ?{v}_iri a ?{v}_t0 . FILTER(STRSTARTS(STR(?{v}_t0), STR(gkg:))) }}
        OPTIONAL {{ ?{v}_iri gkg:isoCode ?{v}_own }}
        OPTIONAL {{ ?{v}_iri gkg:country/gkg:isoCode ?{v}_up }}
        OPTIONAL {{ ?{v}_iri owl:sameAs ?{v}_same0 . FILTER(STRSTARTS(STR(?{v}_same0), STR(wd:))) }}
      }} GROUP BY ?{v}_iri }} }}
"""

EVENTS_QUERY = prefix_lines("gkg", "rdfs", "owl", "skos", "dcterms", "wd") + """SELECT ?statement
  (MIN(?date_) AS ?date) (MIN(?precision_) AS ?date_precision) (MIN(?begin_d) AS ?date_begin)
  (MIN(?end_d) AS ?date_end) (MAX(?report_) AS ?report_date) (MIN(?time_) AS ?time_expression)
  (MIN(?rel) AS ?relation) (MIN(?cameo_) AS ?cameo) (MIN(?cameo_l) AS ?cameo_label) (MIN(?plover_) AS ?plover)
  (MIN(?goldstein_) AS ?goldstein) (MIN(?mod) AS ?modality) (MIN(?conf) AS ?confidence)
  (MIN(?agent_l) AS ?agent) (MIN(?agent_iri) AS ?agent_iri_) (MIN(?agent_t) AS ?agent_type)
  (MIN(?agent_iso) AS ?agent_country) (MIN(?agent_same) AS ?agent_qid)
  (MIN(?target_l) AS ?target) (MIN(?target_iri) AS ?target_iri_) (MIN(?target_t) AS ?target_type)
  (MIN(?target_iso) AS ?target_country) (MIN(?target_same) AS ?target_qid)
  (MIN(?place_l) AS ?place) (MIN(?place_iri) AS ?place_iri_)
  (MIN(?rep_l) AS ?reported_by) (MIN(?rep_iri) AS ?reported_by_iri)
  (MIN(?doc_l) AS ?document) (MIN(?doc) AS ?document_iri) (MIN(?title_) AS ?title)
  (MIN(?issued) AS ?document_date) (MIN(?url_) AS ?url) (MIN(?source_) AS ?source)
  (MIN(?text) AS ?sentence) (MIN(?b) AS ?begin) (MIN(?e) AS ?end) (MIN(?trig) AS ?trigger)
WHERE {
  ?statement a gkg:Statement ; gkg:relation ?rel ; gkg:agent ?agent_iri .
  OPTIONAL { ?statement gkg:modality ?mod }
  OPTIONAL { ?statement gkg:confidence ?conf }
  OPTIONAL { ?statement gkg:trigger ?trig }
  OPTIONAL { ?statement gkg:beginIndex ?b }
  OPTIONAL { ?statement gkg:endIndex ?e }
  OPTIONAL { ?statement gkg:timeExpression ?time_ }
  OPTIONAL { ?statement gkg:date ?date_ }
  OPTIONAL { ?statement gkg:dateBegin ?begin_d }
  OPTIONAL { ?statement gkg:dateEnd ?end_d }
  OPTIONAL { ?statement gkg:datePrecision ?precision_ }
  OPTIONAL { ?statement gkg:dateIsReportDate ?report_ }
  OPTIONAL { ?statement gkg:eventCode ?code .
             { SELECT ?code (MIN(?n) AS ?cameo_) (MIN(?l) AS ?cameo_l) (MIN(?pl) AS ?plover_)
                      (MIN(?g) AS ?goldstein_)
               WHERE { ?code skos:notation ?n . FILTER(DATATYPE(?n) = gkg:CAMEOCode)
                       OPTIONAL { ?code skos:prefLabel ?l }
                       OPTIONAL { ?code gkg:ploverCategory ?pl }
                       OPTIONAL { ?code gkg:goldstein ?g } } GROUP BY ?code } }
  OPTIONAL { ?statement gkg:evidence ?sent . ?sent gkg:text ?text }
  OPTIONAL { ?statement gkg:place ?place_iri . OPTIONAL { ?place_iri rdfs:label ?place_l } }
  OPTIONAL { ?statement gkg:reportedBy ?rep_iri . OPTIONAL { ?rep_iri rdfs:label ?rep_l } }
  OPTIONAL { ?statement gkg:document ?doc .
             OPTIONAL { ?doc rdfs:label ?doc_l }
             OPTIONAL { ?doc dcterms:title ?title_ }
             OPTIONAL { ?doc dcterms:issued ?issued }
             OPTIONAL { ?doc dcterms:source ?source_ }
             OPTIONAL { ?doc <https://schema.org/url> ?url_ } }
""" + _ACTOR_PART.format(v="agent", role="agent", bind="") \
    + _ACTOR_PART.format(v="target", role="target", bind="?statement gkg:target ?target_iri . ") + """}
GROUP BY ?statement
ORDER BY ?document_iri ?begin ?statement
"""


def _query(path: str | Path | None = None, store: str | Path | None = None):
    from .rdfio.source import query_graph_file
    from .rdfio.store import GraphStore

    if (path is None) == (store is None):
        raise InputError("give either a graph file or a store folder (exactly one)")
    if store is not None:
        with GraphStore.open(store, read_only=True) as opened:
            return list(opened.query(EVENTS_QUERY))
    return list(query_graph_file(path, EVENTS_QUERY))


@cache
def _iso3() -> dict[str, str]:
    """ISO 3166 alpha-2 -> alpha-3 from the state gazetteer."""
    with data_path("gazetteer", "states.csv").open(encoding="utf-8", newline="") as fh:
        return {row["iso2"].upper(): row["iso3"].upper() for row in csv.DictReader(fh) if row.get("iso3")}


def _cell(term):
    """A pyoxigraph term as a plain Python value (numbers and booleans typed, the rest text)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1]
        try:
            if dt in ("integer", "int", "long"):
                return int(term.value)
            if dt in ("decimal", "double", "float"):
                return float(term.value)
        except ValueError:
            return term.value  # an ill-formed number in someone else's graph: keep its text
        if dt == "boolean":
            return term.value in ("true", "1")
        return term.value
    return term.value


def _local(iri: str | None) -> str | None:
    return re.split(r"[#/]", iri)[-1] if iri else None


def events_table(path: str | Path | None = None, *, store: str | Path | None = None) -> list[dict]:
    """One row per statement of a graph file (or a store folder), columns as in COLUMNS."""
    solutions = _query(path, store)
    rows = []
    for solution in solutions:
        raw = {name: _cell(solution[name]) for name in (
            "statement", "date", "date_precision", "date_begin", "date_end", "report_date", "time_expression",
            "relation", "cameo", "cameo_label", "plover", "goldstein", "modality", "confidence",
            "agent", "agent_iri_", "agent_type", "agent_country", "agent_qid",
            "target", "target_iri_", "target_type", "target_country", "target_qid",
            "place", "place_iri_", "reported_by", "reported_by_iri",
            "document", "document_iri", "title", "document_date", "url", "source",
            "sentence", "begin", "end", "trigger")}
        row = {
            "statement": raw["statement"], "date": raw["date"], "date_precision": raw["date_precision"],
            "date_begin": raw["date_begin"], "date_end": raw["date_end"],
            "report_date": bool(raw["report_date"]), "time_expression": raw["time_expression"],
            "relation": _local(raw["relation"]), "cameo": raw["cameo"], "cameo_label": raw["cameo_label"],
            "plover": raw["plover"], "goldstein": raw["goldstein"],
            "modality": (_local(raw["modality"]) or "").lower() or None, "confidence": raw["confidence"],
        }
        for side in ("agent", "target"):
            iso2 = raw[f"{side}_country"]
            qid = raw[f"{side}_qid"]
            row.update({
                side: raw[side], f"{side}_iri": raw[f"{side}_iri_"], f"{side}_type": _local(raw[f"{side}_type"]),
                f"{side}_country": _iso3().get(str(iso2).upper()) if iso2 else None,
                f"{side}_qid": _local(qid) if qid else None,
            })
        row.update({
            "place": raw["place"], "place_iri": raw["place_iri_"], "reported_by": raw["reported_by"],
            "reported_by_iri": raw["reported_by_iri"], "document": raw["document"],
            "document_iri": raw["document_iri"], "title": raw["title"], "document_date": raw["document_date"],
            "url": raw["url"], "source": raw["source"], "sentence": raw["sentence"], "begin": raw["begin"],
            "end": raw["end"], "trigger": raw["trigger"],
        })
        rows.append(row)
    return rows


def events(path: str | Path | None = None, *, store: str | Path | None = None):
    """The events table as a pandas DataFrame (needs pandas: pip install 'kg[analysis]')."""
    try:
        import pandas as pd
    except ModuleNotFoundError:
        raise KgError("kg.events needs pandas; install it with: pip install 'kg[analysis]'") from None
    frame = pd.DataFrame(events_table(path, store=store), columns=list(COLUMNS))
    for column in ("begin", "end"):
        frame[column] = frame[column].astype("Int64")
    return frame


def to_networkx(path: str | Path | None = None, *, store: str | Path | None = None):
    """Actors as nodes, statements with a target as edges (key: statement IRI), with the table's columns."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for row in events_table(path, store=store):
        for side in ("agent", "target"):
            iri = row[f"{side}_iri"]
            if iri and iri not in graph:
                graph.add_node(iri, label=row[side], type=row[f"{side}_type"], country=row[f"{side}_country"],
                               qid=row[f"{side}_qid"])
        if row["target_iri"]:
            graph.add_edge(row["agent_iri"], row["target_iri"], key=row["statement"], **row)
    return graph


def format_for(output: str) -> str:
    """Table format from an output name: .csv, .parquet, .jsonl; "-" is CSV on stdout."""
    if output == "-":
        return "csv"
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in TABLE_FORMATS:
        raise InputError(f"{output}: unknown table type; expected .csv, .parquet or .jsonl (or - for stdout)")
    return suffix


def table_bytes(rows: list[dict], fmt: str) -> bytes:
    """The rows as CSV (UTF-8, header row), JSON Lines or Parquet; same rows -> same bytes."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()})
        return out.getvalue().encode("utf-8")
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n" for row in rows).encode("utf-8")
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ModuleNotFoundError:
            raise KgError("writing .parquet needs pyarrow; install it with: pip install 'kg[analysis]' "
                          "(or write .csv / .jsonl)") from None
        types = {"report_date": pa.bool_(), "goldstein": pa.float64(), "confidence": pa.float64(),
                 "begin": pa.int64(), "end": pa.int64()}
        schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
        table = pa.Table.from_pylist(rows, schema=schema)
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue()
    raise InputError(f"unknown table format {fmt!r}")
