"""Schemes stored with the data: versions, the command line, catalogue measures from records and summaries."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from docx import Document

from records.db import open_database
from records.demo import COUNTIES_FILE, load_counties
from records.importer import import_file
from records.schemes import BUILT_IN, scheme_for_period, scheme_versions
from records.store import Store
from scoring import Measure, ScoringRule, scheme_to_toml
from scoring.scheme import DEFAULT_SCHEME_FILE
from tests.conftest import REFERENCE_TABLE, run_module
from tests.test_cli import EXPECTED_CSV

DEFAULT_NAME = "驻马店市安全生产执法考核（通报附件规则）"
H1 = ("--start", "2020-01-01", "--end", "2020-06-30")


def records(*args: str, db: Path) -> tuple[int, str, str]:
    result = run_module("records", *args, "--db", str(db))
    return result.returncode, result.stdout, result.stderr


def scheme_file(folder: Path, name: str, rule: ScoringRule) -> Path:
    path = folder / name
    path.write_text(scheme_to_toml(rule), encoding="utf-8")
    return path


def rank_rows(stdout: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(stdout), dtype=str).set_index("county")


def test_init_loads_the_shipped_default_and_the_list_names_it(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    code, out, err = records("init", "--demo", db=db)
    assert code == 0, err
    code, out, err = records("schemes", "list", db=db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split("\t") == ["名称", "版本", "生效", "保存人", "保存时间", "今日在用"]
    name, version, span, saved_by, _, in_use = lines[1].split("\t")
    assert (name, version, span, in_use) == (DEFAULT_NAME, "第1版", "不限 至 不限", "✓")
    assert "默认方案" in saved_by
    code, out, err = records("schemes", "show", DEFAULT_NAME, db=db)
    assert out == DEFAULT_SCHEME_FILE.read_text(encoding="utf-8")  # the text as given, comments and all
    assert "第1版" in err


def test_saving_twice_keeps_both_versions_and_rank_names_the_one_in_force(store_path: Path, tmp_path: Path) -> None:
    weighted = ScoringRule(name=DEFAULT_NAME).with_weights(inspections=0.3, cases=0.3, fines=0.4)
    heavier = ScoringRule(name=DEFAULT_NAME).with_weights(fines=2)
    code, out, err = records("schemes", "import", str(scheme_file(tmp_path, "w.toml", weighted)), db=store_path)
    assert (code, out.strip()) == (0, f"已保存评分方案“{DEFAULT_NAME}”第2版。"), err
    code, out, err = records("schemes", "import", str(scheme_file(tmp_path, "h.toml", heavier)), db=store_path)
    assert (code, out.strip()) == (0, f"已保存评分方案“{DEFAULT_NAME}”第3版。"), err
    code, out, err = records("schemes", "import", str(tmp_path / "h.toml"), db=store_path)
    assert (code, out.strip()) == (0, f"评分方案“{DEFAULT_NAME}”与已保存的第3版相同，未保存新版本。")

    with Store(store_path).reading() as connection:
        versions = scheme_versions(connection)
        assert versions["version"].tolist() == [1, 2, 3]  # nothing overwritten
        stored = connection.execute("SELECT version, toml FROM schemes ORDER BY version").fetchall()
    assert stored[1][1] == (tmp_path / "w.toml").read_text(encoding="utf-8")
    assert all(by.startswith("命令行:") for by in versions["saved_by"][1:])

    code, out, err = records("schemes", "list", db=store_path)
    marked = [line.split("\t")[1] for line in out.splitlines()[1:] if line.endswith("✓")]
    assert marked == ["第3版"]
    code, out, err = records("schemes", "export", DEFAULT_NAME, "--version", "2", db=store_path)
    assert out == (tmp_path / "w.toml").read_text(encoding="utf-8")

    code, out, err = records("rank", *H1, "--format", "csv", db=store_path)
    assert code == 0, err
    assert f"评分方案：{DEFAULT_NAME}（第3版）" in err
    # Fines count twice: 泌阳县 10 + 8 + 2 × 9 = 36 and 遂平县 6 + 10 + 2 × 10 = 36 share first place.
    assert out.splitlines()[1].startswith("1,泌阳县,36,") and out.splitlines()[2].startswith("1,遂平县,36,")


def test_a_bad_scheme_file_is_one_line_and_nothing_is_stored(store_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "坏方案"\n[[measures]]\nkey = "inspections"\nweight = -2\n', encoding="utf-8")
    before = Store(store_path).current_version()
    code, out, err = records("schemes", "import", str(bad), db=store_path)
    assert (code, out) == (1, "")
    assert err == "错误：评分方案的 measures[0].weight 有误：权重不能为负数（-2）\n"
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('name = "x"\n[[measures]]\nkey = "checks"\n', encoding="utf-8")
    code, out, err = records("schemes", "import", str(unknown), db=store_path)
    assert code == 1 and err.count("\n") == 1 and "measures[0].key" in err and "未知指标“checks”" in err
    assert Store(store_path).current_version() == before  # no write at all
    with Store(store_path).reading() as connection:
        assert scheme_versions(connection)["version"].tolist() == [1]
    code, out, err = records("rank", *H1, "--scheme", str(bad), db=store_path)
    assert code == 1 and err == "错误：评分方案的 measures[0].weight 有误：权重不能为负数（-2）\n"
    code, out, err = records("rank", *H1, "--scheme", "没有这个方案", db=store_path)
    assert code == 1 and err.startswith("错误：没有名为“没有这个方案”的评分方案") and err.count("\n") == 1


def test_the_exported_default_reproduces_the_attachment(store_path: Path, tmp_path: Path) -> None:
    exported = tmp_path / "默认.toml"
    code, out, err = records("schemes", "export", DEFAULT_NAME, "--out", str(exported), db=store_path)
    assert code == 0, err
    assert exported.read_text(encoding="utf-8") == DEFAULT_SCHEME_FILE.read_text(encoding="utf-8")
    result = run_module("scoring", str(REFERENCE_TABLE), "--format", "csv", "--scheme", str(exported))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED_CSV
    assert "全部一致" in result.stderr


def test_a_weighted_rank_scheme_through_records_rank(store_path: Path, tmp_path: Path) -> None:
    weighted = scheme_file(
        tmp_path,
        "w.toml",
        ScoringRule(name="检查30%立案30%罚款40%").with_weights(inspections=0.3, cases=0.3, fines=0.4),
    )
    code, out, err = records("rank", *H1, "--format", "csv", "--scheme", str(weighted), db=store_path)
    assert code == 0, err
    assert "评分方案：检查30%立案30%罚款40%（文件“w.toml”）" in err
    # Each measure's rank points are the attachment's own (10 … 1, ties share); weighted 0.3 / 0.3 / 0.4:
    #   泌阳县 10, 8, 9  → 3.0 + 2.4 + 3.6 = 9.0      遂平县 6, 10, 10 → 1.8 + 3.0 + 4.0 = 8.8
    #   汝南县 7, 9, 8   → 2.1 + 2.7 + 3.2 = 8.0      平舆县 8, 6, 4   → 2.4 + 1.8 + 1.6 = 5.8
    #   新蔡县 9, 6, 3   → 2.7 + 1.8 + 1.2 = 5.7      西平县 3, 8, 6   → 0.9 + 2.4 + 2.4 = 5.7 (tied: both 5th)
    #   上蔡县 4, 3, 7   → 1.2 + 0.9 + 2.8 = 4.9      确山县 5, 3, 5   → 1.5 + 0.9 + 2.0 = 4.4
    #   正阳县 1, 4, 2   → 0.3 + 1.2 + 0.8 = 2.3      驿城区 2, 1, 1   → 0.6 + 0.3 + 0.4 = 1.3
    # Within the shared 5th place 新蔡县 (2.7 inspection points) comes before 西平县 (0.9).
    lines = out.splitlines()
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["1", "泌阳县", "9"],
        ["2", "遂平县", "8.8"],
        ["3", "汝南县", "8"],
        ["4", "平舆县", "5.8"],
        ["5", "新蔡县", "5.7"],
        ["5", "西平县", "5.7"],
        ["7", "上蔡县", "4.9"],
        ["8", "确山县", "4.4"],
        ["9", "正阳县", "2.3"],
        ["10", "驿城区", "1.3"],
    ]
    assert lines[1] == "1,泌阳县,9,160,1,3,8,3,2.4,11.00,2,3.6"


def test_a_share_scheme_through_records_rank(store_path: Path, tmp_path: Path) -> None:
    share = scheme_file(tmp_path, "s.toml", ScoringRule(name="百分制", method="share", full=10))
    code, out, err = records("rank", *H1, "--format", "csv", "--scheme", str(share), db=store_path)
    assert code == 0, err
    # 百分制, full 10: points = 10 × value ÷ best, kept to two decimals; best 160 inspections, 17 cases, 30 万元.
    #   遂平县 121 → 7.56, 17 → 10,   30 → 10    = 27.56
    #   汝南县 140 → 8.75, 11 → 6.47, 9.5 → 3.17 = 18.39
    #   泌阳县 160 → 10,   8 → 4.71,  11 → 3.67  = 18.38
    #   新蔡县 152 → 9.5,  4 → 2.35,  2.9 → 0.97 = 12.82
    #   平舆县 148 → 9.25, 4 → 2.35,  3.3 → 1.1  = 12.7   (cases tied with 新蔡县: same points, both ranked 5th)
    #   西平县 83 → 5.19,  8 → 4.71,  5 → 1.67   = 11.57
    #   确山县 120 → 7.5,  2 → 1.18,  4 → 1.33   = 10.01
    #   上蔡县 85 → 5.31,  2 → 1.18,  8.01 → 2.67 = 9.16
    #   正阳县 49 → 3.06,  3 → 1.76,  2 → 0.67   = 5.49
    #   驿城区 59 → 3.69,  1 → 0.59,  1 → 0.33   = 4.61
    table = rank_rows(out)
    assert table.index.tolist() == [
        "遂平县",
        "汝南县",
        "泌阳县",
        "新蔡县",
        "平舆县",
        "西平县",
        "确山县",
        "上蔡县",
        "正阳县",
        "驿城区",
    ]
    assert table["total_points"].tolist() == [
        "27.56", "18.39", "18.38", "12.82", "12.7", "11.57", "10.01", "9.16", "5.49", "4.61"
    ]  # fmt: skip
    assert table["overall_rank"].tolist() == [str(place) for place in range(1, 11)]
    assert table.loc["西平县", ["inspections_points", "cases_points", "fines_points"]].tolist() == [
        "5.19",
        "4.71",
        "1.67",
    ]
    assert table.loc[["新蔡县", "平舆县"], "cases_rank"].tolist() == ["5", "5"]
    assert table.loc[["新蔡县", "平舆县"], "cases_points"].tolist() == ["2.35", "2.35"]


def test_periods_take_the_scheme_in_effect_on_their_last_day(store_path: Path, tmp_path: Path) -> None:
    later = ScoringRule(name="2020年下半年起", effective_from=pd.Timestamp("2020-07-01").date()).with_weights(fines=3)
    code, out, err = records("schemes", "import", str(scheme_file(tmp_path, "later.toml", later)), db=store_path)
    assert code == 0, err
    code, out, err = records("rank", *H1, "--format", "csv", db=store_path)
    assert f"评分方案：{DEFAULT_NAME}（第1版）" in err and out == EXPECTED_CSV
    code, out, err = records("rank", "--start", "2020-07-01", "--end", "2020-12-31", db=store_path)
    assert code == 0 and "评分方案：2020年下半年起（第1版）" in err
    code, out, err = records("rank", *H1, "--format", "csv", "--scheme", "2020年下半年起", db=store_path)
    assert "评分方案：2020年下半年起（第1版）" in err and out != EXPECTED_CSV


def test_the_bulletin_names_the_scheme_it_was_scored_by(store_path: Path, tmp_path: Path) -> None:
    weighted = scheme_file(tmp_path, "w.toml", ScoringRule(name="加权方案").with_weights(fines=2))
    out_file = tmp_path / "通报.docx"
    code, out, err = records("bulletin", *H1, "--out", str(out_file), "--scheme", str(weighted), db=store_path)
    assert code == 0, err
    document = Document(str(out_file))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "评分方案：加权方案（文件“w.toml”）" in texts
    assert any("监督检查罚款按2倍计" in line for line in texts)


def test_a_store_without_schemes_scores_by_the_built_in_default_until_a_write_loads_it(
    built_demo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old" / "enforcement.duckdb"
    path.parent.mkdir()
    shutil.copy(built_demo, path)
    with duckdb.connect(str(path)) as connection:
        connection.execute("DROP TABLE schemes")
    code, out, err = records("rank", *H1, "--format", "csv", db=path)
    assert out == EXPECTED_CSV and f"评分方案：{DEFAULT_NAME}（{BUILT_IN}）" in err
    code, out, err = records("withdraw", "1", "--reason", "试验", db=path)  # any write upgrades the store
    assert code == 0, err
    with Store(path).reading() as connection:
        assert scheme_versions(connection)[["name", "version"]].values.tolist() == [[DEFAULT_NAME, 1]]
        assert scheme_for_period(connection, pd.Timestamp("2020-06-30").date()).version == 1


# Catalogue measures beyond the attachment's three, from the records and from a summary ---------------------------

INSPECTIONS = """检查编号,县区,检查日期,被检查单位,发现隐患（项）,责令整改,整改记录,双随机
A1,驿城区,2021-03-01,甲厂,2,是,是,是
A2,驿城区,2021-03-02,乙厂,0,否,是,否
A3,驿城区,2021-03-03,丙厂,3,是,否,否
A4,驿城区,2021-03-04,丁厂,1,是,是,否
B1,西平县,2021-03-01,戊厂,5,是,是,否
B2,西平县,2021-03-05,己厂,5,是,是,是
C1,上蔡县,2021-03-01,庚厂,1,是,否,否
C2,上蔡县,2021-03-02,辛厂,1,否,否,否
C3,上蔡县,2021-03-03,壬厂,0,否,否,否
"""
CASES = """案件编号,县区,立案日期,当事单位,罚款金额（元）,处罚决定日期
LA1,驿城区,2021-03-10,甲厂,5000,2021-04-01
LA2,驿城区,2021-03-11,丙厂,0,
LB1,西平县,2021-03-12,戊厂,8000,2021-04-02
LC1,上蔡县,2021-03-10,庚厂,1000,2021-04-03
LC2,上蔡县,2021-03-20,辛厂,2000,2021-04-04
LC3,上蔡县,2021-03-25,壬厂,0,
"""
OTHER_MEASURES = ScoringRule(
    name="隐患整改处罚",
    measures=(Measure("hazards_found"), Measure("rectification_rate"), Measure("penalty_decisions")),
)


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    """Three counties with records in March 2021 (the other seven have none), published."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "inspections.csv").write_text(INSPECTIONS, encoding="utf-8")
    (folder / "cases.csv").write_text(CASES, encoding="utf-8")

    def build(target: Path) -> None:
        connection = open_database(target, create=True)
        try:
            load_counties(connection, COUNTIES_FILE)
            for name in ("inspections.csv", "cases.csv"):
                assert import_file(connection, folder / name).status == "imported"
        finally:
            connection.close()

    path = folder / "enforcement.duckdb"
    Store(path).initialise(build, "测试", "小数据")
    return path


