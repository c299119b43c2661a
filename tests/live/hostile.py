"""Hostile and sick API-server behaviours for the loopback server (issue 9 §4).

Each behaviour answers the requests to one path in a way a real server should not: dripping
its answer a byte at a time, paginating for ever, sending more than any client should read, or
answering with the wrong shapes. Install one with ``server.behaviours.append(...)``; every one
is bounded on the server side too, so that a client without the defence it tests ends with a
wrong result (a failed assertion), never a hung test run.
"""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

FILLER = b" " * 65536


def _quiet_write(handler: Any, data: bytes) -> bool:
    """Write to the client; ``False`` once it has hung up (the behaviour then stops)."""
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
        return True
    except OSError:
        handler.close_connection = True
        return False


@dataclass
class Behaviour:
    path: str

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        return path == self.path


@dataclass
class Drip(Behaviour):
    """The real answer, one byte every ``interval`` seconds, in the ``headers`` or the
    ``body``: no single read ever waits long, so only a whole-request deadline stops it. After
    ``give_up`` seconds the rest is sent at once (a client without that deadline then gets a
    complete answer late, and no gap)."""

    phase: str = "body"
    interval: float = 0.1
    give_up: float = 8.0

    def serve(self, handler: Any, path: str, query: dict[str, list[str]]) -> None:
        routed = handler._route(path, query)
        body = orjson.dumps(routed[1]) if routed else b"{}"
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        if self.phase == "headers":
            slow = head + body
        elif _quiet_write(handler, head):
            slow = body
        else:
            return
        stop = time.monotonic() + self.give_up
        for i in range(len(slow)):
            if time.monotonic() > stop:
                _quiet_write(handler, slow[i:])
                return
            if not _quiet_write(handler, slow[i:i + 1]):
                return
            time.sleep(self.interval)


@dataclass
class EndlessPages(Behaviour):
    """A list that never ends. ``mode``: ``repeat`` (the same continue token every page),
    ``distinct`` (a new token every page, no count), ``remaining`` (reports
    ``remainingItemCount: 1`` and still goes on), ``not-a-string`` (the token is an object).
    Stops after ``give_up`` pages with a last page without a token."""

    mode: str = "repeat"
    give_up: int = 200
    served: int = 0
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def serve(self, handler: Any, path: str, query: dict[str, list[str]]) -> None:
        self.served += 1
        n = next(self._counter)
        meta: dict[str, Any] = {"resourceVersion": "1000"}
        if n < self.give_up:
            if self.mode == "repeat":
                meta["continue"] = "c2FtZS10b2tlbg=="
            elif self.mode == "not-a-string":
                meta["continue"] = {"start": n}
            else:
                meta["continue"] = base64.b64encode(f"page-{n}".encode()).decode()
            if self.mode == "remaining":
                meta["remainingItemCount"] = 1
        handler._send(200, orjson.dumps({"kind": "List", "apiVersion": "v1",
                                         "metadata": meta, "items": []}))


@dataclass
class Oversized(Behaviour):
    """More than a client should read. ``mode``: ``content-length`` (claims 64 GiB, sends a
    little, then waits), ``chunked`` (a chunked body of whitespace after an opening brace that
    goes on to ``give_up`` bytes)."""

    mode: str = "chunked"
    give_up: int = 64 * 1024 * 1024

    def serve(self, handler: Any, path: str, query: dict[str, list[str]]) -> None:
        if self.mode == "content-length":
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 68719476736\r\n\r\n{\"items\": [")
            if _quiet_write(handler, head):
                time.sleep(2.0)
            handler.close_connection = True
            return
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        if not _quiet_write(handler, head + b"1\r\n{\r\n"):
            return
        sent = 0
        chunk = f"{len(FILLER):x}\r\n".encode() + FILLER + b"\r\n"
        while sent < self.give_up:
            if not _quiet_write(handler, chunk):
                return
            sent += len(FILLER)
        _quiet_write(handler, b"1\r\n}\r\n0\r\n\r\n")


@dataclass
class WrongShape(Behaviour):
    """A list page whose ``field`` (``metadata`` or ``items``) holds ``value``."""

    field: str = "items"
    value: Any = "not a list"

    def serve(self, handler: Any, path: str, query: dict[str, list[str]]) -> None:
        page: dict[str, Any] = {"kind": "List", "apiVersion": "v1",
                                "metadata": {"resourceVersion": "1000"}, "items": []}
        page[self.field] = self.value
        handler._send(200, orjson.dumps(page))


@dataclass
class Mangled(Behaviour):
    """The real answer to ``path``, passed through ``change`` first (a discovery document
    with entries of the wrong shape, say)."""

    change: Callable[[Any], Any] = lambda doc: doc

    def serve(self, handler: Any, path: str, query: dict[str, list[str]]) -> None:
        routed = handler._route(path, query)
        handler._send(200, orjson.dumps(self.change(routed[1] if routed else {})))
