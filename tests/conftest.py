"""Shared fixtures: one real build of seeds/ per test session, copied for tests that tamper with it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline ARGS`` the way a user does, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def statistic_row(**over: object) -> dict:
    """A valid statistics row (one figure of 2024 in Ecuador), with ``over`` changed."""
    row = dict(statistic_id="st_1", source_id="s", metric="homicides", subject="homicides", value=10.0,
               value_low=None, value_high=None, qualifier="exact", unit="count", is_change=False,
               period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31), period_precision="year",
               period_text="2024", baseline_start=None, baseline_end=None, country_code="ECU", place=None,
               attributed_to=None, value_text="10", quote="There were 10 homicides.", char_start=0, char_end=24)
    row.update(over)
    return row


@pytest.fixture(scope="session")
def built_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built from seeds/ by the real CLI and Prefect flow (do not modify: copy it)."""
    out = tmp_path_factory.mktemp("build") / "pkg"
    proc = run_cli("build", "--input", str(SEEDS), "--output", str(out), "--reports", str(out.with_name("reports")))
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


@pytest.fixture
def package_copy(built_package: Path, tmp_path: Path) -> Path:
    """A private copy of the built package that a test may tamper with."""
    dest = tmp_path / "pkg"
    shutil.copytree(built_package, dest)
    return dest
