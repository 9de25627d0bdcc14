"""Build stamps: a rebuild with nothing changed leaves the package as it was, without running the build.

The **build key** hashes everything that shapes a package and its reports: the code and data of the
pipeline (every ``.py`` under ``pipeline/``, every ``.yaml``/``.yml``/``.json`` under ``schemas/``, paths
included), the versions of the libraries that read text, write and check the package, the input folder's
content (the name and sha256 of every file, never mtimes) and every build option that reaches the package
or the reports. Worker count, Dask address and cache folder are left out: the package is byte-identical
whichever ran the build.

After a build publishes, a **stamp** is written to ``<cache>/builds/<sha256 of the output path>.json``,
outside the package (which stays byte-reproducible): the key, the sha256 of every file of the published
package and of the build report in the reports folder. The next build with the same key, a package and a
report still as stamped (a package edited or damaged by hand is rebuilt) is a no-op. A stamp is a local
speed-up: an unreadable or malformed one is a miss, never an error.

Only the standard library and ``pipeline.ingest`` are imported here: the CLI checks the stamp before it
loads Prefect or starts its temporary server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.ingest import AFTER_REFERENCE_DATE, reference_date

ROOT = Path(__file__).resolve().parent.parent
# What shapes a package besides its input and options, by folder and the file suffixes hashed in it.
CODE: Mapping[str, tuple[str, ...]] = {"pipeline": (".py",), "schemas": (".yaml", ".yml", ".json")}
TEXT_LIBRARIES = ("spacy", "pycountry", "python-dateutil", "PyYAML")  # they shape extraction (pipeline.cache)
LIBRARIES = (*TEXT_LIBRARIES, "pyarrow", "pandera", "frictionless", "great_expectations")
STAMPS = "builds"  # the stamps' folder inside the cache folder
REPORT = "build-report.json"  # pipeline.build.REPORT (not imported: pipeline.build loads pyarrow and spaCy)


def tree_digest(root: Path, entries: Mapping[str, Iterable[str]], libraries: Iterable[str] = ()) -> str:
    """sha256 over the files under each ``entries`` path (a folder, read recursively, or one file) whose
    suffix is in its list, and the installed versions of ``libraries``. Paths relative to ``root`` are
    hashed with the bytes, so a file added, removed or renamed changes the digest too."""
    digest = hashlib.sha256()
    for entry, suffixes in entries.items():
        base, wanted = root / entry, set(suffixes)
        files = sorted(p for p in base.rglob("*") if p.suffix in wanted) if base.is_dir() else [base]
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in libraries:
        digest.update(f"{name}=={_version(name)}\0".encode())
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@dataclass(frozen=True)
class BuildOptions:
    """The options of a build that can change its package or its reports (paths resolved)."""

    input_dir: Path
    output: Path
    reports: Path
    include_texts: bool
    strict: bool
    max_bytes: int
    max_quarantine: float
    allow_shrink: str | None = None

    def resolved(self) -> BuildOptions:
        """The same options with absolute paths (a relative path means another folder elsewhere)."""
        return BuildOptions(**{**asdict(self), "input_dir": Path(self.input_dir).resolve(),
                               "output": Path(self.output).resolve(), "reports": Path(self.reports).resolve()})


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _content(path: Path) -> str:
    """sha256 of a file's bytes, or "unreadable" (ingest rejects the file; the key must not fail on it)."""
    try:
        return _sha256_file(path)
    except OSError:
        return "unreadable"


