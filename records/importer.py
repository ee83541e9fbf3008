"""Import of inspections, cases and county summaries: check every row, then write all or nothing.

Checking and writing are two steps, so that a page can show what a file holds before anything is stored:
``check_file`` reads and validates (it only reads the database, so a read-only connection will do) and keeps the
validated rows in its outcome; ``write_checked`` writes them inside a transaction its caller began, after checking
again against the database it writes to. ``import_file`` does both in one transaction of its own.

Validation is lazy, as pandera does it: every failure becomes one row of a problem table (行, 列, 值, 问题), so a clerk
can fix a whole file in one pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from records.fields import (
    FIELDS,
    KIND_LABELS,
    PLAUSIBILITY,
    SUMMARY_MEASURES,
    Field,
    Plausibility,
    header_fields,
    map_headers,
    recognise_kind,
)
from scoring.catalogue import CATALOGUE
from scoring.tables import LIMITS, ReadLimits, TableReadError, data_rows, is_total_label, locate_header, read_raw_table

PROBLEM_COLUMNS = ["行", "列", "值", "问题"]
TRUE_WORDS = frozenset({"是", "有", "1", "true", "t", "y", "yes", "√", "已整改", "已录入"})
FALSE_WORDS = frozenset({"否", "无", "0", "false", "f", "n", "no", "×", "未整改", "未录入", ""})

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
RECORD_DATE = {"inspections": "inspected_on", "cases": "filed_on"}

Progress = Callable[[float, str], None]


@dataclass
class ImportOutcome:
    """What a check or an import found and did.

    ``status``: valid (checked, nothing written), imported, invalid (see ``problems``) or duplicate (the same file
    was imported before). A valid outcome keeps the validated rows (``values``, typed and named by field, indexed by
    the file's row numbers), the file's ``checksum``, and says which period each row is stored under: the
    ``start``/``end`` columns of a summary's rows, the record date of an inspection or a case; ``period_note`` says
    it in a sentence and ``preview()`` shows it as a column.
    """

    status: str
    kind: str | None
    file_name: str
    rows: int = 0
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    message: str = ""
    import_id: int | None = None
    checksum: str = ""
    values: pd.DataFrame = field(default_factory=pd.DataFrame)
    period_note: str = ""
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "valid")

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day the rows are stored under."""
        if self.values.empty:
            return None, None
        if self.kind == "summary":
            return _as_date(self.values["start"].min()), _as_date(self.values["end"].max())
        dates = self.values[RECORD_DATE[self.kind or "inspections"]]
        return _as_date(dates.min()), _as_date(dates.max())

    def preview(self, limit: int | None = 200) -> pd.DataFrame:
        """The checked rows as a clerk reads them: 行, each field under its Chinese label, and 存入时段."""
        if self.values.empty or self.kind not in FIELDS:
            return pd.DataFrame(columns=["行"])
        shown = self.values if limit is None else self.values.head(limit)
        table = pd.DataFrame({"行": shown.index.astype(str)})
        for spec in FIELDS[self.kind]:
            if spec.name in shown and spec.name not in ("start", "end"):
                table[spec.label] = [_shown(value) for value in shown[spec.name]]
        if self.kind == "summary":
            table["存入时段"] = [
                f"{_shown(a)} 至 {_shown(b)}" for a, b in zip(shown["start"], shown["end"], strict=True)
            ]
        else:
            table["存入时段"] = [_shown(value) for value in shown[RECORD_DATE[self.kind]]]
        return table


def check_file(
    connection: duckdb.DuckDBPyConnection,
    source: str | Path | bytes,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
    rules: Plausibility = PLAUSIBILITY,
    limits: ReadLimits = LIMITS,
) -> ImportOutcome:
    """Read and validate a file without writing anything; a read-only connection is enough.

    ``start``/``end`` are the period of a summary file that has no 开始日期/结束日期 columns of its own; a file's
    own period columns always win. The outcome's status is valid, invalid or duplicate.
    """
    report = progress or (lambda fraction, step: None)
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "上传文件")
    if kind is not None and kind not in FIELDS:
        return _file_problem(name, None, f"未知的数据类型“{kind}”，应为 inspections、cases 或 summary")
    try:
        raw_bytes = source if isinstance(source, bytes) else _read_source(Path(source), name, limits)
    except TableReadError as error:
        return _file_problem(name, kind, str(error))
    checksum = hashlib.sha256(raw_bytes).hexdigest()
    earlier = _earlier_import(connection, name, checksum, kind)
    if earlier is not None:
        return earlier

    try:
        report(0.1, "读取文件")
        raw = read_raw_table(raw_bytes, name, limits)
    except TableReadError as error:
        return _file_problem(name, kind, str(error))
    header_row, headers = locate_header(raw, lambda cells: header_fields(cells, kind))
    chosen = kind or recognise_kind(headers)
    if chosen is None:
        expected = "；".join(
            f"{KIND_LABELS[k]}：" + "、".join(f.label for f in fields if f.required) for k, fields in FIELDS.items()
        )
        return _file_problem(name, None, f"无法识别文件类型，表头应包含以下之一的必填列——{expected}")

    body = data_rows(raw, header_row)
    skipped = _skipped_lines(raw, header_row, body)
    report(0.3, f"逐行校验 {len(body):,} 行")
    checked = validate(connection, chosen, headers, body, header_row, start, end, rules)
    if not checked.problems.empty:
        message = f"发现 {len(checked.problems)} 处问题，未导入任何数据，数据库未改变"
        return ImportOutcome("invalid", chosen, name, len(body), checked.problems, message, checksum=checksum)
    if checked.values.empty:
        return _file_problem(name, chosen, "文件中没有数据行")
    message = f"检查通过：{len(checked.values):,} 行{KIND_LABELS[chosen]}，可以导入。{checked.period_note}"
    return ImportOutcome(
        "valid",
        chosen,
        name,
        len(checked.values),
        message=message,
        checksum=checksum,
        values=checked.values,
        period_note=checked.period_note,
        skipped=skipped,
    )


