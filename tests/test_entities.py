"""Entities and mentions (pipeline/entities.py): aliases join, spans are provable, rows link, ids are stable."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.entities import entities_and_mentions, entities_step, quote_mentions
from pipeline.expectations import entity_frames
from pipeline.tables import to_arrow

PREFIX = "Reports from the coast. "


def _event(source: str, n: int, quote: str, actors: list[str], text: str) -> dict:
    start = text.index(quote)
    return {"event_id": f"ev_{source}_{n}", "source_id": source, "quote": quote, "actors": actors,
            "char_start": start, "char_end": start + len(quote)}


def _statistic(source: str, n: int, quote: str, text: str) -> dict:
    start = text.index(quote)
    return {"statistic_id": f"st_{source}_{n}", "source_id": source, "quote": quote,
            "char_start": start, "char_end": start + len(quote)}


TEXTS = {
    "a": PREFIX + "Fito, the leader of Los Choneros, escaped from the Litoral Prison in Guayaquil on Sunday.",
    "b": PREFIX + "José Adolfo Macías Villamar fled la Penitenciaría del Litoral, the Ministry of Defense of "
                  "Ecuador said.",
    "c": PREFIX + "Ecuadorian police counted 8,000 murders in Ecuador last year, Secretary Leonardo said.",
}


def _rows() -> tuple[list[dict], list[dict]]:
    events = [
        _event("a", 1, TEXTS["a"][len(PREFIX):], ["José Adolfo Macías", "Los Choneros"], TEXTS["a"]),
        _event("b", 1, TEXTS["b"][len(PREFIX):], ["José Adolfo Macías", "Ministry of Defense of Ecuador"],
               TEXTS["b"]),
        _event("c", 2, TEXTS["c"][len(PREFIX):], ["Rafael Leonardo", "Maria Quispe"], TEXTS["c"]),
    ]
    statistics = [_statistic("c", 1, TEXTS["c"][len(PREFIX):], TEXTS["c"])]
    return statistics, events


def _by_name(entities: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in entities}


def test_aliases_and_spellings_of_one_person_join_across_articles() -> None:
    entities, mentions = entities_and_mentions(*_rows())
    fito = _by_name(entities)["José Adolfo Macías"]
    assert fito["kind"] == "person" and fito["country_code"] == "ECU"
    assert {"Fito", "José Adolfo Macías Villamar"} <= set(fito["aliases"])
    assert (fito["n_mentions"], fito["n_sources"]) == (2, 2)
    quotes = sorted(m["quote"] for m in mentions if m["entity_id"] == fito["entity_id"])
    assert quotes == ["Fito", "José Adolfo Macías Villamar"]


def test_every_mention_is_the_articles_own_words_inside_its_rows_quote() -> None:
    statistics, events = _rows()
    entities, mentions = entities_and_mentions(statistics, events)
    rows = {r.get("event_id") or r["statistic_id"]: r for r in statistics + events}
    assert mentions
    for m in mentions:
        assert TEXTS[m["source_id"]][m["char_start"]:m["char_end"]] == m["quote"]
        row = rows[m["event_id"] or m["statistic_id"]]
        assert (m["event_id"] is None) != (m["statistic_id"] is None)
        assert row["char_start"] <= m["char_start"] < m["char_end"] <= row["char_end"]


def test_spellings_of_one_facility_are_one_place_and_a_place_inside_a_name_is_no_mention() -> None:
    entities, mentions = entities_and_mentions(*_rows())
    named = _by_name(entities)
    prison = named["Litoral Penitentiary"]
    assert prison["kind"] == "facility" and (prison["n_mentions"], prison["n_sources"]) == (2, 2)
    assert {"Litoral Prison", "Penitenciaría del Litoral"} <= set(prison["aliases"])
    ministry = named["Ministry of Defense of Ecuador"]
    ecuador = named["Ecuador"]
    assert ministry["kind"] == "government_body" and ecuador["wikidata"] == "Q736"
    in_b = [m["quote"] for m in mentions if m["source_id"] == "b"]
    assert "Ecuador" not in in_b and "Ministry of Defense of Ecuador" in in_b


def test_a_demonym_is_a_mention_of_its_country_but_no_alias() -> None:
    entities, mentions = entities_and_mentions(*_rows())
    ecuador = _by_name(entities)["Ecuador"]
    said = sorted(m["quote"] for m in mentions if m["entity_id"] == ecuador["entity_id"])
    assert said == ["Ecuador", "Ecuador", "Ecuadorian", "Ecuadorian"]  # the event and the statistic of "c"
    assert "Ecuadorian" not in ecuador["aliases"]


def test_a_surname_is_the_rows_actor_and_every_listed_actor_is_an_entity() -> None:
    entities, mentions = entities_and_mentions(*_rows())
    named = _by_name(entities)
    assert "Leonardo" not in named
    leonardo = named["Rafael Leonardo"]
    assert [m["quote"] for m in mentions if m["entity_id"] == leonardo["entity_id"] and m["event_id"]] == ["Leonardo"]
    quispe = named["Maria Quispe"]  # listed by the event, not named in its quote
    assert (quispe["kind"], quispe["n_mentions"], quispe["n_sources"]) == ("unknown", 0, 0)


def test_same_rows_in_any_order_give_the_same_tables() -> None:
    statistics, events = _rows()
    first = entities_step({"statistics": to_arrow_rows("statistics", statistics),
                           "events": to_arrow_rows("events", events)})
    random.Random(7).shuffle(events)
    again = entities_step({"statistics": to_arrow_rows("statistics", statistics),
                           "events": to_arrow_rows("events", events)})
    for name in ("entities", "mentions"):
        assert first[name].equals(again[name])


def to_arrow_rows(table: str, rows: list[dict]) -> object:
    """Partial rows padded to the table's schema (the step reads only the columns it needs)."""
    return to_arrow(table, rows)


