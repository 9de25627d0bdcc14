"""Validate a data package folder: the checks a user can run on what they downloaded.

Each check returns messages naming the resource, the row (by primary key) and
the check that failed; an empty list means the package is valid.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.frictionless_check import check_frictionless
from pipeline.publish import csv_string, csv_text, sha256_file
from pipeline.tables import TABLES, plausible, publication_anchors, spec, validate_table
from pipeline.untrusted import PackageRefused, check_descriptor, extract_zip, inside

SPAN_TABLES = ("statistics", "events")
MAX_DESCRIPTOR_BYTES = 50_000_000  # ours is ~30 KB; a package from elsewhere may be anything


def _load_descriptor(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    path = root / "datapackage.json"
    if path.is_symlink():
        return None, [f"{path}: refused: datapackage.json is a symbolic link"]
    if not path.is_file():
        return None, [f"{path}: datapackage.json not found"]
    if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
        return None, [f"{path}: refused: datapackage.json of {path.stat().st_size} bytes is over the limit of "
                      f"{MAX_DESCRIPTOR_BYTES}"]
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        return None, [f"datapackage.json: not valid JSON ({type(err).__name__}: {str(err)[:200]})"]


def check_files(root: Path, descriptor: dict[str, Any]) -> list[str]:
    """Every resource file exists with the declared bytes and sha256 (frictionless skips this for Parquet)."""
    out = []
    for res in descriptor.get("resources", []):
        path = inside(root, res["path"])
        if not path.is_file():
            out.append(f"resource {res['name']}: file {res['path']} is missing")
            continue
        size = path.stat().st_size
        if res.get("bytes") is not None and size != res["bytes"]:
            out.append(f"resource {res['name']}: check bytes failed: {res['path']} has {size} bytes, "
                       f"datapackage.json says {res['bytes']}")
        declared = str(res.get("hash", "")).removeprefix("sha256:")
        if declared and sha256_file(path) != declared:
            out.append(f"resource {res['name']}: check hash failed: sha256 of {res['path']} differs from "
                       "datapackage.json")
    return out


def _read_parquet(root: Path, descriptor: dict[str, Any], name: str) -> tuple[Any, list[str]]:
    res = next((r for r in descriptor.get("resources", []) if r["name"] == name), None)
    if res is None:
        return None, [f"resource {name}: not in datapackage.json"]
    try:
        return pq.read_table(inside(root, res["path"])), []
    except Exception as err:  # a truncated or foreign file: report it, don't crash
        return None, [f"resource {name}: cannot read {res['path']} as Parquet ({type(err).__name__}: {err})"]


def check_tables(root: Path, descriptor: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """pandera on each Parquet table, its columns against the schema, and its CSV twin cell for cell."""
    tables, out = {}, []
    for name in TABLES:
        table, errs = _read_parquet(root, descriptor, name)
        out += errs
        if table is None:
            continue
        expected = spec(name).arrow_schema()
        if table.schema.names != expected.names or any(
            a.type != b.type for a, b in zip(table.schema, expected, strict=False)
        ):
            out.append(f"resource {name}: check schema failed: columns {table.schema.names} with types "
                       f"{[str(f.type) for f in table.schema]} differ from schemas/{name}.yaml")
            continue
        tables[name] = table
        out += [str(f) for f in validate_table(name, table)]
        out += _check_csv_twin(root, descriptor, name, table)
    return tables, out


def _check_csv_twin(root: Path, descriptor: dict[str, Any], name: str, table: Any) -> list[str]:
    res = next((r for r in descriptor.get("resources", []) if r["name"] == f"{name}-csv"), None)
    if res is None:
        return [f"resource {name}-csv: not in datapackage.json"]
    path = inside(root, res["path"])
    if not path.is_file():
        return []  # reported by check_files
    if path.read_bytes() == csv_string(table).encode("utf-8"):
        return []  # the twin as the build writes it (and else, the cells compared below say where it differs)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (UnicodeDecodeError, csv.Error) as err:
        return [f"resource {name}-csv: cannot read {res['path']} as UTF-8 CSV ({type(err).__name__}: {err})"]
    if not rows or rows[0] != table.column_names:
        return [f"resource {name}-csv: check header failed: columns {rows[0] if rows else []} differ from "
                f"{table.column_names}"]
    # Compared as written: a formula cell that is not neutralised (publish.csv_text) is a difference.
    expected = [[csv_text(v) for v in r.values()] for r in table.to_pylist()]
    if rows[1:] != expected:
        bad = [r[0] for r, e in zip(rows[1:], expected, strict=False) if r != e]
        detail = f"rows {bad[:5]}" if bad else f"{len(rows) - 1 - len(expected):+d} rows"
        return [f"resource {name}-csv: check parquet-csv-agree failed: {detail} differ from {name}.parquet"]
    return []


def load_texts(root: Path, tables: dict[str, Any], texts: Path | None) -> tuple[dict[str, str | None], list[str]]:
    """Each source's text (``None`` when absent), checked against its declared sha256."""
    out: list[str] = []
    text_of: dict[str, str | None] = {}
    if "sources" not in tables:
        return text_of, out
    for src in tables["sources"].to_pylist():
        sid = src["source_id"]
        try:
            candidates = ([inside(texts, f"{sid}.txt"), inside(texts, src["path"])] if texts else []) + [
                inside(root, src["path"])]
        except PackageRefused as err:
            text_of[sid] = None
            out.append(f"resource sources: row {sid}: check path failed: refused: {err}")
            continue
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            text_of[sid] = None
            out.append(f"resource sources: row {sid}: check text-available failed: no text at {src['path']} "
                       "(pass --texts DIR for a package built with --no-texts)")
            continue
        text_of[sid] = None  # a text that is not the declared one is not used for the span checks
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != src["sha256"]:
            out.append(f"resource sources: row {sid}: check sha256 failed: {path} does not match")
            continue
        try:
            text_of[sid] = raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as err:
            out.append(f"resource sources: row {sid}: check utf-8 failed: {path} byte {err.start} is not UTF-8")
    return text_of, out


