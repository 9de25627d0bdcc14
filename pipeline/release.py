"""Numbered, reproducible release archives with a changelog computed from the data.

``release`` validates the package, diffs it against the previous release,
picks the SemVer bump (README, "Versions"), writes the version into
``schemas/package.yaml`` and ``datapackage.json``, prepends the diff to
``CHANGELOG.md`` and writes ``dist/<name>-<version>.zip`` and its ``.sha256``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from pipeline.browser import index_html
from pipeline.card import charts, dataset_card
from pipeline.codebook import render as render_codebook
from pipeline.diff import PackageDiff, PackageView, diff_packages, open_package
from pipeline.publish import package_metadata
from pipeline.quality import validate_package
from pipeline.sqlite_export import sqlite_extras
from pipeline.untrusted import PackageRefused, inside

BUMPS = ("major", "minor", "patch")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same inputs give the same zip bytes


class ReleaseRefused(Exception):
    """The package cannot be released as it is."""


def bump_version(version: str, bump: str | None) -> str:
    """``1.4.2`` + ``minor`` -> ``1.5.0``; ``None`` keeps the version."""
    major, minor, patch = (int(p) for p in version.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def latest_release(dist: Path, name: str) -> Path | None:
    """The highest-versioned ``<name>-X.Y.Z.zip`` in ``dist``, if any."""
    pattern = re.compile(rf"{re.escape(name)}-(\d+)\.(\d+)\.(\d+)\.zip")
    found = [(tuple(int(g) for g in m.groups()), p) for p in dist.glob("*.zip") if (m := pattern.fullmatch(p.name))]
    return max(found)[1] if found else None


def bump_made(old: str, new: str) -> str | None:
    """The SemVer bump that turned version ``old`` into ``new`` (None when they are equal)."""
    a, b = ([int(p) for p in v.split(".")] for v in (old, new))
    return next((kind for kind, x, y in zip(BUMPS, a, b, strict=True) if x != y), None)


def changelog_entry(version: str, diff: PackageDiff | None, date: str | None,
                    counts: dict[str, int] | None = None, bump: str | None = None) -> str:
    """A CHANGELOG.md section: the diff, summarised (a first release states its row counts).

    ``bump`` is the bump made, when it is not the one the diff calls for (forced or asked for).
    """
    head = f"## {version}" + (f" ({date})" if date else "")
    rows = ", ".join(f"{n} {name}" for name, n in (counts or {}).items())
    body = diff.to_markdown(bump) if diff is not None else f"First release{': ' + rows if rows else ''}.\n"
    return f"{head}\n\n{body}\n"


def release_date(descriptor: dict[str, Any]) -> str:
    """The release's date, reproducibly: ``SOURCE_DATE_EPOCH`` (the release workflow sets it to the tagged
    commit's time), else the date of the checkout's last commit, else the data's ``created`` date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        try:
            proc = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=Path(__file__).resolve().parent,
                                  capture_output=True, text=True, timeout=30)
            epoch = proc.stdout.strip() if proc.returncode == 0 else ""
        except OSError:  # no git on this machine
            epoch = ""
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return descriptor.get("created", "")[:10] or dt.date(1980, 1, 1).isoformat()


def repository_url() -> str | None:
    """The code repository: ``repository`` in schemas/package.yaml, else the one GitHub Actions runs in."""
    url = package_metadata().get("repository")
    if not url and os.environ.get("GITHUB_REPOSITORY"):
        url = f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{os.environ['GITHUB_REPOSITORY']}"
    return url or None


def citation_cff(descriptor: dict[str, Any], date: str | None = None, repository: str | None = None) -> str:
    """CITATION.cff for the release: ``date`` is the release's (``release_date``), ``repository`` its code's URL."""
    authors = "\n".join(f'  - name: "{c["title"]}"' for c in descriptor.get("contributors", []))
    out = ["cff-version: 1.2.0", 'message: "If you use this dataset, please cite it as below."', "type: dataset",
           f'title: "{descriptor["title"]}"', f'version: "{descriptor["version"]}"', "authors:", authors,
           f'license: "{descriptor["licenses"][0]["name"]}"']
    if repository:
        out += [f'repository-code: "{repository}"', f'url: "{repository}"']
    if date:
        out.append(f"date-released: {date}")
    return "\n".join(out) + "\n"


LICENSE_TEXT = """The data in this package (the tables under data/ and datapackage.json) is licensed under the
Creative Commons Attribution 4.0 International License (CC-BY-4.0):
https://creativecommons.org/licenses/by/4.0/legalcode

The article texts under articles/ are not covered by this license; they remain the work of their
publishers and are included only so that every quote can be verified against its source.
"""


