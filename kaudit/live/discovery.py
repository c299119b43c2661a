"""Our own API discovery: every listable resource, and a gap for every group that failed.

The client's ``DynamicClient`` drops a group whose discovery fails (a 503 from an unavailable
aggregated API) without a word and writes a cache file; an audit must instead say that it could
not see that group, because an unavailable APIService is exactly when namespaces and garbage
collection get stuck.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from kaudit.live.errors import FetchError, json_object
from kaudit.model import CoverageGap

DISCOVERY_FAILED = "discovery failed"

# Resources served twice under two groups from one storage: listing both would show every
# object twice. The first is skipped when the second is served.
ALIASES: dict[tuple[str, str], tuple[str, str]] = {
    ("events.k8s.io", "events"): ("", "events"),
    ("extensions", "deployments"): ("apps", "deployments"),
    ("extensions", "replicasets"): ("apps", "replicasets"),
    ("extensions", "daemonsets"): ("apps", "daemonsets"),
    ("extensions", "ingresses"): ("networking.k8s.io", "ingresses"),
    ("extensions", "networkpolicies"): ("networking.k8s.io", "networkpolicies"),
}


@dataclass(frozen=True, slots=True, order=True)
class ApiResource:
    """One listable resource type at the version it is read through."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def name(self) -> str:
        """``pods``, ``deployments.apps``: how kubectl and the gaps name it."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def list_path(self, namespace: str | None = None) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if namespace and self.namespaced:
            return f"{root}/namespaces/{namespace}/{self.plural}"
        return f"{root}/{self.plural}"


@dataclass(frozen=True)
class Discovery:
    resources: tuple[ApiResource, ...]
    gaps: tuple[CoverageGap, ...]


Fetch = Callable[[str], bytes]


def discover(fetch: Fetch, pool: Executor) -> Discovery:
    """Resources of ``/api`` and ``/apis``; ``FetchError`` only when the roots themselves fail
    (then nothing at all can be read)."""
    core = json_object(fetch("/api"), "discovery document")
    groups = json_object(fetch("/apis"), "discovery document")
    # (group, [versions, preferred first]); entries of the wrong shape are skipped, so a
    # malformed group costs that group (never a crash of the whole scan).
    plan: list[tuple[str, list[str]]] = [
        ("", [v for v in _list(core.get("versions")) if isinstance(v, str) and v])]
    for group in _objects(groups.get("groups")):
        name = group.get("name")
        if not isinstance(name, str) or not name:
            continue
        versions = [v["version"] for v in _objects(group.get("versions"))
                    if isinstance(v.get("version"), str) and v["version"]]
        preferred_doc = group.get("preferredVersion")
        preferred = preferred_doc.get("version") if isinstance(preferred_doc, dict) else None
        if preferred in versions:
            versions.remove(preferred)
            versions.insert(0, preferred)
        plan.append((name, versions))
    jobs = {(g, v): pool.submit(_group_version, fetch, g, v) for g, vs in plan for v in vs}
    gaps: list[CoverageGap] = []
    chosen: dict[tuple[str, str], ApiResource] = {}
    for group, versions in plan:
        for version in versions:
            try:
                found = jobs[(group, version)].result()
            except FetchError as exc:
                gv = f"{group}/{version}" if group else version
                gaps.append(CoverageGap(gv, DISCOVERY_FAILED, exc.detail or exc.reason))
                continue
            for res in found:
                # The preferred version wins; older versions only add what it lacks.
                chosen.setdefault((res.group, res.plural), res)
    resources = sorted(
        r for key, r in chosen.items() if ALIASES.get(key) not in chosen)
    return Discovery(tuple(resources), tuple(gaps))


def _group_version(fetch: Fetch, group: str, version: str) -> list[ApiResource]:
    path = f"/apis/{group}/{version}" if group else f"/api/{version}"
    doc = json_object(fetch(path), "discovery document")
    resources = doc.get("resources")
    if resources is not None and not isinstance(resources, list):
        raise FetchError("bad response", f"resources is a {type(resources).__name__}, "
                                         "not an array")
    out: list[ApiResource] = []
    for res in _objects(resources):
        plural = res.get("name")
        if not isinstance(plural, str) or not plural or "/" in plural:
            continue  # subresources (pods/log, deployments/scale) are not objects
        if "list" not in _list(res.get("verbs")):
            continue
        out.append(ApiResource(group, version, plural, str(res.get("kind", "")),
                               bool(res.get("namespaced"))))
    return out


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects of a list; anything else a server sends there is skipped."""
    return [v for v in _list(value) if isinstance(v, dict)]
