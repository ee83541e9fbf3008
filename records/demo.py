"""The built-in demo data (示例数据): Zhumadian's ten counties, record by record, 2019-01 to 2020-12.

The half-year figures in ``data/demo_half_years.csv`` are spread over records deterministically, so that
January–June 2020 adds up to the bulletin's attachment and city totals, and January–June 2019 gives its
year-on-year changes. The app, the tests and ``python -m records init --demo`` all build from here.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from records.db import open_database
from records.geo import COUNTIES_FILE, DATA_DIR, county_codes
from records.importer import import_file, insert_records, log_import

HALF_YEARS_FILE = DATA_DIR / "demo_half_years.csv"
ATTACHMENT_FILE = DATA_DIR / "zhumadian-2020-h1-attachment.csv"
DEMO_LABEL = "示例数据"
SEED = 20200630

# Share of a half-year's work done in each of its months; early 2020 is low for the epidemic.
MONTH_WEIGHTS = {
    "2019-H1": (12, 10, 18, 19, 20, 21),
    "2019-H2": (17, 16, 17, 18, 17, 15),
    "2020-H1": (6, 4, 16, 22, 25, 27),
    "2020-H2": (17, 16, 17, 18, 17, 15),
}
# A few penalised inspections whose rectification was never entered: the bulletin's data-entry complaint.
MISSING_RECTIFICATION = {("正阳县", "2020-H1"): 2, ("确山县", "2020-H1"): 2, ("上蔡县", "2020-H1"): 1}
# Weak work behind strong numbers (issue 13), planted in counties near the top of the ranking: the same few units
# visited again and again, inspections crowded into the last days of each month and of the half-year, cases left
# undecided past 90 days. Only dates, units and decision dates move, so every county's monthly inspections and
# half-year figures stay as they were.
QUALITY_PATTERNS = {
    ("泌阳县", "2020-H1"): "repeat_visits",
    ("新蔡县", "2020-H1"): "period_end_rush",
    ("遂平县", "2020-H1"): "overdue_decisions",
}
REVISITED_UNITS = 6  # 泌阳县's favourite units
REVISIT_SHARE = 0.85  # of its inspections go to them
MONTH_END_SHARE = 0.7  # of 新蔡县's inspections in each month's last five days, and all of June's in its last ten
OVERDUE_CASES = (6, 2)  # 遂平县's cases filed in the first quarter: undecided, and decided in time

INDUSTRIES = ("危险化学品", "非煤矿山", "工贸", "烟花爆竹", "冶金", "粉尘涉爆", "有限空间", "加油站")
UNIT_WORDS = ("宏达", "鑫源", "华泰", "永安", "天润", "金石", "盛达", "恒通", "中原", "兴业", "瑞丰", "广源")
UNIT_KINDS = ("化工有限公司", "石料厂", "机械制造有限公司", "面粉厂", "加油站", "木业有限公司", "建材有限公司")
VIOLATIONS = (
    "未按规定对从业人员进行安全生产教育和培训",
    "未建立事故隐患排查治理制度",
    "未采取措施消除事故隐患",
    "特种作业人员未持证上岗",
    "未在有较大危险因素的场所设置明显的安全警示标志",
    "安全设备的安装、使用、检测、维修不符合标准",
)


def build_demo_database(path: Path, progress: Callable[[float, str], None] | None = None) -> None:
    """Write the demo database to ``path``, atomically: a half-built file never takes its place."""
    report = progress or (lambda fraction, text: None)
    partial = path.with_name(path.name + ".building")
    partial.unlink(missing_ok=True)
    connection = open_database(partial, create=True)
    try:
        report(0.1, "写入县区表")
        load_counties(connection, COUNTIES_FILE)
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('dataset', ?)", [DEMO_LABEL])
        report(0.3, "生成检查与立案记录")
        inspections, cases = demo_records()
        connection.begin()
        import_id = log_import(connection, "示例数据（内置生成）", "demo", "demo", len(inspections) + len(cases))
        insert_records(connection, "inspections", inspections, import_id)
        insert_records(connection, "cases", cases, import_id)
        connection.commit()
        report(0.8, "载入公布的附件表")
        outcome = import_file(
            connection, ATTACHMENT_FILE, kind="summary", start=dt.date(2020, 1, 1), end=dt.date(2020, 6, 30)
        )
        if not outcome.ok:
            raise RuntimeError(f"示例附件表导入失败：{outcome.message}")
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
    partial.replace(path)
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    report(1.0, "示例数据已就绪")


def load_counties(connection: duckdb.DuckDBPyConnection, source: Path) -> None:
    with source.open(encoding="utf-8") as handle:
        rows = [
            (int(row["code"]), row["name"], row["kind"], row["city"], row["province"], position)
            for position, row in enumerate(csv.DictReader(handle))
        ]
    connection.executemany("INSERT INTO counties VALUES (?, ?, ?, ?, ?, ?)", rows)


def demo_records() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every demo inspection and case, as tables shaped like the record tables."""
    codes = county_codes()
    rng = random.Random(SEED)
    inspections: list[dict[str, object]] = []
    cases: list[dict[str, object]] = []
    with HALF_YEARS_FILE.open(encoding="utf-8") as handle:
        for figures in csv.DictReader(handle):
            county, half = figures["county"], figures["half_year"]
            new_inspections = _inspections(rng, county, codes[county], half, figures)
            new_cases = _cases(rng, county, codes[county], half, figures, new_inspections)
            pattern = QUALITY_PATTERNS.get((county, half))
            if pattern:  # its own generator, so every other county's records stay exactly as before
                PLANTERS[pattern](random.Random(f"{SEED}-{pattern}"), new_inspections, new_cases)
            inspections += new_inspections
            cases += new_cases
    return pd.DataFrame(inspections), pd.DataFrame(cases)


