"""Reading input documents safely and writing output files atomically."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

DOC_SUFFIXES = (".txt", ".md")
MAX_DOC_BYTES = 20_000_000


@dataclass(frozen=True)
class InputDocument:
    path: Path  # as given or found
    relative: str  # path relative to its input root, with '/' separators
    text: str


def find_documents(inputs: list[str | Path]) -> list[tuple[Path, str]]:
    """Files named directly, plus .txt/.md files below named folders, in a stable order."""
    found: list[tuple[Path, str]] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOC_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                raise InputError(f"{path}: no .txt or .md files in this folder")
            found.extend((p, p.relative_to(path).as_posix()) for p in files)
        elif path.is_file():
            found.append((path, path.name))
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder")
    seen: dict[str, Path] = {}
    for path, rel in found:
        if rel in seen and seen[rel].resolve() != path.resolve():
            raise InputError(f"{path}: same relative name as {seen[rel]}; rename one of them")
        seen[rel] = path
    return found


def read_text(path: Path) -> str:
    """Read a UTF-8 text document; refuse binary, non-UTF-8 and empty files."""
    try:
        size = path.stat().st_size
        if size > MAX_DOC_BYTES:
            raise InputError(f"{path}: file too large ({size} bytes; limit {MAX_DOC_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file (contains NUL bytes), expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first") from None
    # NFC, so that decomposed umlauts ("Mu\u0308ller") match the gazetteer; offsets refer to this text.
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    if not text.strip():
        raise InputError(f"{path}: empty document")
    return text


def read_documents(inputs: list[str | Path]) -> list[InputDocument]:
    return [InputDocument(p, rel, read_text(p)) for p, rel in find_documents(inputs)]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator:
    """Write to a temp file beside `path`, then rename; `path` is untouched on error."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else "\n"
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; output files are ordinary files
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_write(path, "wb") as fh:
        fh.write(data)
