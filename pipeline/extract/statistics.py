"""An article's :class:`~pipeline.text.document.Document` -> rows of the statistics table (pure).

One pass per sentence of the document: its numbers, the words around each
number pick its metric (cues in ``schemas/vocab/metrics.yaml``), its dates and
the discourse give the period and baseline, its places the country. Page
furniture is skipped; a figure stated twice is kept once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pipeline.ids import make_id
from pipeline.text.cues import fold
from pipeline.text.dates import DateMention, PublicationDate
from pipeline.text.discourse import LEAD, OWN, Frame
from pipeline.text.document import Document
from pipeline.text.figures import (
    CLAUSE_BREAK,
    OTHER,
    Metric,
    Vocabulary,
    find_cues,
    find_sources,
    has_own_subject,
    is_change,
    label_numbers,
    may_count,
    nearest_source,
    vocabulary,
    words_between,
)
from pipeline.text.numbers import NumberMention, SpanIndex
from pipeline.text.places import PlaceMention, find_places, find_places_in
from pipeline.text.sentences import Sentence

COLUMNS = (
    "statistic_id",
    "source_id",
    "metric",
    "subject",
    "value",
    "value_low",
    "value_high",
    "qualifier",
    "unit",
    "is_change",
    "period_start",
    "period_end",
    "period_precision",
    "period_text",
    "baseline_start",
    "baseline_end",
    "country_code",
    "place",
    "attributed_to",
    "value_text",
    "quote",
    "char_start",
    "char_end",
)

# ---------------------------------------------------------------- patterns

# Furniture that matters to figures only: subscription offers (prices), reading times, gallery counters.
_NOT_A_FIGURE_LINE = re.compile(
    # (a newsletter's "subscribe"; not "suscribió el decreto": Spanish signs decrees with the same verb)
    r"\b(?:subscri\w*|suscr[ií]b(?:ete|eté|ase|anse|irse|irte|ite)|suscripci[oó]n\w*|newsletter)\b"
    r"|\b\d+\s*min(?:ute)?s?\s+(?:read|de lectura)\b"
    r"|\blist\s+of\s+\d+\s+items"  # a list widget's screen-reader text: "list of 3 items ... end of list"
    r"|^\s*(?:Image|Photo|Foto|Slide|Gallery|Imagen)\s+\d+\s+(?:of|de)\s+\d+",
    re.IGNORECASE,
)
_COORDINATION = re.compile(r"\s(?:and|y|e)\s", re.IGNORECASE)
_BASELINE_BEFORE = re.compile(
    # "double the 2020 level", "four times the rate of 2018", "three times as high as in 2018"
    r"\b(?:(?:times|double|triple|twice)(?:\s+as\s+\w+\s+as(?:\s+in)?|\s+that\s+of|"
    r"\s+(?:the|its|their)(?:\s+\w+){0,2}\s+(?:of|in|for))?|"
    r"from|since|compared\s+(?:with|to)|than|versus|vs\.?|over|against|respecto\s+(?:a|de|al)|frente\s+a|"
    r"en\s+comparación\s+con|desde|same\s+(?:period|month|quarter|time)\s+(?:of|in|last)|"
    r"mismo\s+(?:periodo|período|mes)\s+(?:de|del)|que\s+en)\s+(?:the\s+(?:same\s+\w+\s+(?:of|in)\s+)?|el\s+|la\s+)?$"
    # "38% higher than the complaints filed in 2021", "superior a las denuncias de 2021": the
    # compared side a few words on (words of letters only: "more than 500 inmates in 2021" dates its figure)
    r"|\b(?:(?:higher|lower|more|less|fewer|greater|larger|smaller|bigger|above|below)\s+than|"
    r"superior(?:es)?\s+a|inferior(?:es)?\s+a|(?:mayor|menor)(?:es)?\s+(?:a|que)|compared\s+(?:with|to)|"
    r"frente\s+a|respecto\s+(?:a|de|al))\s+(?!(?:half|a\s+third|a\s+quarter|la\s+mitad|un\s+tercio)\b)"
    r"(?:[^\W\d][\w’'-]*\s+){1,5}?(?:in|en|of|de|del|during|durante)\s+(?:the\s+|el\s+|la\s+)?$",
    re.IGNORECASE,
)
_COMPARATIVE_BEFORE = re.compile(
    r"\b(?:highest|lowest|most|fewest|largest|smallest|worst|best|deadliest|biggest|first\s+time|record|"
    r"más\s+alt[oa]|más\s+baj[oa]|mayor|menor)\s+(?:\w+\s+){0,2}?(?:since|in|desde|en)\s+(?:the\s+|el\s+)?$",
    re.IGNORECASE,
)
_REPORTING_BEFORE = re.compile(
    r"\b(?:said|says|told|reported|announced|stated|confirmed|added|informó|dijo|señaló|indicó|reportó|anunció|"
    r"confirmó|aseguró|afirmó|explicó)\s+(?:(?:on|this|last|late|early|el|este|esta|la|en\s+la)\s+)?$",
    re.IGNORECASE,
)
_SINCE_BEFORE = re.compile(r"\b(?:since|desde)\s+$", re.IGNORECASE)
_YEAR_BEFORE = re.compile(
    r"\b(?:year|month)\s+(?:before|earlier|prior)|\b(?:previous|prior|preceding)\s+(?:year|month)|"
    r"\bsame\s+(?:month|period|time|quarter)|year[- ](?:on|over)[- ]year|\binteranual|\baño\s+anterior|"
    r"\bmismo\s+(?:mes|período|periodo)",
    re.IGNORECASE,
)
# A relative or adverbial clause set off by a comma: a date in it is its own ("..., where riots in 2021 ...")
_OTHER_CLAUSE = re.compile(
    r",\s+(?:where|which|while|whereas|when|who|whom|whose|although|though|donde|cuando|mientras|aunque)\b",
    re.IGNORECASE,
)
# "compared with the same months of [last year]", "frente al mismo periodo de [2023]"
_SAME_PART_BEFORE = re.compile(
    r"\b(?:same|mismos?|misma)\s+(?:\w+\s+)?(?:months?|period|quarter|weeks?|days?|time|mes(?:es)?|per[ií]odo|"
    r"trimestre|semanas?|d[ií]as)\s+(?:(?:of|in|de|del)\s+(?:the\s+|el\s+)?)?$",
    re.IGNORECASE,
)
_ORIGIN_BEFORE = re.compile(r"\b(?:from|de|desde|fleeing|left|leaving|of)\s+(?:the\s+)?$", re.IGNORECASE)
_RECIPIENT_BEFORE = re.compile(
    r"\b(?:to|for|into|in|para|a|hacia|al)\s+(?:the\s+|la\s+|el\s+)?$", re.IGNORECASE
)


# ---------------------------------------------------------------- public API


def extract_statistics(doc: Document, source_id: str) -> list[dict[str, Any]]:
    """Every quantitative claim of the article read into ``doc``, as rows with the columns of
    schemas/statistics.yaml."""
    text, published, sentences = doc.text, doc.published, doc.sentences
    vocab = vocabulary()
    tokens = doc.tokens  # (shared with the events extractor)
    main_memo: list[str | None] = []

    def main_country() -> str | None:  # only looked up when a sentence names no fitting place
        if not main_memo:
            main_memo.append(_main_country(text))
        return main_memo[0]

    lead_memo: list[str | None] = []

    def lead_topic() -> str | None:  # the metric the heading and lead speak of (looked up when needed)
        if not lead_memo:
            lead_memo.append(_lead_topic(doc, vocab))
        return lead_memo[0]

    topic: dict[int, str] = {}  # per paragraph: the metric of its last figure that has one
    last_rate: tuple[str, str | None] | None = None  # the article's last rate per 100,000
    rows: list[dict[str, Any]] = []
    last_period: dict[int, Period] = {}
    last_metric: dict[int, tuple[str, str | None]] = {}
    last_known: tuple[int, str] | None = None  # the sentence and metric of the last figure with a metric
    for idx, sent in enumerate(sentences):
        mentions = doc.numbers(idx)
        if not mentions or idx in doc.furniture or _NOT_A_FIGURE_LINE.search(sent.text):
            continue
        dates = doc.dates(idx)
        if dates:
            date_spans = SpanIndex((d.char_start, d.char_end) for d in dates)
            mentions = [
                m
                for m in mentions
                if m.unit in ("percent", "percentage_points", "per_100k", "usd", "tonnes")
                or not date_spans.overlaps(m.start, m.end)
            ]
        if not mentions:
            if dates:
                last_period[sent.line_index] = _as_period(dates[-1])
            continue
        places = doc.places_in(idx)
        sources = find_sources(sent.text)
        labels = label_numbers(sent.text, mentions, vocab, tokens, sent.start)
        dates = sorted(dates, key=lambda d: d.char_start)
        words_before = _Before(sent.text, dates)
        periods: list[Period] = []
        dated: Period | None = None  # the last period of this sentence that came from a date
        prev_metric: str | None = None  # the metric of this sentence's previous figure, when it became a row
        for i, m in enumerate(mentions):
            prev = mentions[i - 1] if i else None
            nxt = mentions[i + 1] if i + 1 < len(mentions) else None
            metric, subject = labels[i]
            if m.unit == "count" and _population(sent.text, m):
                metric = OTHER  # "Guayaquil, a city of 2.7 million": a population (codebook: `other`)
            elif last_rate is not None and _elliptical_rate(sent.text, m, subject, vocab):
                # "Guayas closed at 40.2 per 100,000 ... Los Ríos' rate was higher, at 61.3"
                m = replace(m, unit="per_100k")
                metric, subject = last_rate
            elif metric == OTHER and (back := _referred_back(doc, idx, m, vocab)) is not None:
                metric = back  # "... declared a state of emergency. The measure will last 60 days."
            elif (metric == OTHER and last_known is not None and last_known[0] == idx - 1
                  and _points_back(doc, idx, m, vocab, last_known[1])):
                metric = last_known[1]  # "... 10.8 homicides per day. Before, this figure averaged 27.6 per day"
            elif (metric == OTHER and m.spelled and prev_metric not in (None, OTHER) and prev is not None
                  and _elliptical(subject, vocab) and _listed_after(sent.text, prev, m)):
                metric = prev_metric  # "31 in Guayaquil, 21 in Cuenca and eight in Latacunga": one more of them
            elif metric == OTHER and not m.spelled and _elliptical(subject, vocab):
                # "12 in the port's prison", "se registraron 240 casos": the topic of the figures before it
                metric = (_topic(topic.get(sent.line_index), m, vocab) or _topic(lead_topic(), m, vocab, subject)
                          or OTHER)
            if metric != OTHER and (narrow := _narrowed(doc, idx, metric, lead_topic, vocab)) is not None:
                metric = narrow  # "the toll rose to 75 deaths" in an article on a prison massacre
            if m.unit == "other" and metric == OTHER and prev is not None and is_change(sent.text, m):
                # "rose to 25.9 per 100,000, more than double the 2020 level": the factor of what was counted
                metric, subject = last_metric.get(sent.line_index, (OTHER, None))
            counted = m.spelled and metric == OTHER and m.unit == "count"
            if counted and vocab.spelled_counts.match(sent.text, m.unit_end):
                pass  # "four other people were wounded", "seis presos se fugaron": a count of `other`
            elif m.spelled and (metric == OTHER or not may_count(vocab.metrics[metric], m)):
                periods.append((None, None, "unknown", None))
                prev_metric = None
                continue  # "four worlds", "two nations": words are statistics only with a known metric
            change = is_change(sent.text, m)
            if change:
                # "marking a 371% increase": what changed is what the sentence counted before
                before_metric, before_subject = last_metric.get(sent.line_index, (OTHER, None))
                if metric == OTHER or (metric == before_metric and not has_own_subject(sent.text, m)):
                    metric, subject = before_metric, before_subject or subject
            period, baseline = _period(sent.text, m, prev, nxt, dates, change, dated, published, words_before)
            if period[0] is None and period[3] is None and change and _after_comparison(doc, idx):
                # "3,210 in January-June 2024. In the same period of 2023, 2,140. That is a rise of 50%": the
                # paragraph's period, against the one compared with it
                current, compared = _framed(doc, idx), _period_before(doc, idx)
                if current[0] is not None:
                    period = current
                    baseline = baseline if baseline[0] or compared is None else (compared[0], compared[1])
            if period[0] is None and period[3] is None and change:
                # "That was a 56% jump from the year before.": the period of the sentence before
                before = last_period.get(sent.line_index) or _period_before(doc, idx)
                if before is not None:
                    period = before
                    baseline = baseline if baseline[0] else _shift_back(period)
            if period[0] is None and period[3] is None:
                # No time words of its own: the time its heading, lead or paragraph sets (discourse frame)
                period = _framed(doc, idx)
            elif period[2] == "year" and not change:
                period = _same_part_of(sent.text, period, doc, idx)
            if change:
                baseline = _same_part_baseline(sent.text, period, baseline)
            periods.append(period)
            if period[3] is not None:
                dated = period
            country, place = _country(sent, m, places, vocab.metrics[metric], sentences, idx, main_country)
            rows.append(
                _row(
                    source_id,
                    sent,
                    m,
                    metric,
                    subject,
                    change,
                    period,
                    baseline,
                    country,
                    place,
                    nearest_source(sent.text, sources, m.start),
                )
            )
            last_metric[sent.line_index] = (metric, subject)
            prev_metric = metric
            if metric != OTHER:
                topic[sent.line_index] = metric
                last_known = (idx, metric)
            if m.unit == "per_100k":
                last_rate = (metric, subject)
        if dated is not None:
            last_period[sent.line_index] = dated
    return _dedup(rows)


# ---------------------------------------------------------------- steps

_COMPARATIVES = frozenset({"more", "mas", "fewer", "menos", "less"})  # (folded) generic only on their own


_POPULATION_BEFORE = re.compile(
    r"\b(?:city|town|country|nation|province|region|population|home|ciudad|país|pais|provincia|región|"
    r"población|poblacion|cantón|canton)\s+(?:of|de)\s+$",
    re.IGNORECASE,
)


def _population(text: str, m: NumberMention) -> bool:
    """ "a city of 2.7 million", "una ciudad de más de 200.000": a population, not part of the topic."""
    return _POPULATION_BEFORE.search(text, max(0, m.qualifier_start - 40), m.qualifier_start) is not None


_RATE_WORD_BEFORE = re.compile(r"\b(?:rate|tasa|índice|indice)\b[^;:.\d]{0,50}$", re.IGNORECASE)


# Between two figures of one list: a place or a few words, then a comma or "and" ("21 in Cuenca and eight").
_LIST_LINK = re.compile(r"[^;:.()\d]{0,60}?(?:,|\s(?:and|or|y|e|o))\s+", re.IGNORECASE)


def _listed_after(text: str, prev: NumberMention, m: NumberMention) -> bool:
    """``m`` is the next item of a list that ``prev`` is in ("31 in Guayaquil, 21 in Cuenca and eight in
    Latacunga"): only a short stretch with no clause break and no other number, ending in a comma or "and"."""
    return prev.unit == m.unit and _LIST_LINK.fullmatch(text, prev.unit_end, m.qualifier_start) is not None


def _elliptical_rate(text: str, m: NumberMention, subject: str | None, vocab: Vocabulary) -> bool:
    """A bare number that a rate word leads to in its clause, after the article gave a rate per 100,000:
    the same kind of rate ("Los Ríos' rate was higher, at 61.3", "con una tasa de 39 casos")."""
    if m.unit != "count" or m.spelled or m.unit_end != m.end or not _elliptical(subject, vocab):
        return False
    return _RATE_WORD_BEFORE.search(text, max(0, m.qualifier_start - 60), m.qualifier_start) is not None


def _elliptical(subject: str | None, vocab: Vocabulary) -> bool:
    """A figure that names nothing it counts, or only a generic noun ("casos", "victims")."""
    if not subject:
        return True
    words = [fold(w).lower() for w in subject.split()]
    if words[0] in _COMPARATIVES:
        return len(words) == 1  # "1.270 más que el año anterior", not "11 more injured"
    return words[0] in vocab.generic_counts


def _referred_back(doc: Document, idx: int, m: NumberMention, vocab: Vocabulary) -> str | None:
    """The metric of a figure whose sentence refers back to what the sentence before named ("The measure
    will last 60 days" after "... declared a state of emergency"): one whose ``refers_back`` noun this
    sentence has and whose ``requires`` the sentence before meets."""
    if idx == 0 or idx - 1 in doc.furniture:
        return None
    folded, here, before = doc.tokens.text, doc.sentences[idx], doc.sentences[idx - 1]  # (folded once, in doc)
    for metric in vocab.metrics.values():
        if (metric.refers_back is not None and metric.requires is not None and m.unit in metric.units
                and may_count(metric, m) and metric.refers_back.search(folded, here.start, here.end)
                and metric.requires.search(folded, before.start, before.end)):
            return metric.id
    return None


def _points_back(doc: Document, idx: int, m: NumberMention, vocab: Vocabulary, metric: str) -> bool:
    """The words before the figure in its sentence point back to the figure told before ("this figure",
    "la cifra"), whose ``metric`` can count it."""
    counted = vocab.metrics[metric]
    if vocab.figure_back is None or m.unit not in counted.units or not may_count(counted, m):
        return False
    s = doc.sentences[idx]  # (the document's folded text: same offsets)
    return vocab.figure_back.search(doc.tokens.text, s.start, s.start + m.qualifier_start) is not None


def _topic(metric: str | None, m: NumberMention, vocab: Vocabulary, subject: str | None = "") -> str | None:
    """``metric`` when the figure can continue it (its unit fits; from the lead, only with a generic noun:
    a bare number far from its topic is not read as part of it)."""
    if metric is None or subject is None:
        return None
    if m.unit not in vocab.metrics[metric].units:
        # a rate per 100,000 continues a topic counted in numbers as the rate of those numbers
        return next((r.id for r in vocab.metrics.values() if metric in r.rate_of and m.unit in r.units), None)
    return metric


def _narrowed(doc: Document, idx: int, metric: str, lead_topic: Callable[[], str | None],
              vocab: Vocabulary) -> str | None:
    """The narrower metric the heading and lead speak of, when ``metric`` is the broader one it ``narrows``
    and the sentence dates the figure to no longer than a month (a count over a year is the broader one's:
    "8,000 people were killed last year")."""
    if not any(m.narrows == metric for m in vocab.metrics.values()):
        return None
    topic = lead_topic()
    if topic is None or vocab.metrics[topic].narrows != metric:
        return None
    required = vocab.metrics[topic].requires  # ("Massacre: eleven soldiers killed in an ambush": no prison)
    if required is not None and not any(required.search(doc.tokens.text, s.start, s.end)
                                        for s in doc.sentences if s.line_index < 2):
        return None
    if any(d.start and d.end and (d.end - d.start).days > _INCIDENT_DAYS for d in doc.dates(idx)):
        return None
    return topic


def _lead_topic(doc: Document, vocab: Vocabulary) -> str | None:
    """The metric whose event words the heading and lead name most (the first two lines), at least twice."""
    lead = [i for i, s in enumerate(doc.sentences) if s.line_index < 2]
    counts: Counter[str] = Counter()
    for i in lead:
        s = doc.sentences[i]
        for cue in find_cues(s.text, doc.tokens, vocab, s.start) if doc.tokens.delimits(s.start, s.end) else []:
            for metric, kind in cue.hits:
                if kind == "event" and metric != OTHER:
                    counts[metric] += 1
    if not counts:
        return None
    best = max(counts.values())
    tops = sorted(m for m, c in counts.items() if c == best)
    # a topic is named more than once (one "murder of a journalist" does not make press attacks homicides)
    return tops[0] if len(tops) == 1 and best >= 2 else None


def _framed(doc: Document, idx: int) -> Period:
    """The period the discourse frame of sentence ``idx`` gives a figure with no time words of its own:
    the paragraph's or the lead's; where the sentence's own dates belong to other figures or clauses,
    the frame in force before it."""
    frame = doc.frame(idx)
    if frame is not None and frame.origin == OWN:
        frame = doc.previous_frame(idx)
    if frame is not None and frame.origin == LEAD:
        # A paragraph without time words continues the time the paragraph before it set, if any
        # after the lead ("En 2022 ... En lo que va de 2023 ... [new paragraph] el 21% de los muertos").
        before = doc.last_set(idx)
        if before is not None and before.sentence > frame.sentence:
            frame = before
    if frame is None and doc.sentences[idx].line_index < _HEAD_LINES:
        frame = _incident_frame(doc, idx)
    if frame is None or frame.date.start is None:
        return None, None, "unknown", None
    return _as_period(frame.date)


_HEAD_LINES = 2  # the heading and the lead
_INCIDENT_DAYS = 31  # the longest span read as the date of an incident
_INCIDENT_REACH = 8  # how many sentences after the heading or lead may date its incident


def _incident_frame(doc: Document, idx: int) -> Frame | None:
    """A heading or lead with no time words reports an incident the body dates ("31 dead in prison" ...
    "found dead Sunday afternoon"): the first date of a day or a span of days in the sentences after it,
    a dateline (a line that is only a date) excepted."""
    for j in range(idx + 1, min(len(doc.sentences), idx + 1 + _INCIDENT_REACH)):
        f = doc.frame(j)
        if f is None or f.origin != OWN or f.sentence != j or f.date.start is None or f.date.end is None:
            continue
        if len(doc.sentences[j].text) - len(f.date.date_text) < 8:
            continue  # a dateline: the day of publication
        if (f.date.end - f.date.start).days < _INCIDENT_DAYS:
            return f
    return None


_SAME_PART_OF_YEAR = re.compile(
    r"\b(?:same|mism[oa]s?)\s+(?:\w+\s+)?(?:months?|period|quarter|weeks?|days?|time|mes(?:es)?|per[ií]odo|"
    r"trimestre|semanas?|d[ií]as|lapso)\s+(?:of|in|de|del)\s+(?:the\s+|el\s+)?(?P<year>\d{4})\b",
    re.IGNORECASE,
)


def _same_part_of(text: str, period: Period, doc: Document, idx: int) -> Period:
    """ "the same period of 2022", "el mismo periodo del 2022": the part of the year the discourse speaks
    of (the frame before the sentence: "1 January to 2 July 2023"), in 2022, rather than all of 2022."""
    same = _SAME_PART_OF_YEAR.search(text)
    if same is None or period[0] is None or int(same.group("year")) != period[0].year:
        return period
    frame = doc.previous_frame(idx)
    if frame is None or frame.date.start is None or frame.date.end is None:
        return period
    start, end = frame.date.start, frame.date.end
    years = start.year - period[0].year
    if years <= 0 or start.year != end.year or (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return period
    shifted = _shift_back(_as_period(frame.date), years)
    return shifted[0], shifted[1], _as_period(frame.date)[2], period[3]


def _same_part_baseline(text: str, period: Period, baseline: Baseline) -> Baseline:
    """A change's baseline given as "the same period of 2022" is the part of 2022 its period covers
    (the period is known only once the discourse has set it: "1 January to 2 July")."""
    start, end = period[0], period[1]
    if baseline[0] is None or baseline[1] is None or start is None or end is None or start.year != end.year:
        return baseline
    if (baseline[0].month, baseline[0].day, baseline[1].month, baseline[1].day) != (1, 1, 12, 31) or \
            baseline[0].year != baseline[1].year or (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return baseline
    same = _SAME_PART_OF_YEAR.search(text)
    years = start.year - baseline[0].year
    if same is None or int(same.group("year")) != baseline[0].year or years <= 0:
        return baseline
    return _shift_back(period, years)


def _after_comparison(doc: Document, idx: int) -> bool:
    """The sentence before, in the same paragraph, dates only the compared side of a comparison."""
    sentences = doc.sentences
    return idx > 0 and sentences[idx - 1].line_index == sentences[idx].line_index and doc.compared(idx - 1)


def _period_before(doc: Document, idx: int) -> Period | None:
    """The last date of the previous sentence of the same paragraph, if any."""
    sentences = doc.sentences
    if idx == 0 or sentences[idx - 1].line_index != sentences[idx].line_index:
        return None
    dates = [d for d in doc.dates(idx - 1) if d.kind != "baseline"]
    return _as_period(dates[-1]) if dates else None


Period = tuple[dt.date | None, dt.date | None, str, str | None]  # start, end, precision, text
Baseline = tuple[dt.date | None, dt.date | None]
_PRECISIONS = {"day", "month", "quarter", "year", "fiscal_year", "range"}


def _as_period(d: DateMention) -> Period:
    if d.start is None:
        return None, None, "unknown", d.date_text
    precision = "fiscal_year" if d.kind == "fiscal" else d.precision
    return d.start, d.end, precision if precision in _PRECISIONS else "range", d.date_text


def _period(
    text: str,
    m: NumberMention,
    prev: NumberMention | None,
    nxt: NumberMention | None,
    dates: list[DateMention],
    change: bool,
    earlier: Period | None,
    published: PublicationDate,
    before_date: _Before,
) -> tuple[Period, Baseline]:
    """The period a number refers to and, for a change, its baseline (``before_date``: the words before
    the sentence's dates, read once for all its numbers; ``earlier``: the last period an earlier number
    of the sentence took from a date, if any; ``dates`` in text order)."""
    seg_before = (prev.unit_end if prev else 0, m.qualifier_start)
    seg_after = (m.unit_end, nxt.qualifier_start if nxt else len(text))
    before = _dates_within(dates, before_date.date_starts, seg_before)
    after = _dates_within(dates, before_date.date_starts, seg_after)

    def is_baseline(d: DateMention) -> bool:
        return d.kind == "baseline" or (
            change
            and d.kind != "range"
            and before_date.baseline(d.char_start)
        )

    def is_comparison(d: DateMention) -> bool:  # "the highest since 2018" does not date the figure
        # (nor "police said on Saturday": the day of the report, not of what it reports)
        return before_date.comparative(d.char_start) or before_date.reporting(d.char_start)

    base = next((d for d in after if is_baseline(d)), None)
    # "compared with the 900 of the same period of 2030, the increase is 33%": a baseline before a change
    base_before = next((d for d in reversed(before) if is_baseline(d)), None) if change else None
    base = base or base_before
    own_after = [d for d in after if not is_baseline(d) and not is_comparison(d)]
    # (before a change, "compared with ... the same period of 2022, the increase is 74%": the baseline)
    own_before = [d for d in before if not is_baseline(d) and not is_comparison(d)
                  and not _in_closed_clause(text, seg_before[0], d, m.qualifier_start)]
    chosen: DateMention | None = None
    if (
        own_after
        and words_between(text[m.unit_end : own_after[0].char_start]) <= 8
        and ";" not in text[m.unit_end : own_after[0].char_start]
        and not _OTHER_CLAUSE.search(text, m.unit_end, own_after[0].char_start)
    ):
        chosen = own_after[0]
    elif own_before:
        chosen = own_before[-1]
    else:  # a date further on, unless it is a comparison's ("double the amount in the same period of 2022")
        # or another clause's ("1,500 inmates remain in the prison, where riots in 2021 left 119 dead")
        chosen = next((d for d in own_after if not before_date.compares(d.char_start)
                       and not _OTHER_CLAUSE.search(text, m.unit_end, d.char_start)), None)
    if chosen is None and change and base is not None and base.start and base.end and published.end \
            and before_date.since(base.char_start) and base.start <= published.end:
        # "soared by 128% since 2021": from then until the article, against 2021
        return (base.start, published.end, "range", "since " + base.date_text), (base.start, base.end)
    if chosen is None:
        # No date of its own: the period of an earlier number in the sentence, else the sentence's only date
        # ("Police seized 7 tonnes and arrested 1,200 people in 2023").
        inherited = earlier if base_before is None else None  # (the earlier number is the baseline's)
        own = before_date.own_dates(dates)
        if inherited is None and len(own) == 1 and own[0].char_start > m.end:
            between = text[m.unit_end : own[0].char_start]
            if _COORDINATION.search(between) and not CLAUSE_BREAK.search(between):
                inherited = _as_period(own[0])
        period: Period = inherited or (None, None, "unknown", None)
        baseline: Baseline = (None, None)
        if change and period[0] is not None:
            baseline = _baseline(base, period, text)
        elif change and base is not None and base.start is not None and not _YEAR_BEFORE.search(base.date_text):
            baseline = (base.start, base.end)  # "three times as many as in 2019" ("the year before": of what?)
        return period, baseline
    if change and chosen.kind == "range" and chosen.start and chosen.end:
        low, high = _range_parts(chosen)
        return (high[0], high[1], high[2], chosen.date_text), (low[0], low[1])
    period = _as_period(chosen)
    if (
        not change
        and period[0] is not None
        and _SINCE_BEFORE.search(text[max(0, chosen.char_start - 12) : chosen.char_start])
    ):
        # "460 inmates killed since 2021": from then until the article was published
        period = (period[0], published.end, "range", "since " + chosen.date_text)
    return period, (_baseline(base, period, text) if change else (None, None))


_CLAUSE_CLOSE = re.compile(r"[,;—–)]")


def _in_closed_clause(text: str, start: int, d: DateMention, end: int) -> bool:
    """The date sits in a relative clause that closes before ``end`` ("in fiscal 2023, which ended on
    Sept. 30 — nearly five times ..."): it dates that clause, not what follows it."""
    return bool(_OTHER_CLAUSE.search(text, start, d.char_start)) and bool(_CLAUSE_CLOSE.search(text, d.char_end, end))


def _dates_within(dates: list[DateMention], starts: list[int], seg: tuple[int, int]) -> list[DateMention]:
    """The dates inside ``seg`` (``starts``: their char_start, in order; a bisection, not a scan, so a
    sentence of many numbers and dates stays linear)."""
    lo, hi = bisect_left(starts, seg[0]), bisect_left(starts, seg[1])
    return [d for d in dates[lo:hi] if d.char_end <= seg[1]]


class _Before:
    """What the words right before a position of a sentence say of a date there (memoised: every
    number of the sentence asks about the same dates)."""

    def __init__(self, text: str, dates: list[DateMention] | None = None) -> None:
        self.text = text
        self._memo: dict[tuple[str, int], bool] = {}
        self.date_starts = [d.char_start for d in dates or ()]
        self._own: list[DateMention] | None = None

    def own_dates(self, dates: list[DateMention]) -> list[DateMention]:
        """The sentence's dates that are not the comparison side of a change (computed once)."""
        if self._own is None:
            self._own = [d for d in dates if d.kind != "baseline" and not self.baseline(d.char_start)
                         and not self.reporting(d.char_start)]
        return self._own

    def _ask(self, pattern: re.Pattern[str], key: str, pos: int) -> bool:
        found = self._memo.get((key, pos))
        if found is None:
            found = self._memo[key, pos] = pattern.search(self.text[max(0, pos - 60) : pos]) is not None
        return found

    def baseline(self, pos: int) -> bool:
        """The comparison side of a change ("from", "than", "compared with", "the same period of")."""
        return self._ask(_BASELINE_BEFORE, "baseline", pos)

    def comparative(self, pos: int) -> bool:
        """A superlative's reference ("the highest since"), which does not date the figure."""
        return self._ask(_COMPARATIVE_BEFORE, "comparative", pos)

    def reporting(self, pos: int) -> bool:
        """A date of the report ("police said on Saturday", "informó este lunes"), not of the figure."""
        return self._ask(_REPORTING_BEFORE, "reporting", pos)

    def since(self, pos: int) -> bool:
        """ "since 2021", "desde 2021": the start of a span running to the present."""
        return self._ask(_SINCE_BEFORE, "since", pos)

    def compares(self, pos: int) -> bool:
        """The other side of a comparison ("than in 2022", "the same period of 2022"), not "since"."""
        return self.baseline(pos) and not self.since(pos)


def _baseline(base: DateMention | None, period: Period, text: str) -> Baseline:
    """The comparison period of a change: stated, or the same period a year earlier ("the year before");
    "the same months of 2023" is the period's months in that year."""
    if base is not None and base.start is not None and not _YEAR_BEFORE.search(base.date_text):
        same = _SAME_PART_BEFORE.search(text[max(0, base.char_start - 40) : base.char_start])
        if same and base.precision == "year" and base.end is not None and period[0] and period[1]:
            years = period[1].year - base.end.year
            if years > 0 and period[0].year == period[1].year:
                return _shift_back(period, years)
        return base.start, base.end
    if base is not None or _YEAR_BEFORE.search(text):
        return _shift_back(period)
    return None, None


def _shift_back(period: Period, years: int = 1) -> Baseline:
    """The same period ``years`` earlier; whole months stay whole (February 2025 -> 1-29 February 2024)."""
    start, end = period[0], period[1]
    if start is None or end is None:
        return None, None
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        last = _minus_year(end.replace(day=1), years)
        return _minus_year(start, years), last.replace(day=calendar.monthrange(last.year, last.month)[1])
    return _minus_year(start, years), _minus_year(end, years)


def _minus_year(d: dt.date, years: int = 1) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _range_parts(d: DateMention) -> tuple[tuple[dt.date, dt.date, str], tuple[dt.date, dt.date, str]]:
    """ "between 2019 and 2024" -> (2019, 2024) at the granularity its bounds show."""
    start, end = d.start, d.end
    assert start is not None and end is not None
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return ((start, dt.date(start.year, 12, 31), "year"), (dt.date(end.year, 1, 1), end, "year"))
    next_day = end + dt.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        first_end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return ((start, first_end, "month"), (end.replace(day=1), end, "month"))
    return ((start, start, "day"), (end, end, "day"))


# ---------------------------------------------------------------- places and attribution


def _main_country(text: str) -> str | None:
    """The country the article is mostly about: the most often named in its headline and first
    paragraphs (about 2,000 characters, where news says what it is about), first named on a tie."""
    head = text[:2000]
    cut = head.rfind("\n")
    places = find_places_in(text, 0, cut if cut > 0 and len(text) > 2000 else len(head)) or find_places(text)
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for p in places:
        if p.country_code:
            counts[p.country_code] += 1
            first.setdefault(p.country_code, p.char_start)
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], -first[c]))


