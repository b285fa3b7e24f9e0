"""Tense of a clause from its verb complex (STTS tags and HanTa lemmas)."""

from __future__ import annotations

from spacy.tokens import Doc

_PAST_AUX = {"hatte", "hatten", "hattest", "hattet", "war", "waren", "warst", "wart", "wurde", "wurden"}
_WEAK_PAST_ENDINGS = ("te", "ten", "test", "tet")
# Present forms that the stem-vowel test below would take for Präteritum: modal verbs
# ("will", "kann", "muss") and Konjunktiv II of modals, which speaks of now or later
# ("könnte", "dürfte", "würde"). "sollte" and "wollte" stay past.
_PRESENT_FORMS = {
    "will", "willst", "kann", "kannst", "muss", "musst", "soll", "sollst", "darf", "darfst", "mag", "magst",
    "möchte", "möchtest", "möchten", "möchtet", "könnte", "könnten", "könntest", "dürfte", "dürften",
    "müsste", "müssten", "würde", "würden", "würdest", "weiß", "ist", "bin", "bist", "sind", "seid",
}


def verb_tense(doc: Doc, verbs: list[int]) -> str | None:
    """'past', 'present' or 'future' for the verbs of one clause; None without a finite verb.

    Perfekt and Plusquamperfekt count as past ("hat getroffen", "hatte empfangen");
    "wird … treffen" as future; Konjunktiv I follows its auxiliary ("habe getroffen": past)."""
    finite = next((k for k in verbs if doc[k].tag_ in ("VVFIN", "VAFIN", "VMFIN")), None)
    if finite is None:
        return None
    tok = doc[finite]
    word, lemma = tok.lower_, tok.lemma_.lower()
    others = [doc[k] for k in verbs if k != finite]
    if lemma == "werden" and any(t.tag_ in ("VVINF", "VAINF", "VMINF") for t in others) \
            and word not in _PAST_AUX:
        return "future"
    if lemma in ("haben", "sein") and any(t.tag_ in ("VVPP", "VAPP", "VMPP", "VMINF") for t in others):
        return "past"
    if word in _PAST_AUX:
        return "past"
    if word in _PRESENT_FORMS:
        return "present"
    return "past" if _is_past_form(word, lemma) else "present"


def _is_past_form(word: str, lemma: str) -> bool:
    """Präteritum of a finite full or modal verb, from its form against its lemma."""
    if word == lemma:
        return False
    stem = lemma[:-2] if lemma.endswith("en") else lemma[:-1] if lemma.endswith("n") else lemma
    if word.startswith(stem):
        rest = word[len(stem):]
        return rest in _WEAK_PAST_ENDINGS or rest in ("ete", "eten", "etest", "etet")
    # Strong or irregular verbs change the stem vowel: "traf(en)" is past, "trifft" present.
    if word.endswith("en"):
        return True
    return not word.endswith("t")
