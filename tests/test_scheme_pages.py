"""Schemes on the dashboard: the 评分规则 page's preview and confirmed save, every page naming the scheme and version,
robustness and places over time on the rankings and flags pages, and a scheme of other measures everywhere."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from docx import Document
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from bulletin.document import bulletin_document
from bulletin.draft import draft_bulletin
from records.queries import county_measures
from records.schemes import save_scheme, scheme_versions
from records.store import Store
from report.analysis import county_view, ranking_table
from report.exports import csv_bytes, workbook
from report.schemes import SchemeNote
from scoring import Measure, ScoringRule, scheme_to_toml
from tests.conftest import EVERY_COUNTY, TESTER, run_module
from tests.test_app import open_page, ranking, table_with, visible

DEFAULT = "驻马店市安全生产执法考核（通报附件规则）"


def stored_versions(path: Path) -> list[tuple[str, int]]:
    with Store(path).reading() as connection:
        return [tuple(row) for row in scheme_versions(connection)[["name", "version"]].values.tolist()]


def captions(app: AppTest) -> list[str]:
    """What a reader sees of each caption (file-derived text is escaped for Markdown)."""
    return [visible(caption.value) for caption in app.caption]


def numbers(values: object) -> list[object]:
    """A Plotly array as a list: plain JSON, or the typed array (base64 bytes) Plotly writes for numpy arrays."""
    if isinstance(values, dict) and "bdata" in values:
        decoded = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return [None if np.isnan(v) else int(v) if float(v).is_integer() else float(v) for v in decoded]
    return list(values)  # type: ignore[call-overload]


def chart(app: AppTest, key_part: str) -> dict:
    for element in app.get("plotly_chart"):
        if key_part in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def test_the_scheme_page_previews_side_by_side_and_stores_nothing_until_confirmed(
    app: AppTest, demo_path: Path
) -> None:
    open_page(app, "pages/scheme.py")
    assert app.title[0].value == "2020年1–6月适用的评分规则"
    assert any(f"现行评分方案：{DEFAULT}（第1版）" in m.value for m in app.markdown)
    versions = table_with(app, "版本")
    assert versions[["方案名称", "版本", "本期在用"]].values.tolist() == [[DEFAULT, 1, "✓"]]
    assert any("与现行方案相同" in info.value for info in app.info)  # the form starts from the scheme in force

    app.number_input(key="scheme_form_weight_fines").set_value(3.0).run()
    comparison = table_with(app, "名次变化").set_index("单位")
    # Fines count three times: 泌阳县 10 + 8 + 27 = 45 and 遂平县 6 + 10 + 30 = 46 swap the first two places.
    assert comparison.loc["遂平县", "现行名次"] == 2 and comparison.loc["遂平县", "拟议名次"] == 1
    assert comparison.loc["遂平县", "名次变化"] == "↑1" and comparison.loc["泌阳县", "名次变化"] == "↓1"
    assert (
        comparison.loc["遂平县", "三项执法总得分（拟议）"] == 46
        and comparison.loc["遂平县", "三项执法总得分（现行）"] == 26
    )
    assert set(comparison["名次变化"]) - {"—"} and comparison.index[0] == "遂平县"
    assert any("监督检查罚款按3倍计" in caption for caption in captions(app))
    assert stored_versions(demo_path) == [(DEFAULT, 1)]  # a preview stores nothing

    assert app.button(key="scheme_save").disabled  # not without the explicit confirmation
    app.checkbox(key="scheme_confirm").check().run()
    app.button(key="scheme_save").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert stored_versions(demo_path) == [(DEFAULT, 1), (DEFAULT, 2)]
    assert any(f"已保存评分方案“{DEFAULT}”第2版" in s.value for s in app.success)
    assert any(f"现行评分方案：{DEFAULT}（第2版）" in m.value for m in app.markdown)

    app.switch_page("pages/rankings.py").run()
    assert f"评分方案：{DEFAULT}（第2版）" in captions(app)
    assert ranking(app)["单位"].tolist()[:2] == ["遂平县", "泌阳县"]
    assert any("监督检查罚款按3倍计" in caption for caption in captions(app))


def test_a_scheme_form_problem_is_one_line_and_a_new_name_starts_a_new_scheme(app: AppTest, demo_path: Path) -> None:
    open_page(app, "pages/scheme.py")
    app.multiselect(key="scheme_form_measures").set_value([]).run()
    assert [e.value for e in app.error] == ["拟议方案有误，未预览：评分方案的 measures 有误：至少需要一个指标"]
    app.multiselect(key="scheme_form_measures").set_value(["hazards_found", "rectification_rate"]).run()
    app.text_input(key="scheme_form_name").set_value("隐患整改方案").run()
    app.radio(key="scheme_form_method").set_value("share").run()
    app.number_input(key="scheme_form_full").set_value(100.0).run()
    comparison = table_with(app, "名次变化")
    assert "总得分（拟议）" in comparison.columns
    app.checkbox(key="scheme_confirm").check().run()
    app.button(key="scheme_save").click().run()
    assert stored_versions(demo_path) == [(DEFAULT, 1), ("隐患整改方案", 1)]


def test_every_page_and_the_bulletin_name_the_scheme_and_version(app: AppTest) -> None:
    for page in ("pages/overview.py", "pages/rankings.py", "pages/charts.py", "pages/flags.py", "pages/bulletin.py"):
        open_page(app, page)
        assert f"评分方案：{DEFAULT}（第1版）" in captions(app), page
    app.radio(key="lang").set_value("en").run()
    assert f"Scoring scheme: {DEFAULT} (version 1)" in captions(app)


def test_exports_name_the_scheme_under_the_table_and_on_their_own_sheet(demo) -> None:
    view = county_view(
        county_measures(demo, pd.Timestamp("2020-01-01").date(), pd.Timestamp("2020-06-30").date()), None, None
    )
    note = SchemeNote(f"{DEFAULT}（第2版）", ScoringRule().describe(10))
    table = ranking_table(view.shown)
    lines = csv_bytes(table, "%.2f", note.lines()).decode("utf-8-sig").splitlines()
    assert lines[-3:] == ["", f"评分方案：{DEFAULT}（第2版）", ScoringRule().describe(10)]
    book = load_workbook(
        io.BytesIO(workbook({"综合排名": table}, attachment=(view.shown, ScoringRule(), "t", 10, "zh"), scheme=note))
    )
    assert book.sheetnames == ["附件表", "综合排名", "评分方案"]
    assert book["评分方案"]["A1"].value == f"评分方案：{DEFAULT}（第2版）"
    assert book["附件表"].cell(16, 1).value == f"评分方案：{DEFAULT}（第2版）"


def open_analyses(app: AppTest) -> AppTest:
    """A reader opens 名次是否稳定 and 近N期名次 under the ranking (drawn only while open)."""
    assert not [c for c in app.get("plotly_chart") if "bump_chart" in c.proto.id], "closed, nothing is drawn"
    app.session_state["robustness_panel"] = True
    app.session_state["history_panel"] = True
    return app.run()


def test_the_rankings_page_shows_how_decisive_and_how_lasting_each_place_is(app: AppTest) -> None:
    open_analyses(open_page(app, "pages/rankings.py"))
    robustness = chart(app, "robustness_chart")
    dots = robustness["data"][0]
    assert dots["y"][0] == "泌阳县" and dots["y"][-1] == "驿城区"  # ordered by place, first at the top
    assert numbers(dots["x"])[:3] == [1, 2, 3] and "error_x" in dots
    assert any("200种权重方案" in caption for caption in captions(app))

    bump = chart(app, "bump_chart")
    periods = ["2019年1–6月", "2019年7–12月", "2020年1–6月"]
    assert bump["layout"]["xaxis"]["categoryarray"] == periods
    by_county = {trace["name"]: numbers(trace["y"]) for trace in bump["data"]}
    assert by_county["驿城区"] == [9, 9, 10] and by_county["确山县"] == [10, 10, 8]
    assert "2018年7–12月没有任何数据，未列出。" in captions(app)
    history = table_with(app, "2019年1–6月").set_index("单位")
    assert history.loc["泌阳县", "2020年1–6月"] == "第1名"

    app.selectbox(key="period").set_value("q2").run()  # quarters: the last six
    bump = chart(app, "bump_chart")
    assert bump["layout"]["xaxis"]["categoryarray"] == [
        "2019年1–3月", "2019年4–6月", "2019年7–9月", "2019年10–12月", "2020年1–3月", "2020年4–6月"
    ]  # fmt: skip
    app.multiselect(key="counties").set_value(["驿城区"]).run()
    widths = {trace["name"]: trace["line"]["width"] for trace in chart(app, "bump_chart")["data"]}
    assert widths["驿城区"] > max(width for name, width in widths.items() if name != "驿城区")  # highlighted


def test_each_period_of_the_bump_chart_is_scored_by_its_own_scheme(
    app: AppTest, demo_path: Path, tmp_path: Path
) -> None:
    later = ScoringRule(
        name="2020年起只比罚款", effective_from=pd.Timestamp("2020-01-01").date(), measures=(Measure("fines"),)
    )
    path = tmp_path / "later.toml"
    path.write_text(scheme_to_toml(later), encoding="utf-8")
    result = run_module("records", "schemes", "import", str(path), "--db", str(demo_path))
    assert result.returncode == 0, result.stderr
    open_analyses(open_page(app, "pages/rankings.py"))
    by_county = {trace["name"]: numbers(trace["y"]) for trace in chart(app, "bump_chart")["data"]}
    # 2019 by the attachment's rule (驿城区 9th twice); 2020年1–6月 by fines alone: 驿城区 last with 1 万元.
    assert by_county["遂平县"][-1] == 1 and by_county["驿城区"][-1] == 10
    assert any(
        "2019年1–6月：" in c and f"{DEFAULT}（第1版）" in c and "2020年起只比罚款（第1版）" in c for c in captions(app)
    )


def test_the_flags_page_says_how_decisive_the_last_places_are_and_who_stays_there(
    app: AppTest, demo_path: Path
) -> None:
    # The places of the earlier half-years, from the command line, independently of the page.
    places = {}
    for start, end in (("2019-01-01", "2019-06-30"), ("2019-07-01", "2019-12-31")):
        result = run_module(
            "records", "rank", "--start", start, "--end", end, "--format", "csv", "--db", str(demo_path)
        )
        places[start[:7]] = pd.read_csv(io.StringIO(result.stdout)).set_index("county")["overall_rank"]
    open_page(app, "pages/flags.py")
    lines = markdown_lines(app)
    assert "驿城区：现行规则第10名；在200种权重方案下均为第10名，排名稳定" in lines
    assert any(line.startswith("正阳县：现行规则第9名；在200种权重方案下") for line in lines)
    assert any(line.startswith("确山县：现行规则第8名；在200种权重方案下") for line in lines)
    flagged = [line for line in lines if "连续" in line]
    expected = (
        f"确山县连续三期排名后三：2019年1–6月第{places['2019-01']['确山县']}名、"
        f"2019年7–12月第{places['2019-07']['确山县']}名、2020年1–6月第8名"
    )
    assert any(expected in line for line in flagged), flagged
    assert any("驿城区连续三期排名后三" in line for line in flagged)

    app.radio(key="lang").set_value("en").run()
    lines = [visible(line) for line in markdown_lines(app)]
    sentence = "驿城区: place 10 under the scheme in force; place 10 in every one under 200 alternative schemes"
    assert f"{sentence}: a stable place" in lines
    assert any("确山县: in the bottom 3 for 3 periods running: Jan–Jun 2019 place 10" in line for line in lines)


def markdown_lines(app: AppTest) -> list[str]:
    """Each sentence of the page's Markdown: a list of sentences is drawn as one element, a paragraph or item each."""
    return [line for element in app.markdown for line in re.split(r"\n\n|\n(?=- )", element.value)]


