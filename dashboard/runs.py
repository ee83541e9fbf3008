"""How many page runs of this process go at once.

Streamlit runs each session's script in a thread of its own, and Python runs one thread at a time: fifty sessions
changing their view together all progress a little at a time and get in each other's way. Admitted two at a time,
each run finishes sooner and the server does less in all (59 against 77 ms of CPU a page under the load run of
fifty viewers, README). A run waiting for its turn uses no processor; a fragment's rerun (a chart's measure picker)
is not held back, and long work inside a run (checking an upload, writing an import, drawing the bulletin or a
picture) gives its turn back while it works, so a clerk's import never holds up the leaders' pages.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RUNS_AT_ONCE_VARIABLE = "ENFORCEMENT_PAGE_RUNS"
RUNS_AT_ONCE = max(1, int(os.environ.get(RUNS_AT_ONCE_VARIABLE) or 2))
_turns = threading.BoundedSemaphore(RUNS_AT_ONCE)
_holding = threading.local()


@contextmanager
def page_run_turn() -> Iterator[None]:
    """Hold one of the process's ``RUNS_AT_ONCE`` turns for the length of a page run."""
    with _turns:
        _holding.turn = True
        try:
            yield
        finally:
            _holding.turn = False


@contextmanager
def long_work() -> Iterator[None]:
    """Give this run's turn back for the length of some long work, and wait for a turn again after it."""
    if not getattr(_holding, "turn", False):
        yield
        return
    _holding.turn = False
    _turns.release()
    try:
        yield
    finally:
        _turns.acquire()
        _holding.turn = True
