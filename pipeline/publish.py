"""Write tables as Parquet and CSV, describe them in datapackage.json, publish atomically.

Everything written is a function of the inputs: rows are sorted by primary
key, JSON keys are sorted, and ``created`` comes from ``SOURCE_DATE_EPOCH`` or
the latest publication date among the sources, never from the clock.

Publishing (README, "Security and failure model"): one build at a time per
output (a lock file beside it), a fresh staging folder per build, and one
atomic step to put the new package in place (``renameat2(RENAME_EXCHANGE)``
on Linux), so that the output always holds a whole, valid package.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
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
# OWASP "CSV injection": a spreadsheet runs a cell starting with = + - @ (or tab, CR) as a formula.
# Text cells that start so, after any run of apostrophes, get one more leading apostrophe in the CSV
# twins; readers remove exactly one (csv_value). Parquet keeps the text as it is.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")

log = logging.getLogger(__name__)


class OutputRefused(Exception):
    """The output cannot be built into (a file, not writable, another build holds it): nothing moved."""


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


def csv_text(value: Any) -> str:
    """A value as written to a CSV twin: :func:`csv_cell`, and a text that a spreadsheet would run as a
    formula (``=``, ``+``, ``-``, ``@``, tab or CR first, after any apostrophes) gets a leading ``'``.

    Only text values: a number such as -1.5 in a numeric column is written as it is.
    """
    cell = csv_cell(value)
    return _neutralised(cell) if isinstance(value, str) else cell


def _neutralised(text: str) -> str:
    return "'" + text if _FORMULA.match(text) else text


def csv_value(cell: str) -> str:
    """Undo :func:`csv_text` on a cell of a text column read from a CSV twin (one ``'`` removed)."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def csv_string(table: pyarrow.Table) -> str:
    """The CSV twin of ``table``: a header; nulls empty, dates ISO, lists as JSON arrays, LF line ends,
    formulas neutralised (:func:`csv_text`)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    # Column by column (an Arrow column holds one type: no type test per cell), the cells of csv_text.
    writer.writerows(zip(*(_csv_column(table.column(i)) for i in range(table.num_columns)), strict=True))
    return buf.getvalue()


def _csv_column(column: pyarrow.ChunkedArray) -> list[str]:
    """:func:`csv_text` of every value of ``column``."""
    values = column.to_pylist()
    if pyarrow.types.is_string(column.type) or pyarrow.types.is_large_string(column.type):
        return ["" if v is None else _neutralised(v) for v in values]
    if pyarrow.types.is_integer(column.type):
        return ["" if v is None else str(v) for v in values]
    return [csv_text(v) for v in values]


def write_csv(table: pyarrow.Table, path: Path) -> None:
    """:func:`csv_string` of ``table``, as UTF-8."""
    path.write_text(csv_string(table), encoding="utf-8", newline="")


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


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _rename_exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux ``renameat2``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no libc symbol (musl before 1.2.? or an old glibc)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):  # kernel or file system lacks it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _old_copy(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def publish_atomically(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` in one atomic step; the previous package is removed after.

    With ``renameat2(RENAME_EXCHANGE)`` the two folders swap at once, so ``target`` always holds a
    whole package; elsewhere two renames through ``.NAME.old``, which :func:`recover_output` puts
    back if a crash falls between them. A failure before this point never touches ``target``.
    """
    target = target.resolve()
    if not target.exists():
        staging.rename(target)
        return
    if not target.is_dir():
        raise OutputRefused(f"output {target} is a file, not a package folder: nothing published")
    if _rename_exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous package
        return
    old = _old_copy(target)
    if old.exists():
        shutil.rmtree(old)  # target exists, so this is a stale copy of an older package
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)  # put the previous package back
        raise
    shutil.rmtree(old, ignore_errors=True)


def staging_dir(target: Path) -> Path:
    """A fresh, unique folder beside ``target`` (same file system, so publishing is one rename)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the published package is an ordinary folder
    return staging


def _staging_leftovers(target: Path) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.staging(-.*)?")
    return [p for p in target.parent.iterdir()
            if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink()] if target.parent.is_dir() else []


def recover_output(target: Path) -> None:
    """Before a build (lock held): refuse an output that is a file, put back a package a crash left
    at ``.NAME.old`` when ``target`` is missing, and remove staging folders of crashed builds."""
    target = target.resolve()
    if target.exists() and not target.is_dir():
        raise OutputRefused(f"output {target} is a file, not a package folder: refused, nothing moved")
    old = _old_copy(target)
    if old.is_dir() and not old.is_symlink():
        if not target.exists():
            old.rename(target)
            log.warning("recovered the previous package from %s (an earlier build stopped while publishing)", old)
        else:
            shutil.rmtree(old, ignore_errors=True)  # the publish finished; only the clean-up did not
    for leftover in _staging_leftovers(target):
        shutil.rmtree(leftover, ignore_errors=True)


_HELD: dict[Path, int] = {}  # lock files this process holds -> their descriptors


@contextlib.contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``target`` for a whole build; a second build fails at once.

    Re-entrant within a process (the CLI takes it before the flow, the flow takes it again). On entry
    the output is checked and recovered (:func:`recover_output`); on exit any staging folder left by a
    failure, disk full included, is removed, and so is the lock file.
    """
    target = target.resolve()
    lock = target.with_name(f".{target.name}.lock")
    if lock in _HELD:
        yield
        return
    fd = _acquire(lock, target)
    _HELD[lock] = fd
    try:
        with contextlib.suppress(OSError):  # the pid is for the message only (a full disk may refuse it)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        recover_output(target)
        yield
    finally:
        for leftover in _staging_leftovers(target):
            shutil.rmtree(leftover, ignore_errors=True)
        del _HELD[lock]
        with contextlib.suppress(OSError):
            lock.unlink()  # before the lock is released: whoever opens the name next makes a new file
        os.close(fd)  # releases the lock


def _acquire(lock: Path, target: Path) -> int:
    """An open, locked descriptor of ``lock`` that is still the file at that name."""
    for _ in range(3):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as err:
            raise OutputRefused(f"cannot write beside the output {target}: {err.strerror or err}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise OutputRefused(f"another build is publishing to {target} (process {holder} holds {lock.name}); "
                                "nothing done: try again when it has finished") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed it as we opened it: take the new file
    raise OutputRefused(f"another build is publishing to {target} (its lock {lock.name} keeps changing)")