def test_the_bulletin_names_counties_at_the_bottom_period_after_period(demo) -> None:
    draft = draft_bulletin(
        demo, pd.Timestamp("2020-01-01").date(), pd.Timestamp("2020-06-30").date(), scope=EVERY_COUNTY
    )
    problems = [p.text for p in draft.paragraphs if p.role == "problem"]
    persistent = [p for p in problems if "连续两期及以上排名靠后" in p]
    assert len(persistent) == 1
    assert "确山县连续三期排名后三：2019年1–6月第10名、2019年7–12月第10名、2020年1–6月第8名" in persistent[0]
    assert draft.scheme_line == f"评分方案：{DEFAULT}（第1版）"


OTHER = ScoringRule(
    name="隐患整改处罚",
    measures=(Measure("hazards_found", weight=0.5), Measure("rectification_rate"), Measure("penalty_decisions")),
)


def test_a_scheme_of_other_measures_reaches_every_table_chart_and_export(app: AppTest, demo_path: Path) -> None:
    with Store(demo_path).transaction(TESTER, "保存评分方案") as connection:
        save_scheme(connection, scheme_to_toml(OTHER))
    open_page(app, "pages/rankings.py")
    table = ranking(app)
    for heading in (
        "总得分",
        "发现隐患（项）",
        "发现隐患排名",
        "发现隐患得分",
        "整改率（%）",
        "处罚决定（次）",
        "处罚决定得分",
    ):
        assert heading in table.columns, heading
    assert "三项执法总得分" not in table.columns
    assert "评分方案：隐患整改处罚（第1版）" in captions(app)
    assert any(c.startswith("得分说明：") and "发现隐患按0.5倍计" in c for c in captions(app))
    assert any("公布的附件表" in c and "无法按本评分方案核对" in c for c in captions(app))
    open_page(app, "pages/charts.py")
    assert [option for option in app.radio(key="bars_measure").options] == [
        "发现隐患（项）",
        "整改率（%）",
        "处罚决定（次）",
    ]
    open_page(app, "pages/overview.py")
    assert "发现隐患" in app.radio(key="map_colour_by").options
    open_page(app, "pages/flags.py")
    assert not app.error
    with Store(demo_path).reading() as connection:
        draft = draft_bulletin(
            connection, pd.Timestamp("2020-01-01").date(), pd.Timestamp("2020-06-30").date(), scope=EVERY_COUNTY
        )
    assert [m.column for m in draft.rule.measures] == ["hazards_found", "rectification_rate", "penalty_decisions"]
    assert draft.scheme_line == "评分方案：隐患整改处罚（第1版）"
    table = Document(io.BytesIO(bulletin_document(draft))).tables[0]
    assert table.cell(0, 2).text == "总得分" and table.cell(0, 3).text == "一、发现隐患"
    assert table.cell(1, 6).text == "整改率（%）"


