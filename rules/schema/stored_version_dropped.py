"""A CRD whose storedVersions name a version it no longer serves."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.rules import Family, Finding, Rule, RuleContext, Severity
from kaudit_rules.schema.apis import crds, served_versions, spec_versions


class StoredVersionDropped(Rule):
    """``status.storedVersions`` names a version that is no longer served or no longer defined.

    ``storedVersions`` lists every version objects may still be stored in, in etcd. A version
    listed there but no longer served means a storage migration is pending: old objects are
    still encoded in it, the API server refuses to remove the version from the CRD while it is
    listed, and a later upgrade that drops it fails to apply. A version missing from
    ``spec.versions`` altogether means the objects stored in it can no longer be decoded.
    Fix: rewrite every object in the current storage version (``kubectl get <plural> -A -o
    json | kubectl replace -f -`` or the storage-version-migrator), then remove the old
    version from ``status.storedVersions`` with ``kubectl patch --subresource=status``.
    """

    code = "SC003"
    name = "stored-version-dropped"
    family = Family.SCHEMA
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for crd in crds(ctx):
            stored = crd.get("status", "storedVersions")
            if not isinstance(stored, list):
                continue
            defined = spec_versions(crd)
            served = served_versions(crd)
            for i, version in enumerate(stored):
                version = str(version)
                if version in served:
                    continue
                if version in defined:
                    state = ("is still defined but no longer served; objects stored as "
                             f"{version} stay in etcd until a storage migration rewrites them, "
                             "and removing the version from the CRD is refused until then")
                else:
                    state = ("is no longer in spec.versions; the API server refuses a CRD that "
                             "drops a stored version, and objects still stored as "
                             f"{version} cannot be decoded")
                yield self.finding(
                    crd, at=f"/status/storedVersions/{i}",
                    message=f"CRD {crd.name}: storedVersions lists {version}, which {state}",
                    evidence={"storedVersions": [str(v) for v in stored],
                              "served": served})
