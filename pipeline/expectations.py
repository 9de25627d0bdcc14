"""Great Expectations: the dataset-level suites in schemas/expectations/, run on a package.

The suites are files; what they compare against comes from the schemas at run
time through GX suite parameters (vocabularies, plausibility bounds, the
previous package's row counts), so nothing is copied by hand. Checks that need
more than one table (a source exists, a quote matches its span, days after
publication) are derived as columns first. Each expectation carries a
severity: a failed ``critical`` one stops the build, a ``warning`` is reported.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import pipeline.tables
from pipeline.claims import claim_key, claim_row, conflicting
from pipeline.entities import PLACE_KINDS
from pipeline.ids import make_id
from pipeline.quality_report import write_index
from pipeline.tables import TABLES, plausible, publication_anchors, spec

SHRINK_ALLOWED = 0.2  # a table may lose at most this share of its rows against the previous package
MAX_LISTED = 20  # row ids listed per failed expectation (GX lists at most 20 unexpected values too)


@dataclass
class ExpectationsResult:
    """What the suites found."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # one per expectation evaluated

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The expectations that failed, critical and warning."""
        return [{k: v for k, v in o.items() if k != "success"} for o in self.outcomes if not o["success"]]

    @property
    def critical_failed(self) -> bool:
        """True when a critical expectation failed: the build must not publish."""
        return any(f["severity"] == "critical" for f in self.failures)

    def messages(self, severity: str = "critical") -> list[str]:
        """Failures of one severity as one line each."""
        return [f"resource {f['table']}: {'rows ' + ', '.join(f['rows']) + ': ' if f['rows'] else ''}"
                f"column {f['column'] or '-'}: expectation {f['expectation']} failed ({f['severity']}): "
                f"{f['notes']} unexpected: {f['unexpected']}"
                for f in self.failures if f["severity"] == severity]

    def summary(self) -> dict[str, Any]:
        """JSON-able, deterministic (no run ids, no times), for build-report.json."""
        return {"suites": self.counts, "failures": self.failures}


def suite_path(name: str) -> Path:
    """The suite file of a table: ``schemas/expectations/<table>.json``."""
    return pipeline.tables.SCHEMA_DIR / "expectations" / f"{name}.json"


def published_end(row: dict[str, Any]) -> dt.date | None:
    """The last day a source may have appeared on, from its published date and precision."""
    d, precision = row["published_date"], row["published_date_precision"]
    if d is None:
        return None
    if precision == "year":
        return dt.date(d.year, 12, 31)
    if precision == "month":
        return dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    return d


def derive_frames(tables: dict[str, Any], texts: dict[str, str | None]) -> dict[str, pd.DataFrame]:
    """Each table as a DataFrame plus the derived columns the suites check."""
    sources = tables["sources"].to_pylist()
    pub_end = {r["source_id"]: published_end(r) for r in sources}
    anchor = publication_anchors(sources)  # an inferred lower bound is no anchor (schemas/plausible.yaml)
    bounds = plausible()["value_by_unit"]
    frames = {"sources": pd.DataFrame(sources)}
    for name, start_col in (("statistics", "period_start"), ("events", "date_start")):
        rows = tables[name].to_pylist()
        for r in rows:
            text = texts.get(r["source_id"])
            r["source_exists"] = r["source_id"] in pub_end
            r["quote_matches_span"] = text is None or text[r["char_start"]:r["char_end"]] == r["quote"]
            start, end = r[start_col], pub_end.get(r["source_id"])
            r["days_after_publication"] = (start - end).days if start and end else None  # a warning
            last = anchor.get(r["source_id"])
            r["days_after_anchor"] = (start - last).days if start and last else None  # critical when years
            r["year_start"] = start.year if start else None
            if name == "statistics":
                lo, hi = bounds.get(r["unit"], [float("-inf"), float("inf")])
                r["value_plausible"] = bool(lo <= r["value"] <= hi)
            r.pop("actors", None)  # lists are not what these suites look at
        columns = [f for f in spec(name).field_names if f != "actors"]
        columns += ["source_exists", "quote_matches_span", "days_after_publication", "days_after_anchor",
                    "year_start"]
        if name == "statistics":
            columns.append("value_plausible")
        if name == "events":
            columns.append("cluster_exists")
        frames[name] = pd.DataFrame(rows, columns=columns)
    frames.update(claim_frames(tables))
    frames.update(cluster_frames(tables, frames["events"]))
    frames.update(entity_frames(tables, texts, frames["events"]))
    return frames


def entity_frames(tables: dict[str, Any], texts: dict[str, str | None],
                  events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``entities`` and ``mentions`` with the columns their suites check against the other tables and the
    article texts, and ``events.actors_known`` (set in place on ``events``: every actor is an entity)."""
    entities = tables["entities"].to_pylist() if "entities" in tables else []
    mentions = tables["mentions"].to_pylist() if "mentions" in tables else []
    actor_names = {e["name"] for e in entities if e["kind"] not in PLACE_KINDS}
    events["actors_known"] = [all(a in actor_names for a in names or [])
                              for names in tables["events"].column("actors").to_pylist()]
    spans = {}  # row id -> (source, quote span)
    for table, key in (("statistics", "statistic_id"), ("events", "event_id")):
        for r in tables[table].select([key, "source_id", "char_start", "char_end"]).to_pylist():
            spans[r[key]] = (r["source_id"], r["char_start"], r["char_end"])
    known = {e["entity_id"] for e in entities}
    sources = set(tables["sources"].column("source_id").to_pylist())
    counted: dict[str, list[str]] = {}
    for m in mentions:
        counted.setdefault(m["entity_id"], []).append(m["source_id"])
        m["entity_exists"] = m["entity_id"] in known
        m["source_exists"] = m["source_id"] in sources
        row = m["statistic_id"] if m["event_id"] is None else m["event_id"] if m["statistic_id"] is None else None
        span = spans.get(row) if row is not None else None
        m["row_exists"] = span is not None and span[0] == m["source_id"]
        m["within_row_quote"] = span is not None and span[1] <= m["char_start"] < m["char_end"] <= span[2]
        text = texts.get(m["source_id"])
        m["quote_matches_span"] = text is None or text[m["char_start"]:m["char_end"]] == m["quote"]
    for e in entities:
        e.pop("aliases", None)  # lists are not what the suite looks at
        got = counted.get(e["entity_id"], [])
        e["counts_agree"] = e["n_mentions"] == len(got) and e["n_sources"] == len(set(got))
    columns = [f for f in spec("entities").field_names if f != "aliases"]
    return {"entities": pd.DataFrame(entities, columns=columns + ["counts_agree"]),
            "mentions": pd.DataFrame(mentions, columns=spec("mentions").field_names + [
                "entity_exists", "source_exists", "row_exists", "within_row_quote", "quote_matches_span"])}


