"""Command line: ``python -m pipeline build|validate|release|diff``.

The contract outside tools rely on (keep it stable):
  build --input DIR --output DIR [--strict] [--no-texts] [--reports DIR] [--allow-shrink REASON]
                                                           exit 0 when published
  validate DIR|ZIP [--texts DIR] [--reports DIR] [--previous DIR|ZIP]
                                                           exit 0 only when valid
  release [--bump auto|major|minor|patch] [--force]        dist/<name>-<version>.zip + .sha256
  diff OLD NEW [--json]                                    folders or zips
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.ingest import DEFAULT_MAX_BYTES


def _build(args: argparse.Namespace) -> int:
    from pipeline.build import BuildFailed
    from pipeline.flows import build_dataset

    try:
        result = build_dataset(
            input_dir=str(args.input), output=str(args.output), strict=args.strict,
            include_texts=not args.no_texts, max_bytes=args.max_bytes, reports=str(args.reports),
            allow_shrink=args.allow_shrink,
        )
    except BuildFailed as err:
        print(f"build failed: {err}", file=sys.stderr)
        for line in err.failures:
            print(f"  {line}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{k}={v}" for k, v in result["rows"].items())
    print(f"published {result['output']} ({rows}; rejected articles: {result['rejected']}; "
          f"quality warnings: {result['warnings']}; report: {args.reports}/quality/index.html)")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from pipeline.quality import check_package

    check = check_package(args.package, args.texts, args.reports, args.previous)
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

    try:
        version, archive, diff = release(args.package, args.dist, args.changelog, args.package_yaml, args.bump,
                                         args.previous, args.force)
    except ReleaseRefused as err:
        print(f"release refused: {err}", file=sys.stderr)
        return 1
    print(release_message(version, archive, diff))
    return 0


def _diff(args: argparse.Namespace) -> int:
    import json

    from pipeline.diff import diff_packages, open_package

    diff = diff_packages(open_package(args.old), open_package(args.new))
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
    b.add_argument("--strict", action="store_true", help="any rejected input fails the build")
    b.add_argument("--no-texts", action="store_true", help="leave the article texts out of the package")
    b.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest article accepted")
    b.add_argument("--reports", type=Path, default=Path("reports"),
                   help="folder for the quality report (quality/index.html) and a copy of build-report.json [reports]")
    b.add_argument("--allow-shrink", metavar="REASON", default=None,
                   help="why a table may lose more rows than the gate allows against the package at --output")
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
    d.set_defaults(func=_diff)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
