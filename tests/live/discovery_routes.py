"""Discovery answers for the loopback API server (``LoopbackAPIServer.routes``).

- ``aggregated_discovery``: the suite's own cluster as aggregated discovery
  (``apidiscovery.k8s.io/v2``), answered when ``/api`` or ``/apis`` is asked with that media
  type, as a 1.30+ kube-apiserver does; an aggregated API with a fault scripted on its
  group-version path is marked ``Stale``, as the real server marks an unreachable one.
- ``real_discovery``: the documents a real kube-apiserver serves, from
  ``../shared/realapi/discovery/`` (mapping in its README: ``/apis/apps/v1`` ->
  ``apis__apps__v1.json``; ``/apis`` with the v2 media type -> ``aggregated_v2.json``; ``/api``
  has no aggregated form there, so clients fall back to ``/api/v1``), so discovery is tested
  against real shapes, not only the suite's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tests.live.apiserver import Cluster, LoopbackAPIServer, Route

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def wants_aggregated(headers: dict[str, str]) -> bool:
    """Whether the ``Accept`` header lists the v2 aggregated media type."""
    accept = headers.get("accept", "").lower().replace(" ", "")
    return any("g=apidiscovery.k8s.io" in part and "v=v2" in part
               and "as=apigroupdiscoverylist" in part for part in accept.split(","))


def _gv_path(group: str, version: str) -> str:
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def aggregated_document(server: LoopbackAPIServer, cluster: Cluster, core: bool) -> dict[str, Any]:
    """The cluster's groups (the core group alone for ``/api``) as an APIGroupDiscoveryList."""
    items = []
    for group, versions in cluster.group_versions().items():
        if bool(group) == core:
            continue
        entries = []
        for version in versions:
            resources = [
                {"resource": r.plural, "responseKind": {"group": "", "version": "",
                                                        "kind": r.kind},
                 "scope": "Namespaced" if r.namespaced else "Cluster",
                 "singularResource": r.kind.lower(), "verbs": list(r.verbs),
                 "subresources": [{"subresource": sub, "verbs": ["get", "patch", "update"],
                                   "responseKind": {"group": "", "version": "",
                                                    "kind": r.kind}}
                                  for sub in r.subresources]}
                for r in cluster.resources if (r.group, r.version) == (group, version)]
            failing = any(f.path == _gv_path(group, version) and f.times != 0
                          for f in server.faults)
            entries.append({"version": version, "resources": resources,
                            "freshness": "Stale" if failing else "Current"})
        items.append({"metadata": {"name": group, "creationTimestamp": None},
                      "versions": entries})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


def aggregated_discovery(cluster: Cluster) -> Route:
    def route(server: LoopbackAPIServer, path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> tuple[int, bytes, str] | None:
        if path not in ("/api", "/apis") or not wants_aggregated(headers):
            return None
        doc = aggregated_document(server, cluster, core=path == "/api")
        return 200, orjson.dumps(doc), AGGREGATED
    return route


def real_discovery(folder: Path, *, stale: tuple[tuple[str, str], ...] = ()) -> Route:
    """Serve ``folder``'s documents unchanged; ``stale`` group-versions are marked ``Stale``
    in the aggregated document and answer 503 at their own path (an unreachable aggregated
    API)."""
    def route(server: LoopbackAPIServer, path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> tuple[int, bytes, str] | None:
        if any(path == _gv_path(g, v) for g, v in stale):
            body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 503,
                    "reason": "ServiceUnavailable", "message": "service unavailable"}
            return 503, orjson.dumps(body), "application/json"
        if path == "/apis" and wants_aggregated(headers):
            doc = orjson.loads((folder / "aggregated_v2.json").read_bytes())
            for item in doc["items"]:
                for entry in item["versions"]:
                    if (item["metadata"]["name"], entry["version"]) in stale:
                        entry["freshness"] = "Stale"
            return 200, orjson.dumps(doc), AGGREGATED
        file = folder / (path.strip("/").replace("/", "__") + ".json")
        return (200, file.read_bytes(), "application/json") if file.is_file() else None
    return route


def real_groups(folder: Path) -> list[tuple[str, list[str]]]:
    """(group, versions) as the aggregated document lists them, core group first."""
    core = orjson.loads((folder / "api.json").read_bytes())
    doc = orjson.loads((folder / "aggregated_v2.json").read_bytes())
    return [("", list(core["versions"]))] + [
        (item["metadata"]["name"], [v["version"] for v in item["versions"]])
        for item in doc["items"]]
