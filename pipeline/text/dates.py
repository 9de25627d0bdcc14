"""Find date expressions in news prose and resolve them to intervals.

Explicit dates ("Jan. 9, 2024", "January 2025", "in 2023", "the 1990s",
"fiscal 2023", "between 2019 and 2024") resolve on their own; partial and
relative ones ("on February 19", "earlier this month", "this week", "last
year", "over the first weekend of the year") resolve against the article's
publication date, and stay unresolved (start/end None) when that is unknown
or too coarse. Month names and cue words live in schemas/lexicon/dates.yaml.

Hand-written regexes: dateutil parses a date string it is given but does not
find date expressions inside prose, nor resolve relative ones to intervals.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from pipeline.text.alternation import literal_alternation
from pipeline.text.numbers import names_not_counts

LEXICON = Path(__file__).resolve().parents[2] / "schemas" / "lexicon" / "dates.yaml"
MIN_YEAR, MAX_YEAR = 1800, 2100

# Precision words used by the codebook. Statistics periods use
# day, month, quarter, year, fiscal_year, range, unknown; event dates use
# day, weekend, month, year, decade, range, unknown.  A week resolves to
# precision "range" (Monday..Sunday) since neither enum has "week".


@dataclass(frozen=True)
class PublicationDate:
    """When an article was published, as precisely as known.

    ``start``/``end`` bound the publication day: a month-precision date
    "2024-01" is 2024-01-01..2024-01-31. ``precision`` is day, month, year or
    unknown (then start/end are None). ``basis`` is manifest, inferred or unknown.
    """

    start: dt.date | None
    end: dt.date | None
    precision: str
    basis: str

    @classmethod
    def unknown(cls) -> PublicationDate:
        return cls(None, None, "unknown", "unknown")


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a string, resolved to an interval.

    ``text[char_start:char_end] == date_text`` for the string that was searched.
    ``start``/``end`` are None when the expression is relative and the
    publication date is too coarse or unknown to resolve it.
    ``basis`` is explicit (the text gives the year) or relative (resolved
    against the publication date).  ``kind`` tells what the words were:
    point (a day/month/year/decade/weekend/week), range ("between 2019 and 2024",
    "from 2022 to 2023"), fiscal ("fiscal 2023"), or baseline ("from 2022",
    "from the year before", "compared with 2019": the comparison side of a change).
    """

    date_text: str
    char_start: int
    char_end: int
    start: dt.date | None
    end: dt.date | None
    precision: str
    basis: str
    kind: str


@dataclass(frozen=True)
class _Need:
    """A pattern that every match of some alternatives of the date pattern contains, with cheap tests that
    any match of it passes (it is searched only then: the same answer, far fewer searches)."""

    pattern: re.Pattern[str]
    in_folded: bool  # searched in the casefolded text (else as written)
    digit: bool  # every match holds a digit
    hints: tuple[str, ...]  # every match holds one of these strings (none: no such test)
    after: int | None  # every match holds a match of this need (an earlier one)


@dataclass(frozen=True)
class _Lexicon:
    months: dict[str, int]
    # The alternatives of the date pattern, each with what any of its matches contains (indices in needs).
    parts: tuple[tuple[str, tuple[int, ...]], ...]
    needs: tuple[_Need, ...]
    ambiguous: frozenset[str]
    ambiguous_after_day: frozenset[str]
    month_only_after: frozenset[str]
    future: re.Pattern[str]
    count_nouns: frozenset[str]
    ordinals: dict[str, int]
    weekdays: tuple[str, ...]
    weekday_index: dict[str, int]
    month_counts: dict[str, int]
    prefilter: re.Pattern[str]
    dateline: re.Pattern[str]
    name_words: re.Pattern[str]  # "avenida 9 de Octubre", "barrio 15 de Septiembre": a date in a name
    counts: dict[str, int]  # "dos", "three", "a", "un": counts of units of time ("hace dos semanas")
    seasons: dict[str, tuple[int, int]]  # season word -> (first month, last month)


