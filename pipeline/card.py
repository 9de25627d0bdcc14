"""The dataset card (README.md of a release) and its charts: what a downloader sees first.

The card states the coverage (sources by publisher and date, rows per table, per type and per date
precision, date ranges), the figures on which sources disagree, how to load the files, and shows two
charts rendered with matplotlib as SVG. The charts are deterministic: Agg/SVG backend, the bundled
DejaVu Sans font drawn as paths, a fixed ``svg.hashsalt`` for element ids and no date or creator in
the metadata, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from pipeline.diff import PackageView  # noqa: E402
from pipeline.tables import TABLES  # noqa: E402

CHART_EVENTS = "charts/events-per-month.svg"
CHART_STATISTICS = "charts/statistics-over-time.svg"
MAX_PANELS = 6  # metric panels in the statistics chart (the most frequent dated (metric, unit) pairs)
_MONTHLY = {"day", "weekend", "month"}
_STYLE = {
    "svg.hashsalt": "ecuador-security-data",  # element ids from a fixed salt, not a random one
    "svg.fonttype": "path",                   # glyphs as paths: no dependence on the viewer's fonts
    "font.family": "DejaVu Sans",             # bundled with matplotlib
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buf.getvalue()


def _month(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def events_per_month(events: list[dict[str, Any]]) -> tuple[dict[str, Counter], int]:
    """Events dated to a month or finer, counted per month and type; and how many are left out (coarser dates)."""
    per: dict[str, Counter] = defaultdict(Counter)
    left = 0
    for e in events:
        if e.get("date_start") and e["date_precision"] in _MONTHLY:
            per[_month(e["date_start"])][e["event_type"]] += 1
        else:
            left += 1
    return dict(sorted(per.items())), left


def chart_events(events: list[dict[str, Any]]) -> bytes:
    """Stacked bars: events per month by type (events dated to a month or finer)."""
    per, left = events_per_month(events)
    types = sorted({t for c in per.values() for t in c})
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4))
        months = list(per)
        bottom = [0] * len(months)
        cmap = plt.get_cmap("tab20")
        for i, typ in enumerate(types):
            heights = [per[m][typ] for m in months]
            bars = ax.bar(months, heights, bottom=bottom, label=typ, color=cmap(i % 20))
            for bar, month, h in zip(bars, months, heights, strict=True):
                bar.set_gid(f"events-{month}-{typ}" if h else None)  # SVG ids: the chart can be checked
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_ylabel("events")
        ax.set_title(f"Events per month by type ({sum(bottom)} dated to a month or finer; {left} with coarser "
                     f"or no dates not shown)", fontsize=9)
        ax.yaxis.get_major_locator().set_params(integer=True)
        if not months:
            ax.text(0.5, 0.5, "no event dated to a month or finer", ha="center", transform=ax.transAxes)
        ax.tick_params(axis="x", labelrotation=45)
        if types:
            ax.legend(fontsize=7, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
        fig.tight_layout()
        return _svg(fig)


def statistic_panels(statistics: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """The dated (metric, unit) pairs the statistics chart shows, most rows first (then by name)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in statistics:
        if s.get("period_start") and s.get("period_end") and not s["is_change"]:
            groups[(s["metric"], s["unit"])].append(s)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_PANELS]
    return [(metric, unit, sorted(rows, key=lambda r: r["statistic_id"])) for (metric, unit), rows in ranked]


