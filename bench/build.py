"""Benchmark: the whole build, end to end, as a user runs it (a script, not a test).

    .venv/bin/python bench/build.py [--articles 1000] [--workers 1,2] [--repeat 1] [--keep DIR]

Writes N generated articles (bench/extraction.py's news profile, with a sources.yaml manifest) to a
folder and, for each number of workers, runs ``python -m pipeline build`` three times in a fresh
interpreter: **cold** (empty extraction cache), **warm** (nothing changed: the no-op rebuild, which finds
the build's stamp in the cache folder and exits before Prefect's temporary server starts, so all its time is
"start") and **+1** (one article added: a full build, all but one article from the cache). Each row gives
the wall time, the CPU time of the build's whole process tree, the peak RSS of that tree (sampled every
0.1 s: the CLI, Prefect's temporary server and the Dask worker processes) and
the time of each stage, read from the build's own log timestamps:

  start     process start to the flow's first line (imports, Prefect's temporary server)
  ingest    flow start to the ingest task's end
  extract   to the last article extracted or read from the cache (and, with workers, the local cluster's
            start and stop)
  tables    row checks (pandera) and the staged Parquet/CSV package
  validate  the package checks on the staged package (files, frictionless, pandera, spans, GE)
  publish   the swap, the reports and Prefect's artifacts, to the process's exit

``--repeat R`` runs every build R times and prints each figure's median. After the builds, the
validation stage is broken down by library on the last package (in this process, one run each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction import make_article, write_corpus  # noqa: E402

STAGES = ("start", "ingest", "extract", "tables", "validate", "publish")


def _when(line_pattern: str, log: str, last: bool = False) -> float | None:
    """Seconds since midnight of the first (or last) log line matching ``line_pattern``."""
    hits = [m for m in re.finditer(rf"^(\d\d):(\d\d):(\d\d)\.(\d{{3}}) \|[^\n]*{line_pattern}", log, re.M)]
    if not hits:
        return None
    h, m, s, ms = (int(g) for g in (hits[-1] if last else hits[0]).groups())
    return h * 3600 + m * 60 + s + ms / 1000


class TreeSampler:
    """Peak RSS and CPU time of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, rss)
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_build(folder: Path, out: Path, workers: int, cache: Path) -> dict[str, float]:
    """One ``python -m pipeline build``: wall, cpu, peak RSS (GB) and seconds per stage."""
    reports = out.with_name(out.name + "-reports")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)  # a build as a user runs it: its own temporary server
    start_clock = dt.datetime.now()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--input", str(folder), "--output", str(out),
                             "--reports", str(reports), "--workers", str(workers), "--cache", str(cache)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    sampler = TreeSampler(proc.pid)
    log, _ = proc.communicate()
    wall = time.monotonic() - started
    sampler.stop()
    if proc.returncode != 0:
        sys.exit(f"build failed (exit {proc.returncode}):\n{log[-4000:]}")
    if "nothing changed since the last build of" in log:  # the no-op: no flow, no stages
        return {"wall": wall, "cpu": sum(sampler.cpu.values()), "rss": sampler.peak / 1e9,
                **{name: wall if name == "start" else 0.0 for name in STAGES}, "extracted": 0.0}
    t0 = start_clock.hour * 3600 + start_clock.minute * 60 + start_clock.second + start_clock.microsecond / 1e6
    marks = [t0, _when("Beginning flow run", log), _when(r"Task run 'ingest-", log),
             _when(r"article\(s\), \d+ from the cache", log), _when(r"Task run 'stage-package-", log),
             _when(r"Task run 'validate-package-", log), t0 + wall]
    if any(m is None for m in marks):
        sys.exit(f"could not find the stages in the build's log:\n{log[-4000:]}")
    stages = {name: max(0.0, b - a) for name, a, b in zip(STAGES, marks, marks[1:], strict=False)}  # type: ignore[operator]
    extracted = re.search(r"extracted (\d+) article\(s\), (\d+) from the cache", log)
    return {"wall": wall, "cpu": sum(sampler.cpu.values()), "rss": sampler.peak / 1e9, **stages,
            "extracted": float(extracted.group(1)) if extracted else float("nan")}


