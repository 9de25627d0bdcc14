"""Event type vocabulary and the reading of triggers in one sentence (pure).

``schemas/vocab/event_types.yaml`` holds every word this module acts on: the cues
of each type, and the reading rules that tell a reported occurrence from a
hypothesis, a denial, an opinion, a trend or a list of kinds of violence.  The
code knows no event type by name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.text.cues import CueHit, CueIndex, Tokens, fold

EVENT_TYPES_YAML = Path(__file__).resolve().parents[2] / "schemas" / "vocab" / "event_types.yaml"
PERSON = "PERSON"
ASPECT_REACH_BACK = 6  # words before a cue where its aspect may stand ("the second time he has extended")
HEDGE_REACH_BACK = 3  # words before a hedge it still governs (its subject: "military crackdowns might")

_CLAUSE_PUNCT = re.compile(r"[;:—–()\[\]?!]|\s-\s|,\s+(?=[\"“]?(?:and|but|or)\b)")
_STRONG_BREAK = re.compile(r"[;—–]|\s-\s")
_SEPARATOR = re.compile(r",\s+|\s+(?:and|or|y|o|as well as)\s+")
_BASE_SUFFIX = re.compile(r"(?:s|ed|ing|ion|ions|ment|ments|ure|ures|al|als)$")
_INFINITIVE_ES = re.compile(r"(?:ar|er|ir)(?:l[oa]s?|se)?$")  # a Spanish infinitive, perhaps with a pronoun
_WORDS = re.compile(r"[^\W_][\w'’-]*")


@dataclass(frozen=True)
class EventType:
    """One entry of the vocabulary with the rules the extractor applies to it."""

    id: str
    priority: int
    merge: str  # article | nearby
    absorbs: frozenset[str]
    requires: CueIndex | None
    requires_person: bool
    requires_within: int | None
    tolerates: frozenset[str]
    fatalities: bool
    place: str  # where | recipient: whose country a clause-initial country name is
    aspects: CueIndex | None = None  # data: aspect name ("extension"): words in the clause that make it another act
    absorbs_nearby: frozenset[str] = frozenset()  # types whose mentions in a sentence next to it are it


@dataclass(frozen=True)
class Vocabulary:
    """Event types, their triggers and the shared reading rules, compiled."""

    types: dict[str, EventType]
    triggers: CueIndex  # data: (type id, "cue" | "anaphor")
    reading: CueIndex  # data: (rule, cue text)
    suffix_re: re.Pattern[str] | None  # words ending as a hedge or a negation ("they'll", "wasn't")
    caption_stopwords: frozenset[str]
    completed_before_to: re.Pattern[str] | None  # "voted to" + verb cue: the act happened
    aside_openers: frozenset[str] = frozenset()  # ", who ... ," : a clause set off by commas ends at the next one
    new_event: re.Pattern[str] | None = None  # "another", "otra", "a new" right before a cue: not one told before
    quantified: re.Pattern[str] | None = None  # "several", "varias" right before a plural cue: a category
    spread: re.Pattern[str] | None = None  # "in several operations", "en varios operativos": many events told as one
    background: re.Pattern[str] | None = None  # "amid", "en medio de" right before a plural cue: background
    consequence: re.Pattern[str] | None = None  # "triggered", "desató": what follows is an event of its own
    # cue word -> nouns shortly before which give it another sense ("images captured by a reporter")
    other_senses: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Trigger:
    """A trigger that survived the reading rules; offsets are article offsets."""

    type: str
    kind: str  # cue | anaphor
    start: int
    end: int
    clause: int  # index of its clause in the sentence
    distinct: bool = False  # no other type of the sentence absorbs it (a recapture told with the escape)
    aspect: str | None = None  # "extension": the act renews an earlier one of its type, a separate event


@dataclass(frozen=True)
class SentenceReading:
    """What the rules read in one sentence: its triggers and its clause boundaries."""

    triggers: list[Trigger]
    bounds: list[int]  # article offsets where clauses begin (first is the sentence start)

    def clause_of(self, pos: int) -> int:
        """Index of the clause that holds article offset ``pos``."""
        i = 0
        while i + 1 < len(self.bounds) and self.bounds[i + 1] <= pos:
            i += 1
        return i

    def clause_span(self, i: int, sentence_end: int) -> tuple[int, int]:
        """Article offsets of clause ``i``."""
        return self.bounds[i], self.bounds[i + 1] if i + 1 < len(self.bounds) else sentence_end


def _index(entries: list[tuple[str, Any]], lemmas: bool = True) -> CueIndex:
    """Cues of event types match on lemmas ("arrest" covers "arrested"); the reading rules (hedges,
    negations, clause openers: function words) match as written."""
    return CueIndex(entries, lemmas=lemmas)


@lru_cache(maxsize=1)
def event_types_data() -> dict[str, Any]:
    """schemas/vocab/event_types.yaml as parsed, once for every reader of it (read-only: shared)."""
    data: dict[str, Any] = yaml.safe_load(EVENT_TYPES_YAML.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Load schemas/vocab/event_types.yaml once."""
    data = event_types_data()
    types: dict[str, EventType] = {}
    trigger_entries: list[tuple[str, Any]] = []
    for t in data["event_types"]:
        req = [str(r) for r in t.get("requires") or []]
        types[t["id"]] = EventType(
            id=t["id"],
            priority=int(t.get("priority", 0)),
            merge=t.get("merge", "nearby"),
            absorbs=frozenset(t.get("absorbs") or ()),
            absorbs_nearby=frozenset(t.get("absorbs_nearby") or ()),
            requires=_index([(r, r) for r in req if r != PERSON]) if req else None,
            requires_person=PERSON in req,
            requires_within=t.get("requires_within"),
            tolerates=frozenset(fold(str(x)).lower() for x in t.get("tolerates") or ()),
            fatalities=bool(t.get("fatalities")),
            place=t.get("place", "where"),
            aspects=_index([(str(c), name) for name, cues in (t.get("aspects") or {}).items() for c in cues])
            if t.get("aspects") else None,
        )
        trigger_entries += [(str(c), (t["id"], "cue", False)) for c in t.get("cues") or ()]
        trigger_entries += [(str(c), (t["id"], "cue", True)) for c in t.get("distinct_cues") or ()]
        trigger_entries += [(str(c), (t["id"], "anaphor", False)) for c in t.get("anaphors") or ()]
    r = data["reading"]
    suffixes = [*(r.get("hedge_suffixes") or ()), *(r.get("negation_suffixes") or ())]
    reading_entries: list[tuple[str, Any]] = []
    for rule in ("hedges", "negations", "exceptions", "sentence_hedges", "sentence_openers", "clause_openers",
                 "trend_words", "trend_after", "fatality_words"):
        reading_entries += [(str(c), (rule, fold(str(c)).lower())) for c in r.get(rule) or ()]
    return Vocabulary(
        types=types,
        triggers=_index(trigger_entries),
        reading=_index(reading_entries, lemmas=False),
        suffix_re=re.compile(r"\w(" + "|".join(re.escape(fold(x)) for x in suffixes) + r")\b", re.IGNORECASE)
        if suffixes else None,
        caption_stopwords=frozenset(fold(w).lower() for w in r.get("caption_stopwords") or ()),
        completed_before_to=_words_before_to(r.get("completed_before_to") or ()),
        aside_openers=frozenset(fold(str(w)).lower() for w in r.get("aside_openers") or ()),
        consequence=re.compile(r"(?i)(?<![\w'])(?:" + "|".join(
            r"\s+".join(map(re.escape, fold(str(w)).split())) for w in r["consequence_words"]) + r")(?![\w'])")
        if r.get("consequence_words") else None,
        new_event=re.compile(r"(?i)\b(?:" + "|".join(re.escape(fold(str(w))) for w in r["new_event_words"])
                             + r")\s+(?:[\w'-]+\s+){0,2}$") if r.get("new_event_words") else None,
        quantified=re.compile(r"(?i)\b(?:" + _alternatives(r.get("incident_quantifiers"))
                              + r")\s+(?:[\w'-]+\s+){0,2}$") if r.get("incident_quantifiers") else None,
        background=re.compile(r"(?i)\b(?:" + _alternatives(r.get("background_before"))
                              + r")\s+(?:(?:the|l[oa]s|el|la)\s+)?(?:[\w'-]+\s+)?$")
        if r.get("background_before") else None,
        spread=re.compile(r"(?i)\b(?:in|during|across|through|en|durante|mediante)\s+(?:"
                          + _alternatives(r.get("incident_quantifiers")) + r")\s+(?:"
                          + _alternatives(r.get("spread_nouns")) + r")\b")
        if r.get("incident_quantifiers") and r.get("spread_nouns") else None,
        other_senses={fold(str(w)).lower(): frozenset(fold(str(n)).lower() for n in sense["nouns"])
                      for sense in r.get("other_senses") or () for w in sense["words"]},
    )


