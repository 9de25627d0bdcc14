"""Article -> statistics rows: metric, period, baseline, place, provenance, on articles written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.extract.statistics import extract_statistics
from pipeline.text.dates import PublicationDate
from pipeline.text.document import read_article

ROOT = Path(__file__).resolve().parent.parent
MARCH_2025 = PublicationDate(dt.date(2025, 3, 1), dt.date(2025, 3, 31), "month", "manifest")


def rows_of(text: str, published: PublicationDate = MARCH_2025) -> list[dict[str, Any]]:
    return extract_statistics(read_article(text, published), "t_article")


def one(text: str, published: PublicationDate = MARCH_2025, **match: Any) -> dict[str, Any]:
    """The single row whose columns equal ``match``."""
    found = [r for r in rows_of(text, published) if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, [(r["value"], r["unit"], r["metric"]) for r in rows_of(text, published)]
    return found[0]


ARTICLE = """Ecuador Police Seize 12 Tonnes Of Cocaine

RELATED: 5 THINGS TO KNOW ABOUT ECUADOR'S PRISONS

Police seized 12 tonnes of cocaine at the port of Guayaquil on Monday, officials said.
More than 1,300 suspects were arrested in the operation, according to the National Police.
The rate rose from 10.5 per 100,000 in 2020 to 20.1 in 2022.

CLICK HERE TO GET THE NEWS APP

