"""Read the first sheet of an XLSX in a process of its own, under a memory cap, and write it out for the reading side.

Run by ``scoring.tables`` as a script (``python _sheet_worker.py LIMITS_JSON``), with the workbook on standard
input. Standard output: one JSON line (what was read, or why it was refused), then the cells in one of two forms.

The usual sheet, as Excel, WPS, openpyxl and pandas write it, is read by ``_read_columns``: the sheet's XML is
scanned in pieces with numpy, on two threads (where every tag starts, what its attributes say, where each value's
text lies), so no Python object is made per cell. Each distinct text is sent once, with, per column, the number of
the text in each row ("format": "table"). Shared strings of plain text are taken as they are; every other distinct
value (numbers, dates, booleans, rich text, escaped characters) is read by ``python-calamine`` itself, from a small
workbook that holds each such value once beside the original styles, so a value reads exactly as the whole sheet
read by ``python-calamine`` would give it.

Anything else in the XML (cells without references, out of order, or with attributes in another order than r, s, t;
namespaced tags, comments; more than ``MOST_VALUES`` distinct values) is read by ``_read_rows``: ``python-calamine``
reads the whole sheet and the rows are written as CSV ("format": "csv"). That happens in a second process (the first
ends with ``READ_BY_ROWS``), so the careful read has the whole memory cap to itself. The Rust reader holds a sheet
as a dense grid and aborts its process when a grid cannot be allocated (a cell at XFD1048576 beside one at A1 asks
for 550 GB), so both readers run in a process of their own, where an abort or the cap ends that process only. numpy
is imported before the cap is set; whatever either reader allocates comes after it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import resource
import sys
import threading
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import IO, Any, TextIO

import numpy as np
from numpy.typing import NDArray

Positions = NDArray[np.int64]

OUT_OF_MEMORY = 3  # exit codes the reading side understands; an abort by the Rust reader is a signal
READER_MISSING = 4
READ_BY_ROWS = 5  # the scan does not read this sheet: run again with "reader": "rows"
PIECE = 4 * 1024 * 1024  # the sheet's XML is scanned this much at a time, cut at a row's end
LONGEST_PIECE = 64 * 1024 * 1024  # one row longer than this is left to python-calamine
MOST_VALUES = 500_000  # distinct values beyond shared strings: more are left to python-calamine's whole read
ORACLE_CELLS = 100_000  # distinct values read by python-calamine at a time


def main() -> int:
    limits = json.loads(sys.argv[1])
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = (
        int(limits["max_reader_bytes"])
        if hard == resource.RLIM_INFINITY
        else min(int(limits["max_reader_bytes"]), hard)
    )
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        import python_calamine  # after the cap, so the readers' own allocations are under it too
    except ImportError:
        return READER_MISSING
    raw = sys.stdin.buffer.read()
    if limits.get("reader") == "rows":
        try:
            return _read_rows(python_calamine, raw, limits)
        except MemoryError:
            return OUT_OF_MEMORY
    try:
        said = _read_columns(raw, limits, python_calamine)
    except (MemoryError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError):
        said = None
    except (IndexError, python_calamine.CalamineError):
        said = None
    if said is None:
        return READ_BY_ROWS  # the reading side starts a fresh process for _read_rows, with all its memory
    head, parts = said
    out = sys.stdout.buffer
    out.write(json.dumps(head).encode() + b"\n")
    for part in parts:
        out.write(part)
    out.flush()
    return 0


# --- every sheet: python-calamine reads it whole ---------------------------------------------------------------------


def _read_rows(python_calamine: Any, raw: bytes, limits: dict[str, int]) -> int:
    out = sys.stdout
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        if len(workbook.sheet_names) > limits["max_sheets"]:
            return _refuse(out, "sheets", len(workbook.sheet_names))
        sheet = workbook.get_sheet_by_index(0)
    except (python_calamine.CalamineError, ValueError) as error:
        return _refuse(out, "damaged", type(error).__name__)
    if sheet.end is None:
        out.write(json.dumps({"rows": 0, "offset": 0, "width": 0, "merged": []}) + "\n")
        return 0
    rows, columns = sheet.end[0] + 1, sheet.end[1] + 1
    refused = _extent_refusal(rows, columns, limits)
    if refused:
        out.write(json.dumps(refused) + "\n")
        return 0
    offset = sheet.start[1] if sheet.start else 0
    merged = [
        [top, left, bottom, right]
        for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])
        if top < limits["header_rows"]
    ][:1000]
    head = {"format": "csv", "rows": rows, "offset": offset, "width": columns - offset, "merged": merged}
    out.write(json.dumps(head) + "\n")
    # Written by the csv module in C, cell by cell as Python prints it (dates as 2020-01-31, numbers as 2000.0):
    # the reading side turns numbers into the text a clerk sees, a column at a time.
    # Lines end in \r\n so that a cell holding a carriage return (Excel's _x000D_) is quoted like one holding \n.
    csv.writer(out, lineterminator="\r\n").writerows(sheet.iter_rows())
    out.flush()
    return 0


def _refuse(out: TextIO, reason: str, value: object, **more: object) -> int:
    out.write(json.dumps({"refused": reason, "value": value, **more}) + "\n")
    return 0


def _extent_refusal(rows: int, columns: int, limits: dict[str, int]) -> dict[str, object] | None:
    if columns > limits["max_columns"]:
        return {"refused": "columns", "value": columns}
    if rows > limits["max_rows"]:
        return {"refused": "rows", "value": rows}
    if rows * columns > limits["max_sheet_cells"]:
        return {"refused": "cells", "value": rows * columns, "rows": rows, "columns": columns}
    return None


def as_written(value: object) -> str:
    """A cell's value as the csv module writes it, which is what ``_read_rows`` sends.

    >>> import datetime as dt
    >>> [as_written(v) for v in (2000.0, 0.1 + 0.2, True, dt.date(2020, 1, 31), dt.time(8, 30), None, "驿城区")]
    ['2000.0', '0.30000000000000004', 'True', '2020-01-31', '08:30:00', '', '驿城区']
    """
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


# --- the usual sheet: scanned with numpy, each distinct value read once ----------------------------------------------

_SHEET = re.compile(rb'<sheet\b[^>]*?\br:id="([^"]+)"[^>]*>')
_SHEETS_COUNTED = re.compile(rb"<(?:\w+:)?sheet\b")
_RELATION = re.compile(rb"<Relationship\b[^>]*>")
_WORKSHEET = re.compile(rb'\bType="[^"]*/worksheet"')
_WORKBOOK_PROPERTIES = re.compile(rb"<workbookPr\b[^>]*/>")
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"\s*/>')
_TYPES = {b"": 0, b"s": 1, b"n": 2, b"b": 3, b"e": 4, b"str": 5, b"d": 6, b"inlineStr": 7}  # a cell's t, as a code
_SHARED, _TEXT, _ISO_DATE, _INLINE = 1, 5, 6, 7
_ONE_LETTER_TYPES = np.zeros(256, dtype=np.int64)
for _name, _code in _TYPES.items():
    if len(_name) == 1:
        _ONE_LETTER_TYPES[_name[0]] = _code
# The tags the scan reads, by the three bytes after "<" (a "?" stands for any byte).
_TAGS = {b"row": 1, b"/ro": 2, b"c ?": 3, b"/c>": 4, b"v>?": 5, b"/v>": 6, b"f ?": 7, b"f>?": 7, b"f/?": 7, b"/f>": 8}
_TAGS |= {b"is>": 9, b"/is": 10}
ROW, ROW_END, CELL, CELL_END, VALUE, VALUE_END, FORMULA, FORMULA_END, INLINE, INLINE_END, INSIDE = range(1, 12)
_PAD = b"\0" * 64  # so that reading a few bytes past any position stays inside the buffer
_PRESERVE = b'<t xml:space="preserve">'


def _first_quote(words: NDArray[np.uint64]) -> Positions:
    """Where the first double quote is in each 8-byte word (8: none), found in all bytes at once.

    >>> _first_quote(np.array([_word(b'B12" s="'), _word(b"12345678")])).tolist()
    [3, 8]
    """
    other = words ^ _word(b'"' * 8)  # a quote becomes a zero byte
    zero = (other - _word(b"\x01" * 8)) & ~other & _word(b"\x80" * 8)  # the lowest marked byte is the first zero
    lowest = zero & (~zero + np.uint64(1))
    return (np.bitwise_count(lowest - np.uint64(1)) // 8).astype(np.int64)


class _Unusual(Exception):
    """Something the scan does not read; python-calamine reads the whole sheet instead."""


def _read_columns(
    raw: bytes, limits: dict[str, int], python_calamine: Any
) -> tuple[dict[str, Any], list[bytes]] | None:
    """The sheet as distinct texts and, per column, each row's text number; None when ``_read_rows`` must read it."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return _scan_workbook(archive, limits, python_calamine)
    except _Unusual:
        return None


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    return archive.read(name) if name in archive.NameToInfo else b""


