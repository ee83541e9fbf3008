"""Hostile files: each is refused in seconds, in one Chinese line, by a process that stays small.

The imports run as a user runs them, ``python -m records import`` and ``python -m scoring`` in a real process, under
an address-space cap (so a regression cannot take the machine down) and a timeout; the process's peak resident
memory, its children's included, is read from the kernel when it is reaped (``wait4``).
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scoring.tables import LIMITS, ReadLimits, TableReadError, read_raw_table
from tests.conftest import ROOT

PEAK_MB = 400  # "a few hundred MB": the interpreter with pandas, DuckDB and pyarrow loaded is about 120 MB
SECONDS = 10
ADDRESS_SPACE_CAP = 4 * 1024**3  # the safety net: the 23.7 GB bug would die here instead of taking the host down

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
PACKAGE_RELATIONS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELATIONS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def handmade_workbook(sheet_data: str, dimension: str = "") -> bytes:
    """An XLSX written part by part, so that it can say what a hostile one says (a lying ``<dimension>``)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    return zipped_workbook(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELATIONS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELATIONS,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def zipped_workbook(parts: dict[str, str]) -> bytes:
    """An XLSX of exactly these parts, in this order: a workbook written by hand says what a hostile one says."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()


def far_cell_by_openpyxl() -> bytes:
    """The 5 KB file of the issue: its only data cell at XFD1048576, written by Excel's usual library."""
    workbook = openpyxl.Workbook()
    workbook.active["XFD1048576"] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def header_cells() -> str:
    names = ("检查编号", "县区", "检查日期", "被检查单位")
    return "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{n}</t></is></c>' for letter, n in zip("ABCD", names, strict=True)
    )


HOSTILE_WORKBOOKS = {
    "far_cell.xlsx": far_cell_by_openpyxl,
    # A header, then one cell far away; the dimension lies that the sheet is small.
    "lying_dimension.xlsx": lambda: handmade_workbook(
        f'<row r="1">{header_cells()}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "A1:D2"
    ),
    # Within every row and column limit, but a grid of 27 million cells: 870 MB to allocate.
    "sparse_grid.xlsx": lambda: handmade_workbook(
        f'<row r="1">{header_cells()}</row><row r="1048576"><c r="Z1048576"><v>1</v></c></row>'
    ),
    # Cells without references: the reader places them one after another, 200 columns across.
    "unreferenced_cells.xlsx": lambda: handmade_workbook("<row>" + "<c><v>1</v></c>" * 200 + "</row>"),
}


def declared_as_huge(content: bytes) -> bytes:
    """The same zip, with its central directory claiming that each part unpacks to 3 GB."""
    patched = bytearray(content)
    position = patched.find(b"PK\x01\x02")
    while position >= 0:
        patched[position + 24 : position + 28] = struct.pack("<I", 3 * 1024**3)
        position = patched.find(b"PK\x01\x02", position + 4)
    return bytes(patched)


# A small process starts the command and reports its peak: a process forked straight from this test run would
# count this (large) process's memory as its own peak, since the kernel carries the peak across exec.
LAUNCHER = """
import os, resource, subprocess, sys
cap, report = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
process = subprocess.Popen([sys.executable, *sys.argv[3:]], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
os.write(report, f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}".encode())
"""


def run_capped(*args: str, cwd: Path = ROOT) -> tuple[int, str, float, float]:
    """Run ``python ARGS`` capped and timed; return its exit code, stderr, seconds and peak RSS in MB."""
    report, written = os.pipe()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(ADDRESS_SPACE_CAP), str(written), *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(written,),
    )
    os.close(written)  # the launcher holds the only writing end now
    stderr = _read_within(process, SECONDS * 6)
    process.wait()
    with os.fdopen(report, "rb") as reading:
        said = reading.read().decode().split()
    code, peak_kb = (int(said[0]), int(said[1])) if len(said) == 2 else (process.returncode, 0)
    return code, stderr, time.monotonic() - started, peak_kb / 1024


def _read_within(process: subprocess.Popen[bytes], seconds: float) -> str:
    timer = threading.Timer(seconds, process.kill)
    timer.start()
    try:
        assert process.stderr is not None
        return process.stderr.read().decode("utf-8", "replace")
    finally:
        timer.cancel()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "enforcement.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "records", "init", "--demo", "--db", str(path)], cwd=ROOT, capture_output=True
    )
    assert result.returncode == 0, result.stderr
    return path


def assert_refused_in_one_line(code: int, stderr: str, seconds: float, peak_mb: float, file: Path) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 1, stderr
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and str(file.parent) not in stderr, stderr
    assert file.name in lines[0]
    assert seconds < SECONDS, f"refused after {seconds:.1f} s"
    assert peak_mb < PEAK_MB, f"peak resident memory {peak_mb:.0f} MB"