def _plant_repeat_visits(
    rng: random.Random, inspections: list[dict[str, object]], cases: list[dict[str, object]]
) -> None:
    """Most inspections go to a handful of units, so nearly every visit repeats one of the month before."""
    favourites = list(dict.fromkeys(str(row["unit_name"]) for row in inspections))[:REVISITED_UNITS]
    for row in inspections:
        if rng.random() < REVISIT_SHARE:
            row["unit_name"] = rng.choice(favourites)
    _follow_inspections(inspections, cases)


def _plant_period_end_rush(
    rng: random.Random, inspections: list[dict[str, object]], cases: list[dict[str, object]]
) -> None:
    """Each month's inspections crowd into its last five days, and all of the half-year's last month into its
    last ten: the same number a month, on other days."""
    last_month = max(_day(row).month for row in inspections)
    for row in inspections:
        day = _day(row)
        length = _days_in_month(day.year, day.month)
        if day.month == last_month:
            row["inspected_on"] = day.replace(day=rng.randint(length - 9, length))
        elif rng.random() < MONTH_END_SHARE:
            row["inspected_on"] = day.replace(day=rng.randint(length - 4, length))
    _follow_inspections(inspections, cases)


def _plant_overdue_decisions(
    rng: random.Random, inspections: list[dict[str, object]], cases: list[dict[str, object]]
) -> None:
    """Cases filed in the first quarter from its inspections then, most of them never decided."""
    undecided, in_time = OVERDUE_CASES
    planted = cases[: undecided + in_time]
    linked = {case["inspection_id"] for case in cases[len(planted) :]}
    early = [row for row in inspections if _day(row) <= dt.date(_day(row).year, 3, 19) and row["id"] not in linked]
    for case, inspection in zip(planted, rng.sample(early, len(planted)), strict=True):
        filed_on = _day(inspection) + dt.timedelta(days=rng.randint(0, 12))
        case.update(inspection_id=inspection["id"], unit_name=inspection["unit_name"], filed_on=filed_on)
        case["decided_on"] = None if undecided > 0 else filed_on + dt.timedelta(days=rng.randint(7, 40))
        undecided -= 1


def _follow_inspections(inspections: list[dict[str, object]], cases: list[dict[str, object]]) -> None:
    """Cases keep their inspection's unit, and are never filed before it (the decision moves with the filing)."""
    by_id = {row["id"]: row for row in inspections}
    for case in cases:
        inspection = by_id[case["inspection_id"]]
        case["unit_name"] = inspection["unit_name"]
        filed, decided = case["filed_on"], case["decided_on"]
        assert isinstance(filed, dt.date) and isinstance(decided, dt.date)
        if filed < _day(inspection):
            case["filed_on"] = _day(inspection)
            case["decided_on"] = _day(inspection) + (decided - filed)


def _day(row: dict[str, object]) -> dt.date:
    day = row["inspected_on"]
    assert isinstance(day, dt.date)
    return day


