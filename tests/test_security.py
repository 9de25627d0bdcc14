"""Hostile inputs, hostile packages, concurrent and interrupted builds (issue 13), through the real CLI
where the CLI is the point, and on the functions themselves where it is not."""

from __future__ import annotations

import errno
import http.server
import json
import os
import shutil
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SEEDS, run_cli
from pipeline import publish, untrusted
from pipeline.publish import csv_text, csv_value, write_csv

# --- CSV: formulas neutralised in the CSV twins only ------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+593 99", "-5 killed", "@SUM(A1)", "\tx", "\rx", "'=1+1", "''+x"])
def test_formula_text_gets_one_apostrophe_and_reads_back_exactly(value: str) -> None:
    cell = csv_text(value)
    assert cell == "'" + value
    assert csv_value(cell) == value


@pytest.mark.parametrize("value", ["Quito", "'quoted'", "'", "''", "", "12 killed", "[\"a\"]", "x=1"])
def test_other_text_is_written_and_read_as_it_is(value: str) -> None:
    assert csv_text(value) == value and csv_value(value) == value


def test_numbers_and_lists_are_not_neutralised(tmp_path: Path) -> None:
    table = pa.table({"t": ["=HYPERLINK(\"x\")", "-3 dead"], "n": [-1.5, 2.0], "l": [["=a"], []]})
    write_csv(table, tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1] == '"\'=HYPERLINK(""x"")",-1.5,"[""=a""]"'
    assert lines[2] == "'-3 dead,2,[]"


# --- validate on untrusted packages -------------------------------------------------------------------


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"a,b\n1,2\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_counter() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that counts the requests it gets."""
    _Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Counter.hits
    server.shutdown()


def _edit_descriptor(pkg: Path, **change: object) -> None:
    """Change the statistics-csv resource in datapackage.json."""
    path = pkg / "datapackage.json"
    dp = json.loads(path.read_text(encoding="utf-8"))
    res = next(r for r in dp["resources"] if r["name"] == "statistics-csv")
    res.update(change)
    path.write_text(json.dumps(dp), encoding="utf-8")


@pytest.mark.parametrize("hostile", ["/etc/passwd", "../../../../etc/passwd", "file:///etc/passwd", "HTTP",
                                     "SCHEMA", "LINK"])
def test_validate_refuses_a_descriptor_naming_anything_outside_the_package(
        package_copy: Path, hostile: str, http_counter: tuple[str, list[str]]) -> None:
    url, hits = http_counter
    if hostile == "HTTP":
        _edit_descriptor(package_copy, path=f"{url}/x.csv")
    elif hostile == "SCHEMA":
        _edit_descriptor(package_copy, schema=f"{url}/schema.json")
    elif hostile == "LINK":
        (package_copy / "data" / "statistics.csv").unlink()
        (package_copy / "data" / "statistics.csv").symlink_to("/etc/passwd")
    else:
        _edit_descriptor(package_copy, path=hostile)
    proc = run_cli("validate", str(package_copy))
    assert proc.returncode == 1
    assert "refused" in proc.stderr and "statistics-csv" in proc.stderr
    assert "root:" not in proc.stderr  # the first line of /etc/passwd was never read
    assert hits == []  # nothing fetched
    assert "Traceback" not in proc.stderr


def test_frictionless_itself_never_fetches(built_package: Path, tmp_path: Path,
                                           http_counter: tuple[str, list[str]]) -> None:
    """Past our own path checks, frictionless runs untrusted with a session that refuses every request."""
    from frictionless import Package, system

    from pipeline.quality import check_frictionless

    url, hits = http_counter
    pkg = tmp_path / "pkg"
    shutil.copytree(built_package, pkg)
    _edit_descriptor(pkg, path=f"{url}/x.csv", scheme="https", schema=f"{url}/schema.json")
    failures = check_frictionless(pkg)
    assert failures and hits == []
    assert any("refused: validate does not fetch" in f for f in failures)
    with system.use_context(trusted=True):  # the control: frictionless left to itself fetches
        Package(json.loads((pkg / "datapackage.json").read_text(encoding="utf-8")), basepath=str(pkg)).validate()
    assert hits


