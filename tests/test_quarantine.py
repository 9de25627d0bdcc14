"""Row quarantine: a row that fails a row check is set aside with its reason; the rest publishes.

The folders below are real inputs through the real extraction path: the seed articles plus an
article of our own whose manifest dates it years before the figures it reports, so the plausible-date
row check fails on exactly those rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SEEDS, run_cli, statistic_row
from pipeline.quarantine import QuarantinedRow, ceiling_breaches, screen_rows, short_quote
from pipeline.tables import to_arrow, unit_fits, validate_table

# Our own sentences (never text of a real article): each states a figure for a year after 2018.
ONE_LATE_FIGURE = ("Gang violence spreads along the coast\n\n"
                   "Police in Guayaquil recorded 1,245 homicides in 2023, according to the Interior Ministry. "
                   "Officials said the port city remained the center of the violence.\n\n"
                   "Residents said they no longer leave their homes after dark.\n")
FOUR_LATE_FIGURES = ONE_LATE_FIGURE + (
    "\nIn 2024, authorities arrested 3,120 people in Quito, the National Police said. "
    "Kidnappings rose to 812 cases in 2022, the prosecutor's office said. "
    "Extortion complaints reached 4,310 in 2023, officials said.\n")
MISDATED = "zz_misdated.txt"


def misdated_folder(tmp_path: Path, text: str) -> Path:
    """The seed articles and one article whose manifest says it appeared in 2016."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, folder / p.name)
    manifest = (SEEDS / "sources.yaml").read_text(encoding="utf-8")
    manifest += f"- file: {MISDATED}\n  publisher: Test Wire\n  published: 2016-05-01\n  language: en\n"
    (folder / "sources.yaml").write_text(manifest, encoding="utf-8")
    (folder / MISDATED).write_text(text, encoding="utf-8")
    return folder


def _statistic(**over: Any) -> dict[str, Any]:
    return statistic_row(**{"source_id": "s1", **over})


def _source(sid: str = "s1", published: dt.date | None = dt.date(2024, 6, 1), basis: str = "manifest",
            precision: str = "day") -> dict[str, Any]:
    return dict(source_id=sid, title=None, publisher=None, url=None, published_date=published,
                published_date_precision=precision if published else "unknown",
                published_date_basis=basis if published else "unknown", language="en", sha256="0" * 64,
                bytes=24, characters=24, path=f"articles/{sid}.txt")


def _tables(statistics: list[dict[str, Any]], sources: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"sources": to_arrow("sources", sources or [_source()]), "statistics": to_arrow("statistics", statistics),
            "events": to_arrow("events", [])}


TEXT = {"s1": "There were 10 homicides."}


# --- the unit rule (schemas/vocab/metrics.yaml: change_units) -------------------------------------------------

def test_a_percent_change_of_a_count_metric_fits_a_percent_share_does_not() -> None:
    assert unit_fits("troops_deployed", "percent", is_change=True)  # "troops deployed were up 20%"
    assert not unit_fits("troops_deployed", "percent", is_change=False)  # a share is no value of a count
    assert not unit_fits("homicide_rate", "usd", is_change=True)  # a rate has no count to change
    assert not unit_fits("vote_share", "count", is_change=True)
    assert unit_fits("hostages", "count", is_change=False)
    assert unit_fits("drug_seizures", "percent", is_change=True)  # "seizures fell 30%"


def test_pandera_names_a_failed_row_check_once_per_row_with_the_values_it_read() -> None:
    bad = _statistic(metric="hostages", unit="percent", is_change=False)
    failures = validate_table("statistics", to_arrow("statistics", [_statistic(statistic_id="st_0"), bad]))
    assert len(failures) == 1  # pandera reports a row check once per column: one line, not 19
    [f] = failures
    assert f.row_level and f.row_id == "st_1" and f.index == 1
    assert f.value == "metric=hostages unit=percent is_change=False"
    assert validate_table("statistics", to_arrow("statistics", [{**bad, "is_change": True}])) == []


# --- screening: which rows leave, what the build is told ------------------------------------------------------

def test_a_row_failing_a_row_check_is_quarantined_with_file_check_values_and_quote() -> None:
    rows = [_statistic(statistic_id=f"st_{i:02d}") for i in range(60)]
    rows[7] = _statistic(statistic_id="st_07", metric="hostages", unit="percent")
    screening = screen_rows(_tables(rows), TEXT, {"s1": "a.txt"})
    assert screening.failures == [] and screening.reason is None
    assert screening.tables["statistics"].num_rows == 59
    assert "st_07" not in screening.tables["statistics"].column("statistic_id").to_pylist()
    [q] = screening.quarantine
    assert (q.table, q.row_id, q.source_id, q.file) == ("statistics", "st_07", "s1", "a.txt")
    assert q.line() == ('statistics st_07 (file a.txt): unit allowed for the metric (schemas/vocab/metrics.yaml): '
                        'metric=hostages unit=percent is_change=False — "There were 10 homicides."')
    assert screening.quarantined == {"sources": 0, "statistics": 1, "events": 0}


