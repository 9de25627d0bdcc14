"""One schema source per table: pandera, Arrow and Table Schema agree with schemas/<table>.yaml."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import yaml

from conftest import statistic_row
from pipeline.tables import SCHEMA_DIR, TABLES, csv_cell, load_vocab, spec, to_arrow, validate_table


@pytest.mark.parametrize("name", TABLES)
def test_arrow_table_schema_and_pandera_derive_from_the_yaml(name: str) -> None:
    raw = yaml.safe_load((SCHEMA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    names = [f["name"] for f in raw["fields"]]
    s = spec(name)
    assert s.arrow_schema().names == names
    table_schema = s.table_schema()
    assert [f["name"] for f in table_schema["fields"]] == names
    assert all(f.get("description") for f in table_schema["fields"])
    assert list(s.pandera_schema().columns) == names
    assert table_schema["primaryKey"] == raw["primaryKey"]


def test_vocab_fields_get_their_enum_from_the_vocab_file() -> None:
    fields = {f["name"]: f for f in spec("statistics").table_schema()["fields"]}
    assert fields["metric"]["constraints"]["enum"] == [str(e["id"]) for e in load_vocab("metrics")]
    assert "homicide_rate" in fields["metric"]["constraints"]["enum"]
    assert fields["unit"]["constraints"]["enum"] == [str(e["id"]) for e in load_vocab("units")]


def test_parquet_types_are_real_types() -> None:
    events = spec("events").arrow_schema()
    assert events.field("date_start").type == pa.date32()
    assert events.field("actors").type == pa.list_(pa.string())
    assert events.field("fatalities").type == pa.int64()


def test_a_valid_row_passes_pandera() -> None:
    assert validate_table("statistics", to_arrow("statistics", [statistic_row()])) == []


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"metric": "made_up"}, "isin"),
        ({"char_end": 0}, "char_end > char_start"),
        ({"period_start": dt.date(2025, 1, 1)}, "period_start <= period_end"),
        ({"value_low": 20.0}, "value_low <= value <= value_high"),
        ({"country_code": "Ecuador"}, "str_matches"),
        ({"qualifier": None}, "not_nullable"),
    ],
)
def test_pandera_names_table_row_and_check_of_a_bad_row(change: dict, check: str) -> None:
    failures = validate_table("statistics", to_arrow("statistics", [statistic_row(**change)]))
    assert failures, change
    assert any(check in f.check and f.table == "statistics" for f in failures), [str(f) for f in failures]
    assert any(f.row_id == "st_1" for f in failures)


def test_duplicate_ids_fail_uniqueness() -> None:
    failures = validate_table("statistics", to_arrow("statistics", [statistic_row(), statistic_row()]))
    assert any("unique" in f.check for f in failures)


def test_unknown_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="not in schemas"):
        to_arrow("statistics", [statistic_row(extra=1)])


def test_rows_are_sorted_by_primary_key_for_stable_output() -> None:
    table = to_arrow("statistics", [statistic_row(statistic_id="st_b"), statistic_row(statistic_id="st_a")])
    assert table.column("statistic_id").to_pylist() == ["st_a", "st_b"]


def test_csv_cells_are_iso_dates_json_lists_and_plain_numbers() -> None:
    assert csv_cell(dt.date(2024, 1, 9)) == "2024-01-09"
    assert csv_cell(["José Adolfo Macías", "Los Choneros"]) == '["José Adolfo Macías", "Los Choneros"]'
    assert csv_cell(117487.0) == "117487"
    assert csv_cell(38.76) == "38.76"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"


def test_a_unit_the_metric_does_not_allow_fails() -> None:
    failures = validate_table("statistics", to_arrow("statistics", [statistic_row(metric="homicide_rate", unit="usd")]))
    assert any("unit allowed for the metric" in f.check and "usd" in str(f.value) for f in failures)
