"""Event codes, statement dates in RDF, the events table (kg events, kg.events, kg.to_networkx) and
the dated questions, on a small graph built here from hand-made records."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

import kg
from kg import iris
from kg.cli import cli
from kg.event_table import COLUMNS, event_code, event_lexicon, events_table
from kg.rdfio.namespace import GEO
from kg.rdfio.rdf import build_dataset, union_graph
from kg.records import Actor, DocumentMeta, DocumentResult, Sentence, Statement
from kg.resources import data_path
from kg.rdfio.serialize import serialize
from kg.rdfio.source import query_graph_file

ACTORS = {
    "person/olaf-scholz": Actor("person/olaf-scholz", "person", "Olaf Scholz", country="state/de", wikidata="Q61053"),
    "person/emmanuel-macron": Actor("person/emmanuel-macron", "person", "Emmanuel Macron", country="state/fr"),
    "state/de": Actor("state/de", "state", "Deutschland", iso2="de", wikidata="Q183"),
    "state/fr": Actor("state/fr", "state", "Frankreich", iso2="fr"),
    "state/ua": Actor("state/ua", "state", "Ukraine", iso2="ua"),
    "state/ru": Actor("state/ru", "state", "Russland", iso2="ru"),
    "place/genf": Actor("place/genf", "place", "Genf", country="state/ch"),
    "state/ch": Actor("state/ch", "state", "Schweiz", iso2="ch"),
}


def st(relation, agent, target, modality="asserted", lemma=None, time=None, tense="past", place=None,
       sentence=1, start=0, end=10):
    return Statement(relation, agent, target, modality, 0.8, "doc1", sentence, start, end, lemma or "x",
                     place=place, time=time, lemma=lemma, tense=tense)


# (statement, evidence sentence, expected CAMEO code or None)
CODE_CASES = [
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="treffen"), "Scholz traf Macron.", "040"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="telefonieren"),
     "Scholz telefonierte mit Macron.", "041"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="Telefonat"),
     "Das Telefonat zwischen Scholz und Macron.", "041"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="besuchen"), "Scholz besuchte Macron.", "042"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="empfangen"), "Scholz empfing Macron.", "043"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="treffen", place="place/genf"),
     "Scholz traf Macron in Genf.", "044"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="treffen", place="state/fr"),
     "Scholz traf Macron in Frankreich.", "040"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", "planned", lemma="treffen"),
     "Scholz will Macron treffen.", "036"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", "negated", lemma="Treffen"),
     "Scholz lehnte ein Treffen mit Macron ab.", "125"),
    (st("meets", "person/olaf-scholz", "person/emmanuel-macron", "negated", lemma="treffen"),
     "Scholz traf Macron nicht.", None),
    (st("supports", "state/de", "state/ua", lemma="liefern"), "Deutschland liefert der Ukraine Waffen.", "072"),
    (st("supports", "state/de", "state/ua", lemma="unterstützen"),
     "Deutschland unterstützt die Ukraine mit Panzern.", "072"),
    (st("supports", "state/de", "state/ua", lemma="Finanzhilfe"), "Die Finanzhilfe Deutschlands für die Ukraine.",
     "071"),
    (st("supports", "state/de", "state/ua", lemma="leisten"), "Deutschland leistet der Ukraine humanitäre Hilfe.",
     "073"),
    (st("supports", "state/de", "state/ua", lemma="unterstützen"), "Deutschland unterstützt die Ukraine.", "050"),
    (st("supports", "state/de", "state/ua", lemma="aussprechen"), "Scholz sprach sich für die Ukraine aus.", "051"),
    (st("supports", "state/de", "state/ua", lemma="unterstützen"),
     "Deutschland unterstützt die Ukraine und unterzeichnete ein Abkommen.", "057"),
    (st("supports", "state/de", "state/ua", "planned", lemma="liefern"),
     "Deutschland will der Ukraine Raketen liefern.", "0332"),
    (st("supports", "state/de", "state/ua", lemma="zusagen"), "Deutschland sagte der Ukraine Hilfe zu.", "033"),
    (st("supports", "state/de", "state/ua", lemma="zusagen"), "Deutschland sagte der Ukraine Leopard-Panzer zu.",
     "0332"),
    (st("supports", "state/de", "state/ua", "planned", lemma="liefern"),
     "Deutschland werde der Ukraine zwei Iris-T-Systeme liefern.", "0332"),
    (st("supports", "state/de", "state/ua", "planned", lemma="liefern"),
     "Deutschland werde der Ukraine Strom liefern.", "033"),
    (st("supports", "state/de", "state/ua", "planned", lemma="unterstützen"),
     "Deutschland werde die Ukraine weiter unterstützen.", "030"),
    (st("supports", "state/de", "state/ua", "negated", lemma="verweigern"),
     "Deutschland verweigerte der Ukraine Marschflugkörper-Waffen.", "1222"),
    (st("warns", "person/olaf-scholz", None, lemma="warnen"), "Scholz warnte, dass der Krieg dauern könnte.", "012"),
    (st("warns", "person/olaf-scholz", "state/ru", lemma="warnen"), "Scholz warnte Russland.", "130"),
    (st("demands", "person/olaf-scholz", "state/ru", lemma="fordern"), "Scholz forderte von Russland einen Waffenstillstand.",
     "1056"),
    (st("demands", "state/ua", "state/de", lemma="fordern"), "Die Ukraine forderte von Deutschland mehr Waffen.",
     "1032"),
    (st("demands", "person/olaf-scholz", "state/ru", lemma="auffordern"),
     "Scholz forderte China auf, Russland keine Waffen zu liefern.", "100"),
    (st("demands", "person/olaf-scholz", "state/ru", lemma="fordern"), "Scholz forderte Verhandlungen.", "108"),
    (st("demands", "state/ua", "state/ru", lemma="auffordern"),
     "Die Ukraine forderte Russland auf, sein Militär abzuziehen.", "1056"),
    (st("demands", "person/olaf-scholz", "state/ru", lemma="fordern"), "Scholz forderte Russland zum Rückzug auf.",
     "1056"),
]


@pytest.mark.parametrize("statement, sentence, expected", CODE_CASES, ids=[c[1] for c in CODE_CASES])
def test_event_code(statement, sentence, expected):
    got = event_code(statement, sentence, ACTORS)
    assert (got.code if got else None) == expected


def test_every_code_is_in_the_skos_scheme_with_goldstein_and_plover():
    """events.toml and ontology/geo.ttl describe the same codes with the same values."""
    geo = Graph().parse(data_path("geo.ttl"))
    codes = event_lexicon().codes
    in_scheme = {str(s)[len(iris.CAMEO):] for s in geo.subjects(SKOS.inScheme, GEO.CAMEOCodes)}
    assert set(codes) <= in_scheme
    for code, entry in codes.items():
        concept = iris.cameo(code)
        assert (concept, SKOS.notation, Literal(code, datatype=GEO.CAMEOCode)) in geo
        assert geo.value(concept, GEO.goldstein).toPython() == Decimal(str(entry.goldstein))
        plover = geo.value(concept, GEO.ploverCategory)
        assert (str(plover) if plover else None) == entry.plover
        assert geo.value(concept, SKOS.broader) is not None or (concept, SKOS.topConceptOf, GEO.CAMEOCodes) in geo
    used = {r.code for r in event_lexicon().rules if r.code}
    assert used <= set(codes)
    raw = tomllib.loads(data_path("lexicon", "events.toml").read_text(encoding="utf-8"))
    assert {r["code"] for r in raw["rule"] if r["code"]} == used


TEXT = ("Scholz traf Macron am Montag in Genf. Scholz will Macron im Juni treffen. "
        "Deutschland liefert der Ukraine Waffen. Scholz traf Macron im Jahr 2024.")


def sample_result(date="2025-02-13") -> DocumentResult:
    sentences = [Sentence(1, 0, 37, TEXT[0:37]), Sentence(2, 38, 74, TEXT[38:74]),
                 Sentence(3, 75, 113, TEXT[75:113]), Sentence(4, 114, len(TEXT), TEXT[114:])]
    statements = [
        st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="treffen", time="am Montag",
           place="place/genf", sentence=1, start=0, end=18),
        st("meets", "person/olaf-scholz", "person/emmanuel-macron", "planned", lemma="treffen", time="im Juni",
           tense="present", sentence=2, start=38, end=73),
        st("supports", "state/de", "state/ua", lemma="liefern", sentence=3, start=75, end=112),
        st("meets", "person/olaf-scholz", "person/emmanuel-macron", lemma="treffen", time="im Jahr 2024",
           sentence=4, start=114, end=150),
    ]
    return DocumentResult("doc1", "doc1.txt", TEXT, sentences, dict(ACTORS), [], statements,
                          DocumentMeta(title="Ein Testartikel", date=date, url="https://example.org/a", source="test"))


@pytest.fixture()
def graph_file(tmp_path) -> Path:
    path = tmp_path / "graph.trig"
    path.write_bytes(serialize(build_dataset([sample_result()]), "trig"))
    return path


def test_statement_dates_in_rdf():
    g = union_graph(build_dataset([sample_result()]))
    by_time = {str(g.value(s, GEO.timeExpression)): s for s in g.subjects(GEO.relation, GEO.meets)}
    monday = by_time["am Montag"]
    assert g.value(monday, GEO.date) == Literal("2025-02-10", datatype=XSD.date)
    assert g.value(monday, GEO.datePrecision) == Literal("day")
    assert g.value(monday, GEO.dateIsReportDate) is None
    assert g.value(monday, GEO.eventCode) == iris.cameo("044")
    june = by_time["im Juni"]
    assert g.value(june, GEO.date) == Literal("2025-06", datatype=XSD.gYearMonth)
    assert g.value(june, GEO.dateBegin) == Literal("2025-06-01", datatype=XSD.date)
    assert g.value(june, GEO.dateEnd) == Literal("2025-06-30", datatype=XSD.date)
    assert g.value(by_time["im Jahr 2024"], GEO.date) == Literal("2024", datatype=XSD.gYear)
    aid = next(g.subjects(GEO.relation, GEO.supports))
    assert g.value(aid, GEO.date) == Literal("2025-02-13", datatype=XSD.date)
    assert g.value(aid, GEO.dateIsReportDate) == Literal(True)
    assert g.value(aid, GEO.eventCode) == iris.cameo("072")
    assert g.value(iris.cameo("072"), GEO.goldstein).toPython() == Decimal("8.3")


def test_no_document_date_no_dates():
    g = union_graph(build_dataset([sample_result(date=None)]))
    assert not list(g.triples((None, GEO.date, None)))
    assert not list(g.triples((None, GEO.dateBegin, None)))
    assert list(g.triples((None, GEO.eventCode, None)))  # codes do not need a date


def test_events_table_rows(graph_file):
    rows = events_table(graph_file)
    assert len(rows) == 4 and all(list(r) == list(COLUMNS) for r in rows)
    first = rows[0]
    assert first["date"] == "2025-02-10" and first["date_precision"] == "day" and first["report_date"] is False
    assert first["time_expression"] == "am Montag" and first["relation"] == "meets"
    assert (first["cameo"], first["plover"], first["goldstein"]) == ("044", "CONSULT", 2.5)
    assert (first["agent"], first["agent_type"], first["agent_country"], first["agent_qid"]) == \
        ("Olaf Scholz", "Person", "DEU", "Q61053")
    assert (first["target"], first["target_country"], first["target_qid"]) == ("Emmanuel Macron", "FRA", None)
    assert first["place"] == "Genf" and first["modality"] == "asserted" and first["confidence"] == 0.8
    assert (first["title"], first["document_date"], first["url"]) == \
        ("Ein Testartikel", "2025-02-13", "https://example.org/a")
    assert first["sentence"] == TEXT[0:37] and (first["begin"], first["end"]) == (0, 18)
    aid = rows[2]
    assert aid["report_date"] is True and aid["cameo"] == "072" and aid["agent_country"] == "DEU"
    assert aid["target_country"] == "UKR" and aid["agent_type"] == "State"


@pytest.mark.parametrize("name", ["events.csv", "events.jsonl", "events.parquet", "-"])
def test_kg_events_command(graph_file, tmp_path, name):
    out = tmp_path / name
    target = "-" if name == "-" else str(out)
    result = CliRunner().invoke(cli, ["events", str(graph_file), "-o", target])
    assert result.exit_code == 0, result.output
    if name == "-":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    elif name.endswith(".csv"):
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    elif name.endswith(".jsonl"):
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    assert len(rows) == 4 and list(rows[0]) == list(COLUMNS)
    assert str(rows[0]["cameo"]) == "044" and rows[0]["date"] == "2025-02-10"
    if name != "-":
        again = tmp_path / ("again-" + name)
        CliRunner().invoke(cli, ["events", str(graph_file), "-o", str(again)])
        assert again.read_bytes() == out.read_bytes()  # deterministic


@pytest.mark.parametrize("args, message", [
    (["{graph}", "--store", "somewhere", "-o", "x.csv"], "not both"),
    (["{graph}", "-o", "x.xlsx"], "unknown table type"),
    (["missing.ttl", "-o", "x.csv"], "no such file"),
])
def test_kg_events_errors(graph_file, tmp_path, args, message):
    args = [a.replace("{graph}", str(graph_file)) for a in args]
    result = CliRunner().invoke(cli, ["events", *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_parquet_without_pyarrow_is_a_clear_error(graph_file, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed
    out = tmp_path / "e.parquet"
    out.write_bytes(b"old")
    result = CliRunner().invoke(cli, ["events", str(graph_file), "-o", str(out)])
    assert result.exit_code == 1 and "pyarrow" in result.output
    assert out.read_bytes() == b"old"  # earlier output kept


def test_python_api(graph_file):
    frame = kg.events(graph_file)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 4
    assert frame.loc[frame["cameo"] == "072", "agent"].tolist() == ["Deutschland"]
    assert kg.events(graph_file).equals(frame)  # callable twice (the module is not kg.events)
    graph = kg.to_networkx(graph_file)
    scholz, macron = iris.actor("person/olaf-scholz"), iris.actor("person/emmanuel-macron")
    assert graph.nodes[str(scholz)]["country"] == "DEU"
    assert graph.number_of_edges(str(scholz), str(macron)) == 3
    edges = graph.get_edge_data(str(scholz), str(macron))
    assert {e["cameo"] for e in edges.values()} == {"044", "036", "040"}
    assert all(key == e["statement"] for key, e in edges.items())


@pytest.mark.parametrize("question, columns, expected", [
    ("statements-per-month.rq", ("month", "relation", "statements", "report_dated"),
     [("2025-02", "meets", 1, 0), ("2025-02", "supports", 1, 1), ("2025-06", "meets", 1, 0)]),
    ("planned-meetings.rq", ("agent", "target", "date", "time", "report_date"),
     [("Olaf Scholz", "Emmanuel Macron", "2025-06", "im Juni", False)]),
    ("meetings-per-pair-per-year.rq", ("year", "actor1", "actor2", "meetings"),
     [(2024, "Emmanuel Macron", "Olaf Scholz", 1), (2025, "Emmanuel Macron", "Olaf Scholz", 1)]),
    ("goldstein-per-pair-per-month.rq", ("month", "agent", "target", "goldstein", "events"),
     [("2025-02", "Olaf Scholz", "Emmanuel Macron", 2.5, 1), ("2025-02", "Deutschland", "Ukraine", 8.3, 1)]),
])
def test_questions_return_rows(graph_file, question, columns, expected):
    from kg.event_table import _cell

    text = (Path(__file__).parent.parent / "questions" / question).read_text(encoding="utf-8")
    assert "PREFIX gkg: <https://w3id.org/geokg/ontology#>" in text
    result = query_graph_file(graph_file, text)
    got = [tuple(_cell(solution[name]) for name in columns) for solution in result]
    assert got == expected


def test_viz_model_reads_dates_codes_and_sources(graph_file):
    from kg.rdfio.source import open_graph_file
    from kg.viz import graph_model

    model = graph_model(open_graph_file(graph_file))
    by_time = {s.time: s for s in model.statements}
    monday = by_time["am Montag"]
    assert (monday.date, monday.date_begin, monday.date_end, monday.report_date) == \
        ("2025-02-10", "2025-02-10", "2025-02-10", False)
    assert (monday.event_code, monday.event_label) == ("044", "Meet at a third location")
    assert by_time["im Juni"].date == "2025-06" and by_time["im Juni"].date_end == "2025-06-30"
    assert by_time[None].report_date is True and by_time[None].date == "2025-02-13"
    (doc,) = model.documents
    assert (doc.title, doc.date, doc.url) == ("Ein Testartikel", "2025-02-13", "https://example.org/a")


@pytest.mark.parametrize("predicate, value, shape", [
    (GEO.date, Literal("2025-02-10", datatype=XSD.string), "kgsh:StatementDate"),
    (GEO.dateBegin, Literal("2025-03-01", datatype=XSD.date), "kgsh:StatementDateBegin"),  # after dateEnd
    (GEO.datePrecision, Literal("fortnight"), "kgsh:StatementDatePrecision"),
    (GEO.dateIsReportDate, Literal("yes"), "kgsh:StatementReportDate"),
    (GEO.eventCode, URIRef("https://example.org/code/042"), "kgsh:StatementEventCode"),
])
def test_shapes_catch_bad_dates_and_codes(predicate, value, shape):
    from kg.commands.validate import check

    ds = build_dataset([sample_result()])
    graph = ds.graph(iris.document("doc1"))
    monday = next(s for s, o in graph.subject_objects(GEO.timeExpression) if str(o) == "am Montag")
    assert check(ds) == []
    graph.set((monday, predicate, value))
    assert shape in {v.shape for v in check(ds)}


def test_events_from_a_store_match_the_graph_file(graph_file, tmp_path):
    from kg.rdfio.rdf import document_triples
    from kg.rdfio.store import GraphStore

    with GraphStore.open(tmp_path / "store") as store:
        store.put_document("doc1", "h", document_triples(sample_result()))
        store.commit()
    out = tmp_path / "from-store.jsonl"
    result = CliRunner().invoke(cli, ["events", "--store", str(tmp_path / "store"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    from_store = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert from_store == json.loads(json.dumps(events_table(graph_file)))
    assert len(kg.events(store=tmp_path / "store")) == 4
