"""Row quarantine: a row that fails a row-level check leaves its table, with its reason.

The row checks run on the assembled tables before anything is staged: pandera's
checks on one row (types, vocabularies, required values, the cross-column rules
of ``tables._row_checks``: unit allowed for the metric, plausible value,
ordered dates), plausible dates (``quality.date_problems``) and a quote equal to
its span of the article (``quality.span_problems``). A failing row goes to
``build-report.json`` → ``quarantine`` (table, row id, source, file, checks,
values, quote) and everything else is staged, so the package validation and
Great Expectations only ever see rows that passed. Nothing refers to a
statistics or events row, so dropping one leaves no dangling reference; a
``sources`` row is never quarantined (its rows would dangle): its failure stays
critical, as do the checks on the package as a whole (primary keys, foreign
keys, files, hashes, frictionless, Parquet = CSV, the shrink gate).

When more than ``max_quarantine`` of a table's rows fail (never less than one
row), something is systematically wrong and the build fails; ``strict``
quarantines nothing: any row failure fails the build.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow

from pipeline.quality import date_problems, span_problems
from pipeline.tables import EXTRACTED_TABLES, Failure, spec, validate_table

QUOTE_CHARS = 120  # a quote is shortened to about this many characters in a one-line message
DEFAULT_MAX_QUARANTINE = 0.02
QUARANTINABLE = ("statistics", "events")  # nothing refers to their rows: dropping one leaves no dangling key


@dataclass(frozen=True)
class QuarantinedRow:
    """One row set aside: where it came from, which checks it failed and with which values."""

    table: str
    row_id: str | None
    source_id: str | None
    file: str | None
    checks: tuple[str, ...]
    values: tuple[str, ...]
    quote: str | None

    def line(self) -> str:
        """One line a person can act on: table, row, file, checks with their values, the quote."""
        what = "; ".join(f"{c}: {v}" if v else c for c, v in zip(self.checks, self.values, strict=True))
        return (f"{self.table} {self.row_id or '(no id)'} (file {self.file or '?'}): {what}"
                + (f' — "{short_quote(self.quote)}"' if self.quote else ""))

    def to_json(self) -> dict[str, Any]:
        """The row's entry in build-report.json → quarantine."""
        return {"table": self.table, "row_id": self.row_id, "source_id": self.source_id, "file": self.file,
                "check": "; ".join(self.checks), "values": "; ".join(self.values), "quote": self.quote}


