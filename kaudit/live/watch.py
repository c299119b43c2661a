"""Keep one resource type current after its list: watch streams, GET only.

A watch is a ``GET`` of the list path with ``watch=1``, ``allowWatchBookmarks=true`` and the
``resourceVersion`` the list (or the last event) was served at; the server answers with one
JSON event per line. Three things end a stream, each handled as client-go's reflector does:

- the server closes it after ``timeoutSeconds``: reconnect at once from the last version;
- the version is too old (410 Gone, as an ``ERROR`` event or as the answer): relist the type,
  then watch from the new list's version;
- the connection breaks or the server refuses: reconnect after a backoff that doubles up to a
  ceiling, so a sick API server is not hammered.

A hostile or sick server is one more input (DESIGN.md §7): a line that is not an event (not
JSON, an ``object`` that is not a mapping, ``metadata`` of the wrong shape), an event longer
than ``MAX_EVENT_BYTES``, a stream silent for longer than it promised (``timeoutSeconds`` plus
``WatchSettings.grace``: the read timeout) or still open well after that (a whole-stream
deadline, for a server dripping bytes) each end the stream. The type is then a coverage gap until a
stream delivers again, and the stream is resumed after the backoff: never a MemoryError, a
dead watcher thread or a hang.

Every (re)connection and relist goes through the transport's rate limiter, so the ``--qps``
limit holds for watches too.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from urllib3 import exceptions as u3

from kaudit.live.deadline import Watchdog
from kaudit.live.discovery import ApiResource
from kaudit.live.errors import FetchError, reason_for_status
from kaudit.live.listing import ListOutcome, list_resource
from kaudit.live.policy import METADATA_ONLY, Query, queries_for
from kaudit.model import CoverageGap, SourceLocation
from kaudit.snapshot import KubeObject
from kaudit.snapshot.limits import unrepresentable
from kaudit.snapshot.metacheck import metadata_problem
from kaudit.snapshot.redact import redact_secret

if TYPE_CHECKING:
    from kaudit.live.transport import Transport

GONE = 410
MAX_EVENT_BYTES = 16 * 1024 * 1024
"""One event carries one object (etcd caps those at 1.5 MiB); a longer line is a broken
stream, not something to buffer without end."""
WATCH_METADATA_ONLY = (
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")
"""Watches of metadata-only types ask for single ``PartialObjectMetadata`` objects (the list
asks for the ``…List`` form)."""

# Why a stream was restarted, as the restarts metric labels it.
CLOSED = "closed"
"""The server ended the stream (its ``timeoutSeconds``): routine, reconnected at once."""
EXPIRED = "expired"
"""410 Gone: the version was compacted away; the type was relisted."""
BROKEN = "error"
"""The connection broke or the server refused: reconnected after a backoff."""

CONNECTION_FAILED = "connection failed"
BAD_RESPONSE = "bad response"
TIMEOUT = "timeout"


class WatchExpired(Exception):
    """The stream's ``resourceVersion`` is too old: only a relist can continue."""


@dataclass(frozen=True, slots=True)
class WatchEvent:
    type: str
    """``ADDED``, ``MODIFIED``, ``DELETED`` or ``BOOKMARK``."""
    object: KubeObject | None
    """``None`` for a bookmark."""
    resource_version: str


@dataclass(frozen=True)
class WatchSettings:
    namespace: str | None = None
    page_size: int = 500
    timeout_seconds: int = 300
    """Asked of the server: end each stream after this long (it is then resumed)."""
    backoff: float = 0.5
    """Seconds before the first reconnection after a failure; doubled up to ``max_backoff``."""
    max_backoff: float = 30.0
    grace: float = 30.0
    """Seconds past ``timeout_seconds`` a stream may stay silent (the read timeout), and twice
    that it may stay open at all (the whole-stream deadline, for a server dripping bytes),
    before it is given up as broken and resumed."""


