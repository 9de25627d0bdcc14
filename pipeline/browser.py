"""index.html of a release: one self-contained page to browse the rows offline.

No CDN, no server: the rows, the article texts and the charts are embedded in the page, with a small
script to filter and sort the statistics, events and sources, open a row and see its quote
highlighted inside the article text (offsets are code points, as in the data), and follow it to its
source. The page's state lives in the URL fragment (``#table=events&q=prison&sort=date_start&dir=desc
&row=ev_...``), so a view can be bookmarked or shared, and a test can drive it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from pipeline.diff import PackageView
from pipeline.tables import TABLES, csv_cell

# Columns shown in each table's list (every column shows when a row is opened).
COLUMNS = {
    "statistics": ["metric", "value", "unit", "qualifier", "period_start", "period_end", "country_code",
                   "attributed_to", "source_id", "quote"],
    "events": ["event_type", "date_start", "date_end", "date_precision", "place", "actors", "fatalities",
               "source_id", "summary"],
    "sources": ["source_id", "title", "publisher", "published_date", "language", "url"],
    "claims": ["metric", "unit", "is_change", "country_code", "place", "period_start", "period_end", "n_sources",
               "value_min", "value_max", "spread", "conflict"],
    "claim_statistics": ["claim_id", "statistic_id"],
    "event_clusters": ["event_type", "date_start", "date_end", "place", "country_code", "actors", "n_sources",
                       "first_reported"],
    "entities": ["name", "kind", "aliases", "country_code", "wikidata", "n_mentions", "n_sources"],
    "mentions": ["entity_id", "source_id", "statistic_id", "event_id", "quote"],
}
CATEGORY = {"statistics": "metric", "events": "event_type", "sources": "publisher", "claims": "metric",
            "claim_statistics": "claim_id", "event_clusters": "event_type", "entities": "kind",
            "mentions": "entity_id"}
# Tabs; claim_statistics shows inside an opened claim, mentions inside an opened entity.
ORDER = ("statistics", "events", "event_clusters", "claims", "entities", "sources")


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list)):
        return value
    return csv_cell(value)  # dates as ISO text


def page_data(view: PackageView, texts: dict[str, str]) -> dict[str, Any]:
    """What the page embeds: the tables (rows sorted by key, dates as ISO text) and the article texts."""
    tables = {}
    for name in TABLES:
        if name not in view.rows:  # a package from before the table existed
            continue
        key = next(r for r in view.descriptor["resources"] if r["name"] == name)["schema"]["primaryKey"][0]
        rows = sorted(view.rows[name], key=lambda r: r[key])
        present = {f["name"] for f in next(r for r in view.descriptor["resources"]
                                           if r["name"] == name)["schema"]["fields"]}
        tables[name] = {"key": key, "columns": [c for c in COLUMNS[name] if c in present],
                        "category": CATEGORY[name] if CATEGORY[name] in present else key,
                        "rows": [{k: _json_value(v) for k, v in r.items()} for r in rows]}
    return {"title": view.descriptor["title"], "version": view.descriptor["version"], "tables": tables,
            "order": [t for t in ORDER if t in tables], "texts": dict(sorted(texts.items()))}


def index_html(view: PackageView, texts: dict[str, str], charts: dict[str, bytes]) -> str:
    """The page, with ``texts`` (source_id -> article text) and the chart SVGs (path -> bytes) embedded."""
    # Key order is the schema's (columns) and the builder's: deterministic without sorting.
    data = json.dumps(page_data(view, texts), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # never close the <script> early
    figures = "\n".join(
        f'<figure><img alt="{path}" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode("ascii")}">'
        f"<figcaption>{path}</figcaption></figure>" for path, svg in sorted(charts.items()))
    title = view.descriptor["title"].replace("&", "&amp;").replace("<", "&lt;")
    return (_TEMPLATE.replace("@TITLE@", f"{title} — {view.descriptor['version']}")
            .replace("@FIGURES@", figures).replace("@DATA@", data))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@TITLE@</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #222; }
h1 { font-size: 1.3em; }
nav button { font: inherit; padding: .3em .8em; border: 1px solid #999; background: #f4f4f4; cursor: pointer; }
nav button.on { background: #234; color: #fff; }
.controls { margin: .8em 0; display: flex; gap: .6em; flex-wrap: wrap; align-items: center; }
.controls input[type=search] { min-width: 18em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .4em; text-align: left; vertical-align: top; }
th { cursor: pointer; background: #f4f4f4; position: sticky; top: 0; white-space: nowrap; }
th.sorted::after { content: " \\25B2"; } th.sorted.desc::after { content: " \\25BC"; }
tbody tr { cursor: pointer; } tbody tr:hover { background: #eef4ff; } tbody tr.open { background: #dde8ff; }
td.long { max-width: 32em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#detail { border: 1px solid #bbb; padding: .8em; margin: 1em 0; background: #fcfcfc; }
#detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; }
#detail dt { font-weight: 600; }
#article { white-space: pre-wrap; max-height: 28em; overflow: auto; border: 1px solid #ddd; padding: .6em;
           background: #fff; font: 13px/1.5 Georgia, serif; }
mark { background: #ffe066; }
figure { display: inline-block; margin: .5em 1em .5em 0; vertical-align: top; }
figure img { max-width: 40em; width: 100%; }
figcaption { font-size: .8em; color: #666; }
</style>
</head>
<body>
<h1>@TITLE@</h1>
<p>Every row carries the sentence that states it. Filter and sort, then open a row to see its quote in the
article. Works offline; the same data is in <code>data/</code>, defined in <code>CODEBOOK.md</code>.</p>
<details open><summary>Charts</summary>
@FIGURES@
</details>
<nav id="tabs"></nav>
<div class="controls">
  <input type="search" id="q" placeholder="filter: any word or number" aria-label="filter">
  <select id="cat" aria-label="category"></select>
  <select id="source" aria-label="source"></select>
  <span id="count"></span>
</div>
<div id="detail" hidden></div>
<table id="rows"><thead></thead><tbody></tbody></table>
<script type="application/json" id="data">@DATA@</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
let state = {table: "statistics", q: "", cat: "", source: "", sort: "", dir: "asc", row: ""};

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const s = {table: "statistics", q: "", cat: "", source: "", sort: "", dir: "asc", row: ""};
  for (const k of Object.keys(s)) if (p.has(k)) s[k] = p.get(k);
  if (!DATA.tables[s.table]) s.table = "statistics";
  return s;
}
function writeHash() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v && !(k === "dir" && v === "asc")) p.set(k, v);
  history.replaceState(null, "", "#" + p.toString());
}
function cellText(v) {
  if (v === null || v === undefined) return "";
  return Array.isArray(v) ? v.join(", ") : String(v);
}
// A row matches the filter when any of its values (list items included) contains every word of it.
function matches(row, words) {
  if (!words.length) return true;
  const hay = Object.values(row).map(cellText).join(" \\u0001 ").toLowerCase();
  return words.every((w) => hay.includes(w));
}
function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined || a === "") return 1;   // nulls last, whatever the direction
  if (b === null || b === undefined || b === "") return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return cellText(a).localeCompare(cellText(b));
}
function visibleRows() {
  const t = DATA.tables[state.table];
  const words = state.q.toLowerCase().split(/\\s+/).filter(Boolean);
  let rows = t.rows.filter((r) => matches(r, words)
    && (!state.cat || cellText(r[t.category]) === state.cat)
    && (!state.source || r.source_id === state.source));
  if (state.sort) {
    const sign = state.dir === "desc" ? -1 : 1;
    rows = rows.slice().sort((a, b) => {
      const empty = (v) => v === null || v === undefined || v === "";
      if (empty(a[state.sort]) || empty(b[state.sort])) return compare(a[state.sort], b[state.sort]);
      return sign * compare(a[state.sort], b[state.sort]) || compare(a[t.key], b[t.key]);
    });
  }
  return rows;
}
function option(value, label, selected) {
  const o = document.createElement("option");
  o.value = value; o.textContent = label; o.selected = selected; return o;
}
function renderControls() {
  const t = DATA.tables[state.table];
  $("tabs").replaceChildren(...DATA.order.map((name) => {
    const b = document.createElement("button");
    b.textContent = `${name} (${DATA.tables[name].rows.length})`;
    b.className = name === state.table ? "on" : "";
    b.dataset.table = name;
    b.onclick = () => { state = {...state, table: name, cat: "", sort: "", dir: "asc", row: ""}; render(); };
    return b;
  }));
  $("q").value = state.q;
  const cats = [...new Set(t.rows.map((r) => cellText(r[t.category])))].filter(Boolean).sort();
  $("cat").replaceChildren(option("", `all ${t.category} values`, !state.cat),
                           ...cats.map((c) => option(c, c, c === state.cat)));
  const sources = DATA.tables.sources.rows.map((r) => r.source_id);
  $("source").replaceChildren(option("", "all sources", !state.source),
                              ...sources.map((s) => option(s, s, s === state.source)));
}
function renderTable() {
  const t = DATA.tables[state.table];
  const head = document.createElement("tr");
  for (const c of t.columns) {
    const th = document.createElement("th");
    th.textContent = c; th.dataset.column = c;
    if (state.sort === c) th.className = "sorted" + (state.dir === "desc" ? " desc" : "");
    th.onclick = () => {
      state.dir = state.sort === c && state.dir === "asc" ? "desc" : "asc";
      state.sort = c; render();
    };
    head.appendChild(th);
  }
  $("rows").tHead.replaceChildren(head);
  const rows = visibleRows();
  $("count").textContent = `${rows.length} of ${t.rows.length} rows`;
  $("rows").tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.id = r[t.key];
    if (r[t.key] === state.row) tr.className = "open";
    for (const c of t.columns) {
      const td = document.createElement("td");
      td.textContent = cellText(r[c]);
      if (["quote", "summary", "title", "url"].includes(c)) { td.className = "long"; td.title = cellText(r[c]); }
      tr.appendChild(td);
    }
    tr.onclick = () => { state.row = r[t.key]; render(); $("detail").scrollIntoView(); };
    return tr;
  }));
}
function renderDetail() {
  const t = DATA.tables[state.table];
  const row = t.rows.find((r) => r[t.key] === state.row);
  const box = $("detail");
  if (!row) { box.hidden = true; box.replaceChildren(); return; }
  box.hidden = false;
  const close = document.createElement("button");
  close.textContent = "close"; close.onclick = () => { state.row = ""; render(); };
  const dl = document.createElement("dl");
  for (const [k, v] of Object.entries(row)) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = cellText(v);
    dl.append(dt, dd);
  }
  const parts = [close, dl];
  if (state.table === "claims") {
    // A claim: its statistics side by side (value, qualifier, source, quote), each one a link to its row.
    const ids = new Set((DATA.tables.claim_statistics || {rows: []}).rows
      .filter((l) => l.claim_id === row.claim_id).map((l) => l.statistic_id));
    const members = DATA.tables.statistics.rows.filter((s) => ids.has(s.statistic_id));
    const table = document.createElement("table"); table.id = "members";
    for (const s of members) {
      const tr = document.createElement("tr"); tr.dataset.id = s.statistic_id;
      for (const v of [s.value, s.qualifier, s.source_id, s.quote]) {
        const td = document.createElement("td"); td.textContent = cellText(v); tr.appendChild(td);
      }
      tr.onclick = () => { state = {...state, table: "statistics", cat: "", q: "", row: s.statistic_id}; render(); };
      table.appendChild(tr);
    }
    parts.push(table);
    box.replaceChildren(...parts);
    return;
  }
  if (state.table === "entities") {
    // An entity: each mention (source, the row it belongs to, the words), each one a link to its row.
    const mentions = (DATA.tables.mentions || {rows: []}).rows.filter((m) => m.entity_id === row.entity_id);
    const table = document.createElement("table"); table.id = "members";
    for (const m of mentions) {
      const target = m.statistic_id ? ["statistics", m.statistic_id] : ["events", m.event_id];
      const tr = document.createElement("tr"); tr.dataset.id = m.mention_id;
      for (const v of [m.source_id, target[0], m.quote]) {
        const td = document.createElement("td"); td.textContent = cellText(v); tr.appendChild(td);
      }
      tr.onclick = () => { state = {...state, table: target[0], cat: "", q: "", row: target[1]}; render(); };
      table.appendChild(tr);
    }
    parts.push(table);
    box.replaceChildren(...parts);
    return;
  }
  const sid = row.source_id;
  const source = DATA.tables.sources.rows.find((s) => s.source_id === sid);
  const links = document.createElement("p");
  const local = document.createElement("a");
  local.href = source ? source.path : `articles/${sid}.txt`; local.textContent = "article text";
  links.append("Source: ", local);
  if (source && source.url) {
    const web = document.createElement("a");
    web.href = source.url; web.textContent = source.title || source.url;
    links.append(" · published at ", web);
  }
  parts.push(links);
  const text = DATA.texts[sid];
  if (text !== undefined && Number.isInteger(row.char_start)) {
    // Offsets count Unicode code points (Python str indices); JavaScript strings count UTF-16 units.
    const cps = Array.from(text);
    const pre = document.createElement("pre"); pre.id = "article";
    const mark = document.createElement("mark"); mark.id = "quote";
    mark.dataset.start = row.char_start; mark.dataset.end = row.char_end;
    mark.textContent = cps.slice(row.char_start, row.char_end).join("");
    pre.append(cps.slice(0, row.char_start).join(""), mark, cps.slice(row.char_end).join(""));
    parts.push(pre);
    box.replaceChildren(...parts);
    pre.scrollTop = Math.max(0, mark.offsetTop - pre.offsetTop - 40);
  } else {
    const note = document.createElement("p");
    note.textContent = text === undefined ? "The article text is not in this release." : "";
    parts.push(note);
    box.replaceChildren(...parts);
  }
}
function render() { writeHash(); renderControls(); renderTable(); renderDetail(); }
$("q").addEventListener("input", (e) => { state.q = e.target.value; renderTable(); writeHash(); });
$("cat").addEventListener("change", (e) => { state.cat = e.target.value; render(); });
$("source").addEventListener("change", (e) => { state.source = e.target.value; render(); });
window.addEventListener("hashchange", () => { state = readHash(); render(); });
state = readHash();
render();
</script>
</body>
</html>
"""
