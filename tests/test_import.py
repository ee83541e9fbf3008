"""Import of inspections, cases and summaries: every format, every kind of bad row, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from records.db import open_database
from records.fields import Plausibility
from records.importer import check_file, import_file, template_rows, write_checked
from tests.attachment_files import printed_csv, printed_xlsx
from tests.conftest import table_snapshot

H1_START, H1_END = dt.date(2020, 1, 1), dt.date(2020, 6, 30)


def write(path: Path, frame: pd.DataFrame, encoding: str = "utf-8") -> Path:
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding=encoding)
    return path


def good_inspections() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["N-1", "N-2", "N-3"],
            "county": ["驿城区", "411721", "遂平县"],
            "inspected_on": ["2021-03-01", "2021/3/2", "2021年3月3日"],
            "unit_name": ["甲化工有限公司", "乙石料厂", "丙木业有限公司"],
            "inspector_turnouts": ["2", "3", ""],
            "rectification_recorded": ["是", "否", ""],
        }
    )


def count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("suffix", "encoding"), [(".csv", "utf-8"), (".csv", "utf-8-sig"), (".csv", "gbk"), (".xlsx", "")]
)
def test_inspections_import_in_every_format(demo, tmp_path: Path, suffix: str, encoding: str) -> None:
    before = count(demo, "inspections")
    frame = good_inspections()
    if encoding == "gbk":  # Excel in China writes GBK with Chinese headers
        frame.columns = ["检查编号", "县区", "检查日期", "被检查单位", "出动执法人员（人次）", "整改记录"]
    outcome = import_file(demo, write(tmp_path / f"i{suffix}", frame, encoding or "utf-8"))
    assert outcome.status == "imported", outcome.problems
    assert outcome.kind == "inspections"
    assert count(demo, "inspections") == before + 3
    stored = demo.execute(
        "SELECT county_code, inspected_on, inspector_turnouts, rectification_recorded FROM inspections "
        "WHERE id IN ('N-1', 'N-2', 'N-3') ORDER BY id"
    ).fetchall()
    assert stored == [
        (411702, dt.date(2021, 3, 1), 2, True),
        (411721, dt.date(2021, 3, 2), 3, False),
        (411728, dt.date(2021, 3, 3), 1, False),
    ]


def test_cases_import_keeps_fines_exact(demo, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "案件编号": ["C-1", "C-2", "C-3"],
            "县区": ["正阳县", "正阳县", "正阳县"],
            "立案日期": ["2021-01-05", "2021-01-06", "2021-01-07"],
            "当事单位": ["甲", "乙", "丙"],
            "罚款金额（元）": ["0.10", "0.20", "1,000.70"],
            "处罚决定日期": ["2021-01-20", "", ""],
        }
    )
    outcome = import_file(demo, write(tmp_path / "cases.csv", frame, "gb18030"))
    assert outcome.status == "imported", outcome.problems
    total = demo.execute("SELECT sum(fine_yuan) FROM cases WHERE id LIKE 'C-%'").fetchone()
    assert str(total[0]) == "1001.00"


def test_summary_import_with_period_columns_and_attachment_headers(demo, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "单位": ["驿城区", "西平县"],
            "检查生产经营单位（家次）": ["10", "20"],
            "立案数": ["1", "0"],
            "监督检查罚款（万元）": ["8.01", "0"],
            "开始日期": ["2018-01-01", "2018-01-01"],
            "结束日期": ["2018-06-30", "2018-06-30"],
        }
    )
    outcome = import_file(demo, write(tmp_path / "summary.xlsx", frame))
    assert outcome.status == "imported", outcome.problems
    stored = demo.execute(
        "SELECT county_code, period_start, period_end, inspections, cases, fine_yuan FROM county_summaries "
        "WHERE period_start = DATE '2018-01-01' ORDER BY county_code"
    ).fetchall()
    assert [(r[0], r[3], r[4], str(r[5])) for r in stored] == [(411702, 10, 1, "80100.00"), (411721, 20, 0, "0.00")]


def test_summary_period_from_arguments(demo, tmp_path: Path) -> None:
    frame = pd.DataFrame({"county": ["驿城区"], "inspections": ["5"], "cases": ["1"], "fines": ["0.5"]})
    path = write(tmp_path / "s.csv", frame)
    without = import_file(demo, path)
    assert without.status == "invalid"
    assert "未给出汇总时段" in without.problems["问题"].iloc[0]
    outcome = import_file(demo, path, start=dt.date(2017, 1, 1), end=dt.date(2017, 12, 31))
    assert outcome.status == "imported"


def bad_rows(kind: str) -> pd.DataFrame:
    if kind == "inspections":
        return pd.DataFrame(
            {
                "id": ["B-1", "B-1", "JC4117022020010001", "B-4", "B-5"],
                "county": ["驿城区", "火星县", "驿城区", "驿城区", ""],
                "inspected_on": ["2021-02-30", "2021-01-01", "2021-01-01", "2021-01-01", "2021-01-01"],
                "unit_name": ["甲", "乙", "丙", "丁", "戊"],
                "documents": ["1", "2", "-3", "1.5", "abc"],
            }
        )
    if kind == "cases":
        return pd.DataFrame(
            {
                "id": ["B-1", "B-2"],
                "county": ["驿城区", "999999"],
                "filed_on": ["2021-03-01", "下周"],
                "unit_name": ["甲", ""],
                "fine_yuan": ["-100", "12.345"],
                "decided_on": ["2021-02-01", ""],
            }
        )
    return pd.DataFrame(
        {
            "单位": ["驿城区", "驿城区", "不存在县"],
            "检查生产经营单位（家次）": ["10", "-1", "5"],
            "立案数": ["1", "2", "x"],
            "监督检查罚款（万元）": ["1", "1", "1"],
        }
    )


EXPECTED_PROBLEMS = {
    "inspections": [
        ("2", "检查日期", "2021-02-30", "无法识别的日期"),
        ("3", "检查编号", "B-1", "编号在文件中重复（第2行已有）"),
        ("3", "县区", "火星县", "未知县区"),
        ("4", "检查编号", "JC4117022020010001", "编号已存在于数据库中"),
        ("4", "使用执法文书（份）", "-3", "不能为负数"),
        ("5", "使用执法文书（份）", "1.5", "应为整数"),
        ("6", "县区", "", "不能为空"),
        ("6", "使用执法文书（份）", "abc", "不是数字"),
    ],
    "cases": [
        ("2", "罚款金额（元）", "-100", "不能为负数"),
        ("2", "处罚决定日期", "2021-02-01", "处罚决定日期早于立案日期"),
        ("3", "县区", "999999", "未知县区"),
        ("3", "立案日期", "下周", "无法识别的日期"),
        ("3", "当事单位", "", "不能为空"),
        ("3", "罚款金额（元）", "12.345", "最多保留2位小数"),
    ],
    "summary": [
        ("3", "检查生产经营单位（家次）", "-1", "不能为负数"),
        ("3", "单位", "驿城区", "同一时段的县区在文件中重复（第2行已有）"),
        ("4", "单位", "不存在县", "未知县区"),
        ("4", "立案数", "x", "不是数字"),
    ],
}


@pytest.mark.parametrize("kind", ["inspections", "cases", "summary"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_bad_file_reports_every_problem_and_changes_nothing(demo, tmp_path: Path, kind: str, suffix: str) -> None:
    before = table_snapshot(demo)
    path = write(tmp_path / f"bad{suffix}", bad_rows(kind))
    outcome = import_file(demo, path, start=dt.date(2021, 1, 1), end=dt.date(2021, 6, 30))
    assert outcome.status == "invalid"
    assert "未导入任何数据" in outcome.message
    found = outcome.problems
    for row, column, value, problem in EXPECTED_PROBLEMS[kind]:
        match = found[(found["行"] == row) & (found["列"] == column) & found["问题"].str.contains(problem, regex=False)]
        assert not match.empty, f"missing problem {row} {column} {problem}:\n{found}"
        assert match["值"].iloc[0] == value
    assert len(found) == len(EXPECTED_PROBLEMS[kind])
    assert table_snapshot(demo) == before


def test_missing_columns_are_named(demo, tmp_path: Path) -> None:
    before = table_snapshot(demo)
    frame = pd.DataFrame({"id": ["x"], "county": ["驿城区"], "unit_name": ["甲"]})
    outcome = import_file(demo, write(tmp_path / "m.csv", frame), kind="inspections")
    assert outcome.status == "invalid"
    assert outcome.problems["问题"].str.contains("缺少必填列“检查日期”").any()
    assert table_snapshot(demo) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "不是文本表格"),
        ("名字,年龄\n张三,3\n".encode(), "无法识别文件类型"),
        (b"PK\x03\x04broken", "不是有效的 XLSX"),
    ],
)
def test_a_wrong_file_gets_a_clear_message(demo, content: bytes, message: str) -> None:
    before = table_snapshot(demo)
    outcome = import_file(demo, content, file_name="上传.csv")
    assert outcome.status == "invalid"
    assert message in outcome.message
    assert table_snapshot(demo) == before


def test_the_same_file_twice_adds_nothing_twice(demo, tmp_path: Path) -> None:
    path = write(tmp_path / "once.csv", good_inspections())
    assert import_file(demo, path).status == "imported"
    after_first = table_snapshot(demo)
    again = import_file(demo, path)
    assert again.status == "duplicate"
    assert "未重复导入" in again.message
    assert table_snapshot(demo) == after_first
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(path.read_bytes() + b"\n")
    assert import_file(demo, renamed).problems["问题"].str.contains("编号已存在于数据库中").all()


def test_check_only_writes_nothing(demo, tmp_path: Path) -> None:
    before = table_snapshot(demo)
    outcome = import_file(demo, write(tmp_path / "ok.csv", good_inspections()), write=False)
    assert outcome.status == "valid" and outcome.rows == 3
    assert table_snapshot(demo) == before


def test_a_failure_while_writing_rolls_everything_back(demo, tmp_path: Path) -> None:
    # A stricter table than validation knows of makes the second statement of the import fail.
    ddl = demo.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'inspections'").fetchone()[0]
    demo.execute("ALTER TABLE inspections RENAME TO inspections_lenient")
    demo.execute(
        ddl.replace("import_id INTEGER NOT NULL", "import_id INTEGER NOT NULL, CHECK (length(unit_name) < 40)")
    )
    demo.execute("INSERT INTO inspections SELECT * FROM inspections_lenient")
    demo.execute("DROP TABLE inspections_lenient")
    before = table_snapshot(demo)
    frame = good_inspections()
    frame.loc[2, "unit_name"] = "名称过长" * 20
    with pytest.raises(duckdb.ConstraintException):
        import_file(demo, write(tmp_path / "long.csv", frame))
    assert table_snapshot(demo) == before


@pytest.mark.parametrize("kind", ["inspections", "cases", "summary"])
def test_a_filled_template_imports(demo, tmp_path: Path, kind: str) -> None:
    template = template_rows(kind)
    if kind == "summary":  # the clerk fills in the period the summary covers
        template[["开始日期", "结束日期"]] = ["2016-01-01", "2016-06-30"]
    path = write(tmp_path / f"{kind}.xlsx", template)
    outcome = import_file(demo, path)
    assert outcome.kind == kind
    assert outcome.status == "imported", outcome.problems


def test_readers_never_see_half_an_import(demo_path: Path, tmp_path: Path) -> None:
    """Viewers read through their own cursors while the dashboard imports: before or after, never between."""
    import threading

    rows = 200_000
    frame = pd.DataFrame(
        {
            "id": [f"BULK-{i}" for i in range(rows)],
            "county": ["驿城区"] * rows,
            "inspected_on": ["2021-05-01"] * rows,
            "unit_name": ["甲公司"] * rows,
        }
    )
    source = write(tmp_path / "bulk.csv", frame)
    connection = open_database(demo_path)
    reader = connection.cursor()
    before = reader.execute("SELECT count(*) FROM inspections").fetchone()[0]
    outcome: list[object] = []
    writer = threading.Thread(target=lambda: outcome.append(import_file(connection.cursor(), source)))
    writer.start()
    seen = set()
    while writer.is_alive():
        seen.add(reader.execute("SELECT count(*) FROM inspections").fetchone()[0])
    writer.join()
    seen.add(reader.execute("SELECT count(*) FROM inspections").fetchone()[0])
    connection.close()
    assert outcome and outcome[0].status == "imported"
    assert seen <= {before, before + rows}
    assert before + rows in seen


def test_good_rows_beside_a_bad_one_are_not_written(demo, tmp_path: Path) -> None:
    before = table_snapshot(demo)
    frame = good_inspections()
    frame.loc[3] = ["N-4", "驿城区", "2021-03-04", "", "", ""]  # one row lacks its unit name
    outcome = import_file(demo, write(tmp_path / "mixed.csv", frame))
    assert outcome.status == "invalid"
    assert outcome.problems[["行", "列"]].values.tolist() == [["5", "被检查单位"]]
    assert table_snapshot(demo) == before
    stored = demo.execute("SELECT count(*) FROM inspections WHERE id IN ('N-1', 'N-2', 'N-3')").fetchone()
    assert stored == (0,)


def test_check_on_a_read_only_connection_then_write_in_the_callers_transaction(demo_path: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "ok.csv", good_inspections())
    with duckdb.connect(str(demo_path), read_only=True) as reader:
        checked = check_file(reader, source)
    assert checked.status == "valid" and checked.rows == 3
    assert len(checked.checksum) == 64
    assert checked.values["id"].tolist() == ["N-1", "N-2", "N-3"]
    assert checked.period == (dt.date(2021, 3, 1), dt.date(2021, 3, 3))
    assert checked.preview()["存入时段"].tolist() == ["2021-03-01", "2021-03-02", "2021-03-03"]

    connection = open_database(demo_path)
    try:
        before = table_snapshot(connection)
        connection.begin()
        written = write_checked(connection, checked, actor="张三")
        connection.rollback()  # write_checked is inside the caller's transaction: rolling back undoes it
        assert written.status == "imported"
        assert table_snapshot(connection) == before
        connection.begin()
        written = write_checked(connection, checked, actor="张三")
        connection.commit()
        ids = connection.execute("SELECT id FROM inspections WHERE import_id = ? ORDER BY id", [written.import_id])
        assert [row[0] for row in ids.fetchall()] == ["N-1", "N-2", "N-3"]
    finally:
        connection.close()


def test_write_checked_checks_again_against_what_landed_since(demo, tmp_path: Path) -> None:
    first = write(tmp_path / "first.csv", good_inspections())
    second = tmp_path / "second.csv"
    second.write_bytes(first.read_bytes() + b"\n")  # other bytes, the same ids
    checked_first, checked_second = check_file(demo, first), check_file(demo, second)
    assert checked_first.status == checked_second.status == "valid"
    assert import_file(demo, first).status == "imported"  # another import lands after both checks
    after = table_snapshot(demo)

    demo.begin()
    same_file = write_checked(demo, checked_first, actor="李四")
    same_ids = write_checked(demo, checked_second, actor="李四")
    demo.commit()
    assert same_file.status == "duplicate"
    assert same_ids.status == "invalid" and same_ids.problems["问题"].str.contains("已存在于数据库中").all()
    assert len(same_ids.problems) == 3
    assert table_snapshot(demo) == after


def problems_of(outcome) -> list[tuple[str, str, str]]:
    return [(row["行"], row["列"], row["问题"]) for _, row in outcome.problems.iterrows()]


def test_dates_after_today_or_before_the_earliest_year_are_refused(demo, tmp_path: Path) -> None:
    frame = good_inspections()
    frame["inspected_on"] = ["2099-06-01", "1999-12-31", "2021-03-03"]
    outcome = import_file(demo, write(tmp_path / "dates.csv", frame))
    assert outcome.status == "invalid"
    said = problems_of(outcome)
    assert said[0][:2] == ("2", "检查日期") and "晚于今天" in said[0][2]
    assert said[1][:2] == ("3", "检查日期") and "早于2000年" in said[1][2]
    assert len(said) == 2
    strict = Plausibility(earliest_year=2021, today=dt.date(2021, 3, 2))
    narrowed = check_file(demo, write(tmp_path / "ok.csv", good_inspections()), rules=strict)
    assert problems_of(narrowed) == [("4", "检查日期", "日期晚于今天（2021-03-02），请检查")]
    ahead = check_file(demo, tmp_path / "ok.csv", rules=Plausibility(today=dt.date(2021, 3, 1), horizon_days=2))
    assert ahead.status == "valid"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_amounts_are_exact_up_to_the_documented_maximum(demo, tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "案件编号": ["E-1", "E-2", "E-3", "E-4"],
            "县区": ["驿城区"] * 4,
            "立案日期": ["2021-01-05"] * 4,
            "当事单位": ["甲", "乙", "丙", "丁"],
            "罚款金额（元）": ["9999999999.99", "１，０００．５０", "0.07", "123456789.1"],
        }
    )
    if suffix == ".xlsx":  # the largest amount as Excel stores it, a number cell
        frame["罚款金额（元）"] = [9999999999.99, "１，０００．５０", 0.07, 123456789.1]
    outcome = import_file(demo, write(tmp_path / f"fines{suffix}", frame))
    assert outcome.status == "imported", outcome.problems
    stored = demo.execute("SELECT id, fine_yuan FROM cases WHERE id LIKE 'E-%' ORDER BY id").fetchall()
    assert stored == [
        ("E-1", Decimal("9999999999.99")),
        ("E-2", Decimal("1000.50")),
        ("E-3", Decimal("0.07")),
        ("E-4", Decimal("123456789.10")),
    ]


def test_amounts_beyond_the_rules_are_refused(demo, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "案件编号": ["F-1", "F-2", "F-3", "F-4"],
            "县区": ["驿城区"] * 4,
            "立案日期": ["2021-01-05"] * 4,
            "当事单位": ["甲", "乙", "丙", "丁" * 201],
            "罚款金额（元）": ["10000000000.00", "12.345", "NaN", "1"],
        }
    )
    outcome = import_file(demo, write(tmp_path / "beyond.csv", frame))
    assert [(r, c) for r, c, _ in problems_of(outcome)] == [
        ("2", "罚款金额（元）"),
        ("3", "罚款金额（元）"),
        ("4", "罚款金额（元）"),
        ("5", "当事单位"),
    ]
    said = [p for _, _, p in problems_of(outcome)]
    assert "金额过大" in said[0] and "最多保留2位小数" in said[1] and said[2] == "不是数字" and "200 个字符" in said[3]


def test_full_width_digits_and_stray_spaces_are_read_as_meant(demo, tmp_path: Path) -> None:
    frame = good_inspections()
    frame["documents"] = ["２０００", " 3 ", "1\u200b"]
    frame["county"] = ["驿城区 ", "４１１７２１", "遂 平 县"]
    frame["inspected_on"] = ["２０２１－０３－０１", "2021 / 3 / 2", "2021年3月3日"]
    outcome = import_file(demo, write(tmp_path / "wide.csv", frame))
    assert outcome.status == "imported", outcome.problems
    stored = demo.execute(
        "SELECT county_code, inspected_on, documents FROM inspections WHERE id LIKE 'N-%' ORDER BY id"
    ).fetchall()
    assert stored == [
        (411702, dt.date(2021, 3, 1), 2000),
        (411721, dt.date(2021, 3, 2), 3),
        (411728, dt.date(2021, 3, 3), 1),
    ]


def summary_frame(periods: tuple[str, str] | None) -> pd.DataFrame:
    frame = pd.DataFrame({"单位": ["驿城区", "西平县"], "检查生产经营单位（家次）": ["10", "20"], "立案数": ["1", "0"]})
    frame["监督检查罚款（万元）"] = ["0.000001", "2"]  # one fen in 万元: six decimals are exact
    if periods:
        frame["开始日期"], frame["结束日期"] = periods
    return frame


def test_a_summary_files_own_period_wins_over_the_one_given(demo, tmp_path: Path) -> None:
    path = write(tmp_path / "q3.csv", summary_frame(("2020-07-01", "2020-09-30")))
    checked = check_file(demo, path, start=dt.date(2099, 1, 1), end=dt.date(2099, 6, 30))
    assert checked.status == "valid", checked.problems
    assert "时段取自文件中的开始日期、结束日期：2020-07-01 至 2020-09-30" in checked.message
    assert "未采用所选时段 2099-01-01 至 2099-06-30" in checked.period_note
    assert checked.preview()["存入时段"].tolist() == ["2020-07-01 至 2020-09-30"] * 2
    imported = import_file(demo, path, start=dt.date(2099, 1, 1), end=dt.date(2099, 6, 30))
    assert imported.status == "imported"
    stored = demo.execute(
        "SELECT county_code, period_start, period_end, fine_yuan FROM county_summaries WHERE import_id = ? "
        "ORDER BY county_code",
        [imported.import_id],
    ).fetchall()
    assert stored == [
        (411702, dt.date(2020, 7, 1), dt.date(2020, 9, 30), Decimal("0.01")),
        (411721, dt.date(2020, 7, 1), dt.date(2020, 9, 30), Decimal("20000.00")),
    ]


def test_the_given_period_applies_to_a_summary_without_one_and_must_be_plausible(demo, tmp_path: Path) -> None:
    path = write(tmp_path / "plain.csv", summary_frame(None))
    future = check_file(demo, path, start=dt.date(2099, 1, 1), end=dt.date(2099, 6, 30))
    assert future.status == "invalid" and future.problems["问题"].str.contains("所选时段的结束日期").any()
    checked = check_file(demo, path, start=dt.date(2021, 1, 1), end=dt.date(2021, 6, 30))
    assert checked.status == "valid"
    assert "文件中没有开始日期、结束日期列，按所选时段 2021-01-01 至 2021-06-30 存入" in checked.message
    assert checked.period == (dt.date(2021, 1, 1), dt.date(2021, 6, 30))
    half_filled = summary_frame(("2020-07-01", "2020-09-30"))
    half_filled.loc[1, "结束日期"] = ""
    missing = check_file(
        demo, write(tmp_path / "half.csv", half_filled), start=dt.date(2021, 1, 1), end=dt.date(2021, 6, 30)
    )
    assert problems_of(missing) == [("3", "结束日期", "文件有开始日期、结束日期列，此行的结束日期不能为空")]


@pytest.mark.parametrize("layout", ["printed.csv", "printed.xlsx"])
def test_the_attachment_as_printed_imports_as_ten_counties(
    demo, reference: pd.DataFrame, tmp_path: Path, layout: str
) -> None:
    path = tmp_path / layout
    path.write_bytes(printed_csv(reference) if layout.endswith(".csv") else printed_xlsx(reference))
    outcome = import_file(demo, path, start=dt.date(2021, 1, 1), end=dt.date(2021, 6, 30))
    assert outcome.status == "imported", outcome.problems
    assert outcome.kind == "summary" and outcome.rows == 10
    assert any("得分说明" in line for line in outcome.skipped)
    stored = demo.execute(
        "SELECT c.name, s.inspections, s.cases, s.fine_yuan FROM county_summaries s JOIN counties c "
        "ON c.code = s.county_code WHERE s.import_id = ? ORDER BY s.inspections DESC",
        [outcome.import_id],
    ).fetchall()
    assert len(stored) == 10
    assert stored[0] == ("泌阳县", 160, 8, Decimal("110000.00"))
    assert ("上蔡县", 85, 2, Decimal("80100.00")) in stored
