"""One reading of an article, shared by every extractor.

``read_article`` reads the text once into a :class:`Document`: its sentences, its words, the places
and actors it names, and for each sentence its numbers, its dates, whether it is page furniture, and
the discourse frame that governs it (``pipeline.text.discourse``). The statistics and events
extractors interpret the document; neither re-reads the raw text with a reader of its own. Readers
that not every sentence needs (numbers, dates) run on first use and are kept, so a sentence is read
at most once whichever extractor asks first.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import yaml

from pipeline.text.actors import ActorMention, find_actors
from pipeline.text.cues import Tokens, article_tokens
from pipeline.text.dates import LEXICON as DATES_LEXICON
from pipeline.text.dates import DateMention, PublicationDate, find_dates
from pipeline.text.discourse import OWN, Frame, compared_only, find_anaphors, setting_dates, walk
from pipeline.text.furniture import caption_indices, is_furniture
from pipeline.text.numbers import NumberMention, find_numbers, letter_words
from pipeline.text.places import PlaceMention, find_places, find_places_in
from pipeline.text.sentences import Sentence, bound_sentences, split_sentences


@dataclass(eq=False)
class Document:
    """An article as read once: build it with :func:`read_article`.

    ``sentences[i]`` is the i-th sentence; ``numbers(i)``, ``dates(i)``, ``frame(i)`` and
    ``anaphors(i)`` are what sentence ``i`` says, with offsets into the sentence's text;
    ``places`` and ``actors`` have offsets into the article's text.
    """

    text: str
    published: PublicationDate
    language: str
    sentences: list[Sentence]
    _words: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    _numbers: dict[int, list[NumberMention]] = field(default_factory=dict, repr=False)
    _dates: dict[int, list[DateMention]] = field(default_factory=dict, repr=False)
    _frames: list[tuple[Frame | None, Frame | None]] = field(default_factory=list, repr=False)
    _walk: Iterator[tuple[Frame | None, Frame | None]] | None = field(default=None, repr=False)

    @cached_property
    def tokens(self) -> Tokens:
        """The article's words (folded), shared by every cue index."""
        return article_tokens(self.text)

    @cached_property
    def places(self) -> list[PlaceMention]:
        """Every place the article names, in order."""
        return find_places(self.text)

    @cached_property
    def actors(self) -> list[ActorMention]:
        """Every person and organisation the article names, in order."""
        return find_actors(self.text, self.tokens)

    @cached_property
    def furniture(self) -> frozenset[int]:
        """Indices of sentences that are page furniture (links, promos, credits)."""
        return frozenset(i for i, s in enumerate(self.sentences) if is_furniture(s))

    @cached_property
    def captions(self) -> frozenset[int]:
        """Indices of sentences that are photo captions."""
        return frozenset(caption_indices(self.sentences))

    def words(self, i: int) -> frozenset[str]:
        """The runs of letters of sentence ``i``, lower-cased: what the number and date readers first
        look their words up in (one scan of the sentence for both)."""
        found = self._words.get(i)
        if found is None:
            found = self._words[i] = letter_words(self.sentences[i].text)
        return found

    def numbers(self, i: int) -> list[NumberMention]:
        """The numbers of sentence ``i`` (offsets into its text)."""
        found = self._numbers.get(i)
        if found is None:
            found = self._numbers[i] = find_numbers(self.sentences[i].text, words=self.words(i))
        return found

    def dates(self, i: int) -> list[DateMention]:
        """The date expressions of sentence ``i``, resolved against publication (offsets into its text)."""
        found = self._dates.get(i)
        if found is None:
            text = self.sentences[i].text
            found = self._dates[i] = (find_dates(text, self.published) if _may_name_a_date(text, self.words(i))
                                      else [])
        return found

    def _walk_to(self, i: int) -> tuple[Frame | None, Frame | None]:
        """The discourse walked as far as sentence ``i`` (the dates after it are not read for this)."""
        if self._walk is None:
            self._walk = walk(self.sentences, self.dates)
        while len(self._frames) <= i:
            self._frames.append(next(self._walk))
        return self._frames[i]

    @property
    def frames(self) -> list[Frame | None]:
        """The discourse frame of every sentence: the time it speaks of, and where that was said."""
        if self.sentences:
            self._walk_to(len(self.sentences) - 1)
        return [frame for frame, _ in self._frames]

    def frame(self, i: int) -> Frame | None:
        """The time sentence ``i`` speaks of (its own last date, its paragraph's, or the lead's period)."""
        return self._walk_to(i)[0]

    def last_set(self, i: int) -> Frame | None:
        """The last frame a sentence before ``i`` set with a resolved date of its own, in any paragraph."""
        return self._walk_to(i)[1]

    def previous_frame(self, i: int) -> Frame | None:
        """The frame in force just before sentence ``i`` (what its back-pointing words refer to)."""
        return self.frame(i - 1) if i > 0 else None

    def anaphors(self, i: int) -> list[DateMention]:
        """Words of sentence ``i`` that point back to an earlier time ("that year", "desde entonces"),
        resolved against the sentence's own date before them, else the frame in force before it."""
        own = setting_dates(self.dates(i))
        before = self.previous_frame(i)

        def frame_at(pos: int) -> Frame | None:
            earlier = [d for d in own if d.char_end <= pos]
            return Frame(earlier[-1], OWN, i) if earlier else before

        return find_anaphors(self.sentences[i].text, frame_at, self.published)

    def compared(self, i: int) -> bool:
        """Sentence ``i`` dates only the other side of a comparison ("In the same period of 2022, ...")."""
        return compared_only(self.sentences[i].text, setting_dates(self.dates(i)))

    def places_in(self, i: int) -> list[PlaceMention]:
        """The places of sentence ``i`` (offsets into the article's text)."""
        s = self.sentences[i]
        return find_places_in(self.text, s.start, s.end)