_MONTH_DASH = "-|–|—"
_DIGIT = re.compile(r"\d")
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "el", "la", "los", "las", "un", "una", "sus"})
# A part of "the year" may end this long after publication (a report on the first half in mid-June);
# one ending later is of the year before.
_UNFINISHED_DAYS = 31
# Joining words that make two months a span from one to the other (else, as "and", both months together).
_SPAN_WORDS = frozenset({"to", "through", "until", "a", "hasta", "from", "between", "entre", "de", "desde"})


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _lexicon() -> _Lexicon:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    months: dict[str, int] = {}
    for number, names in data["months"].items():
        for name in names:
            months[name.lower()] = int(number)
    # English names are capitalised in prose; Spanish ones are written lower case; datelines and headings
    # write any of them in capitals ("12 ABR.").
    surface = [n for names in data["months"].values() for n in names]
    surface += [n.capitalize() for n in surface if n.islower()]
    surface = list(dict.fromkeys(surface + [n.upper() for n in surface]))
    full = [n for n in surface if len(n) > 3 or n.lower() == "may"]
    # (literal_alternation: the same words, shaped as a trie, which re tries much faster)
    mon = rf"{literal_alternation(surface)}(?![\w])"
    mon_full = rf"{literal_alternation(full)}(?![\w])"
    year = r"(?:1[89]\d\d|20\d\d)"
    # needs (see _Need) that more than one place below names
    months_of = r"(?:months|meses|half|semestre)\s+(?:of|de)"
    year_range = rf"{year}\s*(?:to|through|until|a|hasta|-|–|—)\s*{year}"
    season_of = rf"(?:{_alt([w.casefold() for w in data['seasons']])})\s+(?:of|de)"
    ordinal = _alt(list(data["ordinals"]))
    weekday_index = {name: i for i, name in enumerate(data["weekdays"])} | data["weekdays_es"]
    counts = {str(k).lower(): int(v) for k, v in data["unit_counts"].items()}
    weekday = literal_alternation(list(weekday_index))
    any_month = literal_alternation(surface)
    month_range = rf"{any_month}(?:\s*(?:{_MONTH_DASH})\s*|\s+(?:and|to|through|until|y|a|hasta)\s+){any_month}"
    # Each alternative with patterns of what any of its matches contains, searched as written or (the
    # second list) in the casefolded text: "Between", "FY" and the (?i) words casefold to those (so do
    # the letters IGNORECASE takes for theirs, "ſ" for "s", "K" for "k").
    parts: list[tuple[str, list[str], list[str]]] = [
        (r"(?P<iso>(?<!\d)(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})(?!\d))", [r"\d{4}-\d{2}-\d{2}"], []),
        # Ranges of days: "del 1 de enero al 15 de marzo de 2024", "entre el 1 y el 20 de julio", "from January 1
        # to March 15, 2024", "between March 1 and 15", "May 3-5". "y" / "and" join two days into a range
        # only after "entre" / "between" ("el 10 y 12 de marzo" is two days); the conditional (?(...)) says so.
        (rf"(?P<drd>(?:(?:(?P<drd_b>[Ee]ntre|[Bb]etween)|[Dd]el?|[Dd]esde|[Ff]rom)\s+(?:el\s+|the\s+)?)?(?<!\d)"
         rf"(?P<drd_d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?:de\s+|of\s+)?(?P<drd_m1>{mon}))?"
         rf"(?(drd_b)\s+(?:y|and)\s+|(?:\s+(?:al?|hasta|to|through|until)\s+|\s*[-–]\s*))(?:el\s+|the\s+)?"
         rf"(?P<drd_d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?(?P<drd_m2>{mon})"
         rf"(?:,?\s+(?:del?\s+)?(?P<drd_y>{year}))?(?!\d))", [any_month, r"\d"], []),
        (rf"(?P<drm>(?:(?P<drm_b>[Bb]etween)\s+|[Ff]rom\s+)?(?P<drm_m1>{mon})\.?\s+(?P<drm_d1>\d{{1,2}})(?:st|nd|rd|th)?,?"
         rf"(?(drm_b)\s+and\s+|(?:\s+(?:to|through|until)\s+|\s*[-–]\s*))(?:(?P<drm_m2>{mon})\.?\s+)?"
         rf"(?P<drm_d2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:%]|[.,]\d)(?:,?\s+(?P<drm_y>{year})(?!\d))?)",
         [any_month, r"\d"], []),
        (rf"(?P<mdy>(?P<mdy_mon>{mon})\.?\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>{year})(?!\d))",
         [any_month, year], []),
        (rf"(?P<dmy>(?<!\d)(?P<dmy_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?(?P<dmy_mon>{mon})\.?,?\s+(?:del?\s+)?"
         rf"(?P<dmy_y>{year})(?!\d))", [any_month, year], []),
        (r"(?P<fy>(?:[Ff]iscal(?:\s+[Yy]ear)?|FY)\s?['’]?(?P<fy_y>\d{4}|\d{2})(?!\d))", [], ["fiscal|fy"]),
        (rf"(?P<fy2>(?P<fy2_y>{year})\s+fiscal\s+year)", [r"fiscal\s+year"], []),
        (rf"(?P<q>(?:the\s+)?(?P<q_n>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+of\s+(?P<q_y>{year}))",
         [r"quarter\s+of"], []),
        (rf"(?P<q2>\bQ(?P<q2_n>[1-4])\s+(?P<q2_y>{year}))", [r"Q[1-4]"], []),
        # "the first nine months of 2023", "the first half of the year", "los primeros seis meses de 2024"
        (rf"(?P<pty>(?:(?:the|los|el)\s+)?(?:(?P<pty_e>first|last|primeros|últimos|ultimos)\s+(?:(?P<pty_n>\d{{1,2}}|"
         rf"{_alt([str(k) for k in data['month_counts']])})\s+(?:months|meses)|(?P<pty_h>half))"
         rf"|(?P<pty_s>primer|segundo)\s+semestre)\s+(?:of|de|del)\s+"
         rf"(?:(?P<pty_y>{year})|(?P<pty_r>(?:the|this|last)\s+year|este\s+año|año\s+pasado|año)))",
         [months_of], []),
        (rf"(?P<yrb>(?:[Bb]etween|[Ee]ntre)\s+(?P<yrb_a>{year})\s+(?:and|y)\s+(?P<yrb_b>{year})(?!\d))", [year],
         ["between|entre"]),
        (rf"(?P<yrf>(?:(?:[Ff]rom|[Dd]e|[Dd]esde)\s+)?(?<!\d)(?P<yrf_a>{year})\s*(?:to|through|until|a|hasta|-|–|—)\s*"
         rf"(?P<yrf_b>{year})(?!\d))", [year_range], []),
        # "January and February", "from March to May 2024", "entre enero y marzo de 2024": months joined
        (rf"(?P<mr>(?:(?P<mr_p>[Ff]rom|[Bb]etween|[Ee]ntre|[Dd]e|[Dd]esde)\s+)?(?P<mr_a>{mon_full})"
         rf"(?:\s*(?P<mr_d>{_MONTH_DASH})\s*|\s+(?P<mr_c>and|to|through|until|y|a|hasta)\s+)(?P<mr_b>{mon_full})"
         rf"(?:,?\s+(?:of\s+|del?\s+)?(?P<mr_y>{year})(?!\d))?)",
         [month_range], []),
        (rf"(?P<my>(?P<my_mon>{mon})\.?(?:\s+(?:de|del))?,?\s+(?P<my_y>{year})(?!\d))", [any_month, year], []),
        (rf"(?P<md>(?P<md_mon>{mon})\.?\s+(?P<md_d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]|[.,]\d))", [any_month], []),
        (rf"(?P<dm>(?<!\d)(?P<dm_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?(?P<dm_mon>{mon}))", [any_month], []),
        (r"(?P<dec>(?:the\s+|los\s+años\s+)?(?P<dec_y>1[89]\d0|20\d0)['’]?s(?!\w))", [r"\d0['’]?s"], []),
        # "the summer of 2023", "el verano de 2023": the months of the season (lexicon: seasons)
        (rf"(?P<sea>(?:(?:the|el|la)\s+)?(?P<sea_n>{_alt(list(data['seasons']))})\s+(?:of|de|del)\s+(?P<sea_y>{year})(?!\d))",
         [], [season_of]),
        (rf"(?P<wke>(?:(?:over|during|on)\s+)?the\s+(?P<wke_o>{ordinal})\s+weekend\s+of\s+"
         rf"(?:the\s+year|(?P<wke_mon>{mon_full})|(?P<wke_y>{year})))", [r"weekend\s+of"], []),
        # "in the past four years", "over the last 12 months", "los últimos tres años": back from publication
        (rf"(?P<pl>(?i:(?:(?:in|over|during|for)\s+)?the\s+(?:past|last)|(?:en\s+|durante\s+)?los\s+[uú]ltimos)"
         rf"(?:\s+(?P<pl_n>\d{{1,2}}|{_alt([str(k) for k in data['month_counts'] if k != 'half'])}))?"
         r"\s+(?P<pl_u>(?i:years?|months?|weeks?|days?|decades?|a[nñ]os|meses|semanas|d[ií]as|d[eé]cadas))(?!\w))",
         [], [r"(?:past|last|ltimos)\s"]),
        # ("at the weekend": British; "el (pasado) fin de semana", "este fin de semana")
        (r"(?P<rwe>(?i:(?:last|this|next|over\s+the|during\s+the|the\s+past|at\s+the)\s+weekend|"
         r"(?:durante\s+)?(?:el|este)\s+(?:pasado\s+|[uú]ltimo\s+)?fin\s+de\s+semana(?:\s+pasado)?)\b)", [],
         [r"weekend|semana"]),
        # The year so far: "en lo que va de 2023", "en lo que va del año", "so far this year", "this year so far",
        # "year to date": from January 1 to publication (the whole year when published after it)
        (rf"(?P<ytd>(?i:(?:en\s+)?lo\s+que\s+va\s+(?:de|del)\s+(?:(?:este\s+)?a[nñ]o|(?P<ytd_y>{year}))|"
         rf"so\s+far\s+(?:this\s+year|in\s+(?:the\s+year|(?P<ytd_y2>{year})))|(?:this\s+year|(?P<ytd_y3>{year}))\s+so\s+far"
         rf"|(?:the\s+)?year[\s-]to[\s-]date)(?!\w))", [], [r"que\s+va|so\s+far|to[\s-]date"]),
        (r"(?P<rel>(?i:(?:earlier|later)\s+this\s+(?:month|week|year)|this\s+(?:month|week|year)|"
         r"last\s+(?:month|week|year)|next\s+(?:month|week|year)|the\s+(?:year|month)\s+before|"
         r"the\s+previous\s+(?:year|month)|a\s+year\s+(?:earlier|before|ago)|el\s+año\s+pasado|"
         r"este\s+año|el\s+mes\s+pasado|este\s+mes|esta\s+semana|la\s+semana\s+pasada|"
         r"la\s+pr[oó]xima\s+semana|la\s+semana\s+pr[oó]xima|el\s+pr[oó]ximo\s+(?:mes|año)|"
         r"el\s+(?:mes|año)\s+pr[oó]ximo)|\byesterday\b|\btoday\b|\bayer\b|\bhoy\b|\banoche\b|\banteayer\b)",
         [], ["month|week|year|año|mes|semana|yesterday|today|ayer|hoy|anoche|anteayer"]),
        # "hace dos semanas", "three days ago": back from publication
        (rf"(?P<ago>(?i:hace\s+(?P<ago_n>\d{{1,2}}|{_alt(list(counts))})\s+(?P<ago_u>d[ií]as?|semanas?|mes(?:es)?|"
         rf"años?)|(?P<ago_n2>\d{{1,2}}|{_alt(list(counts))})\s+(?P<ago_u2>days?|weeks?|months?|years?)\s+ago)(?!\w))",
         [], [r"hace\s|\sago\b"]),
        # "el pasado lunes", "el lunes pasado", "este miércoles", "el próximo viernes"
        (rf"(?P<wd>(?:(?P<wd_w>last|next|this|(?i:este|el\s+pasado|el\s+pr[oó]ximo))\s+)?(?P<wd_n>{weekday})"
         rf"(?:\s+(?P<wd_a>pasado|pr[oó]ximo))?(?![\w]))", [weekday], []),
        (rf"(?P<mo>(?P<mo_mon>{mon_full})(?:['’]s)?(?![\w\d]|\s+\d))", [any_month], []),
        (rf"(?P<y>(?<![\d$€£.,/\-])(?P<y_y>{year})(?![\d%]|[.,]\d|-\w))", [year], []),
    ]
    needs = list(dict.fromkeys((n, False) for _, as_written, _ in parts for n in as_written))
    needs += dict.fromkeys((n, True) for _, _, folded in parts for n in folded)
    # What any match of a need holds, by the need's pattern (read off it): a digit, one of some strings,
    # the match of another need.
    digit = {r"\d", r"\d{4}-\d{2}-\d{2}", year, r"Q[1-4]", year_range, r"\d0['’]?s"}
    hints: dict[str, tuple[str, ...]] = {
        r"\d{4}-\d{2}-\d{2}": ("-",),
        year: ("1", "20"),
        year_range: ("1", "20"),
        r"\d0['’]?s": ("0",),
        months_of: ("months", "meses", "half", "semestre"),
        season_of: tuple(w.casefold() for w in data["seasons"]),
        "between|entre": ("between", "entre"),
        r"(?:past|last|ltimos)\s": ("past", "last", "ltimos"),
        r"que\s+va|so\s+far|to[\s-]date": ("que", "far", "date"),
        r"hace\s|\sago\b": ("hace", "ago"),
    }
    after = {month_range: needs.index((any_month, False))}
    assert all(needs.index((n, False)) > i for n, i in after.items())
    return _Lexicon(
        months=months,
        parts=tuple(
            (p, tuple(needs.index((n, False)) for n in as_written) + tuple(needs.index((n, True)) for n in folded))
            for p, as_written, folded in parts
        ),
        needs=tuple(_Need(re.compile(n), in_folded, n in digit, hints.get(n, ()), after.get(n))
                    for n, in_folded in needs),
        ambiguous=frozenset(w.lower() for w in data["ambiguous_months"]),
        ambiguous_after_day=frozenset(w.lower() for w in data["ambiguous_after_day"]),
        month_only_after=frozenset(w.lower() for w in data["month_only_after"]),
        future=re.compile(rf"(?i)\b(?:{_alt(data['future_cues'])})\b[\w\s]{{0,12}}$"),
        count_nouns=frozenset(w.lower() for w in data["count_nouns"]),
        ordinals={k: int(v) for k, v in data["ordinals"].items()},
        weekdays=tuple(data["weekdays"]),
        weekday_index=weekday_index,
        month_counts={str(k).lower(): int(v) for k, v in data["month_counts"].items()},
        dateline=re.compile(rf"(?i)^\W*(?:{_alt(data['dateline_cues'])})\b\W*"),
        name_words=re.compile(rf"(?i)\b(?:{_alt(data['name_words'])})\.?\s+(?:\w+\s+)?(?:(?:del?|of)\s+)?$"),
        counts=counts,
        seasons={str(k).lower(): (int(v[0]), int(v[1])) for k, v in data["seasons"].items()},
        prefilter=re.compile(rf"\d|(?<!\w)(?:{mon}|{weekday}|(?i:(?:weeks?|weekend|months?|years?|days|decades?|today|"
                             r"yesterday|ayer|hoy|anoche|anteayer|años?|mes(?:es)?|semanas?|d[ií]as|d[eé]cadas?)\b))"),
    )


