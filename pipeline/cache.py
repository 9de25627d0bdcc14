"""Per-article extraction cache: a rebuild extracts only the articles whose result it does not hold.

An entry is one small JSON file, ``DIR/<fingerprint>/<kk>/<key>.json``. ``fingerprint`` hashes
everything that shapes extraction besides the article: the code of the reading and extraction
packages (``pipeline/text``, ``pipeline/extract``, ``pipeline/ids.py``, ``pipeline/build.py``), the
vocabularies and lexicons (``schemas/vocab``, ``schemas/lexicon``) and the versions of the libraries
that read text. ``key`` hashes the article: its sha256 and the metadata that enter its rows (source
id, file, title, publisher, url, manifest date, language) and whether texts travel with the package.
A change to any of these is a miss, never a stale row; entries of an older fingerprint are simply
no longer read (delete DIR to reclaim them). The cache is a local speed-up: an unreadable or
malformed entry is a miss, and it is written by the flow's own process, so a remote Dask cluster
needs no shared disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.build import ArticleRows
from pipeline.ingest import Article
from pipeline.stamp import TEXT_LIBRARIES, tree_digest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(".cache/extract")
# What shapes extraction, besides the article itself (folders are read recursively).
FINGERPRINTED = ("pipeline/text", "pipeline/extract", "pipeline/ids.py", "pipeline/build.py",
                 "schemas/vocab", "schemas/lexicon")
_SUFFIXES = (".py", ".yaml", ".yml")
_DATE = "$date"  # JSON has no date type: dates are written {"$date": "YYYY-MM-DD"}


def fingerprint(root: Path = ROOT) -> str:
    """sha256 over the extraction code, vocabularies, lexicons and library versions (paths included,
    so a file added, removed or renamed changes it too)."""
    return tree_digest(root, dict.fromkeys(FINGERPRINTED, _SUFFIXES), TEXT_LIBRARIES)


@cache
def _current_fingerprint() -> str:
    return fingerprint()


def article_key(article: Article, include_texts: bool) -> str:
    """sha256 of the article's text hash and of every field of it that reaches its rows."""
    fields = {k: v for k, v in asdict(article).items() if k not in ("text", "bytes")}
    fields["include_texts"] = include_texts
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATE in obj:
        return dt.date.fromisoformat(obj[_DATE])
    return obj


class ExtractionCache:
    """The extraction results of earlier builds, in ``folder``."""

    def __init__(self, folder: Path, fingerprint_: str | None = None) -> None:
        self.folder = Path(folder) / (fingerprint_ or _current_fingerprint())[:32]

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, article: Article, include_texts: bool) -> ArticleRows | None:
        """The cached rows of ``article``, or None (not cached, or an entry that cannot be read)."""
        path = self._path(article_key(article, include_texts))
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
            rows = ArticleRows(source=data["source"], statistics=data["statistics"], events=data["events"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if not (isinstance(rows.source, dict) and rows.source.get("sha256") == article.sha256
                and isinstance(rows.statistics, list) and isinstance(rows.events, list)):
            return None
        return rows

    def put(self, article: Article, include_texts: bool, rows: ArticleRows) -> None:
        """Store the rows of ``article``, atomically: a reader sees the whole entry or none."""
        self.put_entry(article, include_texts, encode_entry(rows))

    def put_entry(self, article: Article, include_texts: bool, entry: bytes) -> None:
        """Store an entry made by :func:`encode_entry` (e.g. in a worker process, which spares the flow's
        process the encoding), atomically: a reader sees the whole entry or none."""
        path = self._path(article_key(article, include_texts))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(entry)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def encode_entry(rows: ArticleRows) -> bytes:
    """The bytes of a cache entry holding ``rows`` (UTF-8 JSON, dates as ``{"$date": ...}``)."""
    return json.dumps(asdict(rows), default=_encode, ensure_ascii=False, sort_keys=True).encode("utf-8")
