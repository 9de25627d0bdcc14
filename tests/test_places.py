"""Reading places: countries, demonyms, provinces, cities, facilities, regions."""

from __future__ import annotations

from pipeline.text.places import country_code, find_places


def test_cities_resolve_to_province_and_country() -> None:
    [p] = find_places("A car bomb exploded in Machala overnight.")
    assert (p.kind, p.name, p.admin1, p.country_code) == ("city", "Machala", "El Oro", "ECU")


def test_accents_are_optional_in_place_names() -> None:
    [p] = find_places("Troops patrolled Duran and the coast.")
    assert (p.name, p.admin1) == ("Durán", "Guayas")


def test_demonyms_are_marked_as_such() -> None:
    places = find_places("Colombian and Peruvian cartels expanded into Ecuador.")
    assert [(p.country_code, p.demonym) for p in places] == [("COL", True), ("PER", True), ("ECU", False)]


def test_us_aliases_and_regions() -> None:
    places = find_places("The U.S. and Latin America; the United States; US$5 million")
    assert [(p.surface, p.country_code, p.kind) for p in places] == [
        ("U.S.", "USA", "country"), ("Latin America", None, "region"), ("United States", "USA", "country")]


def test_embassy_of_a_country_is_a_facility_without_a_host_country() -> None:
    [p] = [p for p in find_places("Police stormed the Peruvian embassy in Lima.") if p.kind == "facility"]
    assert (p.name, p.country_code) == ("Peruvian embassy", None)


def test_country_code_from_names_aliases_and_demonyms() -> None:
    assert country_code("U.S.") == "USA"
    assert country_code("Ecuadorian") == "ECU"
    assert country_code("Kenya") == "KEN"
    assert country_code("Atlantis") is None


def test_offsets_point_at_the_surface() -> None:
    text = "Riots broke out in Quito, Pichincha."
    for p in find_places(text):
        assert text[p.char_start:p.char_end] == p.surface


def test_places_of_a_part_are_those_of_the_part_read_alone() -> None:
    from pipeline.text.places import find_places_in

    text = ("Gunmen attacked Guayaquil.Quito said. The Mexican\nEmbassy in Quito closed; US$5 went to the "
            "Peruvian embassy near Los Ríos, Manabi and El Oro.")
    for start in range(0, len(text), 3):
        for end in range(start, len(text) + 1, 7):
            assert find_places_in(text, start, end) == find_places(text[start:end]), (start, end)


def test_the_gazetteer_patterns_find_what_one_alternation_of_every_name_finds() -> None:
    """The names are searched as several patterns (lower-case ones only where their stems are): the
    matches are those of one flat alternation of every name, longest first."""
    import re

    from pipeline.text.places import _gazetteer

    _, entries = _gazetteer()
    flat = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in sorted(entries, key=len, reverse=True))
                      + r")(?![\w])")
    texts = [
        "Los migrantes ecuatorianos y venezolanos cruzaron hacia territorio colombiano y peruano.",
        "Un ciudadano estadounidense y dos mexicanos fueron detenidos en Esmeraldas; los ecuatorianas no.",
        "The ecuatorianos' route: Ecuador, Colombia, Panama, Mexico and the United States.",
        "Extortion (vacunas) in Manabí and Los Ríos; nothing here is lower-case and a place.",
    ]
    for text in texts:
        expected = [(m.start(), m.end()) for m in flat.finditer(text)]
        assert [(p.char_start, p.char_end) for p in find_places(text)] == expected, text
    assert {p.country_code for p in find_places(texts[0])} == {"ECU", "VEN", "COL", "PER"}


def test_a_country_name_that_is_a_given_name_before_a_surname_is_a_person() -> None:
    assert find_places("Jordan Ramírez, a lawyer for the inmates, said conditions had worsened.") == []
    assert [p.country_code for p in find_places("Israel Vargas met officials from Israel in Quito.")] == ["ISR", "ECU"]
    assert [p.country_code for p in find_places("Troops from Jordan arrived. Chad said on Monday.")] == ["JOR", "TCD"]
    assert [p.country_code for p in find_places("Talks in Georgia Monday ended.")] == ["GEO"]


def test_the_generic_words_of_a_facility_name_may_be_lower_case() -> None:
    [p] = find_places("Riots broke out in the Litoral penitentiary overnight.")
    assert (p.kind, p.name, p.admin1, p.country_code) == ("facility", "Litoral Penitentiary", "Guayas", "ECU")
    [p] = find_places("Inmates of the Litoral prison were moved.")
    assert p.name == "Litoral Prison"
    [p] = find_places("Protesters gathered outside Carondelet Palace.")
    assert p.name == "Carondelet Palace"
