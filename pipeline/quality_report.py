"""The quality report's front page: ``quality/index.html``, static and readable offline.

Written by hand because GX's own Data Docs index fills its tables with jQuery and
bootstrap-table fetched from CDNs, so with no network (our build's rule) it shows
empty tables. This page lists every expectation of every suite with its outcome
and links to GX's per-suite validation pages, which render without scripts; GX's
index is kept beside it as ``gx-index.html``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.expectations import ExpectationsResult

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;width:100%;margin-bottom:2em}th,td{border:1px solid #ccc;padding:.3em .5em;
text-align:left;vertical-align:top;font-size:.9em}.passed{color:#176f2c}.failed{color:#b00020;font-weight:bold}
.warning{color:#8a5a00;font-weight:bold}code{font-size:.95em}"""


def _status(outcome: dict[str, Any]) -> tuple[str, str]:
    if outcome["success"]:
        return "passed", "passed"
    return ("failed", "FAILED") if outcome["severity"] == "critical" else ("warning", "warning")


def _cell(value: Any) -> str:
    if value is None or value == []:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return html.escape(text)


def render_index(result: ExpectationsResult, pages: dict[str, str], allow_shrink_reason: str | None) -> str:
    """The page as a string: an overall verdict, then one table per suite (``pages`` maps a suite to
    the relative link of its GX validation page)."""
    critical = sum(c["failed_critical"] for c in result.counts.values())
    warnings = sum(c["failed_warning"] for c in result.counts.values())
    verdict = "FAILED" if critical else "PASSED"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Quality report: Great Expectations</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>Quality report: Great Expectations suites</h1>",
        f'<p id="verdict" class="{"failed" if critical else "passed"}">{verdict}: {critical} critical '
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


def write_index(folder: Path, result: ExpectationsResult, allow_shrink_reason: str | None = None) -> Path:
    """Move GX's index to ``gx-index.html`` and write ours as ``index.html``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    gx_index = folder / "index.html"
    if gx_index.is_file():
        gx_index.replace(folder / "gx-index.html")
    pages = {}
    for table in result.counts:
        found = sorted((folder / "validations" / table).rglob("*.html"))
        if found:
            pages[table] = found[-1].relative_to(folder).as_posix()
    index = folder / "index.html"
    index.write_text(render_index(result, pages, allow_shrink_reason), encoding="utf-8")
    return index