_BASELINE_BEFORE = re.compile(
    r"(?i)\b(?:from|compared\s+(?:with|to)|than(?:\s+in)?|versus|vs\.?|relative\s+to|over|frente\s+a|respecto\s+a)"
    r"\s+(?:the\s+same\s+\w+\s+(?:of|in)\s+|in\s+)?$"
)
_WORD_BEFORE = re.compile(r"([A-Za-z\u00C0-\u024F]+)\W*$")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(y: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_published(value: str | dt.date | None) -> PublicationDate:
    """Manifest value (YYYY, YYYY-MM, YYYY-MM-DD or a date) -> PublicationDate(basis=manifest)."""
    if value is None or value == "":
        return PublicationDate.unknown()
    if isinstance(value, dt.date):
        return PublicationDate(value, value, "day", "manifest")
    parts = [int(p) for p in str(value).split("-")]
    if len(parts) == 1:
        return PublicationDate(*_year(parts[0]), "year", "manifest")
    if len(parts) == 2:
        return PublicationDate(dt.date(parts[0], parts[1], 1), _month_end(parts[0], parts[1]), "month", "manifest")
    day = dt.date(*parts)
    return PublicationDate(day, day, "day", "manifest")


def _yearless(month: int, day: int | None, published: PublicationDate, before: str) -> tuple[dt.date, dt.date] | None:
    """A month (and day) without a year: the latest such date not after publication, or the next one
    after it when the words before announce something to come ("ahead of an April runoff")."""
    if published.start is None or published.end is None:
        return None
    future = bool(_lexicon().future.search(before))
    for year in ((published.start.year, published.start.year + 1) if future
                 else (published.end.year, published.end.year - 1)):
        start = _safe_date(year, month, day or 1)
        if start is None:
            return None
        end = start if day else _month_end(year, month)
        if (future and end >= published.start) or (not future and start <= published.end):
            return start, end
    return None


def _week(anchor: dt.date, shift: int) -> tuple[dt.date, dt.date]:
    monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=shift)
    return monday, monday + dt.timedelta(days=6)


