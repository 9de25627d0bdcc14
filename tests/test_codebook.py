"""CODEBOOK.md is generated from schemas/ and stays in step with it."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT
from pipeline.codebook import VOCABULARIES, render, value_definitions
from pipeline.tables import TABLES, load_vocab


def test_committed_codebook_is_what_the_schemas_generate() -> None:
    committed = (ROOT / "CODEBOOK.md").read_text(encoding="utf-8")
    assert committed == render(), "CODEBOOK.md is stale: run `python -m pipeline.codebook` and commit it"


def test_every_enumerated_value_is_defined_once_and_appears_in_the_codebook() -> None:
    defs, text = value_definitions(), render()
    enums = {}
    for table in TABLES:
        raw = yaml.safe_load((ROOT / "schemas" / f"{table}.yaml").read_text(encoding="utf-8"))
        enums |= {f"{table}.{f['name']}": f["constraints"]["enum"] for f in raw["fields"]
                  if "enum" in f.get("constraints", {})}
    assert set(defs) == set(enums), "schemas/values.yaml must define exactly the enumerated columns"
    for key, values in enums.items():
        assert set(defs[key]) == set(values), f"schemas/values.yaml {key}: {sorted(set(defs[key]) ^ set(values))}"
        for value in values:
            assert defs[key][value].strip(), f"schemas/values.yaml {key}.{value}: empty definition"
            assert f"| `{value}` | {defs[key][value].split()[0]}" in text, f"{key}.{value} missing from the codebook"


def test_every_vocabulary_entry_has_a_definition_in_the_codebook() -> None:
    text = render()
    for vocab, heading in VOCABULARIES.items():
        section = text.split(f"\n### {heading}\n", 1)[1].split("\n### ", 1)[0]
        for entry in load_vocab(vocab):
            assert entry.get("definition"), f"schemas/vocab/{vocab}.yaml {entry['id']}: no definition"
            row = next((line for line in section.splitlines() if line.startswith(f"| `{entry['id']}` |")), "")
            assert " ".join(entry["definition"].split()) in row, f"{vocab} {entry['id']} missing from the codebook"


def test_conventions_and_references_resolve() -> None:
    text = render()
    for heading in ("## Conventions", "## Input: a folder of articles", "## Tables", "## Vocabularies"):
        assert heading in text
    # seeds/sources.yaml cites the codebook by relative path and section: both must exist.
    first = (ROOT / "seeds" / "sources.yaml").read_text(encoding="utf-8").splitlines()[0]
    path, section = re.search(r"\(format: (\S+) \"([^\"]+)\"\)", first).groups()
    assert (ROOT / "seeds" / path).resolve() == (ROOT / "CODEBOOK.md")
    assert f"## {section}" in text
