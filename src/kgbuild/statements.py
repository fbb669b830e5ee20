"""Who said what: speech cues, their speakers and the words reported.

For every cue (قال، أكد، said …) the speaker is looked for after the cue (وقال الجنرال
بيراك), then before it (… ديفد شينكر، قال), then — for cues that continue a report (وأضاف،
فقال، مشيرا) — taken from the previous statement.  The content starts at a complementizer
(أن/إن/that), a quotation mark or a colon and runs to the closing quote or the end of the
sentence, across a paragraph break when the sentence was cut there.  Also read:
"…، وفقا للخزرجي" (according to), interview answers (●●), and headlines "X: …".
Unnamed sources (مصدر أمني عراقي) become anonymous-source entities of the article.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc

from . import lexicon as lx
from .config import Mappings
from .dates import DateMention
from .entities import COMMAS, MentionInfo
from .gender import Gender, fits, pronoun_gender
from .normalize import fold
from .records import Entity, EntityType, Mention, Span, Statement

OPEN_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“", "''": "''"}
CLOSE_QUOTES = {'"', "»", "”", "“", "''"}
SYMMETRIC_QUOTES = {'"', "''"}  # the same mark opens and closes: ''…'' is how some English copy quotes
TERMINAL = {".", "!", "?", "؟"}
CONJUNCTIONS = {"و", "ف"}
MAX_SPEAKER_GAP = 16
MAX_SUBJECT_GAP = 32  # a subject with its apposition can stand far before the verb


@dataclass
class Found:
    speaker: str
    cue_start: int  # char offsets
    cue_end: int
    content_start: int
    content_end: int
    quote: bool
    rule: str
    token_range: tuple[int, int]  # content tokens, for about and dates
    date: str | None = None
    parts: tuple[tuple[int, int], ...] = ()  # token ranges when the report interrupts the content
    voiced_by: str | None = None  # the unnamed spokesperson an organisation spoke through


@dataclass
class StatementResult:
    statements: tuple[Statement, ...]
    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]


@dataclass
class Reader:
    doc: Doc
    mappings: Mappings
    article_id: str
    dates: list[DateMention]
    found: list[Found] = field(default_factory=list)
    anon: dict[str, Entity] = field(default_factory=dict)
    anon_mentions: list[Mention] = field(default_factory=list)
    anon_by_head: dict[str, str] = field(default_factory=dict)
    anon_at: dict[int, str] = field(default_factory=dict)  # token where a source is described → key
    last_speaker: str | None = None
    covered: set[int] = field(default_factory=set)  # content tokens already attributed

    _answers: list[tuple[int, int, int]] = field(default_factory=list)
    body_start: int = 0  # first token of the body; a headline's clause ends before it

    def __post_init__(self) -> None:
        self.by_token: dict[int, MentionInfo] = self.doc._.kg_token_mention
        self.mentions: list[MentionInfo] = self.doc._.kg_mentions
        self.tokens = lx.tokens_of(self.doc)
        self.cat = self.tokens.cat
        self.text = self.tokens.text
        self.lang = self.doc.lang_
        lang = self.lang if self.lang in ("ar", "en") else "en"
        self.grammar = {key: words[lang] for key, words in self.mappings.grammar.items()}
        # English copy may quote with single marks (‘…’); in Arabic ’ is only ever an apostrophe
        self.open_quotes = {**OPEN_QUOTES, "‘": "’"} if self.lang == "en" else OPEN_QUOTES
        self.close_quotes = CLOSE_QUOTES | {"’"} if self.lang == "en" else CLOSE_QUOTES

    # ---- small tests ---------------------------------------------------------------------
    def is_comp(self, i: int) -> bool:
        if self.cat(i, lx.COMP):
            return True
        return self.lang == "ar" and lx.is_complementizer_form(self.tokens.norms[i])

    def boundary(self, i: int) -> bool:
        return i in self.tokens.boundary

    # ---- speakers ------------------------------------------------------------------------
    def speaker_after(self, j: int, limit: int) -> tuple[str, int] | None:
        """The speaker right after a cue, and the token where its phrase ends; a bare title
        ("وذكّر الجنرال …", "وقال الوزير …") stands for the person last named with it."""
        found = self._named_after(j, limit)
        if found is not None or j >= limit:
            return found
        title = self.cat(j, lx.TITLE) or self.cat(j, lx.ROLE)
        if title is None or not self.tokens.norms[j].startswith("ال") or self.by_token.get(title.end):
            return None
        key = self.titled_person(j, title)
        return (key, title.end) if key is not None else None

    def titled_person(self, k: int, title: lx.LexMatch) -> str | None:
        tokens = self.tokens
        if self.lang == "en" and title.category == lx.ROLE:
            return self.person_with_role(k, title.payload)
        words = tokens.norms[title.start:title.end]
        for mention in reversed(self.mentions):
            if mention.start >= k or mention.type is not EntityType.PERSON:
                continue
            back = mention.start - 1
            while back >= 0 and tokens.texts[back] in COMMAS:
                back -= 1
            for start in range(max(0, back - 6), back + 1):
                match = self.cat(start, lx.TITLE) or self.cat(start, lx.ROLE)
                if match is not None and tokens.norms[match.start:match.end] == words:
                    return mention.key
        return None

    def person_with_role(self, k: int, concept: str) -> str | None:
        """"the senator" after "Sen. Marco Rubio", "the secretary" after "Secretary of State
        John Kerry": the person last named before token k with a role of the same concept."""
        tokens = self.tokens
        for mention in reversed(self.mentions):
            if mention.start >= k or mention.type is not EntityType.PERSON:
                continue
            for start in range(max(0, mention.start - 6), mention.start):
                if any(m.category == lx.ROLE and m.payload == concept and m.end <= mention.start and
                       all(tokens.texts[t][:1].isupper() or tokens.norms[t] in ("of", "for", "the", "and")
                           for t in range(m.end, mention.start))
                       for m in tokens.lex_at.get(start, ())):
                    return mention.key
        return None

    def _named_after(self, j: int, limit: int) -> tuple[str, int] | None:
        tokens = self.tokens
        k = j
        while k < limit and (self.cat(k, lx.RELDAY) or self.cat(k, lx.WEEKDAY)
                             or tokens.norms[k] in ("امس",)):
            match = self.cat(k, lx.RELDAY) or self.cat(k, lx.WEEKDAY)
            k = match.end if match else k + 1
        in_role = False
        start = k
        if k < limit and k not in self.by_token and \
                (self.cat(k, lx.ORG_HEAD) or tokens.norms[k].startswith(("كتلت", "كتل"))) and \
                (mention := self.by_token.get(k + 1)) is not None and mention.type is EntityType.ORGANISATION:
            k += 1  # "كتلتا دولة القانون"، "حزب …": the head word before a known organisation
            start = k
        while k < min(limit, start + MAX_SPEAKER_GAP):
            text = tokens.texts[k]
            if in_role and text in self.open_quotes and k + 3 < limit and \
                    tokens.texts[k + 2] in self.close_quotes:
                k += 3  # "رئيس كتلة تحالف القوى العراقية "السنية" …": a quoted word in the title
                continue
            if self.is_comp(k) or text in self.open_quotes or text == ":" or self.cat(k, lx.CUE):
                return None
            if tokens.norms[k] in ("ل", "to") and k > start and not in_role:
                return None  # "قال لـ"الوطن"": the newspaper is spoken to, not speaking
            mention = self.by_token.get(k)
            if mention is not None and mention.start == k:
                if mention.type is EntityType.PERSON:
                    return mention.key, self.phrase_end(mention.end, limit)
                if mention.type is EntityType.ORGANISATION and not in_role and k == start:
                    return mention.key, self.phrase_end(mention.end, limit)
                k = mention.end
                continue
            anon = self.anonymous(k, limit)
            if anon is not None and not in_role and k == start:
                return anon
            if self.cat(k, lx.ROLE) or self.cat(k, lx.TITLE):
                in_role = True
                match = self.cat(k, lx.ROLE) or self.cat(k, lx.TITLE)
                k = match.end if match else k + 1
                continue
            if not in_role:
                return None
            k += 1
        return None

    def phrase_end(self, j: int, limit: int) -> int:
        """Skip an apposition after the speaker's name: "، نائب مدير …،"."""
        tokens = self.tokens
        if j < limit and tokens.texts[j] in COMMAS and j + 1 < limit and self.cat(j + 1, lx.ROLE):
            k = j + 1
            while k < limit and tokens.texts[k] not in COMMAS and not self.is_comp(k) and \
                    tokens.texts[k] not in self.open_quotes and not self.cat(k, lx.CUE):
                k += 1
            return k
        return j

    def speaker_before(self, i: int, sent_start: int) -> tuple[str, int] | None:
        """The subject before a cue: a person of the clause (an organisation named in the
        person's apposition is not the speaker), else the nearest organisation or source.
        Returns the speaker and the token where its phrase starts."""
        tokens = self.tokens
        k = i - 1
        while k >= sent_start and tokens.norms[k] in ("فيها", "فيه", "عنها"):
            k -= 1
        if k >= sent_start and tokens.norms[k] in ("الذي", "التي", "الذين", "who"):
            # "… للجنرال جيمس آموس التي قال فيها": the speaker is named just before the relative
            for back in range(k - 1, max(sent_start, k - 6) - 1, -1):
                mention = self.by_token.get(back)
                if mention is not None and mention.type in (EntityType.PERSON, EntityType.ORGANISATION):
                    return mention.key, mention.start
            return None
        subject: tuple[str, int] | None = None
        anon: tuple[str, int] | None = None
        modifier: tuple[str, int] | None = None  # "Sanders' campaign said": the name qualifying it
        while k >= max(sent_start, i - MAX_SUBJECT_GAP):
            if self.cat(k, lx.ACCORDING) or (k > 0 and self.cat(k - 1, lx.ACCORDING)):
                # "رئيس الأركان الأمريكي وفقا للمسؤول العراقي أكد": step over the aside
                k = (k if self.cat(k, lx.ACCORDING) else k - 1) - 1
                anon = None  # a source named in the aside is where the report comes from
                continue
            if self.cat(k, lx.CUE) or self.is_comp(k) or tokens.texts[k] in self.close_quotes:
                break
            mention = self.by_token.get(k)
            if mention is not None and mention.start == k and \
                    mention.type in (EntityType.PERSON, EntityType.ORGANISATION) and not self.embedded(k):
                subject = (mention.key, mention.start)  # keep going: the leftmost is the subject
            elif mention is not None and mention.start == k and self.lang == "en" and \
                    mention.type in (EntityType.PERSON, EntityType.ORGANISATION) and \
                    self.english_modifier(mention):
                modifier = (mention.key, mention.start)
            elif subject is None and anon is None:
                anon = self.anon_at_end(k)
            k -= 1
        if subject is None and anon is None:
            # "رئيس الأركان الأمريكي وفقا للمسؤول العراقي أكد …": a role as subject is the
            # person last named with it
            first = k + 1
            while first < i and (first in tokens.function or tokens.texts[first] in COMMAS):
                first += 1
            role = self.cat(first, lx.ROLE) or self.cat(first, lx.TITLE) if first < i else None
            if role is not None:
                key = self.titled_person(first, role)
                if key is not None:
                    return key, first
        if subject is None and anon is None and modifier is not None:
            # the phrase it qualifies when it reads as one, else the name itself
            return self.described_subject(i, sent_start) or modifier
        return subject or anon

    def pronoun_subject(self, i: int, sent_start: int) -> tuple[str, int] | None:
        """"he said", "she has told": the person a subject pronoun stands for (the speaker of
        the sentences just before, else their subject); "they said": the organisation or
        unnamed source named last.  Returns the speaker and the pronoun's token."""
        tokens = self.tokens
        k = i - 1
        while k >= sent_start and tokens.norms[k] in self.grammar["cue_adverbs"]:
            k -= 1
        if k < sent_start:
            return None
        norm = tokens.norms[k]
        if norm in self.grammar["person_pronouns"]:
            # English "she" skips persons known to be male, "he" those known to be female;
            # when none fits, the nearest person as before
            gender = pronoun_gender(norm, self.grammar) if self.lang == "en" else None
            key = self.antecedent(sent_start, person=True, gender=gender)
            if key is None and gender is not None:
                key = self.antecedent(sent_start, person=True)
        elif norm in self.grammar["group_pronouns"]:
            key = self.antecedent(sent_start, person=False)
        else:
            return None
        return (key, k) if key is not None else None

    def antecedent(self, sent_start: int, person: bool, sentences: int = 3,
                   gender: Gender | None = None) -> str | None:
        """Looking back sentence by sentence from the one opening at ``sent_start``: a speaker
        reported there, else the first person (or organisation or unnamed source) named; with
        a ``gender``, only persons whose gender fits it or is unknown."""
        tokens = self.tokens
        end = sent_start
        for _ in range(sentences):
            p = end - 1
            while p >= self.body_start and (self.boundary(p) or tokens.space[p]):
                p -= 1
            if p < self.body_start:
                return None
            start, _ = tokens.sentence(p)
            lo, hi = tokens.starts[start], tokens.starts[p] + len(tokens.texts[p])
            for found in reversed(self.found):
                if lo <= found.cue_start < hi and self.person_like(found.speaker) == person and \
                        fits(self.doc, self.mappings, found.speaker, gender):
                    return found.speaker
            for mention in self.mentions:
                if start <= mention.start <= p and mention.start == self.by_token[mention.start].start and \
                        (mention.type is EntityType.PERSON) == person and \
                        mention.type in (EntityType.PERSON, EntityType.ORGANISATION) and \
                        fits(self.doc, self.mappings, mention.key, gender):
                    return mention.key
            if not person:
                sources = [key for pos, key in sorted(self.anon_at.items()) if start <= pos <= p]
                if sources:
                    return sources[0]
            end = start
        return None

    def person_like(self, key: str) -> bool:
        return self.by_key_type(key) is EntityType.PERSON

    def embedded(self, k: int) -> bool:
        """An organisation inside a role phrase or genitive (قائد القيادة المركزية، للجيش)
        is what the speaker leads, not the speaker."""
        tokens = self.tokens
        mention = self.by_token[k]
        if self.lang == "en" and self.english_modifier(mention):
            return True
        if mention.type is EntityType.PERSON:
            return False
        if tokens.clitics[k] in ("ل", "ب") or \
                (k > 0 and tokens.norms[k - 1] in ("ل", "ب", "of", "for", "باسم")):
            return True
        back = k - 1
        while back >= 0 and (self.cat(back, lx.DEMONYM) or tokens.norms[back] in ("the",)):
            back -= 1
        return back >= 0 and (self.cat(back, lx.ROLE) is not None or self._in_role_end(back))

    def english_modifier(self, mention: MentionInfo) -> bool:
        """A name that only qualifies the subject: "Trump's campaign said", "Pentagon officials
        said", "Clinton aides said" — or names a party by its members ("Republicans said"): the
        subject is then the phrase as written, an unnamed source, not the one named."""
        tokens = self.tokens
        nxt = mention.end
        if nxt < len(tokens) and tokens.texts[nxt] in ("'s", "’s", "'", "’"):
            return True
        if nxt < len(tokens) and tokens.alpha[nxt] and tokens.texts[nxt][:1].islower() and \
                tokens.norms[nxt] not in self.grammar["cue_adverbs"] and not self.cat(nxt, lx.CUE) and \
                nxt not in tokens.function:
            return True
        if mention.type is EntityType.ORGANISATION and mention.end - mention.start == 1 and \
                mention.key.startswith("gaz:"):
            written = tokens.texts[mention.start]
            entry = self.mappings.gazetteer_by_id.get(mention.key[4:])
            label = entry.labels.get("en", "") if entry is not None else ""
            return written[:1].isupper() and written[1:].islower() and written.endswith("s") and \
                not written.endswith(("ss", "us")) and written != label  # "Republicans", not "Reuters"
        return False

    def _in_role_end(self, k: int) -> bool:
        return any(m.category == lx.ROLE and m.end == k + 1 for m in self.tokens.matches if m.start <= k)

    @cached_property
    def anon_heads(self) -> set[int]:
        """Tokens of an unnamed source's head word, bare or definite (مصدر، المصدر)."""
        definite = {"ال" + head for head in self.grammar["anonymous_source_heads"]}
        heads = {i for i, norm in enumerate(self.tokens.norms) if norm in definite}
        heads.update(match.start for match in self.tokens.matches if match.category == lx.ANON_HEAD)
        return heads

    def anon_at_end(self, k: int) -> tuple[str, int] | None:
        for start in range(max(0, k - 5), k + 1):
            if start in self.anon_heads:
                result = self.anonymous(start, k + 1, register=False)
                if result is not None and result[1] == k + 1:
                    chosen = self.anonymous(start, k + 1)
                    if chosen is not None:
                        return chosen[0], start
        return None

    def lex_anon(self, norm: str) -> bool:
        return norm in self.grammar["anonymous_source_heads"]

    def anonymous(self, k: int, limit: int, register: bool = True) -> tuple[str, int] | None:
        """An unnamed source: "مصدر أمني عراقي", "مسؤول عراقي رفيع المستوى", or "المصدر" again."""
        tokens = self.tokens
        norm = tokens.norms[k]
        definite = self.lang == "ar" and norm.startswith("ال") and self.lex_anon(norm[2:])
        if not self.cat(k, lx.ANON_HEAD) and not definite:
            if self.lang == "en" and \
                    norm in ("a", "an", "the", "one", "two", "several", "senior") and k + 1 < limit:
                for m in range(k + 1, min(limit, k + 4)):
                    if self.cat(m, lx.ANON_HEAD):
                        return self._anon_phrase(k, m, limit, False, register)
            return None
        return self._anon_phrase(k, k, limit, definite, register)

    def _anon_phrase(self, start: int, head: int, limit: int, definite: bool,
                     register: bool) -> tuple[str, int] | None:
        tokens = self.tokens
        end = head + 1
        while end < min(limit, head + 7):
            if not tokens.alpha[end] or tokens.norms[end] in self.grammar["anonymous_source_stops"] or \
                    self.is_comp(end) or self.cat(end, lx.CUE) \
                    or self.cat(end, lx.RELDAY) or self.cat(end, lx.WEEKDAY) or tokens.clitics[end] in ("ل",):
                break
            mention = self.by_token.get(end)
            if mention is not None and mention.type is EntityType.PERSON:
                return None  # "مسؤول … فلان" names the official
            end = mention.end if mention is not None else end + 1
        head_norm = tokens.norms[head].removeprefix("ال") if definite else tokens.norms[head]
        if not register:
            return "", end
        if self.lang == "en":
            start = self.english_source_start(start)
        if definite:
            # "المصدر", "الضابط": the source described last before here, one of the same kind first
            earlier = sorted((pos, key) for pos, key in self.anon_at.items() if pos < start)
            same = [key for pos, key in earlier if tokens.norms[pos] == head_norm]
            key = same[-1] if same else (earlier[-1][1] if earlier else None)
            if key is None:
                return None
            self.note_anon_mention(key, start, end)
            return key, end
        label = tokens.span_text(start, end)
        known = self.anon_at.get(start)
        if known is not None:
            return known, end
        key = f"anon:{self.article_id}:{len(self.anon) + 1}"
        affiliation = None
        for i in (*range(head + 1, end), *range(start, head)):
            mention = self.by_token.get(i)
            if mention is not None and mention.type is EntityType.ORGANISATION:
                affiliation = mention.key
                break
        self.anon[key] = Entity(key, EntityType.ANONYMOUS, ((self.lang, label),), affiliation=affiliation)
        self.anon_at[start] = key
        self.anon_by_head[head_norm] = key
        self.note_anon_mention(key, start, end)
        return key, end

    def english_source_start(self, start: int) -> int:
        """"Pentagon officials", "Obama administration officials", "a State Department
        spokesman": the names and capitalised words that qualify an unnamed source belong to it."""
        tokens = self.tokens
        while start > 0:
            prev = tokens.texts[start - 1]
            mention = self.by_token.get(start - 1)
            if mention is not None and mention.type is not EntityType.ANONYMOUS:
                if mention.start > 0 and tokens.norms[mention.start - 1] in ("a", "an", "the"):
                    return mention.start - 1
                return mention.start
            if (tokens.alpha[start - 1] or prev.replace(".", "").isalpha()) and prev[:1].isupper() and \
                    start - 1 not in tokens.function and \
                    not self.cat(start - 1, lx.CUE):
                start -= 1
                continue
            return start
        return start

    def described_subject(self, i: int, sent_start: int) -> tuple[str, int] | None:
        """"…, the congressional report said", "Some delegates at the convention said …": a
        noun phrase opened by a determiner right before the verb is an unnamed source."""
        tokens = self.tokens
        k = i - 1
        while k >= sent_start and tokens.norms[k] in self.grammar["cue_adverbs"]:
            k -= 1
        start = k
        while start > sent_start and k - start < 8 and tokens.texts[start - 1] not in COMMAS and \
                tokens.texts[start - 1] not in self.close_quotes and \
                tokens.texts[start - 1] not in self.open_quotes:
            start -= 1
        while start < k and tokens.norms[start] in self.grammar["clause_openers"]:
            start += 1  # "But the company said": the phrase opens after the conjunction
        opens = tokens.norms[start] in self.grammar["source_determiners"] or \
            tokens.texts[start][:1].isupper() or \
            (start == k and tokens.norms[k].endswith("s"))  # "People briefed on it said", "…, analysts said"
        if not opens or k in tokens.function or start > k or \
                any(self.cat(t, lx.CUE) or self.is_comp(t) or
                    not (tokens.alpha[t] or tokens.texts[t] in ("'s", "’s", "'", "’", "-"))
                    for t in range(start, k + 1)):
            return None
        found = self.described_source(start, k + 1)
        return (found[0], start) if found is not None else None

    def described_source(self, start: int, sent_end: int) -> tuple[str, int] | None:
        """"according to exit polls", "according to a count by The Associated Press": the
        words up to the next comma name an unnamed source of the article."""
        tokens = self.tokens
        end = start
        while end < min(sent_end, start + 14) and tokens.texts[end] not in COMMAS and \
                tokens.texts[end] not in self.open_quotes and not self.is_comp(end) and \
                not self.cat(end, lx.CUE):
            end += 1
        if end >= start + 14 or not any(tokens.alpha[t] and t not in tokens.function
                                         for t in range(start, end)):
            return None
        known = self.anon_at.get(start)
        if known is not None:
            return known, end
        key = f"anon:{self.article_id}:{len(self.anon) + 1}"
        affiliation = next((m.key for t in range(start, end) if (m := self.by_token.get(t)) is not None
                            and m.type is EntityType.ORGANISATION), None)
        self.anon[key] = Entity(key, EntityType.ANONYMOUS, ((self.lang, tokens.span_text(start, end)),),
                                affiliation=affiliation)
        self.anon_at[start] = key
        self.note_anon_mention(key, start, end)
        return key, end

    def note_anon_mention(self, key: str, start: int, end: int) -> None:
        tokens = self.tokens
        span = Span(tokens.starts[start], tokens.ends[end - 1], tokens.span_text(start, end))
        self.anon_mentions.append(Mention(key, span, "anonymous-source"))

    # ---- content -------------------------------------------------------------------------
    def content_from(self, j: int, sent_end: int, allow_bare: bool) -> tuple[int, int, bool] | None:
        """Content tokens [start, end) and whether they are quoted, looking from token j."""
        tokens = self.tokens
        k = j
        limit = min(len(tokens), j + 40)
        words = 0  # content-like words passed before a complementizer or quote
        prep_at: int | None = None
        plain_words = 0  # words other than names, function and time words
        while k < limit:
            text, norm = tokens.texts[k], tokens.norms[k]
            if norm in ("ل", "to") and k + 1 < limit:
                k = self.skip_addressee(k + 1, limit)
                continue
            if text in self.open_quotes and (text not in SYMMETRIC_QUOTES or self.opens_quote(k)):
                quoted = self.quoted(k)
                if quoted is not None and quoted[1] - quoted[0] <= 2 and self.clause_goes_on(quoted[1] + 1):
                    k = quoted[1] + 1  # "في حوار مع «عكاظ» أن …": a quoted name, not the words said
                    continue
                if words > 3 and allow_bare and quoted is not None and self.clause_goes_on(quoted[1] + 1):
                    return self.clause(j)
                if self.lang == "en" and words and allow_bare and quoted is not None:
                    return self.clause(j)  # 'said the industry had ''made great strides'' in …'
  # "استعداد بلاده «للقيام بالمزيد» في …": a quote inside the clause
                return quoted
            if self.is_comp(k):
                if self.lang == "en" and words >= 4 and allow_bare:
                    return self.clause(j)  # "says a president must be ready … a job that will …"
                if words and self.object_before(j, k) and allow_bare:
                    return self.clause(j)  # "وصف … القوات الكردية بأنها نموذج": the object is content
                if k + 1 < len(tokens) and tokens.texts[k + 1] in self.open_quotes:
                    return self.quoted(k + 1)
                return self.clause(k + 1)
            mention = self.by_token.get(k)
            if mention is not None and mention.start == k:
                words += 1
                k = mention.end
                continue
            if tokens.alpha[k] and k not in tokens.function:
                words += 1
            if text == ":":
                if k + 1 < len(tokens) and tokens.texts[k + 1] in self.open_quotes:
                    return self.quoted(k + 1)
                start = k + 1
                while start < len(tokens) and self.is_comp(start):
                    start += 1
                if start < len(tokens) and tokens.texts[start] in self.open_quotes:
                    return self.quoted(start)  # ‹قال: إن "…"›
                return self.clause(start)
            if self.boundary(k) or self.cat(k, lx.CUE):
                break
            preps = self.grammar["content_prepositions"]
            if self.lang == "ar" and k == j and (norm in preps or tokens.clitics[k] == "ب"):
                start = k + 1 if norm in preps else k
                if start < len(tokens) and self.is_comp(start):
                    start += 1
                return self.clause(start)
            if self.lang == "ar" and prep_at is None and plain_words == 0 and norm in ("عن", "الي"):
                prep_at = k  # "كشف … أمس الخميس عن مقتل": the report opens after عن
            if tokens.alpha[k] and k not in tokens.function and not self.cat(k, lx.RELDAY) \
                    and not self.cat(k, lx.WEEKDAY) and norm not in ("عن", "الي"):
                plain_words += 1
            k += 1
        if allow_bare and j < sent_end:
            if prep_at is not None and not self.object_before(j, prep_at):
                return self.clause(prep_at + 1)
            return self.clause(j)
        return None

    def role_subject_before(self, i: int) -> bool:
        """"… قال إن رئيس الأركان الأمريكي طالب …", "… أن الجنرال ديمبسي أبلغ …": a role
        phrase or a named person right before the cue."""
        k = i - 1
        before = self.by_token.get(k)
        if before is not None and before.type is EntityType.PERSON:
            return True
        while k >= 0 and (self.cat(k, lx.DEMONYM) or self.tokens.norms[k].startswith("ال")) and i - k < 5:
            if self.cat(k, lx.ROLE) or self.cat(k, lx.TITLE):
                return True
            k -= 1
        return k >= 0 and bool(self.cat(k, lx.ROLE) or self.cat(k, lx.TITLE))

    def continues(self, sent_start: int, i: int) -> bool:
        """"كما أكد": only function words before the verb keep the same speaker; "من جانبه،
        أوضح" announces someone new, who must then be named."""
        if self.lang != "ar":
            return True  # English reports put the speaker after the words: "…, officials said"
        return all(k in self.tokens.function and self.tokens.texts[k] not in COMMAS
                   for k in range(sent_start, i))

    def feminine(self, i: int, match: lx.LexMatch) -> bool:
        """قالت، أكدت after the masculine lemma قال، أكد."""
        norm = self.tokens.norms[i]
        return self.lang == "ar" and norm.endswith("ت") and not fold(match.payload).endswith("ت")

    def by_key_type(self, key: str) -> EntityType | None:
        for mention in self.mentions:
            if mention.key == key:
                return mention.type
        return None

    def clause_goes_on(self, k: int) -> bool:
        """Whether words of the same clause follow a closing quote."""
        tokens = self.tokens
        if k >= len(tokens) or self.boundary(k) or tokens.texts[k] in COMMAS:
            return False
        return tokens.alpha[k] and not self.cat(k, lx.PARTICIPLE)

    def object_before(self, j: int, k: int) -> bool:
        """A named entity between the speaker and أن that no preposition governs."""
        tokens = self.tokens
        if self.lang == "en":
            return False  # "told reporters at the Pentagon that …": whom it was said to, not content
        for i in range(j, k):
            mention = self.by_token.get(i)
            if mention is None or mention.start != i:
                continue
            governed = tokens.clitics[i] in ("ل", "ب", "ك") or (i > j and tokens.norms[i - 1] in (
                "في", "من", "مع", "عن", "الي", "خلال", "ل", "ب", "بعد", "قبل", "امام", "لدي"))
            if not governed and mention.type is not EntityType.PERSON:
                return True
        return False

    def quote_before(self, k: int) -> tuple[int, int, bool] | None:
        """'"We will win," Carter said': the quotation that ends just before the speaker or cue."""
        tokens = self.tokens
        if self.lang == "en":
            # '"…," Mr. Trump said', '"…," NEA President Lily Eskelsen García said': the
            # title or role phrase opens the speaker's phrase
            back = k
            while back > 0 and k - back < 6 and (tokens.alpha[back - 1] or tokens.texts[back - 1] in (
                    "'s", "’s", ".", "-", "(", ")") or self.cat(back - 1, lx.TITLE) or
                    (tokens.texts[back - 1].endswith(".") and tokens.texts[back - 1][:1].isupper())) and \
                    not self.cat(back - 1, lx.CUE) and \
                    not self.is_comp(back - 1):
                back -= 1
            if 0 < back < k and (tokens.texts[back - 1] in self.close_quotes or
                                 tokens.texts[back - 1] in COMMAS):
                k = back
        j = k - 1
        while j >= 0 and tokens.texts[j] in COMMAS:
            j -= 1
        if j < 1 or tokens.texts[j] not in self.close_quotes:
            return None
        opener = j - 1
        while opener >= 0 and tokens.texts[opener] not in self.open_quotes and \
                "\n\n" not in tokens.texts[opener]:
            opener -= 1
        if opener < 0 or tokens.texts[opener] not in self.open_quotes or j - opener < 3:
            return None
        end = j
        while end > opener + 1 and tokens.texts[end - 1] in COMMAS:
            end -= 1
        return opener + 1, end, True

    def skip_addressee(self, k: int, limit: int) -> int:
        """Past "لـ"الوطن"" or "لوكالة فرانس برس": whom the words were said to."""
        tokens = self.tokens
        if tokens.texts[k] in self.open_quotes or tokens.texts[k] in ("(", "["):
            close = {"(": ")", "[": "]"}.get(tokens.texts[k], self.open_quotes.get(tokens.texts[k], '"'))
            j = k + 1
            while j < limit and tokens.texts[j] != close and \
                    not (close == '"' and tokens.texts[j] in self.close_quotes):
                j += 1
            return min(j + 1, limit)
        mention = self.by_token.get(k)
        if mention is not None:
            return mention.end
        return k + 1

    def opens_quote(self, k: int) -> bool:
        # an ASCII '"' (or '') opens a quote when the quotes before it in the paragraph are paired
        tokens = self.tokens
        mark = tokens.texts[k]
        count = 0
        i = k - 1
        while i >= 0 and "\n" not in tokens.texts[i]:
            if tokens.texts[i] == mark:
                count += 1
            i -= 1
        return count % 2 == 0

    def quoted(self, k: int) -> tuple[int, int, bool] | None:
        tokens = self.tokens
        n = len(tokens)
        close = self.open_quotes[tokens.texts[k]]
        i = k + 1
        paragraphs = 0
        while i < n:
            text = tokens.texts[i]
            if text == close or (close == '"' and text in CLOSE_QUOTES - {"''"}) or \
                    (close == "”" and text == '"' and self.lang == "en"):  # “…" in careless copy
                return (k + 1, i, True) if i > k + 1 else None
            if "\n\n" in text and i > k + 1 and tokens.texts[i - 1] not in TERMINAL | {"،", ","}:
                pass  # a quote may run on across a paragraph cut mid-sentence
            elif "\n" in text:
                if self.lang == "en" and paragraphs < 3 and i + 1 < n and \
                        tokens.texts[i + 1] == tokens.texts[k] and lx.is_terminal(tokens.texts[i - 1]):
                    # English leaves a quotation open at a paragraph's end and reopens it at the
                    # next one's start when the same person goes on speaking
                    paragraphs += 1
                    i += 2
                    continue
                return (k + 1, i, True) if i > k + 1 else None
            i += 1
        return (k + 1, i, True) if i > k + 1 else None

    def clause(self, start: int) -> tuple[int, int, bool] | None:
        """From ``start`` to the end of the sentence; a paragraph cut mid-sentence goes on."""
        tokens = self.tokens
        n = len(tokens)
        i = start
        limit = self.body_start if start < self.body_start else n
        english = self.lang == "en"
        subordinate = english and self.in_subordinate_clause(start)
        while i < limit:
            text = tokens.texts[i]
            if i in tokens.terminal:
                break
            if english and text in COMMAS and i + 1 < limit and i > start and \
                    (subordinate or tokens.norms[i + 1] == "but" or
                     (len(tokens.norms[i + 1]) > 4 and tokens.norms[i + 1].endswith("ing"))):
                break  # "…, echoing a memo", "…, but he urged": the reporter's words again
            if "\n" in text:
                before = tokens.texts[i - 1] if i > start else ""
                if lx.is_terminal(before) or before in self.close_quotes or i == start:
                    break
                if i + 1 < n and \
                        self.marks_interview(self.text[tokens.starts[i + 1]:tokens.starts[i + 1] + 8]):
                    break  # a cut sentence does not run on into the next question or answer
            nxt = i + 2 if i + 2 < n and tokens.norms[i + 1] in CONJUNCTIONS else i + 1
            if text in COMMAS and nxt < n and (self.cat(nxt, lx.PARTICIPLE) or
                                                          self.cat(nxt, lx.ACCORDING) or
                                                          self.cat(nxt, lx.CUE)):
                break  # "…، طالب تحالف القوى …": the next report begins
            i += 1
        end = i
        while end > start and (tokens.texts[end - 1] in COMMAS or tokens.space[end - 1]):
            end -= 1
        if end <= start:
            return None
        quoted = tokens.texts[start] in self.open_quotes and tokens.texts[end - 1] in self.close_quotes
        return start, end, quoted

    def in_subordinate_clause(self, k: int) -> bool:
        """"While Ramos said that …, he appears …": token k lies in a clause opened by a
        subordinating conjunction that no comma has closed yet."""
        tokens = self.tokens
        start, _ = tokens.sentence(k)
        while start < k and (tokens.space[start] or tokens.texts[start] in self.open_quotes):
            start += 1
        if start >= k or tokens.norms[start] not in self.grammar["subordinators"]:
            return False
        return not any(tokens.texts[t] in COMMAS for t in range(start, k))

    # ---- recording -----------------------------------------------------------------------
    def record(self, speaker: str, cue: tuple[int, int], content: tuple[int, int, bool], rule: str,
               nested: bool = False, parts: tuple[tuple[int, int], ...] = ()) -> None:
        tokens = self.tokens
        start, end, quote = content
        if parts:
            start, end = parts[0][0], parts[-1][1]
        if not nested and any(t in self.covered for t in range(start, end)):
            return
        if nested and any(f.token_range == (start, end) for f in self.found):
            return
        while start < end and (tokens.space[start] or tokens.texts[start] in COMMAS):
            start += 1
        if end - start < 2:
            return
        if parts:
            parts = ((start, parts[0][1]), *parts[1:])
        if self.lang == "en" and quote:
            parts = self.paragraph_pieces(parts or ((start, end),))
        self.covered.update(range(start, end))
        voiced_by = None
        source = self.anon.get(speaker)
        if self.lang == "en" and source is not None and source.affiliation is not None and \
                self.by_key_type(source.affiliation) is EntityType.ORGANISATION and \
                fold(source.labels[0][1].split()[-1]) in self.grammar["spokesperson_heads"]:
            speaker, voiced_by = source.affiliation, speaker
        date = None
        lo, hi = min(cue[0], start), max(cue[1], start)
        for mention in self.dates:
            if lo <= mention.start < hi:
                date = mention.value
                break
        self.found.append(Found(speaker, tokens.starts[cue[0]], tokens.ends[cue[1] - 1],
                                tokens.starts[start], tokens.ends[end - 1], quote, rule,
                                (start, end), date, parts, voiced_by))
        self.last_speaker = speaker

    def paragraph_pieces(self, parts: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        """A quotation that runs over paragraphs, cut into one piece per paragraph without the
        mark that reopens it; () when it stays in one paragraph and is one piece."""
        tokens = self.tokens
        pieces: list[tuple[int, int]] = []
        for start, end in parts:
            begin = start
            for i in range(start, end):
                if "\n" in tokens.texts[i]:
                    if i > begin:
                        pieces.append((begin, i))
                    begin = i + 1
                    while begin < end and tokens.texts[begin] in self.open_quotes:
                        begin += 1
            if end > begin:
                pieces.append((begin, end))
        return tuple(pieces) if len(pieces) > 1 else ()

    # ---- layouts -------------------------------------------------------------------------
    def register_sources(self) -> None:
        """Unnamed sources are known from where they are first described ("لما كشفه مسؤول
        عراقي رفيع المستوى"), so that "المسؤول العراقي" later refers back to them."""
        for match in self.tokens.matches:
            if match.category == lx.ANON_HEAD and match.start not in self.by_token:
                _, limit = self.tokens.sentence(match.start)
                self.anonymous(match.start, limit)

    def quoted_tokens(self) -> set[int]:
        """Tokens inside quotation marks: in English copy a speech verb there belongs to the
        words quoted ('"what Trump is saying is dangerous," said Mook'), not to the article."""
        tokens = self.tokens
        n = len(tokens)
        inside: set[int] = set()
        k = 0
        while k < n:
            text = tokens.texts[k]
            if text in self.open_quotes and (text not in SYMMETRIC_QUOTES or self.opens_quote(k)):
                span = self.quoted(k)
                if span is not None:
                    inside.update(range(span[0], span[1]))
                    k = span[1] + 1
                    continue
            k += 1
        return inside

    def read_cues(self) -> None:
        tokens = self.tokens
        self.register_sources()
        cues = [m for m in tokens.matches if m.category in (lx.CUE, lx.PARTICIPLE, lx.ACCORDING)]
        interview = self.interview_speaker()
        in_quotes = self.quoted_tokens() if self.lang == "en" else set()
        for match in cues:
            i = match.start
            if i in in_quotes:
                continue
            nested = i in self.covered and match.category != lx.ACCORDING
            if nested and not (match.category == lx.CUE and self.role_subject_before(i)):
                continue  # a cue inside reported words is part of them, unless its subject is named
            if i in self.by_token:
                continue
            sent_start, sent_end = tokens.sentence(i)
            if interview and self.in_answer(i):
                continue
            if match.category == lx.ACCORDING:
                self.according(match, sent_start, sent_end)
                continue
            clitic = tokens.clitics[i]
            parts: tuple[tuple[int, int], ...] = ()
            initial = i == sent_start or (i - 1 >= sent_start and tokens.norms[i - 1] in CONJUNCTIONS and
                                          i - 1 == sent_start)
            if self.lang == "en" and i > 0 and tokens.texts[i - 1] in ("'s", "’s", "’", "'") and \
                    tokens.norms[i] in self.grammar["nominal_cues"]:
                continue  # "Trump's claims that …": a noun, read by read_nominal_reports
            if i > 0 and tokens.norms[i - 1] in self.grammar["cue_blockers"]:
                continue  # "رفض ذكر اسمه", "طلب عدم الكشف": declining to speak is no report
            if match.category == lx.CUE and tokens.norms[i] in self.grammar["impersonal_cues"] and \
                    i + 1 < len(tokens) and \
                    self.is_comp(i + 1) and not clitic:
                continue
            subject = self.by_token.get(i - 1) if i > sent_start else None
            found: tuple[str, int] | None
            if match.category == lx.CUE and subject is not None and subject.end == i and \
                    subject.type in (EntityType.PERSON, EntityType.ORGANISATION) and not clitic and \
                    not (self.lang == "en" and self.english_modifier(subject)):
                # "الجنرال ديمبسي أبلغ العبادي أن …": the name just before the verb is its
                # subject; the one after is whom he told ('"…," Carter said' too)
                found = (subject.key, match.end)
                content = self.quote_before(subject.start)
                if content is None and self.lang == "en":
                    content, parts = self.reported_around(subject.start, match.end, sent_start, sent_end)
            else:
                # "Ramos told AFP": after tell-verbs comes whom it was said to, not who said it
                addressed = tokens.norms[i] in self.grammar["addressee_cues"]
                speaks = match.category == lx.CUE and not addressed
                found = self.speaker_after(match.end, sent_end) if speaks else None
                content = None
            speaker: str | None
            attribution_end = match.end
            if found is not None:
                speaker, after = found
                attribution_end = max(after, match.end)
                if content is None and self.lang == "en":
                    content = self.quote_before(i)  # '"…," said Senator Tim Scott, Republican of …'
                    if content is None:  # "…, said Hank Sheinkopf."
                        content, parts = self.reported_around(i, after, sent_start, sent_end)
                if content is None:
                    content = self.content_from(after, sent_end, allow_bare=True)
            else:
                # "he said", "they told": a pronoun right before the verb is its subject
                before = self.pronoun_subject(i, sent_start) if match.category == lx.CUE else None
                if before is None and match.category == lx.CUE:
                    before = self.speaker_before(i, sent_start)
                if before is None and match.category == lx.CUE and self.lang == "en":
                    before = self.described_subject(i, sent_start)  # "the congressional report said"
                if before is not None and clitic in ("و", "ف"):
                    # "أشاد العميد … بالتحالف، وقال": a conjoined verb shares its sentence's
                    # subject, which must be a person named in that sentence
                    mention = self.by_token.get(before[1])
                    if mention is None or mention.type is not EntityType.PERSON:
                        before = None
                speaker = before[0] if before else None
                if speaker is None and (clitic in ("و", "ف") or match.category == lx.PARTICIPLE
                                        or (not initial and self.continues(sent_start, i))):
                    speaker = self.last_speaker
                    if speaker is not None and self.feminine(i, match) \
                            and self.by_key_type(speaker) is EntityType.PERSON:
                        speaker = None  # "وقالت" after a man spoke: someone else is speaking
                content = self.quote_before(before[1] if before else i)
                if content is not None and self.lang == "en" and \
                        any(t in self.covered for t in range(content[0], content[1])):
                    content = None  # 'X, citing ''…,'' said …': the quotation was another report
                if content is not None and self.lang == "en" and self.words_follow(match.end, sent_end):
                    content = None  # '… chants of "Marco!," the senator said his campaign …'
                if content is None and self.lang == "en":  # "…, he said."
                    content, parts = self.reported_around(before[1] if before else i, match.end,
                                                          sent_start, sent_end)
                if content is None:
                    content = self.content_from(match.end, sent_end, allow_bare=before is not None or
                                                clitic in ("و", "ف") or match.category == lx.PARTICIPLE)
            if found is not None and content is None:
                content = self.quote_before(i)
            if speaker is None or content is None:
                continue
            if self.lang == "en" and content[2] and content[1] < i:
                content = self.quote_in_clause(content)
                resumed = self.resumed_clause(attribution_end, sent_end) or \
                    self.resumed_quote(attribution_end)
                if resumed is not None:
                    parts = ((content[0], content[1]), resumed)
            self.record(speaker, (i, match.end), content, f"{self.lang}-{match.category.lower()}", nested,
                        parts)

    def read_nominal_reports(self) -> None:
        """"Trump's assertion that the election was rigged": a report named by a noun, its
        speaker the possessor before it."""
        tokens = self.tokens
        nouns = self.grammar["nominal_cues"]
        for i in range(2, len(tokens) - 2):
            if tokens.norms[i] not in nouns or tokens.texts[i - 1] not in ("'s", "’s", "’", "'") or \
                    not self.is_comp(i + 1):
                continue
            possessor = self.by_token.get(i - 2)
            speaker: str | None = None
            if possessor is not None and possessor.end == i - 1 and \
                    possessor.type in (EntityType.PERSON, EntityType.ORGANISATION):
                speaker = possessor.key
            elif (role := self.cat(i - 2, lx.ROLE)) is not None and role.end == i - 1:
                speaker = self.person_with_role(i - 2, role.payload)  # "the senator's claim that"
            content = self.clause(i + 2) if speaker is not None else None
            if speaker is not None and content is not None:
                self.record(speaker, (i, i + 1), content, "en-nominal")

    def tail_only(self, k: int, sent_end: int) -> bool:
        """Whether the sentence ends after token k with no reported words of its own: nothing,
        a time or place ("on Friday", "in an interview") or an apposition (", a Republican")."""
        tokens = self.tokens
        if k >= sent_end:
            return True
        if not (tokens.texts[k] in COMMAS or tokens.norms[k] in self.grammar["report_tail_openers"]):
            return False
        return not any(self.is_comp(m) or tokens.texts[m] in self.open_quotes or tokens.texts[m] == ":"
                       for m in range(k, sent_end))

    def words_follow(self, k: int, sent_end: int) -> bool:
        """Whether reported words of their own follow the verb at token k ("said his campaign
        was …"), rather than a time, a place, an addressee or nothing."""
        tokens = self.tokens
        if k >= sent_end or sent_end - k < 4 or tokens.norms[k - 1] in self.grammar["addressee_cues"]:
            return False
        first = tokens.norms[k]
        return tokens.alpha[k] and tokens.texts[k][:1].islower() and \
            first not in self.grammar["report_tail_openers"] and not first.endswith("ly") and \
            self.resumed_clause(k, sent_end) is None

    def reported_around(self, k: int, after: int, sent_start: int, sent_end: int
                        ) -> tuple[tuple[int, int, bool] | None, tuple[tuple[int, int], ...]]:
        """"A, Carter said." and "A, strategists said, B.": the words before the comma that
        precedes the speaker or verb at token k, and those resumed after the attribution that
        ends at token ``after``; (None, ()) when the sentence reports nothing around it."""
        resumed = self.resumed_clause(after, sent_end)
        if resumed is None:
            if not self.tail_only(after, sent_end):
                return None, ()
            return self.clause_before(k, sent_start), ()
        content = self.clause_before(k, sent_start, min_tokens=2)
        if content is None:
            return None, ()
        return content, ((content[0], content[1]), resumed)

    def resumed_clause(self, k: int, sent_end: int) -> tuple[int, int] | None:
        """After an attribution that interrupts the words ("…, he said, would …" or '"A," he
        said, "B."'): past a time or place ("on Friday"), a comma and the rest of the words."""
        tokens = self.tokens
        m = k
        while m < sent_end and tokens.texts[m] not in COMMAS:
            if m - k >= 8 or self.is_comp(m) or tokens.texts[m] in self.open_quotes or \
                    tokens.texts[m] == ":" or \
                    self.cat(m, lx.CUE) or self.cat(m, lx.PARTICIPLE):
                return None
            m += 1
        start = m + 1
        if m >= sent_end or start >= sent_end:
            return None
        first, first_norm = tokens.texts[start], tokens.norms[start]
        if first in self.open_quotes and (first not in SYMMETRIC_QUOTES or self.opens_quote(start)):
            span = self.quoted(start)
            if span is None or span[1] - span[0] < 2:
                return None
            return span[0], span[1]
        if not tokens.alpha[start] or first_norm in self.grammar["apposition_openers"] or \
                tokens.like_num[start] or \
                (len(first_norm) > 4 and first_norm.endswith(("ing", "ly"))) or \
                any(self.cat(start, c) for c in (lx.ROLE, lx.TITLE, lx.PARTICIPLE, lx.ACCORDING, lx.CUE)):
            return None
        mention = self.by_token.get(start)
        if mention is not None and mention.type is EntityType.PERSON and \
                (mention.end >= sent_end or tokens.texts[mention.end] in COMMAS):
            return None  # "…, said the spokesman, John Kirby.": the speaker named again
        span = self.clause(start)
        if span is None or span[1] - span[0] < 2:
            return None
        return span[0], span[1]

    def resumed_quote(self, after: int) -> tuple[int, int] | None:
        """'"A," said Matt Baker, a former commissioner … who is now …. "B."': a quotation
        opened right after the sentence of the attribution, in the same paragraph, is the
        same report."""
        tokens = self.tokens
        k = after
        while True:
            if k >= len(tokens) or k - after > 80:
                return None
            text = tokens.texts[k]
            if text in self.open_quotes and (text not in SYMMETRIC_QUOTES or self.opens_quote(k)):
                if k > after and (lx.is_terminal(tokens.texts[k - 1]) or tokens.texts[k - 1].endswith(".")):
                    break
                return None  # a quotation inside the sentence: another's words or a title
            if "\n" in text or text == ":" or \
                    (lx.is_terminal(text) and
                     (k + 1 >= len(tokens) or tokens.texts[k + 1] not in self.open_quotes)):
                return None
            k += 1
        resumed = self.quoted(k)
        if resumed is None or any(t in self.covered for t in range(resumed[0], resumed[1])):
            return None
        close = resumed[1] + 1
        if tokens.texts[resumed[1] - 1] in COMMAS or \
                (close < len(tokens) and tokens.alpha[close] and tokens.texts[close][:1].islower()):
            return None  # '"B," he added': the resumed words have a report of their own
        return resumed[0], resumed[1]

    def clause_before(self, k: int, sent_start: int, min_tokens: int = 3) -> tuple[int, int, bool] | None:
        """"Any action would have consequences, Carter said": the words before the comma that
        precedes the speaker (or the verb) at token k."""
        tokens = self.tokens
        end = k
        if end - 1 < sent_start or tokens.texts[end - 1] not in COMMAS:
            return None
        end -= 1
        start = sent_start
        while start < end and (tokens.space[start] or tokens.texts[start] in self.open_quotes):
            start += 1
        if end - start < min_tokens or any(self.cat(m, lx.CUE) for m in range(start, end)):
            return None
        return start, end, False

    def quote_in_clause(self, content: tuple[int, int, bool]) -> tuple[int, int, bool]:
        """'the prime minister ''looked ashen,'' Mr. Arad said': a quotation that closes a
        clause of the reporter's words reports that whole clause."""
        tokens = self.tokens
        opener = content[0] - 1
        start, _ = tokens.sentence(opener)
        while start < opener and (tokens.space[start] or tokens.texts[start] in self.open_quotes):
            start += 1
        if start >= opener or not any(tokens.alpha[t] for t in range(start, opener)) or \
                any(self.cat(t, lx.CUE) or tokens.texts[t] in self.close_quotes
                    for t in range(start, opener)):
            return content
        return start, content[1], False

    def according(self, match: lx.LexMatch, sent_start: int, sent_end: int) -> None:
        """"…، وفقا للخزرجي" and "وبحسب المصدر، …"."""
        tokens = self.tokens
        found = self.speaker_after(match.end, sent_end)
        if found is None:
            mention = self.by_token.get(match.end)
            if mention is not None and mention.type is not EntityType.PLACE:
                found = (mention.key, mention.end)
            elif self.lang == "en":
                found = self.described_source(match.end, sent_end)  # "according to a court filing"
            if found is None:
                return
        speaker, after = found
        nxt = after + 1 if after < sent_end and tokens.texts[after] in COMMAS else after
        if nxt < sent_end and (self.cat(nxt, lx.CUE) or (nxt + 1 < sent_end and self.cat(nxt + 1, lx.CUE)
                                                          and tokens.norms[nxt] in CONJUNCTIONS)):
            return  # "X وفقا لـY أكد …": an aside naming where a report comes from, not a report
        if match.start - sent_start <= 2 and after < sent_end:
            content = self.clause(after + (1 if tokens.texts[after] in COMMAS else 0))
        else:
            start = sent_start
            while start < match.start and (tokens.space[start] or tokens.norms[start] in CONJUNCTIONS):
                start += 1
            end = match.start
            while end > start and tokens.texts[end - 1] in COMMAS:
                end -= 1
            content = (start, end, False) if end > start else None
        if content is not None:
            self.record(speaker, (match.start, match.end), content, f"{self.lang}-according-to")

    def interview_speaker(self) -> str | None:
        text = self.text
        question = self.mappings.interview_question
        if not self._answers or question is None or not question.search(text):
            return None
        for mention in self.mentions:
            if mention.type is EntityType.PERSON:
                return mention.key
        return None

    def marks_interview(self, text: str) -> bool:
        patterns = (self.mappings.interview_answer, self.mappings.interview_question)
        return any(p is not None and p.match(text) for p in patterns)

    def answers(self) -> list[tuple[int, int, int]]:
        """(marker start, answer start, answer end) token indices of the interview answers:
        paragraphs opening with ●● or ج: (the tokenizer may split the marker)."""
        tokens = self.tokens
        found = []
        offset = 0
        answer = self.mappings.interview_answer
        for paragraph in self.text.split("\n"):
            stripped = paragraph.lstrip()
            begin = offset + len(paragraph) - len(stripped)
            found_marker = answer.match(stripped) if answer is not None else None
            marker = found_marker.group(0) if found_marker else None
            if marker is not None and len(stripped) > len(marker) + 10:
                span = self.doc.char_span(begin, offset + len(paragraph.rstrip()), alignment_mode="expand")
                body = self.doc.char_span(begin + len(marker), offset + len(paragraph.rstrip()),
                                          alignment_mode="expand")
                if span is not None and body is not None:
                    start = body.start
                    while start < body.end and (tokens.space[start] or "●" in tokens.texts[start]):
                        start += 1
                    found.append((span.start, start, body.end))
            offset += len(paragraph) + 1
        return found

    def in_answer(self, i: int) -> bool:
        return any(start <= i < end for start, _, end in self._answers)

    def read_interview(self) -> None:
        self._answers = self.answers()
        speaker = self.interview_speaker()
        if speaker is None:
            self._answers = []
            return
        for marker, start, end in self._answers:
            if end - start > 3:
                self.record(speaker, (marker, start), (start, end, False), f"{self.lang}-interview")

    def read_headline(self, title_tokens: int) -> None:
        """"قائد بالتحالف الدولي: حكومة الكاظمي تريد منا البقاء في العراق"."""
        tokens = self.tokens
        colon = next((i for i in range(min(title_tokens, 12)) if tokens.texts[i] == ":"), None)
        if colon is None or colon + 2 >= title_tokens:
            return
        speaker = None
        for i in range(colon):
            mention = self.by_token.get(i)
            if mention is not None and mention.type is EntityType.PERSON:
                speaker = mention.key
                break
        if speaker is None and any(self.cat(i, lx.ROLE) for i in range(colon)):
            counts: dict[str, int] = {}
            for found in self.found:
                if found.speaker.startswith(("person:", "gaz:")):
                    counts[found.speaker] = counts.get(found.speaker, 0) + 1
            if counts:
                speaker = max(sorted(counts), key=lambda k: counts[k])
        if speaker is None:
            return
        end = title_tokens
        while end > colon + 1 and (tokens.space[end - 1] or tokens.texts[end - 1] in TERMINAL):
            end -= 1
        self.record(speaker, (colon, colon + 1), (colon + 1, end, False), f"{self.lang}-headline")


def _topics(contents: list[str], topics: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, ...]]:
    """The topics each content names: those with a keyword in its folded text."""
    folded = [fold(content) for content in contents]
    # keywords found in no content are not looked for in each; no match crosses a "\0"
    # that the keyword does not hold
    everything = "\0".join(folded)
    present = [(topic, tuple(k for k in keywords if "\0" in k or k in everything))
               for topic, keywords in topics]
    return [tuple(topic for topic, keywords in present if any(map(text.__contains__, keywords)))
            for text in folded]


