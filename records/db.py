"""Where the database file is, opening it, and faults told in one Chinese line that says what to do.

A fault message never carries a file-system path, DuckDB's English text or a stack trace; the details go to the
server's log (the dashboard) or nowhere (the command line, where the user reads the one line).
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import duckdb

from records.schema import create_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "enforcement.duckdb"
DATABASE_ENVIRONMENT_VARIABLE = "ENFORCEMENT_DB"

MISSING = "数据库尚未创建，未做任何更改。请先运行 python -m records init --demo（示例数据）或 python -m records init。"
DAMAGED = (
    "数据库文件已损坏，无法读取，未做任何更改。请用 python -m records restore 从最近的备份恢复，或请管理员检查磁盘。"
)
DISK_FULL = "数据库所在磁盘已满，未做任何更改。请清理磁盘空间后重试。"
READ_ONLY = "数据库文件或其所在文件夹是只读的（或没有写权限），无法写入，未做任何更改。请检查权限或挂载方式后重试。"
NOT_A_FOLDER = "数据库位置是一个文件夹而不是数据库文件，未做任何更改。请用 --db 或 ENFORCEMENT_DB 指定 .duckdb 文件。"
UNREADABLE = "无法读写数据库文件（{reason}），未做任何更改。请检查磁盘和权限后重试。"


class DatabaseError(RuntimeError):
    """A database that cannot be used; the message is one line, in Chinese, without a path."""


def database_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The command-line option, else ``ENFORCEMENT_DB``, else ``data/enforcement.duckdb``."""
    chosen = option or os.environ.get(DATABASE_ENVIRONMENT_VARIABLE) or DEFAULT_DATABASE
    return Path(chosen).expanduser().resolve()


def open_database(path: Path, create: bool = False) -> duckdb.DuckDBPyConnection:
    """Open one file read-write (builders and tests); the running system writes through ``records.store``."""
    if not path.exists() and not create:
        raise DatabaseError(MISSING)
    if path.is_dir():
        raise DatabaseError(NOT_A_FOLDER)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path))
    except (duckdb.Error, OSError) as error:
        raise DatabaseError(fault_message(error)) from error
    create_schema(connection)
    return connection


def fault_message(error: BaseException) -> str:
    """The one line a user reads for a database or file-system fault.

    >>> fault_message(OSError(errno.ENOSPC, "No space left on device"))
    '数据库所在磁盘已满，未做任何更改。请清理磁盘空间后重试。'
    >>> fault_message(duckdb.Error("Corrupt database file: computed checksum 1 does not match"))[:8]
    '数据库文件已损坏'
    """
    if isinstance(error, DatabaseError):
        return str(error)
    if isinstance(error, OSError) and error.errno is not None:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return DISK_FULL
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        if error.errno == errno.EISDIR:
            return NOT_A_FOLDER
        return UNREADABLE.format(reason=os.strerror(error.errno))
    text = str(error).lower()
    if "no space left" in text or "disk quota" in text:
        return DISK_FULL
    if "read-only file system" in text or "permission denied" in text or "operation not permitted" in text:
        return READ_ONLY
    if "could not set lock" in text or "conflicting lock" in text:
        holder = re.search(r"PID (\d+)", str(error))
        who = f"进程 {holder.group(1)}" if holder else "另一个程序"
        return f"数据库文件正被{who}直接占用，未做任何更改。请关闭该程序（如 duckdb 命令行）后再试。"
    damage = ("corrupt", "checksum", "not a valid duckdb", "could not read enough bytes", "serializ", "invalid block")
    if any(word in text for word in damage):
        return DAMAGED
    return UNREADABLE.format(reason=type(error).__name__)


def is_fault(error: BaseException) -> bool:
    """A fault of the file, the disk or the lock, as opposed to a bug or a broken constraint.

    >>> is_fault(OSError(28, "No space left on device")), is_fault(duckdb.ConstraintException("duplicate key"))
    (True, False)
    """
    if isinstance(error, OSError | duckdb.IOException | DatabaseError):
        return True
    return fault_message(error) in (DAMAGED, DISK_FULL, READ_ONLY) or "占用" in fault_message(error)
