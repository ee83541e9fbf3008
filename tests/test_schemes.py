"""Scoring schemes as data: the TOML contract, the catalogue, weighted and 百分制 points worked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import (
    CATALOGUE,
    Measure,
    SchemeError,
    ScoringRule,
    default_scheme,
    read_scheme_file,
    scheme_from_toml,
    scheme_in_effect,
    scheme_to_toml,
    score_counties,
)
from scoring.output import ranking_csv
from scoring.scheme import DEFAULT_SCHEME_FILE
from scoring.summary import SUMMARY_HEADERS, measures_from_summary, summary_field
from scoring.tables import normalise_header
from tests.conftest import REFERENCE_TABLE, run_module
from tests.test_cli import EXPECTED_CSV
from tests.test_scoring import attachment_input

WEIGHTED = ScoringRule(name="检查30%立案30%罚款40%").with_weights(inspections=0.3, cases=0.3, fines=0.4)


def hand_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county": ["甲", "乙", "丙", "丁", "戊"],
            "inspections": [50, 40, 40, 10, 30],
            "cases": [5, 5, 2, 8, 1],
            "fines": [2.0, 3.0, 1.0, 1.0, 3.0],
        }
    )


def test_weighted_rank_scheme_gives_the_hand_calculation() -> None:
    # Five counties ranked, so top = 5 and points = 6 − rank (ties share the better rank, the next is skipped):
    #   inspections 甲50 r1→5, 乙40 r2→4, 丙40 r2→4, 戊30 r4→2, 丁10 r5→1
    #   cases       丁8 r1→5,  甲5 r2→4,  乙5 r2→4,  丙2 r4→2,  戊1 r5→1
    #   fines       乙3.0 r1→5, 戊3.0 r1→5, 甲2.0 r3→3, 丙1.0 r4→2, 丁1.0 r4→2
    # Weighted 0.3 / 0.3 / 0.4:
    #   甲 5×0.3 + 4×0.3 + 3×0.4 = 1.5 + 1.2 + 1.2 = 3.9
    #   乙 4×0.3 + 4×0.3 + 5×0.4 = 1.2 + 1.2 + 2.0 = 4.4
    #   丙 4×0.3 + 2×0.3 + 2×0.4 = 1.2 + 0.6 + 0.8 = 2.6
    #   丁 1×0.3 + 5×0.3 + 2×0.4 = 0.3 + 1.5 + 0.8 = 2.6   (tied with 丙: both 4th)
    #   戊 2×0.3 + 1×0.3 + 5×0.4 = 0.6 + 0.3 + 2.0 = 2.9
    # Places: 乙1, 甲2, 戊3, 丙4, 丁4; within the shared place 丙 comes first (more inspection points).
    scored = score_counties(hand_table(), WEIGHTED)
    assert scored["county"].tolist() == ["乙", "甲", "戊", "丙", "丁"]
    assert scored["overall_rank"].tolist() == [1, 2, 3, 4, 4]
    assert scored["total_points"].tolist() == [4.4, 3.9, 2.9, 2.6, 2.6]
    by_county = scored.set_index("county")
    assert by_county["inspections_points"].to_dict() == {"乙": 1.2, "甲": 1.5, "戊": 0.6, "丙": 1.2, "丁": 0.3}
    assert by_county["cases_points"].to_dict() == {"乙": 1.2, "甲": 1.2, "戊": 0.3, "丙": 0.6, "丁": 1.5}
    assert by_county["fines_points"].to_dict() == {"乙": 2.0, "甲": 1.2, "戊": 2.0, "丙": 0.8, "丁": 0.8}
    assert by_county["fines_rank"].to_dict() == {"乙": 1, "甲": 3, "戊": 1, "丙": 4, "丁": 4}
    assert ranking_csv(scored, WEIGHTED).splitlines()[1] == "1,乙,4.4,40,2,1.2,5,2,1.2,3.00,1,2"


def share_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county": ["甲", "乙", "丙", "丁"],
            "inspections": [50, 40, 40, 25],
            "fines": [2.0, 4.0, 1.5, 4.0],
            "hazards_per_inspection": [0.5, 0.25, 0.75, 0.5],
        }
    )


SHARE = ScoringRule(
    name="百分制示例",
    method="share",
    full=10,
    measures=(Measure("inspections"), Measure("fines"), Measure("hazards_per_inspection", higher_is_better=False)),
)


def test_share_scheme_gives_the_hand_calculation() -> None:
    # 百分制, full = 10: points = 10 × value ÷ best; lower-is-better hazards: 10 × best ÷ value.
    #   inspections, best 50:  甲 10×50/50 = 10,  乙 10×40/50 = 8,  丙 8,  丁 10×25/50 = 5
    #   fines, best 4.0:       甲 10×2/4 = 5,  乙 10,  丙 10×1.5/4 = 3.75,  丁 10
    #   hazards, best 0.25:    甲 10×0.25/0.5 = 5,  乙 10,  丙 10×0.25/0.75 = 3.333… → 3.33,  丁 5
    # Totals: 甲 20, 乙 28, 丙 8 + 3.75 + 3.33 = 15.08, 丁 20 (tied with 甲: both 2nd, next is 4th).
    scored = score_counties(share_table(), SHARE)
    assert scored["county"].tolist() == ["乙", "甲", "丁", "丙"]  # 甲 before 丁: more inspection points
    assert scored["overall_rank"].tolist() == [1, 2, 2, 4]
    assert scored["total_points"].tolist() == [28, 20, 20, 15.08]
    by_county = scored.set_index("county")
    assert by_county.loc["丙", ["inspections_points", "fines_points", "hazards_per_inspection_points"]].tolist() == [
        8,
        3.75,
        3.33,
    ]
    # Ranks are still printed, with the same tie rule; lower hazards rank first.
    assert by_county["inspections_rank"].to_dict() == {"乙": 2, "甲": 1, "丁": 4, "丙": 2}
    assert by_county["hazards_per_inspection_rank"].to_dict() == {"乙": 1, "甲": 2, "丁": 2, "丙": 4}
    assert by_county["fines_rank"].to_dict() == {"乙": 1, "甲": 3, "丁": 1, "丙": 4}


def test_share_points_at_zero_are_documented_and_calm() -> None:
    table = pd.DataFrame(
        {"county": ["甲", "乙", "丙"], "inspections": [0, 0, 0], "hazards_per_inspection": [0.0, 0.5, 1.0]}
    )
    rule = ScoringRule(
        name="零值",
        method="share",
        measures=(Measure("inspections"), Measure("hazards_per_inspection", higher_is_better=False)),
    )
    scored = score_counties(table, rule).set_index("county")
    # Nobody inspected: nobody earns inspection points (and all share first place).
    assert scored["inspections_points"].tolist() == [0, 0, 0]
    assert scored["inspections_rank"].tolist() == [1, 1, 1]
    # Lower is better and 甲 has 0: 甲 gets full marks, the others 10 × 0 ÷ value = 0.
    assert scored["hazards_per_inspection_points"].to_dict() == {"甲": 10, "乙": 0, "丙": 0}


def test_rank_scheme_with_top_step_and_floor() -> None:
    # top 10, step 3, floor 2 over five counties: 10, 7, 4, then 1 → floor 2, 2.
    rule = ScoringRule(name="阶梯", top=10, step=3, floor=2, measures=(Measure("inspections"),))
    scored = score_counties(hand_table(), rule).set_index("county")
    assert scored["inspections_points"].to_dict() == {"甲": 10, "乙": 7, "丙": 7, "戊": 2, "丁": 2}


def test_describe_names_weights_and_share_points() -> None:
    assert ScoringRule().describe(10) == (
        "得分说明：每一项得分满分10分，按照该项排名顺序依次递减，第一名得10分，第十名得1分。"
    )
    assert "检查生产经营单位30%、立案数30%、监督检查罚款40%" in WEIGHTED.describe(10)
    assert "保留两位小数" in WEIGHTED.describe(10)
    share = SHARE.describe(4)
    assert share.startswith("得分说明：百分制计分，每一项满分10分")
    assert "家次均发现隐患为逆向指标，数值最低的县区得10分" in share


def test_default_file_is_the_built_in_rule_and_its_export_reproduces_the_attachment(
    reference: pd.DataFrame, tmp_path: Path
) -> None:
    assert default_scheme() == ScoringRule()
    exported = tmp_path / "exported.toml"
    exported.write_text(scheme_to_toml(default_scheme()), encoding="utf-8")
    reread = read_scheme_file(exported)
    assert reread == ScoringRule()
    scored = score_counties(attachment_input(reference), reread)
    assert ranking_csv(scored, reread) == EXPECTED_CSV
    result = run_module("scoring", str(REFERENCE_TABLE), "--format", "csv", "--scheme", str(exported))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED_CSV
    assert "全部一致" in result.stderr


def test_the_cli_checks_published_figures_against_the_scheme_given(tmp_path: Path) -> None:
    path = tmp_path / "weighted.toml"
    path.write_text(scheme_to_toml(WEIGHTED), encoding="utf-8")
    result = run_module("scoring", str(REFERENCE_TABLE), "--format", "csv", "--scheme", str(path))
    assert result.returncode == 2  # the attachment was printed with the unweighted rule
    assert "泌阳县的检查得分公布为10，计算为3" in result.stderr
    assert "检查30%立案30%罚款40%" in result.stderr
    assert result.stdout.splitlines()[0] == EXPECTED_CSV.splitlines()[0]


def test_a_bad_scheme_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "坏"\n[[measures]]\nkey = "inspections"\nweight = -2\n', encoding="utf-8")
    result = run_module("scoring", str(REFERENCE_TABLE), "--scheme", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "错误：评分方案的 measures[0].weight 有误：权重不能为负数（-2）\n"
    missing = run_module("scoring", str(REFERENCE_TABLE), "--scheme", str(tmp_path / "none.toml"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == "错误：找不到评分方案文件“none.toml”"


GOOD = 'name = "方案"\n[points]\nmethod = "rank"\n[[measures]]\nkey = "inspections"\n'


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('name = "方案"\n[[measures]]\nkey = "checks"\n', "measures[0].key", "未知指标“checks”"),
        ('name = "方案"\n[[measures]]\nkey = "cases"\nweight = -1\n', "measures[0].weight", "不能为负数"),
        (GOOD.replace('"rank"', '"percent"'), "points.method", "未知的计分方法“percent”"),
        ('name = "方案"\n[points]\nmethod = "rank"\n', "measures", "至少需要一个指标"),
        ('name = "方案"\nmeasures = []\n', "measures", "至少需要一个指标"),
        ('name = "方案"\n[[measures]]\nkey = "cases"\nweight = "heavy"\n', "measures[0].weight", "应为数字"),
        (GOOD + 'higher_is_better = "yes"\n', "measures[0].higher_is_better", "应为true/false"),
        (GOOD.replace('method = "rank"', 'method = "rank"\ntop = "ten"'), "points.top", "应为数字"),
        (GOOD.replace('method = "rank"', "method = 'rank'\nstep = -1"), "points.step", "不能为负数"),
        (GOOD.replace('method = "rank"', 'method = "share"\nfull = 0'), "points.full", "满分应大于0"),
        ("effective_from = 2021-01-01\neffective_to = 2020-12-31\n" + GOOD, "effective_to", "早于开始日期"),
        ('effective_from = "2020/1/1"\n' + GOOD, "effective_from", "应为日期"),
        ("effective_from = 2020-01-01T08:00:00\n" + GOOD, "effective_from", "不带时间"),
        (GOOD + "wieght = 2\n", "measures[0].wieght", "未知的键"),
        (GOOD + '[[measures]]\nkey = "inspections"\n', "measures[1].key", "重复"),
        (GOOD.replace('name = "方案"\n', ""), "name", "缺少方案名称"),
        (GOOD.replace('[points]\nmethod = "rank"\n', "points = 3\n"), "points", "应为表"),
        ('name = "方案"\n[[measures]]\nweight = 1\n', "measures[0].key", "缺少指标键"),
        ('name = "方案"\n[[measures]]\nkey = cases\n', "TOML 文本", "第3行"),
    ],
)
def test_a_bad_scheme_names_the_key_and_the_problem_in_one_line(text: str, key: str, problem: str) -> None:
    with pytest.raises(SchemeError) as caught:
        scheme_from_toml(text)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"评分方案的 {key} 有误："), message
    assert problem in message, message
    assert caught.value.key == key


@pytest.mark.parametrize(
    "scheme",
    [
        ScoringRule(),
        WEIGHTED,
        SHARE,
        ScoringRule(
            name='带"引号"的方案',
            top=10,
            step=0.5,
            floor=0,
            effective_from=dt.date(2021, 1, 1),
            effective_to=dt.date(2021, 12, 31),
            measures=(Measure("penalty_decisions", "处罚次数", weight=2), Measure("cases_per_100_inspections")),
        ),
    ],
)
def test_schemes_round_trip_through_toml(scheme: ScoringRule) -> None:
    text = scheme_to_toml(scheme)
    assert scheme_from_toml(text) == scheme
    assert text.count("[[measures]]") == len(scheme.measures)


def test_a_scheme_written_elsewhere_loads_unchanged() -> None:
    text = """
