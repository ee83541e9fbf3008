"""County summary tables: the attachment's columns, their Chinese and English headers, and published figures.

>>> summary_field("检查生产经营单位（家次）"), summary_field("立案（起）"), summary_field("Fines")
('inspections', 'cases', 'fines')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scoring.catalogue import CATALOGUE
from scoring.ranking import OVERALL_RANK, TOTAL_POINTS, points_column, rank_column
from scoring.rule import ScoringRule
from scoring.tables import TableReadError, data_rows, is_total_label, locate_header, normalise_header, read_raw_table

SUMMARY_HEADERS: dict[str, tuple[str, ...]] = {
    "county": ("county", "单位", "县区", "县(市、区)", "县(市区)", "县区名称", "单位名称", "区划代码", "county_code"),
    # Every catalogue measure may head a summary column; its headers are declared once, in the catalogue.
    **{key: measure.all_headers() for key, measure in CATALOGUE.items()},
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


MEASURE_FIELDS = tuple(CATALOGUE)  # a summary may carry any measure of the catalogue


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
    """The county and the scheme's measure columns as numbers, with a sentence for each value that is not usable.

    A measure the file lacks is missing for every county (and said so), unless it is a rate whose numerator and
    denominator columns are both there: then it is computed from them, as the records layer does.
    """
    problems: list[str] = []
    numbers = pd.DataFrame({"county": table["county"].to_numpy()}, index=table.index)
    for measure in rule.measures:
        entry = CATALOGUE[measure.column]
        if measure.column in table.columns:
            numbers[measure.column] = _numbers(table[measure.column], measure.label, problems)
        elif entry.numerator and entry.denominator and {entry.numerator, entry.denominator} <= set(table.columns):
            top = _numbers(table[entry.numerator], CATALOGUE[entry.numerator].label, problems)
            bottom = _numbers(table[entry.denominator], CATALOGUE[entry.denominator].label, problems)
            numbers[measure.column] = (entry.scale * top / bottom.where(bottom > 0)).astype("float64")
            problems.extend(
                f"第{row}行“{CATALOGUE[entry.denominator].label}”为0，“{measure.label}”无法计算，按缺失处理"
                for row in bottom.index[bottom == 0]
            )
        else:
            numbers[measure.column] = pd.Series(float("nan"), index=table.index)
            problems.append(f"文件中没有“{entry.heading()}”列，各县区该项按缺失处理，不排名、不得分")
    return numbers, problems


def _numbers(text_column: pd.Series, label: str, problems: list[str]) -> pd.Series:
    text = text_column.str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    for row in values.index[values.isna() & (text != "")]:
        problems.append(f"第{row}行“{label}”的值“{text[row]}”不是数字，按缺失处理")
    for row in values.index[values < 0]:
        problems.append(f"第{row}行“{label}”为负数（{text[row]}），按缺失处理")
    return values.where(values >= 0)


@dataclass(frozen=True)
class PublishedCheck:
    """A published table checked against the computed one: what was compared, and every difference found."""

    compared: tuple[str, ...]  # the kinds of figure compared, as the sentence names them: 名次, 总得分, 排名 …
    items: int  # how many published figures were compared
    disagreements: pd.DataFrame  # county, item, published, computed

    @property
    def agrees(self) -> bool:
        """True only when figures were compared and none differs."""
        return self.items > 0 and self.disagreements.empty

    def sentence(self) -> str:
        if self.items == 0:
            return "核对：文件中没有可核对的公布数字。"
        what = "、".join(self.compared)
        if self.agrees:
            return f"核对：文件中公布的{what}与计算结果全部一致（共核对 {self.items} 项）。"
        return f"核对：文件中公布的{what}共核对 {self.items} 项，共{len(self.disagreements)}处与计算结果不一致。"


VALUE_TOLERANCE = 0.005  # published values are printed to two decimals (万元); ranks and points are exact


def check_published(scored: pd.DataFrame, published: pd.DataFrame, rule: ScoringRule | None = None) -> PublishedCheck:
    """Compare every published figure with the computed one: 名次, total, each measure's rank and points, and the
    measures' values themselves; a county in one table and not the other is a difference too.

    >>> scored = pd.DataFrame({"county": ["甲"], "overall_rank": [1], "total_points": [3.0], "cases": [4.0]})
    >>> check = check_published(scored, pd.DataFrame({"county": ["甲"], "overall_rank": ["2"], "cases": ["4"]}))
    >>> check.agrees, check.items, check.disagreements["item"].tolist()
    (False, 2, ['名次'])
    """
    rule = rule or ScoringRule()
    value_labels = {measure.column: measure.label for measure in rule.measures}
    columns = [c for c in (*PUBLISHED_COLUMNS, *value_labels) if c in published.columns and c in scored.columns]
    computed = scored.drop_duplicates("county").set_index("county")
    rows: list[dict[str, str]] = []
    compared: set[str] = set()
    items = 0
    for _, row in published.iterrows():
        county = str(row["county"]).strip()
        if county not in computed.index:
            rows.append({"county": county, "item": "县区", "published": county, "computed": "（未参与计算）"})
            continue
        for column in columns:
            stated_text = str(row[column]).strip() if pd.notna(row[column]) else ""
            if stated_text == "":
                continue
            items += 1
            compared.add(_kind_of(column, value_labels))
            stated, ours = _as_float(stated_text.replace(",", "")), _as_float(computed.at[county, column])
            tolerance = VALUE_TOLERANCE if column in value_labels else 1e-9
            if ours is None or stated is None or abs(stated - ours) > tolerance:
                rows.append(
                    {
                        "county": county,
                        "item": value_labels.get(column) or COLUMN_LABELS[column],
                        "published": stated_text,
                        "computed": "" if ours is None else f"{ours:g}",
                    }
                )
    named = {str(county).strip() for county in published["county"]}
    for county in computed.index:
        if str(county) not in named:
            rows.append(
                {"county": str(county), "item": "县区", "published": "（公布表中没有）", "computed": str(county)}
            )
    order = [kind for kind in ("名次", "总得分", "排名", "得分", "数值") if kind in compared]
    return PublishedCheck(tuple(order), items, pd.DataFrame(rows, columns=["county", "item", "published", "computed"]))


def _as_float(value: object) -> float | None:
    """
    >>> _as_float("8.01"), _as_float("—"), _as_float(None), _as_float(float("nan"))
    (8.01, None, None, None)
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _kind_of(column: str, value_labels: dict[str, str]) -> str:
    if column == OVERALL_RANK:
        return "名次"
    if column == TOTAL_POINTS:
        return "总得分"
    if column in value_labels:
        return "数值"
    return "排名" if column.endswith("_rank") else "得分"


def published_disagreements(scored: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Each published figure (名次, total, rank, points or value) that differs from the computed one."""
    return check_published(scored, published).disagreements


def has_published_figures(table: pd.DataFrame) -> bool:
    """Whether a summary table carries any published 名次, total, rank or points to check."""
    return any(
        column in table.columns and (table[column].astype(str).str.strip() != "").any() for column in PUBLISHED_COLUMNS
    )
