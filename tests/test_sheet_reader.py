"""The sheet reader's two ways agree: the numpy scan of the usual sheet gives every cell the text that
python-calamine's whole-sheet read gives it, and a sheet the scan does not read is still read, by python-calamine.

The readers are called as the worker process calls them, and their output is turned into the table a clerk sees by
the same code the import uses (``scoring.tables``), so a difference anywhere shows as a different cell.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib.util
import io
import json
from typing import Any

import openpyxl
import pandas as pd
import pytest
import python_calamine
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from scoring import tables
from tests.attachment_files import printed_xlsx
from tests.conftest import REFERENCE_TABLE, ROOT
from tests.test_limits import PACKAGE_RELATIONS, zipped_workbook

_spec = importlib.util.spec_from_file_location("sheet_worker", ROOT / "scoring" / "_sheet_worker.py")
assert _spec is not None and _spec.loader is not None
worker: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
LIMITS = {**dataclasses.asdict(tables.LIMITS), "header_rows": tables.HEADER_AREA_ROWS}

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_RELATIONS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    f'relationships"><Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{RELATIONS}/styles" Target="styles.xml"/></Relationships>'
)
# Styles 1–5: a date, a custom 年月日 date, three decimals, a time, a duration ([h]:mm:ss).
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {MAIN}><numFmts count="2"><numFmt numFmtId="176" '
    'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="0.000"/>'
    '</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/>'
    '</borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="6"><xf/><xf numFmtId="14"/>'
    '<xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="20"/><xf numFmtId="46"/></cellXfs></styleSheet>'
)
# Plain text, and every kind the scan leaves to python-calamine: spaces at the ends, kept spaces, escapes, Excel's
# _x000D_, rich text, phonetic runs, an empty <t/>.
SHARED = [
    "plain",
    "<t>with space </t>",
    "<t> lead</t>",
    '<t xml:space="preserve"> kept </t>',
    "<t>a&amp;b</t>",
    "<t>x_x000D_y</t>",
    "<r><rPr><b/></rPr><t>rich</t></r><r><t> two</t></r>",
    '<t>base</t><rPh sb="0" eb="1"><t>ふり</t></rPh>',
    "<t/>",
    "驿城区",
    "2000.0",
    "line\nbreak",
    "<t>&#20013;文</t>",
    "nan",
    "1e+5",  # read as 100000 in a column of numbers (D), kept in a column of text (P)
]


def workbook(sheet_data: str, date1904: bool = False, tail: str = "") -> bytes:
    """An XLSX written part by part, with shared strings and the styles above."""
    properties = '<workbookPr date1904="1"/>' if date1904 else ""
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {MAIN} xmlns:r="{RELATIONS}">{properties}<sheets>'
        '<sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    strings = "".join(f"<si>{s}</si>" if s.startswith("<") else f"<si><t>{s}</t></si>" for s in SHARED)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {MAIN}><sheetData>{sheet_data}</sheetData>{tail}</worksheet>'
    )
    return zipped_workbook(
        {
            "_rels/.rels": PACKAGE_RELATIONS,
            "xl/workbook.xml": book,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELATIONS,
            "xl/styles.xml": STYLES,
            "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst {MAIN}>{strings}</sst>',
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


EVERY_KIND = (
    '<row r="2">' + "".join(f'<c r="{chr(66 + n)}2" t="s"><v>{n}</v></c>' for n in range(len(SHARED))) + "</row>"
    '<row r="3" spans="2:9"><c r="B3" s="1"><v>43861</v></c><c r="C3" s="2"><v>43861.5</v></c>'
    '<c r="D3" s="3"><v>1.23456</v></c><c r="E3" s="4"><v>0.5</v></c><c r="F3" s="5"><v>1.25</v></c>'
    '<c r="G3" t="b"><v>1</v></c><c r="H3" t="b"><v>0</v></c><c r="I3" t="e"><v>#DIV/0!</v></c></row>'
    '<row r="4"><c r="B4" t="str"><f>B2&amp;"x"</f><v>plain&amp;x</v></c><c r="C4"><f>1+1</f><v>2</v></c>'
    '<c r="D4" t="n"><v>1E-3</v></c><c r="E4" s="1"/><c r="F4" t="d"><v>2020-01-31T00:00:00</v></c>'
    '<c r="G4" s="0" t="s"><v>9</v></c><c r="H4"><f t="shared" ref="H4:H5" si="0">B3</f><v>7</v></c>'
    '<c r="I4" t="inlineStr"><is><t>inl&amp;ine</t></is></c><c r="J4"><f>1/0</f><v></v></c></row>'
    '<row r="6"><c r="C6"><v>0.30000000000000004</v></c><c r="D6"><v>9999999999.9899998</v></c>'
    '<c r="E6"><v>-0</v></c><c r="F6"><v>123456789012345678</v></c><c r="G6"><v>1.5E-10</v></c>'
    '<c r="H6" s="1"><v>45000</v></c><c r="I6" s="1"><v>45000</v></c><c r="J6"><v>2000</v></c></row>'
    '<row r="7"><c r="D7" t="s"><v>14</v></c></row><row r="9"><c r="D9" t="s"><v>13</v></c></row>'
)


def openpyxl_workbook() -> bytes:
    """Values as openpyxl (and so pandas) writes them: inline strings, numbers, dates, a rich text, an error."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B2"] = "标题 & <附件>"
    sheet.merge_cells("B2:F2")
    values = [0.1 + 0.2, 2000.0, 1e20, 1e-7, 9999999999.99, True, dt.date(2020, 1, 31), dt.datetime(2020, 2, 1, 8)]
    values += [dt.time(8, 30), "  空格 ", "=1/0", "0123", "1.50", "TRUE", "a\nb", "_x000D_", "😀", 'quote "q"']
    for row, value in enumerate(values, start=3):
        sheet.cell(row=row, column=3, value=value)
    sheet["C5"].number_format = "0.00%"
    sheet["D4"] = CellRichText([TextBlock(InlineFont(b=True), "粗"), "体"])
    sheet["D5"] = "#N/A"
    sheet["D5"].data_type = "e"
    sheet["B30"] = "注：底部"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_table(head: dict[str, Any], body: bytes) -> pd.DataFrame | dict[str, Any]:
    if "refused" in head:
        return head
    merged = [[int(number) for number in quad] for quad in head["merged"]]
    frame = tables._sheet_frame(memoryview(body), head, "表.xlsx", tables.LIMITS)
    return tables._fill_merged_header_cells(frame, merged)


