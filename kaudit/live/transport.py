"""GET requests to the API server: raw bytes, bounded retries, every failure a ``FetchError``.

The client's own request path is bypassed on purpose: it would build typed models (10-25x
slower than orjson on raw bytes) and, through urllib3's default ``Retry``, retry silently three
times. The connection pool, TLS settings and credentials still come from the official client's
configuration, so whatever kubectl can authenticate with, kaudit can too.

A sick or hostile server cannot hang or exhaust the scan: each request has an absolute deadline
enforced by cutting its connection (``kaudit.live.deadline``), and bodies are read in chunks up
to a size cap, whatever ``Content-Length`` claims and however long a chunked body goes on.
"""

from __future__ import annotations

import itertools
import socket
import ssl
import threading
import time
import warnings
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode

import orjson
import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTClientObject
from kubernetes.config.config_exception import ConfigException
from urllib3 import connectionpool as u3_pool
from urllib3 import exceptions as u3

from kaudit.live.deadline import Deadline, Watchdog, earliest
from kaudit.live.errors import FetchError, reason_for_status
from kaudit.live.kubeconfig import ClusterTarget
from kaudit.live.ratelimit import TokenBucket

JSON = "application/json"
USER_AGENT = "kaudit (read-only audit)"
MAX_RETRIES = 4
"""Retries of one request answered 429, or 5xx with ``Retry-After``; then it is a gap."""
MAX_RECONNECTS = 1
"""Resends of a GET whose connection broke mid-request; a second break is a gap."""
MAX_RETRY_AFTER = 10.0
"""Seconds: a server asking for longer gets a gap rather than a stalled scan."""
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""Largest body read; a bigger answer is a ``response too large`` gap, never a MemoryError.
500 objects of ~500 kB each still fit; a bigger page is split by a smaller ``--page-size``."""
MAX_ERROR_BODY = 64 * 1024
"""An error answer is read only for its ``Status`` message."""
CHUNK = 1024 * 1024
TOO_LARGE = "response too large"


class Transport:
    """Thread-safe: one connection pool and one rate limiter shared by every worker."""

    def __init__(self, target: ClusterTarget, *, qps: float, burst: int, timeout: float,
                 pool_size: int, max_response_bytes: int | None = None) -> None:
        configuration = target.configuration
        # No silent retries inside urllib3: every retry is decided (and bounded) here.
        configuration.retries = False
        configuration.connection_pool_maxsize = pool_size
        self._configuration = configuration
        self._pool = RESTClientObject(configuration).pool_manager
        # Connections that report themselves to the request using them, so that the
        # watchdog can cut the one of a request past its deadline.
        self._pool.pool_classes_by_scheme = {"http": _TrackedHTTPPool,
                                             "https": _TrackedHTTPSPool}
        self._base = configuration.host.rstrip("/")
        self._timeout = timeout
        self._max_body = max_response_bytes or MAX_RESPONSE_BYTES
        self._bucket = TokenBucket(qps, burst)
        self._auth_lock = threading.Lock()
        self._sent = itertools.count(1)
        self._watchdog = Watchdog()
        self.requests = 0
        self.notices: list[str] = []
        if not configuration.verify_ssl:
            # urllib3 warns on every request; one notice per scan says it once.
            warnings.filterwarnings("ignore", category=u3.InsecureRequestWarning)
            self.notices.append(
                f"warning: TLS certificate verification is off for {target.server} "
                "(insecure-skip-tls-verify): anyone on the path can impersonate the server")

    def get(self, path: str, query: dict[str, str] | None = None, accept: str = JSON,
            deadline: Deadline | None = None) -> bytes:
        """The body of a 200 answer to ``GET path?query``; ``FetchError`` otherwise.

        The request, its retries and the reading of its body end by the earliest of
        ``--timeout`` from now and ``deadline`` (its resource type's or the scan's)."""
        url = self._base + path + (f"?{urlencode(query)}" if query else "")
        own = Deadline.after(self._timeout, "timeout",
                             f"no complete answer within {self._timeout:g} s; raise --timeout "
                             "to wait longer")
        limit = earliest(own, deadline) or own
        attempt = dropped = 0
        while True:
            self._bucket.acquire()
            headers = {"Accept": accept, "User-Agent": USER_AGENT, **self._auth_headers()}
            try:
                status, retry_after, body = self._exchange(url, headers, limit)
            except u3.ProtocolError as exc:
                # The connection broke after it was made (a kept-alive connection the server
                # closed, an API server restarting): a GET is safe to send again, once.
                if dropped < MAX_RECONNECTS:
                    dropped += 1
                    continue
                raise _network_error(exc, self._timeout) from None
            except (u3.HTTPError, OSError) as exc:
                raise _network_error(exc, self._timeout) from None
            self.requests = next(self._sent)  # atomic under the GIL, unlike += 1
            if 200 <= status < 300:
                return body
            wait = _retry_delay(status, retry_after, attempt)
            if wait is None or attempt >= MAX_RETRIES:
                retried = f" after {attempt} retries" if attempt else ""
                raise FetchError(reason_for_status(status),
                                 f"HTTP {status}{retried}: {_status_message(body)}",
                                 status)
            if wait >= limit.remaining():
                raise FetchError(limit.reason, f"{limit.detail} (the server asked to retry "
                                               f"after {wait:g} s)")
            attempt += 1
            time.sleep(wait)

    def _exchange(self, url: str, headers: dict[str, str],
                  limit: Deadline) -> tuple[int, str | None, bytes]:
        """One request within ``limit``: status, Retry-After and the (capped) body."""
        remaining = limit.remaining()
        if remaining <= 0:
            raise FetchError(limit.reason, limit.detail)
        inflight = _Inflight()
        _local.inflight = inflight
        alarm = self._watchdog.arm(limit.at, inflight.cut)
        try:
            # Per-operation timeouts too, so that an idle server is noticed without the
            # watchdog; the watchdog catches the one that keeps dripping.
            timeout = urllib3.Timeout(connect=min(remaining, 10.0), read=remaining)
            response = self._pool.request(
                "GET", url, headers=headers, timeout=timeout, retries=False,
                redirect=False, preload_content=False)
            try:
                ok = 200 <= response.status < 300
                body = _read_capped(response, self._max_body if ok else MAX_ERROR_BODY,
                                    truncate=not ok)
            finally:
                inflight.finish()
                response.release_conn()
            if inflight.expired:
                raise FetchError(limit.reason, limit.detail)
            return response.status, response.headers.get("Retry-After"), body
        except (u3.HTTPError, OSError):
            if inflight.expired:
                raise FetchError(limit.reason, limit.detail) from None
            raise
        finally:
            inflight.finish()
            self._watchdog.disarm(alarm)
            _local.inflight = None

    def stream(self, path: str, query: dict[str, str], accept: str = JSON,
               read_timeout: float | None = None) -> urllib3.BaseHTTPResponse:
        """An open 200 answer to ``GET path?query`` whose body is read as it arrives (a watch
        stream); ``FetchError`` otherwise. One attempt, rate-limited like every request: the
        watcher decides when to reconnect. The caller closes the response."""
        url = self._base + path + f"?{urlencode(query)}"
        self._bucket.acquire()
        headers = {"Accept": accept, "User-Agent": USER_AGENT, **self._auth_headers()}
        # No overall deadline: a watch stream is meant to stay open; each read is bounded.
        timeout = urllib3.Timeout(connect=min(self._timeout, 10.0),
                                  read=read_timeout or self._timeout)
        try:
            response = self._pool.request("GET", url, headers=headers, timeout=timeout,
                                          retries=False, redirect=False, preload_content=False)
        except (u3.HTTPError, OSError) as exc:
            raise _network_error(exc, timeout.read_timeout) from None
        self.requests = next(self._sent)
        if 200 <= response.status < 300:
            return response
        body = _read_capped(response, MAX_ERROR_BODY, truncate=True)
        response.release_conn()
        raise FetchError(reason_for_status(response.status),
                         f"HTTP {response.status}: {_status_message(body)}", response.status)

    def _auth_headers(self) -> dict[str, str]:
        # An exec plugin's refresh hook runs here; one refresh at a time.
        with self._auth_lock:
            try:
                settings = self._configuration.auth_settings()
            except (ConfigException, ApiException, OSError) as exc:
                raise FetchError("unauthorized", f"credential plugin failed: {exc}") from None
        return {s["key"]: s["value"] for s in settings.values() if s.get("value")}


def _read_capped(response: Any, limit: int, *, truncate: bool) -> bytes:
    """The body, at most ``limit`` bytes: beyond it, a ``response too large`` gap (or, for an
    error answer read only for its message, the first ``limit`` bytes). The connection is
    closed rather than reused when the body was not read to its end."""
    declared = response.headers.get("Content-Length")
    try:
        length = int(declared) if declared is not None else None
    except ValueError:
        length = None
    if length is not None and length > limit and not truncate:
        response.close()
        raise FetchError(TOO_LARGE, f"the server announced {length} bytes, more than the "
                                    f"{limit // (1024 * 1024)} MiB kaudit reads; lower "
                                    "--page-size")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read(min(CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            response.close()
            if truncate:
                return b"".join(chunks)
            raise FetchError(TOO_LARGE, f"the answer went on past the {limit // (1024 * 1024)}"
                                        " MiB kaudit reads; lower --page-size")
        chunks.append(chunk)


class _Inflight:
    """The connection a request is using, for the watchdog to cut.

    ``cut`` and ``finish`` take a lock so that a deadline passing just as the request ends
    never shuts down the connection after it went back to the pool for another request."""

    __slots__ = ("_done", "_lock", "conn", "expired")

    def __init__(self) -> None:
        self.conn: Any = None
        self.expired = False
        self._done = False
        self._lock = threading.Lock()

    def cut(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self.conn is not None:
                _shutdown(self.conn)

    def finish(self) -> None:
        with self._lock:
            self._done = True


def _shutdown(conn: Any) -> None:
    """Wake the thread blocked reading ``conn``: shutting the socket down makes its read
    return at once. The plain socket's method, not ``SSLSocket.shutdown`` (which also drops
    the TLS state under the reading thread's feet)."""
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        with suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


