"""The real thing: a Prefect server, a process work pool, `prefect deploy`, `prefect deployment run`
and a worker that runs the flow and publishes the package."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS
from pipeline.quality import validate_package

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`prefect server start` on 127.0.0.1 with a temporary PREFECT_HOME; yields the env to talk to it."""
    port = _free_port()
    while port == 4200:
        port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        # The UI is served, on a port that is not Prefect's default 4200, so the test sees what an operator
        # following the README sees: the UI's settings must point it at this server's API.
        "PREFECT_UI_ENABLED": "true",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prefect server did not start:\n" + (tmp_path / "server.log").read_text())
            time.sleep(0.5)
        yield env
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _prefect(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    proc = subprocess.run([str(BIN / "prefect"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"prefect {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


def test_deployment_run_by_a_process_worker_builds_the_package(prefect_server: dict[str, str], tmp_path: Path) -> None:
    env, out = prefect_server, tmp_path / "deployed-package"
    # The UI is up and talks to this server's API (not the default http://127.0.0.1:4200/api).
    base = env["PREFECT_API_URL"].removesuffix("/api")
    with urllib.request.urlopen(base + "/ui-settings", timeout=30) as r:
        assert json.loads(r.read())["api_url"] == env["PREFECT_API_URL"]
    with urllib.request.urlopen(base + "/", timeout=30) as r:
        assert "<html" in r.read().decode("utf-8", "replace").lower()
    _prefect(env, "work-pool", "create", "local-process", "--type", "process")
    _prefect(env, "--no-prompt", "deploy", "--name", "seeds")
    _prefect(env, "deployment", "run", "build-dataset/seeds",
             "--param", f"input_dir={SEEDS}", "--param", f"output={out}", "--param", f"reports={tmp_path / 'r'}")
    worker_log = _prefect(env, "worker", "start", "--pool", "local-process", "--run-once", timeout=600)
    assert (out / "datapackage.json").is_file(), worker_log[-3000:]
    assert validate_package(out) == []
    runs = _post(env, "/flow_runs/filter", {})
    assert [(run["deployment_id"] is not None, run["state_type"]) for run in runs] == [(True, "COMPLETED")]
    # The flow's markdown artifact summarises the build with the same counts as the build report.
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    summary = _post(env, "/artifacts/filter", {"artifacts": {"key": {"any_": ["build-summary"]}}})
    [artifact] = summary
    assert artifact["type"] == "markdown"
    assert artifact["description"]  # what the Artifacts tab shows beside the key
    for table, n in report["rows"].items():
        assert f"rows in {table}: {n}" in artifact["data"]
    assert f"built: {report['articles_built']}; rejected: {len(report['rejected'])}" in artifact["data"]
    quality = report["quality"]
    assert f"checks failed: {len(quality['failures'])}; warnings: {len(quality['warnings'])}" in artifact["data"]
    for table, c in quality["great_expectations"]["suites"].items():
        assert f"expectations on {table}: {c['passed']}/{c['evaluated']} passed" in artifact["data"]
    # ... and a table artifact lists every failed check and warning, one row each.
    [table] = _post(env, "/artifacts/filter", {"artifacts": {"key": {"any_": ["build-failures"]}}})
    assert table["type"] == "table"
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert [r["check"] for r in rows] == quality["failures"] + quality["warnings"]
    assert (tmp_path / "r" / "quality" / "index.html").is_file()
    # A second run of the unchanged input (the deployment keeps a cache) is the no-op: the flow says so and
    # returns at once, and the package is left as it was, mtimes included.
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    _prefect(env, "deployment", "run", "build-dataset/seeds",
             "--param", f"input_dir={SEEDS}", "--param", f"output={out}", "--param", f"reports={tmp_path / 'r'}")
    worker_log = _prefect(env, "worker", "start", "--pool", "local-process", "--run-once", timeout=600)
    assert f"nothing changed since the last build of {out}" in worker_log, worker_log[-3000:]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
    runs = _post(env, "/flow_runs/filter", {})
    assert [run["state_type"] for run in runs] == ["COMPLETED", "COMPLETED"]


def _post(env: dict[str, str], path: str, body: dict) -> list[dict]:
    request = urllib.request.Request(env["PREFECT_API_URL"] + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())
