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
    """The legacy ``/api`` document (``APIVersions``)."""
    return [("", [str(v) for v in doc.get("versions") or []])]


def _groups_plan(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The legacy ``/apis`` document (``APIGroupList``), preferred version first."""
    plan = []
    for group in doc.get("groups") or []:
        name = str(group.get("name", ""))
        versions = [str(v.get("version")) for v in group.get("versions") or []]
        preferred = (group.get("preferredVersion") or {}).get("version")
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
    is left to be fetched on its own, which either succeeds or names the failure)."""
    plan = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        name = str((item.get("metadata") or {}).get("name") or "")
        versions = []
        for entry in item.get("versions") or []:
            if not isinstance(entry, dict) or not entry.get("version"):
                continue
            version = str(entry["version"])
            versions.append(version)
            if entry.get("freshness") == "Stale":
                continue
            known[(name, version)] = [
                ApiResource(name, version, str(res.get("resource")),
                            str((res.get("responseKind") or {}).get("kind", "")),
                            res.get("scope") == "Namespaced")
                for res in entry.get("resources") or []
                if isinstance(res, dict) and res.get("resource")
                and "/" not in str(res["resource"]) and "list" in (res.get("verbs") or [])]
        plan.append((name, versions))
    return plan


def _group_version(fetch: Fetch, group: str, version: str) -> list[ApiResource]:
    path = f"/apis/{group}/{version}" if group else f"/api/{version}"
    doc = json_object(fetch(path), "discovery document")
    out: list[ApiResource] = []
    for res in doc.get("resources") or []:
        plural = str(res.get("name", ""))
        if not plural or "/" in plural:
            continue  # subresources (pods/log, deployments/scale) are not objects
        if "list" not in (res.get("verbs") or []):
            continue
        out.append(ApiResource(group, version, plural, str(res.get("kind", "")),
                               bool(res.get("namespaced"))))
    return out
