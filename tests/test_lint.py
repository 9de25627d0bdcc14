"""The code base stays ruff clean (part of the README's test command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_finds_nothing() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    proc = subprocess.run([str(ruff), "check", "pipeline", "tests", "bench"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [command] = [line for line in readme.splitlines() if line.startswith("python3.11 -m venv") and "pytest" in line]
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "bash .ci/run" in (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")


def test_github_workflows_match_the_workflow_schema() -> None:
    """actionlint cannot be installed here (its wheel downloads a binary); check-jsonschema ships the
    GitHub workflow schema and checks it offline."""
    exe = Path(sys.executable).with_name("check-jsonschema")
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) >= 2
    proc = subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows", *workflows], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_release_workflow_checks_the_tag_against_the_package_version() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert 'tags: ["v*"]' in text and "GITHUB_REF_NAME" in text and "pipeline validate" in text
