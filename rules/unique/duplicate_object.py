"""One object identity defined twice in the inputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from kaudit.rules import Family, Finding, Rule, RuleContext, Severity, related


def _body(raw: dict[str, Any]) -> bytes | None:
    """The key-sorted JSON of an object; ``None`` when orjson cannot write it (then the dicts
    are compared as they are)."""
    try:
        return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None


class DuplicateObject(Rule):
    """The same group/kind/namespace/name is defined more than once, with different content.

    The API server stores one object per identity: whichever definition is applied last wins
    and the others are silently lost, which differs between ``kubectl apply``, Helm and GitOps
    tools. Identical repeats are harmless and not reported. Two definitions in one file or
    stream (``helm template … | kaudit scan -``) are applied together: error. In different
    files they are often alternatives of one example (variants side by side in a folder):
    warning, since applying both loses one.
    Fix: keep one definition (the files and lines of both are shown), or give them different
    names or namespaces.
    """

    code = "UQ001"
    name = "duplicate-object"
    family = Family.UNIQUE
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        snapshot = ctx.snapshot
        for key in snapshot.repeated_keys():
            definitions = snapshot.all_with_key(key)
            if len(definitions) < 2 or not key.name:
                continue
            first = definitions[0]
            first_body = _body(first.raw)
            for later in definitions[1:]:
                body = _body(later.raw)
                if body == first_body if body is not None and first_body is not None \
                        else later.raw == first.raw:
                    continue
                same_stream = (later.source and first.source
                               and later.source.file == first.source.file)
                yield self.finding(
                    later,
                    severity=Severity.ERROR if same_stream else Severity.WARNING,
                    message=f"{later.ref.short} is defined again at {later.source} with "
                            f"different content (first at {first.source}); only one can exist",
                    related=[related(first, "first-definition")],
                )
