"""The dev loop: build the real-text dev corpora and score them against the analyst's gold.

    python bench/dev_scores.py                 # fast: extraction only, tables written to a temp folder
    python bench/dev_scores.py --cli           # the real build (Prefect flow, validation) of each folder
    python bench/dev_scores.py -v              # plus the scorer's per-item log and error counts by class

Reads ``../shared/corpus/{en,es}``, ``../shared/gold/dev-{en,es}.json`` and ``../shared/gold/seeds.json``
with ``../shared/eval/score.py`` (development material outside the repository: a user's clone has none,
and this script then says so and exits 2). Prints the table of the reading issue: statistics P / R / F1,
metric accuracy, period; events P / R / F1, date; per set.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SETS = {  # name -> (corpus folder, gold file)
    "seeds": (ROOT / "seeds", SHARED / "gold" / "seeds.json"),
    "dev-en": (SHARED / "corpus" / "en", SHARED / "gold" / "dev-en.json"),
    "dev-es": (SHARED / "corpus" / "es", SHARED / "gold" / "dev-es.json"),
}


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_fast(corpus: Path, out: Path) -> None:
    """Extraction only (no Prefect, no validation): the tables the scorer reads, as Parquet."""
    from pipeline.build import assemble_tables, extract_article, screen
    from pipeline.ingest import ingest_folder

    ingested = ingest_folder(corpus)
    # the row checks of the real build: a quarantined row is not published, so it is not scored
    tables = screen(assemble_tables([extract_article(a) for a in ingested.articles]), ingested, 1.0).tables
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet")


def build_cli(corpus: Path, out: Path) -> None:
    """The real build, as a user runs it."""
    proc = subprocess.run([sys.executable, "-m", "pipeline", "build", "--input", str(corpus), "--output", str(out),
                           "--reports", str(out.with_name(out.name + "-reports"))],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"build of {corpus} failed:\n{proc.stderr[-3000:]}")


def error_classes(log: list[str]) -> Counter[str]:
    """The scorer's log lines counted by kind (missed, extra, metric, period/date)."""
    kinds: Counter[str] = Counter()
    for line in log:
        m = re.match(r"\[(\w+)\] (MISSED|EXTRA|[^:]+: (metric|period|date) (\w+))", line)
        if m:
            kind = m.group(2) if m.group(2) in ("MISSED", "EXTRA") else f"{m.group(3)} {m.group(4)}"
            kinds[f"{m.group(1)} {kind}"] += 1
    return kinds


def main(argv: list[str] | None = None) -> int:
    """Build and score every set; print one table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", action="store_true", help="build with the real CLI (Prefect flow) instead")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the scorer's per-item log")
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    args = parser.parse_args(argv)
    if not (SHARED / "eval" / "score.py").is_file():
        print(f"no {SHARED}/eval/score.py: the dev corpora are not on this machine", file=sys.stderr)
        return 2
    score = _scorer()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            corpus, gold_file = SETS[name]
            out = Path(tmp) / name
            (build_cli if args.cli else build_fast)(corpus, out)
            gold = __import__("json").loads(gold_file.read_text(encoding="utf-8"))
            rep = score.score(out, gold, corpus, args.verbose)
            s, e = rep["statistics"], rep["events"]
            rows.append((name, s, e))
            if args.verbose:
                print(f"## {name}")
                print("\n".join(rep["log"]))
                for kind, n in sorted(error_classes(rep["log"]).items()):
                    print(f"  {kind}: {n}")
    print("| set | statistics P / R / F1 | metric acc. | period | events P / R / F1 | date | bad quotes |")
    print("|---|---|---|---|---|---|---|")
    for name, s, e in rows:
        print(f"| {name} | {s['precision']:.2f} / {s['recall']:.2f} / {s['f1']:.2f} | {s['metric_accuracy'] or 0:.2f} "
              f"| {s['period_within'] or 0:.2f} | {e['precision']:.2f} / {e['recall']:.2f} / {e['f1']:.2f} "
              f"| {e['date_within'] or 0:.2f} | {s['bad_quotes'] + e['bad_quotes']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