def _scan_workbook(
    archive: zipfile.ZipFile, limits: dict[str, int], python_calamine: Any
) -> tuple[dict[str, Any], list[bytes]]:
    workbook = _part(archive, "xl/workbook.xml")
    package = _part(archive, "_rels/.rels")
    if b'Target="xl/workbook.xml"' not in package and b'Target="/xl/workbook.xml"' not in package:
        raise _Unusual
    counted = len(_SHEETS_COUNTED.findall(workbook))
    if counted > limits["max_sheets"]:
        return {"refused": "sheets", "value": counted}, []
    first = _SHEET.search(workbook)
    if first is None:
        raise _Unusual
    target = b""
    for relation in _RELATION.findall(_part(archive, "xl/_rels/workbook.xml.rels")):
        if re.search(rb'\bId="' + re.escape(first.group(1)) + rb'"', relation) and _WORKSHEET.search(relation):
            found = re.search(rb'\bTarget="([^"]+)"', relation)
            target = found.group(1) if found else b""
    part = target.decode("utf-8", "replace")
    part = part.lstrip("/") if part.startswith("/") else f"xl/{part}"
    if not part.startswith("xl/worksheets/") or part not in archive.NameToInfo:
        raise _Unusual
    with ThreadPoolExecutor(max_workers=1) as reader:  # the shared strings are read while the sheet is scanned
        shared = reader.submit(_SharedStrings, archive)  # a ZipFile reads two members at once safely
        try:
            cells = _SheetCells(archive, part)
        finally:
            strings = shared.result()
    if len(cells.rows) == 0:
        return {"format": "table", "rows": 0, "offset": 0, "width": 0, "merged": [], "texts": 0}, []
    rows, columns = int(cells.rows.max()) + 1, int(cells.columns.max()) + 1
    refused = _extent_refusal(rows, columns, limits)
    if refused:
        return refused, []
    merges = [_merged(match) for match in _MERGE.finditer(cells.tail)]
    if len(merges) != len(re.findall(rb"<mergeCell\b", cells.tail)):
        raise _Unusual
    merged = [quad for quad in merges if quad[0] < limits["header_rows"]][:1000]
    read = _oracle(archive, workbook, strings.unusual, cells.values, python_calamine)
    lengths = np.concatenate([strings.lengths, [len(text) for text in read], [0]]).astype(np.int64)  # 0: empty
    text = strings.text + b"".join(read)
    text.decode("utf-8")  # a UnicodeDecodeError is python-calamine's to report
    if len(text) >= 2**31:
        raise _Unusual
    offset = int(cells.columns.min())
    width = columns - offset
    grid = np.full((width, rows), len(lengths) - 1, dtype=np.int32)  # column by column
    grid.reshape(-1)[(cells.columns - offset).astype(np.int64) * rows + cells.rows] = cells.text_numbers(strings)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    head = {
        "format": "table",
        "rows": rows,
        "offset": offset,
        "width": width,
        "merged": merged,
        "texts": len(lengths),
        "text_bytes": len(text),
    }
    return head, [offsets.tobytes(), text, grid.tobytes()]


