"""Tell English from Spanish articles.

A stop-word vote with spaCy's own English and Spanish stop-word lists: the
corpus is only ever English or Spanish news, where this is reliable and
deterministic, and it needs no model download (heavier detectors load
per-language models for dozens of languages we never see).
"""

from __future__ import annotations

import re
from functools import cache

_WORD = re.compile(r"[^\W\d_]+")
_LANGS = ("en", "es")


@cache
def _stop_words() -> dict[str, frozenset[str]]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.es.stop_words import STOP_WORDS as ES

    # Words in both lists ("a", "no", "me") carry no vote.
    shared = EN & ES
    return {"en": frozenset(EN - shared), "es": frozenset(ES - shared)}


def detect_language(text: str, default: str = "en") -> str:
    """BCP-47 tag ('en' or 'es') of ``text`` by stop-word vote; ``default`` on a tie."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    stops = _stop_words()
    votes = {lang: sum(w in stops[lang] for w in words) for lang in _LANGS}
    best = max(_LANGS, key=lambda lang: votes[lang])
    return best if votes[best] > votes[default] else default
