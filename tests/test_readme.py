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
