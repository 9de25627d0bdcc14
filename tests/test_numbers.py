"""Reading numbers in news prose: each codebook convention on sentences written for these tests."""

from __future__ import annotations

import re

import pytest

from pipeline.text import numbers
from pipeline.text.numbers import NumberMention, find_numbers, letter_words, parse_numeral


def only(sentence: str) -> NumberMention:
    """The single number the sentence states."""
    found = find_numbers(sentence)
    assert len(found) == 1, [f.text for f in found]
    return found[0]


def values(sentence: str) -> list[tuple[float, str]]:
    return [(f.value, f.unit) for f in find_numbers(sentence)]


# ---------------------------------------------------------------- separators


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("117,487", 117487),
        ("1,005", 1005),
        ("3.036", 3036),
        ("2.500.000", 2500000),
        ("44,5", 44.5),
        ("38.76", 38.76),
        ("1,234.56", 1234.56),
        ("1.234,56", 1234.56),
        ("0.005", 0.005),
        ("12", 12),
    ],
)
def test_numeral_separator_rule_reads_thousands_and_decimals_in_both_languages(
    digits: str, value: float
) -> None:
    assert parse_numeral(digits) == pytest.approx(value)


def test_three_digits_after_a_point_are_thousands_even_in_english() -> None:
    assert only("Prosecutors opened 3.036 cases against gang members.").value == 3036


def test_a_spanish_decimal_comma_is_a_decimal() -> None:
    m = only("La tasa de desempleo llegó a 4,7 por ciento en marzo.")
    assert (m.value, m.unit) == (pytest.approx(4.7), "percent")


def test_value_text_and_offsets_point_at_the_number_as_written() -> None:
    s = "Officials counted 12,450 displaced families."
    m = only(s)
    assert m.text == "12,450" and s[m.start : m.end] == "12,450"


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("Turnout fell to 62% among young voters.", 62, "percent"),
        ("Some 56 percent of those polled backed the plan.", 56, "percent"),
        ("El 30 por ciento de los detenidos era reincidente.", 30, "percent"),
        ("Approval slipped 4 percentage points over the summer.", 4, "percentage_points"),
        ("Donors pledged $1 million for border radars.", 1_000_000, "usd"),
        ("The loan of US$2.5 billion was approved by the board.", 2_500_000_000, "usd"),
        ("Congress released USD 3 million for prison scanners.", 3_000_000, "usd"),
        ("The ministry spent 4 million dollars on patrol cars.", 4_000_000, "usd"),
        ("El Estado invirtió 1.200 millones de dólares en seguridad.", 1_200_000_000, "usd"),
        ("Customs agents found 5.4 tonnes of cocaine in a banana crate.", 5.4, "tonnes"),
        ("Marines intercepted 800 kilograms of cocaine off the coast.", 0.8, "tonnes"),
        ("The curfew will run for 15 days in the coastal provinces.", 15, "days"),
        ("A two-week lockdown was imposed on the port district.", 14, "days"),
        ("The judge handed down a 34-year sentence to the gang leader.", 34, "years"),
        ("The hostage crisis lasted 18 hours inside the jail.", 18, "hours"),
    ],
)
def test_units_are_read_from_the_words_around_the_number(sentence: str, value: float, unit: str) -> None:
    m = only(sentence)
    assert (m.value, m.unit) == (pytest.approx(value), unit)


def test_a_rate_per_100000_people_is_per_100k_even_with_the_noun_in_between() -> None:
    m = only("Colombia's murder rate stood at 25.7 killings per 100,000 inhabitants.")
    assert (m.value, m.unit, m.gap) == (25.7, "per_100k", "killings")


def test_a_bare_number_inherits_the_rate_unit_its_sibling_states() -> None:
    found = find_numbers("The rate climbed from 10.5 per 100,000 in 2020 to 20.1 in 2022.")
    assert [(f.value, f.unit) for f in found] == [(10.5, "per_100k"), (20.1, "per_100k")]


def test_a_bare_number_before_a_percent_takes_the_percent() -> None:
    assert values("Poverty went from 18 to 24 percent in five years.") == [(18, "percent"), (24, "percent")]


def test_a_bare_number_with_its_own_noun_does_not_inherit_a_rate() -> None:
    found = find_numbers("The rate hit 9.3 per 100,000 and 412 people were killed.")
    assert [(f.value, f.unit) for f in found] == [(9.3, "per_100k"), (412, "count")]


