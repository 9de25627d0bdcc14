"""Benchmark: extraction speed and memory on synthetic news articles (a script, not a test).

    .venv/bin/python bench/extraction.py [--articles 1000] [--repeat 3] [--seed 7] [--mem-articles 100] [--profile news]
    .venv/bin/python bench/extraction.py --articles 1000 --write-corpus DIR [--no-manifest]

With ``--write-corpus DIR`` it writes the corpus as a folder a build reads (``bench_00000.txt`` ...
and a ``sources.yaml`` giving each article the bench's publication date; ``--no-manifest`` leaves
the manifest out, so the build infers the dates from the texts) and exits without timing anything.

Builds N distinct ~800-word articles deterministically (seeded composition of
sentence templates with numbers, dates and places), then on one core times
``read_article`` + ``extract_statistics`` + ``extract_events`` over the
corpus (``--repeat`` times, the median run reported: this machine's speed moves
by a fifth from one run to the next), and quantulum3's ``parser.parse`` over
the same texts, once.  Peak memory is
measured with tracemalloc on a separate pass over the first ``--mem-articles``
articles (tracing slows code down, so it is kept out of the timed pass), and
the process's peak RSS is reported at the end.

What an article costs depends on how much there is in it to extract. The
"news" profile (default) is calibrated to the seed articles, real news on the
subject: the bench prints sentences, statistics rows and events rows per 1,000
words for its corpus and for seeds/ side by side. The "dense" profile, the
corpus of earlier versions, has about four times the seeds' figures per word
and serves as a stress test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.build import MAX_CHUNK  # noqa: E402
from pipeline.extract.events import extract_events  # noqa: E402
from pipeline.extract.statistics import extract_statistics  # noqa: E402
from pipeline.text.dates import PublicationDate  # noqa: E402
from pipeline.text.document import cyclic_gc_paused, read_article  # noqa: E402

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
PEOPLE = ["President Daniel Noboa", "Noboa", "Interior Minister Mónica Palencia", "Luisa González",
          "Defense Minister Gian Carlo Loffredo", "Attorney General Diana Salazar"]
OFFICIALS = ["U.S. officials", "the Colombian president", "the U.S. ambassador", "police commanders",
             "the head of the armed forces", "regional governors"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
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
# Prose of the "news" profile: dated events, people and places, few figures, sentences of news length.
PROSE: list[str] = [
    "Gunmen attacked a police station in {place} on {month} {day}, residents said, and fled before soldiers "
    "arrived.",
    "{person} met {official} in {place} on {weekday} to discuss security cooperation and the fight against "
    "{group}.",
    "The attack in {place} came days after {group} threatened local officials who had refused to pay "
    "extortion money.",
    "Prosecutors charged members of {group} over the {month} killing of a local official in {place}, the "
    "prosecutor's office said.",
    "{official} declared a state of emergency in {place} after a night of riots inside the local prison.",
    "Residents of {place} say they no longer leave their homes after dark since the gangs took over their "
    "neighborhood.",
    "{group} and {group2} have fought for control of the drug routes through {place} since {year}.",
    "The government blamed {group} for the wave of car bombs that hit {place} in {month} {year}.",
    "Analysts at {source_short} say the violence in {place} is tied to the cocaine trade that runs through "
    "the ports.",
    "Soldiers raided a prison in {place} earlier this week and seized weapons, phones and explosives from "
    "the cells.",
    "The National Assembly approved the security reform on {month} {day} after weeks of heated debate.",
    "Human rights groups criticised the conduct of the military during the operations in {place} last month.",
    "{person} said on {weekday} that the government would not negotiate with criminal groups such as "
    "{group}.",
    "The leader of {group} escaped from a prison in {place} in {month}, weeks before his transfer to a "
    "maximum-security unit.",
    "Police arrested a suspected leader of {group} in {place} on {weekday}, according to {source}.",
    "Mourners gathered in {place} for the funeral of a prosecutor who had investigated {group}.",
    "Teachers in {place} moved classes online after gangs demanded payments from schools in the district.",
    "Voters in {place} cast their ballots in the {month} election amid a heavy military presence.",
]

# Commentary of the "news" profile: context and analysis, no event and no figure, as most of a news
# article is.
COMMENTARY: list[str] = [
    "The country's location between the world's largest cocaine producers has made its ports a prize for "
    "criminal groups with links to Mexican and Balkan cartels.",
    "For years {place} was known as a quiet place where tourists came for the beaches, the food and the "
    "friendly people who welcomed them.",
    "Critics of {person} argue that the heavy hand of the military has done little to address the poverty "
    "that pushes young people into the gangs.",
    "Supporters of the government say the crackdown has restored a sense of order in neighborhoods that "
    "had been abandoned by the state.",
    "Many families in {place} have sent their children to live with relatives abroad, fearing that the "
    "gangs will recruit them at school.",
    "The crisis has also strained relations with neighboring countries, which worry that the violence "
    "will spill across their borders.",
    "Security experts say the prisons have become the headquarters of groups such as {group}, which run "
    "their businesses from the cells.",
    "The economy, which depends on oil, bananas and shrimp, has suffered as investors and tourists stay "
    "away from the coast.",
    "Local business owners in {place} describe a climate of fear in which paying the gangs has become a "
    "cost of doing business.",
    "Diplomats in Quito say that cooperation with {official} on intelligence and training is likely to "
    "deepen in the coming years.",
    "The rise of {group} mirrors the story of other criminal groups in the region, which grew from street "
    "gangs into transnational enterprises.",
    "Human rights organizations have asked the authorities to publish information about the detainees and "
    "the conditions in which they are held.",
]


def _fmt(n: int, rng: random.Random) -> str:
    return f"{n:,}" if rng.random() < 0.8 else str(n)


# How many sentences carry figures (TEMPLATES) and what the other sentences are. "news" is calibrated
# to the seed articles (the bench prints both corpora's figures per 1,000 words side by side); "dense"
# is a stress corpus with about four times the seeds' figures per word.
PROFILES: dict[str, tuple[float, list[str]]] = {
    "news": (0.09, PROSE + FILLER + 3 * COMMENTARY),
    "dense": (0.35, FILLER),
}


def make_article(i: int, seed: int, profile: str = "news") -> str:
    """One deterministic synthetic article of about 800 words."""
    figure_share, prose = PROFILES[profile]
    rng = random.Random(seed * 1_000_003 + i)
    # The slots only PROSE has are drawn from a second stream, so "dense" is the corpus it always was.
    slots = random.Random(-(seed * 1_000_003 + i))
    lines = [f"Ecuador's Security Crisis Deepens in {rng.choice(PLACES)} ({i})"]
    paragraph: list[str] = []
    words = 0
    while words < 800:
        t = rng.choice(TEMPLATES) if rng.random() < figure_share else rng.choice(prose)
        year = rng.randint(2015, 2025)
        y1, y2 = sorted(rng.sample(range(2015, 2026), 2))
        slot = dict(
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
            person=slots.choice(PEOPLE),
            official=slots.choice(OFFICIALS),
            weekday=slots.choice(WEEKDAYS),
            source_short=slots.choice(SOURCES[2:6]),
        )
        slot["group2"] = slots.choice([g for g in GROUPS if g != slot["group"]])
        s = t.format(**slot)
        paragraph.append(s)
        words += len(s.split())
        if len(paragraph) >= rng.randint(2, 5):
            lines.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n\n".join(lines) + "\n"


STAGES = {"read_article": 0.0, "extract_statistics": 0.0, "extract_events": 0.0}
ROWS = {"sentences": 0, "statistics": 0, "events": 0}
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def ours(text: str, source_id: str, published: PublicationDate) -> int:
    """Our extraction as the build runs it (``pipeline.build.extract_article``): split once, then both
    extractors (stage times in STAGES). ``timed`` runs it in chunks as the build does."""
    t0 = time.perf_counter()
    doc = read_article(text, published)
    sentences = doc.sentences
    t1 = time.perf_counter()
    statistics = len(extract_statistics(doc, source_id))
    t2 = time.perf_counter()
    events = len(extract_events(doc, source_id))
    t3 = time.perf_counter()
    STAGES["read_article"] += t1 - t0
    STAGES["extract_statistics"] += t2 - t1
    STAGES["extract_events"] += t3 - t2
    ROWS["sentences"] += len(sentences)
    ROWS["statistics"] += statistics
    ROWS["events"] += events
    return statistics + events


def density(rows: dict[str, int], words: int) -> str:
    """Sentences and rows per 1,000 words: how much there is to extract, which sets the cost."""
    return "  ".join(f"{k} {v * 1000 / words:5.1f}" for k, v in rows.items())


def seed_density(published: PublicationDate) -> str:
    """The density of the seed articles (real news), to compare the generated corpus with."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    saved = dict(ROWS)
    for key in ROWS:
        ROWS[key] = 0
    for i, text in enumerate(texts):
        ours(text, f"seed_{i}", published)
    found = density(ROWS, sum(len(t.split()) for t in texts))
    ROWS.update(saved)
    return found


