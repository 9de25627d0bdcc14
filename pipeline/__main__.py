"""Command line: ``python -m pipeline build|validate|release|diff``.

The contract outside tools rely on (keep it stable):
  build --input DIR --output DIR [--strict] [--no-texts] [--reports DIR] [--allow-shrink REASON]
        [--max-quarantine FRACTION] [--workers N] [--dask-address tcp://HOST:PORT] [--cache DIR] [--no-cache]
        [--force]                                          exit 0 when published, or when nothing changed
                                                           since the last build of DIR (left as it was)
  validate DIR|ZIP [--texts DIR] [--reports DIR] [--previous DIR|ZIP]
                                                           exit 0 only when valid
  release [--bump auto|major|minor|patch] [--force]        dist/<name>-<version>.zip + .sha256
  diff OLD NEW [--json]                                    folders or zips

Expected failures (bad input folder, output refused or locked, failed checks, a hostile package)
are one line each on stderr, exit 1; ``--debug`` adds the traceback. Anything else prints its
traceback once and exits 2 (``build`` still writes build-report.json with the error to --reports).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import sys
import time
import traceback
from pathlib import Path

from pipeline.ingest import DEFAULT_MAX_BYTES, InputRefused, check_input_folder

_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS, errno.EPERM)
_SERVER_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"


class _NoTraceback(logging.Filter):
    """Prefect logs every exception leaving a task and again leaving the flow, each with its traceback,
    and the exception then reaches the CLI: three copies. On the console (not in Prefect's API logs,
    which keep them) the CLI drops Prefect's copies and prints one line, or one traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


def _quiet_prefect_tracebacks() -> None:
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler):
            handler.addFilter(_NoTraceback())


