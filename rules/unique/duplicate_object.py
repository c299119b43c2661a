"""One object identity defined twice in the inputs."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.apiversions import current_group
from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    ObjectKey,
    Rule,
    RuleContext,
    Severity,
    related,
)


class DuplicateObject(Rule):
    """The same group/kind/namespace/name is defined more than once, with different content.

    The API server stores one object per identity: whichever definition is applied last wins
    and the others are silently lost, which differs between ``kubectl apply``, Helm and GitOps
    tools. Identical repeats are harmless and not reported. Two definitions in one file or
    stream (``helm template … | kaudit scan -``) are applied together: error. In different
    files they are often alternatives of one example (variants side by side in a folder):
    warning, since applying both loses one.
    An object in a legacy group (``extensions/v1beta1`` Deployment) and one of the same name
    in the current group (``apps/v1``) are one identity too.
    Fix: keep one definition (the files and lines of both are shown), or give them different
    names or namespaces.
    """

    code = "UQ001"
    name = "duplicate-object"
    family = Family.UNIQUE
    severity = Severity.ERROR
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        snapshot = ctx.snapshot
        for key in snapshot.repeated_keys():
            definitions = snapshot.all_with_key(key)
            if len(definitions) < 2 or not key.name:
                continue
            first = definitions[0]
            for later in definitions[1:]:
                if later.api_version == first.api_version and \
                        later.fingerprint() == first.fingerprint():
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
        yield from self._across_groups(ctx)

    def _across_groups(self, ctx: RuleContext) -> Iterator[Finding]:
        """An ``extensions/v1beta1`` Deployment and an ``apps/v1`` one of the same name are
        one object to the API server (kaudit/data/api_versions.yaml): reported on the legacy
        definition, unless the two differ in nothing but ``apiVersion``."""
        snapshot = ctx.snapshot
        for group, kind in snapshot.kinds():
            current = current_group(group, kind)
            if current == group:
                continue
            for legacy in snapshot.of_kind(kind, group):
                twin = snapshot.get(ObjectKey(current, kind, legacy.namespace, legacy.name))
                if twin is None or not legacy.name or twin.fingerprint() == legacy.fingerprint():
                    continue
                same_stream = (twin.source and legacy.source
                               and twin.source.file == legacy.source.file)
                yield self.finding(
                    legacy,
                    severity=Severity.ERROR if same_stream else Severity.WARNING,
                    message=f"{legacy.api_version} {legacy.ref.short} is the same object as "
                            f"{twin.api_version} {twin.ref.short} at {twin.source} (one kind "
                            "served by two groups), with different content; only one can "
                            "exist",
                    related=[related(twin, "same-object")],
                )
