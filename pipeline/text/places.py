"""Recognise countries, provinces, cities and facilities in news prose.

INTERFACE STUB: implementation pending (see the docstrings for the contract).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a string: ``text[char_start:char_end] == surface``.

    ``kind`` is country, admin1, city or facility. ``country_code`` is ISO
    3166-1 alpha-3 (from pycountry, or the gazetteer for places inside a
    country). ``admin1`` is the province/state when known. ``name`` is the
    canonical name (``"Guayaquil"``, ``"Ecuador"``). Demonyms ("Ecuadorian",
    "Mexican embassy") count as mentions of their country with ``demonym=True``.
    """

    surface: str
    char_start: int
    char_end: int
    kind: str
    name: str
    country_code: str | None
    admin1: str | None
    demonym: bool


def find_places(text: str) -> list[PlaceMention]:
    """All place mentions in ``text``, left to right, longest match first."""
    raise NotImplementedError


def country_code(name: str) -> str | None:
    """ISO alpha-3 for a country name, alias or demonym ("U.S.", "Ecuadorian"), else None."""
    raise NotImplementedError