@pytest.mark.parametrize("name", sorted(HOSTILE_WORKBOOKS))
def test_a_far_reaching_workbook_is_refused_quickly_and_small(database: Path, tmp_path: Path, name: str) -> None:
    file = tmp_path / name
    file.write_bytes(HOSTILE_WORKBOOKS[name]())
    code, stderr, seconds, peak_mb = run_capped("-m", "records", "import", str(file), "--db", str(database))
    assert_refused_in_one_line(code, stderr, seconds, peak_mb, file)
    assert "超过" in stderr


def test_scoring_refuses_the_far_cell_the_same_way(tmp_path: Path) -> None:
    file = tmp_path / "far_cell.xlsx"
    file.write_bytes(far_cell_by_openpyxl())
    code, stderr, seconds, peak_mb = run_capped("-m", "scoring", str(file))
    assert_refused_in_one_line(code, stderr, seconds, peak_mb, file)
    assert "第 16,384 列" in stderr


def huge_line(path: Path) -> None:
    path.write_bytes("检查编号,县区,检查日期,被检查单位\n".encode() + b"A" * 100_000_000 + b"\n")


def million_columns(path: Path) -> None:
    path.write_bytes(b"," * 1_000_000 + b"\n")


def too_many_rows(path: Path) -> None:
    path.write_bytes("检查编号,县区,检查日期,被检查单位\n".encode() + b"x,y,z,w\n" * (LIMITS.max_rows + 1))


def larger_than_allowed(path: Path) -> None:
    with path.open("wb") as handle:  # a sparse file: 300 MB long, nothing on disk, nothing to read
        handle.truncate(300 * 1024 * 1024)


@pytest.mark.parametrize(
    ("maker", "said"),
    [
        (huge_line, "第2行超过"),
        (million_columns, "1,000,001 列"),
        (too_many_rows, "行，超过导入上限"),
        (larger_than_allowed, "MB，超过导入上限"),
    ],
)
def test_a_hostile_csv_is_refused_quickly_and_small(database: Path, tmp_path: Path, maker, said: str) -> None:
    file = tmp_path / f"{maker.__name__}.csv"
    maker(file)
    code, stderr, seconds, peak_mb = run_capped("-m", "records", "import", str(file), "--db", str(database))
    assert_refused_in_one_line(code, stderr, seconds, peak_mb, file)
    assert said in stderr


def test_a_zip_that_claims_gigabytes_is_refused_before_unpacking() -> None:
    content = declared_as_huge(handmade_workbook(f'<row r="1">{header_cells()}</row>'))
    with pytest.raises(TableReadError, match="解压后有"):
        read_raw_table(content, "bomb.xlsx")


def test_too_many_sheets_and_a_damaged_zip_are_refused() -> None:
    workbook = openpyxl.Workbook()
    for number in range(5):
        workbook.create_sheet(f"表{number}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TableReadError, match="6 个工作表"):
        read_raw_table(buffer.getvalue(), "many.xlsx", ReadLimits(max_sheets=5))
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    with pytest.raises(TableReadError, match="不是有效的 XLSX"):
        read_raw_table(cut, "cut.xlsx")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_limit_is_applied_to_both_formats(tmp_path: Path, suffix: str) -> None:
    # 0.1 + 0.2 is written 0.30000000000000004 and read as a clerk sees it, 0.3: the limit counts what is read.
    rows = [["单位", "立案数", "比例"], *[["驿城区人民政府", str(n), 0.1 + 0.2] for n in range(20)]]
    if suffix == ".csv":
        content = "\n".join(",".join(map(str, row)) for row in rows).encode()
    else:
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    assert len(read_raw_table(content, f"ok{suffix}")) == 21
    with pytest.raises(TableReadError, match="超过导入上限 10 行"):
        read_raw_table(content, f"rows{suffix}", ReadLimits(max_rows=10))
    with pytest.raises(TableReadError, match="超过导入上限 1 列"):
        read_raw_table(content, f"columns{suffix}", ReadLimits(max_columns=1))
    with pytest.raises(TableReadError, match="超过导入上限"):
        read_raw_table(content, f"size{suffix}", ReadLimits(max_file_bytes=100))
    if suffix == ".xlsx":  # a CSV's cells are bounded by its line limit
        assert len(read_raw_table(content, "cells.xlsx", ReadLimits(max_cell_chars=7))) == 21
        with pytest.raises(TableReadError, match="有单元格超过 6 个字符"):
            read_raw_table(content, "cells.xlsx", ReadLimits(max_cell_chars=6))


def test_a_csv_of_too_many_cells_is_refused_before_parsing() -> None:
    content = ("a" + ",a" * 19 + "\n").encode() * 1000
    assert read_raw_table(content, "ok.csv").shape == (1000, 20)
    with pytest.raises(TableReadError, match="1,001 行 × 20 列，超过导入上限 10,000 个单元格"):
        read_raw_table(content, "wide.csv", ReadLimits(max_cells=10_000))
    ragged = b"title\n" + content  # the careful reader counts too
    with pytest.raises(TableReadError, match="超过导入上限 10,000 个单元格"):
        read_raw_table(ragged, "ragged.csv", ReadLimits(max_cells=10_000))
