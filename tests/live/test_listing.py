"""Reading the ``continue`` token from a page's head, to fetch the next page while parsing."""

from __future__ import annotations

import orjson

from kaudit.live.listing import _peek_continue


def page(metadata: dict[str, str], items: list[dict[str, object]]) -> bytes:
    return orjson.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": metadata,
                         "items": items})


def test_token_is_read_from_the_list_metadata() -> None:
    assert _peek_continue(page({"resourceVersion": "9", "continue": "eyJzIjoyfQ=="}, [])) == (
        "eyJzIjoyfQ==")


def test_no_token_on_the_last_page_even_if_an_item_has_one() -> None:
    items = [{"metadata": {"name": "x"}, "spec": {"continue": "not-a-token"}}]
    assert _peek_continue(page({"resourceVersion": "9"}, items)) is None


def test_metadata_after_items_is_not_guessed() -> None:
    body = orjson.dumps({"items": [{"metadata": {"name": "x"}}],
                         "metadata": {"continue": "abc"}})
    assert _peek_continue(body) is None
