"""Article text -> rows of the events table (pure).

1. Read: page furniture is skipped (``text.furniture``); triggers come from the
   cues of ``schemas/vocab/event_types.yaml`` (``event_vocab.read_article``, one
   pass over the article, which drops hypotheses, denials, opinions, trends and
   lists of kinds of violence).
2. Mentions: each sentence with triggers gives one mention per type (or per
   distinct date) with the date of the trigger's clause (``dates.find_dates``),
   its place (``places.find_places``), its actors (``text.actors``) and a stated
   death toll.
3. Merge: mentions of one event (a paragraph and a caption, "the decree" after
   "a state of emergency") become one row that keeps the most precise date, the
   richest place and the most informative sentence as its quote.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from pipeline.extract.event_vocab import SentenceReading, Trigger, event_types_data, read_article, vocabulary
from pipeline.ids import make_id
from pipeline.text.actors import ActorMention
from pipeline.text.cues import fold
from pipeline.text.dates import DateMention, PublicationDate
from pipeline.text.discourse import OWN, referring_back
from pipeline.text.document import Document
from pipeline.text.places import PlaceMention
from pipeline.text.sentences import Sentence

COLUMNS = (
    "event_id", "source_id", "event_type", "date_start", "date_end", "date_precision", "date_text",
    "date_basis", "country_code", "admin1", "place", "actors", "fatalities", "summary", "quote",
    "char_start", "char_end",
)
PRECISIONS = frozenset({"day", "weekend", "month", "year", "decade", "range", "unknown"})
BASES = frozenset({"explicit", "relative", "inferred", "unknown"})
SUMMARY_MAX = 200
# How surely a mention's place is where the event happened.
LOCATED_SUBJECT, LOCATED_FINE_PLACE, LOCATED_AFTER_PREPOSITION = 1, 2, 3
BACKGROUND_DAYS = 180  # an event that ended this long before publication is background, not news
NEARBY = 2  # sentences apart that still read as the same event without a shared place or actor

_NOT_EVENT_DATES = frozenset({"baseline", "fiscal"})  # comparison sides and fiscal years belong to statistics
_LOCATIVE = re.compile(r"(?:\b(?:in|at|inside|near|outside|across|into|to|toward|towards|en|hacia)\s+"
                       r"(?:the\s+|la\s+|el\s+)?)$", re.IGNORECASE)
# A country opening its clause, perhaps after an article or one adjective ("Neighbouring Peru declared").
_SUBJECT = re.compile(r"(?:^|[,;:—]\s*|\b(?:and|but|while|as|when)\s+)(?:the\s+)?(?-i:[A-Z][a-z]+\s+)?$",
                      re.IGNORECASE)
# "QUITO, Jan 10 (Reuters) -": the dateline's date is the publication's, not an event's.
_DATELINE = re.compile(r"^[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'-]{2,}(?:,[^()\n—–]{0,40})?\s*(?:\([^)]{2,40}\))?"
                       r"\s*[—–-]+\s")
_DEFINITE = re.compile(r"\b(?:the|this|that|el|la|este|esta)\s+$", re.IGNORECASE)
# "the escape of Fito", "el asesinato de Villavicencio": a name after "of" makes the phrase a first,
# specific mention, not a reference back to an event already told.
# Up to two lower-case words may come first ("of gang leader Fito"), but no preposition ("of inmates
# from Guayaquil" names a place, not the event's subject).
_OF_NAME = re.compile(r"\s+(?:of|de(?:l)?)\s+(?:(?:the|its|his|her|their|la|el|su)\s+)?"
                      r"(?:(?!(?:from|in|at|on|to|into|en|desde|a)\b)[a-záéíóúñ-]+\s+){0,2}[\"“]?[A-ZÁÉÍÓÚÑ]")
_WHEN = re.compile(r"[\s,]*(?:when|cuando)\b", re.IGNORECASE)
_GAP = re.compile(r"[\s,]*")
_ORIGIN = re.compile(r"\bfrom\s+(?:the\s+)?$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PLACE_RANK = {"facility": 3, "city": 2, "admin1": 1, "country": 0}


# ---------------------------------------------------------------- mentions and events


@dataclass
class Mention:
    """One sentence's report of an event of one type."""

    type: str
    kind: str  # cue | anaphor | caption
    sentence: Sentence
    index: int  # position among the article's content sentences
    trigger: tuple[int, int]
    date: DateMention | None = None
    places: list[PlaceMention] = field(default_factory=list)
    located: int = 0  # how surely the places say where it happened (LOCATED_*; 0: they do not)
    actors: list[str] = field(default_factory=list)
    fatalities: int | None = None
    summary: str = ""
    aspect: str | None = None  # "extension": renews an earlier act of its type (never the same event)
    inherited: bool = False  # the date is the discourse's (the sentence's context), not the sentence's own

    @property
    def own_date(self) -> DateMention | None:
        """The date the mention's own words give (None when it only inherited one)."""
        return None if self.inherited else self.date


@dataclass
class Event:
    """Mentions merged into one event."""

    type: str
    mentions: list[Mention]

    def date(self) -> DateMention | None:
        """The most precise date its mentions state; else the one they inherit from their context."""
        dated = ([m.date for m in self.mentions if m.own_date is not None]
                 or [m.date for m in self.mentions if m.date is not None])
        return min(dated, key=_date_rank) if dated else None

    def own_date(self) -> DateMention | None:
        """The most precise date its mentions state in their own words."""
        dated = [m.date for m in self.mentions if m.own_date is not None]
        return min(dated, key=_date_rank) if dated else None

    def place_names(self) -> set[str]:
        return {name for m in self.mentions for name in _fine_place_names(m)}

    def countries(self, surely: int = LOCATED_SUBJECT) -> set[str]:
        """Countries where its mentions place it at least this surely (LOCATED_*)."""
        return {p.country_code for m in self.mentions if m.located >= surely
                for p in m.places if p.country_code}

    def people(self) -> set[str]:
        return {a for m in self.mentions if m.kind == "cue" for a in m.actors}


