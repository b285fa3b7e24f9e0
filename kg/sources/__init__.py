"""Reading a corpus, one document at a time: .txt/.md (with front matter), JSON Lines, HTML,
WARC, gzip of each, and `-` for standard input.

Each document has a unique, stable id (minted in kg.iris) and its metadata (title, date, URL,
source) from, in this order of precedence: `date=` (the CLI's --date, one document only), a
sidecar `metadata.csv`, then the document's own (front matter, JSON fields, the page, the WARC
record). A file's modification time is never taken as a date.

Text offsets refer to the text kg reads: after front matter removal, control and noncharacter
clean-up and NFC (see kg.sources.text.clean_text).

Bad records (a broken JSON line, a non-HTML WARC record, undecodable, binary or empty files)
are reported through `on_skip(message)` and the rest is read; without `on_skip` the first one
raises InputError. Problems that keep the document but drop a value (an invalid date or URL)
go to `on_warning` (default: a warning on the "kg" logger); they never count as skipped.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import iris
from ..errors import InputError
from ..records import DocumentMeta
from .text import META_KEYS, check_date, clean_text, clean_value, split_front_matter

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
HTML_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc",)
ALL_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES + WARC_SUFFIXES
DOC_SUFFIXES = TEXT_SUFFIXES  # kept for older callers
SIDECAR = "metadata.csv"
SIDECAR_COLUMNS = ("file", *META_KEYS)
FIELD_NAMES = ("text", "id", *META_KEYS)
MAX_DOC_BYTES = 20_000_000
STDIN = "-"
STDIN_NAME = "<stdin>"

Report = Callable[[str], None]


@dataclass(frozen=True)
class InputDocument:
    path: Path  # the file as given or found (the JSONL/WARC file for a record; "-" for stdin)
    relative: str  # where it is: path relative to its input root, '/' separators; "x.jsonl:12" for
    # line 12 of a JSON Lines file, "x.warc.gz@3456" for the WARC record at byte offset 3456
    text: str
    doc_id: str = ""  # unique within the corpus; default: kg.iris.doc_id(relative)
    meta: DocumentMeta = field(default_factory=DocumentMeta)

    def __post_init__(self) -> None:
        if not self.doc_id:
            object.__setattr__(self, "doc_id", iris.doc_id(self.relative))


@dataclass(frozen=True)
class _Source:
    path: Path | None  # None for stdin
    relative: str
    root: Path | None  # the folder named on the command line, None for files named directly
    kind: str  # text | jsonl | html | warc


def kind_of(path: Path) -> str | None:
    name = path.name.lower().removesuffix(".gz")
    suffix = name[name.rfind("."):] if "." in name else ""
    for kind, suffixes in (("text", TEXT_SUFFIXES), ("jsonl", JSONL_SUFFIXES), ("html", HTML_SUFFIXES),
                           ("warc", WARC_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return None


def find_sources(inputs: Iterable[str | Path]) -> list[_Source]:
    """Files named directly, plus readable files below named folders, in a stable order.

    Missing inputs and folders without any document are errors (raised before anything is read).
    A file named directly with an unknown extension is read as text.
    """
    found: list[_Source] = []
    for raw in inputs:
        if str(raw) == STDIN:
            if any(s.path is None for s in found):
                raise InputError("'-' (standard input) given twice")
            found.append(_Source(None, STDIN_NAME, None, "text"))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p)
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                raise InputError(f"{path}: no .txt, .md, .jsonl, .html or .warc files (or .gz of them) in this folder")
            found.extend(_Source(p, p.relative_to(path).as_posix(), path, kind_of(p) or "text") for p in files)
        elif path.is_file():
            found.append(_Source(path, path.name, None, kind_of(path) or "text"))
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder")
    seen: dict[str, _Source] = {}
    for source in found:
        other = seen.get(source.relative)
        if other and other.path and source.path and other.path.resolve() != source.path.resolve():
            raise InputError(f"{source.path}: same relative name as {other.path}; rename one of them")
        seen[source.relative] = source
    return list({s.relative: s for s in found}.values())  # the same file named twice is read once


def find_documents(inputs: list[str | Path]) -> list[tuple[Path, str]]:
    """(path, relative) of every input file (older callers; stdin is left out)."""
    return [(s.path, s.relative) for s in find_sources(inputs) if s.path is not None]


class _Reporter:
    def __init__(self, on_skip: Report | None, on_warning: Report | None) -> None:
        self.on_skip = on_skip
        self.on_warning = on_warning
        self.skipped = 0
        self.warnings = 0

    def skip(self, message: str) -> None:
        self.skipped += 1
        if self.on_skip is None:
            raise InputError(message)
        self.on_skip(message)

    def warn(self, message: str) -> None:
        self.warnings += 1
        if self.on_warning is None:
            logging.getLogger("kg").warning("warning: %s", message)
        else:
            self.on_warning(message)


def _read_bytes(source: _Source, limit: int = MAX_DOC_BYTES) -> bytes:
    """All bytes of a one-document file (decompressed), at most `limit`."""
    if source.path is None:
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with source.path.open("rb") as raw:
            if source.path.name.lower().endswith(".gz"):
                with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                    data = fh.read(limit + 1)
            else:
                data = raw.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"too large (more than {limit} bytes)")
    return data


def decode_text(data: bytes) -> str:
    """UTF-8 text of a document; ValueError (with the reason) for binary or other encodings."""
    if b"\x00" in data:
        raise ValueError("looks like a binary file (contains NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first") from None


def read_text(path: Path) -> str:
    """Read one UTF-8 text document (cleaned, NFC); InputError for binary, non-UTF-8, empty files."""
    source = _Source(Path(path), Path(path).name, None, "text")
    try:
        text = clean_text(decode_text(_read_bytes(source)))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: {exc}") from None
    if not text.strip():
        raise InputError(f"{path}: empty document")
    return text


class _Sidecars:
    """metadata.csv files, loaded when a folder's first document is read."""

    def __init__(self, reporter: _Reporter) -> None:
        self.reporter = reporter
        self.cache: dict[Path, dict[str, dict[str, str]]] = {}

    def lookup(self, source: _Source) -> dict[str, str]:
        """The row for `source` in the nearest metadata.csv that names it (its folder, or a
        folder above it up to the input folder)."""
        if source.path is None:
            return {}
        folder = source.path.parent
        stop = source.root or folder
        while True:
            rows = self.rows(folder)
            name = source.path.relative_to(folder).as_posix()
            if name in rows:
                return rows[name]
            if folder == stop or folder.parent == folder:
                return {}
            folder = folder.parent

    def rows(self, folder: Path) -> dict[str, dict[str, str]]:
        if folder not in self.cache:
            path = folder / SIDECAR
            self.cache[folder] = self.load(path) if path.is_file() else {}
        return self.cache[folder]

    def load(self, path: Path) -> dict[str, dict[str, str]]:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if "file" not in columns:
            raise InputError(f"{path}: needs a header line with the columns {','.join(SIDECAR_COLUMNS)}")
        unknown = [c for c in columns if c not in SIDECAR_COLUMNS]
        if unknown:
            self.reporter.warn(f"{path}: unknown columns ignored: {', '.join(unknown)}")
        reader.fieldnames = columns
        rows: dict[str, dict[str, str]] = {}
        try:
            for row in reader:
                line = reader.line_num
                name = (row.get("file") or "").strip().replace("\\", "/").removeprefix("./")
                if not name:
                    self.reporter.warn(f"{path}:{line}: no file name; row ignored")
                elif name in rows:
                    self.reporter.warn(f"{path}:{line}: {name} named again; the first row is kept")
                elif not (path.parent / name).is_file():
                    self.reporter.warn(f"{path}:{line}: no such file {name}; row ignored")
                else:
                    rows[name] = {k: v for k in META_KEYS if (v := (row.get(k) or "").strip())}
                    rows[name]["@where"] = f"{path}:{line}"
        except csv.Error as exc:
            raise InputError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
        return rows


