"""The dashboard through Streamlit's AppTest, from the entrypoint, asserting on what a reader sees."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from records.db import open_database
from records.demo import COUNTIES_FILE, load_counties
from tests.conftest import ROOT, table_snapshot

PAGES = [
    "pages/overview.py",
    "pages/rankings.py",
    "pages/charts.py",
    "pages/flags.py",
    "pages/bulletin.py",
    "pages/data.py",
]


def open_page(app: AppTest, page: str) -> AppTest:
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def ranking(app: AppTest) -> pd.DataFrame:
    return app.dataframe(key="ranking_table").value


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``: unselectable tables carry no key."""
    for frame in app.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with column {column}")


def visible(markdown: str) -> str:
    """What a reader sees of Markdown whose file-derived text was escaped: the backslashes go."""
    return re.sub(r"\\(.)", r"\1", markdown)


def plotly_spec(app: AppTest, key_part: str) -> dict:
    for chart in app.get("plotly_chart"):
        if key_part in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def test_every_page_renders_without_error(app: AppTest) -> None:
    for page in PAGES:
        open_page(app, page)
        assert not app.error, [e.value for e in app.error]


def test_default_rankings_equal_the_attachment(app: AppTest, reference: pd.DataFrame) -> None:
    table = ranking(open_page(app, "pages/rankings.py"))
    assert app.title[0].value == "2020年1–6月各县区安全生产监管综合执法成效统计表"
    assert table["单位"].tolist() == reference["单位"].tolist()
    pairs = {
        "名次": "名次",
        "三项执法总得分": "三项执法总得分",
        "检查生产经营单位（家次）": "检查生产经营单位(家次)",
        "检查排名": "检查排名",
        "检查得分": "检查得分",
        "立案数（起）": "立案数",
        "立案排名": "立案排名",
        "立案得分": "立案得分",
        "监督检查罚款（万元）": "监督检查罚款(万元)",
        "罚款排名": "罚款排名",
        "罚款得分": "罚款得分",
    }
    for shown, published in pairs.items():
        assert table[shown].astype(float).tolist() == reference[published].astype(float).tolist(), shown
    assert "得分说明：每一项得分满分10分，按照该项排名顺序依次递减，第一名得10分，第十名得1分。" in [
        c.value for c in app.caption
    ]
    assert any("逐项核对：名次、检查家次、立案数、罚款全部一致" in s.value for s in app.success)
    flagged = table.set_index("单位")["预警"]  # the reasons in a few words, so the column fits a laptop
    assert flagged["驿城区"] == "靠后、不执法、降幅大" and flagged["泌阳县"] == ""
    assert any("示例数据" in c.value for c in app.caption)


def test_overview_shows_the_bulletin_figures_and_the_best_and_weakest(app: AppTest) -> None:
    open_page(app, "pages/overview.py")
    metrics = {m.label: (m.value, m.delta) for m in app.metric}
    assert metrics["检查生产经营单位（家次）"] == ("1117", "-40.3% 同比")
    assert metrics["监督检查罚款（万元）"] == ("76.71", "-69.3% 同比")
    sentence = app.markdown[0].value
    assert "共检查生产经营单位1117家次（同比减少40.3%）" in sentence
    assert "处罚款76.71万元（同比减少69.30%）" in sentence
    lines = [m.value for m in app.markdown]
    best = [line for line in lines if line.startswith("第1名") or line.startswith("第2名") or line.startswith("第3名")]
    assert [line.split("\u3000")[1] for line in best] == ["泌阳县", "遂平县", "汝南县"]
    weakest = [line.split("\u3000")[1] for line in lines if line.startswith(("第10名", "第9名", "第8名"))]
    assert weakest == ["驿城区", "正阳县", "确山县"]


def test_changing_the_period_changes_the_figures(app: AppTest, demo_path: Path) -> None:
    open_page(app, "pages/rankings.py")
    app.selectbox(key="period").set_value("q1").run()
    table = ranking(app).set_index("单位")
    assert app.title[0].value.startswith("2020年1–3月")
    with open_database(demo_path) as check:
        expected = dict(
            check.execute(
                "SELECT c.name, count(*) FROM inspections i JOIN counties c ON c.code = i.county_code "
                "WHERE inspected_on BETWEEN DATE '2020-01-01' AND DATE '2020-03-31' GROUP BY c.name"
            ).fetchall()
        )
    assert table["检查生产经营单位（家次）"].to_dict() == expected
    assert table["检查生产经营单位（家次）"].sum() < 1117
    app.selectbox(key="year").set_value(2019).run()
    assert app.title[0].value.startswith("2019年1–3月")