def _merged(match: re.Match[bytes]) -> list[int]:
    left, top, right, bottom = match.groups()
    return [int(top) - 1, _column_index(left), int(bottom) - 1, _column_index(right)]


def _column_index(letters: bytes) -> int:
    """
    >>> _column_index(b"A"), _column_index(b"AA"), _column_index(b"XFD")
    (0, 26, 16383)
    """
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _pieces(chunks: Iterable[bytes], boundary: bytes) -> Iterator[memoryview]:
    """The chunks again in pieces of about ``PIECE`` bytes, each ending just after a ``boundary``; the last is the
    rest. A piece is a view of bytes that start with it (``piece.obj``), so it is not copied once more."""
    carry = b""
    for more in chunks:
        buffer = carry + more
        cut = buffer.rfind(boundary)
        if cut < 0:
            if len(buffer) > LONGEST_PIECE:
                raise _Unusual
            carry = buffer
            continue
        cut += len(boundary)
        yield memoryview(buffer)[:cut]
        carry = buffer[cut:]
    if carry:
        yield memoryview(carry)


def _chunks(stream: IO[bytes], first: bytes = b"") -> Iterator[bytes]:
    """``first``, then the stream ``PIECE`` bytes at a time."""
    if first:
        yield first
    yield from iter(partial(stream.read, PIECE), b"")


class _Piece:
    """A piece of XML as bytes, as 8-byte words starting at every byte, and where its tags start."""

    def __init__(self, piece: bytes | memoryview) -> None:
        self.size = len(piece)
        self.buffer = b"".join((piece, _PAD))
        self.data = np.frombuffer(self.buffer, dtype=np.uint8)
        self.words: NDArray[np.uint64] = np.ndarray(
            shape=(len(self.buffer) - 7,), dtype="<u8", buffer=self.buffer, strides=(1,)
        )
        self.tags = np.flatnonzero(self.data[: self.size] == 60)

    def key(self, at: Positions, size: int = 3) -> NDArray[np.uint64]:
        """The ``size`` bytes after each "<" at ``at`` as one number."""
        return self.words[at + 1] & np.uint64((1 << (8 * size)) - 1)

    def marks(self, byte: int) -> Positions:
        return np.flatnonzero(self.data[: self.size] == byte)


def _word(text: bytes) -> np.uint64:
    return np.uint64(int.from_bytes(text, "little"))


def _kind_table() -> NDArray[np.int8]:
    """Tag kinds by the three bytes after "<" (as ``_Piece.key`` gives them)."""
    table = np.zeros(1 << 24, dtype=np.int8)
    for text, kind in _TAGS.items():
        low = text[0] | text[1] << 8
        table[low | (np.arange(256) << 16) if text[2:] == b"?" else low | text[2] << 16] = kind
    return table


