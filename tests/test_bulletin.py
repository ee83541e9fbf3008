"""The drafted bulletin read back with python-docx, against the reference bulletin's own sentences."""

from __future__ import annotations

import io
import re
from pathlib import Path
from subprocess import CompletedProcess

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from bulletin import bulletin_chart, draft_bulletin
from bulletin.document import FONT_CANDIDATES
from records.queries import county_measures
from report.analysis import county_view, ranking_table
from report.charts import inspections_fines_scatter
from report.exports import figure_png, workbook
from scoring import ScoringRule
from tests.conftest import EVERY_COUNTY, ROOT, run_module

REFERENCE_TEXT = ROOT.parent / "shared" / "reference" / "zhumadian-2020-h1-bulletin.txt"


@pytest.fixture(scope="module")
def h1_docx(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Document:
    out = tmp_path_factory.mktemp("bulletin") / "h1.docx"
    result = bulletin_command(built_demo, "2020-01-01", "2020-06-30", out)
    assert result.returncode == 0, result.stderr
    assert "[100%]" in result.stderr
    return Document(str(out))


def bulletin_command(database: Path, start: str, end: str, out: Path, *extra: str) -> CompletedProcess[str]:
    """``python -m records bulletin`` as a clerk runs it."""
    return run_module(
        "records", "bulletin", "--db", str(database), "--start", start, "--end", end, "--out", str(out), *extra
    )


def full_text(document: Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def reference_figures() -> list[str]:
    if not REFERENCE_TEXT.exists():
        pytest.skip("the shared reference bulletin is not beside this checkout")
    text = REFERENCE_TEXT.read_text(encoding="utf-8")
    found = re.findall(
        r"(检查生产经营单位\d+家次（同比减少[\d.]+%）|出动行政执法人员\d+人次（同比减少[\d.]+%）|"
        r"使用执法文书\d+份（同比减少[\d.]+%）|立案\d+起（同比减少[\d.]+%）|处罚款[\d.]+万元（同比减少[\d.]+%）)",
        text,
    )
    assert len(found) == 5
    return found


def test_opening_figures_read_as_the_reference(h1_docx: Document) -> None:
    text = full_text(h1_docx)
    for sentence in reference_figures():
        assert sentence in text, sentence
    assert "共检查生产经营单位1117家次（同比减少40.3%）" in text


def test_strongest_and_weakest_are_the_reference_counties(h1_docx: Document) -> None:
    text = full_text(h1_docx)
    assert "执法力度大、成效突出的是泌阳县、遂平县、汝南县；力度较小、成效较差的是驿城区、正阳县、确山县" in text
    if REFERENCE_TEXT.exists():
        reference = REFERENCE_TEXT.read_text(encoding="utf-8")
        assert (
            "执法力度大、成效突出的是泌阳县、遂平县、汝南县；力度较小、成效较差的是驿城区、正阳县、确山县" in reference
        )


def test_structure_problems_and_clerk_parts(h1_docx: Document) -> None:
    paragraphs = [p.text for p in h1_docx.paragraphs]
    assert paragraphs[0] == "驻马店市应急管理局"
    assert paragraphs[1] == "2020年1–6月全市应急管理系统安全生产行政执法情况通报"
    assert "示例数据" in paragraphs[2]  # the demo database says so in the draft itself
    assert paragraphs[3] == "各县区应急管理（安全监管）局："
    headings = [p for p in paragraphs if re.match(r"^[一二三]、", p)]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、"]
    problems = [p for p in paragraphs if p.startswith("（")]
    assert any("只检查不执法" in p and "确山县检查120家次仅立案2起" in p for p in problems)
    assert any("无整改记录" in p and "正阳县2起案件" in p for p in problems)
    highlighted = [run for p in h1_docx.paragraphs for run in p.runs if run.font.highlight_color is not None]
    assert highlighted and all("待起草" in run.text for run in highlighted)
    assert "附件：各县区2020年1–6月安全生产监管综合执法成效统计表" in paragraphs


def test_attachment_table_carries_the_attachment_values(h1_docx: Document, reference: pd.DataFrame) -> None:
    table = h1_docx.tables[0]
    # The group header (一、 and the measure's label) spans its three cells.
    assert table.cell(0, 3).text == "一、检查生产经营单位" and table.cell(0, 5).text == "一、检查生产经营单位"
    assert table.cell(0, 9).text == "三、监督检查罚款"
    assert table.cell(0, 0).text == "名次" and table.cell(1, 0).text == "名次"  # merged down two rows
    assert table.cell(1, 3).text == "检查生产经营单位（家次）"
    body = [[cell.text for cell in row.cells] for row in table.rows[2:]]
    assert [row[1] for row in body] == reference["单位"].tolist()
    assert [float(row[2]) for row in body] == reference["三项执法总得分"].astype(float).tolist()
    assert [row[9] for row in body] == [f"{v:.2f}" for v in reference["监督检查罚款(万元)"]]
    assert [int(row[0]) for row in body] == reference["名次"].tolist()
    assert "得分说明：每一项得分满分10分" in full_text(h1_docx)
    assert "评分方案：驻马店市安全生产执法考核（通报附件规则）（第1版）" in full_text(h1_docx)
    assert len(h1_docx.inline_shapes) == 1


def test_page_layout_follows_the_official_standard(h1_docx: Document) -> None:
    first = h1_docx.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert round(first.top_margin.mm) == 37 and round(first.left_margin.mm) == 28
    title = h1_docx.paragraphs[1].runs[0]
    assert title.font.size.pt == 22
    assert title.font.name in FONT_CANDIDATES["title"]
    body = h1_docx.paragraphs[6].runs[0]
    assert body.font.size.pt == 16 and body.font.name in FONT_CANDIDATES["body"]
    assert h1_docx.sections[1].page_width > h1_docx.sections[1].page_height  # the attachment is landscape
    assert round(h1_docx.sections[1].page_width.mm) == 297


def test_a_different_period_gives_different_figures(built_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "q1.docx"
    result = bulletin_command(built_demo, "2020-01-01", "2020-03-31", out)
    assert result.returncode == 0, result.stderr
    text = full_text(Document(str(out)))
    assert "2020年1–3月" in text and "1117家次" not in text
    measured = re.search(r"共检查生产经营单位(\d+)家次", text)
    assert measured is not None and 0 < int(measured.group(1)) < 1117


def test_chosen_counties_are_covered_but_ranked_among_all(built_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "two.docx"
    result = bulletin_command(built_demo, "2020-01-01", "2020-06-30", out, "--counties", "驿城区,411726")
    assert result.returncode == 0, result.stderr
    document = Document(str(out))
    assert "所选2个县区局共检查生产经营单位219家次" in full_text(document)
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows[2:]]
    assert [(row[0], row[1]) for row in rows] == [("1", "泌阳县"), ("10", "驿城区")]


def test_bulletin_command_rejects_bad_input(built_demo: Path, tmp_path: Path) -> None:
    wrong = bulletin_command(built_demo, "2020-01-01", "2020-06-30", tmp_path / "x.docx", "--counties", "火星县")
    assert wrong.returncode == 1 and "未知县区：火星县" in wrong.stderr
    backwards = bulletin_command(built_demo, "2020-06-30", "2020-01-01", tmp_path / "x.docx")
    assert backwards.returncode == 1 and "开始日期晚于结束日期" in backwards.stderr


def test_an_empty_period_still_drafts_a_sentence(demo) -> None:
    import datetime as dt

    draft = draft_bulletin(demo, dt.date(2030, 1, 1), dt.date(2030, 6, 30), scope=EVERY_COUNTY)
    assert "2030年1–6月没有任何执法记录或汇总数据。" in draft.text()
    assert bulletin_chart(draft) is None


def test_chart_png_prints_well_and_is_not_blank(demo) -> None:
    import datetime as dt

    view = county_view(county_measures(demo, dt.date(2020, 1, 1), dt.date(2020, 6, 30)), None, None)
    picture = Image.open(io.BytesIO(figure_png(inspections_fines_scatter(view.shown, view.scored))))
    assert picture.size == (3200, 1800)
    colours = picture.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50
    reds = sum(count for count, (r, g, b) in colours if r > 180 and r - g > 70 and r - b > 70)
    assert reds > 1000  # the flagged counties' bubbles are drawn


def test_view_workbooks_formatted_and_raw(demo) -> None:
    import datetime as dt

    view = county_view(county_measures(demo, dt.date(2020, 1, 1), dt.date(2020, 6, 30)), None, None)
    table = ranking_table(view.shown)
    sheets = {"综合排名": table, "第二张表": table.head(2)}
    formatted = load_workbook(io.BytesIO(workbook(sheets, True, "预警", (view.shown, ScoringRule(), "标题", 10, "zh"))))
    assert formatted.sheetnames == ["附件表", "综合排名", "第二张表"]  # never a "综合排名2"
    data_sheet = formatted["综合排名"]
    assert data_sheet["A1"].font.bold and data_sheet["J2"].number_format == "0.00"
    flagged_rows = [row for row in range(2, 12) if data_sheet.cell(row, 13).value]
    assert flagged_rows and all(data_sheet.cell(row, 2).fill.fgColor.rgb.endswith("FDE2E1") for row in flagged_rows)
    raw = load_workbook(io.BytesIO(workbook(sheets, False)))
    assert raw.sheetnames == ["综合排名", "第二张表"]
    assert raw["综合排名"]["B2"].value == "泌阳县" and raw["综合排名"]["J2"].value == 11
    assert not raw["综合排名"]["A1"].font.bold