Lea también: 300 detenidos en Quito
"""


# ---------------------------------------------------------------- provenance and shape


def test_rows_have_exactly_the_columns_of_the_table_schema() -> None:
    spec = yaml.safe_load((ROOT / "schemas" / "statistics.yaml").read_text(encoding="utf-8"))
    names = [f["name"] for f in spec["fields"]]
    for row in rows_of(ARTICLE):
        assert list(row) == names


def test_every_quote_is_the_exact_text_between_its_offsets() -> None:
    rows = rows_of(ARTICLE)
    assert rows
    for row in rows:
        assert ARTICLE[row["char_start"] : row["char_end"]] == row["quote"]
        assert row["value_text"] in row["quote"]


def test_ids_are_deterministic_unique_and_independent_of_labels() -> None:
    first, second = rows_of(ARTICLE), rows_of(ARTICLE)
    assert [r["statistic_id"] for r in first] == [r["statistic_id"] for r in second]
    assert len({r["statistic_id"] for r in first}) == len(first)
    assert all(r["statistic_id"].startswith("st_") for r in first)


def test_a_figure_in_the_headline_and_the_body_is_one_row_quoting_the_fuller_sentence() -> None:
    seized = [r for r in rows_of(ARTICLE) if r["unit"] == "tonnes"]
    assert len(seized) == 1
    assert seized[0]["quote"].startswith("Police seized 12 tonnes of cocaine at the port")


def test_a_figure_restated_keeps_the_statement_that_dates_it_over_a_longer_undated_one() -> None:
    text = ("Guards found 19 inmates dead in their cells on Tuesday, officials said.\n\n"
            "According to the national prison service, the 19 prisoners found dead in the northern jail had "
            "been held in a wing that rival factions had fought over for weeks.")
    thursday = PublicationDate(dt.date(2025, 3, 6), dt.date(2025, 3, 6), "day", "manifest")
    deaths = [r for r in rows_of(text, thursday) if r["value"] == 19]
    assert len(deaths) == 1
    assert deaths[0]["quote"].startswith("Guards found 19 inmates dead")
    assert deaths[0]["period_start"] == deaths[0]["period_end"] == dt.date(2025, 3, 4)


def test_page_furniture_yields_no_rows() -> None:
    quotes = " ".join(r["quote"] for r in rows_of(ARTICLE))
    assert "RELATED" not in quotes and "APP" not in quotes and "Lea también" not in quotes


def test_dates_ages_names_and_vague_words_yield_no_rows() -> None:
    text = (
        "On Jan. 9, 2024, a 45-year-old guard at the Zonal 8 prison was shot.\n"
        "Hundreds of residents and dozens of soldiers attended the COVID-19 memorial in 2021.\n"
    )
    assert rows_of(text) == []


# ---------------------------------------------------------------- values, units, qualifiers, metrics


def test_qualified_counts_keep_their_bound() -> None:
    row = one(ARTICLE, unit="count", value=1300.0)
    assert (row["qualifier"], row["value_low"], row["value_high"], row["metric"]) == (
        "more_than",
        1300.0,
        None,
        "arrests",
    )


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "metric"),
    [
        ("Police arrested 1,250 people in the coastal provinces.", 1250, "count", "arrests"),
        ("Authorities reported 731 homicides in the first quarter.", 731, "count", "homicides"),
        ("The murder rate reached 40.5 per 100,000 people.", 40.5, "per_100k", "homicide_rate"),
        (
            "Washington pledged $5 million in security aid to Quito's police.",
            5_000_000,
            "usd",
            "security_aid",
        ),
        ("The challenger won 52% of the vote in the runoff.", 52, "percent", "vote_share"),
        ("In the referendum, 61.2% voted yes on the first question.", 61.2, "percent", "vote_share"),
        ("En la consulta, el 58,4 % votó por el No.", 58.4, "percent", "vote_share"),
        (
            "The president declared a 90-day state of emergency in two provinces.",
            90,
            "days",
            "emergency_duration",
        ),
        ("Navy patrols seized 4.2 tonnes of cocaine off the coast.", 4.2, "tonnes", "drug_seizures"),
        (
            "The decree lists 20 gangs designated as terrorist organizations.",
            20,
            "count",
            "armed_groups_designated",
        ),
        ("The army deployed 3,000 troops to the border.", 3000, "count", "troops_deployed"),
        ("Gunmen took 57 guards hostage during the riot.", 57, "count", "hostages"),
        ("Complaints of extortion climbed to 21,000 cases.", 21000, "count", "extortions"),
        ("The country recorded 7,800 violent deaths, the most on record.", 7800, "count", "violent_deaths"),
        ("Riots left 46 inmates dead inside the prison.", 46, "count", "prison_deaths"),
        ("Kidnappings reached 1,400 cases in the coastal region.", 1400, "count", "kidnappings"),
        ("The ministry said 8,000 police officers will patrol the city.", 8000, "count", "troops_deployed"),
        ("Los Lobos has about 8,000 members.", 8000, "count", "other"),
        # a designation counts groups: provinces under a declared emergency are no designated groups
        ("The president declared 15 gangs terrorist groups.", 15, "count", "armed_groups_designated"),
        ("El Gobierno declaró a 15 bandas como grupos terroristas.", 15, "count", "armed_groups_designated"),
        # a designation in any tense
        ("Washington will designate three of the region's largest gangs — all of them cartels — as terrorist "
         "organizations.", 3, "count", "armed_groups_designated"),
        ("Washington designará a tres de las bandas más grandes —todas ellas carteles— como organizaciones "
         "terroristas.", 3, "count", "armed_groups_designated"),
        ("The president declared an emergency in four provinces on Monday.", 4, "count", "other"),
        ("Los motines han cobrado la vida de más de 300 reos desde 2021.", 300, "count", "prison_deaths"),
        ("The gang war has claimed the lives of 300 people.", 300, "count", "violent_deaths"),
        ("The gang war has claimed more than 300 lives.", 300, "count", "violent_deaths"),
        ("La violencia carcelaria ha cobrado más de 300 vidas.", 300, "count", "prison_deaths"),
        # operations counted are the operations, not the troops that carry them out
        ("Some 700 soldiers are carrying out operations in the province.", 700, "count", "troops_deployed"),
        ("La Policía ejecutó 250 allanamientos en Durán.", 250, "count", "security_operations"),
        # a number right before places counts places, whatever the sentence tells
        ("Inmates took 30 guards hostage in four other prisons.", 4, "count", "other"),
        ("The army sent 9,000 soldiers to the country's three most violent provinces.", 3, "count", "other"),
        ("The army sent 9,000 soldiers to the country's three most violent provinces.", 9000, "count",
         "troops_deployed"),
        ("Hubo motines en cuatro cárceles con 30 guardias tomados como rehenes.", 4, "count", "other"),
        # ... and a number right before incidents counts incidents, not the people they killed
        ("Se registraron 15 masacres que han cobrado la vida de 400 reos.", 15, "count", "other"),
        ("Gunmen carried out 35 attacks on police posts, killing 9 officers.", 35, "count", "other"),
        # reflexive "se detuvo" is stopping, not arresting
        ("En octubre llegaron 38.200 venezolanos al puerto, en un éxodo que se detuvo en diciembre.", 38200, "count",
         "other"),
        # the words before "and" tell the figure before what it counts, not this one
        ("41 inmates killed and 17 injured in a prison riot in Machala.", 17, "count", "other"),
        ("41 reos asesinados y 17 heridos en un motín en la cárcel de Machala.", 17, "count", "other"),
        # after a passive verb, "by" names who did it: the number counts them, not the act
        ("The councillor was murdered by four gunmen on motorcycles.", 4, "count", "attackers"),
        ("El concejal fue asesinado por cuatro sicarios en motocicleta.", 4, "count", "attackers"),
        # documents, vehicles and weapons are counted by no metric, whatever the sentence tells
        ("The navy sent 12 patrol boats and 900 marines to the coast.", 12, "count", "other"),
        ("The navy sent 12 patrol boats and 900 marines to the coast.", 900, "count", "troops_deployed"),
        ("El Ejército movilizó 35 vehículos blindados y 400 soldados.", 35, "count", "other"),
        ("Agents seized 60 pistols and 2 tonnes of cocaine at the port.", 60, "count", "other"),
        ("Los agentes incautaron 60 armas de fuego y 300 paquetes de droga.", 60, "count", "other"),
        ("Los agentes incautaron 60 armas de fuego y 300 paquetes de droga.", 300, "count", "drug_seizures"),
        ("The defense ministry signed 14 military supply contracts this year.", 14, "count", "other"),
        # (the head of what is counted: "troops and helicopters" are troops)
        ("The army flew 250 troops and helicopters to the border.", 250, "count", "troops_deployed"),
        # a cause says why, not what was counted
        ("The government imposed curfews in four provinces due to a wave of killings.", 4, "count", "other"),
        ("Impusieron el toque de queda en cuatro provincias debido a la ola de asesinatos.", 4, "count", "other"),
        # drugs with no seizure in the sentence are shipped or produced, not seized
        ("The cartel planned to ship 900 kg of cocaine to Rotterdam.", 0.9, "tonnes", "other"),
        ("Colombia produced 1,700 tonnes of cocaine in a year.", 1700, "tonnes", "other"),
        ("Agents found 900 kg of cocaine in a shipping container.", 0.9, "tonnes", "drug_seizures"),
        ("Belgium reported its largest cocaine haul of the year: 7.2 tonnes in a banana container.", 7.2, "tonnes",
         "drug_seizures"),
        ("The trawler came back with a haul of 3 tonnes of shrimp.", 3, "tonnes", "other"),
        ("El presidente declaró la emergencia en cuatro provincias.", 4, "count", "other"),
        ("The gang is one of three along with Los Lobos designated as terrorist organizations.", 3, "count",
         "armed_groups_designated"),
    ],
)
def test_the_words_around_a_number_pick_its_metric(
    sentence: str, value: float, unit: str, metric: str
) -> None:
    assert one(sentence, value=float(value), unit=unit)["metric"] == metric


def test_a_spelled_number_is_kept_only_when_it_counts_a_known_metric() -> None:
    # (people killed in an incident are violent deaths; homicides are counted as homicides or murders)
    text = "Three soldiers were killed in the ambush. The two nations signed a pact.\n"
    rows = rows_of(text)
    assert [(r["value"], r["metric"]) for r in rows] == [(3.0, "violent_deaths")]


def test_a_number_in_words_goes_to_the_metric_that_takes_words_when_a_cue_names_two() -> None:
    # "aprehendidos" names arrests and drug seizures alike; drugs are never counted in words ("tres
    # paquetes" is no seizure figure), people are: the number is the arrests', not dropped.
    rows = rows_of("En el operativo fueron aprehendidos tres jóvenes cerca del muelle.")
    assert [(r["value"], r["metric"]) for r in rows] == [(3.0, "arrests")]
    # with a unit that makes words as good as digits, the seizure keeps it
    rows = rows_of("En el operativo fueron aprehendidas tres toneladas de cocaína.")
    assert [(r["value"], r["unit"], r["metric"]) for r in rows] == [(3.0, "tonnes", "drug_seizures")]


@pytest.mark.parametrize("sentence", [
    "Four of the nine fugitives were recaptured near the border.",
    "Cuatro de los nueve prófugos fueron recapturados cerca de la frontera.",
])
def test_in_a_partitive_the_verb_counts_the_part_and_the_whole_is_what_it_names(sentence: str) -> None:
    rows = {r["value"]: r["metric"] for r in rows_of(sentence)}
    assert rows.get(4.0) == "arrests"
    assert rows.get(9.0, "other") == "other"


def test_only_a_number_right_before_of_the_is_a_part() -> None:
    sentence = "Guards found 3 phones and some of the 40 inmates were recaptured."
    rows = {r["value"]: r["metric"] for r in rows_of(sentence)}
    assert rows.get(3.0) != "arrests" and rows.get(40.0) == "arrests"


def test_a_cue_inside_the_wholes_own_words_stays_with_the_whole() -> None:
    sentence = "Five of the 21 people killed in the attack were police officers."
    rows = {r["value"]: r["metric"] for r in rows_of(sentence)}
    assert rows[21.0] == "violent_deaths"
    assert rows.get(5.0, "other") != "violent_deaths"


@pytest.mark.parametrize("text", [
    "Extortion complaints reached 5,200 in 2022. That figure was 38% higher than the complaints filed in 2021.",
    "Las denuncias de extorsión llegaron a 5.200 en 2022. Esa cifra fue 38% superior a las denuncias "
    "presentadas en el 2021.",
])
def test_a_year_a_few_words_after_than_is_the_baseline_and_the_change_keeps_the_discourse_year(text: str) -> None:
    change = one(text, value=38.0)
    assert change["is_change"] is True
    assert (change["period_start"], change["period_end"]) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert (change["baseline_start"], change["baseline_end"]) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


def test_a_change_after_the_compared_side_is_the_current_periods_against_it() -> None:
    text = ("Between January and June 2024 there were 3,210 kidnappings. In the same period of 2023, 2,140 "
            "were reported. That is an increase of 50%.")
    change = one(text, value=50.0)
    assert (change["period_start"], change["period_end"]) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert change["baseline_start"] == dt.date(2023, 1, 1)


def test_a_year_after_more_than_and_a_count_dates_the_count() -> None:
    row = one("More than 300 inmates were killed in 2021.", value=300.0)
    assert row["period_start"] == dt.date(2021, 1, 1) and row["baseline_start"] is None


def test_the_subject_is_the_counted_thing_in_the_articles_words() -> None:
    assert one("Police made roughly 2,000 arrests during the operation.")["subject"] == "arrests"
    assert one("The decree lists 20 gangs designated as terrorist organizations.")["subject"] == (
        "gangs designated as terrorist organizations"
    )


# ---------------------------------------------------------------- periods and baselines


def test_each_number_of_a_trajectory_gets_its_own_year_and_the_bare_one_inherits_the_rate() -> None:
    text = "The homicide rate rose from 10.5 per 100,000 in 2020 to 20.1 in 2022.\n"
    rows = rows_of(text)
    assert [(r["value"], r["unit"], r["metric"], r["period_start"]) for r in rows] == [
        (10.5, "per_100k", "homicide_rate", dt.date(2020, 1, 1)),
        (20.1, "per_100k", "homicide_rate", dt.date(2022, 1, 1)),
    ]


def test_a_us_fiscal_year_runs_october_to_september() -> None:
    row = one("In fiscal 2022, border agents encountered 24,000 Hondurans.\n", value=24000.0)
    assert (row["period_start"], row["period_end"], row["period_precision"]) == (
        dt.date(2021, 10, 1),
        dt.date(2022, 9, 30),
        "fiscal_year",
    )
    assert row["metric"] == "migrant_encounters"


def test_last_year_is_resolved_against_the_publication_date() -> None:
    row = one("Extortion complaints reached 21,000 last year.\n")
    assert (row["period_start"], row["period_end"], row["period_precision"]) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        "year",
    )


def test_a_relative_period_stays_null_when_the_publication_date_is_unknown() -> None:
    row = one("Extortion complaints reached 21,000 last year.\n", PublicationDate.unknown())
    assert (row["period_start"], row["period_end"], row["period_precision"]) == (None, None, "unknown")
    assert row["period_text"] == "last year"


def test_a_change_between_two_years_has_the_later_as_period_and_the_earlier_as_baseline() -> None:
    row = one("Kidnappings have soared by 80% between 2020 and 2023.\n", unit="percent")
    assert row["is_change"] and row["metric"] == "kidnappings"
    assert (row["period_start"], row["period_end"]) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))


def test_a_change_from_the_year_before_takes_the_clause_period_and_a_year_earlier_as_baseline() -> None:
    row = one("March 2024 alone saw 412 murders, a 25% drop from the year before.\n", unit="percent")
    assert row["is_change"] and row["metric"] == "homicides"
    assert (row["period_start"], row["period_end"]) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2023, 3, 1), dt.date(2023, 3, 31))


def test_a_change_inherits_what_its_sentence_counted_and_its_period() -> None:
    text = "In fiscal 2023, border agents encountered 50,000 Peruvians, a 200% increase from 2022.\n"
    row = one(text, unit="percent")
    assert (row["metric"], row["is_change"], row["period_precision"]) == (
        "migrant_encounters",
        True,
        "fiscal_year",
    )
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def test_a_level_is_not_a_change() -> None:
    assert one("Homicides reached 6,900 in 2024.\n")["is_change"] is False


# ---------------------------------------------------------------- place and attribution


def test_attribution_comes_from_according_to_or_a_reporting_verb() -> None:
    assert one(ARTICLE, unit="count", value=1300.0)["attributed_to"] == "National Police"
    assert one(ARTICLE, unit="tonnes")["attributed_to"] == "officials"
    assert one("Officials counted 310 attacks on schools.\n")["attributed_to"] is None


def test_migrants_nationality_is_not_the_place_their_encounters_measure() -> None:
    row = one("Border agents in the United States encountered 30,000 Ecuadorians in 2023.\n")
    assert row["country_code"] == "USA"


def test_a_figure_without_place_words_takes_the_articles_main_country() -> None:
    text = (
        "Ecuador has struggled with gang violence. Ecuador's government promised action.\n"
        "Police arrested 420 people in a week.\n"
    )
    assert one(text, value=420.0)["country_code"] == "ECU"


def test_a_finer_place_is_kept_as_written() -> None:
    row = one(ARTICLE, unit="tonnes")
    assert row["place"] == "Guayaquil" and row["country_code"] == "ECU"


def test_a_count_coordinated_with_another_shares_its_metric() -> None:
    rows = rows_of("Gunmen held 50 guards and 7 police officers hostage.\n")
    assert [(r["value"], r["metric"]) for r in rows] == [(50.0, "hostages"), (7.0, "hostages")]


def test_what_is_counted_alone_does_not_make_a_death_toll() -> None:
    assert one("The jail holds about 8,000 inmates.\n")["metric"] == "other"
    assert one("A riot left 46 inmates dead inside the jail.\n")["metric"] == "prison_deaths"


def test_a_rate_word_alone_does_not_make_a_homicide_rate() -> None:
    assert one("The unemployment rate was 3.8% in December.\n")["metric"] == "other"


def test_the_same_value_in_two_different_periods_is_two_figures() -> None:
    text = "Kidnappings reached 1,400 cases in 2022.\nKidnappings reached 1,400 cases again in 2024.\n"
    assert [r["period_start"].year for r in rows_of(text)] == [2022, 2024]


def test_a_comparison_year_does_not_date_the_figure() -> None:
    row = one("Police recorded 731 homicides in January, the highest since 2018.\n")
    assert (row["period_start"], row["period_end"]) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))


def test_a_multiplicative_word_is_a_change_factor_of_the_metric_it_multiplies() -> None:
    row = one("Extortion cases doubled in the coastal provinces.\n")
    assert (row["value"], row["unit"], row["metric"], row["is_change"]) == (2.0, "other", "extortions", True)
    assert rows_of("The minister doubled down on her pledge.\n") == []


CODEBOOK_METRICS = {
    "homicides",
    "homicide_rate",
    "violent_deaths",
    "migrant_encounters",
    "migrant_apprehensions",
    "emigrant_share",
    "arrests",
    "people_released",
    "criminals_targeted",
    "armed_groups_designated",
    "attackers",
    "security_aid",
    "vote_share",
    "emergency_duration",
    "drug_seizures",
    "prison_deaths",
    "kidnappings",
    "extortions",
    "troops_deployed",
    "hostages",
    "security_operations",
    "migrant_transits",
    "other",
}
CODEBOOK_UNITS = {
    "count",
    "percent",
    "percentage_points",
    "per_100k",
    "usd",
    "days",
    "months",
    "years",
    "hours",
    "tonnes",
    "other",
}


def test_the_vocabularies_hold_every_codebook_metric_and_unit_with_a_definition() -> None:
    metrics = yaml.safe_load((ROOT / "schemas" / "vocab" / "metrics.yaml").read_text(encoding="utf-8"))[
        "metrics"
    ]
    units = yaml.safe_load((ROOT / "schemas" / "vocab" / "units.yaml").read_text(encoding="utf-8"))["units"]
    assert {m["id"] for m in metrics} == CODEBOOK_METRICS
    assert {u["id"] for u in units} == CODEBOOK_UNITS
    for entry in metrics + units:
        assert entry["label"] and entry["definition"]
    for m in metrics:
        assert set(m["units"]) <= CODEBOOK_UNITS


def test_every_row_uses_the_vocabularies() -> None:
    for row in rows_of(ARTICLE):
        assert row["metric"] in CODEBOOK_METRICS and row["unit"] in CODEBOOK_UNITS
        assert row["qualifier"] in {
            "exact",
            "approximate",
            "more_than",
            "at_least",
            "less_than",
            "at_most",
            "range",
        }
        assert row["period_precision"] in {
            "day",
            "month",
            "quarter",
            "year",
            "fiscal_year",
            "range",
            "unknown",
        }


def test_aid_is_counted_for_the_country_that_receives_it() -> None:
    row = one("The United States pledged $5 million in security aid to Ecuador.\n")
    assert (row["metric"], row["country_code"]) == ("security_aid", "ECU")


def test_a_share_of_emigrants_is_measured_at_their_destination() -> None:
    row = one("Spain is the second destination, taking 20% of Ecuadorian emigrants.\n")
    assert (row["metric"], row["country_code"]) == ("emigrant_share", "ESP")


def test_a_count_since_a_year_runs_until_publication() -> None:
    row = one("More than 460 inmates have been killed in the country's prisons since 2021.\n")
    assert (row["period_start"], row["period_end"], row["period_precision"]) == (
        dt.date(2021, 1, 1),
        dt.date(2025, 3, 31),
        "range",
    )


def test_a_change_without_a_date_takes_the_period_of_the_sentence_before() -> None:
    text = "January 2025 was the deadliest month on record. Killings jumped 56% from the year before.\n"
    row = one(text, unit="percent")
    assert (row["period_start"], row["period_end"]) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert row["metric"] == "homicides"


def test_an_all_caps_headline_on_the_first_line_is_the_articles_own() -> None:
    text = "POLICE ARREST 340 GANG MEMBERS IN GUAYAQUIL RAIDS\n\nOfficers searched homes across the city."
    rows = extract_statistics(read_article(text, PublicationDate.unknown()), "src")
    assert [r["value"] for r in rows] == [340.0]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Police recorded 3,500 homicides in the first six months of 2024.", dt.date(2024, 1, 1),
         dt.date(2024, 6, 30)),
        # (published in March 2025: the first half of 2025 is not over, so "the year" is 2024)
        ("Kidnappings rose 20% in the first half of the year.", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
        ("Kidnappings rose 20% in the first two months of the year.", dt.date(2025, 1, 1), dt.date(2025, 2, 28)),
        ("Se registraron 1.200 homicidios en los primeros tres meses de 2023.", dt.date(2023, 1, 1),
         dt.date(2023, 3, 31)),
    ],
)
def test_part_of_a_year_is_the_period(text: str, start: dt.date, end: dt.date) -> None:
    [row] = rows_of(text)
    assert (row["period_start"], row["period_end"], row["period_precision"]) == (start, end, "range")


def test_a_baseline_after_up_from_shares_the_metric_however_far_back() -> None:
    text = ("More than 50,000 migrants crossed the jungle between Colombia and Panama in the first nine months "
            "of 2023, up from 24,000 in all of 2022, officials said.")
    assert {r["value"]: r["metric"] for r in rows_of(text)} == {50000.0: "migrant_transits",
                                                                24000.0: "migrant_transits"}


def test_a_change_over_two_months_compares_them_with_the_same_months_a_year_earlier() -> None:
    row = one("Homicides fell 15% in January and February compared with the same months of last year.",
              unit="percent")
    assert (row["is_change"], row["period_start"], row["period_end"], row["period_text"]) == (
        True, dt.date(2025, 1, 1), dt.date(2025, 2, 28), "January and February")
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2024, 1, 1), dt.date(2024, 2, 29))


def test_a_date_in_another_clause_further_on_does_not_date_the_number() -> None:
    row = one("About 2,300 inmates remain in the jail, where riots in 2021 left 119 people dead.", value=2300.0)
    assert (row["period_start"], row["period_precision"]) == (None, "unknown")
    riot = one("About 2,300 inmates remain in the jail, where riots in 2021 left 119 people dead.", value=119.0)
    assert riot["period_start"] == dt.date(2021, 1, 1)
    # a date further on in the number's own clause still dates it
    seized = one("Police seized 7 tonnes of cocaine at the port and arrested 1,200 people in 2023.", value=1200.0)
    assert seized["period_start"] == dt.date(2023, 1, 1)


def test_a_change_since_a_year_runs_from_then_to_the_article_against_that_year() -> None:
    day = PublicationDate(dt.date(2025, 3, 12), dt.date(2025, 3, 12), "day", "manifest")
    row = one("Extortion complaints have soared by 128% since 2021, prosecutors said.", day, unit="percent")
    assert (row["is_change"], row["period_start"], row["period_end"], row["period_precision"], row["period_text"]) == (
        True, dt.date(2021, 1, 1), dt.date(2025, 3, 12), "range", "since 2021")
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


def test_a_spanish_baseline_after_frente_a_las_shares_the_metric_of_the_change() -> None:
    text = ("Ecuador registró 6.964 muertes violentas en 2024, una reducción del 14,6 % frente a las 8.248 de 2023, "
            "informó la Policía.")
    base = one(text, value=8248.0)
    assert (base["metric"], base["period_start"], base["subject"]) == (
        "violent_deaths", dt.date(2023, 1, 1), "muertes violentas")


def test_numbers_after_including_count_parts_of_the_number_before_them() -> None:
    text = ("At least 10 people were killed on Tuesday, including eight in Guayaquil and two police officers "
            "in Nobol, police said.")
    assert {r["value"]: r["metric"] for r in rows_of(text)} == {
        10.0: "violent_deaths", 8.0: "violent_deaths", 2.0: "violent_deaths"}
    text = "Police arrested 200 people, including 15 police officers, and deployed 3,000 troops."
    assert {r["value"]: r["metric"] for r in rows_of(text)} == {
        200.0: "arrests", 15.0: "arrests", 3000.0: "troops_deployed"}
    # a number inside an item is no item: "including dozens from 14 gangs"
    text = "Raids led to about 1,500 arrests, including dozens from 14 gangs designated as terrorist groups."
    assert {r["value"]: r["metric"] for r in rows_of(text)}[14.0] != "arrests"


def test_a_factor_after_a_figure_measures_it_against_the_date_it_names() -> None:
    text = "Ecuador's homicide rate reached 25.9 per 100,000 people in 2022, more than four times the rate of 2018."
    row = one(text, unit="other")
    assert (row["metric"], row["value"], row["qualifier"], row["is_change"]) == (
        "homicide_rate", 4.0, "more_than", True)
    assert (row["period_start"], row["baseline_start"], row["baseline_end"]) == (
        dt.date(2022, 1, 1), dt.date(2018, 1, 1), dt.date(2018, 12, 31))


def test_a_date_in_a_closed_relative_clause_before_a_number_does_not_date_it() -> None:
    row = one("Noboa, who won a runoff election in April, has deployed about 20,000 soldiers.", value=20000.0)
    assert row["period_start"] is None
    text = ("CBP reported 117,487 encounters in fiscal year 2023, which ended on Sept. 30 — nearly five times the "
            "figure of 2021.")
    factor = one(text, unit="other")
    assert (factor["period_start"], factor["period_end"]) == (dt.date(2022, 10, 1), dt.date(2023, 9, 30))


# ---------------------------------------------------------------- discourse: the time a figure speaks of


def test_a_figure_without_time_words_takes_the_period_its_paragraph_sets() -> None:
    text = "Kidnappings in Manabí\n\nIn 2023 the province recorded a surge in crime. Police counted 212 kidnappings."
    row = one(text, value=212.0)
    assert (row["period_start"], row["period_end"]) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))


def test_a_new_paragraph_continues_the_time_the_last_one_set_after_the_lead() -> None:
    text = (
        "Violencia en la costa\n\n"
        "En 2021 la provincia tuvo un año tranquilo.\n"
        "En lo que va de 2024 la policía registró 300 asesinatos.\n"
        "Además, el 64% de las víctimas eran jóvenes."
    )
    row = one(text, value=64.0)
    assert row["period_start"] is not None and row["period_start"].year == 2024


def test_a_count_tied_to_an_incident_with_no_time_words_anywhere_keeps_a_null_period() -> None:
    row = one("Gunmen stormed a bus terminal. Four people were wounded in the attack.", value=4.0)
    assert row["period_start"] is None


def test_the_same_period_of_a_year_is_the_part_of_the_year_the_paragraph_speaks_of() -> None:
    text = (
        "Entre enero y abril de 2024 hubo 900 robos en la ciudad.\n"
        "En el mismo periodo de 2023 se registraron 650 robos."
    )
    row = one(text, value=650.0)
    assert (row["period_start"], row["period_end"]) == (dt.date(2023, 1, 1), dt.date(2023, 4, 30))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Gunmen stormed the market; four other people were wounded.", 4.0),
        ("Tras el motín hubo ocho heridos en el pabellón.", 8.0),
        ("Los disturbios se extendieron a otras seis prisiones del país.", 6.0),
    ],
)
def test_a_number_in_words_counting_people_hurt_or_places_affected_is_an_other_count(text: str, value: float) -> None:
    row = one(text, value=value)
    assert (row["metric"], row["unit"]) == ("other", "count")


def test_a_number_in_words_that_introduces_nothing_counted_is_no_row() -> None:
    assert rows_of("Two nations signed the accord in the capital.") == []


# ---------------------------------------------------------------- metrics named by the sentence or the topic


@pytest.mark.parametrize(
    ("text", "value", "metric"),
    [
        ("Gunmen killed 9 people at a bar and 14 were injured, police said.", 14.0, "other"),
        ("Tras el ataque hubo 6 muertos y 11 heridos en el barrio.", 11.0, "other"),
        ("Police said 12 people were killed in the shooting on Saturday.", 12.0, "violent_deaths"),
        ("The country recorded 4,100 homicides last year.", 4100.0, "homicides"),
        ("At least 17 inmates died in the riot at the coastal prison.", 17.0, "prison_deaths"),
        ("En la cárcel de la ciudad murieron 17 internos durante el motín.", 17.0, "prison_deaths"),
        ("Some 4,000 police and military will patrol the port.", 4000.0, "troops_deployed"),
    ],
)
def test_the_metric_is_what_the_sentence_names(text: str, value: float, metric: str) -> None:
    assert one(text, value=value)["metric"] == metric


def test_a_figure_with_a_generic_noun_continues_the_topic_of_its_paragraph() -> None:
    text = "Los secuestros crecieron en la provincia.\nEn 2023 hubo 140 secuestros. En 2022 se registraron 90 casos."
    assert one(text, value=90.0)["metric"] == "kidnappings"


def test_a_bare_figure_in_a_breakdown_continues_the_metric_before_it() -> None:
    text = "Officials counted 61 inmates killed in the prison riots: 40 in the Litoral prison and 21 in Turi."
    rows = {r["value"]: r["metric"] for r in rows_of(text)}
    assert rows[40.0] == rows[21.0] == rows[61.0] != "other"


def test_generic_counts_take_the_topic_the_heading_and_lead_name() -> None:
    text = ("Las extorsiones se disparan en la ciudad\n\nLos comerciantes denuncian extorsiones cada semana.\n"
            "Las estadísticas oficiales son claras.\nEn 2023 se reportaron 512 denuncias en el cantón.")
    assert one(text, value=512.0)["metric"] == "extortions"


def test_a_spelled_mass_of_a_seizure_is_a_statistic() -> None:
    row = one("Marines seized more than four tons of cocaine off the coast.", value=4.0)
    assert (row["unit"], row["metric"]) == ("tonnes", "drug_seizures")


def test_the_day_of_a_report_does_not_date_the_figure_it_reports() -> None:
    text = ("Gunmen attack a market\n\n"
            "Gunmen killed 9 people at a market, police said on Tuesday.\n"
            "The attack happened late on Monday in the old town.")
    published = PublicationDate(dt.date(2025, 3, 12), dt.date(2025, 3, 12), "day", "manifest")  # a Wednesday
    row = one(text, published, value=9.0)
    assert row["period_start"] == dt.date(2025, 3, 10)


def test_a_heading_figure_takes_the_incident_date_the_body_gives_but_not_the_dateline() -> None:
    text = ("14 dead in a riot at a coastal prison\n"
            "March 12, 2025\n"
            "The inmates were found dead on Sunday morning in two cell blocks.")
    published = PublicationDate(dt.date(2025, 3, 12), dt.date(2025, 3, 12), "day", "manifest")
    row = one(text, published, value=14.0)
    assert row["period_start"] == dt.date(2025, 3, 9)


def test_a_mass_is_in_tonnes_and_its_value_text_keeps_the_words() -> None:
    row = one("Agents seized 640 kilos of cocaine in the port.", value=0.64)
    assert (row["unit"], row["value_text"], row["metric"]) == ("tonnes", "640 kilos", "drug_seizures")


def test_an_elliptical_rate_takes_the_metric_and_unit_of_the_rate_it_continues() -> None:
    text = ("Pichincha ended the year with a homicide rate of 12.4 per 100,000 people.\n"
            "Esmeraldas' rate was far higher, at 77.9.")
    row = one(text, value=77.9)
    assert (row["unit"], row["metric"]) == ("per_100k", "homicide_rate")


def test_a_rate_word_without_an_earlier_rate_leaves_a_count_alone() -> None:
    row = one("The approval rate of the plan reached 15 votes in the assembly.", value=15.0)
    assert row["unit"] == "count"


def test_page_furniture_of_a_list_widget_is_no_statistic() -> None:
    assert rows_of("Police seized 2 tonnes of cocaine.\nlist of 3 itemsend of list") == rows_of(
        "Police seized 2 tonnes of cocaine.")


def test_a_population_is_other_whatever_the_sentence_counts_around_it() -> None:
    text = "Violence has fallen in Manta, a city of 300,000 people where 40 people were killed last year."
    assert one(text, value=300000.0)["metric"] == "other"


def test_recaptured_escapees_are_arrests() -> None:
    assert one("Police recaptured 12 escaped inmates in the hills.", value=12.0)["metric"] == "arrests"


def test_a_figure_of_more_continues_the_topic_unless_it_names_what_it_counts() -> None:
    text = "Ya se han reportado 900 extorsiones este año. Es decir, 300 más que el año anterior."
    assert one(text, value=300.0)["metric"] == "extortions"
    text = "Gunmen killed 6 people at a bar; 11 more injured were taken to hospital."
    assert one(text, value=11.0)["metric"] == "other"


@pytest.mark.parametrize(
    "sentence",
    [
        "El Decreto Ejecutivo 204 declara el estado de excepción en siete provincias.",
        "Todo grupo identificado en el Decreto (318) es un objetivo militar.",
        "Las víctimas pueden llamar a la línea 1800 o denunciar al 911 de forma anónima.",
        "Residents can report extortion at 1-800-555-0199 or call 911.",
        "La campaña activó un número reservado (447215) para las denuncias.",
        "Article 164 of the constitution allows a state of emergency.",
    ],
)
def test_numbers_that_name_a_decree_a_law_or_a_telephone_line_are_no_statistics(sentence: str) -> None:
    counted = [(r["value"], r["metric"]) for r in rows_of(sentence)]
    assert all(v in (7.0,) for v, _ in counted), counted  # only "siete provincias" may count


def test_a_hotline_number_is_no_year_either() -> None:
    from pipeline.extract.events import extract_events

    doc = read_article("La Policía activó la línea 1800 para recibir denuncias de extorsión.", MARCH_2025)
    assert all(r["date_start"] is None or r["date_start"].year >= 2000 for r in extract_events(doc, "t_article"))


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Police detained 23 men accused of extortion in the port city.", 23),
        ("La policía ha detenido en Machala a 14 hombres acusados de secuestro.", 14),
        ("Los militares capturaron a 9 sospechosos de asesinato en la frontera.", 9),
        ("La Policía ha detenido a 310 sospechosos en operativos este año.", 310),
    ],
)
def test_what_people_are_accused_of_is_not_what_the_arrest_counts(sentence: str, value: int) -> None:
    assert one(sentence, value=float(value))["metric"] == "arrests"


@pytest.mark.parametrize(
    "sentence",
    [
        "The mayor took office in 2019 at the age of 41.",
        "Marta, 62, has sold fruit in the market for decades.",
        "El comerciante, a la edad de 58, denunció las amenazas.",
        "Posted Nov 2, 2023 | 14 comments",
        "The missing boys, aged between 12 and 16, were last seen near the base.",
        "The reserve covers 2,310 square kilometers (892 square miles) of forest.",
        "The mine sits at 3,400 meters above sea level.",
        "Los primos Luis y Pedro Mera, de 13 y 16 años, Ana Vera, de 12, y Rosa Paz, de 9, salieron de casa.",
        "Un hombre de unos 45 años disparó contra el local.",
        "A las 9 y 45 fueron detenidos por una patrulla.",
    ],
)
def test_ages_and_reader_counters_are_no_statistics(sentence: str) -> None:
    assert [r["value"] for r in rows_of(sentence) if r["value"] != 2019.0] == []


def test_suspects_apprehended_for_a_murder_are_arrests() -> None:
    assert one("Police apprehended 3 suspects involved in the murder of a judge.", value=3.0)["metric"] == "arrests"


@pytest.mark.parametrize(
    ("sentence", "value", "metric"),
    [
        ("Peru will impose a 25% tariff on imports, citing a lack of cooperation at the border.", 25, "other"),
        ("Some 40,000 pupils from 51 schools stayed home amid the wave of violence.", 51, "other"),
        ("The year closed with 41 murders per 100,000 inhabitants.", 41, "homicide_rate"),
        ("Un 58,2 % de los votantes aprobó la pregunta sobre las cárceles.", 58.2, "vote_share"),
    ],
)
def test_context_words_alone_name_no_metric_but_a_rate_per_100000_is_defined_by_them(
    sentence: str, value: float, metric: str
) -> None:
    assert one(sentence, value=float(value))["metric"] == metric


def test_a_change_after_a_comparison_with_the_same_period_takes_that_period_as_baseline() -> None:
    text = ("Entre el 1 de enero y el 30 de junio de 2024 se registraron 1.200 robos. Si se compara con los 900 "
            "robos del mismo período del 2023, el incremento es del 33,3 %.")
    row = one(text, value=33.3)
    assert row["is_change"]
    assert (row["period_start"], row["period_end"]) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2023, 1, 1), dt.date(2023, 6, 30))


@pytest.mark.parametrize("sentence", ["The increase was 20% over the year before.",
                                      "El aumento fue del 20 % frente al año anterior."])
def test_a_change_noun_and_a_copula_before_the_number_make_a_change(sentence: str) -> None:
    assert one(sentence, value=20.0)["is_change"]


@pytest.mark.parametrize(
    "text",
    [
        "The governor declared a state of emergency in the province. The measure will last 45 days.\n",
        "El presidente decretó el toque de queda en dos cantones. La medida regirá durante 45 días.\n",
        "El Gobierno firmó un decreto de excepción para la costa. Renovó por 45 días esta medida.\n",
    ],
)
def test_a_measure_referred_back_to_takes_the_metric_the_sentence_before_names(text: str) -> None:
    rows = [r for r in rows_of(text) if r["value"] == 45.0]
    assert [(r["metric"], r["unit"]) for r in rows] == [("emergency_duration", "days")]


def test_a_measure_with_nothing_before_it_to_refer_to_stays_other() -> None:
    rows = rows_of("The mayor opened a new market. The measure will last 45 days.\n")
    assert [(r["value"], r["metric"]) for r in rows] == [(45.0, "other")]


@pytest.mark.parametrize("text", [
    "At least 50 inmates died in the riots: 27 in Guayaquil, 17 in Cuenca and six in Latacunga.\n",
    "Murieron al menos 50 reos en los motines: 27 en Guayaquil, 17 en Cuenca y seis en Latacunga.\n",
])
def test_a_number_in_words_at_the_end_of_a_list_is_one_more_of_its_figures(text: str) -> None:
    rows = rows_of(text)
    assert [(r["value"], r["metric"]) for r in rows] == [
        (50.0, "prison_deaths"), (27.0, "prison_deaths"), (17.0, "prison_deaths"), (6.0, "prison_deaths")]


def test_a_number_in_words_after_a_list_s_figure_but_not_in_the_list_is_not_one_of_them() -> None:
    rows = rows_of("Police arrested 31 suspects in Guayaquil; two officers were later promoted.\n")
    assert [(r["value"], r["metric"]) for r in rows] == [(31.0, "arrests")]


@pytest.mark.parametrize("text", [
    "The curfew applies in four of the country's 24 provinces.\n",
    "El toque de queda rige en cuatro de las 24 provincias del país.\n",
])
def test_a_part_in_words_of_a_whole_in_digits_counts_what_the_whole_counts(text: str) -> None:
    assert sorted((r["value"], r["metric"]) for r in rows_of(text)) == [(4.0, "other"), (24.0, "other")]


@pytest.mark.parametrize("text", [
    "The 36 prisons remain under military control.\n",
    "Las 36 cárceles siguen bajo control militar.\n",
])
def test_entity_words_past_what_the_number_counts_name_nothing_it_counts(text: str) -> None:
    assert [(r["value"], r["metric"]) for r in rows_of(text)] == [(36.0, "other")]


@pytest.mark.parametrize("text", [
    "A quiet town no more\n\nThe prosecutor's office counted 1,240 extortion complaints in 2022 in the province.\n\n"
    "In 2023, that figure climbed to 2,310.",
    "Un puerto en vilo\n\nLa Fiscalía registró 1.240 denuncias de extorsión en 2022 en la provincia.\n\n"
    "En 2023, esa cifra llegó a 2.310.",
])
def test_a_figure_that_points_back_takes_the_metric_of_the_one_before(text: str) -> None:
    # (a new paragraph: the paragraph's topic does not carry it)
    assert one(text, value=2310.0)["metric"] == "extortions"


def test_a_figure_points_back_only_to_the_sentence_right_before() -> None:
    text = ("A quiet town no more\n\nThe prosecutor's office counted 1,240 extortion complaints in 2022.\n\n"
            "Schools stayed open.\n\nIn 2023, that figure climbed to 2,310.")
    assert one(text, value=2310.0)["metric"] == "other"


def test_one_value_twice_in_a_sentence_is_two_figures() -> None:
    rows = rows_of("Cuatro reos se fugaron de la cárcel de Machala, en medio de motines en otras cuatro prisiones.")
    assert [(r["value"], r["metric"]) for r in rows] == [(4.0, "other"), (4.0, "other")]


@pytest.mark.parametrize(("text", "values"), [
    ("Suscríbete a nuestro boletín y recibe 3 artículos gratis.", []),
    ("Subscribe now: 3 articles free.", []),
    # "suscribir" also signs decrees: such a line is news
    ("Antes de que el presidente suscribiera el decreto, la Corte avaló la renovación del estado de excepción "
     "por 30 días.", [30.0]),
])
def test_a_newsletter_line_has_no_figures_but_a_signed_decree_does(text: str, values: list[float]) -> None:
    assert [r["value"] for r in rows_of(text)] == values


@pytest.mark.parametrize(("text", "metric"), [
    ("Officials said all the dead were inmates: 14 in the Turi prison, nine in Latacunga and the other 6 in "
     "Machala.", "prison_deaths"),
    ("La Policía detalló las detenciones: 40 en Guayaquil, 12 en Quito y 7 en Manta.", "arrests"),
    ("Police gave the breakdown of arrests: 40 in Guayaquil, 12 in Quito and 7 in Manta.", "arrests"),
])
def test_numbers_listed_after_a_colon_break_down_what_the_head_names(text: str, metric: str) -> None:
    rows = rows_of(text)
    assert len(rows) == 3 and {r["metric"] for r in rows} == {metric}


def test_a_colon_after_no_metric_leaves_the_list_alone() -> None:
    rows = rows_of("The ministry listed its plans: 3 new prisons and 500 more beds.")
    assert {r["metric"] for r in rows} == {"other"}


def test_in_an_article_on_prison_deaths_a_toll_of_deaths_is_prison_deaths() -> None:
    head = ("Prison massacre in Machala: 40 inmates killed in clashes between gangs\n\n"
            "The riot in the prison of Machala left dozens of inmates dead.\n\n")
    text = head + "On Tuesday, officials corrected the toll to 43 deaths."
    assert one(text, value=43.0)["metric"] == "prison_deaths"
    # a count over a year is the country's violent deaths
    text = head + "Across the country, 7,200 people were killed last year."
    assert one(text, value=7200.0)["metric"] == "violent_deaths"


def test_a_massacre_outside_prisons_does_not_make_deaths_prison_deaths() -> None:
    text = ("Massacre in the Amazon: nine soldiers killed in an ambush\n\n"
            "Gunmen ambushed a patrol and killed nine soldiers.\n\n"
            "Officials later corrected the toll to 11 deaths.")
    assert one(text, value=11.0)["metric"] == "violent_deaths"


@pytest.mark.parametrize("text", [
    "Violent deaths in the provinces\n\nThe country recorded 3,100 violent deaths in 2021.\n\n"
    "In 2021 the highest provincial rate was Guayas', with 33.4 cases per 100,000 inhabitants.",
    "Muertes violentas en Ecuador\n\nEn 2021 hubo 3.100 muertes violentas en el país.\n\n"
    "En 2021, la tasa provincial más alta es la del Guayas con 33,4 casos por cada 100.000 habitantes.",
])
def test_a_rate_that_continues_a_topic_of_deaths_is_their_rate(text: str) -> None:
    assert one(text, value=33.4)["metric"] == "homicide_rate"
