"""Recognise countries, provinces, cities and facilities in news prose.

Country names come from pycountry; aliases, demonyms, Ecuador's provinces and
cities, and a few facilities come from schemas/lexicon/places.yaml. All of it
is compiled into case-sensitive regexes, longest name first (shaped as a trie:
``text.alternation``), and an article is scanned once. Accents are optional in
the names ("Manabi" finds Manabí).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pycountry
import yaml

from pipeline.text.alternation import literal_alternation

LEXICON = Path(__file__).resolve().parents[2] / "schemas" / "lexicon" / "places.yaml"


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a string: ``text[char_start:char_end] == surface``.

    ``kind`` is country, admin1, city, facility or region. ``country_code`` is ISO
    3166-1 alpha-3 (from pycountry, or the gazetteer for places inside a
    country). ``admin1`` is the province/state when known. ``name`` is the
    canonical name (``"Guayaquil"``, ``"Ecuador"``). Demonyms ("Ecuadorian",
    "Mexican embassy") count as mentions of their country with ``demonym=True``.
    """

    surface: str
    char_start: int
    char_end: int
    kind: str
    name: str
    country_code: str | None
    admin1: str | None
    demonym: bool


@dataclass(frozen=True)
class _Entry:
    kind: str
    name: str
    country_code: str | None
    admin1: str | None
    demonym: bool


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


@cache
def _gazetteer() -> tuple[tuple[_Pattern, ...], dict[str, _Entry]]:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    entries: dict[str, _Entry] = {}

    def add(surface: str, entry: _Entry) -> None:
        for form in {surface, _fold(surface)}:
            entries.setdefault(form, entry)

    for c in pycountry.countries:
        canonical = getattr(c, "common_name", None) or c.name
        for n in {c.name, canonical}:
            if "," not in n:
                add(n, _Entry("country", canonical, c.alpha_3, None, False))
    for code, names in data["country_aliases"].items():
        canonical = getattr(pycountry.countries.get(alpha_3=code), "common_name", None) or \
            pycountry.countries.get(alpha_3=code).name
        for n in names:
            entries[n] = _Entry("country", canonical, code, None, False)
    for code, names in data["demonyms"].items():
        country = pycountry.countries.get(alpha_3=code)
        canonical = getattr(country, "common_name", None) or country.name
        for n in names:
            add(n, _Entry("country", canonical, code, None, True))
    for name in data["regions"]:
        add(name, _Entry("region", name, None, None, False))
    for province, cities in data["ECU"].items():
        add(province, _Entry("admin1", province, "ECU", province, False))
        for city in cities:
            add(city, _Entry("city", city, "ECU", province, False))
    for name, (code, admin1) in data["facilities"].items():
        first, *rest = name.split(" ")
        # News writes the generic words of a name in lower case too ("the Litoral penitentiary").
        for form in dict.fromkeys([name, " ".join([first, *(w.lower() if w.istitle() else w for w in rest)])]):
            add(form, _Entry("facility", name, code, admin1, False))
    for name, code in data["foreign_cities"].items():
        add(name, _Entry("city", name, code, None, False))
    # The alternatives, in order: "<Demonym> embassy" (a facility whose host country the words do not
    # say), first with "the" (a "t" opens no demonym), then a name not right after a letter, digit or
    # point ("(?<![\w.].)" after its first character says the same as "(?<![\w.])" before it). Each
    # opens with a literal, so re skips the characters that open none of it. The names written in lower
    # case (Spanish demonyms) are a pattern apart: they open with letters as common as "e", which would
    # make re try the names at most positions; it is searched only where one of their stems is found.
    embassy = r"(?P<emb>[A-Z][a-z]+)\s+[Ee]mbassy"
    lower = sorted(n for n in entries if n[0].islower())
    upper = [n for n in entries if not n[0].islower()]
    scans = [
        _Pattern(re.compile(r"t(?<!\w.)he\s+" + embassy), False, ("mbassy",)),
        _Pattern(re.compile(r"(?<!\w)" + embassy), False, ("mbassy",)),
        _Pattern(re.compile(literal_alternation(upper, after_first=r"(?<![\w.].)") + r"(?![\w])"), True, ()),
    ]
    if lower:
        scans.append(_Pattern(re.compile(literal_alternation(lower, after_first=r"(?<![\w.].)") + r"(?![\w])"),
                              True, tuple(sorted({n[:STEM] for n in lower}))))
    return tuple(scans), entries


STEM = 5  # letters of a lower-case name that must be in a text before its pattern is searched


