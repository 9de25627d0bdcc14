"""Claims: the statistics that measure the same quantity, grouped across sources.

Two statistics measure the same thing when they agree on metric, unit, country, finer place (compared
without case or accents) and period (the same interval after resolution: "last year" in a 2025 article
and "2024" are one period); a change (``is_change``) only groups with changes over the same baseline.
Every dated statistic with a country belongs to exactly one claim, also when no other source states it
(``n_sources`` = 1): the table is then one row per quantity the articles state. A statistic of a metric
that names no single quantity (``other``, see ``schemas/tolerance.yaml``) or a change with no resolved
baseline is a claim of its own.

Each statistic allows an interval of values (its qualifier, written bounds, and the rounding of the
number as written; tolerances in ``schemas/tolerance.yaml``); a claim is a ``conflict`` when two of its
sources allow intervals that do not overlap. The step is pure: same statistics in, same rows out.
"""

from __future__ import annotations

import math
import re
import statistics as pystats
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pyarrow
import yaml

import pipeline.tables
from pipeline.ids import make_id
from pipeline.tables import to_arrow
from pipeline.text.numbers import parse_numeral

CLAIM_TABLES = ("claims", "claim_statistics")
SPREAD_DECIMALS = 4  # spread is a ratio for people to read: 4 decimals are plenty
_NUMERAL = re.compile(r"\d[\d.,\u00a0\u202f]*\d|\d")


@cache
def tolerance() -> dict[str, Any]:
    """The rules of ``schemas/tolerance.yaml``."""
    path = pipeline.tables.SCHEMA_DIR / "tolerance.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def relative_tolerance(qualifier: str, unit: str) -> float:
    """The relative half-width a ``qualifier`` ("approximate", "exact") allows in ``unit`` (0 when none)."""
    table = tolerance()["relative"].get(qualifier, {})
    return float(table.get(unit, table.get("default", 0.0)))


def rounding(value: float, value_text: str | None) -> float:
    """Half the step of the last digit written: "38.76" -> 0.005; "$1.2 million" -> 50,000; "7,000" -> 0.5.

    The scale between the number as written and ``value`` (a "million", kilograms to tonnes, weeks to days)
    scales the step too. A number written in words ("a dozen") is exact: 0.
    """
    found = _NUMERAL.search(value_text or "")
    written = parse_numeral(found.group()) if found else None
    if written is None:
        return 0.0
    digits = int(re.sub(r"\D", "", found.group()))
    decimals = round(math.log10(digits / written)) if written and digits else 0
    scale = abs(value / written) if written else 1.0
    return 0.5 * 10.0 ** -max(decimals, 0) * scale