def _date_rank(d: DateMention) -> tuple[int, int]:
    """Sort key: resolved dates first, then the shortest interval."""
    if d.start is None or d.end is None:
        return (1, 0)
    return (0, (d.end - d.start).days)


# ---------------------------------------------------------------- entry point


def extract_events(doc: Document, source_id: str) -> list[dict[str, Any]]:
    """Every distinct event of the article read into ``doc``, as rows with the columns of
    schemas/events.yaml."""
    sentences, published = doc.sentences, doc.published
    tokens = doc.tokens
    folded = tokens.text
    places = doc.places
    actors = doc.actors
    # (a person who tells the news is no victim or party to it: "according to Commander Zapata, five were killed")
    person_spans = [(a.start, a.end) for a in actors if a.kind == "person" and not _source(doc.text, a)]
    main_country = _main_country(places)
    captions = doc.captions

    content = [(i, s) for i, s in enumerate(sentences) if i not in doc.furniture]
    readings = read_article(tokens, [(s.start, s.end) for _, s in content], person_spans)
    mentions: list[Mention] = []
    anchor: DateMention | None = None  # the day of the last event told so far
    told: dict[str, DateMention] = {}  # the day of the last event of each type told so far
    caption_pool: list[tuple[int, int]] = []
    place_starts, actor_starts = [p.char_start for p in places], [a.start for a in actors]
    for index, ((i, s), reading) in enumerate(zip(content, readings, strict=True), start=1):
        if not reading.triggers:
            if i in captions:
                caption_pool.append((index, i))
            continue
        s_places = places[bisect_left(place_starts, s.start):bisect_left(place_starts, s.end)]
        s_actors = actors[bisect_left(actor_starts, s.start):bisect_left(actor_starts, s.end)]
        found = _sentence_mentions(doc, i, index, reading, s_places, s_actors, folded, anchor, told)
        mentions += found
        days = [(m.type, m.date) for m in found if m.date is not None and m.date.start is not None
                and m.date.start == m.date.end]
        anchor = days[0][1] if days else anchor
        told.update(reversed(days))  # a type's first day in the sentence, as for the anchor

    events = _merge(mentions, published, main_country)
    for index, i in caption_pool:
        _link_caption(events, index, doc, i, places, folded)
    return _rows(events, source_id, main_country)


# ---------------------------------------------------------------- one sentence


def _sentence_mentions(doc: Document, i: int, index: int, reading: SentenceReading,
                       s_places: list[PlaceMention], s_actors: list[ActorMention],
                       folded: str, anchor: DateMention | None, told: dict[str, DateMention]) -> list[Mention]:
    """The mentions of sentence ``i`` (with its places and actors): one per type, or one per distinct
    date when a type has several. ``anchor``: the day of the last event told before it, if any; ``told``:
    the day of the last event of each type told before it."""
    s = doc.sentences[i]
    dateline = _DATELINE.match(s.text)
    dates = [d for d in doc.dates(i)
             if d.kind not in _NOT_EVENT_DATES and not (dateline and d.char_start < dateline.end())
             and not _reporting_date(s.text, d)]
    # The dateline's place is where the story was filed ("QUITO, Ecuador (AP) -"), not an event's.
    after = s.start + (dateline.end() if dateline else 0)
    s_places = [p for p in s_places if p.char_end <= s.end and p.char_start >= after]
    s_actors = [a for a in s_actors if a.end <= s.end]
    cue_types = {t.type for t in reading.triggers if t.kind == "cue"}
    triggers = [t for t in reading.triggers if t.kind == "cue" or t.type not in cue_types]
    # An organisation named as a location ("at the Pentagon") is a place there, not an actor.
    s_actors = [a for a in s_actors if a.kind == "person"
                or not _LOCATIVE.search(folded[max(0, a.start - 20):a.start])]
    actor_types = _assign_actors(s_actors, triggers)

    out: list[Mention] = []
    # One mention per type, aspect ("otro escape" after "la fuga" is another escape) and date.
    for type_id, aspect in dict.fromkeys((t.type, t.aspect) for t in triggers):
        own = [t for t in triggers if t.type == type_id and t.aspect == aspect]
        dated = [_trigger_date(s, t, reading, dates, triggers) for t in own]
        for ts, d in _group_by_date(own, dated):
            first = ts[0]
            inherited = d is None and first.kind == "cue"
            d = d if not inherited else _context_date(doc, i, dates, alone=len(set(t.type for t in triggers)) == 1)
            if inherited and d is None:
                d = _after_act(s, first, anchor, folded)  # "La decisión se dio un día después de que decretara ..."
            if inherited and d is None:
                d = _right_after(s, first, triggers, told)  # "regained control right after the riot"
            d = _offset(s, first, d)
            if d is not None and d.precision != "day" and any(_counted_incidents(doc, i, t) for t in ts):
                continue  # "the seven massacres since 2021", "12 attacks in March": incidents counted over a span
            if d is not None and not inherited and _cumulative(doc, i, d):
                continue  # "15 judges have been killed since 2022": a running total, a statistic
            located, where = _mention_places(s, first, reading, _claimed(s_places, first, triggers), s_actors,
                                             folded)
            m = Mention(
                type=type_id,
                kind=first.kind,
                sentence=s,
                index=index,
                trigger=(first.start, first.end),
                date=d,
                places=where,
                located=located,
                actors=[a for a, ty in actor_types if ty == type_id] if first.kind == "cue" else [],
                fatalities=_fatalities(doc, i, reading, first) if vocabulary().types[type_id].fatalities else None,
                summary=_summary(s, reading, first),
                aspect=first.aspect,
                inherited=inherited and d is not None,
            )
            out.append(m)
    return out