def test_other_catalogue_measures_rank_from_the_records(small_store: Path, tmp_path: Path) -> None:
    scheme = scheme_file(tmp_path, "other.toml", OTHER_MEASURES)
    code, out, err = records(
        "rank", "--start", "2021-03-01", "--end", "2021-03-31", "--format", "csv", "--scheme", str(scheme),
        db=small_store,
    )  # fmt: skip
    assert code == 0, err
    table = rank_rows(out)
    # Counted by hand from the files above:
    #   hazards_found: 驿城区 2+0+3+1 = 6, 西平县 10, 上蔡县 2, the seven others 0
    #   rectification_rate = ordered and recorded ÷ ordered × 100: 驿城区 2 ÷ 3 = 66.7, 西平县 2 ÷ 2 = 100,
    #     上蔡县 0 ÷ 1 = 0; the others have no inspections, so no rate (missing, not 0)
    #   penalty_decisions (cases with a decision date): 驿城区 1, 西平县 1, 上蔡县 2, the others 0
    assert table.loc["驿城区", ["hazards_found", "rectification_rate", "penalty_decisions"]].tolist() == [
        "6",
        "66.7",
        "1",
    ]
    assert table.loc["西平县", ["hazards_found", "rectification_rate", "penalty_decisions"]].tolist() == [
        "10",
        "100.0",
        "1",
    ]
    assert table.loc["上蔡县", ["hazards_found", "rectification_rate", "penalty_decisions"]].tolist() == [
        "2",
        "0.0",
        "2",
    ]
    # Points (rank method, top = counties ranked on the measure):
    #   hazards over 10 counties: 西平县 10, 驿城区 9, 上蔡县 8, the seven 0s share 4th → 7
    #   rate over 3 counties: 西平县 3, 驿城区 2, 上蔡县 1; penalties: 上蔡县 10, 驿城区 and 西平县 share 2nd → 9
    # Totals: 西平县 10 + 3 + 9 = 22, 驿城区 9 + 2 + 9 = 20, 上蔡县 8 + 1 + 10 = 19; the others lack a rate: no place.
    assert table.loc[["西平县", "驿城区", "上蔡县"], "total_points"].tolist() == ["22", "20", "19"]
    assert table.loc[["西平县", "驿城区", "上蔡县"], "overall_rank"].tolist() == ["1", "2", "3"]
    assert table.loc["泌阳县", "hazards_found_points"] == "7" and pd.isna(table.loc["泌阳县", "overall_rank"])
    assert "泌阳县缺少整改率" in err


