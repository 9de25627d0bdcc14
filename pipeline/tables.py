"""One schema per table, read from ``schemas/<table>.yaml``.

The YAML file is a Frictionless Table Schema with two extension keys
(``vocab``: the enum comes from ``schemas/vocab/<vocab>.yaml``; ``itemType``:
the type of an array's items). Everything else derives from it here: the Arrow
schema of the Parquet files, the Table Schema written into datapackage.json
and the pandera model that validates each table before it is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pyarrow
import yaml

if TYPE_CHECKING:  # (imported where used: an extraction worker needs neither)
    import pandas as pd
    import pandera.pandas as pa

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
EXTRACTED_TABLES = ("sources", "statistics", "events")  # rows read from each article, screened row by row
# Cross-source tables, computed from the screened rows of all articles (pipeline.derive); appended by
# the steps that build them, in the order they are written.
DERIVED_TABLES: tuple[str, ...] = ("claims", "claim_statistics", "event_clusters", "entities", "mentions")
TABLES = EXTRACTED_TABLES + DERIVED_TABLES

_ARROW_TYPES: dict[str, pyarrow.DataType] = {
    "string": pyarrow.string(),
    "integer": pyarrow.int64(),
    "number": pyarrow.float64(),
    "boolean": pyarrow.bool_(),
    "date": pyarrow.date32(),
}
_EXTENSION_KEYS = {"vocab", "itemType"}


def load_vocab(name: str, schema_dir: Path | None = None) -> list[dict[str, Any]]:
    """Entries of ``schemas/vocab/<name>.yaml`` (a list of mappings with an ``id``)."""
    schema_dir = schema_dir or SCHEMA_DIR
    data = yaml.safe_load((schema_dir / "vocab" / f"{name}.yaml").read_text(encoding="utf-8"))
    if isinstance(data, dict):  # allow {<name>: [...]} as well as a bare list
        data = next(v for v in data.values() if isinstance(v, list))
    return list(data)


@dataclass(frozen=True)
class TableSpec:
    """A table's schema as read from YAML, with its vocabularies resolved."""

    name: str
    raw: dict[str, Any]
    enums: dict[str, tuple[str, ...]]

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.raw["fields"]

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def primary_key(self) -> str:
        return self.raw["primaryKey"][0]

    def arrow_schema(self) -> pyarrow.Schema:
        """Arrow schema of the Parquet file: real types, every column nullable in storage."""
        out = []
        for f in self.fields:
            if f["type"] == "array":
                typ = pyarrow.list_(_ARROW_TYPES[f.get("itemType", "string")])
            else:
                typ = _ARROW_TYPES[f["type"]]
            meta = {"description": f.get("description", "")}
            out.append(pyarrow.field(f["name"], typ, nullable=True, metadata=meta))
        return pyarrow.schema(out)

    def table_schema(self) -> dict[str, Any]:
        """Frictionless Table Schema for datapackage.json, enums filled in from the vocabularies."""
        fields = []
        for f in self.fields:
            field = {k: v for k, v in f.items() if k not in _EXTENSION_KEYS}
            if f["name"] in self.enums:
                field["constraints"] = {**field.get("constraints", {}), "enum": list(self.enums[f["name"]])}
            if f["type"] == "date":
                field["format"] = "%Y-%m-%d"
            if f["type"] == "array":
                field["arrayItem"] = {"type": f.get("itemType", "string")}
            fields.append(field)
        schema: dict[str, Any] = {"fields": fields, "primaryKey": self.raw["primaryKey"], "missingValues": [""]}
        if self.raw.get("foreignKeys"):
            schema["foreignKeys"] = self.raw["foreignKeys"]
        return schema

    def pandera_schema(self) -> pa.DataFrameSchema:
        """pandera model of the table as a DataFrame of Arrow-backed columns."""
        import pandas as pd
        import pandera.pandas as pa
        columns = {}
        for f, arrow_field in zip(self.fields, self.arrow_schema(), strict=True):
            cons = f.get("constraints", {})
            checks = []
            enum = self.enums.get(f["name"]) or cons.get("enum")
            if enum:
                checks.append(pa.Check.isin(list(enum)))
            if "pattern" in cons:
                # Table Schema patterns match whole values.
                checks.append(pa.Check.str_matches(f"^(?:{cons['pattern']})$"))
            if "minimum" in cons:
                checks.append(pa.Check.ge(cons["minimum"]))
            columns[f["name"]] = pa.Column(
                pd.ArrowDtype(arrow_field.type),
                checks=checks,
                nullable=not cons.get("required", False),
                unique=bool(cons.get("unique", False)),
            )
        return pa.DataFrameSchema(columns, checks=_row_checks(self.field_names), strict=True, ordered=True)