class WatchSink(Protocol):
    """Where a watcher delivers what it learns (the watch command's object store)."""

    def replace(self, resource: ApiResource, outcome: ListOutcome) -> None: ...

    def apply(self, resource: ApiResource, query: int, event: WatchEvent) -> None: ...

    def restarted(self, resource: ApiResource, reason: str) -> None: ...

    def watch_failed(self, resource: ApiResource, gap: CoverageGap | None) -> None: ...


def watch_query(resource_version: str, timeout_seconds: int,
                query: Query) -> dict[str, str]:
    params = {"watch": "1", "allowWatchBookmarks": "true",
              "resourceVersion": resource_version, "timeoutSeconds": str(timeout_seconds)}
    if query.label_selector:
        params["labelSelector"] = query.label_selector
    return params


def read_events(chunks: Iterator[bytes], resource: ApiResource,
                location: SourceLocation) -> Iterator[WatchEvent]:
    """Events of one stream, as they arrive; ``WatchExpired`` for a 410 ``ERROR`` event,
    ``FetchError`` for another error event or a line that is not an event."""
    buffer = bytearray()
    for chunk in chunks:
        start = len(buffer)
        buffer += chunk
        end = buffer.find(b"\n", start)
        while end >= 0:
            line = bytes(buffer[:end])
            del buffer[:end + 1]
            if line.strip():
                yield _event(line, resource, location)
            end = buffer.find(b"\n")
        if len(buffer) > MAX_EVENT_BYTES:
            raise FetchError(BAD_RESPONSE, f"a watch event is over {MAX_EVENT_BYTES} bytes")
    if bytes(buffer).strip():
        yield _event(bytes(buffer), resource, location)


