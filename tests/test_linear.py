"""Extraction work grows linearly with the density of numbers (issue 13, item 4).

Work is counted, not timed: every Python call (a generator's step included) and every call into C
made while reading a text, under ``sys.setprofile``. A scan of all earlier numbers for each number
(the quadratic overlap checks this guards against) makes the count grow with the square of the size.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import pytest

from pipeline.extract.statistics import extract_statistics
from pipeline.text.dates import PublicationDate
from pipeline.text.document import read_article
from pipeline.text.numbers import find_numbers
from pipeline.text.sentences import MAX_SENTENCE as MAX_QUOTE

PUBLISHED = PublicationDate(dt.date(2024, 1, 1), dt.date(2024, 1, 1), "day", "manifest")
PATTERNS = ["1 ", "more than 1 ", "$1 ", "5% ", "1,", "7 kilos ", "Los Lobos 8 ", "3 per 100,000 ", "two ",
            "1 to 2 ", "9 "]


def calls(fn: Callable[[], Any]) -> int:
    """How many calls (Python and C) running ``fn`` makes."""
    count = [0]

    def profile(frame: object, event: str, arg: object) -> None:
        if event in ("call", "c_call"):
            count[0] += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count[0]


def text_of(pattern: str, size: int) -> str:
    return (pattern * (size // len(pattern) + 1))[:size]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_find_numbers_work_is_linear_in_the_numbers_of_a_sentence(pattern: str) -> None:
    find_numbers(text_of(pattern, 100))  # warm the caches (vocabularies, compiled patterns)
    small = calls(lambda: find_numbers(text_of(pattern, 1000)))
    large = calls(lambda: find_numbers(text_of(pattern, 4000)))
    # Linear: about 4x the work for 4x the text; quadratic would be about 16x.
    assert large <= 6 * small, (small, large)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_statistics_work_is_linear_in_the_length_of_a_line(pattern: str) -> None:
    def run(size: int) -> None:
        extract_statistics(read_article("Headline\n\n" + text_of(pattern, size), PUBLISHED), "t")

    run(100)
    small = calls(lambda: run(1500))
    large = calls(lambda: run(6000))
    assert large <= 6 * small, (small, large)


def test_a_run_of_numbers_never_gives_a_quote_longer_than_the_cap() -> None:
    text = "Headline\n\n" + "1," * 5000
    rows = extract_statistics(read_article(text, PUBLISHED), "t")
    assert rows
    assert all(len(r["quote"]) <= MAX_QUOTE for r in rows)
    assert all(text[r["char_start"] : r["char_end"]] == r["quote"] for r in rows)


def test_a_long_line_is_cut_at_clause_breaks_and_keeps_its_figures() -> None:
    clause = "police arrested 14 suspects in the port district; "
    text = "Headline\n\n" + clause * 40
    rows = extract_statistics(read_article(text, PUBLISHED), "t")
    assert all(len(r["quote"]) <= MAX_QUOTE for r in rows)
    # Every cut falls after a clause break, so each quote ends a clause rather than a word's middle.
    assert all(r["quote"].endswith(("suspects in the port district;", "district; ", "district;")) for r in rows)
    assert {r["metric"] for r in rows} == {"arrests"}


def test_an_ordinary_sentence_is_not_cut() -> None:
    sentence = "Police arrested 14 suspects in the port district on Monday, " * 5 + "officials said."
    assert len(sentence) < MAX_QUOTE
    rows = extract_statistics(read_article(sentence, PUBLISHED), "t")
    assert rows and all(r["quote"] == sentence for r in rows)
