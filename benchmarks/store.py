"""What the store's publish costs: ``python -m benchmarks.store [--sizes 10000000] [--runs 3]``.

For the demo database and each synthetic size it measures, each as the median of ``--runs``:
  1. publish alone: copy the checkpointed primary to a new snapshot, fsync, rename, move the pointer;
  2. a whole one-row write through ``Store.transaction`` (lock, open, commit, checkpoint, publish);
  3. importing 100,000 inspection rows through the store, validation included, and its publish share;
  4. a reader switching to a new version: open the snapshot read-only and answer the half-year ranking query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from benchmarks.synthetic import build_synthetic_database
from records.access import Identity
from records.demo import build_demo_database
from records.importer import import_file
from records.queries import county_measures
from records.store import Store

IMPORT_ROWS = 100_000
BENCHMARK = Identity("基准", "基准", "admin", how="cli")


def median(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_source(folder: Path, counties: duckdb.DuckDBPyConnection, run: int) -> Path:
    path = folder / f"import-{run}.csv"
    code = counties.execute("SELECT min(code) FROM counties").fetchall()[0][0]
    counties.execute(
        f"""
        COPY (SELECT 'BENCH{run}-' || i AS id, {int(code)} AS county, '2024-03-01' AS inspected_on,
                     '单位' || i AS unit_name FROM range({IMPORT_ROWS}) t(i))
        TO '{path}' (HEADER)
        """
    )
    return path


def measure(
    label: str, build: Callable[[Path], None], folder: Path, runs: int, half_year: tuple[dt.date, dt.date]
) -> dict[str, float | str]:
    store = Store(folder / label / "enforcement.duckdb")
    store.initialise(build, "基准", "建库")
    figures: dict[str, float | str] = {"store": label, "file_mb": store.primary.stat().st_size / 1024 / 1024}

    def publish() -> None:
        fd = store._lock(0)  # noqa: SLF001 - the benchmark times the publish step on its own
        try:
            store._publish(store.current_version() or 0)  # noqa: SLF001
        finally:
            os.close(fd)

    def one_row_write() -> None:
        with store.transaction(BENCHMARK, "一行写入") as connection:
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('benchmark', ?)", [str(time.time())])

    figures["publish_s"] = median(publish, runs)
    figures["write_s"] = median(one_row_write, runs)
    with store.reading() as reader:
        sources = [import_source(folder, reader, run) for run in range(runs)]
    imports = []
    for source in sources:
        started = time.perf_counter()
        with store.transaction(BENCHMARK, "导入") as connection:
            outcome = import_file(connection, source, transaction=False)
        imports.append(time.perf_counter() - started)
        assert outcome.status == "imported", outcome.message
    figures["import_100k_s"] = statistics.median(imports)

    def switch() -> None:
        version = store.current_version() or 0
        connection = store.connect_snapshot(version)
        county_measures(connection, *half_year)
        connection.close()

    figures["reader_switch_s"] = median(switch, runs)
    shutil.rmtree(store.primary.parent)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000000", help="synthetic inspection record counts, comma separated")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="enforcement-store-bench-") as temporary:
        folder = Path(temporary)
        rows.append(
            measure("demo", build_demo_database, folder, args.runs, (dt.date(2020, 1, 1), dt.date(2020, 6, 30)))
        )
        for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
            print(f"building {size:,} records…", file=sys.stderr, flush=True)
            rows.append(
                measure(
                    f"{size:,}",
                    lambda target, n=size: build_synthetic_database(target, n),
                    folder,
                    args.runs,
                    (dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
                )
            )
    machine = (
        f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · DuckDB {duckdb.__version__}"
    )
    print(f"Store benchmark on {machine}, median of {args.runs}")
    headings = ("store", "file MB", "publish s", "1-row write s", "import 100k s", "reader switch s")
    print(" ".join(f"{title:>{width}}" for title, width in zip(headings, (12, 8, 10, 14, 14, 16), strict=True)))
    for row in rows:
        print(
            f"{row['store']:>12} {row['file_mb']:>8.1f} {row['publish_s']:>10.3f} {row['write_s']:>14.3f} "
            f"{row['import_100k_s']:>14.3f} {row['reader_switch_s']:>16.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