def _event(line: bytes, resource: ApiResource, location: SourceLocation) -> WatchEvent:
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise FetchError(BAD_RESPONSE, f"watch event is not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("object"), dict):
        raise FetchError(BAD_RESPONSE, "watch event without an object")
    kind, raw = str(doc.get("type") or ""), doc["object"]
    if kind == "ERROR":
        code = raw.get("code")
        status = code if isinstance(code, int) else 500
        if status == GONE:
            raise WatchExpired(str(raw.get("message") or "resourceVersion too old"))
        raise FetchError(reason_for_status(status),
                         f"watch error {status}: {str(raw.get('message') or '')[:300]}", status)
    if kind not in ("ADDED", "MODIFIED", "DELETED", "BOOKMARK"):
        raise FetchError(BAD_RESPONSE, f"unknown watch event type {kind[:40]!r}")
    meta = raw.get("metadata")
    if not isinstance(meta, dict):
        raise FetchError(BAD_RESPONSE, f"{kind} event whose metadata is a "
                                       f"{type(meta).__name__}, not a mapping")
    # The bounds a listed object is held to (the store keys on name and namespace, the next
    # watch resumes from resourceVersion): an event the list would have skipped ends the
    # stream, so that the type is a gap rather than silently missing the object.
    problem = metadata_problem(raw) or (None if kind == "BOOKMARK" else unrepresentable(raw))
    if problem is not None:
        raise FetchError(BAD_RESPONSE, f"{kind} event whose {problem}")
    version = meta.get("resourceVersion") or ""
    if kind == "BOOKMARK":
        return WatchEvent(kind, None, version)
    return WatchEvent(kind, as_object(raw, resource, location), version)


def as_object(raw: dict[str, Any], resource: ApiResource,
              location: SourceLocation) -> KubeObject:
    """A watched object as the list would have made it: typed from discovery (metadata-only
    items say ``PartialObjectMetadata``), a Secret digested before anything else sees it."""
    raw["apiVersion"] = resource.api_version
    raw["kind"] = resource.kind
    if resource.kind == "Secret" and resource.group == "":
        # Metadata-only items too: kubectl's last-applied annotation holds the data.
        redact_secret(raw)
    return KubeObject(raw, location)


class TypeWatcher:
    """Follow one resource type: one stream per list query (Secrets have two), relisting the
    whole type when any of them expires."""

    def __init__(self, transport: Transport, resource: ApiResource, listed: ListOutcome,
                 sink: WatchSink, settings: WatchSettings, stop: threading.Event,
                 source: str) -> None:
        self.transport = transport
        self.resource = resource
        self.sink = sink
        self.settings = settings
        self.stop = stop
        self.source = source
        self.queries = queries_for(resource)
        self._versions = list(listed.resource_versions)
        self._generation = 0
        """Bumped by every relist: a stream opened before it must start again."""
        self._lock = threading.Lock()
        self._open: dict[int, Any] = {}
        self._delivered: dict[int, bool] = {}
        """Stream index -> it delivered an event since its last expiry."""
        self._suspect: set[int] = set()
        """Streams whose last one ended on what the server sent (or did not send): their gap
        stays until a stream delivers again, not merely until it opens."""
        self._watchdog = Watchdog()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for index in range(len(self.queries)):
            thread = threading.Thread(target=self._run, args=(index,), daemon=True,
                                      name=f"kaudit-watch-{self.resource.name}-{index}")
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        """End every open stream now (the threads see ``stop`` and return)."""
        with self._lock:
            responses = list(self._open.values())
        _shutdown(responses)

    def join(self, timeout: float) -> None:
        for thread in self._threads:
            thread.join(timeout)

    # ---- one stream -------------------------------------------------------------------
    def _run(self, index: int) -> None:
        """A watcher thread outlives surprises (a kaudit bug, an object the store chokes on):
        a dead thread would stop keeping its type current without a word. The surprise is a
        restart and a coverage gap until the stream is back."""
        delay = self.settings.backoff
        while not self.stop.is_set():
            try:
                self._follow(index)
                return
            except Exception as exc:
                self.sink.restarted(self.resource, BROKEN)
                self.sink.watch_failed(self.resource, CoverageGap(
                    self.resource.name, "watch failed", f"{type(exc).__name__}: {exc}"[:300]))
                delay = self._pause(delay)

    def _follow(self, index: int) -> None:
        delay = self.settings.backoff
        quick_expiries = 0
        while not self.stop.is_set():
            with self._lock:
                generation = self._generation
                version = self._versions[index] if index < len(self._versions) else ""
            if not version:
                delay = delay if self._relist(generation) else self._pause(delay)
                continue
            try:
                delivered = self._stream(index, version, generation)
            except WatchExpired:
                expired = True
            except FetchError as exc:
                if self.stop.is_set() or self._stale(generation):
                    continue  # closed on purpose: shutting down, or another stream relisted
                expired = exc.status == GONE
                if not expired:
                    self.sink.restarted(self.resource, BROKEN)
                    if exc.status is not None or exc.reason != CONNECTION_FAILED:
                        # The server refused the watch itself (403 without the watch verb,
                        # a 5xx), or sent what is not a watch stream: the listed objects
                        # are no longer kept current. A dropped connection alone is not a
                        # gap: it is resumed at once from the last version.
                        if exc.status is None:
                            with self._lock:
                                self._suspect.add(index)
                        self.sink.watch_failed(self.resource, CoverageGap(
                            self.resource.name, f"watch {exc.reason}", exc.detail))
                    delay = self._pause(delay)
                    continue
            else:
                if not self.stop.is_set() and not self._stale(generation):
                    self.sink.restarted(self.resource, CLOSED)
                # A stream that ended without a single event (bookmarks included) is resumed
                # after the backoff, as client-go does: a server ending every stream at once
                # would otherwise be asked again as fast as the rate limit allows.
                delay = self.settings.backoff if delivered else self._pause(delay)
                continue
            if expired:
                self.sink.restarted(self.resource, EXPIRED)
                # A server expiring every fresh list at once must not be relisted in a
                # tight loop: from the second expiry in a row without events, back off.
                quick_expiries = 0 if self._delivered.pop(index, False) else quick_expiries + 1
                if quick_expiries > 1:
                    delay = self._pause(delay)
                delay = delay if self._relist(generation) else self._pause(delay)

    def _stale(self, generation: int) -> bool:
        with self._lock:
            return self._generation != generation

    def _pause(self, delay: float) -> float:
        self.stop.wait(delay)
        return min(delay * 2, self.settings.max_backoff)

    def _stream(self, index: int, version: str, generation: int) -> bool:
        """Follow one stream until it ends; whether it delivered anything."""
        query = self.queries[index]
        accept = WATCH_METADATA_ONLY if query.accept == METADATA_ONLY else query.accept
        timeout = self.settings.timeout_seconds
        silence = timeout + self.settings.grace
        limit = silence + self.settings.grace
        response = self.transport.stream(
            self.resource.list_path(self.settings.namespace),
            watch_query(version, timeout, query), accept=accept, read_timeout=silence)
        with self._lock:
            self._open[index] = response
            suspect = index in self._suspect
        if not suspect:
            self.sink.watch_failed(self.resource, None)
        location = SourceLocation(self.source)
        delivered = ended = False
        cut: list[bool] = []

        def overdue() -> None:
            cut.append(True)
            _shutdown([response])

        alarm = self._watchdog.arm(time.monotonic() + limit, overdue)
        try:
            for event in read_events(_chunks(response, silence), self.resource, location):
                with self._lock:
                    if self._generation != generation:
                        return delivered  # relisted meanwhile: this stream is stale
                    if event.object is not None:
                        self.sink.apply(self.resource, index, event)
                    if event.resource_version:  # after the store took it: else it is replayed
                        self._versions[index] = event.resource_version
                    suspect = self._clear_suspect(index, suspect)
                delivered = self._delivered[index] = True
            with self._lock:
                self._clear_suspect(index, suspect)
            ended = True
        except FetchError:
            if cut:
                raise FetchError(TIMEOUT, f"the stream was still open {limit:g} s after "
                                          f"asking for {timeout} s") from None
            raise
        finally:
            self._watchdog.disarm(alarm)
            with self._lock:
                self._open.pop(index, None)
            if not ended:
                # Left mid-body (an error event, a relist, a stop): the connection still
                # holds unread bytes and must not serve another request.
                response.close()
            response.release_conn()
        return delivered

    def _clear_suspect(self, index: int, suspect: bool) -> bool:
        """The stream delivered (or ended as it should): a gap from its last failure is over.
        Called with the lock held; the stream's new suspicion (none)."""
        if suspect:
            self._suspect.discard(index)
            self.sink.watch_failed(self.resource, None)
        return False

    def _relist(self, generation: int) -> bool:
        """List the type again and replace what the sink holds of it; ``False`` (after
        telling the sink why) when the list failed."""
        with self._lock:
            if self._generation != generation:
                return True  # another stream of this type relisted already
        outcome = list_resource(self.transport, self.resource, source=self.source,
                                namespace=self.settings.namespace,
                                page_size=self.settings.page_size)
        if outcome.gap is not None:
            self.sink.watch_failed(self.resource, outcome.gap)
            return False
        with self._lock:
            self._generation += 1
            self._versions = list(outcome.resource_versions)
            self.sink.replace(self.resource, outcome)
            others = list(self._open.values())
        _shutdown(others)  # the other streams resume from the new version
        return True


def _shutdown(responses: list[Any]) -> None:
    """Unblock the threads reading these streams (a socket already gone is fine)."""
    for response in responses:
        with contextlib.suppress(Exception):
            response.shutdown()


def _chunks(response: Any, read_timeout: float) -> Iterator[bytes]:
    """The body as it arrives; a broken connection is a ``FetchError`` like any other, a
    stream silent past its read timeout a ``timeout`` one."""
    try:
        while True:
            chunk = response.read1(65536)
            if not chunk:
                return
            yield chunk
    except (u3.ReadTimeoutError, TimeoutError):
        raise FetchError(TIMEOUT, f"the stream was silent for {read_timeout:g} s, past its "
                                  "timeoutSeconds") from None
    except (u3.HTTPError, OSError, ValueError) as exc:
        raise FetchError(CONNECTION_FAILED, f"watch stream broke: {exc}") from None