@dataclass(frozen=True)
class Interval:
    """The values a statistic allows: ``low``..``high``, each end open or closed."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        """Some value lies in both."""
        # The higher lower bound and the lower upper bound; at the same value an open end is the tighter.
        low, low_open = max((self.low, self.low_open), (other.low, other.low_open))
        high, closed = min((self.high, not self.high_open), (other.high, not other.high_open))
        return _meets(low, low_open, high, not closed)


def _meets(low: float, low_open: bool, high: float, high_open: bool) -> bool:
    return low < high or (low == high and not low_open and not high_open)


def interval(row: dict[str, Any]) -> Interval:
    """The values a statistics row allows, from its qualifier, bounds, unit and the number as written."""
    value, unit, qualifier = float(row["value"]), row["unit"], row["qualifier"]
    low, high = row.get("value_low"), row.get("value_high")
    step = rounding(value, row.get("value_text"))
    inf = math.inf
    if qualifier == "more_than":
        return Interval(low if low is not None else value, inf, low_open=True)
    if qualifier == "at_least":
        return Interval(low if low is not None else value, inf)
    if qualifier == "less_than":
        return Interval(-inf, high if high is not None else value, high_open=True)
    if qualifier == "at_most":
        return Interval(-inf, high if high is not None else value)
    # A rounded figure allows [v - h, v + h): "46.2" and "46.3" meet at 46.25, which rounds to one of them
    # only. Bounds are kept to 12 significant digits so that float noise does not make them overlap.
    if qualifier == "range":
        lo = low if low is not None else value
        return Interval(_clean(lo - step), _clean((high if high is not None else lo) + step), high_open=step > 0)
    half = max(step, relative_tolerance(qualifier, unit) * abs(value))
    return Interval(low if low is not None else _clean(value - half),
                    high if high is not None else _clean(value + half), high_open=high is None and half > 0)


def _clean(x: float) -> float:
    return float(f"{x:.12g}")


def conflicting(rows: list[dict[str, Any]]) -> bool:
    """Two rows of different sources allow intervals that do not overlap.

    Per source only its tightest bounds matter (its highest lower bound, its lowest upper bound); a
    source is compared with the tightest upper bound of any *other* source, so it runs in linear time.
    """
    lows: dict[str, tuple[float, bool]] = {}
    highs: dict[str, tuple[float, bool]] = {}  # (value, closed): min() picks the lowest, open before closed
    for r in rows:
        iv, sid = interval(r), r["source_id"]
        lows[sid] = max(lows.get(sid, (-math.inf, False)), (iv.low, iv.low_open))
        highs[sid] = min(highs.get(sid, (math.inf, True)), (iv.high, not iv.high_open))
    if len(lows) < 2:
        return False
    best = sorted((h, sid) for sid, h in highs.items())[:2]  # the two tightest upper bounds
    for sid, (low, low_open) in lows.items():
        (high, closed), _ = best[0] if best[0][1] != sid else best[1]
        if not _meets(low, low_open, high, not closed):
            return True
    return False


def place_key(place: str | None) -> str:
    """A finer place compared without case, accents or extra spaces ("" for none)."""
    if not place:
        return ""
    return _place_key(place)


@lru_cache(maxsize=1 << 16)  # names recur across thousands of rows (actors, places, facilities)
def _place_key(place: str) -> str:
    folded = unicodedata.normalize("NFKD", place.casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def claim_key(row: dict[str, Any]) -> tuple[str, ...] | None:
    """What a statistic measures, as the grouping key of its claim; ``None`` when it is not grouped
    (no resolved period or no country). A statistic that cannot be compared with others (an ungrouped
    metric, a change without a baseline) gets a key of its own."""
    if row.get("period_start") is None or row.get("period_end") is None or not row.get("country_code"):
        return None
    alone = row["metric"] in tolerance().get("ungrouped_metrics", []) or (
        row["is_change"] and (row.get("baseline_start") is None or row.get("baseline_end") is None))
    return (row["metric"], row["unit"], row["country_code"], place_key(row.get("place")),
            row["period_start"].isoformat(), row["period_end"].isoformat(), "change" if row["is_change"] else "level",
            _iso(row.get("baseline_start")), _iso(row.get("baseline_end")), row["statistic_id"] if alone else "")


def _iso(d: Any) -> str:
    return d.isoformat() if d is not None else ""


def claim_row(claim_id: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    """The claims row of a group of statistics."""
    first = members[0]
    values = sorted(float(r["value"]) for r in members)
    low, high, median = values[0], values[-1], float(pystats.median(values))
    if low == high:
        spread: float | None = 0.0
    else:
        spread = round((high - low) / abs(median), SPREAD_DECIMALS) if median else None
    places = Counter(r["place"] for r in members if r.get("place"))
    place = min(places, key=lambda p: (-places[p], p)) if places else None  # the most written form
    return {"claim_id": claim_id, "metric": first["metric"], "unit": first["unit"], "is_change": first["is_change"],
            "country_code": first["country_code"], "place": place, "period_start": first["period_start"],
            "period_end": first["period_end"], "baseline_start": first.get("baseline_start"),
            "baseline_end": first.get("baseline_end"), "n_sources": len({r["source_id"] for r in members}),
            "n_statistics": len(members), "value_min": low, "value_max": high, "value_median": median,
            "spread": spread, "conflict": conflicting(members)}


def group_claims(statistics: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Claims rows and claim_statistics rows of the statistics rows (in any order)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(statistics, key=lambda r: r["statistic_id"]):
        key = claim_key(row)
        if key is not None:
            groups[make_id("cl", *key)].append(row)
    claims = [claim_row(cid, members) for cid, members in groups.items()]
    links = [{"claim_id": cid, "statistic_id": r["statistic_id"]} for cid, members in groups.items() for r in members]
    return claims, links


def claims_step(tables: dict[str, pyarrow.Table]) -> dict[str, pyarrow.Table]:
    """The derive step (pipeline.derive): ``claims`` and ``claim_statistics`` from ``statistics``."""
    claims, links = group_claims(tables["statistics"].to_pylist())
    return {"claims": to_arrow("claims", claims), "claim_statistics": to_arrow("claim_statistics", links)}
