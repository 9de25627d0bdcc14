"""Event clusters: events of different articles that report the same real event.

Two events are linked when they agree on event type and place and, if both are dated precisely
enough, their dates overlap and they share an identifying actor or facility; undated events are linked
only on strong evidence (the same named person or the same facility). Linked events form clusters by
union-find. Every event is in exactly one cluster (a singleton when nothing links it). Rules and word
lists are in ``schemas/clustering.yaml``. The step is pure and independent of input order: events are
sorted by id, pairs are taken in sorted order, and a cluster's id is derived from its sorted member ids.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

import pyarrow
import yaml

import pipeline.tables
from pipeline.claims import place_key
from pipeline.ids import make_id
from pipeline.tables import to_arrow
from pipeline.text.actors import actors_data

# Narrower dates first: the best date of a cluster is that of its most precise member.
_PRECISION_RANK = {"day": 0, "weekend": 1, "range": 2, "month": 3, "year": 4, "decade": 5, "unknown": 6}


@cache
def rules() -> dict[str, Any]:
    """The rules of ``schemas/clustering.yaml``."""
    return yaml.safe_load((pipeline.tables.SCHEMA_DIR / "clustering.yaml").read_text(encoding="utf-8"))


@cache
def actor_kinds() -> dict[str, str]:
    """Canonical actor name (folded) -> kind, from ``schemas/lexicon/actors.yaml``."""
    return {place_key(a["name"]): str(a.get("kind", "unknown")) for a in actors_data().get("actors", [])}


def actor_kind(name: str) -> str:
    """The lexicon kind of an actor; ``unknown`` for one found by pattern (a person the lexicon lacks)."""
    return actor_kinds().get(place_key(name), "unknown")


def is_facility(place: str | None) -> bool:
    """The place names a facility (a prison, a studio, a building), not a town or a province."""
    return bool(place) and _is_facility(place_key(place))


@cache
def _facility_words() -> frozenset[str]:
    return frozenset(place_key(w) for w in rules()["facility_words"])


@lru_cache(maxsize=1 << 16)  # a build asks of the same few thousand places millions of times
def _is_facility(key: str) -> bool:
    return not _facility_words().isdisjoint(key.replace(",", " ").split())


def is_dated(row: dict[str, Any]) -> bool:
    """The event has an interval precise enough to compare (``dated_precisions``)."""
    return (row.get("date_start") is not None and row.get("date_end") is not None
            and row.get("date_precision") in rules()["dated_precisions"])


def dates_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The two intervals, each at its own precision and widened by ``max_gap_days``, share a day."""
    gap = dt.timedelta(days=int(rules()["max_gap_days"]))
    return a["date_start"] <= b["date_end"] + gap and b["date_start"] <= a["date_end"] + gap


def places_compatible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same country (or one unknown), same province (or one unknown), and finer places that are equal,
    one unspecified, or one written inside the other ("Guayaquil" and "Litoral prison, Guayaquil")."""
    for col in ("country_code", "admin1"):
        if a.get(col) and b.get(col) and place_key(a[col]) != place_key(b[col]):
            return False
    pa, pb = place_key(a.get("place")), place_key(b.get("place"))
    if not pa or not pb or pa == pb:
        return True
    # Two different facilities are two places even in one city: "X prison" vs "Y prison".
    if is_facility(pa) and is_facility(pb):
        return False
    return pa in pb or pb in pa


@cache
def _facility_classes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(r"(?<!\w)(?:" + "|".join(re.escape(place_key(p)) for p in sorted(
        phrases, key=len, reverse=True)) + r")(?!\w)")) for name, phrases in sorted(
        (rules().get("distinctive_facilities") or {}).items()))


def facility_classes(row: dict[str, Any]) -> frozenset[str]:
    """The classes of ``distinctive_facilities`` the event's quote names ("a TV studio": tv_studio)."""
    return _quote_facility_classes(row.get("quote") or "")


@lru_cache(maxsize=1 << 12)  # asked again for each pair an event is in
def _quote_facility_classes(quote: str) -> frozenset[str]:
    key = place_key(quote)
    return frozenset(name for name, pattern in _facility_classes() if pattern.search(key))


