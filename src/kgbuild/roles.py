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
"""

from __future__ import annotations

from spacy.tokens import Doc

from . import lexicon as lx
from .config import Mappings
from .entities import COMMAS, MentionInfo, main_country, sentence_bounds
from .records import EntityType, RoleAssignment, Span

MAX_PHRASE = 14


def _span(doc: Doc, start: int, end: int) -> Span:
    return Span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), doc[start:end].text)


class RoleReader:
    def __init__(self, doc: Doc, mappings: Mappings):
        self.doc = doc
        self.mappings = mappings
        self.at = doc._.kg_lex_at
        self.by_token: dict[int, MentionInfo] = doc._.kg_token_mention
        self.country = main_country(doc, mappings, doc._.kg_mentions)
        self.results: dict[tuple[str, str, str | None], RoleAssignment] = {}
        lang = doc.lang_ if doc.lang_ in ("ar", "en") else "en"
        self.glue = mappings.grammar["role_phrase_glue"][lang]
        self.copulas = mappings.grammar["copulas"][lang]
        self.led_by_words = mappings.led_by[lang]

    def cat(self, i: int, category: str) -> lx.LexMatch | None:
        return lx.match_at(self.doc, i, category)

    def stop(self, i: int) -> bool:
        doc = self.doc
        token = doc[i]
        if token.text in (".", "!", "?", "؟", ":", '"', "«", "»") or "\n" in token.text:
            return True
        return any(self.cat(i, c) for c in (lx.CUE, lx.COMP, lx.RELDAY, lx.WEEKDAY, lx.PARTICIPLE,
                                            lx.ACCORDING)) or token.norm_ in ("الذي", "التي", "who", "said")

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
        doc = self.doc
        # a role phrase never ends on a title, comma or conjunction
        while end > start and (doc[end - 1].text in COMMAS or (self.cat(end - 1, lx.TITLE)
                               and not self.cat(end - 1, lx.ROLE)) or doc[end - 1].norm_ in ("و", "and")):
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
        span = _span(doc, start, end)
        if label is not None:
            span = Span(span.start, span.end, label)
        lo = min(start, person.start)
        hi = max(end, person.end)
        evidence = _span(doc, lo, hi)
        key = (person.key, span.text, org)
        if key not in self.results:
            self.results[key] = RoleAssignment(person.key, span, concept, org, evidence, rule)

    def before(self, person: MentionInfo) -> None:
        """Role phrases ending right before the name, split where a new role begins."""
        doc = self.doc
        sent_start, _ = sentence_bounds(doc, person.start)
        k = person.start - 1
        while k >= sent_start and (doc[k].text in COMMAS
                                   or (self.cat(k, lx.TITLE) and not self.cat(k, lx.ROLE))):
            k -= 1
        starts: list[int] = []
        lowest = max(sent_start, person.start - MAX_PHRASE)
        while k >= lowest:
            other = self.by_token.get(k)
            if other is not None and other.type is EntityType.PERSON:
                break
            if self.stop(k) or (self.cat(k, lx.FUNCTION) and doc[k].norm_ not in self.glue):
                break
            if self.cat(k, lx.ROLE):
                starts.append(k)
            k -= 1
        if not starts:
            return
        starts.sort()
        back = starts[0] - 1
        while back >= sent_start and doc[back].text in COMMAS:
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
        return second > first_end or self.doc[second].norm_.startswith("ال")

    def after(self, person: MentionInfo) -> None:
        doc = self.doc
        _, sent_end = sentence_bounds(doc, person.start)
        j = person.end
        if j < sent_end and doc[j].text in COMMAS:
            j += 1
        if j < sent_end and doc[j].norm_ in ("the", "a", "an") and j + 1 < sent_end and \
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
        if j < sent_end and doc[j].norm_ in ("في", "من", "at", "of", "from"):
            org = self.by_token.get(j + 1)
            if org is not None and org.type is EntityType.ORGANISATION:
                pre = self._pre_role(person)
                if pre is not None:
                    self.add(person, pre[0], pre[1], "role-name-org", org=org.key)

    def phrase_after_role(self, j: int, limit: int) -> int:
        """End of ROLE [DEMONYM] [NAMED ENTITY | words of an idafa] [لـ/of NAMED ENTITY]… ."""
        doc = self.doc
        k = self.cat(j, lx.ROLE).end  # type: ignore[union-attr]
        while k < limit:
            more = self.cat(k, lx.ROLE) or self.cat(k, lx.DEMONYM)
            mention = self.by_token.get(k)
            if more is not None:
                k = more.end
            elif mention is not None and mention.start == k and mention.type is not EntityType.PERSON:
                k = mention.end
            elif doc[k].norm_ in ("ل", "of", "for", "باسم", "at", "في", "ب", "من", "in") and \
                    k + 1 < limit and (self.by_token.get(k + 1) or doc[k + 1].norm_ in ("the",)):
                k += 1  # "… للتحالف الدولي", "… في التحالف الدولي", "spokesman of the coalition"
            elif (doc[k].norm_ == "the" and k + 1 < limit and self.by_token.get(k + 1)) or (
                    doc[k].norm_.startswith("ال") and not self.stop(k) and not self.cat(k, lx.FUNCTION)
                    and (k + 1 >= limit or not self.by_token.get(k)) and self._idafa(k)):
                k += 1  # "the coalition" after "of"; or a bare definite noun of an idafa
            elif doc[k].norm_.startswith("لشوون") or doc[k].norm_ == "لشوون":
                k += 1  # "لشؤون السياسة والخطط": the portfolio belongs to the title
                while k < limit and (doc[k].norm_.startswith("ال") or doc[k].norm_ == "و") and \
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
        while back >= 0 and self.doc[back].norm_.startswith("ال") and self.cat(back, lx.ROLE) is None:
            definite_run += 1
            back -= 1
        return definite_run < 3 and back >= 0 and (self.cat(back, lx.ROLE) is not None or
                                                   self._role_end(back) or
                                                   self.cat(back, lx.DEMONYM) is not None)

    def _role_end(self, k: int) -> bool:
        return any(m.category == lx.ROLE and m.end == k + 1 for m in self.at.get(k, ()))

    def _pre_role(self, person: MentionInfo) -> tuple[int, int] | None:
        doc = self.doc
        k = person.start - 1
        while k >= 0 and doc[k].text in COMMAS:
            k -= 1
        end = k + 1
        while k >= 0 and (self.cat(k, lx.TITLE) or self.cat(k, lx.ROLE)
                          or doc[k].norm_ in ("الامني", "العسكري")):
            k -= 1
        for i in range(k + 1, end):
            if self.cat(i, lx.ROLE):
                return i, end
        return None

    def copular(self) -> None:
        doc = self.doc
        for i, token in enumerate(doc):
            if token.norm_ not in self.copulas or i + 1 >= len(doc) or not self.cat(i + 1, lx.ROLE):
                continue
            sent_start, sent_end = sentence_bounds(doc, i)
            subject = None
            for k in range(i - 1, sent_start - 1, -1):
                mention = self.by_token.get(k)
                if mention is not None and mention.type is EntityType.PERSON:
                    subject = mention
                    break
            if subject is None:
                continue
            k = i + 1
            while k < min(sent_end, i + MAX_PHRASE) and not (
                    k > i + 1 and (doc[k].text in COMMAS or self.stop(k) or doc[k].norm_ in ("و", "and"))):
                k += 1
            self.add(subject, i + 1, k, "role-copular")

    def led_by(self) -> None:
        doc = self.doc
        for i, token in enumerate(doc):
            concept = self.led_by_words.get(token.norm_) or \
                self.led_by_words.get("ب" + token.norm_ if token._.kg_clitic == "ب" else "")
            if concept is None or i == 0:
                continue
            org = self.by_token.get(i - 1)
            if org is None or org.type is not EntityType.ORGANISATION:
                continue
            _, sent_end = sentence_bounds(doc, i)
            for k in range(i + 1, min(sent_end, i + MAX_PHRASE)):
                person = self.by_token.get(k)
                if person is not None and person.type is EntityType.PERSON:
                    role = self.mappings.role_by_id.get(concept)
                    label = role.labels[doc.lang_] if role else token.text
                    start = i - 1 if token._.kg_clitic else i
                    self.add(person, start + (1 if token._.kg_clitic else 0), i + 1, "role-led-by",
                             concept=concept if role else None, org=org.key, label=label)
                    break


def extract_roles(doc: Doc, mappings: Mappings) -> tuple[RoleAssignment, ...]:
    reader = RoleReader(doc, mappings)
    seen: set[int] = set()
    for mention in doc._.kg_mentions:
        if mention.type is not EntityType.PERSON or mention.start in seen:
            continue
        seen.add(mention.start)
        reader.before(mention)
        reader.after(mention)
    reader.copular()
    reader.led_by()
    return tuple(sorted(reader.results.values(), key=lambda r: (r.evidence.start, r.role_label.start)))
