"""Input formats (kg.sources): each format plain and gzipped, front matter, metadata.csv, --field,
standard input, bad records skipped and counted, text hygiene, nothing fetched."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.records import DocumentMeta
from kg.sources import iter_documents, read_documents
from kg.sources.text import check_date, clean_text, split_front_matter

ROOT = Path(__file__).resolve().parent.parent

HTML_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Merz trifft Macron in Paris | Beispielzeitung</title>
<meta property="og:title" content="Merz trifft Macron in Paris">
<meta property="og:site_name" content="Beispielzeitung">
<meta property="article:published_time" content="2025-03-04T10:15:00+01:00">
<link rel="canonical" href="https://www.beispielzeitung.de/politik/merz-macron-100.html">
</head><body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/sport">Sportnachrichten</a></li></ul></nav>
<header><h1>Merz trifft Macron in Paris</h1></header>
<article>
<p>Bundeskanzler Friedrich Merz hat am Dienstag den französischen Präsidenten Emmanuel Macron in Paris
getroffen. Die beiden Politiker sprachen über die Unterstützung der Ukraine und die europäische Verteidigung.</p>
<p>Macron forderte eine gemeinsame europäische Luftverteidigung. Merz sagte, Deutschland werde die Ukraine
weiter unterstützen, solange es nötig sei. Beide warnten Russland vor einer weiteren Eskalation.</p>
<p>Das Treffen dauerte nach Angaben des Élysée-Palasts rund zwei Stunden.</p>
</article>
<section class="comments" id="comments"><h2>Kommentare</h2>
<div class="comment"><p>Leser123: Das ist doch alles Unsinn, Putin traf nie jemanden!</p></div></section>
<footer><p>© 2025 Beispielzeitung · Impressum · Datenschutz</p></footer>
</body></html>
""".encode()
PAGE_URL = "https://www.beispielzeitung.de/politik/merz-macron-100.html"
PAGE_META = DocumentMeta("Merz trifft Macron in Paris", "2025-03-04", PAGE_URL, "Beispielzeitung")
SMALL_PAGE = (b"<html><body><article><p>Scholz traf Biden in Washington. Die beiden sprachen lange "
              b"\xc3\xbcber die Lage in der Ukraine und im Nahen Osten.</p></article></body></html>")


