"""What every object read goes through once, from a file or a live list, before a rule sees it.

One serialisation checks that the object can be audited at all (depth, values JSON can hold)
and gives its size; its metadata must have the shape the API server enforces; a Secret's
values are digested; a scan keeps only what its readers declared (``kaudit.snapshot.reads``);
repeated strings are shared. The loader and the live lister both call ``admit``, so a file and
a cluster give a rule the same object.
"""

from __future__ import annotations

from typing import Any

from kaudit.snapshot.interning import share_strings, with_shared_keys
from kaudit.snapshot.limits import measured, serialised
from kaudit.snapshot.metacheck import metadata_problem
from kaudit.snapshot.reads import Projection
from kaudit.snapshot.redact import redact_secret

Admitted = tuple[dict[str, Any], int, int | None]
"""The object as kept, its whole size as compact JSON, and its fingerprint when it was cut."""


def admit(raw: dict[str, Any], projection: Projection | None, *, secret: bool,
          share_keys: bool = False) -> Admitted | str:
    """``raw`` made ready for the snapshot, or why it is skipped. ``secret``: digest its
    values (a core Secret); ``share_keys``: intern every key too (YAML parsers do not)."""
    text = serialised(raw)
    if isinstance(text, str):
        return text
    problem = metadata_problem(raw)
    if problem is not None:
        return problem
    cut = None
    if secret:
        redact_secret(raw)
        size = measured(raw)
        assert isinstance(size, int)  # digests are strings: the object still serialises
    else:
        size = len(text)
        if projection is not None:
            raw, cut = projection.shape(raw, size, text)
    if share_keys and type(raw) is dict:  # a strict lean form (tests) stays as it is
        raw = with_shared_keys(raw)
    share_strings(raw)
    return raw, size, cut
