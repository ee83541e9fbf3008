"""A dashboard started with ``streamlit run`` on a free local port, for the browser tests and the benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class DashboardDidNotStart(RuntimeError):
    """The server died or never answered; the message carries its output."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_dashboard(
    database: Path,
    timeout: float = 90,
    log_path: Path | None = None,
    *,
    options: tuple[str, ...] = (),
    host: str = "127.0.0.1",
    port: int | None = None,
) -> Iterator[tuple[str, int]]:
    """Yield the address and process id of a dashboard on ``database``; it is always stopped afterwards.

    The server's output goes to ``log_path`` when given (kept, for a test to read), else to a temporary file.
    ``options`` go to ``streamlit run`` (``--secrets.files``, …); ``host`` is the address it listens on.
    """
    port = port or free_port()
    with log_path.open("w+") if log_path else tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.address",
                host,
                *options,
            ],
            cwd=ROOT,
            env={**os.environ, "ENFORCEMENT_DB": str(database)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{host}:{port}"
    try:
        _wait_for(url, process, Path(log.name), timeout)
        yield url, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log_path is None:
            Path(log.name).unlink(missing_ok=True)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise DashboardDidNotStart(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise DashboardDidNotStart(f"streamlit did not answer within {timeout:g} s:\n{log.read_text()}")
        time.sleep(0.5)