def input_entries(folder: Path) -> list[list[str]]:
    """``[name, kind, sha256]`` of every entry of ``folder`` (not recursive, as ingest reads it), by name.

    Regular files are hashed; a symbolic link is its target's text and, when that is a regular file, its
    bytes (ingest follows links that stay inside). A folder, pipe or device is its kind only: never opened.
    """
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = os.fsdecode(entry.name)
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISREG(st.st_mode):
            out.append([name, "file", _content(Path(entry.path))])
        elif stat.S_ISLNK(st.st_mode):
            target = os.readlink(entry.path)
            try:
                regular = stat.S_ISREG(os.stat(entry.path).st_mode)
            except OSError:
                regular = False  # a dangling link: ingest rejects it
            out.append([name, f"link:{target}", _content(Path(entry.path)) if regular else "-"])
        else:
            out.append([name, stat.filemode(st.st_mode)[0], "-"])
    return out


def build_key(options: BuildOptions, root: Path = ROOT) -> str:
    """The build key of ``options`` (see the module's docstring): equal keys, byte-identical packages."""
    options = options.resolved()
    parts = {
        "code": tree_digest(root, CODE, LIBRARIES),
        "python": platform.python_version(),
        "input": input_entries(options.input_dir),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()
                    if k != "input_dir"},  # where the articles sit does not reach the package; what they are does
        # `created` and the reference date that refuses a future manifest date come from it when set.
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    # ensure_ascii: a file name that is not UTF-8 (surrogate escapes) is hashed rather than refused.
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("ascii")).hexdigest()


def stamp_path(cache: Path, output: Path) -> Path:
    """Where the stamp of the package at ``output`` lives in the cache folder ``cache``."""
    return Path(cache) / STAMPS / f"{hashlib.sha256(str(Path(output).resolve()).encode()).hexdigest()}.json"


def package_files(output: Path) -> dict[str, str]:
    """sha256 of every file of the package at ``output``, by path relative to it."""
    root = Path(output)
    return {p.relative_to(root).as_posix(): _sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _dated(report: Mapping[str, Any]) -> bool:
    """Whether the build refused an article for a manifest date after its reference date: then the same
    build on a later day may accept it, so the stamp holds for that day only."""
    return any(AFTER_REFERENCE_DATE in str(r.get("reason", "")) for r in report.get("rejected", []))


def write_stamp(cache: Path, options: BuildOptions, key: str) -> Path:
    """Record that the package at ``options.output`` and the report in ``options.reports`` are what the
    build of ``key`` published (atomically: a reader sees the whole stamp or none). Returns its path."""
    options = options.resolved()
    report_path = options.reports / REPORT
    report = json.loads((options.output / REPORT).read_text(encoding="utf-8"))
    stamp = {"key": key, "output": str(options.output), "files": package_files(options.output),
             "report": _sha256_file(report_path),
             "reference_date": reference_date().isoformat() if _dated(report) else None}
    path = stamp_path(cache, options.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stamp, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def forget(cache: Path, output: Path) -> None:
    """Remove the stamp of ``output`` (a build is about to change it or its reports); never fails."""
    # Should it fail, a stale stamp is still checked against the package and the report before it is trusted.
    with contextlib.suppress(OSError):
        stamp_path(cache, output).unlink(missing_ok=True)


def unchanged(cache: Path, options: BuildOptions, key: str) -> dict[str, Any] | None:
    """The build report of the package at ``options.output`` when its stamp says the build of ``key``
    published it and the package and the report in ``options.reports`` are still as stamped; else None
    (no stamp, another key, an unreadable or malformed stamp, a package or report changed since)."""
    options = options.resolved()
    try:
        stamp = json.loads(stamp_path(cache, options.output).read_text(encoding="utf-8"))
        if not (isinstance(stamp, dict) and stamp.get("key") == key and isinstance(stamp.get("files"), dict)):
            return None
        dated = stamp.get("reference_date")
        if dated is not None and dated != reference_date().isoformat():
            return None
        if stamp["files"] != package_files(options.output):
            return None
        if stamp.get("report") != _sha256_file(options.reports / REPORT):
            return None
        report = json.loads((options.output / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def nothing_changed(output: Path) -> str:
    """The line a no-op rebuild prints."""
    return (f"nothing changed since the last build of {output} (same articles, code and options): "
            "package left as it was; --force rebuilds")
