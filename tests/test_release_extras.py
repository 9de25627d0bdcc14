"""What a release adds for people who download it: the dataset card with coverage and charts, the
codebook, loading snippets that work on the zip's own paths, the SQLite copy that datasette serves and
the offline browser (index.html, opened in headless Chromium)."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import ROOT
from pipeline.browser import index_html
from pipeline.card import CHART_EVENTS, CHART_STATISTICS, conflicts
from pipeline.codebook import render
from pipeline.diff import PackageView
from pipeline.release import write_archive
from pipeline.tables import load_vocab
from test_quality_report import FLAGS, _browser


@pytest.fixture(scope="module")
def unpacked(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One release archive of the seeds build, unpacked; the folder inside it."""
    where = tmp_path_factory.mktemp("release-extras")
    archive = where / "release.zip"
    write_archive(built_package, archive, "# Changelog\n")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(where / "unpacked")
    [top] = list((where / "unpacked").iterdir())
    return top


def _svg_ids(path: Path) -> set[str]:
    root = ET.parse(path).getroot()  # also checks the file is well-formed XML
    assert root.tag.endswith("svg")
    return {el.get("id") for el in root.iter() if el.get("id")}


def test_card_shows_two_charts_and_the_codebook_it_ships(unpacked: Path) -> None:
    card = (unpacked / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", card)
    assert set(images) >= {CHART_EVENTS, CHART_STATISTICS}
    for image in images:
        assert (unpacked / image).is_file(), f"README.md shows {image}, which the release lacks"
    assert "CODEBOOK.md" in card
    assert (unpacked / "CODEBOOK.md").read_text(encoding="utf-8") == render()
    # ... and carries it: the codebook's sections, one level down, with every metric and event type.
    codebook = card[card.index("\n## Codebook: "):]
    for heading in ("### Conventions", "### Tables", "#### statistics", "### Vocabularies", "#### Event types"):
        assert f"\n{heading}\n" in codebook
    for vocab in ("metrics", "event_types"):
        for entry in load_vocab(vocab):
            assert f"| `{entry['id']}` |" in codebook


def test_coverage_tables_count_the_rows(unpacked: Path) -> None:
    card = (unpacked / "README.md").read_text(encoding="utf-8")
    for table in ("sources", "statistics", "events"):
        n = pq.read_metadata(unpacked / "data" / f"{table}.parquet").num_rows
        assert f"| {table} | {n} |" in card
    events = pq.read_table(unpacked / "data" / "events.parquet").to_pylist()
    for typ, n in Counter(e["event_type"] for e in events).items():
        assert f"| {typ} | {n} |" in card


def test_events_chart_has_one_bar_per_month_and_type_of_the_month_dated_events(unpacked: Path) -> None:
    events = pq.read_table(unpacked / "data" / "events.parquet").to_pylist()
    expected = {f"events-{e['date_start']:%Y-%m}-{e['event_type']}" for e in events
                if e["date_start"] and e["date_precision"] in ("day", "weekend", "month")}
    assert expected, "the seeds have events dated to a month or finer"
    assert {i for i in _svg_ids(unpacked / CHART_EVENTS) if i.startswith("events-")} == expected


def test_statistics_chart_marks_every_figure_of_a_disagreement(unpacked: Path) -> None:
    rows = {t: pq.read_table(unpacked / "data" / f"{t}.parquet").to_pylist()
            for t in ("statistics", "claims", "claim_statistics")}
    shown = {i.removeprefix("statistic-") for i in _svg_ids(unpacked / CHART_STATISTICS) if i.startswith("statistic-")}
    by_id = {s["statistic_id"]: s for s in rows["statistics"]}
    assert shown and shown <= set(by_id)
    assert all(by_id[i]["period_start"] is not None for i in shown)
    found = conflicts(rows)
    assert found, "the seeds have a conflict"
    for c in found:
        ids = {s["statistic_id"] for s in c["statistics"]}
        if any(i in shown for i in ids):
            assert ids <= shown, f"{c['metric']}: only some sources' figures are drawn"


def test_card_conflicts_are_the_conflicting_claims_with_their_statistics() -> None:
    base = {"metric": "homicides", "unit": "count", "country_code": "ECU", "period_start": dt.date(2024, 1, 1),
            "period_end": dt.date(2024, 12, 31), "is_change": False}
    stats = [{**base, "statistic_id": "a", "source_id": "s1", "value": 100.0},
             {**base, "statistic_id": "b", "source_id": "s2", "value": 120.0},
             {**base, "statistic_id": "d", "source_id": "s4", "value": 7.0, "metric": "arrests"}]
    claims = [{**base, "claim_id": "cl_1", "conflict": True}, {**base, "claim_id": "cl_2", "metric": "arrests",
                                                               "conflict": False}]
    links = [{"claim_id": "cl_1", "statistic_id": "b"}, {"claim_id": "cl_1", "statistic_id": "a"},
             {"claim_id": "cl_2", "statistic_id": "d"}]
    [found] = conflicts({"statistics": stats, "claims": claims, "claim_statistics": links})
    assert found["claim_id"] == "cl_1" and [s["statistic_id"] for s in found["statistics"]] == ["a", "b"]


def test_card_and_readme_pandas_snippets_give_arrow_types(unpacked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pandas line of the card (on the zip's paths) and of the README read dates, lists and integers."""
    card = (unpacked / "README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text, where, prefix in ((card, unpacked, ""), (readme, ROOT, "datapackage/")):
        line = next(ln for ln in text.splitlines() if "pd.read_parquet(" in ln)
        assert f'"{prefix}data/events.parquet"' in line
        monkeypatch.chdir(where if prefix == "" else unpacked.parent)
        if prefix:  # the README's paths are the repository's: point them at the release's copy
            line = line.replace(prefix, f"{unpacked.name}/")
        scope: dict = {}
        exec("import pandas as pd\n" + line.strip(), scope)
        df = scope["events"]
        assert df["date_start"].dtype.pyarrow_dtype == pa.date32()
        assert df["actors"].dtype.pyarrow_dtype == pa.list_(pa.string())
        assert df["fatalities"].dtype.pyarrow_dtype == pa.int64()


def _search_word(quote: str) -> str:
    return max(re.findall(r"[A-Za-z]{5,}", quote), key=lambda w: (len(w), w))


def test_sqlite_copy_has_the_rows_keys_and_a_quote_index(unpacked: Path) -> None:
    con = sqlite3.connect(unpacked / "ecuador.db")
    for table, key in (("sources", "source_id"), ("statistics", "statistic_id"), ("events", "event_id")):
        rows = pq.read_table(unpacked / "data" / f"{table}.parquet").to_pylist()
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == len(rows)
        assert [c[1] for c in con.execute(f"pragma table_info({table})") if c[5]] == [key]
    assert [(fk[2], fk[3]) for fk in con.execute("pragma foreign_key_list(statistics)")] == [("sources", "source_id")]
    assert sorted((fk[2], fk[3]) for fk in con.execute("pragma foreign_key_list(events)")) == [
        ("event_clusters", "cluster_id"), ("sources", "source_id")]
    n_events = pq.read_metadata(unpacked / "data" / "events.parquet").num_rows
    assert con.execute("select count(*) from events join event_clusters using (cluster_id)").fetchone()[0] == n_events
    assert sorted((fk[2], fk[3]) for fk in con.execute("pragma foreign_key_list(claim_statistics)")) == [
        ("claims", "claim_id"), ("statistics", "statistic_id")]
    n_claims = pq.read_metadata(unpacked / "data" / "claims.parquet").num_rows
    assert con.execute("select count(*) from claims").fetchone()[0] == n_claims > 0
    assert con.execute("pragma foreign_key_check").fetchall() == []
    first = pq.read_table(unpacked / "data" / "statistics.parquet").to_pylist()[0]
    value, start, change = con.execute("select value, period_start, is_change from statistics where statistic_id = ?",
                                       (first["statistic_id"],)).fetchone()
    assert value == first["value"] and change == int(first["is_change"])
    assert start == (first["period_start"].isoformat() if first["period_start"] else None)
    word = _search_word(first["quote"])
    found = {r[0] for r in con.execute("select s.statistic_id from statistics_fts f join statistics s "
                                       "on s.rowid = f.rowid where statistics_fts match ?", (word,))}
    assert first["statistic_id"] in found
    meta = json.loads((unpacked / "metadata.json").read_text(encoding="utf-8"))
    columns = meta["databases"]["ecuador"]["tables"]["statistics"]["columns"]
    assert columns["value_text"] == next(f["description"] for f in yaml.safe_load(
        (ROOT / "schemas" / "statistics.yaml").read_text(encoding="utf-8"))["fields"] if f["name"] == "value_text")
    assert meta["license"] and meta["license_url"].startswith("https://")


DATASETTE = Path(sys.executable).with_name("datasette")


@pytest.mark.skipif(not DATASETTE.is_file(), reason="datasette is not installed (dev extras)")
def test_datasette_serves_the_sqlite_copy_with_its_metadata_and_search(unpacked: Path, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "datasette.log").open("w")
    proc = subprocess.Popen([str(DATASETTE), "ecuador.db", "-m", "metadata.json", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=unpacked, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/ecuador/statistics"
    try:
        page = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(base, timeout=5) as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert page is not None, (tmp_path / "datasette.log").read_text()
        table = yaml.safe_load((ROOT / "schemas" / "statistics.yaml").read_text(encoding="utf-8"))
        assert table["description"] in page
        first = pq.read_table(unpacked / "data" / "statistics.parquet").to_pylist()[0]
        query = urllib.parse.urlencode({"_search": _search_word(first["quote"]), "_shape": "array"})
        with urllib.request.urlopen(f"{base}.json?{query}", timeout=30) as r:
            rows = json.loads(r.read())
        assert first["statistic_id"] in {row["statistic_id"] for row in rows}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class _Page(HTMLParser):
    """What the browser page shows: the listed rows in order, the images and the article around the quote."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.images: list[str] = []
        self.before, self.mark, self.after = "", "", ""
        self.mark_attrs: dict[str, str | None] = {}
        self._where = ""
        self._script = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self._script += tag == "script"
        if tag == "tr" and "data-id" in a:
            self.rows.append(a["data-id"])
        elif tag == "img":
            self.images.append(a.get("src") or "")
        elif tag == "pre" and a.get("id") == "article":
            self._where = "before"
        elif tag == "mark" and self._where:
            self._where, self.mark_attrs = "mark", a

    def handle_endtag(self, tag: str) -> None:
        self._script -= tag == "script"
        if tag == "mark" and self._where == "mark":
            self._where = "after"
        elif tag == "pre":
            self._where = ""

    def handle_data(self, data: str) -> None:
        if self._where and not self._script:
            setattr(self, self._where, getattr(self, self._where) + data)


def test_offline_browser_filters_sorts_and_highlights_the_quote_in_headless_chromium(
        unpacked: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    browser = _browser()
    stats = pq.read_table(unpacked / "data" / "statistics.parquet").to_pylist()
    row = max(stats, key=lambda r: (r["char_start"], r["statistic_id"]))  # the most text before its quote
    word = _search_word(row["quote"]).lower()

    def text_of(r: dict) -> str:
        cells = [v for v in r.values() if isinstance(v, str)]
        cells += [item for v in r.values() if isinstance(v, list) for item in v]
        return " ".join(cells).lower()

    expected = [r for r in stats if word in text_of(r)]
    assert row in expected and len(expected) < len(stats), "the filter word should pick some rows, not all"
    html = (unpacked / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]*(src|href)=\"(https?:)?//", html), "no CDN, no remote asset"
    state = f"table=statistics&q={word}&sort=value&dir=desc&row={row['statistic_id']}"
    url = (unpacked / "index.html").as_uri() + "#" + state
    artifacts = tmp_path_factory.mktemp("browser-artifacts")
    proc = subprocess.run([browser, *FLAGS, f"--user-data-dir={artifacts / 'profile'}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = _Page()
    page.feed(proc.stdout)
    # Filtered: exactly the rows with the word; sorted by value, largest first.
    assert sorted(page.rows) == sorted(r["statistic_id"] for r in expected)
    by_id = {r["statistic_id"]: r for r in stats}
    values = [by_id[i]["value"] for i in page.rows]
    assert values == sorted(values, reverse=True)
    # The charts are embedded, not fetched.
    assert sum(src.startswith("data:image/svg+xml;base64,") for src in page.images) >= 2
    # The opened row's quote is highlighted at its offsets (code points) inside the article text.
    text = (unpacked / row_path(unpacked, row["source_id"])).read_text(encoding="utf-8").removeprefix("\ufeff")
    assert page.mark == row["quote"] == text[row["char_start"]:row["char_end"]]
    assert len(page.before) == row["char_start"] and page.before == text[:row["char_start"]]
    assert page.mark_attrs["data-start"] == str(row["char_start"])
    shot = artifacts / "index.png"  # kept as the test's artifact (pytest keeps the last runs' tmp folders)
    subprocess.run([browser, *FLAGS, f"--user-data-dir={artifacts / 'profile'}", "--window-size=1280,1600",
                    f"--screenshot={shot}", url], capture_output=True, timeout=120)
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG")


def test_offline_browser_opens_a_claim_with_its_statistics(unpacked: Path, tmp_path: Path) -> None:
    browser = _browser()
    rows = {t: pq.read_table(unpacked / "data" / f"{t}.parquet").to_pylist() for t in ("claims", "claim_statistics")}
    claim = next(c for c in rows["claims"] if c["conflict"])
    members = sorted(link["statistic_id"] for link in rows["claim_statistics"] if link["claim_id"] == claim["claim_id"])
    url = (unpacked / "index.html").as_uri() + f"#table=claims&row={claim['claim_id']}"
    proc = subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = _Page()
    page.feed(proc.stdout)
    assert sorted({c["claim_id"] for c in rows["claims"]}) == sorted(set(page.rows) - set(members))
    assert sorted(i for i in page.rows if i in members) == members  # the opened claim lists its statistics


def row_path(unpacked: Path, source_id: str) -> str:
    """Where the release keeps a source's text."""
    sources = pq.read_table(unpacked / "data" / "sources.parquet").to_pylist()
    return next(s["path"] for s in sources if s["source_id"] == source_id)


def test_offline_browser_counts_offsets_in_code_points_like_the_data(tmp_path: Path) -> None:
    """Text outside the Basic Multilingual Plane before a quote: Python counts one index per character,
    JavaScript two; the highlight must still cover exactly the quote."""
    browser = _browser()
    text = "Headline 🙂🙂 with emoji 𝒳\n\nThe police counted 5 homicides in Quito. Nothing else.\n"
    quote = "The police counted 5 homicides in Quito."
    start = text.index(quote)
    rows = {
        "sources": [{"source_id": "s1", "title": None, "path": "articles/s1.txt", "url": None}],
        "statistics": [{"statistic_id": "st1", "source_id": "s1", "metric": "homicides", "value": 5.0,
                        "quote": quote, "char_start": start, "char_end": start + len(quote)}],
        "events": [],
    }
    keys = {"sources": "source_id", "statistics": "statistic_id", "events": "event_id"}
    resources = [{"name": name, "schema": {"primaryKey": [keys[name]],
                                           "fields": [{"name": c} for c in (r[0] if r else {keys[name]: 0})]}}
                 for name, r in rows.items()]
    view = PackageView({"title": "Test", "version": "0.0.0", "resources": resources}, rows)
    page_file = tmp_path / "index.html"
    page_file.write_text(index_html(view, {"s1": text}, {}), encoding="utf-8")
    proc = subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                           page_file.as_uri() + "#row=st1"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = _Page()
    page.feed(proc.stdout)
    assert page.mark == quote and page.before == text[:start] and page.after == text[start + len(quote):]
