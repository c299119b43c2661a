"""A vcrpy cassette pins the request pattern of a small full scan.

Any change in what kaudit asks a cluster (a new request, a different page size or selector, a
metadata-only Accept header dropped) fails here and shows up as a cassette diff in review.
Matching is on method, path and query (not host or port: the loopback port is random); the
Authorization header is filtered out before anything is written. In CI the cassette is only
played back (``record_mode="none"``); delete it locally to re-record. vcrpy is not
thread-safe, so this scan runs with one worker: the order is then fixed too.
"""

from __future__ import annotations

import os
from typing import Any

import orjson
import vcr
import yaml

from kaudit.live import LiveOptions, read_cluster
from kaudit.snapshot.redact import redact_secret
from tests.conftest import FIXTURES
from tests.live.cluster import CREDENTIAL_VALUE
from tests.live.conftest import TOKEN, StartLive

CASSETTE = FIXTURES / "cassettes" / "live-small-scan.yaml"


def digest_secret_lists(response: dict[str, Any]) -> dict[str, Any]:
    """Secret values never reach a file, not even a test cassette recorded from a real
    cluster: list bodies of Secrets are digested before vcrpy writes them."""
    body = response.get("body", {}).get("string", b"")
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return response
    if isinstance(doc, dict) and doc.get("kind") == "SecretList":
        for item in doc.get("items") or []:
            redact_secret(item)
        response["body"]["string"] = orjson.dumps(doc)
    return response


def recorder() -> vcr.VCR:
    return vcr.VCR(
        record_mode="none" if os.environ.get("CI") else "once",
        match_on=["method", "path", "query"],
        filter_headers=["authorization"],
        before_record_response=digest_secret_lists,
        decode_compressed_response=True,
    )


def test_small_scan_request_pattern(start_live: StartLive) -> None:
    live = start_live(token=TOKEN)
    recording = not CASSETTE.exists()
    options = LiveOptions(context=live.context, page_size=2, timeout=5, workers=1)
    with recorder().use_cassette(str(CASSETTE)) as cassette:
        read = read_cluster(options)
    snapshot = read.snapshot
    assert len(snapshot) == 19
    assert [(g.resource, g.reason) for g in snapshot.gaps] == [
        ("metrics.k8s.io/v1beta1", "discovery failed")]
    assert read.requests == len(cassette)
    if not recording:
        assert cassette.all_played
        # Every answer came from the cassette: the request pattern is exactly the pinned one.
        assert live.server.requests == []
        assert cassette.play_count == len(cassette)
    interactions: list[dict[str, Any]] = yaml.safe_load(CASSETTE.read_text())["interactions"]
    assert {i["request"]["method"] for i in interactions} == {"GET"}
    assert all("authorization" not in {h.lower() for h in i["request"]["headers"]}
               for i in interactions)
    assert TOKEN not in CASSETTE.read_text()
    assert CREDENTIAL_VALUE not in CASSETTE.read_text()
    credential = next(o for o in snapshot.objects if o.name == "alice-key")
    assert credential.raw["data"]["key"].startswith("sha256:")
