"""The ``build-dataset`` Prefect flow: wiring only; every step is a plain function in pipeline.build."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import math
import os
import queue
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import unmapped

from pipeline import build, stamp
from pipeline.cache import ExtractionCache, encode_entry
from pipeline.derive import derive_tables
from pipeline.guard import guarded_build
from pipeline.ingest import DEFAULT_MAX_BYTES, Article, IngestResult, ingest_folder
from pipeline.quality import PackageCheck, check_package
from pipeline.quality_report import counts_line, report_counts, write_build_page
from pipeline.quarantine import DEFAULT_MAX_QUARANTINE, Screening
from pipeline.text.cues import release_lemma_tables

MAX_CHUNK = build.MAX_CHUNK  # most articles per extraction task (defined with the extraction of a chunk)
TASKS_PER_WORKER = 4  # at least this many tasks per worker: the last one to finish leaves the others idle
# Below this many articles to extract, the default (one worker per core) extracts in-process: a local
# cluster costs ~9 s (its processes import spaCy and Prefect, and each task reports to Prefect's API) while
# one core extracts ~140 articles/s, so on 2 cores it pays off from ~2,500 articles (bench/build.py).
PARALLEL_FROM = 2500
SPREAD = 8  # a small corpus is cut into at least this many tasks, so that every worker gets some
LOGGED_ROWS = 100  # quarantined rows logged one by one; all of them are in build-report.json


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(input_dir: Path, max_bytes: int) -> IngestResult:
    return ingest_folder(input_dir, max_bytes)


@dataclass
class ExtractedChunk:
    """What an extraction task sends back: its articles' rows as Arrow tables (compact to pickle, unlike
    a dict per row) and, when the flow keeps a cache, each article's cache entry, encoded in the worker."""

    tables: dict[str, pyarrow.Table]
    entries: list[bytes] | None = None


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(articles: list[Article], include_texts: bool, entries: bool = False) -> ExtractedChunk:
    rows = build.extract_articles(articles, include_texts)
    chunk = ExtractedChunk(build.assemble_tables(rows), [encode_entry(r) for r in rows] if entries else None)
    del rows
    release_lemma_tables()  # the vocabularies are compiled by now
    release_memory(collect=False)  # a worker process lives on to the next chunk: give back this one's garbage
    return chunk


def chunk_size(todo: int, workers: int) -> int:
    """Articles per extraction task: few, large tasks (at least TASKS_PER_WORKER per worker and SPREAD in
    all, at most MAX_CHUNK articles each), because every task run costs Prefect bookkeeping in the worker,
    the flow and the API server, which on a small machine share the cores the extraction needs."""
    tasks = max(SPREAD, TASKS_PER_WORKER * workers)
    return max(1, min(MAX_CHUNK, math.ceil(todo / tasks)))


@task(name="check-rows", cache_policy=NO_CACHE)
def screen_task(tables: dict[str, pyarrow.Table], ingested: IngestResult, max_quarantine: float,
                strict: bool) -> Screening:
    return build.screen(tables, ingested, max_quarantine, strict)


@task(name="derive-cross-source", cache_policy=NO_CACHE)
def derive_task(tables: dict[str, pyarrow.Table]) -> dict[str, pyarrow.Table]:
    return derive_tables(tables)


@task(name="stage-package", cache_policy=NO_CACHE)
def stage_task(output: Path, input_dir: Path, ingested: IngestResult, screening: Screening,
               include_texts: bool) -> Path:
    return build.stage_package(output, input_dir, ingested, screening.tables, include_texts)


@task(name="validate-package", cache_policy=NO_CACHE)
def validate_task(staging: Path, texts: Path | None, reports: Path, previous: Path | None,
                  allow_shrink: str | None) -> PackageCheck:
    return check_package(staging, texts, reports, previous, allow_shrink)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(staging: Path, output: Path, ok: bool) -> None:
    build.finish(staging, output, ok)


@contextlib.contextmanager
def prefect_api() -> Iterator[None]:
    """Run a build inside this: with no ``PREFECT_API_URL``, start Prefect's temporary server here and point
    ``PREFECT_API_URL`` at it, so that tasks in Dask worker processes report to the flow's own server rather
    than each starting a temporary server of its own. (Workers of a cluster on other machines need a
    Prefect server they can reach: set ``PREFECT_API_URL`` to it.)"""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one Prefect itself would start (stopped when the process exits)
    # While the server starts (its own process; this one only waits for it), import what the validation
    # stage needs later (Great Expectations: seconds of imports). Joined before the flow runs, so no
    # import of the flow races with it.
    warm = threading.Thread(target=_preimport, name="preimport", daemon=True)
    warm.start()
    try:
        server.start()
    finally:
        warm.join()
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url  # inherited by local worker processes
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):  # sent with each task to any worker
            yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