def _patch_declared_size(data: bytes, size: int) -> bytes:
    """Rewrite every central-directory entry's uncompressed size: a zip that claims more than it holds."""
    out, at = bytearray(data), data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", out, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def test_validate_refuses_zip_bombs_before_inflating(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/datapackage.json", "{}")
        zf.writestr("pkg/data/zeros.csv", b"\0" * (32 << 20))  # 32 MiB of zeros: ~32 KB on disk
    assert bomb.stat().st_size < 100_000
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("pkg/datapackage.json", "{}")
        zf.writestr("pkg/data/a.csv", "a\n")
    liar.write_bytes(_patch_declared_size(liar.read_bytes(), 0xF0000000))
    for archive, why in ((bomb, "over 200 times"), (liar, "would inflate to")):
        proc = run_cli("validate", str(archive))
        assert proc.returncode == 1 and "refused" in proc.stderr and why in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_zip_with_too_many_entries_or_a_climbing_name_is_refused(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(6):
            zf.writestr(f"f{i}.txt", "x")
        zf.writestr("../escape.txt", "x")
    monkeypatch.setattr(untrusted, "MAX_ZIP_FILES", 5)
    with zipfile.ZipFile(many) as zf, pytest.raises(untrusted.PackageRefused, match="7 entries"):
        untrusted.check_zip(zf)
    monkeypatch.setattr(untrusted, "MAX_ZIP_FILES", 100)
    with zipfile.ZipFile(many) as zf, pytest.raises(untrusted.PackageRefused, match="'..'"):
        untrusted.check_zip(zf)


def test_corrupted_byte_in_an_article_is_a_sha256_mismatch_not_a_crash(package_copy: Path) -> None:
    art = next((package_copy / "articles").glob("*.txt"))
    raw = art.read_bytes()
    art.write_bytes(raw[:100] + b"\xff" + raw[101:])  # not UTF-8 any more
    proc = run_cli("validate", str(package_copy))
    assert proc.returncode == 1 and f"row {art.stem}: check sha256 failed" in proc.stderr
    assert "UnicodeDecodeError" not in proc.stderr and "Traceback" not in proc.stderr


def test_diff_refuses_a_package_naming_a_file_outside_it(built_package: Path, package_copy: Path) -> None:
    dp_path = package_copy / "datapackage.json"
    dp = json.loads(dp_path.read_text(encoding="utf-8"))
    next(r for r in dp["resources"] if r["name"] == "events")["path"] = "/etc/passwd"
    dp_path.write_text(json.dumps(dp), encoding="utf-8")
    proc = run_cli("diff", str(built_package), str(package_copy))
    assert proc.returncode == 1 and proc.stderr.startswith("diff refused:") and "absolute" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- builds: hostile input folder, in one build ---------------------------------------------------------


def test_hostile_input_folder_builds_the_good_articles_and_publishes_nothing_else(tmp_path: Path) -> None:
    src, out, secret = tmp_path / "in", tmp_path / "out", tmp_path / "secret.txt"
    shutil.copytree(SEEDS, src)
    secret.write_text("Private key material that must never be published.\n", encoding="utf-8")
    (src / "shadow.txt").symlink_to(secret)
    os.mkfifo(src / "pipe.txt")
    (src / "wide.txt").write_bytes("Un motín en la cárcel dejó heridos.\n".encode("utf-16"))
    (src / "own.txt").write_text("Bus terminal attack in Quito\n\nPolice in Quito said on Monday that 14 people "
                                 "were arrested after an attack on a bus terminal.\n", encoding="utf-8")
    bomb = "".join(f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    (src / "sources.yaml").write_text(
        "- file: own.txt\n  notes:\n  - &l0 [x, x, x, x, x, x, x, x, x]\n" + bomb + "  title: *l8\n"
        f"- file: {seeds[0]}\n  title: '=HYPERLINK(\"http://example.org\",\"click\")'\n  publisher: 2024\n"
        f"- file: {seeds[1]}\n  published: 2024-02-30\n"
        f"- file: {seeds[2]}\n  published: 2099-01-01\n  title: yes\n"
        f"- file: {seeds[3]}\n  language: 12\n  url: 2024-01-09\n"
        "- file: shadow.txt\n  title: Shadow\n", encoding="utf-8")
    proc = run_cli("build", "--input", str(src), "--output", str(out), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    reasons = {r["file"]: r["reason"] for r in report["rejected"]}
    assert "outside the input folder" in reasons["shadow.txt"]
    assert reasons["pipe.txt"] == "a named pipe (FIFO), not a regular file: not read"
    assert reasons["wide.txt"].startswith("UTF-16 text (byte-order mark FF FE)")
    assert "2024-02-30 is not a real date" in reasons[seeds[1]]
    assert "2099-01-01 is after the build's reference date" in reasons[seeds[2]]
    assert "'language' must be a BCP-47 tag" in reasons[seeds[3]]
    assert reasons["own.txt"].startswith("sources.yaml[0]: 'title' must be text, got a list")  # 9**9 leaves
    assert report["articles_built"] == 5 and report["articles_in"] == 8  # 4 seeds, own, shadow, pipe, wide
    # Nothing from outside reached the package, and no date from the future became its `created`.
    assert not (out / "articles" / "shadow.txt").exists()
    assert all(b"Private key" not in p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert not json.loads((out / "datapackage.json").read_text(encoding="utf-8")).get("created", "").startswith("2099")
    # Formula neutralised in the CSV twin only; the YAML int kept as its text.
    sources = {r["source_id"]: r for r in pq.read_table(out / "data" / "sources.parquet").to_pylist()}
    first = sources[Path(seeds[0]).stem]
    assert first["title"].startswith("=HYPERLINK") and first["publisher"] == "2024"
    csv_text_ = (out / "data" / "sources.csv").read_text(encoding="utf-8")
    assert "\"'=HYPERLINK(" in csv_text_ and ",=HYPERLINK" not in csv_text_ and "\"=HYPERLINK" not in csv_text_
    assert run_cli("validate", str(out)).returncode == 0


# --- builds: the output --------------------------------------------------------------------------------


def test_two_concurrent_builds_leave_one_consistent_package_and_one_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    inputs = []
    for n in (2, 4):  # two different inputs, so the package tells whose it is
        src = tmp_path / f"in{n}"
        src.mkdir()
        for p in sorted(SEEDS.glob("*.txt"))[:n]:
            shutil.copy(p, src / p.name)
        inputs.append(src)
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--input", str(src), "--output", str(out),
                               "--reports", str(tmp_path / f"r{i}")], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i, src in enumerate(inputs)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, err in results if code == 1)
    refusals = [line for line in loser.splitlines() if "another build is publishing to" in line]
    assert len(refusals) == 1 and refusals[0].startswith("build refused:") and "Traceback" not in loser
    winner = next(i for i, (code, _) in enumerate(results) if code == 0)
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    sources = pq.read_table(out / "data" / "sources.parquet").column("source_id").to_pylist()
    assert sorted(a["source_id"] for a in report["articles"]) == sorted(sources)
    assert len(sources) == (2, 4)[winner]
    assert run_cli("validate", str(out)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging, no lock


def test_crash_in_the_rename_window_is_recovered_and_the_shrink_gate_still_applies(
        built_package: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # What a crash between the two renames of a non-exchange publish leaves: no output, the previous
    # package at .out.old, and a staging folder.
    shutil.copytree(built_package, tmp_path / ".out.old")
    (tmp_path / ".out.staging-dead").mkdir()
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], src)  # one article: far fewer rows than the previous package
    proc = run_cli("build", "--input", str(src), "--output", str(out), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 1 and "recovered the previous package" in proc.stderr
    assert "previous package" in proc.stderr.split("build failed:")[-1], proc.stderr[-2000:]  # the shrink gate
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    for path in built_package.rglob("*"):  # the previous package is back, byte for byte
        if path.is_file():
            assert (out / path.relative_to(built_package)).read_bytes() == path.read_bytes()


def test_output_that_is_a_file_is_refused_before_anything_moves_and_debug_shows_the_traceback(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a package", encoding="utf-8")
    proc = run_cli("build", "--output", str(out), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 1 and out.read_text(encoding="utf-8") == "not a package"
    assert proc.stderr.strip().splitlines()[-1].startswith("build refused: output") and "is a file" in proc.stderr
    assert "Traceback" not in proc.stderr
    debug = run_cli("build", "--output", str(out), "--reports", str(tmp_path / "r"), "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    link = tmp_path / "link"
    link.symlink_to(SEEDS)
    proc = run_cli("build", "--input", str(link), "--output", str(tmp_path / "o2"))
    assert proc.returncode == 1 and "is a symbolic link" in proc.stderr and "Traceback" not in proc.stderr


def _hook(tmp_path: Path, code: str) -> dict[str, str]:
    """Environment that runs ``code`` at interpreter start (sitecustomize): a fault injected into the CLI."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(code, encoding="utf-8")
    return {"PYTHONPATH": str(hook)}


def test_disk_full_while_staging_keeps_the_previous_package_and_leaves_no_staging(package_copy: Path,
                                                                                 tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()}
    env = _hook(tmp_path, "import errno, pipeline.publish as p\n"
                          "def full(*a, **k):\n"
                          "    raise OSError(errno.ENOSPC, 'No space left on device', 'statistics.parquet')\n"
                          "p.write_parquet = full\n")
    proc = run_cli("build", "--output", str(package_copy), "--reports", str(tmp_path / "r"), env=env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "build failed: No space left on device" in proc.stderr and "Traceback" not in proc.stderr
    assert {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()} == before
    assert [p.name for p in package_copy.parent.iterdir() if p.name.startswith(".")] == []


def test_unexpected_error_prints_one_traceback_and_writes_the_report(tmp_path: Path) -> None:
    env = _hook(tmp_path, "import pipeline.build as b\n"
                          "def boom(parts):\n"
                          "    raise ZeroDivisionError('injected fault')\n"
                          "b.assemble_tables = boom\n")
    proc = run_cli("build", "--output", str(tmp_path / "out"), "--reports", str(tmp_path / "r"), env=env)
    assert proc.returncode == 2
    assert proc.stderr.count("Traceback (most recent call last)") == 1
    report = json.loads((tmp_path / "r" / "build-report.json").read_text(encoding="utf-8"))
    assert report["error"] == "ZeroDivisionError: injected fault"
    assert not (tmp_path / "out").exists()


# --- publishing, on the functions -----------------------------------------------------------------------


def _package(path: Path, marker: str) -> Path:
    path.mkdir()
    (path / "datapackage.json").write_text(marker, encoding="utf-8")
    return path


def test_publish_swaps_in_one_step_and_falls_back_to_renames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _package(tmp_path / "pkg", "old")
    publish.publish_atomically(_package(tmp_path / ".pkg.staging-1", "new"), target)
    assert (target / "datapackage.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]
    swaps = []
    monkeypatch.setattr(publish, "_rename_exchange", lambda a, b: swaps.append((a, b)) or False)
    publish.publish_atomically(_package(tmp_path / ".pkg.staging-2", "newer"), target)
    assert swaps and (target / "datapackage.json").read_text() == "newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_rename_exchange_swaps_two_folders(tmp_path: Path) -> None:
    a, b = _package(tmp_path / "a", "A"), _package(tmp_path / "b", "B")
    if not publish._rename_exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    assert (a / "datapackage.json").read_text() == "B" and (b / "datapackage.json").read_text() == "A"


def test_recover_output_never_deletes_the_only_copy(tmp_path: Path) -> None:
    _package(tmp_path / ".pkg.old", "previous")
    publish.recover_output(tmp_path / "pkg")
    assert (tmp_path / "pkg" / "datapackage.json").read_text() == "previous"
    assert not (tmp_path / ".pkg.old").exists()


def test_staging_folders_are_unique_per_build(tmp_path: Path) -> None:
    a, b = publish.staging_dir(tmp_path / "pkg"), publish.staging_dir(tmp_path / "pkg")
    assert a != b and a.parent == b.parent == tmp_path and a.name.startswith(".pkg.staging-")


def test_lock_is_exclusive_across_processes(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    with publish.output_lock(target):
        code = ("import sys; from pathlib import Path; from pipeline.publish import output_lock, OutputRefused\n"
                "try:\n    output_lock(Path(sys.argv[1])).__enter__()\nexcept OutputRefused as e:\n"
                "    print(e); sys.exit(3)\n")
        proc = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 3 and f"process {os.getpid()} holds .pkg.lock" in proc.stdout
    assert not (tmp_path / ".pkg.lock").exists()


def test_not_writable_output_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def denied(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".pkg.lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(publish.OutputRefused, match="cannot write beside the output .*: Permission denied"), \
            publish.output_lock(tmp_path / "pkg"):
        pass


def test_prefect_temporary_server_gets_time_to_start_on_a_loaded_machine() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}
    code = ("import pipeline\nfrom prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as t\n"
            "print(t.value())\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0 and int(proc.stdout.strip()) == 120  # Prefect's own default is 20


def test_diff_and_release_readers_refuse_a_bomb_before_inflating(tmp_path: Path) -> None:
    from pipeline.diff import open_package

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/datapackage.json", "{}")
        zf.writestr("pkg/data/statistics.parquet", b"\0" * (8 << 20))
    with pytest.raises(untrusted.PackageRefused, match="over 200 times"):
        open_package(bomb)


def test_article_paths_in_the_sources_table_are_confined_to_the_package(tmp_path: Path) -> None:
    from pipeline.quality import load_texts

    (tmp_path / "secret.txt").write_text("outside\n", encoding="utf-8")
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    sources = pa.table({"source_id": ["a", "b"], "path": ["../secret.txt", "/etc/passwd"], "sha256": ["0", "0"]})
    text_of, failures = load_texts(pkg, {"sources": sources}, None)
    assert text_of == {"a": None, "b": None}
    assert len(failures) == 2 and all("check path failed: refused" in f for f in failures)


def test_publish_refuses_a_target_that_is_a_file_and_recover_removes_only_stale_copies(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    staging = _package(tmp_path / ".file.staging-1", "new")
    with pytest.raises(publish.OutputRefused, match="is a file"):
        publish.publish_atomically(staging, tmp_path / "file")
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"
    _package(tmp_path / "pkg", "current")
    _package(tmp_path / ".pkg.old", "older")  # the publish finished, only its clean-up did not
    _package(tmp_path / ".pkg.staging-dead", "half")
    publish.recover_output(tmp_path / "pkg")
    assert (tmp_path / "pkg" / "datapackage.json").read_text() == "current"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".pkg")) == []
