"""The command lines: exit codes and what they print."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.attachment_files import plain_with_footnote, printed_csv, printed_xlsx
from tests.conftest import REFERENCE_TABLE, ROOT, run_module

EXPECTED_CSV = """\
overall_rank,county,total_points,inspections,inspections_rank,inspections_points,cases,cases_rank,cases_points,fines,fines_rank,fines_points
1,泌阳县,27,160,1,10,8,3,8,11.00,2,9
2,遂平县,26,121,5,6,17,1,10,30.00,1,10
3,汝南县,24,140,4,7,11,2,9,9.50,3,8
4,新蔡县,18,152,2,9,4,5,6,2.90,8,3
4,平舆县,18,148,3,8,4,5,6,3.30,7,4
6,西平县,17,83,8,3,8,3,8,5.00,5,6
7,上蔡县,14,85,7,4,2,8,3,8.01,4,7
8,确山县,13,120,6,5,2,8,3,4.00,6,5
9,正阳县,7,49,10,1,3,7,4,2.00,9,2
10,驿城区,4,59,9,2,1,10,1,1.00,10,1
"""


def test_scoring_cli_reproduces_the_attachment_and_confirms_it() -> None:
    result = run_module("scoring", str(REFERENCE_TABLE), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED_CSV
    assert "全部一致" in result.stderr


def test_scoring_cli_reads_gbk_xlsx_and_english_headers(tmp_path: Path) -> None:
    reference = pd.read_csv(REFERENCE_TABLE)
    gbk = tmp_path / "gbk.csv"
    renamed = reference.rename(
        columns={"检查生产经营单位(家次)": "检查生产经营单位（家次）", "监督检查罚款(万元)": "监督检查罚款（万元）"}
    )
    renamed.to_csv(gbk, index=False, encoding="gbk")
    english = tmp_path / "en.xlsx"
    reference.rename(
        columns={
            "单位": "county",
            "检查生产经营单位(家次)": "inspections",
            "立案数": "cases",
            "监督检查罚款(万元)": "fines",
        }
    )[["county", "inspections", "cases", "fines"]].to_excel(english, index=False)
    for path in (gbk, english):
        result = run_module("scoring", str(path), "--format", "csv")
        assert result.returncode == 0, result.stderr
        assert result.stdout == EXPECTED_CSV


def test_scoring_cli_reports_each_published_disagreement(tmp_path: Path) -> None:
    reference = pd.read_csv(REFERENCE_TABLE)
    reference.loc[reference["单位"] == "正阳县", "名次"] = 8
    reference.loc[reference["单位"] == "遂平县", "罚款得分"] = 9
    path = tmp_path / "wrong.csv"
    reference.to_csv(path, index=False)
    result = run_module("scoring", str(path))
    assert result.returncode == 2
    assert "正阳县的名次公布为8，计算为9" in result.stderr
    assert "遂平县的罚款得分公布为9，计算为10" in result.stderr
    assert "共2处" in result.stderr


def test_scoring_cli_json_and_a_bad_file(tmp_path: Path) -> None:
    result = run_module("scoring", str(REFERENCE_TABLE), "--format", "json")
    assert result.returncode == 0
    assert '"county": "泌阳县"' in result.stdout
    missing = run_module("scoring", str(tmp_path / "none.csv"))
    assert missing.returncode == 1 and "找不到文件" in missing.stderr and "Traceback" not in missing.stderr


def test_records_cli_init_rank_import_template(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    init = run_module("records", "init", "--demo", "--db", db)
    assert init.returncode == 0, init.stderr
    assert run_module("records", "init", "--db", db).returncode == 1

    rank = run_module("records", "rank", "--db", db, "--start", "2020-01-01", "--end", "2020-06-30", "--format", "csv")
    assert rank.returncode == 0, rank.stderr
    assert rank.stdout == EXPECTED_CSV
    assert "示例数据" in rank.stderr

    env = {**os.environ, "ENFORCEMENT_DB": db}
    via_env = run_module("records", "rank", "--start", "2020-01-01", "--end", "2020-06-30", "--format", "csv", env=env)
    assert via_env.stdout == EXPECTED_CSV

    template = tmp_path / "cases.xlsx"
    assert run_module("records", "template", "cases", "--out", str(template)).returncode == 0
    imported = run_module("records", "import", str(template), "--db", db)
    assert imported.returncode == 0, imported.stderr
    assert "已导入 1 行立案记录" in imported.stdout
    again = run_module("records", "import", str(template), "--db", db)
    assert again.returncode == 1 and "未重复导入" in again.stderr


def test_records_cli_bad_file_prints_the_problem_table_and_exits_1(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    run_module("records", "init", "--demo", "--db", db)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,county,inspected_on,unit_name\nX1,火星县,2020-13-01,甲\n", encoding="utf-8")
    before = run_module(
        "records", "rank", "--db", db, "--start", "2020-01-01", "--end", "2020-12-31", "--format", "csv"
    )
    result = run_module("records", "import", str(bad), "--db", db)
    assert result.returncode == 1
    assert "未知县区" in result.stderr and "无法识别的日期" in result.stderr and "数据库未改变" in result.stderr
    after = run_module("records", "rank", "--db", db, "--start", "2020-01-01", "--end", "2020-12-31", "--format", "csv")
    assert after.stdout == before.stdout


def test_records_cli_missing_and_locked_database(tmp_path: Path) -> None:
    missing = run_module(
        "records", "rank", "--db", str(tmp_path / "none.duckdb"), "--start", "2020-01-01", "--end", "2020-06-30"
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "数据库尚未创建" in missing.stderr
    assert str(tmp_path) not in missing.stderr

    db = tmp_path / "held.duckdb"
    run_module("records", "init", "--demo", "--db", str(db))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        next_year = tmp_path / "2021年上半年.csv"  # a new file: the check on the snapshot passes, the write is refused
        next_year.write_bytes(REFERENCE_TABLE.read_bytes() + b"\n")
        locked = run_module(
            "records", "import", str(next_year), "--db", str(db), "--start", "2021-01-01", "--end", "2021-06-30"
        )
        assert locked.returncode == 1
        assert locked.stderr.strip().count("\n") == 0, locked.stderr
        assert "正被进程" in locked.stderr and "未做任何更改" in locked.stderr and str(db) not in locked.stderr
        # Readers open the published snapshot, so ranking works even while something holds the primary file.
        reading = run_module(
            "records", "rank", "--db", str(db), "--start", "2020-01-01", "--end", "2020-06-30", "--format", "csv"
        )
        assert reading.stdout == EXPECTED_CSV
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    released = run_module(
        "records", "rank", "--db", str(db), "--start", "2020-01-01", "--end", "2020-06-30", "--format", "csv"
    )
    assert released.stdout == EXPECTED_CSV


def test_help_on_each_command() -> None:
    for command in ("init", "import", "template", "rank"):
        result = run_module("records", command, "--help")
        assert result.returncode == 0 and "--" in result.stdout
    assert run_module("records", "rank", "--start", "2020-02-30", "--end", "2020-06-30").returncode == 2


PRINTED_LAYOUTS = {"printed.csv": printed_csv, "printed.xlsx": printed_xlsx, "plain.csv": plain_with_footnote}


@pytest.mark.parametrize("name", sorted(PRINTED_LAYOUTS))
def test_scoring_cli_reads_the_attachment_as_printed(reference: pd.DataFrame, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(PRINTED_LAYOUTS[name](reference))
    result = run_module("scoring", str(path), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED_CSV  # ten counties: no title, group row or 得分说明 among them
    assert "全部一致" in result.stderr


@pytest.mark.parametrize(
    ("column", "county", "wrong", "said"),
    [
        ("名次", "泌阳县", 2, "泌阳县的名次公布为2，计算为1"),
        ("三项执法总得分", "驿城区", 5, "驿城区的三项执法总得分公布为5，计算为4"),
        ("检查排名", "新蔡县", 3, "新蔡县的检查排名公布为3，计算为2"),
        ("立案得分", "遂平县", 9, "遂平县的立案得分公布为9，计算为10"),
    ],
)
def test_scoring_cli_finds_a_wrong_published_figure_of_each_kind(
    reference: pd.DataFrame, tmp_path: Path, column: str, county: str, wrong: int, said: str
) -> None:
    changed = reference.copy()
    changed.loc[changed["单位"] == county, column] = wrong
    path = tmp_path / "wrong.csv"
    path.write_bytes(printed_csv(changed))
    result = run_module("scoring", str(path))
    assert result.returncode == 2
    assert said in result.stderr
    assert "全部一致" not in result.stderr and "共1处" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("damaged.xlsx", lambda reference: printed_xlsx(reference)[:3000], "不是有效的 XLSX"),
        ("zip.xlsx", lambda reference: b"PK\x03\x04" + b"\x00" * 200, "不是有效的 XLSX"),
        ("mixed.csv", lambda reference: "单位,立案数\n驿城区,1\n".encode("gbk") + b"\xff\xfe\xfd\n", "无法识别编码"),
        ("picture.csv", lambda reference: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50, "不是文本表格"),
        ("old.xls", lambda reference: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 .xls"),
    ],
)
@pytest.mark.parametrize("command", ["scoring", "records"])
def test_a_bad_file_gets_one_chinese_line_on_both_command_lines(
    reference: pd.DataFrame, tmp_path: Path, name: str, content, said: str, command: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content(reference))
    if command == "scoring":
        result = run_module("scoring", str(path))
    else:
        db = tmp_path / "cli.duckdb"
        run_module("records", "init", "--db", str(db))
        result = run_module("records", "import", str(path), "--db", str(db))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1
    assert len(lines) == 1 and said in lines[0], result.stderr
    assert "Traceback" not in result.stderr and str(tmp_path) not in result.stderr
    assert name in lines[0]


def test_a_gbk_csv_reads_on_both_command_lines(reference: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(printed_csv(reference).decode("utf-8").encode("gbk"))
    assert run_module("scoring", str(path), "--format", "csv").stdout == EXPECTED_CSV
    db = tmp_path / "cli.duckdb"
    run_module("records", "init", "--demo", "--db", str(db))
    result = run_module("records", "import", str(path), "--db", str(db), "--start", "2021-01-01", "--end", "2021-06-30")
    assert result.returncode == 0, result.stderr
    assert "已导入 10 行县区汇总" in result.stdout