PREIMPORTED = ("great_expectations",)  # imported by the validation stage; heavy, and needed by every build


def _preimport() -> None:
    """Import PREIMPORTED; a failure here is left for the import that needs the module to report."""
    import importlib

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # as run_expectations sets it: GX reads it on import
    for name in PREIMPORTED:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def task_runner(workers: int | None = 1, dask_address: str | None = None) -> TaskRunner:
    """Where extraction runs: the Dask scheduler at ``dask_address``; else a local Dask cluster of
    ``workers`` processes (None: one per core); ``workers=1`` runs in this process."""
    # Dask's own INFO lines (workers joining and leaving) would drown the build's log.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise ValueError(f"workers must be 1 or more (got {n})")
    if n == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask import DaskTaskRunner

    # Processes, one thread each: extraction is pure Python and holds the GIL. No dashboard: a build
    # opens no port beyond the cluster's own, on the loopback interface.
    return DaskTaskRunner(cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True,
                                          "host": "127.0.0.1", "dashboard_address": None})


def extract_all(articles: list[Article], include_texts: bool, workers: int | None, dask_address: str | None,
                cache: ExtractionCache | None, logger: logging.Logger | logging.LoggerAdapter,
                ) -> tuple[dict[str, pyarrow.Table], int]:
    """The tables of every article's rows, from ``cache`` where it holds them, else extracted in tasks on
    ``task_runner(workers, dask_address)`` (and then cached). Returns the tables and how many articles were
    extracted. Rows become Arrow tables chunk by chunk as they arrive, so the rows of the whole corpus are
    never held as Python objects at once. With ``workers=None`` (one per core) fewer than PARALLEL_FROM
    articles to extract, and with ``workers=N`` fewer than N, stay in this process: starting a cluster
    would cost more than it saves."""
    parts: dict[int, dict[str, pyarrow.Table]] = {}  # by the position of a chunk's first article
    todo: list[int] = []
    hits: list[tuple[int, build.ArticleRows]] = []
    for i, article in enumerate(articles):
        rows = cache.get(article, include_texts) if cache is not None else None
        if rows is None:
            todo.append(i)
        else:
            hits.append((i, rows))
        if len(hits) == MAX_CHUNK or (hits and i == len(articles) - 1):
            parts[hits[0][0]] = build.assemble_tables([r for _, r in hits])
            hits = []
    if not dask_address and (len(todo) < PARALLEL_FROM if workers is None else len(todo) < workers):
        workers = 1  # e.g. one article added: no cluster to start for it
    runner = task_runner(workers, dask_address)
    if cache is not None:
        logger.info("extraction cache: %s", cache.folder)
    size = chunk_size(len(todo), workers if workers is not None else (os.cpu_count() or 1))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    progress = ExtractionProgress(logger, len(todo))
    unwritable = None
    try:
        with runner if chunks else contextlib.nullcontext():  # nothing to extract: no cluster to start
            try:  # the Dask client connects on the first task
                batches = [[articles[i] for i in c] for c in chunks]
                futures: list[PrefectFuture[ExtractedChunk] | None] = list(runner.map(
                    extract_task, {"articles": batches, "include_texts": unmapped(include_texts),
                                   "entries": unmapped(cache is not None)})) if chunks else []
                del batches
            except (OSError, TimeoutError) as err:
                if not dask_address:
                    raise
                raise build.BuildFailed(f"cannot reach the Dask scheduler at {dask_address} ({err}); "
                                        "nothing published") from err
            for n in _completed(futures):  # progress as chunks finish
                chunk = chunks[n]
                done: ExtractedChunk = _take_result(futures, n)
                for i, entry in zip(chunk, done.entries or [], strict=False):
                    if cache is not None and unwritable is None:
                        try:
                            cache.put_entry(articles[i], include_texts, entry)
                        except OSError as err:  # a cache is a speed-up: the build goes on without it
                            unwritable = err
                            logger.warning("extraction cache %s not written: %s", cache.folder, err)
                parts[chunk[0]] = done.tables
                progress.advance(len(chunk))
    finally:
        progress.close()
    logger.info("extracted %d article(s), %d from the cache", len(todo), len(articles) - len(todo))
    return build.concat_tables([parts[k] for k in sorted(parts)]), len(todo)


def release_memory(collect: bool = True) -> None:
    """Give back what the stages so far have freed: Python's unreachable cycles (with ``collect``), Arrow's
    pool, and the free pages of the C heap (glibc's ``malloc_trim``; freed memory otherwise stays with the
    process), so that the next stage's own peak is not stacked on the last one's."""
    if collect:
        gc.collect()
    pyarrow.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _completed(futures: list[PrefectFuture[ExtractedChunk] | None]) -> Iterator[int]:
    """The index of each future as it finishes. (Not ``prefect.futures.as_completed``: it holds every
    future, and so every chunk's result, until the last one is done.)"""
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    for n, fut in enumerate(futures):
        if fut is not None:
            fut.add_done_callback(lambda _fut, n=n: finished.put(n))
    for _ in range(sum(f is not None for f in futures)):
        yield finished.get()


