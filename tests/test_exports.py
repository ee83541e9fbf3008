"""Downloads keep their format: the attachment layout in XLSX, Chinese CSV for Excel, no formula injection."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pandas as pd
from openpyxl import load_workbook

from records.queries import county_measures, rectification_gaps, same_period_last_year
from report.analysis import county_view, ranking_table
from report.exports import csv_bytes, workbook
from scoring import ScoringRule
from tests.conftest import EVERY_COUNTY

H1 = (dt.date(2020, 1, 1), dt.date(2020, 6, 30))


def demo_view(demo):
    return county_view(
        county_measures(demo, *H1),
        county_measures(demo, *same_period_last_year(*H1)),
        rectification_gaps(demo, EVERY_COUNTY, *H1),
    )


def test_attachment_workbook_looks_like_the_attachment(demo, reference: pd.DataFrame) -> None:
    view = demo_view(demo)
    content = workbook({}, attachment=(view.shown, ScoringRule(), "2020年1–6月各县区统计表", 10, "zh"))
    sheet = load_workbook(io.BytesIO(content)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:I2", "J2:L2"} <= merged
    assert sheet["D2"].value == "一、检查生产经营单位" and sheet["J3"].value == "监督检查罚款（万元）"
    assert sheet["E3"].value == "排名" and sheet["F3"].value == "得分"
    assert [sheet.cell(row, 2).value for row in range(4, 14)] == reference["单位"].tolist()
    assert sheet["C4"].value == 27 and sheet["J4"].value == 11 and sheet["J4"].number_format == "0.00"
    assert sheet["J10"].value == 8.01
    weakest = sheet.cell(13, 2)
    assert weakest.value == "驿城区" and weakest.fill.fgColor.rgb.endswith("FDE2E1")
    assert sheet.cell(4, 2).fill.fgColor.rgb in (None, "00000000")
    assert "第一名得10分，第十名得1分" in sheet.cell(15, 1).value


def test_text_that_looks_like_a_formula_stays_text() -> None:
    shown = pd.DataFrame(
        {
            "overall_rank": [1],
            "county": ['=HYPERLINK("http://x")'],
            "total_points": [3.0],
            "inspections": [1],
            "inspections_rank": [1],
            "inspections_points": [1.0],
            "cases": [1],
            "cases_rank": [1],
            "cases_points": [1.0],
            "fines": [1.0],
            "fines_rank": [1],
            "fines_points": [1.0],
            "flags": ["@SUM(A1)"],
        }
    )
    sheet = load_workbook(io.BytesIO(workbook({}, attachment=(shown, ScoringRule(), "t", 1, "zh")))).active
    assert sheet["B4"].data_type == "s" and sheet["B4"].value == '=HYPERLINK("http://x")'
    assert sheet["M4"].data_type == "s"
    text = csv_bytes(shown[["county", "flags"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text


def test_ranking_csv_opens_in_excel_with_two_decimal_fines(demo) -> None:
    table = ranking_table(demo_view(demo).shown)
    content = csv_bytes(table, float_format="%.2f")
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("名次,单位,三项执法总得分,检查生产经营单位（家次）")
    assert lines[1].startswith("1,泌阳县,27,160,1,10,8,3,8,11.00,2,9")


def test_the_picture_browsers_goodbye_leaves_no_traceback_in_the_log(caplog) -> None:
    """Kaleido's browser driver writes ``{bye}`` when its Chromium exits; read together with another message it
    used to put a traceback in the dashboard's log. A message that really cannot be read is still logged."""
    import os

    from choreographer.channels.pipe import Pipe

    import report.exports  # noqa: F401  (installs the log filter, as drawing a picture does)

    def logged_after(written: bytes) -> list[str]:
        pipe = Pipe()
        pipe.open()
        os.write(pipe.from_external_to_choreo, written)
        caplog.clear()
        pipe.read_jsons(blocking=False)
        pipe.close()
        return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]

    assert logged_after(b'{bye}\n{"id": 1, "result": {}}\0') == []
    assert logged_after(b'{"id": 1, "result": {}}\0{bye}\n{"id": 2}\0') == []
    assert logged_after(b"{broken\0") == ["JSONError decoding message. Ignoring"]
