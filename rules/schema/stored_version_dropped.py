"""A CRD whose storedVersions name a version it no longer serves, or a manifest CRD that drops
a version the live CRD still stores."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.rules import NOTHING, Family, Finding, KubeObject, Rule, RuleContext, Severity
from kaudit_rules.schema.apis import crds, served_versions, spec_versions

# The API server's own wording (apiextensions-apiserver, validation.go,
# ValidateCustomResourceDefinitionStoredVersions), quoted in findings so that a user can match
# the finding to the error ``kubectl apply`` would print.
MUST_APPEAR = "must appear in spec.versions"


def _stored(crd: KubeObject) -> list[str] | None:
    stored = crd.get("status", "storedVersions")
    return [str(v) for v in stored] if isinstance(stored, list) else None


def _storage_version(crd: KubeObject) -> str:
    versions = crd.spec.get("versions")
    for v in versions if isinstance(versions, list) else []:
        if isinstance(v, dict) and v.get("storage") is True and v.get("name"):
            return str(v["name"])
    single = crd.spec.get("version")  # apiextensions.k8s.io/v1beta1: the one version stores
    return str(single) if single and not versions else "the current storage version"


def _listing(versions: list[str]) -> str:
    return "[" + ", ".join(versions) + "]"


class StoredVersionDropped(Rule):
    """``status.storedVersions`` names a version that is no longer served or no longer defined.

    ``storedVersions`` lists every version objects may still be stored in, in etcd. A version
    listed there but no longer served means a storage migration is pending: old objects are
    still encoded in it, the API server refuses to remove the version from the CRD while it is
    listed, and a later upgrade that drops it fails to apply. A version missing from
    ``spec.versions`` altogether means the objects stored in it can no longer be decoded.

    With ``--against`` (or ``--against-context``) the scanned CRDs are manifests about to be
    applied to that cluster, and the live CRD's ``storedVersions`` decide: a manifest that no
    longer lists a version the live CRD still stores cannot be applied (error). An update keeps
    the live status, and the API server validates it against the new spec
    (``ValidateCustomResourceDefinitionStoredVersions`` in apiextensions-apiserver): it answers
    ``status.storedVersions[0]: Invalid value: "v1beta1": must appear in spec.versions`` and
    the whole apply (a Helm upgrade, a GitOps sync) stops. A manifest that keeps such a version
    but marks it ``served: false`` applies, yet the migration is still pending (warning):
    clients still asking for that version get 404, the objects stay encoded in it in etcd, and
    the release that finally drops it will fail as above. With a live counterpart, the
    manifest's own ``status`` (usually absent) is ignored: an apply never changes the status.
    Fix: rewrite every object in the current storage version (a storage version migration:
    ``kubectl get <plural> -A -o json | kubectl replace -f -`` or the
    storage-version-migrator), then remove the old version from the live CRD's
    ``status.storedVersions`` with ``kubectl patch --subresource=status``, and only then drop
    it from ``spec.versions``.
    """

    code = "SC003"
    name = "stored-version-dropped"
    family = Family.SCHEMA
    severity = Severity.WARNING
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for crd in crds(ctx):
            live = ctx.live_counterpart(crd)
            if live is not None:
                yield from self._against_live(crd, live)
            else:
                yield from self._own_status(crd)

    # ---- the CRD's own storedVersions ----------------------------------------------------
    def _own_status(self, crd: KubeObject) -> Iterator[Finding]:
        stored = _stored(crd)
        if stored is None:
            return
        defined = spec_versions(crd)
        served = served_versions(crd)
        for i, version in enumerate(stored):
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
                evidence={"storedVersions": stored, "served": served})

    # ---- a manifest against the live CRD -------------------------------------------------
    def _against_live(self, crd: KubeObject, live: KubeObject) -> Iterator[Finding]:
        stored = _stored(live)
        if not stored:
            return
        defined = spec_versions(crd)
        served = served_versions(crd)
        target = _storage_version(crd)
        evidence = {"live": live.name, "storedVersions": stored, "specVersions": defined}
        dropped = [(i, v) for i, v in enumerate(stored) if v not in defined]
        if dropped:
            first_index, first = dropped[0]
            names = ", ".join(v for _, v in dropped)
            yield self.finding(
                crd, at="/spec/versions", severity=Severity.ERROR,
                message=f"CRD {crd.name}: this manifest drops {names} from spec.versions, but "
                        f"the live CRD {live.name} still stores objects as {names} "
                        f"(status.storedVersions {_listing(stored)}): the apply will fail with "
                        f"status.storedVersions[{first_index}]: Invalid value: \"{first}\": "
                        f"{MUST_APPEAR}. First migrate the stored objects to {target} "
                        f"(storage version migration), then remove {names} from the live "
                        "CRD's status.storedVersions (kubectl patch --subresource=status), "
                        "then apply this manifest",
                evidence=evidence)
        versions = crd.spec.get("versions")
        for i, entry in enumerate(versions if isinstance(versions, list) else []):
            if not isinstance(entry, dict):
                continue
            version = str(entry.get("name") or "")
            if version not in stored or version in served:
                continue
            yield self.finding(
                crd, at=f"/spec/versions/{i}/served",
                message=f"CRD {crd.name}: {version} is served: false in this manifest, but the "
                        f"live CRD {live.name} still stores objects as {version} "
                        f"(status.storedVersions {_listing(stored)}): the storage migration "
                        f"is still pending, clients asking for {version} get 404, and the "
                        f"release that drops {version} will fail to apply. Migrate the stored "
                        f"objects to {target}, then remove {version} from the live CRD's "
                        "status.storedVersions (kubectl patch --subresource=status)",
                evidence=evidence)
