"""A loopback stand-in for a Prometheus Pushgateway: records every request it receives."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Gateway:
    url: str = ""
    answer: int = 200
    received: list[tuple[str, str, bytes]] = field(default_factory=list)
    """(method, path, body) of each push, in arrival order."""


@contextmanager
def pushgateway() -> Iterator[Gateway]:
    gateway = Gateway()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                gateway.received.append((self.command, self.path, body))
            self.send_response(gateway.answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