def test_choosing_counties_narrows_without_reranking(app: AppTest) -> None:
    open_page(app, "pages/rankings.py")
    app.multiselect(key="counties").set_value(["驿城区", "泌阳县"]).run()
    table = ranking(app).set_index("单位")
    assert list(table.index) == ["泌阳县", "驿城区"]
    assert table.loc["驿城区", "名次"] == 10
    assert any("排名在全部10个县区之间计算" in c.value for c in app.caption)
    app.checkbox(key="rank_within").check().run()
    table = ranking(app).set_index("单位")
    assert table.loc["驿城区", "名次"] == 2 and table.loc["泌阳县", "名次"] == 1
    assert table.loc["泌阳县", "三项执法总得分"] == 6
    assert any("排名仅在所选的2个县区之间计算" in c.value for c in app.caption)


def test_a_link_reopens_the_same_view(app: AppTest) -> None:
    app.query_params["period"] = "第二季度"  # bound widgets keep the label a reader sees
    app.query_params["year"] = "2019"
    app.query_params["counties"] = ["正阳县", "确山县"]
    open_page(app, "pages/rankings.py")
    assert app.title[0].value.startswith("2019年4–6月")
    assert set(ranking(app)["单位"]) == {"正阳县", "确山县"}
    assert app.selectbox(key="period").value == "q2"


def test_flags_page_names_the_weakest_with_reasons(app: AppTest) -> None:
    open_page(app, "pages/flags.py")
    text = "\n".join(visible(m.value) for m in app.markdown)
    for county in ("驿城区", "正阳县", "确山县"):
        assert f"⚠ {county}" in text
    assert "综合排名第10名（共10个县区），三项执法总得分4分，位列后3名" in text
    assert "检查120家次仅立案2起" in text  # 确山县 inspects without penalising
    assert "检查生产经营单位同比减少71.6%（全市同比减少40.3%）" in text  # 驿城区's fall
    assert "2起案件有现场检查、有立案处罚，但无整改记录" in text
    figures = table_with(app, "每百家次立案（起）").set_index("单位")
    assert figures.loc["确山县", "每百家次立案（起）"] == 1.7
    app.number_input(key="flag_bottom_places").set_value(1).run()
    text = "\n".join(visible(m.value) for m in app.markdown)
    assert "综合排名第9名" not in text and "综合排名第10名" in text


def test_english_switch(app: AppTest) -> None:
    open_page(app, "pages/rankings.py")
    app.radio(key="lang").set_value("en").run()
    table = ranking(app)
    assert list(table.columns[:3]) == ["Place", "County", "Total points"]
    assert app.title[0].value == "Enforcement results by county, Jan–Jun 2020"


BAD_UPLOAD = "id,county,inspected_on,unit_name\nX-1,火星县,2020-02-30,甲公司\nX-1,驿城区,2020-03-01,\n".encode("gbk")


def test_a_bad_upload_shows_the_problem_table_and_changes_nothing(app: AppTest, demo_path: Path) -> None:
    open_page(app, "pages/data.py")
    with open_database(demo_path) as connection:
        before = table_snapshot(connection)
    app.file_uploader(key="upload_file").upload("坏文件.csv", BAD_UPLOAD, "text/csv")
    app.run()
    assert app.error and "未导入任何数据" in app.error[0].value
    problems = table_with(app, "问题")
    for expected in ("未知县区", "无法识别的日期", "编号在文件中重复（第2行已有）", "“被检查单位”不能为空"):
        assert problems["问题"].str.contains(expected, regex=False).any(), expected
    assert len(app.button) == 0 or not any(b.key == "confirm_import" for b in app.button)
    with open_database(demo_path) as connection:
        assert table_snapshot(connection) == before


def test_a_good_upload_is_checked_then_imported_and_logged(app: AppTest) -> None:
    open_page(app, "pages/data.py")
    content = "id,county,inspected_on,unit_name\nOK-1,驿城区,2020-03-01,甲公司\nOK-2,411702,2020-03-02,乙公司\n"
    app.file_uploader(key="upload_file").upload("good.csv", content.encode(), "text/csv")
    app.run()
    assert "检查通过：2 行检查记录" in app.info[0].value
    app.button(key="confirm_import").click().run()
    assert any("已导入 2 行检查记录" in s.value for s in app.success)
    log = table_with(app, "文件名")
    assert log.iloc[0]["文件名"] == "good.csv" and log.iloc[0]["现存记录"] == 2
    app.switch_page("pages/rankings.py").run()
    assert ranking(app).set_index("单位").loc["驿城区", "检查生产经营单位（家次）"] == 61