def _take_result(futures: list[PrefectFuture[ExtractedChunk] | None], n: int) -> ExtractedChunk:
    """The result of ``futures[n]``, which is then let go, here and, on a Dask cluster, in the worker that
    holds it: a chunk's rows stay in memory only until the flow has them (workers kept every chunk they
    extracted until the end of the stage)."""
    fut, futures[n] = futures[n], None
    assert fut is not None
    try:
        return fut.result()
    finally:
        release = getattr(getattr(fut, "wrapped_future", None), "release", None)  # a distributed.Future's
        if callable(release):
            release()


class ExtractionProgress:
    """Extraction progress: a log line per chunk (Prefect's logs, and the terminal through them) and,
    when stderr is a terminal, a progress bar as well."""

    def __init__(self, logger: logging.Logger | logging.LoggerAdapter, total: int) -> None:
        self.logger, self.total, self.done = logger, total, 0
        self.bar: Any = None
        if sys.stderr.isatty() and total:
            from rich.progress import Progress  # installed with Prefect

            self.bar = Progress(transient=True)
            self.task = self.bar.add_task("extracting", total=total)
            self.bar.start()

    def advance(self, articles: int) -> None:
        """One chunk of ``articles`` is done."""
        self.done += articles
        self.logger.info("extracted %d/%d articles", self.done, self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        """Take the bar off the terminal."""
        if self.bar is not None:
            self.bar.stop()


def summary_markdown(report: dict[str, Any]) -> str:
    """The build-summary markdown artifact, from the build report."""
    suites = (report["quality"].get("great_expectations") or {})
    suites = suites.get("suites", {}) if isinstance(suites, dict) else {}
    counts = report_counts(report)
    lines = [
        "# build-dataset",
        f"- {counts_line(report)}",
        f"- articles in: {report['articles_in']}",
        f"- built: {report['articles_built']}; rejected: {counts['rejected']}",
        *(f"  - `{r['file']}`: {r['reason']}" for r in report["rejected"]),
        *(f"- rows in {name}: {n} (quarantined: {report.get('rows_quarantined', {}).get(name, 0)})"
          for name, n in report["rows"].items()),
        f"- rows quarantined: {counts['quarantined']}",
        *(f"  - {_row_line(q)}" for q in report.get("quarantine", [])),
        f"- checks failed: {counts['failed']}; warnings: {counts['warnings']}",
        *(f"  - expectations on {name}: {c['passed']}/{c['evaluated']} passed, {c['failed_critical']} failed "
          f"(critical), {c['failed_warning']} warnings" for name, c in suites.items() if isinstance(c, dict)),
        f"- published: {'yes' if report.get('published') else 'no (previous package left as it was)'}",
    ]
    return "\n".join(lines)


def _row_line(q: dict[str, Any]) -> str:
    from pipeline.quarantine import short_quote

    quote = f' — "{short_quote(q["quote"])}"' if q.get("quote") else ""
    return f"{q['table']} {q['row_id']} (file {q['file']}): {q['check']}: {q['values']}{quote}"


def failures_table(report: dict[str, Any]) -> list[dict[str, str]]:
    """The build-failures table artifact: one row per failed check, quarantined row and warning."""
    quality = report["quality"]
    return ([{"severity": "critical", "check": f} for f in quality["failures"]]
            + [{"severity": "quarantined", "check": _row_line(q)} for q in report.get("quarantine", [])]
            + [{"severity": "warning", "check": w} for w in quality["warnings"]])


@flow(name="build-dataset", log_prints=True)
@guarded_build
def build_dataset(
    input_dir: str = "seeds",
    output: str = "datapackage",
    strict: bool = False,
    include_texts: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    reports: str = "reports",
    allow_shrink: str | None = None,
    max_quarantine: float = DEFAULT_MAX_QUARANTINE,
    workers: int | None = 1,
    dask_address: str | None = None,
    cache: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Build the data package from a folder of articles and publish it atomically to ``output``.

    A row that fails a row check is quarantined (listed in build-report.json, not published) unless
    ``strict``; more than ``max_quarantine`` of a table's rows quarantined fails the build. The quality
    report and a copy of the build report go to ``reports`` (outside the package, which stays
    byte-reproducible). ``allow_shrink`` is the reason a table may lose more rows than the gate allows
    against the package already at ``output``. Extraction runs on ``workers`` local processes (None: one per
    core; 1: in this process) or on the Dask scheduler at ``dask_address``; with ``cache`` (a folder), an
    article whose extraction is cached there is not extracted again, and, unless ``force``, a build whose
    articles, code and options are those of the build that published the package at ``output`` (its stamp
    in ``cache``, pipeline.stamp) leaves the package as it was and returns what that build returned.
    """
    logger = get_run_logger()
    src, out, reports_dir = Path(input_dir).resolve(), Path(output).resolve(), Path(reports).resolve()
    options = stamp.BuildOptions(src, out, reports_dir, include_texts, strict, max_bytes, max_quarantine,
                                 allow_shrink)
    key = stamp.build_key(options) if cache else None  # before ingest: what this build reads is what it stamps
    if key and not force:
        previous = stamp.unchanged(Path(cache), options, key)
        if previous is not None:
            logger.info(stamp.nothing_changed(out))
            return build.build_result(out, previous, 0)
    if key:
        stamp.forget(Path(cache), out)  # the reports (and maybe the package) are about to change
    ingested = ingest_task(src, max_bytes)
    logger.info("found %d article(s) in %s; rejected %d", len(ingested.articles) + len(ingested.rejected), src,
                len(ingested.rejected))
    for r in ingested.rejected:
        logger.warning("rejected %s: %s", r.file, r.reason)
    staging, failures, reason, check, extracted = None, [], None, PackageCheck(), 0
    screening = Screening(tables={})
    if strict and ingested.rejected:
        failures = [f"--strict: rejected {r.file}: {r.reason}" for r in ingested.rejected]
    else:
        tables, extracted = extract_all(ingested.articles, include_texts, workers, dask_address,
                                       ExtractionCache(Path(cache)) if cache else None, logger)
        screening = screen_task(tables, ingested, max_quarantine, strict)
        del tables  # the screened tables replace them
        logger.info("rows extracted: %s", ", ".join(f"{k}={v}" for k, v in screening.extracted.items()))
        logger.info("rows quarantined: %d", len(screening.quarantine))
        for row in screening.quarantine[:LOGGED_ROWS]:
            logger.warning("quarantined %s", row.line())
        if len(screening.quarantine) > LOGGED_ROWS:
            logger.warning("... and %d more quarantined rows (build-report.json)",
                           len(screening.quarantine) - LOGGED_ROWS)
        failures, reason = list(screening.failures), screening.reason
        if not failures:
            screening.tables = derive_task(screening.tables)
            staging = stage_task(out, src, ingested, screening, include_texts)
    rows = {name: t.num_rows for name, t in screening.tables.items()}
    pandera = "not run" if not screening.tables else "failed" if screening.package_failures else "passed"
    if staging is not None:
        # The staged files are the package now: the validation stage reads them, and its own copies of the
        # tables (pandera, Great Expectations) need not sit beside these.
        screening.tables.clear()
        release_memory()
        previous = out if (out / "datapackage.json").is_file() else None
        check = validate_task(staging, None if include_texts else src, reports_dir, previous, allow_shrink)
        failures = check.failures
    quality = {**check.quality, "pandera": pandera, "failures": failures, "warnings": check.warnings,
               "allow_shrink": allow_shrink, "max_quarantine": max_quarantine}
    ok = staging is not None and not failures
    report = build.build_report(ingested, rows, quality, screening.quarantine, published=ok)
    suites = check.expectations.counts.values() if check.expectations is not None else []
    logger.info("checks: %d failed, %d warning(s); expectations passed: %d/%d", len(failures), len(check.warnings),
                sum(c["passed"] for c in suites), sum(c["evaluated"] for c in suites))
    if staging is not None:
        build.write_report(staging, report)
        publish_task(staging, out, ok)
    reports_dir.mkdir(parents=True, exist_ok=True)
    build.write_report(reports_dir, report)  # also there when nothing was published
    write_build_page(reports_dir / "quality", report, check.expectations, allow_shrink)
    create_markdown_artifact(summary_markdown(report), key="build-summary",
                             description="Articles in and rejected, rows per table, quality checks, published or not")
    # Always posted, so the UI shows an empty table rather than a stale one when all checks pass.
    create_table_artifact(failures_table(report), key="build-failures",
                          description="Failed checks (critical), quarantined rows and warnings of this build")
    if not ok:
        message = reason or f"{len(failures)} check(s) failed"
        logger.error("not published: %s", message)
        raise build.BuildFailed(f"{message}; nothing published (see {reports_dir / build.REPORT})", failures)
    logger.info("published %s (%s)", out, counts_line(report))
    if key:
        try:
            stamp.write_stamp(Path(cache), options, key)
        except (OSError, ValueError) as err:  # a stamp is a speed-up: without it the next build is a full one
            logger.warning("build stamp %s not written: %s", stamp.stamp_path(Path(cache), out),
                           getattr(err, "strerror", None) or err)
    return build.build_result(out, report, extracted)