def test_dates_after_a_manifest_date_and_a_quote_off_its_span_are_row_failures() -> None:
    rows = [_statistic(statistic_id=f"st_{i:02d}") for i in range(100)]
    rows[1] = _statistic(statistic_id="st_01", period_start=dt.date(2031, 1, 1), period_end=dt.date(2031, 12, 31))
    rows[2] = _statistic(statistic_id="st_02", quote="There were 11 homicides.")
    screening = screen_rows(_tables(rows), TEXT, {"s1": "a.txt"})
    by_id = {q.row_id: q for q in screening.quarantine}
    assert set(by_id) == {"st_01", "st_02"} and screening.failures == []
    assert by_id["st_01"].checks == ("plausible date (schemas/plausible.yaml)",)  # start and end: one entry
    # 732 days (two years of 366) after the manifest's date for a start, the end of the year after next otherwise
    assert by_id["st_01"].values == ("period_start=2031-01-01 outside 1800-01-01..2026-06-03, "
                                     "period_end=2031-12-31 outside 1800-01-01..2026-12-31",)
    assert by_id["st_02"].checks == ("quote matches its span",)


def test_an_inferred_publication_date_is_a_lower_bound_not_a_ceiling() -> None:
    # The article's own mentions put it no earlier than March 2017; a 2023 figure says it is younger.
    sources = [_source("s1", dt.date(2017, 3, 1), "inferred", "month"), _source("s2", dt.date(2024, 6, 1))]
    rows = [_statistic(statistic_id=f"st_{i:02d}", period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31))
            for i in range(3)]
    screening = screen_rows(_tables(rows, sources), TEXT, {"s1": "a.txt"})
    assert screening.quarantine == []
    # The same article dated by its manifest: the figure is years after it.
    sources[0] = _source("s1", dt.date(2017, 3, 1), "manifest", "month")
    assert len(screen_rows(_tables(rows, sources), TEXT, {"s1": "a.txt"}).quarantine) == 3


def test_more_than_the_ceiling_fails_the_build_in_one_line_with_the_counts() -> None:
    rows = [_statistic(statistic_id=f"st_{i:03d}") for i in range(120)]
    for i in range(12):
        rows[i] = _statistic(statistic_id=f"st_{i:03d}", metric="hostages", unit="percent")
    screening = screen_rows(_tables(rows), TEXT, {"s1": "a.txt"})
    assert screening.reason == ("12 of 120 statistics rows (10.0%) quarantined, over the 2.0% ceiling "
                                "(--max-quarantine)")
    assert screening.failures == [screening.reason] and len(screening.quarantine) == 12
    assert screen_rows(_tables(rows), TEXT, {}, max_quarantine=0.1).failures == []


def test_the_ceiling_never_counts_fewer_than_one_row_unless_it_is_zero() -> None:
    assert ceiling_breaches({"statistics": 1}, {"statistics": 10}, 0.02) == []
    assert ceiling_breaches({"statistics": 2}, {"statistics": 10}, 0.02) != []
    assert ceiling_breaches({"statistics": 1}, {"statistics": 10}, 0.0) != []


def test_strict_quarantines_nothing_and_names_every_failing_row() -> None:
    rows = [_statistic(statistic_id=f"st_{i:02d}") for i in range(60)]
    rows[3] = _statistic(statistic_id="st_03", metric="hostages", unit="percent")
    screening = screen_rows(_tables(rows), TEXT, {"s1": "a.txt"}, strict=True)
    assert screening.reason == "--strict: 1 row(s) failed a row check"
    assert len(screening.failures) == 1 and "st_03 (file a.txt)" in screening.failures[0]


def test_a_duplicate_id_is_a_package_failure_not_a_quarantine() -> None:
    rows = [_statistic(statistic_id=f"st_{i:02d}") for i in range(60)] + [_statistic(statistic_id="st_05")]
    screening = screen_rows(_tables(rows), TEXT, {"s1": "a.txt"})
    assert screening.quarantine == [] and screening.package_failures
    assert any("field_uniqueness" in f for f in screening.failures)


