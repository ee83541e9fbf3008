"""Import of inspections, cases and county summaries: validate every row, then write all or nothing.

Validation is lazy, as pandera does it: every failure becomes one row of a problem table
(行, 列, 值, 问题), so a clerk can fix a whole file in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from records.fields import FIELDS, KIND_LABELS, Field, map_headers, recognise_kind
from scoring.tables import TableReadError, locate_header, read_raw_table

PROBLEM_COLUMNS = ["行", "列", "值", "问题"]
TRUE_WORDS = frozenset({"是", "有", "1", "true", "t", "y", "yes", "√", "已整改", "已录入"})
FALSE_WORDS = frozenset({"否", "无", "0", "false", "f", "n", "no", "×", "未整改", "未录入", ""})
EARLIEST_DATE = pd.Timestamp("1990-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")
MAX_COUNT = 2_000_000_000  # fits the INTEGER columns with room to spare

RECORD_COLUMNS = {
    "inspections": (
        "id",
        "county_code",
        "inspected_on",
        "unit_name",
        "industry",
        "inspector_turnouts",
        "documents",
        "hazards_found",
        "rectification_ordered",
        "rectification_recorded",
        "random_selected",
    ),
    "cases": (
        "id",
        "county_code",
        "filed_on",
        "decided_on",
        "inspection_id",
        "unit_name",
        "violation",
        "fine_yuan",
        "rectification_recorded",
    ),
}


@dataclass
class ImportOutcome:
    """What an import did or would do. ``status`` is imported, valid (checked only), invalid or duplicate."""

    status: str
    kind: str | None
    file_name: str
    rows: int = 0
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    message: str = ""
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "valid")


def import_file(
    connection: duckdb.DuckDBPyConnection,
    source: str | Path | bytes,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    file_name: str | None = None,
    write: bool = True,
    progress: Callable[[float, str], None] | None = None,
    transaction: bool = True,
) -> ImportOutcome:
    """Validate a file and, when ``write`` and it is clean, add it in one transaction.

    On any problem nothing is written. The same file (by checksum) is never imported twice, unless its batch was
    withdrawn. ``progress`` hears (fraction, step) as the work goes on. With ``transaction=False`` the rows are
    written inside the caller's transaction (``records.store.Store.transaction``), which commits or rolls back.
    """
    report = progress or (lambda fraction, step: None)
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "上传文件")
    try:
        raw_bytes = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as error:
        return _file_problem(name, kind, f"无法读取文件：{error.strerror or error}")
    checksum = hashlib.sha256(raw_bytes).hexdigest()
    earlier = connection.execute(
        "SELECT imported_at, file_name FROM import_log WHERE checksum = ? AND withdrawn_at IS NULL ORDER BY id LIMIT 1",
        [checksum],
    ).fetchone()
    if earlier:
        when = earlier[0].strftime("%Y-%m-%d %H:%M")
        message = f"文件“{name}”与 {when} 导入的“{earlier[1]}”内容相同，未重复导入，数据库未改变"
        return ImportOutcome("duplicate", kind, name, message=message)

    try:
        report(0.1, "读取文件")
        raw = read_raw_table(raw_bytes, name)
    except TableReadError as error:
        return _file_problem(name, kind, str(error))
    header_row, headers = locate_header(raw, lambda cells: recognise_kind(cells) is not None)
    kind = kind or recognise_kind(headers)
    if kind is None:
        expected = "；".join(
            f"{KIND_LABELS[k]}：" + "、".join(f.label for f in fields if f.required) for k, fields in FIELDS.items()
        )
        return _file_problem(name, None, f"无法识别文件类型，表头应包含以下之一的必填列——{expected}")
    if kind not in FIELDS:
        return _file_problem(name, None, f"未知的数据类型“{kind}”，应为 inspections、cases 或 summary")

    body = raw.iloc[header_row + 1 :]
    blank = np.ones(len(body), dtype=bool)
    for column in body.columns:
        blank &= (body[column].astype(str).str.len() == 0).to_numpy()
    body = body[~blank]
    report(0.3, f"逐行校验 {len(body):,} 行")
    checked = validate(connection, kind, headers, body, header_row, start, end)
    if not checked.problems.empty:
        message = f"发现 {len(checked.problems)} 处问题，未导入任何数据，数据库未改变"
        return ImportOutcome("invalid", kind, name, len(body), checked.problems, message)
    if checked.values.empty:
        return _file_problem(name, kind, "文件中没有数据行")
    if not write:
        message = f"检查通过：{len(checked.values)} 行{KIND_LABELS[kind]}，可以导入"
        return ImportOutcome("valid", kind, name, len(checked.values), message=message)

    report(0.7, "写入数据库")
    # store: with transaction=False the caller's transaction (records.store) holds these writes; to be reconciled
    # with the importer's split into check_file + a write function.
    if transaction:
        connection.begin()
    try:
        import_id = log_import(connection, name, checksum, kind, len(checked.values), checked.start, checked.end)
        if kind == "summary":
            _insert_summaries(connection, checked.values, import_id)
        else:
            insert_records(connection, kind, checked.values, import_id)
        if transaction:
            connection.commit()
    except Exception:
        if transaction:
            connection.rollback()
        raise
    message = f"已导入 {len(checked.values)} 行{KIND_LABELS[kind]}（导入批次 {import_id}）"
    return ImportOutcome("imported", kind, name, len(checked.values), message=message, import_id=import_id)


def _file_problem(name: str, kind: str | None, problem: str) -> ImportOutcome:
    problems = pd.DataFrame([{"行": "—", "列": "—", "值": name, "问题": problem}], columns=PROBLEM_COLUMNS)
    return ImportOutcome("invalid", kind, name, problems=problems, message=f"{problem}；数据库未改变")


@dataclass
class Checked:
    values: pd.DataFrame
    problems: pd.DataFrame
    start: dt.date | None = None
    end: dt.date | None = None


class _Problems:
    """Collects failures column by column, each as a block of rows for the problem table."""

    def __init__(self) -> None:
        self.blocks: list[pd.DataFrame] = []

    def add(self, rows: pd.Index, column: str, values: pd.Series | str, problem: str | pd.Series) -> None:
        if len(rows) == 0:
            return
        shown = values.loc[rows].to_numpy() if isinstance(values, pd.Series) else [values] * len(rows)
        said = problem.loc[rows].to_numpy() if isinstance(problem, pd.Series) else [problem] * len(rows)
        block = {"行": [str(r) for r in rows], "列": [column] * len(rows), "值": shown, "问题": said}
        self.blocks.append(pd.DataFrame(block, columns=PROBLEM_COLUMNS))

    def one(self, row: str, column: str, value: str, problem: str) -> None:
        self.blocks.append(pd.DataFrame([[row, column, value, problem]], columns=PROBLEM_COLUMNS))

    def table(self) -> pd.DataFrame:
        if not self.blocks:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        table = pd.concat(self.blocks, ignore_index=True)
        order = pd.to_numeric(table["行"], errors="coerce").fillna(0)
        return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def validate(
    connection: duckdb.DuckDBPyConnection,
    kind: str,
    headers: list[str],
    body: pd.DataFrame,
    header_row: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Checked:
    """Every row checked against the kind's fields; values come back typed and named by field."""
    problems = _Problems()
    mapped = map_headers(headers, kind)
    present = {f.name: position for position, f in enumerate(mapped) if f}
    for missing in (f for f in FIELDS[kind] if f.required and f.name not in present):
        problems.one(str(header_row + 1), missing.label, "", f"缺少必填列“{missing.label}”（或 {missing.name}）")
    if problems.blocks:
        return Checked(pd.DataFrame(), problems.table())

    # Row labels are the row numbers a spreadsheet shows.
    body = body.set_axis(body.index + 1, axis=0)
    values = pd.DataFrame(index=body.index)
    typed: dict[str, pd.Series] = {}
    for spec in FIELDS[kind]:
        if spec.name in present:
            typed[spec.name] = body.iloc[:, present[spec.name]].astype(str).str.strip()
            values[spec.name] = _parse(connection, spec, typed[spec.name], problems)
        else:
            values[spec.name] = spec.default
    period = _summary_period(values, start, end, problems) if kind == "summary" else (start, end)
    if kind == "cases":
        backwards = values.index[(values["decided_on"] < values["filed_on"]).fillna(False).astype(bool)]
        problems.add(backwards, "处罚决定日期", values["decided_on"].astype(str), "处罚决定日期早于立案日期")
    _check_duplicates(connection, kind, values, typed, problems, period)
    if kind != "summary":
        values = values.rename(columns={"county": "county_code"})
    return Checked(values, problems.table(), *period)


