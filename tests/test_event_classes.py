"""Events by class, English and Spanish side by side (sentences written for these tests): killings
however worded, passive arrests, extraditions and recaptures, designations by any government,
extensions, retaken control, re-elections, diplomatic ruptures; and dates from the discourse."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extract.events import extract_events
from pipeline.text.dates import PublicationDate
from pipeline.text.document import read_article

DAY = PublicationDate(dt.date(2025, 6, 12), dt.date(2025, 6, 12), "day", "manifest")  # a Thursday


def events(text: str, published: PublicationDate = DAY, language: str = "en") -> list[dict]:
    return extract_events(read_article(text, published, language), "src")


def types(text: str, language: str = "en") -> list[str]:
    return [r["event_type"] for r in events(text, language=language)]


@pytest.mark.parametrize("text", [
    "A traffic officer was shot dead on a coastal road near Portoviejo.",
    "Two guards were gunned down outside a warehouse in Milagro.",
    "Un agente de tránsito fue asesinado a tiros en una vía de Portoviejo.",
    "Sicarios atacaron a un comerciante en Babahoyo.",
])
def test_a_killing_of_someone_not_named_is_an_attack(text: str) -> None:
    assert types(text) == ["armed_attack"]


@pytest.mark.parametrize("text", [
    "The violence claimed the life of Rosa Mera, a councillor of Quevedo.",
    "La violencia se cobró la vida de Julio Andrade, concejal de Quevedo.",
])
def test_a_killing_of_a_named_person_however_worded(text: str) -> None:
    assert types(text) == ["killing"]


def test_the_attack_told_right_after_a_killing_is_that_killing() -> None:
    rows = events("Councillor Rosa Mera was murdered in Quevedo. Hitmen on a motorbike fired at her car.")
    assert [r["event_type"] for r in rows] == ["killing"]


@pytest.mark.parametrize("text", [
    "Prosecutors charged the 9 people arrested after the port raid.",
    "Four suspects were detained near the border.",
    "Fueron aprehendidos tres guardias del centro de detención.",
    "La policía detuvo a dos hombres en Durán.",
])
def test_arrests_in_the_passive_or_as_a_participle(text: str) -> None:
    assert "security_operation" in types(text)


@pytest.mark.parametrize("text", [
    "Soldiers discovered a cocaine laboratory in the jungle of Sucumbíos.",
    "La Policía halló un campamento de la banda cerca de la frontera.",
    "Al penal llegaron unidades especiales de la Policía para restablecer el orden.",
    "Militares ingresaron a la cárcel de Machala durante la madrugada.",
])
def test_finds_and_forces_arriving_at_a_scene_are_operations(text: str) -> None:
    assert types(text) == ["security_operation"]


@pytest.mark.parametrize("text", [
    "The tourists found the camp by the lake lovely.",
    "Los heridos llegaron al hospital en la madrugada.",
])
def test_a_find_or_an_arrival_by_anyone_else_is_no_operation(text: str) -> None:
    assert types(text) == []


@pytest.mark.parametrize("text", [
    "The cartel boss was extradited to Spain on fraud charges.",
    "El narcotraficante fue extraditado a Colombia.",
])
def test_extraditions(text: str) -> None:
    assert types(text) == ["security_operation"]


@pytest.mark.parametrize("text", [
    "The gang leader was recaptured in March, a year after he escaped from a prison in Latacunga.",
    "El cabecilla fue recapturado en marzo, un año después de que se fugó de la cárcel de Latacunga.",
])
def test_a_recapture_is_not_absorbed_by_the_escape_it_ends(text: str) -> None:
    assert sorted(types(text)) == ["prison_escape", "security_operation"]


@pytest.mark.parametrize("text", [
    "Special forces regained control of the jail after the riot broke out.",
    "Los militares retomaron el control de la cárcel tras el motín de los reclusos.",
])
def test_control_regained_is_an_operation_beside_the_riot(text: str) -> None:
    assert sorted(types(text)) == ["prison_unrest", "security_operation"]


@pytest.mark.parametrize("text", [
    "Canada is designating the country's three biggest gangs — the Alphas, the Betas and the Gammas — as "
    "terrorist organisations.",
    "The cabinet redefined the two factions as terrorist groups.",
    "El gobierno de Perú declaró a las dos bandas más grandes del país como organizaciones terroristas.",
])
def test_designations_as_terrorist_by_any_government(text: str) -> None:
    assert types(text) == ["conflict_declaration"]


@pytest.mark.parametrize("text", [
    "The president declared a state of emergency in Manabí on 3 May. On June 2 he extended the state of "
    "emergency for another month.",
    "El presidente declaró el estado de excepción en Manabí el 3 de mayo. El 2 de junio prorrogó el estado de "
    "excepción por un mes más.",
])
def test_an_extension_is_its_own_event(text: str) -> None:
    rows = events(text)
    assert [r["event_type"] for r in rows] == ["state_of_emergency", "state_of_emergency"]
    assert [r["date_start"] for r in rows] == [dt.date(2025, 5, 3), dt.date(2025, 6, 2)]


@pytest.mark.parametrize("text", [
    "Re-elected in April, the president has kept the army on the streets.",
    "Since his reelection, the mayor has hired more guards.",
    "Reelegido en abril, el presidente mantiene a los militares en las calles.",
])
def test_re_elections_mentioned_in_passing(text: str) -> None:
    assert "election" in types(text)


@pytest.mark.parametrize("text", [
    "Quito cut diplomatic relations with Managua on Monday.",
    "Ecuador rompió relaciones diplomáticas con Nicaragua el lunes.",
])
def test_diplomatic_ruptures(text: str) -> None:
    assert types(text) == ["diplomatic_incident"]


# ---------------------------------------------------------------- dates


def test_the_date_of_the_report_is_not_the_date_of_the_event() -> None:
    rows = events("Gunmen opened fire at a bar in Esmeraldas late Tuesday, police said on Wednesday.")
    assert rows[0]["date_start"] == dt.date(2025, 6, 10)


def test_an_undated_event_takes_the_date_of_its_paragraph() -> None:
    rows = events("On Monday, gunmen stormed a radio station in Manta. Police arrested four suspects in a raid.")
    raid = next(r for r in rows if r["event_type"] == "security_operation")
    assert raid["date_start"] == dt.date(2025, 6, 9)
    assert raid["date_basis"] == "inferred"


def test_without_a_publication_date_relative_words_give_no_date() -> None:
    rows = events("Gunmen stormed a radio station in Manta this Monday.", PublicationDate.unknown())
    assert rows[0]["date_start"] is None


@pytest.mark.parametrize("text, day", [
    ("Hombres armados atacaron una discoteca en Manta este miércoles.", dt.date(2025, 6, 11)),
    ("Hombres armados atacaron una discoteca en Manta el pasado lunes.", dt.date(2025, 6, 9)),
    ("Hombres armados atacaron una discoteca en Manta la madrugada de este domingo.", dt.date(2025, 6, 8)),
    ("Hombres armados atacaron una discoteca en Manta el martes 3 de junio.", dt.date(2025, 6, 3)),
])
def test_spanish_relative_days(text: str, day: dt.date) -> None:
    assert events(text, language="es")[0]["date_start"] == day


def test_another_event_of_a_type_is_not_the_one_told_before() -> None:
    rows = events("El cabecilla se fugó de la cárcel de Cuenca, y luego se sumó otro escape del jefe de otra banda.",
                  language="es")
    assert [r["event_type"] for r in rows] == ["prison_escape", "prison_escape"]


def test_a_dash_opens_a_clause_with_an_event_of_its_own() -> None:
    rows = events("The judge Ana Ruiz was assassinated by gunmen in Quito — two of them were later killed in prison.")
    assert sorted(r["event_type"] for r in rows) == ["killing", "prison_unrest"]


def test_a_negation_does_not_reach_past_despite() -> None:
    text = "The officer said he was not protected despite questioning the 8 men arrested after the riot in Ibarra."
    assert "security_operation" in types(text)


def test_cue_words_are_read_through_quotation_marks() -> None:
    assert types("The president declared a “war” on organised crime in Guayas.") == ["conflict_declaration"]


def test_a_spanish_noun_that_folds_like_a_past_verb_is_not_that_verb() -> None:
    assert types("Las provincias con más casos de secuestro son Guayas y Manabí.", language="es") == []
    assert types("Un grupo armado secuestró a dos comerciantes en Machala.", language="es") == ["armed_attack"]


@pytest.mark.parametrize("text", [
    "El presidente decretó ayer el estado de excepción, un día después de registrarse un motín en la cárcel "
    "de Quevedo.",
    "The president declared a state of emergency yesterday, a day after a riot broke out in the prison of Quevedo.",
])
def test_a_counted_sequence_phrase_sets_the_introduced_event_that_many_days_before(text: str) -> None:
    rows = {r["event_type"]: r for r in events(text)}
    assert rows["state_of_emergency"]["date_start"] == dt.date(2025, 6, 11)
    assert rows["prison_unrest"]["date_start"] == dt.date(2025, 6, 10)


def test_a_capture_and_an_extradition_in_one_sentence_are_two_operations() -> None:
    rows = events("The trafficker was captured in March in Esmeraldas and extradited to Spain on fraud charges.")
    assert [r["event_type"] for r in rows] == ["security_operation", "security_operation"]


def test_an_extradition_a_law_allows_is_not_one_that_happened() -> None:
    rows = events("Voters backed a referendum allowing the extradition of citizens.")
    assert [r["event_type"] for r in rows] == ["election"]


@pytest.mark.parametrize(("text", "kind"), [
    ("Five people were killed when gunmen opened fire on a bus in Durán.", "armed_attack"),
    ("Soldiers killed three gang members in a firefight near the border.", "security_operation"),
])
def test_victims_in_the_passive_are_an_attack_and_forces_killing_suspects_an_operation(text: str, kind: str) -> None:
    assert types(text) == [kind]


@pytest.mark.parametrize(("text", "language"), [
    ("The gang leader's escape triggered riots in several jails.", "en"),
    ("La fuga del cabecilla desató motines en varias cárceles.", "es"),
])
def test_a_consequence_of_an_event_is_an_event_of_its_own(text: str, language: str) -> None:
    assert sorted(types(text, language)) == ["prison_escape", "prison_unrest"]


def test_riots_during_which_inmates_escape_are_told_as_the_escape() -> None:
    assert types("Inmates escaped during a riot at the jail.") == ["prison_escape"]


@pytest.mark.parametrize(("text", "language"), [
    ("The president proposed a constitutional amendment on Monday.", "en"),
    ("The government submitted the bill to parliament on Monday.", "en"),
    ("La presidenta propuso una reforma constitucional el lunes.", "es"),
    ("El Gobierno envió a la Asamblea un proyecto de ley el lunes.", "es"),
])
def test_a_government_proposing_a_reform_or_a_bill_announces_a_policy(text: str, language: str) -> None:
    rows = events(text, language=language)
    assert [r["event_type"] for r in rows] == ["policy_announcement"]
    assert rows[0]["date_start"] == dt.date(2025, 6, 9)


@pytest.mark.parametrize(("text", "language"), [
    ("The proposed reform would give the courts more power.", "en"),
    ("La reforma propuesta daría más poder a los tribunales.", "es"),
    ("El alcalde presentó el proyecto de vivienda del barrio.", "es"),
])
def test_a_proposed_reform_named_in_passing_announces_nothing(text: str, language: str) -> None:
    assert types(text, language) == []


@pytest.mark.parametrize(("text", "language"), [
    ("The president declared a state of emergency on Tuesday.\n\n"
     "The decision came a day after gunmen stormed a hospital in Machala.", "en"),
    ("El presidente decretó el estado de excepción este martes.\n\n"
     "La decisión se dio un día después de que sicarios atacaran un hospital en Machala.", "es"),
])
def test_an_event_told_a_day_before_the_act_a_subject_refers_to_takes_that_act_s_day_less_one(
        text: str, language: str) -> None:
    rows = {r["event_type"]: r for r in events(text, language=language)}
    assert rows["state_of_emergency"]["date_start"] == dt.date(2025, 6, 10)
    assert rows["armed_attack"]["date_start"] == dt.date(2025, 6, 9)


def test_an_event_told_shortly_before_the_act_takes_its_day() -> None:
    text = ("El presidente decretó el estado de excepción este martes.\n\n"
            "La medida se dio poco después de que hombres armados atacaran un hospital en Machala.")
    rows = {r["event_type"]: r for r in events(text, language="es")}
    assert rows["armed_attack"]["date_start"] == dt.date(2025, 6, 10)


def test_without_a_subject_naming_the_act_a_sequence_phrase_dates_nothing() -> None:
    text = ("El presidente decretó el estado de excepción este martes.\n\n"
            "Vecinos recordaron que un día después de que sicarios atacaran un hospital hubo protestas.")
    rows = {r["event_type"]: r for r in events(text, language="es")}
    assert rows["armed_attack"]["date_start"] is None


@pytest.mark.parametrize(("text", "language"), [
    ("A riot left four inmates dead at the prison of Machala on Tuesday.\n\n"
     "Police regained control of the prison immediately after the riot, the agency said.", "en"),
    ("Un motín dejó cuatro reos muertos en la cárcel de Machala este martes.\n\n"
     "Los militares retomaron el control de la cárcel inmediatamente después del motín.", "es"),
])
def test_an_event_told_as_following_another_at_once_takes_its_day(text: str, language: str) -> None:
    rows = {r["event_type"]: r for r in events(text, language=language)}
    assert rows["prison_unrest"]["date_start"] == dt.date(2025, 6, 10)
    assert rows["security_operation"]["date_start"] == dt.date(2025, 6, 10)


def test_an_event_told_only_as_after_another_stays_undated() -> None:
    text = ("A riot left four inmates dead at the prison of Machala on Tuesday.\n\n"
            "Human rights groups said police regained control of the prison after the riot.")
    rows = {r["event_type"]: r for r in events(text)}
    assert rows["security_operation"]["date_start"] is None


@pytest.mark.parametrize("text", [
    "Blood stains were visible on the floor, according to images captured by a local reporter.",
    "Photos from the market captured dozens of shoppers running for cover.",
    "Videos circulating on social media captured the scene outside the stadium.",
    "Las imágenes capturadas por un vecino circularon en redes sociales.",
    "Captura de pantalla de un video publicado por la Policía.",
    "Las cámaras de seguridad capturaron el momento del ataque al local.",
    "Las imágenes televisadas capturaron el dramático momento.",
])
def test_pictures_that_capture_a_scene_are_no_arrest(text: str) -> None:
    assert "security_operation" not in types(text)


@pytest.mark.parametrize("text", [
    "Soldiers captured the gang's leader in Esmeraldas.",
    "La Policía capturó a tres sospechosos en Durán.",
    "La captura del cabecilla se produjo en Manta.",
])
def test_forces_that_capture_someone_make_an_arrest(text: str) -> None:
    assert types(text) == ["security_operation"]


@pytest.mark.parametrize("text", [
    "Protests occur regularly in the capital.",
    "Gangs often attack shops whose owners refuse to pay.",
    "En la cárcel suelen producirse motines.",
    "A firm pitched the ministry a proposal to carry out raids in the port.",
])
def test_a_habit_is_no_event(text: str) -> None:
    assert types(text) == []


def test_kidnappers_named_are_people_not_a_kidnapping() -> None:
    assert types("La Policía logró la aprehensión de cuatro presuntos secuestradores.", language="es") == [
        "security_operation"]


@pytest.mark.parametrize("text", [
    "Se habilitó una línea para que los vecinos denuncien y así puedan detener a los extorsionadores.",
    "El alcalde pidió más patrullas para detener a los ladrones.",
    # an infinitive after "sin" or "en" tells no act either
    "Sin detener a los cabecillas, las bandas seguirán operando en el puerto.",
    "El plan consiste en capturar a los cabecillas de las bandas.",
])
def test_a_spanish_purpose_or_a_modal_hedges_the_act(text: str) -> None:
    assert "security_operation" not in types(text, language="es")


@pytest.mark.parametrize("text", [
    "El Gobierno envió tropas a la frontera con Colombia.",
    "Noboa desplegó 2.000 militares en Durán.",
])
def test_spanish_deployments_are_operations(text: str) -> None:
    assert types(text, language="es") == ["security_operation"]


@pytest.mark.parametrize(("text", "language"), [
    ("State agents were behind 29% of the killings of reporters last year.", "en"),
    ("Agentes del Estado estuvieron detrás del 29 % de los asesinatos de periodistas.", "es"),
    ("Most of the massacres took place in the port city.", "en"),
    ("Manta concentra gran parte de las masacres de la provincia.", "es"),
    # a noun joined to a category is the category too
    ("The port saw a surge in extortion and kidnappings this year.", "en"),
    ("Durán concentra la mayoría de los ataques armados y secuestros del cantón.", "es"),
    # a plural event noun after "amid" is the background
    ("The visit came amid crackdowns on illegal mining in the south.", "en"),
    ("La visita se dio en medio de allanamientos en la frontera.", "es"),
    # a plural event noun before a trend is the trend
    ("Extortion and attacks on shopkeepers are on the rise in the port.", "en"),
    ("Los ataques contra comerciantes del puerto van en aumento.", "es"),
    ("Los asesinatos de dirigentes sociales continúan en la provincia.", "es"),
    # a vague quantity of incidents counts them: no one event
    ("Gangs have committed several massacres that claimed 300 lives since 2021.", "en"),
    ("Los presos protagonizaron varias masacres en los últimos años.", "es"),
    ("Decenas de ataques sacudieron la provincia en los últimos meses.", "es"),
])
def test_a_share_of_a_kind_of_violence_is_no_event(text: str, language: str) -> None:
    assert types(text, language=language) == []


@pytest.mark.parametrize(("text", "language"), [
    ("Since 2022, more than 400 inmates have died in the nine massacres in the country's prisons.", "en"),
    ("En marzo se registraron 14 ataques armados en el cantón.", "es"),
])
def test_incidents_counted_over_a_span_are_no_event(text: str, language: str) -> None:
    assert types(text, language=language) == []


@pytest.mark.parametrize(("text", "language"), [
    ("At least 12 journalists have been killed in the country since 2021, a press group said.", "en"),
    ("So far this year, police have arrested 300 gang members in the port.", "en"),
    ("Desde 2022 han sido asesinados al menos 12 periodistas en el país.", "es"),
])
def test_a_running_total_since_a_time_is_no_event(text: str, language: str) -> None:
    assert types(text, language=language) == []


def test_so_far_without_a_span_of_time_leaves_the_events_told() -> None:
    assert "armed_attack" in types("Hasta ahora, la Policía detuvo a 3 sospechosos del ataque del lunes en Durán.",
                                   language="es")


@pytest.mark.parametrize(("text", "language", "expected"), [
    # an act told as done in many operations sums events up
    ("In May, the navy seized 9 tons of cocaine in several operations along the coast.", "en", []),
    ("En abril fueron detenidas 60 personas en varios operativos en Machala.", "es", []),
    # ... but an act in many places is one wave of it
    ("The escape set off riots in several prisons on Tuesday.", "en", ["prison_escape", "prison_unrest"]),
])
def test_an_act_spread_over_many_operations_is_no_one_event(text: str, language: str, expected: list[str]) -> None:
    assert sorted(types(text, language=language)) == expected


@pytest.mark.parametrize(("text", "language", "expected"), [
    # incidents counted on one day, or undated, are news
    ("Two explosions rocked the port of Manta on Monday.", "en", ["armed_attack"]),
    ("Gunmen carried out two attacks on police stations in Manta, killing four officers.", "en", ["armed_attack"]),
    # a share in words is a category only right before the event noun
    ("Most of the inmates escaped through a tunnel.", "en", ["prison_escape"]),
    ("A wave of attacks hit the port, and gunmen kidnapped a mayor.", "en", ["armed_attack"]),
    ("Several gunmen attacked a police station in Manta.", "en", ["armed_attack"]),
    ("Dozens of inmates escaped from the prison on Monday.", "en", ["prison_escape"]),
])
def test_a_category_leaves_the_events_told_beside_it(text: str, language: str, expected: list[str]) -> None:
    assert types(text, language=language) == expected


@pytest.mark.parametrize(("text", "language"), [
    ("Commander Luis Andrade said five were killed in the raid.", "en"),
    ("Five were killed, Commander Luis Andrade told reporters.", "en"),
    ("According to Commander Luis Andrade, 300 suspects were arrested and five were killed.", "en"),
    ("Cinco murieron en el operativo, dijo el comandante Luis Andrade.", "es"),
])
def test_who_tells_of_deaths_is_no_victim(text: str, language: str) -> None:
    # the killing of a named person needs its victim; a source is none
    assert "killing" not in types(text, language=language)