def _locate(
    sent: Sentence,
    m: NumberMention,
    places: list[PlaceMention],
    metric: Metric,
    sentences: list[Sentence],
    idx: int,
    main: Callable[[], str | None],
) -> tuple[str | None, PlaceMention | None]:
    """ISO alpha-3 of the place a figure measures, and the nearest finer place in its clause."""
    text = sent.text
    # A finer place counts only inside the number's clause ("..., where over 6,900 deaths").
    finer = [p for p in places if p.kind != "country" and not _across_clause(text, p.char_start, m.start)]
    near = min(finer, key=lambda p: abs(p.char_start - m.start)) if finer else None
    if metric.place == "destination":
        # Migrants' own nationality ("117,487 Ecuadorians") and where they come from are not the place
        # measured.
        for k in range(idx, -1, -1):
            s = sentences[k]
            if s.line_index != sent.line_index:
                break
            cands = [
                p
                for p in (places if k == idx else find_places(s.text))
                if p.country_code
                and not p.demonym
                and not _ORIGIN_BEFORE.search(s.text[max(0, p.char_start - 20) : p.char_start])
            ]
            if cands:
                return min(cands, key=lambda p: abs(p.char_start - m.start)).country_code, near
        return metric.default_country or main(), near
    if metric.place == "recipient":
        cands = [
            p
            for p in places
            if p.country_code and _RECIPIENT_BEFORE.search(text[max(0, p.char_start - 20) : p.char_start])
        ]
        if cands:
            return min(cands, key=lambda p: abs(p.char_start - m.start)).country_code, near
        return main(), near
    cands = [p for p in places if p.country_code]
    if cands:
        best = min(cands, key=lambda p: (p.demonym, abs(p.char_start - m.start)))
        return best.country_code, near
    return main(), near


