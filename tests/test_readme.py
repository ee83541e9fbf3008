"""The README documents every import field the importer accepts, and CI runs the README's test command."""

from __future__ import annotations

import re

from records.fields import FIELDS
from tests.conftest import ROOT


def test_readme_names_every_import_field() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for fields in FIELDS.values():
        for field in fields:
            assert f"`{field.name}` {field.label}" in readme, field.name


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^(\./test\.sh)\s", readme, re.MULTILINE)
    assert command is not None
    assert command.group(1) in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_lists_the_import_limits_as_the_code_sets_them() -> None:
    from scoring.tables import LIMITS, MB

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for figure in (
        f"| {LIMITS.max_file_bytes // MB} MB |",
        f"| {LIMITS.max_rows:,} |",
        f"| {LIMITS.max_columns} |",
        f"| {LIMITS.max_cells:,} cells |",
        f"| {LIMITS.max_line_bytes // MB} MB |",
        f"| {LIMITS.max_cell_chars:,} characters |",
        f"| {LIMITS.max_sheets} (only the first is read) |",
        f"| {LIMITS.max_unpacked_bytes // MB:,} MB |",
        f"| {LIMITS.max_sheet_cells:,} cells",
        f"| {LIMITS.max_reader_bytes // MB} MB (its output",
        f"| {LIMITS.max_seconds} s |",
    ):
        assert figure in readme, figure


def test_readme_states_the_plausibility_rules_as_the_code_sets_them() -> None:
    from records.fields import FIELDS, PLAUSIBILITY

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"not before 1 January {PLAUSIBILITY.earliest_year}" in readme
    assert f"up to {PLAUSIBILITY.max_fine_yuan:,} yuan" in readme
    maxima = {field.maximum for field in FIELDS["inspections"] if field.type == "count"}
    assert maxima == {10_000} and "at most 10,000 inspector turnouts" in readme
