"""The kg spaCy pipeline: blank German (or an installed trained model) + kg components."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import KgError


def default_cache_dir() -> str | None:
    """$KG_CACHE_DIR, else $XDG_CACHE_HOME/kg or ~/.cache/kg; KG_CACHE_DIR='' disables."""
    env = os.environ.get("KG_CACHE_DIR")
    if env is not None:
        return env or None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "kg")


def make_nlp(model: str | None = None, cache_dir: str | None = "default"):
    """Build the pipeline. `model`: name or path of an installed trained spaCy pipeline
    whose NER (PER/ORG) helps find actors not in the gazetteer; None = spacy.blank("de")."""
    import spacy

    from . import actor_ruler, clauses, coref, hanta_tagger, sentences  # noqa: F401  (register factories)
    from ..lexicon import load_lexicon

    if cache_dir == "default":
        cache_dir = default_cache_dir()
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except (OSError, IOError) as exc:
            raise KgError(f"cannot load spaCy model {model!r}: {exc}") from None
        if nlp.lang != "de":
            raise KgError(f"spaCy model {model!r} is for language {nlp.lang!r}, kg needs German (de)")
    else:
        nlp = spacy.blank("de")
    use_model_entities = "ner" in nlp.pipe_names
    # Our sentences and tags come first, so a model's components see them too.
    grammar = load_lexicon().grammar
    _split_missing_spaces(nlp)
    nlp.add_pipe("kg_sentences", first=True,
                 config={"abbreviations": grammar["sentences"]["abbreviations"],
                         "debris_lines": grammar["web"]["debris_lines"], "dateline": grammar["web"]["dateline"]})
    nlp.add_pipe("kg_hanta", after="kg_sentences", config={"cache_dir": cache_dir})
    nlp.add_pipe("kg_clauses", after="kg_hanta")
    nlp.add_pipe("kg_actors", config={"use_model_entities": use_model_entities})
    nlp.add_pipe("kg_coref")
    nlp.max_length = 5_000_000
    from .bounded_tokenizer import BoundedTokenizer

    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)  # linear time on runaway punctuation runs
    return nlp


def _split_missing_spaces(nlp) -> None:
    """Let the tokenizer split "getroffen.Der" (a full stop with no space after it)."""
    from spacy.util import compile_infix_regex

    from .sentences import MISSING_SPACE_INFIX

    infixes = list(nlp.Defaults.infixes) + [MISSING_SPACE_INFIX]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
