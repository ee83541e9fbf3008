"""County summary tables: the attachment's columns, their Chinese and English headers, and published figures.

>>> summary_field("检查生产经营单位（家次）"), summary_field("立案（起）"), summary_field("Fines")
('inspections', 'cases', 'fines')
"""

from __future__ import annotations

import pandas as pd

from scoring.ranking import OVERALL_RANK, TOTAL_POINTS, points_column, rank_column
from scoring.rule import ScoringRule
from scoring.tables import TableReadError, data_rows, is_total_label, locate_header, normalise_header, read_raw_table

SUMMARY_HEADERS: dict[str, tuple[str, ...]] = {
    "county": ("county", "单位", "县区", "县(市、区)", "县(市区)", "县区名称", "单位名称", "区划代码", "county_code"),
    "inspections": ("inspections", "检查生产经营单位(家次)", "检查生产经营单位", "检查家次", "检查数", "检查企业数"),
    "cases": ("cases", "立案数", "立案(起)", "立案", "立案数(起)"),
    "fines": ("fines", "监督检查罚款(万元)", "监督检查罚款", "罚款(万元)", "罚款", "罚款金额(万元)"),
    "inspector_turnouts": ("inspector_turnouts", "出动行政执法人员(人次)", "出动执法人员(人次)", "出动执法人员"),
    "documents": ("documents", "使用执法文书(份)", "执法文书(份)", "执法文书", "使用执法文书"),
    "start": ("start", "开始日期", "起始日期", "start_date"),
    "end": ("end", "结束日期", "截止日期", "end_date"),
    OVERALL_RANK: (OVERALL_RANK, "名次", "总名次"),
    TOTAL_POINTS: (TOTAL_POINTS, "三项执法总得分", "总得分"),
    "inspections_rank": ("inspections_rank", "检查排名"),
    "inspections_points": ("inspections_points", "检查得分"),
    "cases_rank": ("cases_rank", "立案排名"),
    "cases_points": ("cases_points", "立案得分"),
    "fines_rank": ("fines_rank", "罚款排名"),
    "fines_points": ("fines_points", "罚款得分"),
}

_LOOKUP = {normalise_header(alias): name for name, aliases in SUMMARY_HEADERS.items() for alias in aliases}
_BARE_RANK = {normalise_header(h) for h in ("排名", "rank")}
_BARE_POINTS = {normalise_header(h) for h in ("得分", "points")}

PUBLISHED_COLUMNS = (OVERALL_RANK, TOTAL_POINTS) + tuple(
    column for measure in ("inspections", "cases", "fines") for column in (rank_column(measure), points_column(measure))
)

COLUMN_LABELS = {
    OVERALL_RANK: "名次",
    TOTAL_POINTS: "三项执法总得分",
    "inspections_rank": "检查排名",
    "inspections_points": "检查得分",
    "cases_rank": "立案排名",
    "cases_points": "立案得分",
    "fines_rank": "罚款排名",
    "fines_points": "罚款得分",
}


def summary_field(header: object) -> str | None:
    """The field a summary header names, or None."""
    return _LOOKUP.get(normalise_header(header))


def map_summary_headers(headers: list[str]) -> list[str | None]:
    """Field names for a header row; a bare 排名/得分 belongs to the measure before it, as in the attachment."""
    fields: list[str | None] = []
    last_measure: str | None = None
    for header in headers:
        key = normalise_header(header)
        field = _LOOKUP.get(key)
        if field in ("inspections", "cases", "fines"):
            last_measure = field
        elif field is None and last_measure and key in _BARE_RANK:
            field = rank_column(last_measure)
        elif field is None and last_measure and key in _BARE_POINTS:
            field = points_column(last_measure)
        fields.append(field if field not in fields else None)
    return fields


MEASURE_FIELDS = ("inspections", "cases", "fines", "inspector_turnouts", "documents")


def summary_header_fields(cells: list[str]) -> int:
    """How many summary fields a candidate header names; 0 unless it has the county column and a measure.

    >>> summary_header_fields(["名次", "单位", "总得分", "一"]), summary_header_fields(["单位", "立案数"])
    (0, 2)
    """
    fields = map_summary_headers(cells)
    if "county" not in fields or not any(field in MEASURE_FIELDS for field in fields):
        return 0
    return sum(1 for field in fields if field)


def read_summary_table(source: str | bytes, file_name: str | None = None) -> pd.DataFrame:
    """A county summary file as a table of text cells named by field; unknown columns are dropped.

    The attachment reads as it is printed: title and 附件 lines above, a group row over the sub-headers, blank
    rows, and the 得分说明 or any note below; a 合计 row is the table's sum, not a county.
    """
    raw = read_raw_table(source, file_name)
    row, headers = locate_header(raw, summary_header_fields)
    fields = map_summary_headers(headers)
    if "county" not in fields:
        raise TableReadError("找不到县区列：表头中需要有“单位”“县区”或 county")
    body = data_rows(raw, row)
    table = pd.DataFrame(
        {field: body.iloc[:, position].str.strip().to_numpy() for position, field in enumerate(fields) if field}
    )
    table.index = body.index + 1  # the row number a spreadsheet shows
    return table[(table["county"] != "") & ~table["county"].map(is_total_label).astype(bool)]


def measures_from_summary(table: pd.DataFrame, rule: ScoringRule) -> tuple[pd.DataFrame, list[str]]:
    """The county and measure columns as numbers, with a sentence for each cell that is not a number."""
    problems: list[str] = []
    missing = [m.column for m in rule.measures if m.column not in table.columns]
    if missing:
        raise TableReadError(f"缺少指标列：{'、'.join(missing)}")
    numbers = pd.DataFrame({"county": table["county"].to_numpy()}, index=table.index)
    for measure in rule.measures:
        text = table[measure.column].str.replace(",", "", regex=False).str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        for row in values.index[values.isna() & (text != "")]:
            problems.append(f"第{row}行“{measure.label}”的值“{text[row]}”不是数字，按缺失处理")
        for row in values.index[values < 0]:
            problems.append(f"第{row}行“{measure.label}”为负数（{text[row]}），按缺失处理")
        numbers[measure.column] = values.where(values >= 0)
    return numbers, problems


def published_disagreements(scored: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Each published rank, point or total that differs from the computed one."""
    rows = []
    computed = scored.set_index("county")
    for _, row in published.iterrows():
        county = row["county"]
        if county not in computed.index:
            continue
        for column in PUBLISHED_COLUMNS:
            if column not in published.columns or str(row[column]).strip() == "":
                continue
            stated = pd.to_numeric(str(row[column]).strip(), errors="coerce")
            ours = computed.at[county, column]
            if pd.isna(ours) or pd.isna(stated) or abs(float(stated) - float(ours)) > 1e-9:
                rows.append(
                    {
                        "county": county,
                        "item": COLUMN_LABELS[column],
                        "published": str(row[column]).strip(),
                        "computed": "" if pd.isna(ours) else f"{float(ours):g}",
                    }
                )
    return pd.DataFrame(rows, columns=["county", "item", "published", "computed"])


def has_published_figures(table: pd.DataFrame) -> bool:
    return any(column in table.columns for column in PUBLISHED_COLUMNS)
