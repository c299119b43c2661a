"""Our own API discovery: every listable resource, and a gap for every group that failed.

Discovery is asked the way kubectl asks it since Kubernetes 1.30: ``/api`` and ``/apis`` with
the aggregated (``apidiscovery.k8s.io/v2``) media type first, so a server that supports it
answers every group, version and resource in two requests instead of one per group-version.
A server that does not (older servers; ``/api`` on many) answers the legacy document, and the
group-versions it lists are then fetched one by one, as before. An aggregated API the server
cannot reach is marked ``Stale`` in the v2 document: its group-version is then fetched on its
own, so a failing aggregated API is still a coverage gap with the server's own error.

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

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
ACCEPT_AGGREGATED = f"{AGGREGATED},application/json"
"""The ``Accept`` header for ``/api`` and ``/apis``: aggregated discovery, else plain JSON."""

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


def aggregated_roots(get: Callable[..., bytes]) -> Fetch:
    """``fetch_roots`` for ``discover`` from a transport's ``get(path, accept=...)``: the roots
    asked with ``ACCEPT_AGGREGATED``, as kubectl asks them."""
    return lambda path: get(path, accept=ACCEPT_AGGREGATED)


def discover(fetch: Fetch, pool: Executor, fetch_roots: Fetch | None = None) -> Discovery:
    """Resources of ``/api`` and ``/apis``; ``FetchError`` only when the roots themselves fail
    (then nothing at all can be read). ``fetch_roots`` fetches the two roots (with
    ``ACCEPT_AGGREGATED``, so the server may answer aggregated discovery); without it they are
    fetched like any other document."""
    roots = fetch_roots or fetch
    core = json_object(roots("/api"), "discovery document")
    groups = json_object(roots("/apis"), "discovery document")
    # (group, [versions, preferred first]); resources already known from an aggregated answer
    plan: list[tuple[str, list[str]]] = []
    known: dict[tuple[str, str], list[ApiResource]] = {}
    for doc, legacy in ((core, _core_plan), (groups, _groups_plan)):
        if _is_aggregated(doc):
            plan.extend(_aggregated_plan(doc, known))
        else:
            plan.extend(legacy(doc))
    jobs = {(g, v): pool.submit(_group_version, fetch, g, v)
            for g, vs in plan for v in vs if (g, v) not in known}
    gaps: list[CoverageGap] = []
    chosen: dict[tuple[str, str], ApiResource] = {}
    for group, versions in plan:
        for version in versions:
            found = known.get((group, version))
            if found is None:
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


def _core_plan(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The legacy ``/api`` document (``APIVersions``). Entries of the wrong shape are skipped
    here and below, so a malformed group costs that group (never a crash of the whole scan)."""
    return [("", [v for v in _list(doc.get("versions")) if isinstance(v, str) and v])]


def _groups_plan(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The legacy ``/apis`` document (``APIGroupList``), preferred version first."""
    plan = []
    for group in _objects(doc.get("groups")):
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
    return plan


def _is_aggregated(doc: dict[str, Any]) -> bool:
    return doc.get("kind") == "APIGroupDiscoveryList" and str(
        doc.get("apiVersion", "")).startswith("apidiscovery.k8s.io/")


def _aggregated_plan(doc: dict[str, Any], known: dict[tuple[str, str], list[ApiResource]],
                     ) -> list[tuple[str, list[str]]]:
    """An ``APIGroupDiscoveryList``: versions in the server's order of preference, and the
    listable resources of each version that is not ``Stale`` put into ``known`` (a stale one
    is left to be fetched on its own, which either succeeds or names the failure). Entries of
    the wrong shape are skipped, as in the legacy documents."""
    plan = []
    for item in _objects(doc.get("items")):
        metadata = item.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(name, str):
            continue  # "" is the core group (a server's aggregated /api)
        versions = []
        for entry in _objects(item.get("versions")):
            version = entry.get("version")
            if not isinstance(version, str) or not version:
                continue
            versions.append(version)
            if entry.get("freshness") == "Stale":
                continue
            found = []
            for res in _objects(entry.get("resources")):
                plural = res.get("resource")
                if not isinstance(plural, str) or not plural or "/" in plural:
                    continue
                if "list" not in _list(res.get("verbs")):
                    continue
                kind = res.get("responseKind")
                found.append(ApiResource(
                    name, version, plural,
                    str(kind.get("kind", "")) if isinstance(kind, dict) else "",
                    res.get("scope") == "Namespaced"))
            known[(name, version)] = found
        plan.append((name, versions))
    return plan


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