def span_problems(tables: dict[str, Any], text_of: dict[str, str | None]) -> list[tuple[str, int, str, str]]:
    """``(table, row index, row id, check)`` of every row whose source does not exist ("foreign-key")
    or whose quote differs from text[char_start:char_end] of its source ("quote-span")."""
    out: list[tuple[str, int, str, str]] = []
    if "sources" not in tables:
        return out
    for name in SPAN_TABLES:
        if name not in tables:
            continue
        key = spec(name).primary_key
        for i, row in enumerate(tables[name].to_pylist()):
            sid = row["source_id"]
            if sid not in text_of:
                out.append((name, i, row[key], "foreign-key"))
                continue
            text = text_of[sid]
            if text is not None and text[row["char_start"]:row["char_end"]] != row["quote"]:
                out.append((name, i, row[key], "quote-span"))
    return out


def check_spans(tables: dict[str, Any], text_of: dict[str, str | None]) -> list[str]:
    """Every row names a source, and every quote == text[char_start:char_end] of that source."""
    out: list[str] = []
    for name, i, row_id, check in span_problems(tables, text_of):
        row = tables[name].slice(i, 1).to_pylist()[0]
        if check == "foreign-key":
            out.append(f"resource {name}: row {row_id}: check foreign-key failed: source_id {row['source_id']!r} "
                       "names no source")
        else:
            out.append(f"resource {name}: row {row_id}: check quote-span failed: quote != "
                       f"text[{row['char_start']}:{row['char_end']}] of {row['source_id']}")
    return out


DATE_COLUMNS = {"statistics": ("period_start", "period_end", "baseline_start", "baseline_end"),
                "events": ("date_start", "date_end")}
START_COLUMN = {"statistics": "period_start", "events": "date_start"}


@dataclass(frozen=True)
class DateProblem:
    """A date of a row outside the plausible window."""

    table: str
    index: int
    row_id: str
    column: str
    value: dt.date
    window: str


def date_problems(tables: dict[str, Any]) -> list[DateProblem]:
    """Dates outside the plausible window (schemas/plausible.yaml): before ``earliest``, in a year more
    than ``years_after_publication`` after the article's anchoring publication date, or (the start of
    a period or event) more than that many years of 366 days after it, as the Great Expectations suites
    check. An inferred date of publication is a lower bound, no anchor (``tables.publication_anchors``)."""
    if "sources" not in tables:
        return []
    rules = plausible()["dates"]
    earliest = rules["earliest"]
    years = int(rules["years_after_publication"])
    anchor_of = publication_anchors(tables["sources"].to_pylist())
    out = []
    for name, columns in DATE_COLUMNS.items():
        if name not in tables:
            continue
        key = spec(name).primary_key
        for i, row in enumerate(tables[name].to_pylist()):
            anchor = anchor_of.get(row["source_id"])
            latest = anchor.replace(year=anchor.year + years + 1, month=1, day=1) if anchor else None
            for col in columns:
                d = row.get(col)
                if d is None:
                    continue
                last = latest - dt.timedelta(days=1) if latest else None
                if col == START_COLUMN[name] and anchor is not None:
                    last = min(last, anchor + dt.timedelta(days=366 * years)) if last else last
                if d < earliest or (last is not None and d > last):
                    window = f"{earliest}..{last}" if last else f">= {earliest}"
                    out.append(DateProblem(name, i, row[key], col, d, window))
    return out