def test_suite_columns_catch_a_mention_that_is_not_the_articles_words() -> None:
    statistics, events = _rows()
    tables = {"sources": to_arrow("sources", [{"source_id": s} for s in TEXTS]),
              "statistics": to_arrow("statistics", statistics), "events": to_arrow("events", events)}
    tables.update(entities_step(tables))
    frames = entity_frames(tables, TEXTS, pd.DataFrame(index=range(len(events))))
    checks = ["entity_exists", "source_exists", "row_exists", "within_row_quote", "quote_matches_span"]
    assert frames["mentions"][checks].all().all() and frames["entities"]["counts_agree"].all()

    mentions = tables["mentions"].to_pylist()
    shifted = {**mentions[0], "char_start": mentions[0]["char_start"] + 1, "char_end": mentions[0]["char_end"] + 1}
    orphan = {**mentions[1], "mention_id": "mn_orphan", "entity_id": "en_missing"}
    # one more mention than its entity counts
    extra = {**next(m for m in mentions if m["quote"] == "Ecuador"), "mention_id": "mn_extra"}
    tables["mentions"] = to_arrow("mentions", [shifted, *mentions[1:], orphan, extra])
    listed = tables["events"].to_pylist()
    dropped = next(e for e in tables["entities"].to_pylist() if e["name"] == "Los Choneros")
    tables["entities"] = to_arrow("entities", [e for e in tables["entities"].to_pylist() if e is not dropped
                                               and e["entity_id"] != dropped["entity_id"]])
    events_frame = pd.DataFrame(index=range(len(listed)))
    frames = entity_frames(tables, TEXTS, events_frame)
    got = frames["mentions"].set_index("mention_id")
    assert not got.loc[shifted["mention_id"], "quote_matches_span"]
    assert not got.loc["mn_orphan", "entity_exists"]
    counts = frames["entities"].set_index("entity_id")["counts_agree"]
    assert not counts[extra["entity_id"]] and counts.drop(index=extra["entity_id"]).all()
    assert list(events_frame["actors_known"]) == ["Los Choneros" not in e["actors"] for e in listed]


def test_quote_mentions_find_lexicon_aliases_without_accents() -> None:
    found = quote_mentions("Jose Adolfo Macias, alias Fito, was recaptured.", [])
    assert {m.key[1] for m in found} == {"José Adolfo Macías"}


@pytest.mark.parametrize("table", ["entities", "mentions"])
def test_built_package_has_the_table_with_its_foreign_keys(built_package: Path, table: str) -> None:
    descriptor = json.loads((built_package / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    rows = pq.read_table(built_package / "data" / f"{table}.parquet").to_pylist()
    assert rows
    if table == "mentions":
        refs = {fk["reference"]["resource"] for fk in resource["schema"]["foreignKeys"]}
        assert refs == {"entities", "sources", "statistics", "events"}
        texts = {p.stem: p.read_text(encoding="utf-8") for p in (built_package / "articles").glob("*.txt")}
        for m in rows:
            assert texts[m["source_id"]][m["char_start"]:m["char_end"]] == m["quote"]
    else:
        events = pq.read_table(built_package / "data" / "events.parquet").to_pylist()
        names = {r["name"] for r in rows}
        assert {a for e in events for a in e["actors"]} <= names


def test_frictionless_rejects_a_mention_of_an_unknown_entity(package_copy: Path) -> None:
    path = package_copy / "data" / "mentions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].split(",")
    cells[header.index("entity_id")] = "en_0000000000000000"
    lines[1] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "validate", str(package_copy)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert 'violates the foreign key: for "entity_id": values "en_0000000000000000" not found' in (
        proc.stdout + proc.stderr)
