"""Article text -> rows of the events table (pure).

INTERFACE STUB: implementation pending.
"""

from __future__ import annotations

from typing import Any

from pipeline.text.dates import PublicationDate
from pipeline.text.sentences import Sentence


def extract_events(
    text: str, source_id: str, published: PublicationDate, sentences: list[Sentence] | None = None
) -> list[dict[str, Any]]:
    """Every distinct event in ``text`` as a row with the columns of schemas/events.yaml."""
    raise NotImplementedError
