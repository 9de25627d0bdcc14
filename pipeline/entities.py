"""Entities and mentions: the people, groups, bodies and places the rows name, across articles.

A mention is a span of an article that names an entity inside the quote of a statistic or an event,
so each one is provable like the row it belongs to: ``text[char_start:char_end] == quote``. The spans
are found by the same readers extraction uses (the actors lexicon and patterns, the gazetteer), run on
the row's quote; a short name ("Noboa", a surname alone) resolves to the one full name the row's own
actors give. An entity is one canonical name: aliases and spellings ("Fito", "José Adolfo Macías
Villamar") join through the lexicons, and every actor an event names has an entity, so
``events.actors`` joins ``entities.name``. Kinds, countries and Wikidata ids come from the lexicon
data (``schemas/lexicon/``), never from a lookup.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pyarrow
import pycountry
import yaml

import pipeline.tables
from pipeline.ids import make_id
from pipeline.tables import to_arrow
from pipeline.text.actors import ActorMention, actors_data, find_actors
from pipeline.text.cues import fold
from pipeline.text.places import PlaceMention, find_places

ACTOR = "actor"  # the namespace of actor ids: an actor is one canonical name, whatever its kind
PLACE_KINDS = frozenset({"country", "admin1", "city", "facility", "region"})  # the gazetteer's kinds
QUOTE_MARKS = "\"'“”‘’«»"
ROW_TABLES = (("statistics", "statistic_id"), ("events", "event_id"))


@dataclass(frozen=True)
class Known:
    """What the lexicons say about an entity."""

    kind: str
    country_code: str | None
    wikidata: str | None
    aliases: tuple[str, ...]


def _lexicon(name: str) -> dict[str, Any]:
    path = pipeline.tables.SCHEMA_DIR / "lexicon" / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def known_actors() -> dict[str, Known]:
    """Canonical actor name -> kind, country, Wikidata id and aliases (``schemas/lexicon/actors.yaml``)."""
    return {a["name"]: Known(a["kind"], a.get("country"), a.get("wikidata"), tuple(a.get("aliases") or ()))
            for a in actors_data()["actors"]}


@cache
def _places() -> dict[str, Any]:
    return _lexicon("places")


def facility_name(name: str) -> str:
    """The name the entities table gives a facility written in several ways (``facility_variants``)."""
    return (_places().get("facility_variants") or {}).get(name, name)


def country_name(code: str) -> str:
    """The common name of a country from its ISO alpha-3 code, as the gazetteer names it."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def place_aliases(kind: str, name: str, code: str | None) -> tuple[str, ...]:
    """The other names the gazetteer knows for a place."""
    data = _places()
    if kind == "country" and code:
        return tuple(data["country_aliases"].get(code, ()))
    if kind == "facility":
        return tuple(v for v, canonical in (data.get("facility_variants") or {}).items() if canonical == name)
    return ()


@dataclass(frozen=True)
class Mention:
    """A span of a row's quote naming an entity (offsets within the quote)."""

    start: int
    end: int
    key: tuple[str, str, str]  # (namespace: actor or the place kind, canonical name, country code or "")
    kind: str
    demonym: bool = False


def _resolve_person(name: str, actors: list[str]) -> str:
    """A name the lexicon does not know, as the one fuller name among the row's actors that holds it."""
    words = fold(name).lower().split()
    fuller = [a for a in actors if a != name and all(w in fold(a).lower().split() for w in words)]
    return fuller[0] if len(fuller) == 1 else name


Found = tuple[tuple[ActorMention, ...], tuple[PlaceMention, ...]]


def _found(quote: str) -> Found:
    return tuple(find_actors(quote)), tuple(find_places(quote))


def quote_mentions(quote: str, actors: list[str] | None = None, context: list[str] | None = None,
                   memo: dict[str, Found] | None = None) -> list[Mention]:
    """The entities named in a row's quote, left to right. ``actors``: the row's own (searched for as
    written too); ``context``: every actor the article's events name, to resolve a short name ("Leonardo")
    to the one fuller name that holds it. A place inside an actor's name ("Ministry of Defense of
    Ecuador") is part of that name, not a mention of its own. ``memo`` keeps what a quote names for the
    next row with the same quote."""
    actors = actors or []
    context = sorted({*actors, *(context or [])})
    out: list[Mention] = []
    found = memo.get(quote) if memo is not None else None
    if found is None:
        found = _found(quote)
        if memo is not None:
            memo[quote] = found
    found_actors, found_places = found
    for a in found_actors:
        name = a.name if a.name in known_actors() else _resolve_person(a.name, context)
        out.append(Mention(a.start, a.end, (ACTOR, name, ""), a.kind))
    named = {m.key[1] for m in out}
    folded = fold(quote)
    for name in actors:  # an actor found by pattern in the article may lack its pattern's context here
        if name not in named:
            for found in re.finditer(rf"(?<![\w'’-]){re.escape(fold(name))}(?![\w'’-])", folded):
                kind = known_actors()[name].kind if name in known_actors() else "unknown"
                out.append(Mention(found.start(), found.end(), (ACTOR, name, ""), kind))
    taken = [(m.start, m.end) for m in out]
    for p in found_places:
        if any(p.char_start < end and start < p.char_end for start, end in taken):
            continue
        name = facility_name(p.name) if p.kind == "facility" else p.name
        out.append(Mention(p.char_start, p.char_end, (p.kind, name, p.country_code or ""), p.kind, p.demonym))
    return sorted(out, key=lambda m: (m.start, m.end, m.key))


