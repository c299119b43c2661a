"""Each fault is a coverage gap with its reason, and the scan goes on with the other types."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.live.apiserver import Fault
from tests.live.conftest import (
    AGGREGATED_DISCOVERY,
    TOKEN,
    Live,
    StartLive,
    write_kubeconfig,
)
from tests.live.helpers import flagged, gaps, still_audited

PODS = "/api/v1/pods"
CONFIGMAPS = "/api/v1/configmaps"
SECRETS = "/api/v1/secrets"


def test_forbidden_type(live: Live) -> None:
    live.server.add_fault(Fault(SECRETS, 403, times=-1,
                                message='secrets is forbidden: User "audit" cannot list'))
    report = live.report()
    assert gaps(report)["secrets"] == "forbidden"
    assert "cannot list" in next(g["detail"] for g in report["coverage"]["gaps"]
                                 if g["resource"] == "secrets")
    assert "secrets" in flagged(report, "KA002")
    still_audited(report)
    assert len(live.server.requests_to(SECRETS)) == 1  # no retry of a final answer


def test_expired_continue_token_restarts_the_list_once(live: Live) -> None:
    live.server.add_fault(Fault(PODS, 410, times=1, only_with_continue=True,
                                message="The provided continue parameter is too old"))
    report = live.report("--page-size", "2")
    assert "pods" not in gaps(report)
    assert report["coverage"]["objects"] == 19  # every pod read, none twice
    starts = [r for r in live.server.requests_to(PODS) if "continue" not in r.query]
    assert len(starts) == 2


def test_expired_continue_token_twice_is_a_gap(live: Live) -> None:
    live.server.add_fault(Fault(PODS, 410, times=2, only_with_continue=True,
                                message="The provided continue parameter is too old"))
    report = live.report("--page-size", "2")
    assert gaps(report)["pods"] == "expired continue token"
    still_audited(report)


def test_throttling_is_retried_after_the_delay_the_server_names(live: Live) -> None:
    live.server.add_fault(Fault(PODS, 429, times=2, retry_after="0"))
    live.server.add_fault(Fault(CONFIGMAPS, 503, times=1, retry_after="0"))
    report = live.report()
    assert set(gaps(report)) == {"metrics.k8s.io/v1beta1"}
    assert len(live.server.requests_to(PODS)) == 3
    assert len(live.server.requests_to(CONFIGMAPS)) == 2


def test_endless_throttling_is_a_gap_after_bounded_retries(live: Live) -> None:
    live.server.add_fault(Fault(PODS, 429, times=-1, retry_after="0"))
    report = live.report()
    assert gaps(report)["pods"] == "throttled"
    assert len(live.server.requests_to(PODS)) == 5  # the first try and 4 retries
    still_audited(report)


def test_server_error_without_retry_after_is_a_gap_at_once(live: Live) -> None:
    # One request only: urllib3's own silent retries are switched off.
    live.server.add_fault(Fault(CONFIGMAPS, 500, times=-1, message="etcd unavailable"))
    report = live.report()
    assert gaps(report)["configmaps"] == "server error"
    assert len(live.server.requests_to(CONFIGMAPS)) == 1
    still_audited(report)


def test_unavailable_aggregated_api_is_a_gap_not_dropped(live: Live) -> None:
    report = live.report()
    assert gaps(report) == {"metrics.k8s.io/v1beta1": "discovery failed"}
    assert flagged(report, "KA002") == ["metrics.k8s.io/v1beta1"]
    assert len(live.server.requests_to(AGGREGATED_DISCOVERY)) == 1
    still_audited(report)


def test_read_timeout(live: Live) -> None:
    # Generous margins: on a loaded CI machine the other (instant) answers must still fit.
    live.server.add_fault(Fault(CONFIGMAPS, 200, times=1, delay=3.0))
    report = live.report("--timeout", "1")
    assert gaps(report)["configmaps"] == "timeout"
    assert len(live.server.requests_to(CONFIGMAPS)) == 1
    still_audited(report)


def test_connection_refused_exits_2_with_a_clear_error(live: Live, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_kubeconfig(tmp_path / "refused", f"http://127.0.0.1:{port}")
    result = live.scan("--kubeconfig", str(config))
    assert result.exit_code == 2
    assert "cannot read the cluster at http://127.0.0.1" in result.stderr
    assert "connection failed" in result.stderr


def test_tls_failure_exits_2(start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(tls=True)
    # No CA for the self-signed certificate: verification must fail, not be skipped.
    config = write_kubeconfig(tmp_path / "no-ca", live.server.url)
    result = live.scan("--kubeconfig", str(config))
    assert result.exit_code == 2
    assert "TLS failure" in result.stderr
    assert live.server.requests == []


def test_wrong_token_exits_2(start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(token="right")
    config = write_kubeconfig(tmp_path / "wrong", live.server.url, token="wrong")
    result = live.scan("--kubeconfig", str(config))
    assert result.exit_code == 2
    assert "unauthorized" in result.stderr
    assert "wrong" not in result.stderr  # the token itself is never echoed


def test_everything_forbidden_exits_2(live: Live) -> None:
    for res in live.server.cluster.resources:
        root = f"/apis/{res.group}/{res.version}" if res.group else f"/api/{res.version}"
        live.server.add_fault(Fault(f"{root}/{res.plural}", 403, times=-1))
    result = live.scan()
    assert result.exit_code == 2
    assert "nothing could be read" in result.stderr
    assert "forbidden" in result.stderr


def test_core_discovery_failing_with_nothing_listed_exits_2(live: Live) -> None:
    for path in ("/api/v1", "/apis/apps/v1", "/apis/apiextensions.k8s.io/v1",
                 "/apis/example.org/v1"):
        live.server.add_fault(Fault(path, 503, times=-1))
    result = live.scan()
    assert result.exit_code == 2
    assert "no resource type could be listed" in result.stderr
    assert "discovery failed" in result.stderr


def test_failing_exec_plugin_exits_2(start_live: StartLive) -> None:
    plugin = {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                       "command": "/nonexistent/credential-helper", "interactiveMode": "Never"}}
    # The client logs the plugin's failure and goes on without credentials; the server then
    # refuses every request, which is a clear exit 2, not an empty "clean" report.
    live = start_live(token=TOKEN, user=plugin)
    result = live.scan()
    assert result.exit_code == 2
    assert "unauthorized" in result.stderr
    assert all("authorization" not in r.headers for r in live.server.requests)


def test_a_dropped_connection_is_retried_once(live: Live) -> None:
    live.server.add_fault(Fault(CONFIGMAPS, 0, times=1))
    report = live.report()
    assert "configmaps" not in gaps(report)
    assert len(live.server.requests_to(CONFIGMAPS)) == 2


def test_a_connection_dropped_twice_is_a_gap(live: Live) -> None:
    live.server.add_fault(Fault(CONFIGMAPS, 0, times=-1))
    report = live.report()
    assert gaps(report)["configmaps"] == "connection failed"
    assert len(live.server.requests_to(CONFIGMAPS)) == 2
    still_audited(report)