def write_checked(
    connection: duckdb.DuckDBPyConnection, outcome: ImportOutcome, actor: str | None = None
) -> ImportOutcome:
    """Write a valid outcome's rows, inside the transaction the caller began (this never begins or commits).

    Another import may have landed since the check, so the file's checksum and the rows' keys are checked again
    against the database written to; if either is found there, nothing is written and the outcome says why.
    """
    if outcome.status != "valid" or outcome.kind is None:
        raise ValueError(f"只能写入检查通过的文件（此文件的状态为 {outcome.status}）")
    earlier = _earlier_import(connection, outcome.file_name, outcome.checksum, outcome.kind)
    if earlier is not None:
        return earlier
    problems = _Problems()
    _stored_keys(connection, outcome.kind, outcome.values, problems)
    if problems.blocks:
        table = problems.table()
        message = f"发现 {len(table)} 处问题：检查之后已有其他导入写入了相同的数据，未导入任何数据，数据库未改变"
        return dataclasses.replace(outcome, status="invalid", problems=table, message=message, values=pd.DataFrame())
    first, last = outcome.period
    kind, values = outcome.kind, outcome.values
    import_id = log_import(connection, outcome.file_name, outcome.checksum, kind, len(values), first, last, actor)
    if kind == "summary":
        _insert_summaries(connection, values, import_id)
    else:
        insert_records(connection, kind, values.rename(columns={"county": "county_code"}), import_id)
    message = f"已导入 {len(values):,} 行{KIND_LABELS[kind]}（导入批次 {import_id}）。{outcome.period_note}"
    return dataclasses.replace(outcome, status="imported", message=message, import_id=import_id)


def import_file(
    connection: duckdb.DuckDBPyConnection,
    source: str | Path | bytes,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    file_name: str | None = None,
    write: bool = True,
    progress: Progress | None = None,
    actor: str | None = None,
    rules: Plausibility = PLAUSIBILITY,
    transaction: bool = True,
) -> ImportOutcome:
    """Check a file and, when ``write`` and it is clean, write it in one transaction of its own.

    On any problem nothing is written. The same file (by checksum) is never imported twice, unless its batch was
    withdrawn. ``progress`` hears (fraction, step) as the work goes on. With ``transaction=False`` the rows are
    written inside the caller's transaction (``records.store.Store.transaction``), which commits or rolls back.
    """
    report = progress or (lambda fraction, step: None)
    outcome = check_file(connection, source, kind, start, end, file_name, report, rules)
    if not write or outcome.status != "valid":
        return outcome
    report(0.7, "写入数据库")
    if transaction:
        connection.begin()
    try:
        written = write_checked(connection, outcome, actor)
        if transaction:
            if written.status == "imported":
                connection.commit()
            else:
                connection.rollback()
    except BaseException:
        if transaction:
            connection.rollback()
        raise
    return written


