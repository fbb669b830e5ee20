"""Person–role–organisation facts from titles, appositions and copular clauses.

Layouts read, in both orders and across a comma:
  ROLE [ORG|PLACE|DEMONYM…] [TITLE] [،] PERSON     وزير الدفاع الأميركي آشتون كارتر
  PERSON، ROLE ORG …،                               ديوك بيراك، نائب مدير القيادة المشتركة …
  PERSON … كان/أصبح ROLE في/لـ ORG                  أوديرنو كان قائدا في الجيش الأميركي
  ORG بزعامة PERSON                                  ائتلاف دولة القانون بزعامة … نوري المالكي
  RANK PERSON في ORG                                 العميد محمد الجبوري في شرطة نينوى
The organisation is the first one named inside the role phrase, else a place named
there (محافظ صلاح الدين), else the country of a demonym (الأميركي), else — for a state
office — the article's main country.

English (read only in English articles, so Arabic output is untouched) writes the
qualifiers before the role and tags legislators after the name:
  [DEMONYM|ORG|PLACE|PARTY…] ROLE [of ORG] [,] PERSON  Iraqi Prime Minister Haider al-Abadi
  PERSON, [the] [QUALIFIERS] ROLE [of ORG],         Gen. Kenneth McKenzie, commander of U.S. Central Command,
  TITLE PERSON (P-STATE) / TITLE PERSON, P-STATE,    Sen. John McCain (R-Ariz.)
A role phrase is a noun phrase: role words, titles, names and their glue; any other
lower-case word ends it ("the president should continue President Obama" is no role).
An office with `bodies` (senator) sits in its country's body (the US Senate) and records
the state it represents; a party named with a role or in the tag makes the person a
member of that party, or is the organisation itself of a party office (nominee).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from . import lexicon as lx
from .config import Mappings, tag_key
from .entities import COMMAS, MentionInfo, main_country
from .records import EntityType, RoleAssignment, Span

MAX_PHRASE = 14
# the role concept recorded for a party named with a role or in a legislator's tag
PARTY_MEMBER = "party-member"
# English punctuation that closes or opens a quotation or aside: a role phrase never crosses it
QUOTES = {'"', "“", "”", "‘", "’", "''", "``", "(", ")", "[", "]", "—", "–", ";"}
POSSESSIVE = {"'s", "’s", "'", "’"}


@dataclass(frozen=True)
class LegislatorTag:
    """"(R-Ariz.)" or ", R-S.C.," right after a name: a party and the state represented."""

    party: str | None  # entity key
    state: str  # entity key
    start: int  # token of the opening bracket or comma
    end: int  # token after the tag (after ")", or the closing comma)


def _span(tokens: lx.TokenTable, start: int, end: int) -> Span:
    return Span(tokens.starts[start], tokens.ends[end - 1], tokens.span_text(start, end))


class RoleReader:
    def __init__(self, doc: Doc, mappings: Mappings):
        self.doc = doc
        self.tokens = tokens = lx.tokens_of(doc)
        self.mappings = mappings
        self.at = tokens.lex_at
        self.cat = tokens.cat
        self.by_token: dict[int, MentionInfo] = doc._.kg_token_mention
        self.mentions: list[MentionInfo] = doc._.kg_mentions
        self.country = main_country(tokens, mappings, self.mentions)
        self.results: dict[tuple[str, str, str | None], RoleAssignment] = {}
        lang = doc.lang_ if doc.lang_ in ("ar", "en") else "en"
        self.glue = mappings.grammar["role_phrase_glue"][lang]
        self.copulas = mappings.grammar["copulas"][lang]
        self.led_by_words = mappings.led_by[lang]
        self.english = doc.lang_ == "en"
        tables = mappings.tables
        self.party_tags = tables["party_tags"]["en"] if tables else {}
        self.party_words = tables["party_words"]["en"] if tables else {}
        self.state_tags = tables["state_tags"]["en"] if tables else {}
        # English: tokens inside a role form or a demonym (matches are indexed by start only)
        self.role_tokens: set[int] = set()
        self.demonym_at: dict[int, int] = {}  # token → start of the demonym covering it
        self.tags: dict[int, LegislatorTag] = {}
        if self.english:
            for match in tokens.matches:
                if match.category in (lx.ROLE, lx.TITLE):
                    self.role_tokens.update(range(match.start, match.end))
                elif match.category == lx.DEMONYM:
                    for i in range(match.start, match.end):
                        self.demonym_at.setdefault(i, match.start)
            for mention in self.mentions:
                if mention.type is EntityType.PERSON and mention.start not in self.tags:
                    tag = self._read_tag(mention)
                    if tag is not None:
                        self.tags[mention.start] = tag

    def stop(self, i: int) -> bool:
        text = self.tokens.texts[i]
        if text in (".", "!", "?", "؟", ":", '"', "«", "»") or "\n" in text:
            return True
        cats = self.tokens.cats(i)
        return any(c in cats for c in (lx.CUE, lx.COMP, lx.RELDAY, lx.WEEKDAY, lx.PARTICIPLE, lx.ACCORDING)) \
            or self.tokens.norms[i] in ("الذي", "التي", "who", "said")

    def organisation(self, start: int, end: int, concept: str | None, person_key: str,
                     written_only: bool = False) -> str | None:
        place = demonym = None
        for i in range(start, end):
            mention = self.by_token.get(i)
            if mention is not None and mention.start == i:
                if mention.type is EntityType.ORGANISATION:
                    return mention.key
                if mention.type is EntityType.PLACE and place is None:
                    place = mention.key
            match = self.cat(i, lx.DEMONYM)
            if match is not None and demonym is None:
                demonym = f"gaz:{match.payload}"
        if place or demonym or written_only:
            return place or demonym
        role = self.mappings.role_by_id.get(concept or "")
        entry = self.mappings.gazetteer_by_id.get(person_key.removeprefix("gaz:"))
        if role is not None and role.national:
            # a known person's own country beats the country the article is mostly about
            if entry is not None and entry.country:
                return f"gaz:{entry.country}"
            if self.country:
                return self.country
        if entry is not None and entry.affiliation:
            return f"gaz:{entry.affiliation}"
        return None

    def add(self, person: MentionInfo, start: int, end: int, rule: str,
            concept: str | None = None, org: str | None = None, label: str | None = None) -> None:
        tokens = self.tokens
        if self.english:
            self.add_en(person, start, start, end, rule, concept, org, label)
            return
        # a role phrase never ends on a title, comma or conjunction
        while end > start and (tokens.texts[end - 1] in COMMAS or (self.cat(end - 1, lx.TITLE)
                               and not self.cat(end - 1, lx.ROLE)) or tokens.norms[end - 1] in ("و", "and")):
            end -= 1
        if end <= start:
            return
        role_match = self.cat(start, lx.ROLE)
        concept = concept or (role_match.payload if role_match else None)
        bare_title = (self.cat(start, lx.TITLE) is not None
                      and role_match is not None and role_match.end >= end)
        if org is None and bare_title:
            # "الجنرال" alone is a rank, not an office in some organisation
            org = self.organisation(start, end, None, "", written_only=True)
            if org is None:
                return
        org = org or self.organisation(start, end, concept, person.key)
        if org is None or org == person.key:
            return
        span = _span(tokens, start, end)
        if label is not None:
            span = Span(span.start, span.end, label)
        lo = min(start, person.start)
        hi = max(end, person.end)
        evidence = _span(tokens, lo, hi)
        key = (person.key, span.text, org)
        if key not in self.results:
            self.results[key] = RoleAssignment(person.key, span, concept, org, evidence, rule)

    def before(self, person: MentionInfo) -> None:
        """Role phrases ending right before the name, split where a new role begins."""
        tokens = self.tokens
        if self.english:
            self.before_en(person)
            return
        sent_start, _ = tokens.sentence(person.start)
        k = person.start - 1
        while k >= sent_start and (tokens.texts[k] in COMMAS
                                   or (self.cat(k, lx.TITLE) and not self.cat(k, lx.ROLE))):
            k -= 1
        starts: list[int] = []
        lowest = max(sent_start, person.start - MAX_PHRASE)
        while k >= lowest:
            other = self.by_token.get(k)
            if other is not None and other.type is EntityType.PERSON:
                break
            if self.stop(k) or (k in tokens.function and tokens.norms[k] not in self.glue):
                break
            if self.cat(k, lx.ROLE):
                starts.append(k)
            k -= 1
        if not starts:
            return
        starts.sort()
        back = starts[0] - 1
        while back >= sent_start and tokens.texts[back] in COMMAS:
            back -= 1
        other = self.by_token.get(back) if back >= sent_start else None
        if other is not None and other.type is EntityType.PERSON and other.key != person.key:
            return  # "جوزيف دنفورد المرشح لخلافة أوديرنو": the phrase describes the man before it
        end_of_phrase = person.start
        for index, start in enumerate(starts):
            # nested forms (مدير inside نائب مدير) are not new roles
            if index and self.cat(starts[index - 1], lx.ROLE).end > start:  # type: ignore[union-attr]
                continue
            following = [s for s in starts[index + 1:] if s >= self.cat(start, lx.ROLE).end]  # type: ignore[union-attr]
            end = following[0] if following and self._separate(start, following[0]) else end_of_phrase
            self.add(person, start, end, "role-before-name")

    def _separate(self, first: int, second: int) -> bool:
        # "رئيس الوزراء القائد العام": two offices; "مساعد وزير": one office
        first_end = self.cat(first, lx.ROLE).end  # type: ignore[union-attr]
        return second > first_end or self.tokens.norms[second].startswith("ال")

    def after(self, person: MentionInfo) -> None:
        tokens = self.tokens
        if self.english:
            self.after_en(person)
            return
        _, sent_end = tokens.sentence(person.start)
        j = person.end
        if j < sent_end and tokens.texts[j] in COMMAS:
            j += 1
        if j < sent_end and tokens.norms[j] in ("the", "a", "an") and j + 1 < sent_end and \
                self.cat(j + 1, lx.ROLE):
            j += 1  # "John Smith, the spokesman of …"
        if j < sent_end and self.cat(j, lx.ROLE):
            k = self.phrase_after_role(j, sent_end)
            nxt = self.by_token.get(k) if k < sent_end else None
            if nxt is not None and nxt.type is EntityType.PERSON and nxt.key != person.key:
                return  # "استقبل العبادي محافظ صلاح الدين رائد الجبوري": the role is the next man's
            self.add(person, j, k, "role-after-name")
            return
        # "RANK NAME في ORG" / "NAME، من ORG": the organisation follows the name
        if j < sent_end and tokens.norms[j] in ("في", "من", "at", "of", "from"):
            org = self.by_token.get(j + 1)
            if org is not None and org.type is EntityType.ORGANISATION:
                pre = self._pre_role(person)
                if pre is not None:
                    self.add(person, pre[0], pre[1], "role-name-org", org=org.key)

    def phrase_after_role(self, j: int, limit: int) -> int:
        """End of ROLE [DEMONYM] [NAMED ENTITY | words of an idafa] [لـ/of NAMED ENTITY]… ."""
        tokens = self.tokens
        k = self.cat(j, lx.ROLE).end  # type: ignore[union-attr]
        while k < limit:
            more = self.cat(k, lx.ROLE) or self.cat(k, lx.DEMONYM)
            mention = self.by_token.get(k)
            if self.english and mention is not None and mention.type is not EntityType.PERSON:
                k = mention.end  # "U.S. Central Command": the whole name, not the demonym in it
            elif more is not None:
                k = more.end
            elif mention is not None and mention.start == k and mention.type is not EntityType.PERSON:
                k = mention.end
            elif tokens.norms[k] in ("ل", "of", "for", "باسم", "at", "في", "ب", "من", "in") and \
                    k + 1 < limit and (self.by_token.get(k + 1) or tokens.norms[k + 1] in ("the",)):
                k += 1  # "… للتحالف الدولي", "… في التحالف الدولي", "spokesman of the coalition"
            elif (tokens.norms[k] == "the" and k + 1 < limit and self.by_token.get(k + 1)) or (
                    tokens.norms[k].startswith("ال") and not self.stop(k) and k not in tokens.function
                    and (k + 1 >= limit or not self.by_token.get(k)) and self._idafa(k)):
                k += 1  # "the coalition" after "of"; or a bare definite noun of an idafa
            elif tokens.norms[k].startswith("لشوون") or tokens.norms[k] == "لشوون":
                k += 1  # "لشؤون السياسة والخطط": the portfolio belongs to the title
                while k < limit and (tokens.norms[k].startswith("ال") or tokens.norms[k] == "و") and \
                        not self.stop(k):
                    k += 1
            else:
                break
        return k

    def _idafa(self, k: int) -> bool:
        """A bare definite noun continues the role right after the role word(s), and then
        one adjective or noun more: "نائب مدير القيادة المشتركة"."""
        back = k - 1
        definite_run = 0
        while back >= 0 and self.tokens.norms[back].startswith("ال") and self.cat(back, lx.ROLE) is None:
            definite_run += 1
            back -= 1
        return definite_run < 3 and back >= 0 and (self.cat(back, lx.ROLE) is not None or
                                                   self._role_end(back) or
                                                   self.cat(back, lx.DEMONYM) is not None)

    def _role_end(self, k: int) -> bool:
        return any(m.category == lx.ROLE and m.end == k + 1 for m in self.at.get(k, ()))

    def _pre_role(self, person: MentionInfo) -> tuple[int, int] | None:
        tokens = self.tokens
        k = person.start - 1
        while k >= 0 and tokens.texts[k] in COMMAS:
            k -= 1
        end = k + 1
        while k >= 0 and (self.cat(k, lx.TITLE) or self.cat(k, lx.ROLE)
                          or tokens.norms[k] in ("الامني", "العسكري")):
            k -= 1
        for i in range(k + 1, end):
            if self.cat(i, lx.ROLE):
                return i, end
        return None

    def copular(self) -> None:
        tokens = self.tokens
        for i in [i for i, norm in enumerate(tokens.norms) if norm in self.copulas]:
            if i + 1 >= len(tokens) or not self.cat(i + 1, lx.ROLE):
                continue
            sent_start, sent_end = tokens.sentence(i)
            subject = None
            for k in range(i - 1, sent_start - 1, -1):
                mention = self.by_token.get(k)
                if mention is not None and mention.type is EntityType.PERSON:
                    subject = mention
                    break
            if subject is None:
                continue
            if self.english:
                # "Clinton was secretary of state": the role and its complement only; in "the
                # competition is Senator Ted Cruz" the title is the next man's
                end = self.phrase_after_role(i + 1, sent_end)
                nxt = self.by_token.get(end) if end < sent_end else None
                if nxt is None or nxt.type is not EntityType.PERSON:
                    self.add_en(subject, i + 1, i + 1, end, "role-copular")
                continue
            k = i + 1
            while k < min(sent_end, i + MAX_PHRASE) and not (
                    k > i + 1 and (tokens.texts[k] in COMMAS or self.stop(k)
                                   or tokens.norms[k] in ("و", "and"))):
                k += 1
            self.add(subject, i + 1, k, "role-copular")

    def led_by(self) -> None:
        tokens = self.tokens
        words = self.led_by_words
        # the only tokens that can find a concept: the word, or ب + the word (a word without ب
        # looks "" up below, which finds nothing unless the mappings list it)
        wanted = words.keys() | {word[1:] for word in words if word.startswith("ب")}
        candidates = [i for i, norm in enumerate(tokens.norms) if norm in wanted or "" in words]
        for i in candidates:
            norm = tokens.norms[i]
            clitic = tokens.clitics[i]
            concept = words.get(norm) or words.get("ب" + norm if clitic == "ب" else "")
            if concept is None or i == 0:
                continue
            org = self.by_token.get(i - 1)
            if org is None or org.type is not EntityType.ORGANISATION:
                continue
            _, sent_end = tokens.sentence(i)
            for k in range(i + 1, min(sent_end, i + MAX_PHRASE)):
                person = self.by_token.get(k)
                if person is not None and person.type is EntityType.PERSON:
                    role = self.mappings.role_by_id.get(concept)
                    label = role.labels[self.doc.lang_] if role else tokens.texts[i]
                    start = i - 1 if clitic else i
                    self.add(person, start + (1 if clitic else 0), i + 1, "role-led-by",
                             concept=concept if role else None, org=org.key, label=label)
                    break

    # ---- English ---------------------------------------------------------------------------
    def _read_tag(self, person: MentionInfo) -> LegislatorTag | None:
        """"(R-Ariz.)", ", R-S.C.," or "(I-Vt.)" right after the name."""
        tokens = self.tokens
        j = person.end
        if j >= len(tokens) or tokens.texts[j] not in ("(", ","):
            return None
        close = ")" if tokens.texts[j] == "(" else ","
        k = j + 1
        while k < min(len(tokens), j + 8) and tokens.texts[k] != close and "\n" not in tokens.texts[k]:
            k += 1  # "(I-Vt.)" may split into "Vt" and "."
        if k >= len(tokens) or tokens.texts[k] != close:
            return None
        letter, dash, state = "".join(tokens.texts[j + 1:k]).partition("-")
        if not dash or len(letter) != 1 or not letter.isupper():
            return None
        state_id = self.state_tags.get(tag_key(state))
        if state_id is None:
            return None
        party = self.party_tags.get(tag_key(letter))
        return LegislatorTag(f"gaz:{party}" if party else None, f"gaz:{state_id}", j,
                             k + 1 if close == ")" else k)

    def _party_word(self, i: int) -> str | None:
        party = self.party_words.get(tag_key(self.tokens.texts[i]))
        return f"gaz:{party}" if party and self.tokens.texts[i][:1].isupper() else None

    def _anchor_start(self, i: int) -> int | None:
        """Start of a qualifier ending at token i: a demonym, a named organisation or place,
        a party word ("Iraqi", "FBI", "Texas", "Republican"); None when token i is none."""
        if i in self.demonym_at:
            return self.demonym_at[i]
        mention = self.by_token.get(i)
        if mention is not None and mention.type is not EntityType.PERSON:
            return mention.start
        return i if self._party_word(i) else None

    def _qualifiers_before(self, i: int, lowest: int) -> int:
        """Where the qualifiers written before the role word at i begin: "Iraqi Prime
        Minister", "Senate Majority Leader", "White House press secretary". Capitalised words
        count only between a qualifier and the role."""
        tokens = self.tokens
        start = j = i
        while j - 1 >= lowest:
            anchor = self._anchor_start(j - 1)
            if anchor is not None and anchor >= lowest:
                start = j = anchor
            elif self._phrase_word(j - 1) and tokens.texts[j - 1][:1].isupper() and \
                    j - 1 not in self.role_tokens and self.by_token.get(j - 1) is None:
                j -= 1
            else:
                break
        return start

    def _phrase_word(self, k: int) -> bool:
        """A word that may stand inside an English role phrase."""
        tokens = self.tokens
        text, norm = tokens.texts[k], tokens.norms[k]
        if text in COMMAS or text in QUOTES or norm in POSSESSIVE:
            return False
        if norm in self.glue:
            return True
        if k in tokens.function:
            return False
        if k in self.role_tokens or k in self.demonym_at or self.by_token.get(k) is not None:
            return True
        # capitalised, but not a headline in capitals ("ISTANBUL EXPLOSION Turkish President")
        headline = text.isupper() and len(text) > 1
        return tokens.alpha[k] and text[:1].isupper() and not headline

    def before_en(self, person: MentionInfo) -> None:
        tokens = self.tokens
        sent_start, _ = tokens.sentence(person.start)
        k = person.start - 1
        if k >= sent_start and tokens.texts[k] in COMMAS:
            k -= 1  # "the defense secretary, Ashton Carter"
        while k >= sent_start and self.cat(k, lx.TITLE) and not self.cat(k, lx.ROLE):
            k -= 1  # "Mr.", "Dr."
        if k >= sent_start and tokens.norms[k] in self.glue and tokens.norms[k] != "and":
            return  # "chairwoman for Clinton", "counsel in the Brennan …": the name is governed
        lowest = max(sent_start, person.start - MAX_PHRASE)
        starts: list[int] = []
        while k >= lowest:
            other = self.by_token.get(k)
            if other is not None and other.type is EntityType.PERSON:
                break
            if self.stop(k) or not self._phrase_word(k):
                break
            if self.cat(k, lx.ROLE):
                starts.append(k)
            k -= 1
        offices: list[int] = []
        for start in sorted(starts):
            # a form inside the previous one ("secretary" in "press secretary") is no new office;
            # nor is a role word glued to the one before ("Deputy National Security Adviser"),
            # unless it is a title of its own ("presidential candidate Sen. Ted Cruz")
            if offices:
                previous = self.cat(offices[-1], lx.ROLE).end  # type: ignore[union-attr]
                if start < previous or (start == previous and not self.cat(start, lx.TITLE)):
                    continue
            offices.append(start)
        if not offices:
            return
        first = self._qualifiers_before(offices[0], lowest)
        back = first - 1
        other = self.by_token.get(back) if back >= sent_start else None
        if other is not None and other.type is EntityType.PERSON and other.key != person.key:
            return  # "Clinton adviser John Podesta": the phrase describes the man before it
        bounds = [self._qualifiers_before(s, s) if i == 0 else self._qualifiers_before(s, offices[i - 1] + 1)
                  for i, s in enumerate(offices)]
        bounds[0] = first
        for index, role_start in enumerate(offices):
            end = bounds[index + 1] if index + 1 < len(offices) else person.start
            if index + 1 < len(offices) and tokens.norms[end - 1] in self.glue and \
                    tokens.norms[end - 1] != "and":
                continue  # "spokesman for Democratic candidate Hillary Clinton": someone else's office
            self.add_en(person, bounds[index], role_start, end, "role-before-name")

    def after_en(self, person: MentionInfo) -> None:
        tokens = self.tokens
        _, sent_end = tokens.sentence(person.start)
        tag = self.tags.get(person.start)
        j = tag.end if tag is not None else person.end
        # an apposition needs its comma: in "Trump adviser" or "Cruz nominee" the name
        # qualifies someone else
        if j >= sent_end or tokens.texts[j] not in COMMAS:
            return
        j += 1
        if j < sent_end and tokens.norms[j] in ("the", "a", "an"):
            j += 1  # "Ashton Carter, the defense secretary,"
        role_start = j
        while role_start < sent_end and not self.cat(role_start, lx.ROLE):
            anchor_end = role_start
            mention = self.by_token.get(role_start)
            if role_start in self.demonym_at or self._party_word(role_start):
                anchor_end += 1
            elif mention is not None and mention.type is not EntityType.PERSON:
                anchor_end = mention.end
            if anchor_end == role_start:
                return
            possessive = anchor_end < sent_end and tokens.norms[anchor_end] in POSSESSIVE
            role_start = anchor_end + (1 if possessive else 0)  # "Iraq's prime minister"
        if role_start >= sent_end:
            return
        k = self.phrase_after_role(role_start, sent_end)
        nxt = self.by_token.get(k) if k < sent_end else None
        if nxt is not None and nxt.type is EntityType.PERSON and nxt.key != person.key:
            return
        self.add_en(person, j, role_start, k, "role-after-name")

    def add_en(self, person: MentionInfo, start: int, role_start: int, end: int, rule: str,
               concept: str | None = None, org: str | None = None, label: str | None = None) -> None:
        tokens = self.tokens
        while end > role_start + 1 and (tokens.texts[end - 1] in COMMAS or
                                        tokens.norms[end - 1] in self.glue or (
                end - 1 in self.role_tokens and self._title_only(end - 1))):
            end -= 1  # "GOP presidential candidate Dr. Ben Carson": the phrase ends before "Dr."
        role_match = self.cat(role_start, lx.ROLE)
        if end <= role_start or (role_match is None and concept is None):
            return
        concept = concept or (role_match.payload if role_match else None)
        role = self.mappings.role_by_id.get(concept or "")
        title = self.cat(role_start, lx.TITLE)
        # "Sen.", "President", "Gen." alone: a title that is the whole office as written
        bare = role_match is not None and title is not None and title.end >= role_match.end >= end
        written_org = place = demonym = party = None
        i = start
        while i < end:
            mention = self.by_token.get(i)
            if mention is not None and mention.type is not EntityType.PERSON:
                if mention.type is EntityType.ORGANISATION:
                    written_org = written_org or mention.key
                else:
                    place = place or mention.key
                i = max(mention.end, i + 1)
                continue
            match = self.cat(i, lx.DEMONYM)
            if match is not None:
                demonym = demonym or f"gaz:{match.payload}"
            party = party or self._party_word(i)
            i += 1
        tag = self.tags.get(person.start)
        party = party or (tag.party if tag is not None else None)
        entry = self.mappings.gazetteer_by_id.get(person.key.removeprefix("gaz:"))
        place_entry = self.mappings.gazetteer_by_id.get((place or "").removeprefix("gaz:"))
        state = place if place_entry is not None and place_entry.country else None
        if tag is not None:
            state = tag.state
        state_entry = self.mappings.gazetteer_by_id.get((state or "").removeprefix("gaz:"))
        own = f"gaz:{entry.country}" if entry is not None and entry.country else None
        # the country whose office it is: as written, else the holder's own; for a legislator
        # the article's main country is not enough, as state houses share the titles ("Rep.")
        country = demonym or (place if place_entry is not None and not place_entry.country else None) or own
        if tag is not None and state_entry is not None and state_entry.country:
            country = country or f"gaz:{state_entry.country}"
        represents = None
        parties = set(self.party_words.values()) | set(self.party_tags.values())
        if org is None and role is not None and role.bodies:
            body = role.bodies.get((country or "").removeprefix("gaz:"))
            org = written_org or (f"gaz:{body}" if body else None) or place
            represents = state if body and org == f"gaz:{body}" else None
        elif org is None and role is not None and role.party_office:
            # the party's nominee, never the holder's usual employer ("Senate candidate" is none)
            org = party or (written_org if (written_org or "").removeprefix("gaz:") in parties else None)
        elif org is None:
            org = written_org or place or demonym
            if org is None and role is not None and role.national:
                # a bare title ("President Obama") only from the holder's own country
                org = country if bare else (country or self.country)
            if org is None and not bare and entry is not None and entry.affiliation:
                org = f"gaz:{entry.affiliation}"
        hi = max(end, person.end, tag.end if tag is not None and rule != "role-after-name" else 0)
        evidence = _span(tokens, min(start, person.start), hi)
        if party is not None and party != org:
            # "Jim Clyburn, a Democratic congressman": the party stands even where the office's
            # body is unknown
            self.party_member(person, party, evidence)
        if org is None or org == person.key:
            return
        span = _span(tokens, start, end)
        if label is not None:
            span = Span(span.start, span.end, label)
        key = (person.key, span.text, org)
        if key not in self.results:
            self.results[key] = RoleAssignment(person.key, span, concept, org, evidence, rule, represents)

    def _title_only(self, k: int) -> bool:
        """Token k is inside a title that is no role ("Dr.", "Mr.")."""
        return not any(m.category == lx.ROLE and m.start <= k < m.end
                       for i in range(max(0, k - 3), k + 1) for m in self.at.get(i, ()))

    def party_member(self, person: MentionInfo, party: str, evidence: Span) -> None:
        """The person is a member of the party written with the role or in the tag."""
        role = self.mappings.role_by_id.get(PARTY_MEMBER)
        if role is None:
            return
        key = (person.key, f"concept:{PARTY_MEMBER}", party)
        if key not in self.results:
            label = Span(evidence.start, evidence.end, role.labels["en"])
            self.results[key] = RoleAssignment(person.key, label, PARTY_MEMBER, party, evidence,
                                               "party-member")

    def tag_only(self, person: MentionInfo) -> None:
        """A tag with no title before the name still names the party: "John McCain (R-Ariz.)"."""
        tag = self.tags.get(person.start)
        if tag is not None and tag.party is not None:
            self.party_member(person, tag.party, _span(self.tokens, person.start, tag.end))


def extract_roles(doc: Doc, mappings: Mappings) -> tuple[RoleAssignment, ...]:
    reader = RoleReader(doc, mappings)
    seen: set[int] = set()
    for mention in reader.mentions:
        if mention.type is not EntityType.PERSON or mention.start in seen:
            continue
        seen.add(mention.start)
        reader.before(mention)
        reader.after(mention)
        if reader.english:
            reader.tag_only(mention)
    reader.copular()
    reader.led_by()
    return tuple(sorted(reader.results.values(), key=lambda r: (r.evidence.start, r.role_label.start)))
