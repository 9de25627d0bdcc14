"""What a number in a sentence measures: metric, subject, change, and who reported it (pure).

The words around a number pick its metric from the cues of ``schemas/vocab/metrics.yaml``
(the counted noun right after it, the verb before it, "of/in the X" phrases), weighted by
where they stand and how far; the code knows no metric by name except ``other``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.text.cues import CueIndex, Tokens, fold
from pipeline.text.discourse import referring_back
from pipeline.text.numbers import NumberMention

METRICS_YAML = Path(__file__).resolve().parents[2] / "schemas" / "vocab" / "metrics.yaml"
OTHER = "other"
# Units that make a number in words as good as digits ("three tons", "two percent"): such a number may be a
# statistic of any metric, where other numbers in words are statistics only of a metric marked `spelled`.
MEASURED = frozenset({"tonnes", "usd", "percent", "per_100k"})


def may_count(metric: Metric, m: NumberMention) -> bool:
    """``m`` can be a statistic of ``metric``: digits always; a number in words only for a metric marked
    `spelled`, or with a unit or scale that makes it as good as digits ("three tons", "half a million")."""
    return (not m.spelled or metric.spelled or m.unit == OTHER or m.unit in MEASURED or m.scale >= 1e3)

# ---------------------------------------------------------------- metric vocabulary


@dataclass(frozen=True)
class Metric:
    """A metric of the vocabulary with what the classifier needs."""

    id: str
    units: frozenset[str]
    requires: re.Pattern[str] | None
    place: str
    default_country: str | None
    spelled: bool
    needs_event: bool
    needs_entity: bool
    refers_back: re.Pattern[str] | None  # "the measure", "esta medida": what ``requires`` named before
    narrows: str | None = None  # the broader metric this one is a part of (prison deaths of violent deaths)
    rate_of: frozenset[str] = frozenset()  # the counts this metric is the rate per 100,000 of


Hit = tuple[str, str]  # (metric id, cue kind)


@dataclass(frozen=True)
class Vocabulary:
    """All metrics, and an index of their cues (payload: metric id, cue kind)."""

    metrics: dict[str, Metric]
    index: CueIndex
    spelled_counts: re.Pattern[str]  # what a number in words counts when it is a statistic of metric `other`
    generic_counts: frozenset[str]  # nouns that name no metric: the figure continues the topic before it
    charge: re.Pattern[str]  # "accused of": an event word after it is the charge, not what is counted
    other_counts: frozenset[str] = frozenset()  # "six prisons", "20 massacres": places or incidents, `other`
    object_counts: frozenset[str] = frozenset()  # "three agreements", "100 planes", "45 rifles": `other`
    figure_back: re.Pattern[str] | None = None  # "this figure", "la cifra": the figure told just before


@dataclass(frozen=True)
class MetricCue:
    """A cue found in a sentence (``text[start:end]``) and what it speaks for."""

    start: int
    end: int
    text: str
    hits: tuple[Hit, ...]


def _requires_pattern(words: list[str]) -> re.Pattern[str]:
    """ "arrest*" -> arrest\\w*; "state of emergency" -> state\\s+of\\s+emergency (accent-folded text)."""
    alts = []
    for w in words:
        body = r"\s+".join(re.escape(p) for p in fold(str(w)).lower().rstrip("*").split())
        alts.append(body + (r"[\w'-]*" if str(w).endswith("*") else ""))
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])", re.IGNORECASE)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Load schemas/vocab/metrics.yaml once."""
    spec = yaml.safe_load(METRICS_YAML.read_text(encoding="utf-8"))["metrics"]
    metrics: dict[str, Metric] = {}
    cues: list[tuple[str, Hit]] = []
    for m in spec:
        req = m.get("requires")
        metrics[m["id"]] = Metric(
            id=m["id"],
            units=frozenset(m["units"]),
            requires=_requires_pattern(req) if req else None,
            place=m.get("place", "measured"),
            default_country=m.get("default_country"),
            spelled=bool(m.get("spelled")),
            needs_event=bool(m.get("needs_event")),
            needs_entity=bool(m.get("needs_entity")),
            refers_back=referring_back(tuple(str(n) for n in m.get("refers_back") or ())),
            narrows=m.get("narrows"),
            rate_of=frozenset(m.get("rate_of") or ()),
        )
        cues += [
            (str(cue), (m["id"], kind)) for kind, words in (m.get("cues") or {}).items() for cue in words
        ]
    counted = next((m.get("spelled_counts") or [] for m in spec if m["id"] == OTHER), [])
    words = "|".join(r"\s+".join(map(re.escape, str(w).split())) for w in sorted(counted, key=len, reverse=True))
    # up to three words between ("four other people were wounded"), not across a clause; or a part of a
    # whole counted in digits ("three of the country's 24 provinces", "dos de las 36 cárceles")
    spelled_counts = re.compile(rf"(?:(?:\s+[^\W\d][\w'’-]*){{0,3}}?|\s+(?:of|de)\s+(?:the|l[oa]s)"
                                rf"(?:\s+[^\W\d][\w'’-]*)?\s+\d[\d.,]*)\s+(?:{words or '(?!)'})(?![\w])",
                                re.IGNORECASE)
    generic = next((m.get("generic_counts") or [] for m in spec if m["id"] == OTHER), [])
    charge = next((m.get("charge_markers") or [] for m in spec if m["id"] == OTHER), [])
    places = next(([*(m.get("place_counts") or []), *(m.get("incident_counts") or [])]
                   for m in spec if m["id"] == OTHER), [])
    objects = next((m.get("object_counts") or [] for m in spec if m["id"] == OTHER), [])
    figure_nouns = next((m.get("figure_nouns") or [] for m in spec if m["id"] == OTHER), [])
    return Vocabulary(metrics, CueIndex(cues), spelled_counts, frozenset(fold(str(w)).lower() for w in generic),
                      _requires_pattern(charge) if charge else re.compile("(?!)"),
                      frozenset(fold(str(w)).lower() for w in places), frozenset(fold(str(w)).lower() for w in objects),
                      referring_back(tuple(str(n) for n in figure_nouns)))


