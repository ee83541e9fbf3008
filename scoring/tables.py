"""Read county tables as people send them: CSV or XLSX, UTF-8 or GBK, Chinese or English headers.

Shared by ``python -m scoring`` and the records importer, so a header that one accepts the other does too.

A file is data from outside, so its size is checked before its content is trusted: an XLSX's unpacked parts and the
real extent of its sheet are measured while streaming through the zip, before the sheet is loaded; a CSV's lines,
rows and columns before it is parsed. A file beyond ``LIMITS`` is refused with one sentence, in Chinese.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

MB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ReadLimits:
    """What one import file may hold; the README lists these figures.

    The XLSX cell limit is lower than the CSV rows allow because a sheet is held in memory as a dense grid.
    """

    max_file_bytes: int = 256 * MB  # the file as uploaded
    max_unpacked_bytes: int = 1024 * MB  # XLSX: all parts of the zip together, unpacked
    max_sheets: int = 64  # XLSX: worksheets in the workbook (only the first is read)
    max_rows: int = 2_000_000  # rows of a CSV or of the sheet, header and blank rows included
    max_columns: int = 100  # columns of any row
    max_cells: int = 30_000_000  # CSV: rows × columns (2,000,000 rows of 15 columns)
    max_sheet_cells: int = 4_000_000  # XLSX: rows × columns of the sheet's extent (300,000 rows of 13 columns)
    max_line_bytes: int = 1 * MB  # CSV: one line
    max_cell_chars: int = 32_767  # one cell, Excel's own limit
    max_reader_bytes: int = 512 * MB  # XLSX: the memory of the process that reads the sheet
    max_seconds: int = 120  # XLSX: the time that process may take


LIMITS = ReadLimits()

HEADER_AREA_ROWS = 30  # title rows, the 附件 line, group and sub-header rows all sit within these
_CHUNK = 4 * MB


class TableReadError(ValueError):
    """A file that cannot be read as a table; the message is for the user, in Chinese."""


def normalise_header(header: object) -> str:
    """Full-width brackets and letters become half-width, spaces and case are ignored.

    >>> normalise_header(" 检查生产经营单位（家次） ")
    '检查生产经营单位(家次)'
    """
    text = unicodedata.normalize("NFKC", str(header))
    return "".join(text.split()).lower()


def read_raw_table(
    source: str | Path | bytes, file_name: str | None = None, limits: ReadLimits = LIMITS
) -> pd.DataFrame:
    """Every cell as text, no header row chosen yet: row ``i`` is the row a spreadsheet numbers ``i + 1``.

    >>> read_raw_table("单位,立案数\\n\\n驿城区,1\\n".encode(), "a.csv").values.tolist()
    [['单位', '立案数'], ['', ''], ['驿城区', '1']]
    """
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "上传文件")
    raw = source if isinstance(source, bytes) else _read_bytes(Path(source), name, limits)
    if len(raw) > limits.max_file_bytes:
        raise TableReadError(_too_big(name, len(raw), limits))
    if not raw or raw.isspace():  # isspace stops at the first other byte and copies nothing
        raise TableReadError(f"文件“{name}”是空的")
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(raw, name, limits)
    if name.lower().endswith((".xlsx", ".xls", ".xlsm")) or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableReadError(f"文件“{name}”不是有效的 XLSX 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）")
    return _read_csv(raw, name, limits)


def _too_big(name: str, size: int, limits: ReadLimits) -> str:
    return f"文件“{name}”有 {size / MB:,.0f} MB，超过导入上限 {limits.max_file_bytes / MB:,.0f} MB：请拆分后分批导入"


def _read_bytes(path: Path, name: str, limits: ReadLimits) -> bytes:
    try:
        if path.is_dir():
            raise TableReadError(f"“{name}”是文件夹，不是文件")
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise TableReadError(_too_big(name, size, limits))
        return path.read_bytes()
    except FileNotFoundError as error:
        raise TableReadError(f"找不到文件“{name}”") from error
    except OSError as error:
        raise TableReadError(f"无法读取文件“{name}”：{error.strerror or '系统错误'}") from error


# --- CSV -------------------------------------------------------------------------------------------------------------


def _read_csv(raw: bytes, name: str, limits: ReadLimits) -> pd.DataFrame:
    utf8 = _as_utf8(raw, name)
    if b"\x00" in utf8[:4096]:
        raise TableReadError(f"文件“{name}”不是文本表格：请上传 CSV 或 XLSX 文件")
    _check_lines(utf8, name, limits)
    first_line = utf8.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    width = len(next(csv.reader([first_line], delimiter=separator), []))
    if width > limits.max_columns:
        raise TableReadError(_too_wide(name, 1, width, limits))
    lines = utf8.count(b"\n") + 1
    if lines * width > limits.max_cells:
        raise TableReadError(_too_many_cells(name, lines, width, limits))
    try:
        return _read_csv_fast(utf8, width, separator)
    except pa.ArrowInvalid:
        pass  # ragged rows (a title line above the header, blank lines, a note below): read it row by row
    return _read_csv_rows(utf8, name, separator, limits)


def _as_utf8(raw: bytes, name: str) -> bytes:
    """The file as UTF-8 bytes: UTF-8 is checked in pieces and kept as it is; UTF-16 and GBK/GB18030 are converted."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _transcode(raw, "utf-16", name)
    content = raw.removeprefix(b"\xef\xbb\xbf")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), _CHUNK):
            decoder.decode(content[start : start + _CHUNK])
        decoder.decode(b"", final=True)
        return content
    except UnicodeDecodeError:
        return _transcode(content, "gb18030", name)


