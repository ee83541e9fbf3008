"""Downloads that keep their format: CSV that Excel opens in Chinese, and XLSX laid out like the attachment.

Numbers are written as the bulletin writes them (counts whole, 万元 and yuan with two decimals), dates without a
time, and text that begins with = + - @, a tab or a carriage return (unit names come from uploaded files) is
never written as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
from collections.abc import Sequence

import logistro
import pandas as pd
import plotly.graph_objects as go
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from report import safe
from report.analysis import rule_footnote
from report.charts import Chart
from report.safe import FORMULA_STARTS
from report.schemes import SchemeNote
from report.text import measure_heading, measure_short, text, total_heading
from scoring import CATALOGUE, ScoringRule
from scoring.rule import chinese_numeral

__all__ = ["FORMULA_STARTS", "csv_bytes", "figure_png", "neutralise", "workbook"]
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FLAG_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FILL = PatternFill("solid", fgColor="EAF0F7")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def neutralise(value: object) -> object:
    """A text value that a spreadsheet would run as a formula gets a leading apostrophe (for CSV)."""
    return safe.cell(value)


def csv_bytes(frame: pd.DataFrame, float_format: str | None = None, notes: Sequence[str] = ()) -> bytes:
    """UTF-8 with BOM, so Excel opens the Chinese correctly; ``float_format`` as "%.2f" writes 万元 as the bulletin.

    ``notes`` go under the table after a blank line, one a line, as the attachment's 得分说明 goes under it (the
    scheme and version that produced the figures): the import reads such lines as notes, never as counties.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    content = safe.to_csv(index=False, float_format=float_format)
    if notes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=os.linesep).writerows([[]] + [[neutralise(note)] for note in notes])
        content += buffer.getvalue()
    return content.encode("utf-8-sig")


def _set(cell: Cell, value: object, number_format: str | None = None) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        cell.value = None
        return
    cell.value = value.item() if hasattr(value, "item") else value  # type: ignore[union-attr]
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if number_format:
        cell.number_format = number_format


def write_attachment_sheet(
    sheet,
    shown: pd.DataFrame,
    rule: ScoringRule,
    title: str,
    footnote_counties: int,
    lang: str,
    scheme_label: str | None = None,
) -> None:  # type: ignore[no-untyped-def]
    measures = rule.measures
    width = 3 + 3 * len(measures) + 1
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    _set(sheet.cell(1, 1), title)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = CENTRE
    sheet.row_dimensions[1].height = 30

    fixed = [text("overall_rank", lang), text("county", lang), total_heading(rule, lang)]
    for column, label in enumerate(fixed, start=1):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
        _set(sheet.cell(2, column), label)
    for index, measure in enumerate(measures):
        first = 4 + 3 * index
        sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=first + 2)
        group = f"{chinese_numeral(index + 1)}、{measure.label}" if lang == "zh" else measure_short(measure, lang)
        _set(sheet.cell(2, first), group)
        _set(
            sheet.cell(3, first),
            f"{measure.label}（{measure.unit}）" if lang == "zh" else measure_heading(measure, lang),
        )
        _set(sheet.cell(3, first + 1), text("rank", lang))
        _set(sheet.cell(3, first + 2), text("points", lang))
    sheet.merge_cells(start_row=2, start_column=width, end_row=3, end_column=width)
    _set(sheet.cell(2, width), text("flag_column", lang))
    for row in (2, 3):
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), CENTRE, BORDER, HEADER_FILL

    for offset, (_, county) in enumerate(shown.iterrows()):
        row = 4 + offset
        _set(sheet.cell(row, 1), county["overall_rank"], "0")
        _set(sheet.cell(row, 2), county["county"])
        _set(sheet.cell(row, 3), county["total_points"], _points_format(county["total_points"]))
        for index, measure in enumerate(measures):
            first = 4 + 3 * index
            decimals = CATALOGUE[measure.column].decimals
            _set(sheet.cell(row, first), county[measure.column], "0." + "0" * decimals if decimals else "0")
            _set(sheet.cell(row, first + 1), county[f"{measure.column}_rank"], "0")
            points = county[f"{measure.column}_points"]
            _set(sheet.cell(row, first + 2), points, _points_format(points))
        _set(sheet.cell(row, width), county.get("flags", ""))
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.border, cell.alignment = BORDER, CENTRE
            if county.get("flags", ""):
                cell.fill = FLAG_FILL

    note_row = 4 + len(shown) + 1
    notes = [rule_footnote(rule, footnote_counties, lang)]
    if scheme_label:
        notes.append(text("scheme_line", lang, scheme=scheme_label))
    for offset, note in enumerate(notes):
        sheet.merge_cells(start_row=note_row + offset, start_column=1, end_row=note_row + offset, end_column=width)
        _set(sheet.cell(note_row + offset, 1), note)
        sheet.cell(note_row + offset, 1).alignment = Alignment(wrap_text=True)
    widths = [6, 10, 10] + [14, 6, 6] * len(measures) + [28]
    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    sheet.freeze_panes = "C4"


def _points_format(value: object) -> str:
    """Whole points without decimals, weighted or 百分制 points with their two."""
    try:
        whole = float(value).is_integer()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        whole = True
    return "0" if whole else "0.00"