def release_extras(package: Path, changelog: str) -> dict[str, bytes]:
    """What a release adds to the package, by path: the dataset card and its charts, the codebook, the
    changelog, license and citation, the tables as SQLite with datasette metadata, and index.html (the
    offline browser)."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    view = open_package(package)
    codebook = render_codebook()
    extra = {"README.md": dataset_card(descriptor, view, codebook), "CODEBOOK.md": codebook,
             "CHANGELOG.md": changelog, "LICENSE": LICENSE_TEXT,
             "CITATION.cff": citation_cff(descriptor, release_date(descriptor), repository_url())}
    drawn = charts(view)
    extra["index.html"] = index_html(view, article_texts(package, view), drawn)
    return {**{name: text.encode("utf-8") for name, text in extra.items()}, **drawn,
            **sqlite_extras(descriptor, view, repository_url())}


def article_texts(package: Path, view: PackageView) -> dict[str, str]:
    """The article texts the package carries, decoded as the offsets count them (UTF-8, BOM removed)."""
    out = {}
    for src in view.rows["sources"]:
        try:
            path = inside(package, src["path"])  # a row's path never reads outside the package
        except PackageRefused:
            continue
        if path.is_file():
            out[src["source_id"]] = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    return out


def write_archive(package: Path, dest: Path, changelog: str) -> str:
    """Write a reproducible zip of the package plus its release extras (``release_extras``); return its sha256."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    top = f"{descriptor['name']}-{descriptor['version']}/"
    links = [p for p in package.rglob("*") if p.is_symlink()]
    if links:  # a link would put a file from outside the package into the archive
        raise ReleaseRefused(f"{links[0]} is a symbolic link: a release archive holds only the package's own files")
    extra = release_extras(package, changelog)
    files = sorted(p for p in package.rglob("*") if p.is_file())
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        entries = [(p.relative_to(package).as_posix(), p.read_bytes()) for p in files]
        entries += list(extra.items())
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(top + name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    dest.with_name(dest.name + ".sha256").write_text(f"{digest}  {dest.name}\n", encoding="utf-8")
    return digest


def _set_version(package_yaml: Path, package: Path, version: str) -> None:
    text = package_yaml.read_text(encoding="utf-8")
    package_yaml.write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", text), encoding="utf-8")
    dp_path = package / "datapackage.json"
    dp = json.loads(dp_path.read_text(encoding="utf-8"))
    dp["version"] = version
    dp_path.write_text(json.dumps(dp, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def release(package: Path, dist: Path, changelog: Path, package_yaml: Path, bump: str = "auto",
            previous: Path | None = None, force: bool = False) -> tuple[str, Path, PackageDiff | None]:
    """Release ``package``: returns (version, archive path, diff against the previous release).

    A package whose data did not change since the previous release is refused unless ``force``
    (then ``auto`` makes a patch release).
    """
    failures = validate_package(package)
    if failures:
        raise ReleaseRefused("package fails validation:\n  " + "\n  ".join(failures[:20]))
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    previous = previous or latest_release(dist, descriptor["name"])
    released = re.findall(r"(?m)^## (\d+\.\d+\.\d+)", changelog.read_text(encoding="utf-8")) \
        if changelog.is_file() else []
    if previous is None and released:
        # A fresh clone has no dist/: without the last archive, the diff (and so the bump) is unknown.
        raise ReleaseRefused(f"{changelog} already lists release {released[0]} but no earlier archive was found "
                             f"in {dist}; pass --previous with the {released[0]} zip (from its GitHub Release)")
    diff = diff_packages(open_package(previous), open_package(package)) if previous else None
    if diff is not None and diff.bump() is None and not force:
        raise ReleaseRefused(f"nothing changed since {previous.name}; no release made (--force to make one anyway)")
    if bump != "auto":
        chosen: str | None = bump
    elif diff is not None:
        chosen = diff.bump() or "patch"  # forced with nothing changed
    else:
        chosen = None  # a first release keeps the version in schemas/package.yaml
    base = diff.old_version if diff is not None else descriptor["version"]
    version = bump_version(base, chosen)
    _set_version(package_yaml, package, version)
    if diff is not None:
        diff.new_version = version
    counts = {name: len(rows) for name, rows in open_package(package).rows.items()}
    made = chosen if diff is None or chosen != diff.bump() else None
    entry = changelog_entry(version, diff, release_date(descriptor), counts, made)
    old = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n\n"
    head, _, rest = old.partition("\n\n")
    changelog.write_text(f"{head}\n\n{entry}{rest}", encoding="utf-8")
    archive = dist / f"{descriptor['name']}-{version}.zip"
    write_archive(package, archive, changelog.read_text(encoding="utf-8"))
    return version, archive, diff


def release_message(version: str, archive: Path, diff: PackageDiff | None) -> str:
    """The line ``release`` prints: the bump it made, and the one the data called for when they differ."""
    if diff is None:
        return f"released {version}: {archive} (first release)"
    made = bump_made(diff.old_version or version, version) or "none"
    called = diff.bump() or "none"
    note = "" if made == called else f"; the data alone called for {called}"
    return f"released {version}: {archive} (bump: {made}{note})"
