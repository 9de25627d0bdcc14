"""Claims: statistics of the same quantity grouped across sources, their tolerance and conflict flag."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, statistic_row
from pipeline.card import README_END, README_START, conflict_tables, conflicts, disagreements, refresh_readme
from pipeline.claims import claims_step, group_claims, interval, rounding
from pipeline.derive import derive_tables
from pipeline.diff import diff_table, open_package
from pipeline.expectations import run_expectations
from pipeline.quality import load_texts
from pipeline.tables import TABLES, to_arrow, validate_table

Y2023 = dict(period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31), period_text="2023")


def stat(sid: str, source: str, **over: Any) -> dict[str, Any]:
    """A statistics row with its id and source (a figure of 2024 in Ecuador unless ``over`` says otherwise)."""
    return statistic_row(statistic_id=sid, source_id=source, **over)


def claims_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each claim with the ids of its statistics under ``members`` (sorted)."""
    claims, links = group_claims(rows)
    for c in claims:
        c["members"] = sorted(link["statistic_id"] for link in links if link["claim_id"] == c["claim_id"])
    return sorted(claims, key=lambda c: c["members"])


def conflict(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The conflict flag of two figures of one quantity from two sources (asserting they form one claim)."""
    [claim] = claims_of([stat("st_a", "s1", **a), stat("st_b", "s2", **b)])
    return claim["conflict"]


# ---------------------------------------------------------------- grouping


def test_the_same_quantity_from_two_sources_is_one_claim_whatever_words_gave_its_period() -> None:
    rows = [stat("st_a", "s1", metric="homicide_rate", unit="per_100k", value=38.76, value_text="38.76",
                 period_text="last year"),
            stat("st_b", "s2", metric="homicide_rate", unit="per_100k", value=36.18, value_text="36.18",
                 period_text="2024")]
    [claim] = claims_of(rows)
    assert claim["members"] == ["st_a", "st_b"]
    assert (claim["n_sources"], claim["n_statistics"]) == (2, 2)
    assert (claim["value_min"], claim["value_max"], claim["value_median"]) == (36.18, 38.76, pytest.approx(37.47))
    assert claim["spread"] == pytest.approx((38.76 - 36.18) / 37.47, abs=1e-4)
    assert claim["conflict"] is True


def test_rows_of_one_source_count_once_and_never_conflict_with_each_other() -> None:
    rows = [stat("st_a", "s1", value=10.0, value_text="10"), stat("st_b", "s1", value=500.0, value_text="500")]
    [claim] = claims_of(rows)
    assert (claim["n_sources"], claim["n_statistics"], claim["conflict"]) == (1, 2, False)
    rows.append(stat("st_c", "s2", value=10.0, value_text="10"))
    [claim] = claims_of(rows)
    assert (claim["n_sources"], claim["n_statistics"], claim["conflict"]) == (2, 3, True)  # s2's 10 vs s1's 500


def test_a_single_source_quantity_is_a_claim_of_its_own() -> None:
    [claim] = claims_of([stat("st_a", "s1", value=7.0, value_text="7")])
    assert (claim["n_sources"], claim["spread"], claim["conflict"]) == (1, 0.0, False)


def test_places_compare_without_case_or_accents() -> None:
    rows = [stat("st_a", "s1", place="Manabí"), stat("st_b", "s2", place="manabi"), stat("st_c", "s3", place="MANABÍ")]
    [claim] = claims_of(rows)
    assert claim["n_sources"] == 3 and claim["place"] in {"Manabí", "manabi", "MANABÍ"}


@pytest.mark.parametrize("other", [
    dict(place="Guayaquil"),                                                   # a city, not the country
    dict(country_code="COL"),
    dict(**Y2023),                                                             # another year
    dict(period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 1, 31), period_precision="month"),
    dict(metric="arrests"),
    dict(unit="percent", value_text="10"),
], ids=["place", "country", "year", "month-in-the-year", "metric", "unit"])
def test_different_quantities_are_different_claims(other: dict[str, Any]) -> None:
    claims = claims_of([stat("st_a", "s1"), stat("st_b", "s2", **other)])
    assert [c["members"] for c in claims] == [["st_a"], ["st_b"]]


def test_two_different_places_stay_apart() -> None:
    claims = claims_of([stat("st_a", "s1", place="Guayaquil"), stat("st_b", "s2", place="Quito")])
    assert [c["place"] for c in claims] == ["Guayaquil", "Quito"]


CHANGE = dict(is_change=True, unit="percent", value=56.0, value_text="56",
              baseline_start=dt.date(2023, 1, 1), baseline_end=dt.date(2023, 12, 31))


def test_changes_group_only_with_changes_over_the_same_baseline() -> None:
    level = stat("st_level", "s1", unit="percent", value=56.0, value_text="56")
    same = [stat("st_c1", "s2", **CHANGE), stat("st_c2", "s3", **{**CHANGE, "value": 50.0, "value_text": "50"})]
    other_base = stat("st_c3", "s4", **{**CHANGE, "baseline_start": dt.date(2019, 1, 1),
                                        "baseline_end": dt.date(2019, 12, 31)})
    no_base = [stat("st_c4", "s5", **{**CHANGE, "baseline_start": None, "baseline_end": None}),
               stat("st_c5", "s6", **{**CHANGE, "baseline_start": None, "baseline_end": None})]
    claims = claims_of([level, *same, other_base, *no_base])
    assert [c["members"] for c in claims] == [["st_c1", "st_c2"], ["st_c3"], ["st_c4"], ["st_c5"], ["st_level"]]
    [changes] = [c for c in claims if c["n_statistics"] == 2]
    assert changes["is_change"] is True and changes["baseline_start"] == dt.date(2023, 1, 1)
    assert changes["conflict"] is True  # 56% and 50% over the same baseline


def test_undated_or_countryless_statistics_are_in_no_claim_and_other_is_never_grouped() -> None:
    rows = [stat("st_a", "s1", period_start=None, period_end=None, period_precision="unknown"),
            stat("st_b", "s2", country_code=None),
            stat("st_c", "s3", metric="other", unit="other", value_text="10"),
            stat("st_d", "s4", metric="other", unit="other", value_text="10")]
    assert [c["members"] for c in claims_of(rows)] == [["st_c"], ["st_d"]]


def test_claims_are_the_same_whatever_the_order_and_ids_follow_what_is_measured() -> None:
    rows = [stat(f"st_{i}", f"s{i % 3}", value=float(10 + i), value_text=str(10 + i),
                 **(Y2023 if i % 2 else {})) for i in range(8)]
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert group_claims(rows) == group_claims(shuffled)
    ids = {c["claim_id"] for c in group_claims(rows)[0]}
    corrected = [{**r, "value": r["value"] + 1} for r in rows]  # a corrected value keeps the claim's id
    assert {c["claim_id"] for c in group_claims(corrected)[0]} == ids
    assert all(i.startswith("cl_") for i in ids)


# ---------------------------------------------------------------- tolerance


@pytest.mark.parametrize(("text", "value", "half"), [
    ("38.76", 38.76, 0.005),
    ("46.2", 46.2, 0.05),
    ("44,5", 44.5, 0.05),            # Spanish decimal comma
    ("1.270", 1270.0, 0.5),          # a thousands point
    ("7,000", 7000.0, 0.5),          # a written trailing zero counts
    ("$1.2 million", 1.2e6, 5e4),    # the scale word scales the step
    ("250kg", 0.25, 0.0005),         # kilograms to tonnes
    ("a dozen", 12.0, 0.0),          # words: exact
])
def test_rounding_is_half_the_step_of_the_last_digit_written(text: str, value: float, half: float) -> None:
    assert rounding(value, text) == pytest.approx(half)


@pytest.mark.parametrize(("a", "b", "expected"), [
    # qualifiers
    (dict(qualifier="more_than", value=7000.0, value_low=7000.0, value_text="7,000"),
     dict(value=7500.0, value_text="7,500"), False),
    (dict(qualifier="more_than", value=7000.0, value_low=7000.0, value_text="7,000"),
     dict(value=6500.0, value_text="6,500"), True),
    (dict(qualifier="at_least", value=100.0, value_low=100.0, value_text="100"),
     dict(value=100.0, value_text="100"), False),
    (dict(qualifier="at_least", value=100.0, value_low=100.0, value_text="100"),
     dict(value=90.0, value_text="90"), True),
    (dict(qualifier="at_most", value=50.0, value_high=50.0, value_text="50"),     # "up to 50"
     dict(value=45.0, value_text="45"), False),
    (dict(qualifier="at_most", value=50.0, value_high=50.0, value_text="50"),
     dict(value=60.0, value_text="60"), True),
    (dict(qualifier="at_most", value=50.0, value_high=50.0, value_text="50"),     # closed ends meet
     dict(qualifier="at_least", value=50.0, value_low=50.0, value_text="50"), False),
    (dict(qualifier="less_than", value=50.0, value_high=50.0, value_text="50"),   # open ends do not
     dict(qualifier="more_than", value=50.0, value_low=50.0, value_text="50"), True),
    (dict(qualifier="approximate", value=2000.0, value_text="2,000"),             # "about 2,000": 10% for counts
     dict(value=2150.0, value_text="2,150"), False),
    (dict(qualifier="approximate", value=2000.0, value_text="2,000"),
     dict(value=2500.0, value_text="2,500"), True),
    (dict(qualifier="approximate", unit="per_100k", metric="homicide_rate", value=40.0, value_text="40"),
     dict(unit="per_100k", metric="homicide_rate", value=41.5, value_text="41.5"), False),  # 5% for rates
    (dict(qualifier="approximate", unit="per_100k", metric="homicide_rate", value=40.0, value_text="40"),
     dict(unit="per_100k", metric="homicide_rate", value=43.0, value_text="43"), True),
    # written bounds of a range
    (dict(qualifier="range", value=20.0, value_low=20.0, value_high=30.0, value_text="20"),
     dict(value=25.0, value_text="25"), False),
    (dict(qualifier="range", value=20.0, value_low=20.0, value_high=30.0, value_text="20"),
     dict(value=35.0, value_text="35"), True),
    (dict(qualifier="range", value=20.0, value_low=20.0, value_high=30.0, value_text="20"),
     dict(qualifier="range", value=28.0, value_low=28.0, value_high=40.0, value_text="28"), False),
    # the rounding of the stated precision
    (dict(value=46.2, value_text="46.2", unit="per_100k", metric="homicide_rate"),
     dict(value=46.18, value_text="46.18", unit="per_100k", metric="homicide_rate"), False),
    (dict(value=46.2, value_text="46.2", unit="per_100k", metric="homicide_rate"),
     dict(value=46.3, value_text="46.3", unit="per_100k", metric="homicide_rate"), True),
    (dict(value=38.76, value_text="38.76", unit="per_100k", metric="homicide_rate"),
     dict(value=36.18, value_text="36.18", unit="per_100k", metric="homicide_rate"), True),
    (dict(value=1.2e6, value_text="$1.2 million", unit="usd", metric="security_aid"),
     dict(value=1.23e6, value_text="$1,230,000", unit="usd", metric="security_aid"), False),
    (dict(value=1.2e6, value_text="$1.2 million", unit="usd", metric="security_aid"),
     dict(value=1.3e6, value_text="$1.3 million", unit="usd", metric="security_aid"), True),
    (dict(value=8008.0, value_text="8,008"), dict(value=8004.0, value_text="8.004"), True),
])
def test_two_sources_conflict_when_what_they_wrote_cannot_both_hold(a: dict, b: dict, expected: bool) -> None:
    assert conflict(a, b) is expected
    assert conflict(b, a) is expected  # symmetric


def test_an_interval_is_open_where_the_words_are_strict() -> None:
    more = interval(statistic_row(qualifier="more_than", value=10.0, value_low=10.0))
    assert (more.low, more.low_open, more.high) == (10.0, True, float("inf"))
    least = interval(statistic_row(qualifier="at_least", value=10.0, value_low=10.0))
    assert (least.low, least.low_open) == (10.0, False)
    assert not more.overlaps(interval(statistic_row(qualifier="less_than", value=10.0, value_high=10.0)))
    assert least.overlaps(interval(statistic_row(qualifier="at_most", value=10.0, value_high=10.0)))


def test_spread_is_relative_to_the_median_and_null_when_the_median_is_zero() -> None:
    [claim] = claims_of([stat("st_a", "s1", value=90.0, value_text="90"), stat("st_b", "s2", value=100.0),
                         stat("st_c", "s3", value=120.0, value_text="120")])
    assert claim["value_median"] == 100.0 and claim["spread"] == pytest.approx(0.3)
    change = dict(is_change=True, unit="percent", baseline_start=dt.date(2023, 1, 1),
                  baseline_end=dt.date(2023, 12, 31))
    [claim] = claims_of([stat("st_a", "s1", value=-5.0, value_text="5", **change),
                         stat("st_b", "s2", value=0.0, value_text="0", **change),
                         stat("st_c", "s3", value=5.0, value_text="5", **change)])
    assert claim["value_median"] == 0.0 and claim["spread"] is None


# ---------------------------------------------------------------- tables, checks, package


def test_the_step_gives_tables_that_pandera_accepts_and_tampered_rows_that_it_rejects() -> None:
    rows = [stat("st_a", "s1", value=10.0), stat("st_b", "s2", value=20.0, value_text="20")]
    out = derive_tables({"statistics": to_arrow("statistics", rows)})
    assert validate_table("claims", out["claims"]) == []
    assert validate_table("claim_statistics", out["claim_statistics"]) == []
    [claim] = out["claims"].to_pylist()
    for bad, check in ((dict(value_median=30.0), "value_min <= value_median <= value_max"),
                       (dict(value_max=10.0, conflict=True), "conflict only between sources whose values differ"),
                       (dict(n_sources=3), "n_sources <= n_statistics")):
        failures = validate_table("claims", to_arrow("claims", [{**claim, **bad}]))
        assert check in {f.check for f in failures}, (bad, failures)


@pytest.fixture(scope="module")
def seeds(built_package: Path) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table of the seeds' build."""
    return {name: pq.read_table(built_package / "data" / f"{name}.parquet").to_pylist() for name in TABLES}


def test_in_the_seeds_the_2024_homicide_rate_is_one_claim_of_two_sources_in_conflict(seeds) -> None:
    [claim] = [c for c in seeds["claims"]
               if c["metric"] == "homicide_rate" and c["period_start"] == dt.date(2024, 1, 1)]
    assert (claim["n_sources"], claim["conflict"], claim["period_end"]) == (2, True, dt.date(2024, 12, 31))
    members = {link["statistic_id"] for link in seeds["claim_statistics"] if link["claim_id"] == claim["claim_id"]}
    values = sorted(s["value"] for s in seeds["statistics"] if s["statistic_id"] in members)
    assert (claim["value_min"], claim["value_max"]) == (values[0], values[-1]) and values[0] != values[-1]
    # every dated statistic with a country is in exactly one claim
    dated = {s["statistic_id"] for s in seeds["statistics"] if s["period_start"] and s["country_code"]}
    linked = [link["statistic_id"] for link in seeds["claim_statistics"]]
    assert sorted(linked) == sorted(dated)


def _expect(rows: dict[str, list[dict[str, Any]]], texts: dict[str, str | None]) -> set[tuple[str, str | None]]:
    result = run_expectations({name: to_arrow(name, rows[name]) for name in TABLES}, texts)
    return {(f["table"], f["column"]) for f in result.failures if f["severity"] == "critical"}


def test_great_expectations_check_claims_against_their_statistics(built_package: Path, seeds) -> None:
    tables = {name: pq.read_table(built_package / "data" / f"{name}.parquet") for name in TABLES}
    texts, _ = load_texts(built_package, tables, None)
    assert _expect(seeds, texts) == set()
    flipped = {**seeds, "claims": [{**c, "conflict": not c["conflict"]} if c["n_sources"] == 1 else c
                                   for c in seeds["claims"]]}
    assert ("claims", "conflict_agrees") in _expect(flipped, texts)
    orphan = {**seeds, "claim_statistics": [*seeds["claim_statistics"],
                                            {"claim_id": seeds["claims"][0]["claim_id"], "statistic_id": "st_gone"}]}
    assert ("claim_statistics", "statistic_exists") in _expect(orphan, texts)
    empty = {**seeds, "claim_statistics": [link for link in seeds["claim_statistics"]
                                           if link["claim_id"] != seeds["claims"][0]["claim_id"]]}
    assert ("claims", "n_linked") in _expect(empty, texts)
    wrong = {**seeds, "claims": [{**c, "value_median": c["value_median"] + 1} for c in seeds["claims"]]}
    assert ("claims", "values_agree") in _expect(wrong, texts)


def test_diff_shows_a_claim_whose_conflict_changed(built_package: Path) -> None:
    old = open_package(built_package)
    rows = {**old.rows, "claims": [{**c, "conflict": False} for c in old.rows["claims"]]}
    new = type(old)(old.descriptor, rows)
    changed = diff_table(old, new, "claims").changed
    assert changed == {c["claim_id"]: ["conflict"] for c in old.rows["claims"] if c["conflict"]}


def test_card_lists_each_conflict_with_its_sources_quotes_side_by_side(seeds) -> None:
    [found] = conflicts(seeds)
    assert found["metric"] == "homicide_rate" and len({s["source_id"] for s in found["statistics"]}) == 2
    section = "\n".join(disagreements(seeds))
    assert section.startswith("## Where sources disagree")
    for s in found["statistics"]:
        assert f"| `{s['source_id']}` | {s['value']:g} |" in section and s["quote"] in section
    quiet = {**seeds, "claims": [{**c, "conflict": False} for c in seeds["claims"]]}
    assert conflict_tables(quiet) == ["Conflicts: 0.", ""]


def test_readme_lists_the_conflicts_of_the_committed_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme
    assert refresh_readme(readme, open_package(ROOT / "datapackage")) == readme, \
        "README.md is stale: run python -m pipeline.card"


def test_claims_step_reads_only_statistics() -> None:
    out = claims_step({"statistics": to_arrow("statistics", [stat("st_a", "s1")])})
    assert set(out) == {"claims", "claim_statistics"}
    assert out["claim_statistics"].to_pylist() == [{"claim_id": out["claims"]["claim_id"][0].as_py(),
                                                    "statistic_id": "st_a"}]
