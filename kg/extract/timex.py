"""German time expressions: find them among a clause's tokens, and turn them into dates.

Pure functions; the words come from ontology/lexicon/time.toml.

    find_time_expression(["traf", "am", "Montag", "Macron"]) -> (1, 3)
    normalise("am Montag", "2025-02-13", "past")   -> TimeValue(2025-02-10, day)
    normalise(None, "2025-02-13", "past")          -> the report date, marked as such
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from ..errors import KgError
from ..resources import data_path

PRECISIONS = ("day", "week", "month", "year", "interval")
_NOUN_TAGS = ("NN", "NE", "ADJA")
# Like spaCy's German tokens: "29." and "24.12.2024" stay whole, so do "1970er" and "Montag-Demonstrationen".
_TOKEN_RE = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{4})?|\w+(?:-\w+)*\.?|\S")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})?$")


@dataclass(frozen=True)
class TimeValue:
    """A normalised time: one day, week, month or year, or an interval [begin, end] (both inclusive)."""

    begin: date
    end: date
    precision: str  # day | week | month | year | interval
    report_date: bool = False  # no time in the text: the document's date stands in

    @property
    def value(self) -> str:
        """ISO 8601: 2025-02-10, 2025-02, 2025, or begin/end for weeks and other intervals."""
        if self.precision == "day":
            return self.begin.isoformat()
        if self.precision == "month":
            return self.begin.isoformat()[:7]
        if self.precision == "year":
            return f"{self.begin.year:04d}"
        return f"{self.begin.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True)
class _Spec:
    """What an expression says, before it is anchored to a document date."""

    kind: str  # offset | rel | weekday | weekend | date | month | year | season | vague
    n: int = 0
    unit: str | None = None  # day | week | month | year | weekend (offset, rel)
    weekday: int | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    season: tuple[int, int] | None = None
    part: str | None = None  # begin | mid | end
    direction: str | None = None  # past | future | this (explicit in the text)


@dataclass(frozen=True)
class _Words:
    weekdays: dict
    months: dict
    seasons: dict
    days: dict
    numbers: dict
    units: dict
    past: frozenset
    future: frozenset
    this: frozenset
    parts: dict
    dayparts: tuple
    weekend: frozenset
    week: frozenset
    month: frozenset
    year: frozenset
    openers: frozenset
    articles: frozenset
    ago: frozenset
    adjective_days: dict
    ahead: frozenset
    vague: frozenset
    min_year: int
    max_year: int


@cache
def _words() -> _Words:
    path = data_path("lexicon", "time.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        w = data["words"]
        return _Words(
            weekdays=data["weekdays"], months=data["months"],
            seasons={k: tuple(v) for k, v in data["seasons"].items()}, days=data["days"],
            numbers=data["numbers"], units=data["units"],
            past=frozenset(w["past"]), future=frozenset(w["future"]), this=frozenset(w["this"]),
            parts=dict(w["parts"]), dayparts=tuple(w["dayparts"]), weekend=frozenset(w["weekend"]),
            week=frozenset(w["week"]), month=frozenset(w["month"]), year=frozenset(w["year"]),
            openers=frozenset(w["openers"]), articles=frozenset(w["articles"]), ago=frozenset(w["ago"]),
            ahead=frozenset(w["ahead"]), vague=frozenset(w["vague"]), adjective_days=dict(w["adjective_days"]),
            min_year=int(w["min_year"]), max_year=int(w["max_year"]),
        )
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise KgError(f"{path}: bad time lexicon ({exc})") from None


# -- finding ----------------------------------------------------------------

def find_time_expression(words: Sequence[str], tags: Sequence[str] | None = None) -> tuple[int, int] | None:
    """Token span [start, end) of the first time expression among `words` (token texts), or None.

    `tags` (STTS, same length) help tell a year from an amount ("2023" vs "2000 Soldaten")."""
    found = _scan(list(words), list(tags) if tags else None)
    return (found[0], found[1]) if found else None


def _scan(words: list[str], tags: list[str] | None) -> tuple[int, int, _Spec] | None:
    W = _words()
    for i in range(len(words)):
        hit = _ago(words, i)
        if hit:
            return (i, *hit)
        # Optional preposition and article before the core: "am", "im", "in der", "bis zum".
        j = i
        if _low(words[i]) in W.openers and _low(words[i]) not in W.parts and _low(words[i]) not in W.articles:
            j = i + 1
            if j < len(words) and _low(words[j]) in W.articles:
                j += 1
        if j == i:
            hit = _core(words, i, tags, prefixed=False)
            if hit:
                return (i, *hit)
            continue
        hit = _core(words, j, tags, prefixed=True)
        if hit:
            return (i, *hit)
    return None


def _low(word: str) -> str:
    return word.lower().rstrip(".") if not word[:1].isdigit() else word


def _ordinal(word: str) -> int | None:
    """29 from "29." (a day of the month)."""
    if re.fullmatch(r"\d{1,2}\.", word):
        n = int(word[:-1])
        return n if 1 <= n <= 31 else None
    return None


def _year(words: list[str], k: int) -> int | None:
    W = _words()
    word = words[k].rstrip(".") if k < len(words) else ""  # "2023." at the end of a sentence
    if re.fullmatch(r"\d{4}", word) and W.min_year <= int(word) <= W.max_year:
        return int(word)
    return None


def _ago(words: list[str], i: int):
    """"vor drei Tagen", "in zwei Wochen", "vor einem Jahr"."""
    W = _words()
    w = _low(words[i])
    if w not in W.ago and w not in W.ahead or i + 2 >= len(words):
        return None
    num = words[i + 1]
    n = int(num) if num.isdigit() else W.numbers.get(num.lower())
    unit = W.units.get(_low(words[i + 2]))
    if not n or not unit or not words[i + 2][:1].isupper():
        return None
    return i + 3, _Spec("offset", n=-n if w in W.ago else n, unit=unit)


def _core(words: list[str], j: int, tags: list[str] | None, prefixed: bool):
    W = _words()
    if j >= len(words):
        return None
    word = words[j]
    w = _low(word)
    nxt = words[j + 1] if j + 1 < len(words) else ""
    # gestern, heute, morgen (case matters: "am Morgen" is a time of day, not tomorrow)
    if not prefixed and (word in W.days or (word[:1].isupper() and word.lower() in W.days and word != "Morgen")):
        end = j + 1
        if nxt[:1].isupper() and nxt.lower() in W.dayparts:
            end += 1  # "heute Morgen", "gestern Abend"
        return end, _Spec("offset", n=W.days[word.lower()], unit="day")
    if w in W.vague and not prefixed:
        return j + 1, _Spec("vague")
    direction = "past" if w in W.past else "future" if w in W.future else "this" if w in W.this else None
    if direction:
        return _after_direction(words, j + 1, direction)
    if w in W.parts and word[:1].isupper():
        return _after_part(words, j + 1, W.parts[w])
    day = _ordinal(word)
    if day is not None:
        k = j + 1
        month = W.months.get(_low(words[k])) if k < len(words) else None
        if month:
            year = _year(words, k + 1)
            return (k + 2 if year else k + 1), _Spec("date", day=day, month=month, year=year)
        return None
    m = _NUMERIC_DATE.match(word)
    if m and 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12:
        year = int(m.group(3)) if m.group(3) else None
        return j + 1, _Spec("date", day=int(m.group(1)), month=int(m.group(2)), year=year)
    if w in W.months and word[:1].isupper() and (not word.endswith(".") or len(w) <= 4):
        year = _year(words, j + 1)
        if prefixed or year:  # a bare "August" may be a first name
            return (j + 2 if year else j + 1), _Spec("month", month=W.months[w], year=year)
        return None
    if w in W.seasons and word[:1].isupper():
        year = _year(words, j + 1)
        if prefixed or year:
            return (j + 2 if year else j + 1), _Spec("season", season=W.seasons[w], year=year)
        return None
    weekday = _weekday(word, nxt)
    if weekday:
        return _after_weekday(words, j + 1, weekday)
    if w in W.adjective_days and j + 1 < len(words):
        # "am gestrigen Mittwoch", "am heutigen Tag"
        if _weekday(words[j + 1], words[j + 2] if j + 2 < len(words) else "") or _low(words[j + 1]) in W.units \
                and W.units[_low(words[j + 1])] == "day":
            return j + 2, _Spec("offset", n=W.adjective_days[w], unit="day")
    if w in W.weekend and prefixed and word[:1].isupper():
        return j + 1, _Spec("weekend", unit="weekend")
    if w in W.year and word[:1].isupper():
        year = _year(words, j + 1)  # "im Jahr 2023"
        return (j + 2, _Spec("year", year=year)) if year else None
    year = _year(words, j)
    if year:
        if prefixed or _free_year(words, j, tags):
            return j + 1, _Spec("year", year=year)
    return None


def _after_weekday(words: list[str], k: int, weekday: int):
    """A weekday, maybe pinned down by what follows: "Dienstag, dem 11. Februar" (that date),
    "Montag vergangener Woche" (the Monday of that week)."""
    W = _words()
    j = k + 1 if k < len(words) and words[k] == "," else k
    if j < len(words) and _low(words[j]) in W.articles:
        j += 1
    day = _ordinal(words[j]) if j < len(words) else None
    month = W.months.get(_low(words[j + 1])) if day is not None and j + 1 < len(words) else None
    if month:
        year = _year(words, j + 2)
        return (j + 3 if year else j + 2), _Spec("date", day=day, month=month, year=year)
    if k + 1 < len(words):
        w = _low(words[k])
        direction = "past" if w in W.past else "future" if w in W.future else "this" if w in W.this else None
        if direction and _low(words[k + 1]) in W.week:
            n = {"past": -1, "future": 1, "this": 0}[direction]
            return k + 2, _Spec("weekday", weekday=weekday, n=n, unit="week")
    return k, _Spec("weekday", weekday=weekday)


def _weekday(word: str, nxt: str) -> int | None:
    """ISO weekday of "Montag", "Montagabend"; not "Montag-Demonstrationen" nor "Montags"."""
    W = _words()
    low = word.lower().rstrip(".")
    if not word[:1].isupper() or nxt == "-":
        return None
    if low in W.weekdays:
        return W.weekdays[low]
    for name, number in W.weekdays.items():
        if low.startswith(name) and low[len(name):] in W.dayparts:
            return number
    return None


def _free_year(words: list[str], j: int, tags: list[str] | None) -> bool:
    """A bare four-digit number is a year unless it counts something ("2000 Soldaten")."""
    nxt = words[j + 1] if j + 1 < len(words) else ""
    if tags:
        return not (j + 1 < len(tags) and tags[j + 1] in _NOUN_TAGS)
    return not nxt[:1].isupper()


def _after_direction(words: list[str], k: int, direction: str):
    """"vergangene Woche", "nächsten Montag", "dieses Jahr", "kommendes Wochenende"."""
    W = _words()
    if k >= len(words) or not words[k][:1].isupper():
        return None
    w = _low(words[k])
    n = {"past": -1, "future": 1, "this": 0}[direction]
    weekday = _weekday(words[k], words[k + 1] if k + 1 < len(words) else "")
    if weekday:
        return k + 1, _Spec("weekday", weekday=weekday, direction=direction)
    if w in W.weekend:
        return k + 1, _Spec("weekend", unit="weekend", direction=direction)
    for unit, names in (("week", W.week), ("month", W.month), ("year", W.year)):
        if w in names:
            return k + 1, _Spec("rel", n=n, unit=unit)
    if w in W.months:
        return k + 1, _Spec("month", month=W.months[w], direction=direction)
    if w in W.seasons:
        return k + 1, _Spec("season", season=W.seasons[w], direction=direction)
    return None


def _after_part(words: list[str], k: int, part: str):
    """"Ende August", "Anfang 2024", "Mitte Juni 2025", "Ende des Monats", "Anfang nächsten Jahres"."""
    W = _words()
    if k < len(words) and _low(words[k]) in W.articles:
        k += 1
    if k >= len(words):
        return None
    w = _low(words[k])
    year = _year(words, k)
    if year:
        return k + 1, _Spec("year", year=year, part=part)
    if w in W.months and words[k][:1].isupper():
        year = _year(words, k + 1)
        return (k + 2 if year else k + 1), _Spec("month", month=W.months[w], year=year, part=part)
    direction = "past" if w in W.past else "future" if w in W.future else "this" if w in W.this else None
    if direction:
        k += 1
        w = _low(words[k]) if k < len(words) else ""
    n = {"past": -1, "future": 1, "this": 0, None: 0}[direction]
    for unit, names in (("week", W.week), ("month", W.month), ("year", W.year)):
        if w.rstrip("s") in names or w in names or w.removesuffix("es") in names:
            return k + 1, _Spec("rel", n=n, unit=unit, part=part)
    return None


# -- normalising -------------------------------------------------------------

def direction_of(tense: str | None, modality: str | None = None) -> str | None:
    """Which way an undated weekday or month points: past, future or present (None: unknown)."""
    if modality == "planned":
        return "future"
    return tense if tense in ("past", "present", "future") else None


def normalise(expression: str | None, doc_date: str | date | None, tense: str | None = None,
              modality: str | None = None) -> TimeValue | None:
    """The date an expression means in a document of `doc_date`, read by the statement's tense.

    No document date: None (nothing is guessed). No expression: the document date, marked
    `report_date`. An expression without a date of its own ("kürzlich"): None."""
    anchor = _as_date(doc_date)
    if anchor is None:
        return None
    if not expression or not expression.strip():
        return TimeValue(anchor, anchor, "day", report_date=True)
    words = _TOKEN_RE.findall(expression)
    found = _scan(words, None)
    if not found:
        return None
    return _resolve(found[2], anchor, direction_of(tense, modality))


def _as_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _resolve(spec: _Spec, d: date, way: str | None) -> TimeValue | None:
    if spec.kind == "vague":
        return None
    if spec.kind == "offset":
        return _offset(d, spec.n, spec.unit)
    if spec.kind == "rel":
        return _part(_unit_around(d, spec.unit, spec.n), spec.part)
    if spec.kind == "weekday" and spec.unit == "week":
        return _day(_unit_around(d, "week", spec.n).begin + timedelta(days=spec.weekday - 1))
    if spec.kind == "weekday":
        return _day(_weekday_date(d, spec.weekday, spec.direction, way))
    if spec.kind == "weekend":
        sat = _weekend_saturday(d, spec.direction, way)
        return TimeValue(sat, sat + timedelta(days=1), "interval")
    if spec.kind == "date":
        return _calendar_date(d, spec.day, spec.month, spec.year, way)
    if spec.kind == "month":
        year = spec.year if spec.year is not None else _month_year(d, spec.month, spec.direction or way)
        first = date(year, spec.month, 1)
        return _part(TimeValue(first, _month_end(first), "month"), spec.part)
    if spec.kind == "year":
        return _part(TimeValue(date(spec.year, 1, 1), date(spec.year, 12, 31), "year"), spec.part)
    if spec.kind == "season":
        return _season(d, spec.season, spec.year, spec.direction or way)
    return None


def _day(value: date) -> TimeValue:
    return TimeValue(value, value, "day")


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _add_months(d: date, n: int) -> date:
    """The first of the month n months after d's month."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _offset(d: date, n: int, unit: str | None) -> TimeValue:
    if unit == "day":
        return _day(d + timedelta(days=n))
    return _unit_around(d, unit, n)