def check_dates(tables: dict[str, Any]) -> list[str]:
    """Dates within the plausible window: not before ``earliest``, not years after the article appeared."""
    return [f"resource {p.table}: row {p.row_id}: check plausible-date failed: {p.column} {p.value} "
            f"outside {p.window} (schemas/plausible.yaml)" for p in date_problems(tables)]


@dataclass
class PackageCheck:
    """Outcome of checking a package: failures stop a build, warnings travel with the package."""

    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)  # summary for build-report.json (deterministic)
    expectations: Any = None  # the ExpectationsResult when the suites ran (for the HTML report)


def check_package(root: Path, texts: Path | None = None, reports_dir: Path | None = None,
                  previous: Path | None = None, allow_shrink_reason: str | None = None) -> PackageCheck:
    """Every check on a package folder or a release zip: files (bytes, sha256), frictionless, schema,
    pandera, CSV twins, texts and quote spans, plausible dates, then the Great Expectations suites
    (Data Docs into ``reports_dir/quality/`` when given; row counts against the ``previous`` package)."""
    if root.is_file() and zipfile.is_zipfile(root):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                extract_zip(root, Path(tmp))  # bounded and checked before anything is inflated
            except (PackageRefused, zipfile.BadZipFile) as err:
                return PackageCheck(failures=[f"{root}: refused: {err}"])
            found = sorted(Path(tmp).rglob("datapackage.json"), key=lambda p: len(p.parts))
            if not found:
                return PackageCheck(failures=[f"{root}: no datapackage.json in the archive"])
            return check_package(found[0].parent, texts, reports_dir, previous, allow_shrink_reason)
    descriptor, out = _load_descriptor(root)
    if descriptor is None:
        return PackageCheck(failures=out)
    refused = check_descriptor(root, descriptor)
    if refused:  # nothing it names is read or fetched
        return PackageCheck(failures=refused)
    with frictionless_beside(root) as frictionless:  # on another core while this process checks the rest
        out += check_files(root, descriptor)
        tables, table_errs = check_tables(root, descriptor)
        text_of, errs = load_texts(root, tables, texts)
        rest = table_errs + errs + check_spans(tables, text_of) + check_dates(tables)
        ge = None
        if all(name in tables for name in TABLES):
            from pipeline.expectations import run_expectations

            ge = run_expectations(tables, text_of, previous, reports_dir, allow_shrink_reason)
        out += frictionless.result() + rest  # the order of a serial run: files, frictionless, tables, ...
    check = PackageCheck(failures=list(out))  # a copy: GE adds its own below
    if ge is not None:
        check.failures += ge.messages("critical")
        check.warnings += ge.messages("warning")
        check.quality["great_expectations"] = ge.summary()
        check.expectations = ge
    else:
        check.quality["great_expectations"] = "not run: a table could not be read"
    check.quality["package_checks_failed"] = len(out)
    return check


class _Done:
    """A result already at hand, with the ``result()`` of a future."""

    def __init__(self, value: list[str]) -> None:
        self.value = value

    def result(self) -> list[str]:
        return self.value


class _Child:
    """``check_frictionless`` running in a child interpreter: its messages, as JSON on its stdout. Should
    the child fail (killed, out of memory), the same checks run here: the verdict never depends on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        code = "import sys; from pipeline.frictionless_check import child_main; child_main(sys.argv[1])"
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)

    def result(self) -> list[str]:
        out, _ = self.proc.communicate()
        try:
            if self.proc.returncode == 0:
                return [str(m) for m in json.loads(out)]
        except ValueError:
            pass
        return check_frictionless(self.root)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def frictionless_beside(root: Path) -> Iterator[Any]:
    """``check_frictionless(root)`` started in a separate process (when this machine has more than one
    core), so that frictionless, pure Python and row by row, runs while this process runs pandera and
    Great Expectations; yields an object whose ``result()`` is its messages. The child gets a path and
    returns strings: no table is sent either way. With one core, or where no process can be started,
    it runs here."""
    if (os.cpu_count() or 1) < 2:
        yield _Done(check_frictionless(root))
        return
    try:
        # A fresh interpreter (not multiprocessing's fork or spawn): nothing of the build's threads is
        # inherited, and no caller's __main__ is imported again.
        child = _Child(root)
    except OSError:  # no process to spare (limits): the same checks, here
        yield _Done(check_frictionless(root))
        return
    try:
        yield child
    finally:
        child.stop()  # only when the caller failed before asking for the result


def validate_package(root: Path, texts: Path | None = None) -> list[str]:
    """All checks on a package folder or a release zip; an empty list means valid."""
    return check_package(root, texts).failures
