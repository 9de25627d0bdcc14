"""Events extraction: article text -> rows of the events table (sentences written for these tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from pipeline.extract.events import COLUMNS, extract_events
from pipeline.ids import make_id
from pipeline.text.actors import find_actors
from pipeline.text.dates import PublicationDate
from pipeline.text.document import read_article

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = PublicationDate(dt.date(2024, 3, 20), dt.date(2024, 3, 20), "day", "manifest")


def events(text: str, published: PublicationDate = PUBLISHED) -> list[dict]:
    return extract_events(read_article(text, published), "src")


def one(text: str, published: PublicationDate = PUBLISHED) -> dict:
    rows = events(text, published)
    assert len(rows) == 1, [(r["event_type"], r["quote"]) for r in rows]
    return rows[0]


# ---------------------------------------------------------------- the contract


def test_rows_have_exactly_the_columns_of_the_events_schema() -> None:
    schema = yaml.safe_load((ROOT / "schemas" / "events.yaml").read_text(encoding="utf-8"))
    row = one("Masked gunmen stormed a bank in Machala on Monday, police said.")
    # cluster_id is derived across articles after extraction (pipeline.clusters), the one column it leaves out
    assert tuple(row) == COLUMNS == tuple(f["name"] for f in schema["fields"] if f["name"] != "cluster_id")


def test_event_type_vocabulary_covers_the_codebook_with_labels_definitions_and_cues() -> None:
    data = yaml.safe_load((ROOT / "schemas" / "vocab" / "event_types.yaml").read_text(encoding="utf-8"))
    ids = [t["id"] for t in data["event_types"]]
    assert ids == ["armed_attack", "killing", "prison_escape", "prison_unrest", "state_of_emergency",
                   "conflict_declaration", "security_operation", "diplomatic_meeting", "aid_announcement",
                   "agreement", "policy_announcement", "election", "political_crisis", "diplomatic_incident",
                   "other"]
    for t in data["event_types"]:
        assert t["label"] and t["definition"] and t["cues"], t["id"]


def test_quote_is_the_source_text_between_the_offsets() -> None:
    text = ("Ecuador on edge\n\nHooded men opened fire outside a school in Durán on Friday. "
            "Separately, soldiers arrested nine suspects in Esmeraldas.\n")
    rows = events(text)
    assert rows
    for r in rows:
        assert text[r["char_start"]:r["char_end"]] == r["quote"]


def test_event_ids_are_deterministic_and_hang_on_the_quote_span() -> None:
    text = "Soldiers raided a warehouse in Manta and seized two tonnes of cocaine on Sunday."
    first, second = events(text), events(text)
    assert [r["event_id"] for r in first] == [r["event_id"] for r in second]
    r = first[0]
    assert r["event_id"] == make_id("ev", "src", r["char_start"], r["char_end"])


def test_two_events_anchored_in_one_sentence_get_distinct_ids() -> None:
    text = "Noboa, who won a snap election in 2023 after the impeachment of his predecessor, runs again."
    rows = events(text)
    assert {r["event_type"] for r in rows} == {"election", "political_crisis"}
    assert len({r["event_id"] for r in rows}) == 2
    assert len({(r["char_start"], r["char_end"]) for r in rows}) == 1


# ---------------------------------------------------------------- typing


@pytest.mark.parametrize(("sentence", "event_type"), [
    ("Gunmen stormed a radio station in Portoviejo during a live broadcast on Tuesday.", "armed_attack"),
    ("A car bomb exploded outside a police station in Esmeraldas overnight.", "armed_attack"),
    ("The mayor of a coastal town was shot dead outside his home on Sunday.", "killing"),
    ("The assassination of journalist Ana Torres shocked the province in 2022.", "killing"),
    ("A gang leader escaped from prison in Riobamba last month.", "prison_escape"),
    ("Inmates took 12 guards hostage during riots at the prison in Latacunga.", "prison_unrest"),
    ("The government declared a state of emergency in three provinces on Monday.", "state_of_emergency"),
    ("A nightly curfew took effect in Los Ríos on Saturday.", "state_of_emergency"),
    ("The president declared an internal armed conflict on January 9, 2024.", "conflict_declaration"),
    ("The decree designated 22 gangs as terrorist organizations.", "conflict_declaration"),
    ("Police arrested 40 suspects in raids across Guayaquil on Thursday.", "security_operation"),
    ("Troops seized three tonnes of cocaine at the port.", "security_operation"),
    ("The foreign minister met with her Peruvian counterpart in Lima on Friday.", "diplomatic_meeting"),
    ("The United States pledged $5 million in equipment to Ecuador's police.", "aid_announcement"),
    ("The two countries signed a security cooperation agreement in Quito in 2023.", "agreement"),
    ("The interior ministry announced that it will build a maximum-security prison.", "policy_announcement"),
    ("Voters rejected the proposal in a referendum held in April 2024.", "election"),
    ("Lawmakers voted to impeach the president in May 2023.", "political_crisis"),
    ("Police raided the Mexican embassy in Quito in April 2024.", "diplomatic_incident"),
    ("Ecuador expelled the Colombian ambassador in 2020.", "diplomatic_incident"),
    ("Thousands of protesters marched in Quito on Wednesday.", "other"),
    ("Hombres armados irrumpieron en un canal de televisión en Guayaquil.", "armed_attack"),
    ("El presidente decretó un estado de excepción en la provincia.", "state_of_emergency"),
])
def test_a_sentence_with_a_trigger_gets_its_event_type(sentence: str, event_type: str) -> None:
    assert one(sentence)["event_type"] == event_type


def test_a_raid_on_an_embassy_is_a_diplomatic_incident_not_also_an_arrest() -> None:
    row = one("Soldiers raided the embassy to arrest the former minister, who had sought asylum there.")
    assert row["event_type"] == "diplomatic_incident"


# ---------------------------------------------------------------- what is not an event


@pytest.mark.parametrize("sentence", [
    "Analysts warn the government could declare a state of emergency if violence spreads.",
    "The government might send troops and arrest gang leaders next month.",
    "Will the new prison stop the riots?",
    "Experts suggest that gangs carried out the bombings.",
    "Officials did not say whether soldiers arrested anyone.",
    "If gunmen attack the port again, the navy will respond.",
    "The country has suffered a wave of bombings, kidnappings and extortion.",
    "Residents fear blasts, shootouts and kidnappings every night.",
    "Mass arrests, prison takeovers and states of emergency have become the norm.",
    "El Gobierno podría decretar un estado de excepción en la provincia.",
    "The president pledged to crush the gangs.",
    "An explosion of violence has gripped the port city.",
])
def test_speculation_opinion_and_background_report_no_event(sentence: str) -> None:
    assert events(sentence) == []


def test_a_hedge_about_what_may_follow_does_not_cancel_what_happened() -> None:
    row = one("Gunmen stormed a bus terminal in Quevedo on Tuesday and police said more attacks may follow.")
    assert row["event_type"] == "armed_attack"


@pytest.mark.parametrize("line", [
    "CLICK HERE TO GET THE NEWS APP",
    "GANG LEADER SHOT DEAD IN MEXICO CITY AS VIOLENCE SPREADS",
    "RELATED: Soldiers arrest 20 in dawn raids",
    "Lea también: Detienen a 20 personas en allanamientos",
    "(Photo by Maria Vera/Reuters)",
    "By Carla Ruiz and Tom Baker",
    "Next",
])
def test_page_furniture_reports_no_event(line: str) -> None:
    text = f"Quiet returns to the city.\n\n{line}\n\nShops reopened on Monday."
    assert events(text) == []


# ---------------------------------------------------------------- dates


def test_an_explicit_date_is_a_day() -> None:
    row = one("Gunmen attacked a hospital in Guayaquil on Jan. 9, 2024.")
    assert (row["date_start"], row["date_end"], row["date_precision"], row["date_basis"]) == (
        dt.date(2024, 1, 9), dt.date(2024, 1, 9), "day", "explicit")
    assert "Jan. 9, 2024" in row["date_text"]


def test_a_month_and_year_is_a_month_interval() -> None:
    row = one("Inmates rioted at the prison in Cuenca in November 2023.")
    assert (row["date_start"], row["date_end"], row["date_precision"]) == (
        dt.date(2023, 11, 1), dt.date(2023, 11, 30), "month")


def test_a_bare_year_is_a_year() -> None:
    row = one("Ecuador expelled the foreign base in 2009 over sovereignty concerns.")
    assert (row["date_start"], row["date_end"], row["date_precision"]) == (
        dt.date(2009, 1, 1), dt.date(2009, 12, 31), "year")


def test_a_day_without_a_year_is_resolved_against_publication() -> None:
    row = one("The foreign ministry announced on March 4 that it would seek military help.")
    assert (row["date_start"], row["date_precision"], row["date_basis"]) == (
        dt.date(2024, 3, 4), "day", "relative")


def test_a_relative_date_stays_null_when_publication_is_unknown() -> None:
    row = one("The foreign ministry announced on March 4 that it would seek military help.",
              PublicationDate.unknown())
    assert (row["date_start"], row["date_end"], row["date_precision"], row["date_basis"]) == (
        None, None, "unknown", "unknown")


def test_a_weekend_is_saturday_to_sunday() -> None:
    row = one("The gang leader escaped from prison over the first weekend of the year.")
    assert row["date_precision"] == "weekend"
    assert (row["date_end"] - row["date_start"]).days == 1
    assert row["date_start"].weekday() == 5


def test_a_decade_is_ten_years() -> None:
    row = one("Washington pledged millions in aid to the Andean countries in the 1990s.")
    assert (row["date_start"], row["date_end"], row["date_precision"]) == (
        dt.date(1990, 1, 1), dt.date(1999, 12, 31), "decade")


def test_an_event_without_a_date_keeps_its_date_null() -> None:
    row = one("Authorities seized rifles and grenades from a gang hideout.")
    assert (row["date_start"], row["date_end"], row["date_text"]) == (None, None, None)
    assert (row["date_precision"], row["date_basis"]) == ("unknown", "unknown")


def test_the_date_of_a_statistic_in_another_clause_is_not_the_events_date() -> None:
    row = one("Officials held talks in Lima, where over 3,000 homicides were recorded in 2022.")
    assert (row["event_type"], row["date_start"], row["date_text"]) == ("diplomatic_meeting", None, None)


def test_two_dates_for_one_type_in_a_sentence_are_two_events() -> None:
    rows = events("Both candidates won 40% of the vote in the first-round election in February, ahead of an "
                  "April runoff.")
    assert [r["event_type"] for r in rows] == ["election", "election"]
    assert {r["date_start"].month for r in rows} == {2, 4}


# ---------------------------------------------------------------- merging


def test_a_caption_and_a_paragraph_about_one_attack_are_one_event_with_the_finer_date() -> None:
    text = ("Earlier this month, masked gunmen invaded a radio station in the port city.\n\n"
            "Firefighters outside Radio Costa Azul in Manta, March 5, 2024. (Photo agency)\n\n"
            "The mayor called for calm.")
    row = one(text)
    assert row["event_type"] == "armed_attack"
    assert row["quote"].startswith("Earlier this month")
    assert row["date_start"] == row["date_end"] == dt.date(2024, 3, 5)


def test_a_decree_mentioned_twice_is_one_state_of_emergency() -> None:
    text = ("The province has been under a state of emergency since March 2. "
            "Shops closed early on Tuesday. "
            "The 60-day decree also suspends the right of assembly.")
    row = one(text)
    assert row["event_type"] == "state_of_emergency"
    assert row["date_start"] == dt.date(2024, 3, 2)


def test_anaphoric_mentions_join_the_event_they_refer_to() -> None:
    text = ("Officials from both governments met with the president in Quito on Monday. "
            "The meeting focused on drug trafficking.")
    assert one(text)["event_type"] == "diplomatic_meeting"


def test_attacks_in_different_cities_stay_separate_events() -> None:
    text = ("Gunmen attacked a police station in Guayaquil on Monday.\n\n"
            "Officials gave no details.\n\nThe mayor asked for calm.\n\nResidents stayed home.\n\n"
            "On Wednesday, gunmen attacked a market in Quito.")
    assert [r["event_type"] for r in events(text)] == ["armed_attack", "armed_attack"]


def test_a_definite_noun_refers_back_to_an_event_of_another_type() -> None:
    text = ("In April, police raided the Mexican embassy in Quito.\n\nMexico broke off relations.\n\n"
            "Its ambassador left.\n\nCritics said the raid violated international law.")
    assert [r["event_type"] for r in events(text)] == ["diplomatic_incident"]


def test_a_definite_mention_of_the_same_type_does_not_start_a_second_event() -> None:
    text = ("Forty inmates escaped from the prison in Ambato on Monday.\n\nGuards were questioned.\n\n"
            "The governor asked for calm.\n\nTwelve of the escaped inmates were caught by Wednesday.")
    row = one(text)
    assert (row["event_type"], row["date_start"]) == ("prison_escape", dt.date(2024, 3, 18))


def test_the_event_noun_with_a_name_after_of_is_a_new_event_not_a_reference_back() -> None:
    text = ("Nine inmates escaped from the prison in Ambato on Monday.\n\nGuards were questioned.\n\n"
            "The attack on the radio station in Manta came in January 2023, days after the escape of "
            "gang leader Carlos Pérez.")
    escapes = [r for r in events(text) if r["event_type"] == "prison_escape"]
    assert sorted((r["date_start"], r["date_precision"]) for r in escapes) == [
        (dt.date(2023, 1, 1), "month"), (dt.date(2024, 3, 18), "day")]


def test_the_dateline_gives_neither_date_nor_place() -> None:
    row = one("QUITO, March 19 (Reuters) - Gunmen attacked a bus in Machala on Monday.")
    assert (row["date_start"], row["place"]) == (dt.date(2024, 3, 18), "Machala")


# ---------------------------------------------------------------- actors


def test_a_nickname_and_a_surname_resolve_to_one_person() -> None:
    text = ("Carlos Andrade Vera, also known as Tito, escaped from prison on Sunday. "
            "Tito led a gang in the port. Andrade was recaptured in 2023.")
    names = {a.name for a in find_actors(text)}
    assert names == {"Carlos Andrade Vera"}


def test_a_lexicon_alias_gives_the_canonical_name_with_accents() -> None:
    row = one("Jose Adolfo Macias escaped from the regional prison in Guayaquil.")
    assert row["actors"] == ["José Adolfo Macías"]


def test_an_acronym_and_its_full_name_are_one_organisation() -> None:
    row = one("The U.S. announced the deployment of agents from the FBI and the Department of Homeland "
              "Security (DHS) to Ecuador.")
    assert row["actors"] == ["FBI", "Department of Homeland Security"]


def test_a_titled_unknown_person_is_found_and_a_later_surname_resolves_to_them() -> None:
    text = ("Defense Minister Rosa Elena Quintero met with Brazilian officials in Brasília on Monday. "
            "Later, Quintero visited the port of Santos, where she met with customs officials.")
    names = [a.name for a in find_actors(text)]
    assert names == ["Rosa Elena Quintero", "Rosa Elena Quintero"]


def test_a_name_followed_by_its_role_is_a_person() -> None:
    text = "Marta Solís, the deputy interior minister, said police detained nine people."
    assert [a.name for a in find_actors(text)] == ["Marta Solís"]


def test_a_role_before_a_name_set_off_by_commas_is_a_person_only_near_the_role_word() -> None:
    # The role word may stand up to six words before the comma; a comma further from every role word opens
    # no appositive, however name-like what follows it.
    text = ("Residents of the port, Ana Beltrán Ruiz among them, left early. The new director of the "
            "coastal prison, Julio César Andrade, said guards found weapons in the cells. A long line of "
            "parents, teachers and neighbours in the old quarter, Rita Gómez said, waited all day.")
    assert [a.name for a in find_actors(text)] == ["Julio César Andrade"]


def test_actors_of_one_sentence_go_to_the_event_they_stand_next_to() -> None:
    text = "Pérez, who won the presidency in 2023, took office after the impeachment of President Juan Ortega"
    rows = {r["event_type"]: r for r in events(text)}
    assert rows["political_crisis"]["actors"] == ["Juan Ortega"]


# ---------------------------------------------------------------- places and counts


def test_the_country_is_where_it_happened_not_who_took_part() -> None:
    row = one("Ecuadorian and Peruvian officials held talks in Bogotá, Colombia, on Monday.")
    assert row["country_code"] == "COL"


def test_aid_happens_where_it_goes_not_where_the_giver_is() -> None:
    text = "Ecuador's police need help.\n\nWashington pledged $10 million in equipment for the police."
    assert one(text)["country_code"] == "ECU"


def test_without_a_place_the_event_takes_the_articles_main_country() -> None:
    text = ("Ecuador's crisis deepens. Ecuador's police are stretched thin.\n\n"
            "Soldiers arrested 30 suspects on Monday.")
    assert one(text)["country_code"] == "ECU"


def test_a_stated_death_toll_is_the_fatalities_count() -> None:
    row = one("Gunmen opened fire on a crowd in Durán, killing at least 10 people.")
    assert row["fatalities"] == 10


def test_fatalities_stay_null_when_no_toll_is_stated() -> None:
    assert one("Gunmen opened fire on a crowd in Durán.")["fatalities"] is None


@pytest.mark.parametrize(("text", "toll"), [
    ("A riot broke out in the prison of Turi in May, in which 18 inmates were killed.", 18),
    ("Gunmen stormed a pool hall in Manta, where 6 people were killed.", 6),
    ("Hubo un motín en la cárcel de Latacunga, en el que murieron 14 reos.", 14),
])
def test_a_toll_in_the_relative_clause_after_the_event_is_its_fatalities(text: str, toll: int) -> None:
    assert one(text)["fatalities"] == toll


def test_a_toll_in_another_clause_is_not_the_events() -> None:
    assert one("Police raided a house in Durán, which 12 officers guarded.")["fatalities"] is None


def test_the_summary_is_a_line_from_the_text() -> None:
    text = ("After weeks of tension and a long series of threats against the local administration, "
            "armed men torched four buses in the city centre on Friday, according to the fire department, "
            "which said it needed more equipment and staff to respond to attacks of this kind in the future.")
    row = one(text)
    assert row["summary"].rstrip("…") in text
    assert len(row["summary"]) <= 201


def test_a_when_clause_takes_the_date_it_hangs_on() -> None:
    text = ("Troops have patrolled the streets since January 2024, when the president declared an internal "
            "armed conflict.")
    row = next(r for r in events(text) if r["event_type"] == "conflict_declaration")
    assert (row["date_start"], row["date_precision"]) == (dt.date(2024, 1, 1), "month")


def test_extraditions_and_sanctions_are_events() -> None:
    assert one("Ecuador on Friday extradited a gang leader to face drug charges.")["event_type"] == \
        "security_operation"
    assert one("The Treasury Department sanctioned the gang and its leaders in June 2023.")["event_type"] == \
        "policy_announcement"


def test_a_date_in_an_aside_set_off_by_commas_stays_in_the_aside() -> None:
    text = "The president, who won a runoff election in April, has deployed 20,000 soldiers to the coast."
    rows = {r["event_type"]: r for r in events(text)}
    assert rows["election"]["date_start"] == dt.date(2023, 4, 1)
    assert rows["security_operation"]["date_start"] is None  # the text does not say when


def test_de_acuerdo_con_is_according_to_not_an_agreement() -> None:
    import datetime as _dt

    from pipeline.text.dates import PublicationDate as _Pub

    day = _Pub(_dt.date(2025, 1, 5), _dt.date(2025, 1, 5), "day", "manifest")
    assert events("Los secuestros aumentaron un 75 %, de acuerdo con datos de la Fiscalía.", day) == []
    [row] = events("Ecuador y Colombia firmaron el 3 de enero un acuerdo de cooperación.", day)
    assert (row["event_type"], row["date_start"]) == ("agreement", _dt.date(2025, 1, 3))


def test_an_extradition_happens_where_it_leaves_from_not_where_it_goes() -> None:
    import datetime as _dt

    from pipeline.text.dates import PublicationDate as _Pub

    day = _Pub(_dt.date(2025, 3, 12), _dt.date(2025, 3, 12), "day", "manifest")
    [row] = events("Ecuador on Wednesday extradited a gang leader to the United States.", day)
    assert (row["country_code"], row["date_start"]) == ("ECU", _dt.date(2025, 3, 12))
    # a deployment to a place happens there
    [row] = events("The army deployed 2,000 soldiers to Esmeraldas on Tuesday.", day)
    assert (row["country_code"], row["admin1"]) == ("ECU", "Esmeraldas")


def test_an_event_introduced_by_following_keeps_its_date_to_itself() -> None:
    import datetime as _dt

    from pipeline.text.dates import PublicationDate as _Pub

    day = _Pub(_dt.date(2024, 1, 10), _dt.date(2024, 1, 10), "day", "manifest")
    text = ("The minister declared a state of emergency following the disappearance of a gang leader from a prison "
            "in Guayaquil on Sunday.")
    rows = {r["event_type"]: r for r in events(text, day)}
    assert rows["prison_escape"]["date_start"] == _dt.date(2024, 1, 7)
    assert rows["state_of_emergency"]["date_start"] is None  # not Sunday: it followed the escape
    # without a word of sequence, a date the other trigger claims is still shared
    text = "Gunmen stormed a prison in Guayaquil on Tuesday, freeing dozens of inmates."
    assert {r["date_start"] for r in events(text, day)} == {_dt.date(2024, 1, 9)}


def test_the_disappearance_of_an_inmate_from_a_prison_is_an_escape() -> None:
    import datetime as _dt

    from pipeline.text.dates import PublicationDate as _Pub

    day = _Pub(_dt.date(2024, 1, 10), _dt.date(2024, 1, 10), "day", "manifest")
    text = 'Officials confirmed the disappearance of the gang leader, known as "Fito", from a prison on Sunday.'
    [row] = events(text, day)
    assert (row["event_type"], row["date_start"]) == ("prison_escape", _dt.date(2024, 1, 7))
    # no prison in the sentence: no escape
    assert events("Relatives reported the disappearance of two fishermen from the port.", day) == []


def test_in_an_undated_article_events_told_with_different_time_words_stay_apart() -> None:
    undated = PublicationDate(None, None, "unknown", "unknown")
    text = ("In May, gunmen shot at the mayor of Durán.\n\nHe was not hurt.\n\n"
            "Police said four people were killed at the weekend in the port.")
    rows = events(text, undated)
    assert [(r["event_type"], r["date_text"]) for r in rows] == [("armed_attack", "May"),
                                                                  ("armed_attack", "at the weekend")]
    # the same time words, or one holding the other's, may tell one event
    text = ("On Sunday, gunmen shot at the mayor of Durán.\n\nHe was not hurt.\n\n"
            "Police said gunmen attacked the mayor's car on Sunday night.")
    assert len(events(text, undated)) == 1


@pytest.mark.parametrize("text", [
    "Some 80 deaths were recorded in the country's prisons in 2022, the worst being a riot in Guayaquil that left 31 "
    "dead.",
    "Durante 2022 murieron unos 80 reos en las cárceles, siendo el peor un motín en Guayaquil que dejó 31 muertos.",
])
def test_the_toll_nearest_the_event_is_its_fatalities(text: str) -> None:
    [riot] = [r for r in events(text) if r["event_type"] == "prison_unrest"]
    assert riot["fatalities"] == 31
