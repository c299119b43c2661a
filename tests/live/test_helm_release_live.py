"""ST009 on a cluster read live: Secrets are listed as metadata only (no type, no payload),
and a Helm release's revisions are still recognised by their names and labels; the
release payload never reaches the report."""

from __future__ import annotations

from typing import Any

from tests.live.apiserver import Cluster, Resource
from tests.live.cluster import obj
from tests.live.conftest import StartLive

PAYLOAD = "SDRzSUFBQUFBQUFBL3NlY3JldC12YWx1ZXMtb2YtdGhlLWNoYXJ0"


def revision(release: str, number: int, status: str, created: str) -> dict[str, Any]:
    return obj("v1", "Secret", f"sh.helm.release.v1.{release}.v{number}", "shop",
               metadata={"uid": f"u-{release}-{number}", "creationTimestamp": created,
                         "labels": {"owner": "helm", "name": release, "status": status,
                                    "version": str(number)}},
               type="helm.sh/release.v1", data={"release": PAYLOAD})


def test_a_stuck_release_read_as_metadata_only(start_live: StartLive) -> None:
    live = start_live(Cluster(resources=[
        Resource("", "v1", "namespaces", "Namespace", False, [obj("v1", "Namespace", "shop")]),
        Resource("", "v1", "secrets", "Secret", True, [
            revision("web", 1, "superseded", "2024-05-01T00:00:00Z"),
            revision("web", 2, "deployed", "2024-05-20T00:00:00Z"),
            revision("web", 3, "pending-upgrade", "2024-06-01T10:00:00Z"),
            revision("api", 1, "deployed", "2024-05-20T00:00:00Z")]),
    ]))
    report = live.report("--select", "ST009", "--now", "2024-06-01T12:00:00Z")
    found = [(f["code"], f["severity"], f["object"]["name"], f["pointer"])
             for f in report["findings"]]
    assert found == [("ST009", "error", "sh.helm.release.v1.web.v3", "/metadata/labels/status")]
    assert "helm rollback -n shop web 2" in report["findings"][0]["message"]
    assert PAYLOAD not in str(report)
    assert {r.method for r in live.server.requests} == {"GET"}
