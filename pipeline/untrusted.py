"""Reading a package nobody here made: paths confined to the package, zips bounded before inflating.

``validate`` and ``diff`` are what a user runs on a file from the internet. A
descriptor may name any path or URL and a zip may inflate to any size; these
checks run before anything the package names is opened, fetched or extracted.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

MAX_ZIP_FILES = 10_000
MAX_ZIP_BYTES = 2 << 30  # total uncompressed size (a package of 10,000 articles is ~100 MB)
MAX_ZIP_RATIO = 200  # uncompressed / compressed, for an entry over RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20  # small entries (an empty file, a short header) may compress very well
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class PackageRefused(Exception):
    """The package names something outside itself, or is an archive too large to open: not read."""


def relative_problem(rel: Any) -> str | None:
    """Why ``rel`` is not a plain relative path inside a package (None when it is)."""
    if not isinstance(rel, str) or not rel:
        return f"path must be a non-empty string, got {type(rel).__name__}"
    if _SCHEME.match(rel):
        return "path is a URL (only files inside the package are read)"
    if "\\" in rel or "\x00" in rel or rel.startswith("~"):
        return "path has a backslash, NUL or ~"
    pure = PurePosixPath(rel)
    if pure.is_absolute():
        return "path is absolute (only files inside the package are read)"
    if ".." in pure.parts:
        return "path has '..' (only files inside the package are read)"
    return None


def inside(root: Path, rel: Any) -> Path:
    """``root / rel`` when ``rel`` is relative, stays inside ``root`` and crosses no symbolic link."""
    problem = relative_problem(rel)
    if problem:
        raise PackageRefused(f"{str(rel)[:200]!r}: {problem}")
    path = root
    for part in PurePosixPath(rel).parts:
        path = path / part
        try:
            if stat.S_ISLNK(path.lstat().st_mode):
                raise PackageRefused(f"{rel!r}: {path.relative_to(root)} is a symbolic link (not followed)")
        except FileNotFoundError:
            break  # a missing file is reported by the file checks
    return path


def check_descriptor(root: Path, descriptor: Any) -> list[str]:
    """Refusals for a descriptor that names anything outside the package: paths that are absolute,
    climb with '..', are URLs or symbolic links, and schemas, dialects or profiles given by reference
    (which frictionless would read or fetch). Empty when every resource is a file inside ``root``."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return ["datapackage.json: refused: 'resources' must be a list"]
    out = []
    for key in ("profile", "$schema"):
        if key in descriptor and not _known_profile(descriptor[key]):
            out.append(f"datapackage.json: refused: '{key}' {str(descriptor[key])[:200]!r} is not a known "
                       "Data Package profile (it would be read or fetched)")
    for i, res in enumerate(descriptor["resources"]):
        name = res.get("name", f"#{i}") if isinstance(res, dict) else f"#{i}"
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            out.append(f"resource {name}: refused: not a JSON object with a 'name'")
            continue
        try:
            inside(root, res.get("path"))
        except PackageRefused as err:
            out.append(f"resource {name}: refused: {err}")
        for key in ("schema", "dialect"):
            if key in res and not isinstance(res[key], dict):
                out.append(f"resource {name}: refused: '{key}' given by reference {str(res[key])[:200]!r}, "
                           "not inline (it would be read or fetched)")
        for key in ("profile", "$schema"):
            if key in res and not _known_profile(res[key]):
                out.append(f"resource {name}: refused: '{key}' {str(res[key])[:200]!r} is not a known profile")
    return out


def _known_profile(value: Any) -> bool:
    """The standard profiles, which frictionless knows without reading anything."""
    return isinstance(value, str) and (
        value in ("data-package", "tabular-data-package", "data-resource", "tabular-data-resource")
        or re.fullmatch(r"https://datapackage\.org/profiles/[0-9.]+/[a-z-]+\.json", value) is not None)


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse an archive before inflating anything: too many entries, too large in total, an entry that
    inflates more than ``MAX_ZIP_RATIO`` times, or a name outside the archive's root."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_FILES:
        raise PackageRefused(f"archive has {len(infos)} entries, over the limit of {MAX_ZIP_FILES}")
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_BYTES:
        raise PackageRefused(f"archive would inflate to {total} bytes, over the limit of {MAX_ZIP_BYTES}")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise PackageRefused(f"archive entry {info.filename[:200]!r} would inflate {info.file_size} bytes from "
                                 f"{info.compress_size} (over {MAX_ZIP_RATIO} times: a zip bomb?)")
        problem = relative_problem(info.filename.rstrip("/"))
        if problem:
            raise PackageRefused(f"archive entry {info.filename[:200]!r}: {problem}")


def extract_zip(path: Path, dest: Path) -> None:
    """Extract a checked archive: regular files only, each capped at its declared size."""
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        for info in zf.infolist():
            target = dest / info.filename
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                raise PackageRefused(f"archive entry {info.filename[:200]!r} is a symbolic link")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)  # zipfile stops at the declared size and checks the CRC