def _alternatives(phrases: Iterable[str] | None) -> str:
    """A regex alternation of folded phrases, their words joined by any spaces."""
    return "|".join(r"\s+".join(map(re.escape, fold(str(w)).split())) for w in phrases or ())


def _words_before_to(words: Iterable[str]) -> re.Pattern[str] | None:
    alt = "|".join(re.escape(fold(w).lower()) for w in words)
    return re.compile(rf"\b(?:{alt})\s+to\s$") if alt else None


def read_article(tokens: Tokens, spans: list[tuple[int, int]],
                 person_spans: list[tuple[int, int]]) -> list[SentenceReading]:
    """:func:`read_sentence` for every sentence span of an article, with one pass of the cue
    indexes over the whole text (cheaper than one pass per sentence)."""
    voc = vocabulary()
    starts = [a for a, _ in spans]
    hits = _by_sentence(voc.triggers.find(tokens), starts, spans)
    # The reading rules matter only where a trigger is.
    return [_read(tokens, a, b, person_spans, hits[i], voc.reading.find(tokens, a, b) if hits[i] else [])
            for i, (a, b) in enumerate(spans)]


def _by_sentence(hits: list[CueHit], starts: list[int], spans: list[tuple[int, int]]) -> list[list[CueHit]]:
    out: list[list[CueHit]] = [[] for _ in spans]
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        if i >= 0 and h.end <= spans[i][1]:
            out[i].append(h)
    return out