def _read_source(path: Path, name: str, limits: ReadLimits) -> bytes:
    try:
        if not path.is_file():
            raise TableReadError(f"找不到文件“{name}”" if not path.exists() else f"“{name}”不是文件")
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise TableReadError(
                f"文件“{name}”有 {size / 2**20:,.0f} MB，超过导入上限 {limits.max_file_bytes / 2**20:,.0f} MB："
                "请拆分后分批导入"
            )
        return path.read_bytes()
    except OSError as error:
        raise TableReadError(f"无法读取文件“{name}”：{error.strerror or '系统错误'}") from error


def _earlier_import(
    connection: duckdb.DuckDBPyConnection, name: str, checksum: str, kind: str | None
) -> ImportOutcome | None:
    earlier = connection.execute(
        "SELECT imported_at, file_name FROM import_log WHERE checksum = ? AND withdrawn_at IS NULL ORDER BY id LIMIT 1",
        [checksum],
    ).fetchone()
    if not earlier:
        return None
    when = earlier[0].strftime("%Y-%m-%d %H:%M")
    message = f"文件“{name}”与 {when} 导入的“{earlier[1]}”内容相同，未重复导入，数据库未改变"
    return ImportOutcome("duplicate", kind, name, message=message, checksum=checksum)


def _skipped_lines(raw: pd.DataFrame, header_row: int, body: pd.DataFrame) -> tuple[str, ...]:
    """Lines under the header that are not data (notes such as 得分说明), named for the clerk."""
    below = raw.iloc[header_row + 1 :]
    dropped = below.index.difference(body.index)
    lines = []
    for row in dropped[:20]:
        text = next((str(cell).strip() for cell in below.loc[row] if str(cell).strip()), "")
        if text:
            lines.append(f"第{row + 1}行“{text[:30]}”为说明文字，不作为数据")
    return tuple(lines)


def _file_problem(name: str, kind: str | None, problem: str) -> ImportOutcome:
    problems = pd.DataFrame([{"行": "—", "列": "—", "值": name, "问题": problem}], columns=PROBLEM_COLUMNS)
    return ImportOutcome("invalid", kind, name, problems=problems, message=f"{problem}；数据库未改变")


@dataclass
class Checked:
    values: pd.DataFrame
    problems: pd.DataFrame
    period_note: str = ""


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
    rules: Plausibility = PLAUSIBILITY,
) -> Checked:
    """Every row checked against the kind's fields; values come back typed, named by field, indexed by file row."""
    problems = _Problems()
    mapped = map_headers(headers, kind)
    present = {f.name: position for position, f in enumerate(mapped) if f}
    for missing in (f for f in FIELDS[kind] if f.required and f.name not in present):
        problems.one(str(header_row + 1), missing.label, "", f"缺少必填列“{missing.label}”（或 {missing.name}）")
    if kind == "summary" and not set(present) & set(SUMMARY_MEASURES):
        problems.one(
            str(header_row + 1), "指标", "", "缺少指标列：至少需要一个指标，如“检查生产经营单位（家次）”“立案数（起）”"
        )
    if problems.blocks:
        return Checked(pd.DataFrame(), problems.table())

    # Row labels are the row numbers a spreadsheet shows.
    body = body.set_axis(body.index + 1, axis=0)
    if kind == "summary":
        totals = body.iloc[:, present["county"]].map(is_total_label).to_numpy(dtype=bool)
        body = body[~totals]  # a 合计 row is the table's own sum, never a county
    values = pd.DataFrame(index=body.index)
    typed: dict[str, pd.Series] = {}
    for spec in FIELDS[kind]:
        if spec.name in present:
            typed[spec.name] = body.iloc[:, present[spec.name]].astype(str).str.strip()
            values[spec.name] = _parse(connection, spec, typed[spec.name], problems, rules)
        else:
            values[spec.name] = spec.default
    note = ""
    if kind == "summary":
        note = _summary_period(values, typed, start, end, problems, rules)
    else:
        first, last = values[RECORD_DATE[kind]].min(), values[RECORD_DATE[kind]].max()
        if pd.notna(first):
            note = f"每条记录按其{FIELDS[kind][2].label}计入时段（{_shown(first)} 至 {_shown(last)}）。"
    if kind == "cases":
        backwards = values.index[(values["decided_on"] < values["filed_on"]).fillna(False).astype(bool)]
        problems.add(backwards, "处罚决定日期", values["decided_on"].astype(str), "处罚决定日期早于立案日期")
    _check_duplicates(connection, kind, values, typed, problems)
    return Checked(values, problems.table(), note)