_SINCE = re.compile(r"(?i)\b(?:since|desde)\s+(?:(?:el|la|los|inicios?\s+de|principios\s+de|the\s+(?:start|beginning)"
                    r"\s+of)\s+)?$")
_SO_FAR = re.compile(r"(?i)\b(?:so\s+far|to\s+date|lo\s+que\s+va|hasta\s+la\s+fecha|hasta\s+ahora)\b")


def _cumulative(doc: Document, i: int, d: DateMention) -> bool:
    """The sentence counts a running total of two or more since a time ("15 judges have been killed since
    2022", "en lo que va del año, 300 detenidos"): what it tells is a statistic, not one event."""
    s = doc.sentences[i]
    running = (_SINCE.search(s.text, max(0, d.char_start - 30), d.char_start) is not None
               or _SO_FAR.search(d.date_text) is not None)  # (the date itself: "so far this year")
    return running and any(n.unit == "count" and n.value >= 2 for n in doc.numbers(i))


_SOURCE_BEFORE = re.compile(r"(?i)\b(?:according\s+to|seg[uú]n|told|said|dijo|afirm[oó]|inform[oó]|indic[oó]|"
                            r"explic[oó]|señal[oó]|declar[oó]\s+a)\s+(?:[\w.'’-]+\s+){0,4}$")
_SOURCE_AFTER = re.compile(r"(?i),?\s*(?:said|says|told|dijo|afirm[oó]|inform[oó]|indic[oó]|explic[oó]|señal[oó])\b")


def _source(text: str, a: ActorMention) -> bool:
    """The person is named as who tells the news ("according to Commander Zapata", "X said", "dijo X")."""
    return (_SOURCE_BEFORE.search(text, max(0, a.start - 60), a.start) is not None
            or _SOURCE_AFTER.match(text, a.end) is not None)


_WORDS_BETWEEN = re.compile(r"\s+(?:[\w'’-]+\s+){0,2}")


def _counted_incidents(doc: Document, i: int, t: Trigger) -> bool:
    """The trigger is a plural event noun counted by a number of two or more right before it ("seven
    massacres", "12 ataques armados")."""
    s = doc.sentences[i]
    a, b = t.start - s.start, t.end - s.start
    if not s.text[a:b].lower().endswith("s"):
        return False
    return any(n.unit == "count" and n.value >= 2 and n.unit_end <= a
               and _WORDS_BETWEEN.fullmatch(s.text, n.unit_end, a) is not None for n in doc.numbers(i))


# "un día después de registrarse un motín", "two days after the riot": the event so introduced lies that many
# days before (after) the date of the sentence's main event.
_OFFSET = re.compile(r"(?i)\b(?P<n>un|una|one|a|two|dos|three|tres|\d{1,2})\s+(?:d[ií]as?|days?)\s+"
                     r"(?P<dir>despu[eé]s|antes|after|before)\s+(?:de\s+)?(?:que\s+)?(?:[\w'-]+\s+){0,3}$")
_OFFSET_COUNTS = {"un": 1, "una": 1, "one": 1, "a": 1, "two": 2, "dos": 2, "three": 3, "tres": 3}
# A short gap: "poco después de que hombres armados irrumpieron", "hours after gunmen stormed", "right after".
_SOON = (r"(?:shortly|just|right|poco|hours|horas|minutes|minutos|moments|momentos)\s+"
         r"(?:despu[eé]s|antes|after|before)")
_SHORTLY = re.compile(rf"(?i)\b{_SOON}\s+(?:de\s+)?(?:que\s+)?(?:[\w'-]+\s+){{0,6}}$")  # ... right before a trigger
# Words that put one event right after another: with them, "after the riot" is the riot's day.
_IMMEDIATELY = re.compile(rf"(?i)\b(?:immediately|shortly|inmediatamente|enseguida|{_SOON})\b")


def _offset(s: Sentence, t: Trigger, d: DateMention | None) -> DateMention | None:
    """The date of a trigger that a counted sequence phrase sets before or after the sentence's date."""
    if d is None or d.start is None or d.end is None or d.start != d.end:
        return d
    a = t.start - s.start
    m = _OFFSET.search(s.text, max(0, a - 80), a)
    if m is None or d.char_start >= m.start():
        return d  # no counted phrase, or the date is the introduced event's own
    n = m.group("n").lower()
    days = int(n) if n.isdigit() else _OFFSET_COUNTS[n]
    sign = -1 if m.group("dir").lower() in ("después", "despues", "after") else 1
    day = d.start + dt.timedelta(days=sign * days)
    return replace(d, start=day, end=day, basis="inferred")


def _after_act(s: Sentence, t: Trigger, anchor: DateMention | None, folded: str) -> DateMention | None:
    """The day of the act told before (``anchor``) for a trigger this sentence introduces with a counted or
    a short sequence phrase after a subject that names that act ("The decision came a day after the riot",
    "La medida se dio poco después de que ..."); None otherwise. (``_offset`` then counts the days.)"""
    act = _act_anaphor()
    if anchor is None or act is None:
        return None
    a = t.start - s.start
    phrase = _OFFSET.search(s.text, max(0, a - 80), a) or _SHORTLY.search(s.text, max(0, a - 80), a)
    if phrase is None or not act.search(folded, s.start, s.start + phrase.start()):
        return None
    return _borrowed(anchor)


