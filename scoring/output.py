"""A scored table written out: as a text table, CSV or JSON, with numbers as the bulletin writes them.

>>> format_fines(76.71), format_count(1117.0), format_points(9.0), format_change(-0.403)
('76.71', '1117', '9', '同比减少40.3%')
"""

from __future__ import annotations

import io
import json

import pandas as pd

from scoring.catalogue import CATALOGUE, format_measure
from scoring.ranking import OVERALL_RANK, TOTAL_POINTS, points_column, rank_column
from scoring.rule import ScoringRule


def format_count(value: object) -> str:
    return "" if _missing(value) else f"{float(value):.0f}"  # type: ignore[arg-type]


def format_fines(value: object) -> str:
    return "" if _missing(value) else f"{float(value):.2f}"  # type: ignore[arg-type]


def format_points(value: object) -> str:
    """Points as a bulletin prints them: 9, 7.5, 8.25 (kept to two decimals, no trailing zeros)."""
    if _missing(value):
        return ""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]


def format_change(ratio: object, decimals: int = 1) -> str:
    """A change against last year as the bulletin writes it; ``ratio`` is (this − last) / last."""
    if _missing(ratio):
        return "无同期数据"
    percent = abs(float(ratio)) * 100  # type: ignore[arg-type]
    if round(percent, decimals) == 0:
        return "与去年同期持平"
    word = "增加" if float(ratio) > 0 else "减少"  # type: ignore[arg-type]
    return f"同比{word}{percent:.{decimals}f}%"


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def _cell(column: str, value: object, rule: ScoringRule) -> str:
    if column == "county":
        return str(value)
    if column in {m.column for m in rule.measures}:
        return format_measure(column, value)
    if column.endswith("_points") or column == TOTAL_POINTS:
        return format_points(value)
    return format_count(value)


def output_columns(rule: ScoringRule) -> list[str]:
    columns = [OVERALL_RANK, "county", TOTAL_POINTS]
    for measure in rule.measures:
        columns += [measure.column, rank_column(measure.column), points_column(measure.column)]
    return columns


def formatted_rows(scored: pd.DataFrame, rule: ScoringRule) -> list[dict[str, str]]:
    columns = output_columns(rule)
    return [{c: _cell(c, row[c], rule) for c in columns} for _, row in scored.iterrows()]


def ranking_csv(scored: pd.DataFrame, rule: ScoringRule | None = None) -> str:
    rule = rule or ScoringRule()
    frame = pd.DataFrame(formatted_rows(scored, rule), columns=output_columns(rule))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def ranking_json(scored: pd.DataFrame, rule: ScoringRule | None = None) -> str:
    rule = rule or ScoringRule()
    rows = []
    for _, row in scored.iterrows():
        item: dict[str, object] = {}
        for column in output_columns(rule):
            value = row[column]
            if column == "county":
                item[column] = str(value)
            elif _missing(value):
                item[column] = None
            elif column.endswith("_rank"):
                item[column] = int(value)
            else:
                number = float(value)
                whole = number.is_integer() and (column not in CATALOGUE or CATALOGUE[column].decimals == 0)
                item[column] = int(number) if whole else round(number, 6)
        rows.append(item)
    return json.dumps(rows, ensure_ascii=False, indent=2)


def ranking_text(scored: pd.DataFrame, rule: ScoringRule | None = None) -> str:
    """An aligned table like the attachment, for a terminal."""
    rule = rule or ScoringRule()
    headers = ["名次", "单位", "总得分"]
    for measure in rule.measures:
        headers += [f"{measure.label}({measure.unit})", "排名", "得分"]
    body = [list(row.values()) for row in formatted_rows(scored, rule)]
    widths = [max(_width(h), *(_width(r[i]) for r in body)) if body else _width(h) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)) for line in [headers, *body]]
    return "\n".join(lines) + "\n" + rule.describe(counties=max(len(scored), 1)) + "\n"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
