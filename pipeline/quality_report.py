"""The quality report's front page: ``quality/index.html``, static and readable offline.

Written for every build, also one that failed before Great Expectations ran: the
build's verdict and counts (the same as the CLI's and Prefect's, all from the
build report), its failed checks, quarantined rows and warnings, then the suites.

Written by hand because GX's own Data Docs index fills its tables with jQuery and
bootstrap-table fetched from CDNs, so with no network (our build's rule) it shows
empty tables. This page lists every expectation of every suite with its outcome
and links to GX's per-suite validation pages, which render without scripts; GX's
index is kept beside it as ``gx-index.html``.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.tables import TABLES

if TYPE_CHECKING:
    from pipeline.expectations import ExpectationsResult

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;width:100%;margin-bottom:2em}th,td{border:1px solid #ccc;padding:.3em .5em;
text-align:left;vertical-align:top;font-size:.9em}.passed{color:#176f2c}.failed{color:#b00020;font-weight:bold}
.warning{color:#8a5a00;font-weight:bold}code{font-size:.95em}"""


def report_counts(report: dict[str, Any]) -> dict[str, int]:
    """The counts every view of a build shows (CLI, build-report.json, Prefect artifacts, this page),
    all taken from the build report so that they agree."""
    quality = report.get("quality", {})
    return {"articles": report.get("articles_built", 0), "rejected": len(report.get("rejected", [])),
            "quarantined": len(report.get("quarantine", [])), "failed": len(quality.get("failures", [])),
            "warnings": len(quality.get("warnings", []))}


def counts_line(report: dict[str, Any]) -> str:
    """The counts as one line: the same words in the CLI, the Prefect summary and this page."""
    c = report_counts(report)
    counted = report.get("rows", {})  # in table order: a report read back from JSON has its keys sorted
    order = sorted(counted, key=lambda k: (TABLES.index(k) if k in TABLES else len(TABLES), k))
    rows = ", ".join(f"{k}={counted[k]}" for k in order)
    return (f"{rows or 'no rows'}; rejected articles: {c['rejected']}; rows quarantined: {c['quarantined']}; "
            f"checks failed: {c['failed']}; quality warnings: {c['warnings']}")


def _status(outcome: dict[str, Any]) -> tuple[str, str]:
    if outcome["success"]:
        return "passed", "passed"
    return ("failed", "FAILED") if outcome["severity"] == "critical" else ("warning", "warning")


def _cell(value: Any) -> str:
    if value is None or value == []:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return html.escape(text)


def _build_section(report: dict[str, Any]) -> list[str]:
    """The build's verdict, counts, failed checks, quarantined rows and warnings."""
    quality = report.get("quality", {})
    published = bool(report.get("published"))
    parts = [
        f'<p id="verdict" class="{"passed" if published else "failed"}">'
        f'{"PUBLISHED" if published else "NOT PUBLISHED"}: {html.escape(counts_line(report))}.</p>',
        "<p>A failed check stops the build and publishes nothing; a row that fails a row check is "
        "quarantined (left out of its table and listed below); warnings are published with the package "
        "in build-report.json.</p>",
        f'<h2 id="failures">Failed checks ({len(quality.get("failures", []))})</h2>',
        "<ul>" + "".join(f"<li><code>{_cell(f)}</code></li>" for f in quality.get("failures", [])) + "</ul>",
        f'<h2 id="quarantine">Quarantined rows ({len(report.get("quarantine", []))})</h2>',
        "<table><thead><tr><th>Table</th><th>Row</th><th>File</th><th>Check</th><th>Values</th><th>Quote</th>"
        "</tr></thead><tbody>",
        *(f"<tr><td>{_cell(q['table'])}</td><td>{_cell(q['row_id'])}</td><td>{_cell(q['file'])}</td>"
          f"<td>{_cell(q['check'])}</td><td>{_cell(q['values'])}</td><td>{_cell(q['quote'])}</td></tr>"
          for q in report.get("quarantine", [])),
        "</tbody></table>",
        f'<h2 id="warnings">Warnings ({len(quality.get("warnings", []))})</h2>',
        "<ul>" + "".join(f"<li><code>{_cell(w)}</code></li>" for w in quality.get("warnings", [])) + "</ul>",
    ]
    return parts


