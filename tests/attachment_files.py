"""The attachment as a clerk saves it from the printed bulletin: the 附件 line and the title above, the group row
(一/二/三) over the sub-headers, blank rows, and the 得分说明 below; as CSV and as an XLSX with merged cells."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

ATTACHMENT_LINE = "附件：各县区 1-6 月安全生产监管综合执法成效统计表"
TITLE = "各县区1-6月安全生产监管综合执法成效统计表"
GROUP_ROW = ["名次", "单位", "三项执法总得分", "一", "", "", "二", "", "", "三", "", ""]
SUB_HEADER_ROW = [
    "",
    "",
    "",
    "检查生产经营单位(家次)",
    "排名",
    "得分",
    "立案数",
    "排名",
    "得分",
    "监督检查罚款",
    "排名",
    "得分",
]
FOOTNOTE = "得分说明：每一项得分满分10分，按照该项排名顺序依次递减，第一名得10分，第十名得1分"


def data_rows(reference: pd.DataFrame) -> list[list[str]]:
    """The ten counties' rows, in the attachment's column order, as printed (8.01, 9.5, 11)."""
    return reference.astype(str).values.tolist()


def printed_csv(reference: pd.DataFrame) -> bytes:
    """The lines of the bulletin's attachment, tabs turned into commas."""
    lines = [ATTACHMENT_LINE, "", "", "", TITLE, "", ",".join(GROUP_ROW), ",".join(SUB_HEADER_ROW)]
    lines += [",".join(row) for row in data_rows(reference)]
    lines += ["", FOOTNOTE]
    return ("\n".join(lines) + "\n").encode("utf-8")


def printed_xlsx(reference: pd.DataFrame) -> bytes:
    """The same table laid out as the Word attachment is: merged title, group cells and footnote."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = ATTACHMENT_LINE
    sheet["A2"] = TITLE
    sheet.merge_cells("A2:L2")
    for column, text in enumerate(GROUP_ROW, start=1):
        if text:
            sheet.cell(row=4, column=column, value=text)
    for column in ("A", "B", "C"):  # 名次, 单位 and 三项执法总得分 span the two header rows
        sheet.merge_cells(f"{column}4:{column}5")
    for span in ("D4:F4", "G4:I4", "J4:L4"):
        sheet.merge_cells(span)
    for column, text in enumerate(SUB_HEADER_ROW, start=1):
        if text:
            sheet.cell(row=5, column=column, value=text)
    for offset, row in enumerate(data_rows(reference)):
        for column, text in enumerate(row, start=1):
            sheet.cell(row=6 + offset, column=column, value=text if column == 2 else float(text))
    footnote_row = 6 + len(reference) + 1
    sheet.cell(row=footnote_row, column=1, value=FOOTNOTE)
    sheet.merge_cells(start_row=footnote_row, start_column=1, end_row=footnote_row, end_column=12)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_with_footnote(reference: pd.DataFrame) -> bytes:
    """A plain one-row header with the footnote under it: the footnote once read as an 11th county."""
    county_first = reference[["单位", *(column for column in reference.columns if column != "单位")]]
    lines = [",".join(county_first.columns), *(",".join(row) for row in data_rows(county_first)), FOOTNOTE]
    return ("\n".join(lines) + "\n").encode("utf-8")