def _right_after(s: Sentence, t: Trigger, triggers: list[Trigger], told: dict[str, DateMention]
                 ) -> DateMention | None:
    """The day of an event told before that this sentence says the trigger's event followed at once
    ("police regained control immediately after the riot", "inmediatamente después del motín"): another
    trigger of the sentence, introduced by a sequence word, of a type whose last event told had that day."""
    if not _IMMEDIATELY.search(s.text):
        return None
    for x in triggers:
        if x.type != t.type and x.type in told and _in_sequence(s, x):
            return _borrowed(told[x.type])
    return None


def _borrowed(d: DateMention) -> DateMention:
    """Another sentence's date for this one: inferred, and no span of this sentence's words."""
    return replace(d, char_start=0, char_end=0, basis="inferred")


@lru_cache(maxsize=1)
def _act_anaphor() -> re.Pattern[str] | None:
    return referring_back(tuple(event_types_data()["reading"]["act_anaphors"]))


def _reporting_date(text: str, d: DateMention) -> bool:
    """The date of the report, not of the event: "police said on Saturday", "informó este lunes"."""
    return _reporting_patterns()[0].search(text, 0, d.char_start) is not None or (
        _reporting_patterns()[1].match(text, d.char_end) is not None)


@lru_cache(maxsize=1)
def _reporting_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a reporting verb right before a date, right after it), from event_types.yaml ``reporting_verbs``."""
    words = event_types_data()["reading"]["reporting_verbs"]
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return (re.compile(rf"(?i)\b(?:{alt})(?:\s+\w+)?\s+(?:on\s+|el\s+|este\s+|esta\s+|this\s+)?$"),
            re.compile(rf"(?i),?\s+(?:{alt})\b(?!\s+(?:that|que)\b)"))


def _context_date(doc: Document, i: int, dates: list[DateMention], alone: bool) -> DateMention | None:
    """The date an undated report of an event takes from its context (the discourse frame): its own
    sentence's day when its clause rules kept it from the trigger and no other event of the sentence may
    own it (``alone``: "27 inmates were found dead Sunday at a prison where a riot ..."), else the last
    date of its paragraph, or the period of the lead. Nothing without a publication date: relative
    words then resolve to nothing."""
    frame = doc.frame(i)
    if frame is not None and frame.origin == OWN:
        days = [d for d in dates if d.precision in ("day", "weekend") and d.start is not None]
        if days:
            return replace(days[-1], basis="inferred") if alone else None
        frame = doc.previous_frame(i)
        if frame is not None and frame.origin == OWN and frame.sentence != i - 1:
            frame = None
    if frame is None or frame.date.start is None or frame.date.kind in _NOT_EVENT_DATES:
        return None
    return replace(frame.date, basis="inferred")


def _group_by_date(triggers: list[Trigger], dates: list[DateMention | None]
                   ) -> list[tuple[list[Trigger], DateMention | None]]:
    """Triggers of one type in one sentence: one group per distinct date ("February's first-round
    election ahead of an April runoff" is two elections); undated triggers join the first group."""
    groups: list[tuple[list[Trigger], DateMention | None]] = []
    undated: list[Trigger] = []
    for t, d in zip(triggers, dates, strict=True):
        same = next((g for g in groups if d is not None and _same_date(g[1], d)), None)
        if same:
            same[0].append(t)
        elif d is not None:
            groups.append(([t], d))
        else:
            undated.append(t)
    if not groups:
        return [(undated, None)]
    groups[0] = (sorted(groups[0][0] + undated, key=lambda t: t.start), groups[0][1])
    return groups


def _same_date(a: DateMention | None, b: DateMention) -> bool:
    if a is None:
        return False
    return (a.start, a.end, a.date_text) == (b.start, b.end, b.date_text) or (
        a.start is not None and a.start == b.start and a.end == b.end)


def _trigger_date(s: Sentence, t: Trigger, reading: SentenceReading, dates: list[DateMention],
                  triggers: list[Trigger]) -> DateMention | None:
    """The date of a trigger: the nearest in its clause; else, for a cue, one in a clause with no other
    trigger and no other number (an introductory "On Tuesday, ..." but not a statistic's period).
    A date nearer to a trigger of another type is that one's ("talks on Thursday, the first visit since
    the country declared a conflict in January"), unless no other date is left ("gunmen stormed a
    prison on Tuesday, freeing inmates": both happened on Tuesday)."""
    def dist(d: DateMention, x: Trigger = t) -> int:
        a, b = s.start + d.char_start, s.start + d.char_end
        return max(a - x.end, x.start - b, 0)

    others = [x for x in triggers if x.type != t.type]
    unclaimed = [d for d in dates if all(dist(d) <= dist(d, x) for x in others)]
    if not unclaimed:  # every date is nearer another trigger: shared, unless that one is set apart in time
        unclaimed = [d for d in dates if not any(dist(d, x) < dist(d) and _in_sequence(s, x) for x in others)]
    own = [d for d in unclaimed if reading.clause_of(s.start + d.char_start) == t.clause]
    if own:
        return min(own, key=dist)
    if t.kind != "cue":
        return None
    # "since January 2024, when Noboa declared ...": the date is what the when-clause hangs on.
    a, _ = reading.clause_span(t.clause, s.end)
    clause = s.text[a - s.start:]
    if _WHEN.match(clause):
        before = [d for d in dates if _GAP.fullmatch(s.text[d.char_end:a - s.start])]
        if before:
            return before[-1]
    busy = {x.clause for x in triggers}
    free = []
    for d in dates:
        c = reading.clause_of(s.start + d.char_start)
        if c in busy:
            continue
        a, b = reading.clause_span(c, s.end)
        clause_text = s.text[a - s.start:d.char_start] + s.text[d.char_end:b - s.start]
        if not re.search(r"\d", clause_text):
            free.append(d)
    return min(free, key=dist) if free else None


def _claimed(places: list[PlaceMention], t: Trigger, triggers: list[Trigger]) -> list[PlaceMention]:
    """The places of the sentence that are not nearer to a trigger of another type (all of them when
    every one is: "armed men stormed a prison in Guayaquil, freeing inmates")."""
    def dist(p: PlaceMention, x: Trigger) -> int:
        return max(p.char_start - x.end, x.start - p.char_end, 0)

    others = [x for x in triggers if x.type != t.type]
    return [p for p in places if all(dist(p, t) <= dist(p, x) for x in others)] or places


def _assign_actors(actors: list[ActorMention], triggers: list[Trigger]) -> list[tuple[str, str]]:
    """Each actor of the sentence goes to the type of its nearest cue (all mentions of that type in
    the sentence share it): "won ... following the impeachment of X" gives X to the impeachment."""
    cues = [t for t in triggers if t.kind == "cue"]
    out: list[tuple[str, str]] = []
    for a in actors:
        if not cues:
            break
        nearest = min(cues, key=lambda t: max(a.start - t.end, t.start - a.end, 0))
        if (a.name, nearest.type) not in out:
            out.append((a.name, nearest.type))
    return out


def _mention_places(s: Sentence, t: Trigger, reading: SentenceReading, places: list[PlaceMention],
                    actors: list[ActorMention], folded: str) -> tuple[int, list[PlaceMention]]:
    """Where the event happened, as far as the sentence tells, and how surely (``LOCATED_*``).

    Best first: a place after "in", "at", "to"; a facility or city; a country that is the subject of
    the clause ("Ecuador expelled ...", "Colombia's president ..."; not for aid, whose subject is the
    giver).  Other country names ("U.S. solidarity") and demonyms say who, not where.  Finer places of
    the same country follow the best one ("the Zonal 8 prison" and "Guayaquil").  The trigger's own
    clause comes first; an anaphor ("the vote comes after ... in Quito") takes places from it alone.
    """
    recipient = vocabulary().types[t.type].place == "recipient"
    scored = []
    for p in places:
        own_clause = reading.clause_of(p.char_start) == t.clause
        if t.kind != "cue" and not own_clause:
            continue
        before = folded[max(s.start, p.char_start - 12):p.char_start]
        if p.demonym or _ORIGIN.search(before):
            continue  # "Mexican", "from the United States": who, not where
        if any(a.start <= p.char_start and p.char_end <= a.end for a in actors):
            continue  # inside a name ("U.S. Air Force", "Ecuador's Ministry of ...")
        if p.kind not in _PLACE_RANK:
            continue  # a region ("Latin America") is too wide to say where
        subject = bool(_SUBJECT.search(folded[s.start:p.char_start]))
        to = _LOCATIVE.search(before)
        if to and _DESTINATION_TO.search(to.group()) and _sends_abroad(folded[t.start:t.end]):
            continue  # "extradited ... to the United States": where he was sent, not where it happened
        if to:
            level = LOCATED_AFTER_PREPOSITION
        elif recipient and subject:
            level = 0  # "Washington pledged ...": the giver, not where the aid goes
        elif p.kind != "country":
            level = LOCATED_FINE_PLACE
        elif subject:
            level = LOCATED_SUBJECT
        else:
            level = 0
        scored.append((own_clause, level, -max(p.char_start - t.end, t.start - p.char_end, 0), p))
    if not scored:
        return 0, []
    _, level, _, best = max(scored, key=lambda c: c[:3])
    same = [p for *_, p in scored if p.country_code == best.country_code and p.kind != "country"]
    return level, [best, *[p for p in same if p is not best]]


# A clause that opens on the event told before it, where its toll is often stated
_TOLL_CLAUSE = re.compile(r"(?:,\s*|\s)(?:(?:in|during)\s+which|where|(?:which|that)\s+left|"
                          r"(?:en|durante)\s+(?:el|la|los|las)\s+(?:que|cual(?:es)?)|donde|que\s+dej[oó])\b",
                          re.IGNORECASE)


def _fatalities(doc: Document, i: int, reading: SentenceReading, t: Trigger) -> int | None:
    """A death toll stated in the trigger's clause ("killing at least 10 people", "five inmates dead"), or
    in the relative clause right after it ("a riot, in which 12 inmates died")."""
    s = doc.sentences[i]
    any_word, after_words, lead_words = _fatality_patterns()
    folded = fold(s.text).lower()
    if not any_word.search(folded):
        return None  # no word of death in the sentence: no toll to read (and no numbers to parse)
    a, b = reading.clause_span(t.clause, s.end)
    if t.clause + 1 < len(reading.bounds):
        # (the clause starts at its relative word, after "in" or "en el")
        rel = _TOLL_CLAUSE.search(s.text, max(a, b - 16) - s.start, b - s.start + 16)
        if rel and rel.start() < b - s.start < rel.end():
            b = reading.clause_span(t.clause + 1, s.end)[1]  # "a massacre ..., in which 60 inmates were killed"
    # The toll nearest the trigger: "70 deaths in prisons in 2023, the worst a riot that left 31 dead" is the
    # riot's 31, not the year's 70.
    at = t.start - s.start
    tolls = [n for n in doc.numbers(i)
             if a <= s.start + n.start < b and n.unit in ("count", "other") and n.value == int(n.value)
             and (after_words.match(folded, n.unit_end) or lead_words.search(folded, 0, n.qualifier_start))]
    return int(min(tolls, key=lambda n: (abs(n.start - at), n.start)).value) if tolls else None


def _in_sequence(s: Sentence, x: Trigger) -> bool:
    """The trigger is introduced as another event before or after ("following the disappearance")."""
    return _sequence_pattern().search(s.text[max(0, x.start - s.start - 30):x.start - s.start]) is not None


@lru_cache(maxsize=1)
def _sequence_pattern() -> re.Pattern[str]:
    words = event_types_data()["reading"]["sequence_words"]
    alts = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in sorted(words, key=len, reverse=True))
    # the word, perhaps with a determiner, right before the trigger ("following the disappearance")
    return re.compile(rf"\b(?:{alts})\s+(?:(?:the|a|an|his|her|their|its|la|el|los|las|su|sus)\s+)?$",
                      re.IGNORECASE)