def test_a_failing_sources_row_is_critical_never_quarantined() -> None:
    # Its statistics and events would point at nothing: the failure stays critical.
    sources = [{**_source(), "published_date_precision": "decade"}]
    rows = [_statistic(statistic_id=f"st_{i:02d}") for i in range(60)]
    screening = screen_rows(_tables(rows, sources), TEXT, {"s1": "a.txt"})
    assert screening.quarantine == [] and screening.tables["sources"].num_rows == 1
    assert len(screening.failures) == 1 and "sources s1 (file a.txt)" in screening.failures[0]
    assert screening.reason == "1 check(s) on the package failed"


def test_quarantine_is_sorted_and_a_quote_shortened_to_one_line() -> None:
    rows = [_statistic(statistic_id=f"st_{i:02d}") for i in range(60)]
    for i in (40, 9, 22):
        rows[i] = _statistic(statistic_id=f"st_{i:02d}", metric="hostages", unit="percent")
    screening = screen_rows(_tables(list(reversed(rows))), TEXT, {"s1": "a.txt"})
    assert [q.row_id for q in screening.quarantine] == ["st_09", "st_22", "st_40"]
    long = "A line\nthat goes on " + "and on " * 40
    assert len(short_quote(long)) == 120 and "\n" not in short_quote(long) and short_quote(long).endswith("…")
    row = QuarantinedRow("events", "ev_1", "s1", "a.txt", ("c",), ("v=1",), long)
    assert "\n" not in row.line()


# --- one report, the same counts in every view --------------------------------------------------------------

def _report() -> dict[str, Any]:
    return {"articles_in": 3, "articles_built": 2, "articles": [], "rejected": [{"file": "b.txt", "reason": "empty"}],
            "warnings": [], "rows": {"sources": 2, "statistics": 9, "events": 4},
            "rows_quarantined": {"sources": 0, "statistics": 1, "events": 0},
            "quarantine": [{"table": "statistics", "row_id": "st_07", "source_id": "s1", "file": "a.txt",
                            "check": "unit allowed for the metric", "values": "metric=hostages unit=percent",
                            "quote": "There were 10 hostages."}],
            "quality": {"failures": ["resource events: expectation x failed (critical)"],
                        "warnings": ["w1", "w2"], "great_expectations": "not run"},
            "published": False}


def test_summary_failures_table_html_and_cli_line_show_the_same_counts() -> None:
    from pipeline.flows import failures_table, summary_markdown
    from pipeline.quality_report import counts_line, render_index, report_counts

    report = _report()
    assert report_counts(report) == {"articles": 2, "rejected": 1, "quarantined": 1, "failed": 1, "warnings": 2}
    line = counts_line(report)
    assert line == ("sources=2, statistics=9, events=4; rejected articles: 1; rows quarantined: 1; "
                    "checks failed: 1; quality warnings: 2")
    summary = summary_markdown(report)
    assert line in summary and "published: no" in summary
    assert 'statistics st_07 (file a.txt): unit allowed for the metric: metric=hostages unit=percent' in summary
    table = failures_table(report)
    assert [r["severity"] for r in table] == ["critical", "quarantined", "warning", "warning"]
    page = render_index(None, {}, None, report)
    assert f"NOT PUBLISHED: {line}." in page
    assert "Quarantined rows (1)" in page and "st_07" in page and "a.txt" in page
    assert "There were 10 hostages." in page and "Not run" in page


# --- the bench corpus as a folder, and the real-text gate ---------------------------------------------------

def test_bench_writes_its_corpus_as_a_folder_a_build_reads(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from extraction import make_article, write_corpus

    from pipeline.ingest import ingest_folder

    write_corpus(tmp_path / "c", [make_article(i, 7) for i in range(3)])
    found = ingest_folder(tmp_path / "c", 2_000_000)
    assert found.rejected == [] and [a.file for a in found.articles] == [f"bench_{i:05d}.txt" for i in range(3)]
    assert {a.published for a in found.articles} == {"2025-04-15"}
    write_corpus(tmp_path / "n", [make_article(0, 7)], manifest=False)
    assert not (tmp_path / "n" / "sources.yaml").exists()


def test_corpus_gate_passes_a_published_report_and_fails_too_many_quarantined() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus_gate import gate

    report = {**_report(), "published": True, "rows": {"sources": 2, "statistics": 99, "events": 4}}
    assert gate(report, 0.01) == []
    report["rows_quarantined"] = {"statistics": 2}
    assert gate(report, 0.01) == ["2 of 101 statistics rows (2.0%) quarantined, over 1.0%"]
    assert gate({**report, "published": False}, 0.05) == ["not published"]


# --- real builds ------------------------------------------------------------------------------------------

def _artifacts(flow_run_id: Any) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: a.data for a in found}