def _title_tokens(tokens: lx.TokenTable, title_length: int) -> int:
    return next((i for i, start in enumerate(tokens.starts) if start >= title_length), len(tokens))


def extract_statements(doc: Doc, mappings: Mappings, article_id: str, title_length: int,
                       dates: list[DateMention]) -> StatementResult:
    reader = Reader(doc, mappings, article_id, dates)
    reader.read_interview()
    tokens = reader.tokens
    body_start = _title_tokens(tokens, title_length) if title_length else 0
    reader.body_start = body_start
    # the headline is read last so that it can lean on the article's main speaker
    saved_covered = set(range(body_start))
    reader.covered |= saved_covered
    reader.read_cues()
    if reader.lang == "en":
        reader.read_nominal_reports()
    reader.covered -= saved_covered
    if title_length:
        reader.read_headline(body_start)
    topics = mappings.topic_keywords[doc.lang_ if doc.lang_ in ("ar", "en") else "en"]
    statements = []
    text = reader.text
    mentions = reader.mentions  # sorted by start
    mention_starts = [m.start for m in mentions]
    demonyms = [m for m in tokens.matches if m.category == lx.DEMONYM]
    ordered = sorted(reader.found, key=lambda f: (f.content_start, f.content_end))
    pieces_of = [tuple(Span(tokens.starts[a], tokens.ends[b - 1], text[tokens.starts[a]:tokens.ends[b - 1]])
                       for a, b in found.parts) for found in ordered]
    contents = [" … ".join(piece.text for piece in pieces) if pieces else
                text[found.content_start:found.content_end]
                for found, pieces in zip(ordered, pieces_of, strict=True)]
    topics_of = _topics(contents, topics)  # all at once: most keywords are in none of them
    for found, pieces, content_text, topic_ids in zip(ordered, pieces_of, contents, topics_of, strict=True):
        ranges = found.parts or (found.token_range,)

        def in_content(token: int, ranges: tuple[tuple[int, int], ...] = ranges) -> bool:
            return any(start <= token < end for start, end in ranges)

        # the mentions starting in the content, nested ones too (the province inside its
        # council's name), in the order of the list
        inside = sorted({index for start, end in ranges for index in
                         range(bisect_left(mention_starts, start), bisect_left(mention_starts, end))})
        about: list[str] = []
        for mention in (mentions[index] for index in inside):
            if mention.key not in about and mention.type is not EntityType.ANONYMOUS:
                about.append(mention.key)
        for match in demonyms:
            # "النفوذ الإيراني", "العراقيين": a demonym on its own speaks of its country
            key = f"gaz:{match.payload}"
            if in_content(match.start) and match.start not in reader.by_token and key not in about:
                about.append(key)
        mentioned = tuple(sorted({d.value for d in dates if in_content(d.start) and not d.relative}))
        statements.append(Statement(
            speaker_key=found.speaker,
            cue=Span(found.cue_start, found.cue_end, text[found.cue_start:found.cue_end]),
            content=Span(found.content_start, found.content_end, content_text),
            is_quote=found.quote,
            evidence=pieces[0] if pieces else Span(found.content_start, found.content_end, content_text),
            rule=found.rule,
            about=tuple(about),
            topics=topic_ids,
            date=found.date,
            mentioned_dates=mentioned,
            parts=pieces,
            voiced_by=found.voiced_by,
        ))
    return StatementResult(tuple(statements), tuple(reader.anon.values()), tuple(reader.anon_mentions))
