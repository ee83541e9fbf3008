"""One store, many processes: one writer at a time changes the primary file, readers open published snapshots.

Beside the primary file ``X.duckdb`` (``--db`` / ``ENFORCEMENT_DB`` / ``data/enforcement.duckdb``):

- ``X.snapshots/v000017.duckdb``: immutable, checkpointed copies of the primary, one per committed write; the
  last few are kept. ``X.snapshots/CURRENT`` names the one readers open (replaced atomically).
- ``X.lock``: ``fcntl.flock`` on it makes writers take turns across processes.
- ``X.unpublished``: present while the primary may hold committed changes not yet published. A writer or reader
  that finds it with the lock free (its writer died) publishes first.

DuckDB lets one process hold a file read-write and then no other process may even read it; so every reader
(dashboard processes, ``records rank``/``bulletin``, backups) opens a snapshot read-only, and the primary is held
read-write only for the few seconds of a write. A crash at any moment leaves readers on the previous snapshot or
the next, never between: a snapshot is complete and fsynced before its name appears, and the pointer moves by
rename. For tests, ``ENFORCEMENT_TEST_PAUSE=<point>`` stops a writer at a named point (see ``PAUSE_POINTS``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb

from records.access import AccessDenied, Identity, require_writer
from records.audit import AuditEntry, AuditLog, AuditUnavailable
from records.db import DISK_FULL, MISSING, DatabaseError, fault_message, is_fault
from records.schema import SCHEMA_VERSION, create_schema, is_older_schema, schema_version

log = logging.getLogger("enforcement.store")

WAIT_ENVIRONMENT_VARIABLE = "ENFORCEMENT_LOCK_WAIT"
PAUSE_ENVIRONMENT_VARIABLE = "ENFORCEMENT_TEST_PAUSE"
PAUSE_FILE_ENVIRONMENT_VARIABLE = "ENFORCEMENT_TEST_PAUSE_FILE"
PAUSE_POINTS = ("before_commit", "after_commit", "mid_copy", "before_pointer", "after_pointer")
DEFAULT_WAIT_SECONDS = 30.0
KEEP_SNAPSHOTS = 3
SNAPSHOT_FILE = re.compile(r"v(\d{6,})\.duckdb")
PARTIAL_SUFFIX = ".part"
SPACE_MARGIN_BYTES = 16 * 1024 * 1024
COPY_CHUNK_BYTES = 1024 * 1024
BACKUP_FILE = "enforcement.duckdb"
BACKUP_AUDIT_FILE = "audit.duckdb"
MANIFEST_FILE = "manifest.json"

BUSY = "另一项写入（导入、撤销或恢复）正在进行，已等待 {seconds:g} 秒仍未结束，未做任何更改。请稍后再试。"
UNPUBLISHED = "更改已保存，但尚未对查看者生效：{reason} 问题解决后，下一次读取或写入会自动完成发布。"


class _BodyFailed(Exception):
    """Carries a transaction body's own exception past the store's fault handling."""


class Rollback(Exception):
    """Raised inside ``Store.transaction`` to undo the body quietly: nothing is written, nothing published."""


@dataclass
class _WriteState:
    outcome: str = "open"


@dataclass(frozen=True)
class Manifest:
    """What a backup folder holds: the store version it copies, when, and the file's size and sha256."""

    version: int
    created_at: str
    sha256: str
    size: int
    schema_version: str
    tables: dict[str, int]
    audit_sha256: str | None = None  # the audit trail beside the store (absent in backups of earlier releases)
    audit_size: int | None = None


