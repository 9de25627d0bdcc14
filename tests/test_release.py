"""Releases: SemVer bumps computed from the data, changelogs, reproducible archives, stable ids, diffs."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import ROOT, SEEDS, run_cli
from pipeline.diff import diff_packages, open_package
from pipeline.release import ReleaseRefused, bump_version, release, write_archive
from test_validate import rewrite_table

NEW_ARTICLE = """Gunmen attack police station in Esmeraldas

ESMERALDAS, Ecuador (AP) — Gunmen attacked a police station in the coastal city of Esmeraldas on March 3, 2025,
police said. Authorities reported 14 arrests after the attack.
"""


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """Private copies of what a release writes: package.yaml, changelog and dist/."""
    shutil.copy(ROOT / "schemas" / "package.yaml", tmp_path / "package.yaml")
    return {"yaml": tmp_path / "package.yaml", "changelog": tmp_path / "CHANGELOG.md", "dist": tmp_path / "dist"}


def _release(pkg: Path, ws: dict[str, Path], bump: str = "auto"):
    return release(pkg, ws["dist"], ws["changelog"], ws["yaml"], bump)


def _build(src: Path, out: Path) -> Path:
    proc = run_cli("build", "--input", str(src), "--output", str(out), "--reports", str(out.with_name("r")))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def _with_new_article(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    (src / "900_newarticle.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    return src


def test_bump_version_follows_semver() -> None:
    assert bump_version("1.4.2", "major") == "2.0.0"
    assert bump_version("1.4.2", "minor") == "1.5.0"
    assert bump_version("1.4.2", "patch") == "1.4.3"
    assert bump_version("1.4.2", None) == "1.4.2"


def test_new_article_is_a_minor_release_whose_changelog_names_the_source_and_its_rows(
    package_copy: Path, workspace: dict[str, Path], tmp_path: Path
) -> None:
    first, _, _ = _release(package_copy, workspace)
    new_pkg = _build(_with_new_article(tmp_path), tmp_path / "new")
    version, archive, diff = _release(new_pkg, workspace)
    major, minor, patch = (int(p) for p in first.split("."))
    assert version == f"{major}.{minor + 1}.0" and diff.bump() == "minor"
    log = workspace["changelog"].read_text(encoding="utf-8")
    assert log.index(f"## {version}") < log.index(f"## {first}")
    assert "900_newarticle" in log
    new_rows = [r["statistic_id"] for r in pq.read_table(new_pkg / "data" / "statistics.parquet").to_pylist()
                if r["source_id"] == "900_newarticle"]
    assert new_rows and all(rid in log for rid in new_rows)
    assert json.loads((new_pkg / "datapackage.json").read_text())["version"] == version
    assert yaml.safe_load(workspace["yaml"].read_text())["version"] == version
    assert archive.is_file() and archive.with_name(archive.name + ".sha256").is_file()


def test_adding_an_article_keeps_every_old_id(built_package: Path, tmp_path: Path) -> None:
    new_pkg = _build(_with_new_article(tmp_path), tmp_path / "new")
    for table, key in (("statistics", "statistic_id"), ("events", "event_id"), ("sources", "source_id")):
        old = {r[key]: r for r in pq.read_table(built_package / "data" / f"{table}.parquet").to_pylist()}
        new = {r[key]: r for r in pq.read_table(new_pkg / "data" / f"{table}.parquet").to_pylist()}
        assert set(old) <= set(new), f"{table}: ids lost: {sorted(set(old) - set(new))[:5]}"
        assert all(old[k] == new[k] for k in old), f"{table}: old rows changed"


def test_corrected_row_is_a_patch_release(package_copy: Path, workspace: dict[str, Path]) -> None:
    _release(package_copy, workspace)
    target = pq.read_table(package_copy / "data" / "statistics.parquet").to_pylist()[0]["statistic_id"]
    rewrite_table(package_copy, "statistics",
                  lambda rows: [{**r, "subject": "corrected"} if r["statistic_id"] == target else r for r in rows])
    version, _, diff = _release(package_copy, workspace)
    assert diff.bump() == "patch" and version.endswith(".1")
    assert diff.tables["statistics"].changed == {target: ["subject"]}
    assert f"changed `{target}`: subject" in workspace["changelog"].read_text(encoding="utf-8")


def test_renamed_column_is_a_major_release(package_copy: Path, workspace: dict[str, Path], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.build
    from pipeline.flows import build_dataset

    _release(package_copy, workspace)
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    stats = schemas / "statistics.yaml"
    stats.write_text(stats.read_text(encoding="utf-8").replace("name: subject", "name: counted_thing"), "utf-8")
    monkeypatch.setattr(pipeline.tables, "SCHEMA_DIR", schemas)
    real = pipeline.build.extract_statistics
    monkeypatch.setattr(pipeline.build, "extract_statistics", lambda *a, **k: [
        {("counted_thing" if c == "subject" else c): v for c, v in r.items()} for r in real(*a, **k)])
    build_dataset(input_dir=str(SEEDS), output=str(tmp_path / "renamed"), reports=str(tmp_path / "r"))
    version, _, diff = _release(tmp_path / "renamed", workspace)
    assert diff.bump() == "major" and version.split(".")[1:] == ["0", "0"]
    assert diff.tables["statistics"].fields_removed == ["subject"]
    assert diff.tables["statistics"].fields_added == ["counted_thing"]


def test_release_refuses_an_invalid_package(package_copy: Path, workspace: dict[str, Path]) -> None:
    (package_copy / "data" / "events.csv").write_text("broken\n", encoding="utf-8")
    with pytest.raises(ReleaseRefused, match="validation"):
        _release(package_copy, workspace)
    assert not workspace["dist"].exists()


def test_release_without_the_last_archive_is_refused_not_repeated(package_copy: Path,
                                                                 workspace: dict[str, Path]) -> None:
    version, archive, _ = _release(package_copy, workspace)
    before = workspace["changelog"].read_text(encoding="utf-8")
    shutil.rmtree(workspace["dist"])  # a fresh clone: dist/ is not in git
    with pytest.raises(ReleaseRefused, match="--previous"):
        _release(package_copy, workspace)
    assert workspace["changelog"].read_text(encoding="utf-8") == before  # no second "first release"


def test_release_archive_is_reproducible_and_valid(built_package: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    write_archive(built_package, a, "# Changelog\n")
    write_archive(built_package, b, "# Changelog\n")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "unpacked")
    top = names[0].split("/")[0]
    for member in ("datapackage.json", "README.md", "CHANGELOG.md", "LICENSE", "CITATION.cff", "CODEBOOK.md",
                   "charts/events-per-month.svg", "charts/statistics-over-time.svg", "ecuador.db", "metadata.json",
                   "index.html",
                   "data/statistics.parquet", "data/events.csv"):
        assert f"{top}/{member}" in names
    assert run_cli("validate", str(a)).returncode == 0
    exe = Path(__import__("sys").executable).with_name("frictionless")
    import subprocess

    proc = subprocess.run([str(exe), "validate", str(tmp_path / "unpacked" / top / "datapackage.json")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_diff_lists_exactly_the_rows_a_test_changed(built_package: Path, package_copy: Path) -> None:
    rows = pq.read_table(package_copy / "data" / "events.parquet").to_pylist()
    changed_id, removed_id = rows[0]["event_id"], rows[1]["event_id"]
    rewrite_table(package_copy, "events", lambda rs: [
        {**r, "place": "Machala"} if r["event_id"] == changed_id else r for r in rs if r["event_id"] != removed_id])
    diff = diff_packages(open_package(built_package), open_package(package_copy))
    assert diff.tables["events"].changed == {changed_id: ["place"]}
    assert diff.tables["events"].removed == [removed_id]
    assert diff.tables["events"].added == []
    assert all(diff.tables[t].empty for t in ("sources", "statistics"))
    proc = run_cli("diff", str(built_package), str(package_copy), "--json")
    assert json.loads(proc.stdout)["tables"]["events"]["changed"] == {changed_id: ["place"]}


def test_first_release_changelog_states_its_row_counts() -> None:
    from pipeline.release import changelog_entry

    entry = changelog_entry("0.1.0", None, "2025-04-01", {"sources": 4, "statistics": 20, "events": 3})
    assert entry.startswith("## 0.1.0 (2025-04-01)\n")
    assert "First release: 4 sources, 20 statistics, 3 events." in entry


def test_unchanged_package_is_refused_unless_forced_and_the_output_names_the_bump_made(
        package_copy: Path, workspace: dict[str, Path]) -> None:
    first, _, _ = _release(package_copy, workspace)
    for bump in ("auto", "patch"):
        with pytest.raises(ReleaseRefused, match="nothing changed"):
            _release(package_copy, workspace, bump)
    assert len(list(workspace["dist"].glob("*.zip"))) == 1
    proc = run_cli("release", "--package", str(package_copy), "--dist", str(workspace["dist"]), "--changelog",
                   str(workspace["changelog"]), "--package-yaml", str(workspace["yaml"]), "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    major, minor, patch = (int(p) for p in first.split("."))
    forced = f"{major}.{minor}.{patch + 1}"
    assert f"released {forced}:" in proc.stdout
    assert "(bump: patch; the data alone called for none)" in proc.stdout
    log = workspace["changelog"].read_text(encoding="utf-8")
    assert f"to {forced} (bump: patch; the data alone calls for none)" in log


def test_citation_carries_the_repository_and_the_release_date_not_the_data_date(
        built_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "example-org/ecuador-data")
    archive = tmp_path / "a.zip"
    write_archive(built_package, archive, "# Changelog\n")
    with zipfile.ZipFile(archive) as zf:
        cff = yaml.safe_load(next(zf.read(n) for n in zf.namelist() if n.endswith("/CITATION.cff")))
    created = json.loads((built_package / "datapackage.json").read_text())["created"][:10]
    assert str(cff["date-released"]) == "2026-01-01" != created
    assert cff["repository-code"] == "https://github.com/example-org/ecuador-data"
    write_archive(built_package, tmp_path / "b.zip", "# Changelog\n")
    assert archive.read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_release_help_documents_every_option() -> None:
    proc = run_cli("release", "--help")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    options = [(i, line.split()[0]) for i, line in enumerate(lines) if line.startswith("  -")]
    assert {o for _, o in options} >= {"-h,", "--bump", "--force", "--package", "--previous", "--dist",
                                       "--changelog", "--package-yaml"}
    for i, option in options:
        # argparse puts the help after the option on its line, or alone on the next, indented further.
        has_help = "  " in lines[i].strip() or (i + 1 < len(lines) and lines[i + 1].startswith(" " * 8)
                                                and not lines[i + 1].strip().startswith("-"))
        assert has_help, f"release --help: {option} has no description"