def read_sentence(tokens: Tokens, start: int, end: int,
                  person_spans: list[tuple[int, int]]) -> SentenceReading:
    """Triggers of the sentence ``tokens.text[start:end]`` (the folded article) that report an event.

    ``person_spans`` are article offsets of person names (for ``requires: [PERSON]``).
    """
    voc = vocabulary()
    return _read(tokens, start, end, person_spans, voc.triggers.find(tokens, start, end),
                 voc.reading.find(tokens, start, end))


def _read(tokens: Tokens, start: int, end: int, person_spans: list[tuple[int, int]], hits: list[CueHit],
          rules: list[CueHit]) -> SentenceReading:
    if not hits:
        return SentenceReading([], [start])
    voc = vocabulary()
    folded = tokens.text
    by_rule: dict[str, list[CueHit]] = {}
    exceptions = [h for h in rules if h.data[0] == "exceptions"]
    for h in rules:
        if h.data[0] != "exceptions" and not any(e.start <= h.start < e.end for e in exceptions):
            by_rule.setdefault(h.data[0], []).append(h)
    bounds = _clause_bounds(folded, start, end, by_rule.get("clause_openers", []), voc.aside_openers)
    reading = SentenceReading([], bounds)
    text = folded[start:end]
    if (text.rstrip().rstrip("\"”'’)").endswith("?") or by_rule.get("sentence_hedges")
            or any(h.start == _first_word(folded, start, end) for h in by_rule.get("sentence_openers", []))):
        return reading  # a question, an opinion or a conditional: no event
    blockers = _blockers(tokens, start, end, by_rule, voc)
    kept: list[Trigger] = []
    categories: list[tuple[int, int]] = []  # cues read as a trend or a category ("a wave of attacks")
    for h in hits:
        type_id, kind, distinct = h.data
        et = voc.types[type_id]
        clause = reading.clause_of(h.start)
        if any(_in_scope(tokens, reading, b, h.start, end) and b.data[1] not in et.tolerates
               for b in blockers):
            continue
        if kind == "cue" and not _requirements_met(et, tokens, start, end, h, person_spans):
            continue
        if kind == "cue" and (_after_trend(folded, start, h, by_rule) or _quantified(folded, start, h, voc)
                              or _coordinated(folded, categories, h)
                              or _spread(folded, reading.clause_span(clause, end), h, voc)):
            categories.append((h.start, h.end))
            continue
        if kind == "cue" and (_is_infinitive(folded, start, h, voc)
                              or _in_enumeration(folded, reading.clause_span(clause, end), h)
                              or _other_sense(tokens, reading.clause_span(clause, end), h, voc)):
            continue
        aspect = _aspect(tokens, et, reading.clause_span(clause, end), h) if kind == "cue" else None
        if kind == "cue" and voc.new_event is not None and voc.new_event.search(folded, max(start, h.start - 40),
                                                                                 h.start):
            aspect = aspect or "new"  # "otro escape", "another attack": never the one told before
        kept.append(Trigger(type_id, kind, h.start, h.end, clause, distinct, aspect))
    kept = _resolve_overlaps(kept, voc)
    present = {t.type for t in kept if t.kind == "cue"}
    absorbed = set().union(*(voc.types[t].absorbs for t in present)) if present else set()
    reading.triggers.extend(t for t in kept if t.type not in absorbed or t.distinct
                            or not _absorbed(t, kept, voc, folded))
    return reading