class Store:
    """The primary file and everything beside it; cheap to create, safe to share between threads.

    >>> store = Store(Path("/srv/data/enforcement.duckdb"))
    >>> store.snapshots.name, store.lock_file.name, store.marker.name
    ('enforcement.snapshots', 'enforcement.lock', 'enforcement.unpublished')
    """

    def __init__(self, primary: Path, wait_seconds: float | None = None) -> None:
        self.primary = primary
        stem = primary.name.removesuffix(".duckdb")
        self.snapshots = primary.with_name(f"{stem}.snapshots")
        self.pointer = self.snapshots / "CURRENT"
        self.lock_file = primary.with_name(f"{stem}.lock")
        self.marker = primary.with_name(f"{stem}.unpublished")
        self.audit = AuditLog.beside(primary)
        configured = os.environ.get(WAIT_ENVIRONMENT_VARIABLE)
        self.wait_seconds = wait_seconds if wait_seconds is not None else float(configured or DEFAULT_WAIT_SECONDS)
        self._current_schema_version: int | None = None  # a published version known to be of this schema

    # Reading -------------------------------------------------------------------------------------------------

    def current_version(self) -> int | None:
        """The published version the pointer names (one small read), or None before the first publish."""
        try:
            named = self.pointer.read_text(encoding="ascii").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise DatabaseError(fault_message(error)) from error
        match = SNAPSHOT_FILE.fullmatch(named)
        return int(match.group(1)) if match else None

    def snapshot_path(self, version: int) -> Path:
        return self.snapshots / f"v{version:06d}.duckdb"

    def is_published(self) -> bool:
        version = self.current_version()
        return version is not None and self.snapshot_path(version).exists()

    def open_snapshot(
        self, build: Callable[[Path], None] | None = None, actor: str = "", action: str = ""
    ) -> tuple[int, duckdb.DuckDBPyConnection]:
        """A read-only connection on the current snapshot and its version.

        Publishes first where needed (a writer died, or the store predates snapshots). With no store at all,
        ``build`` (if given) writes the first primary file, under the lock, as ``actor`` doing ``action``.
        """
        for _ in range(5):
            self.ensure_published(build, actor, action)
            version = self.current_version()
            if version is None:
                raise DatabaseError(MISSING)
            try:
                return version, self.connect_snapshot(version)
            except FileNotFoundError:
                continue  # pruned between reading the pointer and opening it: read the pointer again
        raise DatabaseError(MISSING)

    def _published_schema_is_older(self, reader: Callable[[int], duckdb.DuckDBPyConnection] | None = None) -> bool:
        """Whether the published snapshot was written by an earlier release (checked once per version): then the
        first reader upgrades the store under the writer's lock, as a write, and publishes it. ``reader`` gives an
        open connection on a version, where the caller keeps one anyway (opening a snapshot costs tens of ms)."""
        version = self.current_version()
        if version is None or version == self._current_schema_version:
            return False
        try:
            if reader is not None:
                older = is_older_schema(schema_version(reader(version).cursor()))
            else:
                with duckdb.connect(str(self.snapshot_path(version)), read_only=True) as snapshot:
                    older = is_older_schema(schema_version(snapshot))
        except (duckdb.Error, FileNotFoundError, DatabaseError):
            return False  # pruned or unreadable: the caller's own open says so
        if not older:
            self._current_schema_version = version
        return older

    def connect_snapshot(self, version: int) -> duckdb.DuckDBPyConnection:
        """Open one snapshot read-only; FileNotFoundError when it has been pruned."""
        path = self.snapshot_path(version)
        if not path.exists():
            raise FileNotFoundError(path.name)
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as error:
            if not path.exists():
                raise FileNotFoundError(path.name) from error
            raise DatabaseError(fault_message(error)) from error

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """``with store.reading() as connection:`` a read-only connection on the current snapshot."""
        _, connection = self.open_snapshot()
        try:
            yield connection
        finally:
            connection.close()

    def ensure_published(
        self,
        build: Callable[[Path], None] | None = None,
        actor: str = "",
        action: str = "",
        reader: Callable[[int], duckdb.DuckDBPyConnection] | None = None,
    ) -> None:
        """Publish what the primary holds if nobody has (repair); wait for the lock only if there is no snapshot.
        ``reader``: see ``_published_schema_is_older``."""
        published = self.is_published()
        if published and not self.marker.exists() and not self._published_schema_is_older(reader):
            return
        try:
            fd = self._lock(0 if published else self.wait_seconds)
        except DatabaseError:
            if published:
                return  # a writer is at work (or the folder is read-only): the current snapshot is still good
            raise
        try:
            if not self.primary.exists() and not self.is_published():
                if build is None:
                    raise DatabaseError(MISSING)
                self._adopt(build, actor, action)
            self._repair()
        except (DatabaseError, duckdb.Error, OSError) as error:
            if not published:
                raise DatabaseError(fault_message(error)) from error
            # The primary cannot be published now (held, damaged, full disk); readers go on with the last snapshot.
        finally:
            _unlock(fd)

    # Writing -------------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(
        self, identity: Identity, action: str, audit: AuditEntry | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write by ``identity``: ``with store.transaction(who, "导入 a.csv") as connection:`` then publish.

        Anyone but an administrator is refused here with AccessDenied, whatever called this. The store begins and
        commits; the body never does. Raising ``Rollback`` in the body undoes it quietly; any other exception rolls
        back, publishes nothing and propagates. Waits up to ``wait_seconds`` for another writer, then raises
        DatabaseError. Every attempt leaves one row in the audit trail (``audit``, which the body may fill in):
        done, failed with the reason, or refused; a write is refused before it starts if that row could not be
        written.
        """
        entry = audit or AuditEntry("write", details=action)
        self.refuse_unless_writer(identity, action, entry)
        self.audit.check_writable()
        state = _WriteState()
        try:
            with self._write(identity.actor, action, state) as connection:
                yield connection
        except BaseException as error:
            if state.outcome != "committed":
                first_line = (str(error).splitlines() or [type(error).__name__])[0][:500]
                entry.details = f"{entry.details or action}：{first_line or type(error).__name__}"
                self._audit_quietly(identity, entry, "failed")
            else:
                entry.details = f"{entry.details or action}（已保存，尚未发布）"
                self._audit_quietly(identity, entry, "ok")
            raise
        if state.outcome == "committed":
            self._audit_quietly(identity, entry, "ok")
        else:
            entry.details = entry.details or f"{action}：未写入"
            self._audit_quietly(identity, entry, "failed")

    def refuse_unless_writer(self, identity: Identity, action: str, entry: AuditEntry) -> None:
        """AccessDenied for anyone but an administrator, with a refused row in the audit trail: a write function
        that checks its input before it opens a transaction asks here first."""
        try:
            require_writer(identity, "写入数据")
        except AccessDenied as refusal:
            entry.details = f"{entry.details or action}：{refusal}"
            self.audit.record_entry(identity, entry, "refused")
            raise

    def _audit_quietly(self, identity: Identity, entry: AuditEntry, outcome: str) -> None:
        """After the write's own outcome: a trail that fails now is logged, never turned into the write's error."""
        try:
            self.audit.record_entry(identity, entry, outcome)
        except AuditUnavailable:
            log.error("audit row not written: %s %s %s", identity.user, entry.action, outcome, exc_info=True)

    @contextmanager
    def _write(self, actor: str, action: str, state: _WriteState) -> Iterator[duckdb.DuckDBPyConnection]:
        """The write itself under the lock; ``state.outcome`` says how it ended."""
        fd = self._lock(self.wait_seconds)
        try:
            with _told():
                self._repair()
                if not self.primary.exists():
                    raise DatabaseError(MISSING)
                connection = self._connect_primary()
                try:
                    self._set_marker()
                except OSError:
                    connection.close()
                    raise
            outcome = "open"
            try:
                try:
                    connection.begin()
                    create_schema(connection)
                    version = self._record_write(connection, actor, action)
                    yield connection
                    _pause("before_commit")
                    self._check_space()
                    outcome = "committing"
                    connection.commit()
                    outcome = "committed"
                except Rollback:
                    connection.rollback()
                    outcome = "rolled back"
                except BaseException as error:
                    with suppress(duckdb.Error):
                        connection.rollback()
                    if outcome == "open":
                        outcome = "rolled back"
                        if not is_fault(error):
                            raise _BodyFailed from error  # the body's own exception, passed on as it is
                    raise
                if outcome == "committed":
                    _pause("after_commit")
                    connection.execute("CHECKPOINT")
            except _BodyFailed as failed:
                raise failed.__cause__ from failed.__cause__.__cause__  # type: ignore[misc]
            except (duckdb.Error, OSError) as error:
                raise self._fault(error, outcome) from error
            finally:
                state.outcome = outcome
                connection.close()
                if outcome == "rolled back":
                    with suppress(OSError):
                        self._clear_marker()
            if outcome == "committed":
                try:
                    self._publish(version)
                except (duckdb.Error, OSError) as error:
                    raise self._fault(error, outcome) from error
                with _told():
                    self._clear_marker()
        finally:
            _unlock(fd)

    def initialise(self, build: Callable[[Path], None], actor: str, action: str, replace: bool = False) -> int:
        """Write a new primary with ``build(path)`` and publish it; refuses to replace one unless ``replace``.

        Creating a store is not a user's write (there are no accounts yet); ``restore`` is, and checks who.
        """
        fd = self._lock(self.wait_seconds)
        try:
            self._repair()
            if (self.primary.exists() or self.is_published()) and not replace:
                raise DatabaseError("数据库已存在，未做任何更改。如需重建，请先备份后删除数据库所在文件夹中的文件。")
            return self._adopt(build, actor, action)
        except (duckdb.Error, OSError) as error:
            raise DatabaseError(fault_message(error)) from error
        finally:
            _unlock(fd)

    @contextmanager
    def trial(self, identity: Identity) -> Iterator[duckdb.DuckDBPyConnection]:
        """A private read-write copy of the current snapshot, to preview a write; thrown away afterwards.

        Nothing is locked and nothing reaches the store: the preview shows exactly what the same write would do.
        Only those who may write may preview one.
        """
        require_writer(identity, "预览写入")
        actor = identity.actor
        _, reader = self.open_snapshot()
        version = self.current_version()
        reader.close()
        with tempfile.TemporaryDirectory(prefix="enforcement-preview-") as folder:
            copy = Path(folder) / "preview.duckdb"
            try:
                shutil.copyfile(self.snapshot_path(version or 0), copy)
                connection = duckdb.connect(str(copy))
            except (duckdb.Error, OSError) as error:
                raise DatabaseError(fault_message(error)) from error
            try:
                connection.execute("SET VARIABLE write_actor = ?", [actor])
                connection.begin()
                yield connection
            finally:
                with suppress(duckdb.Error):
                    connection.rollback()
                connection.close()

    # Backups -------------------------------------------------------------------------------------------------

    def backup(self, folder: Path) -> Manifest:
        """Copy the current snapshot (consistent while dashboards and imports run) and a manifest into ``folder``."""
        if folder.exists() and any(folder.iterdir()):
            raise DatabaseError("备份文件夹不是空的，未写入任何文件。请指定一个新的或空的文件夹。")
        self.ensure_published()
        for _ in range(5):
            version = self.current_version()
            if version is None:
                raise DatabaseError(MISSING)
            try:
                source = self.snapshot_path(version).open("rb")  # an open file survives pruning
            except FileNotFoundError:
                continue
            with source:
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    target = folder / BACKUP_FILE
                    partial = folder / f".{BACKUP_FILE}{PARTIAL_SUFFIX}"
                    digest, size = _copy_durably(source, partial)
                    os.replace(partial, target)  # the manifest comes last: a folder without one is no backup
                    with duckdb.connect(str(target), read_only=True) as check:
                        tables = _row_counts(check)
                        stored_schema = schema_version(check) or "1"
                    audit_digest, audit_size = self.audit.copy_into(folder / BACKUP_AUDIT_FILE)
                    manifest = Manifest(version, _now(), digest, size, stored_schema, tables, audit_digest, audit_size)
                    _write_durably(folder / MANIFEST_FILE, json.dumps(asdict(manifest), ensure_ascii=False, indent=2))
                except (duckdb.Error, OSError) as error:
                    raise DatabaseError(fault_message(error)) from error
            return manifest
        raise DatabaseError(MISSING)

    def restore(self, folder: Path, identity: Identity, force: bool = False) -> int:
        """Make a backup the new primary and publish it; a store holding data is replaced only with ``force``.

        Accounts come back as the backup holds them. The backup's audit trail is put in place only where this
        store has none (a new machine): an existing trail is append-only and keeps everything recorded since.
        """
        action = "从备份恢复（备份的第{version}版，{created}）"
        entry = AuditEntry("restore")
        try:
            require_writer(identity, "从备份恢复")
        except AccessDenied as refusal:
            entry.details = str(refusal)
            self.audit.record_entry(identity, entry, "refused")
            raise
        try:
            manifest = read_backup(folder)
            action = action.format(version=manifest.version, created=manifest.created_at)
            if not force and self._holds_data():
                raise DatabaseError(
                    "数据库中已有数据，未做任何更改。如确要用备份覆盖当前数据，请加 --force（建议先另做一次备份）。"
                )
            if manifest.audit_sha256 is not None:
                self.audit.adopt_if_absent(folder / BACKUP_AUDIT_FILE)
            version = self.initialise(
                lambda target: shutil.copyfile(folder / BACKUP_FILE, target), identity.actor, action, True
            )
        except DatabaseError as error:
            entry.details = str(error)
            self._audit_quietly(identity, entry, "failed")
            raise
        entry.details = f"{action}，发布为第{version}版"
        self._audit_quietly(identity, entry, "ok")
        return version

    def _holds_data(self) -> bool:
        if not self.primary.exists() and not self.is_published():
            return False
        with self.reading() as connection:
            counts = _row_counts(connection)
        return any(count for table, count in counts.items() if table not in ("meta", "write_log"))

    # Inside the lock -----------------------------------------------------------------------------------------

    def _lock(self, wait: float) -> int:
        """Take the writers' lock, waiting up to ``wait`` seconds; the returned descriptor releases it."""
        try:
            self.primary.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o664)
        except OSError as error:
            try:
                fd = os.open(self.lock_file, os.O_RDONLY)  # a read-only folder: flock works on it all the same
            except OSError:
                raise DatabaseError(fault_message(error)) from error
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise DatabaseError(BUSY.format(seconds=round(wait, 1))) from None
                time.sleep(0.05)

    def _repair(self) -> None:
        """Under the lock: finish what a dead writer left (publish its commit) and sweep its temporary files."""
        self._sweep()
        if not self.primary.exists():
            self._clear_marker()
            return
        if not self.marker.exists() and self.is_published() and not self._published_schema_is_older():
            return
        connection = self._connect_primary()  # replays the write-ahead log of a writer killed after commit
        self._set_marker()
        try:
            published = self.current_version() if self.is_published() else None
            held = _stored_version(connection)
            if (
                held == 0
                or (published is not None and held < published)
                or schema_version(connection) != SCHEMA_VERSION
            ):
                connection.begin()
                create_schema(connection)  # a store of the previous release upgrades here, in a writer transaction
                held = self._record_write(connection, "存储", "升级并发布数据库")
                connection.commit()
            connection.execute("CHECKPOINT")
        finally:
            connection.close()
        if held != published:
            self._publish(held)
        self._clear_marker()

    def _adopt(self, build: Callable[[Path], None], actor: str, action: str) -> int:
        """Under the lock: build a complete file beside the primary, stamp its version, rename it into place."""
        self.primary.parent.mkdir(parents=True, exist_ok=True)
        candidate = self.primary.with_name(f".{self.primary.name}.{os.getpid()}{PARTIAL_SUFFIX}")
        _remove_database(candidate)
        self._set_marker()
        try:
            build(candidate)
            connection = duckdb.connect(str(candidate))
            try:
                connection.begin()
                create_schema(connection)
                version = self._record_write(connection, actor, action)
                # Batches a builder logged outside any store transaction are the adopter's.
                connection.execute("UPDATE import_log SET imported_by = ? WHERE imported_by IS NULL", [actor])
                connection.commit()
                connection.execute("CHECKPOINT")
            finally:
                connection.close()
            _fsync_file(candidate)
            Path(f"{self.primary}.wal").unlink(missing_ok=True)  # _repair checkpointed the old primary
            os.replace(candidate, self.primary)
            _fsync_directory(self.primary.parent)
        except BaseException:
            _remove_database(candidate)
            raise
        self._publish(version)
        self._clear_marker()
        return version

    def _publish(self, version: int) -> None:
        """Copy the checkpointed primary to a new snapshot, then move the pointer to it; prune old ones."""
        self.snapshots.mkdir(exist_ok=True)
        final = self.snapshot_path(version)
        partial = self.snapshots / f".{final.name}.{os.getpid()}{PARTIAL_SUFFIX}"
        with self.primary.open("rb") as source:
            _copy_durably(source, partial, pause_midway=True)
        os.replace(partial, final)
        _fsync_directory(self.snapshots)
        _pause("before_pointer")
        _write_durably(self.pointer, final.name + "\n")
        _pause("after_pointer")
        self._prune(version)

    def _prune(self, current: int) -> None:
        versions = sorted(
            int(match.group(1)) for path in self.snapshots.iterdir() if (match := SNAPSHOT_FILE.fullmatch(path.name))
        )
        keep = set(versions[-KEEP_SNAPSHOTS:]) | {current}
        for version in versions:
            if version not in keep:
                self.snapshot_path(version).unlink(missing_ok=True)  # open readers keep reading the unlinked file

    def _sweep(self) -> None:
        """Temporary files of writers that died: partial snapshots, pointers and candidate primaries."""
        folders = [self.snapshots, self.primary.parent] if self.snapshots.is_dir() else [self.primary.parent]
        for folder in folders:
            with suppress(OSError):
                for leftover in folder.glob(f".*{PARTIAL_SUFFIX}*"):
                    leftover.unlink(missing_ok=True)

    def _connect_primary(self) -> duckdb.DuckDBPyConnection:
        if self.primary.is_dir():
            raise DatabaseError(fault_message(IsADirectoryError(21, "")))
        try:
            return duckdb.connect(str(self.primary))
        except (duckdb.Error, OSError) as error:
            raise DatabaseError(fault_message(error)) from error

    def _record_write(self, connection: duckdb.DuckDBPyConnection, actor: str, action: str) -> int:
        """The next version (above both the primary's and the pointer's) with who and what; sets the actor."""
        version = max(_stored_version(connection), self.current_version() or 0) + 1
        connection.execute("SET VARIABLE write_actor = ?", [actor])
        connection.execute("INSERT INTO write_log VALUES (?, ?, ?, now()::TIMESTAMP)", [version, actor, action])
        return version

    def _check_space(self) -> None:
        """Before commit: room for the checkpoint and the snapshot copy, so a full disk refuses, never half-does."""
        size = self.primary.stat().st_size
        wal = Path(f"{self.primary}.wal")
        size += wal.stat().st_size if wal.exists() else 0
        if shutil.disk_usage(self.primary.parent).free < size + SPACE_MARGIN_BYTES:
            raise DatabaseError(DISK_FULL)

    def _set_marker(self) -> None:
        if not self.marker.exists():
            _write_durably(self.marker, f"{os.getpid()} {_now()}\n")

    def _clear_marker(self) -> None:
        with suppress(FileNotFoundError):
            self.marker.unlink()
            _fsync_directory(self.marker.parent)

    def _fault(self, error: BaseException, outcome: str) -> DatabaseError:
        message = fault_message(error)
        return DatabaseError(
            UNPUBLISHED.format(reason=message.split("，")[0] + "。") if outcome == "committed" else message
        )