def read_article(text: str, published: PublicationDate, language: str = "en",
                 sentences: list[Sentence] | None = None) -> Document:
    """Read ``text`` once into a :class:`Document` (``sentences`` when already split; one longer than
    ``MAX_SENTENCE`` is read in clauses, so the work and the quotes stay bounded)."""
    return Document(
        text, published, language, bound_sentences(split_sentences(text) if sentences is None else sentences)
    )


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector paused; reference counting still frees
    every object. Reading and extracting an article allocates many short-lived containers and leaves
    no reference cycles (tests/test_document.py checks it), so the collections those allocations
    trigger would only walk the ~150,000 long-lived objects of the lexicons, for nothing: about a
    tenth of the extraction time. The collector is back on when the block ends, even on an error (a
    block that starts with it off leaves it off)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# A sentence with no digit and none of these words names no date: the date grammar is skipped for it
# (most sentences; the full grammar costs far more than this check).
_DIGIT = re.compile(r"\d")


def _may_name_a_date(text: str, words: frozenset[str]) -> bool:
    # (``words`` are the sentence's runs of letters: a set look-up measured faster than one regex of all
    # the date words)
    return _DIGIT.search(text) is not None or not _date_words().isdisjoint(words)


@lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    """Month and weekday names (schemas/lexicon/dates.yaml) and words of relative time, lower-case."""
    data = yaml.safe_load(DATES_LEXICON.read_text(encoding="utf-8"))
    words = [w for names in data["months"].values() for w in names] + list(data["weekdays"]) + list(data["weekdays_es"])
    words += ["week", "weeks", "weekend", "month", "months", "year", "years", "day", "days", "decade", "decades",
              "yesterday", "today", "tonight", "ayer", "anteayer", "hoy", "anoche", "semana", "semanas", "mes",
              "meses", "año", "años", "días", "dias", "décadas", "decadas", "quarter", "trimestre", "fiscal",
              "madrugada", "mañana", "tarde", "noche"]
    return frozenset(w.lower() for w in words)