_DESTINATION_TO = re.compile(r"^(?:to|into|toward|towards|hacia)\b", re.IGNORECASE)


def _sends_abroad(trigger: str) -> bool:
    """The trigger sends people to another country (reading rule ``destination_triggers``)."""
    return _destination_pattern().match(trigger) is not None


@lru_cache(maxsize=1)
def _destination_pattern() -> re.Pattern[str]:
    data = event_types_data()["reading"]["destination_triggers"]
    alts = [re.escape(fold(w).lower().rstrip("*")) + (r"\w*" if w.endswith("*") else r"\b") for w in data]
    return re.compile(rf"(?:{'|'.join(alts)})", re.IGNORECASE)


@lru_cache(maxsize=1)
def _fatality_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(any word of death, words after a number that make it a death toll, words right before it)."""
    data = event_types_data()["reading"]

    def alt(key: str) -> str:
        return "|".join(re.escape(fold(w).lower()) for w in data[key])

    return (re.compile(rf"\b(?:{alt('fatality_words')}|{alt('fatality_lead_words')})\b"),
            re.compile(rf"\s*(?:[\w'-]+\s+){{0,3}}(?:{alt('fatality_words')})\b"),
            re.compile(rf"\b(?:{alt('fatality_lead_words')})\s+$"))


def _summary(s: Sentence, reading: SentenceReading, t: Trigger) -> str:
    """The trigger's clause, or the sentence when the clause is too short to stand alone."""
    a, b = reading.clause_span(t.clause, s.end)
    clause = s.text[a - s.start:b - s.start].strip(" ,;:—–-\"“”()")
    text = clause if len(clause) >= 40 else s.text
    if len(text) > SUMMARY_MAX:
        text = text[:SUMMARY_MAX].rsplit(" ", 1)[0] + "…"
    return text


