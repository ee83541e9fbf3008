"""Read the first sheet of an XLSX in a process of its own, under a memory cap, and write it out as CSV text.

Run by ``scoring.tables`` as a script (``python _sheet_worker.py LIMITS_JSON``), with the workbook on standard input.
The Rust reader holds a sheet as a dense grid and aborts its process when a grid cannot be allocated (a cell at
XFD1048576 beside one at A1 asks for 550 GB), so it runs here, where an abort or the cap ends this process only.
Standard output: one JSON line (what was read, or why it was refused), then the cells as CSV.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import sys
from typing import Any, TextIO

OUT_OF_MEMORY = 3  # exit codes the reading side understands; an abort by the Rust reader is a signal
READER_MISSING = 4


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
        import python_calamine  # after the cap, so the reader's own allocations are under it too
    except ImportError:
        return READER_MISSING
    try:
        return _read(python_calamine, limits)
    except MemoryError:
        return OUT_OF_MEMORY


def _read(python_calamine: Any, limits: dict[str, int]) -> int:
    out = sys.stdout
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
        if len(workbook.sheet_names) > limits["max_sheets"]:
            return _refuse(out, "sheets", len(workbook.sheet_names))
        sheet = workbook.get_sheet_by_index(0)
    except (python_calamine.CalamineError, ValueError) as error:
        return _refuse(out, "damaged", type(error).__name__)
    if sheet.end is None:
        out.write(json.dumps({"rows": 0, "offset": 0, "width": 0, "merged": []}) + "\n")
        return 0
    rows, columns = sheet.end[0] + 1, sheet.end[1] + 1
    if columns > limits["max_columns"]:
        return _refuse(out, "columns", columns)
    if rows > limits["max_rows"]:
        return _refuse(out, "rows", rows)
    if rows * columns > limits["max_sheet_cells"]:
        return _refuse(out, "cells", rows * columns, rows=rows, columns=columns)
    offset = sheet.start[1] if sheet.start else 0
    merged = [
        [top, left, bottom, right]
        for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])
        if top < limits["header_rows"]
    ][:1000]
    out.write(json.dumps({"rows": rows, "offset": offset, "width": columns - offset, "merged": merged}) + "\n")
    # Written by the csv module in C, cell by cell as Python prints it (dates as 2020-01-31, numbers as 2000.0):
    # the reading side turns numbers into the text a clerk sees, a column at a time.
    csv.writer(out, lineterminator="\n").writerows(sheet.iter_rows())
    out.flush()
    return 0


def _refuse(out: TextIO, reason: str, value: object, **more: object) -> int:
    out.write(json.dumps({"refused": reason, "value": value, **more}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