def _meta(values: dict[str, object], where: str, reporter: _Reporter) -> dict[str, str]:
    """Checked metadata values: strings only, dates ISO, URLs absolute http(s) IRIs."""
    out: dict[str, str] = {}
    for key in META_KEYS:
        value = values.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            reporter.warn(f"{where}: {key} is not a string; ignored")
            continue
        value = clean_value(value)
        if value is None:
            continue
        if key == "date":
            value, problem = check_date(value)
            if problem:
                reporter.warn(f"{where}: {problem}; no date kept")
        elif key == "url" and not iris.web_iri(value):
            reporter.warn(f"{where}: url {value!r} is not an absolute http(s) IRI; ignored")
            value = None
        if value:
            out[key] = value
    return out


def _merge(*layers: dict[str, str]) -> DocumentMeta:
    """Metadata from layers in order of precedence, field by field."""
    merged: dict[str, str] = {}
    for layer in layers:
        for key in META_KEYS:
            if key not in merged and layer.get(key):
                merged[key] = layer[key]
    return DocumentMeta(**merged)


def _fields(fields: dict[str, str] | None) -> dict[str, str]:
    mapping = {name: name for name in FIELD_NAMES}
    for key, value in (fields or {}).items():
        if key not in FIELD_NAMES:
            raise InputError(f"unknown document field {key!r}; choose from: {', '.join(FIELD_NAMES)}")
        if not value:
            raise InputError(f"field {key!r}: empty JSON key")
        mapping[key] = value
    return mapping


