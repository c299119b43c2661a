"""A hostile or sick API server cannot hang or crash a live scan (issue 9 §4).

Each behaviour of ``tests/live/hostile.py`` becomes a coverage gap (KA002) for the one type it
hits, with the reason that says what happened, and every other type is still audited. The
assertions are on outcomes, never on measured durations: each hostile answer would complete
(late) or end some other way without the defence under test, so a missing defence fails an
assertion instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kaudit.live import LiveOptions, read_cluster
from tests.live.apiserver import Fault
from tests.live.cluster import build_cluster
from tests.live.conftest import Live, StartLive
from tests.live.helpers import flagged, gaps, still_audited
from tests.live.hostile import Drip, EndlessPages, Mangled, Oversized, WrongShape

PODS = "/api/v1/pods"
CONFIGMAPS = "/api/v1/configmaps"


def gap_detail(report: dict, resource: str) -> str:
    return next(g["detail"] for g in report["coverage"]["gaps"] if g["resource"] == resource)


@pytest.mark.parametrize("phase", ["body", "headers"])
def test_a_server_dripping_its_answer_is_cut_at_the_request_deadline(live: Live,
                                                                     phase: str) -> None:
    # One byte every 0.1 s: no single read waits anywhere near --timeout, yet the whole
    # answer takes far longer (the server gives up dripping after 30 s and sends the rest).
    # --timeout bounds the request, not each read.
    live.server.behaviours.append(Drip(CONFIGMAPS, phase=phase, give_up=30.0))
    report = live.report("--timeout", "4")
    assert gaps(report)["configmaps"] == "timeout"
    assert "within 4 s" in gap_detail(report, "configmaps")
    assert "configmaps" in flagged(report, "KA002")
    still_audited(report)


def test_the_scan_deadline_ends_a_read_that_no_other_limit_would(live: Live) -> None:
    live.server.add_fault(Fault(CONFIGMAPS, 200, times=-1, delay=30.0))
    report = live.report("--timeout", "60", "--scan-timeout", "8")
    assert gaps(report)["configmaps"] == "scan timeout", report["coverage"]
    assert "--scan-timeout 8 s" in gap_detail(report, "configmaps")
    # What was read in time is audited; on a loaded machine the deadline may catch another
    # type too, and then with the same reason.
    assert report["coverage"]["objects"] > 0
    assert set(gaps(report).values()) <= {"scan timeout", "discovery failed"}


def test_each_type_has_its_own_deadline(start_live: StartLive) -> None:
    live = start_live(build_cluster(pods=20))
    # Every page answers within --timeout, but eleven of them take longer than the type may.
    live.server.add_fault(Fault(PODS, 200, times=-1, delay=0.8))
    read = read_cluster(LiveOptions(context=live.context, page_size=2, timeout=5,
                                    type_timeout=3))
    reasons = {g.resource: (g.reason, g.detail) for g in read.snapshot.gaps}
    assert reasons["pods"] == ("timeout", "not listed completely within 3 s")
    assert len(live.server.requests_to(PODS)) < 10  # 21 pods at 2 a page: it stopped early


@pytest.mark.parametrize(("mode", "reason", "detail"), [
    ("repeat", "endless pagination", "the same continue token twice"),
    ("remaining", "endless pagination", "remainingItemCount 1"),
    ("not-a-string", "bad response", "continue token is a dict"),
])
def test_pagination_that_does_not_end_is_a_gap(live: Live, mode: str, reason: str,
                                               detail: str) -> None:
    endless = EndlessPages(PODS, mode=mode)
    live.server.behaviours.append(endless)
    report = live.report()
    assert gaps(report)["pods"] == reason
    assert detail in gap_detail(report, "pods")
    assert endless.served <= 4  # at most 3 pages read, and one fetched ahead
    # The other types were audited; the pods are unseen, so nothing about them is claimed.
    assert flagged(report, "FN001") == ["Widget shop/stuck"]


def test_a_page_cap_ends_pagination_with_fresh_tokens(start_live: StartLive) -> None:
    live = start_live()
    endless = EndlessPages(PODS, mode="distinct", give_up=500)
    live.server.behaviours.append(endless)
    read = read_cluster(LiveOptions(context=live.context, timeout=5, max_pages=20))
    reasons = {g.resource: (g.reason, g.detail) for g in read.snapshot.gaps}
    assert reasons["pods"][0] == "endless pagination"
    assert "more than 20 pages" in reasons["pods"][1]
    assert endless.served <= 21  # 20 pages read, one fetched ahead


@pytest.mark.parametrize("mode", ["content-length", "chunked"])
def test_an_oversized_answer_is_a_gap_not_a_memory_error(live: Live,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         mode: str) -> None:
    # The cap is lowered so the test stays small; the endless body stops at 64 MiB, which a
    # client without a cap would read whole (and then fail to parse: a different reason).
    monkeypatch.setattr("kaudit.live.transport.MAX_RESPONSE_BYTES", 4 * 1024 * 1024)
    live.server.behaviours.append(Oversized(CONFIGMAPS, mode=mode))
    report = live.report()
    assert gaps(report)["configmaps"] == "response too large"
    assert "--page-size" in gap_detail(report, "configmaps")
    still_audited(report)


@pytest.mark.parametrize(("field", "value", "detail"), [
    ("metadata", ["not", "an", "object"], "list metadata is a list"),
    ("items", "not a list", "list items is a str"),
    ("items", {"0": {}}, "list items is a dict"),
])
def test_a_page_of_the_wrong_shape_is_a_gap(live: Live, field: str, value: object,
                                            detail: str) -> None:
    live.server.behaviours.append(WrongShape(CONFIGMAPS, field=field, value=value))
    report = live.report()
    assert gaps(report)["configmaps"] == "bad response"
    assert detail in gap_detail(report, "configmaps")
    still_audited(report)


def test_discovery_entries_of_the_wrong_shape_cost_only_themselves(live: Live) -> None:
    def garbage_groups(doc: dict) -> dict:
        return {**doc, "groups": [1, "apps", {"name": 5}, {"name": "x.io", "versions": "v1"},
                                  {"name": "y.io", "preferredVersion": "v1", "versions": []},
                                  *doc["groups"]]}

    live.server.behaviours.append(Mangled("/apis", garbage_groups))
    live.server.behaviours.append(Mangled("/apis/apps/v1", lambda d: {**d, "resources": "x"}))
    live.server.behaviours.append(Mangled(
        "/api/v1", lambda d: {**d, "resources": [7, {"name": ["pods"]}, *d["resources"]]}))
    report = live.report()
    assert gaps(report)["apps/v1"] == "discovery failed"
    assert "resources is a str" in gap_detail(report, "apps/v1")
    assert flagged(report, "FN001") == ["Widget shop/stuck"]  # everything else was read


def test_insecure_skip_tls_verify_warns_once_per_scan(start_live: StartLive,
                                                      tmp_path: Path) -> None:
    live = start_live(tls=True)
    config = yaml.safe_load(live.kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    del cluster["certificate-authority"]
    cluster["insecure-skip-tls-verify"] = True
    insecure = tmp_path / "insecure"
    insecure.write_text(yaml.safe_dump(config))
    # In a process of its own: pytest would otherwise capture urllib3's warnings itself.
    result = subprocess.run(
        [sys.executable, "-c", "from kaudit.cli import main; main()", "scan", "--kubeconfig",
         str(insecure), "--format", "json", "--timeout", "5"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "CI": "1"})
    assert result.returncode in (0, 1), result.stderr
    assert len(live.server.requests) > 10
    assert result.stderr.count("TLS certificate verification is off") == 1
    assert "InsecureRequestWarning" not in result.stderr
    assert "Unverified HTTPS request" not in result.stderr
