"""The pagination guard: honest lists of any shape end normally, dishonest ones are cut."""

from __future__ import annotations

import pytest

from kaudit.live.errors import FetchError
from kaudit.live.listing import _Pagination


def walk(pages: list[tuple[dict[str, object], int]], limit: int = 500,
         max_pages: int = 10_000) -> int:
    guard = _Pagination(limit, max_pages)
    for n, (meta, count) in enumerate(pages, 1):
        if guard.next_token(meta, count) is None:
            return n
    raise AssertionError("the list did not end")


def test_an_honest_list_ends() -> None:
    pages = [({"continue": f"t{i}", "remainingItemCount": 1200 - 500 * i}, 500)
             for i in (1, 2)] + [({}, 200)]
    assert walk(pages) == 3


def test_a_server_that_caps_pages_below_our_limit_is_not_endless() -> None:
    # An aggregated API serving 100 a page though 500 were asked, counting honestly.
    pages = [({"continue": f"t{i}", "remainingItemCount": 1000 - 100 * i}, 100)
             for i in range(1, 10)] + [({"continue": ""}, 100)]
    assert walk(pages) == 10


def test_a_count_that_does_not_go_down_is_cut() -> None:
    pages = [({"continue": f"t{i}", "remainingItemCount": 600}, 500) for i in range(1, 50)]
    with pytest.raises(FetchError, match="remainingItemCount 600") as err:
        walk(pages)
    assert err.value.reason == "endless pagination"


def test_without_a_count_the_page_cap_ends_it() -> None:
    pages = [({"continue": f"t{i}"}, 0) for i in range(1, 50)]
    with pytest.raises(FetchError, match="more than 20 pages"):
        walk(pages, max_pages=20)
