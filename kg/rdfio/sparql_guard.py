"""Checks on SPARQL text before any parser sees it: size, nesting depth, SERVICE and LOAD.

Oxigraph's parser is recursive: 5,000 nested parentheses overflow its stack and kill the
process (SIGSEGV), so the depth is measured here by a small tokenizer that never recurses.
The same tokenizer finds the SERVICE and LOAD keywords outside strings, IRIs, comments,
variables and prefixed names; a false positive only refuses a query, it never lets one by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import QueryError

MAX_QUERY_BYTES = 512 * 1024
MAX_DEPTH = 128

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"(?:[\w\u00b7-\U0010ffff]|\\.)(?:[\w\-.:%\u00b7-\U0010ffff]|\\.)*")
_OPEN, _CLOSE = "([{", ")]}"
_UNARY = "!^-+"


@dataclass(frozen=True)
class QueryShape:
    """What the tokenizer found: deepest bracket nesting and the keywords of interest."""

    depth: int
    service: bool
    load: bool


def scan(text: str) -> QueryShape:
    """Tokenize `text` (no parsing) and report its nesting depth, SERVICE and LOAD use."""
    depth = max_depth = 0
    unary_run = max_unary = 0
    service = load = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            i = _skip_string(text, i)
            unary_run = 0
            continue
        if c == "<":
            match = _IRI.match(text, i)
            if match:
                i = match.end()
                unary_run = 0
                continue
        if c in _OPEN:
            depth += 1
            max_depth = max(max_depth, depth)
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        if c in _UNARY:
            unary_run += 1
            max_unary = max(max_unary, unary_run)
            i += 1
            continue
        if c not in _OPEN:
            unary_run = 0
        match = _WORD.match(text, i)
        if match:
            word = match.group().rstrip(".")
            previous = text[i - 1] if i else " "
            if previous not in "?$@:" and ":" not in word:
                upper = word.upper()
                service = service or upper == "SERVICE"
                load = load or upper == "LOAD"
            i = match.end()
            continue
        i += 1
    return QueryShape(max(max_depth, max_unary), service, load)


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    long = text.startswith(quote * 3, i)
    delimiter = quote * 3 if long else quote
    j = i + len(delimiter)
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if text.startswith(delimiter, j):
            return j + len(delimiter)
        if not long and c in "\r\n":
            return j  # unterminated short string: leave the error to the parser
        j += 1
    return n


def check(text: str, *, max_bytes: int = MAX_QUERY_BYTES, max_depth: int = MAX_DEPTH,
          allow_service: bool = True, allow_load: bool = True, what: str = "query") -> QueryShape:
    """Raise QueryError if `text` is too large, nested too deeply, or uses SERVICE/LOAD when not allowed."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryError(f"{what} too large: {size} bytes (limit {max_bytes})")
    shape = scan(text)
    if shape.depth > max_depth:
        raise QueryError(f"{what} nested too deeply: depth {shape.depth} (limit {max_depth}); "
                         "Oxigraph's parser would overflow its stack")
    if shape.service and not allow_service:
        raise QueryError("SERVICE is disabled: this endpoint makes no outgoing requests "
                         "(start kg serve with --allow-service to allow federated queries)")
    if shape.load and not allow_load:
        raise QueryError("LOAD is disabled: this endpoint fetches no URLs "
                         "(start kg serve with --allow-load to allow it)")
    return shape
