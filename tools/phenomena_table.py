"""Print the table of article phenomena (dev/phenomena.jsonl) and how many cases kg passes.

Usage: python tools/phenomena_table.py [--markdown]
A case passes when it gives exactly its gold statements with the right modality.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from kg.evaluate import Scores, load_gold, score_item
    from kg.extract.document import extract_text
    from kg.nlp.pipeline import make_nlp

    path = ROOT / "dev" / "phenomena.jsonl"
    names = {json.loads(line)["id"]: json.loads(line)["phenomenon"]
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    nlp = make_nlp(cache_dir=None)
    table: dict[str, list[int]] = {}
    for item in load_gold(path):
        scores = Scores()
        score_item(item, extract_text(nlp, item.text, item.id), scores)
        row = table.setdefault(names[item.id], [0, 0])
        row[0] += not scores.errors
        row[1] += 1
    if args.markdown:
        print("| phenomenon | cases passed |\n|---|---|")
        for name, (ok, n) in table.items():
            print(f"| {name} | {ok} / {n} |")
    else:
        for name, (ok, n) in table.items():
            print(f"{name:<45} {ok:>3} / {n}")
    total_ok, total = sum(r[0] for r in table.values()), sum(r[1] for r in table.values())
    print(f"{'all':<45} {total_ok:>3} / {total}" if not args.markdown else f"| **all** | **{total_ok} / {total}** |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
