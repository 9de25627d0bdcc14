"""The quality report opened in a real headless Chromium: it must render the suites' results offline."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.expectations import run_expectations
from pipeline.quality import load_texts
from pipeline.tables import TABLES, to_arrow

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Offline and quiet: without the background-networking flags Chromium keeps dialling Google's hosts.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


def _browser() -> str:
    found = next((p for p in map(shutil.which, BROWSERS) if p), None)
    if found is None:
        if os.environ.get("REQUIRE_CHROMIUM"):  # .ci/run installs it and sets this: CI never skips
            pytest.fail("REQUIRE_CHROMIUM is set but no Chromium was found")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return found


class _Text(HTMLParser):
    """Visible text of a rendered DOM, script and style left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def _render(browser: str, page: Path, profile: Path) -> str:
    """The page's DOM after Chromium loaded it, as visible text."""
    proc = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    parser = _Text()
    parser.feed(proc.stdout)
    return " ".join(parser.parts)


def test_quality_report_renders_suite_results_in_headless_chromium(built_package: Path, tmp_path: Path) -> None:
    browser = _browser()
    tables = {name: pq.read_table(built_package / "data" / f"{name}.parquet") for name in TABLES}
    texts, _ = load_texts(built_package, tables, None)
    events = tables["events"].to_pylist()
    # a duplicated id: the uniqueness failure, and each check that counts events (clusters) fails with it
    tables["events"] = to_arrow("events", events + [events[0]])
    result = run_expectations(tables, texts, reports_dir=tmp_path)
    critical = [f for f in result.failures if f["severity"] == "critical"]
    assert ("events", "event_id", "expect_column_values_to_be_unique") in {
        (f["table"], f["column"], f["expectation"]) for f in critical}

    text = _render(browser, tmp_path / "quality" / "index.html", tmp_path / "profile")
    assert f"FAILED: {len(critical)} critical failure(s)" in text
    for name in TABLES:
        counts = result.counts[name]
        assert f"Suite {name}" in text
        assert f"{counts['evaluated']} evaluated, {counts['passed']} passed" in text
    assert "FAILED critical expect_column_values_to_be_unique event_id" in text
    assert events[0]["event_id"] in text

    [page] = (tmp_path / "quality" / "validations" / "events").rglob("*.html")
    gx_text = _render(browser, page, tmp_path / "profile")
    assert "Expectation Suite: events" in gx_text
    assert f"Evaluated Expectations {result.counts['events']['evaluated']}" in gx_text
    assert "Status: Failed" in gx_text
