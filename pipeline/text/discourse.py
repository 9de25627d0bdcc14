"""The discourse state that moves through an article: which time each sentence speaks of.

A news article sets its time once and then speaks within it: a heading or lead that names a period
("Panama closes 2023 with a record ...") governs the undated figures below it; inside a paragraph the
last explicit date governs the sentences after it; "that year", "the same period last year", "desde
entonces" point back to that time. This module computes, for every sentence, the **frame** (the
date or period that governs it and where it came from) and resolves those back-pointing words against
it. Pure functions over sentences and their dates; the words are data (schemas/lexicon/discourse.yaml).

Written by hand: spaCy's rule-based parts find words, not which earlier date a sentence inherits.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from pipeline.text.cues import fold
from pipeline.text.dates import DateMention, PublicationDate
from pipeline.text.sentences import Sentence

LEXICON = Path(__file__).resolve().parents[2] / "schemas" / "lexicon" / "discourse.yaml"

# Where a sentence's frame came from, from the strongest to the weakest evidence.
OWN, PARAGRAPH, LEAD = "sentence", "paragraph", "lead"
# Kinds of date that set the time a sentence speaks of (a baseline is the other side of a comparison).
_SETTING_KINDS = frozenset({"point", "range", "fiscal"})


@dataclass(frozen=True)
class Frame:
    """The time a sentence speaks of: ``date`` (resolved or not) and ``origin`` (OWN, PARAGRAPH, LEAD)."""

    date: DateMention
    origin: str
    sentence: int  # index of the sentence that stated it


@dataclass(frozen=True)
class _Lexicon:
    pattern: re.Pattern[str]
    kinds: dict[str, str]  # phrase (lower case, single spaces) -> kind
    lead_lines: int
    lead_precisions: frozenset[str]
    comparison: re.Pattern[str]  # words that introduce the other side of a comparison, right before its date


@cache
def _lexicon() -> _Lexicon:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    kinds = {" ".join(p.lower().split()): kind
             for kind, by_lang in data["anaphors"].items() for phrases in by_lang.values() for p in phrases}
    words = sorted(kinds, key=len, reverse=True)  # longest first: "the same period last year" before "last year"
    alternation = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    lead_ins = sorted({" ".join(p.lower().split()) for by_lang in data["comparison_lead_ins"].values()
                       for p in by_lang}, key=len, reverse=True)
    comparison = "|".join(r"\s+".join(map(re.escape, w.split())) for w in lead_ins)
    return _Lexicon(re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), kinds,
                    int(data["lead_lines"]), frozenset(data["lead_precisions"]),
                    re.compile(rf"(?<!\w)(?:{comparison})\s+(?:the\s+|el\s+|la\s+|los\s+)?$", re.IGNORECASE))


def setting_dates(dates: Sequence[DateMention]) -> list[DateMention]:
    """The dates of a sentence that set the time it speaks of (not the baseline of a comparison)."""
    return [d for d in dates if d.kind in _SETTING_KINDS]


def frames(sentences: Sequence[Sentence], dates_of: Callable[[int], Sequence[DateMention]]) -> list[Frame | None]:
    """The frame of every sentence (see :func:`walk`)."""
    return [frame for frame, _ in walk(sentences, dates_of)]


def walk(sentences: Sequence[Sentence], dates_of: Callable[[int], Sequence[DateMention]]
         ) -> Iterator[tuple[Frame | None, Frame | None]]:
    """For each sentence in order, its frame and the last frame an earlier sentence set with a resolved
    date of its own. A generator, so a reader that needs the frames of the first sentences only reads
    the dates of those.

    - a sentence with a date of its own is framed by its last setting date (OWN); a date that is the other
      side of a comparison ("in the same period of 2022") frames its own sentence only;
    - else by the last setting date earlier in its paragraph (PARAGRAPH);
    - else by the last period (not a single day: lexicon ``lead_precisions``) named in the heading or
      lead (the first ``lead_lines`` non-blank lines), which holds for the whole article (LEAD);
    - else it has none.
    ``dates_of(i)`` gives the dates of sentence ``i`` (read once by the caller's document).
    """
    lx = _lexicon()
    lead: Frame | None = None
    paragraph: Frame | None = None
    last_set: Frame | None = None
    line = -1
    for i, s in enumerate(sentences):
        if s.line_index != line:
            line, paragraph = s.line_index, None
        own = setting_dates(dates_of(i)) if _may_have_dates(s.text) else []
        if own and compared_only(s.text, own):
            yield Frame(own[-1], OWN, i), last_set  # the compared side: the paragraph's time stays as it was
        elif own:
            frame = Frame(own[-1], OWN, i)
            paragraph = replace(frame, origin=PARAGRAPH)
            if s.line_index < lx.lead_lines:
                periods = [d for d in own if d.precision in lx.lead_precisions and d.start is not None]
                if periods:
                    lead = Frame(periods[-1], LEAD, i)
            yield frame, last_set
            if frame.date.start is not None:
                last_set = frame
        else:
            yield paragraph or lead, last_set


def compared_only(text: str, own: Sequence[DateMention]) -> bool:
    """Every one of a sentence's setting dates is the other side of a comparison ("In the same period of
    2023, 2,140 were reported"): they date the sentence, not the time its paragraph speaks of."""
    lx = _lexicon()
    return bool(own) and all(lx.comparison.search(text, max(0, d.char_start - 60), d.char_start) for d in own)


@cache
def referring_back(nouns: tuple[str, ...]) -> re.Pattern[str] | None:
    """A definite noun phrase that points back to what was told before ("the measure", "esta medida"), for
    ``nouns``; matched in accent-folded text (``nouns`` are folded here). None for no nouns."""
    if not nouns:
        return None
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    determiners = "|".join(re.escape(w) for w in data["definite_determiners"])
    words = "|".join(re.escape(fold(n).lower()) for n in nouns)
    return re.compile(rf"\b(?:{determiners})\s+(?:{words})\b", re.IGNORECASE)


_DIGIT_OR_WORD = re.compile(r"\d|[^\W\d_]{3,}")


def _may_have_dates(text: str) -> bool:
    return _DIGIT_OR_WORD.search(text) is not None


def find_anaphors(text: str, frame_at: Callable[[int], Frame | None],
                   published: PublicationDate) -> list[DateMention]:
    """Words of ``text`` that point back to an earlier time, resolved against the frame in force where
    they stand (``frame_at(offset)``), left to right.

    Each is a :class:`DateMention` with offsets into ``text``; ``basis`` is ``inferred`` (taken from
    the discourse), ``kind`` is ``point`` for "that year" / "since then" and ``baseline`` for the year
    before ("the same period last year": the comparison side of a change). With no resolved frame,
    start and end are None and the words are kept.
    """
    lx = _lexicon()
    out = []
    for m in lx.pattern.finditer(text):
        kind = lx.kinds[" ".join(m.group(0).lower().split())]
        frame = frame_at(m.start())
        start, end, precision = _resolve(kind, frame.date if frame else None, published)
        out.append(DateMention(m.group(0), m.start(), m.end(), start, end, precision, "inferred",
                               "baseline" if kind == "year_before" else "point"))
    return out


def _resolve(kind: str, d: DateMention | None, published: PublicationDate
             ) -> tuple[dt.date | None, dt.date | None, str]:
    if d is None or d.start is None or d.end is None:
        return None, None, "unknown"
    if kind == "same":
        return d.start, d.end, d.precision
    if kind == "year_before":
        return _year_back(d.start), _year_back_end(d.end), d.precision
    # since: from the frame's start to the day of publication (or the frame's end if publication is unknown)
    end = published.end if published.end is not None and published.end >= d.start else d.end
    return d.start, end, "range"


def _year_back(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else dt.date(day.year - 1, 2, 28)


def _year_back_end(day: dt.date) -> dt.date:
    """The same day a year earlier; a month's last day stays a month's last day (29 February)."""
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day == last:
        return dt.date(day.year - 1, day.month, calendar.monthrange(day.year - 1, day.month)[1])
    return _year_back(day)
