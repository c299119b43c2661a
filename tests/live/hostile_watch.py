"""Hostile watch streams for the loopback API server (issue 9 §4 for ``kaudit watch``).

``HostileWatch(path, mode)`` answers the next ``times`` watch requests (``?watch=1``) of
``path`` with a 200 chunked stream that is not what a watch should send; lists and later
watches go to the server as usual (``watchstream.WatchHub``). Every mode is bounded on the
server side too (``give_up`` bytes or seconds), so a client without the defence under test
ends with a failed assertion, never a hung run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from tests.live.hostile import FILLER, Behaviour, _quiet_write


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


LINES: dict[str, Any] = {
    "not-json": b"this is not json\n",
    "object-not-a-mapping": {"type": "ADDED", "object": "a string"},
    "metadata-not-a-mapping": {"type": "ADDED", "object": {"metadata": "oops"}},
    "name-not-a-string": {"type": "MODIFIED", "object": {
        "metadata": {"name": {"first": "x"}, "namespace": "shop", "resourceVersion": "9"}}},
    "version-not-a-string": {"type": "BOOKMARK", "object": {
        "metadata": {"resourceVersion": ["1", "2"]}}},
    "labels-not-strings": {"type": "ADDED", "object": {
        "metadata": {"name": "x", "namespace": "shop", "labels": {"app": 7}}}},
    "nested-too-deep": {"type": "ADDED", "object": {
        "metadata": {"name": "x", "namespace": "shop"}, "spec": _nested(230)}},
}
"""One bad line per mode, sent as the stream's first event."""


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@dataclass
class HostileWatch(Behaviour):
    """``mode``: a key of ``LINES``; ``endless`` (whitespace without a newline, up to
    ``give_up`` bytes); ``silent`` (headers, then nothing for ``seconds``); ``drip`` (a space
    every 0.1 s for ``seconds``)."""

    mode: str = "endless"
    times: int = 2
    give_up: int = 64 * 1024 * 1024
    seconds: float = 10.0
    served: int = 0
    sent: list[int] = field(default_factory=list)
    """Body bytes written to each stream before the client hung up (or ``give_up``)."""

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        return path == self.path and "watch" in query and self.served < self.times

    def serve(self, handler: Any, path: str, query: dict[str, list[str]]) -> None:
        self.served += 1
        handler.close_connection = True
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        if not _quiet_write(handler, head):
            return
        if self.mode in LINES:
            line = LINES[self.mode]
            data = line if isinstance(line, bytes) else orjson.dumps(line) + b"\n"
            _quiet_write(handler, _chunk(data) + b"0\r\n\r\n")
            return
        sent = 0
        stop = time.monotonic() + self.seconds
        if self.mode == "endless":
            while sent < self.give_up and _quiet_write(handler, _chunk(FILLER)):
                sent += len(FILLER)
        elif self.mode == "drip":
            while time.monotonic() < stop and _quiet_write(handler, _chunk(b" ")):
                sent += 1
                time.sleep(0.1)
        else:  # silent
            time.sleep(self.seconds)
        self.sent.append(sent)
        _quiet_write(handler, b"0\r\n\r\n")
