"""Find the people and organisations an article names, by canonical name.

Two sources, both read from ``schemas/lexicon/actors.yaml``:

* the lexicon: canonical actors with aliases ("DHS" -> "Department of Homeland
  Security", "Fito" -> "José Adolfo Macías"), matched case-sensitively as whole
  words with accents ignored;
* patterns for people the lexicon does not know: a title or role before a name
  ("Gen. Laura Richardson", "special adviser Christopher Dodd"), a name before an
  appositive role ("Rafael Leonardo, acting Assistant Secretary ..."), nicknames
  ("X, also known as Y"), acronyms defined in brackets ("... Agency (CISA)") and
  "<Country>'s Ministry of X".

Within one article a surname alone ("Noboa", "Macias") resolves to the full name
found elsewhere in it, so every mention of a person carries one canonical name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import methodcaller
from pathlib import Path
from typing import Any

import yaml

from pipeline.text.cues import Tokens, fold

ACTORS_YAML = Path(__file__).resolve().parents[2] / "schemas" / "lexicon" / "actors.yaml"

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UP}][{_LOW}'’]+(?:-[{_UP}]?[{_LOW}]+)*"
_WORD = re.compile(r"[^\W_][\w'’-]*")
_BRACKETED_ACRONYM = re.compile(r"\([A-Z]{2,8}\)")
_POSSESSIVE = re.compile(r"['’]s$")
_ENDS_POSSESSIVE = methodcaller("endswith", "'s")


@dataclass(frozen=True)
class ActorMention:
    """An actor named in the text: ``text[start:end]`` refers to ``name`` (canonical)."""

    start: int
    end: int
    name: str
    kind: str  # person, organization, criminal_group, government_body


@dataclass(frozen=True)
class Lexicon:
    """The actors lexicon compiled for matching."""

    aliases: dict[str, list[tuple[re.Pattern[str], str]]]  # first word -> [(pattern, canonical)]
    alias_heads: frozenset[str]  # the first words, lower-case: a cheap first test on the article's words
    kinds: dict[str, str]  # canonical -> kind
    surnames: dict[str, set[str]]  # folded surname -> lexicon people who have it
    titles: frozenset[str]  # last word of each title, lower-case and folded
    markers: tuple[str, ...]  # alias markers, lower-case and folded
    roles: frozenset[str]
    not_names: frozenset[str]
    name_re: re.Pattern[str]
    appositive_re: re.Pattern[str]
    between_commas_re: re.Pattern[str]
    alias_re: re.Pattern[str]
    acronym_re: re.Pattern[str]
    ministry_re: re.Pattern[str]


def _alias_pattern(alias: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w) for w in fold(alias).split())
    return re.compile(rf"{body}(?![\w'’-])")


@lru_cache(maxsize=1)
def actors_data() -> dict[str, Any]:
    """schemas/lexicon/actors.yaml as written, read once for every reader: the extractor's lexicon, the
    event clusters (an actor's kind) and the entities table (kind, country, Wikidata id)."""
    return yaml.safe_load(ACTORS_YAML.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Compile schemas/lexicon/actors.yaml once."""
    data = actors_data()
    aliases: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    kinds: dict[str, str] = {}
    surnames: dict[str, set[str]] = {}
    for entry in data["actors"]:
        name, kind = entry["name"], entry["kind"]
        kinds[name] = kind
        for alias in [name, *(entry.get("aliases") or [])]:
            first = _WORD.match(fold(alias))
            if first:
                aliases.setdefault(first.group(), []).append((_alias_pattern(alias), name))
        if kind == "person":
            for token in fold(name).split()[1:]:
                surnames.setdefault(token, set()).add(name)
    for pats in aliases.values():  # longest alias first at the same word
        pats.sort(key=lambda p: -len(p[0].pattern))
    particles = sorted(data["name_particles"], key=len, reverse=True)
    part = "|".join(re.escape(p) for p in particles)
    name = rf"{_NAME_WORD}(?:\s+(?:(?:{part})\s+)?{_NAME_WORD}){{0,4}}"
    markers = "|".join(re.escape(m) for m in sorted(data["alias_markers"], key=len, reverse=True))
    return Lexicon(
        aliases=aliases,
        alias_heads=frozenset(k.lower() for k in aliases),
        kinds=kinds,
        surnames=surnames,
        titles=frozenset(fold(t).lower().split()[-1] for t in data["person_titles"]),
        markers=tuple(fold(m).lower() for m in data["alias_markers"]),
        roles=frozenset(fold(r).lower() for r in data["role_words"]),
        not_names=frozenset(fold(w) for w in data["not_names"]),
        name_re=re.compile(rf"\s+({name})"),
        appositive_re=re.compile(rf"(?<![\w.’'-])({_NAME_WORD}(?:\s+(?:(?:{part})\s+)?{_NAME_WORD}){{1,3}})$"),
        between_commas_re=re.compile(rf"({_NAME_WORD}(?:\s+(?:(?:{part})\s+)?{_NAME_WORD}){{1,3}}),"),
        alias_re=re.compile(rf"({name}),?\s+\(?(?i:{markers})\s+[\"“'‘]?({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"),
        acronym_re=re.compile(rf"((?:{_NAME_WORD}|[{_UP}]\.[{_UP}]\.)(?:\s+(?:(?:of|and|for|the|de|del|y|la)\s+)*"
                              rf"{_NAME_WORD}){{1,7}})\s+\(([{_UP}]{{2,8}})\)"),
        ministry_re=re.compile(rf"({_NAME_WORD}(?:\s+{_NAME_WORD})?)['’]s\s+(Ministry\s+of\s+(?:the\s+)?"
                               rf"{_NAME_WORD}(?:\s+(?:and\s+)?{_NAME_WORD})*)"),
    )


def _strip_name(lex: Lexicon, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim possessives and leading non-name words ("Defense Gian Carlo" -> "Gian Carlo")."""
    span = text[start:end]
    m = _POSSESSIVE.search(span)
    if m:
        end -= len(m.group())
    tokens = [(t.start() + start, t.end() + start) for t in re.finditer(r"\S+", text[start:end])]
    while tokens and fold(text[tokens[0][0]:tokens[0][1]]) in lex.not_names:
        tokens.pop(0)
    while tokens and fold(text[tokens[-1][0]:tokens[-1][1]]) in lex.not_names:
        tokens.pop()
    if not tokens:
        return None
    return tokens[0][0], tokens[-1][1]


def find_actors(text: str, tokens: Tokens | None = None) -> list[ActorMention]:
    """Every actor mention in ``text`` (an article), left to right, with canonical names resolved.

    ``tokens`` may pass the article's folded words when the caller already has them.
    """
    lex = lexicon()
    tokens = tokens or Tokens(fold(text))
    folded = tokens.text
    found: list[ActorMention] = []
    canon: dict[str, str] = {}  # folded surface -> canonical, learnt in this article

    # Lexicon aliases, keyed by their first word as written (the words that open none are passed over
    # without a Python loop).
    # (tested lower-case first, then as written: only the few candidates are cut out of the text)
    aliases, starts, ends = lex.aliases, tokens.starts, tokens.ends
    for i in compress(range(len(tokens.words)), map(lex.alias_heads.__contains__, tokens.words)):
        for pattern, name in aliases.get(folded[starts[i]:ends[i]], ()):
            m = pattern.match(folded, tokens.starts[i])
            if m:
                found.append(ActorMention(m.start(), m.end(), name, lex.kinds[name]))
                break

    # Nicknames and acronyms defined in the article: they name an actor found at the same place.
    # (Cheap substring checks first: most articles define none.)
    lowered = folded.lower()
    if any(marker in lowered for marker in lex.markers):
        for m in lex.alias_re.finditer(text):
            full = _strip_name(lex, text, m.start(1), m.end(1))
            if full:
                target = _canonical_at(found, full) or text[full[0]:full[1]]
                canon[fold(m.group(2))] = target
                kind = lex.kinds.get(target, "person")
                found += [ActorMention(full[0], full[1], target, kind),
                          ActorMention(m.start(2), m.end(2), target, kind)]
    if _BRACKETED_ACRONYM.search(text):
        for m in lex.acronym_re.finditer(text):
            span = _strip_name(lex, text, m.start(1), m.end(1))
            if span:
                target = _canonical_at(found, span)
                if not target:  # an organisation the lexicon does not know, defined with its acronym
                    target = text[span[0]:span[1]]
                    found.append(ActorMention(span[0], span[1], target, "organization"))
                canon[fold(m.group(2))] = target
    if "Ministry of" in text:
        for m in lex.ministry_re.finditer(text):
            name = f"{m.group(2)} of {m.group(1)}"  # "Ecuador's Ministry of X" -> "Ministry of X of Ecuador"
            found.append(ActorMention(m.start(1), m.end(2), name, "government_body"))

    # People by title ("President Daniel Noboa", "Gen. Laura Richardson").
    for i in compress(range(len(tokens.words)), map(lex.titles.__contains__, tokens.words)):
        word = tokens.words[i]
        end = tokens.ends[i]
        if folded.startswith(".", end) and len(word) > 4:
            continue  # a title word ending a sentence ("... met the president. Guayaquil ...")
        m = lex.name_re.match(text, end + folded.startswith(".", end))
        if m:
            span = _strip_name(lex, text, m.start(1), m.end(1))
            if span:
                found.append(ActorMention(span[0], span[1], text[span[0]:span[1]], "person"))
    # People by appositive role, the role after the name ("Rafael Leonardo, acting Assistant Secretary ...")
    # or before it ("The director of the prison, Juan Carlos Mendoza, was ..."): at each comma.
    # (the role words' indices, found once: most commas have none near them, and an article without a
    # role word skips the loop)
    roles = list(compress(range(len(tokens.words)), map(lex.roles.__contains__, tokens.words)))
    for comma in _commas_near(folded, tokens.starts, roles, _ROLE_REACH):
        after = tokens.span(comma, comma + 80)
        if _any_between(roles, after.start, after.start + _ROLE_REACH):
            m = lex.appositive_re.search(text, max(0, comma - 80), comma)
            if m:
                _add_person(found, lex, text, m.start(1), m.end(1))
        before = tokens.span(max(0, comma - 80), comma)
        if _any_between(roles, max(before.start, before.stop - _ROLE_REACH), before.stop):
            m = lex.between_commas_re.match(text, comma + 2)
            if m:
                _add_person(found, lex, text, m.start(1), m.end(1))

    return _resolve(text, tokens, _dedupe(found), canon, lex)


_ROLE_REACH = 6  # a role word this many words or fewer from a comma makes the comma an appositive's


def _commas_near(folded: str, starts: list[int], roles: list[int], reach: int) -> list[int]:
    """The offsets of ", " with a role word within ``reach`` words on either side, in order: the only
    commas whose appositive is looked for (most commas of an article are far from any role word)."""
    # A comma with k words starting before it is within reach of role word r when r - reach < k <= r
    # + reach, i.e. when it lies in (starts[r - reach], starts[r + reach]]; the windows are merged.
    out: list[int] = []
    last = -1
    for r in roles:
        lo = max(last, starts[r - reach] if r >= reach else 0)
        hi = starts[r + reach] if r + reach < len(starts) else len(folded)
        comma = folded.find(", ", lo, hi + 2)
        while comma >= 0:
            out.append(comma)
            comma = folded.find(", ", comma + 1, hi + 2)
        last = max(last, hi + 1)
    return out


def _any_between(indices: list[int], lo: int, hi: int) -> bool:
    """Some of the sorted ``indices`` lies in ``[lo, hi)``."""
    k = bisect_left(indices, lo)
    return k < len(indices) and indices[k] < hi


def _add_person(found: list[ActorMention], lex: Lexicon, text: str, start: int, end: int) -> None:
    """Add a person named by pattern, if a full name (two words or more) is left once trimmed."""
    span = _strip_name(lex, text, start, end)
    if span and len(text[span[0]:span[1]].split()) >= 2:
        found.append(ActorMention(span[0], span[1], text[span[0]:span[1]], "person"))


def _canonical_at(found: list[ActorMention], span: tuple[int, int]) -> str | None:
    for a in found:
        if a.start < span[1] and span[0] < a.end:
            return a.name
    return None


def _dedupe(found: list[ActorMention]) -> list[ActorMention]:
    """Keep the longest of overlapping mentions; lexicon names win over raw pattern names."""
    ordered = sorted(found, key=lambda a: (-(a.end - a.start), a.start))
    if any(a.end <= a.start for a in found):  # (never: every pattern matches text) the plain way
        out: list[ActorMention] = []
        for a in ordered:
            if all(a.end <= b.start or b.end <= a.start for b in out):
                out.append(a)
        return sorted(out, key=lambda a: a.start)
    # The kept mentions are disjoint and not empty, so sorted by start they are sorted by end too: the
    # one that starts last before a mention ends is the only one that may overlap it.
    kept: list[ActorMention] = []
    starts: list[int] = []
    for a in ordered:
        k = bisect_left(starts, a.end)
        if k and kept[k - 1].end > a.start:
            continue
        kept.insert(k, a)
        starts.insert(k, a.start)
    return kept


def _resolve(text: str, tokens: Tokens, found: list[ActorMention], canon: dict[str, str],
             lex: Lexicon) -> list[ActorMention]:
    """Map every mention to one canonical name and add surname-only mentions of known people."""
    # Full names of people in this article, keyed by their surnames.
    people = {a.name for a in found if a.kind == "person" and len(a.name.split()) >= 2}
    surname: dict[str, set[str]] = {}
    for name in people:
        canonical = _lexicon_person(fold(name), lex) or name
        for token in fold(name).split()[1:]:
            if token not in lex.not_names and token[:1].isupper():
                surname.setdefault(token, set()).add(canonical)
    for key, name in canon.items():
        surname.setdefault(key, set()).add(name)

    def canonical(a: ActorMention) -> str:
        key = fold(a.name)
        if key in canon:
            return canon[key]
        if a.kind == "person":
            lexical = _lexicon_person(key, lex)
            if lexical:
                return lexical
            if len(key.split()) == 1:
                options = surname.get(key) or lex.surnames.get(key) or set()
                if len(options) == 1:
                    return next(iter(options))
        return a.name

    names = [canonical(a) for a in found]
    out = [ActorMention(a.start, a.end, name, lex.kinds.get(name, a.kind))
           for a, name in zip(found, names, strict=True)]
    kinds = {a.name: a.kind for a in out}
    if not surname:
        return out
    taken = [(a.start, a.end) for a in out]
    folded = tokens.text
    # The words that may be a surname, found lower-case; each then read as written.
    lowered = {k.lower() for k in surname}
    words = tokens.words
    distinct = set(words)
    maybe = distinct & lowered
    maybe.update(filter(_ENDS_POSSESSIVE, distinct))  # (filter: no Python loop over the words)
    for i in compress(range(len(words)), map(maybe.__contains__, words)):
        start, end = tokens.starts[i], tokens.ends[i]
        token = folded[start:end]
        if token not in surname and not token.endswith("'s"):
            continue
        if token.endswith("'s"):
            token, end = token[:-2], end - 2
        names = surname.get(token)
        if not names or len(names) != 1:
            continue
        if any(a < end and start < b for a, b in taken):
            continue
        if folded.startswith(" administration", end):  # "the Biden administration" is not Biden
            continue
        name = next(iter(names))
        out.append(ActorMention(start, end, name, kinds.get(name, "person")))
    return sorted(out, key=lambda a: a.start)


def _lexicon_person(folded_name: str, lex: Lexicon) -> str | None:
    """The lexicon person whose alias is exactly ``folded_name``, if any."""
    first = folded_name.split()[0] if folded_name.split() else ""
    for pattern, name in lex.aliases.get(first, ()):
        m = pattern.fullmatch(folded_name)
        if m and lex.kinds[name] == "person":
            return name
    return None
