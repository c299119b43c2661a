"""GET requests to the API server: raw bytes, bounded retries, every failure a ``FetchError``.

The client's own request path is bypassed on purpose: it would build typed models (10-25x
slower than orjson on raw bytes) and, through urllib3's default ``Retry``, retry silently three
times. The connection pool, TLS settings and credentials still come from the official client's
configuration, so whatever kubectl can authenticate with, kaudit can too.
"""

from __future__ import annotations

import itertools
import ssl
import threading
import time
from urllib.parse import urlencode

import orjson
import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTClientObject
from kubernetes.config.config_exception import ConfigException
from urllib3 import exceptions as u3

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


class Transport:
    """Thread-safe: one connection pool and one rate limiter shared by every worker."""

    def __init__(self, target: ClusterTarget, *, qps: float, burst: int, timeout: float,
                 pool_size: int) -> None:
        configuration = target.configuration
        # No silent retries inside urllib3: every retry is decided (and bounded) here.
        configuration.retries = False
        configuration.connection_pool_maxsize = pool_size
        self._configuration = configuration
        self._pool = RESTClientObject(configuration).pool_manager
        self._base = configuration.host.rstrip("/")
        self._timeout = urllib3.Timeout(connect=min(timeout, 10.0), read=timeout)
        self._bucket = TokenBucket(qps, burst)
        self._auth_lock = threading.Lock()
        self._sent = itertools.count(1)
        self.requests = 0

    def get(self, path: str, query: dict[str, str] | None = None, accept: str = JSON) -> bytes:
        """The body of a 200 answer to ``GET path?query``; ``FetchError`` otherwise."""
        url = self._base + path + (f"?{urlencode(query)}" if query else "")
        attempt = dropped = 0
        while True:
            self._bucket.acquire()
            headers = {"Accept": accept, "User-Agent": USER_AGENT, **self._auth_headers()}
            try:
                response = self._pool.request(
                    "GET", url, headers=headers, timeout=self._timeout, retries=False,
                    redirect=False, preload_content=True)
            except u3.ProtocolError as exc:
                # The connection broke after it was made (a kept-alive connection the server
                # closed, an API server restarting): a GET is safe to send again, once.
                if dropped < MAX_RECONNECTS:
                    dropped += 1
                    continue
                raise _network_error(exc, self._timeout.read_timeout) from None
            except (u3.HTTPError, OSError) as exc:
                raise _network_error(exc, self._timeout.read_timeout) from None
            self.requests = next(self._sent)  # atomic under the GIL, unlike += 1
            status = response.status
            if 200 <= status < 300:
                return response.data
            wait = _retry_delay(status, response.headers.get("Retry-After"), attempt)
            if wait is None or attempt >= MAX_RETRIES:
                retried = f" after {attempt} retries" if attempt else ""
                raise FetchError(reason_for_status(status),
                                 f"HTTP {status}{retried}: {_status_message(response.data)}",
                                 status)
            attempt += 1
            time.sleep(wait)

    def stream(self, path: str, query: dict[str, str], accept: str = JSON,
               read_timeout: float | None = None) -> urllib3.BaseHTTPResponse:
        """An open 200 answer to ``GET path?query`` whose body is read as it arrives (a watch
        stream); ``FetchError`` otherwise. One attempt, rate-limited like every request: the
        watcher decides when to reconnect. The caller closes the response."""
        url = self._base + path + f"?{urlencode(query)}"
        self._bucket.acquire()
        headers = {"Accept": accept, "User-Agent": USER_AGENT, **self._auth_headers()}
        timeout = urllib3.Timeout(connect=self._timeout.connect_timeout,
                                  read=read_timeout or self._timeout.read_timeout)
        try:
            response = self._pool.request("GET", url, headers=headers, timeout=timeout,
                                          retries=False, redirect=False, preload_content=False)
        except (u3.HTTPError, OSError) as exc:
            raise _network_error(exc, timeout.read_timeout) from None
        self.requests = next(self._sent)
        if 200 <= response.status < 300:
            return response
        body = response.read()
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
