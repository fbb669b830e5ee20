"""The ``kg_entities`` component: find persons, organisations and places, and resolve them.

Matching (what could be a mention) is kept apart from deciding (which mentions stand):
candidates come from the gazetteer, from the token patterns of patterns.yaml, from context
(title + name, role + name, a known first name + family name, an organisation head word +
its complement), then overlaps are settled longest-first, and within-article coreference
links surnames, titles and anaphors (الجنرال بيراك, التنظيم, المجلس) to the entity named before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from spacy.language import Language
from spacy.tokens import Doc

from . import lexicon as lx
from .config import GazetteerEntry, Mappings
from .normalize import fold, slug
from .records import EntityType

if not Doc.has_extension("kg_entities"):
    Doc.set_extension("kg_entities", default=None)  # key → EntityInfo
    Doc.set_extension("kg_mentions", default=None)  # list[MentionInfo], sorted by start
    Doc.set_extension("kg_token_mention", default=None)  # token index → MentionInfo

SENTENCE_END = {".", "!", "?", "؟", "\n"}
COMMAS = {",", "،"}
# Entity labels of trained spaCy pipelines (OntoNotes, WikiNER, CAMeL/ANERcorp styles)
MODEL_LABELS = {"PERSON": EntityType.PERSON, "PER": EntityType.PERSON, "PERS": EntityType.PERSON,
                "ORG": EntityType.ORGANISATION, "NORP": None, "GPE": EntityType.PLACE,
                "LOC": EntityType.PLACE, "FAC": EntityType.PLACE}


@dataclass
class EntityInfo:
    key: str
    type: EntityType
    gazetteer_id: str | None = None
    surfaces: list[tuple[str, str]] = field(default_factory=list)  # (lang, surface) in order seen


@dataclass(slots=True)
class MentionInfo:
    key: str
    type: EntityType
    start: int  # token indices
    end: int
    rule: str
    start_char: int = 0
    end_char: int = 0


def main_country(tokens: lx.TokenTable, mappings: Mappings, mentions: list[MentionInfo]) -> str | None:
    """The country named most often, by name or demonym (ties: first named): the default
    organisation of state offices and the home of country-bound anaphors (البرلمان)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for mention in mentions:
        entry = mappings.gazetteer_by_id.get(mention.key.removeprefix("gaz:"))
        if entry is not None and entry.type is EntityType.PLACE and entry.demonyms["ar"]:
            counts[mention.key] += 1
            first.setdefault(mention.key, mention.start)
    for match in tokens.matches:
        if match.category == lx.DEMONYM:
            counts[f"gaz:{match.payload}"] += 1
            first.setdefault(f"gaz:{match.payload}", match.start)
    if not counts:
        return None
    return min(counts, key=lambda k: (-counts[k], first[k]))


# categories of words that never belong to a name
_BLOCKING = frozenset((lx.CUE, lx.PARTICIPLE, lx.ROLE, lx.TITLE, lx.DEMONYM, lx.MONTH, lx.WEEKDAY, lx.RELDAY,
                       lx.ACCORDING, lx.ORG_HEAD, lx.ANON_HEAD, lx.HIJRI, lx.ORDINAL))


# categories of words a person's name may follow or open with
_PERSON_OPENERS = frozenset((lx.TITLE, lx.ROLE, lx.CUE, lx.GIVEN))