def _weekend(year: int, month: int | None, ordinal: int) -> tuple[dt.date, dt.date]:
    """The n-th (or last, -1) Saturday-Sunday of a month or year."""
    first, last = (dt.date(year, month, 1), _month_end(year, month)) if month else _year(year)
    saturdays = []
    d = first + dt.timedelta(days=(5 - first.weekday()) % 7)
    while d <= last:
        saturdays.append(d)
        d += dt.timedelta(days=7)
    sat = saturdays[ordinal - 1] if ordinal > 0 else saturdays[-1]
    return sat, sat + dt.timedelta(days=1)


# Units of time in "the past four years", "los últimos tres meses": (unit, plural).
_UNITS = {"year": ("year", False), "years": ("year", True), "años": ("year", True), "anos": ("year", True),
          "month": ("month", False), "months": ("month", True), "meses": ("month", True),
          "week": ("week", False), "weeks": ("week", True), "semanas": ("week", True),
          "day": ("day", False), "days": ("day", True), "días": ("day", True), "dias": ("day", True),
          "decade": ("decade", False), "decades": ("decade", True), "décadas": ("decade", True),
          "decadas": ("decade", True)}


def _back(day: dt.date, count: int, unit: str) -> dt.date:
    """``count`` units of time before ``day``."""
    if unit in ("year", "decade"):
        years = count * (10 if unit == "decade" else 1)
        return _safe_date(day.year - years, day.month, day.day) or dt.date(day.year - years, day.month, 28)
    if unit == "month":
        y, m = divmod(day.year * 12 + day.month - 1 - count, 12)
        return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))
    return day - dt.timedelta(days=count * (7 if unit == "week" else 1))