def _absorbed(t: Trigger, kept: list[Trigger], voc: Vocabulary, folded: str) -> bool:
    """A cue of an absorbing type in the sentence absorbs the trigger, unless a dash or a semicolon stands
    between them: it opens a clause that tells an event of its own ("... was assassinated by gunmen —
    the six were killed in prison"); nor when the trigger follows as a consequence ("triggered")."""
    for k in kept:
        if k.kind == "cue" and t.type in voc.types[k.type].absorbs:
            a, b = (t.end, k.start) if t.end <= k.start else (k.end, t.start)
            # ("the escape triggered riots": the riots are an event of their own)
            if not _STRONG_BREAK.search(folded, a, b) and not (
                    k.end <= t.start and voc.consequence is not None and voc.consequence.search(folded, a, b)):
                return True
    return False


def _aspect(tokens: Tokens, et: EventType, clause: tuple[int, int], h: CueHit) -> str | None:
    """The aspect of a cue ("extension": "extended the state of emergency"), read in its clause from a few
    words before it to its end ("captured in June and extradited": the capture is not the extradition)."""
    if et.aspects is None:
        return None
    before = tokens.span(clause[0], h.start)
    lo = tokens.starts[max(before.start, before.stop - ASPECT_REACH_BACK)] if len(before) else h.start
    hits = et.aspects.find(tokens, lo, h.end)
    return str(hits[0].data) if hits else None


def _first_word(folded: str, start: int, end: int) -> int:
    m = _WORDS.search(folded, start, end)
    return m.start() if m else start


def _clause_bounds(folded: str, start: int, end: int, openers: list[CueHit],
                   asides: frozenset[str] = frozenset()) -> list[int]:
    cuts = {m.start() for m in _CLAUSE_PUNCT.finditer(folded, start, end)}
    cuts |= {h.start for h in openers if h.start > start}
    for h in openers:
        # "Noboa, who won the runoff in April, has deployed troops": the aside ends at its closing comma,
        # so its date stays with it.
        if h.data[1] in asides and folded[start:h.start].rstrip().endswith(","):
            close = folded.find(",", h.end, end)
            if close > 0:
                cuts.add(close)
    return [start, *sorted(c for c in cuts if start < c < end)]


def _blockers(tokens: Tokens, start: int, end: int, by_rule: dict[str, list[CueHit]],
              voc: Vocabulary) -> list[CueHit]:
    """Hedges and negations of the sentence; a capitalised "May" inside it is a month, not a hedge."""
    folded = tokens.text
    first = _first_word(folded, start, end)
    out = [h for h in by_rule.get("hedges", []) + by_rule.get("negations", [])
           if h.start == first or not folded[h.start].isupper()]
    if voc.suffix_re is not None:
        out += [CueHit(m.start(), m.end(), ("suffix", m.group(1).lower()))
                for m in voc.suffix_re.finditer(folded, start, end)]
    return out


def _in_scope(tokens: Tokens, reading: SentenceReading, blocker: CueHit, pos: int, end: int) -> bool:
    """A hedge or negation reaches forward to the next comma of its clause ("In an attempt to crack down,
    Ecuador has ..." is not hedged) and back over its subject, a few words ("military crackdowns might")."""
    clause = reading.clause_of(blocker.start)
    lo, hi = reading.clause_span(clause, end)
    comma = tokens.text.find(",", blocker.end, hi)
    before = tokens.span(lo, blocker.start)
    first = max(before.start, before.stop - HEDGE_REACH_BACK)
    lo = max(lo, tokens.starts[first]) if len(before) else blocker.start
    return lo <= pos < (comma if comma >= 0 else hi)