class _Distinct:
    """A column's distinct texts, each converted once; results are spread back over the rows by position.

    A million rows hold few distinct dates, counts or counties, so the Python work is per distinct text.
    """

    def __init__(self, text: pd.Series) -> None:
        self.index = text.index
        self.positions, uniques = pd.factorize(text)
        self.texts: list[str] = [str(value) for value in uniques]
        self.cleaned = [clean(value) for value in self.texts]

    def spread(self, values: list[object] | np.ndarray, dtype: str | None = None) -> pd.Series:
        array = pd.array(values, dtype=dtype) if dtype else np.asarray(values, dtype=object)
        return pd.Series(array.take(self.positions), index=self.index)

    def rows_where(self, verdicts: np.ndarray, verdict: int) -> pd.Index:
        return self.index[(verdicts == verdict)[self.positions]]


_STRAY = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def clean(text: str) -> str:
    """A value as it is meant, before parsing: NFKC (full-width digits and punctuation), no stray spaces.

    >>> clean("２０００"), clean(" 1，000．50 "), clean("2020 年 1 月"), clean("驿城区\\u200b")
    ('2000', '1,000.50', '2020年1月', '驿城区')
    """
    if text.isascii():
        return "".join(text.split()) if " " in text or "\t" in text else text
    return _STRAY.sub("", unicodedata.normalize("NFKC", text))


def _parse(
    connection: duckdb.DuckDBPyConnection, spec: Field, text: pd.Series, problems: _Problems, rules: Plausibility
) -> pd.Series:
    empty = (text == "").to_numpy(dtype=bool)
    if spec.required:
        problems.add(text.index[empty], spec.label, text, f"“{spec.label}”不能为空")
    if spec.type in ("id", "text"):
        length = text.str.len().to_numpy()
        problems.add(text.index[length > spec.max_length], spec.label, text, f"超过 {spec.max_length} 个字符，请检查")
        if spec.type == "id":  # full-width letters and digits in an id are the same id: only non-ASCII ids change
            wide = ~text.str.isascii().to_numpy(dtype=bool)
            if wide.any():
                text = text.copy()
                text[wide] = [unicodedata.normalize("NFKC", value).strip() for value in text[wide]]
        return text if spec.required else text.where(~empty, None)
    distinct = _Distinct(text)
    if spec.type == "county":
        codes = county_lookup(connection)
        found = [codes.get(value) for value in distinct.cleaned]
        verdicts = np.array(
            [code is None and value != "" for code, value in zip(found, distinct.texts, strict=True)], dtype=int
        )
        problems.add(
            distinct.rows_where(verdicts, 1), spec.label, text, "未知县区：不在县区表中（请填写县区全称或6位区划代码）"
        )
        return distinct.spread(found, "Int64")
    if spec.type == "date":
        return _parse_date_column(spec, text, distinct, problems, rules)
    if spec.type == "flag":
        lowered = [value.lower() for value in distinct.cleaned]
        unknown = np.array([value not in TRUE_WORDS | FALSE_WORDS for value in lowered], dtype=int)
        problems.add(distinct.rows_where(unknown, 1), spec.label, text, "应填“是”或“否”")
        flags = [spec.default if value == "" else value in TRUE_WORDS for value in lowered]
        return distinct.spread(flags, "boolean").fillna(False).astype(bool)
    return _parse_number_column(spec, text, distinct, empty, problems, rules)


