"""Folder + optional ``sources.yaml`` manifest -> articles, and rejects with reasons.

Nothing is dropped silently: every file in the folder and every manifest entry
ends up either as an :class:`Article` or as a :class:`Rejection` that names it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pipeline.text.language import detect_language

MANIFEST = "sources.yaml"
DEFAULT_MAX_BYTES = 2_000_000
MAX_MANIFEST_BYTES = 50_000_000
_MANIFEST_KEYS = {"file", "title", "publisher", "url", "published", "language"}
_TEXT_KEYS = ("title", "publisher", "url", "language")
_PUBLISHED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")  # a BCP-47 tag: 'en', 'es', 'es-EC'
# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
_BINARY_CONTROL = set(range(0, 9)) | {11} | set(range(14, 32))  # control bytes never in prose
_NOT_BINARY_CONTROL = bytes(b for b in range(256) if b not in _BINARY_CONTROL)  # deleted to count the rest in C


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


class InputRefused(Exception):
    """The input folder itself cannot be read (missing, not a folder, a symbolic link): nothing is built."""


@dataclass(frozen=True)
class Rejection:
    """Something put aside: which file or manifest entry, and why.

    ``entry`` is True for a manifest entry whose file still builds (with metadata from its text), so
    that the file is counted once in ``articles_in``.
    """

    file: str
    reason: str
    entry: bool = False


@dataclass
class IngestResult:
    """What a folder yielded."""

    articles: list[Article] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def articles_in(self) -> int:
        """Files read or named: each counted once, whatever happened to its manifest entry."""
        return len({a.file for a in self.articles} | {r.file for r in self.rejected if not r.entry})


# In the reason of a manifest date refused as in the future (pipeline.stamp: such a build holds for one day).
AFTER_REFERENCE_DATE = "after the build's reference date"


def reference_date() -> dt.date:
    """The build's 'today': ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the UTC date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def _utf16_without_bom(raw: bytes) -> bool:
    """ASCII-heavy UTF-16 without a byte-order mark: NUL in (nearly) every other byte."""
    head = raw[:4096]
    if len(head) < 8:
        return False
    low, high = sorted((head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])))
    return high > 0.9 and low < 0.1


def decode_article(raw: bytes) -> tuple[str | None, str | None]:
    """Bytes -> (text, None) or (None, reason). A leading BOM is removed, nothing else changes."""
    if not raw.strip():
        return None, "empty file" if not raw else "empty file (only white space)"
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return None, (f"{encoding} text (byte-order mark {bom.hex(' ').upper()}), not UTF-8: "
                          "re-encode the file as UTF-8")
    if _utf16_without_bom(raw):
        return None, "UTF-16 text without a byte-order mark (NUL in every other byte), not UTF-8: re-encode it"
    if b"\x00" in raw:
        return None, f"binary file (NUL byte at offset {raw.index(0)}), not text"
    if len(raw[:4096].translate(None, _NOT_BINARY_CONTROL)) > 0.01 * min(len(raw), 4096):
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


# libyaml's parser where PyYAML was built with it (its wheels are): the same safe constructors, several
# times faster on a manifest of thousands of entries.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ManifestLoader(_SafeLoader):
    """``yaml.SafeLoader`` whose scalars keep the text they were written as.

    Every manifest field is text: ``title: 1984``, ``title: yes``, ``published: 2024-01-09`` are the
    strings "1984", "yes", "2024-01-09", not an int, a bool and a date (YAML 1.1's implicit types).
    ``!!python/...`` tags stay refused, as ``safe_load`` refuses them.
    """


for _tag in ("bool", "int", "float", "timestamp"):
    _ManifestLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", lambda loader, node: loader.construct_scalar(node))


def _kind(value: object) -> str:
    """What YAML made of a value, for a message (never the value itself: it may be an alias bomb)."""
    return {list: "a list", dict: "a mapping"}.get(type(value), f"a {type(value).__name__}")


class _Unsafe(Exception):
    """A file that must not be read: the message is the reason."""