def _logs(flow_run_id: Any) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)  # logs reach the API in batches: send the last ones before reading
    with get_client(sync_client=True) as client:
        return [log.message for log in client.read_logs(log_filter=LogFilter(
            flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))]


def test_extraction_progress_logs_a_line_per_chunk_without_a_terminal() -> None:
    import logging

    from pipeline.flows import ExtractionProgress

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger("test-progress")
    logger.addHandler(Collect())
    logger.setLevel(logging.INFO)
    progress = ExtractionProgress(logger, 120)  # pytest's stderr is no terminal: no bar
    assert progress.bar is None
    for n in (50, 50, 20):
        progress.advance(n)
    progress.close()
    assert lines == ["extracted 50/120 articles", "extracted 100/120 articles", "extracted 120/120 articles"]


def test_a_bad_row_is_quarantined_named_everywhere_and_the_rest_publishes(tmp_path: Path) -> None:
    from pipeline.flows import build_dataset
    from pipeline.quality import validate_package
    from pipeline.quality_report import counts_line

    out, reports = tmp_path / "out", tmp_path / "reports"
    state = build_dataset(input_dir=str(misdated_folder(tmp_path, ONE_LATE_FIGURE)), output=str(out),
                          reports=str(reports), return_state=True)
    result = state.result()
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    [q] = report["quarantine"]
    assert q["table"] == "statistics" and q["file"] == MISDATED and q["check"].startswith("plausible date")
    assert q["quote"].startswith("Police in Guayaquil recorded 1,245 homicides in 2023")
    assert "period_start=2023-01-01" in q["values"]
    assert report["published"] and result["quarantined"] == 1
    assert report["rows"]["statistics"] > 0 and report["rows_quarantined"]["statistics"] == 1
    assert validate_package(out) == []  # what was published is valid

    page = (reports / "quality" / "index.html").read_text(encoding="utf-8")
    assert "Quarantined rows (1)" in page and q["row_id"] in page and MISDATED in page
    artifacts = _artifacts(state.state_details.flow_run_id)
    line = counts_line(report)  # the same counts in the CLI line, the HTML report and the Prefect summary
    assert result["summary"] == line and f"PUBLISHED: {line}" in page and line in artifacts["build-summary"]
    assert q["row_id"] in artifacts["build-summary"] and MISDATED in artifacts["build-summary"]
    assert "rows quarantined: 1; checks failed: 0" in artifacts["build-summary"]
    quarantined = [r for r in json.loads(artifacts["build-failures"]) if r["severity"] == "quarantined"]
    assert len(quarantined) == 1 and q["row_id"] in quarantined[0]["check"]
    logs = _logs(state.state_details.flow_run_id)
    articles = report["articles_built"]
    for said in (f"found {articles} article(s)", f"extracted {articles}/{articles} articles", "rows extracted: ",
                 "rows quarantined: 1", f"quarantined statistics {q['row_id']} (file {MISDATED})",
                 "checks: 0 failed", f"published {out}"):
        assert any(said in line for line in logs), (said, logs)


def test_cli_build_over_the_ceiling_publishes_nothing_and_says_why_in_one_line(tmp_path: Path) -> None:
    out, reports = tmp_path / "out", tmp_path / "reports"
    proc = run_cli("build", "--input", str(misdated_folder(tmp_path, FOUR_LATE_FIGURES)), "--output", str(out),
                   "--reports", str(reports))
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    said = [line for line in lines if line.startswith("build failed")]
    after = lines[lines.index(said[0]) + 1:] if said else []
    assert len(said) == 1 and not [line for line in after if line.startswith("  ")], proc.stderr[-2000:]
    assert re.match(r"build failed: 4 of \d+ statistics rows \(\d+\.\d%\) quarantined, over the 2\.0% ceiling "
                    r"\(--max-quarantine\); nothing published", said[0]), said
    assert not out.exists()
    report = json.loads((reports / "build-report.json").read_text(encoding="utf-8"))
    assert not report["published"] and report["rows_quarantined"]["statistics"] == 4
    assert len(report["quarantine"]) == sum(report["rows_quarantined"].values())
    assert {q["file"] for q in report["quarantine"]} == {MISDATED}
    page = (reports / "quality" / "index.html").read_text(encoding="utf-8")
    assert "NOT PUBLISHED" in page and "Quarantined rows (5)" in page and "Not run" in page


@pytest.mark.parametrize("fraction", ["1.5", "-0.1"])
def test_max_quarantine_must_be_a_fraction(fraction: str) -> None:
    proc = run_cli("build", "--max-quarantine", fraction)
    assert proc.returncode == 2 and "fraction" in proc.stderr