def _unit_around(d: date, unit: str | None, n: int) -> TimeValue:
    """The week (Monday–Sunday), month or year n units from the one containing d."""
    if unit == "week":
        monday = d - timedelta(days=d.isoweekday() - 1) + timedelta(weeks=n)
        return TimeValue(monday, monday + timedelta(days=6), "week")
    if unit == "month":
        first = _add_months(d, n)
        return TimeValue(first, _month_end(first), "month")
    year = d.year + n
    return TimeValue(date(year, 1, 1), date(year, 12, 31), "year")


def _part(value: TimeValue, part: str | None) -> TimeValue:
    """First, middle or last third of a week, month or year ("Anfang", "Mitte", "Ende")."""
    if part is None:
        return value
    b, e = value.begin, value.end
    if value.precision == "week":
        bounds = {"begin": (0, 1), "mid": (2, 3), "end": (4, 6)}[part]
        return TimeValue(b + timedelta(days=bounds[0]), b + timedelta(days=bounds[1]), "interval")
    if value.precision == "month":
        bounds = {"begin": (1, 10), "mid": (11, 20), "end": (21, e.day)}[part]
        return TimeValue(b.replace(day=bounds[0]), b.replace(day=bounds[1]), "interval")
    months = {"begin": (1, 4), "mid": (5, 8), "end": (9, 12)}[part]
    first = date(b.year, months[0], 1)
    return TimeValue(first, _month_end(date(b.year, months[1], 1)), "interval")


