"""Compare two data packages (folders or release zips): rows, schemas and sources.

Rows are matched by primary key, so a corrected value shows as a changed row
with the columns that changed, not as a removal plus an addition.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.tables import TABLES
from pipeline.untrusted import PackageRefused, check_descriptor, check_zip, inside, relative_problem


@dataclass(frozen=True)
class PackageView:
    """What a diff needs of a package: its descriptor and its tables as rows."""

    descriptor: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]


def _zip_root(names: list[str]) -> str:
    found = [n for n in names if n == "datapackage.json" or n.endswith("/datapackage.json")]
    if not found:
        raise PackageRefused("no datapackage.json in the archive")
    dp = min(found, key=len)
    return dp[: -len("datapackage.json")]


def _table_resources(descriptor: Any) -> list[dict[str, Any]]:
    """The Parquet resources a diff reads, once every path is known to be a plain relative one."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise PackageRefused("datapackage.json: 'resources' must be a list")
    out = []
    for res in descriptor["resources"]:
        if isinstance(res, dict) and res.get("name") in TABLES:
            problem = relative_problem(res.get("path"))
            if problem:
                raise PackageRefused(f"resource {res['name']}: {problem}")
            out.append(res)
    return out


def open_package(path: Path) -> PackageView:
    """Read a package folder, or a release zip holding one (at its root or in one top folder).

    A package from elsewhere is read only within itself: a zip is bounded before it is inflated and
    every path must be relative, inside the package and free of symbolic links (:class:`PackageRefused`).
    """
    try:
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                check_zip(zf)
                root = _zip_root(zf.namelist())
                descriptor = json.loads(zf.read(root + "datapackage.json"))
                read = {res["name"]: zf.read(root + res["path"]) for res in _table_resources(descriptor)}
            rows = {name: pq.read_table(io.BytesIO(data)).to_pylist() for name, data in read.items()}
            return PackageView(descriptor, rows)
        descriptor = json.loads(inside(path, "datapackage.json").read_text(encoding="utf-8"))
        refused = check_descriptor(path, descriptor)
        if refused:
            raise PackageRefused(refused[0])
        rows = {res["name"]: pq.read_table(inside(path, res["path"])).to_pylist()
                for res in _table_resources(descriptor)}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:  # pyarrow's errors are ValueErrors/OSErrors
        raise PackageRefused(f"{path}: cannot read the package ({type(err).__name__}: {str(err)[:200]})") from None
    return PackageView(descriptor, rows)


