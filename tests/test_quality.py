"""Enforcement quality (issue 13): each pattern planted in records through the real importer is flagged, a county
just inside each margin is not, a county below the minimum count is told 样本不足; and the demo's planted
patterns show on the flags page, the ranking, the map, the bulletin and the command line."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bulletin import draft_bulletin
from records.db import open_database
from records.demo import COUNTIES_FILE, load_counties
from records.importer import import_file
from records.queries import overdue_case_records, quality_counts, revisit_records
from report.quality import quality_view, too_few_lines
from scoring.quality import QualitySettings, judge_quality, judge_signal
from tests.conftest import EVERY_COUNTY, ranking, run_module
from tests.test_app import open_page, table_with

START, END = dt.date(2023, 1, 1), dt.date(2023, 6, 30)
SETTINGS = QualitySettings()
# Days that are in no pattern: the 1st to the 20th of February to May (not a month's last five days, not the
# period's last ten).
ORDINARY_DAYS = [dt.date(2023, month, day) for month in range(2, 6) for day in range(1, 21)]
INSPECTION_HEADER = ["检查编号", "县区", "检查日期", "被检查单位", "发现隐患（项）", "双随机"]
CASE_HEADER = ["案件编号", "县区", "立案日期", "当事单位", "罚款金额（元）", "处罚决定日期"]


def csv_text(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def visit(county: str, number: int, day: dt.date, unit: str, hazards: int = 1, random: bool = True) -> list[object]:
    return [f"{county}-J{number:04d}", county, day.isoformat(), unit, hazards, "是" if random else "否"]


def ordinary(county: str, count: int, first: int = 0, **marks: object) -> list[list[object]]:
    """``count`` inspections of different units on ordinary days."""
    return [
        visit(county, first + i, ORDINARY_DAYS[i % len(ORDINARY_DAYS)], f"{county}单位{first + i}", **marks)  # type: ignore[arg-type]
        for i in range(count)
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[object]:
    """A store with the ten counties, filled by ``fill(inspections, cases)`` through the importer."""
    connection = open_database(tmp_path / "quality.duckdb", create=True)
    load_counties(connection, COUNTIES_FILE)

    def fill(inspections: list[list[object]], cases: list[list[object]] | None = None) -> duckdb.DuckDBPyConnection:
        for name, header, rows in (("检查.csv", INSPECTION_HEADER, inspections), ("立案.csv", CASE_HEADER, cases)):
            if rows:
                outcome = import_file(connection, csv_text(header, rows), file_name=name)
                assert outcome.status == "imported", outcome.message
        return connection

    yield fill
    connection.close()


def judged(connection: duckdb.DuckDBPyConnection, signal: str, today: dt.date | None = None) -> pd.DataFrame:
    counts = quality_counts(connection, START, END, today, **SETTINGS.query_parameters())
    counts = counts[(counts["inspections"] > 0) | (counts["cases"] > 0)]
    return judge_signal(signal, counts.reset_index(drop=True), SETTINGS).set_index("county")


def excess(row: pd.Series, lower_is_worse: bool = False) -> float:
    return float(row["city_value"] - row["value"] if lower_is_worse else row["value"] - row["city_value"])


def assert_margins(
    signals: pd.DataFrame, margin: float, flagged: str, inside: str, few: str, lower: bool = False
) -> None:
    """The pattern's county is flagged, the county just inside the margin is judged and not flagged, and the
    county below the minimum count is 样本不足 whatever its share."""
    assert signals.loc[flagged, "status"] == "flagged", signals.loc[flagged, "sentence"]
    assert excess(signals.loc[flagged], lower) >= margin
    assert signals.loc[inside, "status"] == "within"
    assert margin - 0.01 < excess(signals.loc[inside], lower) < margin  # just inside: within a point of it
    assert signals.loc[few, "status"] == "too_few"
    assert "样本不足" in signals.loc[few, "sentence"]


def test_repeat_visits_flag_the_county_revisiting_the_same_unit(store) -> None:  # type: ignore[no-untyped-def]
    rows = ordinary("驿城区", 180) + [visit("驿城区", 900 + j, dt.date(2023, 3, 1), "驿城区常查") for j in range(20)]
    for county, count, repeats in (("西平县", 100, 80), ("上蔡县", 100, 65), ("平舆县", 49, 40)):
        rows += ordinary(county, count - repeats - 1)
        rows += [visit(county, 500 + j, dt.date(2023, 3, 1) + dt.timedelta(days=j % 60), f"{county}常查单位")
                 for j in range(repeats + 1)]  # fmt: skip
    # 正阳县 visited a unit on 20 December and again on 5 January: the window looks back before the period.
    rows += [visit("正阳县", 1, dt.date(2022, 12, 20), "正阳单位"), visit("正阳县", 2, dt.date(2023, 1, 5), "正阳单位")]
    connection = store(rows)
    signals = judged(connection, "repeat_visits")
    assert signals.loc["正阳县", ["base", "value"]].tolist() == [1, 1.0]  # its only inspection is a revisit
    assert signals.loc["驿城区", "value"] == pytest.approx(19 / 200)  # the 1st of its 20 visits is no revisit
    assert_margins(signals, SETTINGS.revisit_margin, flagged="西平县", inside="上蔡县", few="平舆县")
    assert "检查100家次中有80家次是对30天内已检查过的同一单位的重复检查，占80.0%" in signals.loc["西平县", "sentence"]
    assert "平均每个单位检查5.0次" in signals.loc["西平县", "sentence"]
    behind = revisit_records(connection, EVERY_COUNTY, 411721, START, END)
    assert set(behind["unit_name"]) == {"西平县常查单位"} and len(behind) == 81
    assert behind["days_since_previous"].iloc[0] is pd.NA or pd.isna(behind["days_since_previous"].iloc[0])


def test_period_end_rush_flags_crowding_into_the_last_days_and_month_ends(store) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for county, count, rushed in (("驿城区", 400, 10), ("西平县", 100, 40), ("上蔡县", 100, 25), ("平舆县", 49, 40)):
        rows += ordinary(county, count - rushed)
        rows += [visit(county, 900 + j, dt.date(2023, 6, 21 + j % 5), f"{county}期末{j}") for j in range(rushed)]
    # 正阳县 crowds into the last days of each month instead: the 27th of February to May.
    rows += ordinary("正阳县", 40)
    rows += [visit("正阳县", 900 + j, dt.date(2023, 2 + j % 4, 27), f"正阳月末{j}") for j in range(60)]
    signals = judged(store(rows), "period_end_rush")
    assert_margins(signals, SETTINGS.rush_margin, flagged="西平县", inside="上蔡县", few="平舆县")
    inside = signals.loc["上蔡县"]
    assert inside["value"] >= SETTINGS.rush_ratio * inside["city_value"]  # the margin decides, not the ratio
    assert signals.loc["正阳县", "status"] == "flagged"
    assert signals.loc["正阳县", ["value", "city_value"]].tolist() == pytest.approx([0.6, 60 / 749])
    assert "各月最后5天检查60家次，占60.0%" in signals.loc["正阳县", "sentence"]
    assert "时段最后10天检查40家次，占本期100家次的40.0%" in signals.loc["西平县", "sentence"]


def test_a_period_end_share_above_the_margin_but_not_half_again_the_pools_is_not_a_rush(store) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for county, rushed in (("驿城区", 40), ("西平县", 40), ("上蔡县", 55)):  # 55% against 45%: ten points, not 1.5×
        rows += ordinary(county, 100 - rushed)
        rows += [visit(county, 900 + j, dt.date(2023, 6, 21 + j % 5), f"{county}期末{j}") for j in range(rushed)]
    signals = judged(store(rows), "period_end_rush")
    assert excess(signals.loc["上蔡县"]) >= SETTINGS.rush_margin
    assert signals.loc["上蔡县", "status"] == "within"


def test_inspections_finding_no_hazard(store) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for county, count, empty in (("驿城区", 200, 60), ("西平县", 100, 90), ("上蔡县", 100, 82), ("平舆县", 49, 49)):
        rows += ordinary(county, count - empty) + ordinary(county, empty, first=500, hazards=0)
    signals = judged(store(rows), "no_hazard_inspections")
    assert_margins(signals, SETTINGS.no_hazard_margin, flagged="西平县", inside="上蔡县", few="平舆县")
    assert "检查100家次中有90家次未发现任何隐患，占90.0%" in signals.loc["西平县", "sentence"]


def test_few_random_inspections(store) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for county, count, chosen in (("驿城区", 400, 200), ("西平县", 100, 5), ("上蔡县", 100, 14), ("平舆县", 49, 0)):
        rows += ordinary(county, chosen) + ordinary(county, count - chosen, first=500, random=False)
    signals = judged(store(rows), "low_random_share")
    assert_margins(signals, SETTINGS.random_margin, flagged="西平县", inside="上蔡县", few="平舆县", lower=True)
    assert "检查100家次中双随机抽查5家次，占5.0%" in signals.loc["西平县", "sentence"]


def case(county: str, number: int, filed: dt.date, fine: float = 1000, decided_after: int | None = 10) -> list[object]:
    decided = "" if decided_after is None else (filed + dt.timedelta(days=decided_after)).isoformat()
    return [f"{county}-L{number:04d}", county, filed.isoformat(), f"{county}当事单位{number}", f"{fine:.2f}", decided]


def cases_of(county: str, judged_cases: int, overdue: int, first: int = 0) -> list[list[object]]:
    """Cases filed in January to March (their 90 days ran out before the period's end); half the overdue ones
    never decided, half decided late."""
    rows = []
    for i in range(judged_cases):
        filed = dt.date(2023, 1, 2) + dt.timedelta(days=i % 80)
        late = i < overdue
        rows.append(case(county, first + i, filed, decided_after=(None if i % 2 else 120) if late else 10))
    return rows


def test_overdue_decisions_judge_only_cases_whose_time_has_run_out(store) -> None:  # type: ignore[no-untyped-def]
    rows = cases_of("驿城区", 40, 2) + cases_of("西平县", 10, 8) + cases_of("上蔡县", 40, 24) + cases_of("平舆县", 4, 4)
    rows += [case("驿城区", 900 + i, dt.date(2023, 5, 10), decided_after=None) for i in range(5)]  # not yet 90 days
    connection = store(ordinary("驿城区", 1), rows)
    signals = judged(connection, "overdue_decisions")
    assert signals.loc["驿城区", "base"] == 40  # the five May cases are not judged yet
    assert_margins(signals, SETTINGS.overdue_margin, flagged="西平县", inside="上蔡县", few="平舆县")
    assert "立案已满90天的10起案件中，8起超过90天未作出处罚决定，占80.0%" in signals.loc["西平县", "sentence"]
    overdue = overdue_case_records(connection, EVERY_COUNTY, 411721, START, END)
    assert len(overdue) == 8 and (overdue["days_waiting"] > 90).all()
    # Judged on an earlier day (a period still running), fewer cases have had their 90 days.
    assert judged(connection, "overdue_decisions", today=dt.date(2023, 5, 1)).loc["驿城区", "base"] == 29


def test_fines_from_a_few_cases_compare_with_the_middle_county(store) -> None:  # type: ignore[no-untyped-def]
    rows = [case("驿城区", i, dt.date(2023, 2, 1)) for i in range(20)] + [case("驿城区", 99, dt.date(2023, 2, 1), 0)]
    for county in ("正阳县", "确山县"):
        rows += [case(county, i, dt.date(2023, 2, 1)) for i in range(12)]
    for county, largest in (("西平县", (10000, 10000, 10000)), ("上蔡县", (3600, 3590, 3590))):
        rows += [case(county, i, dt.date(2023, 2, 1), fine) for i, fine in enumerate(largest)]
        rows += [case(county, 10 + i, dt.date(2023, 2, 1)) for i in range(9)]
    rows += [case("平舆县", i, dt.date(2023, 2, 1), 10000 if i < 3 else 1000) for i in range(9)]
    signals = judged(store(ordinary("驿城区", 1), rows), "fine_concentration")
    assert signals.loc["驿城区", "base"] == 20  # the case without a fine is not a fined case
    assert signals.loc["西平县", "city_value"] == pytest.approx(0.25)  # 15%, 25%, 25%, 54.5%, 76.9%
    assert_margins(signals, SETTINGS.concentration_margin, flagged="西平县", inside="上蔡县", few="平舆县")
    assert "罚款最多的3起案件共3.00万元，占本县区罚款3.90万元（12起）的76.9%" in signals.loc["西平县", "sentence"]


def test_judging_leaves_its_input_unchanged_and_every_signal_has_a_row_per_county(store) -> None:  # type: ignore[no-untyped-def]
    connection = store(ordinary("驿城区", 60))
    counts = quality_counts(connection, START, END)
    before = counts.copy()
    signals = judge_quality(counts, START, END)
    pd.testing.assert_frame_equal(counts, before)
    assert len(signals) == 6 * len(counts)
    assert set(signals.loc[signals["county"] == "西平县", "status"]) == {"too_few"}  # no records at all
    assert "本期没有检查记录，样本不足" in " ".join(signals.loc[signals["county"] == "西平县", "sentence"])


# The demo: three patterns planted in counties near the top of the ranking, January to June 2020.
H1 = (dt.date(2020, 1, 1), dt.date(2020, 6, 30))
PLANTED = {("泌阳县", "repeat_visits"), ("新蔡县", "period_end_rush"), ("遂平县", "overdue_decisions")}


def test_the_demo_flags_exactly_its_planted_patterns(demo: duckdb.DuckDBPyConnection) -> None:
    view = quality_view(quality_counts(demo, *H1), *H1)
    assert set(zip(view.flagged["county"], view.flagged["signal"], strict=True)) == PLANTED
    lines = too_few_lines(view)
    assert any(line.startswith("办案超期：") and "样本不足" in line for line in lines)
    # Among 驿城区 and 泌阳县 alone, 泌阳县's revisits are compared with the two of them: not far enough off.
    within = quality_view(quality_counts(demo, *H1), *H1, (411702, 411726), True)
    assert within.pool == "所选2个县区" and within.flagged.empty
    assert "所选2个县区平均" in " ".join(within.signals["sentence"])


def test_no_period_of_the_demo_flags_anything_but_the_planted_patterns(demo: duckdb.DuckDBPyConnection) -> None:
    periods = []
    for year in (2019, 2020):
        ends = [dt.date(year, month, calendar.monthrange(year, month)[1]) for month in range(1, 13)]
        periods += [(dt.date(year, month, 1), ends[month - 1]) for month in range(1, 13)]  # months
        periods += [(dt.date(year, first, 1), ends[first + 1]) for first in (1, 4, 7, 10)]  # quarters
        periods += [(dt.date(year, 1, 1), ends[5]), (dt.date(year, 7, 1), ends[11]), (dt.date(year, 1, 1), ends[11])]
    for start, end in periods:
        flagged = quality_view(quality_counts(demo, start, end), start, end).flagged
        assert set(zip(flagged["county"], flagged["signal"], strict=True)) <= PLANTED, (start, end)


def test_the_demo_bulletin_names_the_planted_counties_and_figures(demo: duckdb.DuckDBPyConnection) -> None:
    text = draft_bulletin(demo, *H1, scope=EVERY_COUNTY).text()
    assert "反复检查少数几家单位" in text and "泌阳县检查160家次中有134家次是对30天内已检查过的同一单位" in text
    assert "突击完成" in text and "新蔡县时段最后10天检查41家次，占本期152家次的27.0%" in text
    assert "办案超过法定期限" in text and "遂平县立案已满90天的9起案件中，6起超过90天未作出处罚决定" in text
    numbered = re.findall(r"^（([一二三四五六七八九十])）(.*)$", text, re.MULTILINE)
    assert [number for number, _ in numbered] == list("一二三四五六七八九十")[: len(numbered)]
    leads = [paragraph for _, paragraph in numbered][-3:]  # numbered on after the ranking's problems
    assert "反复检查" in leads[0] and "突击完成" in leads[1] and "办案超过法定期限" in leads[2]


def test_the_flags_page_shows_the_planted_patterns_and_the_records_behind_them(app: AppTest) -> None:
    open_page(app, "pages/flags.py")
    assert any(s.value == "执法质量" for s in app.subheader)
    table = app.dataframe(key="quality_table").value
    assert set(zip(table["单位"], table["信号"], strict=True)) == {
        ("泌阳县", "重复检查"),
        ("新蔡县", "期末突击"),
        ("遂平县", "办案超期"),
    }
    row = table.set_index("信号").loc["重复检查"]
    assert (row["本县区（%）"], row["全市水平（%）"], row["记录数"]) == (83.8, 31.3, 160)
    assert any("样本不足" in c.value and "办案超期" in c.value for c in app.caption)
    picker = app.selectbox(key="quality_pick")
    assert picker.value == "repeat_visits:411726"  # the first flagged signal's records show at once
    records = table_with(app, "距该单位上次检查（天）")
    assert list(records.columns[:4]) == ["检查编号", "检查日期", "被检查单位", "距该单位上次检查（天）"]
    assert records["被检查单位"].nunique() <= 6 and len(records) == 142
    picker.set_value("overdue_decisions:411728").run()
    cases = table_with(app, "立案至决定（或至今）天数")
    assert len(cases) == 6 and (cases["处罚决定日期"] == "").all()
    assert (cases["立案至决定（或至今）天数"] > 90).all()


def test_a_quality_threshold_set_on_the_flags_page_applies(app: AppTest) -> None:
    open_page(app, "pages/flags.py")
    quality_inputs = [box for box in app.number_input if str(box.key).startswith("quality_")]
    assert not quality_inputs, "the quality thresholds' inputs are drawn only while their panel is open"
    app.session_state["quality_settings"] = True  # the reader opens 执法质量阈值
    app.run()
    app.number_input(key="quality_minimum_judged_cases").set_value(10).run()  # 遂平县 has 9 cases past 90 days
    table = app.dataframe(key="quality_table").value
    assert "办案超期" not in set(table["信号"])
    assert any("立案满90天的案件不足10起" in c.value and "遂平县" in c.value for c in app.caption)
    app.number_input(key="quality_revisit_margin").set_value(200).run()
    assert any("最多为100，输入的200未采用，仍按20计算" in e.value for e in app.error)


def test_the_ranking_marks_quality_in_its_own_narrow_column(app: AppTest) -> None:
    table = ranking(open_page(app, "pages/rankings.py")).set_index("单位")
    assert table["质量"].to_dict() == {
        "泌阳县": "重复",
        "遂平县": "超期",
        "汝南县": "",
        "新蔡县": "突击",
        "平舆县": "",
        "西平县": "",
        "上蔡县": "",
        "确山县": "",
        "正阳县": "",
        "驿城区": "",
    }


def test_the_map_colours_counties_by_their_quality_flags(app: AppTest) -> None:
    open_page(app, "pages/overview.py")
    app.radio(key="map_colour_by").set_value("quality").run()
    assert not app.exception, [e.value for e in app.exception]
    chart = next(c for c in app.get("plotly_chart") if "county_map" in c.proto.id)
    spec = json.loads(chart.proto.spec)
    trace = [t for t in spec["data"] if t["type"] == "choropleth"][-1]
    z = dict(zip(trace["customdata"], trace["z"], strict=True))
    assert {county for county, flags in z.items() if flags} == {"泌阳县", "新蔡县", "遂平县"}
    assert spec["layout"]["title"]["text"] == "各县区执法质量"
    hover = dict(zip(trace["customdata"], trace["hovertext"], strict=True))
    assert "执法质量：重复检查" in hover["泌阳县"] and "执法质量" not in hover["汝南县"]


def test_the_bulletin_page_drafts_the_quality_problems(app: AppTest) -> None:
    open_page(app, "pages/bulletin.py")
    preview = "\n".join(m.value for m in app.markdown).replace("\\", "")
    assert "泌阳县检查160家次中有134家次" in preview and "遂平县立案已满90天的9起案件中" in preview


def test_the_flags_command_prints_the_documented_columns(built_demo: Path) -> None:
    result = run_module(
        "records", "flags", "--db", str(built_demo), "--start", "2020-01-01", "--end", "2020-06-30", "--format", "csv"
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0] == "county,flag,value,city_value,detail"
    flags = {(row["county"], row["flag"]) for row in rows}
    assert PLANTED <= flags
    assert {("驿城区", "bottom_places"), ("确山县", "few_cases"), ("驿城区", "steep_fall")} <= flags
    assert ("正阳县", "rectification_gaps") in flags
    known = {"bottom_places", "few_cases", "steep_fall", "no_cases_or_fines", "rectification_gaps"}
    assert {row["flag"] for row in rows} <= known | {signal for _, signal in PLANTED}
    repeat = next(row for row in rows if row["flag"] == "repeat_visits")
    assert (float(repeat["value"]), float(repeat["city_value"])) == (0.8375, 0.3133)
    assert repeat["detail"].startswith("检查160家次中有134家次")
    bottom = next(row for row in rows if row["flag"] == "bottom_places" and row["county"] == "驿城区")
    assert bottom["value"] == "10" and bottom["city_value"] == ""
    table = run_module("records", "flags", "--db", str(built_demo), "--start", "2020-01-01", "--end", "2020-06-30")
    assert table.returncode == 0 and "83.8%" in table.stdout and "repeat_visits" in table.stdout
    wrong = run_module("records", "flags", "--db", str(built_demo), "--start", "2020-06-30", "--end", "2020-01-01")
    assert wrong.returncode == 1 and "开始日期晚于结束日期" in wrong.stderr and "Traceback" not in wrong.stderr


def test_chosen_counties_see_only_their_own_signals_and_flags(app: AppTest) -> None:
    """The pool's tables are built once and a view takes its counties' rows: a table with a row per signal or per
    flag must still show none of a county that was not chosen, whatever the number of rows and of counties."""
    open_page(app, "pages/flags.py")
    flagged = set(app.dataframe(key="quality_table").value["单位"])
    assert len(flagged) == 3, flagged  # 泌阳县, 新蔡县 and 遂平县: three rows, as many as the counties chosen below
    chosen = ["驿城区", "泌阳县", "上蔡县"]
    app.multiselect(key="counties").set_value(chosen).run()
    assert set(app.dataframe(key="quality_table").value["单位"]) == {"泌阳县"}
    figures = table_with(app, "每百家次立案（起）")
    assert set(figures["单位"]) <= set(chosen) and len(figures), figures