def test_charts_show_every_county(app: AppTest) -> None:
    open_page(app, "pages/charts.py")
    scatter = plotly_spec(app, "scatter_chart")
    points = [name for trace in scatter["data"] if trace.get("mode") == "markers+text" for name in trace["text"]]
    assert sorted(points) == sorted(
        ["驿城区", "西平县", "上蔡县", "平舆县", "正阳县", "确山县", "泌阳县", "汝南县", "遂平县", "新蔡县"]
    )
    assert scatter["layout"]["xaxis"]["title"]["text"] == "检查生产经营单位（家次）"
    assert any(shape.get("line", {}).get("dash") == "dash" for shape in scatter["layout"]["shapes"])
    yoy = plotly_spec(app, "yoy_chart")
    assert [trace["name"] for trace in yoy["data"]] == ["去年同期", "本期"]


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    path = tmp_path / "empty.duckdb"
    connection = open_database(path, create=True)
    load_counties(connection, COUNTIES_FILE)
    connection.close()
    monkeypatch.setenv("ENFORCEMENT_DB", str(path))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_a_database_without_records_gets_a_sentence_on_every_page(empty_app: AppTest) -> None:
    for page in PAGES:
        open_page(empty_app, page)
        assert not empty_app.error
    for page in PAGES[:4]:  # the pages that show figures
        open_page(empty_app, page)
        assert any("没有任何执法记录或汇总数据" in i.value for i in empty_app.info), page


def test_bulletin_page_previews_the_draft_and_offers_the_document(app: AppTest) -> None:
    open_page(app, "pages/bulletin.py")
    preview = "\n".join(visible(m.value) for m in app.markdown)
    assert "共检查生产经营单位1117家次（同比减少40.3%）" in preview
    assert ":orange-background[【待起草" in preview
    assert any(b.proto.label == "下载通报（Word）" for b in app.get("download_button"))
    app.multiselect(key="counties").set_value(["驿城区"]).run()
    preview = "\n".join(visible(m.value) for m in app.markdown)
    assert "所选1个县区局共检查生产经营单位59家次" in preview


def test_a_link_made_in_english_opens_the_same_view_in_chinese(app: AppTest) -> None:
    app.query_params.update(
        {"lang": "en", "year": "2019", "period": "q2", "counties": ["411702", "泌阳县"], "rank_within": "1"}
    )
    open_page(app, "pages/rankings.py")
    assert app.title[0].value == "Enforcement results by county, Apr–Jun 2019"
    assert sorted(ranking(app)["Place"].tolist()) == [1, 2]
    app.radio(key="lang").set_value("zh").run()
    assert app.title[0].value.startswith("2019年4–6月")
    assert app.selectbox(key="period").value == "q2"
    assert "zh" in str(app.query_params["lang"]) and "q2" in str(app.query_params["period"])
    assert sorted(ranking(app)["名次"].tolist()) == [1, 2]


def test_a_link_value_that_cannot_be_read_gets_one_line(app: AppTest) -> None:
    app.query_params.update({"period": "Q9", "counties": ["火星县"]})
    open_page(app, "pages/rankings.py")
    warnings = [w.value for w in app.warning]
    assert "链接中的时段“Q9”无法识别，已显示默认时段。" in warnings
    assert "链接中的县区“火星县”无法识别，已略去。" in warnings
    assert app.title[0].value.startswith("2020年1–6月") and len(ranking(app)) == 10


def test_a_record_dated_in_the_future_does_not_move_the_default_view(app: AppTest, demo_path: Path) -> None:
    with open_database(demo_path) as connection:
        connection.execute(
            "INSERT INTO inspections VALUES ('F-1', 411702, DATE '2099-06-01', '未来公司', NULL, 1, 0, 0, false, false,"
            " false, 1)"
        )
    open_page(app, "pages/rankings.py")
    assert app.title[0].value.startswith("2020年1–6月")
    assert 2099 not in app.selectbox(key="year").options and "2099" not in app.selectbox(key="year").options