def _weekday_date(d: date, weekday: int, explicit: str | None, way: str | None) -> date:
    """The date of an ISO weekday near d: before or after d (by the words, else by tense), in
    d's week ("diesen Montag"), or the nearest one when the tense is unknown."""
    back = (d.isoweekday() - weekday) % 7  # days back to the latest such weekday (0: d itself)
    ahead = (weekday - d.isoweekday()) % 7
    if explicit == "past":
        return d - timedelta(days=back or 7)
    if explicit == "future":
        return d + timedelta(days=ahead or 7)
    if explicit == "this":
        return d + timedelta(days=weekday - d.isoweekday())
    if way == "past":
        return d - timedelta(days=back)
    if way in ("future", "present"):
        return d + timedelta(days=ahead)
    return d - timedelta(days=back) if back <= ahead else d + timedelta(days=ahead)


def _weekend_saturday(d: date, explicit: str | None, way: str | None) -> date:
    """The Saturday of the weekend meant; on a Saturday or Sunday, "am Wochenende" is the current one."""
    current = {6: d, 7: d - timedelta(days=1)}.get(d.isoweekday())
    back = (d.isoweekday() - 6) % 7
    ahead = (6 - d.isoweekday()) % 7
    if explicit == "past":
        return current - timedelta(days=7) if current else d - timedelta(days=back)
    if explicit == "future":
        return current + timedelta(days=7) if current else d + timedelta(days=ahead)
    if explicit == "this":
        return d + timedelta(days=6 - d.isoweekday())
    if current:
        return current
    if way == "past":
        return d - timedelta(days=back)
    if way in ("future", "present"):
        return d + timedelta(days=ahead)
    return d - timedelta(days=back) if back <= ahead else d + timedelta(days=ahead)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_date(d: date, day: int, month: int, year: int | None, way: str | None) -> TimeValue | None:
    if year is not None:
        value = _valid(year, month, day)
        return _day(value) if value else None
    if way == "past":
        candidates = [_valid(y, month, day) for y in range(d.year, d.year - 9, -1)]
        value = next((c for c in candidates if c and c <= d), None)
    elif way in ("future", "present"):
        candidates = [_valid(y, month, day) for y in range(d.year, d.year + 9)]
        value = next((c for c in candidates if c and c >= d), None)
    else:
        candidates = [c for c in (_valid(y, month, day) for y in (d.year - 1, d.year, d.year + 1)) if c]
        value = min(candidates, key=lambda c: (abs((c - d).days), c), default=None)
    return _day(value) if value else None