class _SharedStrings:
    """The shared strings: a plain one's text as it is written, the others (rich text, escapes, spaces at the ends)
    kept as XML for python-calamine to read.

    ``lengths`` and ``text`` hold every string's UTF-8 (an unusual one's as empty); ``numbers`` maps a string's
    number to its text number: its own, or for an unusual one, one after all shared strings.
    """

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.unusual: list[bytes] = []
        lengths: list[Positions] = []
        texts: list[bytes] = []
        where: list[Positions] = []
        count = 0
        if "xl/sharedStrings.xml" in archive.NameToInfo:
            with archive.open("xl/sharedStrings.xml") as stream:
                for piece in _pieces(_chunks(stream), b"</si>"):
                    length, text, unusual = self._read(_Piece(piece))
                    lengths.append(length)
                    texts.append(text)
                    where.append(unusual + count)
                    count += len(length)
        self.lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
        self.text = b"".join(texts)
        self.numbers = np.arange(count, dtype=np.int64)
        unusual_numbers = np.concatenate(where) if where else np.zeros(0, dtype=np.int64)
        self.numbers[unusual_numbers] = count + np.arange(len(unusual_numbers))

    def _read(self, piece: _Piece) -> tuple[Positions, bytes, Positions]:
        tags = piece.tags
        key = piece.key(tags, 4)
        opens = np.flatnonzero((key & np.uint64(0xFFFFFF)) == _word(b"si>"))
        closes = np.flatnonzero(key == _word(b"/si>"))
        if len(opens) != len(closes) or np.any(closes < opens) or np.any(opens[1:] < closes[:-1]):
            raise _Unusual
        if len(opens) == 0:
            if b"<si" in piece.buffer:  # a self-closing <si/>, or a prefixed tag
                raise _Unusual
            return np.zeros(0, dtype=np.int64), b"", np.zeros(0, dtype=np.int64)
        plain = (closes - opens) == 3  # exactly <t…>, the text, </t> inside
        text_open = tags[np.minimum(opens + 1, len(tags) - 1)]
        text_close = tags[np.minimum(opens + 2, len(tags) - 1)]
        bare = (piece.key(text_open, 2)) == _word(b"t>")
        preserved = np.ones(len(opens), dtype=bool)
        for place in range(0, len(_PRESERVE), 8):
            chunk = _PRESERVE[place : place + 8]
            preserved &= piece.words[text_open + place] == _word(chunk)
        plain &= (bare | preserved) & (piece.key(text_close) == _word(b"/t>"))
        starts = text_open + np.where(bare, 3, len(_PRESERVE))
        ends = text_close
        plain &= ends > starts  # an empty <t></t> is left to python-calamine
        # No escapes (&amp;, _x000D_), no carriage returns, no spaces at the ends: the text is what the XML holds.
        escapes = np.flatnonzero((piece.data[: piece.size] == 95) & (piece.data[1 : piece.size + 1] == 120))
        for marks in (piece.marks(38), piece.marks(13), escapes):
            plain &= np.searchsorted(marks, ends) == np.searchsorted(marks, starts)
        spaces = np.array([32, 9, 10, 13], dtype=np.uint8)
        plain &= ~np.isin(piece.data[starts], spaces) & ~np.isin(piece.data[np.maximum(ends - 1, 0)], spaces)
        lengths = np.where(plain, ends - starts, 0)
        unusual = np.flatnonzero(~plain)
        for number in unusual:
            self.unusual.append(piece.buffer[int(tags[opens[number]]) : int(tags[closes[number]]) + 5])
        return lengths, _gather(piece.data, starts, lengths), unusual


def _gather(data: NDArray[np.uint8], starts: Positions, lengths: Positions) -> bytes:
    """The bytes of every span (``starts``, ``lengths``), one after another."""
    total = int(lengths.sum())
    if total == 0:
        return b""
    ends = np.cumsum(lengths)
    return bytes(data[np.repeat(starts - (ends - lengths), lengths) + np.arange(total)])