# Helpers ---------------------------------------------------------------------------------------------------------


def read_backup(folder: Path) -> Manifest:
    """The manifest of a backup folder, after checking the file against its sha256."""
    try:
        fields = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        manifest = Manifest(**fields)
    except FileNotFoundError:
        raise DatabaseError(
            "这不是备份文件夹（缺少 manifest.json），未做任何更改。请指定 backup 命令写出的文件夹。"
        ) from None
    except (ValueError, TypeError) as error:
        raise DatabaseError("备份的 manifest.json 已损坏，未做任何更改。请换用另一份备份。") from error
    try:
        with (folder / BACKUP_FILE).open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        raise DatabaseError("备份文件夹中缺少数据库文件，未做任何更改。请换用另一份备份。") from None
    if digest != manifest.sha256:
        raise DatabaseError(
            "备份文件与其 manifest.json 中的校验值不符（已损坏或被改动），未做任何更改。请换用另一份备份。"
        )
    if manifest.audit_sha256 is not None:
        try:
            with (folder / BACKUP_AUDIT_FILE).open("rb") as handle:
                audit_digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except FileNotFoundError:
            raise DatabaseError("备份文件夹中缺少审计日志文件，未做任何更改。请换用另一份备份。") from None
        if audit_digest != manifest.audit_sha256:
            raise DatabaseError(
                "备份中的审计日志与 manifest.json 中的校验值不符（已损坏或被改动），未做任何更改。请换用另一份备份。"
            )
    return manifest