# ---------------------------------------------------------------- rows


def _country(
    sent: Sentence,
    m: NumberMention,
    places: list[PlaceMention],
    metric: Metric,
    sentences: list[Sentence],
    idx: int,
    main: Callable[[], str | None],
) -> tuple[str | None, str | None]:
    """ISO alpha-3 of the place a figure measures, and a finer place as written (in that country)."""
    code, near = _locate(sent, m, places, metric, sentences, idx, main)
    if near is None or (code and near.country_code and near.country_code != code):
        return code, None
    return code, near.surface


def _across_clause(text: str, a: int, b: int) -> bool:
    lo, hi = sorted((a, b))
    return CLAUSE_BREAK.search(text, lo, hi) is not None


def _row(
    source_id: str,
    sent: Sentence,
    m: NumberMention,
    metric: str,
    subject: str | None,
    change: bool,
    period: Period,
    baseline: Baseline,
    country: str | None,
    place: str | None,
    attributed: str | None,
) -> dict[str, Any]:
    offset = sent.start + m.start
    return {
        "statistic_id": make_id("st", source_id, offset, m.text),
        "source_id": source_id,
        "metric": metric,
        "subject": subject,
        "value": float(m.value),
        "value_low": m.value_low,
        "value_high": m.value_high,
        "qualifier": m.qualifier,
        "unit": m.unit,
        "is_change": change,
        "period_start": period[0],
        "period_end": period[1],
        "period_precision": period[2] if period[0] is not None else "unknown",
        "period_text": period[3],
        "baseline_start": baseline[0],
        "baseline_end": baseline[1],
        "country_code": country,
        "place": place,
        "attributed_to": attributed,
        # a mass normalised to tonnes keeps the number as written with its unit ("253kg", "800 kilos")
        "value_text": sent.text[m.start : m.unit_end] if m.unit == "tonnes" else m.text,
        "quote": sent.text,
        "char_start": sent.start,
        "char_end": sent.end,
    }


