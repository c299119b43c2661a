"""Aggregated discovery (``apidiscovery.k8s.io/v2``), the way kubectl discovers since 1.30.

Against the documents a real kube-apiserver serves (``../shared/realapi/discovery/``) and
against the suite's own cluster: two requests answer every group, a server without it is read
the legacy way, and an aggregated API marked ``Stale`` is still a coverage gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest

from kaudit.live.discovery import ACCEPT_AGGREGATED, ALIASES, Discovery, discover
from kaudit.live.kubeconfig import load_target
from kaudit.live.transport import Transport
from tests.conftest import shared_dir
from tests.live.apiserver import Cluster, LoopbackAPIServer
from tests.live.conftest import StartLive, write_kubeconfig
from tests.live.discovery_routes import real_discovery

SHARED = shared_dir()
REAL = SHARED / "realapi" / "discovery" if SHARED else None


def _discover(server: LoopbackAPIServer, tmp_path: Path, aggregated: bool) -> Discovery:
    """kaudit's discovery through the real transport (the kubernetes client's config)."""
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server.url)
    transport = Transport(load_target(str(kubeconfig), None), qps=1000, burst=1000,
                          timeout=5, pool_size=4)
    roots = (lambda path: transport.get(path, accept=ACCEPT_AGGREGATED)) if aggregated else None
    with ThreadPoolExecutor(4) as pool:
        return discover(transport.get, pool, fetch_roots=roots)


@pytest.fixture
def real_server() -> Iterator[LoopbackAPIServer]:
    if REAL is None:
        pytest.skip("../shared is absent")
    server = LoopbackAPIServer(Cluster([]))
    server.routes.append(real_discovery(REAL))
    server.start()
    yield server
    server.stop()


def _discovery_paths(server: LoopbackAPIServer) -> list[str]:
    return [r.path for r in server.requests
            if r.path in ("/api", "/apis")
            or (r.path.count("/") in (2, 3) and not r.path.startswith("/api/v1/"))]


def _expected_from_aggregated(folder: Path) -> dict[tuple[str, str], tuple[str, str, bool]]:
    """(group, plural) -> (version, kind, namespaced) straight from the documents: the first
    (preferred) version listing a resource wins."""
    out: dict[tuple[str, str], tuple[str, str, bool]] = {}
    for res in orjson.loads((folder / "api__v1.json").read_bytes())["resources"]:
        if "/" not in res["name"] and "list" in res["verbs"]:
            out[("", res["name"])] = ("v1", res["kind"], res["namespaced"])
    for item in orjson.loads((folder / "aggregated_v2.json").read_bytes())["items"]:
        for version in item["versions"]:
            for res in version["resources"]:
                if "list" in res["verbs"]:
                    out.setdefault((item["metadata"]["name"], res["resource"]),
                                   (version["version"], res["responseKind"]["kind"],
                                    res["scope"] == "Namespaced"))
    return {k: v for k, v in out.items() if ALIASES.get(k) not in out}


def test_real_aggregated_discovery_in_three_requests(real_server: LoopbackAPIServer,
                                                      tmp_path: Path) -> None:
    assert REAL is not None
    found = _discover(real_server, tmp_path, aggregated=True)
    assert found.gaps == ()
    assert {(r.group, r.plural): (r.version, r.kind, r.namespaced)
            for r in found.resources} == _expected_from_aggregated(REAL)
    # /api has no aggregated form in these documents: /api/v1 is read the legacy way.
    assert _discovery_paths(real_server) == ["/api", "/apis", "/api/v1"]
    assert {r.headers["accept"] for r in real_server.requests[:2]} == {ACCEPT_AGGREGATED}


def test_server_without_aggregated_discovery_is_read_per_group_version(
        real_server: LoopbackAPIServer, tmp_path: Path) -> None:
    assert REAL is not None
    found = _discover(real_server, tmp_path, aggregated=False)
    groups = orjson.loads((REAL / "apis.json").read_bytes())["groups"]
    versions = sum(len(g["versions"]) for g in groups)
    assert len(_discovery_paths(real_server)) == 2 + 1 + versions
    assert found.gaps == ()
    # The same resources where the legacy documents agree with the aggregated one.
    expected = _expected_from_aggregated(REAL)
    for key in (("", "pods"), ("apps", "deployments"), ("apiextensions.k8s.io",
                                                         "customresourcedefinitions")):
        resource = next(r for r in found.resources if (r.group, r.plural) == key)
        assert (resource.version, resource.kind, resource.namespaced) == expected[key]


def test_stale_aggregated_api_is_a_coverage_gap(tmp_path: Path) -> None:
    if REAL is None:
        pytest.skip("../shared is absent")
    server = LoopbackAPIServer(Cluster([]))
    server.routes.append(real_discovery(REAL, stale=(("apiregistration.k8s.io", "v1"),)))
    server.start()
    try:
        found = _discover(server, tmp_path, aggregated=True)
    finally:
        server.stop()
    assert [(g.resource, g.reason, g.detail) for g in found.gaps] == [
        ("apiregistration.k8s.io/v1", "discovery failed", "HTTP 503: service unavailable")]
    assert not any(r.group == "apiregistration.k8s.io" for r in found.resources)
    # The stale group-version is asked once on its own, to name the failure.
    assert [r.path for r in server.requests].count("/apis/apiregistration.k8s.io/v1") == 1


def test_full_scan_discovers_in_three_requests(start_live: StartLive) -> None:
    """The suite's cluster: /api and /apis aggregated, plus the stale metrics API on its own
    (the KA002 gap); a server without aggregated discovery costs one request per
    group-version, with the same report."""
    live = start_live()
    report = live.report()
    aggregated = _discovery_paths(live.server)
    assert aggregated == ["/api", "/apis", "/apis/metrics.k8s.io/v1beta1"]
    legacy_live = start_live(aggregated_discovery=False)
    legacy_report = legacy_live.report()
    legacy = _discovery_paths(legacy_live.server)
    versions = sum(len(vs) for vs in legacy_live.server.cluster.group_versions().values())
    assert len(legacy) == 2 + versions > len(aggregated)
    assert report["findings"] == legacy_report["findings"]
    assert report["coverage"] == legacy_report["coverage"]
    assert {g["resource"] for g in report["coverage"]["gaps"]} == {"metrics.k8s.io/v1beta1"}


def test_malformed_aggregated_entries_cost_only_themselves() -> None:
    """A hostile or broken server: entries of the wrong shape are skipped, never a crash."""
    doc = {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "items": [
        "not an object", {"metadata": "bad"}, {"metadata": {"name": 7}},
        {"metadata": {"name": "example.org"}, "versions": [
            {"version": 1}, "x",
            {"version": "v1", "resources": [
                None, {"resource": 5}, {"resource": "widgets", "verbs": "list"},
                {"resource": "gizmos", "verbs": ["list"], "responseKind": "bad",
                 "scope": "Cluster"},
                {"resource": "things", "verbs": ["get", "list"],
                 "responseKind": {"kind": "Thing"}, "scope": "Namespaced"}]}]}]}
    docs = {"/api": orjson.dumps({"versions": []}), "/apis": orjson.dumps(doc)}
    with ThreadPoolExecutor(2) as pool:
        found = discover(docs.__getitem__, pool)
    assert [(r.group, r.plural, r.kind, r.namespaced) for r in found.resources] == [
        ("example.org", "gizmos", "", False), ("example.org", "things", "Thing", True)]
    assert found.gaps == ()