def test_a_point_rise_is_percentage_points_only_where_the_sentence_speaks_in_percent() -> None:
    assert values("His share rose to 48%, a 6-point gain.") == [(48, "percent"), (6, "percentage_points")]
    assert values("The team won by 6 points.") == [(6, "count")]


# ---------------------------------------------------------------- words and scales


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("A dozen masked men entered the courtroom.", 12),
        ("Three soldiers were wounded in the ambush.", 3),
        ("Twenty-five inmates escaped through a tunnel.", 25),
        ("Two dozen trucks were searched at the checkpoint.", 24),
        ("About 1.2 million people live in the canton.", 1_200_000),
        ("Two million ballots were printed.", 2_000_000),
        ("Unos tres mil policías participaron en el operativo.", 3000),
        ("Hubo veinte detenidos tras el allanamiento.", 20),
    ],
)
def test_spelled_numbers_and_scales_are_read(sentence: str, value: float) -> None:
    assert only(sentence).value == value


def test_spelled_numbers_are_marked_as_weaker_evidence() -> None:
    assert only("Three soldiers were wounded.").spelled and not only("3 soldiers were wounded.").spelled


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Extortion cases doubled in the coastal provinces.", 2),
        ("Cocaine exports grew fivefold in a decade.", 5),
        ("Seizures rose five-fold last year.", 5),
        ("Gangs control two-thirds of the prison wings.", 0.6667),
    ],
)
def test_multiplicative_words_keep_the_factor_with_unit_other(sentence: str, value: float) -> None:
    m = only(sentence)
    assert (m.value, m.unit) == (pytest.approx(value, abs=1e-4), "other")


def test_doubling_down_is_an_idiom_not_a_factor() -> None:
    assert find_numbers("The minister doubled down on her pledge.") == []


# ---------------------------------------------------------------- qualifiers and ranges


@pytest.mark.parametrize(
    ("sentence", "qualifier", "low", "high"),
    [
        ("More than 20,000 officers joined the operation.", "more_than", 20000, None),
        ("Over 450 weapons were confiscated.", "more_than", 450, None),
        ("At least 31 people died in the blaze.", "at_least", 31, None),
        ("Nearly 900 families fled the village.", "approximate", None, None),
        ("Roughly 2,000 arrests were made.", "approximate", None, None),
        ("An estimated 4,000 recruits are minors.", "approximate", None, None),
        ("Up to 300 guards may be reassigned.", "at_most", None, 300),
        ("Fewer than 40 cases reached trial.", "less_than", None, 40),
        ("Under 10% of complaints are investigated.", "less_than", None, 10),
        ("Más de 500 reos fueron trasladados.", "more_than", 500, None),
        ("Al menos 12 agentes resultaron heridos.", "at_least", 12, None),
        ("About 60 or so vehicles were torched.", "approximate", None, None),
    ],
)
def test_qualifiers_set_the_bound_the_codebook_asks_for(
    sentence: str, qualifier: str, low: float | None, high: float | None
) -> None:
    m = only(sentence)
    assert (m.qualifier, m.value_low, m.value_high) == (qualifier, low, high)


def test_a_qualified_dozen_keeps_its_words_as_value_text() -> None:
    m = only("More than a dozen gunmen stormed the studio.")
    assert (m.text, m.value, m.qualifier, m.value_low) == ("a dozen", 12, "more_than", 12)


@pytest.mark.parametrize(
    ("sentence", "text", "low", "high"),
    [
        ("Between 5 and 10 inmates were moved.", "5 and 10", 5, 10),
        ("Officials expect 7,500 to 8,000 troops on the streets.", "7,500 to 8,000", 7500, 8000),
        ("Each cell holds 12-15 prisoners.", "12-15", 12, 15),
        ("Los cárceles albergan entre 300 y 400 reos.", "300 y 400", 300, 400),
        ("The fund will grow to between $2 and $3 million.", "$2 and $3 million", 2_000_000, 3_000_000),
    ],
)
def test_a_range_is_one_number_with_both_bounds(sentence: str, text: str, low: float, high: float) -> None:
    m = only(sentence)
    assert (m.text, m.qualifier, m.value, m.value_low, m.value_high) == (text, "range", low, low, high)


