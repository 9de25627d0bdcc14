"""The release's tables as one SQLite database, with a ``metadata.json`` that datasette reads.

Types, primary keys, foreign keys and NOT NULL come from the package's own Table Schemas (its
``datapackage.json``, so an older package exports as it was published); dates
are ISO text, booleans 0/1, lists JSON arrays (as in the CSV files). Quotes (and, for statistics,
subjects; for events, summaries) are indexed for full-text search with FTS5 tables that datasette
detects, so ``datasette ecuador.db -m metadata.json`` serves a searchable, documented copy.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from pipeline.diff import PackageView
from pipeline.tables import TABLES, csv_cell

DB_NAME = "ecuador"
DB_FILE = f"{DB_NAME}.db"
METADATA_FILE = "metadata.json"
_SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT",
              "array": "TEXT"}
FTS_COLUMNS = {"statistics": ("quote", "subject"), "events": ("quote", "summary"), "sources": ("title",)}


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    """The resource ``name`` of a Data Package descriptor."""
    return next(r for r in descriptor["resources"] if r["name"] == name)


def fts_columns(descriptor: dict[str, Any], name: str) -> list[str]:
    """The text columns of ``name`` indexed for full-text search (those the table has)."""
    fields = {f["name"] for f in resource(descriptor, name)["schema"]["fields"]}
    return [c for c in FTS_COLUMNS.get(name, ()) if c in fields]


def create_statements(descriptor: dict[str, Any], name: str) -> list[str]:
    """CREATE TABLE (and its FTS5 index) for one table, from the package's schema of it."""
    schema = resource(descriptor, name)["schema"]
    cols = []
    for f in schema["fields"]:
        col = f"{_quote_ident(f['name'])} {_SQL_TYPES[f['type']]}"
        if f.get("constraints", {}).get("required"):
            col += " NOT NULL"
        if f["type"] == "boolean":
            col += f" CHECK ({_quote_ident(f['name'])} IN (0, 1))"
        cols.append(col)
    cols.append(f"PRIMARY KEY ({', '.join(_quote_ident(k) for k in schema['primaryKey'])})")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        cols.append(f"FOREIGN KEY ({', '.join(map(_quote_ident, fk['fields']))}) REFERENCES "
                    f"{_quote_ident(ref['resource'])} ({', '.join(map(_quote_ident, ref['fields']))})")
    out = [f"CREATE TABLE {_quote_ident(name)} (\n  " + ",\n  ".join(cols) + "\n)"]
    fts = fts_columns(descriptor, name)
    if fts:
        # content="<table>": an external-content index, the form datasette detects for ?_search=.
        out.append(f'CREATE VIRTUAL TABLE "{name}_fts" USING fts5({", ".join(fts)}, content="{name}")')
    return out


def _sql_value(value: Any, field: dict[str, Any]) -> Any:
    if value is None:
        return None
    if field["type"] == "boolean":
        return int(value)
    if field["type"] in ("date", "array"):
        return csv_cell(value)  # ISO dates and JSON arrays, as in the CSV files
    return value


def insert_order(descriptor: dict[str, Any]) -> list[str]:
    """TABLES with every table after the tables its foreign keys reference (else in TABLES order):
    ``events`` references ``event_clusters``, which is derived after it."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)  # before the references: a cycle of keys cannot recurse forever
        for fk in resource(descriptor, name)["schema"].get("foreignKeys", []):
            ref = fk["reference"]["resource"]
            if ref != name and ref in TABLES:
                visit(ref)
        order.append(name)

    for name in TABLES:
        visit(name)
    return order


def database_bytes(view: PackageView) -> bytes:
    """The SQLite database of the package's tables, as bytes (the same rows give the same bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / DB_FILE
        con = sqlite3.connect(path)
        try:
            con.execute("PRAGMA foreign_keys = ON")
            for name in insert_order(view.descriptor):  # a referenced table before those referencing it
                for statement in create_statements(view.descriptor, name):
                    con.execute(statement)
                schema = resource(view.descriptor, name)["schema"]
                fields = schema["fields"]
                names = ", ".join(_quote_ident(f["name"]) for f in fields)
                marks = ", ".join("?" for _ in fields)
                rows = sorted(view.rows[name], key=lambda r: r[schema["primaryKey"][0]])
                con.executemany(f"INSERT INTO {_quote_ident(name)} ({names}) VALUES ({marks})",
                                [[_sql_value(r.get(f["name"]), f) for f in fields] for r in rows])
                if fts_columns(view.descriptor, name):
                    cols = ", ".join(fts_columns(view.descriptor, name))
                    con.execute(f'INSERT INTO "{name}_fts" (rowid, {cols}) SELECT rowid, {cols} FROM "{name}"')
            con.commit()
            con.execute("VACUUM")  # compact, and no free pages whose contents depend on history
        finally:
            con.close()
        return path.read_bytes()


def datasette_metadata(descriptor: dict[str, Any], repository: str | None = None) -> dict[str, Any]:
    """metadata.json for ``datasette ecuador.db -m metadata.json``: titles, descriptions, licence, sources."""
    lic = descriptor["licenses"][0]
    meta: dict[str, Any] = {
        "title": descriptor["title"],
        "description": descriptor["description"],
        "license": lic.get("title", lic["name"]),
        "license_url": lic.get("path", ""),
        "source": "News articles: the sources table (url, publisher, sha256); texts in the release's articles/",
        "about": f"Release {descriptor['version']}; every column and value is defined in CODEBOOK.md",
    }
    if repository:
        meta["source_url"] = repository
        meta["about_url"] = repository
    tables = {}
    for name in TABLES:
        res = resource(descriptor, name)
        entry: dict[str, Any] = {
            "title": res.get("title", name),
            "description": res.get("description", ""),
            "columns": {f["name"]: f.get("description", "") for f in res["schema"]["fields"]},
        }
        if fts_columns(descriptor, name):
            entry["fts_table"] = f"{name}_fts"
        if name == "sources":
            entry["units"] = {"bytes": "byte"}
        if name == "statistics":
            entry["sort"] = "statistic_id"
        tables[name] = entry
    meta["databases"] = {DB_NAME: {"tables": tables}}
    return meta


def sqlite_extras(descriptor: dict[str, Any], view: PackageView, repository: str | None = None) -> dict[str, bytes]:
    """The database and its datasette metadata, by path inside the release."""
    meta = json.dumps(datasette_metadata(descriptor, repository), indent=2, ensure_ascii=False) + "\n"
    return {DB_FILE: database_bytes(view), METADATA_FILE: meta.encode("utf-8")}
