"""Tell page furniture and photo captions from the article's own sentences.

News pages carry lines that are not the article: app promos ("CLICK HERE TO GET
THE ... APP"), navigation ("Next", "RELATED:", "Lea también"), bylines, photo
credits in brackets, and all-caps links to other stories (their headlines report
other events).  Captions are kept but marked: a caption sits on a line that ends
with a bracketed credit, and it illustrates an event told in the body.
"""

from __future__ import annotations

import re

from pipeline.text.sentences import Sentence

# Whole lines of navigation, labels that open a link to another story, bylines.
_FURNITURE = re.compile(
    r"\s*(?:(?:RELATED|READ MORE|READ ALSO|ALSO READ|MORE|WATCH|LISTEN|SEE ALSO|Lea también|Lee también|"
    r"Te puede interesar|Ver también|Leer más|Más información|Next|Previous|Advertisement|Publicidad|Share|"
    r"Compartir|Sign up|Subscribe|Newsletter|Suscríbete|Photo|Foto|Image|Imagen|Video|Updated|Published|"
    r"Actualizado|Publicado)\b\s*:?\s*$"
    r"|(?:RELATED|READ MORE|SEE ALSO|ALSO READ|MORE|WATCH|OPINION|ANALYSIS|EDITORIAL|LISTEN|Lea también|"
    r"Lee también|Te puede interesar|Ver también|Leer más|Más información|Photo|Foto)\s*:"
    r"|(?:By|Por)\s+[A-ZÁÉÍÓÚÑ][\w.'’-]+(?:\s+[A-ZÁÉÍÓÚÑ][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|y|\|)\s*[A-ZÁÉÍÓÚÑ][\w.'’-]+(?:\s+[A-ZÁÉÍÓÚÑ][\w.'’-]+){0,3})*\s*$)",
)
_PROMO = re.compile(r"CLICK HERE|DOWNLOAD THE|GET THE [A-Z ]+ APP")
# A page's counters of reader activity ("Oct 30, 2022 | 10 comments", "1.2K shares"): no sentence of the
# article, and their numbers are no statistics.
_COUNTER = re.compile(r"(?i)(?:^|[|·•])\s*\d[\d,.]*\s*[km]?\s+(?:comments?|comentarios?|shares?|compartidos|likes?|"
                      r"me gusta|views?|vistas|visualizaciones|reactions?|reacciones|replies|respuestas)\s*$")
_CREDIT = re.compile(r"^\(.{2,120}\)$")
_LETTERS = re.compile(r"[^\W\d_]")


def is_furniture(sentence: Sentence) -> bool:
    """Page furniture, a photo credit, or the all-caps headline of another story."""
    text = sentence.text
    if _FURNITURE.match(text) or _CREDIT.match(text):
        return True
    if ("CLICK" in text or "APP" in text) and _PROMO.search(text):
        return True
    if len(text) < 80 and _COUNTER.search(text):
        return True
    if not sentence.is_line or sentence.line_index == 0 or text.upper() != text or len(text.split()) < 4:
        return False
    # A whole line in capitals with several words is a link to another story or a promo (the first line
    # is the article's own headline, however it is typeset).
    return len(_LETTERS.findall(text)) >= 12


def caption_indices(sentences: list[Sentence]) -> set[int]:
    """Indices of sentences that are photo captions: on a line that ends with a bracketed credit."""
    out: set[int] = set()
    for i, s in enumerate(sentences):
        if _CREDIT.match(s.text) and i > 0 and sentences[i - 1].line_index == s.line_index:
            j = i - 1
            while j >= 0 and sentences[j].line_index == s.line_index:
                out.add(j)
                j -= 1
    return out