SUMMARY = """单位,检查企业（家次）,发现隐患（条）,整改率,处罚次数
驿城区,40,12,85.5%,3
西平县,30,20,90,2
上蔡县,20,2,,4
"""


def test_other_catalogue_measures_rank_from_a_summary_file(small_store: Path, tmp_path: Path) -> None:
    summary = tmp_path / "第二季度汇总.csv"
    summary.write_text(SUMMARY, encoding="utf-8")
    code, out, err = records("import", str(summary), "--start", "2021-04-01", "--end", "2021-06-30", db=small_store)
    assert code == 0 and "已导入 3 行县区汇总" in out, err
    scheme = scheme_file(tmp_path, "other.toml", OTHER_MEASURES)
    code, out, err = records(
        "rank", "--start", "2021-04-01", "--end", "2021-06-30", "--format", "csv", "--scheme", str(scheme),
        db=small_store,
    )  # fmt: skip
    assert code == 0, err
    table = rank_rows(out)
    assert table.loc["驿城区", ["hazards_found", "rectification_rate", "penalty_decisions"]].tolist() == [
        "12",
        "85.5",
        "3",
    ]
    # 上蔡县's summary has no 整改率: no value, no total, and a sentence says so.
    assert pd.isna(table.loc["上蔡县", "rectification_rate"]) and pd.isna(table.loc["上蔡县", "overall_rank"])
    assert "上蔡县缺少整改率" in err
    # Ranked by hand: hazards 西平县 20 → 10, 驿城区 12 → 9, 上蔡县 2 → 8, the seven without anything 0 → 7;
    # rate over two: 西平县 90 → 2, 驿城区 85.5 → 1; penalties 上蔡县 4 → 10, 驿城区 3 → 9, 西平县 2 → 8.
    assert table.loc[["西平县", "驿城区"], "total_points"].tolist() == ["20", "19"]