def _month_year(d: date, month: int, way: str | None) -> int:
    if way == "past":
        return d.year if month <= d.month else d.year - 1
    if way in ("future", "present"):
        return d.year if month >= d.month else d.year + 1
    if way == "this":
        return d.year
    # Unknown tense: the nearest such month.
    return min((d.year - 1, d.year, d.year + 1), key=lambda y: abs((y * 12 + month) - (d.year * 12 + d.month)))


def _season(d: date, season: tuple[int, int] | None, year: int | None, way: str | None) -> TimeValue:
    first_month, last_month = season or (1, 12)

    def span(y: int) -> TimeValue:
        begin = date(y, first_month, 1)
        end_year = y + 1 if last_month < first_month else y
        return TimeValue(begin, _month_end(date(end_year, last_month, 1)), "interval")

    if year is not None:
        return span(year)
    candidates = [span(y) for y in (d.year - 1, d.year, d.year + 1)]
    if way == "past":
        return [c for c in candidates if c.begin <= d][-1]
    if way in ("future", "present"):
        return next(c for c in candidates if c.end >= d)
    containing = [c for c in candidates if c.begin <= d <= c.end]
    if containing:
        return containing[0]
    return min(candidates, key=lambda c: min(abs((c.begin - d).days), abs((c.end - d).days)))
