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


def test_symlink_leading_outside_the_folder_is_rejected_and_never_read(tmp_path: Path) -> None:
    src, outside = tmp_path / "in", tmp_path / "secret.txt"
    src.mkdir()
    outside.write_text("Private notes that must never be published.\n", encoding="utf-8")
    (src / "a.txt").write_text(GOOD, encoding="utf-8")
    (src / "shadow.txt").symlink_to(outside)
    (src / "alias.txt").symlink_to(src / "a.txt")  # a link that stays inside is followed
    (src / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    result = ingest_folder(src)
    assert [a.file for a in result.articles] == ["a.txt"]
    reasons = {r.file: r.reason for r in result.rejected}
    assert "outside the input folder" in reasons["shadow.txt"]
    assert "duplicate" in reasons["alias.txt"]
    assert "broken symbolic link" in reasons["dangling.txt"]
    assert all("Private" not in r for r in reasons.values())


def test_special_files_are_rejected_with_their_kind_without_blocking(tmp_path: Path) -> None:
    import os
    import socket

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading without O_NONBLOCK would hang the build
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.txt"))
    try:
        reasons = _reasons(tmp_path)
    finally:
        sock.close()
    assert reasons["pipe.txt"] == "a named pipe (FIFO), not a regular file: not read"
    assert reasons["sock.txt"] == "a socket, not a regular file: not read"


def test_utf16_and_utf32_are_named_as_such_not_binary() -> None:
    for encoding, label in (("utf-16", "UTF-16"), ("utf-32", "UTF-32")):  # Python writes the BOM
        text, reason = decode_article(GOOD.encode(encoding))
        assert text is None and reason.startswith(f"{label} text (byte-order mark") and "binary" not in reason
    _, reason = decode_article(GOOD.encode("utf-16-le"))
    assert reason.startswith("UTF-16 text without a byte-order mark")
    _, reason = decode_article(b"Police said \x00 12 people were arrested.")
    assert reason == "binary file (NUL byte at offset 12), not text"


def _manifest_case(tmp_path: Path, entries: str) -> tuple[list, dict[str, str]]:
    for name in "abcdefghij":
        (tmp_path / f"{name}.txt").write_text(f"Article {name}\n\n{GOOD}", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(entries, encoding="utf-8")
    result = ingest_folder(tmp_path)
    return result, {r.file: r.reason for r in result.rejected}


def test_manifest_values_are_read_as_the_text_they_were_written_as(tmp_path: Path) -> None:
    result, reasons = _manifest_case(tmp_path, (
        "- file: a.txt\n  title: 1984\n  publisher: 2024\n  url: 2024-01-09\n"
        "- file: b.txt\n  title: yes\n  published: 2024\n"
        "- file: c.txt\n  title: 1.10\n  published: 2023-11\n  language: es-EC\n"))
    by_file = {a.file: a for a in result.articles}
    assert (by_file["a.txt"].title, by_file["a.txt"].publisher, by_file["a.txt"].url) == ("1984", "2024",
                                                                                          "2024-01-09")
    assert (by_file["b.txt"].title, by_file["b.txt"].published) == ("yes", "2024")
    assert (by_file["c.txt"].title, by_file["c.txt"].published, by_file["c.txt"].language) == ("1.10", "2023-11",
                                                                                               "es-EC")
    assert reasons == {}


def test_each_manifest_typo_is_a_named_rejection_of_its_entry_and_the_article_still_builds(tmp_path: Path,
                                                                                            monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01: the build's reference date
    result, reasons = _manifest_case(tmp_path, (
        "- file: a.txt\n  published: 2024-02-30\n"
        "- file: b.txt\n  published: 2025-01-02\n"
        "- file: c.txt\n  language: 12\n"
        "- file: d.txt\n  title: [Quito, Guayaquil]\n"
        "- file: e.txt\n  publisher: {name: El Comercio}\n"
        "- file: f.txt\n  published: 2024-12-31\n  title: Fine\n"))
    assert reasons["a.txt"].startswith("sources.yaml[0]: 'published' 2024-02-30 is not a real date; entry ignored")
    assert "after the build's reference date 2025-01-01" in reasons["b.txt"]
    assert "'language' must be a BCP-47 tag" in reasons["c.txt"]
    assert "'title' must be text, got a list" in reasons["d.txt"]
    assert "'publisher' must be text, got a mapping" in reasons["e.txt"]
    assert "f.txt" not in reasons
    by_file = {a.file: a for a in result.articles}
    assert len(by_file) == 10 and by_file["a.txt"].published is None and by_file["a.txt"].title == "Article a"
    assert by_file["f.txt"].title == "Fine"
    assert result.articles_in == 10  # each file once, whatever happened to its entry


def test_manifest_alias_bomb_is_rejected_in_one_line_without_expanding(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    entries = "- file: a.txt\n  title: *i\n- file: b.txt\n  title: ok\n"
    manifest = "- " + bomb.replace("\n", "\n  ").rstrip() + "\n  file: c.txt\n" + entries
    result, reasons = _manifest_case(tmp_path, manifest)
    assert reasons["a.txt"].startswith("sources.yaml[1]: 'title' must be text, got a list")
    assert len(reasons["a.txt"]) < 200
    assert {a.file: a.title for a in result.articles}["b.txt"] == "ok"


def test_manifest_python_tag_and_manifest_link_outside_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(GOOD, encoding="utf-8")
    (src / "sources.yaml").write_text("- file: a.txt\n  title: !!python/object/apply:os.getpid []\n",
                                      encoding="utf-8")
    reasons = _reasons(src)
    assert "not valid YAML" in reasons["sources.yaml"] and "python/object/apply" in reasons["sources.yaml"]
    (tmp_path / "elsewhere.yaml").write_text("- file: a.txt\n  title: From elsewhere\n", encoding="utf-8")
    (src / "sources.yaml").unlink()
    (src / "sources.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    result = ingest_folder(src)
    assert "outside the input folder" in {r.file: r.reason for r in result.rejected}["sources.yaml"]
    assert result.articles[0].title != "From elsewhere"


def test_input_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    import pytest

    from pipeline.ingest import InputRefused

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(InputRefused, match="is a symbolic link"):
        ingest_folder(tmp_path / "link")
    with pytest.raises(InputRefused, match="not found"):
        ingest_folder(tmp_path / "missing")


def test_file_name_that_is_not_utf8_and_manifest_name_too_long_are_named_not_crashes(tmp_path: Path) -> None:
    import os

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as f:
        f.write(b"Another article about the port of Guayaquil.\n")
    (tmp_path / "sources.yaml").write_text(f"- file: {'x' * 5000}.txt\n", encoding="utf-8")
    result = ingest_folder(tmp_path)
    reasons = {r.file: r.reason for r in result.rejected}
    assert reasons["caf\\xe9.txt"] == "file name is not valid UTF-8: rename the file"
    assert "does not exist" in reasons[f"{'x' * 5000}.txt"]
    assert [a.file for a in result.articles] == ["a.txt"]