def _relative(words: str, published: PublicationDate) -> tuple[dt.date | None, dt.date | None, str]:
    """'last year', 'earlier this month', 'this week', 'yesterday'... -> interval and precision."""
    w = " ".join(words.lower().split())
    pub, precision = published.start, published.precision
    tokens = set(w.split())
    shift = 0 if tokens & {"this", "este", "esta", "today", "hoy"} else (
        1 if tokens & {"next", "próximo", "próxima", "proximo", "proxima"} else -1)
    if "earlier" in tokens and pub is not None and published.end is not None and shift == 0:
        # "earlier this year", "earlier this month": from the start of the period to publication
        if tokens & {"year", "año"}:
            return dt.date(pub.year, 1, 1), published.end, "year" if precision == "year" else "range"
        if tokens & {"month", "mes"} and precision in ("day", "month"):
            return dt.date(pub.year, pub.month, 1), published.end, "month" if precision == "month" else "range"
    if tokens & {"year", "año"}:
        return (*_year(pub.year + shift), "year") if pub else (None, None, "year")
    if tokens & {"month", "mes"}:
        if pub is None or precision == "year":
            return None, None, "month"
        y, m = divmod(pub.year * 12 + pub.month - 1 + shift, 12)
        return dt.date(y, m + 1, 1), _month_end(y, m + 1), "month"
    if tokens & {"week", "semana"}:
        if pub is None or precision != "day":
            return None, None, "range"
        return (*_week(pub, shift), "range")
    if pub is None or precision != "day":  # yesterday / today need the publication day
        return None, None, "day"
    day = pub + dt.timedelta(days=-2 if "anteayer" in tokens else shift)
    return day, day, "day"