def _parse_date_column(
    spec: Field, text: pd.Series, distinct: _Distinct, problems: _Problems, rules: Plausibility
) -> pd.Series:
    parsed = parse_dates(pd.Series(distinct.cleaned, dtype=object))
    earliest, latest = pd.Timestamp(rules.earliest_date()), pd.Timestamp(rules.latest_date())
    verdicts = np.where(
        parsed.isna().to_numpy() & (np.array(distinct.texts, dtype=object) != ""),
        1,
        np.where((parsed < earliest).to_numpy(), 2, np.where((parsed > latest).to_numpy(), 3, 0)),
    )
    when = "今天" if rules.horizon_days == 0 else "允许的最晚日期"
    said = {
        1: "无法识别的日期，应写作 2020-01-31、2020/1/31 或 2020年1月31日",
        2: f"日期早于{rules.earliest_year}年，请检查",
        3: f"日期晚于{when}（{rules.latest_date()}），请检查",
    }
    for verdict, sentence in said.items():
        problems.add(distinct.rows_where(verdicts, verdict), spec.label, text, sentence)
    kept = parsed.where(pd.Series(verdicts == 0))
    return pd.Series(kept.to_numpy().take(distinct.positions), index=distinct.index)


NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
YUAN_MARKS = re.compile(r"^[¥]|元$")
WAN_MARKS = re.compile(r"万元$")
PERCENT_MARK = re.compile(r"%$")


def _number(text: str, unit: re.Pattern[str] | None = None) -> Decimal | None:
    """The exact decimal a clerk wrote (thousands separators and a unit allowed), or None.

    >>> _number("9,999,999,999.99"), _number("1e3"), _number("¥120元", YUAN_MARKS), _number("NaN")
    (Decimal('9999999999.99'), Decimal('1E+3'), Decimal('120'), None)
    """
    if unit is not None:
        text = unit.sub("", text)
    text = text.replace(",", "")
    if not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _parse_number_column(
    spec: Field, text: pd.Series, distinct: _Distinct, empty: np.ndarray, problems: _Problems, rules: Plausibility
) -> pd.Series:
    """Counts and amounts parsed as exact decimals from the text: no float step, so no rounding at any size."""
    unit = {"yuan": YUAN_MARKS, "wan_yuan": WAN_MARKS, "rate": PERCENT_MARK}.get(spec.type)
    unit_name = "元" if spec.type == "yuan" else "万元"
    decimals = 2 if spec.type == "yuan" else 6
    ceiling = rules.max_fine_yuan if spec.type == "yuan" else rules.max_fine_yuan / 10_000
    said = [
        "",
        "不是数字",
        "不能为负数",
        "应为整数",
        f"数值过大（上限 {spec.maximum:,}），请检查",
        f"金额最多保留{decimals}位小数（单位{unit_name}）",
        f"金额过大（上限 {ceiling:,} {unit_name}），请检查单位",
    ]

    def judge(value: str) -> tuple[int, object]:
        number = _number(value, unit)
        if number is None:
            return (0 if value == "" else 1), None
        if number < 0:
            return 2, None
        if spec.type == "count":
            if number != number.to_integral_value():
                return 3, None
            return (4, None) if number > spec.maximum else (0, int(number))
        if spec.type == "rate":  # a rate or percentage as the summary states it (85.5 or 85.5%)
            return (4, None) if number > spec.maximum else (0, float(number))
        if not _has_places(number, Decimal(1).scaleb(-decimals)):
            return 5, None
        # Money stays text, written out exactly, so DuckDB casts it to DECIMAL without a float step.
        return (6, None) if number > ceiling else (0, format(number, "f"))

    judged = [judge(value) for value in distinct.cleaned]
    verdicts = np.array([verdict for verdict, _ in judged], dtype=int)
    for verdict, sentence in enumerate(said[1:], start=1):
        problems.add(distinct.rows_where(verdicts, verdict), spec.label, text, sentence)
    values = [value for _, value in judged]
    if spec.type == "rate":
        return distinct.spread(values, "Float64")
    if spec.type != "count":
        return distinct.spread(values)
    default = spec.default if not spec.required else pd.NA
    return distinct.spread(values, "Int64").where(~empty, default)


