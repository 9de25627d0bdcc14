"""Great Expectations suites (schemas/expectations/*.json) on tables of a real build, clean and tampered."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipeline.derive import derive_tables
from pipeline.expectations import ExpectationsResult, published_end, run_expectations, suite_path
from pipeline.quality import load_texts
from pipeline.tables import EXTRACTED_TABLES, TABLES, spec, to_arrow


@pytest.fixture(scope="module")
def clean(built_package: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str | None]]:
    """Rows of every table of the built package, and the article texts."""
    tables = {name: pq.read_table(built_package / "data" / f"{name}.parquet") for name in TABLES}
    texts, errors = load_texts(built_package, tables, None)
    assert errors == []
    return {name: t.to_pylist() for name, t in tables.items()}, texts


def _run(rows: dict[str, list[dict[str, Any]]], texts: dict[str, str | None], **kwargs: Any) -> ExpectationsResult:
    """The suites on the extracted rows given and the cross-source tables derived from them, as a build has them."""
    return run_expectations(derive_tables({name: to_arrow(name, rows[name]) for name in EXTRACTED_TABLES}), texts,
                            **kwargs)


def _failed(result: ExpectationsResult, severity: str) -> set[tuple[str, str, str | None]]:
    return {(f["table"], f["expectation"], f["column"]) for f in result.failures if f["severity"] == severity}


def _copy(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [dict(r) for r in table] for name, table in rows.items()}


def test_suites_are_files_with_a_severity_on_every_expectation() -> None:
    for name in TABLES:
        suite = json.loads(suite_path(name).read_text(encoding="utf-8"))
        assert suite["name"] == name and suite["expectations"]
        assert {e["meta"]["severity"] for e in suite["expectations"]} <= {"critical", "warning"}
        unique = [e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_unique"]
        assert [e["kwargs"]["column"] for e in unique] == [spec(name).primary_key]


def test_clean_tables_pass_every_critical_expectation(clean) -> None:
    rows, texts = clean
    result = _run(rows, texts)
    assert not result.critical_failed, result.messages("critical")
    for name in TABLES:
        counts = result.counts[name]
        assert counts["evaluated"] == counts["passed"] + counts["failed_critical"] + counts["failed_warning"] > 0


def test_duplicated_id_is_a_critical_failure_naming_the_row(clean) -> None:
    rows, texts = clean
    rows = _copy(rows)
    rows["events"].append(dict(rows["events"][0]))
    result = _run(rows, texts)
    assert ("events", "expect_column_values_to_be_unique", "event_id") in _failed(result, "critical")
    assert any(rows["events"][0]["event_id"] in m for m in result.messages("critical"))


def test_percent_of_a_billion_is_implausible(clean) -> None:
    rows, texts = clean
    rows = _copy(rows)
    row = next(r for r in rows["statistics"] if r["unit"] == "percent")
    row.update(value=1e9, value_low=None, value_high=None)
    result = _run(rows, texts)
    assert ("statistics", "expect_column_values_to_be_in_set", "value_plausible") in _failed(result, "critical")


def _dated_event(rows: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, Any], dt.date]:
    # The last day the article may have appeared on (its published date may be a month or a year).
    published = {s["source_id"]: published_end(s) for s in rows["sources"] if s["published_date"] is not None}
    event = next(e for e in rows["events"] if e["source_id"] in published and e["date_start"] is not None)
    return event, published[event["source_id"]]


def test_event_years_after_publication_is_critical_days_after_is_a_warning(clean) -> None:
    rows, texts = clean
    far, near = _copy(rows), _copy(rows)
    event, published = _dated_event(far)
    event.update(date_start=published.replace(year=published.year + 5), date_end=None, date_precision="day")
    assert ("events", "expect_column_values_to_be_between", "days_after_anchor") in _failed(
        _run(far, texts), "critical")
    event, published = _dated_event(near)
    event.update(date_start=published + dt.timedelta(days=10), date_end=None, date_precision="day")
    result = _run(near, texts)
    assert not result.critical_failed, result.messages("critical")
    assert any(event["event_id"] in m for m in result.messages("warning"))


def test_quote_that_does_not_match_its_span_is_critical(clean) -> None:
    rows, texts = clean
    rows = _copy(rows)
    row = rows["statistics"][0]
    row["quote"] = row["quote"][:-1] + ("x" if row["quote"][-1] != "x" else "y")
    result = _run(rows, texts)
    assert ("statistics", "expect_column_values_to_be_in_set", "quote_matches_span") in _failed(result, "critical")
    assert any(row["statistic_id"] in m for m in result.messages("critical"))


def test_row_naming_no_source_is_critical(clean) -> None:
    rows, texts = clean
    rows = _copy(rows)
    rows["events"][0]["source_id"] = "999_0000000000000000"
    result = _run(rows, texts)
    assert ("events", "expect_column_values_to_be_in_set", "source_exists") in _failed(result, "critical")


def test_table_losing_half_its_rows_fails_unless_the_build_says_why(clean, built_package: Path) -> None:
    rows, texts = clean
    rows = _copy(rows)
    rows["statistics"] = rows["statistics"][: len(rows["statistics"]) // 2]
    shrunk = _run(rows, texts, previous=built_package)
    assert ("statistics", "expect_table_row_count_to_be_between", None) in _failed(shrunk, "critical")
    assert not _run(rows, texts, previous=built_package, allow_shrink_reason="retracted article").critical_failed
    # Losing less than the allowed share passes.
    rows["statistics"] = clean[0]["statistics"][1:]
    assert not _run(rows, texts, previous=built_package).critical_failed


def test_data_docs_are_written_to_the_reports_folder(clean, tmp_path: Path) -> None:
    rows, texts = clean
    (tmp_path / "quality").mkdir()
    (tmp_path / "quality" / "stale.html").write_text("from an earlier run", encoding="utf-8")
    _run(rows, texts, reports_dir=tmp_path)
    index = (tmp_path / "quality" / "index.html").read_text(encoding="utf-8")
    assert "PASSED" in index
    for name in TABLES:
        assert f'id="suite-{name}"' in index
        [page] = (tmp_path / "quality" / "validations" / name).rglob("*.html")
        assert page.relative_to(tmp_path / "quality").as_posix() in index  # linked from the index
    assert (tmp_path / "quality" / "gx-index.html").is_file()
    assert not (tmp_path / "quality" / "stale.html").exists()  # the report shows this run only
