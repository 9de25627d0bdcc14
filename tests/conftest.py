"""Shared fixtures: one real build of seeds/ per test session, copied for tests that tamper with it."""

from __future__ import annotations

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
