"""What a release adds for people who download it: the dataset card with coverage and charts, the
codebook, loading snippets that work on the zip's own paths."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from pipeline.card import CHART_EVENTS, CHART_STATISTICS, conflicts
from pipeline.codebook import render
from pipeline.release import write_archive


@pytest.fixture(scope="module")
def unpacked(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One release archive of the seeds build, unpacked; the folder inside it."""
    where = tmp_path_factory.mktemp("release-extras")
    archive = where / "release.zip"
    write_archive(built_package, archive, "# Changelog\n")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(where / "unpacked")
    [top] = list((where / "unpacked").iterdir())
    return top


def _svg_ids(path: Path) -> set[str]:
    root = ET.parse(path).getroot()  # also checks the file is well-formed XML
    assert root.tag.endswith("svg")
    return {el.get("id") for el in root.iter() if el.get("id")}


def test_card_shows_two_charts_and_the_codebook_it_ships(unpacked: Path) -> None:
    card = (unpacked / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", card)
    assert set(images) >= {CHART_EVENTS, CHART_STATISTICS}
    for image in images:
        assert (unpacked / image).is_file(), f"README.md shows {image}, which the release lacks"
    assert "CODEBOOK.md" in card and "schemas/vocab" not in card
    assert (unpacked / "CODEBOOK.md").read_text(encoding="utf-8") == render()


def test_coverage_tables_count_the_rows(unpacked: Path) -> None:
    card = (unpacked / "README.md").read_text(encoding="utf-8")
    for table in ("sources", "statistics", "events"):
        n = pq.read_metadata(unpacked / "data" / f"{table}.parquet").num_rows
        assert f"| {table} | {n} |" in card
    events = pq.read_table(unpacked / "data" / "events.parquet").to_pylist()
    for typ, n in Counter(e["event_type"] for e in events).items():
        assert f"| {typ} | {n} |" in card


def test_events_chart_has_one_bar_per_month_and_type_of_the_month_dated_events(unpacked: Path) -> None:
    events = pq.read_table(unpacked / "data" / "events.parquet").to_pylist()
    expected = {f"events-{e['date_start']:%Y-%m}-{e['event_type']}" for e in events
                if e["date_start"] and e["date_precision"] in ("day", "weekend", "month")}
    assert expected, "the seeds have events dated to a month or finer"
    assert {i for i in _svg_ids(unpacked / CHART_EVENTS) if i.startswith("events-")} == expected


def test_statistics_chart_marks_every_figure_of_a_disagreement(unpacked: Path) -> None:
    stats = pq.read_table(unpacked / "data" / "statistics.parquet").to_pylist()
    shown = {i.removeprefix("statistic-") for i in _svg_ids(unpacked / CHART_STATISTICS) if i.startswith("statistic-")}
    by_id = {s["statistic_id"]: s for s in stats}
    assert shown and shown <= set(by_id)
    assert all(by_id[i]["period_start"] is not None for i in shown)
    for c in conflicts(stats):
        ids = {s["statistic_id"] for s in stats if s["metric"] == c["metric"] and s["unit"] == c["unit"]
               and s["period_start"] == c["period_start"] and s["period_end"] == c["period_end"]}
        if any(i in shown for i in ids):
            assert ids <= shown, f"{c['metric']}: only some sources' figures are drawn"


def test_conflicts_are_different_values_from_different_sources_for_the_same_period() -> None:
    base = {"metric": "homicides", "unit": "count", "country_code": "ECU", "period_start": dt.date(2024, 1, 1),
            "period_end": dt.date(2024, 12, 31), "is_change": False}
    rows = [{**base, "statistic_id": "a", "source_id": "s1", "value": 100.0},
            {**base, "statistic_id": "b", "source_id": "s2", "value": 120.0},
            {**base, "statistic_id": "c", "source_id": "s3", "value": 100.0, "period_end": dt.date(2024, 6, 30)},
            {**base, "statistic_id": "d", "source_id": "s4", "value": 7.0, "metric": "arrests"},
            {**base, "statistic_id": "e", "source_id": "s5", "value": 7.0, "metric": "arrests"}]
    [found] = conflicts(rows)
    assert found["metric"] == "homicides" and found["values"] == {"s1": 100.0, "s2": 120.0}


def test_card_and_readme_pandas_snippets_give_arrow_types(unpacked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pandas line of the card (on the zip's paths) and of the README read dates, lists and integers."""
    card = (unpacked / "README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text, where, prefix in ((card, unpacked, ""), (readme, ROOT, "datapackage/")):
        line = next(ln for ln in text.splitlines() if "pd.read_parquet(" in ln)
        assert f'"{prefix}data/events.parquet"' in line
        monkeypatch.chdir(where if prefix == "" else unpacked.parent)
        if prefix:  # the README's paths are the repository's: point them at the release's copy
            line = line.replace(prefix, f"{unpacked.name}/")
        scope: dict = {}
        exec("import pandas as pd\n" + line.strip(), scope)
        df = scope["events"]
        assert df["date_start"].dtype.pyarrow_dtype == pa.date32()
        assert df["actors"].dtype.pyarrow_dtype == pa.list_(pa.string())
        assert df["fatalities"].dtype.pyarrow_dtype == pa.int64()