def find_cues(text: str, tokens: Tokens, vocab: Vocabulary, offset: int = 0) -> list[MetricCue]:
    """Every metric cue in ``text`` (its folded form's words are ``tokens``, or those of a longer text
    where ``text`` starts at ``offset``), a longer phrase hiding the cues inside it ("violent deaths" is
    not also "deaths"). Offsets are in ``text``."""
    spans: dict[tuple[int, int], list[Hit]] = {}
    for hit in vocab.index.find(tokens, offset, offset + len(text)):
        spans.setdefault((hit.start - offset, hit.end - offset), []).append(hit.data)
    found: list[MetricCue] = []
    for (start, end), hits in sorted(spans.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if found and start < found[-1].end:
            continue  # inside a longer cue
        found.append(MetricCue(start, end, text[start:end], tuple(hits)))
    return found


# ---------------------------------------------------------------- patterns

CLAUSE_BREAK = re.compile(
    r"[;:—–]\s|,\s+(?=(?:with|while|and|but|which|who|where|whereas|although|though|as|after|before|since|"
    r"compared|including|even|yet|so|up|down|y|pero|mientras|con|donde|aunque|tras)\b)|\s\(|"
    # a cause: the words after it say why, not what was counted ("curfews in three provinces due to killings")
    r"\s(?=(?:due\s+to|because\s+of|owing\s+to|debido\s+a|a\s+causa\s+de|por\s+causa\s+de)\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_][\w’'-]*|[^\w\s]")
_CHANGE_AFTER = re.compile(
    r"\s*(?:-\s*)?(?:increase|rise|jump|surge|spike|drop|decline|decrease|fall|reduction|growth|hike|climb|"
    r"uptick|plunge|upswing|leap|gain|aumento|incremento|alza|caída|disminución|reducción|subida|crecimiento|"
    r"repunte|more|fewer|less|higher|lower|up|down|más|menos|superior(?:es)?|inferior(?:es)?)\b",
    re.IGNORECASE,
)
_CHANGE_VERB = (
    r"(?:increas\w*|rose|rise[sn]?|rising|grew|grow\w*|jump\w*|surg\w*|soar\w*|skyrocket\w*|climb\w*|spik\w*|"
    r"fell|fall\w*|dropp?\w*|declin\w*|decreas\w*|plung\w*|plummet\w*|shr[au]nk|up|down|cut|reduc\w*|"
    r"aument\w*|creci\w*|subi\w*|subió|cay\w*|cayó|disminu\w*|baj\w*|bajó|redujo)"
)
_CHANGE_BEFORE = re.compile(
    rf"(?:\b{_CHANGE_VERB}\s+(?:by\s+(?:an?\s+)?|en\s+(?:un\s+)?|un\s+)?"
    r"|\b(?:increase|rise|jump|surge|drop|decline|decrease|fall|reduction|growth|aumento|incremento|caída|"
    r"disminución|reducción)\s+(?:(?:of|del|de)\s+"
    # "el incremento es del 74 %", "the increase was 20%": the noun, a copula, the number
    r"|(?:es|fue|sería|será|ha\s+sido|was|is|has\s+been|will\s+be|stood\s+at)\s+(?:(?:of|del|de)\s+)?))$",
    re.IGNORECASE,
)
_CHANGE_NOUN = re.compile(
    r"\s*(?:-\s*)?(?:increase|rise|jump|surge|spike|drop|decline|decrease|fall|reduction|growth|hike|climb|"
    r"uptick|plunge|aumento|incremento|alza|caída|disminución|reducción|subida|crecimiento)\s+"
    r"(?:(?:in|of|en|de|del)\s+(?:the\s+|los\s+|las\s+|la\s+|el\s+)?)",
    re.IGNORECASE,
)
_SUBJECT_STOP = frozenset(
    str.split(
        "in on at from to for during since by with last this that which who whom whose were was have has "
        "had is "
        "are will would could can may might must should did do does been being be said says according while "
        "but or than as of comes came come remain remains remained marking making bringing leaving including "
        "compared over between after before across among per alone each every en el la los las que con por "
        "para durante desde se fueron han ha son es fue según tras sobre entre frente respecto comparado comparada "
        "versus vs along alongside against toward towards into through junto contra hacia"
    )
)
_ARTICLES = frozenset({"a", "an", "the", "its", "their", "his", "her", "un", "una", "el", "la", "los", "las"})
_CHANGE_WORD = re.compile(
    r"increase|rise|jump|surge|spike|drop|decline|decrease|fall|reduction|growth|hike|climb|uptick|plunge|leap|"
    r"aumento|incremento|alza|caída|disminución|reducción|subida|crecimiento|repunte",
    re.IGNORECASE,
)
_SUBJECT_CONNECT = frozenset({"and", "of", "as", "y", "de", "del"})
_SUBJECT_OF = re.compile(
    r"\s*(?:(?:of|de|del)\s+)?(?:(?:the|all|these|those|los|las|la|el)\s+)?", re.IGNORECASE
)
_SUBJECT_LEAD = re.compile(
    r"\s*(?:(?:of|in|for|worth\s+of|de|del|en|para)\s+)?(?:(?:the|all|these|those|los|las|la|el)\s+)?",
    re.IGNORECASE,
)
_ATTR_ACCORDING = re.compile(
    r"\b(?:according\s+to|citing|data\s+from|figures\s+from|statistics\s+from|según|de\s+acuerdo\s+(?:con|a))\s+"
    r"(?P<src>[^,.;:()“”\"]{2,90})",
    re.IGNORECASE,
)
_SOURCE_NOUN = (
    r"(?:authorities|officials|police|prosecutors|the\s+government|the\s+ministry|the\s+agency|the\s+report|"
    r"data|figures|statistics|experts|analysts|researchers|autoridades|la\s+policía|la\s+fiscalía|"
    r"el\s+gobierno|el\s+ministerio)"
)
_NAME = r"(?:[A-Z][\w.'’&-]*)(?:\s+(?:of|for|and|de|del|la|y|the)?\s*[A-Z][\w.'’&-]*){0,6}"
_ATTR_VERB = re.compile(
    rf"(?P<src>{_NAME}|{_SOURCE_NOUN})\s+(?:have\s+|has\s+)?(?:said|says|reported|reports|reporting|estimated|"
    r"estimates|announced|announces|told|documented|confirmed|showed|show|shows|"
    r"informó|reportó|indicó|señaló|confirmó|dijo|aseguró)\b",
)
_ACCORDING_KEYS = (
    "according",
    "citing",
    "data from",
    "figures from",
    "statistics from",
    "según",
    "de acuerdo",
)
_VERB_KEYS = frozenset(
    str.split(
        "said says reported reports reporting estimated estimates announced announces told documented "
        "confirmed "
        "showed show shows informó reportó indicó señaló confirmó dijo aseguró"
    )
)
_LOWER_WORD = re.compile(r"[^\W\d_]+")
_NOT_SOURCE_START = frozenset(
    {
        "In",
        "On",
        "At",
        "Yet",
        "But",
        "And",
        "However",
        "Meanwhile",
        "En",
        "The",
        "A",
        "As",
        "Also",
        "Still",
        "Then",
        "Now",
        "Today",
        "Last",
        "This",
        "When",
        "While",
    }
)
_ATTR_TRIM = re.compile(
    r"^(?:the\s+|la\s+|el\s+|los\s+|las\s+)?(?:(?:data|figures|statistics|numbers|cifras|datos)\s+"
    r"(?:from|of|by|de|del)\s+)?(?:the\s+|la\s+|el\s+)?",
    re.IGNORECASE,
)
_ATTR_CUT = re.compile(
    r"\s+(?:that|which|who|in|on|for|shows?|showed|cited|published|released|que|en)\b.*$", re.IGNORECASE
)


# ---------------------------------------------------------------- metric and subject


def label_numbers(
    text: str,
    mentions: list[NumberMention],
    vocab: Vocabulary,
    article: Tokens | None = None,
    offset: int = 0,
) -> list[tuple[str, str | None]]:
    """(metric, subject) for each number of a sentence, left to right.

    ``article``: the words of the article where the sentence starts at ``offset`` (read once for all
    its sentences); the sentence's own are read when it is not set off by whitespace there.
    """
    if article is not None and article.delimits(offset, offset + len(text)):
        span = article.span(offset, offset + len(text))
        tokens, word_starts = article, [s - offset for s in article.starts[span.start : span.stop]]
    else:
        tokens, offset = Tokens(fold(text)), 0
        word_starts = tokens.starts
    cues = find_cues(text, tokens, vocab, offset)
    requires: dict[str, bool] = {}
    claimed: set[int] = set()  # numbers whose own words say they are `other` ("14 were injured")
    labels = [
        classify(
            text,
            m,
            mentions[i - 1] if i else None,
            mentions[i + 1] if i + 1 < len(mentions) else None,
            vocab,
            cues,
            word_starts,
            requires,
            claimed,
            i,
        )
        for i, m in enumerate(mentions)
    ]
    labels = _colon_breakdown(text, mentions, labels, cues, vocab, claimed)
    return _partitives(text, mentions, siblings_share_metric(text, mentions, labels, vocab, claimed), cues)


_COLON = re.compile(r":\s")
_JOINT = re.compile(r"\s(?:and|or|y|e|o|u)\s", re.IGNORECASE)  # what joins one figure to the next
_AGENT = re.compile(r"\s+(?:by|por)\s+", re.IGNORECASE)  # between a passive verb and who did it


def _colon_breakdown(text: str, mentions: list[NumberMention], labels: list[tuple[str, str | None]],
                     cues: list[MetricCue], vocab: Vocabulary, claimed: set[int]) -> list[tuple[str, str | None]]:
    """Numbers listed after a colon break down what the words before it name ("all the deceased were
    inmates: 33 in Turi, in Cuenca; eight in Latacunga"): each that nothing else names takes the metric
    whose event words (and, less, entity words) the head holds most; context words anywhere break a tie."""
    colon = _COLON.search(text)
    if colon is None or not mentions or mentions[0].start < colon.start():
        return labels
    score: dict[str, float] = {}
    for c in cues:
        for metric, kind in c.hits:
            if c.end <= colon.start() and kind in ("event", "entity"):
                # (what happened weighs more than who: "Police gave the breakdown of arrests:")
                score[metric] = score.get(metric, 0.0) + (1.0 if kind == "event" else 0.5)
            elif kind == "context" and metric in score:
                score[metric] += 0.5
    if not score:
        return labels
    best = max(score, key=lambda k: (score[k], -list(score).index(k)))
    metric = vocab.metrics[best]
    if metric.requires is not None and metric.requires.search(fold(text)) is None:
        return labels
    out = list(labels)
    for i, m in enumerate(mentions):
        if labels[i][0] == OTHER and i not in claimed and m.unit in metric.units and may_count(metric, m):
            out[i] = (best, labels[i][1])
    return out


# "three of the eight fugitives were recaptured", "tres de los ocho prófugos fueron recapturados": a part
# of a whole the sentence has already counted. What the clause's verb says happened, happened to the part.
_PARTITIVE = re.compile(r"\s+(?:of|de)\s+(?:the|these|those|l[oa]s|est[oa]s|es[oa]s|aquell[oa]s)\s+$",
                        re.IGNORECASE)
# An auxiliary before the metric's cue makes the cue the clause's verb ("... inmates were recaptured"),
# not a word of the whole's own noun phrase ("three of the 15 people killed were officers": 15 deaths).
_AUXILIARY = re.compile(r"\b(?:were|was|are|is|been|got|fueron|fue|son|es|sido|han|habían|resultaron|quedaron)\b",
                        re.IGNORECASE)


def _partitives(text: str, mentions: list[NumberMention], labels: list[tuple[str, str | None]],
                cues: list[MetricCue]) -> list[tuple[str, str | None]]:
    """The part of a partitive takes the metric the verb after the whole gives; the whole is then a count
    of what it names (`other`)."""
    out = list(labels)
    for i in range(len(mentions) - 1):
        part, whole = mentions[i], mentions[i + 1]
        metric = labels[i + 1][0]
        if (metric == OTHER or part.unit != "count" or whole.unit != "count"
                or not _PARTITIVE.match(text, part.unit_end, whole.qualifier_start)):
            continue
        cut = CLAUSE_BREAK.search(text, whole.unit_end)
        end = cut.start() if cut else len(text)
        cue = next((c for c in cues if whole.unit_end <= c.start and c.end <= end
                    and any(h[0] == metric and h[1] == "event" for h in c.hits)), None)
        if cue is not None and _AUXILIARY.search(text, whole.unit_end, cue.start):
            out[i] = (metric, labels[i][1] or labels[i + 1][1])
            out[i + 1] = (OTHER, labels[i + 1][1])
    return out


def words_between(text: str) -> int:
    """How many words (letters or digits) ``text`` holds."""
    return sum(1 for w in _WORD.findall(text) if w[0].isalnum())


def classify(
    text: str,
    m: NumberMention,
    prev: NumberMention | None,
    nxt: NumberMention | None,
    vocab: Vocabulary,
    cues: list[MetricCue],
    word_starts: list[int],
    requires: dict[str, bool],
    claimed: set[int] | None = None,
    index: int = 0,
) -> tuple[str, str | None]:
    """Metric and subject of a number from the cue words around it (``index`` is added to ``claimed``
    when cues of `other` itself win: "14 were injured")."""
    left_start = prev.unit_end if prev else 0
    right_end = nxt.qualifier_start if nxt else len(text)
    # The words around a number that speak of it stop at a clause break (", with the murder rate ...").
    cut = CLAUSE_BREAK.search(text, m.unit_end, right_end)
    right_end = cut.start() if cut else right_end
    for brk in CLAUSE_BREAK.finditer(text, left_start, m.qualifier_start):
        left_start = brk.end()
    # "68 inmates killed and 25 injured": the event and entity words before "and" are the figure before's
    # (its context words, which may define a rate, still speak for this one)
    own_left = left_start
    if prev is not None:
        for joint in _JOINT.finditer(text, left_start, m.qualifier_start):
            own_left = joint.end()
    scores: dict[str, float] = {}  # (a dict: a Counter costs more to make than the counting it does here)
    best_cue: dict[str, tuple[float, str]] = {}
    near_event: set[str] = set()
    counted: set[str] = set()  # metrics one of whose entity words is what the number counts ("22 gangs")
    near: set[str] = set()  # metrics with a cue in the number's own clause
    named: set[str] = set()  # metrics whose event or entity words the sentence holds (context alone names none)
    folded: str | None = None  # the sentence without accents, made when a cue right of the number needs it
    subject = subject_of(text, m, right_end)
    # What the number counts ends its reach for entity words: in "36 prisons remain under military control"
    # the prisons are counted, not the military.
    counted_end = _phrase_end(text, m.unit_end, subject) if subject and not m.gap else None
    for c in cues:
        if m.end <= c.start and c.end <= m.unit_end:  # "13.7 murders per 100,000": inside the unit
            where, distance = "right", 0
        elif m.unit_end <= c.start and c.end <= right_end:
            where, distance = (
                "right",
                bisect_left(word_starts, c.start) - bisect_left(word_starts, m.unit_end),
            )
            if folded is None:
                folded = fold(text)
            if vocab.charge.search(folded, m.unit_end, c.start):  # "16 men accused of extortion"
                where, distance = "sentence", 0
        elif left_start <= c.start and c.end <= m.qualifier_start:
            where = "left"
            distance = bisect_left(word_starts, m.qualifier_start) - bisect_left(word_starts, c.end)
            if _AGENT.fullmatch(text, c.end, m.qualifier_start):
                where, distance = "sentence", 0  # "assassinated by seven gunmen": the number counts who did it
        elif c.end <= left_start or c.start >= right_end:
            where, distance = "sentence", 0
        else:
            continue
        w_of = _WEIGHTS[where]
        for metric, kind in c.hits:
            if kind == "entity" and where == "right" and counted_end is not None and c.start >= counted_end:
                continue
            if where == "left" and c.end <= own_left and kind != "context":
                continue
            base, slope, reach = w_of[kind]
            w = base - slope * distance if distance <= reach else (0.5 if where == "left" else 0.0)
            if w > 0:
                if kind != "context":
                    named.add(metric)
                if where != "sentence":
                    near.add(metric)
                    if kind == "event" and distance <= 3:
                        near_event.add(metric)
                    elif kind == "entity" and where == "right" and (counted_end is None or c.end <= counted_end):
                        counted.add(metric)
                scores[metric] = scores.get(metric, 0) + w
                if w > best_cue.get(metric, (0.0, ""))[0]:
                    best_cue[metric] = (w, c.text)

    def possible(mid: str) -> bool:
        metric = vocab.metrics[mid]
        if mid != OTHER and not may_count(metric, m):
            return False  # a number in words this metric cannot have: the next best metric may take it
        # Context words alone name no metric ("a 30% tariff ... at the border" is no migrant statistic),
        # except for a rate per 100,000, which they define with its unit ("45 homicides per 100,000").
        if m.unit not in metric.units or (metric.needs_event and mid not in near_event) or (
                # (with nothing named after it, the number may still count them: "one of two, along with")
                metric.needs_entity and mid not in counted and subject is not None) or (
                mid not in named and m.unit != "per_100k"):
            return False
        if metric.requires is None:
            return True
        if mid not in requires:
            requires[mid] = metric.requires.search(fold(text)) is not None
        return requires[mid]

    # A count needs a cue in its own clause; a rate or share may take one from its sentence
    # ("... homicide rate ... to 46.18 per 100,000 in 2023"). Words need a strong cue.
    own_clause = m.unit in ("count", "other")
    top = max(
        ((s, mid) for mid, s in scores.items() if possible(mid) and (mid in near or not own_clause)),
        default=(0.0, OTHER),
    )
    metric = top[1] if top[0] >= (1.5 if m.spelled else 0.55) else OTHER
    # What the number counts is a place, an incident or a thing no metric counts ("the three most violent
    # provinces", "tres acuerdos de cooperación", "100 planes")
    heads = _heads(subject) if subject is not None else ()
    own_other = m.unit == "count" and subject is not None and (
        _first_word(subject) in vocab.other_counts or not vocab.other_counts.isdisjoint(heads)
        or not vocab.object_counts.isdisjoint(heads))
    if own_other:
        metric = OTHER  # "40 guards taken hostage in six prisons": six counts prisons
    if metric == OTHER and (own_other or (top[1] == OTHER and top[0] > 0)) and claimed is not None:
        claimed.add(index)  # its own words make it `other`: no sibling lends it a metric
    return metric, subject or (best_cue[metric][1] if metric in best_cue else None)


# (base weight, loss per word of distance, reach in words) by where a cue is and what kind it is.
_WEIGHTS: dict[str, dict[str, tuple[float, float, int]]] = {
    "right": {"event": (4.0, 0.3, 8), "entity": (2.5, 0.5, 3), "context": (1.0, 0.0, 99)},
    "left": {"event": (3.0, 0.3, 8), "entity": (0.5, 0.0, 99), "context": (1.0, 0.0, 99)},
    # elsewhere in the sentence: likely about another number
    "sentence": {"event": (0.6, 0.0, 99), "entity": (0.3, 0.0, 99), "context": (0.4, 0.0, 99)},
}


def _first_word(phrase: str) -> str:
    """The first word of a subject, folded and lower case ("other" and "different" skipped: "six other
    prisons")."""
    words = [fold(w).lower() for w in phrase.split()]
    while len(words) > 1 and words[0] in _PLACE_FILLERS:
        words = words[1:]
    return words[0] if words else ""


def _heads(phrase: str) -> tuple[str, ...]:
    """The words that may head the noun phrase a subject opens with, folded and lower case: its first
    (Spanish, "acuerdos de cooperación") and its last before "and"/"of" (English, "military cooperation
    agreements"; "soldiers and helicopters" is headed by the soldiers)."""
    words: list[str] = []
    for w in phrase.split():
        if w.lower() in _SUBJECT_CONNECT:
            break
        words.append(fold(w).lower())
    return (words[0], words[-1]) if words else ()


_PLACE_FILLERS = frozenset({"other", "different", "more", "otras", "otros", "distintas", "distintos", "diferentes",
                            "mas"})


def _phrase_end(text: str, start: int, phrase: str) -> int | None:
    """Where ``phrase`` (words of ``text`` after ``start``, as :func:`subject_of` joins them) ends."""
    pos = start
    for word in phrase.split():
        found = text.find(word, pos)
        if found < 0:
            return None
        pos = found + len(word)
    return pos


def subject_of(text: str, m: NumberMention, right_end: int) -> str | None:
    """The counted thing in the article's words: the noun phrase after the number ("violent deaths")."""
    if m.gap:
        return m.gap
    pos = m.unit_end
    change = _CHANGE_NOUN.match(text, pos)
    if change:
        pos = change.end()
    elif m.unit in ("percent", "percentage_points", "per_100k", "tonnes"):
        pos = _SUBJECT_OF.match(text, pos).end()  # type: ignore[union-attr]
    elif m.unit == "usd":
        pos = _SUBJECT_LEAD.match(text, pos).end()  # type: ignore[union-attr]
    words: list[str] = []
    for w in _WORD.findall(text[pos:right_end]):
        low = w.lower()
        if words and words[-1].lower() in ("and", "y") and low.endswith("ed"):
            break  # "cocaine and arrested 1,200": a new verb phrase
        if low in _ARTICLES and len(words) >= 2:
            words.pop()  # "armed men invaded a station": the word before an article is a verb
            break
        if not w[0].isalpha() or low in _SUBJECT_STOP or len(words) >= 6:
            if low in _SUBJECT_CONNECT and words and len(words) < 6:
                words.append(w)
                continue
            break
        words.append(w)
    while words and words[-1].lower() in _SUBJECT_CONNECT:
        words.pop()
    if words and words[0].lower() in _ARTICLES:
        words = words[1:]
    if words and _CHANGE_WORD.fullmatch(words[0]):
        return None  # "a 371% increase from 2022": the counted thing is named elsewhere
    return " ".join(words) or None


_LINK = re.compile(r"(?:\b(?:and|or|y|o|to|from|than|versus|vs\.?|a|hasta|de)|,)\s*$", re.IGNORECASE)


_BASELINE_LINK = re.compile(
    r"\b(?:(?:up|down|rising|falling|climbing|dropping)\s+from|compared\s+(?:with|to)|versus|vs\.?|frente\s+al?|"
    r"comparad[oa]s?\s+con|en\s+comparaci[oó]n\s+con|respecto\s+al?)"
    r"\s+(?:(?:the|el|la|los|las)\s+)?(?:(?:more\s+than|about|around|nearly|almost|some|just|m[aá]s\s+de|unos|unas|"
    r"cerca\s+de)\s+)?$",
    re.IGNORECASE,
)


def siblings_share_metric(
    text: str,
    mentions: list[NumberMention],
    labels: list[tuple[str, str | None]],
    vocab: Vocabulary,
    claimed: set[int] | frozenset[int] = frozenset(),
) -> list[tuple[str, str | None]]:
    """A count without a cue of its own takes the metric of the number it is coordinated with.

    "held 50 guards and 7 police officers hostage", "reached 20,000 in 2023, up from 6,000 in 2022".
    ``claimed``: numbers whose own words make them `other` ("killed 9 and 14 were injured").
    """
    out = list(labels)
    for i, m in enumerate(mentions):
        if out[i][0] != OTHER or m.spelled or i in claimed:
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(mentions) or labels[j][0] == OTHER:
                continue
            if m.unit not in vocab.metrics[labels[j][0]].units:
                continue
            a, b = (mentions[j], m) if j < i else (m, mentions[j])
            between = text[a.unit_end : b.qualifier_start]
            # "... up from 29,356 in 2022": a baseline names the same measure however far back it is
            baseline = j < i and ";" not in between and _BASELINE_LINK.search(between)
            if baseline or (len(between) <= 40 and ";" not in between and _LINK.search(between)):
                out[i] = (labels[j][0], out[i][1] or labels[j][1])
                break
    return _breakdowns_share_metric(text, mentions, out, vocab, claimed)


# "killed 10 people, including eight in Guayaquil and two police officers": a breakdown of a count
_BREAKDOWN = re.compile(
    r"\b(?:including|among\s+them|among\s+whom|of\s+whom|of\s+which|incluid[oa]s|incluyendo|entre\s+ell[oa]s|"
    r"de\s+l[oa]s\s+cuales)\b",
    re.IGNORECASE,
)


_LIST_ITEM_LEAD = re.compile(r"(?:\b(?:and|or|y|o)|,)\s*$", re.IGNORECASE)


def _breakdowns_share_metric(
    text: str,
    mentions: list[NumberMention],
    labels: list[tuple[str, str | None]],
    vocab: Vocabulary,
    claimed: set[int] | frozenset[int] = frozenset(),
) -> list[tuple[str, str | None]]:
    """Numbers after "including" / "among them" count parts of the number before it, so they measure
    what it measures ("arrested 200 people, including 15 police officers": arrests, not troops)."""
    out = list(labels)
    for j, head in enumerate(mentions):
        metric = labels[j][0]
        if metric == OTHER or head.unit not in ("count", "other"):
            continue
        cut = _BREAKDOWN.search(text, head.unit_end, mentions[j + 1].qualifier_start if j + 1 < len(mentions) else 0)
        if cut is None:
            continue
        after = cut.end()
        for i in range(j + 1, len(mentions)):
            m = mentions[i]
            # An item opens the list ("including eight") or follows "and"/a comma in it; the list ends at
            # another unit or clause (", and arrested 30 suspects"). "including hundreds from 22 gangs": no.
            listed = (_LIST_ITEM_LEAD.search(text, after, m.qualifier_start) if i > j + 1
                      else not text[after : m.qualifier_start].strip())
            if m.unit != head.unit or CLAUSE_BREAK.search(text, after, m.qualifier_start) or not listed:
                break
            if i not in claimed:
                out[i] = (metric, out[i][1])
            after = m.unit_end
    return out


def has_own_subject(text: str, m: NumberMention) -> bool:
    """The number names what it counts: "a 397% rise in the apprehensions of ...", "13.7 murders per ..."."""
    return bool(_CHANGE_NOUN.match(text, m.unit_end)) or bool(m.gap)


def is_change(text: str, m: NumberMention) -> bool:
    """ "a 371% increase", "skyrocketed by 429%", "up 20%", "doubled": a change against a baseline."""
    if m.unit == "other":
        # "doubled", "fivefold"; "two-thirds of" is a share; "25.5 murders per day" an average
        return m.spelled and not m.average and m.value >= 1
    if m.unit not in ("percent", "percentage_points", "count", "per_100k"):
        return False
    after = _CHANGE_AFTER.match(text, m.unit_end)
    if after:
        # "2,000 more troops" is an addition, not a change against a baseline
        return m.unit != "count" or not re.match(r"\s*(?:more|fewer|less|más|menos)\b", after.group(), re.I)
    return bool(_CHANGE_BEFORE.search(text[max(0, m.qualifier_start - 40) : m.qualifier_start]))


# ---------------------------------------------------------------- attribution


def find_sources(text: str) -> list[tuple[int, int, str, bool]]:
    """Who the sentence says produced its figures ("according to X", "X reported").

    Each as (start, end, source, closing): ``closing`` when the reporting clause ends the
    sentence ("..., officials said."), so it covers every number before it.
    """
    low = text.lower()
    found: list[tuple[int, int, str, bool]] = []
    if any(k in low for k in _ACCORDING_KEYS):
        for a in _ATTR_ACCORDING.finditer(text):
            src = _ATTR_CUT.sub("", _ATTR_TRIM.sub("", a.group("src").strip())).strip()
            if src:
                found.append((a.start(), a.end(), src, True))
    if not _VERB_KEYS.isdisjoint(_LOWER_WORD.findall(low)):
        for v in _ATTR_VERB.finditer(text):
            words = _ATTR_TRIM.sub("", v.group("src").strip()).split()
            while words and words[0] in _NOT_SOURCE_START:
                words = words[1:]
            if words:
                closing = re.fullmatch(r"[\s.”\"’']*", text[v.end() :]) is not None
                found.append((v.start(), v.end(), " ".join(words), closing))
    return found


def nearest_source(text: str, sources: list[tuple[int, int, str, bool]], pos: int) -> str | None:
    """The source nearest to a number whose reporting clause is the number's own (or closes the sentence)."""
    best: tuple[int, str] | None = None
    for start, _end, src, closing in sources:
        a, b = sorted((start, pos))
        if not closing and CLAUSE_BREAK.search(text, a, b):
            continue  # the reporting verb belongs to another clause ("while Colombia reported ...")
        d = abs(start - pos)
        if best is None or d < best[0]:
            best = (d, src)
    return best[1] if best else None
