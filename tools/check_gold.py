"""Check article-level gold files (dev/articles-*.jsonl) against the format in dev/GUIDELINES.md §6.

Usage: python tools/check_gold.py FILE [FILE ...] [--stats]

Prints one line per problem as ``FILE:LINE: message`` and exits 1 if there is any;
otherwise prints a one-line summary per file (and counts with --stats) and exits 0.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

RELATIONS = ("meets", "warns", "supports", "demands")
MODALITIES = ("asserted", "planned", "possible", "negated")
ARTICLE_KEYS = ("id", "title", "date", "source", "text", "statements", "note")
STATEMENT_KEYS = ("relation", "agent", "target", "modality", "evidence")
ID_RE = re.compile(r"^art-[a-z]+-\d{3}$")
MIN_WORDS, MAX_WORDS = 150, 600
MIN_EVIDENCE_CHARS = 8


def word_count(text: str) -> int:
    """Whitespace-separated tokens, as a reader would count words."""
    return len(text.split())


def _check_statement(st: object, text: str, where: str) -> tuple[list[str], tuple | None]:
    """Problems of one statement, and its identity key (None if it is unusable)."""
    if not isinstance(st, dict):
        return [f"{where}: statement is not an object"], None
    errors = []
    missing = [k for k in STATEMENT_KEYS if k not in st]
    extra = sorted(set(st) - set(STATEMENT_KEYS))
    if missing:
        errors.append(f"{where}: missing key(s) {', '.join(missing)}")
    if extra:
        errors.append(f"{where}: unknown key(s) {', '.join(extra)}")
    if missing:
        return errors, None
    rel, agent, target, mod, ev = (st[k] for k in STATEMENT_KEYS)
    if rel not in RELATIONS:
        errors.append(f"{where}: relation {rel!r} not in {'/'.join(RELATIONS)}")
    if mod not in MODALITIES:
        errors.append(f"{where}: modality {mod!r} not in {'/'.join(MODALITIES)}")
    if not isinstance(agent, str) or not agent.strip() or agent != agent.strip():
        errors.append(f"{where}: agent must be a non-empty trimmed string, got {agent!r}")
    if target is not None and (not isinstance(target, str) or not target.strip() or target != target.strip()):
        errors.append(f"{where}: target must be null or a non-empty trimmed string, got {target!r}")
    if target is None and rel in ("meets", "supports"):
        errors.append(f"{where}: {rel} needs an actor target (null only for warns/demands)")
    if isinstance(agent, str) and agent == target:
        errors.append(f"{where}: agent and target are the same actor {agent!r}")
    if not isinstance(ev, str) or len(ev.strip()) < MIN_EVIDENCE_CHARS:
        errors.append(f"{where}: evidence must be a string of at least {MIN_EVIDENCE_CHARS} characters")
    elif ev not in text:
        errors.append(f"{where}: evidence is not an exact substring of text: {ev[:70]!r}")
    if errors:
        return errors, None
    if rel == "meets":  # symmetric: one statement per unordered pair
        return errors, (rel, frozenset((agent, target)), mod)
    return errors, (rel, agent, target, mod)


def check_article(obj: object, where: str) -> list[str]:
    """Problems of one parsed article line (empty list if it is fine)."""
    if not isinstance(obj, dict):
        return [f"{where}: line is not a JSON object"]
    errors = []
    missing = [k for k in ARTICLE_KEYS if k not in obj]
    extra = sorted(set(obj) - set(ARTICLE_KEYS))
    if missing:
        errors.append(f"{where}: missing key(s) {', '.join(missing)}")
    if extra:
        errors.append(f"{where}: unknown key(s) {', '.join(extra)}")
    if missing:
        return errors
    for key in ("id", "title", "date", "source", "text", "note"):
        if not isinstance(obj[key], str) or not obj[key].strip():
            errors.append(f"{where}: {key} must be a non-empty string")
    if errors:
        return errors
    if not ID_RE.match(obj["id"]):
        errors.append(f"{where}: id {obj['id']!r} does not match art-<set>-NNN")
    try:
        day = _dt.date.fromisoformat(obj["date"])
        if not 2023 <= day.year <= 2026 or len(obj["date"]) != 10:
            errors.append(f"{where}: date {obj['date']!r} outside 2023-2026 or not YYYY-MM-DD")
    except ValueError:
        errors.append(f"{where}: date {obj['date']!r} is not YYYY-MM-DD")
    title, text = obj["title"], obj["text"]
    if title.endswith("."):
        errors.append(f"{where}: title ends with a full stop (web headlines do not)")
    if not text.startswith(title + "\n\n"):
        errors.append(f"{where}: text must start with the title line followed by a blank line")
    n = word_count(text)
    if not MIN_WORDS <= n <= MAX_WORDS:
        errors.append(f"{where}: text has {n} words, expected {MIN_WORDS}-{MAX_WORDS}")
    statements = obj["statements"]
    if not isinstance(statements, list):
        return errors + [f"{where}: statements must be a list"]
    seen: dict[tuple, int] = {}
    for i, st in enumerate(statements, 1):
        st_errors, key = _check_statement(st, text, f"{where}: statement {i}")
        errors.extend(st_errors)
        if key is not None:
            if key in seen:
                errors.append(
                    f"{where}: statement {i} repeats statement {seen[key]} "
                    "(list each relation/agent/target/modality once per article)"
                )
            else:
                seen[key] = i
    return errors


def load(path: Path) -> tuple[list[dict], list[str]]:
    """Parse a gold file; return (articles, problems). Never raises on bad content."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [f"{path}: cannot read: {exc.strerror or exc}"]
    try:
        lines = raw.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        return [], [f"{path}: not UTF-8 (byte {exc.start})"]
    articles, errors, ids = [], [], {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        errors.extend(check_article(obj, where))
        if isinstance(obj, dict):
            aid = obj.get("id")
            if isinstance(aid, str):
                if aid in ids:
                    errors.append(f"{where}: duplicate id {aid!r} (first on line {ids[aid]})")
                else:
                    ids[aid] = lineno
            articles.append(obj)
    if not articles and not errors:
        errors.append(f"{path}: no articles")
    return articles, errors


def check_file(path: str | Path) -> list[str]:
    """All problems of one gold file (empty list if it is valid)."""
    return load(Path(path))[1]


def stats(articles: list[dict]) -> dict[str, Counter]:
    """Counts of statements per relation, modality and relation/modality, plus distractors."""
    out = {"relation": Counter(), "modality": Counter(), "relation/modality": Counter()}
    for art in articles:
        for st in art.get("statements", []):
            out["relation"][st.get("relation")] += 1
            out["modality"][st.get("modality")] += 1
            out["relation/modality"][f"{st.get('relation')}/{st.get('modality')}"] += 1
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--stats"]
    if not args or any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0 if args else 2
    failed = False
    for name in args:
        articles, errors = load(Path(name))
        for err in errors:
            print(err, file=sys.stderr)
        if errors:
            failed = True
            continue
        n_st = sum(len(a["statements"]) for a in articles)
        print(f"{name}: OK, {len(articles)} articles, {n_st} statements")
        if "--stats" in argv:
            for label, counter in stats(articles).items():
                print(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
            n_distr = sum("distractor" in a["note"].lower() for a in articles)
            print(f"  distractors (note says DISTRACTOR): {n_distr}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
