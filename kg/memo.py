"""A memo of bounded size that keeps what is used often: two generations of a dict.

New entries go into the young generation. When it holds `limit` entries it becomes the old
one and the previous old one is dropped; a hit in the old generation moves the entry back
into the young one. So at most 2 × limit entries are held, whatever the length of the run,
and the frequent keys of Zipf-distributed text (the word forms of news) survive every turn,
while the rare ones age out. A plain dict cleared when full would forget the frequent ones too.
"""

from __future__ import annotations

from typing import Any


class Memo:
    __slots__ = ("limit", "young", "old")

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError("a memo needs room for at least one entry")
        self.limit = limit
        self.young: dict = {}
        self.old: dict = {}

    def get(self, key) -> Any:
        """The value for `key`, or None (so values must not be None)."""
        hit = self.young.get(key)
        if hit is None:
            hit = self.old.get(key)
            if hit is not None:
                self.put(key, hit)
        return hit

    def put(self, key, value) -> None:
        young = self.young
        if len(young) >= self.limit:
            self.old = young
            self.young = young = {}
        young[key] = value

    def clear(self) -> None:
        self.young, self.old = {}, {}

    def __len__(self) -> int:
        """Entries held (a key in both generations counts twice)."""
        return len(self.young) + len(self.old)