@cache
def plausible() -> dict[str, Any]:
    """Plausibility bounds from ``schemas/plausible.yaml``, value bounds as floats."""
    rules = yaml.safe_load((SCHEMA_DIR / "plausible.yaml").read_text(encoding="utf-8"))
    # YAML 1.1 reads "1.0e10" (no sign in the exponent) as a string: make every bound a number.
    rules["value_by_unit"] = {u: [float(lo), float(hi)] for u, (lo, hi) in rules["value_by_unit"].items()}
    return rules


@cache
def _metric_units() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Units per metric, and the units a change of a counted metric may take (schemas/vocab/metrics.yaml)."""
    data = yaml.safe_load((SCHEMA_DIR / "vocab" / "metrics.yaml").read_text(encoding="utf-8"))
    units = {str(m["id"]): frozenset(m["units"]) for m in data["metrics"] if m.get("units")}
    return units, frozenset(data.get("change_units", []))


def unit_fits(metric: str, unit: str, is_change: bool) -> bool:
    """The unit is one the metric is stated in, or a change of a counted metric stated in a
    ``change_units`` unit ("arrests rose 12%"): the rule of schemas/vocab/metrics.yaml."""
    units, change_units = _metric_units()
    allowed = units.get(metric)
    if allowed is None or unit in allowed:
        return True
    return is_change and unit in change_units and "count" in allowed


def _last_day(d: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(d.year, 12, 31)
    if precision == "month":
        following = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return d


def publication_anchors(sources: list[dict[str, Any]]) -> dict[str, dt.date | None]:
    """The day each source's row dates are measured against for "after the article" (plausible.yaml
    ``dates.anchors``): the last day its anchoring publication date allows; for a source whose date is
    only a lower bound or unknown, the newest anchoring date of the corpus (else the newest date of any
    kind), never earlier than its own lower bound. ``None`` when the corpus has no date at all."""
    anchors = plausible()["dates"].get("anchors", {})
    own: dict[str, dt.date | None] = {}
    anchored: dict[str, bool] = {}
    for r in sources:
        d, precision = r.get("published_date"), r.get("published_date_precision") or "day"
        own[r["source_id"]] = _last_day(d, precision) if d is not None else None
        anchored[r["source_id"]] = d is not None and precision in anchors.get(r.get("published_date_basis"), [])
    firm = [d for sid, d in own.items() if anchored[sid] and d is not None]
    known = [d for d in own.values() if d is not None]
    newest = max(firm) if firm else max(known) if known else None
    out: dict[str, dt.date | None] = {}
    for sid, d in own.items():
        if anchored[sid]:
            out[sid] = d
        else:
            out[sid] = max(x for x in (d, newest) if x is not None) if (d or newest) else None
    return out


# Which columns each row-level check reads, to show the offending row's values in a failure.
_ROW_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {}


def _row_check(fn: Any, name: str, columns: tuple[str, ...]) -> pa.Check:
    import pandera.pandas as pa
    _ROW_CHECK_COLUMNS[name] = columns
    return pa.Check(fn, name=name)


def _row_checks(names: list[str]) -> list[pa.Check]:
    """Cross-column checks that types cannot express, for the columns a table has."""
    import pandas as pd
    checks = []
    if {"char_start", "char_end"} <= set(names):
        checks.append(_row_check(lambda d: d["char_end"] > d["char_start"], "char_end > char_start",
                                 ("char_start", "char_end")))
    for lo, hi in (("period_start", "period_end"), ("date_start", "date_end"), ("baseline_start", "baseline_end")):
        if {lo, hi} <= set(names):
            checks.append(
                _row_check(lambda d, lo=lo, hi=hi: (d[lo].isna() | d[hi].isna() | (d[lo] <= d[hi])).astype(bool),
                           f"{lo} <= {hi}", (lo, hi))
            )
    if {"value", "unit"} <= set(names):
        bounds = plausible()["value_by_unit"]

        def in_bounds(d: pd.DataFrame) -> pd.Series:
            lo = d["unit"].map(lambda u: bounds.get(u, [float("-inf")])[0]).astype(float)
            hi = d["unit"].map(lambda u: bounds.get(u, [None, float("inf")])[1]).astype(float)
            return ((d["value"] >= lo) & (d["value"] <= hi)).astype(bool)

        checks.append(_row_check(in_bounds, "value plausible for its unit (schemas/plausible.yaml)", ("value", "unit")))
    if {"metric", "unit", "is_change"} <= set(names):
        checks.append(_row_check(lambda d: pd.Series(
            [unit_fits(m, u, bool(c)) for m, u, c in zip(d["metric"], d["unit"], d["is_change"], strict=True)],
            index=d.index, dtype=bool), "unit allowed for the metric (schemas/vocab/metrics.yaml)",
            ("metric", "unit", "is_change")))
    if {"value", "value_low", "value_high"} <= set(names):
        checks.append(_row_check(
            lambda d: ((d["value_low"].isna() | (d["value_low"] <= d["value"]))
                       & (d["value_high"].isna() | (d["value"] <= d["value_high"]))).astype(bool),
            "value_low <= value <= value_high", ("value_low", "value", "value_high")))
    if {"value_min", "value_median", "value_max"} <= set(names):
        checks.append(_row_check(
            lambda d: ((d["value_min"] <= d["value_median"]) & (d["value_median"] <= d["value_max"])).astype(bool),
            "value_min <= value_median <= value_max", ("value_min", "value_median", "value_max")))
    if {"n_sources", "n_statistics"} <= set(names):
        checks.append(_row_check(lambda d: (d["n_sources"] <= d["n_statistics"]).astype(bool),
                                 "n_sources <= n_statistics", ("n_sources", "n_statistics")))
    if {"conflict", "n_sources", "value_min", "value_max"} <= set(names):
        # A conflict needs two sources whose values differ: the flag cannot be set on equal values.
        checks.append(_row_check(
            lambda d: (~d["conflict"] | ((d["n_sources"] >= 2) & (d["value_min"] < d["value_max"]))).astype(bool),
            "conflict only between sources whose values differ", ("conflict", "n_sources", "value_min", "value_max")))
    return checks


def spec(name: str) -> TableSpec:
    """The table ``name`` as declared in ``schemas/<name>.yaml``."""
    return _spec(name, SCHEMA_DIR)


@cache
def _spec(name: str, schema_dir: Path) -> TableSpec:
    raw = yaml.safe_load((schema_dir / f"{name}.yaml").read_text(encoding="utf-8"))
    enums = {
        f["name"]: tuple(str(e["id"]) for e in load_vocab(f["vocab"], schema_dir))
        for f in raw["fields"]
        if "vocab" in f
    }
    return TableSpec(name=name, raw=raw, enums=enums)


def to_arrow(name: str, rows: list[dict[str, Any]]) -> pyarrow.Table:
    """Rows (dicts) -> Arrow table in schema column order, sorted by primary key for stable output."""
    s = spec(name)
    key = s.primary_key
    ordered = sorted(rows, key=lambda r: r[key])
    names = s.field_names
    extra = {k for r in ordered for k in r} - set(names)
    if extra:
        raise ValueError(f"{name}: columns not in schemas/{name}.yaml: {sorted(extra)}")
    # Column by column (a list per column, not a dict per row): the same table, built several times faster.
    return pyarrow.Table.from_pydict({k: [r.get(k) for r in ordered] for k in names}, schema=s.arrow_schema())


# pandera checks about the table as a whole, never about one row: a failure stops the build.
PACKAGE_CHECKS = frozenset({"field_uniqueness", "column_in_schema", "column_in_dataframe", "column_ordered", "dtype"})


@dataclass(frozen=True)
class Failure:
    """One failed check: where and what (``index``: the row's position in the table, for a row check)."""

    table: str
    column: str | None
    check: str
    row_id: str | None
    value: str | None
    index: int | None = None

    @property
    def row_level(self) -> bool:
        """A check one row fails on its own (a vocabulary, a type, a cross-column rule), not the table."""
        return self.index is not None and self.check not in PACKAGE_CHECKS

    def __str__(self) -> str:
        where = f"row {self.row_id}" if self.row_id is not None else "table"
        return f"{self.table}: {where}, column {self.column or '-'}: check {self.check} failed (value {self.value!r})"


def validate_table(name: str, table: pyarrow.Table) -> list[Failure]:
    """Validate with pandera, lazily, so that one run lists every failure."""
    import pandas as pd
    import pandera.pandas as pa
    s = spec(name)
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    schema = s.pandera_schema()
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        ids = df[s.primary_key].tolist() if s.primary_key in df.columns else []
        out, seen = [], set()
        for case in err.failure_cases.to_dict("records"):
            idx = case.get("index")
            idx = int(idx) if idx is not None and not pd.isna(idx) and int(idx) < len(df) else None
            row_id = ids[idx] if idx is not None and idx < len(ids) else None
            value = case.get("failure_case")
            column = case.get("column")
            check = str(case.get("check"))
            cols = _ROW_CHECK_COLUMNS.get(check)
            if cols and idx is not None:
                # pandera reports a failed row check once per column: report it once, with the values it read.
                if (idx, check) in seen:
                    continue
                seen.add((idx, check))
                row = df.iloc[idx]
                value, column = " ".join(f"{c}={_shown(row[c])}" for c in cols), None
            out.append(Failure(name, column, check, row_id, None if value is None else str(value), idx))
        return out
    return []


def _shown(value: Any) -> str:
    import pandas as pd
    return "null" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def csv_cell(value: Any) -> str:
    """How a value is written to CSV: '' for null, ISO dates, JSON arrays, true/false."""
    import json

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)
