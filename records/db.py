"""Where the database file is, and opening it with errors a user can act on."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from records.schema import create_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "enforcement.duckdb"
DATABASE_ENVIRONMENT_VARIABLE = "ENFORCEMENT_DB"


class DatabaseError(RuntimeError):
    """A database that cannot be used; the message is one line, in Chinese."""


def database_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The command-line option, else ``ENFORCEMENT_DB``, else ``data/enforcement.duckdb``."""
    chosen = option or os.environ.get(DATABASE_ENVIRONMENT_VARIABLE) or DEFAULT_DATABASE
    return Path(chosen).expanduser().resolve()


def open_database(path: Path, create: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the file read-write; with ``create`` a missing file gets an empty schema."""
    if not path.exists() and not create:
        raise DatabaseError(f"数据库文件不存在：{path}。请先运行 python -m records init --demo 创建")
    if path.is_dir():
        raise DatabaseError(f"“{path}”是文件夹，不是数据库文件")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path))
    except duckdb.IOException as error:
        raise DatabaseError(_lock_message(path, str(error))) from error
    except duckdb.Error as error:
        raise DatabaseError(f"无法打开数据库文件 {path}：{str(error).splitlines()[0]}") from error
    create_schema(connection)
    return connection


def _lock_message(path: Path, error: str) -> str:
    if "lock" not in error.lower():
        return f"无法打开数据库文件 {path}：{error.splitlines()[0]}"
    holder = re.search(r"PID (\d+)", error)
    who = f"进程 {holder.group(1)}" if holder else "另一个进程"
    return (
        f"数据库文件 {path} 正被{who}（多为正在运行的仪表盘）占用，未做任何更改。"
        "请在仪表盘的“数据管理”页操作，或先停止仪表盘再运行此命令。"
    )
