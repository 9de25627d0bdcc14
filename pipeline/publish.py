"""Write tables as Parquet and CSV, describe them in datapackage.json, publish atomically.

Everything written is a function of the inputs: rows are sorted by primary
key, JSON keys are sorted, and ``created`` comes from ``SOURCE_DATE_EPOCH`` or
the latest publication date among the sources, never from the clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.parquet as pq
import yaml

import pipeline.tables
from pipeline.tables import TABLES, csv_cell, spec

DATA_DIR = "data"
ARTICLES_DIR = "articles"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_metadata() -> dict[str, Any]:
    """Package-level metadata from ``schemas/package.yaml``."""
    return yaml.safe_load((pipeline.tables.SCHEMA_DIR / "package.yaml").read_text(encoding="utf-8"))


def created_timestamp(sources: list[dict[str, Any]]) -> str | None:
    """``SOURCE_DATE_EPOCH`` if set, else midnight UTC of the latest source publication date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    dates = [r["published_date"] for r in sources if r.get("published_date")]
    return f"{max(dates).isoformat()}T00:00:00Z" if dates else None


def write_parquet(table: pyarrow.Table, path: Path) -> None:
    """Parquet with real types; zstd, no statistics that depend on the writer's clock."""
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def write_csv(table: pyarrow.Table, path: Path) -> None:
    """UTF-8 CSV with a header; nulls empty, dates ISO, lists as JSON arrays, LF line ends."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([csv_cell(v) for v in row.values()])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def _file_props(root: Path, rel: str) -> dict[str, Any]:
    path = root / rel
    return {"bytes": path.stat().st_size, "hash": f"sha256:{sha256_file(path)}"}


def write_package(
    root: Path,
    tables: dict[str, pyarrow.Table],
    articles: dict[str, Path] | None,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """Write data files, article texts (``articles`` maps source_id -> file) and datapackage.json into root."""
    (root / DATA_DIR).mkdir(parents=True, exist_ok=True)
    resources = []
    for name in TABLES:
        table = tables[name]
        schema = spec(name).table_schema()
        for fmt in ("parquet", "csv"):
            rel = f"{DATA_DIR}/{name}.{fmt}"
            (write_parquet if fmt == "parquet" else write_csv)(table, root / rel)
            res = {
                "name": name if fmt == "parquet" else f"{name}-csv",
                "title": spec(name).raw.get("title", name),
                "description": spec(name).raw.get("description", ""),
                # frictionless reads Parquet through pandas, which turns list<string> cells into numpy
                # arrays and null integers into NaN, so it cannot type-check them: as "file" resources
                # it checks their bytes and sha256; `pipeline validate` checks their types (pandera) and
                # that they equal their CSV twin, which frictionless checks as a table.
                "type": "file" if fmt == "parquet" else "table",
                "path": rel,
                "scheme": "file",
                "format": fmt,
                "mediatype": PARQUET_MEDIATYPE if fmt == "parquet" else "text/csv",
                **_file_props(root, rel),
                "schema": _schema_for(schema, fmt),
            }
            if fmt == "csv":
                res["encoding"] = "utf-8"
                res["dialect"] = {"csv": {"delimiter": ",", "lineTerminator": "\n", "header": True}}
            resources.append(res)
    sources_rows = tables["sources"].to_pylist()
    listed = []
    for row in sources_rows:
        entry = {"title": row["title"] or row["source_id"], "path": row["path"], "hash": f"sha256:{row['sha256']}"}
        if row.get("url"):
            entry["url"] = row["url"]
        listed.append(entry)
    if articles is not None:
        (root / ARTICLES_DIR).mkdir(exist_ok=True)
        for sid, src in sorted(articles.items()):
            shutil.copyfile(src, root / ARTICLES_DIR / f"{sid}.txt")  # raw bytes, so the sha256 holds
    descriptor: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": metadata["name"],
        "title": metadata["title"],
        "description": metadata["description"],
        "version": metadata["version"],
        "keywords": metadata.get("keywords", []),
        "licenses": metadata["licenses"],
        "contributors": metadata["contributors"],
        "sources": listed,
        "resources": resources,
    }
    created = created_timestamp(sources_rows)
    if created:
        descriptor["created"] = created
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    return descriptor


def _schema_for(schema: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The CSV twin points its foreign keys at the CSV sources resource."""
    if fmt == "parquet" or "foreignKeys" not in schema:
        return schema
    fks = [{**fk, "reference": {**fk["reference"], "resource": f"{fk['reference']['resource']}-csv"}}
           for fk in schema["foreignKeys"]]
    return {**schema, "foreignKeys": fks}


def publish_atomically(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging`` by renames on one file system; the old tree is removed last.

    A failure before this point never touches ``target``.
    """
    target = target.resolve()
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)  # put the previous package back
        raise
    if old.exists():
        shutil.rmtree(old)


def staging_dir(target: Path) -> Path:
    """A fresh folder beside ``target`` (same file system, so the final rename is atomic)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging
