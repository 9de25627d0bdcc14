"""Split an article into sentences with exact character offsets.

News text puts headlines, captions and page furniture on lines of their own,
often without final punctuation, so lines are split first and each line is
then cut into sentences by the rule of spaCy's rule-based sentencizer over the
tokens of spaCy's tokenizer (blank English pipeline: tokenizer exceptions keep
"Jan.", "U.S." and "Gen." whole; no model download).

Only the tokens around a sentence-final character ("." "!" "?" ...) can end a
sentence, so the tokenizer is asked about those stretches alone, each once: it
tokenizes every whitespace-delimited stretch on its own, and the same stretches
recur across articles. The one exception is a special case of the tokenizer
read across a space ("workers' salaries" holds the pieces of "'s"), which can
change how the stretches around it are read: where that may touch a stretch
read, the line is tokenized whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

_LINE = re.compile(r"[^\n]+")
_OPENERS = "([{“‘«"
_RUN = re.compile(r"\s+|\S+")  # \s is str.isspace, as in spaCy's tokenizer
_NON_SPACE = re.compile(r"\S+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_MEMO_MAX = 200_000  # stretches recur across articles; keep the memo bounded

# A token of a stretch: (start, end) in the stretch, text is a sentence-final char, token is punctuation.
_Token = tuple[int, int, bool, bool]


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


@lru_cache(maxsize=1)
def _final_chars() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    """The sentencizer's sentence-final characters, a pattern finding one, and one finding the ASCII ones
    (a set with astral characters makes the search several times slower)."""
    chars = frozenset(_nlp().get_pipe("sentencizer").punct_chars)

    def one_of(cs: object) -> re.Pattern[str]:
        return re.compile("[" + re.escape("".join(sorted(cs))) + "]")  # type: ignore[call-overload]

    return chars, one_of(chars), one_of(c for c in chars if c.isascii())


_memo: dict[str, tuple[_Token, ...]] = {}


def _tokens(stretch: str) -> tuple[_Token, ...]:
    """spaCy's tokens of a whitespace-delimited stretch of a line (memoised)."""
    found = _memo.get(stretch)
    if found is None:
        found = _tokenize(stretch)
        if len(_memo) < _MEMO_MAX:
            _memo[stretch] = found
    return found


def _tokenize(text: str) -> tuple[_Token, ...]:
    finals = _final_chars()[0]
    return tuple((t.idx, t.idx + len(t), t.text in finals, t.is_punct) for t in _nlp().tokenizer(text))


@lru_cache(maxsize=1)
def _joins() -> dict[tuple[str, str], tuple[tuple[str, int], ...]]:
    """The tokenizer's special cases written with spaces between some of the pieces its rules cut them
    into (\"' s\" for "'s"): its special-case matcher reads such pieces across a space, and may then read
    the stretches on either side otherwise than it reads them alone. Filed by the characters on either side
    of one of their spaces, with where that space is in them."""
    tokenizer = _nlp().tokenizer
    pieces = Tokenizer(
        tokenizer.vocab,
        rules={},
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )
    joins: dict[tuple[str, str], set[tuple[str, int]]] = {}
    for special in tokenizer.rules:
        parts = [t.text for t in pieces(special)]
        for spaces in product((False, True), repeat=len(parts) - 1):
            if any(spaces):
                spaced = parts[0] + "".join((" " if sp else "") + p for sp, p in zip(spaces, parts[1:], strict=True))
                for i, ch in enumerate(spaced):
                    if ch == " ":
                        joins.setdefault((spaced[i - 1], spaced[i + 1]), set()).add((spaced, i))
    return {pair: tuple(sorted(found)) for pair, found in joins.items()}


def _joined_at(line: str, space: int, joins: dict[tuple[str, str], tuple[tuple[str, int], ...]]) -> bool:
    """Whether ``line[space]`` is a space inside a special case written with spaces (``_joins``)."""
    if not 0 < space < len(line) - 1 or line[space] != " ":
        return False
    found = joins.get((line[space - 1], line[space + 1]))
    return found is not None and any(space >= i and line.startswith(spaced, space - i) for spaced, i in found)