def _stored_version(connection: duckdb.DuckDBPyConnection) -> int:
    rows = connection.execute(
        "SELECT 1 FROM duckdb_tables() WHERE table_name = 'write_log' AND database_name = current_database()"
    ).fetchall()
    if not rows:
        return 0
    return int(connection.execute("SELECT coalesce(max(version), 0) FROM write_log").fetchall()[0][0])


def _row_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name"
        ).fetchall()
    ]
    return {
        name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])  # names from the catalogue
        for name in tables
    }


def _copy_durably(source: BinaryIO, target: Path, pause_midway: bool = False) -> tuple[str, int]:
    """Copy an open binary file to ``target`` and fsync it; returns the sha256 and size of what was written."""
    digest = hashlib.sha256()
    size = os.fstat(source.fileno()).st_size
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(COPY_CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
            if pause_midway and written >= size // 2:
                out.flush()
                _pause("mid_copy")
                pause_midway = False
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), written


def _write_durably(path: Path, content: str) -> None:
    """Write a small file by temporary file, fsync, rename and fsync of the folder: old or new, never half."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}{PARTIAL_SUFFIX}")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _fsync_directory(path.parent)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_database(path: Path) -> None:
    for leftover in (path, Path(f"{path}.wal"), Path(f"{path}.building"), Path(f"{path}.building.wal")):
        leftover.unlink(missing_ok=True)


def _unlock(fd: int) -> None:
    os.close(fd)  # closing the descriptor releases the flock


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@contextmanager
def _told() -> Iterator[None]:
    """Database and file-system faults become a DatabaseError with the one line a user reads."""
    try:
        yield
    except (duckdb.Error, OSError) as error:
        raise DatabaseError(fault_message(error)) from error


def _pause(point: str) -> None:
    """Stop here for a test that kills the writer: announce the point, then sleep until killed."""
    if os.environ.get(PAUSE_ENVIRONMENT_VARIABLE) != point:
        return
    announce = os.environ.get(PAUSE_FILE_ENVIRONMENT_VARIABLE)
    if announce:
        Path(announce).write_text(point, encoding="utf-8")
    time.sleep(3600)
