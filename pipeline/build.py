"""The steps of a build as plain functions; ``flows.py`` wires them into Prefect.

ingest -> per-article extraction -> tables -> row checks (failing rows quarantined)
-> staged package -> package validation -> atomic publish.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow

from pipeline.extract.events import extract_events
from pipeline.extract.statistics import extract_statistics
from pipeline.ingest import Article, IngestResult
from pipeline.publish import ARTICLES_DIR, package_metadata, publish_atomically, staging_dir, write_package
from pipeline.quality_report import counts_line
from pipeline.quarantine import DEFAULT_MAX_QUARANTINE, QuarantinedRow, Screening, screen_rows
from pipeline.tables import EXTRACTED_TABLES, spec, to_arrow
from pipeline.text.dates import PublicationDate, infer_publication_date, parse_published
from pipeline.text.document import cyclic_gc_paused, read_article

REPORT = "build-report.json"
MAX_CHUNK = 250  # most articles per extraction task: a task run costs ~0.1-0.5 s of Prefect bookkeeping


class BuildFailed(Exception):
    """The build stopped before publishing; the previous package is untouched."""

    def __init__(self, message: str, failures: list[str] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


@dataclass
class ArticleRows:
    """What one article contributes to the tables."""

    source: dict[str, Any]
    statistics: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def publication_date(article: Article) -> PublicationDate:
    """The manifest's date when given, else what the text supports, else unknown."""
    if article.published:
        return parse_published(article.published)
    return infer_publication_date(article.text)


def source_row(article: Article, published: PublicationDate, include_texts: bool) -> dict[str, Any]:
    """The article's row of the ``sources`` table."""
    return {
        "source_id": article.source_id,
        "title": article.title,
        "publisher": article.publisher,
        "url": article.url,
        "published_date": published.start,
        "published_date_precision": published.precision,
        "published_date_basis": published.basis,
        "language": article.language,
        "sha256": article.sha256,
        "bytes": article.bytes,
        "characters": len(article.text),
        "path": f"{ARTICLES_DIR}/{article.source_id}.txt" if include_texts else article.file,
    }


def extract_article(article: Article, include_texts: bool = True) -> ArticleRows:
    """All rows one article yields (pure: same article, same rows)."""
    published = publication_date(article)
    doc = read_article(article.text, published, article.language)  # read once, interpreted by both
    return ArticleRows(
        source=source_row(article, published, include_texts),
        statistics=extract_statistics(doc, article.source_id),
        events=extract_events(doc, article.source_id),
    )


def extract_articles(articles: list[Article], include_texts: bool = True) -> list[ArticleRows]:
    """``extract_article`` for a chunk of articles (at most MAX_CHUNK), with the cyclic garbage collector
    paused until the chunk is done: the reading leaves no reference cycles (see ``cyclic_gc_paused``), so
    the collections its allocations trigger would walk every long-lived object of the lexicons for nothing,
    and pausing per article would only move one collection to the end of each."""
    with cyclic_gc_paused():
        return [extract_article(a, include_texts) for a in articles]


def assemble_tables(per_article: list[ArticleRows]) -> dict[str, pyarrow.Table]:
    """Rows of every article -> one Arrow table per resource (checked next by ``screen``)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in EXTRACTED_TABLES}
    for part in per_article:
        rows["sources"].append(part.source)
        rows["statistics"] += part.statistics
        rows["events"] += part.events
    return {name: to_arrow(name, rows[name]) for name in EXTRACTED_TABLES}


def concat_tables(parts: list[dict[str, pyarrow.Table]]) -> dict[str, pyarrow.Table]:
    """Tables assembled chunk by chunk (``assemble_tables`` on each) -> one table per resource, sorted by
    primary key as ``to_arrow`` sorts: the same table as ``assemble_tables`` on all the rows at once, without
    every article's rows held as Python objects at the same time."""
    out = {}
    for name in EXTRACTED_TABLES:
        pieces = [p[name] for p in parts]
        table = pyarrow.concat_tables(pieces) if pieces else to_arrow(name, [])
        out[name] = table.sort_by(spec(name).primary_key).combine_chunks()
    return out


def screen(tables: dict[str, pyarrow.Table], ingested: IngestResult, max_quarantine: float = DEFAULT_MAX_QUARANTINE,
           strict: bool = False) -> Screening:
    """The row checks on the assembled tables: failing rows set aside (pipeline.quarantine)."""
    texts: dict[str, str | None] = {a.source_id: a.text for a in ingested.articles}
    files = {a.source_id: a.file for a in ingested.articles}
    return screen_rows(tables, texts, files, max_quarantine, strict)


def build_report(ingested: IngestResult, rows: dict[str, int], quality: dict[str, Any],
                 quarantine: list[QuarantinedRow] | None = None, published: bool = False) -> dict:
    """The build report: inputs, rejects with reasons, rows per table (published), rows quarantined
    with their reasons, checks. No timings (reproducible)."""
    quarantine = quarantine or []
    return {
        "articles_in": ingested.articles_in,
        "articles_built": len(ingested.articles),
        "articles": [{"file": a.file, "source_id": a.source_id, "sha256": a.sha256} for a in ingested.articles],
        "rejected": [{"file": r.file, "reason": r.reason} for r in ingested.rejected],
        "warnings": list(ingested.warnings),
        "rows": rows,
        "rows_quarantined": {name: sum(r.table == name for r in quarantine) for name in EXTRACTED_TABLES},
        "quarantine": [r.to_json() for r in quarantine],
        "quality": quality,
        "published": published,
    }


def build_result(output: Path, report: dict[str, Any], extracted: int) -> dict[str, Any]:
    """What a build returns: where it published, rows per table and the counts, all read from its build
    report (so a no-op rebuild returns what the build it stands for returned), and how many articles it
    extracted."""
    return {"output": str(output), "rows": report["rows"], "rejected": len(report["rejected"]),
            "warnings": len(report["quality"]["warnings"]), "quarantined": len(report["quarantine"]),
            "summary": counts_line(report), "extracted": extracted}


def stage_package(
    target: Path,
    input_dir: Path,
    ingested: IngestResult,
    tables: dict[str, pyarrow.Table],
    include_texts: bool,
) -> Path:
    """Write the whole package into a staging folder beside ``target``; return that folder."""
    staging = staging_dir(target)
    articles = {a.source_id: input_dir / a.file for a in ingested.articles} if include_texts else None
    write_package(staging, tables, articles, package_metadata())
    return staging


def write_report(root: Path, report: dict[str, Any]) -> None:
    """``build-report.json`` with sorted keys, so two builds of the same inputs match byte for byte."""
    (root / REPORT).write_text(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                               encoding="utf-8")


def finish(staging: Path, target: Path, ok: bool) -> None:
    """Publish the staged package, or throw it away and leave ``target`` as it was."""
    if ok:
        publish_atomically(staging, target)
    else:
        shutil.rmtree(staging, ignore_errors=True)
