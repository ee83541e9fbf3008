"""A Streamlit session spoken over the websocket the way the browser speaks it, for the load run.

The browser fetches ``/_stcore/health`` (which sets the ``_streamlit_xsrf`` cookie), opens ``/_stcore/stream`` with
the sub-protocols ``streamlit`` and the XSRF token, and sends a ``BackMsg.rerun_script`` carrying its address (query
string and page) and the values of the widgets it shows. The server answers with ``ForwardMsg``s: ``new_session``,
deltas that draw or replace elements at their delta paths, and ``script_finished``. Large elements the browser
already holds are sent as references (``ref_hash``) to the hashes the browser listed in ``cached_message_hashes``;
this client keeps the same cache and resolves them, as the frontend does.

Widgets are found by the user key that ends their element id (``$$ID-<hash>-<key>``), never by their position, so
the client keeps working while the pages are rearranged.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
WIDGET_KINDS = ("selectbox", "multiselect", "radio", "checkbox")


class SessionError(RuntimeError):
    """The session broke: a disconnect, a timeout, or a message the client cannot make sense of."""


@dataclass
class Element:
    """One element drawn in a run, reduced to what the load run checks and weighs."""

    path: tuple[int, ...]
    kind: str  # the Element oneof: "markdown", "dataframe", "plotly_chart", …
    key: str | None  # the widget or element user key, from the end of its id
    wire_bytes: int  # bytes on the websocket (a cache reference is small)
    content_bytes: int  # bytes of the element's message itself
    proto: Any  # the element's own protobuf (Heading, Dataframe, PlotlyChart, …)


@dataclass
class Run:
    """What one script run sent: its elements by delta path, bytes, errors and how long it took."""

    started: float
    finished: float | None = None
    status: str = "running"
    script_run_id: str = ""  # the run whose new_session came after the request: only its messages count
    earlier: int = 0  # messages of an earlier, interrupted run that arrived after the request
    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    messages: int = 0
    wire_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    query_string: str | None = None

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def of_kind(self, kind: str) -> list[Element]:
        return [self.elements[path] for path in sorted(self.elements) if self.elements[path].kind == kind]

    def bytes_by_kind(self) -> Counter[str]:
        weights: Counter[str] = Counter()
        for element in self.elements.values():
            weights[element.kind] += element.content_bytes
        return weights


def user_key(element_id: str) -> str | None:
    """``$$ID-<hash>-<key>`` → ``key``; ``$$ID-<hash>-None`` or no id → None."""
    if not element_id.startswith("$$ID-"):
        return None
    key = element_id.split("-", 2)[2] if element_id.count("-") >= 2 else ""
    return None if key in ("", "None") else key


def xsrf_cookie(base_url: str, timeout: float = 30) -> str:
    """The ``_streamlit_xsrf`` token the health check sets, as the browser gets it before opening the socket."""
    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=timeout) as answer:
        for header in answer.headers.get_all("set-cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "_streamlit_xsrf":
                return rest.split(";", 1)[0]
    return ""


def fetch_page(base_url: str, path: str, timeout: float = 30) -> int:
    """GET the page's HTML as a browser opening the link does; returns its size."""
    with urllib.request.urlopen(f"{base_url}/{path}", timeout=timeout) as answer:
        return len(answer.read())


def arrow_rows(element: Element) -> list[dict[str, Any]]:
    """The rows of a dataframe element (its Arrow IPC bytes), as dicts of column → value."""
    data = element.proto.arrow_data.data
    if not data:
        return []
    table = pa.ipc.open_stream(io.BytesIO(data)).read_all()
    index_columns = _pandas_index_columns(table)
    return [{k: v for k, v in row.items() if k not in index_columns} for row in table.to_pylist()]


def _pandas_index_columns(table: pa.Table) -> set[str]:
    metadata = (table.schema.metadata or {}).get(b"pandas")
    if not metadata:
        return set()
    return {c for c in json.loads(metadata).get("index_columns", []) if isinstance(c, str)}