_local = threading.local()


class _Tracked:
    """Mixin for urllib3 connections: report to the current request's ``_Inflight``."""

    def _track(self) -> _Inflight | None:
        inflight: _Inflight | None = getattr(_local, "inflight", None)
        if inflight is not None:
            inflight.conn = self
        return inflight

    def connect(self) -> None:
        inflight = self._track()
        super().connect()  # type: ignore[misc]
        if inflight is not None and inflight.expired:
            _shutdown(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        inflight = self._track()
        if inflight is not None and inflight.expired:
            _shutdown(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


_tracked_classes: dict[type, type] = {}


def _tracked(base: type) -> type:
    """``base`` with ``_Tracked`` mixed in. Built from the class urllib3's pool uses when the
    pool is made, not at import, so that whatever replaced it (a test recorder such as vcrpy
    patches ``ConnectionCls``) is still used."""
    if base not in _tracked_classes:
        _tracked_classes[base] = type(f"Tracked{base.__name__}", (_Tracked, base), {})
    return _tracked_classes[base]


class _TrackedHTTPPool(u3_pool.HTTPConnectionPool):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.ConnectionCls = _tracked(u3_pool.HTTPConnectionPool.ConnectionCls)
        super().__init__(*args, **kwargs)


class _TrackedHTTPSPool(u3_pool.HTTPSConnectionPool):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.ConnectionCls = _tracked(u3_pool.HTTPSConnectionPool.ConnectionCls)
        super().__init__(*args, **kwargs)


def _retry_delay(status: int, retry_after: str | None, attempt: int) -> float | None:
    """Seconds to wait before retrying, or ``None`` when the answer is final.

    429 is always worth a bounded retry (backoff when the server names no delay); a 5xx only
    when the server says when to come back, since a broken aggregated API would otherwise cost
    every retry's wait for nothing.
    """
    named: float | None = None
    if retry_after is not None:
        try:
            named = max(0.0, float(retry_after))
        except ValueError:
            named = None
    if status == 429:
        return min(named if named is not None else 0.25 * 2**attempt, MAX_RETRY_AFTER)
    if status >= 500 and named is not None:
        return min(named, MAX_RETRY_AFTER)
    return None


def _status_message(body: bytes) -> str:
    """The ``message`` of a Kubernetes ``Status`` body, else the start of the body."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        text = parsed["message"]
    else:
        text = body[:200].decode("utf-8", "replace")
    return " ".join(text.split())[:300] or "no message"


def _network_error(exc: BaseException, timeout: float | None) -> FetchError:
    waited = (f"no answer within {timeout:g} s; raise --timeout to wait longer" if timeout
              else "no answer")
    if isinstance(exc, u3.ReadTimeoutError):
        return FetchError("timeout", waited)
    if isinstance(exc, u3.SSLError | ssl.SSLError):
        return FetchError("TLS failure", _short(exc))
    if isinstance(exc, u3.NewConnectionError | u3.ConnectTimeoutError | ConnectionError):
        return FetchError("connection failed", _short(exc))
    if isinstance(exc, u3.ProtocolError):
        return FetchError("connection failed", _short(exc))
    if isinstance(exc, TimeoutError):
        return FetchError("timeout", waited)
    return FetchError("connection failed", _short(exc))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    # urllib3 prefixes messages with the pool's repr; the cause is at the end.
    return text.rpartition(": ")[2] if len(text) > 200 else text