def _not_the_browsers_goodbye(record: logging.LogRecord) -> bool:
    """Kaleido's browser driver ends its pipe with ``{bye}``; when that is read together with another message it
    is decoded as JSON and logged with a traceback, though nothing went wrong. Any other unreadable message still
    is logged."""
    cause = record.exc_info[1].__cause__ if record.exc_info and record.exc_info[1] else None
    return not str(getattr(cause, "doc", "")).startswith("{bye}")


# Through logistro, so that the driver's logger gets the class whose methods the driver calls.
logistro.getLogger("choreographer.channels.pipe").addFilter(_not_the_browsers_goodbye)


def figure_png(chart: Chart, width: int = 1600, height: int = 900, scale: float = 2) -> bytes:
    """A chart (``report.charts``) as a PNG that prints well (3200×1800 by default), drawn by Kaleido in the local
    Chromium. Drawn with Plotly's plain white template: Streamlit's own template leaves colours for the browser to
    fill in.
    """
    picture = go.Figure(chart)
    picture.update_layout(template="plotly_white")
    return picture.to_image(format="png", width=width, height=height, scale=scale)


def _safe_cell(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if hasattr(value, "item"):
        return value.item()  # type: ignore[union-attr]
    return value


MONEY_MARKS = ("万元", "（元）", "(元)", "10k yuan", "(yuan)")
MEASURE_HEADERS = (text("measure_column", "zh"), text("measure_column", "en"))


def _is_money(label: str) -> bool:
    return any(mark in label for mark in MONEY_MARKS)


def _number_format(value: object, header: str, row_label: str) -> str | None:
    """How a cell's number is shown: money with two decimals (by its column or its row's measure), whole
    numbers without decimals, other numbers (rates, half points) with one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    if not isinstance(value, int | float):
        return None
    if _is_money(header) or _is_money(row_label):
        return "0.00"
    return "0" if float(value).is_integer() else "0.0"


def _write_table(sheet, frame: pd.DataFrame, flag_column: str | None, styled: bool) -> None:  # type: ignore[no-untyped-def]
    for column, header in enumerate(frame.columns, start=1):
        cell_ = sheet.cell(1, column)
        _set(cell_, str(header))
        if styled:
            cell_.font, cell_.alignment, cell_.border, cell_.fill = Font(bold=True), CENTRE, BORDER, HEADER_FILL
    headers = [str(header) for header in frame.columns]
    flag_index = headers.index(flag_column) if flag_column in headers else None
    # A long table of measures (指标, 本期, 去年同期) says in each row which measure, and so which unit, it holds.
    label_index = next((i for i, header in enumerate(headers) if header in MEASURE_HEADERS), None)
    for row, values in enumerate(frame.itertuples(index=False), start=2):
        flagged = styled and flag_index is not None and bool(values[flag_index])
        row_label = str(values[label_index]) if label_index is not None else ""
        for column, (header, value) in enumerate(zip(headers, values, strict=True), start=1):
            cell_ = sheet.cell(row, column)
            plain = _safe_cell(value)
            number_format = _number_format(plain, header, row_label)
            _set(cell_, plain, number_format if styled or isinstance(plain, dt.date) else None)
            if styled:
                cell_.border = BORDER
                if flagged:
                    cell_.fill = FLAG_FILL
    if styled:
        for column, header in enumerate(frame.columns, start=1):
            longest = max([len(str(header))] + [len(str(v)) for v in frame[header].head(200)])
            sheet.column_dimensions[get_column_letter(column)].width = min(max(8, longest * 1.6), 60)
        sheet.freeze_panes = "A2"


def workbook(
    sheets: dict[str, pd.DataFrame],
    styled: bool = True,
    flag_column: str | None = None,
    attachment: tuple[pd.DataFrame, ScoringRule, str, int, str] | None = None,
    scheme: SchemeNote | None = None,
) -> bytes:
    """One workbook for a whole view, one sheet per table.

    ``styled`` gives bold headers, number formats and shaded flagged rows (by ``flag_column``); without it the
    values are raw for analysts. ``attachment`` (shown, rule, title, counties ranked, language) adds a first sheet
    laid out like the bulletin's attachment, named 附件表 so it never shares a name with a table's sheet.
    ``scheme`` names the scheme and version that produced the figures: under the attachment and on a last sheet
    of its own.
    """
    book = Workbook()
    first = book.active
    if attachment is not None and styled:
        shown, rule, title, counties, lang = attachment
        first.title = text("attachment_sheet", lang)
        write_attachment_sheet(first, shown, rule, title, counties, lang, scheme.label if scheme else None)
    else:
        book.remove(first)
    for name, frame in sheets.items():
        sheet = book.create_sheet(_sheet_name(name, book.sheetnames))
        _write_table(sheet, frame, flag_column, styled)
    if scheme is not None:
        sheet = book.create_sheet(_sheet_name(scheme.sheet_name, book.sheetnames))
        for row, line in enumerate(scheme.lines(), start=1):
            _set(sheet.cell(row, 1), line)
        sheet.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str, taken: list[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), distinct from the sheets already made."""
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "Sheet"
    candidate, number = cleaned, 2
    while candidate in taken:
        candidate, number = f"{cleaned}（{number}）", number + 1
    return candidate
