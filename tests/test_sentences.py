"""Splitting sentences: the sentencizer's sentences with exact offsets, read from as few tokens as it needs."""

from __future__ import annotations

import pytest

from pipeline.text.sentences import _nlp, split_sentences

TRICKY_LINES = [
    "Gunmen stormed a hospital on Jan. 7. (Reuters/Photographer) The army arrived.",
    "The U.S. sent aid. Officials said so! Did they? Yes.",
    "Prices rose 5.5% in 2024... Then they fell.  Two spaces before this one.",
    "“It is over,” he said. ‘Really?’ she asked.",
    "The workers' salaries were cut. Unions protested.",  # "' s" holds the pieces of the special case "'s"
    "E n' s.'c and When' s.Fe and Mo. >: o.ONebr",  # special cases read across a space change the tokens
    "No final punctuation here",
    "Sentence one.\tTabbed sentence two.",
    "Dr. Smith met Gen. Richardson at 10 a.m. on Monday. It went well.",
    # Letters beyond ASCII with only ASCII final characters, and final characters beyond ASCII
    "La policía llegó a Manabí. Hubo tres detenidos en Los Ríos! ¿Quién habló?",
    "Se rindieron… Los demás huyeron。 Nadie más habló‼ Fin",
    "Plain ASCII words… then an ellipsis character. Done.",
]


def _sentencizer(line: str) -> list[str]:
    """spaCy's sentencizer run on the whole line, with split_sentences' hand-off of an opening bracket or
    quote to the sentence it opens, stripped."""
    spans = [[s.start_char, s.end_char] for s in _nlp()(line).sents]
    for i in range(len(spans) - 1):
        b = spans[i][1]
        while b > spans[i][0] and line[b - 1] in "([{“‘« ":
            b -= 1
        spans[i][1] = spans[i + 1][0] = b
    return [line[a:b].strip() for a, b in spans if line[a:b].strip()]


@pytest.mark.parametrize("line", TRICKY_LINES)
def test_sentences_are_the_sentencizers(line: str) -> None:
    assert [s.text for s in split_sentences(line)] == _sentencizer(line)


def test_offsets_point_into_the_article_and_lines_are_counted() -> None:
    text = "HEADLINE HERE\n\nFirst one. Second one.\nThird line\n"
    sentences = split_sentences(text)
    assert [(s.text, s.line_index, s.is_line) for s in sentences] == [
        ("HEADLINE HERE", 0, True), ("First one.", 1, False), ("Second one.", 1, False), ("Third line", 2, True)]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_every_line_of_the_seed_articles_is_split_as_the_sentencizer_splits_it() -> None:
    from pathlib import Path

    seeds = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
    lines = [line for p in seeds for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) > 40
    for line in lines:
        assert [s.text for s in split_sentences(line)] == _sentencizer(line), line
