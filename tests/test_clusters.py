"""Event clusters: reports of one real event in different articles share one cluster (invented rows)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pyarrow

from pipeline.clusters import cluster_events, clusters_step
from pipeline.tables import to_arrow, validate_table

D = dt.date


def event(eid: str, source: str, **over: Any) -> dict[str, Any]:
    """An events row (an armed attack in Ecuador on one invented day unless ``over`` says otherwise)."""
    row = {"event_id": eid, "source_id": source, "event_type": "armed_attack", "date_start": D(2030, 3, 4),
           "date_end": D(2030, 3, 4), "date_precision": "day", "date_text": "March 4", "date_basis": "explicit",
           "country_code": "ECU", "admin1": None, "place": None, "actors": [], "fatalities": None,
           "summary": "An invented event.", "quote": "An invented event.", "char_start": 0, "char_end": 18}
    return row | over


def groups(rows: list[dict[str, Any]]) -> list[list[str]]:
    """The clusters as sorted lists of member event ids, sorted."""
    return sorted(sorted(m["event_id"] for m in members) for members in cluster_events(rows).values())


def test_two_reports_of_one_event_cluster() -> None:
    a = event("ev_a", "s1", actors=["Los Lobos"], place="Quitoville")
    b = event("ev_b", "s2", actors=["Los Lobos", "National Police of Ecuador"], date_start=D(2030, 3, 5),
              date_end=D(2030, 3, 5))  # a day apart: "yesterday" read in two time zones
    assert groups([a, b]) == [["ev_a", "ev_b"]]
    # dated to the month only, a report names the same event on a named person, not on a gang alone
    month = dict(date_start=D(2030, 3, 1), date_end=D(2030, 3, 31), date_precision="month")
    c = event("ev_c", "s3", actors=["Los Lobos"], **month)
    assert groups([a, c]) == [["ev_a"], ["ev_c"]]
    d = event("ev_d", "s4", actors=["Marta Invented", "Los Lobos"])
    e = event("ev_e", "s5", actors=["Marta Invented"], **month)
    assert groups([d, e]) == [["ev_d", "ev_e"]]


def test_different_type_or_no_shared_actor_stays_apart() -> None:
    a = event("ev_a", "s1", actors=["Los Lobos"])
    assert groups([a, event("ev_b", "s2", actors=["Los Lobos"], event_type="killing")]) == [["ev_a"], ["ev_b"]]
    assert groups([a, event("ev_c", "s2", actors=["Marta Invented"])]) == [["ev_a"], ["ev_c"]]
    assert groups([a, event("ev_d", "s2", actors=["Los Lobos"], date_start=D(2030, 3, 9),
                            date_end=D(2030, 3, 9))]) == [["ev_a"], ["ev_d"]]


def test_riots_in_two_prisons_the_same_week_stay_apart() -> None:
    riot = dict(event_type="prison_unrest", actors=["Los Choneros"], admin1="Guayas")
    a = event("ev_a", "s1", place="North Invented Prison", **riot)
    b = event("ev_b", "s2", place="South Invented Penitentiary", date_start=D(2030, 3, 2),
              date_end=D(2030, 3, 8), date_precision="range", **riot)
    assert groups([a, b]) == [["ev_a"], ["ev_b"]]
    # The same prison, one report naming the city only: one riot.
    c = event("ev_c", "s3", place="Invented City", **riot)
    d = event("ev_d", "s4", place="North Invented Prison, Invented City", **riot)
    assert groups([c, d]) == [["ev_c", "ev_d"]]


def test_undated_events_merge_only_on_a_named_person_or_facility() -> None:
    undated = dict(date_start=None, date_end=None, date_precision="unknown", date_text=None, date_basis="unknown")
    a = event("ev_a", "s1", actors=["Marta Invented"], **undated)
    b = event("ev_b", "s2", actors=["Marta Invented"])
    c = event("ev_c", "s3", actors=["Los Lobos"], **undated)
    d = event("ev_d", "s4", actors=["Los Lobos"])
    e = event("ev_e", "s5", place="Invented Studio", **undated)
    f = event("ev_f", "s6", place="Invented Studio")
    assert groups([a, b, c, d, e, f]) == [["ev_a", "ev_b"], ["ev_c"], ["ev_d"], ["ev_e", "ev_f"]]


def test_reports_of_an_unnamed_tv_studio_stormed_cluster_but_prisons_must_be_named() -> None:
    undated = dict(date_start=None, date_end=None, date_precision="unknown", date_text=None, date_basis="unknown")
    a = event("ev_a", "s1", quote="Armed men burst into a TV studio during a live broadcast.", **undated)
    b = event("ev_b", "s2", quote="Hooded gunmen stormed a television station in the port city.",
              place="Invented Port", **undated)
    c = event("ev_c", "s3", quote="Encapuchados irrumpieron en un canal de televisión en vivo.")
    # the same kind of facility in another country, or in an event of another type: other events
    d = event("ev_d", "s4", quote="Gunmen stormed a TV station.", country_code="PER", **undated)
    e = event("ev_e", "s5", quote="A reporter of a TV channel was shot dead.", event_type="killing", **undated)
    assert groups([a, b, c, d, e]) == [["ev_a", "ev_b", "ev_c"], ["ev_d"], ["ev_e"]]
    # prisons are many: two undated riots "in a prison" are two riots unless the prison is named
    riot = dict(event_type="prison_unrest", **undated)
    f = event("ev_f", "s6", quote="Inmates rioted in a prison, the police said.", **riot)
    g = event("ev_g", "s7", quote="A riot broke out in a prison in the south.", **riot)
    assert groups([f, g]) == [["ev_f"], ["ev_g"]]


def test_events_of_one_article_never_share_a_cluster() -> None:
    rows = [event("ev_a", "s1", actors=["Los Lobos"]), event("ev_b", "s1", actors=["Los Lobos"]),
            event("ev_c", "s2", actors=["Los Lobos"])]
    assert groups(rows) == [["ev_a", "ev_c"], ["ev_b"]]


def test_clusters_do_not_depend_on_input_order() -> None:
    rows = [event(f"ev_{i}", f"s{i % 4}", actors=[["Los Lobos", "Marta Invented"][i % 2]],
                  date_start=D(2030, 3, 1 + i % 3), date_end=D(2030, 3, 1 + i % 3)) for i in range(12)]
    expected = cluster_events(rows)
    for seed in range(5):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert cluster_events(shuffled) == expected


def test_step_adds_cluster_ids_and_a_valid_table() -> None:
    rows = [event("ev_a", "s1", actors=["Los Lobos"]), event("ev_b", "s2", actors=["Los Lobos"]),
            event("ev_c", "s2", event_type="killing")]
    sources = pyarrow.table({"source_id": ["s1", "s2"], "published_date": [D(2030, 3, 6), D(2030, 3, 5)]})
    out = clusters_step({"events": to_arrow("events", rows), "sources": sources})
    events, clusters = out["events"].to_pylist(), out["event_clusters"].to_pylist()
    assert {e["cluster_id"] for e in events} == {c["cluster_id"] for c in clusters}
    two = next(c for c in clusters if c["n_events"] == 2)
    assert (two["n_sources"], two["first_reported"], two["first_source_id"]) == (2, D(2030, 3, 5), "s2")
    assert not validate_table("event_clusters", out["event_clusters"])


def test_an_undated_report_never_joins_two_dates() -> None:
    undated = dict(date_start=None, date_end=None, date_precision="unknown", date_text=None, date_basis="unknown")
    a = event("ev_a", "s1", event_type="killing", actors=["Marta Invented"], **undated)
    b = event("ev_b", "s2", event_type="killing", actors=["Marta Invented"])
    c = event("ev_c", "s3", event_type="killing", actors=["Marta Invented"], date_start=D(2031, 1, 1),
              date_end=D(2031, 1, 1))
    assert groups([a, b, c]) == [["ev_a", "ev_b"], ["ev_c"]]
    # A head of state's decrees are not told apart by name: undated policy events stay alone.
    d = event("ev_d", "s4", event_type="state_of_emergency", actors=["Marta Invented"], **undated)
    e = event("ev_e", "s5", event_type="state_of_emergency", actors=["Marta Invented"])
    assert groups([d, e]) == [["ev_d"], ["ev_e"]]
