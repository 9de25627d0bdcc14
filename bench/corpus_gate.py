"""Real-text gate (run by .ci/run when ../shared/corpus exists; a script, not a test).

    .venv/bin/python bench/corpus_gate.py [--bench 1000] [--max-share 0.01] [--workdir DIR] FOLDER...

Builds each folder of articles (and, with ``--bench N``, the N-article bench corpus written to a
folder by ``bench/extraction.py --write-corpus``) with the real command line, then checks that it
published, that ``python -m pipeline validate`` passes on the result, and that no table had more
than ``--max-share`` of its rows quarantined (read from build-report.json). Prints one line of
figures per corpus; exits 1 when any corpus fails, naming it and why.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True)


def quarantine_shares(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(quarantined, extracted) rows per table, from a build report."""
    quarantined = report.get("rows_quarantined", {})
    return {name: (quarantined.get(name, 0), n + quarantined.get(name, 0)) for name, n in report["rows"].items()}


def gate(report: dict[str, Any], max_share: float) -> list[str]:
    """Why a published build's report does not pass the gate (empty: it passes)."""
    problems = []
    if not report.get("published"):
        problems.append("not published")
    for name, (bad, total) in quarantine_shares(report).items():
        if total and bad / total > max_share:
            problems.append(f"{bad} of {total} {name} rows ({100 * bad / total:.1f}%) quarantined, over "
                            f"{100 * max_share:.1f}%")
    return problems


def check_corpus(label: str, folder: Path, work: Path, max_share: float) -> list[str]:
    """Build, validate and gate one folder; print its figures; return its problems."""
    out, reports = work / label / "package", work / label / "reports"
    start = time.perf_counter()
    built = _cli("build", "--input", str(folder), "--output", str(out), "--reports", str(reports))
    build_s = time.perf_counter() - start
    problems = []
    if built.returncode != 0:
        last = [line for line in built.stderr.splitlines() if line.startswith("build failed")]
        problems.append(f"build failed ({last[0] if last else built.stderr.strip().splitlines()[-1:]})")
    report_path = reports / "build-report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else None
    if report is None:
        problems.append("no build-report.json")
    else:
        problems += [p for p in gate(report, max_share) if not (p == "not published" and built.returncode)]
    start = time.perf_counter()
    if built.returncode == 0:
        valid = _cli("validate", str(out))
        if valid.returncode != 0:
            problems.append("validate failed: " + " | ".join(valid.stderr.strip().splitlines()[-3:]))
    validate_s = time.perf_counter() - start
    if report is not None:
        shares = ", ".join(f"{name} {bad}/{total}" for name, (bad, total) in quarantine_shares(report).items())
        print(f"{label}: {report['articles_built']} articles ({len(report['rejected'])} rejected); "
              f"rows {report['rows']}; quarantined {shares}; build {build_s:.1f} s, validate {validate_s:.1f} s; "
              + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
    else:
        print(f"{label}: FAILED: " + "; ".join(problems))
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, help="folders of articles (with their sources.yaml)")
    ap.add_argument("--bench", type=int, default=0, metavar="N", help="also the N-article bench corpus")
    ap.add_argument("--max-share", type=float, default=0.01, help="largest share of a table quarantined [0.01]")
    ap.add_argument("--workdir", type=Path, default=None, help="where to build [a temporary folder]")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="corpus-gate-") as tmp:
        work = args.workdir or Path(tmp)
        corpora = [(f"{f.parent.name}-{f.name}" if f.parent.name else f.name, f.resolve()) for f in args.folders]
        if args.bench:
            folder = work / "bench-input"
            subprocess.run([sys.executable, str(ROOT / "bench" / "extraction.py"), "--articles", str(args.bench),
                            "--write-corpus", str(folder)], check=True, capture_output=True)
            corpora.append((f"bench-{args.bench}", folder))
        start = time.perf_counter()
        failed = [label for label, folder in corpora if check_corpus(label, folder, work, args.max_share)]
        print(f"corpus gate: {len(corpora) - len(failed)}/{len(corpora)} passed in {time.perf_counter() - start:.0f} s"
              + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
