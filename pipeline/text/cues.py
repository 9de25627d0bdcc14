"""Match cue phrases from the vocabularies against text, fast and offset-exact.

A cue is written in a small syntax kept readable in YAML (see
``schemas/vocab/event_types.yaml``): whole words, ``word*`` for any ending,
``a|b`` for alternatives, ``...``/``...N``/``...M-N`` for gaps of words and
``*'s`` for any possessive.  Matching is case-insensitive and ignores accents.

Why not one big alternation: Python's ``re`` tries every alternative at every
position, which costs milliseconds per article with hundreds of cues.  Here
cues are indexed by their first word, so each word of the text costs one or
two dictionary look-ups and only the few cues that can start there are tried.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, compress
from operator import add
from typing import Any

_WORD = re.compile(r"[^\W_][\w'’-]*")
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")  # (split keeps the words it cuts at)
_GAP = re.compile(r"^\.\.\.(?:(\d+)(?:-(\d+))?)?$")
_GAP_WORD = r"[^\s;:!?()\[\]]+\s+"
_STAR = r"[\w'’-]*"
_POSSESSIVE = "*'s"
_ANY = "\x00any"  # index key of cues whose first word is a possessive
_MEMO_MAX = 200_000


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """One-to-one map of accented Latin letters to their base letter (keeps offsets)."""
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if len(base) == 1 and base != ch:
            table[cp] = base
    table[ord("’")] = "'"
    table[ord("‘")] = "'"
    return table


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(_fold_table())


def fold(text: str) -> str:
    """``text`` without accents and with straight apostrophes; same length, same offsets."""
    # News text is mostly ASCII: translating only the non-ASCII runs is many times faster.
    return _NON_ASCII.sub(_fold_run, text) if not text.isascii() else text


def _word_pattern(word: str) -> str:
    if word == _POSSESSIVE:
        return r"[\w-]+'s"
    star = word.endswith("*")
    body = re.escape(word.rstrip("*")).replace("'", "'")
    return body + (_STAR if star else "")


@dataclass(frozen=True)
class CompiledCue:
    """A cue as regexes, with the words the index files it under."""

    pattern: re.Pattern[str]  # anchored where the cue starts
    first: tuple[str, ...]  # alternatives of its first word
    last: tuple[str, ...]  # alternatives of its last word
    tail: re.Pattern[str] | None  # the cue ending where the searched span ends (filed by its last word)
    reach: int  # most words the cue can span


def compile_cue(cue: str) -> CompiledCue:
    """Cue text -> regexes.  A cue that opens with a list of three or more words ("the|this|their ...
    meeting") is filed under its last word and searched backwards from it: filing it under "the"
    would try it at every "the" of the text."""
    parts = fold(str(cue)).lower().split()
    out: list[str] = []
    gap: tuple[int, int] | None = None
    alts: list[str] = []
    first: list[str] = []
    reach = 0
    for part in parts:
        g = _GAP.match(part)
        if g:
            hi = int(g.group(2) or g.group(1) or 4)
            lo = int(g.group(1)) if g.group(2) else 0
            gap = (lo, hi)
            reach += hi
            continue
        alts = part.split("|")
        first = first or alts
        reach += 1
        piece = "(?:" + "|".join(_word_pattern(a) for a in alts) + ")"
        if out:
            out.append(r"\s+" + (f"(?:{_GAP_WORD}){{{gap[0]},{gap[1]}}}" if gap else ""))
        out.append(piece)
        gap = None
    body = "".join(out) + r"(?![\w-])"
    by_last = (len(first) >= 3 and len(parts) > 2 and _GAP.match(parts[1]) is not None
               and not any(a.endswith("*") or a == _POSSESSIVE for a in alts))
    return CompiledCue(
        pattern=re.compile(body, re.IGNORECASE),
        first=tuple(first),
        last=tuple(alts),
        tail=re.compile(r"(?<![\w'-])" + body + "$", re.IGNORECASE) if by_last else None,
        reach=reach,
    )


@dataclass(frozen=True)
class CueHit:
    """A cue found in text: ``text[start:end]`` matched the cue with payload ``data``."""

    start: int
    end: int
    data: Any


_Candidates = tuple[tuple[tuple["CompiledCue", Any], ...], tuple[tuple["CompiledCue", Any], ...]]


class CueIndex:
    """Cues filed by their first word (or last, see :func:`compile_cue`); ``find`` returns every match."""

    def __init__(self, cues: Iterable[tuple[str, Any]]) -> None:
        self._exact: dict[str, list[tuple[CompiledCue, Any]]] = {}
        self._prefix: dict[str, list[tuple[CompiledCue, Any]]] = {}
        self._tail: dict[str, list[tuple[CompiledCue, Any]]] = {}
        self._prefix_lengths: set[int] = set()
        seen: set[tuple[str, str]] = set()
        for cue, data in cues:
            key = (fold(str(cue)).lower(), repr(data))
            if key in seen:
                continue
            seen.add(key)
            c = compile_cue(cue)
            if c.tail is not None:
                for alt in c.last:
                    self._tail.setdefault(alt, []).append((c, data))
                continue
            for alt in c.first:
                if alt == _POSSESSIVE:
                    self._exact.setdefault(_ANY, []).append((c, data))
                elif alt.endswith("*"):
                    self._prefix.setdefault(alt[:-1], []).append((c, data))
                    self._prefix_lengths.add(len(alt) - 1)
                else:
                    self._exact.setdefault(alt, []).append((c, data))
        self._lengths = sorted(self._prefix_lengths)
        self._memo: dict[str, _Candidates] = {}
        self._none: set[str] = set()  # words known to start no cue (most words)

    def _candidates(self, word: str) -> _Candidates:
        heads = list(self._exact.get(word, ()))
        for n in self._lengths:
            if n > len(word):
                break
            heads += self._prefix.get(word[:n], ())
        if word.endswith("'s"):
            heads += self._exact.get(_ANY, ())
        found = (tuple(heads), tuple(self._tail.get(word, ())))
        if len(self._memo) < _MEMO_MAX:  # words recur across articles; keep the cache bounded
            self._memo[word] = found
            if not found[0] and not found[1]:
                self._none.add(word)
        return found

    def find(self, tokens: Tokens, start: int = 0, end: int | None = None) -> list[CueHit]:
        """All matches (overlapping allowed) that start in ``[start, end)`` of the tokenised folded text."""
        end = len(tokens.text) if end is None else end
        folded = tokens.text
        hits: list[CueHit] = []
        span = tokens.span(start, end)
        memo, words, starts = self._memo, tokens.words, tokens.starts
        # Only the words that may start a cue, picked out without a Python loop over every word.
        in_span = words[span.start : span.stop]
        maybe = set(in_span).difference(self._none)
        for i in compress(span, map(maybe.__contains__, in_span)):
            heads, tails = memo.get(words[i]) or self._candidates(words[i])
            for c, data in heads:
                hit = c.pattern.match(folded, starts[i], end)
                if hit:
                    hits.append(CueHit(hit.start(), hit.end(), data))
            for c, data in tails:
                lo = starts[max(span.start, i - c.reach - 1)]
                hit = c.tail.search(folded, lo, tokens.ends[i]) if c.tail else None
                if hit:
                    hits.append(CueHit(hit.start(), hit.end(), data))
        return hits


class Tokens:
    """The words of a folded text, computed once and shared by every index that reads it."""

    def __init__(self, folded: str) -> None:
        self.text = folded
        low = folded.lower()
        if len(low) == len(folded):
            # lower() changed no length (it may for rare letters): the words of the lower-cased text are
            # at the same places and of the same lengths (a letter's lower case is of the same class for
            # _WORD, for every letter of Unicode). One split gives the words and the pieces between them,
            # whose lengths summed in C give every offset (no match object per word, which cost most).
            pieces = _WORD_SPLIT.split(low)
            self.words: list[str] = pieces[1::2]
            offsets = list(accumulate(map(len, pieces)))
            self.starts: list[int] = offsets[0:-1:2]
            self.ends: list[int] = offsets[1::2]
        else:
            self.starts = [m.start() for m in _WORD.finditer(folded)]
            self.words = [w.lower() for w in self.raw]
            self.ends = list(map(add, self.starts, map(len, self.raw)))

    @cached_property
    def raw(self) -> list[str]:
        """The words as written (in the folded text)."""
        return _WORD.findall(self.text)

    def span(self, start: int, end: int) -> range:
        """Indices of the words that start in ``[start, end)``."""
        return range(bisect_left(self.starts, start), bisect_left(self.starts, end))

    def delimits(self, start: int, end: int) -> bool:
        """``text[start:end]`` is set off by whitespace (or the text's edges): no word crosses its ends,
        so its words are the words of the text that start in it."""
        text = self.text
        return (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace())


@lru_cache(maxsize=4)  # both extractors read the same article
def article_tokens(text: str) -> Tokens:
    """The words of an article's folded text."""
    return Tokens(fold(text))


def words(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """The words of ``text[start:end]`` (letters, digits, inner apostrophes and hyphens)."""
    return list(_WORD.finditer(text, start, len(text) if end is None else end))