def _transcode(raw: bytes, encoding: str, name: str) -> bytes:
    decoder = codecs.getincrementaldecoder(encoding)()
    parts: list[bytes] = []
    position = 0
    try:
        for position in range(0, len(raw), _CHUNK):
            parts.append(decoder.decode(raw[position : position + _CHUNK]).encode("utf-8"))
        parts.append(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as error:
        where = position + max(error.start, 0) + 1
        raise TableReadError(
            f"文件“{name}”第{where}个字节处无法识别编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX 文件"
        ) from error
    return b"".join(parts).removeprefix("\ufeff".encode())


def _check_lines(content: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse a file with too many lines or one line too long, counted on the bytes without parsing them."""
    lines = content.count(b"\n") + (not content.endswith(b"\n"))
    if lines > limits.max_rows:
        raise TableReadError(f"文件“{name}”有 {lines:,} 行，超过导入上限 {limits.max_rows:,} 行：请拆分后分批导入")
    longest, line, carry = 0, 0, 0
    longest_line = 1
    for start in range(0, len(content), _CHUNK):
        chunk = np.frombuffer(content, dtype=np.uint8, count=min(_CHUNK, len(content) - start), offset=start)
        breaks = np.flatnonzero(chunk == 10)
        if len(breaks) == 0:
            carry += len(chunk)
        else:
            lengths = np.diff(breaks, prepend=-1)
            lengths[0] += carry
            position = int(np.argmax(lengths))
            if lengths[position] > longest:
                longest, longest_line = int(lengths[position]), line + position + 1
            line += len(breaks)
            carry = len(chunk) - int(breaks[-1]) - 1
        if carry > longest:
            longest, longest_line = carry, line + 1
        if longest > limits.max_line_bytes:
            raise TableReadError(
                f"文件“{name}”第{longest_line}行超过 {limits.max_line_bytes / MB:g} MB，不像是表格数据：请检查文件"
            )


def _too_many_cells(name: str, rows: int, width: int, limits: ReadLimits) -> str:
    return (
        f"文件“{name}”有 {rows:,} 行 × {width} 列，超过导入上限 {limits.max_cells:,} 个单元格："
        "请只保留需要导入的列，或拆分后分批导入"
    )


def _too_wide(name: str, row: int, width: int, limits: ReadLimits) -> str:
    return f"文件“{name}”第{row}行有 {width:,} 列，超过导入上限 {limits.max_columns} 列：请只保留需要导入的列"


def _read_csv_fast(content: bytes | memoryview, width: int, separator: str) -> pd.DataFrame:
    """Every cell as Arrow-backed text, read by pyarrow: a million rows in well under a second.

    Blank lines stay rows (a spreadsheet numbers them), so a file with blank lines or ragged rows raises
    ``ArrowInvalid`` here and is read row by row instead.
    """
    names = [str(position) for position in range(width)]
    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(content)),
        read_options=pacsv.ReadOptions(column_names=names, block_size=4 * MB),
        parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    frame: pd.DataFrame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = pd.RangeIndex(width)
    return frame


def _read_csv_rows(content: bytes, name: str, separator: str, limits: ReadLimits) -> pd.DataFrame:
    """The careful reader: one row at a time, each checked against the limits, padded to the widest row.

    Rows are turned into Arrow columns a block at a time, so a large file never lives as Python lists.
    """
    csv.field_size_limit(limits.max_line_bytes)
    lines = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8", newline="")
    blocks: list[tuple[int, list[pa.Array]]] = []
    block: list[list[str]] = []
    width = cells = number = 0
    try:
        for number, row in enumerate(csv.reader(lines, delimiter=separator), start=1):
            if len(row) > limits.max_columns:
                raise TableReadError(_too_wide(name, number, len(row), limits))
            width = max(width, len(row))
            cells += max(len(row), 1)
            if cells > limits.max_cells:
                raise TableReadError(_too_many_cells(name, number, width, limits))
            block.append(row)
            if len(block) == 65_536:
                blocks.append(_columns_of(block))
                block = []
    except csv.Error as error:
        raise TableReadError(f"文件“{name}”第{number + 1}行无法按 CSV 读取（引号不成对或单元格过长）") from error
    blocks.append(_columns_of(block))
    columns = {
        position: pa.chunked_array(
            [
                part[position] if position < len(part) else pa.nulls(count, pa.string()).fill_null("")
                for count, part in blocks
            ],
            type=pa.string(),
        )
        for position in range(width)
    }
    frame = pd.DataFrame({position: pd.arrays.ArrowStringArray(column) for position, column in columns.items()})
    filled = np.zeros(len(frame), dtype=bool)
    for position in range(width):
        filled |= (frame[position] != "").to_numpy(dtype=bool)
    last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    return frame.iloc[:last]


def _columns_of(rows: list[list[str]]) -> tuple[int, list[pa.Array]]:
    """Rows of uneven length as their count and equal Arrow columns of text (a missing cell is empty)."""
    width = max((len(row) for row in rows), default=0)
    padded = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]
    return len(rows), [pa.array(column, type=pa.string()) for column in zip(*padded, strict=True)]


# --- XLSX ------------------------------------------------------------------------------------------------------------

_SHEET_TARGET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="[A-Z]*\d*:?([A-Z]+)(\d+)"')
_WORKER = Path(__file__).with_name("_sheet_worker.py")
_READ_BY_ROWS = 5  # the scan leaves the sheet to python-calamine's whole read (_sheet_worker.READ_BY_ROWS)
# The scan makes and drops arrays of a few MB for every piece of the sheet. glibc's own threshold sends each to mmap
# until a free raises it, and hands the freed heap back to the kernel, so the next piece faults in fresh zeroed pages
# again (about a fifth of the reader's CPU was the kernel's). Arrays up to 32 MB (glibc's largest threshold) come from
# the heap, and the heap is kept: the same pages serve every piece. The cap (RLIMIT_AS) still bounds all of it.
_WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * MB), "MALLOC_TRIM_THRESHOLD_": str(1024 * MB)}
# How the reading process ended, when it did not finish: out of memory (its own MemoryError, or an abort or a kill
# when the Rust reader could not allocate), or without its reader installed.
_WORKER_ENDS = {
    3: "memory",
    -signal.SIGABRT: "memory",
    -signal.SIGKILL: "memory",
    -signal.SIGSEGV: "memory",
    4: "missing",
}


def _read_xlsx(raw: bytes, name: str, limits: ReadLimits) -> pd.DataFrame:
    """Check the zip and the sheet's claimed extent here, then read the sheet in a capped process of its own."""
    damaged = f"文件“{name}”不是有效的 XLSX 文件（文件已损坏或不完整）：请在 Excel 中重新保存后再导入"
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            _check_archive(archive, name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, KeyError) as error:
        raise TableReadError(damaged) from error
    returncode, output = _run_worker(raw, name, limits)
    first_line = output.find(b"\n")
    head, body = bytes(output[: max(first_line, 0)]), memoryview(output)[first_line + 1 :]
    try:
        said: dict[str, Any] = json.loads(head) if returncode == 0 else {"refused": _WORKER_ENDS.get(returncode, "")}
    except ValueError:
        said = {"refused": "damaged", "value": ""}
    if "refused" in said:
        raise TableReadError(_sheet_refusal(name, said, limits, damaged))
    merged = [[int(number) for number in quad] for quad in said["merged"]]
    try:
        frame = _sheet_frame(body, said, name, limits)
    except TableReadError:
        raise
    except (ValueError, KeyError, TypeError) as error:  # output that does not add up: the reader was confused
        raise TableReadError(damaged) from error
    return _fill_merged_header_cells(frame, merged)


def _run_worker(raw: bytes, name: str, limits: ReadLimits) -> tuple[int, bytearray]:
    """Run the sheet reader on ``raw``; its output (no larger than a CSV we accept) and its time are capped as its
    memory is. A sheet its scan does not read is read by python-calamine in a second process, within the same time."""
    settings: dict[str, object] = {**dataclasses.asdict(limits), "header_rows": HEADER_AREA_ROWS}
    deadline = time.monotonic() + limits.max_seconds
    returncode, output = _run_worker_once(raw, name, limits, settings, deadline)
    if returncode == _READ_BY_ROWS:
        returncode, output = _run_worker_once(raw, name, limits, {**settings, "reader": "rows"}, deadline)
    return returncode, output


def _run_worker_once(
    raw: bytes, name: str, limits: ReadLimits, settings: dict[str, object], deadline: float
) -> tuple[int, bytearray]:
    worker = subprocess.Popen(
        [sys.executable, str(_WORKER), json.dumps(settings)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # The scan's threads need no BLAS threads, nor a malloc arena each: the cap counts address space.
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "1", **_WORKER_MALLOC},
    )
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        worker.kill()

    timer = threading.Timer(max(deadline - time.monotonic(), 0), stop)
    timer.start()
    output = bytearray()
    try:
        assert worker.stdin is not None and worker.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            worker.stdin.write(raw)
            worker.stdin.close()
        while chunk := worker.stdout.read(MB):
            output += chunk
            if len(output) > limits.max_file_bytes:
                raise TableReadError(
                    f"文件“{name}”的表格内容超过 {limits.max_file_bytes / MB:,.0f} MB：请删除多余的行列或拆分文件"
                )
        returncode = worker.wait()
    finally:
        timer.cancel()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    if expired.is_set():
        raise TableReadError(
            f"文件“{name}”读取超过 {limits.max_seconds} 秒仍未完成：请删除多余的行列，或另存为 CSV 后导入"
        )
    return returncode, output


def _check_archive(archive: zipfile.ZipFile, name: str, limits: ReadLimits) -> None:
    """The parts' declared sizes and the first sheet's ``<dimension>``: cheap refusals before anything is unpacked."""
    members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes or len(members) > 10 * limits.max_sheets + 100:
        raise TableReadError(
            f"文件“{name}”解压后有 {unpacked / MB:,.0f} MB，超过导入上限 {limits.max_unpacked_bytes / MB:,.0f} MB："
            "请只保留需要导入的工作表，或另存为 CSV"
        )
    sheets = [m for m in members if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")]
    if len(sheets) > limits.max_sheets:
        raise TableReadError(f"文件“{name}”有 {len(sheets)} 个工作表，超过导入上限 {limits.max_sheets} 个")
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise TableReadError(f"文件“{name}”不是 Excel 工作簿：请上传 CSV 或 XLSX 文件")
    first = _SHEET_TARGET.search(_head_of(archive, "xl/workbook.xml"))
    if first is None:
        raise TableReadError(f"文件“{name}”中没有工作表")
    for relation in _RELATIONSHIP.findall(_head_of(archive, "xl/_rels/workbook.xml.rels")):
        target = re.search(rb'\bTarget="([^"]+)"', relation)
        if target and re.search(rb'\bId="' + re.escape(first.group(1)) + rb'"', relation):
            part = target.group(1).decode("utf-8", "replace")
            part = part.lstrip("/") if part.startswith("/") else f"xl/{part}"
            claimed = _DIMENSION.search(_head_of(archive, part)) if part in names else None
            if claimed:
                _check_extent(name, int(claimed.group(2)), _column_number(claimed.group(1)), limits)


def _head_of(archive: zipfile.ZipFile, part: str, size: int = 64 * 1024) -> bytes:
    """The start of a part: enough for the workbook's sheet list, the relationships, or a sheet's dimension."""
    with archive.open(part) as stream:
        return stream.read(size)


def _check_extent(name: str, rows: int, columns: int, limits: ReadLimits) -> None:
    if columns > limits.max_columns:
        raise TableReadError(
            f"文件“{name}”的工作表有数据写在第 {columns:,} 列，超过导入上限 {limits.max_columns} 列：请删除多余的列"
        )
    if rows > limits.max_rows:
        raise TableReadError(
            f"文件“{name}”的工作表有数据写在第 {rows:,} 行，超过导入上限 {limits.max_rows:,} 行："
            "请删除多余的行或拆分文件"
        )
    if rows * columns > limits.max_sheet_cells:
        raise TableReadError(
            f"文件“{name}”的工作表范围为 {rows:,} 行 × {columns} 列，超过导入上限 {limits.max_sheet_cells:,} 个单元格："
            "请删除多余的行列，或另存为 CSV 后导入"
        )


def _sheet_refusal(name: str, said: dict[str, Any], limits: ReadLimits, damaged: str) -> str:
    reason = said["refused"]
    value: int = said["value"] if isinstance(said.get("value"), int) else 0
    if reason in ("rows", "columns", "cells"):
        rows = int(said.get("rows", value if reason == "rows" else 0))
        columns = int(said.get("columns", value if reason == "columns" else 0))
        try:
            _check_extent(name, rows, columns, limits)
        except TableReadError as error:
            return str(error)
    if reason == "missing":
        return "读取 XLSX 文件所需的 python-calamine 未安装：请运行 ./start.sh 安装依赖，或另存为 CSV 后导入"
    if reason == "sheets":
        return f"文件“{name}”有 {value} 个工作表，超过导入上限 {limits.max_sheets} 个"
    if reason == "memory":
        return (
            f"文件“{name}”的工作表范围过大，读取所需内存超过上限 {limits.max_reader_bytes / MB:,.0f} MB："
            "请删除多余的行列（常见于远处误填的单元格），或另存为 CSV 后导入"
        )
    return damaged


def _sheet_frame(body: bytes | memoryview, said: dict[str, object], name: str, limits: ReadLimits) -> pd.DataFrame:
    """The worker's cells as columns of text a clerk sees, with the empty columns left of the sheet's first column
    restored."""
    offset, width = int(said["offset"]), int(said["width"])  # type: ignore[call-overload]
    if width == 0 or not len(body):
        return pd.DataFrame(dtype=str)
    if said.get("format") == "table":
        frame, longest = _table_frame(body, said, width)
    else:
        frame = _read_csv_fast(body, width, ",")
        for position in range(width):
            frame[position] = _as_clerk_sees(frame[position])
        longest = max((frame[column].str.len().max() or 0) for column in frame.columns)
    for position in range(offset):
        frame.insert(position, f"blank{position}", "")
    frame.columns = pd.RangeIndex(offset + width)
    if longest > limits.max_cell_chars:
        raise TableReadError(f"文件“{name}”有单元格超过 {limits.max_cell_chars:,} 个字符：请检查文件")
    return frame


def _table_frame(body: bytes | memoryview, said: dict[str, object], width: int) -> tuple[pd.DataFrame, int]:
    """The worker's distinct texts, each made what a clerk sees once, spread over the rows by their numbers, and the
    length of the longest cell (in characters, as ``str.len`` counts them), found from the distinct texts' lengths.

    ``body`` holds the texts' offsets (int32), their UTF-8 bytes, then per column each row's text number (int32).
    """
    texts, size, rows = (int(said[key]) for key in ("texts", "text_bytes", "rows"))  # type: ignore[call-overload]
    start = 4 * (texts + 1)
    if len(body) != start + size + 4 * rows * width:
        raise ValueError("the sheet reader's output is incomplete")
    buffer = pa.py_buffer(body)
    values = pa.StringArray.from_buffers(texts, buffer.slice(0, start), buffer.slice(start, size))
    values.validate(full=True)  # offsets in order and text in UTF-8, or ArrowInvalid (a ValueError)
    numbers = np.frombuffer(body, dtype=np.int32, count=rows * width, offset=start + size)
    if len(numbers) and (numbers.min() < 0 or numbers.max() >= texts):
        raise ValueError("the sheet reader's output names a text it does not hold")
    # As _as_clerk_sees decides per column: a column with a decimal point or a word such as True reads as numbers.
    leads = _leads_to_numbers(values).to_numpy(zero_copy_only=False)
    maybe = leads | pc.match_substring(values, "e").to_numpy(zero_copy_only=False)  # the texts that may change
    seen = values
    if maybe.any():
        changed = _clerk_texts(values.filter(pa.array(maybe)))
        seen = pc.replace_with_mask(values, pa.array(maybe), changed)
    value_lengths = pc.utf8_length(values).to_numpy(zero_copy_only=False)
    seen_lengths = pc.utf8_length(seen).to_numpy(zero_copy_only=False) if seen is not values else value_lengths
    columns, longest = {}, 0
    for position in range(width):
        numbered = numbers[position * rows : (position + 1) * rows]
        as_numbers = bool(leads[numbered].any())  # the column reads as numbers (what a clerk sees), or as it is
        columns[position] = pd.arrays.ArrowStringArray((seen if as_numbers else values).take(pa.array(numbered)))
        if rows:
            longest = max(longest, int((seen_lengths if as_numbers else value_lengths)[numbered].max()))
    return pd.DataFrame(columns), longest


_WHOLE_NUMBER = r"^(-?\d{1,16})\.0$"
_LONG_NUMBER = r"^-?\d*\.\d{7,}$|^-?\d+(\.\d+)?e[-+]\d+$"
_CELL_WORDS = {"True": "TRUE", "False": "FALSE", "nan": ""}


def _as_clerk_sees(column: pd.Series) -> pd.Series:
    """Number cells as Excel shows them: 2000.0 as 2000, 0.30000000000000004 as 0.3 (15 significant digits).

    >>> _as_clerk_sees(pd.Series(["2000.0", "0.30000000000000004", "9999999999.99", "驿城区", "True"])).tolist()
    ['2000', '0.3', '9999999999.99', '驿城区', 'TRUE']
    """
    values = _one_chunk(pa.array(column.array))
    if not pc.any(_leads_to_numbers(values)).as_py():  # text, dates and whole numbers written as 2000
        return column
    return pd.Series(pd.arrays.ArrowStringArray(_clerk_texts(values)), index=column.index)


def _leads_to_numbers(values: pa.Array) -> pa.Array:
    """The texts that make a column read as numbers: with a decimal point, or Python's words for a cell."""
    return pc.or_(pc.match_substring(values, "."), pc.is_in(values, value_set=pa.array(list(_CELL_WORDS))))


def _clerk_texts(values: pa.Array) -> pa.Array:
    """Each text as a clerk sees it, in a column read as numbers (each text on its own, whatever its neighbours)."""
    values = pc.replace_substring_regex(values, pattern=_WHOLE_NUMBER, replacement=r"\1")
    unusual = pc.or_(
        pc.match_substring_regex(values, pattern=_LONG_NUMBER), pc.is_in(values, value_set=pa.array(list(_CELL_WORDS)))
    )
    if not pc.any(unusual).as_py():
        return values
    texts = values.filter(unusual).to_pylist()
    fixed = [_CELL_WORDS[text] if text in _CELL_WORDS else _rounded(text) for text in texts]
    return pc.replace_with_mask(values, unusual, pa.array(fixed, type=values.type))


def _one_chunk(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _rounded(text: str) -> str:
    number = float(text)
    return str(int(number)) if number.is_integer() and abs(number) < 1e16 else format(number, ".15g")


def _column_number(letters: bytes) -> int:
    """
    >>> _column_number(b"A"), _column_number(b"Z"), _column_number(b"AA"), _column_number(b"XFD")
    (1, 26, 27, 16384)
    """
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _fill_merged_header_cells(table: pd.DataFrame, merged: Iterable[Iterable[int]]) -> pd.DataFrame:
    """Copy a merged header cell's text into every cell it covers, as a reader of the printed table sees it.

    ``merged`` holds (top, left, bottom, right), counted from 0. Only the header area is filled: a note merged
    across the table's width stays one cell's text.
    """
    ranges = []
    for top, left, bottom, right in (tuple(quad) for quad in merged):
        if top < min(HEADER_AREA_ROWS, len(table)) and left < table.shape[1]:
            ranges.append(
                (top, left, min(bottom, HEADER_AREA_ROWS - 1, len(table) - 1), min(right, table.shape[1] - 1))
            )
    if not ranges:
        return table
    head = table.iloc[:HEADER_AREA_ROWS].astype(object).to_numpy()
    for top, left, bottom, right in ranges:
        head[top : bottom + 1, left : right + 1] = head[top, left]
    filled = table.astype(object)
    filled.iloc[: len(head)] = head
    return filled.astype("string[pyarrow]")


# --- the header and the body -----------------------------------------------------------------------------------------

VALUE_WORDS = frozenset(
    {"数量", "数值", "数", "值", "实际值", "完成数", "完成", "家次", "人次", "份", "起", "万元", "元"}
)


def combine_header_rows(group: list[str], sub: list[str]) -> list[str]:
    """One header from a group row above a sub-header row, as the printed attachment has them.

    A sub-header names its column; where it is empty (a cell merged down from the group row) or only says 数量/家次,
    the group row's name stands, carried across the columns the group spans.

    >>> combine_header_rows(["名次", "单位", "一", "", ""], ["", "", "检查生产经营单位(家次)", "排名", "得分"])
    ['名次', '单位', '检查生产经营单位(家次)', '排名', '得分']
    >>> combine_header_rows(["单位", "立案数", ""], ["", "数量", "排名"])
    ['单位', '立案数', '排名']
    """
    combined: list[str] = []
    spanning = ""
    for above, below in zip(group, sub, strict=False):
        above, below = str(above).strip(), str(below).strip()
        spanning = above or spanning
        if below and normalise_header(below) not in VALUE_WORDS:
            combined.append(below)
        elif below:
            combined.append(spanning or below)
        else:
            combined.append(above)
    return combined


def locate_header(
    raw: pd.DataFrame, fields_named: Callable[[list[str]], int], look_ahead: int = HEADER_AREA_ROWS
) -> tuple[int, list[str]]:
    """The header row (its position, and its cells) among the first rows, wherever title lines put it.

    ``fields_named(cells)`` says how many fields a candidate header names (0 for "not a header"). A single row and
    a group row combined with the sub-header row below it are both tried; the pair wins when it names more fields,
    so the printed attachment (名次/单位/三项执法总得分 in the group row, the measures below) reads whole.
    The position returned is that of the last header row: data starts below it.
    """
    rows = [[str(value) for value in raw.iloc[row].tolist()] for row in range(min(look_ahead + 1, len(raw)))]
    for row, cells in enumerate(rows[:look_ahead]):
        single = fields_named(cells)
        pair = fields_named(combine_header_rows(cells, rows[row + 1])) if row + 1 < len(rows) else 0
        if pair > single:
            return row + 1, combine_header_rows(cells, rows[row + 1])
        if single:
            return row, cells
    return 0, rows[0] if rows else []


NOTE_PREFIXES = (
    "得分说明",
    "说明",
    "注",
    "备注",
    "附注",
    "附件",
    "附表",
    "数据来源",
    "资料来源",
    "来源",
    "制表",
    "填表",
    "填报",
    "审核",
    "负责人",
    "联系人",
    "联系电话",
    "*",
    "※",
)
TOTAL_LABELS = frozenset({"合计", "总计", "小计", "全市", "全市合计", "全市总计", "全省合计", "汇总"})


def is_note_row(cells: Iterable[object]) -> bool:
    """A line of text under or over a table (得分说明, 注, 制表人), never a row of data.

    >>> is_note_row(["得分说明：每一项得分满分10分，第一名得10分", "", ""])
    True
    >>> is_note_row(["驿城区", "", ""]), is_note_row(["注：", "罚款单位为万元"]), is_note_row(["", "", ""])
    (False, True, False)
    """
    texts = [str(cell).strip() for cell in cells if str(cell).strip()]
    if not texts:
        return False
    first = unicodedata.normalize("NFKC", texts[0])
    for prefix in NOTE_PREFIXES:
        if first.startswith(prefix) and (first == prefix or first[len(prefix)] in ":(,、 "):
            return True
    return len(set(texts)) == 1 and (any(mark in first for mark in ":;。") or len(first) > 30)


def is_total_label(text: object) -> bool:
    """
    >>> is_total_label("合 计"), is_total_label("全市合计"), is_total_label("驿城区")
    (True, True, False)
    """
    return normalise_header(text) in TOTAL_LABELS


def data_rows(raw: pd.DataFrame, header_row: int) -> pd.DataFrame:
    """The rows below the header that hold data: blank rows and note lines dropped, spreadsheet row numbers kept.

    >>> raw = pd.DataFrame([["单位", "立案数"], ["驿城区", "1"], ["", ""], ["注：罚款单位为万元", ""]])
    >>> data_rows(raw, 0).index.tolist()
    [1]
    """
    body = raw.iloc[header_row + 1 :]
    if body.empty:
        return body
    filled = np.column_stack([(body[column] != "").to_numpy(dtype=bool) for column in body.columns])
    keep = np.array(filled.any(axis=1), dtype=bool)
    sparse = filled.sum(axis=1) <= 2  # a note holds one or two cells of text
    if body.shape[1] > 1:  # or it was merged across the table, and every cell repeats it
        sparse |= (body.iloc[:, 0] == body.iloc[:, 1]).to_numpy(dtype=bool)
    for position in np.flatnonzero(keep & sparse):
        if is_note_row(body.iloc[position].tolist()):
            keep[position] = False
    return body.iloc[np.flatnonzero(keep)]
