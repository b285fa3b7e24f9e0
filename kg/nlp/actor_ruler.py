"""Actor ruler: finds actors from the gazetteer (inflected forms included), persons
introduced by a role, unknown proper-name sequences, country adjectives and
government nouns. Writes TokenMentions to Doc._.kg_mentions and named spans to doc.ents.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import iris
from ..gazetteer import Gazetteer, Surface, load_gazetteer
from ..lexicon import Lexicon, load_lexicon
from ..records import Actor
from .sentences import is_debris
from .mentions import ADJECTIVE, COMPOUND, PLACE, TokenMention, actors_of, ensure_extensions, mentions_of

_ADJ_ENDINGS = ("", "e", "en", "er", "es", "em")
NAME_PARTICLES = {"bin", "ibn", "bint", "al", "el", "von", "van", "der", "de", "da", "di", "du", "del", "la", "le", "dos", "das"}
_GENITIVE_ENDINGS = ("s", "es", "'", "’")
_NAME_TAGS = {"NE", "NN", "FM", "ADJA", "ADJD", "XY"}
_NAME_CONTINUATION_TAGS = {"PTKVZ", "ADV", "VVFIN", "VVINF", "VVPP", "APPR", "KON"}
_ENT_LABEL = {"person": "PER", "state": "GPE", "organization": "ORG", "place": "LOC"}
_PRIORITY = {"name": 5, "governmental": 6, "role_person": 5, "metonym": 4, "capital": 4, "place": 3,
             "compound": 4, "model_person": 2, "model_org": 2, "ne_person": 1, "adjective": 0}


class ActorRuler:
    def __init__(self, *, use_model_entities: bool, lexicon: Lexicon | None = None, gazetteer: Gazetteer | None = None):
        self.use_model_entities = use_model_entities
        self.gaz: Gazetteer = gazetteer or load_gazetteer()
        self.lex: Lexicon = lexicon or load_lexicon()
        roles = self.lex.roles
        self.role_nouns = self.lex.role_nouns
        self.role_suffixes = self.lex.role_suffixes
        self.not_roles = frozenset(roles["roles"]["not_roles"])
        self.gov_nouns = frozenset(roles["governmental"]["nouns"])
        self.time_words = self.lex.time_words
        self.meet_nouns = frozenset(n for n, t in self.lex.nouns.items() if t.relation == "meets")
        self.index: dict[str, list[tuple[tuple[str, ...], Surface]]] = defaultdict(list)
        self.lower_index: dict[str, list[tuple[tuple[str, ...], Surface]]] = defaultdict(list)
        self._index_built = False

    # -- index -------------------------------------------------------------
    def _build_index(self, nlp_tokenizer) -> None:
        for text, surface in self.gaz.surfaces.items():
            words = tuple(t.text for t in nlp_tokenizer(text))
            if not words:
                continue
            self.index[words[0]].append((words, surface))
            if text.isupper() and len(text) >= 3:  # NATO ~ Nato, OSZE ~ Osze
                low = tuple(w.lower() for w in words)
                self.lower_index[low[0]].append((low, surface))
        for table in (self.index, self.lower_index):
            for entries in table.values():
                entries.sort(key=lambda e: -len(e[0]))
        self._index_built = True

    # -- helpers -----------------------------------------------------------
    def role_of(self, text: str) -> tuple[str | None, str | None]:
        """(role, prefix actor key) for 'Außenminister', 'US-Präsident', 'Nato-Generalsekretär'."""
        prefix_key = None
        word = text
        if "-" in text:
            head, _, rest = text.partition("-")
            key = self.gaz.prefixes.get(head)
            if key is None:
                surface = self.gaz.surfaces.get(head)
                key = surface.actor if surface else None
            if key is not None:
                prefix_key, word = key, rest
            elif rest[:1].isupper():
                word = rest
        if word in self.not_roles or not word[:1].isupper():
            return None, prefix_key
        if word in self.role_nouns:
            return word, prefix_key
        lower = word.lower()
        for suffix in self.role_suffixes:
            if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
                return word, prefix_key
        return None, prefix_key

    def adjective_state(self, text: str) -> str | None:
        lower = text.lower()
        for part in (lower.split("-") if "-" in lower else [lower]):
            for ending in _ADJ_ENDINGS:
                if ending and not part.endswith(ending):
                    continue
                stem = part[: len(part) - len(ending)] if ending else part
                key = self.gaz.adjectives.get(stem)
                if key:
                    return key
        return None

    def adjective_states(self, text: str) -> tuple[str, ...]:
        """All states of a (possibly hyphenated) adjective: russisch-amerikanischen -> (ru, us)."""
        if "-" not in text:
            key = self.adjective_state(text)
            return (key,) if key else ()
        keys = []
        for part in text.split("-"):
            key = self.adjective_state(part)
            if key and key not in keys:
                keys.append(key)
        whole = self.adjective_state(text.replace("-", ""))  # "US-amerikanisch" is one adjective
        return tuple(keys) if len(keys) > 1 or not whole else (whole,)

    def _match_surface(self, doc: Doc, i: int, end: int) -> tuple[int, Surface, bool] | None:
        """Longest gazetteer match starting at token i: (end, surface, genitive)."""
        first = doc[i].text
        candidates = list(self.index.get(first, ()))
        if doc[i].is_sent_start and first[:1].isupper():
            # "Von der Leyen traf …": the particle is capitalised only because the sentence starts.
            candidates += self.index.get(first[:1].lower() + first[1:], [])
        # The first token may itself be inflected when the name is one word ("Russlands").
        for ending in _GENITIVE_ENDINGS:
            if first.endswith(ending) and len(first) > len(ending) + 1:
                candidates += [c for c in self.index.get(first[: -len(ending)], ()) if len(c[0]) == 1]
        candidates += self.lower_index.get(first.lower(), [])
        best = None
        for words, surface in candidates:
            n = len(words)
            if i + n > end:
                continue
            ok, genitive = True, False
            for j, word in enumerate(words):
                text = doc[i + j].text
                if text == word or (surface.text.isupper() and text.lower() == word.lower()):
                    continue
                if j == 0 and doc[i].is_sent_start and text == word[:1].upper() + word[1:]:
                    continue
                if j == n - 1 and any(text == word + e for e in _GENITIVE_ENDINGS) and not word.endswith("s"):
                    genitive = True
                    continue
                if j == n - 1 and word.endswith("e") and text == word + "n":
                    continue  # dative plural: "den Niederlanden", "den Vereinigten Staaten"
                ok = False
                break
            if ok and (best is None or n > best[0] - i):
                best = (i + n, surface, genitive)
        return best

    def _mint(self, actors: dict[str, Actor], kind: str, name: str, **extra) -> str:
        key = iris.actor_key(kind, name)
        known = self.gaz.actors.get(key)
        if known is not None:
            actors.setdefault(key, known)
            return key
        if key not in actors:
            actors[key] = Actor(key=key, kind=kind, label=name, **extra)
        return key

    def _use(self, actors: dict[str, Actor], key: str) -> None:
        actor = self.gaz.actors.get(key)
        if actor is not None:
            actors.setdefault(key, actor)
            if actor.country and actor.country in self.gaz.actors:
                actors.setdefault(actor.country, self.gaz.actors[actor.country])

    def _unknown_surname(self, doc: Doc, k: int, end: int) -> bool:
        """A capitalised word after a given name that is no known noun of kg's lexicons."""
        t = doc[k]
        word = t.text
        return word[:1].isupper() and word.replace("-", "").replace("'", "").isalpha() and len(word) > 1 \
            and t.tag_ in ("NE", "NN", "FM", "XY") and not t.is_sent_start \
            and word not in self.time_words and word not in self.gov_nouns and self.role_of(word)[0] is None \
            and self.lex.noun(word, t.lemma_) is None and self._match_surface(doc, k, end) is None \
            and not self.adjective_states(word)

    @staticmethod
    def _remember_name_parts(span, key: str, known: dict[str, str]) -> None:
        """After "Kaja Kallas" or "Lee Jae-myung", a bare "Kallas", "Kaja" or "Lee" in the same
        document is the same person; a part two persons share stands for neither."""
        for tok in span:
            part = tok.text
            if len(part) < 3 or not part[:1].isupper() or part.lower() in NAME_PARTICLES:
                continue
            if known.get(part, key) != key:
                known[part] = ""  # ambiguous
            else:
                known.setdefault(part, key)

    def _country_before(self, doc: Doc, start: int, lo: int, mentions: list[TokenMention]) -> str | None:
        """Country from an adjective or a genitive name in the NP before token `start`."""
        for m in reversed(mentions):
            if m.end <= start and m.start >= lo and m.end >= start - 3:
                between = doc[m.end:start]
                if all(t.tag_ in ("ADJA", "ADJD", "ART") or t.text[:1].islower() for t in between) or m.end == start:
                    if m.how == ADJECTIVE or (m.genitive and m.actors and m.actors[0].startswith(("state/", "org/"))):
                        return m.actors[0]
        return None

    # -- main --------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        ensure_extensions()
        if not self._index_built:
            from spacy.lang.de import German

            self._build_index(German().tokenizer)
        actors = actors_of(doc)
        found: list[TokenMention] = []
        minted_surnames: dict[str, str] = {}
        for sent in doc.sents:
            if not is_debris(doc, sent.start, sent.end):  # no actors in bylines and photo credits
                found.extend(self._sentence(doc, sent, actors, minted_surnames))
        mentions = mentions_of(doc)
        mentions.extend(sorted(found, key=lambda m: (m.start, m.end)))
        spans = [Span(doc, m.start, m.end, label=_ENT_LABEL[actors[m.actors[0]].kind], kb_id=m.actors[0])
                 for m in mentions if m.is_actor and m.how != "governmental" and m.actors[0] in actors]
        doc.ents = filter_spans(spans)
        return doc

    def _sentence(self, doc: Doc, sent: Span, actors: dict[str, Actor],
                  minted_surnames: dict[str, str]) -> list[TokenMention]:
        start, end = sent.start, sent.end
        out: list[TokenMention] = []
        taken = [False] * (end - start)

        def free(a: int, b: int) -> bool:
            return not any(taken[a - start:b - start])

        def take(m: TokenMention) -> None:
            for k in range(m.start, m.end):
                taken[k - start] = True
            out.append(m)

        model_ents = {}
        if self.use_model_entities:
            for ent in doc.ents:
                if start <= ent.start < end:
                    model_ents[ent.start] = ent

        i = start
        while i < end:
            tok = doc[i]
            text = tok.text
            # 1. gazetteer names, capitals, metonyms, places
            match = self._match_surface(doc, i, end) if text[:1].isalpha() else None
            if match:
                j, surface, genitive = match
                if j == i + 1 and tok.tag_ not in ("NE", "NN", "FM", "XY", "ADJA", "ADJD", "") and not text[:1].isupper():
                    match = None  # a lower-case function word that happens to be a name
                elif any((inner := self._match_surface(doc, k, end)) and inner[0] > j for k in range(i + 1, j)):
                    i += 1  # "Emir Tamim" must not cut "Tamim bin Hamad Al Thani": take the longer one
                    continue
            if match:
                j, surface, genitive = match
                if i > start and doc[i - 1].lower_ == "des":
                    genitive = True
                self._use(actors, surface.actor)
                if surface.place:
                    self._use(actors, surface.place)
                how = surface.how
                actor = self.gaz.actors.get(surface.actor)
                if how == "name" and actor is not None and actor.kind == "person" and j - i >= 2:
                    self._remember_name_parts(doc[i:j], surface.actor, minted_surnames)
                if how == "place":
                    take(TokenMention(i, j, (surface.actor,), PLACE, place=surface.actor, genitive=genitive))
                else:
                    # Role before a gazetteer person: "Außenminister Sergej Lawrow"
                    take(TokenMention(i, j, (surface.actor,), how, place=surface.place, genitive=genitive))
                i = j
                continue
            # 2. hyphen compounds: "Trump-Putin-Gespräch", "US-Verteidigungsminister Pete Hegseth"
            if "-" in text and text[:1].isupper():
                parts = text.split("-")
                head = parts[-1]
                keys = []
                for part in parts[:-1]:
                    surface = self.gaz.surfaces.get(part) or self.gaz.surfaces.get(part.rstrip("s"))
                    if surface is None:
                        for key, actor in actors.items():
                            if actor.kind == "person" and actor.label.split()[-1] == part:
                                surface = Surface(part, key, "name")
                                break
                    if surface is not None and surface.how != "place":
                        keys.append(surface.actor)
                if keys and head in self.meet_nouns and len(keys) >= 2:
                    for k in keys:
                        self._use(actors, k)
                    take(TokenMention(i, i + 1, tuple(keys), COMPOUND))
                    i += 1
                    continue
            # 3. role + name: "Geheimdienstdirektor Kyrylo Budanow", "US-Außenminister Marco Rubio"
            role, prefix_key = self.role_of(text) if tok.tag_ in ("NN", "NE", "FM", "") else (None, None)
            if role:
                j = i + 1
                gaz_next = self._match_surface(doc, j, end) if j < end else None
                if gaz_next and self.gaz.surfaces[gaz_next[1].text].how == "name" and \
                        self.gaz.actors[gaz_next[1].actor].kind == "person":
                    i += 1  # the gazetteer person follows; step 1 takes it next round
                    continue
                names = []
                while j < end and len(names) < 5:
                    t = doc[j]
                    if names and t.lower_ in NAME_PARTICLES and j + 1 < end and doc[j + 1].text[:1].isupper():
                        names.append(t.text)  # "Tamim bin Hamad", "Ursula von der Leyen"
                        j += 1
                        continue
                    # HanTa may tag a later name part as a particle or verb ("Ishaq Dar/PTKVZ").
                    tags = _NAME_TAGS | _NAME_CONTINUATION_TAGS if names else _NAME_TAGS
                    if not (t.text[:1].isupper() and t.tag_ in tags and t.text.replace("-", "").replace("'", "").isalpha()):
                        break
                    if t.text in self.time_words or self._match_surface(doc, j, end) or self.role_of(t.text)[0]:
                        break
                    if t.tag_ in ("NN", "ADJA", "ADJD") and not names and doc[j + 1:j + 2].text[:1].islower():
                        break
                    names.append(t.text)
                    j += 1
                if len(names) == 1 and minted_surnames.get(names[0]):
                    # "Premier Costa" after "António Costa": the person named before.
                    take(TokenMention(i + 1, j, (minted_surnames[names[0]],), "role_person", confidence=0.9))
                    i = j
                    continue
                if names and (len(names) >= 2 or doc[i + 1].tag_ == "NE"):
                    name = " ".join(names)
                    country = prefix_key or self._country_before(doc, i, start, out)
                    key = self._mint(actors, "person", name, role=role, country=country, gender="f" if role.endswith("in") else "m")
                    if country:
                        self._use(actors, country)
                    self._remember_name_parts(doc[i + 1:j], key, minted_surnames)
                    take(TokenMention(i + 1, j, (key,), "role_person"))
                    i = j
                    continue
            # 4. governmental nouns: "die russische Regierung", "Russlands Führung", "die Junta in Niger"
            if text in self.gov_nouns and i + 2 < end and doc[i + 1].lower_ == "in":
                loc = self._match_surface(doc, i + 2, end)
                if loc and loc[1].actor.startswith("state/"):
                    self._use(actors, loc[1].actor)
                    take(TokenMention(i, loc[0], (loc[1].actor,), "governmental"))
                    i = loc[0]
                    continue
            if text in self.gov_nouns and out:
                prev = out[-1]
                gap = doc[prev.end:i]
                if (prev.how == ADJECTIVE or (prev.genitive and prev.actors[0].startswith("state/"))) and \
                        all(t.tag_ in ("ADJA", "ADJD") for t in gap) and len(prev.actors) == 1:
                    out.pop()
                    take_start = prev.start
                    for k in range(prev.start, prev.end):
                        taken[k - start] = False
                    take(TokenMention(take_start, i + 1, prev.actors, "governmental"))
                    i += 1
                    continue
            # 5. country adjectives
            if tok.tag_ in ("ADJA", "ADJD", "NN", "NE") or (text[:1].islower() and text.isalpha()):
                keys = self.adjective_states(text)
                if keys:
                    for key in keys:
                        self._use(actors, key)
                    take(TokenMention(i, i + 1, keys, ADJECTIVE))
                    i += 1
                    continue
            # 6. a surname of a person minted earlier in this document: "Budanow warnte"
            bare = text[:-1] if text.endswith("s") and text[:-1] in minted_surnames else text
            if minted_surnames.get(bare) and tok.tag_ in ("NE", "NN", "FM"):
                take(TokenMention(i, i + 1, (minted_surnames[bare],), "ne_person", genitive=bare != text,
                                  confidence=0.9))
                i += 1
                continue
            # 7. entities of an installed trained model (optional)
            ent = model_ents.get(i)
            if ent is not None and free(ent.start, ent.end):
                kind = {"PER": "person", "PERSON": "person", "ORG": "organization"}.get(ent.label_)
                if kind:
                    key = self._mint(actors, kind, ent.text)
                    if kind == "person":
                        minted_surnames.setdefault(ent.text.split()[-1], key)
                    take(TokenMention(ent.start, ent.end, (key,), "model_person" if kind == "person" else "model_org",
                                      confidence=0.8))
                    i = ent.end
                    continue
            # 8. a given name and a surname HanTa does not know as a name: "Heiko Maas", "Yvette Cooper"
            if text in self.gaz.first_names and i + 1 < end and self._unknown_surname(doc, i + 1, end):
                j = i + 2 if not (i + 2 < end and self._unknown_surname(doc, i + 2, end) and doc[i + 2].tag_ == "NE") \
                    else i + 3
                name = " ".join(t.text for t in doc[i:j])
                key = self._mint(actors, "person", name, gender="m")
                self._remember_name_parts(doc[i:j], key, minted_surnames)
                take(TokenMention(i, j, (key,), "ne_person", confidence=0.75))
                i = j
                continue
            # 9. unknown proper-name sequences: two or more NE tokens
            if tok.tag_ == "NE" and text[:1].isupper():
                j = i
                while j < end and doc[j].tag_ == "NE" and doc[j].text[:1].isupper() and \
                        doc[j].text.replace("-", "").isalpha() and doc[j].text not in self.time_words and \
                        not self._match_surface(doc, j, end):
                    j += 1
                if j - i >= 2 and j - i <= 4:
                    name = " ".join(t.text for t in doc[i:j])
                    key = self._mint(actors, "person", name, gender="m")
                    minted_surnames.setdefault(doc[j - 1].text, key)
                    take(TokenMention(i, j, (key,), "ne_person", confidence=0.8))
                    i = j
                    continue
            i += 1
        return out


@Language.factory(
    "kg_actors",
    assigns=["doc.ents", "doc._.kg_mentions", "doc._.kg_actors"],
    requires=["token.tag", "token.is_sent_start"],
    default_config={"use_model_entities": False},
)
def make_actor_ruler(nlp: Language, name: str, *, use_model_entities: bool) -> ActorRuler:
    return ActorRuler(use_model_entities=use_model_entities, lexicon=load_lexicon(), gazetteer=load_gazetteer())
