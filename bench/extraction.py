"""Benchmark: extraction speed and memory on synthetic news articles (a script, not a test).

    .venv/bin/python bench/extraction.py [--articles 1000] [--seed 7] [--mem-articles 100]

Builds N distinct ~800-word articles deterministically (seeded composition of
sentence templates with numbers, dates and places), then on one core times
``split_sentences`` + ``extract_statistics`` + ``extract_events`` over the
corpus, and quantulum3's ``parser.parse`` over the same texts.  Peak memory is
measured with tracemalloc on a separate pass over the first ``--mem-articles``
articles (tracing slows code down, so it is kept out of the timed pass), and
the process's peak RSS is reported at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.extract.statistics import extract_statistics  # noqa: E402
from pipeline.text.dates import PublicationDate  # noqa: E402
from pipeline.text.sentences import split_sentences  # noqa: E402

try:
    from pipeline.extract.events import extract_events
except ImportError:  # pragma: no cover - events module missing entirely
    extract_events = None  # type: ignore[assignment]

PLACES = [
    "Guayaquil",
    "Quito",
    "Esmeraldas",
    "Manabí",
    "Los Ríos",
    "El Oro",
    "Durán",
    "Machala",
    "Manta",
    "Cuenca",
    "Colombia",
    "Peru",
    "Mexico",
    "the United States",
    "Panama",
    "the Darién Gap",
]
GROUPS = ["Los Choneros", "Los Lobos", "Los Tiguerones", "Los Chone Killers", "the Sinaloa cartel", "CJNG"]
SOURCES = [
    "the National Police",
    "the Interior Ministry",
    "the prosecutor's office",
    "InSight Crime",
    "the Ecuadorian Observatory of Organized Crime",
    "U.S. Customs and Border Protection",
    "officials",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
QUALS = [
    "",
    "",
    "",
    "more than ",
    "nearly ",
    "at least ",
    "about ",
    "over ",
    "roughly ",
    "up to ",
    "fewer than ",
]
NOUNS = [
    "homicides",
    "arrests",
    "kidnappings",
    "extortion complaints",
    "violent deaths",
    "inmates",
    "soldiers",
    "police officers",
    "migrants",
    "operations",
    "weapons",
    "gang members",
    "hostages",
    "families",
]

TEMPLATES: list[str] = [
    "{Q}{N} {noun} were recorded in {place} in {year}, according to {source}.",
    "{source_cap} reported {N} {noun} in {month} {year}, a {P}% {chg} from the year before.",
    "The homicide rate rose from {R1} per 100,000 people in {y1} to {R2} in {y2}.",
    "Police seized {T} tonnes of cocaine in {place} and arrested {N} suspects last year.",
    "In fiscal {year}, border agents encountered {N} Ecuadorians, a {P}% {chg} from {y1}.",
    "The government declared a {D}-day state of emergency in {place} on {month} {day}.",
    "{Q}{N} {noun} were counted between {y1} and {y2}, officials said.",
    "The United States pledged ${M} million in security assistance to Ecuador.",
    "{group} has between {N} and {N2} members, {source} estimates.",
    "Homicides have soared by {P}% since {y1}, while kidnappings doubled.",
    "{candidate} won {P}.{d}% of the vote in the {month} runoff.",
    "Authorities deployed {N} troops and {N2} police officers across {place}.",
    "A dozen gunmen stormed a hospital in {place} earlier this month.",
    "Prison riots left {N} inmates dead in {place} in {year}.",
    "El año pasado se registraron {Nes} homicidios en {place}, según la Policía.",
    "La tasa de homicidios llegó a {Res} por cada 100.000 habitantes en {year}.",
    "Extortion complaints jumped {P} percent in the first half of {year}.",
    "The judge sentenced {group} leader to {D} years in prison on {month} {day}, {year}.",
    "Officials said {Q}{N} {noun} had been released after {D} hours.",
]
FILLER: list[str] = [
    "The violence has transformed daily life in the port city, where shops close early.",
    "Analysts say the crisis has roots in the country's position between the largest cocaine producers.",
    "Residents described hearing gunfire late into the night as patrols moved through the neighborhood.",
    "The president has promised a tougher response, though critics warn about human rights abuses.",
    "Lawmakers debated the measure for hours before approving it with a narrow majority.",
    "Families of the victims gathered outside the morgue, demanding answers from the authorities.",
    "Experts warn that criminal groups are diversifying into illegal mining and human smuggling.",
    "The embassy issued a travel advisory urging citizens to avoid the coastal provinces.",
    "Hundreds of residents marched through the center of {place} to demand more security.",
    "RELATED: HOW GANGS TOOK OVER THE PRISONS",
    "Ecuadorian soldiers patrol a street in {place}. (Reuters/Photographer)",
]


def _fmt(n: int, rng: random.Random) -> str:
    return f"{n:,}" if rng.random() < 0.8 else str(n)


def make_article(i: int, seed: int) -> str:
    """One deterministic synthetic article of about 800 words."""
    rng = random.Random(seed * 1_000_003 + i)
    lines = [f"Ecuador's Security Crisis Deepens in {rng.choice(PLACES)} ({i})"]
    paragraph: list[str] = []
    words = 0
    while words < 800:
        # About a third of sentences carry figures, as in the seed articles (the rest is prose).
        t = rng.choice(TEMPLATES) if rng.random() < 0.35 else rng.choice(FILLER)
        year = rng.randint(2015, 2025)
        y1, y2 = sorted(rng.sample(range(2015, 2026), 2))
        s = t.format(
            Q=rng.choice(QUALS),
            N=_fmt(rng.randint(3, 120_000), rng),
            N2=_fmt(rng.randint(120_001, 200_000), rng),
            noun=rng.choice(NOUNS),
            place=rng.choice(PLACES),
            year=year,
            y1=y1,
            y2=y2,
            source=rng.choice(SOURCES),
            source_cap=rng.choice(SOURCES).capitalize(),
            month=rng.choice(MONTHS),
            P=rng.randint(2, 450),
            chg=rng.choice(["increase", "rise", "jump", "drop", "decline"]),
            R1=f"{rng.uniform(5, 30):.2f}",
            R2=f"{rng.uniform(30, 50):.2f}",
            T=f"{rng.uniform(1, 30):.1f}",
            D=rng.choice([30, 60, 90, 12, 24, 48]),
            day=rng.randint(1, 28),
            M=rng.randint(1, 500),
            group=rng.choice(GROUPS),
            candidate=rng.choice(["Noboa", "González", "the incumbent"]),
            d=rng.randint(0, 9),
            Nes=f"{rng.randint(1000, 9999):,}".replace(",", "."),
            Res=f"{rng.uniform(10, 50):.1f}".replace(".", ","),
        )
        paragraph.append(s)
        words += len(s.split())
        if len(paragraph) >= rng.randint(2, 5):
            lines.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n\n".join(lines) + "\n"


STAGES = {"split_sentences": 0.0, "extract_statistics": 0.0, "extract_events": 0.0}


def ours(text: str, source_id: str, published: PublicationDate) -> int:
    """Our extraction as the build runs it: split once, then both extractors (stage times in STAGES)."""
    t0 = time.perf_counter()
    sentences = split_sentences(text)
    t1 = time.perf_counter()
    rows = len(extract_statistics(text, source_id, published, sentences))
    t2 = time.perf_counter()
    if extract_events is not None:
        try:
            rows += len(extract_events(text, source_id, published, sentences))
        except NotImplementedError:  # the events extractor is not written yet: time statistics alone
            rows += 0
    t3 = time.perf_counter()
    STAGES["split_sentences"] += t1 - t0
    STAGES["extract_statistics"] += t2 - t1
    STAGES["extract_events"] += t3 - t2
    return rows


def timed(label: str, fn: Callable[[str, int], int], corpus: list[str], words: int) -> None:
    start = time.perf_counter()
    out = sum(fn(text, i) for i, text in enumerate(corpus))
    secs = time.perf_counter() - start
    print(
        f"{label:<28} {len(corpus) / secs:9.1f} articles/s {words / secs:11.0f} words/s "
        f"{secs:7.2f} s  ({out} items)"
    )


def peak_memory(label: str, fn: Callable[[str, int], int], corpus: list[str]) -> None:
    tracemalloc.start()
    for i, text in enumerate(corpus):
        fn(text, i)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} peak traced memory {peak / 2**20:8.2f} MiB over {len(corpus)} articles")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000, help="how many synthetic articles (default 1000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mem-articles", type=int, default=100, help="articles in the traced-memory pass")
    ap.add_argument(
        "--quantulum-articles",
        type=int,
        default=200,
        help="articles of the same corpus given to quantulum3 (it is ~20x slower; default 200)",
    )
    ap.add_argument("--skip-quantulum", action="store_true")
    args = ap.parse_args()

    corpus = [make_article(i, args.seed) for i in range(args.articles)]
    assert len(set(corpus)) == len(corpus), "articles must be distinct"
    words = sum(len(t.split()) for t in corpus)
    published = PublicationDate(dt.date(2025, 4, 15), dt.date(2025, 4, 15), "day", "manifest")
    print(f"corpus: {len(corpus)} distinct articles, {words} words ({words / len(corpus):.0f} per article)")

    def run_ours(text: str, i: int) -> int:
        return ours(text, f"bench_{i:05d}", published)

    run_ours(corpus[0], 0)  # warm caches (spaCy pipeline, compiled vocabularies) outside the clock
    for stage in STAGES:
        STAGES[stage] = 0.0
    timed("ours (statistics+events)", run_ours, corpus, words)
    print("  per article: " + ", ".join(f"{k} {v / len(corpus) * 1000:.2f} ms" for k, v in STAGES.items()))

    parse: Callable[[str], list] | None = None
    if not args.skip_quantulum:
        from quantulum3 import parser as q_parser

        parse = q_parser.parse

        def run_quantulum(text: str, i: int) -> int:
            return len(parse(text))  # type: ignore[misc]

        run_quantulum(corpus[0], 0)
        q_corpus = corpus[: args.quantulum_articles]
        timed("quantulum3 parser.parse", run_quantulum, q_corpus, sum(len(t.split()) for t in q_corpus))

    subset = corpus[: args.mem_articles]
    peak_memory("ours (statistics+events)", run_ours, subset)
    if parse is not None:
        peak_memory("quantulum3 parser.parse", lambda t, i: len(parse(t)), subset)  # type: ignore[misc]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB (both runs, one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
