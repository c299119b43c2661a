"""What ``kaudit watch`` serves on ``--listen``: ``/metrics`` (Prometheus), ``/findings`` (the
JSON report), ``/healthz`` and ``/readyz``. GET only; everything else is 405.

Metrics are produced at scrape time from the latest evaluation through ``prometheus_client``
(the report metrics are built by the same code as the one-shot ``prometheus`` format), plus
what only a running watcher knows: evaluation durations, watch restarts and events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kaudit.report.prometheus_format import SPECS, Observed, ReportCollector
from kaudit.watch.observer import Evaluation

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class WatchMetrics:
    """The registry behind ``/metrics``."""

    def __init__(self, latest: Callable[[], Evaluation | None],
                 counters: Callable[[], tuple[dict[tuple[str, str], int],
                                              dict[tuple[str, str], int]]]) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self._latest = latest

        def observed() -> list[Observed]:
            evaluation = latest()
            return [evaluation.observed] if evaluation is not None else []

        self.registry.register(ReportCollector(observed))
        self.registry.register(_WatchCollector(latest, counters))
        self.duration = Histogram(
            "kaudit_evaluation_duration_seconds",
            SPECS["kaudit_evaluation_duration_seconds"].help, buckets=DURATION_BUCKETS,
            registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _WatchCollector(Collector):
    def __init__(self, latest: Callable[[], Evaluation | None],
                 counters: Callable[[], tuple[dict[tuple[str, str], int],
                                              dict[tuple[str, str], int]]]) -> None:
        self._latest = latest
        self._counters = counters

    def collect(self) -> Iterator[Metric]:
        events, restarts = self._counters()
        restarted = CounterMetricFamily(
            "kaudit_watch_restarts", SPECS["kaudit_watch_restarts_total"].help,
            labels=("resource", "reason"))
        for labels, count in sorted(restarts.items()):
            restarted.add_metric(list(labels), count)
        received = CounterMetricFamily(
            "kaudit_watch_events", SPECS["kaudit_watch_events_total"].help,
            labels=("resource", "type"))
        for labels, count in sorted(events.items()):
            received.add_metric(list(labels), count)
        ready = GaugeMetricFamily("kaudit_ready", SPECS["kaudit_ready"].help)
        ready.add_metric([], 1 if self._latest() is not None else 0)
        yield from (restarted, received, ready)


class StatusServer:
    """A small threaded HTTP server; ``healthy`` says whether the evaluation loop runs."""

    def __init__(self, address: tuple[str, int], metrics: WatchMetrics,
                 latest: Callable[[], Evaluation | None], healthy: Callable[[], bool]) -> None:
        self.metrics = metrics
        self.latest = latest
        self.healthy = healthy
        self._httpd = _HTTPServer(address, _Handler)
        self._httpd.status = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.2}, name="kaudit-listen")

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    def start(self) -> StatusServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    status: StatusServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A scraper that hung up early is not worth a traceback."""


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # stderr carries the findings' JSON lines only

    def do_GET(self) -> None:
        status = self.server.status
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, status.metrics.exposition(), CONTENT_TYPE_LATEST)
        elif path == "/findings":
            evaluation = status.latest()
            if evaluation is None:
                self._send(503, b'{"error": "not ready: the first evaluation is running"}\n')
            else:
                self._send(200, orjson.dumps(evaluation.to_json(),
                                             option=orjson.OPT_INDENT_2) + b"\n")
        elif path == "/healthz":
            ok = status.healthy()
            self._send(200 if ok else 503, b"ok\n" if ok else b"evaluation loop stopped\n",
                       "text/plain")
        elif path == "/readyz":
            ready = status.latest() is not None
            self._send(200 if ready else 503,
                       b"ready\n" if ready else b"listing the cluster\n", "text/plain")
        else:
            self._send(404, b"not found: /metrics, /findings, /healthz, /readyz\n",
                       "text/plain")

    def _refuse(self) -> None:
        self.close_connection = True  # any body is left unread
        self._send(405, b"kaudit serves GET only\n", "text/plain", {"Allow": "GET"})

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _refuse

    def _send(self, code: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