def timed(label: str, fn: Callable[[str, int], int], corpus: list[str], words: int, repeat: int = 1,
          chunk: int | None = None) -> None:
    """Time ``fn`` over the corpus ``repeat`` times; print the median run (and, with repeats, the fastest and
    slowest: on a shared machine one run can be a fifth slower than the next for the same code). With
    ``chunk``, the corpus is read in chunks of that many articles with the cyclic garbage collector paused
    for each, as the build's extraction tasks read theirs (``pipeline.build.extract_articles``)."""
    runs = []
    step = chunk or len(corpus) or 1
    for _ in range(repeat):
        start = time.perf_counter()
        out = 0
        for lo in range(0, len(corpus), step):
            with cyclic_gc_paused() if chunk else contextlib.nullcontext():
                out += sum(fn(text, i) for i, text in enumerate(corpus[lo:lo + step], start=lo))
        runs.append(time.perf_counter() - start)
    secs = statistics.median(runs)
    spread = (f"  median of {repeat}: fastest {len(corpus) / min(runs):.1f}, slowest {len(corpus) / max(runs):.1f}"
              if repeat > 1 else "")
    print(
        f"{label:<28} {len(corpus) / secs:9.1f} articles/s {words / secs:11.0f} words/s "
        f"{secs:7.2f} s  ({out} items){spread}"
    )