def _requirements_met(et: EventType, tokens: Tokens, start: int, end: int, h: CueHit,
                      person_spans: list[tuple[int, int]]) -> bool:
    """The type's required context is in the sentence (or within ``requires_within`` words of the cue)."""
    if et.requires is None and not et.requires_person:
        return True
    lo, hi = start, end
    if et.requires_within:
        n = et.requires_within
        before = tokens.span(start, h.start)
        after = tokens.span(h.end, end)
        lo = tokens.starts[max(before.start, before.stop - n)] if len(before) else h.start
        hi = tokens.ends[min(after.stop, after.start + n) - 1] if len(after) else h.end
    if et.requires_person and any(lo <= a and b <= hi for a, b in person_spans):
        return True
    return et.requires is not None and bool(et.requires.find(tokens, lo, hi))


def _is_infinitive(folded: str, start: int, h: CueHit, voc: Vocabulary) -> bool:
    """A verb cue right after "to" or "para" states a purpose or an intention ("... to arrest X", "para
    detener a X"), not an occurrence (unless "to" follows a verb of a completed act: "voted to impeach");
    a Spanish infinitive after "sin" or "en" neither ("sin atacar las causas", "consiste en explotar")."""
    before = folded[max(start, h.start - 24):h.start].lower()
    to = re.search(r"(?:^|\s)(to|para|sin|en)\s$", before)
    if not to:
        return False
    if voc.completed_before_to is not None and voc.completed_before_to.search(before):
        return False
    first = _WORDS.match(folded, h.start)
    if not first:
        return False
    word = first.group().lower()
    if to.group(1) != "to":
        return _INFINITIVE_ES.search(word) is not None  # "para detener"; not "para detenidos"
    return not _BASE_SUFFIX.search(word)


def _other_sense(tokens: Tokens, clause: tuple[int, int], h: CueHit, voc: Vocabulary) -> bool:
    """The cue's word means something else near one of its ``other_senses`` nouns: up to six words before it
    or three after it in its clause ("images captured by a reporter", "captured on camera", "captura de
    pantalla")."""
    span = tokens.span(h.start, h.end)
    nouns = voc.other_senses.get(tokens.words[span.start]) if len(span) else None
    if not nouns:
        return False
    before, after = tokens.span(clause[0], h.start), tokens.span(h.start, clause[1])
    near = tokens.words[max(before.start, before.stop - 6):before.stop] + tokens.words[after.start + 1:after.start + 4]
    return any(w in nouns for w in near)


# "29% of the attacks", "el 40 por ciento de los asesinatos", "most of the killings", "gran parte de los
# ataques": a share of a category, not one event (a share in words only right before the event noun: "most
# of the inmates escaped" tells an escape)
_SHARE_OF = re.compile(r"(?i)(?:\d[\d.,]*\s*(?:%|percent|per\s+cent|por\s+ciento)\s+(?:of|de)\s+"
                       r"(?:(?:the|l[oa]s)\s+)?(?:[\w'’-]+\s+){0,2}|\b(?:most|much|half|the\s+bulk|the\s+majority|"
                       r"(?:la\s+)?mayoria|(?:la\s+)?mitad|gran\s+parte|buena\s+parte)\s+(?:of|de)\s+"
                       r"(?:(?:the|l[oa]s)\s+)?)$")


def _quantified(folded: str, start: int, h: CueHit, voc: Vocabulary) -> bool:
    """A plural event noun after a vague quantity ("several massacres", "decenas de ataques"): incidents of
    a kind counted, not one event; or after "amid" ("amid crackdowns on mining"): the background."""
    if not _plural(folded, h):
        return False
    window = max(start, h.start - 40)
    return any(p is not None and p.search(folded, window, h.start) is not None
               for p in (voc.quantified, voc.background))


def _plural(folded: str, h: CueHit) -> bool:
    """The cue's first word ends in -s ("attacks on", "masacres"): a plural noun, in either language."""
    word = _WORDS.match(folded, h.start)
    return word is not None and word.group().lower().endswith("s")


def _spread(folded: str, clause: tuple[int, int], h: CueHit, voc: Vocabulary) -> bool:
    """The act is told as done in many incidents ("seized 14 tons in several operations", "detenidos en
    varios operativos"): a sum of events, not one."""
    return voc.spread is not None and voc.spread.search(folded, h.end, clause[1]) is not None