def _fuller(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Of two statements of one figure, ``a`` says more than ``b``: a period where ``b`` has none (the date is
    data, a longer quote only context), else the longer sentence."""
    if (a["period_start"] is None) != (b["period_start"] is None):
        return a["period_start"] is not None
    return len(a["quote"]) > len(b["quote"])


def _dedup(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per figure: a value stated again (headline and body) keeps its fullest sentence.

    Two mentions are the same figure when value, bounds, unit, metric and change agree,
    their periods do not contradict (one may be undated, as headlines often are) and they stand
    in different sentences ("seis presos se fugaron ... motines en otras seis prisiones" tells two).
    """
    # Rows are grouped by figure (a dict, not a scan of every kept row: many distinct numbers stay linear).
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        key = (r["value"], r["value_high"], r["unit"], r["is_change"], r["metric"])
        group = groups.setdefault(key, [])
        i = next(
            (
                i
                for i, k in enumerate(group)
                if k["char_start"] != r["char_start"]  # (the quote is the sentence: one sentence, one start)
                and (k["period_start"] is None
                or r["period_start"] is None
                or (k["period_start"], k["period_end"]) == (r["period_start"], r["period_end"]))
            ),
            None,
        )
        if i is None:
            group.append(r)
        elif _fuller(r, group[i]):
            group[i] = r
    order = {id(r): i for i, r in enumerate(rows)}
    return sorted((r for group in groups.values() for r in group), key=lambda r: order[id(r)])  # article order
