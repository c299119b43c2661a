"""A small Kubernetes API server on loopback, owned by the test suite.

It speaks the parts of the real protocol a read-only client uses: legacy discovery (``/api``,
``/apis``, each group-version, subresources included so clients must skip them), lists with
``limit``/``continue`` paging and label selectors, ``PartialObjectMetadataList`` when asked for
metadata only, single GETs, bearer-token auth and TLS. Faults are scripted per path (status,
``Retry-After``, delay, how many times), and every request is recorded so tests can assert what
a client sent. ``kubectl`` talks to it (see ``test_kubectl_conformance.py``).
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

PARTIAL = "as=PartialObjectMetadataList"
RESOURCE_VERSION = "1000"
STREAMED = object()
"""Returned by a watch hook (``tests/live/watchstream.py``) that answered by itself."""


@dataclass
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    objects: list[dict[str, Any]] = field(default_factory=list)
    verbs: tuple[str, ...] = ("get", "list", "watch")
    subresources: tuple[str, ...] = ("status",)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass
class Fault:
    """Answer requests to ``path`` with ``status`` (``times`` times; -1 for ever); status 0
    closes the connection without an answer."""

    path: str
    status: int = 500
    times: int = 1
    only_with_continue: bool = False
    retry_after: str | None = None
    delay: float = 0.0
    """Seconds to wait before answering (a slow endpoint); the answer is then normal unless
    ``status`` is set to something other than 200."""
    message: str = "scripted fault"

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        if self.times == 0 or path != self.path:
            return False
        return not self.only_with_continue or "continue" in query


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Cluster:
    """What the server serves: resources (grouped by group-version) and extra group-versions
    advertised in ``/apis`` whose discovery is only ever answered by faults (aggregated APIs)."""

    resources: list[Resource]
    aggregated: list[tuple[str, str]] = field(default_factory=list)

    def group_versions(self) -> dict[str, list[str]]:
        """group -> versions, preferred first (order of first appearance)."""
        out: dict[str, list[str]] = {}
        for res in self.resources:
            versions = out.setdefault(res.group, [])
            if res.version not in versions:
                versions.append(res.version)
        for group, version in self.aggregated:
            versions = out.setdefault(group, [])
            if version not in versions:
                versions.append(version)
        return out

    def find(self, group: str, version: str, plural: str) -> Resource | None:
        for res in self.resources:
            if (res.group, res.version, res.plural) == (group, version, plural):
                return res
        return None


Route = Callable[["LoopbackAPIServer", str, dict[str, list[str]], dict[str, str]],
                "tuple[int, bytes, str] | None"]
"""An extra route: (server, path, query, lower-cased headers) -> (status, body, content type)."""


class LoopbackAPIServer:
    def __init__(self, cluster: Cluster, *, token: str | None = None,
                 tls: tuple[str, str] | None = None, client_ca: str | None = None,
                 cache_pages: bool = False) -> None:
        self.cluster = cluster
        self.token = token
        self.page_cache: dict[tuple[str, str], bytes] | None = {} if cache_pages else None
        self.faults: list[Fault] = []
        self.routes: list[Route] = []
        """Extra answers, asked in order before the built-in routing (after faults): each
        returns ``(status, body, content type)`` or ``None`` to pass."""
        self.behaviours: list[Any] = []
        """Hostile answers (``tests/live/hostile.py``): the first whose ``matches(path,
        query)`` is true answers the request with ``serve(handler, path, query)``."""
        self.requests: list[Request] = []
        self.watch: Any = None
        """A ``watchstream.WatchHub`` serving ``?watch=1`` and versioning lists, if attached."""
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.api = self
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            if client_ca is not None:
                # Client-certificate authentication: no certificate signed by it, no answer.
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(client_ca)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                         kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self) -> LoopbackAPIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # ---- called by the handler --------------------------------------------------------
    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def take_fault(self, path: str, query: dict[str, list[str]]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(path, query):
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    api: LoopbackAPIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (timeouts) close the socket under a slow answer: not news."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm
        # meets the client's delayed ACK and every small answer waits ~40 ms (Go's net/http,
        # which real API servers use, sets it too).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return

    # Every method is recorded, so a test can prove a client only ever sent GET.
    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._record()
        self._status(405, "MethodNotAllowed", "read-only test server")

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD

    def _record(self) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.api.record(Request(self.command, parts.path, query,
                                       {k.lower(): v for k, v in self.headers.items()}))
        return parts.path, query

    def _serve(self) -> None:
        path, query = self._record()
        api = self.server.api
        scheme, _, credential = (self.headers.get("Authorization") or "").partition(" ")
        if api.token is not None and (scheme.lower() != "bearer" or credential != api.token):
            self._status(401, "Unauthorized", "Unauthorized")
            return
        for behaviour in list(api.behaviours):
            if behaviour.matches(path, query):
                behaviour.serve(self, path, query)
                return
        fault = api.take_fault(path, query)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status == 0:
                self.close_connection = True  # hang up without an answer
                return
            if fault.status != 200:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._status(fault.status, _reason(fault.status), fault.message, headers)
                return
        headers = {k.lower(): v for k, v in self.headers.items()}
        for route in list(api.routes):
            answer = route(api, path, query, headers)
            if answer is not None:
                self._send(answer[0], answer[1], content_type=answer[2])
                return
        cache = api.page_cache
        cache_key = (self.path, self.headers.get("Accept") or "")
        if cache is not None and cache_key in cache:
            self._send(200, cache[cache_key])
            return
        body = self._route(path, query)
        if body is None:
            self._status(404, "NotFound", f"the server could not find the requested resource "
                                          f"({path})")
            return
        status, doc = body
        if doc is STREAMED:
            return
        if status != 200:
            self._status(status, _reason(status), str(doc))
            return
        data = orjson.dumps(doc)
        if cache is not None:
            cache[cache_key] = data
        self._send(200, data)

    # ---- routing ----------------------------------------------------------------------
    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any] | None:
        cluster = self.server.api.cluster
        parts = [p for p in path.split("/") if p]
        if parts == ["version"]:
            return 200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-loopback",
                         "platform": "linux/amd64"}
        if parts == ["api"]:
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [
                             {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
        if parts == ["apis"]:
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                _group_doc(g, vs) for g, vs in cluster.group_versions().items() if g]}
        if parts and parts[0] == "apis" and len(parts) == 2:
            versions = cluster.group_versions().get(parts[1])
            return (200, {"kind": "APIGroup", "apiVersion": "v1",
                          **_group_doc(parts[1], versions)}) if versions else None
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        if not rest:
            return _resource_list(cluster, group, version)
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        res = cluster.find(group, version, rest[0])
        if res is None:
            return None
        if len(rest) == 1:
            if "watch" in query and self.server.api.watch is not None:
                return self.server.api.watch.serve(self, res, namespace, query)
            return 200, self._list(res, namespace, query)
        if len(rest) == 2:
            for obj in res.objects:
                meta = obj["metadata"]
                if meta["name"] == rest[1] and meta.get("namespace") == namespace:
                    return 200, obj
            return 404, f'{res.plural} "{rest[1]}" not found'
        return None

    def _list(self, res: Resource, namespace: str | None,
              query: dict[str, list[str]]) -> dict[str, Any]:
        watch = self.server.api.watch
        everything, version = (watch.list_state(res) if watch is not None
                               else (res.objects, RESOURCE_VERSION))
        objects = [o for o in everything
                   if namespace is None or o["metadata"].get("namespace") == namespace]
        selector = (query.get("labelSelector") or [""])[0]
        objects = [o for o in objects if _selected(o, selector)]
        start = 0
        if "continue" in query:
            start = int(orjson.loads(base64.b64decode(query["continue"][0]))["start"])
        limit = int((query.get("limit") or ["0"])[0]) or len(objects) or 1
        page = objects[start:start + limit]
        meta: dict[str, Any] = {"resourceVersion": version}
        if start + limit < len(objects):
            meta["continue"] = base64.b64encode(orjson.dumps(
                {"rv": version, "start": start + limit})).decode()
            meta["remainingItemCount"] = len(objects) - start - limit
        if PARTIAL in (self.headers.get("Accept") or ""):
            return {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                    "metadata": meta,
                    "items": [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                               "metadata": o["metadata"]} for o in page]}
        # Like the real server: items of built-in types carry no apiVersion/kind in a list.
        items = page if res.group and "." in res.group else [
            {k: v for k, v in o.items() if k not in ("apiVersion", "kind")} for o in page]
        return {"kind": f"{res.kind}List", "apiVersion": res.group_version, "metadata": meta,
                "items": items}

    # ---- answers ----------------------------------------------------------------------
    def _status(self, code: int, reason: str, message: str,
                headers: dict[str, str] | None = None) -> None:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code}
        self._send(code, orjson.dumps(body), headers)

    def _send(self, code: int, data: bytes, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True


def _group_doc(group: str, versions: Iterable[str]) -> dict[str, Any]:
    vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": vs, "preferredVersion": vs[0]}


def _resource_list(cluster: Cluster, group: str, version: str) -> tuple[int, Any] | None:
    found = [r for r in cluster.resources if (r.group, r.version) == (group, version)]
    if not found:
        return None
    resources: list[dict[str, Any]] = []
    for res in found:
        resources.append({"name": res.plural, "singularName": res.kind.lower(),
                          "namespaced": res.namespaced, "kind": res.kind,
                          "verbs": list(res.verbs)})
        for sub in res.subresources:
            resources.append({"name": f"{res.plural}/{sub}", "singularName": "",
                              "namespaced": res.namespaced, "kind": res.kind,
                              "verbs": ["get", "patch", "update"]})
    gv = f"{group}/{version}" if group else version
    return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                 "resources": resources}


def _selected(obj: dict[str, Any], selector: str) -> bool:
    labels = obj["metadata"].get("labels") or {}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if term.startswith("!"):
            if term[1:] in labels:
                return False
        elif "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.rstrip("=")) != value:
                return False
        elif term not in labels:
            return False
    return True


def _reason(code: int) -> str:
    return {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 410: "Expired",
            429: "TooManyRequests", 500: "InternalError",
            503: "ServiceUnavailable"}.get(code, "Failure")
