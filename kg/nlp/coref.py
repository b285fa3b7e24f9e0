"""Coreference for actors: pronouns (er, sie, ihm), descriptions ("der Kremlchef",
"der französische Präsident") and groups ("die beiden Präsidenten", "beide Länder")
resolve to actors mentioned earlier. Salience favours recent subjects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from .clauses import ClauseGrammar, clauses_of
from ..gazetteer import Gazetteer, load_gazetteer
from ..lexicon import Lexicon, load_lexicon
from .actor_ruler import ActorRuler
from .mentions import ADJECTIVE, TokenMention, actors_of, by_sentence, ensure_extensions, mentions_of

_PRONOUN_TAGS = {"PPER", "PDS", "PRELS"}
# After "beide" these tags mean the quantifier stands alone ("beide hätten … gewürdigt").
_NOT_A_GROUP_NOUN = frozenset({"VVFIN", "VAFIN", "VMFIN", "ADV", "PTKNEG"})
_QUOTE_OPEN = {"„", "«", "\"", "‚", "»"}
_QUOTE_CLOSE = {"“", "»", "\"", "‘", "«", "”"}


@dataclass
class _Entry:
    key: str
    kind: str
    gender: str
    sentence: int
    token: int
    subject: bool
    coordinated_with_next: bool = False  # "A, B und C": the next mention belongs to the same list
    end_token: int = 0


class Coref:
    def __init__(self, *, max_sentences: int, max_description_sentences: int = 8,
                 lexicon: Lexicon | None = None, gazetteer: Gazetteer | None = None):
        self.max_sentences = max_sentences
        # Descriptions and counted groups are specific enough to reach further back than pronouns.
        self.max_description_sentences = max_description_sentences
        lex = lexicon or load_lexicon()
        self.grammar = ClauseGrammar(lex)
        self.pronouns = {k: tuple(v) for k, v in lex.grammar["pronouns"].items()}
        groups = lex.roles["groups"]
        self.person_plural = frozenset(groups["person_plural"])
        self.state_plural = frozenset(groups["state_plural"])
        self.quantifiers = frozenset(groups["quantifiers"])
        self.descriptions = dict(lex.roles["descriptions"])
        self.counts = {k: int(v) for k, v in groups["counts"].items()}
        self.state_descriptions = frozenset(groups["state_descriptions"])
        self.any_plural = frozenset(groups["any_plural"])
        self.generic_person_plural = frozenset(groups["generic_person_plural"])
        self.offices = [frozenset(v) for v in lex.roles.get("offices", {}).values()]
        self.lex = lex
        self.definite = frozenset(lex.grammar["case"]["definite"])
        self.quote_verbs = frozenset(lex.grammar["attribution"]["quote_verbs"])
        self.feminine_endings = tuple(lex.roles["governmental"]["feminine_endings"])
        self.nominative_pronouns = frozenset(lex.grammar["case"]["nominative_pronouns"])
        self.gaz = gazetteer or load_gazetteer()
        self._ruler: ActorRuler | None = None
        self._doc: Doc | None = None  # the doc being resolved (for the gaps between mentions)

    @property
    def ruler(self) -> ActorRuler:
        if self._ruler is None:
            self._ruler = ActorRuler(use_model_entities=False, lexicon=self.lex, gazetteer=self.gaz)
        return self._ruler

    def __call__(self, doc: Doc) -> Doc:
        ensure_extensions()
        self._doc = doc
        mentions = mentions_of(doc)
        actors = actors_of(doc)
        history: list[_Entry] = []
        added: list[TokenMention] = []
        carried: tuple[str, ...] | None = None  # speaker of a quote that goes on, or was announced with ':'
        grouped = by_sentence(doc, mentions)
        for s_idx, sent in enumerate(doc.sents):
            named = list(grouped.get(sent.start, ()))
            clauses = self.grammar.bind(doc, clauses_of(doc, self.grammar)[sent.start], [m for m in named if m.is_actor])
            subject_tokens = {m.start for cl in clauses if cl.subject for m in cl.subject.mentions}
            covered = {k for m in named for k in range(m.start, m.end)}
            new_here: list[TokenMention] = []
            events = sorted(named, key=lambda m: m.start)
            ev_i = 0
            for tok in sent:
                # Feed named mentions that precede this token into the history.
                while ev_i < len(events) and events[ev_i].start <= tok.i:
                    m = events[ev_i]
                    ev_i += 1
                    if m.is_actor:
                        self._remember(history, actors, m, s_idx, m.start in subject_tokens)
                if tok.i in covered:
                    continue
                m = self._resolve(doc, tok, s_idx, history, actors, clauses, named + new_here)
                if m is not None:
                    new_here.append(m)
                    covered.update(range(m.start, m.end))
                    self._remember(history, actors, m, s_idx, doc[m.start].lower_ in self.nominative_pronouns)
            speaker_mentions, carried = self._speakers(doc, sent, named + new_here, subject_tokens, carried, covered)
            new_here.extend(speaker_mentions)
            added.extend(new_here)
        unresolved = [m for m in added if m.how == "group_unresolved"]
        mentions.extend(m for m in added if m.how != "group_unresolved")
        for group in unresolved:
            # "Die Außenminister Saudi-Arabiens, der Emirate und Bahrains" with a holder unknown: the
            # states stay attributes of the role noun, not arguments of the clause.
            for n, m in enumerate(mentions):
                if group.start <= m.start and m.end <= group.end and not m.genitive:
                    mentions[n] = replace(m, genitive=True)
        mentions.sort(key=lambda m: (m.start, m.end))
        self._doc = None
        return doc

    def _group_mention(self, doc, tok, noun, keys: tuple[str, ...]) -> TokenMention:
        """The mention of a group: the quantifier with its article and its noun, if it has one."""
        start = tok.i - 1 if tok.i > 0 and doc[tok.i - 1].lower_ in self.definite else tok.i
        end = tok.i + 1 if noun.tag_ in _NOT_A_GROUP_NOUN else tok.i + 2
        return TokenMention(start, end, keys, "group", confidence=0.8)

    def _coordinated_run(self, history, before: int, s_idx: int, kind: str, count: int, role_filter, actors):
        """"Deutschland, Frankreich und Großbritannien … Die drei Staaten": the last coordination
        of exactly `count` actors of the kind wins over the last `count` single mentions."""
        entries = [e for e in history if e.token < before and s_idx - e.sentence <= self.max_description_sentences]
        runs: list[list[_Entry]] = []
        for e in entries:
            if runs and runs[-1][-1].coordinated_with_next and runs[-1][-1].sentence == e.sentence:
                runs[-1].append(e)
            else:
                runs.append([e])
        for run in reversed(runs):
            keys = list(dict.fromkeys(e.key for e in run))
            kinds = {e.kind for e in run}
            if len(keys) != count or len(kinds) != 1 or (kind != "any" and kinds != {kind}):
                continue
            if role_filter and not all((a := actors.get(k)) is not None and a.role and self._same_office(role_filter, a.role)
                                       for k in keys):
                continue
            return tuple(keys)
        return None

    def _es_can_refer(self, doc, tok) -> bool:
        """"es" names a state or organisation only next to a verb of one of the relations."""
        for k in (tok.i - 1, tok.i + 1, tok.i + 2):
            if 0 <= k < len(doc) and doc[k].tag_.startswith("VV"):
                return doc[k].lemma_ in self.lex.verbs
        return False

    # -- first person in quotes ------------------------------------------------------
    def _speakers(self, doc, sent, mentions, subject_tokens, carried, covered):
        """"Wir werden die Ukraine unterstützen", sagte Merz: "wir", "ich", "uns" inside a quote
        stand for its speaker, named after the quote ("…", sagte X), before it (X sagte: „…“,
        "In einer Erklärung der drei Minister heißt es:"), or in the sentence that announced
        it with a colon. Returns the new mentions and the speaker carried to the next sentence."""
        actor_mentions = sorted((m for m in mentions if m.is_actor), key=lambda m: m.start)
        regions: list[tuple[int, int, tuple[str, ...] | None]] = []
        start = sent.start if carried is not None else None
        inherited = carried
        for tok in sent:
            if start is None and tok.text in _QUOTE_OPEN:
                start, inherited = tok.i, None
            elif start is not None and tok.text in _QUOTE_CLOSE and tok.i > start:
                regions.append((start, tok.i + 1, inherited))
                start, inherited = None, None
        still_open = start is not None
        if still_open:
            regions.append((start, sent.end, inherited))
        out: list[TokenMention] = []
        next_carried = None
        for a, b, speaker in regions:
            speaker = speaker or self._speaker_after(doc, sent, b, actor_mentions) \
                or self._speaker_before(doc, sent, a, actor_mentions, subject_tokens)
            if speaker is None:
                continue
            for k in range(a, b):
                tok = doc[k]
                # HanTa may tag "Ich" after an opening quote as a noun.
                if k in covered or tok.tag_ in ("PPOSAT", "PPOSS") or tok.lower_ not in self.pronouns:
                    continue
                if self.pronouns[tok.lower_][0].startswith("speaker"):
                    out.append(TokenMention(k, k + 1, speaker, "pronoun", confidence=0.8))
            if still_open and b == sent.end:
                next_carried = speaker
        last = next((t for t in reversed(sent) if not t.is_space), None)
        if not still_open and last is not None and last.text == ":":
            next_carried = self._speaker_before(doc, sent, last.i, actor_mentions, subject_tokens)
        return out, next_carried

    def _speaker_after(self, doc, sent, b, mentions) -> tuple[str, ...] | None:
        for k in range(b, sent.end):
            if doc[k].text in _QUOTE_OPEN:
                return None
            if doc[k].tag_.startswith("VV") and self.lex.is_reporting_verb(doc[k].lemma_):
                # The speaker is the subject right after the verb ("sagte der Kanzler", "schrieb
                # Trump"), not a name further on ("… auf seiner Plattform Truth Social").
                m = next((m for m in mentions if k < m.start <= k + 3
                          and not any(self.grammar.is_preposition(doc[x]) for x in range(k + 1, m.start))), None)
                return tuple(m.actors) if m is not None else None
        return None

    def _speaker_before(self, doc, sent, a, mentions, subject_tokens) -> tuple[str, ...] | None:
        if not any(doc[k].lemma_ in self.quote_verbs or self.lex.is_reporting_verb(doc[k].lemma_)
                   for k in range(sent.start, a)):
            return None
        before = [m for m in mentions if m.end <= a]
        if not before:
            return None
        named = [m for m in before if m.how != "pronoun"] or before
        chosen = next((m for m in named if m.start in subject_tokens), None) or named[-1]
        return tuple(chosen.actors)

    def _remember(self, history, actors, m: TokenMention, s_idx: int, subject: bool) -> None:
        if history and self._doc is not None:
            last = history[-1]
            gap = self._doc[last.end_token:m.start] if last.end_token <= m.start else None
            if gap is not None and 0 < len(gap) <= 3 and any(t.lower_ in self.grammar.unit_joiners for t in gap) \
                    and all(t.lower_ in self.grammar.unit_joiners or t.lower_ in self.definite for t in gap):
                last.coordinated_with_next = True
        for key in m.actors:
            actor = actors.get(key)
            if actor is None:
                continue
            if len(m.actors) > 1 and history and history[-1].token == m.start:
                history[-1].coordinated_with_next = True  # the actors of one group mention form a list
            gender = actor.gender or ("f" if actor.kind == "organization" else "n")
            if m.how == "governmental" and self._doc is not None and \
                    self._doc[m.end - 1].text.endswith(self.feminine_endings):
                gender = "f"  # "die indische Regierung … sie"
            history.append(_Entry(key, actor.kind, gender, s_idx, m.start, subject, end_token=m.end))

    def _candidates(self, history, s_idx, exclude: set[str]):
        return [e for e in history if s_idx - e.sentence <= self.max_sentences and e.key not in exclude]

    def _resolve(self, doc, tok, s_idx, history, actors, clauses, named) -> TokenMention | None:
        word = tok.lower_
        # -- pronouns
        if tok.tag_ in _PRONOUN_TAGS and word in self.pronouns and tok.tag_ != "PRELS":
            number, gender = self.pronouns[word]
            if number.startswith("speaker"):
                return None
            if word == "es" and not self._es_can_refer(doc, tok):
                return None  # "es gibt", "heißt es", "es ist möglich": no antecedent
            if word == "sie" and _plural_verb_near(doc, tok):
                gender = "pl"  # "Sie fordern …": only a plural antecedent
            clause = next((c for c in clauses if c.start <= tok.i < c.end), None)
            exclude = set()
            if clause is not None:
                # Binding: a non-reflexive pronoun is none of its clause's other arguments.
                exclude = {k for u in clause.units for k in u.actors}
                exclude |= {k for m in named if m.how == "pronoun" and clause.start <= m.start < clause.end
                            for k in m.actors}
                if word in ("ihn", "ihm", "ihnen") and clause.subject is not None:
                    # An object pronoun is not the clause's (possibly inherited) subject.
                    exclude |= set(clause.subject.actors)
            cands = []
            for e in self._candidates(history, s_idx, exclude):
                if e.token >= tok.i:
                    continue
                if not self._compatible(e, number, gender, word):
                    continue
                distance = s_idx - e.sentence
                score = -2.0 * distance + (1.5 if e.subject else 0.0) + e.token * 1e-4
                if tok.tag_ == "PDS":  # "von diesem": the less salient antecedent
                    score = -2.0 * distance + (0.0 if e.subject else 1.5) + e.token * 1e-4
                cands.append((score, e))
            if not cands:
                return None
            best = max(cands, key=lambda c: c[0])[1]
            return TokenMention(tok.i, tok.i + 1, (best.key,), "pronoun", confidence=0.85)
        # -- groups: "die beiden Präsidenten", "beide Länder", "die vier Staaten", "beide Minister"
        if word in self.quantifiers and tok.i + 1 < len(doc):
            noun = doc[tok.i + 1]
            noun_word = noun.text.rsplit("-", 1)[-1]  # "die beiden EU-Spitzen"
            count = self.counts.get(word, 2)
            role_filter = None
            if noun_word in self.any_plural:
                kind = "any"  # "beide Seiten": the last two persons, or the last two states
            elif self.lex.is_role(noun.text) and noun.text not in self.generic_person_plural:
                kind, role_filter = "person", noun.text  # "beide Minister", "die drei Außenminister"
            elif noun_word in self.person_plural:
                kind = "person"
            elif noun_word in self.state_plural:
                kind = "state"
            elif word in ("beide", "beiden") and noun.tag_ in _NOT_A_GROUP_NOUN:
                kind = "person"  # "Bei dem Telefonat hätten beide …": the two persons just named
            else:
                kind = None
            if kind:
                run = self._coordinated_run(history, tok.i, s_idx, kind, count, role_filter, actors)
                if run:
                    return self._group_mention(doc, tok, noun, run)
                keys: list[str] = []
                for e in reversed(history):
                    if s_idx - e.sentence > self.max_description_sentences:
                        break
                    if e.key in keys or e.token >= tok.i:
                        continue
                    if kind == "any":
                        if e.kind not in ("person", "state"):
                            continue
                        kind = e.kind  # the nearest decides whether persons or states are meant
                    if not (e.kind == kind or (kind == "state" and e.kind == "organization" and noun.text != "Staaten")):
                        continue
                    actor = actors.get(e.key)
                    if role_filter and (actor is None or not actor.role or not self._same_office(role_filter, actor.role)):
                        continue
                    keys.append(e.key)
                    if len(keys) == count:
                        break
                if len(keys) == count:
                    return self._group_mention(doc, tok, noun, tuple(reversed(keys)))
            return None
        # -- "sein Land", "ihr Land": the country of the person the possessive points to
        if tok.text in self.state_descriptions and tok.i > 0 and doc[tok.i - 1].tag_ == "PPOSAT" \
                and doc[tok.i - 1].lower_[:3] in ("sei", "ihr"):
            gender = "m" if doc[tok.i - 1].lower_.startswith("sei") else "f"
            for e in reversed(history):
                if s_idx - e.sentence > self.max_sentences:
                    break
                actor = actors.get(e.key)
                if e.kind == "person" and e.gender == gender and actor is not None \
                        and actor.country and actor.country.startswith("state/"):
                    actors.setdefault(actor.country, self.gaz.actors.get(actor.country))
                    return TokenMention(tok.i - 1, tok.i + 1, (actor.country,), "description", confidence=0.7)
            return None
        # -- "das Land", "des Landes": the state last named before, not one of this clause's arguments
        if tok.text in self.state_descriptions and tok.i > 0 and doc[tok.i - 1].lower_ in self.definite:
            clause = next((c for c in clauses if c.start <= tok.i < c.end), None)
            exclude = {k for u in clause.units for k in u.actors} if clause is not None else set()
            for e in reversed(history):
                if s_idx - e.sentence > self.max_sentences or e.token >= tok.i:
                    continue
                if e.kind == "state" and e.key not in exclude:
                    return TokenMention(tok.i - 1, tok.i + 1, (e.key,), "description", confidence=0.7)
                if e.kind == "state":
                    break  # the nearest state is this clause's own argument: too ambiguous
            return None
        # -- office holders of several states: "die Präsidenten Ägyptens und Frankreichs",
        #    "die Regierungschefs von Kenia und Uganda"
        if tok.tag_ == "NN" and tok.i > 0 and doc[tok.i - 1].lower_ in ("die", "der", "den") and self.lex.is_role(tok.text):
            found = self._holders_of_states(doc, tok, s_idx, history, actors, named)
            if found is not None:
                return found
        # -- descriptions: "der Kremlchef", "der US-Präsident", "der französische Präsident"
        if tok.tag_ in ("NN", "NE") and tok.i > 0:
            role, prefix_key = self.ruler.role_of(tok.text)
            if role is None and self.lex.is_role(tok.text):
                # inflected: "dem Kronprinzen Saudi-Arabiens"
                role = next((f for f in (tok.text[:-2], tok.text[:-1]) if f in self.lex.role_nouns), None)
            fallback = self.descriptions.get(tok.text)
            if role is None and fallback is None:
                return None
            if any(m.start == tok.i + 1 and m.actors and actors.get(m.actors[0]) is not None
                   and actors[m.actors[0]].kind == "person" for m in named):
                return None  # "Präsident Macron": the role introduces the name that follows
            k = tok.i - 1
            country = prefix_key
            while k >= 0 and doc[k].tag_ in ("ADJA", "ADJD"):
                for m in named:
                    if m.start == k and m.how == ADJECTIVE:
                        country = m.actors[0]
                k -= 1
            possessor = next((m for m in named if m.end == k + 1 and m.genitive and m.actors
                              and m.actors[0].startswith("state/")), None)
            after = self._state_after(doc, tok.i + 1, named) if role else None
            if possessor is not None and role:
                country, k = possessor.actors[0], possessor.start - 1  # "Japans Regierungschef"
                if k >= 0 and doc[k].lower_ in self.definite:
                    k -= 1
                k += 1
                end = tok.i + 1
            elif k >= 0 and doc[k].lower_ in self.definite:
                end = tok.i + 1
                if after is not None:  # "der Emir von Katar", "der Präsident Frankreichs"
                    country, end = after[0], after[1]
            else:
                return None
            if role and country:
                found = self._office_holder(history, actors, s_idx, role, country)
                if found:
                    return TokenMention(k, end, (found,), "description", confidence=0.75)
                if possessor is not None or after is not None:
                    return None
            if fallback:
                fb = self.gaz.actors.get(fallback)
                country = country or (fb.country if fb else None)
            for e in reversed(history):
                if s_idx - e.sentence > self.max_description_sentences:
                    break
                actor = actors.get(e.key)
                if actor is None or actor.kind != "person":
                    continue
                if country and actor.country != country:
                    continue
                if role and actor.role and not _same_role(role, actor.role):
                    continue
                if role is None and fallback and e.key != fallback:
                    continue
                if role and not actor.role and not fallback:
                    continue
                return TokenMention(k, tok.i + 1, (e.key,), "description", confidence=0.8)
            if fallback and fallback in self.gaz.actors:
                actors.setdefault(fallback, self.gaz.actors[fallback])
                fb = self.gaz.actors[fallback]
                if fb.country in self.gaz.actors:
                    actors.setdefault(fb.country, self.gaz.actors[fb.country])
                return TokenMention(k, tok.i + 1, (fallback,), "description", confidence=0.75)
        return None

    def _state_after(self, doc, i: int, named) -> tuple[str, int] | None:
        """(state key, end token) of "von Katar" or a genitive "Frankreichs" right after a role noun."""
        j = i + 1 if i < len(doc) and doc[i].lower_ == "von" else i
        m = next((m for m in named if m.start == j and m.actors and m.actors[0].startswith("state/")
                  and (j > i or m.genitive)), None)
        return (m.actors[0], m.end) if m is not None else None

    def _holders_of_states(self, doc, tok, s_idx, history, actors, named) -> TokenMention | None:
        j = tok.i + 1
        if j < len(doc) and doc[j].lower_ == "von":
            j += 1
            genitive = False
        else:
            genitive = True
        states: list[str] = []
        end = j
        while True:
            article = end < len(doc) and doc[end].lower_ in ("der", "des") and genitive
            at = end + 1 if article else end  # "Saudi-Arabiens, der Vereinigten Arabischen Emirate und Ägyptens"
            m = next((m for m in named if m.start == at and m.actors and m.actors[0].startswith("state/")
                      and (m.genitive or not genitive or article)), None)
            if m is None:
                break
            states.append(m.actors[0])
            end = m.end
            if end < len(doc) and doc[end].lower_ in ("und", "sowie", ","):
                end += 1
                continue
            break
        if len(states) < 2:
            return None
        if doc[end - 1].lower_ in ("und", "sowie", ","):
            end -= 1
        role = tok.text.removesuffix("en") if tok.text.endswith("enten") else tok.text.removesuffix("s")
        holders = [self._office_holder(history, actors, s_idx, role, state) for state in states]
        if any(h is None for h in holders):
            # Not all of them known: no mention at all, rather than one holder for the whole group.
            return TokenMention(tok.i - 1, end, (), "group_unresolved", confidence=0.0)
        return TokenMention(tok.i - 1, end, tuple(holders), "group", confidence=0.75)

    def _same_office(self, mention_role: str, actor_role: str) -> bool:
        if _same_role(mention_role, actor_role):
            return True
        a, b = mention_role.removesuffix("s"), actor_role
        return any(_in_office(a, group) and _in_office(b, group) for group in self.offices)

    def _office_holder(self, history, actors, s_idx, role: str, country: str) -> str | None:
        """The person holding `role` in `country`: named before in the document, else the one
        gazetteer person with that office (none when the gazetteer knows several)."""
        matches = []
        for e in reversed(history):
            if s_idx - e.sentence > self.max_description_sentences:
                break
            actor = actors.get(e.key)
            if actor is not None and actor.kind == "person" and actor.country == country and actor.role \
                    and self._same_office(role, actor.role):
                matches.append(e)
        if matches:
            # "Der syrische Präsident" in an article about al-Scharaa that also names Assad: the
            # person the text is about (named most often so far) wins, then a subject, then the latest.
            counts: dict[str, int] = {}
            for e in history:
                counts[e.key] = counts.get(e.key, 0) + 1
            order = {e.key: n for n, e in reversed(list(enumerate(matches)))}
            best = max({e.key for e in matches}, key=lambda key: (
                counts[key], any(e.subject for e in matches if e.key == key), -order[key]))
            return best
        holders = [a for a in self.gaz.persons_of(country) if a.role and self._same_office(role, a.role)]
        if len(holders) != 1:
            return None
        actors.setdefault(holders[0].key, holders[0])
        actors.setdefault(country, self.gaz.actors[country])
        return holders[0].key

    @staticmethod
    def _compatible(e: _Entry, number: str, gender: str, word: str) -> bool:
        """Agreement with the pronoun's [number, gender] from grammar.toml [pronouns]."""
        if number == "pl" or gender == "pl":
            return e.gender == "pl"
        if gender == "m":
            return e.kind in ("person", "state") and e.gender == "m"
        if gender == "f":
            return e.gender in (("f", "pl") if number == "any" else ("f",))
        if gender == "n":
            return e.kind in ("state", "organization") and e.gender == "n"
        return False


def _in_office(role: str, group: frozenset[str]) -> bool:
    base = role.rsplit("-", 1)[-1]
    return base in group or base.removesuffix("in") in group or base.removesuffix("en") in group


def _plural_verb_near(doc, tok) -> bool:
    """The finite verb next to a subject pronoun is plural: "sie fordern", "fordern sie"."""
    for k in (tok.i + 1, tok.i - 1):
        if 0 <= k < len(doc) and doc[k].tag_ in ("VVFIN", "VAFIN", "VMFIN"):
            word = doc[k].lower_
            return word.endswith("en") or word in ("sind", "waren")
    return False


def _same_role(mention_role: str, actor_role: str) -> bool:
    a, b = mention_role.lower().removesuffix("in"), actor_role.lower().removesuffix("in")
    return a == b or b.endswith(a) or a.endswith(b)


@Language.factory(
    "kg_coref",
    assigns=["doc._.kg_mentions"],
    requires=["doc._.kg_mentions", "doc._.kg_actors", "token.tag"],
    default_config={"max_sentences": 2},
)
def make_coref(nlp: Language, name: str, *, max_sentences: int) -> Coref:
    return Coref(max_sentences=max_sentences, lexicon=load_lexicon(), gazetteer=load_gazetteer())