def _per_distinct(text: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Convert each distinct text once and spread the results: a million rows hold few distinct dates or counts."""
    positions, distinct = pd.factorize(text)
    converted = convert(pd.Series(distinct))
    return pd.Series(converted.array.take(positions), index=text.index)


def _parse(connection: duckdb.DuckDBPyConnection, spec: Field, text: pd.Series, problems: _Problems) -> pd.Series:
    empty = text == ""
    if spec.required:
        problems.add(text.index[empty], spec.label, text, f"“{spec.label}”不能为空")
    if spec.type in ("id", "text"):
        return text if spec.required else text.where(~empty, None)
    if spec.type == "county":
        codes = county_lookup(connection)
        parsed = _per_distinct(text, lambda distinct: distinct.map(codes).astype("Int64"))
        unknown = text.index[parsed.isna() & ~empty]
        problems.add(unknown, spec.label, text, "未知县区：不在县区表中（请填写县区全称或6位区划代码）")
        return parsed
    if spec.type == "date":
        parsed = _per_distinct(text, parse_dates)
        bad = parsed.isna() & ~empty
        problems.add(text.index[bad], spec.label, text, "无法识别的日期，应写作 2020-01-31、2020/1/31 或 2020年1月31日")
        odd = parsed.notna() & ((parsed < EARLIEST_DATE) | (parsed > LATEST_DATE))
        problems.add(text.index[odd], spec.label, text, "日期超出合理范围（1990年至2100年）")
        return parsed.where(~odd)
    if spec.type == "flag":
        lowered = _per_distinct(text, lambda distinct: distinct.str.lower())
        unknown = ~lowered.isin(TRUE_WORDS | FALSE_WORDS)
        problems.add(text.index[unknown], spec.label, text, "应填“是”或“否”")
        return lowered.isin(TRUE_WORDS).where(~empty, spec.default).astype(bool)
    numbers = _per_distinct(
        text, lambda distinct: pd.to_numeric(distinct.str.replace(",", "", regex=False), errors="coerce")
    ).astype("float64")
    numbers = numbers.where(~empty)
    not_number = numbers.isna() & ~empty
    problems.add(text.index[not_number], spec.label, text, "不是数字")
    negative = numbers < 0
    problems.add(text.index[negative], spec.label, text, "不能为负数")
    if spec.type == "count":
        problems.add(text.index[numbers > MAX_COUNT], spec.label, text, "数值过大，请检查")
        fractional = numbers.notna() & (numbers != numbers.round())
        problems.add(text.index[fractional], spec.label, text, "应为整数")
        default = spec.default if not spec.required else pd.NA
        return numbers.round().astype("Int64").where(~empty, default)
    decimals = 2 if spec.type == "yuan" else 6
    too_fine = numbers.notna() & ((numbers * 10**decimals).round(3) % 1 != 0)
    unit = "元" if spec.type == "yuan" else "万元"
    problems.add(text.index[too_fine], spec.label, text, f"金额最多保留{decimals}位小数（单位{unit}）")
    huge = numbers >= 1e12
    problems.add(text.index[huge], spec.label, text, "金额过大，请检查单位（元/万元）")
    # Money stays text so DuckDB casts it to DECIMAL exactly.
    return text.str.replace(",", "", regex=False).where(~empty, None)


def parse_dates(text: pd.Series) -> pd.Series:
    """Dates as clerks type them: 2020-01-31, 2020/1/31, 2020.1.31, 2020年1月31日, 20200131, with or without a time.

    >>> parse_dates(pd.Series(["2020年1月31日", "2020/2/1 08:00", "20200301", "昨天"])).dt.strftime("%m-%d").tolist()
    ['01-31', '02-01', '03-01', nan]
    """
    text = text.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    retry = parsed.isna() & (text != "")
    if not retry.any():
        return parsed
    cleaned = (
        text[retry]
        .str.split(r"[ T]", n=1, regex=True)
        .str[0]
        .str.replace(r"[年/.]", "-", regex=True)
        .str.replace("月", "-", regex=False)
        .str.replace("日", "", regex=False)
    )
    compact = cleaned.str.fullmatch(r"\d{8}").fillna(False).astype(bool)
    fixed = pd.to_datetime(cleaned.where(~compact), format="%Y-%m-%d", errors="coerce")
    if compact.any():
        fixed = fixed.fillna(pd.to_datetime(cleaned.where(compact), format="%Y%m%d", errors="coerce"))
    parsed[retry] = fixed
    return parsed


def county_lookup(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """County names and 6-digit codes (as text) to codes."""
    rows = connection.execute("SELECT code, name FROM counties").fetchall()
    return {key: code for code, name in rows for key in (name, str(code))}


def _summary_period(
    values: pd.DataFrame, start: dt.date | None, end: dt.date | None, problems: _Problems
) -> tuple[dt.date | None, dt.date | None]:
    if start is None or end is None:
        starts, ends = values["start"].dropna().unique(), values["end"].dropna().unique()
        if len(starts) == 1 and len(ends) == 1 and values["start"].notna().all() and values["end"].notna().all():
            start, end = pd.Timestamp(starts[0]).date(), pd.Timestamp(ends[0]).date()
        elif len(starts) > 1 or len(ends) > 1:
            problems.one("—", "开始日期/结束日期", "", "一个汇总文件只能是同一个时段，请拆分为多个文件")
        else:
            problems.one(
                "—", "开始日期/结束日期", "", "未给出汇总时段：请用 --start/--end 指定，或在表中填写开始日期、结束日期"
            )
    if start is not None and end is not None and start > end:
        problems.one("—", "开始日期/结束日期", f"{start} 至 {end}", "开始日期晚于结束日期")
    values["start"], values["end"] = start, end
    return start, end


def _check_duplicates(
    connection: duckdb.DuckDBPyConnection,
    kind: str,
    values: pd.DataFrame,
    typed: dict[str, pd.Series],
    problems: _Problems,
    period: tuple[dt.date | None, dt.date | None],
) -> None:
    """Keys repeated inside the file, and keys the database already holds; found by DuckDB, which hashes fast."""
    if kind == "summary":
        keys, column, shown = values["county"], "单位", typed["county"]
        repeat_label = "同一时段的县区在文件中重复（第{first}行已有）"
        start, end = period
        stored_query = (
            "SELECT DISTINCT i.row FROM incoming_keys i JOIN county_summaries s ON s.county_code = i.key "
            "WHERE s.period_start = $start AND s.period_end = $end"
        )
        stored_label = f"该县区 {start} 至 {end} 的汇总已在数据库中"
    else:
        keys, column, shown = values["id"], FIELDS[kind][0].label, typed["id"]
        repeat_label = "编号在文件中重复（第{first}行已有）"
        table = "inspections" if kind == "inspections" else "cases"  # one of a fixed pair, never user text
        stored_query = f"SELECT i.row FROM incoming_keys i SEMI JOIN {table} t ON t.id = i.key"
        stored_label = "编号已存在于数据库中（已导入过）"
    incoming = pd.DataFrame({"key": keys.to_numpy(), "row": values.index.to_numpy()})
    connection.register("incoming_keys", incoming)
    try:
        if kind != "summary" or (period[0] is not None and period[1] is not None):
            parameters = {"start": period[0], "end": period[1]} if kind == "summary" else {}
            stored_rows = [row for (row,) in connection.execute(stored_query, parameters).fetchall()]
            problems.add(pd.Index(sorted(stored_rows)), column, shown, stored_label)
        repeats = connection.execute(
            """
            SELECT row, first_row FROM (
                SELECT row, min(row) OVER (PARTITION BY key) AS first_row
                FROM incoming_keys WHERE key IS NOT NULL AND CAST(key AS VARCHAR) <> ''
            ) WHERE row > first_row ORDER BY row
            """
        ).fetchall()
    finally:
        connection.unregister("incoming_keys")
    if repeats:
        rows = pd.Index([row for row, _ in repeats])
        said = pd.Series([repeat_label.format(first=first) for _, first in repeats], index=rows)
        problems.add(rows, column, shown, said)


def log_import(
    connection: duckdb.DuckDBPyConnection,
    file_name: str,
    checksum: str,
    kind: str,
    row_count: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> int:
    """A new import-log row, inside the caller's transaction; returns its id.

    Ids come from a sequence, so two writers never compute the same id. Who imported is the actor the store's
    transaction set (``getvariable('write_actor')``); outside the store (tests, the demo builder) it stays empty.
    """
    row = connection.execute(
        """
        INSERT INTO import_log (id, file_name, checksum, kind, row_count, period_start, period_end, imported_at,
                                imported_by)
        VALUES (nextval('import_log_ids'), ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, getvariable('write_actor'))
        RETURNING id
        """,
        [file_name, checksum, kind, row_count, start, end],
    ).fetchone()
    assert row is not None
    return int(row[0])


def insert_records(connection: duckdb.DuckDBPyConnection, kind: str, values: pd.DataFrame, import_id: int) -> None:
    """Append validated inspections or cases; money arrives as text or Decimal and is cast exactly."""
    columns = RECORD_COLUMNS[kind]
    frame = values.loc[:, list(columns)].copy()
    if "fine_yuan" in frame:
        frame["fine_yuan"] = frame["fine_yuan"].astype(str)
    selected = ", ".join(_stored_as(column, frame[column]) for column in columns)
    _append(connection, kind, frame, f"{selected}, {int(import_id)}")


def _stored_as(column: str, values: pd.Series) -> str:
    """The select expression that stores a validated column: money exactly, timestamps as dates."""
    if column == "fine_yuan":
        return "CAST(fine_yuan AS DECIMAL(18, 2))"
    if pd.api.types.is_datetime64_any_dtype(values):
        return f"CAST({column} AS DATE)"
    return column


def _insert_summaries(connection: duckdb.DuckDBPyConnection, values: pd.DataFrame, import_id: int) -> None:
    frame = values.loc[
        :, ["county", "start", "end", "inspections", "inspector_turnouts", "documents", "cases", "fines"]
    ]
    selected = (
        'county, start, "end", inspections, inspector_turnouts, documents, cases, '
        f"CAST(CAST(fines AS DECIMAL(24, 6)) * 10000 AS DECIMAL(18, 2)), {int(import_id)}"
    )
    _append(connection, "county_summaries", frame, selected)


def _append(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, selected: str) -> None:
    """Insert a DataFrame as a relation: nothing is registered, so an aborted transaction leaves nothing behind."""
    connection.from_df(frame).project(selected).insert_into(table)


def template_rows(kind: str) -> pd.DataFrame:
    """An empty import file for a clerk: the expected headers and one example row."""
    fields = FIELDS[kind]
    return pd.DataFrame([[f.example for f in fields]], columns=[f.label for f in fields])
