"""A rebuild with nothing changed is a no-op: same articles, code and options leave the package as it was,
without starting Prefect; anything that can change the package or the reports is a full build."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, run_cli
from pipeline.ingest import DEFAULT_MAX_BYTES
from pipeline.quarantine import DEFAULT_MAX_QUARANTINE
from pipeline.stamp import BuildOptions, build_key, nothing_changed, stamp_path, unchanged


@dataclass
class Built:
    """A package built by the CLI from a private copy of seeds/, with its own reports and cache folders."""

    input: Path
    output: Path
    reports: Path
    cache: Path

    def options(self) -> BuildOptions:
        """The options of the CLI's default build of these folders."""
        return BuildOptions(self.input, self.output, self.reports, include_texts=True, strict=False,
                            max_bytes=DEFAULT_MAX_BYTES, max_quarantine=DEFAULT_MAX_QUARANTINE)

    @property
    def stamp(self) -> Path:
        return stamp_path(self.cache, self.output)


def _build(built: Built, *args: str):  # noqa: ANN202 (a CompletedProcess)
    proc = run_cli("build", "--input", str(built.input), "--output", str(built.output), "--reports",
                   str(built.reports), "--cache", str(built.cache), *args)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def _snapshot(*folders: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time (ns), by path."""
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for f in folders for p in sorted(f.rglob("*"))
            if p.is_file()}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _is_noop(proc, built: Built) -> bool:  # noqa: ANN001
    """The build printed the no-op line and nothing else: no flow ran, no temporary server started."""
    return proc.stdout.splitlines() == [nothing_changed(built.output.resolve())] and \
        "Starting temporary server" not in proc.stderr + proc.stdout and "article(s)" not in proc.stderr + proc.stdout


def _full(proc) -> bool:  # noqa: ANN001
    """The build ran the flow and published."""
    log = proc.stdout + proc.stderr
    return "nothing changed" not in log and "Starting temporary server" in log and "published " in log


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One full build; tests that change its folders leave them as they found them (or as a build of the
    same inputs leaves them: byte-identical)."""
    base = tmp_path_factory.mktemp("noop")
    b = Built(base / "in", base / "pkg", base / "reports", base / "cache")
    shutil.copytree(SEEDS, b.input)
    proc = _build(b)
    assert _full(proc) and b.stamp.is_file()
    return b


def test_an_unchanged_rebuild_is_a_no_op_that_touches_nothing(built: Built) -> None:
    before = _snapshot(built.output, built.reports, built.stamp.parent)
    proc = _build(built)
    assert _is_noop(proc, built), proc.stdout + proc.stderr[-3000:]
    assert _snapshot(built.output, built.reports, built.stamp.parent) == before  # bytes and mtimes
    # Workers and the Dask address do not enter the key (the scheduler named here does not exist: a build
    # that tried to reach it would fail).
    proc = _build(built, "--workers", "2", "--dask-address", "tcp://127.0.0.1:9")
    assert _is_noop(proc, built), proc.stdout + proc.stderr[-3000:]
    assert _snapshot(built.output, built.reports, built.stamp.parent) == before


def test_the_stamp_is_outside_the_package_and_names_every_file_of_it(built: Built) -> None:
    stamp = json.loads(built.stamp.read_text(encoding="utf-8"))
    assert stamp["key"] == build_key(built.options())
    assert not any(stamp["key"].encode() in p.read_bytes() for p in built.output.rglob("*") if p.is_file())
    listed = json.loads((built.output / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert {"datapackage.json", *(r["path"] for r in listed)} <= set(stamp["files"])
    assert set(stamp["files"]) == {p.relative_to(built.output).as_posix() for p in built.output.rglob("*")
                                   if p.is_file()}


def test_the_flow_itself_returns_the_last_build_when_nothing_changed_unless_forced(built: Built) -> None:
    from pipeline.flows import build_dataset

    report = json.loads((built.output / "build-report.json").read_text(encoding="utf-8"))
    before = _snapshot(built.output, built.reports)
    kwargs = {"input_dir": str(built.input), "output": str(built.output), "reports": str(built.reports),
              "cache": str(built.cache)}
    result = build_dataset(**kwargs)
    assert result["extracted"] == 0 and result["rows"] == report["rows"]
    assert result["output"] == str(built.output.resolve()) and result["rejected"] == len(report["rejected"])
    assert _snapshot(built.output, built.reports) == before  # nothing written, not even the reports
    package = _bytes(built.output)
    forced = build_dataset(**kwargs, force=True)
    assert forced["rows"] == report["rows"] and forced["extracted"] == 0  # every article from the cache
    assert _bytes(built.output) == package  # the same bytes ...
    after = _snapshot(built.output, built.reports)
    for written in (built.output / "datapackage.json", built.reports / "build-report.json"):  # ... written again
        assert after[str(written)][1] != before[str(written)][1]


def test_force_rebuilds_and_no_cache_never_reads_or_writes_a_stamp(built: Built) -> None:
    package = _bytes(built.output)
    forced = _build(built, "--force")
    assert _full(forced) and "extracted 0 article(s), 4 from the cache" in forced.stdout + forced.stderr
    assert _bytes(built.output) == package
    stamp = _snapshot(built.stamp.parent)
    uncached = _build(built, "--no-cache")
    assert _full(uncached) and "extracted 4 article(s), 0 from the cache" in uncached.stdout + uncached.stderr
    assert _snapshot(built.stamp.parent) == stamp and _bytes(built.output) == package
    assert _is_noop(_build(built), built)  # the package --no-cache left is the stamped one, byte for byte


def test_a_package_edited_by_hand_or_a_lost_report_is_rebuilt(built: Built) -> None:
    package = _bytes(built.output)
    events = built.output / "data" / "events.csv"
    events.write_bytes(events.read_bytes() + b"\n")
    proc = _build(built)
    assert _full(proc), proc.stdout + proc.stderr[-3000:]
    assert _bytes(built.output) == package  # the build put the file back
    # The report of the reports folder is part of what a build leaves: without it, no no-op.
    (built.reports / "build-report.json").unlink()
    assert unchanged(built.cache, built.options(), build_key(built.options())) is None
    shutil.copy(built.output / "build-report.json", built.reports)  # the same bytes as the lost one
    assert _is_noop(_build(built), built)


def test_a_changed_or_added_article_is_a_full_build(built: Built) -> None:
    first = sorted(built.input.glob("*.txt"))[0]
    text = first.read_bytes()
    try:
        # (one build for both: each is a key of its own, test_everything_that_reaches_the_package_...)
        first.write_bytes(text + b"\nPolice in Quito said on Monday that 14 people were arrested.\n")
        added = built.input / "900_added.txt"
        added.write_text("Bus terminal attack in Quito\n\nPolice in Quito said on Monday that 9 people were "
                         "arrested after an attack on a bus terminal.\n", encoding="utf-8")
        proc = _build(built)
        assert _full(proc) and "extracted 2 article(s), 3 from the cache" in proc.stdout + proc.stderr
        assert (built.output / "articles" / "900_added.txt").is_file()
    finally:
        first.write_bytes(text)
        (built.input / "900_added.txt").unlink(missing_ok=True)
    proc = _build(built)  # back to the first inputs: the stamp is the last build's, so a full build
    assert _full(proc) and "extracted 0 article(s), 4 from the cache" in proc.stdout + proc.stderr


def test_everything_that_reaches_the_package_or_reports_changes_the_key(built: Built, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    options = built.options()
    key = build_key(options)
    assert unchanged(built.cache, options, key) is not None
    same = shutil.copytree(built.input, tmp_path / "same")
    assert build_key(dataclasses.replace(options, input_dir=same)) == key  # content, not where it sits
    changed = {}
    for name, edit in {
        "an article's bytes": lambda d: (d / "000_22f992a436c0f914.txt").write_bytes(
            (d / "000_22f992a436c0f914.txt").read_bytes().replace(b"a", b"b", 1)),
        "an article added": lambda d: (d / "zzz.txt").write_text("Riot in a prison.\n", encoding="utf-8"),
        "an article removed": lambda d: (d / "003_196ffab3c2adb8f9.txt").unlink(),
        "an article renamed": lambda d: (d / "003_196ffab3c2adb8f9.txt").rename(d / "004.txt"),
        "the manifest": lambda d: (d / "sources.yaml").write_text(
            (d / "sources.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"),
        "a sub-folder added": lambda d: (d / "sub").mkdir(),
    }.items():
        folder = shutil.copytree(built.input, tmp_path / name.replace(" ", "_").replace("'", ""))
        edit(folder)
        changed[name] = dataclasses.replace(options, input_dir=folder)
    for field, value in (("include_texts", False), ("strict", True), ("max_bytes", 1000),
                         ("max_quarantine", 0.5), ("allow_shrink", "a reason"), ("reports", tmp_path / "r"),
                         ("output", tmp_path / "o")):
        changed[field] = dataclasses.replace(options, **{field: value})
    for name, other in changed.items():
        other_key = build_key(other)
        assert other_key != key, name
        assert unchanged(built.cache, other, other_key) is None, name
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the package's `created` comes from it
    assert build_key(options) != key


def test_the_key_follows_every_file_of_the_code_and_schemas(built: Built, tmp_path: Path) -> None:
    """A lexicon edited, a schema added or a module added is another key (the paths are relative: a copy of
    the same code has the same key)."""
    copy = tmp_path / "root"
    for entry in ("pipeline", "schemas"):
        shutil.copytree(ROOT / entry, copy / entry, ignore=shutil.ignore_patterns("__pycache__"))
    options = built.options()
    key = build_key(options, copy)
    assert key == build_key(options, ROOT)
    places = copy / "schemas" / "lexicon" / "places.yaml"
    original = places.read_bytes()
    places.write_bytes(original + b"\n# a comment is a change too\n")
    assert build_key(options, copy) != key
    places.write_bytes(original)
    assert build_key(options, copy) == key
    for added in (copy / "schemas" / "extra.json", copy / "pipeline" / "extra.py", copy / "schemas" / "x.yml"):
        added.write_text("{}\n", encoding="utf-8")
        assert build_key(options, copy) != key, added
        added.unlink()
    (copy / "schemas" / "notes.txt").write_text("not read by the build\n", encoding="utf-8")
    assert build_key(options, copy) == key


def test_an_unreadable_or_malformed_stamp_is_a_miss(built: Built, tmp_path: Path) -> None:
    options, key = built.options(), build_key(built.options())
    cache = tmp_path / "cache"
    stamp = stamp_path(cache, built.output)
    stamp.parent.mkdir(parents=True)
    shutil.copy(built.stamp, stamp)
    assert unchanged(cache, options, key) is not None  # the copy is as good as the original
    good = json.loads(stamp.read_text(encoding="utf-8"))
    for bad in (b"", b"\xff\xfe not json", b"[]", b'{"key": 1}', json.dumps({**good, "files": []}).encode(),
                json.dumps({**good, "report": None}).encode(), json.dumps({**good, "key": "0" * 64}).encode(),
                json.dumps({**good, "reference_date": "1999-01-01"}).encode()):
        stamp.write_bytes(bad)
        assert unchanged(cache, options, key) is None, bad
    stamp.unlink()
    stamp.mkdir()  # not even a file
    assert unchanged(cache, options, key) is None