def _report_error(reports: Path, started: float, error: dict[str, str]) -> None:
    """Add the error to this build's build-report.json in --reports, or write one that holds only it."""
    from pipeline.build import REPORT, write_report

    path = reports / REPORT
    try:
        report = json.loads(path.read_text(encoding="utf-8")) if path.stat().st_mtime >= started else {}
    except (OSError, ValueError):
        report = {}
    try:
        reports.mkdir(parents=True, exist_ok=True)
        write_report(reports, {**report, **error})
    except OSError as err:
        print(f"(could not write {path}: {err.strerror or err})", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from pipeline.build import BuildFailed
    from pipeline.publish import OutputRefused, output_lock

    started, held = time.time(), contextlib.ExitStack()
    try:
        check_input_folder(args.input)
        # The lock is taken here too, so that a second build fails at once, before Prefect is even loaded.
        held.enter_context(output_lock(args.output))
        # Nothing changed since the last build of this output: done before Prefect's server starts (most
        # of a no-op's time otherwise).
        if not (args.force or args.no_cache):
            from pipeline import stamp

            options = stamp.BuildOptions(args.input, args.output, args.reports, not args.no_texts, args.strict,
                                         args.max_bytes, args.max_quarantine, args.allow_shrink)
            key = stamp.build_key(options)
            if stamp.unchanged(args.cache, options, key) is not None:
                print(stamp.nothing_changed(args.output.resolve()))
                return 0
        from pipeline.flows import build_dataset, prefect_api

        if not args.debug:
            _quiet_prefect_tracebacks()
        held.enter_context(prefect_api())
        result = build_dataset(
            input_dir=str(args.input), output=str(args.output), strict=args.strict,
            include_texts=not args.no_texts, max_bytes=args.max_bytes, reports=str(args.reports),
            allow_shrink=args.allow_shrink, max_quarantine=args.max_quarantine, workers=args.workers,
            dask_address=args.dask_address, cache=None if args.no_cache else str(args.cache),
            force=True,  # checked above (or --force, or --no-cache): the flow need not check again
        )
    except BuildFailed as err:
        print(f"build failed: {err}", file=sys.stderr)
        for line in err.failures:
            if line not in str(err):  # the ceiling's line is the message itself: say it once
                print(f"  {line}", file=sys.stderr)
        return _debug(args, 1)
    except (InputRefused, OutputRefused) as err:
        print(f"build refused: {err}", file=sys.stderr)
        return _debug(args, 1)
    except Exception as err:
        if _SERVER_TIMEOUT in str(err):
            from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as timeout

            print(f"build failed: Prefect's temporary server did not answer within {timeout.value()} s (a busy "
                  "machine?); raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS or set PREFECT_API_URL to a "
                  "running server", file=sys.stderr)
            return _debug(args, 1)
        if isinstance(err, OSError) and err.errno in _DISK_ERRORS:
            # Disk full or not writable: the staging folder is already removed, the previous package kept.
            print(f"build failed: {err.strerror} ({err.filename or args.output}); nothing published",
                  file=sys.stderr)
            _report_error(args.reports, started, {"error": f"{type(err).__name__}: {err}"})
            return _debug(args, 1)
        traceback.print_exc()
        _report_error(args.reports, started, {"error": f"{type(err).__name__}: {err}", "input": str(args.input),
                                              "output": str(args.output)})
        print(f"build crashed: {type(err).__name__}: {err} (unexpected; the error is in "
              f"{args.reports}/build-report.json)", file=sys.stderr)
        return 2
    finally:
        held.close()
    print(f"published {result['output']} ({result['summary']}; report: {args.reports}/quality/index.html)")
    return 0


def _debug(args: argparse.Namespace, code: int) -> int:
    """The exit code of an expected failure; with --debug, after the traceback it would hide."""
    if getattr(args, "debug", False):
        traceback.print_exc()
    return code


def _workers(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: the number of workers is 1 or more")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1 (0.02 is 2%)")
    return value


def _validate(args: argparse.Namespace) -> int:
    from pipeline.quality import check_package

    if not args.package.exists():
        print(f"INVALID: {args.package} not found", file=sys.stderr)
        return 1
    from pipeline.untrusted import PackageRefused

    try:
        check = check_package(args.package, args.texts, args.reports, args.previous)
    except PackageRefused as err:  # e.g. a --previous package that names files outside itself
        print(f"INVALID: refused: {err}", file=sys.stderr)
        return 1
    for line in check.failures:
        print(line, file=sys.stderr)
    for line in check.warnings:
        print(f"warning: {line}", file=sys.stderr)
    if check.failures:
        print(f"INVALID: {len(check.failures)} check(s) failed in {args.package}", file=sys.stderr)
        return 1
    print(f"valid: {args.package} ({len(check.warnings)} warning(s))")
    return 0


def _release(args: argparse.Namespace) -> int:
    from pipeline.release import ReleaseRefused, release, release_message
    from pipeline.untrusted import PackageRefused

    try:
        version, archive, diff = release(args.package, args.dist, args.changelog, args.package_yaml, args.bump,
                                         args.previous, args.force)
    except (ReleaseRefused, PackageRefused) as err:
        print(f"release refused: {err}", file=sys.stderr)
        return 1
    print(release_message(version, archive, diff))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from pipeline.diff import diff_packages, open_package
    from pipeline.untrusted import PackageRefused

    try:
        diff = diff_packages(open_package(args.old), open_package(args.new))
    except PackageRefused as err:
        print(f"diff refused: {err}", file=sys.stderr)
        return _debug(args, 1)
    print(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) if args.json else diff.to_markdown(), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the sub-command."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the data package from a folder of articles (Prefect flow)")
    b.add_argument("--input", type=Path, default=Path("seeds"), help="folder of .txt articles [seeds]")
    b.add_argument("--output", type=Path, default=Path("datapackage"), help="package folder [datapackage]")
    b.add_argument("--strict", action="store_true",
                   help="any rejected input or row that fails a row check fails the build (nothing quarantined)")
    b.add_argument("--max-quarantine", type=_fraction, default=0.02, metavar="FRACTION",
                   help="fail the build when more than this share of a table's rows is quarantined [0.02]")
    b.add_argument("--no-texts", action="store_true", help="leave the article texts out of the package")
    b.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest article accepted")
    b.add_argument("--reports", type=Path, default=Path("reports"),
                   help="folder for the quality report (quality/index.html) and a copy of build-report.json [reports]")
    b.add_argument("--allow-shrink", metavar="REASON", default=None,
                   help="why a table may lose more rows than the gate allows against the package at --output")
    b.add_argument("--workers", type=_workers, default=None, metavar="N",
                   help="extraction processes on this machine [one per core]; 1 runs in this process")
    b.add_argument("--dask-address", metavar="tcp://HOST:PORT", default=None,
                   help="extract on the Dask scheduler at this address instead (the package installed on its workers)")
    b.add_argument("--cache", type=Path, default=Path(".cache/extract"), metavar="DIR",
                   help="per-article extraction cache: only new or changed articles are extracted [.cache/extract]")
    b.add_argument("--no-cache", action="store_true", help="extract every article, read and write no cache")
    b.add_argument("--force", action="store_true",
                   help="build even when nothing changed since the last build of --output (same articles, code "
                        "and options: otherwise a no-op)")
    b.add_argument("--debug", action="store_true", help="show the traceback of an expected failure too")
    b.set_defaults(func=_build)
    v = sub.add_parser("validate", help="check a package: frictionless, pandera, hashes, quote spans")
    v.add_argument("package", type=Path)
    v.add_argument("--texts", type=Path, default=None, help="folder with the article texts (--no-texts packages)")
    v.add_argument("--reports", type=Path, default=None, help="write the quality report to DIR/quality/index.html")
    v.add_argument("--previous", type=Path, default=None,
                   help="earlier package: fail a table that lost more rows than the gate allows")
    v.set_defaults(func=_validate)
    r = sub.add_parser("release", help="version, changelog and reproducible zip of a valid package",
                       description="Validate the package, diff it against the previous release, bump its "
                                   "version, prepend the diff to the changelog and write a reproducible zip.")
    r.add_argument("--bump", choices=["auto", "major", "minor", "patch"], default="auto",
                   help="SemVer bump; auto picks it from the diff (README, 'Versions') [auto]")
    r.add_argument("--force", action="store_true",
                   help="release even when nothing changed since the previous release (auto then makes a patch)")
    r.add_argument("--package", type=Path, default=Path("datapackage"), help="package folder to release [datapackage]")
    r.add_argument("--previous", type=Path, default=None, help="previous release (zip or folder) [newest in dist/]")
    r.add_argument("--dist", type=Path, default=Path("dist"), help="folder for the zip and its .sha256 [dist]")
    r.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"),
                   help="changelog the release's diff is prepended to [CHANGELOG.md]")
    r.add_argument("--package-yaml", type=Path, default=Path("schemas/package.yaml"),
                   help="package metadata whose version is bumped [schemas/package.yaml]")
    r.set_defaults(func=_release)
    d = sub.add_parser("diff", help="rows, schema and sources that differ between two packages (folders or zips)")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    d.add_argument("--json", action="store_true", help="JSON for tools instead of Markdown")
    d.add_argument("--debug", action="store_true", help="show the traceback of an expected failure too")
    d.set_defaults(func=_diff)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