def test_a_rise_from_one_value_to_another_is_two_numbers_not_a_range() -> None:
    assert values("The prison population rose from 7,500 to 8,000.") == [(7500, "count"), (8000, "count")]


# ---------------------------------------------------------------- not statistics


@pytest.mark.parametrize(
    "sentence",
    [
        "The decree was signed in 2024 after the 2023 elections.",
        "The attack happened on Jan. 9, 2024, in the port city.",
        "La reunión fue el 19 de febrero en Quito.",
        "Troops arrived on March 3 and left on the 5th.",
        "The curfew starts at 10:30 p.m. and ends at 5 am.",
        "The attack began at 3 in the morning.",
        "A 45-year-old driver and a man aged 30 were detained.",
        "Jorge Ruiz, 54, was arrested at his home.",
        "Ecuador ranked third, the first time it made the top 10.",
        "She was the 19th candidate to enter the race, in the 1990s.",
        "Inspectors visited the Zonal 8 prison and Article 5 was cited.",
        "The COVID-19 pandemic hit the G7 economies and the F-16 fleet.",
        "For tips call +593 2 298 7654 or (04) 259-1234.",
        "Hundreds of soldiers and tens of thousands of residents took part.",
        "Dozens of gangs recruit thousands of teenagers.",
        "Subscribe now for $1.99 a month.",
        "Over the past two weeks, police stepped up patrols.",
        "The massacre happened three years ago.",
        "Killings rose in the last 60 days.",
        "Police will hire more officers in the next 90 days.",
        "It was the deadliest day in a decade, a 10-year high.",
        "One of the suspects fled.",
    ],
)
def test_things_that_are_not_statistics_yield_no_number(sentence: str) -> None:
    assert find_numbers(sentence) == [], [f.text for f in find_numbers(sentence)]


@pytest.mark.parametrize("sentence", ["The curfew will last 60 days.", "It is expected to last 60 days."])
def test_last_as_a_verb_gives_a_duration_not_a_period(sentence: str) -> None:
    assert values(sentence) == [(60, "days")]


@pytest.mark.parametrize("sentence", ["The curfew applies for the next 60 days.",
                                      "El toque de queda regirá por los próximos 60 días.",
                                      "La medida se aplicará durante los siguientes 60 días."])
def test_for_the_next_days_is_how_long_something_lasts(sentence: str) -> None:
    assert values(sentence) == [(60, "days")]


def test_a_headline_in_title_case_keeps_its_figures() -> None:
    assert values("Ecuador Police Seize 22 Tonnes Of Cocaine") == [(22, "tonnes")]


def test_a_year_like_number_followed_by_a_plural_noun_is_a_count() -> None:
    assert values("Authorities sent 1500 soldiers to the border.") == [(1500, "count")]


def test_spans_given_as_dates_are_excluded_unless_the_number_has_a_strong_unit() -> None:
    s = "In the first 100 days, arrests rose 30%."
    first = s.index("first 100 days")
    found = find_numbers(s, exclude=[(first, first + len("first 100 days"))])
    assert [(f.value, f.unit) for f in found] == [(30, "percent")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Homicides fell 15% in 2024 to 6,964, police said.", [(15.0, "percent"), (6964.0, "count")]),
        ("Arrests rose by 20 percent to 1,200 last year.", [(20.0, "percent"), (1200.0, "count")]),
        ("Approval fell from 60% to 45 in May.", [(60.0, "percent"), (45.0, "percent")]),
        ("The rate rose from 10.5 per 100,000 in 2020 to 20.1 in 2022.", [(10.5, "per_100k"), (20.1, "per_100k")]),
    ],
)
def test_the_level_reached_after_a_percent_change_keeps_its_own_unit(text: str, expected: list) -> None:
    assert [(m.value, m.unit) for m in find_numbers(text)] == expected


@pytest.mark.parametrize(
    ("sentence", "text", "value", "qualifier"),
    [
        ("Encounters reached nearly five times the figure of 2021.", "five times", 5.0, "approximate"),
        ("The rate rose to 25.9 in 2022, more than double the 2020 level.", "double", 2.0, "more_than"),
        ("Murders are 3 times as high as in 2018.", "3 times", 3.0, "exact"),
        ("Los homicidios fueron tres veces más que en 2019.", "tres veces", 3.0, "exact"),
    ],
)
def test_a_factor_against_something_named_after_it_is_a_multiplicative_number(
    sentence: str, text: str, value: float, qualifier: str
) -> None:
    [n] = [n for n in find_numbers(sentence) if n.unit == "other"]
    assert (n.text, n.value, n.qualifier) == (text, value, qualifier)


