"""Ingest: every file and manifest entry ends up as an article or a named rejection."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.ingest import decode_article, first_heading, ingest_folder

GOOD = "Gunmen stormed a radio station in Quito on Monday.\n\nPolice said 12 people were arrested.\n"


def _reasons(folder: Path) -> dict[str, str]:
    return {r.file: r.reason for r in ingest_folder(folder).rejected}


def test_ingest_reads_articles_with_hash_size_language_and_title(tmp_path: Path) -> None:
    raw = ("Ecuador declares emergency\n\n" + GOOD).encode()
    (tmp_path / "a.txt").write_bytes(raw)
    result = ingest_folder(tmp_path)
    [art] = result.articles
    assert art.source_id == "a"
    assert art.sha256 == hashlib.sha256(raw).hexdigest()
    assert art.bytes == len(raw)
    assert art.title == "Ecuador declares emergency"
    assert art.language == "en"
    assert result.rejected == []


def test_ingest_rejects_empty_binary_latin1_and_duplicate_but_keeps_the_good_one(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.txt").write_bytes("Violencia en la cárcel de Guayaquil.".encode("latin-1"))
    result = ingest_folder(tmp_path)
    assert [a.file for a in result.articles] == ["copy.txt"]  # name order: the first copy wins
    reasons = _reasons(tmp_path)
    assert reasons["good.txt"].startswith("duplicate") and "copy.txt" in reasons["good.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["latin1.txt"]


def test_ingest_bom_is_removed_from_text_but_counted_in_bytes_and_hash(tmp_path: Path) -> None:
    raw = "\ufeff".encode() + GOOD.encode()
    (tmp_path / "bom.txt").write_bytes(raw)
    [art] = ingest_folder(tmp_path).articles
    assert art.text == GOOD
    assert art.bytes == len(raw) and art.sha256 == hashlib.sha256(raw).hexdigest()


def test_manifest_entry_without_file_and_path_outside_folder_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        "- file: a.txt\n  publisher: El Universo\n  published: 2024-01-09\n  url: https://example.org/a\n"
        "- file: missing.txt\n"
        "- file: ../etc/passwd\n"
        "- file: /abs.txt\n",
        encoding="utf-8",
    )
    result = ingest_folder(tmp_path)
    [art] = result.articles
    assert (art.publisher, art.published, art.url) == ("El Universo", "2024-01-09", "https://example.org/a")
    reasons = _reasons(tmp_path)
    assert "does not exist" in reasons["missing.txt"]
    assert "outside" in reasons["../etc/passwd"]
    assert "outside" in reasons["/abs.txt"]


def test_manifest_that_is_not_yaml_is_rejected_and_articles_still_build(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("- file: a.txt\n  title: [unclosed\n", encoding="utf-8")
    result = ingest_folder(tmp_path)
    assert [a.file for a in result.articles] == ["a.txt"]
    assert "not valid YAML" in _reasons(tmp_path)["sources.yaml"]


def test_manifest_published_must_be_a_partial_iso_date(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("- file: a.txt\n  published: last Tuesday\n", encoding="utf-8")
    assert "YYYY" in _reasons(tmp_path)["a.txt"]


def test_file_over_the_size_limit_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(GOOD * 100, encoding="utf-8")
    result = ingest_folder(tmp_path, max_bytes=1000)
    assert result.articles == []
    assert "over the limit" in result.rejected[0].reason


def test_files_that_are_not_txt_articles_are_named_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert set(_reasons(tmp_path)) == {"notes.md", "sub"}


def test_decode_article_reports_offset_of_bad_byte() -> None:
    text, reason = decode_article(b"abc\xe9def")
    assert text is None and "offset 3" in reason


def test_first_heading_is_none_when_the_first_line_is_a_paragraph() -> None:
    assert first_heading("Violence rose sharply last year across the coast, officials said.\nMore text") is None
    assert first_heading("\n  Prison riot in Guayaquil  \nBody.") == "Prison riot in Guayaquil"
