"""Split an article into sentences with exact character offsets.

News text puts headlines, captions and page furniture on lines of their own,
often without final punctuation, so lines are split first and each line is
then cut into sentences by spaCy's rule-based sentencizer (blank English
pipeline: tokenizer exceptions keep "Jan.", "U.S." and "Gen." whole; no model
download).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

_LINE = re.compile(r"[^\n]+")
_OPENERS = "([{“‘«"


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it sits: ``article_text[start:end] == text``."""

    text: str
    start: int
    end: int
    line_index: int  # which non-blank line of the article it is on
    is_line: bool  # the sentence is a whole line (headline, caption, furniture)


@lru_cache(maxsize=1)
def _nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of ``text`` in order, stripped of surrounding space."""
    nlp = _nlp()
    out: list[Sentence] = []
    lines = [(m.start(), m.group()) for m in _LINE.finditer(text) if m.group().strip()]
    for line_index, (offset, line) in enumerate(lines):
        line_stripped = line.strip()
        doc = nlp(line)
        spans = [[s.start_char, s.end_char] for s in doc.sents]
        # The sentencizer can leave an opening bracket or quote at the end of a
        # sentence ("Jan. 7. (Reuters/...)"): hand it to the sentence it opens.
        for i in range(len(spans) - 1):
            b = spans[i][1]
            while b > spans[i][0] and line[b - 1] in _OPENERS + " ":
                b -= 1
            spans[i][1] = spans[i + 1][0] = b
        for a, b in spans:
            chunk = line[a:b]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            a, b = a + lead, b - trail
            if a >= b:
                continue
            s = line[a:b]
            out.append(Sentence(s, offset + a, offset + b, line_index, s == line_stripped))
    return out
