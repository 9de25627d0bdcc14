"""The built package: reproducible, valid, traceable, and published atomically."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SEEDS, run_cli
from pipeline.quality import validate_package
from pipeline.tables import TABLES


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_inputs_are_byte_identical(built_package: Path, tmp_path: Path) -> None:
    proc = run_cli("build", "--input", str(SEEDS), "--output", str(tmp_path / "b"), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _tree(built_package) == _tree(tmp_path / "b")
    assert "build-report.json" in _tree(built_package)


def test_committed_datapackage_is_exactly_what_the_code_builds(built_package: Path) -> None:
    committed = _tree(ROOT / "datapackage")
    assert committed, "datapackage/ is missing: run python -m pipeline build"
    assert committed == _tree(built_package), "datapackage/ is stale: rebuild and commit it"


def test_frictionless_cli_validates_the_package(built_package: Path) -> None:
    exe = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(exe), "validate", "--json", str(built_package / "datapackage.json")],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    assert report["valid"], proc.stdout[-3000:]
    assert {t["name"] for t in report["tasks"]} >= {"sources", "statistics-csv", "events-csv"}


def test_our_validator_passes_the_untouched_package(built_package: Path) -> None:
    assert validate_package(built_package) == []


def test_every_source_row_hash_equals_its_file(built_package: Path) -> None:
    rows = pq.read_table(built_package / "data" / "sources.parquet").to_pylist()
    assert len(rows) == len(list(SEEDS.glob("*.txt")))
    for row in rows:
        raw = (SEEDS / f"{row['source_id']}.txt").read_bytes()
        assert row["sha256"] == hashlib.sha256(raw).hexdigest()
        assert (built_package / row["path"]).read_bytes() == raw


def test_descriptor_lists_sources_resources_and_metadata(built_package: Path) -> None:
    dp = json.loads((built_package / "datapackage.json").read_text(encoding="utf-8"))
    assert dp["name"] and dp["version"].count(".") == 2 and dp["licenses"] and dp["contributors"]
    assert {s["hash"] for s in dp["sources"]} == {
        "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.glob("*.txt")
    }
    names = {r["name"]: r for r in dp["resources"]}
    for table in ("sources", "statistics", "events"):
        for name, fmt in ((table, "parquet"), (f"{table}-csv", "csv")):
            res = names[name]
            assert res["format"] == fmt and res["bytes"] > 0 and res["hash"].startswith("sha256:")
            assert res["schema"]["primaryKey"]
            if table != "sources":
                assert res["schema"]["foreignKeys"][0]["reference"]["resource"].startswith("sources")


def test_parquet_keeps_real_types_for_duckdb_pandas_and_polars(built_package: Path) -> None:
    import duckdb
    import polars as pl

    events = built_package / "data" / "events.parquet"
    schema = pq.read_schema(events)
    assert str(schema.field("date_start").type) == "date32[day]"
    assert str(schema.field("actors").type) == "list<element: string>" or "list<" in str(schema.field("actors").type)
    [(n,)] = duckdb.sql(f"select count(*) from '{events}'").fetchall()
    assert n == pl.read_parquet(events).height == pq.read_table(events).num_rows


def test_no_texts_leaves_articles_out_and_validate_uses_a_local_copy(tmp_path: Path) -> None:
    out = tmp_path / "nt"
    proc = run_cli("build", "--input", str(SEEDS), "--output", str(out), "--no-texts", "--reports", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (out / "articles").exists()
    assert validate_package(out) != []  # quotes cannot be checked without texts
    assert validate_package(out, texts=SEEDS) == []
    assert run_cli("validate", str(out), "--texts", str(SEEDS)).returncode == 0


def _bad_folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    good = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(good, src / good.name)
    shutil.copy(good, src / "zz_duplicate.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (src / "latin1.txt").write_bytes("Motín en la cárcel de Guayaquil, según la policía.".encode("latin-1"))
    return src


def test_bad_inputs_are_named_in_the_report_and_the_good_article_builds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("build", "--input", str(_bad_folder(tmp_path)), "--output", str(out), "--reports",
                   str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert report["articles_built"] == 1
    reasons = {r["file"]: r["reason"] for r in report["rejected"]}
    assert set(reasons) == {"zz_duplicate.txt", "empty.txt", "binary.txt", "latin1.txt"}
    assert "duplicate" in reasons["zz_duplicate.txt"] and "UTF-8" in reasons["latin1.txt"]


def test_strict_build_with_bad_input_fails_and_publishes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("build", "--input", str(_bad_folder(tmp_path)), "--output", str(out), "--strict",
                   "--reports", str(tmp_path / "r"))
    assert proc.returncode != 0
    assert "empty.txt" in proc.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind


def test_strict_build_with_an_invalid_extracted_row_fails_and_leaves_the_previous_package_byte_identical(
    package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.build
    from pipeline.build import BuildFailed
    from pipeline.flows import build_dataset

    real = pipeline.build.extract_statistics

    def with_a_bad_row(*args, **kwargs):  # a percent of 10^9 with an unknown metric: must not publish
        rows = real(*args, **kwargs)
        return rows + [{**rows[0], "statistic_id": "st_injected", "metric": "not_a_metric"}] if rows else rows

    monkeypatch.setattr(pipeline.build, "extract_statistics", with_a_bad_row)
    before = _tree(package_copy)
    with pytest.raises(BuildFailed) as err:
        build_dataset(input_dir=str(SEEDS), output=str(package_copy), reports=str(package_copy.with_name("r")),
                      strict=True)  # without --strict the row would be quarantined (tests/test_quarantine.py)
    assert any("st_injected" in f and "metric" in f for f in err.value.failures), err.value.failures
    assert _tree(package_copy) == before
    assert not any(p.name.startswith(".") for p in package_copy.parent.iterdir())


def test_build_report_and_reports_folder_show_the_quality_checks(built_package: Path) -> None:
    report = json.loads((built_package / "build-report.json").read_text(encoding="utf-8"))
    quality = report["quality"]
    assert quality["pandera"] == "passed" and quality["failures"] == []
    suites = quality["great_expectations"]["suites"]
    assert set(suites) == set(TABLES)  # one suite per table, derived tables included
    assert all(s["evaluated"] > 0 and s["failed_critical"] == 0 for s in suites.values())
    assert len(quality["warnings"]) == sum(s["failed_warning"] for s in suites.values())
    reports = built_package.with_name("reports")
    assert (reports / "quality" / "index.html").is_file()
    assert json.loads((reports / "build-report.json").read_text(encoding="utf-8")) == report


def test_table_losing_most_rows_stops_the_build_unless_allow_shrink_says_why(package_copy: Path,
                                                                             tmp_path: Path) -> None:
    from pipeline.build import BuildFailed
    from pipeline.flows import build_dataset

    one = tmp_path / "one"
    one.mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(first, one / first.name)
    before = _tree(package_copy)
    with pytest.raises(BuildFailed) as err:
        build_dataset(input_dir=str(one), output=str(package_copy), reports=str(tmp_path / "r"))
    assert any("expect_table_row_count_to_be_between" in f and "sources" in f for f in err.value.failures)
    assert _tree(package_copy) == before
    failed = json.loads((tmp_path / "r" / "build-report.json").read_text(encoding="utf-8"))
    assert failed["quality"]["failures"] == err.value.failures  # the report says why nothing was published

    build_dataset(input_dir=str(one), output=str(package_copy), reports=str(tmp_path / "r"),
                  allow_shrink="corpus cut to one article for a test")
    report = json.loads((package_copy / "build-report.json").read_text(encoding="utf-8"))
    assert report["articles_built"] == 1
    assert report["quality"]["allow_shrink"] == "corpus cut to one article for a test"
