"""A new version keeps what its writes did not touch: an import into another year leaves this year's pages as they
were, while a write anywhere a period reads from (the period, last year, the periods before it) builds them again."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import duckdb
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.cache import SnapshotReaders
from records.queries import (
    EVERYTHING,
    Change,
    change_between,
    county_measures,
    earliest_read,
    quality_counts,
    with_county_rows,
)
from records.store import Store
from tests.conftest import ROOT, run_module

H1_2020 = (dt.date(2020, 1, 1), dt.date(2020, 6, 30))
H1_2015 = (dt.date(2015, 1, 1), dt.date(2015, 6, 30))


def records(store_path: Path, *args: str, stdin: str | None = None) -> str:
    """``python -m records …`` on the store, as an operator runs it; its stdout and stderr."""
    result = run_module("records", *args, "--db", str(store_path), env={**os.environ}, input_text=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def inspections(folder: Path, name: str, days: list[str], county: str = "驿城区") -> Path:
    path = folder / name
    pd.DataFrame(
        {
            "id": [f"{name}-{i}" for i in range(len(days))],
            "county": county,
            "inspected_on": days,
            "unit_name": "甲公司",
        }
    ).to_csv(path, index=False)
    return path


def snapshot(store_path: Path) -> duckdb.DuckDBPyConnection:
    store = Store(store_path)
    return duckdb.connect(str(store.snapshot_path(store.current_version() or 0)), read_only=True)


def code_of(connection: duckdb.DuckDBPyConnection, county: str) -> int:
    row = connection.execute("SELECT code FROM counties WHERE name = ?", [county]).fetchone()
    assert row is not None, county
    return int(row[0])


def test_a_write_is_known_by_the_dates_it_touched(store_path: Path, tmp_path: Path) -> None:
    first = snapshot(store_path)
    out = records(store_path, "import", str(inspections(tmp_path, "old.csv", ["2015-03-01", "2015-03-05"])))
    batch = re.search(r"导入批次 (\d+)", out)
    assert batch is not None, out
    imported = snapshot(store_path)
    change = change_between(first, imported)
    assert change == Change(dt.date(2015, 3, 1), dt.date(2015, 3, 5), counties=frozenset({code_of(first, "驿城区")}))
    assert not change.touches(*H1_2020), "2020's figures read nothing from 2015"
    assert change.touches(*H1_2015)
    assert change.touches(dt.date(2016, 1, 1), dt.date(2016, 6, 30)), "2016 H1's places over time reach 2015"

    records(store_path, "withdraw", batch.group(1), "--reason", "测试")
    withdrawn = snapshot(store_path)
    assert change_between(imported, withdrawn) == change, "a withdrawal touches the dates of its batch's rows"

    records(store_path, "users", "add", "wang", "--role", "leader", "--password-stdin", stdin="一个很长的密码0123\n")
    with_account = snapshot(store_path)
    assert change_between(withdrawn, with_account) == Change(), "an account is no figure"

    default = (ROOT / "data" / "schemes" / "default.toml").read_text(encoding="utf-8")
    scheme = tmp_path / "方案.toml"
    scheme.write_text(default + "\n# 第二版：文字不同，即存为新版本\n", encoding="utf-8")
    records(store_path, "schemes", "import", str(scheme))
    assert change_between(with_account, snapshot(store_path)) == EVERYTHING, "a scheme can score any period"


def test_cases_filed_last_year_touch_this_years_comparison(store_path: Path, tmp_path: Path) -> None:
    before = snapshot(store_path)
    cases = tmp_path / "cases.csv"
    pd.DataFrame(
        {"id": ["L1"], "county": ["泌阳县"], "filed_on": ["2019-05-01"], "unit_name": ["乙公司"], "fine_yuan": ["5000"]}
    ).to_csv(cases, index=False)
    records(store_path, "import", str(cases))
    change = change_between(before, snapshot(store_path))
    assert change == Change(dt.date(2019, 5, 1), dt.date(2019, 5, 1), counties=frozenset({code_of(before, "泌阳县")}))
    assert change.touches(*H1_2020), "2020 H1's 同比 reads 2019 H1"
    assert earliest_read(*H1_2020) == dt.date(2018, 7, 1)


def test_a_new_version_keeps_the_results_its_write_did_not_touch(store_path: Path, tmp_path: Path) -> None:
    store = Store(store_path)
    readers = SnapshotReaders(store)
    first = store.current_version() or 0
    built: list[str] = []

    def result(version: int, kind: str, key: tuple[object, ...]) -> object:
        return readers.results(version).get(kind, key, lambda: built.append(f"{kind}{key[:2]}") or key, 8)

    for period in (H1_2020, H1_2015):
        result(first, "county_view", period)
        result(first, "shared", ("ranking_tables", (*period, "zh")))
    result(first, "counties", ())  # only counties and schemes: no batch changes them
    result(first, "record_span", ())  # names no period: read again after any write
    assert len(built) == 6

    records(store_path, "import", str(inspections(tmp_path, "old.csv", ["2015-03-01"])))
    second = store.current_version() or 0
    built.clear()
    for period in (H1_2020, H1_2015):
        result(second, "county_view", period)
        result(second, "shared", ("ranking_tables", (*period, "zh")))
    result(second, "counties", ())
    result(second, "record_span", ())
    assert built == [
        f"county_view{H1_2015}",
        f"shared{('ranking_tables', (*H1_2015, 'zh'))}",
        "record_span()",
    ], "2020's results and the county list were taken over; 2015's and the span of the records built again"


def test_an_import_into_last_year_changes_this_years_comparison_on_the_page(
    store_path: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    before = {m.label: (m.value, m.delta) for m in app.metric}
    assert before["检查生产经营单位（家次）"] == ("1117", "-40.3% 同比")

    records(store_path, "import", str(inspections(tmp_path, "far.csv", ["2015-02-01"] * 5)))
    app.run()
    assert {m.label: (m.value, m.delta) for m in app.metric} == before, "2015 is read by no figure of 2020 H1"

    last_year = [f"2019-0{month}-1{day}" for month in range(1, 7) for day in range(10)]  # 60 more visits in 2019 H1
    records(store_path, "import", str(inspections(tmp_path, "last.csv", last_year)))
    app.run()
    metrics = {m.label: (m.value, m.delta) for m in app.metric}
    assert metrics["检查生产经营单位（家次）"][0] == "1117"
    assert metrics["检查生产经营单位（家次）"][1] != before["检查生产经营单位（家次）"][1], "同比 moved with last year"


def revisits(folder: Path, county: str) -> Path:
    """300 visits to one unit of ``county`` in 2020 H1, most of them within days of the one before."""
    days = [(dt.date(2020, 1, 1) + dt.timedelta(days=i % 180)).isoformat() for i in range(300)]
    return inspections(folder, "revisits.csv", days, county)


def test_after_an_import_only_its_counties_quality_counts_are_read_again(store_path: Path, tmp_path: Path) -> None:
    store = Store(store_path)
    readers = SnapshotReaders(store)
    first = store.current_version() or 0
    key = (*H1_2020, "windows")
    before = readers.results(first).get(
        "quality_counts", key, lambda: quality_counts(snapshot(store_path), *H1_2020), 8
    )

    records(store_path, "import", str(revisits(tmp_path, "驿城区")))
    second = store.current_version() or 0
    results = readers.results(second)
    touched = frozenset({code_of(snapshot(store_path), "驿城区")})
    assert results.change.counties == touched
    earlier = results.earlier("quality_counts", key)
    assert earlier is before, "the older version's counts are handed over, to be read again for 驿城区 only"
    assert results.earlier("quality_counts", key) is None, "and only once"

    now = snapshot(store_path)
    read_again = quality_counts(now, *H1_2020, counties=touched)
    assert read_again["county_code"].tolist() == sorted(touched)
    merged = with_county_rows(before, read_again)
    pd.testing.assert_frame_equal(merged, quality_counts(now, *H1_2020))
    assert not merged.equals(before), "the import changed 驿城区's counts"

    measures = county_measures(snapshot(store_path), *H1_2020, ["rectification_rate"])  # a rate, and its counts
    pd.testing.assert_frame_equal(
        with_county_rows(measures, county_measures(now, *H1_2020, ["rectification_rate"], touched)),
        county_measures(now, *H1_2020, ["rectification_rate"]),
    )


def test_a_quality_flag_raised_by_an_import_shows_on_the_page(store_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page reads the new version's counts: those of the imported county read again, the others kept."""

    def signals() -> set[tuple[str, str]]:
        table = app.dataframe(key="quality_table").value
        return set(zip(table["单位"], table["信号"], strict=True))

    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/flags.py")
    app.run()
    before = signals()
    assert before == {("泌阳县", "重复检查"), ("新蔡县", "期末突击"), ("遂平县", "办案超期")}

    records(store_path, "import", str(revisits(tmp_path, "驿城区")))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    raised = signals() - before
    assert before <= signals() and ("驿城区", "重复检查") in raised
    assert {county for county, _ in raised} == {"驿城区"}, raised
