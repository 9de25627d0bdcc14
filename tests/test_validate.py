"""Tamper tests: `python -m pipeline validate` names what is wrong in a damaged package."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from pipeline.publish import sha256_file, write_csv, write_parquet


def rewrite_table(pkg: Path, name: str, change: Callable[[list[dict]], list[dict]]) -> None:
    """Change a table's rows and rewrite Parquet, CSV and their declared hashes: a careful tamper,
    so that only the semantic check under test can catch it."""
    table = pq.read_table(pkg / "data" / f"{name}.parquet")
    new = pa.Table.from_pylist(change(table.to_pylist()), schema=table.schema)
    write_parquet(new, pkg / "data" / f"{name}.parquet")
    write_csv(new, pkg / "data" / f"{name}.csv")
    _refresh_hashes(pkg)


def _refresh_hashes(pkg: Path) -> None:
    dp_path = pkg / "datapackage.json"
    dp = json.loads(dp_path.read_text(encoding="utf-8"))
    for res in dp["resources"]:
        path = pkg / res["path"]
        res["bytes"], res["hash"] = path.stat().st_size, f"sha256:{sha256_file(path)}"
    dp_path.write_text(json.dumps(dp, indent=2, ensure_ascii=False), encoding="utf-8")


def _first(rows: list[dict], **change: object) -> list[dict]:
    return [{**rows[0], **change}, *rows[1:]]


def _validate(pkg: Path) -> tuple[int, str]:
    proc = run_cli("validate", str(pkg))
    return proc.returncode, proc.stderr


def test_untouched_package_is_valid(package_copy: Path) -> None:
    code, err = _validate(package_copy)
    assert code == 0, err


def test_quote_changed_by_one_character_is_caught(package_copy: Path) -> None:
    def tamper(rows: list[dict]) -> list[dict]:
        q = rows[0]["quote"]
        return _first(rows, quote=q[:-1] + ("X" if q[-1] != "X" else "Y"))

    rewrite_table(package_copy, "statistics", tamper)
    code, err = _validate(package_copy)
    assert code != 0 and "quote-span" in err and "statistics" in err


def test_source_id_that_names_no_source_is_caught(package_copy: Path) -> None:
    rewrite_table(package_copy, "events", lambda rows: _first(rows, source_id="999_nosuchsource"))
    code, err = _validate(package_copy)
    assert code != 0 and "999_nosuchsource" in err


def test_duplicated_id_is_caught(package_copy: Path) -> None:
    rewrite_table(package_copy, "statistics", lambda rows: [*rows, rows[0]])
    code, err = _validate(package_copy)
    assert code != 0 and "statistic_id" in err and ("unique" in err or "primary-key" in err)


def test_percent_of_a_billion_is_caught(package_copy: Path) -> None:
    def tamper(rows: list[dict]) -> list[dict]:
        i = next(i for i, r in enumerate(rows) if r["unit"] == "percent")
        rows[i] = {**rows[i], "value": 1e9, "value_low": None, "value_high": None}
        return rows

    rewrite_table(package_copy, "statistics", tamper)
    code, err = _validate(package_copy)
    assert code != 0 and "plausible" in err and "percent" in err


def test_date_in_2099_is_caught(package_copy: Path) -> None:
    import datetime as dt

    d = dt.date(2099, 1, 1)
    rewrite_table(package_copy, "events", lambda rows: _first(rows, date_start=d, date_end=d, date_precision="day"))
    code, err = _validate(package_copy)
    assert code != 0 and "2099" in err and "date_start" in err


def test_truncated_parquet_is_caught(package_copy: Path) -> None:
    path = package_copy / "data" / "statistics.parquet"
    path.write_bytes(path.read_bytes()[:200])
    code, err = _validate(package_copy)
    assert code != 0 and "statistics" in err and ("hash" in err or "bytes" in err or "Parquet" in err)


def test_truncated_parquet_is_caught_even_with_its_hash_updated(package_copy: Path) -> None:
    path = package_copy / "data" / "statistics.parquet"
    path.write_bytes(path.read_bytes()[:200])
    _refresh_hashes(package_copy)
    code, err = _validate(package_copy)
    assert code != 0 and "cannot read data/statistics.parquet" in err


def test_csv_with_a_column_removed_is_caught(package_copy: Path) -> None:
    path = package_copy / "data" / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:2] + r[3:] for r in rows])  # drop event_type
    path.write_text(buf.getvalue(), encoding="utf-8")
    _refresh_hashes(package_copy)
    code, err = _validate(package_copy)
    assert code != 0 and "events-csv" in err


def test_article_text_changed_is_caught(package_copy: Path) -> None:
    art = next((package_copy / "articles").glob("*.txt"))
    art.write_bytes(art.read_bytes().replace(b"Ecuador", b"Ecuadar", 1))
    code, err = _validate(package_copy)
    assert code != 0 and "sha256" in err and art.stem in err


@pytest.mark.parametrize("missing", ["datapackage.json", "data/events.csv"])
def test_missing_files_are_named(package_copy: Path, missing: str) -> None:
    (package_copy / missing).unlink()
    code, err = _validate(package_copy)
    assert code != 0 and missing.split("/")[-1] in err


def test_frictionless_beside_the_other_checks_gives_the_messages_of_a_run_here(package_copy: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """check_package runs frictionless in a child process while it runs pandera and GX: the same messages
    as in this process, and the same again when the child cannot give them (it died: checked here)."""
    import sys

    from pipeline import quality

    path = package_copy / "data" / "events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\nnot,a,row\n", 1), encoding="utf-8")
    here = quality.check_frictionless(package_copy)
    assert here and any("events-csv" in m for m in here)
    with quality.frictionless_beside(package_copy) as child:
        assert isinstance(child, quality._Child)
        assert child.result() == here
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a child that exits 1 at once
    with quality.frictionless_beside(package_copy) as child:
        assert child.result() == here