def warc_bytes(records: list[tuple[str, str, str, bytes, str]], gz: bool) -> bytes:
    """A WARC file with a warcinfo and a request record, then (url, status, type, body, date) responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = BytesIO()
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "kg tests"}))
    for url, status, ctype, body, date in records:
        request = writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True))
        writer.write_record(request)
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": date}))
    return out.getvalue()


WARC_RECORDS = [
    (PAGE_URL, "200 OK", "text/html; charset=utf-8", HTML_PAGE, "2025-03-05T08:00:00Z"),
    ("https://www.beispielzeitung.de/b", "200 OK", "text/html", SMALL_PAGE, "2025-03-06T08:00:02Z"),
]

# name -> (files {relative path: bytes}, expected [(doc_id, text it starts with, meta)])
FORMATS = {
    "txt": ({"a.txt": "Putin traf Trump.\n".encode()}, [("a", "Putin traf Trump.", DocumentMeta())]),
    "md with front matter": (
        {"b.md": "---\ntitle: \"Ein Titel: mit Doppelpunkt\"\ndate: 2025-02-13\nurl: https://example.org/b\n"
                 "source: dpa\nauthor: ignored\n---\nPutin traf Trump.\n".encode()},
        [("b", "Putin traf Trump.", DocumentMeta("Ein Titel: mit Doppelpunkt", "2025-02-13",
                                                 "https://example.org/b", "dpa"))]),
    "jsonl": (
        {"feed.jsonl": b'{"id": "art-1", "text": "Merz traf Macron.", "title": "T1", "date": "2025-10-14", '
                       b'"url": "https://example.org/1", "source": "dpa"}\n\n'
                       b'{"text": "Scholz traf Biden."}\n'},
        [("feed/art-1", "Merz traf Macron.", DocumentMeta("T1", "2025-10-14", "https://example.org/1", "dpa")),
         ("feed/line-3", "Scholz traf Biden.", DocumentMeta())]),
    "html": ({"page.html": HTML_PAGE}, [("page", "Merz trifft Macron in Paris\n\nBundeskanzler", PAGE_META)]),
    "html in Latin-1": (
        {"alt.htm": ('<html><head><meta charset="iso-8859-1"><title>Grüße aus Köln</title></head><body><article>'
                     '<p>Bundeskanzler Olaf Scholz traf in München den französischen Präsidenten Emmanuel Macron. '
                     'Die beiden sprachen über die Lage in der Ukraine.</p></article></body></html>').encode("latin-1")},
        [("alt", "Grüße aus Köln\n\nBundeskanzler Olaf Scholz traf in München", DocumentMeta("Grüße aus Köln"))]),
    "warc": (
        {"cc.warc": b"WARC"},  # replaced by warc_bytes() below, gzipped per record for .gz
        [(None, "Merz trifft Macron in Paris\n\nBundeskanzler", PAGE_META),
         (None, "Scholz traf Biden", DocumentMeta(None, "2025-03-06", "https://www.beispielzeitung.de/b",
                                                   "beispielzeitung.de"))]),
}


def write_files(folder: Path, files: dict[str, bytes], gz: bool) -> None:
    for rel, data in files.items():
        path = folder / (rel + (".gz" if gz else ""))
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".warc"):
            path.write_bytes(warc_bytes(WARC_RECORDS, gz))  # WARC is gzipped record by record
        else:
            path.write_bytes(gzip.compress(data, mtime=0) if gz else data)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_is_read(name, gz, tmp_path):
    files, expected = FORMATS[name]
    write_files(tmp_path, files, gz)
    skipped: list[str] = []
    docs = list(iter_documents([tmp_path], on_skip=skipped.append))
    assert skipped == []
    assert len(docs) == len(expected)
    for doc, (doc_id, start, meta) in zip(docs, expected, strict=True):
        if doc_id:
            assert doc.doc_id == doc_id
        assert doc.text.startswith(start), doc.text[:80]
        assert doc.meta == meta


def test_html_main_text_drops_navigation_comments_and_footer(tmp_path):
    (tmp_path / "page.htm").write_bytes(HTML_PAGE)
    [doc] = read_documents([tmp_path / "page.htm"])
    assert "Emmanuel Macron in Paris" in doc.text and "Eskalation" in doc.text
    for boilerplate in ("Startseite", "Sportnachrichten", "Leser123", "Kommentare", "Impressum"):
        assert boilerplate not in doc.text


def test_warc_records_have_distinct_ids_and_offsets(tmp_path):
    records = WARC_RECORDS + [WARC_RECORDS[1]]  # the same URL crawled twice: two records, two ids
    (tmp_path / "cc.warc.gz").write_bytes(warc_bytes(records, True))
    docs = read_documents([tmp_path / "cc.warc.gz"])
    assert len({d.doc_id for d in docs}) == 3
    assert all(d.doc_id.startswith("cc/www.beispielzeitung.de-") for d in docs)
    assert [d.relative.split("@")[0] for d in docs] == ["cc.warc.gz"] * 3
    offsets = [int(d.relative.split("@")[1]) for d in docs]
    assert offsets == sorted(offsets) and len(set(offsets)) == 3


def test_nothing_is_fetched(tmp_path, monkeypatch):
    """trafilatura and warcio work on the bytes given: any network access fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (tmp_path / "page.html").write_bytes(HTML_PAGE)
    (tmp_path / "cc.warc.gz").write_bytes(warc_bytes(WARC_RECORDS, True))
    docs = read_documents([tmp_path])
    assert len(docs) == 3 and all(d.meta.url for d in docs)


