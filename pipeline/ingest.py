"""Folder + optional ``sources.yaml`` manifest -> articles, and rejects with reasons.

Nothing is dropped silently: every file in the folder and every manifest entry
ends up either as an :class:`Article` or as a :class:`Rejection` that names it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pipeline.text.language import detect_language

MANIFEST = "sources.yaml"
DEFAULT_MAX_BYTES = 2_000_000
_MANIFEST_KEYS = {"file", "title", "publisher", "url", "published", "language"}
_PUBLISHED = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_BINARY_CONTROL = set(range(0, 9)) | {11} | set(range(14, 32))  # control bytes never in prose


@dataclass(frozen=True)
class Article:
    """One accepted article: its text and everything known about it."""

    source_id: str
    file: str
    text: str
    sha256: str
    bytes: int
    title: str | None
    publisher: str | None = None
    url: str | None = None
    published: str | None = None  # manifest value, YYYY[-MM[-DD]]
    language: str = "en"
    language_basis: str = "detected"


@dataclass(frozen=True)
class Rejection:
    """Something put aside: which file or manifest entry, and why."""

    file: str
    reason: str


@dataclass
class IngestResult:
    """What a folder yielded."""

    articles: list[Article] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def decode_article(raw: bytes) -> tuple[str | None, str | None]:
    """Bytes -> (text, None) or (None, reason). A leading BOM is removed, nothing else changes."""
    if not raw.strip():
        return None, "empty file" if not raw else "empty file (only white space)"
    if b"\x00" in raw or sum(b in _BINARY_CONTROL for b in raw[:4096]) > 0.01 * min(len(raw), 4096):
        return None, "binary file (NUL or control bytes), not text"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, (f"not UTF-8 text: byte 0x{raw[err.start]:02x} at offset {err.start} "
                      "(re-encode the file as UTF-8; it may be Latin-1 or Windows-1252)")
    return text.removeprefix("\ufeff"), None


def first_heading(text: str, max_words: int = 20) -> str | None:
    """The first non-blank line when it reads as a heading (short, no final full stop)."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            if len(line.split()) <= max_words and not line.endswith((".", "?", "!", ":")):
                return line
            return None
    return None


def _load_manifest(folder: Path, result: IngestResult) -> dict[str, dict[str, Any]]:
    """Manifest entries by file name; bad entries (or a bad manifest) become rejections."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        result.rejected.append(Rejection(MANIFEST, f"manifest is not valid YAML: {err}".splitlines()[0]))
        return {}
    if data is None:
        return {}
    if not isinstance(data, list):
        result.rejected.append(Rejection(MANIFEST, "manifest must be a YAML list of entries with a 'file' key"))
        return {}
    entries: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(data):
        label = f"{MANIFEST}[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            result.rejected.append(Rejection(label, "manifest entry has no 'file' string"))
            continue
        name = entry["file"]
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or len(pure.parts) != 1 or "\\" in name:
            result.rejected.append(Rejection(name, f"{label}: path is outside the input folder"))
            continue
        unknown = set(entry) - _MANIFEST_KEYS
        if unknown:
            result.warnings.append(f"{label} ({name}): unknown keys ignored: {sorted(unknown)}")
        published = entry.get("published")
        if isinstance(published, dt.date):  # YAML reads an unquoted 2024-01-09 as a date
            entry = {**entry, "published": published.isoformat()}
        elif published is not None and not _PUBLISHED.fullmatch(str(published)):
            result.rejected.append(Rejection(name, f"{label}: 'published' must be YYYY, YYYY-MM or YYYY-MM-DD, "
                                                   f"got {published!r}"))
            continue
        elif published is not None:
            entry = {**entry, "published": str(published)}
        if name in entries:
            result.rejected.append(Rejection(name, f"{label}: second manifest entry for the same file"))
            continue
        if not (folder / name).is_file():
            result.rejected.append(Rejection(name, f"{label}: manifest names a file that does not exist"))
            continue
        entries[name] = entry
    return entries


def ingest_folder(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> IngestResult:
    """Read every file of ``folder`` (not recursive) into articles or rejections, in name order."""
    result = IngestResult()
    if not folder.is_dir():
        raise FileNotFoundError(f"input folder not found: {folder}")
    manifest = _load_manifest(folder, result)
    seen: dict[str, str] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        name = path.name
        if name == MANIFEST:
            continue
        if not path.is_file():
            result.rejected.append(Rejection(name, "not a regular file (folders are not read)"))
            continue
        size = path.stat().st_size
        if size > max_bytes:
            result.rejected.append(Rejection(name, f"file of {size} bytes is over the limit of {max_bytes}"))
            continue
        raw = path.read_bytes()
        text, reason = decode_article(raw)
        if reason is None and path.suffix != ".txt":
            reason = "not a .txt article"
        if reason is not None:
            result.rejected.append(Rejection(name, reason))
            continue
        assert text is not None
        digest = hashlib.sha256(raw).hexdigest()
        if digest in seen:
            result.rejected.append(Rejection(name, f"duplicate: same sha256 as {seen[digest]}"))
            continue
        seen[digest] = name
        meta = manifest.get(name, {})
        language = meta.get("language")
        result.articles.append(Article(
            source_id=path.stem,
            file=name,
            text=text,
            sha256=digest,
            bytes=size,
            title=meta.get("title") or first_heading(text),
            publisher=meta.get("publisher"),
            url=meta.get("url"),
            published=meta.get("published"),
            language=language or detect_language(text),
            language_basis="manifest" if language else "detected",
        ))
    return result