class EntityRecogniser:
    _reused: set[str]
    _gazetteer_at: dict[int, lx.LexMatch]  # token → a gazetteer match starting there

    def __init__(self, nlp: Language, mappings: Mappings, lexicon: lx.Lexicon):
        self.lang = lx.lang_of(nlp)
        self.mappings = mappings
        self.lex = lexicon
        # this language's grammar lists, folded
        self.grammar = {key: words[self.lang] for key, words in mappings.grammar.items()}

    # ---- token tests -------------------------------------------------------------------
    def _blocked(self, tokens: lx.TokenTable, i: int) -> bool:
        """A word that cannot be part of a name: grammar, time, cue, role or title."""
        norm = tokens.norms[i]
        if norm in self.grammar["place_heads"] or self.lex.has(lx.NOT_NAME, norm) or \
                self.lex.has(lx.COMP, norm) or \
                (self.lang == "ar" and lx.is_complementizer_form(norm)):
            return True
        return not tokens.cats(i).keys().isdisjoint(_BLOCKING)

    def _namey(self, tokens: lx.TokenTable, i: int, taken: set[int]) -> bool:
        text, norm = tokens.texts[i], tokens.norms[i]
        if self.lang == "ar" and text.endswith("ي") and self.lex.has(lx.GIVEN, norm) \
                and i not in taken:
            return True  # "علي" spelt with yeh is the name; the preposition is written على
        if self.lang != "ar" and not text[:1].isupper():
            return False  # English names are capitalised; tested first, as most words are not
        if i in taken or not tokens.alpha[i] or len(text) < 2 or self._blocked(tokens, i):
            return False
        if self.lang == "ar":
            if tokens.clitics[i] in ("ب", "ل", "ك", "وب", "ول", "فب", "فل"):
                return False
            if i > 0 and tokens.norms[i - 1] in ("ب", "ل", "ك", "و", "ف") and \
                    tokens.ends[i - 1] == tokens.starts[i]:
                return False
            given = self.lex.has(lx.GIVEN, norm)
            if norm.startswith("و") and not given and not self.lex.has(lx.SURNAME, norm):
                return False  # "وقلت"، "وشيوخ": a conjunction glued to a word
            # accusative adverbs and participles (حاليا، مشيرا) end in alef; names rarely do
            return not (norm.endswith("ا") and len(norm) > 3 and not given)
        return True

    def scan_name(self, tokens: lx.TokenTable, j: int, taken: set[int], limit: int) -> int:
        """End of a name starting at token j (j when there is none)."""
        k = j
        count = 0
        if self.lang == "ar" and j < limit and not self.lex.has(lx.GIVEN, tokens.norms[j]):
            first = tokens.norms[j]
            # names do not open with the article, nor with a glued preposition (لشؤون)
            if first.startswith("ال") or (first[:1] in "بلكوف" and not self.lex.has(lx.SURNAME, first)
                                           and len(first) > 3 and self._looks_prefixed(first)):
                return j
        while k < limit and count < 4:
            norm = tokens.norms[k]
            if self.lex.has(lx.PARTICLE, norm) and k + 1 < limit and tokens.alpha[k + 1] and \
                    k + 1 not in taken and not self.lex.has(lx.NOT_NAME, tokens.norms[k + 1]):
                k += 2  # عبد الأمير، أبو بكر: the particle carries the next word, even a title
                count += 1
                continue
            text = tokens.texts[k]
            if self.lang == "en" and k > j and (text in ("al-", "bin", "ibn", "de", "van", "von") or
                                                 (self._initial(text) and k + 1 < limit
                                                  and self._namey(tokens, k + 1, taken))):
                k += 1  # "Mark C. Thurber": a middle initial
                continue
            if not self._namey(tokens, k, taken) or (k > j and self._suffixed_or_prefixed(tokens, k)):
                break
            if self.lang == "ar" and k > j and text.startswith("ال") and text.endswith("ة"):
                break  # "… التاريخية": a feminine adjective, not a family name
            # past two words only a family name (ال…), another first name, or a word the
            # article uses on its own after a speech verb (وأشار باكير) goes on
            if self.lang == "ar" and count >= 2 and \
                    not (norm.startswith("ال") or self.lex.has(lx.GIVEN, norm) or norm in self._reused):
                break
            k += 1
            count += 1
        return k

    def _ends_name(self, tokens: lx.TokenTable, k: int) -> bool:
        """What may follow a name that no first name vouches for: punctuation, a
        complementizer, a speech verb, a relative pronoun, a time word, لـ."""
        if k >= len(tokens):
            return True
        text, norm = tokens.texts[k], tokens.norms[k]
        cats = tokens.cats(k)
        return (text in COMMAS or lx.is_terminal(text) or "\n" in text
                or text in ('"', "«", "(", ":")
                or norm in ("الذي", "التي", "ل", "who", "said", "told")
                or self.lex.has(lx.COMP, norm) or lx.is_complementizer_form(norm)
                or any(c in cats for c in (lx.CUE, lx.RELDAY, lx.WEEKDAY, lx.PARTICIPLE, lx.ROLE)))

    def _strong_end(self, tokens: lx.TokenTable, k: int) -> bool:
        """لـ، أن، a comma or a speech verb right after the words: "عضو المجلس أركان الطرموز لـ"."""
        if k >= len(tokens):
            return False
        norm = tokens.norms[k]
        return (norm == "ل" or tokens.texts[k] in COMMAS or self.lex.has(lx.COMP, norm)
                or lx.is_complementizer_form(norm) or lx.CUE in tokens.cats(k))

    def _second_name(self, tokens: lx.TokenTable, k: int, end: int) -> bool:
        """After a first name found on its own, the next word must look like a name: another
        first name, a known surname, a nisba family name — or, for a two-word name, any word
        followed by clear punctuation or a speech verb."""
        norm = tokens.norms[k]
        if self.lex.has(lx.GIVEN, norm) or self.lex.has(lx.SURNAME, norm):
            return True
        if norm.startswith("ال"):
            return self._surname_like(norm)
        # "يؤسف له": a folding collision (يوسف) followed by a particle is no name
        return end - k == 1 and len(norm) >= 3 and not tokens.texts[k].endswith("ة") and \
            self._ends_name(tokens, end)

    def _surname_like(self, norm: str) -> bool:
        """Family names are mostly nisbas (العبادي، الجبوري); ال-nouns such as العلاقة or
        الانسحاب are not."""
        if not norm.startswith("ال"):
            return True
        return norm.endswith("ي") or self.lex.has(lx.SURNAME, norm)

    def _suffixed_or_prefixed(self, tokens: lx.TokenTable, k: int) -> bool:
        """A word with a pronoun suffix (طالعه، أصغرهم — written ه, not the ة of عكاشة) or a
        glued preposition (لوسائل، كشخص، بوصفه) does not continue a name."""
        if self.lang != "ar":
            return False
        text, norm = tokens.texts[k], tokens.norms[k]
        if self.lex.has(lx.SURNAME, norm) or self.lex.has(lx.GIVEN, norm):
            return False
        if len(norm) >= 4 and text.endswith(("ه", "ها", "هم", "هما", "كم")):
            return True
        return (len(norm) >= 4 and norm[0] in "لكب" and not norm.startswith("ال")
                and norm[1:] in self.lex.known_words)

    def _looks_prefixed(self, norm: str) -> bool:
        """لشؤون، بتوصياته: a preposition glued to a common noun rather than a foreign name
        such as بيراك or كينيث; nouns give themselves away by their endings."""
        return norm.startswith(("لش", "لم", "بم", "لت")) or norm.endswith(("ه", "ها", "هم", "ات", "ين", "ون"))

    # ---- main --------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        tokens = lx.tokens_of(doc)
        entities: dict[str, EntityInfo] = {}
        mentions: list[MentionInfo] = []
        # words standing alone right after a speech verb or title: surnames in use
        self._reused = {tokens.norms[m.end] for m in tokens.matches
                        if m.category in (lx.CUE, lx.TITLE) and m.end < len(tokens) and tokens.alpha[m.end]}
        self._gazetteer_at = {m.start: m for m in tokens.matches if m.category == lx.GAZ}
        taken: set[int] = set()
        gaz = self.mappings.gazetteer_by_id

        def add(key: str, etype: EntityType, start: int, end: int, rule: str,
                gid: str | None = None, surface: bool = True, take: bool = True) -> MentionInfo:
            info = entities.get(key)
            if info is None:
                info = entities[key] = EntityInfo(key, etype, gid)
            if surface:
                info.surfaces.append((self.lang, tokens.span_text(start, end)))
            mention = MentionInfo(key, etype, start, end, rule, tokens.starts[start], tokens.ends[end - 1])
            mentions.append(mention)
            if take:
                taken.update(range(start, end))
            return mention

        # 1. gazetteer: longest match first, full names before surnames
        candidates = [m for m in tokens.matches if m.category in (lx.GAZ, lx.SURNAME)]
        candidates.sort(key=lambda m: (-(m.end - m.start), m.category != lx.GAZ, m.start))
        for match in candidates:
            if any(t in taken for t in range(match.start, match.end)):
                continue
            entry = gaz[match.payload]
            if self.lang == "en" and not self._cased_like_name(tokens, match, entry):
                continue  # "who" is not WHO, "is" not IS
            add(f"gaz:{entry.id}", entry.type, match.start, match.end,
                "gazetteer" if match.category == lx.GAZ else "gazetteer-surname", entry.id)
        # a known body named inside a longer name is mentioned too: the Senate in
        # "لجنة القوات المسلحة بمجلس الشيوخ"; the outer mention keeps its tokens
        # the gazetteer mentions so far never overlap: at most one holds a given token
        outer = {t: m for m in mentions for t in range(m.start, m.end)}
        named_at = {(m.key, m.start) for m in mentions}
        for match in candidates:
            key = f"gaz:{match.payload}"
            holder = outer.get(match.start)
            if match.category == lx.GAZ and holder is not None and match.end <= holder.end and \
                    (holder.start, holder.end) != (match.start, match.end) and holder.key != key and \
                    (key, match.start) not in named_at:
                entry = gaz[match.payload]
                add(key, entry.type, match.start, match.end, "gazetteer-nested", entry.id, take=False)
                named_at.add((key, match.start))
        # 1a. matches of the token patterns of patterns.yaml, where the gazetteer found none
        for start, end, index in doc._.kg_pattern_ents or ():
            if any(t in taken for t in range(start, end)):
                continue
            pattern = self.mappings.patterns[index]
            if pattern.gazetteer is not None:
                entry = gaz[pattern.gazetteer]
                add(f"gaz:{entry.id}", entry.type, start, end, "pattern", entry.id)
            elif pattern.type is EntityType.PERSON:
                add(self._person_key(tokens, start, end, entities), pattern.type, start, end, "pattern")
            else:
                prefix = "org" if pattern.type is EntityType.ORGANISATION else "place"
                add(f"{prefix}:{slug(tokens.span_text(start, end))}", pattern.type, start, end, "pattern")
        country = main_country(tokens, self.mappings, mentions)

        # 1b. entities of a trained spaCy pipeline named in pipeline.yaml, where rules found none
        for start_char, end_char, label in doc._.kg_model_ents or ():
            etype = MODEL_LABELS.get(label)
            span = doc.char_span(start_char, end_char, alignment_mode="contract")
            if etype is None or span is None or any(t in taken for t in range(span.start, span.end)):
                continue
            prefix = {EntityType.PERSON: "person", EntityType.ORGANISATION: "org"}.get(etype, "place")
            add(f"{prefix}:{slug(span.text)}", etype, span.start, span.end, "spacy-model")

        # 2. organisations from a head word and its complement
        places = {i for m in mentions if m.type is EntityType.PLACE for i in range(m.start, m.end)}
        for start, end in self._context_orgs(tokens, taken):
            # an organisation may hold a place in its name (مجلس محافظة الأنبار); nothing else
            if any(t in taken and t not in places for t in range(start, end)):
                continue
            anchored = self._anchored_anaphor(tokens, start, end, mentions, country)
            target = self._org_target(tokens, start, end, mentions)
            if anchored is not None:
                entry = gaz[anchored]
                add(f"gaz:{entry.id}", entry.type, start, end, "anaphor", entry.id, surface=False)
            elif target is not None:
                add(target.key, target.type, start, end, "org-head-anaphor", surface=False)
            else:
                add(f"org:{slug(tokens.span_text(start, end))}", EntityType.ORGANISATION, start, end,
                    "org-head")

        # 3. persons from context
        found = self._context_persons(tokens, taken, {m.start: m.end for m in mentions
                                                    if m.type is not EntityType.PERSON})
        for start, end, rule in found:
            if rule == "first-name-of-known":
                known = next((m for m in mentions if m.start == end and m.type is EntityType.PERSON), None)
                if known is not None and not any(t in taken for t in range(start, end)):
                    known.start, known.start_char = start, tokens.starts[start]
                    taken.update(range(start, end))
                    entities[known.key].surfaces.append((self.lang, tokens.span_text(start, known.end)))
                continue
            if any(t in taken for t in range(start, end)):
                continue
            key = self._person_key(tokens, start, end, entities)
            if end - start == 1 and key not in entities and \
                    not (self.lang == "en" and rule in ("title-name", "quote-name-cue")):
                continue  # "الجنرال بعدة": one word after a title names no one we know ("Mr. Ekovich" does)
            add(key, EntityType.PERSON, start, end, rule)

        for start, end in self._spokesperson_orgs(tokens, taken):
            add(f"org:{slug(tokens.span_text(start, end))}", EntityType.ORGANISATION, start, end,
                "spokesperson-of")

        # 3b. places from a place head and its name: "منطقة الحراريات", "قرية النصر"
        for start, end in self._context_places(tokens, taken):
            add(f"place:{slug(tokens.span_text(start, end))}", EntityType.PLACE, start, end, "place-head")

        # 4. coreference: surnames and anaphors of entities named before
        mentions.sort(key=lambda m: m.start)
        self._corefer(tokens, taken, entities, mentions, add, country)
        mentions.sort(key=lambda m: (m.start, m.end))
        doc._.kg_entities = entities
        doc._.kg_mentions = mentions
        # the outer mention stands for its tokens: the council, not the province in its name
        doc._.kg_token_mention = {i: m for m in sorted(mentions, key=lambda m: m.end - m.start)
                                  for i in range(m.start, m.end)}
        return doc

    def _cased_like_name(self, tokens: lx.TokenTable, match: lx.LexMatch, entry: GazetteerEntry) -> bool:
        """English names are written as the gazetteer writes them: "trump card" is not Trump,
        "who" not WHO, "is" not IS; a lower-case alias ("the international coalition") may be
        capitalised, and a headline may be all capitals."""
        text = tokens.span_text(match.start, match.end)
        forms = entry.names(self.lang) if match.category == lx.GAZ else entry.surnames[self.lang]
        same = [f for f in forms if f.casefold() == text.casefold()]
        if not same:
            return any(c.isupper() for c in text)
        return any(f == text or (text.isupper() and len(text) > 4) or
                   (not f.isupper() and (f[:1].isupper() == text[:1].isupper() or f[:1].islower()))
                   for f in same)

    def _person_key(self, tokens: lx.TokenTable, start: int, end: int,
                    entities: dict[str, EntityInfo]) -> str:
        words = tokens.norms[start:end]
        if len(words) == 1:
            # a surname alone: the person last named with it, else a person of its own
            for key, info in reversed(list(entities.items())):
                if info.type is EntityType.PERSON and any(
                        fold(s).split()[-1:] == words for _, s in info.surfaces if len(s.split()) > 1):
                    return key
        return f"person:{slug(tokens.span_text(start, end))}"

    def _context_persons(self, tokens: lx.TokenTable, taken: set[int],
                         spans: dict[int, int]) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        n = len(tokens)
        # every layout opens at a title, role, speech verb or first name, or in English at a
        # capitalised word
        openers = {match.start for match in tokens.matches if match.category in _PERSON_OPENERS}
        if self.lang == "en":
            openers.update(i for i, text in enumerate(tokens.texts) if text[:1].isupper())
        for i in sorted(openers):
            cats = tokens.cats(i)
            if lx.TITLE in cats:
                j = cats[lx.TITLE].end
                if j < n and tokens.texts[j] in COMMAS:
                    j += 1
                _, limit = tokens.sentence(j) if j < n else (0, n)
                end = self.scan_name(tokens, j, taken, limit)
                if end > j and end in taken and self._gaz_person_at(tokens, end):
                    # "الجنرال رايموند أوديرنو" with أوديرنو known: his first name joins the mention
                    found.append((j, end, "first-name-of-known"))
                elif end > j:
                    found.append((j, end, "title-name"))
            if lx.ROLE in cats:
                end_role = cats[lx.ROLE].end
                _, limit = tokens.sentence(i)
                j = self._skip_role_modifiers(tokens, end_role, limit, spans)
                end = self.scan_name(tokens, j, taken, limit)
                if end - j >= 2 and (self.lex.has(lx.GIVEN, tokens.norms[j]) or
                                     (self.lang != "ar" and self._ends_name(tokens, end)) or
                                     (self.lang == "ar" and (self._second_name(tokens, j + 1, end) or
                                                            self._strong_end(tokens, end)))):
                    found.append((j, end, "role-name"))
                    continue
                # the role phrase runs on to a comma, then the name: "مساعد وزير …، ديفد شينكر،"
                for k in range(j, min(limit, j + 14)):
                    if tokens.texts[k] in COMMAS:
                        end = self.scan_name(tokens, k + 1, taken, limit)
                        if end - (k + 1) >= 2 and (end >= n or tokens.texts[end] in COMMAS
                                                   or lx.CUE in tokens.cats(end)
                                                   or tokens.norms[end] in ("الذي", "التي", "who")
                                                   or self.lex.has(lx.COMP, tokens.norms[end])
                                                   or tokens.texts[end] in SENTENCE_END):
                            found.append((k + 1, end, "role-comma-name"))
                        break
                    if lx.CUE in tokens.cats(k) or lx.COMP in tokens.cats(k):
                        break
            if lx.CUE in cats and self.lang == "ar":
                # "قال فلان الفلاني إن": a name right after a speech verb, closed by أن or a comma
                j = cats[lx.CUE].end
                _, limit = tokens.sentence(j) if j < n else (0, n)
                end = self.scan_name(tokens, j, taken, limit)
                role_follows = end < n and lx.ROLE in tokens.cats(end)
                if end - j >= 2 and (self.lex.has(lx.GIVEN, tokens.norms[j]) or role_follows) and \
                        self._second_name(tokens, j + 1, end) and end < n and \
                        (self.lex.has(lx.COMP, tokens.norms[end])
                         or lx.is_complementizer_form(tokens.norms[end])
                         or tokens.texts[end] in COMMAS or tokens.norms[end] == "ل"
                         or lx.ROLE in tokens.cats(end)):  # "أوضح منذر ماخوس سفير …"
                    found.append((j, end, "cue-name"))
            if self.lang == "en":
                found.extend(self._english_names(tokens, i, cats, taken))
            if lx.GIVEN in cats and self._namey(tokens, i, taken) and "ى" not in tokens.texts[i]:
                _, limit = tokens.sentence(i)
                end = self.scan_name(tokens, i, taken, limit)
                if end - i >= 2 and (self.lang != "ar" or self._second_name(tokens, i + 1, end)):
                    found.append((i, end, "given-name"))
        # longer and earlier spans first; overlaps are dropped by the caller
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        return found

    def _english_names(self, tokens: lx.TokenTable, i: int, cats: dict[str, lx.LexMatch],
                       taken: set[int]) -> list[tuple[int, int, str]]:
        """English names need no first-name list: two to four capitalised words right after a
        speech verb ("said Kellyanne Conway"), right before one ("Mike Pence said"), or before
        an apposition ("Cecelia Purner, 67, a retired …", "Mark Thurber, who …")."""
        found: list[tuple[int, int, str]] = []
        n = len(tokens)
        if lx.CUE in cats:
            j = cats[lx.CUE].end
            _, limit = tokens.sentence(j) if j < n else (0, n)
            end = self.scan_name(tokens, j, taken, limit)
            if end - j >= 2:
                found.append((j, end, "cue-name"))
            start = i
            while (start > 0 and i - start < 4 and self._namey(tokens, start - 1, taken)) or \
                    (start > 1 and i - start < 4 and self._initial(tokens.texts[start - 1])):
                start -= 1
            if i - start == 1 and start > 1 and (tokens.texts[start - 1] in ("”", "''", '"') or (
                    tokens.texts[start - 1] in COMMAS and tokens.texts[start - 2] in ("”", "''", '"'))):
                found.append((start, i, "quote-name-cue"))  # '"…," Richards said'
            elif i - start >= 2 and self._namey(tokens, start, taken) and \
                    (start == 0 or not tokens.texts[start - 1][:1].isupper()
                     or tokens.texts[start - 1] in COMMAS):
                found.append((start, i, "name-cue"))
        if not self._namey(tokens, i, taken) or (i > 0 and self._namey(tokens, i - 1, taken)):
            return found
        glued = i > 1 and tokens.norms[i - 1] in ("of", "for", "and", "&") and \
            tokens.texts[i - 2][:1].isupper()
        if not glued:
            _, limit = tokens.sentence(i)
            end = self.scan_name(tokens, i, taken, limit)
            if end - i >= 2 and end + 1 < n and tokens.texts[end] in COMMAS and \
                    (tokens.norms[end + 1] in ("a", "an", "the", "who", "whose") or tokens.like_num[end + 1]
                     or lx.ROLE in tokens.cats(end + 1) or lx.TITLE in tokens.cats(end + 1)):
                found.append((i, end, "name-apposition"))
        return found

    @staticmethod
    def _initial(text: str) -> bool:
        return len(text) == 2 and text[0].isupper() and text[1] == "."

    def _skip_role_modifiers(self, tokens: lx.TokenTable, j: int, limit: int,
                             spans: dict[int, int] | None = None) -> int:
        mention_at = self._gazetteer_at
        spans = spans or {}
        while j < limit:
            cats = tokens.cats(j)
            if lx.DEMONYM in cats:
                j = cats[lx.DEMONYM].end
            elif lx.ROLE in cats:
                j = cats[lx.ROLE].end
            elif j in spans:
                j = spans[j]  # an organisation or place already found: "رئيس مجلس شيوخ عشائر الأنبار"
            elif j in mention_at and self.mappings.gazetteer_by_id[mention_at[j].payload].type \
                    is not EntityType.PERSON:
                j = mention_at[j].end
            elif tokens.norms[j] in self.grammar["title_modifiers"]:
                j += 1
            elif tokens.norms[j] in self.grammar["place_heads"] and j + 1 < limit:
                j += 2 if j + 1 not in mention_at else 1
            elif tokens.norms[j].startswith("ال") and self.lex.has(lx.ORG_HEAD, tokens.norms[j][2:]):
                j += 1  # "عضو المجلس أركان الطرموز": the council named before
            elif lx.TITLE in cats:
                j = cats[lx.TITLE].end
            else:
                break
        return j

    def _context_orgs(self, tokens: lx.TokenTable, taken: set[int]) -> list[tuple[int, int]]:
        """Head word (مجلس، وزارة، صحيفة …) plus up to four complement words."""
        spans: list[tuple[int, int]] = []
        n = len(tokens)
        for match in tokens.matches:
            if match.category != lx.ORG_HEAD or match.start in taken:
                continue
            i = match.start
            _, limit = tokens.sentence(i)
            k = match.end
            definite_seen = False
            bridged = False
            while k < limit and k - match.end < 6:
                norm = tokens.norms[k]
                if self.lang == "ar" and norm == "ل" and k + 1 < limit and k > match.end and (
                        lx.ROLE in tokens.cats(k + 1) or lx.ORG_HEAD in tokens.cats(k + 1)):
                    k += 2  # "المكتب الإعلامي لرئيس مجلس الوزراء": the office of an office-holder
                    definite_seen = False
                    bridged = True
                    continue
                if self.lang == "ar" and norm == "و" and k > match.end and k + 1 < limit and \
                        tokens.norms[k + 1].startswith("ال") and \
                        tokens.norms[match.start] in ("لجنه", "وزاره", "هيئه"):
                    k += 1  # "لجنة الأمن والدفاع", "وزارة الداخلية والبلديات"
                    continue
                if not tokens.alpha[k] or (k in taken and not self._gaz_place_or_org(tokens, k)):
                    break
                if self.lang == "ar":
                    if norm.startswith("ل") and not norm.startswith("ال") and k > match.end:
                        break  # "مؤسسة هيريتج لشؤون الشرق": a genitive phrase, not the name
                    definite = norm.startswith("ال") or k in taken
                    if (definite_seen or bridged) and not definite and lx.ORG_HEAD not in tokens.cats(k):
                        break  # "حكومة الكاظمي تريد": a verb follows the name
                    if not definite and norm.endswith(("يه", "ي", "ه")) and k == match.end:
                        break  # "دائرة تلفزيونية": an indefinite adjective, not a name
                    definite_seen = definite_seen or definite
                if self.lex.has(lx.FUNCTION, norm) or self.lex.has(lx.COMP, norm) or \
                        lx.CUE in tokens.cats(k) or lx.RELDAY in tokens.cats(k) or \
                        lx.WEEKDAY in tokens.cats(k) or lx.TITLE in tokens.cats(k) or \
                        (lx.ROLE in tokens.cats(k) and not norm.startswith("ال")):
                    break
                if self.lang == "en" and not tokens.texts[k][0].isupper():
                    break
                k += 1
                if k - 1 in taken:  # the complement ends with a known place or organisation
                    mention_end = k
                    while mention_end < n and mention_end in taken:
                        mention_end += 1
                    k = mention_end
                    break
            if k > match.end and self._plausible_org(tokens, i, match.end, k, taken):
                spans.append((i, k))
        return spans

    def _plausible_org(self, tokens: lx.TokenTable, head: int, start: int, end: int, taken: set[int]) -> bool:
        """Arabic organisation names end in a definite or known word ("مجلس شيوخ عشائر الأنبار");
        only heads that take foreign names (وكالة فرانس برس، مؤسسة هيريتج) may go without.
        A leadership of a country ("قيادة الولايات المتحدة") is a phrase, not a body."""
        if self.lang != "ar":
            return True
        words = [tokens.norms[k] for k in range(start, end)]
        definite = any(w.startswith("ال") or k in taken
                       for w, k in zip(words, range(start, end), strict=True))
        if not definite and tokens.norms[head] not in self.grammar["foreign_name_heads"]:
            return False
        if any(w.endswith(("ها", "هم")) for w in words):
            return False  # "رئاسة زعيمها": a possessive, not a name
        if tokens.norms[head] in ("قياده", "رياسه") and all(k in taken for k in range(start, end)):
            mention = [m for m in tokens.matches if m.category == lx.GAZ and m.start == start]
            if mention and self.mappings.gazetteer_by_id[mention[0].payload].demonyms["ar"]:
                return False
        return True

    def _anchored_anaphor(self, tokens: lx.TokenTable, start: int, end: int, mentions: list[MentionInfo],
                          country: str | None) -> str | None:
        """The gazetteer id an anaphor between start and end stands for, when that entity was
        named before or belongs to the article's country ("مجلس النواب" in an Iraqi report)."""
        for match in tokens.lex_at.get(start, ()):
            if match.category != lx.ANAPHOR or match.end != end:
                continue
            entry = self.mappings.gazetteer_by_id[match.payload]
            named_before = any(m.key == f"gaz:{entry.id}" and m.start < start for m in mentions)
            if named_before or (entry.country is not None and f"gaz:{entry.country}" == country):
                return entry.id
        return None

    def _context_places(self, tokens: lx.TokenTable, taken: set[int]) -> list[tuple[int, int]]:
        """A place head (منطقة، قرية، حي، ناحية) and one or two name words after it; a head
        before a known place is that place, already found."""
        spans = []
        place_heads = self.grammar["place_heads"]
        for i in [i for i, norm in enumerate(tokens.norms) if norm in place_heads]:
            if i in taken or i + 1 >= len(tokens):
                continue
            k = i + 1
            while k < min(len(tokens), i + 3) and k not in taken and tokens.alpha[k] and \
                    not self._blocked(tokens, k) and not self._suffixed_or_prefixed(tokens, k) and \
                    (self.lang != "ar" or tokens.norms[k].startswith("ال") or k == i + 1):
                if self.lang == "ar" and k == i + 1 and not tokens.norms[k].startswith("ال") and \
                        (not self._namey(tokens, k, taken) or tokens.texts[k].endswith(("ة", "ى"))):
                    break  # "منطقة صحراوية", "ناحية أخرى", "منطقة تسمى": adjectives and verbs
                k += 1
                if self.lang == "ar" and tokens.norms[k - 1].startswith("ال"):
                    break  # "منطقة الحراريات": the definite name closes it
            closed = self.lang != "ar" or tokens.norms[k - 1].startswith("ال") or self._ends_name(tokens, k)
            if k > i + 1 and closed:
                spans.append((i, k))
        return spans

    def _spokesperson_orgs(self, tokens: lx.TokenTable, taken: set[int]) -> list[tuple[int, int]]:
        spans = []
        for i in [i for i, norm in enumerate(tokens.norms) if norm in ("باسم", "on behalf of")]:
            if i + 1 >= len(tokens) or i + 1 in taken:
                continue
            if not any(m.category == lx.ROLE and m.end in (i, i + 1) for m in tokens.matches):
                continue
            _, limit = tokens.sentence(i)
            k = i + 1
            while k < min(limit, i + 6) and tokens.texts[k] not in COMMAS and not self._blocked(tokens, k) \
                    and k not in taken and (tokens.alpha[k] or tokens.norms[k] == "ل"):
                k += 1
            if k > i + 1 and tokens.norms[i + 1].startswith("ال"):
                spans.append((i + 1, k))
        return spans

    def _gaz_person_at(self, tokens: lx.TokenTable, k: int) -> bool:
        return any(m.category in (lx.GAZ, lx.SURNAME)
                   and self.mappings.gazetteer_by_id[m.payload].type is EntityType.PERSON
                   for m in tokens.lex_at.get(k, ()))

    def _gaz_place_or_org(self, tokens: lx.TokenTable, k: int) -> bool:
        return any(m.category == lx.GAZ and m.start <= k < m.end and
                   self.mappings.gazetteer_by_id[m.payload].type is not EntityType.PERSON
                   for m in tokens.matches)

    def _org_target(self, tokens: lx.TokenTable, start: int, end: int,
                    mentions: list[MentionInfo]) -> MentionInfo | None:
        """"قوات التحالف" names the coalition itself: a head over a known organisation is it."""
        if tokens.norms[start] not in self.grammar["force_words"]:
            return None
        inner = [m for m in mentions
                 if start < m.start and m.end == end and m.type is EntityType.ORGANISATION]
        if inner:
            return inner[0]
        for match in tokens.lex_at.get(start + 1, ()):
            # "قيادة التحالف": the coalition named before, by its usual short name
            if match.category == lx.ANAPHOR and match.end == end:
                earlier = [m for m in mentions if m.key == f"gaz:{match.payload}" and m.start < start]
                if earlier:
                    return earlier[0]
        return None

    def _corefer(self, tokens: lx.TokenTable, taken: set[int], entities: dict[str, EntityInfo],
                 mentions: list[MentionInfo], add: object, country: str | None) -> None:
        assert callable(add)
        surnames: dict[str, str] = {}
        for m in mentions:
            if m.type is EntityType.PERSON and m.end - m.start >= 2:
                surnames.setdefault(tokens.norms[m.end - 1], m.key)
        first_seen: dict[str, int] = {}
        for m in mentions:
            first_seen.setdefault(m.key, m.start)
        # organisations a head noun may refer back to, by the norm of their first word, with
        # their place in ``mentions``; those added below are never org-head or gazetteer ones
        named_orgs: dict[str, list[tuple[int, MentionInfo]]] = {}
        for order, m in enumerate(mentions):
            if m.type is EntityType.ORGANISATION and m.rule in ("org-head", "gazetteer") and \
                    m.end - m.start > 1:
                named_orgs.setdefault(tokens.norms[m.start], []).append((order, m))
        # the tokens any of the three tests below can take: a surname, an anaphor, or a definite
        # head noun (ال + head) of an organisation named before
        wanted = surnames.keys() | {head for head in named_orgs if head.startswith("ال")} | \
            {"ال" + head for head in named_orgs}
        candidates = {i for i, norm in enumerate(tokens.norms) if norm in wanted}
        candidates.update(match.start for match in tokens.matches if match.category == lx.ANAPHOR)
        for i in sorted(candidates):
            norm = tokens.norms[i]
            if i in taken:
                continue
            key = surnames.get(norm)
            if key and first_seen.get(key, len(tokens)) < i and (
                    norm.startswith("ال") or not self._blocked(tokens, i)) and tokens.alpha[i]:
                add(key, EntityType.PERSON, i, i + 1, "surname")
                continue
            for match in tokens.lex_at.get(i, ()):
                if match.category != lx.ANAPHOR or any(t in taken for t in range(match.start, match.end)):
                    continue
                if self._anchored_anaphor(tokens, match.start, match.end, mentions, country) is not None:
                    entry = self.mappings.gazetteer_by_id[match.payload]
                    add(f"gaz:{entry.id}", entry.type, match.start, match.end, "anaphor", entry.id,
                        surface=False)
                    break
            else:
                # head-noun anaphora: المجلس → the council named before
                if norm.startswith("ال") and len(norm) > 4 and i not in taken and tokens.alpha[i]:
                    head = norm[2:]
                    named = sorted(named_orgs.get(head, []) + named_orgs.get("ال" + head, []))
                    earlier = [m for _, m in named if m.start < i]
                    nxt = tokens.norms[i + 1] if i + 1 < len(tokens) else ""
                    if earlier and not nxt.startswith("ال"):
                        add(earlier[-1].key, EntityType.ORGANISATION, i, i + 1, "head-anaphor", surface=False)


@Language.factory("kg_entities", default_config={"mappings_dir": None})
def make_entities(nlp: Language, name: str, mappings_dir: str | None) -> EntityRecogniser:
    from .nlp import LexiconMatcher, get_mappings  # here: nlp imports this module

    # spaCy types get_pipe() as a bare Callable[[Doc], Doc]; "kg_lexicon" is our LexiconMatcher
    matcher = cast(LexiconMatcher, nlp.get_pipe("kg_lexicon"))
    return EntityRecogniser(nlp, get_mappings(mappings_dir), matcher.lexicon)