@pytest.mark.parametrize("text,meta,rest", [
    ("---\ntitle: T\n---\nText.", {"title": "T"}, "Text."),
    ("---\r\ntitle: 'T'\r\ndate: 2025-01-02\r\n---\r\nText.", {"title": "T", "date": "2025-01-02"}, "Text."),
    ("---\n# a comment\n\nurl: https://a.de/\n...\nText.", {"url": "https://a.de/"}, "Text."),
    ("---\n\nEin Absatz nach einer Linie.\n", {}, "---\n\nEin Absatz nach einer Linie.\n"),  # Markdown rule
    ("---\ntitle: T\nText ohne Ende des Blocks.", {}, "---\ntitle: T\nText ohne Ende des Blocks."),
    ("Text.\n---\ntitle: T\n---\n", {}, "Text.\n---\ntitle: T\n---\n"),  # not at the start
    ("---\ntitle: T\n---", {"title": "T"}, ""),
])
def test_front_matter(text, meta, rest):
    assert split_front_matter(text) == (meta, rest)


def test_offsets_count_after_front_matter(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nPutin traf Trump.", encoding="utf-8")
    [doc] = read_documents([tmp_path / "a.md"])
    assert doc.text == "Putin traf Trump." and doc.text.index("Trump") == 11


@pytest.mark.parametrize("value,date,problem", [
    ("2025-02-13", "2025-02-13", None),
    ("2024-02-29", "2024-02-29", None),
    ("2025-02-13T23:30:00+01:00", "2025-02-13", None),
    ("2025-02-13T10:00:00Z", "2025-02-13", None),
    ("2025-02", None, "partial"),
    ("2025", None, "partial"),
    ("2025-02-30", None, "does not exist"),
    ("2023-02-29", None, "does not exist"),
    ("13.02.2025", None, "not an ISO date"),
    ("gestern", None, "not an ISO date"),
    ("", None, None),
])
def test_dates_are_validated(value, date, problem):
    got, why = check_date(value)
    assert got == date
    assert (why is None) if problem is None else (problem in why)


def test_invalid_metadata_is_a_warning_and_dropped(tmp_path):
    (tmp_path / "a.md").write_text("---\ndate: 2025-02\nurl: www.example.org/x\ntitle: T\n---\nText.",
                                   encoding="utf-8")
    warnings: list[str] = []
    [doc] = iter_documents([tmp_path], on_skip=pytest.fail, on_warning=warnings.append)
    assert doc.meta == DocumentMeta(title="T")
    assert len(warnings) == 2
    assert all(str(tmp_path / "a.md") in w for w in warnings)
    assert "partial" in warnings[0] and "not an absolute http(s) IRI" in warnings[1]


def test_metadata_csv(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Putin traf Trump.", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: eigener Titel\ndate: 2024-01-01\n---\nText.", encoding="utf-8")
    (tmp_path / "sub" / "c.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "sub" / "d.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "\ufefffile,title,date,url,source\n"
        "a.txt,\"Titel, mit Komma\",2025-02-13,https://example.org/a,sample\n"
        "b.md,Titel aus CSV,,,\n"
        "sub/c.txt,C von oben,2025-01-01,,\n"
        "sub/d.txt,D von oben,,,\n"
        "fehlt.txt,x,,,\n"
        "a.txt,zweimal,,,\n", encoding="utf-8")
    (tmp_path / "sub" / "metadata.csv").write_text("file,date\nc.txt,2025-03-03\n", encoding="utf-8")
    warnings: list[str] = []
    docs = {d.relative: d.meta for d in iter_documents([tmp_path], on_skip=pytest.fail, on_warning=warnings.append)}
    assert docs == {
        "a.txt": DocumentMeta("Titel, mit Komma", "2025-02-13", "https://example.org/a", "sample"),
        "b.md": DocumentMeta("Titel aus CSV", "2024-01-01"),  # the CSV wins, front matter fills gaps
        "sub/c.txt": DocumentMeta(None, "2025-03-03"),  # the nearest metadata.csv naming the file
        "sub/d.txt": DocumentMeta("D von oben"),
    }
    assert len(warnings) == 2
    assert any("metadata.csv:6: no such file fehlt.txt" in w for w in warnings)
    assert any("metadata.csv:7: a.txt named again" in w for w in warnings)
    # A file named directly takes its metadata from the metadata.csv beside it.
    [direct] = read_documents([tmp_path / "a.txt"], on_warning=lambda m: None)
    assert direct.meta.title == "Titel, mit Komma"


def test_broken_metadata_csv_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("name,title\na.txt,T\n", encoding="utf-8")
    with pytest.raises(InputError, match="metadata.csv: needs a header line"):
        read_documents([tmp_path])


def test_file_modification_time_is_never_a_date(tmp_path):
    import os

    path = tmp_path / "a.txt"
    path.write_text("Putin traf Trump.", encoding="utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    [doc] = read_documents([path])
    assert doc.meta.date is None


def test_date_option_is_for_one_document(tmp_path):
    (tmp_path / "a.md").write_text("---\ndate: 2024-01-01\n---\nText.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Text.", encoding="utf-8")
    [doc] = read_documents([tmp_path / "a.md"], date="2025-02-13")
    assert doc.meta.date == "2025-02-13"  # the command line wins
    with pytest.raises(InputError, match="--date is for a single document"):
        read_documents([tmp_path], date="2025-02-13")
    for bad in ("2025-02", "13.02.2025", "2025-02-30", "2025-02-13T10:00"):
        with pytest.raises(InputError, match="expected an ISO date"):
            read_documents([tmp_path / "a.md"], date=bad)


def test_jsonl_field_names(tmp_path):
    record = {"guid": "https://example.org/n?id=7", "body": "Merz traf Macron.", "meta": {"headline": "H"},
              "published": "2025-10-14", "text": "nicht dieser Text"}
    (tmp_path / "n.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    fields = {"text": "body", "id": "guid", "title": "meta.headline", "date": "published"}
    [doc] = read_documents([tmp_path], fields=fields)
    assert doc.text == "Merz traf Macron."
    assert doc.meta == DocumentMeta("H", "2025-10-14")
    assert doc.doc_id.startswith("n/example.org-n-id-7-")  # not a clean id: slug and digest
    with pytest.raises(InputError, match="unknown document field 'body'"):
        read_documents([tmp_path], fields={"body": "text"})


GOOD = ("good.txt", "Putin traf Trump.".encode())
# name -> (file name, bytes, what the message names, reason in the message)
BAD_RECORDS = {
    "broken JSON line": ("c.jsonl", b'{"text": "Merz traf Macron."}\n{"text": "kaputt\n', "c.jsonl:2",
                         "not valid JSON"),
    "JSON line not an object": ("c.jsonl", b'{"text": "Merz traf Macron."}\n["x"]\n', "c.jsonl:2",
                                "not a JSON object"),
    "JSON line without text": ("c.jsonl", b'{"text": "Merz traf Macron."}\n{"title": "x"}\n', "c.jsonl:2",
                               "no text"),
    "JSON line undecodable": ("c.jsonl", b'{"text": "Merz traf Macron."}\n{"text": "\xff"}\n', "c.jsonl:2",
                              "not valid UTF-8"),
    "JSON id used twice": ("c.jsonl", b'{"id": 1, "text": "Merz traf Macron."}\n{"id": "1", "text": "x"}\n',
                           "c.jsonl:2", "already used on line 1"),
    "binary file": ("b.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "b.txt", "binary"),
    "not UTF-8": ("l.txt", "Grüße aus Köln".encode("latin-1"), "l.txt", "not valid UTF-8"),
    "empty file": ("e.txt", b"  \n", "e.txt", "empty document"),
    "empty after front matter": ("e.md", b"---\ntitle: T\n---\n\n", "e.md", "empty document"),
    "damaged gzip": ("z.txt.gz", b"\x1f\x8b\x08\x00garbage", "z.txt.gz", "skipped"),
    "HTML without main text": ("p.html", b"<html><head><title>Bild</title></head><body><img src=a.png></body></html>",
                               "p.html", "no main text"),
    "non-HTML WARC record": ("w.warc.gz", None, "w.warc.gz@", "not HTML (content type image/png)"),
    "WARC redirect": ("r.warc.gz", None, "r.warc.gz@", "HTTP status 301"),
    "WARC cut off": ("t.warc.gz", None, "t.warc.gz@", "record truncated"),
    "not a WARC file": ("n.warc", b"not a WARC file\n" * 10, "n.warc", "not a WARC file"),
}


def bad_bytes(name: str) -> bytes:
    file, data, _, _ = BAD_RECORDS[name]
    if data is not None:
        return data
    if name == "WARC cut off":
        data = warc_bytes([WARC_RECORDS[1], WARC_RECORDS[0]], True)
        return data[:-200]  # inside the last response's payload
    if name == "WARC redirect":
        bad = ("https://example.org/alt", "301 Moved Permanently", "text/html", b"<html>moved</html>",
               "2025-03-05T08:00:00Z")
    else:
        bad = ("https://example.org/logo.png", "200 OK", "image/png", b"\x89PNG....", "2025-03-05T08:00:00Z")
    return warc_bytes([WARC_RECORDS[1], bad], True)


@pytest.mark.parametrize("name", list(BAD_RECORDS))
def test_bad_records_are_skipped_and_counted(name, tmp_path):
    file, _, where, reason = BAD_RECORDS[name]
    (tmp_path / GOOD[0]).write_bytes(GOOD[1])
    (tmp_path / file).write_bytes(bad_bytes(name))
    skipped: list[str] = []
    docs = list(iter_documents([tmp_path], on_skip=skipped.append))
    assert len(skipped) == 1, skipped
    assert str(tmp_path / where) in skipped[0] and reason in skipped[0]
    assert "good" in {d.doc_id for d in docs}  # the rest is still read
    assert len(docs) == (2 if file.endswith((".jsonl", ".warc.gz")) else 1)  # good.txt (+ the file's good record)
    # Without on_skip the first bad record is an error (all or nothing).
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_documents([tmp_path])


def test_missing_input_stays_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        list(iter_documents([tmp_path / "nope.txt"], on_skip=lambda m: None))


NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [
    chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF)]


def test_there_are_66_noncharacters_and_all_are_replaced():
    assert len(NONCHARACTERS) == 66
    cleaned = clean_text("a" + "".join(NONCHARACTERS) + "b")
    assert cleaned == "a" + "\ufffd" * 66 + "b"


@pytest.mark.parametrize("raw,clean", [
    ("Putin\x00traf\x01Trump.", "Putin traf Trump."),
    ("Zeile\x0bzwei\x0cdrei\x85vier", "Zeile\nzwei\ndrei\nvier"),
    ("Tab\tund\r\nZeilen\nbleiben", "Tab\tund\r\nZeilen\nbleiben"),
    ("C1\x80\x9fweg\x7f", "C1  weg "),
    ("\ufeffBOM am Anfang", "BOM am Anfang"),
    ("Mu\u0308ller", "Müller"),
    ("Einsam \ud800 Surrogat", "Einsam \ufffd Surrogat"),
    ("Emoji 😀 und \u202eRTL bleiben", "Emoji 😀 und \u202eRTL bleiben"),
])
def test_text_hygiene(raw, clean):
    assert clean_text(raw) == clean


def test_noncharacters_in_every_format_are_replaced(tmp_path):
    dirty = "Putin traf \ufffe Trump \uffff.\x01"
    (tmp_path / "a.txt").write_text(dirty, encoding="utf-8", errors="surrogatepass")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": dirty, "title": "T\ufffe"}) + "\n", encoding="utf-8")
    (tmp_path / "c.md").write_text(f"---\ntitle: T\uffff\n---\n{dirty}", encoding="utf-8")
    for doc in read_documents([tmp_path]):
        assert "\ufffe" not in doc.text and "\uffff" not in doc.text and "\x01" not in doc.text
        assert "Trump" in doc.text
        assert doc.meta.title in (None, "T\ufffd")


@pytest.mark.slow
def test_stdin_is_one_document(tmp_path):
    out = tmp_path / "out"
    text = "---\ntitle: Von der Standardeingabe\n---\nBundeskanzler Olaf Scholz traf Emmanuel Macron in Paris.\n"
    result = subprocess.run([sys.executable, "-m", "kg", "build", "-", "--date", "2025-02-13", "-o", str(out),
                             "--no-html", "-f", "turtle"], input=text, capture_output=True, text=True, timeout=600,
                            env={"KG_CACHE_DIR": "", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "documents: 1 (1 processed" in result.stdout
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS, XSD

    graph = Graph().parse(out / "graph.ttl")
    doc = URIRef("https://w3id.org/geokg/id/doc/stdin")
    assert graph.value(doc, DCTERMS.issued) == Literal("2025-02-13", datatype=XSD.date)
    assert graph.value(doc, DCTERMS.title) == Literal("Von der Standardeingabe")
    bad = subprocess.run([sys.executable, "-m", "kg", "build", "-", "-o", str(tmp_path / "o2")], input="",
                         capture_output=True, text=True, timeout=600, env={"KG_CACHE_DIR": "", "PATH": "/usr/bin:/bin"})
    assert bad.returncode != 0 and bad.stderr.startswith("kg: error: <stdin>: ") and "empty document" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_document_with_noncharacters_builds_and_every_file_parses(tmp_path):
    """Issue: U+FFFE / U+FFFF passed into all four text formats and Raptor rejected the file."""
    import shutil

    import pyoxigraph as ox
    from rdflib import Dataset, Graph

    from kg.build import build

    dirty = "".join(NONCHARACTERS) + "\x01\x7f\x9f"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(f"---\ntitle: Titel \ufffe{dirty}\n---\nBundeskanzler Olaf Scholz traf \ufffe "
                               f"Emmanuel Macron in Paris.{dirty} Putin traf Trump \uffff.", encoding="utf-8")
    out = tmp_path / "out"
    summary = build([docs], out, html=False, formats=("turtle", "nt", "trig", "nquads"), cache_dir=None)
    assert summary.processed == 1 and sum(summary.statements.values()) >= 1
    files = {"turtle": out / "graph.ttl", "nt": out / "graph.nt", "trig": out / "graph.trig",
             "nquads": out / "graph.nq"}
    for fmt, path in files.items():
        data = path.read_text(encoding="utf-8")
        assert not any(c in data for c in NONCHARACTERS + ["\x01", "\x7f", "\x9f"]), fmt
    n = len(Graph().parse(files["turtle"]))
    assert n > 0 and len(Graph().parse(files["nt"])) == n
    assert len(Dataset().parse(files["trig"], format="trig")) >= 0
    assert len(list(ox.parse(path=str(files["turtle"]), format=ox.RdfFormat.TURTLE))) == n
    assert len(list(ox.parse(path=str(files["nquads"]), format=ox.RdfFormat.N_QUADS))) >= n
    for tool, args in (("rapper", ["-i", "turtle", "-c"]), ("serdi", ["-i", "turtle", "-o", "ntriples"])):
        if shutil.which(tool):  # tests/test_formats.py requires both; here they are a bonus check
            check = subprocess.run([tool, *args, str(files["turtle"])], capture_output=True, text=True)
            assert check.returncode == 0 and "error" not in check.stderr.lower(), check.stderr


def test_a_corpus_is_streamed_not_held_in_memory(tmp_path):
    import tracemalloc

    path = tmp_path / "big.jsonl.gz"
    text = "Bundeskanzler Olaf Scholz traf Emmanuel Macron in Paris. " * 100
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(2000):
            fh.write(json.dumps({"id": f"a-{i}", "text": f"{text}{i}"}) + "\n")
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_documents([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 0.1 * 2000 * len(text)  # 11 MB of text; measured peak 0.5 MB (ids and buffers)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_a_warc_cut_anywhere_is_read_up_to_the_damage(gz, tmp_path):
    """A download that stopped half-way: never a traceback, the complete records are still read."""
    data = warc_bytes(WARC_RECORDS, gz)
    path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    for cut in range(60, len(data), 41):
        path.write_bytes(data[:cut])
        skipped: list[str] = []
        docs = list(iter_documents([path], on_skip=skipped.append))
        assert len(docs) + len(skipped) <= 3 and len(docs) <= 2
        assert all(m.startswith(str(path)) for m in skipped), skipped
    path.write_bytes(data)
    assert len(list(iter_documents([path], on_skip=pytest.fail))) == 2


@pytest.mark.parametrize("args,message", [
    (["--field", "textbody"], "--field 'textbody': expected NAME=KEY"),
    (["--field", "body=text"], "unknown document field 'body'"),
    (["--date", "13.02.2025"], "--date '13.02.2025': expected an ISO date YYYY-MM-DD"),
])
def test_cli_option_errors_are_one_line(args, message, tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    (tmp_path / "a.jsonl").write_text('{"text": "Putin traf Trump."}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "graph.ttl").exists()
