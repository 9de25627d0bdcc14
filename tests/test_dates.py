"""Reading dates: explicit, partial, relative, fiscal, ranges, and numbers that are not years."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.text.dates import PublicationDate, dateline_date, find_dates, infer_publication_date, parse_published

D = dt.date
DAY = parse_published("2024-03-20")  # a Wednesday
MONTH = parse_published("2024-03")
UNKNOWN = PublicationDate.unknown()


def one(text: str, published: PublicationDate = DAY):
    [m] = find_dates(text, published)
    assert text[m.char_start:m.char_end] == m.date_text
    return m


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("Gunmen struck on Feb. 3, 2023, at dawn.", D(2023, 2, 3), D(2023, 2, 3), "day"),
        ("The decree was signed on 9 January 2024.", D(2024, 1, 9), D(2024, 1, 9), "day"),
        ("El ataque ocurrió el 9 de enero de 2024.", D(2024, 1, 9), D(2024, 1, 9), "day"),
        ("Data published 2023-11-05 show a rise.", D(2023, 11, 5), D(2023, 11, 5), "day"),
        ("Violence peaked in October 2023.", D(2023, 10, 1), D(2023, 10, 31), "month"),
        ("Homicides fell in 2022.", D(2022, 1, 1), D(2022, 12, 31), "year"),
        ("Aid flowed in the 1980s.", D(1980, 1, 1), D(1989, 12, 31), "decade"),
        ("Arrests rose in the second quarter of 2023.", D(2023, 4, 1), D(2023, 6, 30), "quarter"),
        # Spanish abbreviations, written lower case
        ("Cuenca, 7 ene 2023 (Agencia).- Hubo disturbios.", D(2023, 1, 7), D(2023, 1, 7), "day"),
    ],
)
def test_explicit_dates_resolve_on_their_own(text: str, start: dt.date, end: dt.date, precision: str) -> None:
    m = one(text, UNKNOWN)
    assert (m.start, m.end, m.precision, m.basis) == (start, end, precision, "explicit")


@pytest.mark.parametrize(("text", "day"), [
    ("Cuenca, 7 mar (Agencia).- Hubo disturbios.", D(2024, 3, 7)),
    ("La protesta del 24 dic terminó en choques.", D(2023, 12, 24)),
    ("MACHALA, 2 MAR. (EFE)", D(2024, 3, 2)),  # a dateline in capitals
])
def test_a_spanish_abbreviated_month_after_a_day_is_a_date(text: str, day: dt.date) -> None:
    m = one(text)
    assert (m.start, m.end, m.precision) == (day, day, "day")


def test_fiscal_year_runs_october_to_september() -> None:
    m = one("Border agents stopped 5,000 people in fiscal 2021.", UNKNOWN)
    assert (m.start, m.end, m.precision, m.kind) == (D(2020, 10, 1), D(2021, 9, 30), "fiscal_year", "fiscal")


def test_year_range_is_one_mention_with_both_years() -> None:
    for text in ("Killings doubled between 2018 and 2022.", "Killings doubled from 2018 to 2022."):
        m = one(text, UNKNOWN)
        assert (m.start, m.end, m.kind) == (D(2018, 1, 1), D(2022, 12, 31), "range")


def test_comparison_side_of_a_change_is_a_baseline() -> None:
    m = one("Extortion rose 30% compared with 2021.", UNKNOWN)
    assert (m.kind, m.start) == ("baseline", D(2021, 1, 1))
    assert one("Robberies fell 12% from the year before.", MONTH).kind == "baseline"


def test_partial_date_takes_its_year_from_the_publication_date() -> None:
    m = one("Troops arrived on March 2 in the port.", MONTH)
    assert (m.start, m.basis) == (D(2024, 3, 2), "relative")
    assert one("Troops arrived on December 2 in the port.", MONTH).start == D(2023, 12, 2)  # not in the future


def test_announced_month_may_lie_after_publication() -> None:
    assert one("Voters return ahead of a June runoff.", MONTH).start == D(2024, 6, 1)


def test_relative_dates_resolve_against_publication() -> None:
    last_year = one("Murders rose last year.")
    assert (last_year.start, last_year.end) == (D(2023, 1, 1), D(2023, 12, 31))
    assert one("Police raided a warehouse earlier this month.", MONTH).end == D(2024, 3, 31)
    week = one("Ministers met this week.")
    assert (week.start, week.end, week.precision) == (D(2024, 3, 18), D(2024, 3, 24), "range")
    assert one("The mayor was shot yesterday.").start == D(2024, 3, 19)


def test_relative_dates_stay_unresolved_without_a_precise_enough_publication_date() -> None:
    assert one("Murders rose last year.", UNKNOWN).start is None
    assert one("Ministers met this week.", MONTH).start is None  # a week needs the publication day
    assert one("Troops arrived on March 2.", UNKNOWN).start is None


def test_first_weekend_of_the_year_is_its_first_saturday_and_sunday() -> None:
    m = one("He escaped over the first weekend of the year.", MONTH)
    assert (m.start, m.end, m.precision) == (D(2024, 1, 6), D(2024, 1, 7), "weekend")


@pytest.mark.parametrize("text", ["Police made 2000 arrests.", "Some 1999 soldiers were deployed.",
                                  "The rate was 2010 per 100,000.", "It cost $2024.", "At 20:15 the shooting began.",
                                  "We may see more violence.", "Around 10 May have died.", "El mar estaba en calma.",
                                  "Cuenca queda a 20 ago de distancia.", "THE 10 MAY DIE, OFFICIALS WARN"])
def test_numbers_that_are_not_dates_are_ignored(text: str) -> None:
    assert find_dates(text, DAY) == []


def test_publication_date_is_inferred_from_the_latest_explicit_date_and_past_months() -> None:
    text = "Violence peaked in January 2025.\n\nOn February 12 the ministry announced troops ahead of an April vote."
    pub = infer_publication_date(text)
    assert (pub.start, pub.end, pub.precision, pub.basis) == (D(2025, 2, 1), D(2025, 2, 28), "month", "inferred")


def test_publication_date_is_unknown_without_explicit_dates() -> None:
    assert infer_publication_date("Homicides rose in 2023 and gangs spread.") == UNKNOWN


def test_manifest_dates_parse_at_their_precision() -> None:
    assert parse_published("2024") == PublicationDate(D(2024, 1, 1), D(2024, 12, 31), "year", "manifest")
    assert parse_published("2024-02").end == D(2024, 2, 29)
    assert parse_published(None) == UNKNOWN


def test_a_year_opening_a_sentence_is_a_year_even_before_a_count_noun() -> None:
    assert one("In 2022, police registered 4,600 murders.", UNKNOWN).start == dt.date(2022, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gang leader escapes\nBy A. Writer\nPublished September 15, 2025\nBody.", dt.date(2025, 9, 15)),
        ("Headline\nUpdated: Jan. 9, 2024 10:32 a.m. ET\nBody.", dt.date(2024, 1, 9)),
        ("Headline\nSept. 15, 2025\nBody.", dt.date(2025, 9, 15)),
        ("Titular\nPublicado el 3 de marzo de 2024\nCuerpo.", dt.date(2024, 3, 3)),
        ("Headline\nPublished March 2, 2025\nUpdated March 4, 2025\nBody.", dt.date(2025, 3, 2)),
        ("Titular\n\nQuito, 2 de enero de 2025\n\nCuerpo del texto.", dt.date(2025, 1, 2)),
        ("Headline\nGUAYAQUIL, Ecuador — Jan. 9, 2024\nBody.", dt.date(2024, 1, 9)),
    ],
)
def test_dateline_near_the_top_gives_the_day_of_publication(text: str, expected: dt.date) -> None:
    published = infer_publication_date(text)
    assert (published.start, published.end, published.precision, published.basis) == (
        expected, expected, "day", "inferred")


@pytest.mark.parametrize(
    "text",
    [
        "Headline\nOn January 9, 2024, gunmen stormed a TV studio in Guayaquil.\n",  # prose, not a dateline
        "Headline\nJanuary 9, 2024 saw the worst violence in years.\n",
        "Headline\nPublished in 2024\nBody.",  # a year is no day
    ],
)
def test_dates_in_prose_are_no_dateline(text: str) -> None:
    assert dateline_date(text) is None


@pytest.mark.parametrize(("text", "day"), [("El martes, un grupo armado atacó", dt.date(2025, 1, 28)),
                                           ("informó este jueves la Policía", dt.date(2025, 1, 30)),
                                           ("el sábado pasado", dt.date(2025, 2, 1))])
def test_spanish_weekdays_resolve_against_the_publication_day(text: str, day: dt.date) -> None:
    published = PublicationDate(dt.date(2025, 2, 2), dt.date(2025, 2, 2), "day", "manifest")  # a Sunday
    [d] = find_dates(text, published)
    assert (d.start, d.end, d.precision, d.basis) == (day, day, "day", "relative")


def test_leaving_out_alternatives_a_sentence_cannot_match_finds_the_same_dates() -> None:
    import re

    from pipeline.text.dates import _lexicon, _mention

    lx = _lexicon()
    every = re.compile("|".join(p for p, _ in lx.parts))
    texts = [
        "Gunmen struck on Feb. 3, 2023, at dawn; in FY'23 and between 2019 and 2021 it was calm.",
        "The first quarter of 2024, Q3 2023, the 1990s and 2021–2023 were violent.",
        "Over the first weekend of March, last weekend and earlier this month, el año pasado y esta semana.",
        "On Monday, next Friday and in May's vote, 5 de mayo and 2,000 soldiers in 2024 fiscal year.",
        "THIS WEEK and This Month, a YEAR AGO, yesterday, hoy.",
        "In the first nine months of 2023, the first half of the year and el primer semestre del año pasado.",
        "El martes y el sábado pasado, los primeros seis meses de 2024; Published Jan. 9, 2024 10:32 a.m. ET",
    ]
    for text in texts:
        full = [_mention(lx, m, text, DAY) for m in every.finditer(text)]
        assert find_dates(text, DAY) == [d for d in full if d is not None], text


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "basis"),
    [
        ("Kidnappings rose in January and February.", dt.date(2024, 1, 1), dt.date(2024, 2, 29), "point", "relative"),
        ("The army patrolled from March to May 2023.", dt.date(2023, 3, 1), dt.date(2023, 5, 31), "range", "explicit"),
        ("Between November and January 2024, 300 died.", dt.date(2023, 11, 1), dt.date(2024, 1, 31), "range",
         "explicit"),
        ("Entre enero y marzo de 2022 hubo 900 denuncias.", dt.date(2022, 1, 1), dt.date(2022, 3, 31), "range",
         "explicit"),
        ("In the January-March 2021 quarter", dt.date(2021, 1, 1), dt.date(2021, 3, 31), "range", "explicit"),
        ("In December and January, violence fell.", dt.date(2023, 12, 1), dt.date(2024, 1, 31), "point", "relative"),
    ],
)
def test_two_months_joined_are_one_period_from_the_first_to_the_second(
    text: str, start: dt.date, end: dt.date, kind: str, basis: str
) -> None:
    d = one(text)
    assert (d.start, d.end, d.precision, d.kind, d.basis) == (start, end, "range", kind, basis)


def test_a_part_of_the_year_not_over_at_publication_is_of_the_year_before() -> None:
    january = parse_published("2025-01-05")
    d = one("los secuestros aumentaron un 75 % en los primeros once meses del año", january)
    assert (d.start, d.end) == (dt.date(2024, 1, 1), dt.date(2024, 11, 30))
    june = parse_published("2025-06-15")
    d = one("homicides fell in the first half of the year", june)
    assert (d.start, d.end) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    d = one("homicides fell in the first nine months of this year", january)  # said outright: kept
    assert (d.start, d.end) == (dt.date(2025, 1, 1), dt.date(2025, 9, 30))


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("In the past four years the murder rate has quadrupled.", dt.date(2020, 3, 20)),
        ("Over the last 12 months, police seized 200 tonnes.", dt.date(2023, 3, 20)),
        ("Los secuestros crecieron en los últimos tres años.", dt.date(2021, 3, 20)),
        ("Attacks rose in the past week.", dt.date(2024, 3, 13)),
        ("during the past two decades", dt.date(2004, 3, 20)),
    ],
)
def test_the_past_n_units_run_back_from_the_publication_day(text: str, start: dt.date) -> None:
    d = one(text)
    assert (d.start, d.end, d.precision, d.basis) == (start, dt.date(2024, 3, 20), "range", "relative")


def test_the_past_years_without_a_count_give_no_span() -> None:
    assert find_dates("The last years were hard for the port.", DAY) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Headline\n\nBy Maria Lopez | October 3, 2023\n\nBody.", dt.date(2023, 10, 3)),
        ("Titular\nPor Redacción · 5 de enero de 2025\nCuerpo.", dt.date(2025, 1, 5)),
    ],
)
def test_a_byline_followed_by_a_date_gives_the_day_of_publication(text: str, expected: dt.date) -> None:
    assert dateline_date(text) == expected


def test_a_byline_with_a_date_in_prose_is_no_dateline() -> None:
    assert dateline_date("Headline\nBy January 9, 2024, gangs had stormed a TV studio.\n") is None
    assert dateline_date("Headline\nBy Staff | January 9, 2024, gangs stormed a TV studio.\n") is None


def test_a_year_followed_by_a_determiner_and_a_count_noun_is_a_year() -> None:
    published = PublicationDate(dt.date(2025, 6, 18), dt.date(2025, 6, 18), "day", "manifest")
    [d] = find_dates("In 2023 the police made thousands of arrests.", published)
    assert (d.date_text, d.start) == ("2023", dt.date(2023, 1, 1))
    assert find_dates("The army sent 2000 more troops.", published) == []


@pytest.mark.parametrize(("text", "day"), [
    ("Los militares llegaron este miércoles.", D(2024, 3, 20)),  # this weekday: publication day itself
    ("Los militares llegaron el pasado lunes.", D(2024, 3, 18)),
    ("Los militares llegaron el lunes pasado.", D(2024, 3, 18)),
    ("Los militares llegaron la madrugada de este domingo.", D(2024, 3, 17)),
    ("Los militares llegarán el próximo viernes.", D(2024, 3, 22)),
    ("Los militares llegaron anoche.", D(2024, 3, 19)),
    ("Los militares llegaron anteayer.", D(2024, 3, 18)),
    ("Troops arrived this Monday.", D(2024, 3, 18)),
])
def test_relative_days_in_spanish_and_english(text: str, day: D) -> None:
    m = one(text)
    assert (m.start, m.end, m.basis) == (day, day, "relative")


def test_relative_weeks_and_counts_back_from_publication() -> None:
    week = one("La reunión fue la semana pasada.")
    assert (week.start, week.end) == (D(2024, 3, 11), D(2024, 3, 17))
    ago = one("El motín ocurrió hace dos semanas.")
    assert (ago.start, ago.end, ago.precision) == (D(2024, 3, 4), D(2024, 3, 10), "range")
    assert one("The raid happened three days ago.").start == D(2024, 3, 17)
    assert one("La cárcel se inauguró hace dos años.", MONTH).start == D(2022, 1, 1)


def test_relative_words_give_no_date_without_a_publication_date() -> None:
    for text in ("Los militares llegaron este miércoles.", "El motín ocurrió hace dos semanas.",
                 "La reunión fue la semana pasada."):
        assert one(text, UNKNOWN).start is None


def test_a_past_weekday_with_only_the_month_of_publication_is_that_month() -> None:
    m = one("Ecuador extradited him on Sunday.", MONTH)
    assert (m.start, m.end, m.precision) == (D(2024, 3, 1), D(2024, 3, 31), "month")
    assert one("Talks resume next Monday.", MONTH).start is None


def test_a_weekday_before_a_day_of_the_month_is_that_day() -> None:
    assert one("Fue asesinado el martes 4 de marzo.").start == D(2024, 3, 4)
    assert one("The decree was signed on Friday, March 8.").start == D(2024, 3, 8)
    assert one("The decree was signed on 8 March.").start == D(2024, 3, 8)


def test_a_day_and_month_in_a_street_name_is_not_a_date() -> None:
    assert find_dates("Dispararon en la avenida 9 de Octubre de Guayaquil.", DAY) == []
    assert find_dates("Ocurrió en el barrio popular del 15 de Septiembre.", DAY) == []


def test_a_season_with_its_year_is_its_months() -> None:
    summer = one("Gangs grew stronger in the summer of 2022.")
    assert (summer.start, summer.end, summer.precision) == (D(2022, 6, 1), D(2022, 9, 30), "range")
    assert one("Las bandas crecieron en el verano de 2022.").start == D(2022, 6, 1)


def test_earlier_this_year_ends_at_publication() -> None:
    m = one("He was re-elected earlier this year.")
    assert (m.start, m.end) == (D(2024, 1, 1), D(2024, 3, 20))


# ---------------------------------------------------------------- ranges of days


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Del 2 de febrero al 9 de marzo de 2023 se contaron 80 secuestros.", D(2023, 2, 2), D(2023, 3, 9)),
        ("Entre el 5 y el 19 de agosto de 2022 hubo 40 detenidos.", D(2022, 8, 5), D(2022, 8, 19)),
        ("desde el 3 de octubre hasta el 6 de enero de 2023 rigió el toque de queda.", D(2022, 10, 3), D(2023, 1, 6)),
        ("From Feb. 2 to March 9, 2023, police logged 80 kidnappings.", D(2023, 2, 2), D(2023, 3, 9)),
        ("Between Aug. 5 and 19, 2022, 40 people were detained.", D(2022, 8, 5), D(2022, 8, 19)),
        ("Talks ran Nov. 3-5, 2021, in Lima.", D(2021, 11, 3), D(2021, 11, 5)),
        ("The curfew ran from Dec. 28 to Jan. 4.", D(2023, 12, 28), D(2024, 1, 4)),  # yearless: before publication
    ],
)
def test_a_range_of_days_is_one_period_from_its_first_day_to_its_last(text: str, start: dt.date, end: dt.date) -> None:
    m = one(text)
    assert (m.start, m.end, m.precision, m.kind) == (start, end, "range", "range")


@pytest.mark.parametrize("text", ["Hubo ataques el 10 y 12 de marzo.", "Attacks on March 10 and 12 killed five."])
def test_two_days_joined_by_and_without_between_are_no_range(text: str) -> None:
    assert all(m.precision == "day" for m in find_dates(text, DAY))


@pytest.mark.parametrize(
    ("text", "published", "start", "end"),
    [
        ("En lo que va del año se registraron 1.200 muertes.", DAY, D(2024, 1, 1), D(2024, 3, 20)),
        ("So far this year, police have seized 90 tonnes.", DAY, D(2024, 1, 1), D(2024, 3, 20)),
        ("Year-to-date killings reached 700.", MONTH, D(2024, 1, 1), D(2024, 3, 31)),
        # a named year: its January 1 to publication, or the whole year when published after it
        ("En lo que va de 2024 hubo 300 secuestros.", DAY, D(2024, 1, 1), D(2024, 3, 20)),
        ("So far in 2023, 40 guards were attacked.", DAY, D(2023, 1, 1), D(2023, 12, 31)),
    ],
)
def test_the_year_so_far_runs_from_january_first_to_publication(
        text: str, published: PublicationDate, start: dt.date, end: dt.date) -> None:
    m = one(text, published)
    assert (m.start, m.end, m.precision, m.kind) == (start, end, "range", "range")


def test_the_year_so_far_without_a_publication_date_has_no_period() -> None:
    m = one("En lo que va del año se registraron 1.200 muertes.", UNKNOWN)
    assert (m.start, m.end, m.basis) == (None, None, "relative")


@pytest.mark.parametrize(
    "sentence",
    ["The runoff is scheduled to be held on May 12.", "La segunda vuelta está prevista para el 12 de mayo."],
)
def test_a_scheduled_yearless_date_after_publication_is_the_next_one(sentence: str) -> None:
    [d] = [d for d in find_dates(sentence, DAY) if d.start is not None]
    assert (d.start, d.end) == (D(2024, 5, 12), D(2024, 5, 12))


@pytest.mark.parametrize(("text", "saturday"), [
    ("Five people were killed at the weekend.", dt.date(2025, 1, 25)),
    ("Cinco personas murieron el fin de semana.", dt.date(2025, 1, 25)),
    ("Cinco personas murieron el pasado fin de semana.", dt.date(2025, 1, 25)),
    ("Habrá controles este fin de semana.", dt.date(2025, 2, 1)),
])
def test_the_weekend_in_british_english_and_spanish(text: str, saturday: dt.date) -> None:
    published = PublicationDate(dt.date(2025, 1, 29), dt.date(2025, 1, 29), "day", "manifest")  # a Wednesday
    [d] = find_dates(text, published)
    assert (d.start, d.end, d.precision) == (saturday, saturday + dt.timedelta(days=1), "weekend")