def _has_places(value: Decimal, step: Decimal) -> bool:
    try:
        return value == value.quantize(step)
    except InvalidOperation:
        return False


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
    values: pd.DataFrame,
    typed: dict[str, pd.Series],
    start: dt.date | None,
    end: dt.date | None,
    problems: _Problems,
    rules: Plausibility,
) -> str:
    """Each summary row's period: the file's own 开始日期/结束日期 if it has them, else the period the caller gave.

    Returns the sentence that tells the clerk which it is.
    """
    own = any(name in typed and (typed[name] != "").any() for name in ("start", "end"))
    given = f"{start} 至 {end}" if start is not None and end is not None else ""
    if own:
        for name, label in (("start", "开始日期"), ("end", "结束日期")):
            blank = typed[name] == "" if name in typed else pd.Series(True, index=values.index)
            problems.add(values.index[blank], label, "", f"文件有开始日期、结束日期列，此行的{label}不能为空")
        backwards = values.index[(values["start"] > values["end"]).fillna(False).astype(bool)]
        problems.add(backwards, "开始日期/结束日期", typed.get("start", ""), "开始日期晚于结束日期")
        periods = sorted(
            {(a, b) for a, b in zip(values["start"], values["end"], strict=True) if pd.notna(a) and pd.notna(b)}
        )
        said = "、".join(f"{_shown(a)} 至 {_shown(b)}" for a, b in periods[:3]) + ("等" if len(periods) > 3 else "")
        note = f"时段取自文件中的开始日期、结束日期：{said}"
        return note + (f"（未采用所选时段 {given}）。" if given else "。")
    if not given:
        problems.one(
            "—", "开始日期/结束日期", "", "未给出汇总时段：请用 --start/--end 指定，或在表中填写开始日期、结束日期"
        )
        return ""
    for day, label in ((start, "开始日期"), (end, "结束日期")):
        if day is not None and not rules.earliest_date() <= day <= rules.latest_date():
            problems.one(
                "—", label, str(day), f"所选时段的{label}不在 {rules.earliest_date()} 至 {rules.latest_date()} 之间"
            )
    values["start"], values["end"] = pd.Timestamp(start), pd.Timestamp(end)
    return f"文件中没有开始日期、结束日期列，按所选时段 {given} 存入。"


def _check_duplicates(
    connection: duckdb.DuckDBPyConnection,
    kind: str,
    values: pd.DataFrame,
    typed: dict[str, pd.Series],
    problems: _Problems,
) -> None:
    """Keys repeated inside the file, and keys the database already holds."""
    keys = _keys(kind, values)
    column, shown = ("单位", typed["county"]) if kind == "summary" else (FIELDS[kind][0].label, typed["id"])
    repeat = (
        "同一时段的县区在文件中重复（第{first}行已有）" if kind == "summary" else "编号在文件中重复（第{first}行已有）"
    )
    codes, _ = pd.factorize(keys)  # missing keys get -1
    distinct_codes, first_position = np.unique(codes, return_index=True)
    first = first_position[np.searchsorted(distinct_codes, codes)]
    repeated = (codes >= 0) & (first != np.arange(len(codes))) & (keys.fillna("").to_numpy() != "")
    if repeated.any():
        rows = values.index[repeated]
        firsts = values.index[first[repeated]]
        problems.add(rows, column, shown, pd.Series([repeat.format(first=f) for f in firsts], index=rows))
    _stored_keys(connection, kind, values, problems, shown)


def _keys(kind: str, values: pd.DataFrame) -> pd.Series:
    """One text key per row: the record id, or a summary's county and period."""
    if kind != "summary":
        return values["id"]
    parts = [values["county"].astype(str), values["start"].astype(str), values["end"].astype(str)]
    usable = values["county"].notna() & values["start"].notna() & values["end"].notna()
    return (parts[0] + "|" + parts[1] + "|" + parts[2]).where(usable, None)


