"""The XLSX import on its own: ``python -m benchmarks.xlsx [--runs 5]``.

Builds a database of 2,800 counties and the full benchmark's 200,000-row workbook as Excel writes one
(``benchmarks.synthetic.write_xlsx``: shared strings, numbers, dates as date-formatted serials), then imports it
``--runs`` times, each into a fresh copy of the database, as ``benchmarks.bench`` does. Each run prints the check
(reading and validating; the sheet reader's process included) and the write, the rows per second of both together,
and where the CPU went: this process, and the sheet reader's process. Last come the medians and the load average,
since on a shared machine another program's work shows in every figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench import XLSX_ROWS, import_xlsx
from benchmarks.synthetic import build_synthetic_database
from records.db import open_database
from records.importer import check_file, write_checked


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the sheet readers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def one_import(database: Path, workbook: Path, folder: Path) -> dict[str, float]:
    copy = folder / "import-target.duckdb"
    shutil.copy(database, copy)
    connection = open_database(copy)
    try:
        own, reader = cpu_seconds()
        started = time.perf_counter()
        outcome = check_file(connection, workbook)
        checked = time.perf_counter()
        checked_own, checked_reader = cpu_seconds()
        connection.begin()
        written = write_checked(connection, outcome)
        connection.commit()
        finished = time.perf_counter()
    finally:
        connection.close()
        copy.unlink()
    if written.status != "imported":
        raise RuntimeError(f"the benchmark's import failed: {written.message}")
    return {
        "check_s": checked - started,
        "write_s": finished - checked,
        "rows_per_s": XLSX_ROWS / (finished - started),
        "parent_cpu_s": checked_own - own,
        "reader_cpu_s": checked_reader - reader,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlsx-bench-") as name:
        folder = Path(name)
        database = folder / "counties.duckdb"
        build_synthetic_database(database, 1_000)
        workbook = import_xlsx(database, folder)
        print(f"{XLSX_ROWS:,} rows, {workbook.stat().st_size / 2**20:.1f} MB; load average {os.getloadavg()[0]:.2f}")
        one_import(database, workbook, folder)  # warm the page cache and the interpreter's imports
        runs = []
        for number in range(1, arguments.runs + 1):
            run = one_import(database, workbook, folder)
            runs.append(run)
            print(
                f"run {number}: check {run['check_s']:.2f} s (this process {run['parent_cpu_s']:.2f} CPU-s, "
                f"sheet reader {run['reader_cpu_s']:.2f} CPU-s), write {run['write_s']:.2f} s, "
                f"{run['rows_per_s']:,.0f} rows/s"
            )
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"median of {len(runs)}: check {median['check_s']:.2f} s, write {median['write_s']:.2f} s, "
            f"{median['rows_per_s']:,.0f} rows/s (target 100,000); this process {median['parent_cpu_s']:.2f} CPU-s, "
            f"sheet reader {median['reader_cpu_s']:.2f} CPU-s; load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
