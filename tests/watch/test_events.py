"""Reading a watch stream's body: events split anywhere, bounded, errors named."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from kaudit.live import watch as watch_module
from kaudit.live.discovery import ApiResource
from kaudit.live.errors import FetchError
from kaudit.live.watch import WatchExpired, read_events
from kaudit.model import SourceLocation

PODS = ApiResource("", "v1", "pods", "Pod", True)
HERE = SourceLocation("test")


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


def event(kind: str, name: str, version: str) -> bytes:
    return orjson.dumps({"type": kind, "object": {"metadata": {
        "name": name, "namespace": "ns", "resourceVersion": version}}}) + b"\n"


@pytest.mark.parametrize("size", [1, 7, 64, 10_000])
def test_events_split_across_chunks_arrive_whole(size: int) -> None:
    body = (event("ADDED", "a", "1") + b"\n" + event("MODIFIED", "a", "2")
            + orjson.dumps({"type": "BOOKMARK", "object": {"metadata": {
                "resourceVersion": "3"}}}) + b"\n" + event("DELETED", "a", "4").rstrip())
    got = [(e.type, e.object.kind if e.object else None, e.resource_version)
           for e in read_events(pieces(body, size), PODS, HERE)]
    assert got == [("ADDED", "Pod", "1"), ("MODIFIED", "Pod", "2"), ("BOOKMARK", None, "3"),
                   ("DELETED", "Pod", "4")]


def test_an_expired_version_and_other_errors() -> None:
    gone = orjson.dumps({"type": "ERROR", "object": {"kind": "Status", "code": 410,
                                                     "message": "too old"}}) + b"\n"
    with pytest.raises(WatchExpired):
        list(read_events(iter([gone]), PODS, HERE))
    forbidden = gone.replace(b"410", b"403")
    with pytest.raises(FetchError) as refused:
        list(read_events(iter([forbidden]), PODS, HERE))
    assert refused.value.reason == "forbidden"
    for junk in (b"not json\n", b'{"type": "ADDED"}\n', b'{"type": "WHAT", "object": {}}\n'):
        with pytest.raises(FetchError) as bad:
            list(read_events(iter([junk]), PODS, HERE))
        assert bad.value.reason == "bad response"


def test_an_endless_line_is_refused_not_buffered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "MAX_EVENT_BYTES", 1000)
    endless = (b"x" * 300 for _ in range(10))
    with pytest.raises(FetchError, match="over 1000 bytes"):
        list(read_events(endless, PODS, HERE))
