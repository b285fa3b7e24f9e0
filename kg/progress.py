"""Feedback on long builds: a bar on a terminal, periodic lines otherwise, nothing when quiet."""

from __future__ import annotations

import sys
import time
from typing import TextIO

PLAIN_INTERVAL = 10.0  # seconds between lines when stderr is not a terminal


def _eta(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts documents, tokens (words) and failures; `total` documents if known."""

    def __init__(self, *, total: int | None = None, quiet: bool = False, stream: TextIO | None = None,
                 interval: float = PLAIN_INTERVAL, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.total = total
        self.quiet = quiet
        self.interval = interval
        self.docs = self.words = self.failed = 0
        self.started = self._last = time.monotonic()
        self._bar = None
        if bar is None:
            bar = not quiet and getattr(self.stream, "isatty", lambda: False)()
        if bar and not quiet:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True, mininterval=0.5,
                             leave=False, desc="kg build")

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.words / elapsed if elapsed > 0 else 0.0

    def advance(self, docs: int = 1, words: int = 0, failed: int = 0) -> None:
        self.docs += docs
        self.words += words
        self.failed += failed
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(docs)
            self._bar.set_postfix_str(f"{self.rate():,.0f} tokens/s" + (f", {self.failed} failed" if self.failed
                                                                        else ""), refresh=False)
            return
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        parts = [f"{self.docs:,} documents" + (f" of {self.total:,}" if self.total else ""),
                 f"{self.rate():,.0f} tokens/s"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.total and self.docs:
            elapsed = time.monotonic() - self.started
            parts.append("ETA " + _eta(elapsed / self.docs * max(0, self.total - self.docs)))
        return "kg build: " + ", ".join(parts)

    def message(self, text: str) -> None:
        """A line that does not break the bar."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
