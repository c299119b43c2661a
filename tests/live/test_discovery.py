"""Discovery choices that the loopback cluster does not exercise end to end."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest

from kaudit.live.discovery import discover
from kaudit.live.errors import FetchError


def served(docs: dict[str, Any]) -> Any:
    def fetch(path: str) -> bytes:
        if path not in docs:
            raise FetchError("not found", f"HTTP 404: {path}", 404)
        return orjson.dumps(docs[path])
    return fetch


def resources(*entries: tuple[str, str, bool]) -> dict[str, Any]:
    return {"resources": [{"name": n, "kind": k, "namespaced": ns,
                           "verbs": ["get", "list"]} for n, k, ns in entries]}


def group(name: str, *versions: str) -> dict[str, Any]:
    vs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": vs, "preferredVersion": vs[0]}


DOCS: dict[str, Any] = {
    "/api": {"versions": ["v1"]},
    "/apis": {"groups": [group("events.k8s.io", "v1"), group("example.org", "v2", "v1")]},
    "/api/v1": resources(("events", "Event", True), ("pods", "Pod", True)),
    "/apis/events.k8s.io/v1": resources(("events", "Event", True)),
    "/apis/example.org/v2": resources(("widgets", "Widget", True)),
    "/apis/example.org/v1": resources(("widgets", "Widget", True), ("gizmos", "Gizmo", False)),
}


def test_preferred_version_wins_and_older_versions_add_what_it_lacks() -> None:
    with ThreadPoolExecutor(4) as pool:
        found = discover(served(DOCS), pool)
    names = {(r.api_version, r.plural) for r in found.resources}
    assert ("example.org/v2", "widgets") in names
    assert ("example.org/v1", "widgets") not in names
    assert ("example.org/v1", "gizmos") in names
    assert found.gaps == ()


def test_events_are_read_once_through_the_core_group() -> None:
    with ThreadPoolExecutor(4) as pool:
        found = discover(served(DOCS), pool)
    assert [r.api_version for r in found.resources if r.plural == "events"] == ["v1"]


def test_a_failing_version_is_a_gap_and_the_rest_is_kept() -> None:
    docs = {k: v for k, v in DOCS.items() if k != "/apis/example.org/v1"}
    with ThreadPoolExecutor(4) as pool:
        found = discover(served(docs), pool)
    assert [(g.resource, g.reason) for g in found.gaps] == [
        ("example.org/v1", "discovery failed")]
    assert "widgets" in {r.plural for r in found.resources}


def test_failing_roots_raise() -> None:
    with ThreadPoolExecutor(1) as pool, pytest.raises(FetchError):
        discover(served({"/api": {"versions": ["v1"]}}), pool)