def short_quote(quote: str, limit: int = QUOTE_CHARS) -> str:
    """The quote on one line, cut to about ``limit`` characters."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


@dataclass
class Screening:
    """The tables with failing rows removed, the rows set aside, and what makes the build fail."""

    tables: dict[str, pyarrow.Table]
    quarantine: list[QuarantinedRow] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # critical: nothing may be published
    extracted: dict[str, int] = field(default_factory=dict)  # rows per table before quarantine
    reason: str | None = None  # one line: why the build fails (the ceiling, --strict, a package-level check)
    package_failures: list[str] = field(default_factory=list)  # pandera on a table as a whole, a sources row

    @property
    def quarantined(self) -> dict[str, int]:
        """Rows set aside per table (every table listed)."""
        counts = dict.fromkeys(EXTRACTED_TABLES, 0)
        for row in self.quarantine:
            counts[row.table] += 1
        return counts


def _label(f: Failure) -> tuple[str, str]:
    """A pandera failure as (check, values) a person can read."""
    if f.column is None:  # a row check: its name says what it checks, its value lists what it read
        return f.check, f.value or ""
    check = f.check
    if check.startswith("isin("):
        check = "in its vocabulary"
    elif check.startswith("str_matches("):
        check = "matches its pattern"
    elif check == "not_nullable":
        check = "required"
    return f"{f.column} {check}", f"{f.column}={f.value}"


def row_problems(tables: dict[str, pyarrow.Table], texts: dict[str, str | None]
                 ) -> tuple[dict[tuple[str, int], list[tuple[str, str]]], list[str]]:
    """Row-level failures by (table, row index) as (check, values), and the package-level failures."""
    problems: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    package: list[str] = []
    for name in EXTRACTED_TABLES:
        for f in validate_table(name, tables[name]):
            if f.row_level and f.index is not None:
                problems[(name, f.index)].append(_label(f))
            else:
                package.append(str(f))
    for p in date_problems(tables):
        problems[(p.table, p.index)].append(("plausible date (schemas/plausible.yaml)",
                                             f"{p.column}={p.value} outside {p.window}"))
    for name, i, row_id, check in span_problems(tables, texts):
        if check == "quote-span":
            row = tables[name].slice(i, 1).to_pylist()[0]
            problems[(name, i)].append(("quote matches its span",
                                        f"char_start={row['char_start']} char_end={row['char_end']}"))
        else:
            package.append(f"resource {name}: row {row_id}: check foreign-key failed: its source_id names no source")
    return dict(problems), package


def screen_rows(tables: dict[str, pyarrow.Table], texts: dict[str, str | None], files: dict[str, str],
                max_quarantine: float = DEFAULT_MAX_QUARANTINE, strict: bool = False) -> Screening:
    """Run the row checks; drop failing rows of statistics and events (unless ``strict``) and decide
    whether the build may go on. ``files`` maps a source_id to its file in the input folder."""
    problems, package = row_problems(tables, texts)
    extracted = {name: t.num_rows for name, t in tables.items()}
    rows: list[QuarantinedRow] = []
    bad: dict[str, set[int]] = defaultdict(set)
    for (name, i), found in problems.items():
        row = tables[name].slice(i, 1).to_pylist()[0]
        key = spec(name).primary_key
        sid = row.get("source_id")
        by_check: dict[str, list[str]] = {}
        for check, values in found:  # one check failed on two columns (period_start, period_end): one entry
            by_check.setdefault(check, []).append(values)
        entry = QuarantinedRow(name, row.get(key), sid, files.get(sid) if sid else None, tuple(by_check),
                               tuple(", ".join(v) for v in by_check.values()), row.get("quote"))
        if name in QUARANTINABLE:
            rows.append(entry)
            bad[name].add(i)
        else:
            package.append(entry.line())
    rows.sort(key=lambda r: (r.table, r.row_id or "", r.checks))
    kept = {}
    for name, table in tables.items():
        drop = bad.get(name)
        kept[name] = table.filter(pyarrow.array([i not in drop for i in range(table.num_rows)])) if drop else table
    screening = Screening(kept, rows, list(package), extracted, package_failures=list(package))
    if package:
        screening.reason = f"{len(package)} check(s) on the package failed"
    if strict and rows:
        screening.failures += [f"--strict: {r.line()}" for r in rows]
        strict_reason = f"--strict: {len(rows)} row(s) failed a row check"
        screening.reason = "; ".join(filter(None, [screening.reason, strict_reason]))
        return screening
    over = ceiling_breaches(screening.quarantined, extracted, max_quarantine)
    if over:
        screening.failures += over
        screening.reason = "; ".join(filter(None, [screening.reason, *over]))
    return screening


def ceiling_breaches(quarantined: dict[str, int], extracted: dict[str, int], max_quarantine: float) -> list[str]:
    """One line per table with more than ``max_quarantine`` of its rows quarantined. The ceiling is never
    below one row (one bad row of a small corpus is set aside, not fatal) unless ``max_quarantine`` is 0."""
    out = []
    for name in EXTRACTED_TABLES:
        n, total = quarantined.get(name, 0), extracted.get(name, 0)
        limit = max(1.0, max_quarantine * total) if max_quarantine > 0 else 0.0
        if n > limit:
            out.append(f"{n} of {total} {name} rows ({100 * n / total:.1f}%) quarantined, over the "
                       f"{100 * max_quarantine:.1f}% ceiling (--max-quarantine)")
    return out