def _open_inside(folder: Path, path: Path) -> tuple[int, os.stat_result]:
    """Open ``path`` for reading only if it is a regular file whose real path is inside ``folder``.

    ``folder`` is already resolved. A symbolic link is followed only when its target stays inside;
    the final open refuses links (``O_NOFOLLOW``) and special files are named without being opened.
    """
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                raise _Unsafe("broken symbolic link (its target does not exist or loops)") from None
            if not real.is_relative_to(folder):
                raise _Unsafe("symbolic link to a file outside the input folder: not followed")
            path, st = real, real.lstat()
        if stat.S_ISDIR(st.st_mode):
            raise _Unsafe("not a regular file (folders are not read)")
        for test, what in _SPECIAL:
            if test(st.st_mode):
                raise _Unsafe(f"{what}, not a regular file: not read")
        if not stat.S_ISREG(st.st_mode):
            raise _Unsafe("not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise _Unsafe(f"cannot be read: {err.strerror or err}") from None
    fst = os.fstat(fd)
    if not stat.S_ISREG(fst.st_mode) or (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
        os.close(fd)
        raise _Unsafe("changed while it was being read (replaced by another file)")
    return fd, fst


def _read_inside(folder: Path, path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file inside ``folder``, at most ``max_bytes`` (else :class:`_Unsafe`)."""
    fd, st = _open_inside(folder, path)
    with os.fdopen(fd, "rb") as f:
        if st.st_size > max_bytes:
            raise _Unsafe(f"file of {st.st_size} bytes is over the limit of {max_bytes}")
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:  # it grew after the size check
        raise _Unsafe(f"file of more than {max_bytes} bytes is over the limit of {max_bytes}")
    return raw


def _published_problem(value: str, today: dt.date) -> str | None:
    """Why a manifest ``published`` value is refused, or None when it is a real, past date."""
    match = _PUBLISHED.fullmatch(value)
    if not match:
        return f"'published' must be YYYY, YYYY-MM or YYYY-MM-DD, got {value[:40]!r}"
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        start = dt.date(year, month, day)
    except ValueError:
        return f"'published' {value} is not a real date"
    if start > today:
        return f"'published' {value} is {AFTER_REFERENCE_DATE} {today} (today, or SOURCE_DATE_EPOCH)"
    return None


def _coerce_entry(entry: dict[Any, Any], today: dt.date) -> tuple[dict[str, str], str | None]:
    """The entry's fields as text, or the first reason it is refused."""
    out: dict[str, str] = {}
    for key in (*_TEXT_KEYS, "published"):
        value = entry.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return out, f"'{key}' must be text, got {_kind(value)}"
        out[key] = value.strip()
    if "language" in out and not _LANGUAGE.fullmatch(out["language"]):
        return out, f"'language' must be a BCP-47 tag such as en or es, got {out['language'][:40]!r}"
    if "published" in out:
        problem = _published_problem(out["published"], today)
        if problem:
            return out, problem
    return out, None


def _load_manifest(folder: Path, result: IngestResult) -> dict[str, dict[str, Any]]:
    """Manifest entries by file name; bad entries (or a bad manifest) become rejections."""
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return {}
    try:
        raw = _read_inside(folder, path, MAX_MANIFEST_BYTES)
    except _Unsafe as err:
        result.rejected.append(Rejection(MANIFEST, f"manifest {err}"))
        return {}
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_ManifestLoader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        result.rejected.append(Rejection(MANIFEST, f"manifest is not valid YAML: {err}".splitlines()[0]))
        return {}
    except RecursionError:
        result.rejected.append(Rejection(MANIFEST, "manifest is not valid YAML: nested too deeply"))
        return {}
    if data is None:
        return {}
    if not isinstance(data, list):
        result.rejected.append(Rejection(MANIFEST, "manifest must be a YAML list of entries with a 'file' key"))
        return {}
    today = reference_date()
    entries: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(data):
        label = f"{MANIFEST}[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            result.rejected.append(Rejection(label, "manifest entry has no 'file' string"))
            continue
        name = entry["file"]
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or len(pure.parts) != 1 or "\\" in name or "\x00" in name:
            result.rejected.append(Rejection(name[:200], f"{label}: path is outside the input folder"))
            continue
        unknown = {str(k) for k in entry} - _MANIFEST_KEYS
        if unknown:
            result.warnings.append(f"{label} ({name}): unknown keys ignored: {sorted(unknown)}")
        if name in entries:
            result.rejected.append(Rejection(name, f"{label}: second manifest entry for the same file", entry=True))
            continue
        if not os.path.lexists(folder / name):
            result.rejected.append(Rejection(name, f"{label}: manifest names a file that does not exist"))
            continue
        fields, problem = _coerce_entry(entry, today)
        if problem:
            result.rejected.append(Rejection(
                name, f"{label}: {problem}; entry ignored, the article is built with metadata from its text",
                entry=True))
            continue
        entries[name] = fields
    return entries


def check_input_folder(folder: Path) -> None:
    """Refuse an input folder that is missing, not a folder, or itself a symbolic link (one line)."""
    if folder.is_symlink():
        raise InputRefused(f"input folder {folder} is a symbolic link: pass the real folder "
                           f"({folder.resolve()}) so that what is read is what is named")
    if not folder.exists():
        raise InputRefused(f"input folder not found: {folder}")
    if not folder.is_dir():
        raise InputRefused(f"input {folder} is not a folder")


def ingest_folder(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> IngestResult:
    """Read every file of ``folder`` (not recursive) into articles or rejections, in name order.

    Only regular files whose real path is inside ``folder`` are read: a symbolic link that leads
    outside, a folder, a pipe, a device or a socket is a rejection with its reason.
    """
    result = IngestResult()
    check_input_folder(folder)
    folder = folder.resolve()
    manifest = _load_manifest(folder, result)
    seen: dict[str, str] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        name = path.name
        if name == MANIFEST:
            continue
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 in the name: it could not be an id or a JSON string
            shown = os.fsencode(name).decode("utf-8", "backslashreplace")
            result.rejected.append(Rejection(shown, "file name is not valid UTF-8: rename the file"))
            continue
        try:
            raw = _read_inside(folder, path, max_bytes)
        except _Unsafe as err:
            result.rejected.append(Rejection(name, str(err)))
            continue
        size = len(raw)
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