def shared_facility(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Both events name the same facility, or facilities of one distinctive class (a TV studio)."""
    pa = place_key(a.get("place"))
    if pa and pa == place_key(b.get("place")) and is_facility(pa):
        return True
    return bool(facility_classes(a) & facility_classes(b))


def shared_actors(a: dict[str, Any], b: dict[str, Any], kinds: list[str]) -> bool:
    """The events share an actor of one of ``kinds``."""
    common = {place_key(x) for x in a.get("actors") or []} & {place_key(x) for x in b.get("actors") or []}
    names = {place_key(x): x for x in (a.get("actors") or [])}
    return any(actor_kind(names[c]) in kinds for c in common)


def narrowly_dated(row: dict[str, Any]) -> bool:
    """Dated to a day, a weekend or a short range: precise enough for a shared group to tell the event."""
    r = rules()
    if row.get("date_precision") in r.get("group_precisions", []):
        return True
    return (row.get("date_precision") == "range" and row.get("date_start") is not None
            and row.get("date_end") is not None
            and (row["date_end"] - row["date_start"]).days < int(r.get("group_range_days", 0)))


def linked(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The two events (of different articles) report the same real event."""
    if a["source_id"] == b["source_id"] or a["event_type"] != b["event_type"] or not places_compatible(a, b):
        return False
    r = rules()
    if is_dated(a) and is_dated(b):
        kinds = r["evidence_kinds"] if narrowly_dated(a) and narrowly_dated(b) else r["strong_kinds"]
        return dates_overlap(a, b) and (shared_actors(a, b, kinds) or shared_facility(a, b))
    # Only an event with a victim or a facility (a killing, a prison riot) is identified by a name alone:
    # a president declares many states of emergency.
    return a["event_type"] in r["strong_types"] and (shared_actors(a, b, r["strong_kinds"]) or shared_facility(a, b))


def _span(row: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The interval an event's date allows, at any precision (``None`` when undated)."""
    if row.get("date_start") is None or row.get("date_end") is None:
        return None
    return row["date_start"], row["date_end"]


def _meet(a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date] | None:
    """The common part of two intervals (``None`` standing for no constraint; intervals up to
    ``max_gap_days`` apart meet in the days between them); raises ValueError when they do not meet."""
    if a is None or b is None:
        return a or b
    low, high = max(a[0], b[0]), min(a[1], b[1])
    if low > high + dt.timedelta(days=int(rules()["max_gap_days"])):
        raise ValueError("disjoint")
    return min(low, high), max(low, high)


def _candidate_pairs(rows: list[dict[str, Any]]) -> Iterator[tuple[int, int]]:
    """The pairs (i < j, in sorted order) that ``linked`` may accept, and no others it would refuse for want
    of a key or a date: every link needs one event type and a shared evidence actor or facility, so events
    are blocked on those keys; inside a block, two dated events are paired only when their dates overlap (a
    sweep in order of start: a name in thousands of reports is not a quadratic pass), and an undated
    event only where its type and the key can identify it (a victim, a facility)."""
    r = rules()
    kinds, strong_kinds = set(r["evidence_kinds"]) | set(r["strong_kinds"]), set(r["strong_kinds"])
    strong_types = set(r["strong_types"])
    gap = dt.timedelta(days=int(r["max_gap_days"]))
    blocks: dict[tuple[str, str], list[int]] = {}
    strong_keys: set[str] = set()
    dated = [is_dated(row) for row in rows]
    for i, row in enumerate(rows):
        keys = set()
        for a in row.get("actors") or []:
            kind = actor_kind(a)
            if kind in kinds:
                keys.add(place_key(a))
                if kind in strong_kinds:
                    strong_keys.add(place_key(a))
        if is_facility(row.get("place")):
            keys.add("@" + place_key(row.get("place")))
        keys |= {"#" + name for name in facility_classes(row)}
        for key in keys:
            blocks.setdefault((row["event_type"], key), []).append(i)
    # The later events each event may pair with, gathered per event rather than as a set of pair tuples
    # (millions of them in a large corpus), then read in order.
    later: list[list[int]] = [[] for _ in rows]
    for (event_type, key), idx in blocks.items():
        strong = key in strong_keys or key[0] in "@#"
        # (a group's key joins only narrowly dated reports)
        swept = sorted((rows[i]["date_start"], i) for i in idx if dated[i] and (strong or narrowly_dated(rows[i])))
        open_: list[tuple[dt.date, int]] = []  # (end, index) of the dated events a later start may still meet
        for start, i in swept:
            open_ = [(end, j) for end, j in open_ if end + gap >= start]
            for _, j in open_:
                later[min(i, j)].append(max(i, j))
            open_.append((rows[i]["date_end"], i))
        if event_type in strong_types and strong:
            for i in idx:
                if not dated[i]:
                    for j in idx:
                        if i != j:
                            later[min(i, j)].append(max(i, j))
    for i, js in enumerate(later):
        for j in sorted(set(js)):
            yield i, j


def cluster_events(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Cluster id -> member events (sorted by id); every event is in exactly one cluster."""
    rows = sorted(events, key=lambda r: r["event_id"])
    parent = list(range(len(rows)))
    sources = [{r["source_id"]} for r in rows]
    # The days all dated members of a cluster allow: a link through an undated event must not join
    # a report of 2021 with one of 2024.
    spans = [_span(r) for r in rows]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _candidate_pairs(rows):
        ri, rj = find(i), find(j)
        # Never join clusters that would then hold two events of one article.
        if ri == rj or not sources[ri].isdisjoint(sources[rj]) or not linked(rows[i], rows[j]):
            continue
        try:
            span = _meet(spans[ri], spans[rj])
        except ValueError:
            continue
        low, high = min(ri, rj), max(ri, rj)
        parent[high] = low
        sources[low] |= sources[high]
        spans[low] = span
    groups: dict[int, list[dict[str, Any]]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(find(i), []).append(r)
    return {make_id("ec", *(m["event_id"] for m in members)): members for members in groups.values()}


def _most_common(values: list[Any]) -> Any:
    counts = Counter(v for v in values if v)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def cluster_row(cluster_id: str, members: list[dict[str, Any]],
                published: dict[str, dt.date | None]) -> dict[str, Any]:
    """The event_clusters row of a cluster's member events; ``published``: source id -> publication date."""
    dated = [m for m in members if m.get("date_start") is not None and m.get("date_end") is not None]
    best = min(dated, key=lambda m: (_PRECISION_RANK.get(m["date_precision"], 9),
                                     m["date_end"] - m["date_start"], m["event_id"])) if dated else None
    reports = sorted((published.get(m["source_id"]) or dt.date.max, m["source_id"]) for m in members)
    first_date, first_source = reports[0]
    return {"cluster_id": cluster_id, "event_type": members[0]["event_type"],
            "date_start": best["date_start"] if best else None, "date_end": best["date_end"] if best else None,
            "date_precision": best["date_precision"] if best else "unknown",
            "place": _most_common([m.get("place") for m in members]),
            "country_code": _most_common([m.get("country_code") for m in members]),
            "actors": sorted({a for m in members for a in m.get("actors") or []}),
            "n_sources": len({m["source_id"] for m in members}), "n_events": len(members),
            "first_reported": None if first_date == dt.date.max else first_date, "first_source_id": first_source}


def clusters_step(tables: dict[str, pyarrow.Table]) -> dict[str, pyarrow.Table]:
    """The derive step (pipeline.derive): ``event_clusters``, and ``events`` with its ``cluster_id``."""
    if "events" not in tables:  # nothing to cluster (a derivation of the statistics alone)
        return {}
    events = tables["events"].to_pylist()
    sources = tables["sources"].to_pylist() if "sources" in tables else []
    published = {s["source_id"]: s.get("published_date") for s in sources}
    groups = cluster_events(events)
    of_event = {m["event_id"]: cid for cid, members in groups.items() for m in members}
    for e in events:
        e["cluster_id"] = of_event[e["event_id"]]
    rows = [cluster_row(cid, members, published) for cid, members in groups.items()]
    return {"events": to_arrow("events", events), "event_clusters": to_arrow("event_clusters", rows)}