def test_times_as_a_frequency_is_no_factor() -> None:
    assert all(n.unit != "other" for n in find_numbers("He visited Quito three times in May."))
    assert find_numbers("It happened at times of crisis.") == []


# ---------------------------------------------------------------- not statistics: ages, clocks, distances


@pytest.mark.parametrize(
    "sentence",
    [
        "The councillor, de 52 años, was shot outside his home.",
        "El concejal, de 52 años, fue atacado en su casa.",
        "Un joven de 19 años fue detenido en Quito.",
        "La víctima tenía 31 años y trabajaba en el puerto.",
        "Police named the victim on Sunday. She was 41.",
        "The mayor, who is 63, left the event early.",
    ],
)
def test_ages_are_not_statistics(sentence: str) -> None:
    assert find_numbers(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # every number of a list or range of ages is an age, the first ones too
        "Las niñas de 8 y 10 años fueron rescatadas.",
        "Detuvieron a los hermanos de 22, 27 y 33 años en el operativo.",
        "Los menores de entre 13 y 16 años estaban desaparecidos.",
        "Two girls, 9 and 12 years old, were rescued.",
        "Officers detained three brothers aged 22, 27 and 33.",
        # an occupation in apposition to a name
        "María Pérez, comerciante de 52 años, denunció la extorsión.",
    ],
)
def test_lists_and_ranges_of_ages_are_not_statistics(sentence: str) -> None:
    assert [n for n in find_numbers(sentence) if not n.spelled] == []


def test_a_list_of_durations_is_no_list_of_ages() -> None:
    # (a number before "años" is an age only after a person: these are prison terms)
    assert [n.value for n in find_numbers("Fueron condenados a 12 y 15 años de prisión.")] == [12.0, 15.0]


@pytest.mark.parametrize(
    "sentence",
    [
        "domingo 14 de abril | 21:15hs.",
        "La alerta llegó a las 23.00 hora local (4.00 GMT).",
        "The clashes started at about 2 a.m. (0700 GMT) in the east wing.",
        "Streets will be closed at night (0300-0900 GMT).",
        "The raid began at 1400 when officers entered the compound.",
        "QUITO, 3 nov (AP) - Officials met again.",
        "Wire Service Mar - 04 - 2024 , 11:05",
    ],
)
def test_times_of_day_and_datelines_are_not_statistics(sentence: str) -> None:
    assert find_numbers(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The car was found 200 meters from the checkpoint.",
        "The town lies 60 kilometres (37 miles) south of the capital.",
        "El campamento está a 40 kilómetros al sur de la ciudad.",
    ],
)
def test_distances_that_place_an_incident_are_not_statistics(sentence: str) -> None:
    assert find_numbers(sentence) == []


def test_a_conversion_in_brackets_is_not_a_second_figure() -> None:
    assert values("Agents seized 410kg (about 904 pounds) of cocaine.") == [(0.41, "tonnes")]


def test_a_prison_sentence_in_years_stays_a_duration() -> None:
    assert values("Fue condenado a 12 años de prisión.") == [(12.0, "years")]


# ---------------------------------------------------------------- rates, shares and averages


@pytest.mark.parametrize(
    "sentence",
    [
        "La tasa de asesinatos por cada 100 mil habitantes se ubicó en 31,7 ese año.",
        "The province had the worst murder rate per 100,000 residents (31.7) in the country.",
    ],
)
def test_a_rate_stated_after_its_denominator_is_per_100k_and_the_denominator_no_row(sentence: str) -> None:
    assert values(sentence) == [(31.7, "per_100k")]


