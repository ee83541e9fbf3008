"""What the views say, without a browser: escaping, links, scope labels, the strongest and weakest, exports, Word.

Each test names the mistake it would have caught.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from bulletin.document import FONT_CANDIDATES, bulletin_document, installed_fonts
from bulletin.draft import draft_bulletin
from records.queries import county_measures, monthly_series, rectification_gaps, same_period_last_year
from report.analysis import (
    change_words,
    city_summary_sentence,
    county_view,
    monthly_table,
    published_differences,
    record_table,
    scope_totals,
    strong_and_weak,
    totals_table,
)
from report.charts import inspections_fines_scatter, measure_bars, monthly_trend, title_of, with_period
from report.exports import csv_bytes, figure_png, workbook
from report.links import address_params, read_address
from report.periods import PRESETS, default_period, period_dates, preset_label
from report.safe import md, plot
from scoring.flags import FlagSettings
from tests.conftest import EVERY_COUNTY

H1 = (dt.date(2020, 1, 1), dt.date(2020, 6, 30))
COUNTIES = {"驿城区": 411702, "泌阳县": 411726, "遂平县": 411728}


def view_of(demo, selected=(), within=False, lang="zh"):  # type: ignore[no-untyped-def]
    measures = county_measures(demo, *H1)
    previous = county_measures(demo, *same_period_last_year(*H1))
    gaps = rectification_gaps(demo, EVERY_COUNTY, *H1)
    return county_view(measures, previous, gaps, selected, within, None, None, lang)


# Escaping: text from a file is shown as text.


@pytest.mark.parametrize(
    "payload",
    [
        "[点此下载](http://x.example/a)",
        "![](http://x.example/i.png)",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        ":red[假]:material/warning:",
        "$\\href{http://x.example}{x}$",
        "# 标题\n- 列表",
        "**粗体** _斜体_ `代码` ~~删除~~",
    ],
)
def test_markdown_escape_leaves_no_markup(payload: str) -> None:
    escaped = md(payload)
    unescaped = re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "")
    assert unescaped == payload.replace("\n", " ")  # the reader sees exactly the file's text
    assert not re.search(r"(?<!\\)[\[\]()<>*_`~:$#!]", escaped)  # and no markup character is left unescaped
    assert "\n" not in escaped


def test_bare_addresses_are_broken_where_a_link_would_start() -> None:
    for address in ("http://x.example/a", "https://x.example", "www.x.example", "a@x.example"):
        assert "\u2060" in md(address)


def test_plotly_text_cannot_make_a_link() -> None:
    assert plot('<a href="http://x.example">驿城区</a>') == '&lt;a href="http://x.example"&gt;驿城区&lt;/a&gt;'
    measures = pd.DataFrame(
        {
            "county_code": [1, 2],
            "county": ["<a href='http://x.example'>甲</a>", "乙<br>"],
            "source": ["records", "records"],
            **{m: [5, 3] for m in ("inspections", "inspector_turnouts", "documents", "cases")},
            "fines": [1.0, 2.0],
        }
    )
    view = county_view(measures, None, None)
    for chart in (inspections_fines_scatter(view.shown, view.scored), measure_bars(view.shown, "inspections")):
        spec = json.dumps(chart, ensure_ascii=False)  # the text as the browser gets it
        assert "甲" in spec and "<a href" not in spec and "乙<br>" not in spec


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised_in_csv_and_excel(prefix: str) -> None:
    value = f'{prefix}HYPERLINK("http://x.example")'
    table = pd.DataFrame({"单位": [value], "数": [1]})
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"), newline="")))
    assert rows[1][0] == f"'{value}"  # a spreadsheet shows it and never runs it
    for styled in (True, False):
        sheet = load_workbook(io.BytesIO(workbook({"表": table}, styled))).active
        assert sheet["A2"].data_type == "s" and sheet["A2"].value == value


# Links: language-neutral values, the same view in either language, one line for what cannot be read.


def test_every_period_code_reads_back_and_labels_in_both_languages_read_too() -> None:
    for preset in PRESETS:
        params = {"period": [preset], "start": ["2020-02-03"], "end": ["2020-05-06"]}
        view, notes = read_address(params, [2020], COUNTIES, (2020, "h1"))
        assert (view.preset, notes) == (preset, [])
        for lang in ("zh", "en"):
            labelled, notes = read_address({"period": [preset_label(preset, lang)]}, [2020], COUNTIES, (2020, "h1"))
            if preset != "custom":
                assert labelled.preset == preset and not notes
    assert read_address({"period": ["Q2"]}, [2020], COUNTIES, (2020, "h1"))[0].preset == "q2"
    assert read_address({"period": ["to01"]}, [2020], COUNTIES, (2020, "h1"))[0].preset == "m01"


def test_a_link_keeps_its_view_whatever_the_language() -> None:
    params = {
        "lang": ["en"],
        "year": ["2019"],
        "period": ["q2"],
        "counties": ["411702", "泌阳县"],
        "rank_within": ["1"],
    }
    view, notes = read_address(params, [2020, 2019], COUNTIES, (2020, "h1"))
    assert not notes
    assert (view.year, view.preset, view.counties, view.rank_within) == (2019, "q2", ("驿城区", "泌阳县"), True)
    assert view.period() == period_dates(2019, "q2")
    written = address_params(view)
    assert written == {
        "lang": "en",
        "year": "2019",
        "period": "q2",
        "counties": ["驿城区", "泌阳县"],
        "rank_within": "1",
    }
    chinese = read_address({**written, "lang": "zh"}, [2020, 2019], COUNTIES, (2020, "h1"))[0]
    assert (chinese.year, chinese.preset, chinese.counties, chinese.rank_within) == (2019, "q2", view.counties, True)
    custom = read_address(
        {"period": ["custom"], "start": ["2020-02-03"], "end": ["2020-05-06"]}, [2020], {}, (2020, "h1")
    )
    assert custom[0].period() == (dt.date(2020, 2, 3), dt.date(2020, 5, 6))
    assert address_params(custom[0])["start"] == "2020-02-03"


def test_a_value_that_cannot_be_read_is_named_not_silently_changed() -> None:
    params = {
        "lang": ["fr"],
        "year": ["2099"],
        "period": ["Q9"],
        "counties": ["火星县", "驿城区"],
        "rank_within": ["maybe"],
    }
    view, notes = read_address(params, [2020], COUNTIES, (2020, "h1"))
    assert (view.lang, view.year, view.preset, view.counties) == ("zh", 2020, "h1", ("驿城区",))
    messages = [note.message("zh") for note in notes]
    assert "链接中的时段“Q9”无法识别，已显示默认时段。" in messages
    assert any("火星县" in m for m in messages) and any("2099" in m for m in messages)
    assert any("fr" in m for m in messages) and any("maybe" in m for m in messages)
    bad_dates = read_address({"period": ["custom"], "start": ["2020-13-01"], "end": ["x"]}, [2020], {}, (2020, "h1"))
    assert bad_dates[0].preset == "h1" and bad_dates[1][0].key == "link_bad_dates"


def test_the_period_list_starts_with_the_bulletins_own_periods() -> None:
    assert [preset_label(p) for p in PRESETS[:7]] == [
        "上半年（1–6月）",
        "下半年（7–12月）",
        "全年",
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
    ]
    assert len(set(preset_label(p) for p in PRESETS)) == len(PRESETS)  # no two entries read the same


def test_the_default_view_is_never_in_the_future() -> None:
    today = dt.date(2026, 11, 25)
    assert default_period(dt.date(2020, 12, 31), dt.date(2020, 6, 30), today) == (2020, "h1")
    assert default_period(dt.date(2026, 10, 1), dt.date(2026, 6, 30), today) == (2026, "h1")
    assert default_period(dt.date(2026, 10, 1), dt.date(2025, 12, 31), today) == (2026, "h2")
    assert default_period(dt.date(2099, 6, 1), None, today)[0] == 2026


# Scope: 全市 only for the whole city; the strongest and weakest never wrong.


def test_strongest_and_weakest_of_two_chosen_counties_ranked_among_all(demo) -> None:
    lists = strong_and_weak(view_of(demo, (COUNTIES["驿城区"], COUNTIES["泌阳县"])))
    assert lists.best["county"].tolist() == ["泌阳县"] and lists.weakest["county"].tolist() == ["驿城区"]
    assert lists.caption("best") == "所选县区中位列全市前3名的"
    only_weak = strong_and_weak(view_of(demo, (COUNTIES["驿城区"],)))
    assert only_weak.best.empty and only_weak.caption("best") == "所选县区中没有位列全市前3名的。"


def test_strongest_and_weakest_when_ranking_among_few(demo) -> None:
    three = strong_and_weak(view_of(demo, tuple(COUNTIES.values()), within=True))
    assert three.places == 1
    assert three.best["county"].tolist() == ["遂平县"] and three.weakest["county"].tolist() == ["驿城区"]
    assert three.caption("best") == "所选3个县区中的前1名"
    one = strong_and_weak(view_of(demo, (COUNTIES["驿城区"],), within=True))
    assert one.best.empty and one.weakest.empty and one.caption("weakest") == "只有1个县区参与排名，不分强弱。"
    whole = strong_and_weak(view_of(demo))
    assert whole.best["county"].tolist() == ["泌阳县", "遂平县", "汝南县"]
    assert whole.weakest["county"].tolist() == ["驿城区", "正阳县", "确山县"]
    assert set(whole.best["county"]).isdisjoint(whole.weakest["county"])


def test_flags_among_chosen_counties_name_their_pool_and_skip_the_bottom_of_three(demo) -> None:
    view = view_of(demo, tuple(COUNTIES.values()), within=True)
    assert "bottom" not in set(view.flags["flag"])  # the first of three is not "the bottom of the ranking"
    reasons = " ".join(view.flags["reason"])
    assert "全市" not in reasons and "所选3个县区平均" in reasons
    assert view.scope() == view.pool_scope() == "所选3个县区"
    among_all = view_of(demo, tuple(COUNTIES.values()))
    assert among_all.scope() == "所选3个县区" and among_all.pool_scope() == "全市"
    assert "综合排名第10名（共10个县区）" in " ".join(among_all.flags["reason"])
    assert FlagSettings().bottom_pool_needed() == 6


def test_totals_and_sentence_cover_only_the_chosen_counties(demo) -> None:
    view = view_of(demo, (COUNTIES["驿城区"], COUNTIES["泌阳县"]))
    totals = scope_totals(county_measures(demo, *H1), county_measures(demo, *same_period_last_year(*H1)), view)
    sentence = city_summary_sentence(totals, "2020年1–6月", "zh", chosen=2)
    assert sentence.startswith("2020年1–6月，所选2个县区局共检查生产经营单位219家次")
    trend = monthly_trend(monthly_series(demo, *H1), "inspections", None, "zh", view.scope())
    assert title_of(trend) == "所选2个县区逐月检查生产经营单位（家次）"


def test_the_english_change_reads_the_right_way_round(demo) -> None:
    assert change_words(-0.403, 1, "en") == "down 40.3% on last year"
    assert change_words(0.05, 1, "en") == "up 5.0% on last year"
    assert change_words(0.0, 1, "en") == "unchanged on last year"
    view = view_of(demo, lang="en")
    totals = scope_totals(county_measures(demo, *H1), county_measures(demo, *same_period_last_year(*H1)), view)
    sentence = city_summary_sentence(totals, "Jan–Jun 2020", "en")
    assert "inspected 1117 units (down 40.3% on last year)" in sentence
    assert "fined 76.71 (10k yuan) (down 69.30% on last year)" in sentence


def test_the_published_check_compares_places_as_well_as_values(demo) -> None:
    view = view_of(demo)
    published = county_measures(demo, *H1)[["county_code", "county", "inspections", "cases", "fines"]].copy()
    assert published_differences(view.scored, published).empty
    published.loc[published["county"] == "驿城区", "inspections"] = 500  # one wrong figure moves a place
    differences = published_differences(view.scored, published).set_index(["county", "measure"])
    assert differences.loc[("驿城区", "检查生产经营单位（家次）"), "published"] == "500"
    assert differences.loc[("驿城区", "名次"), "records"] == "10"
    assert differences.loc[("驿城区", "名次"), "published"] != "10"


# Exports: the bulletin's number formats, headers in the reader's language, dates without a time.


def test_totals_workbook_writes_counts_whole_and_fines_with_two_decimals(demo) -> None:
    view = view_of(demo)
    totals = scope_totals(county_measures(demo, *H1), county_measures(demo, *same_period_last_year(*H1)), view)
    sheet = load_workbook(io.BytesIO(workbook({"合计": totals_table(totals)}))).active
    rows = {sheet.cell(row, 1).value: sheet.cell(row, 2) for row in range(2, 7)}
    assert rows["检查生产经营单位（家次）"].value == 1117 and rows["检查生产经营单位（家次）"].number_format == "0"
    assert rows["监督检查罚款（万元）"].value == 76.71 and rows["监督检查罚款（万元）"].number_format == "0.00"
    assert [sheet.cell(1, column).value for column in range(1, 5)] == ["指标", "本期", "去年同期", "同比"]


def test_monthly_and_record_tables_have_headers_in_words_and_dates_without_time(demo) -> None:
    monthly = monthly_table(monthly_series(demo, *H1))
    assert list(monthly.columns) == ["单位", "月份", "检查生产经营单位（家次）", "立案数（起）", "监督检查罚款（万元）"]
    assert monthly["月份"].iloc[0] == "2020-01"
    english = monthly_table(monthly_series(demo, *H1), "en")
    assert list(english.columns)[:2] == ["County", "Month"]
    book = load_workbook(io.BytesIO(workbook({"逐月数据": monthly})))
    assert "00:00" not in " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
    from records.queries import case_records

    cases = record_table(case_records(demo, EVERY_COUNTY, COUNTIES["驿城区"], *H1, 50), "cases")
    assert list(cases.columns)[:4] == ["案件编号", "立案日期", "处罚决定日期", "当事单位"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cases["立案日期"].iloc[0])
    assert set(cases["整改记录"]) <= {"是", "否"}
    english = record_table(case_records(demo, EVERY_COUNTY, COUNTIES["驿城区"], *H1, 5), "cases", "en")
    assert list(english.columns)[:2] == [
        "Case no.",
        "Filed",
    ]


def test_trend_picture_gives_each_county_its_colour_and_names_its_period(demo) -> None:
    monthly = monthly_series(demo, *H1)
    counties = ["泌阳县", "遂平县", "汝南县", "驿城区"]
    figure = monthly_trend(monthly, "inspections", counties, "zh")
    colours = {trace["line"]["color"] for trace in figure["data"]}
    assert len(colours) == len(counties)
    titled = with_period(figure, "2020年1–6月")
    assert title_of(titled).startswith("2020年1–6月") and not title_of(figure).startswith("2020")
    picture = Image.open(io.BytesIO(figure_png(titled, 800, 450, 1))).convert("RGB")
    drawn = {colour for _, colour in picture.getcolors(maxcolors=1_000_000)}
    for colour in colours:
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert any(sum(abs(a - b) for a, b in zip(rgb, seen, strict=True)) < 30 for seen in drawn), colour


# The Word bulletin: the standard's fonts first, the installed ones as fallback in the file, — 1 — page numbers.


def test_word_bulletin_names_the_standard_fonts_with_installed_fallbacks_and_numbers_its_pages(demo) -> None:
    content = bulletin_document(draft_bulletin(demo, *H1, scope=EVERY_COUNTY))
    document = Document(io.BytesIO(content))
    title = document.paragraphs[1].runs[0]
    body = document.paragraphs[6].runs[0]
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert title.font.name == "方正小标宋简体" and title._element.rPr.rFonts.get(east_asia) == "方正小标宋简体"
    assert body.font.name == "仿宋_GB2312" and body._element.rPr.rFonts.get(east_asia) == "仿宋_GB2312"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
        footers = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if "footer" in n)
        settings = archive.read("word/settings.xml").decode("utf-8")
    for role in ("title", "body", "heading", "subheading"):
        standard = FONT_CANDIDATES[role][0]
        entry = re.search(rf'<w:font w:name="{standard}">(.*?)</w:font>', fonts)
        assert entry, standard
        alternate = re.search(r'<w:altName w:val="([^"]+)"', entry.group(1))
        assert alternate and alternate.group(1) in FONT_CANDIDATES[role][1:]
        if installed_fonts():
            assert alternate.group(1) in installed_fonts()
    assert footers.count('w:instr="PAGE"') >= 2 and footers.count("— ") >= 2 and footers.count(" —") >= 2
    assert "evenAndOddHeaders" in settings
