"""Deterministic, content-derived row ids."""

from __future__ import annotations

import hashlib


def make_id(prefix: str, *parts: object) -> str:
    """Return ``prefix`` + 16 hex chars of the sha256 of ``parts``.

    Ids are derived from where a row is anchored in its source (source id and
    character offsets), never from derived labels, so correcting a label keeps
    the id and release diffs show a changed row rather than churn.
    """
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:16]}"