@lru_cache(maxsize=65536)
def entity_id(key: tuple[str, str, str]) -> str:
    """Deterministic id of an entity from its namespace, canonical name and country."""
    return make_id("en", *key)


def _entity_row(key: tuple[str, str, str], kind: str, surfaces: set[str], n_mentions: int,
                n_sources: int) -> dict[str, Any]:
    namespace, name, code = key
    if namespace == ACTOR:
        known = known_actors().get(name)
        lexicon_aliases = known.aliases if known else ()
        kind = known.kind if known else kind
        country = known.country_code if known else None
        wikidata = known.wikidata if known else None
    else:
        lexicon_aliases = place_aliases(kind, name, code or None)
        country = code or None
        wikidata = (_places().get("wikidata") or {}).get(code) if kind == "country" else None
    # Spellings that differ only in case or accents ("Litoral prison", "Penitenciaria del Litoral") are
    # one alias: the lexicon's form, else the first in sort order.
    seen = {fold(name).casefold()}
    aliases = []
    for alias in [*sorted(lexicon_aliases), *sorted(surfaces)]:
        if fold(alias).casefold() not in seen:
            seen.add(fold(alias).casefold())
            aliases.append(alias)
    aliases.sort()
    return {"entity_id": entity_id(key), "name": name, "kind": kind, "aliases": aliases, "country_code": country,
            "wikidata": wikidata, "n_mentions": n_mentions, "n_sources": n_sources}


def entities_and_mentions(statistics: list[dict[str, Any]],
                          events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``entities`` and ``mentions`` rows of the screened statistics and events."""
    mentions: list[dict[str, Any]] = []
    kinds: dict[tuple[str, str, str], str] = {}
    surfaces: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    in_article: dict[str, set[str]] = defaultdict(set)
    for row in events:
        in_article[row["source_id"]].update(row.get("actors") or [])
    # A sentence often carries a statistic and an event, or several: read each quote that recurs once.
    recurring = Counter(row["quote"] for rows in (statistics, events) for row in rows)
    memo: dict[str, Found] = {}
    for table, key_column in ROW_TABLES:
        for row in statistics if table == "statistics" else events:
            actors = list(row.get("actors") or [])
            for name in actors:  # every actor an event names has an entity, mentioned in its quote or not
                kinds.setdefault((ACTOR, name, ""), known_actors()[name].kind if name in known_actors()
                                 else "unknown")
            for m in quote_mentions(row["quote"], actors, sorted(in_article[row["source_id"]]),
                                    memo if recurring[row["quote"]] > 1 else None):
                surface = row["quote"][m.start:m.end]
                trimmed = surface.strip(QUOTE_MARKS)  # a name's span may take in the quote mark that closes it
                if not trimmed:
                    continue
                m = Mention(m.start + surface.index(trimmed), m.start + surface.index(trimmed) + len(trimmed),
                            m.key, m.kind, m.demonym)
                surface = trimmed
                if kinds.get(m.key) in (None, "unknown"):
                    kinds[m.key] = m.kind
                if not m.demonym:  # "Ecuadorian" names Ecuador but is no other name of it
                    surfaces[m.key].add(surface)
                start, end = row["char_start"] + m.start, row["char_start"] + m.end
                mentions.append({
                    "mention_id": make_id("mn", row["source_id"], start, end, entity_id(m.key), row[key_column]),
                    "entity_id": entity_id(m.key), "source_id": row["source_id"],
                    "statistic_id": row[key_column] if table == "statistics" else None,
                    "event_id": row[key_column] if table == "events" else None,
                    "char_start": start, "char_end": end, "quote": surface})
    counts: dict[str, int] = defaultdict(int)
    sources: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        counts[m["entity_id"]] += 1
        sources[m["entity_id"]].add(m["source_id"])
    entities = [_entity_row(key, kind, surfaces[key], counts[entity_id(key)], len(sources[entity_id(key)]))
                for key, kind in kinds.items()]
    return entities, mentions


def entities_step(tables: dict[str, pyarrow.Table]) -> dict[str, pyarrow.Table]:
    """The derive step (pipeline.derive): ``entities`` and ``mentions``."""
    statistics = tables["statistics"].to_pylist() if "statistics" in tables else []
    events = tables["events"].to_pylist() if "events" in tables else []
    entities, mentions = entities_and_mentions(statistics, events)
    return {"entities": to_arrow("entities", entities), "mentions": to_arrow("mentions", mentions)}
