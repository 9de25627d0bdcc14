"""The ``build-dataset`` Prefect flow: wiring only; every step is a plain function in pipeline.build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from pipeline import build
from pipeline.ingest import DEFAULT_MAX_BYTES, Article, IngestResult, ingest_folder
from pipeline.quality import validate_package

CHUNK = 50  # articles per extraction task: enough to amortise a task run, small enough to spread


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(input_dir: Path, max_bytes: int) -> IngestResult:
    return ingest_folder(input_dir, max_bytes)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(articles: list[Article], include_texts: bool) -> list[build.ArticleRows]:
    return [build.extract_article(a, include_texts) for a in articles]


@task(name="stage-package", cache_policy=NO_CACHE)
def stage_task(output: Path, input_dir: Path, ingested: IngestResult, parts: list[build.ArticleRows],
               include_texts: bool) -> tuple[Path, dict[str, int], list[str]]:
    tables, failures = build.assemble_tables(parts)
    rows = {name: t.num_rows for name, t in tables.items()}
    if failures:
        return Path(), rows, [str(f) for f in failures]
    staging = build.stage_package(output, input_dir, ingested, tables, include_texts)
    report = build.build_report(ingested, tables, {"pandera": "passed"})
    build.write_report(staging, report)
    return staging, rows, []


@task(name="validate-package", cache_policy=NO_CACHE)
def validate_task(staging: Path, texts: Path | None) -> list[str]:
    return validate_package(staging, texts)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(staging: Path, output: Path, ok: bool) -> None:
    build.finish(staging, output, ok)


def _summary(ingested: IngestResult, rows: dict[str, int], failures: list[str], published: bool) -> str:
    lines = [
        "# build-dataset",
        f"- articles in: {len(ingested.articles) + len(ingested.rejected)}",
        f"- built: {len(ingested.articles)}; rejected: {len(ingested.rejected)}",
        *(f"  - `{r.file}`: {r.reason}" for r in ingested.rejected),
        *(f"- rows in {name}: {n}" for name, n in rows.items()),
        f"- checks failed: {len(failures)}",
        f"- published: {'yes' if published else 'no (previous package left as it was)'}",
    ]
    return "\n".join(lines)


@flow(name="build-dataset", log_prints=True)
def build_dataset(
    input_dir: str = "seeds",
    output: str = "datapackage",
    strict: bool = False,
    include_texts: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """Build the data package from a folder of articles and publish it atomically to ``output``."""
    src, out = Path(input_dir).resolve(), Path(output).resolve()
    ingested = ingest_task(src, max_bytes)
    if strict and ingested.rejected:
        failures = [f"rejected {r.file}: {r.reason}" for r in ingested.rejected]
        create_markdown_artifact(_summary(ingested, {}, failures, False), key="build-summary")
        raise build.BuildFailed("--strict: input was rejected; nothing published", failures)
    chunks = [ingested.articles[i:i + CHUNK] for i in range(0, len(ingested.articles), CHUNK)]
    parts = [p for fut in extract_task.map(chunks, include_texts) for p in fut.result()]
    staging, rows, failures = stage_task(out, src, ingested, parts, include_texts)
    if not failures:
        failures = validate_task(staging, None if include_texts else src)
    ok = not failures
    if staging != Path():
        publish_task(staging, out, ok)
    create_markdown_artifact(_summary(ingested, rows, failures, ok), key="build-summary")
    if failures:
        create_table_artifact([{"failure": f} for f in failures], key="build-failures")
        raise build.BuildFailed(f"{len(failures)} check(s) failed; nothing published", failures)
    return {"output": str(out), "rows": rows, "rejected": len(ingested.rejected)}