def render_index(result: ExpectationsResult | None, pages: dict[str, str], allow_shrink_reason: str | None,
                 report: dict[str, Any] | None = None) -> str:
    """The page as a string: the build's verdict and rows set aside (with ``report``, the build
    report) or the suites' verdict, then one table per suite (``pages`` maps a suite to the relative
    link of its GX validation page)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Quality report</title>',
        f"<style>{STYLE}</style></head><body>",
    ]
    if report is not None:
        parts += ["<h1>Quality report of the build</h1>", *_build_section(report)]
    if result is None:
        ge = (report or {}).get("quality", {}).get("great_expectations")
        why = ge if isinstance(ge, str) else "the build stopped before the package was staged"
        parts.append(f"<h2>Great Expectations suites</h2><p>Not run: {html.escape(why)}.</p></body></html>")
        return "\n".join(parts) + "\n"
    critical = sum(c["failed_critical"] for c in result.counts.values())
    warnings = sum(c["failed_warning"] for c in result.counts.values())
    verdict = "FAILED" if critical else "PASSED"
    parts += [
        "<h1>Quality report: Great Expectations suites</h1>" if report is None
        else "<h2>Great Expectations suites</h2>",
        f'<p id="suites-verdict" class="{"failed" if critical else "passed"}">{verdict}: {critical} critical '
        f"failure(s), {warnings} warning(s). A critical failure stops the build; warnings are published "
        "with the package in build-report.json.</p>",
    ]
    if allow_shrink_reason:
        parts.append(f"<p>Row-count gate lifted by the build: {html.escape(allow_shrink_reason)}</p>")
    for table, counts in result.counts.items():
        link = pages.get(table)
        parts.append(f'<h2 id="suite-{html.escape(table)}">Suite {html.escape(table)}</h2>')
        parts.append(
            f"<p>{counts['evaluated']} evaluated, {counts['passed']} passed, {counts['failed_critical']} failed "
            f"(critical), {counts['failed_warning']} warning(s)."
            + (f' <a href="{html.escape(link)}">Great Expectations validation page</a>' if link else "")
            + "</p>"
        )
        parts.append("<table><thead><tr><th>Status</th><th>Severity</th><th>Expectation</th><th>Column</th>"
                     "<th>Why</th><th>Rows</th><th>Unexpected</th></tr></thead><tbody>")
        for o in (o for o in result.outcomes if o["table"] == table):
            css, label = _status(o)
            parts.append(
                f'<tr class="{css}"><td class="{css}">{label}</td><td>{_cell(o["severity"])}</td>'
                f"<td><code>{_cell(o['expectation'])}</code></td><td>{_cell(o['column'])}</td>"
                f"<td>{_cell(o['notes'])}</td><td>{_cell(o['rows'])}</td><td>{_cell(o['unexpected'])}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append('<p><a href="gx-index.html">Great Expectations Data Docs index</a> '
                 "(its tables load scripts from CDNs).</p></body></html>")
    return "\n".join(parts) + "\n"


def write_index(folder: Path, result: ExpectationsResult | None, allow_shrink_reason: str | None = None,
                report: dict[str, Any] | None = None) -> Path:
    """Move GX's index to ``gx-index.html`` and write ours as ``index.html``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    gx_index = folder / "index.html"
    if gx_index.is_file() and not (folder / "gx-index.html").is_file():
        gx_index.replace(folder / "gx-index.html")
    pages = {}
    for table in result.counts if result is not None else ():
        found = sorted((folder / "validations" / table).rglob("*.html"))
        if found:
            pages[table] = found[-1].relative_to(folder).as_posix()
    index = folder / "index.html"
    index.write_text(render_index(result, pages, allow_shrink_reason, report), encoding="utf-8")
    return index


def write_build_page(folder: Path, report: dict[str, Any], result: ExpectationsResult | None,
                     allow_shrink_reason: str | None = None) -> Path:
    """``index.html`` of a build, whatever became of it: when the suites did not run, the Data Docs
    of an earlier build are removed first, so the folder shows this build only."""
    if result is None:
        shutil.rmtree(folder, ignore_errors=True)
    return write_index(folder, result, allow_shrink_reason, report)