PLANTERS: dict[str, Callable[[random.Random, list[dict[str, object]], list[dict[str, object]]], None]] = {
    "repeat_visits": _plant_repeat_visits,
    "period_end_rush": _plant_period_end_rush,
    "overdue_decisions": _plant_overdue_decisions,
}


def _inspections(
    rng: random.Random, county: str, code: int, half: str, figures: dict[str, str]
) -> list[dict[str, object]]:
    count = int(figures["inspections"])
    year, first_month = _half_start(half)
    per_month = split_exactly(count, MONTH_WEIGHTS[half])
    turnouts = [1 + extra for extra in _spread(rng, int(figures["inspector_turnouts"]) - count, count)]
    documents = _spread(rng, int(figures["documents"]), count)
    rows: list[dict[str, object]] = []
    for offset, month_count in enumerate(per_month):
        month = first_month + offset
        days = sorted(rng.randint(1, _days_in_month(year, month)) for _ in range(month_count))
        for day in days:
            position = len(rows)
            hazards = rng.choice((0, 0, 1, 1, 2, 3, 4))
            rows.append(
                {
                    "id": f"JC{code}{year}{month:02d}{position + 1:04d}",
                    "county_code": code,
                    "inspected_on": dt.date(year, month, day),
                    "unit_name": f"{county[:2]}{rng.choice(UNIT_WORDS)}{rng.choice(UNIT_KINDS)}",
                    "industry": rng.choice(INDUSTRIES),
                    "inspector_turnouts": turnouts[position],
                    "documents": documents[position],
                    "hazards_found": hazards,
                    "rectification_ordered": hazards > 0,
                    "rectification_recorded": hazards > 0,
                    "random_selected": rng.random() < 0.3,
                }
            )
    return rows


def _cases(
    rng: random.Random,
    county: str,
    code: int,
    half: str,
    figures: dict[str, str],
    inspections: list[dict[str, object]],
) -> list[dict[str, object]]:
    count = int(figures["cases"])
    fines = _split_fines(rng, Decimal(figures["fine_yuan"]), count)
    year, first_month = _half_start(half)
    half_end = dt.date(year, first_month + 5, _days_in_month(year, first_month + 5))
    linked = rng.sample(inspections, count)
    unrecorded = MISSING_RECTIFICATION.get((county, half), 0)
    rows: list[dict[str, object]] = []
    for position, (inspection, fine) in enumerate(zip(linked, fines, strict=True)):
        inspected_on = inspection["inspected_on"]
        assert isinstance(inspected_on, dt.date)
        filed_on = min(inspected_on + dt.timedelta(days=rng.randint(0, 12)), half_end)
        rows.append(
            {
                "id": f"LA{code}{year}{half[-1]}{position + 1:03d}",
                "county_code": code,
                "filed_on": filed_on,
                "decided_on": filed_on + dt.timedelta(days=rng.randint(7, 40)),
                "inspection_id": inspection["id"],
                "unit_name": inspection["unit_name"],
                "violation": rng.choice(VIOLATIONS),
                "fine_yuan": fine,
                "rectification_recorded": position >= unrecorded,
            }
        )
    return rows


def split_exactly(total: int, weights: tuple[int, ...] | list[float]) -> list[int]:
    """Whole shares of ``total`` in proportion to ``weights`` that add up to ``total`` exactly.

    >>> split_exactly(10, (1, 1, 1))
    [4, 3, 3]
    """
    weight_sum = float(sum(weights))
    raw = [total * weight / weight_sum for weight in weights]
    shares = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda index: raw[index] - shares[index], reverse=True)
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _spread(rng: random.Random, total: int, slots: int) -> list[int]:
    """``total`` units dealt one by one to random slots."""
    counts = [0] * slots
    for _ in range(total):
        counts[rng.randrange(slots)] += 1
    return counts


def _split_fines(rng: random.Random, total: Decimal, count: int) -> list[Decimal]:
    """Fines in whole hundreds of yuan adding up to ``total`` exactly, the last taking the remainder."""
    if count == 0:
        return []
    hundreds = int(total // 100)
    weights = [rng.uniform(0.5, 2.0) for _ in range(count)]
    shares = split_exactly(hundreds, weights)
    fines = [Decimal(share * 100) for share in shares]
    fines[-1] += total - sum(fines, Decimal(0))
    return fines


def _half_start(half: str) -> tuple[int, int]:
    year, part = half.split("-")
    return int(year), 1 if part == "H1" else 7


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day
