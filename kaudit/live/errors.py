"""Why a request failed, in words a coverage gap can carry."""

from __future__ import annotations

from typing import Any

import orjson


class LiveError(Exception):
    """The cluster could not be read at all (bad kubeconfig, refused connection, TLS failure,
    rejected credentials): the CLI prints this and exits 2."""


class NoKubeconfigError(LiveError):
    """No kubeconfig file and no in-cluster service account: there is no cluster to read."""


class FetchError(Exception):
    """One request failed for good (after the retries it deserved).

    ``reason`` is the short, stable word a coverage gap reports (``forbidden``, ``timeout``…);
    ``detail`` says what exactly happened, never with credentials.
    """

    def __init__(self, reason: str, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status

    @property
    def unreachable(self) -> bool:
        """The server could not be talked to at all (as opposed to refusing one request)."""
        return self.status is None and self.reason in ("connection failed", "TLS failure")


def reason_for_status(status: int) -> str:
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not found"
    if status == 410:
        return "expired continue token"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server error"
    return f"HTTP {status}"


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """Decode a response that must be a JSON object; anything else is a ``bad response`` gap
    naming ``what`` it should have been (a discovery document, a list page)."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise FetchError("bad response", f"{what} is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise FetchError("bad response", f"{what} is not a JSON object")
    return parsed