name = "驻马店市2020年安全生产执法考核"
effective_from = 2020-01-01
effective_to = 2020-12-31

[points]
method = "rank"
top = 10
step = 1
floor = 1
full = 10

[[measures]]
key = "inspections"
weight = 1
higher_is_better = true
label = "检查生产经营单位"
"""
    scheme = scheme_from_toml(text)
    assert scheme.name == "驻马店市2020年安全生产执法考核"
    assert (scheme.effective_from, scheme.effective_to) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert (scheme.method, scheme.top, scheme.step, scheme.floor, scheme.full) == ("rank", 10, 1, 1, 10)
    (measure,) = scheme.measures
    assert (measure.column, measure.label, measure.unit) == ("inspections", "检查生产经营单位", "家次")
    assert measure.weight == 1 and measure.higher_is_better


def test_the_scheme_in_effect_is_the_one_covering_the_last_day() -> None:
    always = ScoringRule(name="长期")
    year_2020 = ScoringRule(name="2020", effective_from=dt.date(2020, 1, 1), effective_to=dt.date(2020, 12, 31))
    from_2021 = ScoringRule(name="2021起", effective_from=dt.date(2021, 1, 1))
    revised = ScoringRule(name="2021起（修订）", effective_from=dt.date(2021, 1, 1))
    schemes = [always, year_2020, from_2021, revised]
    assert scheme_in_effect(schemes, dt.date(2019, 12, 31)) == always
    assert scheme_in_effect(schemes, dt.date(2020, 6, 30)) == year_2020
    assert scheme_in_effect(schemes, dt.date(2020, 12, 31)) == year_2020
    assert scheme_in_effect(schemes, dt.date(2022, 6, 30)) == revised  # the later version of equals wins
    assert scheme_in_effect([year_2020], dt.date(2021, 6, 30)) is None


def test_schemes_are_frozen() -> None:
    with pytest.raises(AttributeError):
        WEIGHTED.method = "share"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        WEIGHTED.measures[0].weight = 3  # type: ignore[misc]


def test_the_csv_contract_follows_the_scheme() -> None:
    rule = ScoringRule(name="隐患与处罚", measures=(Measure("hazards_found"), Measure("penalty_decisions")))
    table = pd.DataFrame({"county": ["甲", "乙"], "hazards_found": [12, 30], "penalty_decisions": [3, 3]})
    lines = ranking_csv(score_counties(table, rule), rule).splitlines()
    assert lines[0] == (
        "overall_rank,county,total_points,hazards_found,hazards_found_rank,hazards_found_points,"
        "penalty_decisions,penalty_decisions_rank,penalty_decisions_points"
    )
    assert lines[1:] == ["1,乙,4,30,1,2,3,1,2", "2,甲,3,12,2,1,3,1,2"]


def test_the_catalogue_has_the_issue_measures_and_consistent_rates() -> None:
    wanted = {
        "inspections",
        "inspector_turnouts",
        "documents",
        "hazards_found",
        "cases",
        "penalty_decisions",
        "fines",
        "cases_per_100_inspections",
        "hazards_per_inspection",
        "rectification_rate",
        "random_share",
    }
    assert wanted <= set(CATALOGUE)
    for measure in CATALOGUE.values():
        assert measure.label and measure.label_en and measure.unit
        if measure.is_rate:
            assert not CATALOGUE[str(measure.numerator)].is_rate
            assert not CATALOGUE[str(measure.denominator)].is_rate
    assert CATALOGUE["rectification_rate"].formula() == "有整改记录 ÷ 责令整改 × 100"


def test_summary_headers_come_from_the_catalogue_and_are_unambiguous() -> None:
    assert summary_field("检查企业（家次）") == "inspections"
    assert summary_field("处罚次数") == "penalty_decisions"
    assert summary_field("处罚金额（万元）") == "fines"
    assert summary_field("发现隐患（条）") == "hazards_found"
    assert summary_field("每百家次立案数") == "cases_per_100_inspections"
    owners: dict[str, str] = {}
    for field, aliases in SUMMARY_HEADERS.items():
        for alias in aliases:
            assert owners.setdefault(normalise_header(alias), field) == field, alias


def test_a_summary_carries_any_catalogue_measure_and_says_what_it_lacks() -> None:
    table = pd.DataFrame(
        {
            "county": ["甲", "乙", "丙"],
            "inspections": ["100", "40", "0"],
            "cases": ["5", "4", "0"],
            "penalty_decisions": ["3", "", "x"],
        },
        index=[2, 3, 4],
    )
    copy = table.copy()
    rule = ScoringRule(
        name="多指标",
        measures=(Measure("penalty_decisions"), Measure("cases_per_100_inspections"), Measure("hazards_found")),
    )
    numbers, problems = measures_from_summary(table, rule)
    pd.testing.assert_frame_equal(table, copy)
    assert numbers["penalty_decisions"].tolist()[0] == 3
    assert numbers["penalty_decisions"].isna().tolist() == [False, True, True]
    # The rate is computed from its two counts; no inspections means no rate, not a rate of 0.
    assert numbers["cases_per_100_inspections"].tolist()[:2] == [5.0, 10.0]
    assert pd.isna(numbers["cases_per_100_inspections"].iloc[2])
    assert numbers["hazards_found"].isna().all()
    assert "第4行“处罚决定”的值“x”不是数字，按缺失处理" in problems
    assert "第4行“检查生产经营单位”为0，“每百家次立案数”无法计算，按缺失处理" in problems
    assert "文件中没有“发现隐患（项）”列，各县区该项按缺失处理，不排名、不得分" in problems


tables = st.lists(
    st.tuples(st.integers(0, 500), st.integers(0, 50), st.integers(0, 1_000_000)), min_size=2, max_size=25
).map(
    lambda rows: pd.DataFrame(
        {
            "county": [f"县{i}" for i in range(len(rows))],
            "inspections": [r[0] for r in rows],
            "cases": [r[1] for r in rows],
            "fines": [r[2] / 100 for r in rows],
        }
    )
)


@settings(max_examples=80, deadline=None)
@given(tables, st.sampled_from([WEIGHTED, ScoringRule(name="百分制", method="share", full=100)]))
def test_any_scheme_leaves_its_input_alone_and_keeps_points_in_range(table: pd.DataFrame, rule: ScoringRule) -> None:
    copy = table.copy(deep=True)
    scored = score_counties(table, rule)
    pd.testing.assert_frame_equal(table, copy)
    top = rule.full if rule.method == "share" else len(table)
    for measure in rule.measures:
        points = scored[f"{measure.column}_points"]
        assert points.between(0, top * measure.weight + 1e-9).all()
        assert (points.round(2) == points).all()
    totals = scored[[f"{m.column}_points" for m in rule.measures]].sum(axis=1).round(2)
    assert (totals == scored["total_points"]).all()
    # The same value always gets the same points: ties share.
    for measure in rule.measures:
        assert scored.groupby(measure.column)[f"{measure.column}_points"].nunique().max() == 1


def test_the_shipped_default_file_lives_in_data_schemes() -> None:
    assert DEFAULT_SCHEME_FILE.parent.name == "schemes"
    assert DEFAULT_SCHEME_FILE.read_text(encoding="utf-8").count("[[measures]]") == 3


def test_the_readme_documents_the_catalogue_and_a_scheme_that_loads() -> None:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for measure in CATALOGUE.values():
        assert f"| `{measure.key}` | {measure.label} | {measure.label_en} | {measure.unit} |" in readme, measure.key
        if measure.is_rate:
            assert measure.formula() in readme
    example = readme.split("## Scoring schemes", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    scheme = scheme_from_toml(example)
    assert [m.column for m in scheme.measures] == [
        "inspections",
        "cases_per_100_inspections",
        "fines",
        "hazards_per_inspection",
    ]
    assert scheme.method == "share" and scheme.full == 100 and scheme.measures[0].label == "检查企业"


def test_the_cli_refuses_a_scheme_whose_measure_the_file_lacks(tmp_path: Path) -> None:
    path = tmp_path / "hazards.toml"
    path.write_text(scheme_to_toml(ScoringRule(name="隐患", measures=(Measure("hazards_found"),))), encoding="utf-8")
    result = run_module("scoring", str(REFERENCE_TABLE), "--scheme", str(path))
    assert result.returncode == 1
    assert result.stderr == "错误：文件中没有可用的“发现隐患（项）”数据，无法按评分方案“隐患”排名\n"


def test_the_cli_computes_a_rate_from_the_counts_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rate.toml"
    rule = ScoringRule(name="每百家次立案", measures=(Measure("cases_per_100_inspections"),))
    path.write_text(scheme_to_toml(rule), encoding="utf-8")
    result = run_module("scoring", str(REFERENCE_TABLE), "--scheme", str(path), "--format", "csv")
    assert result.returncode == 2, result.stderr  # the file's published 名次 belong to the three-measure rule
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "overall_rank,county,total_points,"
        "cases_per_100_inspections,cases_per_100_inspections_rank,cases_per_100_inspections_points"
    )
    # 遂平县 17 cases in 121 inspections: 14.0 per 100, the highest; 确山县 2 in 120: 1.7, the lowest.
    assert lines[1] == "1,遂平县,10,14.0,1,10"
    assert lines[-1] == "10,确山县,1,1.7,10,1"