# What joins two nouns of one phrase: "los ataques de sicariato y masacres", "killings, kidnappings"
_COORDINATION = re.compile(r"(?i)(?:\s+(?:of|de|del)\s+[\w'’-]+)?\s*(?:,\s*|\s+(?:and|or|y|e|o|u)\s+)"
                           r"(?:(?:the|l[oa]s|el)\s+)?")


def _coordinated(folded: str, categories: list[tuple[int, int]], h: CueHit) -> bool:
    """The cue is a noun coordinated with one read as a trend or a category, or the same words ("a wave of
    attacks and kidnappings", "gran parte de los ataques de sicariato y masacres"): a category too."""
    return any(a <= h.start < b or b <= h.start and _COORDINATION.fullmatch(folded, b, h.start)
               for a, b in categories)


def _after_trend(folded: str, start: int, h: CueHit, by_rule: dict[str, list[CueHit]]) -> bool:
    """"a spike in bombings", "responsible for a wave of attacks", "29% of the attacks", "attacks on the
    rise": a trend or category, not an event."""
    if _SHARE_OF.search(folded, max(start, h.start - 40), h.start):
        return True
    for t in by_rule.get("trend_words", []):
        if t.end <= h.start:
            between = folded[t.end:h.start]
            if re.fullmatch(r"\s+(?:in|of|de|for)\s+(?:[\w'’-]+\s+){0,3}", between):
                return True
    if _plural(folded, h):  # "attacks on the rise": a plural noun, then the trend
        for t in by_rule.get("trend_after", []):
            if t.start >= h.end and _TREND_GAP.fullmatch(folded, h.end, t.start):
                return True
    return False


_TREND_GAP = re.compile(r"(?:\s+[\w'’-]+){0,6}\s+")  # up to six words, no punctuation


def _in_enumeration(folded: str, clause: tuple[int, int], h: CueHit) -> bool:
    """A cue that is one item of a list of three or more ("blasts, prison takeovers and mafia activity").

    Such lists name kinds of violence as background; the cue must touch a separator and
    the short items chained to it by separators must make three items with its own.
    """
    lo, hi = clause
    cue = folded[h.start:h.end].split()
    if len(cue) > 3 or not any(w.endswith("s") for w in cue):
        return False  # lists of kinds are plural nouns ("bombings, kidnappings and states of emergency")
    if len(cue) > 1 and cue[0].endswith("ing"):
        return False  # a verb with its object ("retaliated, kidnapping police officers and ...") tells an act
    seps = list(_SEPARATOR.finditer(folded, lo, hi))
    if len(seps) < 2 or not any("," in m.group() for m in seps):
        return False
    after = [m for m in seps if m.start() >= h.end]
    before = [m for m in seps if m.end() <= h.start][::-1]
    touches = (after and _word_gap(folded, h.end, after[0].start()) == 0) or (
        before and _word_gap(folded, before[0].end(), h.start) == 0)
    if not touches:
        return False
    items = 1 + _chained(folded, after, forward=True) + _chained(folded, before, forward=False)
    return items >= 3


def _chained(folded: str, seps: list[re.Match[str]], forward: bool) -> int:
    """Items reached from the cue through ``seps`` (nearest first) while the items in between are short."""
    if not seps:
        return 0
    n = 1
    for a, b in zip(seps, seps[1:], strict=False):
        gap = _word_gap(folded, a.end(), b.start()) if forward else _word_gap(folded, b.end(), a.start())
        if gap > 4:
            break
        n += 1
    return n


def _word_gap(folded: str, a: int, b: int) -> int:
    """Number of words between offsets ``a`` and ``b`` (-1 if ``b`` < ``a``)."""
    if b < a:
        return -1
    return len(_WORDS.findall(folded, a, b))


def _resolve_overlaps(triggers: list[Trigger], voc: Vocabulary) -> list[Trigger]:
    """Of overlapping triggers keep cues over anaphors, then the longest, then the higher-priority type."""
    order = sorted(triggers, key=lambda t: (t.kind != "cue", -(t.end - t.start), -voc.types[t.type].priority,
                                            t.start))
    kept: list[Trigger] = []
    for t in order:
        if all(t.end <= k.start or k.end <= t.start for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.start)