# ---------------------------------------------------------------- merging


def _merge(mentions: list[Mention], published: PublicationDate, main_country: str | None) -> list[Event]:
    """Join mentions of one event: same type, compatible dates, places and people, and either the
    type's merge policy allows it anywhere in the article or the mentions are close or share details.

    An undated report ("inmates were holding guards hostage") tells current news; it does not join an
    event dated long before publication ("massacres since 2021") unless it refers back to it.  Far
    apart, a mention located in another country ("Neighbouring Peru declared a state of emergency")
    does not join an event that says nothing of where it was (so: in the article's main country)."""
    voc = vocabulary()
    events: list[Event] = []
    for m in mentions:
        if m.kind == "anaphor" and _names_its_subject(m):
            m = replace(m, kind="cue")  # "the escape of Fito": a first mention of its own event
        antecedent = _definite_antecedent(events, m)
        if antecedent is not None:  # "the raid" after "police raided the Mexican embassy"
            antecedent.mentions.append(replace(m, type=antecedent.type, kind="anaphor"))
            continue
        absorber = _absorber(events, m)
        if absorber is not None:  # "Hitmen shot him six times" right after "the mayor was killed"
            absorber.mentions.append(replace(m, type=absorber.type, kind="anaphor"))
            continue
        if _is_definite(m):  # "the escaped prisoners were recaptured by Wednesday": the escape told before
            earlier = next((e for e in reversed(events) if e.type == m.type), None)
            if earlier is not None:
                earlier.mentions.append(replace(m, kind="anaphor", date=None))
                continue
        same_type = [e for e in events if e.type == m.type and _compatible(e, m)]
        if m.kind == "anaphor":
            if same_type:
                same_type[-1].mentions.append(m)
            continue  # "the meeting" with nothing to refer to starts no event
        policy = voc.types[m.type].merge
        # One side undated (current news), the other dated long ago (background): two events, unless
        # the undated one follows right on ("In 2024 police raided the embassy. Mexico broke off ...").
        if m.own_date is None:
            same_type = [e for e in same_type if not _background(e.own_date(), published) or _adjacent(e, m)]
        elif _background(m.own_date, published):
            same_type = [e for e in same_type if e.own_date() is not None or _adjacent(e, m)]
        target = next((e for e in reversed(same_type) if _joins(e, m, policy, main_country)), None)
        if target:
            target.mentions.append(m)
        else:
            events.append(Event(m.type, [m]))
    return events


def _joins(e: Event, m: Mention, policy: str, main_country: str | None) -> bool:
    """Whether a compatible mention joins the event: anywhere in the article when the type's policy says
    so or one of them is the headline (it announces what the body tells), else only when nearby."""
    anywhere = policy == "article" or _is_headline(m) or any(_is_headline(x) for x in e.mentions)
    return (anywhere and _same_country(e, m, main_country)) or _nearby(e, m)


def _absorber(events: list[Event], m: Mention) -> Event | None:
    """An event of a type that absorbs this mention's type in an adjacent sentence (``absorbs_nearby``)
    and agrees with it: the mention tells part of that event."""
    types = vocabulary().types
    for e in reversed(events):
        if m.type in types[e.type].absorbs_nearby and _adjacent(e, m) and _compatible(e, replace(m, kind="anaphor")):
            return e
    return None