def _decimal(words: NDArray[np.uint64], count: Positions) -> Positions:
    """Whole numbers of 1 to 8 decimal digits, each the first ``count`` bytes of its word.

    The digits are moved to the word's top, zeros fill in before them, and three multiplications add them up.

    >>> _decimal(np.array([_word(b"12345"), _word(b"7<"), _word(b"10000000")]), np.array([5, 1, 8]))
    array([   12345,        7, 10000000])
    """
    if np.any((count < 1) | (count > 8)):
        raise _Unusual
    shift = ((8 - count) * 8).astype(np.uint64)
    value = (words << shift) | (_word(b"0" * 8) & ((np.uint64(1) << shift) - np.uint64(1)))
    high = np.uint64(0xF0F0F0F0F0F0F0F0)
    if np.any(((value & high) | (((value + np.uint64(0x0606060606060606)) & high) >> np.uint64(4))) != _word(b"3" * 8)):
        raise _Unusual
    value = ((value & np.uint64(0x0F0F0F0F0F0F0F0F)) * np.uint64(10 * 256 + 1)) >> np.uint64(8)
    value = ((value & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(100 * 65536 + 1)) >> np.uint64(16)
    value = ((value & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(10000 * 2**32 + 1)) >> np.uint64(32)
    return value.astype(np.int64)


class _Values:
    """One attribute's value in each cell: where it starts and ends (-1: the cell has none), and its first 8 bytes."""

    def __init__(self, count: int) -> None:
        self.first = np.full(count, -1, dtype=np.int64)
        self.last = np.full(count, -1, dtype=np.int64)
        self.word = np.zeros(count, dtype=np.uint64)

    def put(self, cells: Positions, first: Positions, last: Positions, word: NDArray[np.uint64]) -> None:
        self.first[cells], self.last[cells], self.word[cells] = first, last, word


class _SheetCells:
    """Every cell with a value: its row, its column and what it holds, found piece by piece in the sheet's XML.

    The main thread unpacks the XML while two threads scan the pieces (numpy lets go of the interpreter while it
    works, so both cores work). ``codes`` holds a shared string's number, or for any other value -1 less its
    number in ``values``, which numbers the distinct values by (type, style, raw XML); ``text_numbers`` turns both
    into text numbers once the shared strings are read.
    """

    def __init__(self, archive: zipfile.ZipFile, part: str) -> None:
        self.values: dict[tuple[int, int, bytes], int] = {}
        self.sorts: dict[int, int] = {}  # a short value's sort (type, style, length) and its number
        self.sort_keys = np.zeros(0, dtype=np.int64)
        self.sort_numbers = np.zeros(0, dtype=np.uint64)
        self.known = np.zeros(0, dtype=np.uint64)  # the short values seen, sorted, and their numbers in values
        self.known_numbers = np.zeros(0, dtype=np.int64)
        self.lock = threading.Lock()
        self.kinds = _kind_table()
        self.tail = b""
        with ThreadPoolExecutor(max_workers=2) as scanners:
            found = [piece.result() for piece in self._scan(archive, part, scanners)]
        found = [cells for cells in found if len(cells[0])]
        for (rows, columns, _), (next_rows, next_columns, _) in zip(found, found[1:], strict=False):
            if (int(rows[-1]), int(columns[-1])) >= (int(next_rows[0]), int(next_columns[0])):
                raise _Unusual  # out of order, or twice, across two pieces (each piece checks its own)
        none = np.zeros(0, dtype=np.int32)
        self.rows = np.concatenate([rows for rows, _, _ in found]) if found else none
        self.columns = np.concatenate([columns for _, columns, _ in found]) if found else none
        self.codes = np.concatenate([codes for _, _, codes in found]) if found else none

    def text_numbers(self, strings: _SharedStrings) -> Positions:
        """Each cell's text number: shared strings first, then the unusual ones, then the distinct values."""
        codes = self.codes
        if len(codes) and codes.max() >= len(strings.numbers):
            raise _Unusual
        numbers = np.append(strings.numbers, 0).astype(np.int32)  # so that a value, read as 0 here, finds something
        first_value = len(strings.lengths) + len(strings.unusual)
        return np.where(codes >= 0, numbers[np.maximum(codes, 0)], first_value - 1 - codes)

    def _scan(self, archive: zipfile.ZipFile, part: str, scanners: ThreadPoolExecutor) -> list[Future[Any]]:
        found: list[Future[Any]] = []
        with archive.open(part) as stream:
            head = stream.read(PIECE)
            start = head.find(b"<sheetData>")
            if start < 0 or b"mergeCell" in head[:start]:
                empty = head.find(b"<sheetData/>")
                if empty < 0 or b"mergeCell" in head[:empty]:
                    raise _Unusual
                self.tail = head[empty:] + stream.read()
            else:
                pieces = _pieces(_chunks(stream, head[start + len(b"<sheetData>") :]), b"</row>")
                for piece in pieces:
                    if len(found) >= 2:
                        found[-2].result()  # at most two pieces wait: memory stays a few pieces' worth
                    end = piece.obj.find(b"</sheetData>", 0, len(piece))  # type: ignore[attr-defined]
                    if end >= 0:
                        self.tail = b"".join([piece[end:], *pieces])
                        found.append(scanners.submit(self._read, piece[:end]))
                        break
                    found.append(scanners.submit(self._read, piece))
                else:
                    raise _Unusual  # no </sheetData>
        return found

    def _read(self, text: memoryview) -> tuple[Positions, Positions, Positions]:
        piece = _Piece(text)
        tags = piece.tags
        after = np.ndarray(shape=(piece.size,), dtype="<u4", buffer=piece.buffer, offset=1, strides=(1,))
        kind = self.kinds[after[tags] & np.uint32(0xFFFFFF)]  # each tag's kind, by the three bytes after its "<"
        inline, inline_end = np.flatnonzero(kind == INLINE), np.flatnonzero(kind == INLINE_END)
        if len(inline) != len(inline_end) or np.any(inline_end < inline) or np.any(inline[1:] < inline_end[:-1]):
            raise _Unusual
        if len(inline):
            depth = np.zeros(len(tags) + 1, dtype=np.int64)
            depth[inline + 1] += 1
            depth[inline_end] -= 1
            kind[np.cumsum(depth)[:-1] > 0] = INSIDE  # whatever an inline string holds is python-calamine's to read
        if np.any(kind == 0):
            raise _Unusual
        kind = np.append(kind, np.zeros(8, dtype=np.int8))
        cells = np.flatnonzero(kind == CELL)
        (reference, style, typed), closed = self._attributes(piece, tags[cells] + 3)
        # What follows an open cell: </c>, or <v>…</v></c> or <is>…</is></c>, perhaps after <f…/> or <f…>…</f>.
        following = cells + 1
        formula = ~closed & (kind[following] == FORMULA)
        open_formula = formula & (kind[following + 1] == FORMULA_END)
        if np.any(formula & ~open_formula):  # <f …/>: its tag must end with "/>"
            greater = np.append(piece.marks(62), len(piece.data) - 1)
            shut = piece.data[greater[np.searchsorted(greater, tags[following[formula & ~open_formula]])] - 1] == 47
            if not np.all(shut):
                raise _Unusual
        following = following + np.where(open_formula, 2, np.where(formula, 1, 0))
        plain = ~closed & (kind[following] == VALUE)
        rich = ~closed & (kind[following] == INLINE)
        empty = ~closed & (kind[following] == CELL_END)
        ends = np.where(plain, following + 1, following)
        if len(inline):
            ends[rich] = inline_end[np.searchsorted(inline, following[rich])]
        if np.any(plain & (kind[following + 1] != VALUE_END)) or np.any((plain | rich) & (kind[ends + 1] != CELL_END)):
            raise _Unusual
        if np.any(~closed & ~plain & ~rich & ~empty):
            raise _Unusual
        counted = np.bincount(kind, minlength=12)
        expected = [plain | rich | empty, plain, plain, formula, open_formula, rich]
        if list(counted[[CELL_END, VALUE, VALUE_END, FORMULA, FORMULA_END, INLINE]]) != [
            np.count_nonzero(mask) for mask in expected
        ]:
            raise _Unusual  # a tag outside the cells it belongs in
        keep = np.flatnonzero(plain | rich)
        rich = rich[keep]
        # A <v>'s text, or an inline string's whole element, which python-calamine reads.
        first = np.where(rich, tags[following[keep]], tags[following[keep]] + 3)
        last = np.where(rich, tags[ends[keep]] + 5, tags[following[keep] + 1])
        kinds = self._types(piece, typed.first[keep], typed.last[keep], typed.word[keep])
        # python-calamine drops an empty <v></v> (but reads it as "" for the types str and d), and ignores a <v> in
        # a cell typed inlineStr.
        blank = ~rich & (last == first)
        if np.any(blank & ((kinds == _TEXT) | (kinds == _ISO_DATE))):
            raise _Unusual
        kept = ~blank & (rich | (kinds != _INLINE))
        keep, rich, first, last, kinds = keep[kept], rich[kept], first[kept], last[kept], kinds[kept]
        row, column = _reference(reference.word[keep], reference.last[keep] - reference.first[keep])
        codes = np.zeros(len(keep), dtype=np.int64)
        shared = (kinds == _SHARED) & ~rich
        codes[shared] = _decimal(piece.words[first[shared]], last[shared] - first[shared])
        others = np.flatnonzero(~shared)
        styled = keep[others]
        present = style.first[styled] >= 0
        style_numbers = np.full(len(others), -1, dtype=np.int64)
        styled = styled[present]
        style_numbers[present] = _decimal(style.word[styled], style.last[styled] - style.first[styled])
        codes[others] = self._distinct(piece, kinds[others], style_numbers, first[others], last[others])
        if np.any(np.diff(row * 16384 + column) <= 0):  # out of order, or twice: python-calamine's rule applies
            raise _Unusual
        return row.astype(np.int32), column.astype(np.int32), codes.astype(np.int32)

    @staticmethod
    def _attributes(piece: _Piece, position: Positions) -> tuple[list[_Values], NDArray[np.bool_]]:
        """Where each cell's r, s and t values start and end (-1: absent) with their first 8 bytes, and which cells
        close at once (<c …/>).

        The attributes come as every writer seen puts them: r first, then s, then t, each at most once, one space
        apart, in double quotes; anything else is unusual. A value's closing quote is looked for in the 8 bytes where
        it starts, and only past them if need be.
        """
        count = len(position)
        found = [_Values(count) for _ in "rst"]
        closed = np.zeros(count, dtype=bool)
        if np.any((piece.words[position] & np.uint64(0xFFFFFF)) != _word(b'r="')):
            raise _Unusual
        active = np.arange(count)
        slot = np.zeros(count, dtype=np.int64)
        first = position + 3
        for _ in range(3):
            value = piece.words[first]
            last = first + _first_quote(value)
            far = last - first == 8
            if far.any():
                quotes = np.append(piece.marks(34), len(piece.data) - 1)
                last[far] = quotes[np.searchsorted(quotes, first[far])]
            for number, values in enumerate(found):
                named = slot == number
                if named.all():
                    values.put(active, first, last, value)
                elif named.any():
                    values.put(active[named], first[named], last[named], value[named])
            after = piece.words[last + 1] & np.uint64(0xFFFFFFFF)  # ' s="', ' t="', '>…' or '/>'
            going = (after & np.uint64(0xFF)) == np.uint64(32)
            shut = (after & np.uint64(0xFFFF)) == _word(b"/>")
            if np.any(~going & ~shut & ((after & np.uint64(0xFF)) != np.uint64(62))):
                raise _Unusual
            closed[active[shut]] = True
            if not going.any():
                return found, closed
            name = after[going] >> np.uint64(8)
            following = np.where(name == _word(b's="'), 1, np.where(name == _word(b't="'), 2, 0))
            if np.any(following <= slot[going]):  # unknown, out of order, or twice
                raise _Unusual
            active, slot, first = active[going], following, last[going] + 5
        raise _Unusual  # a fourth attribute

    @staticmethod
    def _types(piece: _Piece, first: Positions, last: Positions, words: NDArray[np.uint64]) -> Positions:
        """Each cell's t attribute as its code (0 when it has none); an unknown type is python-calamine's to refuse."""
        kinds = np.zeros(len(first), dtype=np.int64)
        present = np.flatnonzero(first >= 0)
        if len(present) == 0:
            return kinds
        length = last[present] - first[present]
        word = words[present]
        found = np.where(length == 1, _ONE_LETTER_TYPES[(word & np.uint64(0xFF)).astype(np.intp)], 0)
        longer = np.flatnonzero(length > 1)
        if len(longer):
            text = (length[longer] == 3) & ((word[longer] & np.uint64(0xFFFFFF)) == _word(b"str"))
            inline = (length[longer] == 9) & (word[longer] == _word(b"inlineSt"))
            inline &= piece.data[first[present[longer]] + 8] == ord("r")
            found[longer] = np.where(text, _TEXT, np.where(inline, _INLINE, 0))
        if np.any(found == 0):
            raise _Unusual
        kinds[present] = found
        return kinds

    def _distinct(
        self, piece: _Piece, kinds: Positions, styles: Positions, first: Positions, last: Positions
    ) -> Positions:
        """Each value's code, the same for the same (type, style, raw XML); new values are added to ``values``.

        A value of up to 7 bytes is one number: its bytes, and in the top byte the number of its sort (type, style
        and length), so values are looked up in a sorted array of those already seen and only new ones touch Python.
        A longer value is looked up by its bytes in ``values`` itself.
        """
        codes = np.zeros(len(first), dtype=np.int64)
        length = last - first
        short = np.flatnonzero(length <= 7)
        with self.lock:
            if len(short):
                codes[short] = self._short_codes(piece.words[first[short]], kinds[short], styles[short], length[short])
            for cell in np.flatnonzero(length > 7).tolist():
                key = (int(kinds[cell]), int(styles[cell]), piece.buffer[int(first[cell]) : int(last[cell])])
                codes[cell] = -1 - self.values.setdefault(key, len(self.values))
            if len(self.values) > MOST_VALUES:  # memory for them all, and their reading, is python-calamine's
                raise _Unusual
        return codes

    def _short_codes(
        self, words: NDArray[np.uint64], kinds: Positions, styles: Positions, length: Positions
    ) -> Positions:
        sort_key = kinds | ((styles + 1) << 8) | (length << 40)
        found = np.searchsorted(self.sort_keys, sort_key)
        if np.any(found >= len(self.sort_keys)) or np.any(
            self.sort_keys[np.minimum(found, len(self.sort_keys) - 1)] != sort_key
        ):
            for key in np.unique(sort_key).tolist():
                self.sorts.setdefault(key, len(self.sorts))
            if len(self.sorts) > 255:
                raise _Unusual
            self.sort_keys = np.array(sorted(self.sorts), dtype=np.int64)
            self.sort_numbers = np.array([self.sorts[key] for key in self.sort_keys.tolist()], dtype=np.uint64)
            found = np.searchsorted(self.sort_keys, sort_key)
        mask = (np.uint64(1) << (length * 8).astype(np.uint64)) - np.uint64(1)
        value = (words & mask) | (self.sort_numbers[found] << np.uint64(56))
        at = np.minimum(np.searchsorted(self.known, value), max(len(self.known) - 1, 0))
        new = value if len(self.known) == 0 else value[self.known[at] != value]
        if len(new):
            sorts = {number: key for key, number in self.sorts.items()}
            fresh = np.unique(new)
            numbers = []
            for number in fresh.tolist():
                key = sorts[number >> 56]
                raw = (number & ((1 << 56) - 1)).to_bytes(7, "little")[: key >> 40]
                numbers.append(
                    self.values.setdefault((key & 0xFF, ((key >> 8) & 0xFFFFFFFF) - 1, raw), len(self.values))
                )
            known = np.concatenate([self.known, fresh])
            order = np.argsort(known, kind="stable")
            self.known = known[order]
            self.known_numbers = np.concatenate([self.known_numbers, np.array(numbers, dtype=np.int64)])[order]
            at = np.searchsorted(self.known, value)
        codes: Positions = -1 - self.known_numbers[at]
        return codes


def _reference(word: NDArray[np.uint64], length: Positions) -> tuple[Positions, Positions]:
    """Row and column, counted from 0, of references such as B12: 1 to 3 letters, then digits, 8 bytes at most."""
    if np.any((length < 2) | (length > 8)):
        raise _Unusual
    letters = [((word >> np.uint64(8 * place)) & np.uint64(0xFF)).astype(np.int64) for place in range(3)]
    is_letter = [(letter >= 65) & (letter <= 90) for letter in letters]
    if not np.all(is_letter[0]):
        raise _Unusual
    two = is_letter[1]
    three = two & is_letter[2]
    column = letters[0] - 64
    column = np.where(two, column * 26 + letters[1] - 64, column)
    column = np.where(three, column * 26 + letters[2] - 64, column)
    count = 1 + two.astype(np.int64) + three
    row = _decimal(word >> (count * 8).astype(np.uint64), length - count)
    if np.any((row < 1) | (row > 1_048_576) | (column > 16_384)):
        raise _Unusual
    return row - 1, column - 1


_ORACLE_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/>'
        '<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    ),
}
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_TYPE_NAMES = {code: name for name, code in _TYPES.items()}


def _oracle(
    archive: zipfile.ZipFile,
    workbook: bytes,
    unusual: list[bytes],
    values: dict[tuple[int, int, bytes], int],
    python_calamine: Any,
) -> list[bytes]:
    """The texts of the unusual shared strings, then of the distinct values, as python-calamine reads them.

    They are written as the cells of small workbooks (``ORACLE_CELLS`` each) with the original styles and date
    system (1900 or 1904), so each reads as it would in the whole sheet.
    """
    properties = _WORKBOOK_PROPERTIES.search(workbook)
    book = (
        b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + _MAIN + b' xmlns:r="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships">'
        + (properties.group(0) if properties else b"")
        + b'<sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    styles = _part(archive, "xl/styles.xml") or b"<styleSheet " + _MAIN + b"/>"
    cells = [b'<c r="A%%d" t="s"><v>%d</v></c>' % number for number in range(len(unusual))]
    for kind, style, raw in values:  # in the order of their numbers
        attributes = (b' s="%d"' % style if style >= 0 else b"") + (b' t="' + _TYPE_NAMES[kind] + b'"' if kind else b"")
        content = raw if raw.startswith(b"<is>") else b"<v>" + raw + b"</v>"
        cells.append(b'<c r="A%%d"%s>%s</c>' % (attributes, content.replace(b"%", b"%%")))
    texts: list[bytes] = []
    for start in range(0, len(cells), ORACLE_CELLS):
        batch = cells[start : start + ORACLE_CELLS]
        rows = b"".join(b'<row r="%d">' % (n + 1) + cell % (n + 1) + b"</row>" for n, cell in enumerate(batch))
        strings = b"".join(unusual) if start < len(unusual) else b""
        texts += _read_small(python_calamine, book, styles, rows, strings, len(batch))
    return texts


def _read_small(
    python_calamine: Any, book: bytes, styles: bytes, rows: bytes, strings: bytes, count: int
) -> list[bytes]:
    """Column A of a small workbook, each cell's value as the csv module writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as small:
        for name, text in _ORACLE_PARTS.items():
            small.writestr(name, text)
        small.writestr("xl/workbook.xml", book)
        small.writestr("xl/styles.xml", styles)
        small.writestr("xl/sharedStrings.xml", b"<sst " + _MAIN + b">" + strings + b"</sst>")
        small.writestr(
            "xl/worksheets/sheet1.xml", b"<worksheet " + _MAIN + b"><sheetData>" + rows + b"</sheetData></worksheet>"
        )
    buffer.seek(0)
    read = python_calamine.CalamineWorkbook.from_filelike(buffer).get_sheet_by_index(0)
    texts = [as_written(row[0]).encode("utf-8") if row else b"" for row in read.iter_rows()]
    if len(texts) != count or read.start != (0, 0) or read.end != (count - 1, 0):
        raise _Unusual  # a value python-calamine reads as empty: the whole sheet, read by it, decides
    return texts


if __name__ == "__main__":
    sys.exit(main())
