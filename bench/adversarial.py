"""Benchmark: extraction time on hostile inputs, in seconds per 100 KB (a script, not a test).

    .venv/bin/python bench/adversarial.py [--sizes 25,50,100,200,400] [--patterns all] [--events]

Each pattern is repeated to fill an article of each size (KB of text), then timed through
``read_article`` + ``extract_statistics`` (and ``extract_events`` with ``--events``). Linear
extraction shows the same seconds per 100 KB at every size; the issue's bound is flat within 2x
from 25 KB to 400 KB. Patterns: dense digits, separators, currency, percent, qualifiers, ranges,
capitalised runs, number words, and one long "1,1,1,..." run with no space at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.extract.events import extract_events  # noqa: E402
from pipeline.extract.statistics import extract_statistics  # noqa: E402
from pipeline.text.dates import PublicationDate  # noqa: E402
from pipeline.text.document import read_article  # noqa: E402

PATTERNS = {
    "digits": "1 ",
    "more-than": "more than 1 ",
    "currency": "$1 ",
    "percent": "5% ",
    "commas": "1,",
    "points": "1.",
    "ranges": "1 to 2 ",
    "rates": "3 per 100,000 ",
    "kilos": "7 kilos ",
    "capitalised": "Los Lobos 8 ",
    "words": "two ",
    "dates": "May 5 2023 ",
    "times": "10:30 ",
    "spanish": "más de 1,5 ",
}
PUBLISHED = PublicationDate(dt.date(2024, 1, 1), dt.date(2024, 1, 1), "day", "manifest")


def article(pattern: str, kb: int) -> str:
    """A headline and one paragraph made of ``pattern`` repeated to ``kb`` KB."""
    body = pattern * (kb * 1024 // len(pattern) + 1)
    return "Adversarial input\n\n" + body[: kb * 1024]


def seconds(text: str, events: bool) -> float:
    """Wall time of one extraction of ``text``."""
    t0 = time.perf_counter()
    doc = read_article(text, PUBLISHED)
    extract_statistics(doc, "adv")
    if events:
        extract_events(doc, "adv")
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="25,50,100,200,400", help="KB, comma-separated")
    parser.add_argument("--patterns", default="all", help="comma-separated names, or all")
    parser.add_argument("--events", action="store_true", help="time extract_events too")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the fastest counts (shared machines)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    names = list(PATTERNS) if args.patterns == "all" else args.patterns.split(",")
    print("seconds per 100 KB (flat = linear)")
    print(f"| pattern | {' | '.join(f'{kb} KB' for kb in sizes)} | max/min |")
    print(f"|---|{'---|' * len(sizes)}---|")
    seconds(article("1 ", 1), args.events)  # warm-up: loads spaCy's tokenizer and the vocabularies
    worst = 1.0
    for name in names:
        per = [min(seconds(article(PATTERNS[name], kb), args.events) for _ in range(args.repeat)) * 100 / kb
               for kb in sizes]
        ratio = max(per) / max(min(per), 1e-9)
        worst = max(worst, ratio)
        print(f"| {name} `{PATTERNS[name].strip()}` | {' | '.join(f'{s:.3f}' for s in per)} | {ratio:.2f} |",
              flush=True)
    print(f"worst max/min ratio: {worst:.2f} ({'flat within 2x' if worst <= 2 else 'NOT flat within 2x'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
