"""Trie-shaped alternations of literal words match what the longest-first flat alternation matches."""

from __future__ import annotations

import random
import re

from pipeline.text.alternation import literal_alternation

WORDS = ["Ecuador", "Ecuadorian", "El Oro", "El", "Esmeraldas", "U.S.", "US", "US$", "Sep", "Sept", "September"]


def _flat(words: list[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


def test_trie_matches_like_the_flat_alternation_backtracking_included() -> None:
    rng = random.Random(0)
    pieces = [*WORDS, " ", ".", "ian", "x", "ember", "$"]
    for tail in ("", r"(?![\w])", r"\s+\d"):  # what follows may reject the longest word: a shorter one is tried
        flat, trie = re.compile(_flat(WORDS) + tail), re.compile(literal_alternation(WORDS) + tail)
        for _ in range(2000):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
            assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)], text


def test_a_look_behind_after_the_first_character_says_the_same_as_before_it() -> None:
    before = re.compile(r"(?<![\w.])" + _flat(WORDS) + r"(?![\w])")
    after = re.compile(literal_alternation(WORDS, after_first=r"(?<![\w.].)") + r"(?![\w])")
    for text in ("Ecuador.Ecuadorian xEl El Oro", "U.S. US$ US", ".Sept September Sep", "El"):
        assert [m.span() for m in after.finditer(text)] == [m.span() for m in before.finditer(text)]