def _lookup(record: dict, key: str):
    """record[key], or a dotted path into nested objects ("meta.title")."""
    if key in record:
        return record[key]
    value = record
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def iter_documents(
    inputs: Iterable[str | Path],
    *,
    date: str | None = None,
    fields: dict[str, str] | None = None,
    on_skip: Report | None = None,
    on_warning: Report | None = None,
) -> Iterator[InputDocument]:
    """Every document of `inputs` (files, folders, "-"), streamed in a stable order.

    `date` (ISO) is the publication date of the single document named; `fields` renames the
    JSON Lines keys ({"text": "body", "id": "guid"}). Input errors that concern the whole run
    (a missing file, a bad `date` or `fields`) are raised before the first document is yielded.
    """
    sources = find_sources(list(inputs))
    names = _fields(fields)
    forced: dict[str, str] = {}
    if date is not None:
        checked, problem = check_date(date)
        if problem or not checked or len(date.strip()) != 10:
            raise InputError(f"--date {date!r}: expected an ISO date YYYY-MM-DD")
        if len(sources) != 1 or sources[0].kind in ("jsonl", "warc"):
            raise InputError("--date is for a single document; give several documents their dates in "
                             f"front matter, JSON fields or a {SIDECAR}")
        forced = {"date": checked}
    reporter = _Reporter(on_skip, on_warning)
    sidecars = _Sidecars(reporter)
    ids = iris.doc_ids(s.relative for s in sources)
    taken: set[str] = set()  # ids only (texts are never kept): memory grows by an id per document

    def unique(doc: InputDocument) -> InputDocument | None:
        if doc.doc_id in taken:
            alternative = iris.doc_id_elsewhere(doc.doc_id, doc.relative)
            if alternative in taken:
                reporter.skip(f"{doc.relative}: document id {doc.doc_id} already used; skipped")
                return None
            doc = replace(doc, doc_id=alternative)
        taken.add(doc.doc_id)
        return doc

    for source in sources:
        shown = str(source.path) if source.path else STDIN_NAME
        container = ids[source.relative]
        try:
            side = sidecars.lookup(source)
            side_meta = _meta(side, side.get("@where", shown), reporter) if side else {}
            if source.kind == "jsonl":
                docs = _jsonl(source, shown, container, names, side_meta, reporter)
            elif source.kind == "warc":
                docs = _warc(source, shown, container, side_meta, reporter)
            else:
                docs = _single(source, shown, container, forced, side_meta, reporter)
            for doc in docs:
                doc = unique(doc)
                if doc is not None:
                    yield doc
        except OSError as exc:
            reporter.skip(f"{shown}: cannot read ({exc.strerror or exc})")


def read_documents(inputs: list[str | Path], **options) -> list[InputDocument]:
    """All documents in a list (small corpora; a corpus should be streamed with iter_documents)."""
    return list(iter_documents(inputs, **options))


