"""``kaudit watch`` against the loopback API server's watch streams."""

from __future__ import annotations

from tests.live.conftest import StartLive
from tests.live.helpers import flagged
from tests.live.watching import watching
from tests.live.watchstream import WatchHub


def test_smoke(start_live: StartLive) -> None:
    live = start_live()
    hub = WatchHub(live.server)
    with watching() as run:
        report = run.findings()
        assert flagged(report, "FN001") == ["Widget shop/stuck"]
        widgets = hub.resource("widgets", "example.org")
        hub.delete(widgets, "shop", "stuck")
        run.wait(lambda: flagged(run.findings(), "FN001") == [], "FN001 to resolve")