def read_whole(content: bytes) -> pd.DataFrame | dict[str, Any]:
    """python-calamine reads the whole sheet and the rows are written as CSV."""
    written = io.StringIO()
    with contextlib.redirect_stdout(written):
        worker._read_rows(python_calamine, content, LIMITS)
    output = written.getvalue().encode()
    line = output.find(b"\n")
    return as_table(json.loads(output[:line]), output[line + 1 :])


def read_scanned(content: bytes) -> pd.DataFrame | dict[str, Any] | None:
    said = worker._read_columns(content, LIMITS, python_calamine)
    return None if said is None else as_table(said[0], b"".join(said[1]))


@pytest.mark.parametrize(
    "content",
    [
        workbook(
            EVERY_KIND, tail='<mergeCells count="2"><mergeCell ref="B2:D2"/><mergeCell ref="E3:E4"/></mergeCells>'
        ),
        workbook(EVERY_KIND, date1904=True),
        workbook('<row r="5"><c r="C5"><v>1</v></c><c r="E5" t="s"><v>0</v></c></row>'),
        workbook(""),
        openpyxl_workbook(),
        printed_xlsx(pd.read_csv(REFERENCE_TABLE)),
    ],
    ids=["every-kind", "dates-of-1904", "blank-rows-and-columns-first", "empty", "openpyxl", "printed-attachment"],
)
def test_the_scan_reads_every_cell_as_python_calamine_does(content: bytes) -> None:
    scanned, whole = read_scanned(content), read_whole(content)
    assert isinstance(scanned, pd.DataFrame) and isinstance(whole, pd.DataFrame)
    assert scanned.shape == whole.shape
    assert scanned.astype(object).values.tolist() == whole.astype(object).values.tolist()


def test_the_scan_keeps_what_excel_escapes() -> None:
    scanned = read_scanned(workbook(EVERY_KIND))
    assert isinstance(scanned, pd.DataFrame)
    assert scanned.iloc[1, 1:9].tolist() == ["plain", "with space", "lead", " kept ", "a&b", "x\ry", "richtwo", "base"]
    assert scanned.iloc[2, 1:9].tolist() == [
        "2020-01-31",
        "2020-01-31 12:00:00",
        "1.23456",
        "12:00:00",
        "1 day, 6:00:00",
        "TRUE",
        "FALSE",
        "",  # python-calamine reads an error as empty
    ]
    assert scanned.iloc[1, 10:15].tolist() == ["驿城区", "2000", "line\nbreak", "中文", ""]
    assert scanned.iloc[5, 2:7].tolist() == ["0.3", "9999999999.99", "-0", "1.23456789012346e+17", "1.5e-10"]
    assert (scanned.iloc[6, 3], scanned.iloc[1, 15]) == ("100000", "1e+5")


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<row r="1"><c><v>1</v></c></row>',  # no reference: placed one after another
        '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>',  # out of order
        '<row r="1"><c r="A1" cm="1"><v>1</v></c></row>',  # an attribute the scan does not know
        '<row r="1"><c t="n" r="A1"><v>1</v></c></row>',  # attributes in an order no writer seen uses
        '<row r="1"><c r="A1" t="str"><v></v></c></row>',  # an empty text python-calamine keeps
        '<row r="1"><c r="A1" t="s"><v>99</v></c></row>',  # a shared string that does not exist
    ],
)
def test_what_the_scan_does_not_read_is_left_to_python_calamine(sheet_data: str) -> None:
    content = workbook(sheet_data)
    assert read_scanned(content) is None
    try:
        expected: object = read_whole(content)
    except Exception:  # noqa: BLE001 - python-calamine refuses it: the import says the file is damaged
        expected = None
    if isinstance(expected, pd.DataFrame):
        assert tables.read_raw_table(content, "表.xlsx").astype(object).values.tolist() == (
            expected.astype(object).values.tolist()
        )
    else:
        with pytest.raises(tables.TableReadError):
            tables.read_raw_table(content, "表.xlsx")
