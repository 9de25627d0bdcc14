"""The words of a text (Tokens) and the metric labels read off an article's words instead of a sentence's."""

from __future__ import annotations

import re

import pytest

from pipeline.text.cues import CueIndex, Tokens, article_tokens, fold, lemma_of, release_lemma_tables
from pipeline.text.figures import label_numbers, vocabulary
from pipeline.text.numbers import find_numbers
from pipeline.text.sentences import split_sentences

WORD = re.compile(r"[^\W_][\w'’-]*")

TEXTS = [
    "",
    "   ",
    "Police counted 4,120 homicides in 2023 — the Interior Ministry's figure.",
    "Las denuncias por extorsión crecieron un 40% en Guayaquil, según la Fiscalía.",
    "Gang-related killings rose; 'so-called' vacunas (extortion) spread... Next",
    "İSTANBUL and DİYARBAKIR: letters whose lower case is longer change the offsets of nothing here.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_are_the_words_of_the_folded_text_with_their_offsets(text: str) -> None:
    folded = fold(text)
    tokens = Tokens(folded)
    matches = list(WORD.finditer(folded))
    assert tokens.starts == [m.start() for m in matches]
    assert tokens.ends == [m.end() for m in matches]
    assert tokens.words == [m.group().lower() for m in matches]
    assert tokens.raw == [m.group() for m in matches]


ARTICLE = (
    "Extortion Soars in Guayaquil\n\n"
    "Police recorded 7,592 homicides in 2023, up from 4,600 the year before. The murder rate reached "
    "46.18 per 100,000 people, according to the Interior Ministry.\n\n"
    "“More than 300 families” fled the district, residents said.The army deployed 2,000 soldiers.\n\n"
    "La tasa de homicidios llegó a 38,8 por cada 100.000 habitantes en 2024, y hubo 1.200 secuestros.\n"
)


def test_labels_read_off_the_article_words_are_the_labels_read_off_each_sentence() -> None:
    vocab = vocabulary()
    tokens = article_tokens(ARTICLE)
    checked = 0
    for sent in split_sentences(ARTICLE):
        mentions = find_numbers(sent.text)
        if not mentions:
            continue
        alone = label_numbers(sent.text, mentions, vocab)
        assert label_numbers(sent.text, mentions, vocab, tokens, sent.start) == alone, sent.text
        checked += 1
    assert checked >= 4
    assert any(metric != "other" for sent in split_sentences(ARTICLE)
               for metric, _ in label_numbers(sent.text, find_numbers(sent.text), vocab, tokens, sent.start))


def test_a_sentence_not_set_off_by_whitespace_is_read_on_its_own() -> None:
    text = "residents said.The army deployed 2,000 soldiers."
    tokens = Tokens(fold(text))
    start = text.index("The army")
    assert not tokens.delimits(start, len(text))  # no whitespace before it: read on its own, to be safe
    assert tokens.delimits(0, len(text))
    sentence = text[start:]
    mentions = find_numbers(sentence)
    vocab = vocabulary()
    assert label_numbers(sentence, mentions, vocab, tokens, start) == label_numbers(sentence, mentions, vocab)


# ---------------------------------------------------------------- lemmas


def _matches(cue: str, text: str, lemmas: bool = True) -> list[str]:
    folded = fold(text)
    return [folded[h.start:h.end] for h in CueIndex([(cue, cue)], lemmas=lemmas).find(Tokens(folded))]


@pytest.mark.parametrize("text", ["Officers arrested the mayor.", "They are arresting two men.",
                                  "Two arrests followed.", "The army will arrest him."])
def test_a_cue_in_its_base_form_covers_its_english_inflections(text: str) -> None:
    assert len(_matches("arrest", text)) == 1


@pytest.mark.parametrize("text", ["La policía detuvo a tres hombres.", "Los detenidos fueron trasladados.",
                                  "Fueron detenidas dos mujeres.", "Van a detener al sospechoso."])
def test_a_cue_in_its_base_form_covers_its_spanish_inflections_accents_folded(text: str) -> None:
    assert len(_matches("detener", text)) == 1


def test_without_lemmas_a_cue_matches_only_as_written() -> None:
    assert _matches("arrest", "Officers arrested the mayor.", lemmas=False) == []
    assert _matches("arrest", "Officers made an arrest.", lemmas=False) == ["arrest"]


def test_an_inflected_cue_word_matches_only_itself() -> None:
    assert _matches("arrested", "Police arrest people daily.") == []
    assert _matches("arrested", "Police arrested people.") == ["arrested"]


def test_an_exact_marker_keeps_a_base_form_to_itself() -> None:
    assert _matches("accord", "According to police, the accord holds.") == ["According", "accord"]
    assert _matches("=accord", "According to police, the accord holds.") == ["accord"]


def test_lemmas_apply_inside_a_multiword_cue_and_after_a_gap() -> None:
    assert _matches("extend ...3 state of emergency", "He extended the country's states of emergency.") == [
        "extended the country's states of emergency"]


def test_a_cue_compiled_after_the_lemma_tables_are_released_still_covers_its_inflections() -> None:
    # (extraction workers drop the lemma table once their vocabularies are compiled; a cue compiled later
    # reads it again rather than matching only as written)
    release_lemma_tables()
    assert _matches("bake", "The cooks baked bread for the guards.") == ["baked"]  # (words no vocabulary holds,
    assert _matches("cocinar", "Los presos cocinaron para todos.") == ["cocinaron"]  # so not yet looked up)


def test_tokens_give_a_lemma_per_word() -> None:
    tokens = Tokens(fold("Gunmen killed two guards; detuvieron a los sospechosos"), language="es")
    assert len(tokens.lemmas) == len(tokens.words)
    lemmas = dict(zip(tokens.words, tokens.lemmas, strict=True))
    assert lemmas["killed"] == "kill"
    assert lemmas["detuvieron"] == "detener"
    assert lemma_of("qwertyzz") == "qwertyzz"


def test_an_exact_accented_word_needs_its_accent_when_the_text_keeps_it() -> None:
    index = CueIndex([("=anunció", "verb")], lemmas=True)
    verb, noun = "El ministro anunció el plan.", "Tras el anuncio del plan."
    assert len(index.find(Tokens(fold(verb), original=verb))) == 1
    assert index.find(Tokens(fold(noun), original=noun)) == []
    assert len(index.find(article_tokens(verb))) == 1
    assert index.find(article_tokens(noun)) == []
