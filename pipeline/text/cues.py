"""Match cue phrases from the vocabularies against text, fast and offset-exact.

A cue is written in a small syntax kept readable in YAML (see
``schemas/vocab/event_types.yaml``): whole words, ``word*`` for any ending,
``a|b`` for alternatives, ``...``/``...N``/``...M-N`` for gaps of words and
``*'s`` for any possessive.  Matching is case-insensitive and ignores accents.

Lemmas: in an index built with ``lemmas=True`` a cue word that is a lemma (a base form:
``arrest``, ``detener``) stands for every word whose lemma it is (arrested, arrests,
arresting; detuvo, detenidos), by spaCy's lookup lemmatizer tables for English and
Spanish (the ``spacy-lookups-data`` package, read offline).  ``=word`` keeps a base form
to itself ("=accord": not "according"), accents included when the text it reads keeps them
("=anunció": not the noun "anuncio", which folds the same).  Words already inflected match only
themselves.

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
from typing import Any

from spacy.util import load_language_data, registry

_WORD = re.compile(r"[^\W_][\w'’-]*")
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")  # (split keeps the words it cuts at)
# The same on a lower-cased text all ASCII (most folded news), with the classes spelt out for it (the
# Unicode classes are tested far more slowly).
_WORD_SPLIT_ASCII = re.compile(r"([a-z0-9][a-z0-9_'-]*)")
_GAP = re.compile(r"^\.\.\.(?:(\d+)(?:-(\d+))?)?$")
_GAP_WORD = r"[^\s;:!?()\[\]]+\s+"
_STAR = r"[\w'’-]*"
_POSSESSIVE = "*'s"
_ANY = "\x00any"  # index key of cues whose first word is a possessive
_EXACT = "="  # a cue word written "=word" matches only itself, never its inflections
_MEMO_MAX = 200_000
LEMMA_LANGUAGES = ("en", "es")  # the lookup tables read, in this order when a word is in both
_LEMMA_CHAIN = 2  # "detenidos" -> "detenido" -> "detener": the tables map some participles to adjectives


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


def _read_lemma_tables(lookup: bool) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """spaCy's lemma lookup tables (``spacy-lookups-data``), folded as the text is: language -> word ->
    its lemma (only when ``lookup``), and lemma -> the words whose lemma it is, in any language,
    space-separated (strings, not sets: hundreds of thousands of sets would be tracked, and walked, by
    the garbage collector).

    The tables are keyed by the accented word; folded, two words may meet ("asesinó" and "asesino"):
    the word then stands for both lemmas in ``forms`` (a cue on either lemma matches it).
    """
    lemma: dict[str, dict[str, str]] = {}
    forms: dict[str, list[str]] = {}
    for lang in LEMMA_LANGUAGES:
        raw: dict[str, str] = load_language_data(registry.lookups.get(lang)["lemma_lookup"])
        table: dict[str, str] = {}
        keys = list(raw)
        folded_value = dict(zip(keys, _fold_lower_each(list(raw.values())), strict=True))  # word -> its lemma folded
        for word, w in zip(keys, _fold_lower_each(keys), strict=True):
            chain, base = [folded_value[word]], raw[word]  # the lemmas it leads to, folded
            while len(chain) < _LEMMA_CHAIN and base in raw and raw[base] != base:
                chain.append(folded_value[base])
                base = raw[base]
            if lookup:
                table.setdefault(w, chain[-1])
            for b in chain:
                forms.setdefault(b, []).append(w)
        if lookup:
            lemma[lang] = table
    return lemma, {k: " ".join(v) for k, v in forms.items()}


def _fold_lower_each(items: list[str]) -> list[str]:
    """``[fold(x).lower() for x in items]``, folded and lower-cased as one text (both map letter to letter,
    so the lines come back in place): a table of ~500,000 words in a fraction of the time."""
    joined = "\n".join(items)
    if joined.count("\n") == len(items) - 1:  # no item holds a line break of its own
        out = fold(joined).lower().split("\n")
        if len(out) == len(items):
            return out
    return [fold(x).lower() for x in items]


# Two caches: compiling the cue indexes needs only the forms of the cue words, and an extraction process
# keeps no word -> lemma table (the Spanish one alone holds ~440,000 words, ~100 MB in each worker).
@lru_cache(maxsize=1)
def _lemma_forms() -> dict[str, str]:
    return _read_lemma_tables(lookup=False)[1]


def release_lemma_tables() -> None:
    """Drop the lemma -> forms table (~20 MB, read again should a cue index still to be compiled need it):
    once the vocabularies are compiled, an extraction process needs only the forms they hold."""
    _lemma_forms.cache_clear()


@lru_cache(maxsize=1)
def _lemma_lookup() -> dict[str, dict[str, str]]:
    return _read_lemma_tables(lookup=True)[0]


@lru_cache(maxsize=4096)
def lemma_forms(word: str) -> frozenset[str]:
    """The words (folded, lower case) whose lemma is ``word`` (itself included)."""
    w = fold(word).lower()
    return frozenset(_lemma_forms().get(w, "").split()) | {w}


def lemma_of(word: str, language: str | None = None) -> str:
    """The lemma of one folded word (``language``'s table first, then the others); the word itself
    when no table knows it."""
    tables = _lemma_lookup()
    w = word.lower()
    for lang in sorted(tables, key=lambda x: x != language):
        if w in tables[lang]:
            return tables[lang][w]
    return w


def _word_pattern(word: str, lemmas: bool = False) -> str:
    if word == _POSSESSIVE:
        return r"[\w-]+'s"
    if word.startswith(_EXACT):
        return re.escape(word[1:])
    star = word.endswith("*")
    if lemmas and not star:
        forms = sorted(lemma_forms(word), key=lambda f: (-len(f), f))
        return "|".join(re.escape(f) for f in forms)
    body = re.escape(word.rstrip("*")).replace("'", "'")
    return body + (_STAR if star else "")


def _index_keys(word: str, lemmas: bool) -> list[str]:
    """The words a cue's first word files it under: itself, or every word whose lemma it is."""
    if word.startswith(_EXACT):
        return [word[1:]]
    if lemmas and not word.endswith("*") and word != _POSSESSIVE:
        return sorted(lemma_forms(word))
    return [word]


@dataclass(frozen=True)
class CompiledCue:
    """A cue as regexes, with the words the index files it under."""

    pattern: re.Pattern[str]  # anchored where the cue starts
    first: tuple[str, ...]  # alternatives of its first word
    last: tuple[str, ...]  # alternatives of its last word
    tail: re.Pattern[str] | None  # the cue ending where the searched span ends (filed by its last word)
    reach: int  # most words the cue can span
    accents: tuple[str, ...] = ()  # "=word"s written with accents: the hit must hold one as written
    # The words the word after the first must be (up to an apostrophe: "killing" ends "killing's"), when
    # both are plain words with no gap between them: checked on the text's words before the regex is
    # tried ("the" opens many cues, but few of them fit the word after it).
    second: frozenset[str] | None = None
    # One plain word with no accents to keep: it matches a word of the text exactly when that word is one
    # of the words it is filed under (no regex to try).
    single: bool = False


def compile_cue(cue: str, lemmas: bool = False) -> CompiledCue:
    """Cue text -> regexes (with ``lemmas``, a base-form word also matches its inflections).

    A cue that opens with a list of three or more words ("the|this|their ...
    meeting") is filed under its last word and searched backwards from it: filing it under "the"
    would try it at every "the" of the text."""
    parts = fold(str(cue)).lower().split()
    out: list[str] = []
    gap: tuple[int, int] | None = None
    alts: list[str] = []
    first: list[str] = []
    reach = 0
    second = None
    if len(parts) > 1 and _plain(parts[0]) and _plain(parts[1]):
        second = frozenset(k for a in parts[1].split("|") for k in _index_keys(a, lemmas))
        if any("'" in k for k in second):
            second = None
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
        piece = "(?:" + "|".join(_word_pattern(a, lemmas) for a in alts) + ")"
        if out:
            out.append(r"\s+" + (f"(?:{_GAP_WORD}){{{gap[0]},{gap[1]}}}" if gap else ""))
        out.append(piece)
        gap = None
    body = "".join(out) + r"(?![\w-])"
    by_last = (len(first) >= 3 and len(parts) > 2 and _GAP.match(parts[1]) is not None
               and not any(a.endswith("*") or a == _POSSESSIVE for a in alts))
    accents = tuple(a[1:].lower() for a in str(cue).split() for a in a.split("|")
                    if a.startswith(_EXACT) and not a.isascii())
    return CompiledCue(
        accents=accents,
        pattern=re.compile(body, re.IGNORECASE),
        first=tuple(k for a in first for k in _index_keys(a, lemmas)),
        last=tuple(k for a in alts for k in _index_keys(a, lemmas)),
        tail=re.compile(r"(?<![\w'-])" + body + "$", re.IGNORECASE) if by_last else None,
        reach=reach,
        second=second,
        single=len(parts) == 1 and _plain(parts[0]) and not accents,
    )


_PLAIN_WORD = re.compile(r"=?[a-z0-9]+(?:-[a-z0-9]+)*")  # one word as Tokens cuts it, in ASCII


def _plain(part: str) -> bool:
    """Every alternative of a cue part is one ASCII word with no wildcard: a word of the text matches
    it exactly when the word is one of its index keys."""
    return all(_PLAIN_WORD.fullmatch(a) for a in part.split("|"))


@dataclass(frozen=True)
class CueHit:
    """A cue found in text: ``text[start:end]`` matched the cue with payload ``data``."""

    start: int
    end: int
    data: Any


_Candidates = tuple[tuple[tuple["CompiledCue", Any], ...], tuple[tuple["CompiledCue", Any], ...]]


class CueIndex:
    """Cues filed by their first word (or last, see :func:`compile_cue`); ``find`` returns every match.

    With ``lemmas`` a cue word in its base form covers its inflections (see the module's docstring).
    """

    def __init__(self, cues: Iterable[tuple[str, Any]], lemmas: bool = False) -> None:
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
            c = compile_cue(cue, lemmas)
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
        last = len(words) - 1
        ends = tokens.ends
        for i in compress(span, map(maybe.__contains__, in_span)):
            heads, tails = memo.get(words[i]) or self._candidates(words[i])
            for c, data in heads:
                if c.single and ends[i] <= end:
                    hits.append(CueHit(starts[i], ends[i], data))
                    continue
                if c.second is not None and (i == last or (words[i + 1] not in c.second
                                                            and words[i + 1].partition("'")[0] not in c.second)):
                    continue
                hit = c.pattern.match(folded, starts[i], end)
                if hit and (not c.accents or _accents_kept(tokens, hit.start(), hit.end(), c.accents)):
                    hits.append(CueHit(hit.start(), hit.end(), data))
            for c, data in tails:
                lo = starts[max(span.start, i - c.reach - 1)]
                hit = c.tail.search(folded, lo, ends[i]) if c.tail else None
                if hit:
                    hits.append(CueHit(hit.start(), hit.end(), data))
        return hits


def _accents_kept(tokens: Tokens, start: int, end: int, accents: tuple[str, ...]) -> bool:
    """The hit holds one of the accented words as written, or the text's accents are unknown."""
    if tokens.original is None:
        return True
    words = set(_WORD.findall(tokens.original[start:end].lower()))
    folded = {fold(a) for a in accents}
    return not words & folded or bool(words & set(accents))


class Tokens:
    """The words of a folded text, computed once and shared by every index that reads it.

    ``language`` (BCP-47, optional) says which lemma table to read first for :attr:`lemmas`.
    """

    def __init__(self, folded: str, language: str | None = None, original: str | None = None) -> None:
        self.text = folded
        self.language = language
        self.original = original  # the text before folding (same offsets), when known
        low = folded.lower()
        if len(low) == len(folded):
            # lower() changed no length (it may for rare letters): the words of the lower-cased text are
            # at the same places and of the same lengths (a letter's lower case is of the same class for
            # _WORD, for every letter of Unicode). One split gives the words and the pieces between them,
            # whose lengths summed in C give every offset (no match object per word, which cost most).
            pieces = (_WORD_SPLIT_ASCII if low.isascii() else _WORD_SPLIT).split(low)
            self.words: list[str] = pieces[1::2]
            offsets = list(accumulate(map(len, pieces)))
            self.starts: list[int] = offsets[0:-1:2]
            self.ends: list[int] = offsets[1::2]
        else:
            found = [(m.start(), m.group()) for m in _WORD.finditer(folded)]
            self.starts = [a for a, _ in found]
            self.words = [w.lower() for _, w in found]
            self.ends = [a + len(w) for a, w in found]

    @cached_property
    def raw(self) -> list[str]:
        """The words as written (in the folded text)."""
        # Cut at the offsets already known: cheaper than scanning the text again.
        text = self.text
        return [text[a:b] for a, b in zip(self.starts, self.ends, strict=True)]

    @cached_property
    def lemmas(self) -> list[str]:
        """A lemma per word (folded, lower case; spaCy's lookup tables), the word itself when unknown."""
        memo: dict[str, str] = {}
        out = []
        for w in self.words:
            lemma = memo.get(w)
            if lemma is None:
                lemma = memo[w] = lemma_of(w, self.language)
            out.append(lemma)
        return out

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
    return Tokens(fold(text), original=text)


def words(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """The words of ``text[start:end]`` (letters, digits, inner apostrophes and hyphens)."""
    return list(_WORD.finditer(text, start, len(text) if end is None else end))