def validation_breakdown(package: Path) -> dict[str, float]:
    """Seconds of each validation library on a published package (one run each, in this process)."""
    from pipeline.expectations import run_expectations
    from pipeline.quality import (
        _load_descriptor,
        check_dates,
        check_files,
        check_frictionless,
        check_spans,
        check_tables,
        load_texts,
    )

    out: dict[str, float] = {}
    descriptor, _ = _load_descriptor(package)
    assert descriptor is not None
    t = time.perf_counter()
    check_files(package, descriptor)
    out["files+sha256"] = time.perf_counter() - t
    t = time.perf_counter()
    check_frictionless(package)
    out["frictionless"] = time.perf_counter() - t
    t = time.perf_counter()
    tables, _ = check_tables(package, descriptor)
    out["pandera+CSV twins"] = time.perf_counter() - t
    t = time.perf_counter()
    text_of, _ = load_texts(package, tables, None)
    check_spans(tables, text_of)
    check_dates(tables)
    out["spans+dates"] = time.perf_counter() - t
    t = time.perf_counter()
    run_expectations(tables, text_of, None, None, None)
    out["great expectations"] = time.perf_counter() - t
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 1}",
                    help="comma-separated numbers of workers [1,<cores>]")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each build; the table gives medians")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="work in DIR and keep it (default: a temporary folder)")
    args = ap.parse_args()
    workers = sorted({int(w) for w in args.workers.split(",")})

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = [make_article(i, args.seed) for i in range(args.articles + 1)]
    print(f"{args.articles} generated articles (news profile, with manifest), {sum(len(t.split()) for t in corpus)} "
          f"words; {os.cpu_count()} cores; median of {args.repeat} run(s) per row", flush=True)
    rows: list[tuple[str, int, dict[str, float]]] = []
    last_package = None
    try:
        for w in workers:
            runs: dict[str, list[dict[str, float]]] = {"cold": [], "warm": [], "+1 article": []}
            for _ in range(args.repeat):
                folder, cache = work / "in", work / f"cache-{w}"
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
                write_corpus(folder, corpus[:args.articles])
                runs["cold"].append(run_build(folder, work / "out", w, cache))
                runs["warm"].append(run_build(folder, work / "out", w, cache))
                write_corpus(folder, corpus)
                runs["+1 article"].append(run_build(folder, work / "out", w, cache))
                last_package = work / "out"
            for kind, results in runs.items():
                med = {k: statistics.median(r[k] for r in results) for k in results[0]}
                rows.append((kind, w, med))
                print(f"  done: {kind}, {w} worker(s): {med['wall']:.1f} s", file=sys.stderr, flush=True)
        head = f"| build | workers | extracted | wall s | CPU s | peak RSS GB | {' | '.join(STAGES)} |"
        print()
        print(head)
        print("|" + "---|" * (len(STAGES) + 6))
        for kind, w, m in rows:
            print(f"| {kind} | {w} | {m['extracted']:.0f} | {m['wall']:.1f} | {m['cpu']:.1f} | {m['rss']:.2f} | "
                  + " | ".join(f"{m[s]:.1f}" for s in STAGES) + " |")
        cold = {w: m["wall"] for kind, w, m in rows if kind == "cold"}
        if 1 in cold and len(cold) > 1:
            best = max(cold)
            print(f"\ncold build, 1 worker / {best} workers: {cold[1] / cold[best]:.2f}x")
        if last_package is not None:
            print("\nvalidation of the last package, by library (s): " + ", ".join(
                f"{k} {v:.1f}" for k, v in validation_breakdown(last_package).items()))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
