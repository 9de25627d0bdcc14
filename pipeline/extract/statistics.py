"""Article text -> rows of the statistics table (pure).

INTERFACE STUB: implementation pending.
"""

from __future__ import annotations

from typing import Any

from pipeline.text.dates import PublicationDate
from pipeline.text.sentences import Sentence


def extract_statistics(
    text: str, source_id: str, published: PublicationDate, sentences: list[Sentence] | None = None
) -> list[dict[str, Any]]:
    """Every quantitative claim in ``text`` as a row with the columns of schemas/statistics.yaml."""
    raise NotImplementedError