class StreamlitSession:
    """One browser tab: a websocket, the widget values it would send, and its forward-message cache."""

    def __init__(self, base_url: str, run_timeout: float = 120) -> None:
        self.base_url = base_url.rstrip("/")
        self.run_timeout = run_timeout
        self.socket: Any = None
        self.query_string = ""
        self.page_hashes: dict[str, str] = {}  # url path ("" for the default page) → page_script_hash
        self.page_script_hash = ""
        self.widgets: dict[str, Any] = {}  # user key → the widget's latest protobuf (options, id)
        self.widget_states: dict[str, WidgetState] = {}  # element id → the value this tab sends
        self.cache: dict[str, ForwardMsg] = {}
        self.session_id = ""
        self._current: Run | None = None
        self._reader: asyncio.Task[None] | None = None
        self._run_done = asyncio.Event()
        self.closed_reason: str | None = None
        self.runs_started = 0  # script runs the server began for this tab (each begins with new_session)

    async def open(self, page: str = "", query_string: str = "") -> Run:
        """Open the page as a fresh tab does (HTML, health, socket, first run) and wait for the run to finish."""
        started = time.perf_counter()
        token = await asyncio.to_thread(self._handshake, page, query_string)
        parts = urlsplit(self.base_url)
        self.socket = await websockets.connect(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", token],  # type: ignore[list-item]
            additional_headers={"Cookie": f"_streamlit_xsrf={token}", "Origin": self.base_url},
            max_size=None,
            open_timeout=self.run_timeout,
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())
        self.query_string = query_string
        return await self._rerun(page_name=page, started=started)

    def _handshake(self, page: str, query_string: str) -> str:
        fetch_page(self.base_url, page + (f"?{query_string}" if query_string else ""), self.run_timeout)
        return xsrf_cookie(self.base_url, self.run_timeout)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.socket is not None:
            await self.socket.close()

    def widget(self, key: str) -> Any | None:
        """The latest protobuf of the widget with this user key, or None if the page has not drawn it."""
        return self.widgets.get(key)

    async def choose(self, key: str, value: str | list[str]) -> Run:
        """Set a selectbox or radio (an option's label) or a multiselect (labels) and rerun, as a click does."""
        widget = self.widgets.get(key)
        if widget is None:
            raise SessionError(f"no widget with key {key!r} on this page")
        state = WidgetState(id=widget.id)
        if isinstance(value, list):
            state.string_array_value.data.extend(value)
        else:
            state.string_value = value
        self.widget_states[widget.id] = state
        return await self._rerun()

    async def rerun(self) -> Run:
        """Run the page again with the same address and widget values (a browser's R)."""
        return await self._rerun()

    async def go_to(self, page: str) -> Run:
        """Switch page as the sidebar's navigation link does: the target page's hash, the shared widgets kept."""
        if page not in self.page_hashes:
            raise SessionError(f"no page {page!r} in the navigation")
        self.page_script_hash = self.page_hashes[page]
        return await self._rerun()

    async def clear_caches(self) -> None:
        """The "Clear caches" menu item: empties st.cache_data and st.cache_resource for every session."""
        message = BackMsg()
        message.clear_cache = True
        await self.socket.send(message.SerializeToString())

    async def _rerun(self, page_name: str = "", started: float | None = None) -> Run:
        if self.closed_reason:
            raise SessionError(self.closed_reason)
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = page_name
        state.widget_states.widgets.extend(self.widget_states.values())
        state.cached_message_hashes.extend(self.cache)
        run = Run(started=started or time.perf_counter())
        self._current = run
        self._run_done.clear()
        await self.socket.send(message.SerializeToString())
        try:
            await asyncio.wait_for(self._run_done.wait(), self.run_timeout)
        except TimeoutError:
            run.status = "timeout"
            run.errors.append(f"no script_finished within {self.run_timeout:g} s")
            return run
        if self.closed_reason and run.status == "running":
            run.status = "disconnected"
            run.errors.append(self.closed_reason)
        return run

    async def _read(self) -> None:
        try:
            async for data in self.socket:
                self._handle(data)
        except (websockets.ConnectionClosed, OSError) as error:
            self.closed_reason = f"disconnected: {error}"
        except Exception as error:  # a message this client cannot read is a failure of the run, not a crash
            self.closed_reason = f"unreadable message: {error!r}"
        else:
            self.closed_reason = "disconnected by the server"
        finally:
            self._run_done.set()

    def _handle(self, data: bytes) -> None:
        message = ForwardMsg()
        message.ParseFromString(data)
        run = self._current
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(message.ref_hash)
            if cached is None:
                if run is not None:
                    run.errors.append(f"cache reference to a message this tab never got ({message.ref_hash[:8]})")
                return
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(message.metadata)
            wire = len(data)
            message, kind = resolved, resolved.WhichOneof("type")
        else:
            wire = len(data)
            if message.metadata.cacheable and message.hash:
                self.cache[message.hash] = message
        if run is None:
            return
        run.messages += 1
        run.wire_bytes += wire
        run_id = message.metadata.run.script_run_id if message.metadata.HasField("run") else ""
        if kind == "new_session":
            self.runs_started += 1
            # A run begins: what the tab shows is redrawn from here, so earlier elements no longer count.
            run.script_run_id, run.elements = run_id, {}
            self._new_session(message)
        elif kind == "navigation":
            self.page_hashes = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
            run.query_string = self.query_string
        elif kind == "delta":
            if not run.script_run_id:
                run.earlier += 1  # only new_session and script_finished name their run; deltas follow them
                return
            self._delta(run, message, wire)
        elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
            run.errors.append("script compilation error: " + message.session_event.script_compilation_exception.message)
        elif kind == "script_finished":
            status = message.script_finished
            if run_id and run_id != run.script_run_id:
                run.earlier += 1
                return
            if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                return  # the page asked for a rerun (st.rerun); the browser keeps waiting, so do we
            run.finished = time.perf_counter()
            run.status = (
                "ok"
                if status in (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
                else "error"
            )
            if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                run.errors.append("finished with a compile error")
            self._run_done.set()

    def _new_session(self, message: ForwardMsg) -> None:
        session = message.new_session
        if session.initialize.session_id:
            self.session_id = session.initialize.session_id
        self.page_script_hash = session.page_script_hash or self.page_script_hash

    def _delta(self, run: Run, message: ForwardMsg, wire: int) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        element_id = getattr(proto, "id", "") if hasattr(proto, "id") else ""
        key = user_key(element_id) if isinstance(element_id, str) else None
        path = tuple(message.metadata.delta_path)
        run.elements[path] = Element(path, kind, key, wire, message.ByteSize(), proto)
        if kind in WIDGET_KINDS and key:
            self.widgets[key] = proto
        if kind == "exception":
            run.errors.append(f"exception on the page: {proto.type}: {proto.message[:200]}")