def peak_memory(label: str, fn: Callable[[str, int], int], corpus: list[str]) -> None:
    tracemalloc.start()
    for i, text in enumerate(corpus):
        fn(text, i)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} peak traced memory {peak / 2**20:8.2f} MiB over {len(corpus)} articles")


BENCH_PUBLISHED = dt.date(2025, 4, 15)  # the publication date the bench gives every article


def write_corpus(folder: Path, corpus: list[str], manifest: bool = True) -> None:
    """The corpus as a build input: one ``.txt`` per article and, with ``manifest``, a ``sources.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, text in enumerate(corpus):
        name = f"bench_{i:05d}.txt"
        (folder / name).write_text(text, encoding="utf-8")
        entries.append(f"- file: {name}\n  publisher: bench\n  published: {BENCH_PUBLISHED.isoformat()}\n"
                       "  language: en\n")
    if manifest:
        (folder / "sources.yaml").write_text("# Generated by bench/extraction.py --write-corpus\n"
                                             + "".join(entries), encoding="utf-8")


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
    ap.add_argument("--repeat", type=int, default=3,
                    help="time our extraction over the corpus this many times and report the median (default 3)")
    ap.add_argument("--write-corpus", type=Path, metavar="DIR", default=None,
                    help="write the corpus to DIR as .txt files and sources.yaml, then exit (no timing)")
    ap.add_argument("--no-manifest", action="store_true", help="with --write-corpus: no sources.yaml")
    ap.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="news",
        help="news: as dense in figures as the seed articles (default); dense: about four times that",
    )
    args = ap.parse_args()

    corpus = [make_article(i, args.seed, args.profile) for i in range(args.articles)]
    assert len(set(corpus)) == len(corpus), "articles must be distinct"
    if args.write_corpus is not None:
        write_corpus(args.write_corpus, corpus, manifest=not args.no_manifest)
        print(f"wrote {len(corpus)} articles to {args.write_corpus}"
              + ("" if args.no_manifest else f" with {args.write_corpus / 'sources.yaml'}"))
        return 0
    words = sum(len(t.split()) for t in corpus)
    published = PublicationDate(BENCH_PUBLISHED, BENCH_PUBLISHED, "day", "manifest")
    print(
        f"corpus: {len(corpus)} distinct articles (profile {args.profile}), {words} words "
        f"({words / len(corpus):.0f} per article)"
    )

    def run_ours(text: str, i: int) -> int:
        return ours(text, f"bench_{i:05d}", published)

    seeds = seed_density(published)  # (also warms caches: spaCy pipeline, compiled vocabularies)
    for stage in STAGES:
        STAGES[stage] = 0.0
    for key in ROWS:
        ROWS[key] = 0
    runs = max(1, args.repeat)
    timed("ours (statistics+events)", run_ours, corpus, words, runs, chunk=MAX_CHUNK)
    print("  per article: " + ", ".join(f"{k} {v / len(corpus) / runs * 1000:.2f} ms" for k, v in STAGES.items()))
    rows = {k: v // runs for k, v in ROWS.items()}
    print(f"  per 1,000 words, this corpus: {density(rows, words)}")
    print(f"  per 1,000 words, seeds/:      {seeds}")

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