def test_the_overview_of_two_counties_says_so_everywhere(app: AppTest) -> None:
    app.query_params["counties"] = ["驿城区", "泌阳县"]
    open_page(app, "pages/overview.py")
    assert app.title[0].value == "2020年1–6月所选2个县区安全生产执法情况"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["检查生产经营单位（家次）"] == "219"  # 59 + 160, not the city's 1117
    assert "所选2个县区局共检查生产经营单位219家次" in app.markdown[0].value
    captions = [c.value for c in app.caption]
    assert "所选县区中位列全市前3名的" in captions and "所选县区中位列全市后3名的" in captions
    lines = [visible(m.value) for m in app.markdown]
    assert lines.index(next(line for line in lines if line.startswith("第1名"))) < lines.index(
        next(line for line in lines if line.startswith("第10名"))
    )
    trend = plotly_spec(app, "overview_trend_chart")
    assert trend["layout"]["title"]["text"] == "所选2个县区逐月检查生产经营单位（家次）"
    shown = " ".join([app.title[0].value, *captions, *(s.value for s in app.subheader)])
    assert "全市" not in shown.replace("位列全市", "")


def test_ranking_among_three_chosen_counties_is_said_on_every_page(app: AppTest) -> None:
    app.query_params.update({"counties": ["驿城区", "泌阳县", "遂平县"], "rank_within": "1"})
    open_page(app, "pages/flags.py")
    text = "\n".join(visible(m.value) for m in app.markdown)
    assert "综合排名靠后" not in text  # first, second and third of three are not "the bottom"
    assert "所选3个县区平均" in text and "全市" not in text
    assert any("仅3个县区参与排名" in c.value for c in app.caption)
    app.switch_page("pages/rankings.py").run()
    assert not app.success  # the published table ranks all ten counties: no check, and it says why
    assert any("不可比，因此不做核对" in c.value for c in app.caption)
    app.switch_page("pages/bulletin.py").run()
    preview = "\n".join(visible(m.value) for m in app.markdown)
    assert "在所选3个县区中，执法力度大、成效突出的前1名是遂平县；力度较小、成效较差的后1名是驿城区" in preview


def test_a_threshold_above_its_maximum_is_refused_in_words(app: AppTest) -> None:
    open_page(app, "pages/flags.py")
    app.number_input(key="flag_bottom_places").set_value(25).run()
    assert any("“综合排名后几名”最多为20，输入的25未采用，仍按3计算" in e.value for e in app.error)
    text = "\n".join(visible(m.value) for m in app.markdown)
    assert "位列后3名" in text  # the accepted value still applies
    cards = [m.value for m in app.markdown if m.value.startswith("#### ⚠")]
    places = [int(re.search(r"名次 (\d+)", card).group(1)) for card in cards]  # type: ignore[union-attr]
    figures = table_with(app, "每百家次立案（起）")
    assert figures["名次"].tolist() == places  # the table runs in the cards' order


def test_after_an_import_only_the_import_is_reported(app: AppTest) -> None:
    open_page(app, "pages/data.py")
    content = "id,county,inspected_on,unit_name\nOK-1,驿城区,2020-03-01,甲公司\nOK-2,411702,2020-03-02,乙公司\n"
    app.file_uploader(key="upload_file").upload("good.csv", content.encode(), "text/csv")
    app.run()
    app.button(key="confirm_import").click().run()
    assert any("已导入 2 行检查记录" in s.value for s in app.success)
    # Not also "内容相同，未重复导入" for the file just imported; the no-accounts banner is the only warning.
    assert [w.value for w in app.warning if "尚未设置任何账户" not in w.value] == []
    log = table_with(app, "文件名")
    assert log.iloc[0]["汇总时段"] == ""  # an inspections file has no summary period
    assert log.set_index("文件名").loc["zhumadian-2020-h1-attachment.csv", "汇总时段"] == "2020-01-01 – 2020-06-30"


def test_records_behind_a_figure_read_as_words_in_either_language(app: AppTest) -> None:
    open_page(app, "pages/rankings.py")
    visits = table_with(app, "检查编号")
    assert list(visits.columns[:3]) == ["检查编号", "检查日期", "被检查单位"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) for day in visits["检查日期"])
    app.radio(key="lang").set_value("en").run()
    assert list(table_with(app, "Inspection no.").columns[:3]) == ["Inspection no.", "Date", "Unit inspected"]
    assert any(c.value.startswith("Points: each measure scores at most 10") for c in app.caption)
