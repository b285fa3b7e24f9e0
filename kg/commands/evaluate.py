"""`kg eval`: precision / recall / F1 per relation and modality accuracy on a gold set."""

from __future__ import annotations

import json

import click


@click.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--errors", "show_errors", is_flag=True, help="List every false positive, false negative and modality error.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of a table.")
@click.option("--model", default=None, metavar="NAME|PATH",
              help="An installed trained spaCy German pipeline to help find actors (default: none, offline rules).")
def eval_command(gold: tuple[str, ...], show_errors: bool, as_json: bool, model: str | None) -> None:
    """Score the extractor on gold sets (JSON lines, see dev/GUIDELINES.md).

    \b
    Each line: {"id", "text", "statements": [{"relation", "agent", "target", "modality"}]}.
    GOLD - reads one gold set from standard input.
    A predicted statement is correct when relation, agent and target match (meets in
    either direction); agent/target names are matched against the predicted actor's
    label and aliases. Modality accuracy is measured on the correct statements.

    \b
    Example:
      kg eval dev/devset.jsonl --errors
      grep '"meets"' dev/devset.jsonl | kg eval -
    """
    from ..errors import InputError
    from ..evaluate import evaluate, load_gold, report
    from ..extract.document import extract_text
    from ..nlp.pipeline import make_nlp

    if gold.count("-") > 1:
        raise InputError("GOLD - can be given once (standard input is read once)")
    nlp = make_nlp(model)
    results = {}
    for path in gold:
        items = load_gold(path)
        scores = evaluate(items, lambda text, doc_id: extract_text(nlp, text, doc_id))
        results[path] = scores
        if as_json:
            continue
        click.echo(report(scores, path))
        if show_errors:
            for err in scores.errors:
                click.echo("  " + json.dumps(err, ensure_ascii=False))
        click.echo()
    if as_json:
        out = {}
        for path, s in results.items():
            p, r, f = s.prf()
            out[path] = {
                "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "per_relation": {rel: dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in s.prf(rel))))
                                 for rel in ("meets", "warns", "supports", "demands")},
                "targeted": dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in s.targeted_prf()))),
                "modality_accuracy": round(s.modality_accuracy, 4),
                "negated_as_fact": s.negated_as_fact,
            }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))


def register(group: click.Group) -> None:
    group.add_command(eval_command)
