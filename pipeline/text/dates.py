"""Find date expressions in news prose and resolve them to intervals.

INTERFACE STUB: implementation pending (see the docstrings for the contract).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Precision words used by the codebook. Statistics periods use
# day, month, quarter, year, fiscal_year, range, unknown; event dates use
# day, weekend, month, year, decade, range, unknown.  "week" resolves to
# precision "range" (Monday..Sunday) since neither enum has "week".


@dataclass(frozen=True)
class PublicationDate:
    """When an article was published, as precisely as known.

    ``start``/``end`` bound the publication day: a month-precision date
    "2024-01" is 2024-01-01..2024-01-31. ``precision`` is day, month, year or
    unknown (then start/end are None). ``basis`` is manifest, inferred or unknown.
    """

    start: dt.date | None
    end: dt.date | None
    precision: str
    basis: str

    @classmethod
    def unknown(cls) -> "PublicationDate":
        return cls(None, None, "unknown", "unknown")


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a string, resolved to an interval.

    ``text[char_start:char_end] == date_text`` for the string that was searched.
    ``start``/``end`` are None when the expression is relative and the
    publication date is too coarse or unknown to resolve it.
    ``basis`` is explicit (the text gives the year) or relative (resolved
    against the publication date).  ``kind`` tells what the words were:
    point (a day/month/year/decade/weekend/week), range ("between 2019 and 2024",
    "from 2022 to 2023"), fiscal ("fiscal 2023"), or baseline ("from 2022",
    "from the year before", "compared with 2019": the comparison side of a change).
    """

    date_text: str
    char_start: int
    char_end: int
    start: dt.date | None
    end: dt.date | None
    precision: str
    basis: str
    kind: str


def parse_published(value: str | dt.date | None) -> PublicationDate:
    """Manifest value (YYYY, YYYY-MM, YYYY-MM-DD or a date) -> PublicationDate(basis=manifest)."""
    raise NotImplementedError


def find_dates(text: str, published: PublicationDate) -> list[DateMention]:
    """All date expressions in ``text`` (usually one sentence), left to right, non-overlapping."""
    raise NotImplementedError


def infer_publication_date(text: str) -> PublicationDate:
    """Infer when an article was published from its own words (basis=inferred), else unknown."""
    raise NotImplementedError
