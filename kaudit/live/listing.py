"""List one resource type completely: ``limit``/``continue`` pages, parsed with orjson.

Each page becomes ``KubeObject``s right away (Secrets digested before anything else sees them),
so a 100k-object cluster never holds more than one page of raw bytes at a time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kaudit.live.deadline import Deadline
from kaudit.live.discovery import ApiResource
from kaudit.live.errors import FetchError, json_object
from kaudit.live.policy import Query, queries_for
from kaudit.model import CoverageGap, SourceLocation
from kaudit.snapshot import KubeObject
from kaudit.snapshot.admission import admit
from kaudit.snapshot.reads import Projection

if TYPE_CHECKING:  # the client stack loads only when a cluster is read
    from kaudit.live.transport import Transport

EXPIRED = 410
MAX_PAGES = 10_000
"""Pages of one list before it is taken as endless (5 million objects at the default page
size); a server whose ``continue`` tokens never run out must not hold the scan for ever."""
ENDLESS = "endless pagination"
BAD_RESPONSE = "bad response"


@dataclass
class ListOutcome:
    resource: ApiResource
    objects: list[KubeObject] = field(default_factory=list)
    gap: CoverageGap | None = None
    restarted: bool = False
    resource_versions: list[str] = field(default_factory=list)
    """The list's ``resourceVersion`` per query (``queries_for`` order): where a watch of
    that query starts."""

    @property
    def complete(self) -> bool:
        return self.gap is None


def list_resource(transport: Transport, resource: ApiResource, *, source: str,
                  namespace: str | None, page_size: int,
                  on_page: Callable[[int], None] = lambda n: None,
                  prefetch: Executor | None = None, deadline: Deadline | None = None,
                  max_pages: int = MAX_PAGES, projection: Projection | None = None
                  ) -> ListOutcome:
    """Every object of ``resource`` (in ``namespace`` when it is namespaced and one is given).

    A failure ends this type only, as a gap naming the reason; the scan goes on. An expired
    ``continue`` token (410 Gone: the server compacted past our snapshot) restarts the list
    once from the beginning, since a second expiry means the type is too big or busy to list
    consistently at this page size. With ``prefetch``, the next page is fetched there while the
    current one is parsed. ``deadline`` bounds the whole listing (every page and retry);
    pagination that does not end (see ``_Pagination``) is a gap too. ``projection``: keep of
    each object only what the scan's rules read (``kaudit.snapshot.reads``).
    """
    outcome = ListOutcome(resource)
    location = SourceLocation(source)
    skipped: list[str] = []
    for query in queries_for(resource):
        for attempt in (1, 2):
            try:
                objects, version = _pages(transport, resource, query, location, namespace,
                                          page_size, on_page, prefetch, deadline, max_pages,
                                          skipped, projection)
                outcome.objects.extend(objects)
                outcome.resource_versions.append(version)
                break
            except _Expired as exc:
                if attempt == 1:
                    outcome.restarted = True
                    continue
                outcome.gap = CoverageGap(resource.name, exc.error.reason,
                                          f"{exc.error.detail}; restarted once, expired again")
            except FetchError as exc:
                outcome.gap = CoverageGap(resource.name, exc.reason, exc.detail)
            return outcome
    if skipped:
        # The type is not complete: absence of an object of it proves nothing.
        outcome.gap = CoverageGap(resource.name, "objects skipped",
                                  f"{len(skipped)} cannot be audited, first: {skipped[0]}")
    return outcome


class _Expired(Exception):
    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error


class _Pagination:
    """Proof that a list is progressing towards its end, page by page.

    A server (sick, or hostile) can answer with ``continue`` tokens for ever. The list is cut
    as ``endless pagination`` when a token comes back a second time, when there are more pages
    than the ``remainingItemCount`` a page reported allows at our ``limit`` (the API server
    fills every page to the limit when it reports a count; one page of slack; a server that
    caps pages below our limit is measured by the pages it sends), or after ``max_pages``. A
    token that is not a string is a ``bad response``.
    """

    def __init__(self, page_size: int, max_pages: int) -> None:
        self._page_size = page_size
        self._max_pages = max_pages
        self._seen: set[str] = set()
        self._pages = 0
        self._allowed = max_pages
        self._why = f"more than {max_pages} pages"

    def next_token(self, meta: dict[str, object], count: int) -> str | None:
        """The token to ask for the next page with, ``None`` at the end; ``FetchError``
        when the list does not end. ``count``: items on this page."""
        self._pages += 1
        token = meta.get("continue")
        if token is None or token == "":
            return None
        if not isinstance(token, str):
            raise FetchError(BAD_RESPONSE, f"the continue token is a {type(token).__name__}, "
                                           "not a string")
        if token in self._seen:
            raise FetchError(ENDLESS, f"the server sent the same continue token twice (after "
                                      f"{self._pages} pages)")
        self._seen.add(token)
        remaining = meta.get("remainingItemCount")
        if isinstance(remaining, int) and not isinstance(remaining, bool) and remaining >= 0:
            per_page = count if 0 < count < self._page_size else self._page_size
            allowed = self._pages + math.ceil(remaining / per_page) + 1
            if allowed < self._allowed:
                self._allowed = allowed
                self._why = (f"more pages than limit={per_page} allows for the "
                             f"remainingItemCount {remaining} reported on page {self._pages}")
        if self._pages >= self._allowed:
            raise FetchError(ENDLESS, f"{self._pages} pages and still a continue token: "
                                      f"{self._why}")
        return token


def _page_parts(body: bytes) -> tuple[dict[str, object], list[object]]:
    """A list page's ``metadata`` and ``items``; a ``bad response`` when either has the
    wrong type (iterating a string of items or calling ``.get`` on a list would crash)."""
    page = json_object(body, "list")
    meta = page.get("metadata")
    items = page.get("items")
    if meta is None:
        meta = {}
    if items is None:
        items = []
    if not isinstance(meta, dict):
        raise FetchError(BAD_RESPONSE, f"list metadata is a {type(meta).__name__}, "
                                       "not an object")
    if not isinstance(items, list):
        raise FetchError(BAD_RESPONSE, f"list items is a {type(items).__name__}, not an array")
    return meta, items


def _pages(transport: Transport, resource: ApiResource, query: Query, location: SourceLocation,
           namespace: str | None, page_size: int, on_page: Callable[[int], None],
           prefetch: Executor | None, deadline: Deadline | None = None,
           max_pages: int = MAX_PAGES, skipped: list[str] | None = None,
           projection: Projection | None = None) -> tuple[list[KubeObject], str]:
    """``skipped`` collects why objects were left out (a shape no rule can read)."""
    if skipped is None:
        skipped = []
    path = resource.list_path(namespace)
    params: dict[str, str] = {"limit": str(page_size)}
    if query.label_selector:
        params["labelSelector"] = query.label_selector

    def fetch(query_params: dict[str, str]) -> bytes:
        try:
            return transport.get(path, query_params, accept=query.accept, deadline=deadline)
        except FetchError as exc:
            if exc.status == EXPIRED and "continue" in query_params:
                raise _Expired(exc) from None
            raise

    objects: list[KubeObject] = []
    api_version, kind = resource.api_version, resource.kind
    secret = kind == "Secret" and resource.group == ""
    append = objects.append
    pagination = _Pagination(page_size, max_pages)
    body = fetch(params)
    version = ""
    while True:
        # Pipelining: the next page is requested while this one is parsed, using the token
        # read from the page's head; the parsed token confirms it (or the guess is dropped).
        peeked = _peek_continue(body) if prefetch is not None else None
        ahead: Future[bytes] | None = None
        if peeked and prefetch is not None:
            ahead = prefetch.submit(fetch, {**params, "continue": peeked})
        meta, items = _page_parts(body)
        if not version:
            # Every page of one paginated list is served from one resourceVersion.
            version = str(meta.get("resourceVersion") or "")
        # The hot loop of a big scan (one pass per object): kept to plain dict stores.
        for raw in items:
            if isinstance(raw, dict):
                # List items of built-in types carry no apiVersion/kind, and metadata-only
                # items say PartialObjectMetadata: both are set from discovery.
                raw["apiVersion"] = api_version
                raw["kind"] = kind
                outcome = admit(raw, projection, secret=secret)
                if isinstance(outcome, str):  # the same bounds as files (a hostile server)
                    skipped.append(outcome)
                    continue
                kept, size, cut = outcome
                append(KubeObject(kept, location, size, cut))
        on_page(len(items))
        token = pagination.next_token(meta, len(items))
        if token is None:
            if ahead is not None:
                ahead.cancel()
            return objects, version
        params = {**params, "continue": token}
        body = ahead.result() if ahead is not None and peeked == token else fetch(params)


_CONTINUE = re.compile(rb'"continue"\s*:\s*"([^"\\]*)"')
PEEK = 4096


def _peek_continue(body: bytes) -> str | None:
    """The ``continue`` token of a list page, read from its first bytes without parsing it.

    The API server writes the list's ``metadata`` before ``items``; only that stretch is
    searched, so a ``continue`` key inside an object is never taken for the list's token.
    """
    head = body[:PEEK]
    end = head.find(b'"items"')
    found = _CONTINUE.search(head, 0, end if end >= 0 else len(head))
    return found.group(1).decode() if found else None