def chart_statistics(statistics: list[dict[str, Any]]) -> bytes:
    """One panel per metric and unit: each value as a segment over its period, one colour per source."""
    panels = statistic_panels(statistics)
    sources = sorted({r["source_id"] for _, _, rows in panels for r in rows})
    colour = {s: plt.get_cmap("tab10")(i % 10) for i, s in enumerate(sources)}
    cols = 2
    nrows = max(1, -(-len(panels) // cols))
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(nrows, cols, figsize=(9, 2.6 * nrows), squeeze=False)
        for ax in axes.flat[len(panels):]:
            ax.axis("off")
        if not panels:
            axes.flat[0].text(0.5, 0.5, "no dated statistic", ha="center", transform=axes.flat[0].transAxes)
        for ax, (metric, unit, rows) in zip(axes.flat, panels, strict=False):
            for r in rows:
                start, end = r["period_start"], r["period_end"] + dt.timedelta(days=1)
                ax.plot([start, end], [r["value"], r["value"]], color=colour[r["source_id"]], linewidth=2.5,
                        solid_capstyle="butt")
                ax.plot([start + (end - start) / 2], [r["value"]], marker="o", markersize=4,
                        color=colour[r["source_id"]], gid=f"statistic-{r['statistic_id']}")
            ax.set_title(f"{metric} ({unit})", fontsize=9)
            locator = mdates.AutoDateLocator(minticks=2, maxticks=6)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.tick_params(axis="x", labelsize=7)
            if min(r["value"] for r in rows) >= 0:
                ax.set_ylim(bottom=0, top=max(r["value"] for r in rows) * 1.15 or 1)
        handles = [plt.Line2D([], [], color=colour[s], marker="o", linewidth=2.5, label=s) for s in sources]
        if handles:
            fig.legend(handles=handles, title="source", fontsize=7, title_fontsize=8, frameon=False,
                       loc="lower center", ncol=min(4, len(handles)), bbox_to_anchor=(0.5, 0))
        fig.suptitle("Statistics over time: each figure spans its period; one colour per source", fontsize=10)
        fig.tight_layout(rect=(0, 0.06 + 0.02 * (len(handles) // 4), 1, 1))
        return _svg(fig)


def charts(view: PackageView) -> dict[str, bytes]:
    """The card's charts, by path inside the release."""
    return {CHART_EVENTS: chart_events(view.rows["events"]),
            CHART_STATISTICS: chart_statistics(view.rows["statistics"])}


def conflicts(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The claims flagged ``conflict`` (pipeline.claims), each with its member statistics (by source, then
    id) under ``statistics``; ordered by metric, period and claim id. ``rows``: a package's rows by table."""
    stats = {s["statistic_id"]: s for s in rows.get("statistics", [])}
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in rows.get("claim_statistics", []):
        if link["statistic_id"] in stats:
            members[link["claim_id"]].append(stats[link["statistic_id"]])
    found = [c for c in rows.get("claims", []) if c["conflict"]]
    found.sort(key=lambda c: (c["metric"], c["period_start"], c["period_end"], c["claim_id"]))
    return [{**c, "statistics": sorted(members[c["claim_id"]], key=lambda s: (s["source_id"], s["statistic_id"]))}
            for c in found]


def _cell(text: Any) -> str:
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def disagreements(rows: dict[str, list[dict[str, Any]]], level: int = 2) -> list[str]:
    """Markdown: the section "Where sources disagree" (``level``: its heading level): what a claim and a
    conflict are, then :func:`conflict_tables`."""
    n_claims = len(rows.get("claims", []))
    shared = sum(1 for c in rows.get("claims", []) if c["n_sources"] > 1)
    return ["#" * level + " Where sources disagree", "",
            "The `claims` table groups the statistics that measure the same quantity (metric, unit, place, period",
            f"and, for changes, baseline): {n_claims} claims, {shared} stated by more than one source. A claim is a",
            "conflict when two sources give values that cannot both hold once their qualifiers (\"more than\",",
            "\"about\", ranges) and the rounding of the numbers as written are allowed for",
            "(`schemas/tolerance.yaml`).", "", *conflict_tables(rows, level + 1)]


def conflict_tables(rows: dict[str, list[dict[str, Any]]], level: int = 3) -> list[str]:
    """Markdown: the number of conflicts, then one heading (``level``) and table per conflicting claim,
    its sources' figures and quotes side by side."""
    found = conflicts(rows)
    lines = [f"Conflicts: {len(found)}.", ""]
    for c in found:
        where = c["country_code"] + (f", {c['place']}" if c.get("place") else "")
        change = f", change from {c['baseline_start']} to {c['baseline_end']}" if c["is_change"] else ""
        what = f"{c['metric']} ({c['unit']}{change})"
        lines += ["#" * level + f" {what}, {where}, {c['period_start']} to {c['period_end']}", "",
                  f"Values {c['value_min']:g} to {c['value_max']:g} (median {c['value_median']:g}, spread "
                  f"{'-' if c['spread'] is None else format(c['spread'], 'g')}) from {c['n_sources']} sources; claim "
                  f"`{c['claim_id']}`.", ""]
        lines += _table(("source", "value", "as written", "qualifier", "period as written", "quote"), [
            (f"`{s['source_id']}`", f"{s['value']:g}", _cell(s["value_text"]), s["qualifier"],
             _cell(s["period_text"]) or "-", _cell(s["quote"])) for s in c["statistics"]])
    return lines


def _table(head: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _range(dates: list[dt.date]) -> str:
    return f"{min(dates).isoformat()} to {max(dates).isoformat()}" if dates else "none"


def coverage(view: PackageView) -> list[str]:
    """Markdown: what the release covers, in counts."""
    sources, stats, events = (view.rows[t] for t in ("sources", "statistics", "events"))
    lines = ["## Coverage", "", "Rows per table:", ""]
    lines += _table(("table", "rows"), [(t, len(view.rows[t])) for t in TABLES])
    pub = Counter(s.get("publisher") or "(unknown)" for s in sources)
    lines += ["Sources by publisher:", ""]
    lines += _table(("publisher", "articles"), sorted(pub.items(), key=lambda kv: (-kv[1], kv[0])))
    when = Counter((_month(s["published_date"]) if s["published_date_precision"] in ("day", "month")
                    else str(s["published_date"].year)) if s.get("published_date") else "(unknown)"
                   for s in sources)
    lines += ["Sources by publication date (month, or year when only the year is known):", ""]
    lines += _table(("published", "articles"), sorted(when.items()))
    lines += [f"- Publication dates: {_range([s['published_date'] for s in sources if s.get('published_date')])}",
              f"- Statistics' periods: {_range([d for s in stats for d in (s['period_start'], s['period_end']) if d])}",
              f"- Event dates: {_range([d for e in events for d in (e['date_start'], e['date_end']) if d])}", ""]
    lines += ["Statistics per metric and unit:", ""]
    lines += _table(("metric", "unit", "rows"), sorted(((m, u, n) for (m, u), n in Counter(
        (s["metric"], s["unit"]) for s in stats).items()), key=lambda r: (-r[2], r[0], r[1])))
    lines += ["Events per type:", ""]
    lines += _table(("event type", "rows"), sorted(Counter(e["event_type"] for e in events).items(),
                                                  key=lambda kv: (-kv[1], kv[0])))
    lines += ["Date precision (how exactly the text dates a row; defined in CODEBOOK.md):", ""]
    precisions = sorted({s["period_precision"] for s in stats} | {e["date_precision"] for e in events})
    sp, ep = Counter(s["period_precision"] for s in stats), Counter(e["date_precision"] for e in events)
    lines += _table(("precision", "statistics (period)", "events (date)"), [(p, sp[p], ep[p]) for p in precisions])
    return lines


def loading_snippets() -> list[str]:
    """Markdown: reading the release's own files (paths relative to the unpacked folder)."""
    return [
        "## Loading the data", "",
        "Paths are relative to this folder. Parquet keeps the real types (dates are `date32`, `actors` is",
        "`list<string>`, integers stay integers with nulls); the CSV twins are UTF-8 with empty cells for null.", "",
        "```python",
        "import duckdb",
        "duckdb.sql(\"select metric, value, unit, period_start, quote from 'data/statistics.parquet'\").show()",
        "",
        "import pandas as pd  # dtype_backend='pyarrow': date32 dates, list<string> actors, int64 with nulls",
        "events = pd.read_parquet(\"data/events.parquet\", dtype_backend=\"pyarrow\")",
        "",
        "import polars as pl",
        "stats = pl.read_parquet(\"data/statistics.parquet\")",
        "```", "",
        "```r",
        "library(arrow)",
        "events <- read_parquet(\"data/events.parquet\")",
        "```", "",
        "Without code: open `index.html` in a browser (offline; filter and sort the rows, open one to see its",
        "quote highlighted in the article), or serve the SQLite copy with",
        "`datasette ecuador.db -m metadata.json` (full-text search on the quotes).", "",
    ]


def demoted(markdown: str) -> str:
    """``markdown`` one heading level down (to sit inside another document), without HTML comments."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("<!--"):
            continue
        out.append("#" + line if re.match(r"#{1,5} ", line) else line)
    return "\n".join(out).strip("\n") + "\n"


def dataset_card(descriptor: dict[str, Any], view: PackageView, codebook: str = "") -> str:
    """README.md of the archive: coverage, charts, conflicts, loading, method, limitations, citation, license,
    and the codebook (``codebook``, CODEBOOK.md's text) at the end."""
    lines = [f"# {descriptor['title']} — version {descriptor['version']}", "", descriptor["description"], "",
             "## Contents", "",
             "- `data/<table>.parquet` and `data/<table>.csv` for " + ", ".join(f"`{t}`" for t in TABLES),
             "- `CODEBOOK.md`: every column, unit, category and convention, defined",
             "- `index.html`: a browser for the rows and their quotes, offline",
             "- `ecuador.db` and `metadata.json`: the same tables in SQLite, ready for `datasette`",
             "- `charts/`: the charts below (SVG)",
             "- `articles/`: the article texts (when included), `datapackage.json`: the Data Package descriptor",
             "- `CHANGELOG.md`, `CITATION.cff`, `LICENSE`", ""]
    lines += coverage(view)
    lines += ["## Charts", "", f"![Events per month by type]({CHART_EVENTS})", "",
              f"![Statistics over time, one colour per source]({CHART_STATISTICS})", ""]
    lines += disagreements(view.rows)
    lines += loading_snippets()
    lines += [
        "## Codebook", "",
        "Every column, unit and category (metrics, event types, qualifiers, precisions, bases) is defined in",
        "`CODEBOOK.md`, with the conventions the data follows (offsets, dates as intervals, periods, number",
        "normalisation, never imputing); it is reproduced at the end of this card.", "",
        "## How it was made", "",
        "Statistics and events are extracted automatically by rule-based readers of news prose (spaCy's",
        "tokenizer and sentencizer, vocabularies and lexicons kept as data), validated with pandera, Great",
        "Expectations and frictionless, and published with the sentence that states each row.", "",
        "## Limitations", "",
        "- Automated extraction: rows can be wrong or missing; every row carries its quote so it can be checked.",
        "- Figures are what the articles say, with their attribution; disagreeing sources are kept side by side.",
        "- Dates the text does not give stay null; relative dates are resolved against the publication date.", "",
        "## Article texts", "",
        "The texts in `articles/` (when present) remain their publishers' work and are included only so that",
        "each quote can be verified against its source; `datapackage.json` lists each with its sha256. Packages",
        "built with `--no-texts` carry only hashes and links.", "",
        "## How to cite", "",
        f"{descriptor['title']}, version {descriptor['version']}. See CITATION.cff.", "",
        "## License", "",
        ", ".join(lic.get("title", lic["name"]) for lic in descriptor["licenses"]) + " (the data); see LICENSE.", "",
    ]
    if codebook:
        lines += [demoted(codebook)]
    return "\n".join(lines)


README_START = "<!-- where-sources-disagree: generated by `python -m pipeline.card` from datapackage/; do not edit -->"
README_END = "<!-- /where-sources-disagree -->"


def refresh_readme(readme: str, view: PackageView) -> str:
    """``readme`` with its generated section "Where sources disagree" (between the markers) rebuilt from
    the package ``view`` (the committed datapackage/)."""
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return head + README_START + "\n" + "\n".join(conflict_tables(view.rows)) + "\n" + README_END + tail


def main(argv: list[str] | None = None) -> int:
    """Rewrite the README's "Where sources disagree" from the committed package (``[README [PACKAGE]]``)."""
    import sys
    from pathlib import Path

    from pipeline.diff import open_package

    argv = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parent.parent
    readme = Path(argv[0]) if argv else root / "README.md"
    package = Path(argv[1]) if len(argv) > 1 else root / "datapackage"
    readme.write_text(refresh_readme(readme.read_text(encoding="utf-8"), open_package(package)), encoding="utf-8")
    print(f"wrote {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
