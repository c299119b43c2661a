"""Reading a JSON report the way the live tests need it."""

from __future__ import annotations

from typing import Any


def gaps(report: dict[str, Any]) -> dict[str, str]:
    """resource -> reason of every coverage gap."""
    return {g["resource"]: g["reason"] for g in report["coverage"]["gaps"]}


def flagged(report: dict[str, Any], code: str) -> list[str]:
    """``Kind ns/name`` of each finding of ``code`` (subject of object-less ones)."""
    out = []
    for f in report["findings"]:
        if f["code"] != code:
            continue
        obj = f["object"]
        out.append(f"{obj['kind']} {obj.get('namespace', '')}/{obj['name']}" if obj
                   else f["evidence"]["subject"])
    return sorted(out)


def still_audited(report: dict[str, Any]) -> None:
    """The two real problems of the test cluster were found: other types were audited."""
    assert flagged(report, "FN001") == ["Widget shop/stuck"]
    assert flagged(report, "ST004") == ["ReplicaSet shop/api-7"]