def _mention(lx: _Lexicon, m: re.Match[str], text: str, published: PublicationDate) -> DateMention | None:
    which = m.lastgroup  # the alternative that matched: its group closes last
    g = _Groups(m.groupdict())  # the pattern may hold only some of the alternatives
    kind, basis = "point", "explicit"
    before = text[max(0, m.start() - 40):m.start()]
    start: dt.date | None
    end: dt.date | None
    if which == "iso":
        start = end = _safe_date(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
        precision = "day"
    elif which in ("drd", "drm"):
        p = which
        m1 = lx.months[g[f"{p}_m1"].lower()] if g[f"{p}_m1"] else None
        m2 = lx.months[g[f"{p}_m2"].lower()] if g[f"{p}_m2"] else None
        m1, m2 = m1 or m2, m2 or m1
        d1, d2 = int(g[f"{p}_d1"]), int(g[f"{p}_d2"])
        if m1 is None or m2 is None or not (1 <= d1 <= 31 and 1 <= d2 <= 31):
            return None
        if p == "drm" and not g["drm_b"] and not g["drm_y"] and not g["drm"].lower().startswith("from") \
                and g["drm_m1"].lower() in lx.ambiguous and not _after_cue(lx, before):
            return None  # "may 3 to 5" may be no date at all
        if g[f"{p}_y"]:
            y_b: int | None = int(g[f"{p}_y"])
        else:  # the year of the later day, as for a day alone
            got = _yearless(m2, d2, published, before)
            y_b = got[0].year if got else None
            basis = "relative"
        start = end = None
        if y_b is not None:
            start, end = _safe_date(y_b - ((m1, d1) > (m2, d2)), m1, d1), _safe_date(y_b, m2, d2)
            if start is None or end is None or not start < end:
                return None
        precision, kind = "range", "range"
    elif which in ("mdy", "dmy"):
        p = which
        start = end = _safe_date(int(g[f"{p}_y"]), lx.months[g[f"{p}_mon"].lower()], int(g[f"{p}_d"]))
        precision = "day"
    elif which in ("fy", "fy2"):
        raw = g["fy_y"] or g["fy2_y"]
        y = int(raw) if len(raw) == 4 else 2000 + int(raw)
        start, end, precision, kind = dt.date(y - 1, 10, 1), dt.date(y, 9, 30), "fiscal_year", "fiscal"
    elif which in ("q", "q2"):
        n = int((g["q_n"] or g["q2_n"])[0]) if (g["q_n"] or g["q2_n"])[0].isdigit() else \
            {"f": 1, "s": 2, "t": 3}.get((g["q_n"] or "")[:1], 4)
        y = int(g["q_y"] or g["q2_y"])
        start, end, precision = dt.date(y, 3 * n - 2, 1), _month_end(y, 3 * n), "quarter"
    elif which == "pty":
        n = 6 if g["pty_h"] or g["pty_s"] else (int(g["pty_n"]) if g["pty_n"].isdigit()
                                                 else lx.month_counts.get(g["pty_n"].lower(), 0))
        if not 1 <= n <= 12:
            return None
        if g["pty_y"]:
            y: int | None = int(g["pty_y"])
        else:
            basis = "relative"
            r = " ".join(g["pty_r"].lower().split())
            y = None if published.start is None else published.start.year - (r in ("last year", "año pasado"))
        last = (g["pty_e"] or "").lower() in ("last", "últimos", "ultimos") or (g["pty_s"] or "").lower() == "segundo"
        if y is None:
            start = end = None
        else:
            start, end = (dt.date(y, 13 - n, 1), dt.date(y, 12, 31)) if last else (dt.date(y, 1, 1), _month_end(y, n))
            if g["pty_r"] and g["pty_r"].lower() in ("the year", "año") and published.end is not None \
                    and end > published.end + dt.timedelta(days=_UNFINISHED_DAYS):
                # "the first eleven months of the year" in an article of January: the year just ended
                start, end = start.replace(year=y - 1), end.replace(year=y - 1)
        precision = "range"
    elif which in ("yrb", "yrf"):
        p = which
        a, b = int(g[f"{p}_a"]), int(g[f"{p}_b"])
        if not a < b:
            return None
        start, end, precision, kind = dt.date(a, 1, 1), dt.date(b, 12, 31), "range", "range"
    elif which == "mr":
        a, b = lx.months[g["mr_a"].lower()], lx.months[g["mr_b"].lower()]
        if a == b:
            return None
        if g["mr_y"]:
            y_b: int | None = int(g["mr_y"])
        else:  # the year of the later month, as for a month alone
            got = _yearless(b, None, published, before)
            y_b = got[0].year if got else None
            basis = "relative"
        if y_b is None:
            start = end = None
        else:
            start, end = dt.date(y_b - (a > b), a, 1), _month_end(y_b, b)  # "November to January 2024"
        joined = {(g["mr_p"] or "").lower(), (g["mr_c"] or "").lower()}
        precision = "range"
        kind = "range" if g["mr_d"] or not joined.isdisjoint(_SPAN_WORDS) else "point"
    elif which == "ytd":
        raw = g["ytd_y"] or g["ytd_y2"] or g["ytd_y3"]
        if not raw:
            basis = "relative"
        y = int(raw) if raw else published.start.year if published.start else None
        start = end = None
        if y is not None:
            start = dt.date(y, 1, 1)
            end = published.end if published.end is not None and published.end.year == y else dt.date(y, 12, 31)
        precision, kind = "range", "range"
    elif which == "my":
        y, mo = int(g["my_y"]), lx.months[g["my_mon"].lower()]
        start, end, precision = dt.date(y, mo, 1), _month_end(y, mo), "month"
    elif which in ("md", "dm"):
        p = which
        mon = g[f"{p}_mon"]
        if mon.lower() in (lx.ambiguous if p == "md" else lx.ambiguous_after_day) and not _after_cue(lx, before):
            return None
        day = int(g[f"{p}_d"])
        if not 1 <= day <= 31:
            return None
        got = _yearless(lx.months[mon.lower()], day, published, before)
        start, end = got if got else (None, None)
        precision, basis = "day", "relative"
    elif which == "dec":
        y = int(g["dec_y"])
        start, end, precision = dt.date(y, 1, 1), dt.date(y + 9, 12, 31), "decade"
    elif which == "sea":
        first, last = lx.seasons[g["sea_n"].lower()]
        y = int(g["sea_y"])
        start = dt.date(y - (first > last), first, 1)  # a winter from December runs into the year named
        end, precision = _month_end(y, last), "range"
    elif which == "wke":
        ordinal = lx.ordinals[g["wke_o"].lower()]
        month = lx.months[g["wke_mon"].lower()] if g["wke_mon"] else None
        if g["wke_y"]:
            start, end = _weekend(int(g["wke_y"]), month, ordinal)
        elif published.start is not None and (month is None or published.precision in ("day", "month")):
            start, end = _weekend(published.start.year, month, ordinal)
            basis = "relative"
        else:
            start = end = None
            basis = "relative"
        precision = "weekend"
    elif which == "pl":
        n = g["pl_n"]
        unit, plural = _UNITS[g["pl_u"].lower()]
        count = 1 if n is None else int(n) if n.isdigit() else lx.month_counts.get(n.lower(), 0)
        if not count or (n is None and plural):
            return None  # "the past years": no span given
        end = published.end
        start = None if published.start is None else _back(published.start, count, unit)
        if start is None or end is None:
            start = end = None
        precision, basis = "range", "relative"
    elif which == "rwe":
        start = end = None
        if published.start is not None and published.precision == "day":
            pub = published.start
            w = g["rwe"].lower()
            # the weekend just past (or under way) at publication; "next"/"this" before a weekday: the coming one
            back = (pub.weekday() - 5) % 7
            start = pub - dt.timedelta(days=back)
            if w.startswith("next") or (w.startswith(("this", "este")) and pub.weekday() < 5):
                start = pub + dt.timedelta(days=(5 - pub.weekday()) % 7 or 7)
            end = start + dt.timedelta(days=1)
        precision, basis = "weekend", "relative"
    elif which == "ago":
        n = (g["ago_n"] or g["ago_n2"]).lower()
        count = int(n) if n.isdigit() else lx.counts.get(n, 0)
        unit = (g["ago_u"] or g["ago_u2"]).lower()
        unit = {"d": "day", "s": "week", "m": "month", "a": "year", "w": "week", "y": "year"}[unit[0]]
        precision, basis = {"day": "day", "week": "range", "month": "month", "year": "year"}[unit], "relative"
        start = end = None
        if count and published.start is not None and (published.precision == "day" or unit == "year"):
            back = _back(published.start, count, unit)
            if unit == "day":
                start = end = back
            elif unit == "week":
                start, end = _week(back, 0)
            elif unit == "month":
                start, end = dt.date(back.year, back.month, 1), _month_end(back.year, back.month)
            else:
                start, end = _year(back.year)
    elif which == "rel":
        start, end, precision = _relative(g["rel"], published)
        basis = "relative"
    elif which == "wd":
        w = " ".join(((g["wd_w"] or "") + " " + (g["wd_a"] or "")).lower().split())
        ahead = w in ("next", "el próximo", "el proximo", "próximo", "proximo")
        last = w in ("last", "el pasado", "pasado")
        precision, basis = "day", "relative"
        if published.start is None or published.end is None:
            start = end = None
        elif published.precision != "day":
            # Only the month of publication is known: a past weekday ("Ecuador extradited him on Sunday")
            # lies in that month but for the first days, so the month is the honest interval.
            start, end = (None, None) if ahead or published.precision != "month" else (published.start, published.end)
            precision = "month"
        else:
            target = lx.weekday_index[g["wd_n"]]
            delta = (published.start.weekday() - target) % 7
            if ahead:
                start = published.start + dt.timedelta(days=(target - published.start.weekday()) % 7 or 7)
            else:  # "this Monday", "el pasado lunes": the latest such day on or before publication
                start = published.start - dt.timedelta(days=delta or (7 if last else 0))
            end = start
    elif which == "mo":
        mon = g["mo_mon"]
        if mon.lower() in lx.ambiguous and not _after_cue(lx, before):
            return None
        got = _yearless(lx.months[mon.lower()], None, published, before)
        start, end = got if got else (None, None)
        precision, basis = "month", "relative"
    else:  # a bare year
        after = text[m.end():m.end() + 30]
        follow = re.match(r"\s+([a-z]+)(?:\s+([a-z]+))?", after.lower())  # punctuation breaks the phrase
        # "2000 soldiers", "2000 more troops": a count, not a year; "2023 the police ..." is a year (a
        # determiner after the number opens a new phrase)
        if follow and follow.group(1) not in _DETERMINERS and lx.count_nouns & {w for w in follow.groups() if w}:
            return None
        if re.match(r"\s*(?:per\s+100|percent|por\s+ciento)", after):
            return None
        if names_not_counts(text, m.start()):
            return None  # "la línea 1800", "Decreto 2024": a name
        start, end, precision = (*_year(int(g["y_y"])), "year")
    if which in ("md", "dm", "dmy", "mdy", "mo") and lx.name_words.search(before):
        return None  # "la avenida 9 de Octubre", "barrio 15 de Septiembre": a street's name
    if kind == "point" and _BASELINE_BEFORE.search(before):
        kind = "baseline"
    return DateMention(m.group(), m.start(), m.end(), start, end, precision, basis, kind)


def _after_cue(lx: _Lexicon, before: str) -> bool:
    w = _WORD_BEFORE.search(before)
    return bool(w) and w.group(1).lower() in lx.month_only_after


def find_dates(text: str, published: PublicationDate) -> list[DateMention]:
    """All date expressions in ``text`` (usually one sentence), left to right, non-overlapping."""
    return list(_find_dates(text, published))


@lru_cache(maxsize=4096)  # both extractors read the same sentences
def _find_dates(text: str, published: PublicationDate) -> tuple[DateMention, ...]:
    lx = _lexicon()
    if not lx.prefilter.search(text):  # most sentences name no date: skip the big pattern
        return ()
    pattern = _pattern_for(lx, text)
    if pattern is None:
        return ()
    out: list[DateMention] = []
    for m in pattern.finditer(text):
        mention = _mention(lx, m, text, published)
        if mention is None:
            continue
        if out and _names_the_day(lx, out[-1], mention, text):
            out.pop()  # "el martes 4 de marzo", "Friday, March 13": the weekday names the day that follows
        out.append(mention)
    return tuple(out)


def _names_the_day(lx: _Lexicon, weekday: DateMention, day: DateMention, text: str) -> bool:
    """``weekday`` is a weekday right before ``day``, a day of the month ("martes 4 de marzo", "Friday,
    March 13")."""
    words = weekday.date_text.lower().split()
    first = day.date_text.split()[0].lower().rstrip(".,") if day.date_text.split() else ""
    of_month = first[:1].isdigit() or first in lx.months  # "4 de marzo", "March 8": not another weekday
    return (bool(words) and words[-1] in {w.lower() for w in lx.weekday_index} and day.precision == "day"
            and of_month
            and re.fullmatch(r"[\s,]*(?:the\s+)?", text[weekday.char_end:day.char_start]) is not None)


def _pattern_for(lx: _Lexicon, text: str) -> re.Pattern[str] | None:
    """The date pattern without the alternatives that cannot match in ``text``: it finds the same dates
    (an alternative that matches nowhere never wins) and tries far fewer alternatives at each position."""
    folded = text.casefold()
    has_digit = _DIGIT.search(text) is not None
    found: list[bool] = []
    for need in lx.needs:
        source = folded if need.in_folded else text
        found.append((has_digit or not need.digit) and (need.after is None or found[need.after])
                     and (not need.hints or any(h in source for h in need.hints))
                     and (need.pattern.pattern == r"\d" or need.pattern.search(source) is not None))
    return _alternatives(tuple(found))


@lru_cache(maxsize=1024)
def _alternatives(found: tuple[bool, ...]) -> re.Pattern[str] | None:
    """The alternatives whose needs are all ``found``, as one pattern (None: none of them)."""
    chosen = [p for p, needs in _lexicon().parts if all(found[i] for i in needs)]
    # A date starts at a word or a digit: positions inside a word fail on the look-behind at once.
    return re.compile(r"(?:(?<!\w)|(?=\d))(?:" + "|".join(chosen) + ")") if chosen else None


class _Groups(dict):  # type: ignore[type-arg]
    """The groups of a match of some of the alternatives: a group of another one did not match."""

    def __missing__(self, key: str) -> None:
        return None


_PAST_MONTH_CUE = re.compile(r"(?i)\b(?:on|in|since|during|earlier\s+in|last|en|el)\s+$")


DATELINE_LINES = 12  # a dateline sits in the first lines, under the headline and byline
DATELINE_MAX_CHARS = 80  # longer lines are prose, where a date is about an event


def dateline_date(text: str) -> dt.date | None:
    """The day a dateline near the top states: a short line that opens with a cue ("Published",
    "Updated"), or is only a date ("Sept. 15, 2025 10:32 a.m. ET"), perhaps after the place it was
    filed from ("Quito, 2 de enero de 2025"). The earliest such day, or None."""
    lx, unknown, days = _lexicon(), PublicationDate.unknown(), []
    lines = [line.strip() for line in text.splitlines() if line.strip()][:DATELINE_LINES]
    for line in lines:
        if len(line) > DATELINE_MAX_CHARS:
            continue
        cue = lx.dateline.match(line)
        for d in find_dates(line, unknown):
            if d.precision != "day" or d.basis != "explicit" or d.start is None:
                continue
            lead = line[:d.char_start]
            if cue and d.char_start == cue.end() or (
                not cue and (d.char_start <= 1 or _PLACE_LEAD.fullmatch(lead) or _BYLINE_LEAD.fullmatch(lead))
                    and _only_time_after(line, d)):
                days.append(d.start)
    return min(days) if days else None


# "Quito, 2 de enero de 2025", "GUAYAQUIL, Ecuador, Jan. 9, 2024": a place of filing, then the date.
_PLACE_LEAD = re.compile(r"(?:[A-ZÁÉÍÓÚÑ][\w.'’-]*\s?){1,3}(?:,\s*(?:[A-ZÁÉÍÓÚÑ][\w.'’-]*\s?){1,2})?[,—–-]\s*")
# "By Maria Lopez | October 3, 2023", "Por Redacción · 5 de enero de 2025": a byline, then the date.
_BYLINE_LEAD = re.compile(r"(?:By|BY|Por|POR)\s+[^|·•—–\n]{2,60}?\s*[|·•—–]\s*")
_TIME_TAIL = re.compile(r"(?i)^[\s,|·•-]*(?:(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?)?\W*$")


def _only_time_after(line: str, d: DateMention) -> bool:
    """Nothing but a clock time (and a time zone) follows the date on its line."""
    return _TIME_TAIL.match(line[d.char_end:]) is not None


def infer_publication_date(text: str) -> PublicationDate:
    """Infer when an article was published from its own words (basis=inferred), else unknown.

    A dateline near the top ("Published September 15, 2025") gives the day.
    Otherwise:
    The latest explicit day or month-and-year the article mentions bounds its
    publication from below; a yearless month of the same year mentioned as past
    ("on February 19", "in February's election") moves it later. Precision is
    month at most: a text rarely says on which day it appeared. Bare years are
    not enough (an article of 2025 may only speak of 2023).
    """
    unknown = PublicationDate.unknown()
    stated = dateline_date(text)
    if stated is not None:
        return PublicationDate(stated, stated, "day", "inferred")
    mentions = find_dates(text, unknown)
    explicit = [d for d in mentions if d.basis == "explicit" and d.kind in ("point", "baseline")
                and d.precision in ("day", "month") and d.start is not None]
    if not explicit:
        return unknown
    latest = max(d.start for d in explicit if d.start is not None)
    month = latest.month
    lx = _lexicon()
    for d in mentions:
        if d.basis == "relative" and d.precision in ("day", "month"):
            words = d.date_text.replace(".", " ").split()
            mon = lx.months.get(words[0].lower().rstrip("’'s")) if words else None
            before = text[max(0, d.char_start - 20):d.char_start]
            if mon and mon > month and _PAST_MONTH_CUE.search(before) and not lx.future.search(before):
                month = mon
    return PublicationDate(dt.date(latest.year, month, 1), _month_end(latest.year, month), "month", "inferred")