@dataclass(frozen=True)
class _Pattern:
    """One pattern of the gazetteer: whether it matches names (else embassies), and stems of which one
    must be in a text for it to match there (none: always searched)."""

    regex: re.Pattern[str]
    names: bool
    stems: tuple[str, ...]

    def may_match(self, text: str) -> bool:
        return not self.stems or any(stem in text for stem in self.stems)


def find_places(text: str) -> list[PlaceMention]:
    """All place mentions in ``text``, left to right, longest match first."""
    return [p for p in _scan(text).places if p is not None]


def find_places_in(text: str, start: int, end: int) -> list[PlaceMention]:
    """``find_places(text[start:end])`` (offsets in the part), read off the places of the whole ``text``.

    The whole text is scanned once (cached: both extractors read the article). A part set off by
    whitespace that no match of the whole text crosses is scanned alike: the same positions are
    tried, and every look-around sees a space or the edge of the part. Otherwise the part is scanned.
    """
    scan = _scan(text)
    if (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace()):
        i = bisect_left(scan.starts, start)
        if not (i and scan.ends[i - 1] > start):
            out = []
            while i < len(scan.starts) and scan.starts[i] < end:
                if scan.ends[i] > end:
                    break
                p = scan.places[i]
                if p is not None:
                    out.append(PlaceMention(p.surface, p.char_start - start, p.char_end - start, p.kind, p.name,
                                            p.country_code, p.admin1, p.demonym))
                i += 1
            else:
                return out
    return find_places(text[start:end])


@dataclass(frozen=True)
class _Scan:
    """Every match of the gazetteer in a text and the place it names (None: read and dropped)."""

    starts: list[int]
    ends: list[int]
    places: list[PlaceMention | None]


@lru_cache(maxsize=1024)  # both extractors read the same article
def _scan(text: str) -> _Scan:
    """The matches of the alternation of the gazetteer's patterns, left to right, found by searching them
    apart (each is much faster on its own): the leftmost match wins, the earlier pattern on a tie."""
    scans, entries = _gazetteer()
    live_scans = [p for p in scans if p.may_match(text)]
    patterns = [p.regex for p in live_scans]
    found = [p.search(text) for p in patterns]
    scan = _Scan([], [], [])
    pos = 0
    while True:
        for i, m in enumerate(found):
            if m is not None and m.start() < pos:
                found[i] = patterns[i].search(text, pos)
        live = [(m.start(), i, m) for i, m in enumerate(found) if m is not None]
        if not live:
            return scan
        _, i, m = min(live)  # (i breaks ties: no two are equal)
        scan.starts.append(m.start())
        scan.ends.append(m.end())
        scan.places.append(_place(m, text, entries) if live_scans[i].names else _embassy(m, text, entries))
        pos = m.end()


def _embassy(m: re.Match[str], text: str, entries: dict[str, _Entry]) -> PlaceMention | None:
    demonym = entries.get(m.group("emb"))
    if demonym is None or not demonym.demonym:
        return None
    start = m.start("emb")
    surface = text[start:m.end()]
    return PlaceMention(surface, start, m.end(), "facility", f"{m.group('emb')} embassy", None, None, False)


def _place(m: re.Match[str], text: str, entries: dict[str, _Entry]) -> PlaceMention | None:
    surface = m.group()
    if surface == "US" and m.end() < len(text) and text[m.end():m.end() + 1] == "$":
        return None
    e = entries[surface]
    if e.kind == "country" and surface in _person_names()[0]:
        after = _NEXT_WORD.match(text, m.end())
        if after and after.group(1) not in _person_names()[1]:
            return None  # "Jordan Ramírez": a person
    return PlaceMention(surface, m.start(), m.end(), e.kind, e.name, e.country_code, e.admin1, e.demonym)


_NEXT_WORD = re.compile(r"[ \t]+([A-ZÁÉÍÓÚÑ][a-záéíóúñ'’]+)\b")


@cache
def _person_names() -> tuple[frozenset[str], frozenset[str]]:
    """(country names that are also given names, capitalised words after them that are no surname)."""
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return frozenset(data.get("given_names", [])), frozenset(data.get("not_surnames", []))


def country_code(name: str) -> str | None:
    """ISO alpha-3 for a country name, alias or demonym ("U.S.", "Ecuadorian"), else None."""
    _, entries = _gazetteer()
    e = entries.get(name.strip()) or entries.get(_fold(name.strip()))
    if e is not None:
        return e.country_code if e.kind == "country" else None
    try:
        return pycountry.countries.lookup(name.strip()).alpha_3
    except LookupError:
        return None