def _is_headline(m: Mention) -> bool:
    return m.index == 1 and m.sentence.is_line


def _adjacent(e: Event, m: Mention) -> bool:
    return any(abs(x.index - m.index) <= 1 for x in e.mentions)


def _same_country(e: Event, m: Mention, main_country: str | None) -> bool:
    """Both happened in one country, taking an unlocated one to be in the article's main country."""
    here = {p.country_code for p in m.places if p.country_code} if m.located else set()
    return (e.countries() or {main_country}) & (here or {main_country}) != set()


def _background(d: DateMention | None, published: PublicationDate) -> bool:
    """The date ends well before the article was published."""
    return bool(d and d.end and published.start and (published.start - d.end).days > BACKGROUND_DAYS)


def _is_definite(m: Mention) -> bool:
    """A one-word cue after "the" ("the raid", "the escaped inmates") names an event already told."""
    a = m.trigger[0] - m.sentence.start
    return (m.kind == "cue" and " " not in _trigger_text(m)
            and bool(_DEFINITE.search(fold(m.sentence.text[max(0, a - 8):a]))) and not _names_its_subject(m))


def _names_its_subject(m: Mention) -> bool:
    """The event noun is followed by "of" and a name: "the escape of Fito", "el asesinato de Villavicencio"."""
    return _OF_NAME.match(m.sentence.text, m.trigger[1] - m.sentence.start) is not None


def _definite_antecedent(events: list[Event], m: Mention) -> Event | None:
    """An earlier event of another type that a definite noun phrase names again: "the raid", "the attack"
    repeat the head word of its trigger, so they refer back rather than report a new event."""
    if not _is_definite(m):
        return None
    stem = _stem(_trigger_text(m))
    for e in reversed(events):
        if e.type == m.type:
            return None  # its own type: the ordinary merge rules decide
        for x in e.mentions:
            if stem in {_stem(w) for w in _trigger_text(x).split()}:
                return e
    return None


def _stem(word: str) -> str:
    """A crude English stem, enough to see "raid", "raids" and "raided" as one word."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _fine_place_names(m: Mention) -> set[str]:
    """Cities and facilities of a mention, by folded name."""
    return {fold(p.name).lower() for p in m.places if p.kind in ("city", "facility")}


def _trigger_text(m: Mention) -> str:
    """The trigger words of a mention, folded and lower-case."""
    a, b = m.trigger[0] - m.sentence.start, m.trigger[1] - m.sentence.start
    return fold(m.sentence.text[a:b]).lower()


def _compatible(e: Event, m: Mention) -> bool:
    """Nothing known about the two contradicts: dates overlap, same city or facility, same people, the same
    act (a declaration and its extension are two events)."""
    if m.kind == "cue" and any(x.kind == "cue" and x.aspect != m.aspect for x in e.mentions):
        return False
    d, md = e.own_date(), m.own_date
    if (d and md and d.start and md.start and d.end and md.end
            and (md.start > d.end or d.start > md.end)):
        return False
    if d and md and d.start is None and md.start is None and not _same_words(d.date_text, md.date_text):
        return False  # an undated article: "In May, gunmen ..." and "five killed at the weekend" are two events
    names = _fine_place_names(m)
    if names and e.place_names() and not names & e.place_names():
        return False
    # Only places stated as locations contradict: a clause-initial country ("Mexico broke off relations")
    # may be who acted rather than where.
    countries = {p.country_code for p in m.places if p.country_code and m.located >= LOCATED_FINE_PLACE}
    if countries and e.countries(LOCATED_FINE_PLACE) and not countries & e.countries(LOCATED_FINE_PLACE):
        return False
    # Different people make different killings or meetings; one decree or aid package (merged across the
    # article, and not defined by the people in it) names whoever it names.
    people = set(m.actors)
    et = vocabulary().types[e.type]
    if et.merge == "article" and not et.requires_person:
        return True
    return not (m.kind == "cue" and people and e.people() and not people & e.people())


_DATE_FILLER = re.compile(r"(?i)\b(?:on|in|at|during|the|this|last|past|el|la|los|las|este|esta|en|de|del|pasado|"
                          r"pasada)\b")


def _same_words(a: str, b: str) -> bool:
    """Two unresolved date expressions may name one time: one holds the other's words ("Sunday", "on
    Sunday night"; "January", "January 9")."""
    x, y = (set(_DATE_FILLER.sub(" ", fold(t).lower()).split()) for t in (a, b))
    return x <= y or y <= x


def _nearby(e: Event, m: Mention) -> bool:
    """Close in the text, or sharing a place, an actor or the exact day."""
    if any(abs(x.index - m.index) <= NEARBY for x in e.mentions):
        return True
    names = _fine_place_names(m)
    if names & e.place_names() or set(m.actors) & e.people():
        return True
    d, md = e.own_date(), m.own_date
    return bool(d and md and d.start and d.start == d.end == md.start == md.end)


# ---------------------------------------------------------------- captions