def _stored_keys(
    connection: duckdb.DuckDBPyConnection,
    kind: str,
    values: pd.DataFrame,
    problems: _Problems,
    shown: pd.Series | None = None,
) -> None:
    """Rows whose key the database already holds, found with one semi-join in the database itself."""
    if kind == "summary":
        incoming = pd.DataFrame(
            {
                "county": values["county"].astype("Int64").to_numpy(),
                "start_day": pd.to_datetime(values["start"]).to_numpy(),
                "end_day": pd.to_datetime(values["end"]).to_numpy(),
                "row": values.index.to_numpy(),
            }
        )
        query = (
            "SELECT i.row FROM incoming_keys i SEMI JOIN county_summaries s ON s.county_code = i.county "
            "AND s.period_start = CAST(i.start_day AS DATE) AND s.period_end = CAST(i.end_day AS DATE) ORDER BY i.row"
        )
        column, label = "单位", "该县区此时段的汇总已在数据库中"
        shown = shown if shown is not None else values["county"].astype(str)
    else:
        incoming = _arrow({"key": values["id"], "row": values.index.to_series()})
        table = "inspections" if kind == "inspections" else "cases"  # one of a fixed pair, never user text
        query = f"SELECT i.row FROM incoming_keys i SEMI JOIN {table} t ON t.id = i.key ORDER BY i.row"
        column, label = FIELDS[kind][0].label, "编号已存在于数据库中（已导入过）"
        shown = shown if shown is not None else values["id"].astype(str)
    connection.register("incoming_keys", incoming)
    try:
        stored = [row for (row,) in connection.execute(query).fetchall()]
    finally:
        connection.unregister("incoming_keys")
    problems.add(pd.Index(stored), column, shown, label)


def _arrow(columns: dict[str, pd.Series]) -> pa.Table:
    """Columns as an Arrow table, which DuckDB scans without touching a Python object per row."""
    return pa.table({name: pa.array(column, from_pandas=True) for name, column in columns.items()})


def log_import(
    connection: duckdb.DuckDBPyConnection,
    file_name: str,
    checksum: str,
    kind: str,
    row_count: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    actor: str | None = None,
) -> int:
    """A new import-log row, inside the caller's transaction; returns its id.

    Ids come from a sequence, so two writers never compute the same id. Who imported is ``actor``, else the actor
    the store's transaction set (``getvariable('write_actor')``).
    """
    row = connection.execute(
        """
        INSERT INTO import_log (id, file_name, checksum, kind, row_count, period_start, period_end, imported_at,
                                imported_by)
        VALUES (nextval('import_log_ids'), ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, coalesce(?, getvariable('write_actor')))
        RETURNING id
        """,
        [file_name, checksum, kind, row_count, start, end, actor],
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
    """Append summary rows: every catalogue measure the file carries, NULL for those it lacks; fines in yuan."""
    stored = {
        "county_code": "CAST(county AS INTEGER)",
        "period_start": "CAST(start AS DATE)",
        "period_end": 'CAST("end" AS DATE)',
        "fine_yuan": "CAST(CAST(CAST(fines AS VARCHAR) AS DECIMAL(24, 6)) * 10000 AS DECIMAL(18, 2))",
        "import_id": str(int(import_id)),
    }
    for key in SUMMARY_MEASURES:
        if key != "fines":
            stored[key] = f"CAST({key} AS {'DOUBLE' if CATALOGUE[key].is_rate else 'BIGINT'})"
    frame = values.loc[:, ["county", "start", "end", *SUMMARY_MEASURES]].reset_index(drop=True)
    for key in SUMMARY_MEASURES:  # a column the file lacks is all None: typed, so the cast has something to read
        if frame[key].isna().all():
            frame[key] = pd.Series(pd.NA, index=frame.index, dtype="Float64" if key != "fines" else "string")
    order = [
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'county_summaries' "
            "AND schema_name = 'main' AND database_name = current_database() ORDER BY column_index"
        ).fetchall()
    ]
    _append(connection, "county_summaries", frame, ", ".join(stored[column] for column in order))


def _append(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, selected: str) -> None:
    """Insert a DataFrame as a relation: nothing is registered, so an aborted transaction leaves nothing behind."""
    connection.from_df(frame.reset_index(drop=True)).project(selected).insert_into(table)


def _as_date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


def _shown(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return ""
    if isinstance(value, pd.Timestamp | dt.date):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def template_rows(kind: str) -> pd.DataFrame:
    """An empty import file for a clerk: the expected headers and one example row (the summary's further catalogue
    measures are listed on the data page and may be added as columns)."""
    fields = [f for f in FIELDS[kind] if f.example]
    return pd.DataFrame([[f.example for f in fields]], columns=[f.label for f in fields])