def test_a_summary_only_county_is_said_to_lack_a_measure_its_summary_lacks(
    app: AppTest, demo_path: Path, tmp_path: Path
) -> None:
    from tests.test_scheme_store import OTHER_MEASURES, SUMMARY

    summary = tmp_path / "2021年上半年汇总.csv"
    summary.write_text(SUMMARY, encoding="utf-8")
    result = run_module(
        "records", "import", str(summary), "--start", "2021-01-01", "--end", "2021-06-30", "--db", str(demo_path)
    )
    assert result.returncode == 0, result.stderr
    with Store(demo_path).transaction(TESTER, "保存评分方案") as connection:
        save_scheme(connection, scheme_to_toml(OTHER_MEASURES))
    open_page(app, "pages/rankings.py")
    app.selectbox(key="year").set_value(2021).run()
    app.selectbox(key="period").set_value("h1").run()
    table = ranking(app).set_index("单位")
    assert table.loc["驿城区", "整改率（%）"] == 85.5 and pd.isna(table.loc["上蔡县", "整改率（%）"])
    assert "以下县区的数字来自报送汇总表，表中没有“整改率（%）”，该项无数值、不排名：上蔡县。" in captions(app)


def test_the_proposal_survives_another_page_and_a_change_of_language(app: AppTest, demo_path: Path) -> None:
    open_page(app, "pages/scheme.py")
    app.number_input(key="scheme_form_weight_fines").set_value(3.0).run()
    app.switch_page("pages/rankings.py").run()
    app.switch_page("pages/scheme.py").run()
    assert table_with(app, "名次变化").set_index("单位").loc["遂平县", "名次变化"] == "↑1"
    app.radio(key="lang").set_value("en").run()
    comparison = table_with(app, "Change").set_index("County")
    assert comparison.loc["遂平县", "Change"] == "↑1" and comparison.loc["泌阳县", "Place now"] == 1
    assert any("Fines counts 3 times" in caption for caption in captions(app))
    assert stored_versions(demo_path) == [(DEFAULT, 1)]