def cluster_frames(tables: dict[str, Any], events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``event_clusters`` with the columns its suite checks against the events (``n_linked``: member
    events; ``counts_agree``: n_events and n_sources are those of the members; ``sources_within_events``),
    and ``events.cluster_exists`` (set in place on ``events``: every event is in a cluster that exists)."""
    clusters = tables["event_clusters"].to_pylist() if "event_clusters" in tables else []
    known = {c["cluster_id"] for c in clusters}
    events["cluster_exists"] = [cid in known for cid in events["cluster_id"]] if "cluster_id" in events else []
    members: dict[str, list[str]] = {}
    for row in tables["events"].select(["event_id", "source_id", "cluster_id"]).to_pylist():
        members.setdefault(row["cluster_id"], []).append(row["source_id"])
    for c in clusters:
        c.pop("actors", None)  # lists are not what the suite looks at
        got = members.get(c["cluster_id"], [])
        c["n_linked"] = len(got)
        c["counts_agree"] = c["n_events"] == len(got) and c["n_sources"] == len(set(got))
        c["sources_within_events"] = c["n_sources"] <= c["n_events"]
    columns = [f for f in spec("event_clusters").field_names if f != "actors"]
    return {"event_clusters": pd.DataFrame(clusters, columns=columns + ["n_linked", "counts_agree",
                                                                         "sources_within_events"])}


def claim_frames(tables: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """``claims`` and ``claim_statistics`` with the columns their suites check against the statistics:
    every claim has a statistic, every link names a claim and a statistic that exist, each claim's
    counts, values and conflict flag are those of its statistics, and each statistic sits in the
    claim its content keys it to."""
    stats = {r["statistic_id"]: r for r in tables["statistics"].to_pylist()}
    claims = tables["claims"].to_pylist()
    links = tables["claim_statistics"].to_pylist()
    known = {c["claim_id"] for c in claims}
    members: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        link["claim_exists"] = link["claim_id"] in known
        row = stats.get(link["statistic_id"])
        link["statistic_exists"] = row is not None
        key = claim_key(row) if row is not None else None
        link["claim_matches_content"] = key is not None and make_id("cl", *key) == link["claim_id"]
        if row is not None:
            members.setdefault(link["claim_id"], []).append(row)
    for c in claims:
        rows = members.get(c["claim_id"], [])
        c["n_linked"] = len(rows)
        c["counts_agree"] = bool(rows) and c["n_statistics"] == len(rows) and c["n_sources"] == len(
            {r["source_id"] for r in rows})
        c["values_agree"] = bool(rows) and claim_row(c["claim_id"], rows) | {"conflict": c["conflict"]} == {
            k: c[k] for k in spec("claims").field_names}
        c["conflict_agrees"] = bool(rows) and c["conflict"] == conflicting(rows)
    extra = ["n_linked", "counts_agree", "values_agree", "conflict_agrees"]
    return {"claims": pd.DataFrame(claims, columns=spec("claims").field_names + extra),
            "claim_statistics": pd.DataFrame(links, columns=spec("claim_statistics").field_names + [
                "claim_exists", "statistic_exists", "claim_matches_content"])}


def suite_parameters(previous: Path | None, allow_shrink_reason: str | None) -> dict[str, Any]:
    """Values for the suites' $PARAMETERs, from schemas/ and the previous package."""
    params: dict[str, Any] = {}
    before_rows: dict[str, int] = {}
    if previous is not None:
        from pipeline.diff import open_package  # reads folders and release zips alike

        before_rows = {name: len(rows) for name, rows in open_package(previous).rows.items()}
    for name in TABLES:
        s = spec(name)
        for f in s.fields:
            enum = s.enums.get(f["name"]) or f.get("constraints", {}).get("enum")
            if enum:
                params[f"enum_{name}_{f['name']}"] = list(enum)
        before = before_rows.get(name, 0)
        params[f"min_rows_{name}"] = 0 if allow_shrink_reason else int(before * (1 - SHRINK_ALLOWED))
    rules = plausible()["dates"]
    params["max_days_after_publication"] = 366 * int(rules["years_after_publication"])
    params["earliest_year"] = rules["earliest"].year
    return params


def run_expectations(tables: dict[str, Any], texts: dict[str, str | None], previous: Path | None = None,
                     reports_dir: Path | None = None, allow_shrink_reason: str | None = None) -> ExpectationsResult:
    """Run the three suites in an ephemeral GX context; with ``reports_dir``, write GX Data Docs under
    ``reports_dir/quality/`` and an index of every suite's results as ``quality/index.html``."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # offline: no usage statistics
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    frames = derive_frames(tables, texts)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # logs, not terminal animations
    actions = []
    if reports_dir is not None:
        shutil.rmtree(reports_dir / "quality", ignore_errors=True)  # the report shows this run, not old ones
        site = {"class_name": "SiteBuilder", "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str((reports_dir / "quality").resolve())}}
        context.add_data_docs_site(site_name="quality", site_config=site)
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="data-docs", site_names=["quality"]))
    source = context.data_sources.add_pandas("package")
    definitions = []
    for name in TABLES:
        raw = json.loads(suite_path(name).read_text(encoding="utf-8"))
        expectations = [ExpectationConfiguration(**e).to_domain_obj() for e in raw["expectations"]]
        suite = context.suites.add(gx.ExpectationSuite(name=raw["name"], expectations=expectations))
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
        definitions.append(context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite,
                                                                                      name=name)))
    params = suite_parameters(previous, allow_shrink_reason)
    result = ExpectationsResult()
    # One checkpoint per table: GX passes one dataframe per run as a batch parameter.
    for name, definition in zip(TABLES, definitions, strict=True):
        key = spec(name).primary_key
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"quality-{name}", validation_definitions=[definition], actions=actions,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [key]}))
        run = checkpoint.run(batch_parameters={"dataframe": frames[name]}, expectation_parameters=params)
        counts = {"evaluated": 0, "passed": 0, "failed_critical": 0, "failed_warning": 0}
        for validation in run.run_results.values():
            for r in validation.results:
                cfg = r.expectation_config
                severity = (cfg.meta or {}).get("severity", "critical")
                counts["evaluated"] += 1
                counts["passed" if r.success else f"failed_{severity}"] += 1
                found = r.result or {}
                unexpected = found.get("partial_unexpected_list") or found.get("observed_value")
                rows = sorted({str(i[key]) for i in found.get("unexpected_index_list") or [] if key in i})
                result.outcomes.append({
                    "table": name, "expectation": cfg.type, "column": cfg.kwargs.get("column"),
                    "severity": severity, "success": bool(r.success), "notes": (cfg.meta or {}).get("notes", ""),
                    "rows": [] if r.success else rows[:MAX_LISTED],
                    "unexpected": None if r.success else json.loads(json.dumps(unexpected, default=str))})
        result.counts[name] = counts
    if reports_dir is not None:
        write_index(reports_dir / "quality", result, allow_shrink_reason)
    return result
