"""Date expressions, normalised against the article's publication date.

Finds "11 حزيران", "في العاشر من حزيران/يونيو من عام 2014", "أمس الخميس", "السبت الماضي",
"June 11, 2014", "yesterday".  Values are ISO strings typed by their precision:
``YYYY-MM-DD`` (xsd:date), ``--MM-DD`` (xsd:gMonthDay, when no year is written and the
publication date is unknown), ``YYYY-MM`` (xsd:gYearMonth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from spacy.tokens import Doc

from . import lexicon as lx
from .config import Calendar

_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)م?\.?$")
_DAY = re.compile(r"^([0-9]{1,2})$")
_SLASHES = {"/", "(", ")", "-"}
_DATE_WORDS = (lx.ORDINAL, lx.MONTH, lx.RELDAY, lx.WEEKDAY)  # the lexicon categories a date opens with


@dataclass(frozen=True)
class DateMention:
    start: int  # token indices
    end: int
    value: str
    relative: bool  # computed from the publication date (أمس، الخميس), not written out


def _parse_published(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _with_year(month: int, day: int, year: int | None, published: date | None) -> str | None:
    if year is not None:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    if published is None:
        return f"--{month:02d}-{day:02d}" if 1 <= day <= 31 else None
    # a year-less date in news is the latest such date not far after publication
    for candidate_year in (published.year, published.year - 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate <= published + timedelta(days=7):
            return candidate.isoformat()
    return None


def find_dates(doc: Doc, published: str | None, calendar: Calendar) -> list[DateMention]:
    pub = _parse_published(published)
    lang = doc.lang_ if doc.lang_ in ("ar", "en") else "en"
    year_words = calendar.words["year_words"][lang]
    links = calendar.words["date_links"][lang] | {","}
    past, coming = calendar.words["past_words"][lang], calendar.words["next_words"][lang]
    tokens = lx.tokens_of(doc)
    texts, norms, cat = tokens.texts, tokens.norms, tokens.cat
    n = len(tokens)
    out: list[DateMention] = []
    used: set[int] = set()

    def skip_alt_month(k: int) -> int:
        # "حزيران/يونيو", "حزيران (يونيو)": the same month in a second naming system
        while k < n and texts[k] in _SLASHES:
            alt = cat(k + 1, lx.MONTH) if k + 1 < n else None
            if alt is not None:
                k = alt.end
            elif texts[k] == ")":
                k += 1
            else:
                break
        return k

    def read_year(k: int) -> tuple[int | None, int]:
        j = k
        while j < n and (norms[j] in links or norms[j] in year_words):
            j += 1
        if j < n and _YEAR.match(norms[j]):
            return int(norms[j][:4]), j + 1
        return None, k

    # a date opens with a date word or a day number (a norm from "0" up to ":", which follows
    # "9"); most tokens are neither
    openers = {match.start for match in tokens.matches if match.category in _DATE_WORDS}
    openers.update(i for i, norm in enumerate(norms) if "0" <= norm < ":")
    for i in sorted(openers):
        if i in used:
            continue
        here = tokens.cats(i)
        day: int | None = None
        j = i
        ordinal = here.get(lx.ORDINAL)
        if _DAY.match(norms[i]) and 1 <= int(norms[i]) <= 31:
            day, j = int(norms[i]), i + 1
        elif ordinal is not None:
            day, j = int(ordinal.payload), ordinal.end
        if day is not None:
            k = j + 1 if j < n and norms[j] in ("من", "of") else j
            month = cat(k, lx.MONTH) if k < n else None
            if month is not None:
                end = skip_alt_month(month.end)
                year, end = read_year(end)
                value = _with_year(int(month.payload), day, year, pub)
                if value:
                    out.append(DateMention(i, end, value, False))
                    used.update(range(i, end))
                continue
        month = here.get(lx.MONTH)
        if month is not None:
            end = skip_alt_month(month.end)
            if end < n and _DAY.match(norms[end]):  # English "June 11, 2014"
                day = int(norms[end])
                year, stop = read_year(end + 1)
                value = _with_year(int(month.payload), day, year, pub)
                if value:
                    out.append(DateMention(i, stop, value, False))
                    used.update(range(i, stop))
                continue
            year, stop = read_year(end)
            if year is not None:
                out.append(DateMention(i, stop, f"{year}-{int(month.payload):02d}", False))
                used.update(range(i, stop))
            continue
        relday = here.get(lx.RELDAY)
        if relday is not None:
            end = relday.end
            weekday = cat(end, lx.WEEKDAY) if end < n else None
            if weekday is not None:
                end = weekday.end
            if pub is not None:
                value = (pub + timedelta(days=int(relday.payload))).isoformat()
                out.append(DateMention(i, end, value, True))
            used.update(range(i, end))
            continue
        weekday = here.get(lx.WEEKDAY)
        if weekday is not None and pub is not None:
            end = weekday.end
            target = int(weekday.payload)
            if i > 0 and norms[i - 1] in coming | past:
                direction = "next" if norms[i - 1] in coming else "past"
            elif end < n and norms[end] in coming:
                direction, end = "next", end + 1
            else:
                direction = "past"
                if end < n and norms[end] in past:
                    end += 1
            delta = (pub.weekday() - target) % 7
            if direction == "next":
                day_date = pub + timedelta(days=(target - pub.weekday()) % 7 or 7)
            else:
                day_date = pub - timedelta(days=delta)
            out.append(DateMention(i, end, day_date.isoformat(), True))
            used.update(range(i, end))
    return out