def _link_caption(events: list[Event], index: int, doc: Document, i: int,
                  places: list[PlaceMention], folded: str) -> None:
    """A caption without a trigger illustrates the event whose sentences share one of its salient
    words; it lends that event its finer date (inside the event's own interval) and its place."""
    s = doc.sentences[i]
    dates = [x for x in doc.dates(i)
             if x.kind not in _NOT_EVENT_DATES and x.start and x.end]
    if not dates:
        return

    def finer(e: Event) -> DateMention | None:
        d = e.own_date()  # (a caption refines a date the event states, not one it inherits)
        inside = [x for x in dates if d and d.start and d.end and d.start <= x.start and x.end <= d.end
                  and _date_rank(x) < _date_rank(d)]
        return min(inside, key=_date_rank) if inside else None

    candidates = [(e, finer(e)) for e in events]
    candidates = [(e, d) for e, d in candidates if d is not None]
    if not candidates:
        return
    words = _salient(s, places, folded)
    best: tuple[int, int, Event, DateMention] | None = None
    for e, d in candidates:
        shared = len(words & set().union(*(_salient(m.sentence, places, folded) for m in e.mentions)))
        if shared and (best is None or (shared, -_distance(e, index)) > best[:2]):
            best = (shared, -_distance(e, index), e, d)
    if best is None:
        return
    e, d = best[2], best[3]
    where = [p for p in places if s.start <= p.char_start and p.char_end <= s.end and not p.demonym]
    m = Mention(e.type, "caption", s, index, (s.start, s.start), d, where,
                located=LOCATED_FINE_PLACE if any(p.kind != "country" for p in where) else 0)
    if _compatible(e, m):
        e.mentions.append(m)


def _distance(e: Event, index: int) -> int:
    return min(abs(m.index - index) for m in e.mentions)


def _salient(s: Sentence, places: list[PlaceMention], folded: str) -> set[str]:
    """Content words of a sentence (accents folded, plural -s dropped), without country names."""
    stop = vocabulary().caption_stopwords
    text = folded[s.start:s.end]
    for p in places:  # blank out country names and demonyms: every sentence of the article shares them
        if s.start <= p.char_start < s.end and (p.kind == "country" or p.demonym):
            a, b = p.char_start - s.start, p.char_end - s.start
            text = text[:a] + " " * (b - a) + text[b:]
    out = set()
    for w in _WORD.findall(text):
        word = w.lower().removesuffix("'s")
        if len(word) >= 5 and word not in stop:
            out.add(word.removesuffix("s"))
    return out


# ---------------------------------------------------------------- rows


def _main_mention(e: Event) -> Mention:
    """The most informative sentence: a dated one first, then body over headline, then place and actors."""
    own = [m for m in e.mentions if m.kind == "cue"] or e.mentions

    def key(m: Mention) -> tuple:
        d = m.own_date  # (an inherited date says nothing of how informative the sentence is)
        rank = _date_rank(d) if d else (2, 0)
        place = max((_PLACE_RANK.get(p.kind, 0) + 1 for p in m.places), default=0)
        return (rank, m.sentence.is_line and not m.sentence.text.rstrip().endswith((".", "”", '"')), -place,
                -len(m.actors), m.index)

    return min(own, key=key)


def _place_fields(e: Event, main: Mention, main_country: str | None
                  ) -> tuple[str | None, str | None, str | None]:
    """country_code, admin1 and place of the event from its richest located mention; the article's
    main country when no mention says where it happened."""
    located = [m for m in e.mentions if m.located and m.places]
    if not located:
        return main_country, None, None

    def richness(m: Mention) -> tuple:
        return (max(_PLACE_RANK.get(p.kind, 0) for p in m.places), len(m.places), m is main)

    best = max(located, key=richness)
    first = best.places[0]
    country = first.country_code or main_country
    admin1 = next((p.admin1 or p.name for p in best.places if p.admin1 or p.kind == "admin1"), None)
    fine = sorted((p for p in best.places if p.kind in ("facility", "city")),
                  key=lambda p: -_PLACE_RANK[p.kind])
    place = ", ".join(dict.fromkeys(p.surface for p in fine)) or None
    return country, admin1, place


def _main_country(places: list[PlaceMention]) -> str | None:
    """The country the article is about: the one it mentions most."""
    counts = Counter(p.country_code for p in places if p.country_code)
    return counts.most_common(1)[0][0] if counts else None


def _rows(events: list[Event], source_id: str, main_country: str | None) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        main = _main_mention(e)
        d = e.date()
        country, admin1, place = _place_fields(e, main, main_country)
        actors = list(dict.fromkeys(a for m in e.mentions if m.kind == "cue" for a in m.actors))
        fatalities = main.fatalities if main.fatalities is not None else next(
            (m.fatalities for m in e.mentions if m.fatalities is not None), None)
        resolved = d is not None and d.start is not None
        rows.append({
            "_anchor": (main.sentence.start, main.trigger[0]),
            "source_id": source_id,
            "event_type": e.type,
            "date_start": d.start if resolved else None,
            "date_end": (d.end or d.start) if resolved else None,
            "date_precision": _precision(d) if resolved else "unknown",
            "date_text": d.date_text if d else None,
            "date_basis": (d.basis if d.basis in BASES else "unknown") if resolved else "unknown",
            "country_code": country,
            "admin1": admin1,
            "place": place,
            "actors": actors,
            "fatalities": fatalities,
            "summary": main.summary,
            "quote": main.sentence.text,
            "char_start": main.sentence.start,
            "char_end": main.sentence.end,
        })
    rows.sort(key=lambda r: r["_anchor"])
    ordinal: Counter[tuple[int, int]] = Counter()
    out = []
    for r in rows:
        span = (r["char_start"], r["char_end"])
        k = ordinal[span]
        ordinal[span] += 1
        # The id hangs on the main mention's span; a second event anchored in the same sentence
        # gets its ordinal as an extra part.
        parts = (source_id, *span) if k == 0 else (source_id, *span, k)
        del r["_anchor"]
        out.append({"event_id": make_id("ev", *parts), **r})
    return [{c: r[c] for c in COLUMNS} for r in out]


def _precision(d: DateMention) -> str:
    if d.precision in PRECISIONS:
        return d.precision
    return "range" if d.start != d.end else "day"

