"""HTML pages (trafilatura) and WARC files (warcio): main text, title, date, URL.

trafilatura is only handed bytes already read; it never fetches anything (tested with the
network blocked). Dates come from the page's markup only (no free-text date guessing).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .. import iris

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Metadata and URL only; `extensive_search` would guess dates from free text. A fixed upper
# bound keeps the result independent of the day the build runs.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2999-12-31"}


@dataclass
class Page:
    text: str
    title: str | None
    date: str | None
    url: str | None
    source: str | None


def extract_page(data: bytes | str, url: str | None = None) -> Page | None:
    """Main text and metadata of one HTML page, or None when it has no main text."""
    import logging

    from trafilatura import bare_extraction

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its own messages are not kg's
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    found = bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, include_links=False, deduplicate=False, date_extraction_params=dict(DATE_PARAMS),
    )
    if found is None or not (found.text or "").strip():
        return None
    title = (found.title or "").strip() or None
    body = found.text.strip()
    # The headline carries statements too ("Merz sagt Selenskyj Luftabwehr zu"), as in a .txt file.
    text = body if not title or body.startswith(title) else f"{title}\n\n{body}"
    source = (found.sitename or "").strip() or None
    return Page(text, title, found.date, found.url or None, source)


@dataclass
class WarcResponse:
    offset: int
    record_id: str
    url: str | None
    warc_date: str | None
    payload: bytes | None  # None: skipped, see `problem`
    problem: str | None = None


def is_warc(head: bytes) -> bool:
    """Whether a file's first bytes (gunzipped) open a WARC record."""
    return head.startswith(b"WARC/")


def iter_warc(stream: BinaryIO, max_bytes: int) -> Iterator[WarcResponse]:
    """Each response (or resource) record of a WARC file, HTML or a reason why not.

    warcinfo, request, metadata and revisit records are not articles and are passed over.
    A damaged record ends the file (warcio cannot resynchronise) with one problem entry.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = ArchiveIterator(stream)
    offset = 0
    try:
        for record in records:
            if record.rec_type not in ("response", "resource"):
                continue
            headers = record.rec_headers
            problem = None
            if record.rec_type == "response":
                http = record.http_headers
                status = http.get_statuscode() if http else None
                ctype = http.get_header("Content-Type") if http else None
                if status != "200":
                    problem = f"HTTP status {status or 'missing'}, not an article"
            else:
                ctype = headers.get_header("Content-Type")
            mime = (ctype or "").split(";")[0].strip().lower()
            if not problem and mime not in HTML_TYPES:
                problem = f"not HTML (content type {mime or 'missing'})"
            payload = None
            if not problem:
                payload = record.content_stream().read(max_bytes + 1)
                missing = getattr(record.raw_stream, "limit", 0)  # Content-Length not reached: cut off
                if len(payload) > max_bytes:
                    problem, payload = f"record too large (more than {max_bytes} bytes)", None
                elif missing > 0:
                    problem, payload = f"record truncated ({missing} bytes missing)", None
            # Only after the payload is read: asking for the offset reads the record to its end.
            offset = records.get_record_offset()
            yield WarcResponse(offset, headers.get_header("WARC-Record-ID") or f"@{offset}",
                               headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"),
                               payload, problem)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError, TypeError, KeyError) as exc:
        # warcio raises whatever its parser trips over on damaged headers (AttributeError on a
        # record cut inside its header block): all of them mean "this file ends here".
        why = "a record header is cut off or malformed" if isinstance(exc, (AttributeError, TypeError, KeyError)) \
            else (str(exc).splitlines() or [type(exc).__name__])[0]
        yield WarcResponse(offset, f"@{offset}", None, None, None, f"damaged WARC data ({why}); rest of the file not read")


def host_of(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname if url and iris.web_iri(url) else None