def _single(source: _Source, shown: str, doc_id: str, forced: dict[str, str], side: dict[str, str],
            reporter: _Reporter) -> Iterator[InputDocument]:
    """A .txt/.md/.html file (or stdin): one document."""
    try:
        data = _read_bytes(source)
    except (ValueError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        reporter.skip(f"{shown}: {exc}; skipped")
        return
    own: dict[str, str] = {}
    if source.kind == "html":
        from .web import extract_page

        if b"\x00" in data:
            reporter.skip(f"{shown}: looks like a binary file (contains NUL bytes); skipped")
            return
        page = extract_page(data)
        if page is None:
            reporter.skip(f"{shown}: no main text found in the page; skipped")
            return
        text = clean_text(page.text)
        own = _meta({"title": page.title, "date": page.date, "url": page.url, "source": page.source},
                    shown, reporter)
    else:
        try:
            text = clean_text(decode_text(data))
        except ValueError as exc:
            reporter.skip(f"{shown}: {exc}; skipped")
            return
        front, text = split_front_matter(text)
        if front:
            own = _meta(front, f"{shown} (front matter)", reporter)
    if not text.strip():
        reporter.skip(f"{shown}: empty document; skipped")
        return
    yield InputDocument(source.path or Path(STDIN), source.relative, text, doc_id, _merge(forced, side, own))


def _jsonl(source: _Source, shown: str, container: str, names: dict[str, str], side: dict[str, str],
           reporter: _Reporter) -> Iterator[InputDocument]:
    """One document per line of a JSON Lines file; blank lines are passed over."""
    assert source.path is not None
    seen: dict[str, int] = {}
    with source.path.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if source.path.name.lower().endswith(".gz") else raw
        line_no = 0
        while True:
            try:
                line = stream.readline(MAX_DOC_BYTES + 1)
            except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                reporter.skip(f"{shown}:{line_no + 1}: damaged compressed data ({exc}); rest of the file not read")
                return
            if not line:
                return
            line_no += 1
            where = f"{shown}:{line_no}"
            if len(line) > MAX_DOC_BYTES:
                reporter.skip(f"{where}: line too long (more than {MAX_DOC_BYTES} bytes); skipped")
                while line and not line.endswith(b"\n"):  # the rest of that line
                    line = stream.readline(MAX_DOC_BYTES)
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as exc:
                reporter.skip(f"{where}: not valid UTF-8 (byte {exc.start}); skipped")
                continue
            except ValueError as exc:
                reporter.skip(f"{where}: not valid JSON ({exc}); skipped")
                continue
            if not isinstance(record, dict):
                reporter.skip(f"{where}: not a JSON object; skipped")
                continue
            text = _lookup(record, names["text"])
            if not isinstance(text, str) or not clean_text(text).strip():
                reporter.skip(f"{where}: no text (field {names['text']!r}); skipped")
                continue
            raw_id = _lookup(record, names["id"])
            if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id).strip():
                raw_id = str(raw_id).strip()
            else:
                if raw_id is not None:
                    reporter.warn(f"{where}: id {raw_id!r} is not a string or number; line number used")
                raw_id = f"line-{line_no}"
            if raw_id in seen:
                reporter.skip(f"{where}: id {raw_id!r} already used on line {seen[raw_id]}; skipped")
                continue
            seen[raw_id] = line_no
            own = _meta({key: _lookup(record, names[key]) for key in META_KEYS}, where, reporter)
            yield InputDocument(source.path, f"{source.relative}:{line_no}", clean_text(text),
                                iris.record_id(container, clean_text(raw_id)), _merge(side, own))


def _warc(source: _Source, shown: str, container: str, side: dict[str, str],
          reporter: _Reporter) -> Iterator[InputDocument]:
    """One document per HTML response record of a WARC file (gzip per record or whole)."""
    from .web import extract_page, host_of, is_warc, iter_warc

    assert source.path is not None
    try:
        with source.path.open("rb") as raw:
            head = raw.read(64)
            if head[:2] == b"\x1f\x8b":
                raw.seek(0)
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    head = unzipped.read(64)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        reporter.skip(f"{shown}: damaged compressed data ({exc}); skipped")
        return
    if not is_warc(head):
        reporter.skip(f"{shown}: not a WARC file (it does not open with a WARC/1.x record); skipped")
        return
    with source.path.open("rb") as fh:
        for entry in iter_warc(fh, MAX_DOC_BYTES):
            where = f"{shown}@{entry.offset}"
            if entry.payload is None:
                reporter.skip(f"{where}: {entry.problem}; skipped")
                continue
            url = entry.url if iris.web_iri(entry.url) else None
            if entry.url and not url:
                reporter.warn(f"{where}: WARC-Target-URI {entry.url!r} is not an absolute http(s) IRI; ignored")
            page = extract_page(entry.payload, url=url)
            if page is None:
                reporter.skip(f"{where}: no main text found in the page; skipped")
                continue
            text = clean_text(page.text)
            if not text.strip():
                reporter.skip(f"{where}: empty page; skipped")
                continue
            # Publication date from the page's markup when it has one; else the crawl date,
            # which for news crawls (CC-News) is within hours of publication.
            own = _meta({"title": page.title, "date": page.date, "url": url or page.url,
                         "source": page.source or host_of(url)}, where, reporter)
            if "date" not in own and entry.warc_date:
                own |= _meta({"date": entry.warc_date}, f"{where} (WARC-Date)", reporter)
            yield InputDocument(source.path, f"{source.relative}@{entry.offset}", text,
                                iris.record_id(container, entry.record_id, readable=url), _merge(side, own))