@dataclass
class TableDiff:
    """Row and schema changes of one table."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # id -> changed columns
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)
    fields_retyped: list[str] = field(default_factory=list)

    @property
    def schema_changed(self) -> bool:
        return bool(self.fields_added or self.fields_removed or self.fields_retyped)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.schema_changed)


@dataclass
class PackageDiff:
    """Everything that differs between two packages."""

    old_version: str | None
    new_version: str | None
    tables: dict[str, TableDiff]
    sources_added: list[str]
    sources_removed: list[str]
    sources_changed: list[str]  # same source_id, different sha256

    @property
    def empty(self) -> bool:
        return all(t.empty for t in self.tables.values())

    def bump(self) -> str | None:
        """The SemVer bump this diff calls for (README, 'Versions'); None when nothing changed."""
        if any(t.fields_removed or t.fields_retyped for t in self.tables.values()):
            return "major"
        if any(t.fields_added or t.added for t in self.tables.values()) or self.sources_added:
            return "minor"
        if any(t.changed or t.removed for t in self.tables.values()) or self.sources_changed:
            return "patch"
        return None

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form for tools."""
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "bump": self.bump(),
            "sources": {"added": self.sources_added, "removed": self.sources_removed,
                        "changed": self.sources_changed},
            "tables": {
                name: {"added": t.added, "removed": t.removed, "changed": t.changed,
                       "schema": {"added": t.fields_added, "removed": t.fields_removed,
                                  "retyped": t.fields_retyped}}
                for name, t in self.tables.items()
            },
        }

    def to_markdown(self, made: str | None = None) -> str:
        """A summary for people (the changelog entry is this); ``made`` is the bump released when it differs
        from the one the data calls for (forced, or asked for on the command line)."""
        called = self.bump() or "none"
        bump = called if made in (None, called) else f"{made}; the data alone calls for {called}"
        lines = [f"Changes from {self.old_version} to {self.new_version} (bump: {bump})", ""]
        for label, ids in (("New sources", self.sources_added), ("Removed sources", self.sources_removed),
                           ("Sources whose text changed", self.sources_changed)):
            if ids:
                lines.append(f"- {label}: " + ", ".join(f"`{i}`" for i in ids))
        for name, t in self.tables.items():
            if t.empty:
                continue
            lines.append(f"- **{name}**: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed")
            for what, cols in (("columns added", t.fields_added), ("columns removed", t.fields_removed),
                               ("columns retyped", t.fields_retyped)):
                if cols:
                    lines.append(f"  - {what}: " + ", ".join(f"`{c}`" for c in cols))
            for rid, cols in sorted(t.changed.items()):
                lines.append(f"  - changed `{rid}`: " + ", ".join(cols))
            for verb, ids in (("added", t.added), ("removed", t.removed)):
                if ids:
                    lines.append(f"  - {verb}: " + ", ".join(f"`{i}`" for i in ids))
        if self.empty:
            lines.append("- no changes")
        return "\n".join(lines) + "\n"


def _fields(descriptor: dict[str, Any], name: str) -> dict[str, str]:
    res = next((r for r in descriptor.get("resources", []) if r["name"] == name), None)
    return {f["name"]: f["type"] for f in res["schema"]["fields"]} if res else {}


def _primary_key(descriptor: dict[str, Any], name: str) -> str:
    res = next(r for r in descriptor["resources"] if r["name"] == name)
    return res["schema"]["primaryKey"][0]


def diff_table(old: PackageView, new: PackageView, name: str) -> TableDiff:
    """Rows added, removed and changed (by primary key) and schema changes of one table."""
    out = TableDiff()
    of, nf = _fields(old.descriptor, name), _fields(new.descriptor, name)
    out.fields_added = [f for f in nf if f not in of]
    out.fields_removed = [f for f in of if f not in nf]
    out.fields_retyped = [f for f in nf if f in of and of[f] != nf[f]]
    if name not in old.rows or name not in new.rows:
        out.added = sorted(r[_primary_key(new.descriptor, name)] for r in new.rows.get(name, []))
        return out
    key = _primary_key(new.descriptor, name)
    old_rows = {r.get(key): r for r in old.rows[name]}
    new_rows = {r.get(key): r for r in new.rows[name]}
    out.added = sorted(k for k in new_rows if k not in old_rows)
    out.removed = sorted(k for k in old_rows if k not in new_rows)
    shared = [c for c in nf if c in of]
    for k in sorted(set(old_rows) & set(new_rows)):
        cols = [c for c in shared if old_rows[k].get(c) != new_rows[k].get(c)]
        if cols:
            out.changed[k] = cols
    return out


def diff_packages(old: PackageView, new: PackageView) -> PackageDiff:
    """The full diff between two packages."""
    old_src = {r["source_id"]: r["sha256"] for r in old.rows.get("sources", [])}
    new_src = {r["source_id"]: r["sha256"] for r in new.rows.get("sources", [])}
    return PackageDiff(
        old_version=old.descriptor.get("version"),
        new_version=new.descriptor.get("version"),
        tables={name: diff_table(old, new, name) for name in TABLES},
        sources_added=sorted(set(new_src) - set(old_src)),
        sources_removed=sorted(set(old_src) - set(new_src)),
        sources_changed=sorted(k for k in set(old_src) & set(new_src) if old_src[k] != new_src[k]),
    )