def test_spanish_hundred_thousand_in_words_and_digits_is_a_denominator() -> None:
    assert values("(14 por cada 100 mil habitantes)") == [(14.0, "per_100k")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Last month there were 11.2 killings per day in the port city.",
        "Se registran 9,8 asesinatos diarios en la provincia.",
        "La provincia tuvo un promedio diario de 9,8 asesinatos.",
        "El promedio de secuestros diarios es de 9,8.",
        # the averaged noun phrase may be long before the figure
        "El promedio de secuestros extorsivos denunciados diarios es de 9,8.",
        "The average number of killings recorded each day was 11.2.",
    ],
)
def test_per_day_averages_keep_their_value_with_unit_other(sentence: str) -> None:
    found = find_numbers(sentence)
    assert [(f.value, f.unit) for f in found] == [(found[0].value, "other")]
    assert found[0].value in (11.2, 9.8)
    assert found[0].average


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Son cerca de 12 las toneladas de cocaína decomisadas en el puerto.", [(12.0, "tonnes")]),
        ("Fueron 450 los kilos de droga hallados en la lancha.", [(0.45, "tonnes")]),
        ("Fueron 45 los detenidos en la operación.", [(45.0, "count")]),  # no unit after the article
    ],
)
def test_a_spanish_cleft_keeps_the_unit_after_its_article(sentence: str, expected: list[tuple[float, str]]) -> None:
    assert values(sentence) == expected


def test_a_day_that_is_not_a_rate_leaves_the_count_alone() -> None:
    assert values("Soldiers detained 14 people on a day of protests.") == [(14.0, "count")]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [("Three out of every four victims were young men.", 75.0), ("Dos de cada diez detenidos eran menores.", 20.0)],
)
def test_n_out_of_m_is_one_share_in_percent(sentence: str, value: float) -> None:
    assert values(sentence) == [(value, "percent")]


@pytest.mark.parametrize("sentence", [
    "El nuevo texto mantiene los anteriores decretos 45 y 212, firmados en mayo.",
    "Articles 5, 12 and 30 of the code were amended.",
])
def test_a_list_of_numbers_after_a_plural_document_word_names_documents(sentence: str) -> None:
    assert find_numbers(sentence) == []


@pytest.mark.parametrize("sentence", [
    "Posted 4 May 2021, 07:45Updated 4 May 2021, 09:10",  # a scraper glued a clock time to the next word
    "A A+ 18 px",  # a font-size widget of the page
    "Tamaño de letra 18 px",
])
def test_page_furniture_numbers_glued_or_in_pixels_are_not_counts(sentence: str) -> None:
    assert [m.value for m in find_numbers(sentence) if m.value in (7.0, 9.0, 18.0)] == []


def test_an_acronym_before_digits_names_something() -> None:
    assert find_numbers("The alert reached the ECU 911 centre before dawn.") == []


def test_a_duration_after_during_is_a_duration() -> None:
    assert values("El Gobierno decretó el estado de excepción durante 45 días.") == [(45.0, "days")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Gunmen killed 5 people a day after the vote.", [(5.0, "count")]),
        ("The average age of the 30 victims was low.", [(30.0, "count")]),
        ("Around 1500 soldiers were sent to the border.", [(1500.0, "count")]),
    ],
)
def test_near_misses_of_averages_and_clocks_stay_counts(sentence: str, expected: list[tuple[float, str]]) -> None:
    assert values(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "value"),
    [("Half a million people fled the region.", 500000.0), ("Medio millón de personas huyó.", 500000.0)],
)
def test_half_a_million_is_a_number(sentence: str, value: float) -> None:
    assert values(sentence) == [(value, "count")]


# ---------------------------------------------------------------- the fast path


def test_every_number_word_is_one_lower_case_run_of_letters() -> None:
    # A sentence without digits is passed over when none of its runs of letters is a number word: exact
    # only while every number word is such a run.
    assert all(re.fullmatch(r"[^\W\d_]+", w) and w == w.lower() for w in numbers._NUMBER_WORDS)


@pytest.mark.parametrize("sentence", [
    "Twenty-five soldiers and a dozen police officers were deployed.",
    "Murieron doscientas personas y otras mil resultaron heridas.",
    "Homicides rose threefold, officials said.",
    "Nothing here is a number at all.",
    "Überall in Quito: más de 1.200 detenidos.",
])
def test_numbers_read_with_the_callers_words_are_the_numbers_read_alone(sentence: str) -> None:
    assert find_numbers(sentence, words=letter_words(sentence)) == find_numbers(sentence)
    assert letter_words(sentence) == frozenset(re.findall(r"[^\W\d_]+", sentence.lower()))
