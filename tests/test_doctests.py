"""The examples in the packages' docstrings are tests too: pytest must reach them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_pytest_collects_the_doctests_of_every_package() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    collected = result.stdout.splitlines()
    for example in (
        "scoring/ranking.py::scoring.ranking.competition_rank",
        "records/importer.py::records.importer.parse_dates",
        "report/periods.py::report.periods.period_label",
    ):
        assert example in collected, result.stdout[-2000:]
