"""Watch streams for the loopback API server: versioned changes, events, bookmarks, expiry
and dropped connections, so every behaviour of ``kaudit watch`` is a test.

``WatchHub(server)`` gives the server a resource version that every change advances (lists
report it), a log of changes, and watch streams (``GET …?watch=1``) that replay the changes
after the asked version and then follow new ones, as chunked JSON lines like the real server.
Tests drive it: ``add``/``modify``/``delete`` change objects, ``compact`` makes older versions
answer 410 Gone (an ``ERROR`` event, as the watch cache does), ``expire_streams`` sends that to
open streams, ``drop_streams`` hangs up mid-stream without ending the chunked body, and
``bookmark`` sends ``BOOKMARK`` events to streams that allowed them.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from tests.live.apiserver import PARTIAL, STREAMED, LoopbackAPIServer, Resource, _selected


@dataclass
class Change:
    version: int
    resource: Resource
    type: str
    obj: dict[str, Any]
    before: dict[str, Any] | None


@dataclass
class _Stream:
    resource: Resource
    bookmarks: bool
    drop: bool = False
    expire: bool = False
    close: bool = False
    bookmark: bool = False


@dataclass
class WatchHub:
    server: LoopbackAPIServer
    version: int = 1000
    max_stream_seconds: float = 60.0
    """Streams end (normally) after this long even if the client asked for longer."""
    changes: list[Change] = field(default_factory=list)
    compacted: int = 0
    """Versions below this are gone: a watch from one gets 410."""
    streams: list[_Stream] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cond = threading.Condition()
        self.server.watch = self  # the hook apiserver.py calls for ?watch=1 and list versions

    # ---- what tests do ----------------------------------------------------------------
    def resource(self, plural: str, group: str = "") -> Resource:
        for res in self.server.cluster.resources:
            if (res.group, res.plural) == (group, plural):
                return res
        raise KeyError(plural)

    def add(self, res: Resource, obj: dict[str, Any]) -> int:
        return self._change(res, "ADDED", obj, None)

    def modify(self, res: Resource, namespace: str | None, name: str,
               change: Any) -> int:
        """Apply ``change(obj)`` (it mutates a copy) to the named object."""
        with self.cond:
            current = self._find(res, namespace, name)
            updated = copy.deepcopy(current)
            change(updated)
            return self._change(res, "MODIFIED", updated, current)

    def delete(self, res: Resource, namespace: str | None, name: str) -> int:
        with self.cond:
            current = self._find(res, namespace, name)
            return self._change(res, "DELETED", copy.deepcopy(current), current)

    def compact(self) -> None:
        """Forget every version before the current one: watches resuming from them get
        410 Gone (the current version stays watchable, as after an etcd compaction)."""
        with self.cond:
            self.compacted = self.version

    def expire_streams(self, res: Resource | None = None) -> None:
        """Open streams (of ``res``, or all) get an ``ERROR`` 410 event (the watch cache
        fell behind)."""
        self._flag("expire", res)

    def drop_streams(self, res: Resource | None = None) -> None:
        """Open streams are hung up on mid-body (an API server restarting)."""
        self._flag("drop", res)

    def close_streams(self, res: Resource | None = None) -> None:
        """Open streams end normally, as after ``timeoutSeconds``."""
        self._flag("close", res)

    def bookmark(self, res: Resource | None = None) -> None:
        """Streams that allowed bookmarks get one at the current version."""
        self._flag("bookmark", res)

    def open_streams(self) -> int:
        with self.cond:
            return len(self.streams)

    def wait_streams(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.streams) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.streams)} of {count} watch streams open")
                self.cond.wait(left)

    # ---- called by the server ---------------------------------------------------------
    def list_state(self, res: Resource) -> tuple[list[dict[str, Any]], str]:
        with self.cond:
            return list(res.objects), str(self.version)

    def serve(self, handler: Any, res: Resource, namespace: str | None,
              query: dict[str, list[str]]) -> tuple[int, Any]:
        since = int((query.get("resourceVersion") or ["0"])[0] or 0)
        selector = (query.get("labelSelector") or [""])[0]
        timeout = float((query.get("timeoutSeconds") or ["1800"])[0])
        partial = "as=PartialObjectMetadata" in (handler.headers.get("Accept") or "")
        stream = _Stream(res, (query.get("allowWatchBookmarks") or [""])[0] == "true")
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        deadline = time.monotonic() + min(timeout, self.max_stream_seconds)
        with self.cond:
            self.streams.append(stream)
            self.cond.notify_all()
        try:
            if since < self.compacted:
                self._send(handler, _expired(since))
            else:
                self._follow(handler, stream, since, namespace, selector, partial, deadline)
            if stream.drop:
                handler.close_connection = True
                return 0, STREAMED
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        finally:
            with self.cond:
                self.streams.remove(stream)
                self.cond.notify_all()
        return 200, STREAMED

    # ---- internals --------------------------------------------------------------------
    def _follow(self, handler: Any, stream: _Stream, since: int, namespace: str | None,
                selector: str, partial: bool, deadline: float) -> None:
        position = 0
        while True:
            with self.cond:
                while True:
                    pending = [c for c in self.changes[position:]
                               if c.version > since and c.resource is stream.resource]
                    position = len(self.changes)
                    if (pending or stream.drop or stream.expire or stream.close
                            or stream.bookmark or time.monotonic() >= deadline):
                        break
                    self.cond.wait(max(0.0, deadline - time.monotonic()))
                flags = (stream.drop, stream.expire, stream.close, stream.bookmark)
                stream.bookmark = False
                version = self.version
            for change in pending:
                event = _event(change, namespace, selector, partial)
                if event is not None:
                    self._send(handler, event)
                since = change.version
            drop, expire, close, bookmark = flags
            if drop:
                return
            if expire:
                self._send(handler, _expired(since))
                return
            if bookmark and stream.bookmarks:
                self._send(handler, {"type": "BOOKMARK", "object": {
                    "apiVersion": stream.resource.group_version, "kind": stream.resource.kind,
                    "metadata": {"resourceVersion": str(version)}}})
            if close or time.monotonic() >= deadline:
                return

    def _send(self, handler: Any, event: dict[str, Any]) -> None:
        data = orjson.dumps(event) + b"\n"
        handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        handler.wfile.flush()

    def _flag(self, name: str, res: Resource | None) -> None:
        with self.cond:
            for stream in self.streams:
                if res is None or stream.resource is res:
                    setattr(stream, name, True)
            self.cond.notify_all()

    def _find(self, res: Resource, namespace: str | None, name: str) -> dict[str, Any]:
        for obj in res.objects:
            meta = obj["metadata"]
            if meta["name"] == name and meta.get("namespace") == namespace:
                return obj
        raise KeyError(f"{res.plural} {namespace}/{name}")

    def _change(self, res: Resource, kind: str, obj: dict[str, Any],
                before: dict[str, Any] | None) -> int:
        with self.cond:
            self.version += 1
            obj["metadata"]["resourceVersion"] = str(self.version)
            if before is not None:
                res.objects = [o for o in res.objects if o is not before]
            if kind != "DELETED":
                res.objects.append(obj)
            self.changes.append(Change(self.version, res, kind, obj, before))
            self.cond.notify_all()
            return self.version


def _event(change: Change, namespace: str | None, selector: str,
           partial: bool) -> dict[str, Any] | None:
    """The event a stream of ``namespace``/``selector`` sees for ``change`` (an object leaving
    the selector is ``DELETED`` for it, one entering it ``ADDED``), or ``None``."""
    obj, before = change.obj, change.before
    if namespace is not None and obj["metadata"].get("namespace") != namespace:
        return None
    now_in = _selected(obj, selector) and change.type != "DELETED"
    was_in = before is not None and _selected(before, selector)
    if now_in and was_in:
        kind = "MODIFIED"
    elif now_in:
        kind = "ADDED"
    elif was_in:
        kind = "DELETED"
    else:
        return None
    res = change.resource
    if partial:
        body: dict[str, Any] = {"kind": "PartialObjectMetadata",
                                "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
    else:
        body = {**obj, "apiVersion": res.group_version, "kind": res.kind}
    return {"type": kind, "object": body}


def _expired(since: int) -> dict[str, Any]:
    return {"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"too old resource version: {since}", "reason": "Expired", "code": 410}}


__all__ = ["PARTIAL", "WatchHub"]
