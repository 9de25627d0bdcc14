"""The ``build-dataset`` Prefect flow: wiring only; every step is a plain function in pipeline.build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from pipeline import build
from pipeline.ingest import DEFAULT_MAX_BYTES, Article, IngestResult, ingest_folder
from pipeline.quality import PackageCheck, check_package

CHUNK = 50  # articles per extraction task: enough to amortise a task run, small enough to spread


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(input_dir: Path, max_bytes: int) -> IngestResult:
    return ingest_folder(input_dir, max_bytes)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(articles: list[Article], include_texts: bool) -> list[build.ArticleRows]:
    return [build.extract_article(a, include_texts) for a in articles]


@task(name="stage-package", cache_policy=NO_CACHE)
def stage_task(output: Path, input_dir: Path, ingested: IngestResult, parts: list[build.ArticleRows],
               include_texts: bool) -> tuple[Path | None, dict[str, int], list[str]]:
    tables, failures = build.assemble_tables(parts)
    rows = {name: t.num_rows for name, t in tables.items()}
    if failures:  # pandera refused rows: nothing is staged
        return None, rows, [str(f) for f in failures]
    return build.stage_package(output, input_dir, ingested, tables, include_texts), rows, []


@task(name="validate-package", cache_policy=NO_CACHE)
def validate_task(staging: Path, texts: Path | None, reports: Path, previous: Path | None,
                  allow_shrink: str | None) -> PackageCheck:
    return check_package(staging, texts, reports, previous, allow_shrink)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(staging: Path, output: Path, ok: bool) -> None:
    build.finish(staging, output, ok)


def _summary(report: dict[str, Any], published: bool) -> str:
    """The build-summary markdown artifact, from the build report."""
    suites = (report["quality"].get("great_expectations") or {})
    suites = suites.get("suites", {}) if isinstance(suites, dict) else {}
    lines = [
        "# build-dataset",
        f"- articles in: {report['articles_in']}",
        f"- built: {report['articles_built']}; rejected: {len(report['rejected'])}",
        *(f"  - `{r['file']}`: {r['reason']}" for r in report["rejected"]),
        *(f"- rows in {name}: {n}" for name, n in report["rows"].items()),
        f"- checks failed: {len(report['quality']['failures'])}; warnings: {len(report['quality']['warnings'])}",
        *(f"  - expectations on {name}: {c['passed']}/{c['evaluated']} passed, {c['failed_critical']} failed "
          f"(critical), {c['failed_warning']} warnings" for name, c in suites.items() if isinstance(c, dict)),
        f"- published: {'yes' if published else 'no (previous package left as it was)'}",
    ]
    return "\n".join(lines)


def _failures_table(failures: list[str], warnings: list[str]) -> list[dict[str, str]]:
    return [{"severity": "critical", "check": f} for f in failures] + [
        {"severity": "warning", "check": w} for w in warnings]


@flow(name="build-dataset", log_prints=True)
def build_dataset(
    input_dir: str = "seeds",
    output: str = "datapackage",
    strict: bool = False,
    include_texts: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    reports: str = "reports",
    allow_shrink: str | None = None,
) -> dict[str, Any]:
    """Build the data package from a folder of articles and publish it atomically to ``output``.

    The quality report (Great Expectations Data Docs) and a copy of the build report go to
    ``reports`` (outside the package, which stays byte-reproducible). ``allow_shrink`` is the
    reason a table may lose more rows than the gate allows against the package already at ``output``.
    """
    src, out, reports_dir = Path(input_dir).resolve(), Path(output).resolve(), Path(reports).resolve()
    ingested = ingest_task(src, max_bytes)
    staging, rows, failures, check = None, {}, [], PackageCheck()
    if strict and ingested.rejected:
        failures = [f"--strict: rejected {r.file}: {r.reason}" for r in ingested.rejected]
    else:
        chunks = [ingested.articles[i:i + CHUNK] for i in range(0, len(ingested.articles), CHUNK)]
        parts = [p for fut in extract_task.map(chunks, include_texts) for p in fut.result()]
        staging, rows, failures = stage_task(out, src, ingested, parts, include_texts)
    if staging is not None:
        previous = out if (out / "datapackage.json").is_file() else None
        check = validate_task(staging, None if include_texts else src, reports_dir, previous, allow_shrink)
        failures = check.failures
    pandera = "passed" if staging is not None else "failed" if rows else "not run"
    quality = {**check.quality, "pandera": pandera, "failures": failures, "warnings": check.warnings,
               "allow_shrink": allow_shrink}
    report = build.build_report(ingested, rows, quality)
    ok = staging is not None and not failures
    if staging is not None:
        build.write_report(staging, report)
        publish_task(staging, out, ok)
    reports_dir.mkdir(parents=True, exist_ok=True)
    build.write_report(reports_dir, report)  # also there when nothing was published
    create_markdown_artifact(_summary(report, ok), key="build-summary",
                             description="Articles in and rejected, rows per table, quality checks, published or not")
    # Always posted, so the UI shows an empty table rather than a stale one when all checks pass.
    create_table_artifact(_failures_table(failures, check.warnings), key="build-failures",
                          description="Failed checks (critical) and warnings of this build")
    if failures:
        raise build.BuildFailed(f"{len(failures)} check(s) failed; nothing published", failures)
    return {"output": str(out), "rows": rows, "rejected": len(ingested.rejected), "warnings": len(check.warnings)}