def test_withdrawing_a_summary_moves_its_extra_measures_and_keeps_them(small_store: Path, tmp_path: Path) -> None:
    summary = tmp_path / "汇总.csv"
    summary.write_text(SUMMARY, encoding="utf-8")
    code, out, err = records("import", str(summary), "--start", "2021-04-01", "--end", "2021-06-30", db=small_store)
    batch = out.split("导入批次 ")[1].split("）")[0]
    code, out, err = records("withdraw", batch, "--reason", "数字有误", db=small_store)
    assert code == 0, err
    with Store(small_store).reading() as connection:
        kept = connection.execute(
            "SELECT hazards_found, rectification_rate, penalty_decisions FROM withdrawn_county_summaries "
            "ORDER BY county_code"
        ).fetchall()
        assert connection.execute("SELECT count(*) FROM county_summaries").fetchall() == [(0,)]
    assert sorted(kept) == sorted([(12, 85.5, 3), (20, 90.0, 2), (2, None, 4)])


def test_a_summarys_rate_comes_from_its_counts_when_it_states_none(small_store: Path, tmp_path: Path) -> None:
    summary = tmp_path / "counts.csv"
    summary.write_text(
        "单位,检查生产经营单位（家次）,责令整改（家次）,整改记录（家次）\n驿城区,40,8,6\n西平县,30,0,0\n",
        encoding="utf-8",
    )
    code, out, err = records("import", str(summary), "--start", "2021-07-01", "--end", "2021-09-30", db=small_store)
    assert code == 0, err
    scheme = scheme_file(tmp_path, "rate.toml", ScoringRule(name="整改率", measures=(Measure("rectification_rate"),)))
    code, out, err = records(
        "rank", "--start", "2021-07-01", "--end", "2021-09-30", "--format", "csv", "--scheme", str(scheme),
        db=small_store,
    )  # fmt: skip
    table = rank_rows(out)
    assert table.loc["驿城区", "rectification_rate"] == "75.0"  # 6 ÷ 8 × 100
    assert pd.isna(table.loc["西平县", "rectification_rate"])  # nothing ordered: no rate, not a rate of 0
    assert "西平县缺少整改率" in err
