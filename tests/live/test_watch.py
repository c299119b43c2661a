"""``kaudit watch`` against the loopback API server's watch streams (``watchstream.py``):
list once, follow events, relist on 410, reconnect after broken streams, serve what it found."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import orjson
import pytest

from kaudit.live.ratelimit import TokenBucket
from kaudit.live.watch import TypeWatcher, WatchSettings
from tests.live.cluster import obj
from tests.live.conftest import Live, StartLive
from tests.live.helpers import flagged, gaps
from tests.live.watching import Running, watching
from tests.live.watchstream import WatchHub

WIDGETS = "/apis/example.org/v1/widgets"


def stuck_widget(name: str) -> dict[str, Any]:
    return obj("example.org/v1", "Widget", name, "shop", metadata={
        "deletionTimestamp": "2024-03-01T00:00:00Z", "finalizers": ["example.org/cleanup"]},
        spec={"size": 1})


def lists_of(live: Live, path: str) -> int:
    return sum(1 for r in live.server.requests_to(path) if "watch" not in r.query)


def watches_of(live: Live, path: str) -> list[dict[str, list[str]]]:
    return [r.query for r in live.server.requests_to(path) if "watch" in r.query]


def sample(run: Running, name: str, **labels: str) -> float | None:
    """The value of the one sample of ``name`` whose labels include ``labels``."""
    for family in run.metrics().values():
        for s in family:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


@pytest.fixture
def hub_live(start_live: StartLive) -> tuple[Live, WatchHub]:
    live = start_live()
    return live, WatchHub(live.server)


def test_lists_once_then_follows_changes_as_events(hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    scanned = live.report()
    widgets = hub.resource("widgets", "example.org")
    with watching() as run:
        first = run.findings()
        # The same contract and findings as scan (each finding also says when it was seen).
        assert first.keys() == scanned.keys()
        assert [(f["fingerprint"], f["severity"], f["source"]) for f in first["findings"]] \
            == [(f["fingerprint"], f["severity"], f["source"]) for f in scanned["findings"]]
        assert first["coverage"] == scanned["coverage"]
        assert all("firstSeen" in f for f in first["findings"])
        hub.add(widgets, stuck_widget("late"))
        run.wait(lambda: flagged(run.findings(), "FN001") == ["Widget shop/late",
                                                               "Widget shop/stuck"],
                 "the new stuck Widget")
        hub.delete(widgets, "shop", "stuck")
        run.wait(lambda: flagged(run.findings(), "FN001") == ["Widget shop/late"],
                 "the deleted Widget's finding to resolve")
    # Each type was listed once (the scan listed it too); the first watch started from the
    # version its list was read at.
    assert lists_of(live, WIDGETS) == 2
    first_watch = watches_of(live, WIDGETS)[0]
    assert first_watch["watch"] == ["1"] and first_watch["allowWatchBookmarks"] == ["true"]
    assert first_watch["resourceVersion"] == ["1000"]
    events = [(line["event"], line["object"]["name"]) for line in run.lines
              if line["code"] == "FN001"]
    assert events == [("finding appeared", "stuck"), ("finding appeared", "late"),
                      ("finding resolved", "stuck")]


def test_each_change_is_one_json_line_with_first_seen(hub_live: tuple[Live, WatchHub]) -> None:
    _live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",)) as run:
        hub.delete(widgets, "shop", "stuck")
        run.wait(lambda: len(run.lines) == 2, "two log lines")
    appeared, resolved = run.lines
    assert appeared["event"] == "finding appeared" and resolved["event"] == "finding resolved"
    assert resolved["fingerprint"] == appeared["fingerprint"] == \
        "FN001:example.org/Widget:shop/stuck:/metadata/finalizers/0"
    assert resolved["firstSeen"] == appeared["firstSeen"] == appeared["time"]
    assert {"severity", "rule", "family", "object", "message", "lasted"} <= resolved.keys()


def test_410_relists_only_that_type_and_sees_what_changed_meanwhile(
        hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        hub.compact()
        hub.add(widgets, stuck_widget("during-expiry"))
        hub.compact()  # the event itself is compacted away: only a relist can show it
        hub.expire_streams(widgets)
        run.wait(lambda: "Widget shop/during-expiry" in flagged(run.findings(), "FN001"),
                 "the object added while the stream expired")
        assert sample(run, "kaudit_watch_restarts_total", resource="widgets.example.org",
                      reason="expired") == 1
    assert lists_of(live, WIDGETS) == 2
    assert lists_of(live, "/api/v1/pods") == 1


def test_a_stale_resume_gets_410_and_relists(hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        hub.delete(hub.resource("pods"), "other", "batch-0")  # widgets' stream never saw it
        hub.compact()
        hub.drop_streams(widgets)  # the resume asks for a compacted version: 410 at once
        run.wait(lambda: lists_of(live, WIDGETS) == 2, "the relist")
        hub.add(widgets, stuck_widget("after"))
        run.wait(lambda: "Widget shop/after" in flagged(run.findings(), "FN001"),
                 "an event on the new stream")


def test_broken_streams_reconnect_from_the_last_version(
        hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        version = hub.add(widgets, stuck_widget("before-drop"))
        run.wait(lambda: "Widget shop/before-drop" in flagged(run.findings(), "FN001"),
                 "the first event")
        hub.drop_streams(widgets)
        run.wait(lambda: len(watches_of(live, WIDGETS)) == 2, "the reconnection")
        hub.add(widgets, stuck_widget("after-drop"))
        run.wait(lambda: "Widget shop/after-drop" in flagged(run.findings(), "FN001"),
                 "an event after the reconnection")
        assert sample(run, "kaudit_watch_restarts_total", resource="widgets.example.org",
                      reason="error") == 1
    assert watches_of(live, WIDGETS)[1]["resourceVersion"] == [str(version)]
    assert lists_of(live, WIDGETS) == 1  # a drop is no reason to relist


def test_bookmarks_move_the_resume_point(hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    widgets, pods = hub.resource("widgets", "example.org"), hub.resource("pods")
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        version = hub.delete(pods, "other", "batch-0")  # advances the version, not widgets
        hub.bookmark(widgets)
        run.wait(lambda: run.watch.store is not None
                 and run.watch.store.counters()[0].get(("pods", "DELETED")) == 1, "the event")
        hub.close_streams(widgets)
        run.wait(lambda: len(watches_of(live, WIDGETS)) == 2, "the resumed stream")
    assert watches_of(live, WIDGETS)[1]["resourceVersion"] == [str(version)]


def test_a_refused_watch_is_retried_with_backoff_and_is_a_gap_meanwhile(
        hub_live: tuple[Live, WatchHub]) -> None:
    from tests.live.apiserver import Fault

    live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        live.server.add_fault(Fault(WIDGETS, 503, times=-1, message="etcd unavailable"))
        hub.drop_streams(widgets)
        run.wait(lambda: gaps(run.findings()).get("widgets.example.org") ==
                 "watch server error", "the gap")
        live.server.faults.clear()
        run.wait(lambda: "widgets.example.org" not in gaps(run.findings()), "recovery")


def test_backoff_doubles_up_to_its_ceiling() -> None:
    waits: list[float] = []

    class Stop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(float(timeout or 0))
            return False

    watcher = TypeWatcher.__new__(TypeWatcher)
    watcher.settings = WatchSettings(backoff=0.5, max_backoff=4.0)
    watcher.stop = Stop()
    delay = watcher.settings.backoff
    for _ in range(6):
        delay = watcher._pause(delay)
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_every_request_takes_a_rate_limit_token(hub_live: tuple[Live, WatchHub],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    live, hub = hub_live
    taken: list[int] = []
    original = TokenBucket.acquire

    def counting(self: TokenBucket) -> None:
        taken.append(1)
        original(self)

    monkeypatch.setattr(TokenBucket, "acquire", counting)
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        hub.drop_streams()
        run.wait(lambda: len(watches_of(live, WIDGETS)) == 2, "reconnections")
        hub.wait_streams(9)
    assert len(taken) == len(live.server.requests)


def test_serves_metrics_health_and_refuses_other_verbs(
        hub_live: tuple[Live, WatchHub]) -> None:
    import urllib.request

    _live, _hub = hub_live
    with watching() as run:
        assert run.get("/healthz")[0] == 200 and run.get("/readyz")[0] == 200
        assert sample(run, "kaudit_findings", code="FN001", rule="stuck-deletion",
                      family="finalizers", severity="error", namespace="shop",
                      kind="Widget") == 1
        assert sample(run, "kaudit_objects") == run.findings()["coverage"]["objects"]
        assert sample(run, "kaudit_coverage_gaps", resource="metrics.k8s.io/v1beta1",
                      reason="discovery failed") == 1
        assert sample(run, "kaudit_evaluation_duration_seconds_count") >= 1
        assert sample(run, "kaudit_last_successful_evaluation_timestamp_seconds") > 0
        assert sample(run, "kaudit_ready") == 1
        assert sample(run, "kaudit_finding_age_seconds", code="FN001") is not None
        request = urllib.request.Request(run.url + "/findings", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405
        assert run.get("/nothing")[0] == 404


def test_first_seen_survives_evaluations_and_ages(hub_live: tuple[Live, WatchHub]) -> None:
    _live, hub = hub_live
    pods = hub.resource("pods")
    with watching(select=("FN001",)) as run:
        first = run.findings()["findings"][0]["firstSeen"]
        before = run.watch.latest()
        assert before is not None
        hub.delete(pods, "other", "batch-0")
        run.wait(lambda: run.evaluations_after(before.version + 1), "a new evaluation")
        assert run.findings()["findings"][0]["firstSeen"] == first


def test_a_persisting_kopf_mismatch_is_escalated_as_with_previous(
        start_live: StartLive) -> None:
    from tests.live.cluster import build_cluster

    cluster = build_cluster()
    widgets = next(r for r in cluster.resources if r.kind == "Widget")
    widgets.objects.append(obj("example.org/v1", "Widget", "kopf", "shop", metadata={
        "annotations": {"kopf.zalando.org/last-handled-configuration":
                        orjson.dumps({"spec": {"size": 1}}).decode()}}, spec={"size": 2}))
    live = start_live(cluster)
    hub = WatchHub(live.server)
    with watching(select=("ST006",), compare_after=timedelta(seconds=1),
                  rule_options={"ST006": {"grace": "1s"}}) as run:
        [finding] = run.findings()["findings"]
        assert finding["severity"] == "warning"

        def touch(o: dict[str, Any]) -> None:
            o.setdefault("status", {})["lastSync"] = str(len(o.get("status", {})))

        threading.Event().wait(2.2)  # the first observation must be older than the grace
        hub.modify(widgets, "shop", "kopf", touch)
        run.wait(lambda: run.findings()["findings"][0]["severity"] == "error",
                 "the escalation")
        assert "--previous" in run.findings()["findings"][0]["message"]


def test_only_get_is_ever_sent_through_changes_restarts_and_410s(
        hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    widgets, pods = hub.resource("widgets", "example.org"), hub.resource("pods")
    with watching() as run:
        for round_ in range(3):
            hub.wait_streams(9)
            hub.add(widgets, stuck_widget(f"w{round_}"))
            hub.modify(pods, "shop", "web-1-0",
                       lambda o: o["status"].update(phase="Pending"))
            hub.bookmark()
            hub.drop_streams(pods)
            hub.wait_streams(9)
            hub.compact()
            hub.expire_streams(widgets)
            run.wait(lambda r=round_: f"Widget shop/w{r}" in flagged(run.findings(), "FN001"),
                     "the round's change")
        run.settle()
        expired = sample(run, "kaudit_watch_restarts_total", resource="widgets.example.org",
                         reason="expired")
        dropped = sample(run, "kaudit_watch_restarts_total", resource="pods", reason="error")
    methods = {r.method for r in live.server.requests}
    assert methods == {"GET"}
    assert any("watch" in r.query for r in live.server.requests)
    # 410s happened and each relisted widgets (how many depends on where each stream was when
    # the server expired it); the dropped pod streams reconnected.
    assert expired and lists_of(live, WIDGETS) == 1 + expired
    assert dropped


def test_an_unreadable_cluster_ends_the_run(start_live: StartLive) -> None:
    from kaudit.live import LiveError

    live = start_live()
    live.server.stop()
    with pytest.raises(LiveError, match="cannot read the cluster"), watching():
        pass


def test_types_added_and_removed_later_are_picked_up(hub_live: tuple[Live, WatchHub]) -> None:
    from tests.live.apiserver import Resource

    live, hub = hub_live
    gadgets = Resource("tools.example.org", "v1", "gadgets", "Gadget", True, [
        obj("tools.example.org/v1", "Gadget", "stuck-gadget", "shop", metadata={
            "deletionTimestamp": "2024-03-01T00:00:00Z",
            "finalizers": ["tools.example.org/cleanup"]})])
    with watching(select=("FN001",), rediscover=0.2) as run:
        assert flagged(run.findings(), "FN001") == ["Widget shop/stuck"]
        live.server.cluster.resources.append(gadgets)  # a CRD was installed
        run.wait(lambda: "Gadget shop/stuck-gadget" in flagged(run.findings(), "FN001"),
                 "the new type's objects")
        hub.wait_streams(10)
        live.server.cluster.resources.remove(gadgets)  # and uninstalled
        run.wait(lambda: flagged(run.findings(), "FN001") == ["Widget shop/stuck"],
                 "the removed type's objects to go")


def test_no_secret_value_leaves_through_watch_events(hub_live: tuple[Live, WatchHub]) -> None:
    import base64

    from tests.live.cluster import CREDENTIAL_VALUE, PLAIN_SECRET_VALUE

    _live, hub = hub_live
    secrets = hub.resource("secrets")
    leaked = "c2VjcmV0LWluLWFubm90YXRpb24="  # "secret-in-annotation"
    last_applied = orjson.dumps({"apiVersion": "v1", "kind": "Secret",
                                 "data": {"password": leaked}}).decode()

    def annotate(o: dict[str, Any]) -> None:
        o["metadata"]["annotations"] = {
            "kubectl.kubernetes.io/last-applied-configuration": last_applied}

    with watching() as run:
        hub.wait_streams(9)  # 8 types; Secrets have two streams (metadata, Kong credentials)
        hub.modify(secrets, "shop", "db-password", annotate)  # the metadata-only stream
        hub.modify(secrets, "shop", "alice-key", annotate)    # the full stream
        run.wait(lambda: run.watch.store is not None and run.watch.store.counters()[0].get(
            ("secrets", "MODIFIED")) == 2, "both events")
        run.settle()
        snapshot, _ = run.watch.store.snapshot(run.watch.latest().evaluated_at)
        held = orjson.dumps([o.raw for o in snapshot]).decode()
        served = run.get("/findings")[1].decode() + run.get("/metrics")[1].decode()
    logged = orjson.dumps(run.lines).decode()
    for value in (PLAIN_SECRET_VALUE, CREDENTIAL_VALUE, leaked):
        for text in (value, base64.b64decode(value).decode()):
            assert text not in held and text not in served and text not in logged


def test_not_ready_while_the_first_list_runs(hub_live: tuple[Live, WatchHub]) -> None:
    import urllib.error
    import urllib.request
    from datetime import UTC, datetime

    from kaudit.engine import EngineSettings
    from kaudit.live import LiveOptions
    from kaudit.rules.registry import load_catalogue
    from kaudit.watch import Watch, WatchConfig
    from tests.live.apiserver import Fault

    live, _ = hub_live
    live.server.add_fault(Fault(WIDGETS, 200, delay=1.5))  # a slow list
    watch = Watch(WatchConfig(live=LiveOptions(context="loopback", timeout=5.0),
                              listen=("127.0.0.1", 0)),
                  load_catalogue([]), EngineSettings(now=datetime.now(UTC)), lambda _: None)
    stop = threading.Event()
    thread = threading.Thread(target=watch.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert watch.listening.wait(10)
        assert watch.server is not None
        url = "http://{}:{}".format(*watch.server.address)

        def status(path: str) -> int:
            try:
                with urllib.request.urlopen(url + path, timeout=5) as answer:
                    return int(answer.status)
            except urllib.error.HTTPError as exc:
                return exc.code

        assert (status("/readyz"), status("/healthz"), status("/findings")) == (503, 200, 503)
        assert watch.latest() is None  # still listing: the answers above were not a race
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()


def test_one_namespace_is_watched_in_that_namespace(hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",), namespace="other") as run:
        assert flagged(run.findings(), "FN001") == []
        hub.add(widgets, stuck_widget("elsewhere"))  # in shop: not watched
        stuck_other = stuck_widget("here")
        stuck_other["metadata"]["namespace"] = "other"
        hub.add(widgets, stuck_other)
        run.wait(lambda: flagged(run.findings(), "FN001") == ["Widget other/here"],
                 "the event in the watched namespace")
    paths = {r.path for r in live.server.requests if "watch" in r.query}
    assert "/apis/example.org/v1/namespaces/other/widgets" in paths
    assert "/apis/example.org/v1/widgets" not in paths
    assert "/api/v1/namespaces" in paths  # cluster-scoped types are still watched whole


def test_a_surprise_in_a_watcher_thread_is_survived(hub_live: tuple[Live, WatchHub],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from kaudit.watch.store import ObjectStore

    _live, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    original = ObjectStore.apply
    failures: list[str] = []

    def apply_once_broken(self: ObjectStore, resource: Any, query: int, event: Any) -> None:
        if event.object is not None and event.object.name == "fragile" and not failures:
            failures.append(event.object.name)
            raise RuntimeError("the store choked")
        original(self, resource, query, event)

    monkeypatch.setattr(ObjectStore, "apply", apply_once_broken)
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        hub.add(widgets, stuck_widget("fragile"))
        # The event is replayed on the new stream: the failed one had not advanced the version.
        run.wait(lambda: "Widget shop/fragile" in flagged(run.findings(), "FN001"),
                 "the replayed event")
        assert failures == ["fragile"]
        assert "widgets.example.org" not in gaps(run.findings())
        assert sample(run, "kaudit_watch_restarts_total", resource="widgets.example.org",
                      reason="error") == 1


def test_a_burst_of_changes_costs_one_evaluation(hub_live: tuple[Live, WatchHub]) -> None:
    _, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",), debounce=1.0) as run:
        hub.wait_streams(9)
        before = run.watch.observer.evaluations
        for i in range(20):
            hub.add(widgets, stuck_widget(f"burst-{i}"))
        run.wait(lambda: len(flagged(run.findings(), "FN001")) == 21, "the whole burst")
        # 20 changes within the debounce: one evaluation (two if the loop woke mid-burst).
        assert run.watch.observer.evaluations - before <= 2


def test_streams_ending_empty_are_resumed_after_a_backoff(
        hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    with watching(select=("FN001",)) as run:
        hub.wait_streams(9)
        hub.max_stream_seconds = 0.0  # every stream now ends at once, without an event
        hub.close_streams()
        threading.Event().wait(1.0)
        count = len(watches_of(live, WIDGETS))
        assert run.watch.latest() is not None
    # Backoff 0.05 s doubling to 0.2 s: a handful a second; without it, the rate limit
    # (50/s, bursts of 300) would be the only brake.
    assert 2 <= count <= 12


def test_a_resync_without_changes_reuses_the_graph(hub_live: tuple[Live, WatchHub]) -> None:
    _, hub = hub_live
    widgets = hub.resource("widgets", "example.org")
    with watching(select=("FN001",), resync=0.2) as run:
        observer = run.watch.observer
        run.wait(lambda: observer.evaluations >= 3, "resyncs")
        assert observer.graphs_built == 1  # time passed, the objects did not change
        first = run.findings()["now"]
        run.wait(lambda: run.findings()["now"] != first, "a later now")  # ages are re-measured
        hub.add(widgets, stuck_widget("new"))
        run.wait(lambda: "Widget shop/new" in flagged(run.findings(), "FN001"), "the change")
        assert observer.graphs_built == 2
