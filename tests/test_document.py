"""The document model: an article read once, and the discourse frame of each sentence (own sentences)."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest

import pipeline.text.document as document
from pipeline.extract.events import extract_events
from pipeline.extract.statistics import extract_statistics
from pipeline.text.dates import PublicationDate, find_dates
from pipeline.text.discourse import LEAD, OWN, PARAGRAPH
from pipeline.text.document import read_article
from pipeline.text.numbers import find_numbers

PUBLISHED = PublicationDate(dt.date(2025, 6, 18), dt.date(2025, 6, 18), "day", "manifest")


def test_a_document_holds_what_each_reader_finds_in_each_sentence() -> None:
    text = ("Police arrested 41 people in Guayaquil on Monday.\n\n"
            "The interior minister, Mónica Palencia, said 12 of them were minors.")
    doc = read_article(text, PUBLISHED)
    assert [s.text for s in doc.sentences] == text.split("\n\n")
    for i, s in enumerate(doc.sentences):
        assert doc.numbers(i) == find_numbers(s.text)
        assert doc.dates(i) == find_dates(s.text, PUBLISHED)
    assert [text[p.char_start:p.char_end] for p in doc.places] == ["Guayaquil"]
    assert any(text[a.start:a.end] == "Mónica Palencia" for a in doc.actors)


def test_both_extractors_read_each_sentence_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(text: str, **kwargs: object) -> list:
        calls.append(text)
        return find_numbers(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(document, "find_numbers", counting)
    text = ("At least 10 people were killed in an attack on a prison in Machala on Sunday. "
            "Soldiers retook the prison, and 300 inmates were moved.")
    doc = read_article(text, PUBLISHED)
    assert extract_statistics(doc, "a") and extract_events(doc, "a")
    # both extractors asked for numbers, yet no sentence was read twice, whichever asked first
    assert calls and len(calls) == len(set(calls)) <= len(doc.sentences)


def test_a_sentence_with_its_own_date_is_framed_by_its_last_one() -> None:
    doc = read_article("Homicides fell in 2024. Arrests rose in March 2025, the ministry said.", PUBLISHED)
    first, second = doc.frame(0), doc.frame(1)
    assert (first.origin, first.date.start, first.date.end) == (OWN, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (second.origin, second.date.start) == (OWN, dt.date(2025, 3, 1))


def test_an_undated_sentence_takes_the_last_date_of_its_paragraph_and_a_new_paragraph_drops_it() -> None:
    text = ("Crime data for the week.\n\nThe figures are official.\n\n"
            "In 2023 the police made thousands of arrests. Most were in Guayas. Courts released many.\n\n"
            "Prisons hold far more inmates than they were built for.")
    doc = read_article(text, PUBLISHED)
    assert [f.origin if f else None for f in doc.frames] == [None, None, OWN, PARAGRAPH, PARAGRAPH, None]
    assert doc.frame(4).date.start == dt.date(2023, 1, 1)
    assert doc.frame(4).sentence == 2


@pytest.mark.parametrize("text", [
    "Heading\n\nIn the first half of 2024 kidnappings rose. In the same period of 2023 they fell. Most were in "
    "the south.",
    "Titular\n\nEn el primer semestre de 2024 los secuestros subieron. En el mismo periodo del 2023 bajaron. La "
    "mayoría fue en el sur.",
])
def test_the_other_side_of_a_comparison_dates_its_own_sentence_but_not_the_paragraph(text: str) -> None:
    doc = read_article(text, PUBLISHED)
    assert [f.origin if f else None for f in doc.frames] == [None, OWN, OWN, PARAGRAPH]
    assert doc.frame(2).date.start.year == 2023 and doc.compared(2) and not doc.compared(1)
    assert doc.frame(3).date.start == dt.date(2024, 1, 1) and doc.frame(3).sentence == 1


def test_a_period_in_the_heading_or_lead_governs_the_article_but_a_single_day_does_not() -> None:
    text = ("Ecuador ends 2023 with record violence\n\n"
            "The government gave new figures on Friday.\n\n"
            "More than 7,000 people were murdered.")
    doc = read_article(text, PUBLISHED)
    last = doc.frame(2)
    assert (last.origin, last.date.start, last.date.end) == (LEAD, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    day_only = read_article("Gunmen stormed a studio on Tuesday\n\nMore than 13 people were arrested.", PUBLISHED)
    assert day_only.frame(0).origin == OWN and day_only.frame(1) is None


def test_a_baseline_does_not_set_the_time_a_sentence_speaks_of() -> None:
    doc = read_article("Kidnappings doubled compared with 2019.", PUBLISHED)
    assert doc.frame(0) is None or doc.frame(0).date.kind != "baseline"


@pytest.mark.parametrize(("text", "phrase", "start", "end", "kind"), [
    ("In 2022 the army was deployed. That year 400 soldiers died.", "That year",
     dt.date(2022, 1, 1), dt.date(2022, 12, 31), "point"),
    ("Entre enero y marzo de 2024 hubo 1.900 asesinatos. En el mismo periodo del año anterior hubo 2.100.",
     "el mismo periodo del año anterior", dt.date(2023, 1, 1), dt.date(2023, 3, 31), "baseline"),
    ("El estado de excepción rige desde marzo de 2025. Desde entonces hubo 90 detenidos.", "Desde entonces",
     dt.date(2025, 3, 1), dt.date(2025, 6, 18), "point"),
])
def test_words_that_point_back_resolve_against_the_frame_before_them(text: str, phrase: str, start: dt.date,
                                                                       end: dt.date, kind: str) -> None:
    doc = read_article(text, PUBLISHED)
    [a] = doc.anaphors(1)
    assert (a.date_text, a.start, a.end, a.kind, a.basis) == (phrase, start, end, kind, "inferred")
    assert doc.sentences[1].text[a.char_start:a.char_end] == phrase


def test_a_sentence_that_sets_its_own_time_is_what_its_back_pointing_words_refer_to() -> None:
    doc = read_article("In 2021 there were 900 kidnappings. In 2024 there were 1,400, up from 1,100 the previous year.",
                       PUBLISHED)
    [a] = doc.anaphors(1)
    assert (a.start, a.end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))


def test_back_pointing_words_with_nothing_to_point_to_stay_unresolved() -> None:
    doc = read_article("That year the gangs grew stronger.", PUBLISHED)
    [a] = doc.anaphors(0)
    assert (a.date_text, a.start, a.end) == ("That year", None, None)


def test_a_leap_day_month_shifted_back_a_year_ends_on_its_last_day() -> None:
    doc = read_article("In February 2024 there were 500 arrests, against 420 the same period last year.", PUBLISHED)
    [a] = doc.anaphors(0)
    assert (a.start, a.end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))


def test_the_frame_of_a_sentence_reads_no_date_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []

    def counting(text: str, published: PublicationDate) -> list:
        read.append(text)
        return find_dates(text, published)

    monkeypatch.setattr(document, "find_dates", counting)
    doc = read_article("In 2022 the gangs grew. They recruited minors. In 2024 the army was deployed.", PUBLISHED)
    assert doc.frame(1).date.start == dt.date(2022, 1, 1)
    assert read == [doc.sentences[0].text]  # the third sentence is not read to frame the second
    assert doc.frame(2).date.start == dt.date(2024, 1, 1)


def test_the_last_time_set_before_a_sentence_crosses_paragraphs() -> None:
    text = "Figures for the year.\n\nThe report came out.\n\nIn 2022 there were 4,600 murders.\n\nMost were in Guayas."
    doc = read_article(text, PUBLISHED)
    assert doc.frame(3) is None  # a new paragraph drops the paragraph's time ...
    assert doc.last_set(3).date.start == dt.date(2022, 1, 1)  # ... yet the last time the article set is known
    assert doc.last_set(2) is None


# ---------------------------------------------------------------- the cyclic garbage collector


SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def _extract(text: str, language: str = "en") -> None:
    doc = read_article(text, PUBLISHED, language)
    extract_statistics(doc, "x")
    extract_events(doc, "x")


def test_reading_an_article_leaves_no_reference_cycles() -> None:
    # What makes pausing the collector during extraction free: everything the reading allocates is
    # freed by reference counting alone, so a collection afterwards finds nothing unreachable.
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    texts.append("La Policía detuvo a 12 personas en Durán el lunes. Los detenidos, de 19 y 24 años, "
                 "fueron trasladados a Guayaquil; el Gobierno declaró el estado de excepción por 60 días.")
    for text in texts:  # (the lexicons are loaded on first use: not part of what is measured)
        _extract(text, "es" if text.startswith("La ") else "en")
    gc.collect()
    gc.disable()
    try:
        for text in texts:
            _extract(text, "es" if text.startswith("La ") else "en")
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0


def test_the_collector_is_paused_only_for_the_block() -> None:
    with document.cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), document.cyclic_gc_paused():
        raise ValueError("an article that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with document.cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_extracting_a_chunk_pauses_the_collector_until_the_chunk_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import build
    from pipeline.ingest import Article

    seen: list[bool] = []
    real = build.read_article

    def spying(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "read_article", spying)
    texts = ["Police arrested 41 people on Monday.", "Soldiers seized 2 tonnes of cocaine in Manta."]
    articles = [Article(source_id=f"a{i}", file=f"a{i}.txt", text=t, sha256="0" * 64, bytes=len(t), title=None)
                for i, t in enumerate(texts)]
    rows = build.extract_articles(articles)
    assert seen == [False, False] and gc.isenabled()
    assert [[r["value"] for r in part.statistics] for part in rows] == [[41.0], [2.0]]
