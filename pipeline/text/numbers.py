"""Read the numbers in a sentence of news prose (pure; no I/O beyond the unit vocabulary).

``find_numbers(sentence)`` returns every number that can be a statistic,
normalised per the codebook: value, bounds, qualifier and unit.  Years,
dates, times of day, ages, ordinals and ranks, names with digits ("Zonal 8",
"COVID-19"), phone numbers, subscription prices, time expressions ("over the
past two weeks") and vague words ("hundreds") are left out.

Hand-written regular expressions rather than spaCy's Matcher: the codebook's
separator rule ("3.036" is 3036, "44,5" is 44.5) and forms glued to digits
("US$2.5", "371%", "60-day", "COVID-19") are character-level, which spaCy's
tokenizer splits apart and ``like_num`` does not evaluate; one compiled pass
over the sentence is also several times faster than tokenising it again.
Unit surface forms come from ``schemas/vocab/units.yaml``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

UNITS_YAML = Path(__file__).resolve().parents[2] / "schemas" / "vocab" / "units.yaml"
LEXICON_YAML = Path(__file__).resolve().parents[2] / "schemas" / "lexicon" / "numbers.yaml"

# Units whose number is never a date part, a year or a time expression.
STRONG_UNITS = frozenset({"percent", "percentage_points", "per_100k", "usd", "tonnes"})
DURATION_UNITS = frozenset({"days", "months", "years", "hours"})


@dataclass(frozen=True)
class NumberMention:
    """A number found in a string; ``string[start:end] == text``.

    ``text`` is the number as written (currency, digits or words, scale word):
    "117,487", "$1 million", "a dozen", "7,500 to 8,000".  ``unit_end`` is where
    the number's unit words end ("38.76 per 100,000 people"); ``gap`` holds the
    words between a number and a split unit ("murders" in "13.7 murders per
    100,000").  ``qualifier_start`` is where a qualifier ("more than") begins
    (== ``start`` when there is none).  ``spelled`` marks numbers written in
    words or as a multiplicative word ("three", "doubled"): weaker evidence of
    a statistic than digits.  ``scale`` is the factor a scale word applied.  ``average`` marks a
    per-time average ("25.5 murders per day"; unit ``other``), which is no multiplicative change.
    """

    text: str
    start: int
    end: int
    value: float
    value_low: float | None
    value_high: float | None
    qualifier: str
    unit: str
    unit_end: int
    qualifier_start: int
    spelled: bool = False
    gap: str = ""
    scale: float = 1.0
    average: bool = False


# ---------------------------------------------------------------- numerals


_NUMERAL = re.compile(r"\d[\d.,]*")


def parse_numeral(digits: str) -> float | None:
    """Digits with separators -> float, by the codebook rule.

    A comma or point followed by exactly three digits (and no further digit)
    is a thousands separator in either language ("1,005", "3.036"); otherwise
    it is a decimal mark ("38.76", "44,5").  With both marks, the last one is
    the decimal mark ("1,234.5", "1.234,5").
    """
    s = digits.replace("\u00a0", ",").replace("\u202f", ",")
    if not _NUMERAL.fullmatch(s) or s[-1] in ".,":
        return None
    if "," in s and "." in s:
        last = max(s.rfind(","), s.rfind("."))
        dec = s[last]
        head = s[:last]
        if dec in head:
            return None
        groups = head.split("," if dec == "." else ".")
        return float("".join(groups) + "." + s[last + 1 :]) if _thousands(groups) else None
    sep = "," if "," in s else "." if "." in s else ""
    if not sep:
        return float(s)
    groups = s.split(sep)
    if _thousands(groups):
        return float("".join(groups))
    if len(groups) == 2:
        return float(groups[0] + "." + groups[1])
    return None


def _thousands(groups: list[str]) -> bool:
    """Digit groups read as thousands: 1-3 leading digits (not a lone 0), then groups of three."""
    if len(groups) == 1:
        return True
    head = groups[0]
    return (
        1 <= len(head) <= 3
        and head != "0"
        and not head.startswith("0")
        and all(len(g) == 3 for g in groups[1:])
    )


_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "mil millones": 1e9,
    "millones": 1e6,
    "millón": 1e6,
    "millon": 1e6,
    "billones": 1e12,
    "mil": 1e3,
    "bn": 1e9,
    "mn": 1e6,
    "m": 1e6,
    "k": 1e3,
    "b": 1e9,
}
_SHORT_SCALES = frozenset({"bn", "mn", "m", "k", "b"})  # only glued to a currency amount: "$3m", "$1.2bn"

_EN_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Spanish: "once" (11) is left out, it is an everyday English word.
_ES_WORDS = {
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciséis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiún": 21,
    "veintiuno": 21,
    "veintidós": 22,
    "veintitrés": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiséis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
    "cien": 100,
    "ciento": 100,
    "doscientos": 200,
    "doscientas": 200,
    "trescientos": 300,
    "trescientas": 300,
    "cuatrocientos": 400,
    "cuatrocientas": 400,
    "quinientos": 500,
    "quinientas": 500,
    "seiscientos": 600,
    "seiscientas": 600,
    "setecientos": 700,
    "setecientas": 700,
    "ochocientos": 800,
    "ochocientas": 800,
    "novecientos": 900,
    "novecientas": 900,
}
_WORD_SCALES = {
    "hundred": 100,
    "dozen": 12,
    "docena": 12,
    "thousand": 1e3,
    "mil": 1e3,
    "million": 1e6,
    "millón": 1e6,
    "millones": 1e6,
    "billion": 1e9,
}
_WORD_VALUES = {**_EN_WORDS, **_ES_WORDS}
_SINGLE = frozenset({"one", "uno", "un", "una", "a", "an"})


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


_W = _alt(list(_WORD_VALUES) + list(_WORD_SCALES))
_WORDS_RE = re.compile(
    rf"(?<![\w-])(?:(?P<art>a|an|one|un|una|uno)\s+)?(?P<seq>(?:{_W})(?:(?:\s+and\s+|\s+y\s+|\s+|-)(?:{_W}))*)"
    rf"(?![\w])",
    re.IGNORECASE,
)

_FRACTIONS = {
    "half": 0.5,
    "halves": 0.5,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 0.25,
    "quarters": 0.25,
    "fifth": 0.2,
    "fifths": 0.2,
}
_MULTIPLIERS = {
    "doubled": 2,
    "doubling": 2,
    "tripled": 3,
    "tripling": 3,
    "trebled": 3,
    "quadrupled": 4,
    "quintupled": 5,
    "duplicó": 2,
    "duplicaron": 2,
    "triplicó": 3,
    "triplicaron": 3,
    "cuadruplicó": 4,
    "cuadruplicaron": 4,
}
# "five times the figure", "3 times as many", "double the 2020 level", "tres veces más": a factor against
# something named after it (a frequency, "visited three times", names nothing after).
_COMPARATIVES = {"double": 2, "triple": 3, "twice": 2, "quadruple": 4}
_TIMES_AFTER = (r"(?=\s+(?:the|as|higher|more|larger|greater|bigger|lower|that|what|its|their|"
                r"más|mayor|menos|el|la|lo)\b)")
_MULT_RE = re.compile(
    rf"(?<![\w-])(?:(?P<mult>{_alt(_MULTIPLIERS)})"
    rf"|(?P<times>\d+(?:[.,]\d+)?|{_alt(_EN_WORDS)}|{_alt(_ES_WORDS)})\s+(?:times|veces){_TIMES_AFTER}"
    rf"|(?P<cmp>{_alt(_COMPARATIVES)}){_TIMES_AFTER}"
    rf"|(?P<fold>\d+(?:[.,]\d+)?|{_alt(_EN_WORDS)})[- ]?fold"
    rf"|(?P<num>one|two|three|four|a)[- ](?P<frac>thirds?|quarters?|fifths?)(?=\s+of\b))(?![\w])",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- units (from units.yaml)


@dataclass(frozen=True)
class _UnitTables:
    prefix_re: re.Pattern[str]
    prefix_unit: dict[str, str]
    suffix_re: re.Pattern[str]
    suffix_unit: dict[str, str]
    weak_pp_re: re.Pattern[str]
    rate_re: re.Pattern[str]
    rate_phrase_re: re.Pattern[str]
    factor: dict[str, float]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


@lru_cache(maxsize=1)
def _lexicon_spec() -> dict[str, Any]:
    """schemas/lexicon/numbers.yaml as parsed, read once for the unit and the lexicon tables."""
    spec: dict[str, Any] = yaml.safe_load(LEXICON_YAML.read_text(encoding="utf-8"))
    return spec


@lru_cache(maxsize=1)
def _units() -> _UnitTables:
    spec = yaml.safe_load(UNITS_YAML.read_text(encoding="utf-8"))["units"]
    prefix_unit: dict[str, str] = {}
    suffix_unit: dict[str, str] = {}
    factor: dict[str, float] = {}
    weak: list[str] = []
    rate = ""
    for u in spec:
        for p in u.get("prefix") or []:
            prefix_unit[_norm(p)] = u["id"]
        for s in u.get("suffix") or []:
            suffix_unit[_norm(s)] = u["id"]
        for k, v in (u.get("factor") or {}).items():
            factor[_norm(k)] = float(v)
        weak += u.get("weak_suffix") or []
        if u.get("pattern"):
            rate = re.sub(r"\s+", "", u["pattern"])  # layout only: the pattern spells spaces as \s

    def flexible(word: str) -> str:  # "per cent" also matches "per  cent"
        return r"\s+".join(re.escape(p) for p in word.split())

    pre = "|".join(
        (r"(?<![\w])" if p[0].isalpha() else "") + flexible(p)
        for p in sorted(prefix_unit, key=len, reverse=True)
    )
    suf = "|".join(flexible(s) for s in sorted(suffix_unit, key=len, reverse=True))
    articles = _lexicon_spec().get("unit_articles") or []
    article = rf"(?:(?:{'|'.join(map(re.escape, articles))})\s+)?" if articles else ""
    return _UnitTables(
        prefix_re=re.compile(rf"(?:{pre})\s?$", re.IGNORECASE),
        prefix_unit=prefix_unit,
        # "%" glued, words after a space or a hyphen ("60-day"), or after an article in a cleft ("son 40
        # las toneladas"); a word must end at a word boundary.
        suffix_re=re.compile(rf"(?:\s?%|(?:\s+{article}|-)(?P<w>{suf})(?![\w]))", re.IGNORECASE),
        suffix_unit=suffix_unit,
        weak_pp_re=re.compile(rf"(?:\s+|-)(?:{'|'.join(map(re.escape, weak))})\b", re.IGNORECASE),
        rate_re=re.compile(rf"(?P<gap>(?:\s+[^\W\d][\w'’-]*){{0,3}}?)\s+(?:{rate})", re.IGNORECASE),
        rate_phrase_re=re.compile(rf"(?<![\w])(?:{rate})", re.IGNORECASE),
        factor=factor,
    )


# ---------------------------------------------------------------- kinds of number (from numbers.yaml)


@dataclass(frozen=True)
class _Lexicon:
    age_nouns: frozenset[str]
    age_verbs: frozenset[str]
    age_pronoun: frozenset[str]  # "he was", "who is"
    age_before: re.Pattern[str]  # "at the age of", "aged"
    es_age_before: re.Pattern[str]  # "un hombre de unos", "Saúl Arboleda, de": a Spanish age follows
    clock_after: re.Pattern[str]
    clock_before: frozenset[str]
    clock_words: re.Pattern[str]  # "a las", "hasta las" (+ "8 y"): an hour or its minutes follow in words
    place_after: re.Pattern[str]  # a length unit, a bracket, then a word that places ("50 meters from")
    conversion: re.Pattern[str]  # "pounds)" after a bracketed number
    area: re.Pattern[str]  # "square kilometers" after a number
    per_time: re.Pattern[str]  # "murders per day", "muertes violentas diarias"
    average_before: re.Pattern[str]  # "un promedio diario de", "the average was"
    identifier_before: re.Pattern[str]  # "Decreto (", "la línea ": the number names a document or a line
    emergency: frozenset[str]  # "911"
    emergency_before: frozenset[str]  # "al 911", "call 911"


def _words_alt(words: list[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    spec = _lexicon_spec()
    length, place = _words_alt(spec["length_units"]), _words_alt(spec["place_after"])
    # Words between a number and "per day" that name what is counted: not function words ("on a day").
    gap = r"(?:\s+(?!(?:on|in|at|the|of|that|which|en|el|la|de|del|que|un|una|y|and)\b)[^\W\d][\w'’-]*){0,3}?"
    return _Lexicon(
        age_nouns=frozenset(w.lower() for w in spec["age_person_nouns"]),
        age_verbs=frozenset(w.lower() for w in spec["age_verbs_es"]),
        es_age_before=re.compile(
            rf"(?:(?P<comma>,)|(?<![\w])(?:{_words_alt(spec['age_person_nouns'])}))\s+de\s+"
            r"(?:(?:unos|unas|casi|apenas|solo|sólo|al\s+menos|entre)\s+)?(?:\d{1,3}(?:\s*,\s*|\s+(?:y|a|e)\s+))*$",
            re.IGNORECASE),
        age_pronoun=frozenset(f"{a} {b}" for a in spec["age_subjects_en"] for b in spec["age_copulas_en"]),
        # (the end of a range of ages too: "aged between 11 and 15", "de entre 11 y 15")
        age_before=re.compile(rf"(?<![\w])(?:{_words_alt(spec['age_before'])})\s+"
                              r"(?:\d{1,3}\s*(?:,|-|–|to|and|y|a|al|hasta)\s*)*$", re.IGNORECASE),
        clock_after=re.compile(
            rf"\s*(?:[-–]\s*\d{{1,2}}[.:]?\d{{2}}\s*)?(?:{_words_alt(spec['clock_after'])})(?![\w])", re.IGNORECASE
        ),
        clock_before=frozenset(w.lower() for w in spec["clock_before"]),
        # (the Spanish clock words of clock_before; the English ones are too common before a small count)
        clock_words=re.compile(rf"(?<![\w])(?:{_words_alt([w for w in spec['clock_before'] if w.endswith(' las')])})"
                               r"\s+(?P<hour>\d{1,2}\s+y\s+)?$", re.IGNORECASE),
        place_after=re.compile(
            rf"\s*(?:{length})(?![\w])(?:\s*\([^()]{{0,40}}\))?\s+(?:{place})\b", re.IGNORECASE
        ),
        area=re.compile(rf"\s*(?:{_words_alt(spec['area_units'])})(?![\w])", re.IGNORECASE),
        conversion=re.compile(rf"\s*(?:{_words_alt(spec['conversion_units'])})\s*\)", re.IGNORECASE),
        per_time=re.compile(
            rf"(?P<gap>{gap})\s+(?:(?:{_words_alt(spec['per_words'])})\s+(?:{_words_alt(spec['time_units'])})"
            rf"|(?:{_words_alt(spec['daily_words'])}))(?![\w])"
            r"(?!\s+(?:after|before|later|earlier|ago|since|despu[eé]s|antes)\b)",  # "a day after": no rate
            re.IGNORECASE,
        ),
        # (a list of them as well: "los decretos 76 y 109")
        identifier_before=re.compile(rf"(?<![\w.])(?:{_words_alt(spec['identifier_words'])})\s*\(?\s*"
                                     rf"(?:\d+\s*(?:,|y|e|and|or|o)\s*)*$",
                                     re.IGNORECASE),
        emergency=frozenset(spec["emergency_numbers"]),
        emergency_before=frozenset(w.lower() for w in spec["emergency_before"]),
        average_before=re.compile(
            # ("the average age of the 30 victims": an age is averaged, not the 30)
            rf"\b(?:{_words_alt(spec['average_words'])})\b(?!\s+(?:age|edad)\b)(?:\s+[^\W\d][\w'’-]*){{0,8}}\s*$",
            re.IGNORECASE,
        ),
    )


# ---------------------------------------------------------------- qualifiers

_QUALIFIERS = {
    "more_than": [
        "more than",
        "over",
        "above",
        "upwards of",
        "in excess of",
        "exceeding",
        "greater than",
        "higher than",
        "just over",
        "well over",
        "well above",
        "a little over",
        "north of",
        "más de",
        "mas de",
        "superior a",
        "por encima de",
    ],
    "at_least": [
        "at least",
        "no fewer than",
        "no less than",
        "not less than",
        "a minimum of",
        "al menos",
        "por lo menos",
        "como mínimo",
        "como minimo",
    ],
    "at_most": [
        "up to",
        "as many as",
        "at most",
        "no more than",
        "not more than",
        "a maximum of",
        "hasta",
        "como máximo",
        "como maximo",
    ],
    "less_than": [
        "fewer than",
        "less than",
        "under",
        "below",
        "lower than",
        "just under",
        "menos de",
        "por debajo de",
        "inferior a",
    ],
    "approximate": [
        "nearly",
        "almost",
        "roughly",
        "about",
        "around",
        "some",
        "approximately",
        "approx.",
        "an estimated",
        "estimated",
        "close to",
        "circa",
        "more or less",
        "casi",
        "cerca de",
        "alrededor de",
        "aproximadamente",
        "aprox.",
        "unos",
        "unas",
        "en torno a",
        "un estimado de",
    ],
}
_QUAL_OF = {_norm(p): q for q, ps in _QUALIFIERS.items() for p in ps}
_QUAL_LAST = frozenset(p.rsplit(" ", 1)[-1] for p in _QUAL_OF)  # a phrase can only end with one of these
_QUAL_AFTER_RE = re.compile(
    r"\s*(?:(?P<atl>or more|o más|o mas)\b|(?P<approx>or so)\b|(?P<plus>-?plus\b|\+))", re.IGNORECASE
)

# ---------------------------------------------------------------- not statistics

_ES_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
# English names are capitalised ("May 5", not "may 5 people"); Spanish ones are not.
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|" + _ES_MONTHS + "|" + _ES_MONTHS.title()
)
_WEEKDAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    "lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
# Spanish abbreviations in datelines ("22 dic (EFE)"); "mar" and "may" are ordinary words, left out.
_MONTH_AFTER = re.compile(
    rf"(?:\s+of|\s+de)?\s+(?:(?:{_MONTHS})\b|(?:ene|feb|abr|jun|jul|ago|sept?|set|oct|nov|dic)(?![\w]))"
)
# Whole spans that hold digits but no statistic: dated forms, clock times, phone numbers.
_MASK_RE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}/\d{1,4}\b"
    # (a clock time may be glued to the next word by a scraper: "18:13Updated")
    r"|\b\d{1,2}[:h]\d{2}(?:hs|hrs|h)?(?!\d)(?:\s*(?:a\.m\.|p\.m\.|am|pm))?"
    r"|\b\d{1,3}\s?px\b"  # a font size of the page's furniture
    r"|\b\d{1,2}(?:\.\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)"
    r"|(?:\+\d{1,3}|\(\d{2,4}\))(?:[\s.-]?\(?\d{1,4}\)?){2,5}"
    r"|\b\d{2,4}[\s.-]\d{3,4}[\s.-]\d{4}\b",
    re.IGNORECASE,
)
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b|\.?[ºª°]", re.IGNORECASE)
_AGE_AFTER = re.compile(r"(?:-|\s)?years?[- ]old\b|-year-|\s?años de edad|\s?-?(?:yo|y/o)\b", re.IGNORECASE)
# Left context is read as the few words before a number (set look-ups) rather than with
# end-anchored regular expressions, which re-scan the window at every position.
_MONTH_WORDS = frozenset(_MONTHS.split("|")) | frozenset(_WEEKDAYS.split("|"))
_RANK_WORDS = frozenset(
    str.split(
        "no. nº n.º n° nro nro. núm. # number número top ranked ranks rank puesto decree article law resolution case "
        "chapter section room cell block pavilion route highway km kilometer kilómetro decreto artículo "
        "ley resolución pabellón celda sección ruta line flight vuelo code código phase fase level nivel "
        "grade class tier episode season "
        "volume page página week semana day día round ronda vuelta"
    )
)
_AGE_WORDS = frozenset({"aged", "age", "ages", "edad de", "de edad"})
_NOT_NAME_WORDS = frozenset(
    str.split(
        "in on at by from to of with over about some nearly almost around roughly approximately until since "
        "during and but the only just all another those these than estimated más unos unas casi hasta entre "
        "between fiscal fy more less up under below above least en de del el la los las por para con sobre "
        "desde según or nor yet so while whereas after before including among per whose which that"
    )
)
_YEAR_CONTEXT_WORDS = frozenset(
    str.split(
        "the in of since from by until till to and between during early late mid fiscal fy year circa before "
        "after through año en de del desde hasta entre el a an this that calendar"
    )
)
_TIME_WORDS = frozenset(
    str.split(
        # ("during" / "durante" are not here: "durante 60 días" is a duration; "during the past two weeks"
        # is caught by "past")
        "past last next previous coming recent first final following these those within in after before "
        "every each últimos últimas próximos próximas primeros primeras hace en tras cada"
    )
) | {"dentro de"}
_AHEAD = frozenset({"next", "coming", "following", "próximos", "próximas", "siguientes"})
_FOR_HOW_LONG = frozenset({"for", "during", "por", "durante"})
_VAGUE_FILLERS = frozenset({"few", "several", "couple", "of"})
_BEFORE_VERB = frozenset({"will", "would", "could", "should", "may", "might", "must", "can", "to", "did", "does",
                          "not", "shall"})  # words after which "last" is the verb (a duration), not "the last"
_CAP_WORD = re.compile(r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+")
_ACRONYM = re.compile(r"[A-Z]{2,5}")  # "ECU 911", "SIS 24": an acronym's number is part of a name
_STOP_BEFORE_NAME = frozenset('.!?:"“(—–-')
_TAIL_TOKEN = re.compile(r"\S+")
_GLUED_LETTER = re.compile(r"[^\W\d_]")
_PLURAL_NOUN_AFTER = re.compile(
    r"\s+(?!(?:was|has|is|as|its|this|his|plus|across|always|less|unless|thus|does)\b)"
    r"[a-z][a-z'’-]*s\b"
)
_TIME_EXPR_AFTER = re.compile(
    r"\s*(?:ago|later|earlier|before|after|prior|from now|since|atrás|después|antes)\b", re.IGNORECASE
)
_TIME_OF_DAY_AFTER = re.compile(
    r"\s+(?:in\s+the\s+(?:morning|afternoon|evening)|at\s+night|de\s+la\s+(?:mañana|tarde|noche))",
    re.IGNORECASE,
)
_RECORD_AFTER = re.compile(r"[- ](?:high|low|record|peak|máximo|mínimo)\b", re.IGNORECASE)
_PER_PERIOD_AFTER = re.compile(
    r"\s*(?:/|per|a|an|each|al|por)\s*(?:month|week|year|mo|yr|mes|año|semana)\b", re.IGNORECASE
)
_DOUBLED_DOWN = re.compile(r"\s+down\b", re.IGNORECASE)
# Any of these right after digits (one pattern, one call).
_NOT_A_FIGURE_AFTER = re.compile(
    "|".join(
        f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})"
        for p in (_ORDINAL_AFTER, _GLUED_LETTER, _AGE_AFTER, _TIME_OF_DAY_AFTER)
    )
)

_NUM_RE = re.compile(
    r"(?<![\w.,:/])(?P<num>\d{1,3}(?:[,.\u00a0\u202f]\d{3})+(?:[.,]\d+)?(?![\d])|\d+(?:[.,]\d+)?)"
    r"(?:(?P<sp>\s?)(?P<scale>mil\s+millones|trillion|billion|million|thousand|hundred|millones|millón|millon|"
    r"billones|mil|bn|mn|m|k|b)(?![\w]))?"
)


_DIGIT = re.compile(r"\d")
_MASK_MARKS = re.compile(r"[:/+(-]")
_LETTERS = re.compile(r"[^\W\d_]+")
_LETTERS_ASCII = re.compile(r"[a-z]+")  # the same in lower-cased ASCII text, tested far faster
_WORD_KEYS = frozenset(_WORD_VALUES) | frozenset(_WORD_SCALES)
_MULT_KEYS = frozenset(_MULTIPLIERS) | frozenset(_FRACTIONS) | frozenset(_COMPARATIVES) | {"times", "veces"}
_NUMBER_WORDS = _WORD_KEYS | _MULT_KEYS  # each a run of letters, as _LETTERS finds them
_MASK_WORDS = frozenset({"am", "pm", "a", "p", "clock", "o'clock", "px"})  # words a masked span may hold
_PERCENT_WORDS = frozenset({"percent", "cent", "ciento", "pct"})

# ---------------------------------------------------------------- public API


def letter_words(text: str) -> frozenset[str]:
    """The runs of letters of ``text``, lower-cased (what the number words are looked up in)."""
    low = text.lower()
    return frozenset((_LETTERS_ASCII if low.isascii() else _LETTERS).findall(low))


def find_numbers(
    text: str, exclude: tuple[tuple[int, int], ...] | list[tuple[int, int]] = (),
    words: AbstractSet[str] | None = None,
) -> list[NumberMention]:
    """Every number in ``text`` that can be a statistic, left to right.

    ``exclude`` are spans known to be something else (dates found by
    ``pipeline.text.dates``): a number inside one is dropped unless it carries
    a unit no date has (percent, per 100,000, dollars, tonnes). ``words`` is
    ``letter_words(text)`` when the caller has it already.
    """
    # Fast paths: most sentences hold no digit and none of the number words (all of them runs of
    # letters, so a set look-up finds them exactly where a search of the text would).
    has_digit = _DIGIT.search(text) is not None
    if words is None:
        words = letter_words(text)
    if not has_digit and "fold" not in text and words.isdisjoint(_NUMBER_WORDS):
        return []
    low = text.lower()
    spelled = not words.isdisjoint(_WORD_KEYS)
    mult = not words.isdisjoint(_MULT_KEYS) or "fold" in text
    has_percent = "%" in text or not words.isdisjoint(_PERCENT_WORDS)
    found: list[NumberMention] = []
    taken: list[tuple[int, int]] = []
    if mult:
        for m in _MULT_RE.finditer(text):
            mention = _multiplicative(text, m)
            taken.append(m.span())
            if mention:
                found.append(mention)
    if has_digit:
        # Dates, clock times and phone numbers need one of these marks: skip the scan when none is there.
        masked = SpanIndex(
            [m.span() for m in _MASK_RE.finditer(text)]
            if (_MASK_MARKS.search(text) or not words.isdisjoint(_MASK_WORDS))
            else []
        )
        taken_before = SpanIndex(taken)
        units_before = SpanIndex([(f.start, f.unit_end) for f in found])
        # Digits are read left to right and a mention starts at or before its match: a later match
        # falls in an earlier one's unit exactly when it starts before the furthest end read so far.
        reach = -1
        for m in _NUM_RE.finditer(text):
            a, b = m.span()
            if (
                a < reach
                or masked.overlaps(a, b)
                or taken_before.overlaps(a, b)
                or units_before.overlaps(a, a + 1)
            ):
                continue
            mention = _digits(text, m, has_percent)
            if mention:
                found.append(mention)
                taken.append((mention.start, mention.unit_end))
                reach = max(reach, mention.unit_end)
    if spelled:
        taken_all = SpanIndex(taken)
        units = SpanIndex([(f.start, f.unit_end) for f in found])
        for m in _WORDS_RE.finditer(text):
            a, b = m.span()
            if taken_all.overlaps(a, b) or units.overlaps(a, a + 1):
                continue
            mention = _words(text, m, has_percent)
            if mention:
                found.append(mention)
    if exclude:
        excluded = SpanIndex(exclude)
        found = [f for f in found if f.unit in STRONG_UNITS or not excluded.overlaps(f.start, f.end)]
    found.sort(key=lambda f: f.start)
    found = _merge_ranges(text, found)
    if "out of" in low or "de cada" in low:
        found = _merge_shares(text, found)
    found = _rates_after_phrase(text, found)
    return _inherit_units(text, _averages(text, found))


# ---------------------------------------------------------------- readers


class SpanIndex:
    """Spans (start, end) that answer "does any overlap [a, b)?" in O(log n): sorted by start, with the
    furthest end reached by each prefix (a scan of every span per query made dense text quadratic)."""

    def __init__(self, spans: object) -> None:
        ordered = sorted(spans)  # type: ignore[call-overload]
        self.starts = [x for x, _ in ordered]
        self.reach: list[int] = []
        furthest = -1
        for _, y in ordered:
            furthest = max(furthest, y)
            self.reach.append(furthest)

    def overlaps(self, a: int, b: int) -> bool:
        """True when a span starts before ``b`` and ends after ``a``."""
        k = bisect_left(self.starts, b)
        return k > 0 and self.reach[k - 1] > a


@lru_cache(maxsize=64)  # asked for each number of a sentence; str caches its hash, so a look-up is cheap
def _is_title_case(text: str) -> bool:
    """Headlines in Title Case: capitalised words there are not evidence of a name."""
    words = re.findall(r"[A-Za-zÁÉÍÓÚÑáéíóúñ][\w'’]*", text)
    if len(words) < 3:
        return True
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.6


Tail = tuple[list[tuple[int, str]], str]


def _tail(text: str, start: int) -> Tail:
    """The last words before ``start`` with their offsets, and what is glued to the number ("$", "COVID-")."""
    lo = max(0, start - 48)
    toks = [(t.start(), t.group()) for t in _TAIL_TOKEN.finditer(text, lo, start)]
    glued = ""
    if toks and toks[-1][0] + len(toks[-1][1]) == start:
        glued = toks.pop()[1]
    if lo > 0 and toks and toks[0][0] == lo:
        toks.pop(0)  # cut by the window: not a whole word
    return toks[-5:], glued


def _last(tail: Tail, k: int = 1) -> str:
    """The last ``k`` words before the number, lower-cased ("" when there are fewer)."""
    words = tail[0]
    if len(words) < k or tail[1]:
        return ""
    return words[-1][1].lower() if k == 1 else " ".join([w for _, w in words[-k:]]).lower()


def _not_a_name(tail: Tail) -> bool:
    """True unless a capitalised, not sentence-initial word comes right before ("the Zonal 8 prison")."""
    words, glued = tail
    if glued or len(words) < 2 or not (_CAP_WORD.fullmatch(words[-1][1]) or _ACRONYM.fullmatch(words[-1][1])):
        return True
    w = words[-1][1]
    return w.lower() in _NOT_NAME_WORDS or w in _MONTH_WORDS or words[-2][1][-1] in _STOP_BEFORE_NAME


_DIGIT_BEFORE = re.compile(r"\d\s*$")
_HALF_BEFORE = re.compile(r"\bmedio\s+$", re.IGNORECASE)
_GLUED_UNIT = re.compile(r"(?:kg|kgs|kilos|tn)(?![\w])", re.IGNORECASE)  # "253kg": a mass, not a name
_CLOCK_FORM = re.compile(r"(?:[01]?\d|2[0-3])[.:][0-5]\d|(?:[01]\d|2[0-3])[0-5]\d")
_AGE_END = re.compile(r"\s*(?:[.,;)]|$|\s*(?:when|at the time|and)\b)", re.IGNORECASE)
_YEARS_AFTER = re.compile(r"\s+años\b", re.IGNORECASE)
_AGE_LIST = re.compile(r"(?:(?:\s*[,–-]\s*|\s+(?:y|e|a|al|hasta|to|and|or|o)\s+)\d{1,3}(?![\d.,]\d))+")
_ES_APPOSITION_END = re.compile(r"\s*(?:,|\)|\s+[ye]\s)")  # ", de 15, y Steven": an age between commas
_AGE_APPOSITION_END = re.compile(r",\s+[a-záéíóúñ]")  # "Tito, 53, has": not a list ("Quito, 12, Guayaquil, 30")
_NAME_COMMA_BEFORE = re.compile(r"(?<![\w.])[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’-]+,\s*$")  # "Tito, " (not "In 2023, ")
_DENOMINATOR_BEFORE = frozenset({"per", "cada", "por", "every"})
# A number among three or more hyphenated parts ("1-800-EXTORSION", "1-800-555-0199"), not a range
# ("12-15 prisoners"): two more parts after it, one on each side, or two before it.
_HYPHEN_CODE = re.compile(r"-\w+-\w")
_HYPHEN_PART_BEFORE = re.compile(r"(?<![\w-])\w+-$")
_HYPHEN_PARTS_BEFORE = re.compile(r"\w+-\w+-$")
_BRACKET_BEFORE = re.compile(r"\d\S*(?:\s+[^\W\d][\w.]*){0,2}\s*\(\s*(?:[^\W\d][\w'’]*\s+){0,2}$")


def names_not_counts(text: str, start: int) -> bool:
    """The number at ``start`` follows a word that makes it a name ("Decreto (111)", "la línea 1800"):
    neither a count nor a year."""
    return _lexicon().identifier_before.search(text, max(0, start - 40), start) is not None


def _not_a_count(text: str, start: int, num_text: str, value: float, rest: str, tail: Tail) -> bool:
    """Numbers in digits that are no statistic by what they are: an age ("de 45 años", "He was 59."),
    a time of day ("0800 GMT", "22.00 hora local", "at 1500"), a distance that places an incident
    ("50 meters from"), a conversion in brackets ("(about 557 pounds)"), a rate's denominator
    ("per 100,000")."""
    lex = _lexicon()
    last, last2 = _last(tail), _last(tail, 2)
    # A number that opens a list or range of ages is an age as its last one is ("de 17 y 19 años"):
    # the age tests read what follows the list.
    listed = _AGE_LIST.match(rest) if value < 120 and num_text.isdecimal() else None
    age_rest = rest[listed.end():] if listed else rest
    if listed and _AGE_AFTER.match(age_rest):
        return True  # "boys 11 and 15 years old"
    if _YEARS_AFTER.match(age_rest) and (
        last in lex.age_verbs
        or last2 in lex.age_verbs
        or last == "de"
        and len(tail[0]) >= 2
        and (tail[0][-2][1].endswith(",") or tail[0][-2][1].lower() in lex.age_nouns)
    ):
        return True  # "El alcalde, de 38 años,", "un joven de 17 años", "tenía 29 años"
    if last2 in lex.age_pronoun and _AGE_END.match(rest):
        return True  # "He was 59."
    if value < 120 and num_text.isdecimal():
        before = lex.es_age_before.search(text, max(0, start - 60), start)
        if before and (_YEARS_AFTER.match(age_rest) or before.group("comma") and _ES_APPOSITION_END.match(rest)):
            return True  # "un hombre de unos 40 años", "de 14 y 15 años", "Saúl Arboleda, de 15, y"
        clock = lex.clock_words.search(text, max(0, start - 16), start)
        if clock and value < (60 if clock.group("hour") else 25) and (
                lex.clock_after.match(rest) or not _PLURAL_NOUN_AFTER.match(rest)):
            return True  # "a las 8 y 30": a time of day
        if lex.age_before.search(text, max(0, start - 30), start) and not _PLURAL_NOUN_AFTER.match(rest):
            return True  # "at the age of 36", "aged 59"
        if _NAME_COMMA_BEFORE.search(text, max(0, start - 30), start) and _AGE_APPOSITION_END.match(rest):
            return True  # "Tito, 53, has been": an age in apposition
    if _CLOCK_FORM.fullmatch(num_text) and (
        lex.clock_after.match(rest)
        or len(num_text) == 4
        and (last in lex.clock_before or last2 in lex.clock_before)
        and not _PLURAL_NOUN_AFTER.match(rest)  # "around 1500 soldiers" is a count
    ):
        return True  # "0800 GMT", "(0400-1000 GMT)", "22.00 hora local", "began at 1500"
    if lex.place_after.match(rest):
        return True  # "50 meters from the entrance", "95 kilómetros al norte"
    if lex.area.match(rest):
        return True  # "1,463 square kilometers": the size of a place
    if names_not_counts(text, start):
        return True  # "Decreto Ejecutivo 111", "la línea 1800": the number names, it does not count
    if num_text in lex.emergency:
        word_before = text[max(0, start - 12):start].split()[-1:]
        if word_before and word_before[0].lower() in lex.emergency_before:
            return True  # "al 911", "call 911", "ECU 911"
    if (_HYPHEN_CODE.match(rest) or _HYPHEN_PARTS_BEFORE.search(text, max(0, start - 24), start)
            or rest[:1] == "-" and rest[1:2].isalnum() and _HYPHEN_PART_BEFORE.search(text, max(0, start - 12), start)):
        return True  # "1-800-EXTORSION": a telephone code
    if len(num_text) >= 5 and num_text.isdecimal() and rest.startswith(")") and start and text[start - 1] == "(":
        return True  # "(335486)": news writes a count that large with separators; bare, bracketed: a number to call
    if lex.conversion.match(rest) and _BRACKET_BEFORE.search(text, max(0, start - 40), start):
        return True  # "253kg (around 557 pounds)": the same figure in other units
    return value in (1e3, 1e4, 1e5, 1e6) and (last in _DENOMINATOR_BEFORE or last2 == "for every")


def _digits(text: str, m: re.Match[str], has_percent: bool) -> NumberMention | None:
    """A numeral in digits with its currency, scale, unit and qualifier, or None when it is no statistic."""
    num_text = m.group("num")
    value = float(num_text) if num_text.isdecimal() else parse_numeral(num_text)  # plain digits: no separator
    if value is None:
        return None
    start, end = m.start(), m.end()
    scale_group = m.group("scale")
    scale_word = " ".join(scale_group.lower().split()) if scale_group else ""
    units = _units()
    prefix = units.prefix_re.search(text, max(0, start - 8), start)
    currency = units.prefix_unit.get(_norm(prefix.group())) if prefix else None
    if scale_word in _SHORT_SCALES and (m.group("sp") or not currency):
        end, scale_word = m.end("num"), ""  # "5 m" is metres, "3k run" is no amount
    scale = _SCALES.get(scale_word, 1.0)
    rest = text[end : end + 60]

    # Not statistics: ordinals, glued letters ("1990s", "5G"), ages, "at 3 in the morning"; ranks, names,
    # dates, times.
    if _NOT_A_FIGURE_AFTER.match(rest) and not _GLUED_UNIT.match(rest):
        return None
    if prefix:
        start = prefix.start()
    tail = _tail(text, start)
    glued = tail[1]
    if len(glued) >= 2 and glued[-1] == "-" and glued[-2].isalpha() or glued.endswith(("#", "[")):
        return None  # "COVID-19", "#3", a footnote "[1]"
    last, last2 = _last(tail), _last(tail, 2)
    if last in _RANK_WORDS or last in _AGE_WORDS or last2 in _AGE_WORDS:
        return None
    if not currency and _not_a_count(text, start, num_text, value * scale, rest, tail):
        return None
    if not currency and not _not_a_name(tail) and not _is_title_case(text):
        return None  # "the Zonal 8 prison", "Article 5"
    integer = value.is_integer() and "," not in num_text and "." not in num_text
    unit, unit_end, gap, factor = _read_unit(text, end, has_percent)
    if currency:
        unit = currency if unit in ("count", "usd") else unit
    qualifier, q_start, unit_end = _qualify(text, start, unit_end, tail)
    if unit not in STRONG_UNITS and not scale_word:
        words = tail[0] if not glued else []
        while words and words[-1][1] in ("-", "–", "—", "/"):
            words = words[:-1]  # a dateline "Jan - 18 - 2024"
        month_word = words[-1][1].rstrip(".,") if words else ""
        if month_word.lower() == "the" and len(words) >= 2:  # "March the 5th"
            month_word = words[-2][1].rstrip(".,")
        if integer and 1 <= value <= 31 and (month_word in _MONTH_WORDS or _MONTH_AFTER.match(rest)):
            return None  # "Jan. 9", "19 de febrero"
        if (
            integer
            and value < 120
            and rest.startswith(",")
            and tail[0]
            and not glued
            and tail[0][-1][1].endswith(",")
            and tail[0][-1][1][0].isupper()
        ):
            return None  # "Jorge Glas, 54, was ..."
        year_like = integer and len(num_text) == 4 and 1800 <= value <= 2100 and qualifier == "exact"
        if year_like and (last.rstrip("-") in _YEAR_CONTEXT_WORDS or not _PLURAL_NOUN_AFTER.match(rest)):
            return None  # a year
    if unit in DURATION_UNITS and (
        _is_time_expression(text, start, unit_end, tail) or _RECORD_AFTER.match(text, unit_end)
    ):
        return None  # "over the past two weeks", "a 10-year high"
    if currency and _PER_PERIOD_AFTER.match(text, unit_end):
        return None  # "$1.99 a month": a subscription price
    return _mention(
        text, start, end, _converted(value * scale, factor), qualifier, unit, unit_end, q_start, False, gap, scale
    )


def _read_unit(text: str, end: int, has_percent: bool) -> tuple[str, int, str, float]:
    """The unit written right after a number: (unit, where it ends, gap words, conversion factor)."""
    units = _units()
    rest = text[end:]
    g = _GLUED_UNIT.match(rest)
    if g:
        word = _norm(g.group())
        return units.suffix_unit.get(word, "tonnes"), end + g.end(), "", units.factor.get(word, 0.001)
    m = units.suffix_re.match(rest)
    if m:
        if m.group("w") is None:
            return "percent", end + m.end(), "", 1.0
        word = _norm(m.group("w"))
        return units.suffix_unit[word], end + m.end(), "", units.factor.get(word, 1.0)
    if has_percent:
        w = units.weak_pp_re.match(rest)
        if w:
            return "percentage_points", end + w.end(), "", 1.0
    r = units.rate_re.match(rest)
    if r:
        return "per_100k", end + r.end(), r.group("gap").strip(), 1.0
    return "count", end, "", 1.0


def _is_time_expression(text: str, start: int, unit_end: int, tail: Tail) -> bool:
    """ "over the past two weeks", "three years ago": a period, not a duration statistic."""
    words = [w.lower() for _, w in tail[0]] if not tail[1] else []
    while words and words[-1] in _VAGUE_FILLERS:
        words.pop()
    if words and (words[-1] in _TIME_WORDS or " ".join(words[-2:]) in _TIME_WORDS):
        # "will last 60 days", "to last a month": the verb, a duration; "the last 60 days": a period
        if words[-1] == "last" and len(words) > 1 and words[-2] in _BEFORE_VERB:
            return False
        # "for the next 60 days", "por los próximos 30 días": how long something lasts, a duration
        return not (words[-1] in _AHEAD and len(words) > 2 and words[-3] in _FOR_HOW_LONG)
    return _TIME_EXPR_AFTER.match(text, unit_end) is not None


def _qualify(text: str, start: int, unit_end: int, tail: Tail | None = None) -> tuple[str, int, int]:
    """Qualifier words before ("more than") or after ("or more") a number."""
    words, glued = tail if tail is not None else _tail(text, start)
    if not glued and words and words[-1][1].lower() in _QUAL_LAST:
        for k in (4, 3, 2, 1):
            if len(words) >= k:
                phrase = " ".join(w for _, w in words[-k:]).lower()
                if phrase in _QUAL_OF:
                    return _QUAL_OF[phrase], words[-k][0], unit_end
    a = _QUAL_AFTER_RE.match(text, unit_end)
    if a:
        kind = "at_least" if a.group("atl") else "approximate" if a.group("approx") else "more_than"
        return kind, start, a.end()
    return "exact", start, unit_end


def _mention(
    text: str,
    start: int,
    end: int,
    value: float,
    qualifier: str,
    unit: str,
    unit_end: int,
    q_start: int,
    spelled: bool,
    gap: str = "",
    scale: float = 1.0,
) -> NumberMention:
    low = value if qualifier in ("more_than", "at_least") else None
    high = value if qualifier in ("less_than", "at_most") else None
    return NumberMention(
        text[start:end], start, end, value, low, high, qualifier, unit, unit_end, q_start, spelled, gap, scale
    )


def _words(text: str, m: re.Match[str], has_percent: bool) -> NumberMention | None:
    """A number written in words ("a dozen", "three", "two million", "veinte")."""
    art = (m.group("art") or "").lower()
    tokens = [t.lower() for t in re.split(r"[\s-]+", m.group("seq")) if t.lower() not in ("and", "y")]
    if not tokens:
        return None
    first = tokens[0]
    if first in _WORD_SCALES and first not in ("mil", "cien") and not art and not _HALF_BEFORE.search(
        text, max(0, m.start() - 8), m.start()
    ):
        return None  # "few hundred", "several thousand": vague ("medio millón" is not)
    if art in ("a", "an", "un", "una") and tokens[0] not in _WORD_SCALES:
        art = ""  # "a three-day visit": the article belongs to the phrase, not the number
    value = _word_value(([art] if art in ("one", "uno") else []) + tokens)
    if value is None or (len(tokens) == 1 and first in _SINGLE):
        return None
    start = m.start() if art else m.start("seq")
    end = m.end()
    if start and _DIGIT_BEFORE.search(text, max(0, start - 3), start):
        return None  # "100 mil" is read with its digits (or dropped with them: "por cada 100 mil")
    tail = _tail(text, start)
    last = _last(tail)
    if last in ("half", "medio") and len(tokens) == 1 and _WORD_SCALES.get(first, 0) >= 1e3:
        # "half a million", "medio millón": half the scale, from "half"
        value, start = value / 2, tail[0][-1][0]
        tail = _tail(text, start)
    elif last in ("half", "media", "medio"):
        return None  # "half a dozen"
    rest = text[end : end + 60]
    if (
        _ORDINAL_AFTER.match(rest)
        or _AGE_AFTER.match(rest)
        or last in _AGE_WORDS
        or _last(tail, 2) in _AGE_WORDS
    ):
        return None
    if _MONTH_AFTER.match(rest) or rest.lstrip().lower().startswith("o'clock"):
        return None
    unit, unit_end, gap, factor = _read_unit(text, end, has_percent)
    if unit in DURATION_UNITS and (
        _is_time_expression(text, start, unit_end, tail) or _RECORD_AFTER.match(text, unit_end)
    ):
        return None
    scale = next((_WORD_SCALES[t] for t in reversed(tokens) if t in _WORD_SCALES), 1.0)
    if 1800 <= value <= 2100 and unit == "count" and any(t == "mil" for t in tokens):
        return None  # "dos mil veinticuatro": a year
    qualifier, q_start, unit_end = _qualify(text, start, unit_end, tail)
    return _mention(text, start, end, _converted(value, factor), qualifier, unit, unit_end, q_start, True, gap, scale)


def _word_value(tokens: list[str]) -> float | None:
    """["two", "hundred", "thirty"] -> 230; ["a", "dozen"] -> 12 (article handled by the caller)."""
    total, current = 0.0, 0.0
    seen = False
    for t in tokens:
        if t in ("a", "an", "un", "una"):
            current = max(current, 1.0)
            continue
        if t in ("one", "uno"):
            current += 1
            seen = True
        elif t in _WORD_VALUES:
            current += _WORD_VALUES[t]
            seen = True
        elif t in ("hundred",):
            current = max(current, 1.0) * 100
            seen = True
        elif t in ("dozen", "docena"):
            current = max(current, 1.0) * 12
            seen = True
        elif t in _WORD_SCALES:
            total += max(current, 1.0) * _WORD_SCALES[t]
            current = 0.0
            seen = True
        else:
            return None
    return total + current if seen else None


def _multiplicative(text: str, m: re.Match[str]) -> NumberMention | None:
    """ "doubled" -> 2, "fivefold" -> 5, "two-thirds" -> 0.6667: the factor, unit ``other``."""
    if m.group("mult"):
        if _DOUBLED_DOWN.match(text, m.end()):
            return None  # "doubled down on": an idiom
        value = float(_MULTIPLIERS[m.group("mult").lower()])
    elif m.group("times"):
        f = m.group("times").lower()
        value = float(_EN_WORDS.get(f) or _ES_WORDS.get(f) or parse_numeral(f) or 0.0)
        if value < 1:
            return None
    elif m.group("cmp"):
        value = float(_COMPARATIVES[m.group("cmp").lower()])
    elif m.group("fold"):
        f = m.group("fold").lower()
        value = float(_EN_WORDS[f]) if f in _EN_WORDS else (parse_numeral(f) or 0.0)
        if not value:
            return None
    else:
        n = m.group("num").lower()
        value = round((1 if n in ("a", "one") else _EN_WORDS[n]) * _FRACTIONS[m.group("frac").lower()], 4)
    qualifier, q_start, unit_end = _qualify(text, m.start(), m.end())
    return _mention(text, m.start(), m.end(), value, qualifier, "other", unit_end, q_start, True)


# ---------------------------------------------------------------- ranges and shared units

_RANGE_GAP = re.compile(r"\s*(?P<g>-|–|—|to|and|y|a|al|hasta)\s*$", re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(r"\b(?:between|entre)\s+$", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\b(?:from|de|desde)\s+$", re.IGNORECASE)
_TRAJECTORY_BEFORE = re.compile(
    r"\b(?:rose|rising|risen|increased|increasing|grew|growing|went|going|jumped|climbed|climbing|soared|surged|"
    r"fell|falling|dropped|dropping|declined|declining|decreased|shrank|plunged|doubled|tripled|moved|passed|"
    r"pasó|pasaron|subió|aumentó|creció|cayó|bajó|disminuyó)\b[^.;]{0,40}$",
    re.IGNORECASE,
)


def _merge_ranges(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """ "between 5 and 10", "7,500 to 8,000", "7,500-8,000" -> one mention with qualifier ``range``."""
    out: list[NumberMention] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        merged = _range(text, a, b) if b else None
        if merged:
            out.append(merged)
            i += 2
        else:
            out.append(a)
            i += 1
    return out


def _range(text: str, a: NumberMention, b: NumberMention) -> NumberMention | None:
    gap = _RANGE_GAP.fullmatch(text[a.unit_end : b.qualifier_start])
    if not gap or a.spelled != b.spelled or b.qualifier != "exact" or a.qualifier != "exact":
        return None
    if a.unit != b.unit and a.unit_end != a.end:
        return None  # both carry different units
    left = text[max(0, a.start - 60) : a.start]
    g = gap.group("g").lower()
    if g in ("and", "y") and not _BETWEEN_BEFORE.search(left):
        return None
    if g in ("a", "al", "hasta") and not _FROM_BEFORE.search(left):
        return None
    if _FROM_BEFORE.search(left) and _TRAJECTORY_BEFORE.search(left[: _FROM_BEFORE.search(left).start()]):
        return None  # "rose from 10 to 20": two values at two times
    low = a.value * (b.scale if a.scale == 1.0 and b.scale != 1.0 else 1.0)
    if low > b.value:
        return None
    start = a.start
    between = _BETWEEN_BEFORE.search(left)
    q_start = a.start - (len(left) - between.start()) if between else a.qualifier_start
    return NumberMention(
        text[start : b.end],
        start,
        b.end,
        low,
        low,
        b.value,
        "range",
        b.unit,
        b.unit_end,
        q_start,
        a.spelled,
        b.gap,
        b.scale,
    )


_BARE_AFTER = re.compile(
    r"\s*(?:$|[,.;:)]|(?:in|last|this|during|for|by|the|a|an|en|el|del|durante|on|over|since|from|and)\b)",
    re.IGNORECASE,
)
_SIBLING_BEFORE = re.compile(r"\b(?:to|from|and|at|of|versus|vs\.?|or|a|de|y|hasta|than)\s*$", re.IGNORECASE)
_JOIN = re.compile(r"\s*(?:to|and|y|a|-|–)\s*", re.IGNORECASE)
_SHARED_UNITS = frozenset({"per_100k", "percent"})


def _inherit_units(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """A bare number takes the rate or percent unit its sibling states.

    "from 10.5 per 100,000 in 2020 to 20.1 in 2022": 20.1 is per 100,000 too;
    "rose from 10 to 20 percent": 10 is a percent.
    """
    out = list(found)
    sibling: NumberMention | None = None  # the last number before this one stated in a shared unit
    for i, f in enumerate(out):
        if f.unit == "count" and not f.spelled and f.unit_end == f.end:
            out[i] = _inherited(text, f, out[i + 1] if i + 1 < len(out) else None, sibling)
        if out[i].unit in _SHARED_UNITS:
            sibling = out[i]
    return out


def _inherited(
    text: str, f: NumberMention, nxt: NumberMention | None, sibling: NumberMention | None
) -> NumberMention:
    """``f`` with the shared unit of the number after it or of ``sibling`` before it, if it takes one."""
    if nxt and nxt.unit in _SHARED_UNITS and _JOIN.fullmatch(text[f.end : nxt.qualifier_start]):
        return replace(f, unit=nxt.unit)
    left = text[max(0, f.qualifier_start - 20) : f.qualifier_start]
    if sibling and _BARE_AFTER.match(text, f.end) and _SIBLING_BEFORE.search(left):
        if _level_after_change(text, sibling, left):
            return f  # "fell 15% in 2024 to 6,964": the new level, counted in its own units
        return replace(f, unit=sibling.unit)
    return f


_TO_BEFORE = re.compile(r"\b(?:to|a|hasta)\s*$", re.IGNORECASE)
_RANGE_START_BEFORE = re.compile(r"\b(?:from|between|de|desde|entre)\s*$", re.IGNORECASE)


def _level_after_change(text: str, sibling: NumberMention, left: str) -> bool:
    """ "rose 20% to 1,200": the percent is the change and the number after "to" the level it reached;
    in "rose from 10% to 20" the percent opens a range and the number shares its unit."""
    from pipeline.text.figures import is_change  # figures reads numbers: import at call time

    if sibling.unit != "percent" or not _TO_BEFORE.search(left):
        return False
    if _RANGE_START_BEFORE.search(text[max(0, sibling.qualifier_start - 12) : sibling.qualifier_start]):
        return False
    return is_change(text, sibling)


# ---------------------------------------------------------------- shares, rates and averages

_SHARE_GAP = re.compile(r"\s+(?:out\s+of(?:\s+every)?|de\s+cada)\s+", re.IGNORECASE)


def _merge_shares(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """ "four out of every ten murders", "nueve de cada diez": one share in percent (40), not two counts."""
    out: list[NumberMention] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        if (
            b is not None
            and a.unit == b.unit == "count"
            and b.value > 0
            and a.value <= b.value
            and _SHARE_GAP.fullmatch(text, a.unit_end, b.qualifier_start)
        ):
            value = round(100 * a.value / b.value, 4)
            out.append(_mention(text, a.start, b.end, value, a.qualifier, "percent", b.unit_end, a.qualifier_start,
                                a.spelled))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


_RATE_LINK = re.compile(r"[^;\d]{0,60}")


def _rates_after_phrase(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """A bare number after a rate's denominator that no number owns is that rate: "the highest homicide
    rate per 100,000 inhabitants (61.32)", "la tasa por cada 100 mil habitantes quedó en 25,5"."""
    if not found or not any(f.unit == "count" for f in found):
        return found
    phrases = [p for p in _units().rate_phrase_re.finditer(text)]
    if not phrases:
        return found
    owned = SpanIndex([(f.start, f.unit_end) for f in found])
    starts = [f.qualifier_start for f in found]
    out = list(found)
    for p in phrases:
        if owned.overlaps(p.start(), p.end()):
            continue  # "38.76 per 100,000": the number before owns it
        k = bisect_left(starts, p.end())
        if k == len(out):
            continue
        f = out[k]
        if (
            f.unit == "count"
            and not f.spelled
            and f.unit_end == f.end
            and _RATE_LINK.fullmatch(text, p.end(), f.qualifier_start)
            and not CLAUSE_END.search(text, p.end(), f.qualifier_start)
        ):
            out[k] = replace(f, unit="per_100k")
    return out


CLAUSE_END = re.compile(r"[;.!?]\s|\b(?:but|while|whereas|pero|mientras)\b", re.IGNORECASE)


def _averages(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """Per-time averages keep their value with unit ``other`` (codebook): "25.5 murders per day",
    "17,4 muertes violentas diarias", "un promedio diario de 12,6 homicidios", "the average was 25.5"."""
    lex = _lexicon()
    out = list(found)
    for i, f in enumerate(out):
        if f.unit != "count":
            continue
        after = lex.per_time.match(text, f.unit_end)
        if after:
            out[i] = replace(f, unit="other", unit_end=after.end(), gap=f.gap or after.group("gap").strip(),
                             average=True)
            continue
        lo = out[i - 1].unit_end if i else 0
        if lex.average_before.search(text[max(lo, f.qualifier_start - 60) : f.qualifier_start]):
            out[i] = replace(f, unit="other", average=True)
    return out


def _converted(value: float, factor: float) -> float:
    """``value`` in the unit's main size ("410 kg" -> 0.41 tonnes), without binary noise (0.41000000000000003)."""
    return value if factor == 1.0 else round(value * factor, 9)