def _sentence_starts(line: str) -> list[int]:
    """Where the sentencizer starts sentences in ``line``: the first token, and the first token that is
    neither punctuation nor sentence-final after a sentence-final one ("Jan." and "U.S." are one token)."""
    finals, any_final, ascii_final = _final_chars()
    # A line with no final character beyond ASCII (most lines, even with accented letters) is searched
    # with the short set, which finds the same characters far faster.
    final_char = ascii_final if line.isascii() or finals.isdisjoint(_NON_ASCII.findall(line)) else any_final
    if final_char.search(line) is None:
        return [0]
    joins = _joins()
    starts = [0]
    seen_final = False
    pos = 0
    while True:
        if seen_final:  # the next stretch, whatever it holds
            run = _RUN.match(line, pos)
            if run is None:
                break
            a, b = run.span()
            if line[a] == " ":  # the tokenizer joins a single space to the token before it
                a += 1
                if a == b:
                    pos = b
                    continue
        else:  # only a stretch holding a sentence-final char can change anything
            hit = final_char.search(line, pos)
            if hit is None:
                break
            space = _TO_LAST_SPACE.match(line, pos, hit.start())
            a = space.end() if space else pos
            b = _NON_SPACE.match(line, hit.start()).end()  # type: ignore[union-attr]
        if _joined_at(line, a - 1, joins) or _joined_at(line, b, joins):
            return _starts_in(_tokenize(line))  # the stretch might not be read as on its own
        for start, _end, final, punct in _tokens(line[a:b]):
            if seen_final and not punct and not final:
                starts.append(a + start)
                seen_final = False
            elif final:
                seen_final = True
        pos = b
    return starts


def _starts_in(tokens: tuple[_Token, ...]) -> list[int]:
    """The sentencizer's rule over the tokens of a whole line."""
    starts = [0]
    seen_final = False
    for start, _end, final, punct in tokens:
        if seen_final and not punct and not final:
            starts.append(start)
            seen_final = False
        elif final:
            seen_final = True
    return starts


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of ``text`` in order, stripped of surrounding space."""
    out: list[Sentence] = []
    lines = [(m.start(), m.group()) for m in _LINE.finditer(text) if m.group().strip()]
    for line_index, (offset, line) in enumerate(lines):
        line_stripped = line.strip()
        starts = _sentence_starts(line)
        # A sentence runs to where the next one starts (the space between is stripped below).
        spans = [[a, b] for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]
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


# The longest sentence (characters) the extractors read, and so the longest quote a row gets. Real news
# sentences stay well under it (the longest of the development corpus has about 460); a longer one (a
# table flattened into one line, a run of numbers without a full stop) is read in clauses of at most
# this length, so that the work per number and the quote stay bounded however long the line.
MAX_SENTENCE = 600
_CUTS = (
    re.compile(r"[;:]\s+"),  # a clause break
    re.compile(r"\s+[—–]\s+"),
    re.compile(r",\s+"),
    re.compile(r"\s+"),  # else a word boundary
    re.compile(r"[,.;:/|]"),  # else a separator ("1,1,1,...")
)


def bound_sentences(sentences: list[Sentence], limit: int = MAX_SENTENCE) -> list[Sentence]:
    """``sentences`` with every one longer than ``limit`` cut into clauses no longer than it: at the
    last clause break in its last two thirds, else at the last space there, else at ``limit``."""
    if all(s.end - s.start <= limit for s in sentences):
        return sentences
    out: list[Sentence] = []
    for sent in sentences:
        text, start = sent.text, 0
        while len(text) - start > limit:
            lo, hi = start + limit // 3, start + limit
            cut = hi
            for pattern in _CUTS:
                ends = [b.end() for b in pattern.finditer(text, lo, hi)]
                if ends:
                    cut = ends[-1]
                    break
            piece = text[start:cut].rstrip()
            out.append(Sentence(piece, sent.start + start, sent.start + start + len(piece), sent.line_index, False))
            start = cut
        piece = text[start:]
        out.append(Sentence(piece, sent.start + start, sent.end, sent.line_index, sent.is_line and start == 0))
    return out
