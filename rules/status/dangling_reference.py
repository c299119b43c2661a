"""References to objects that are not there."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.apiversions import legacy_groups
from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    KubeObject,
    Link,
    ObjectKey,
    Rule,
    RuleContext,
    Severity,
    Snapshot,
    condition_is,
    conditions,
    related,
)
from kaudit.snapshot.candidates import OWNED

# Known references (relation -> what the referrer loses when the target is absent). The
# relations come from kaudit.graph.edges (crossplane, networking, kong_plugins).
REFERENCES: dict[str, str] = {
    "composite": "the claim is bound to a composite resource that is gone",
    "claim": "the composite resource's claim is gone; it is orphaned",
    "composes": "the composite resource lost a composed resource it still lists",
    "backend": "requests routed to it fail (503)",
    "route-parent": "the route cannot attach to it, so no traffic reaches the route through it",
    "ingress-class": "no controller with that class serves this Ingress",
    "tls-secret": "the controller serves its default certificate instead",
    "writes-secret": "the certificate reports Ready but its Secret is missing",
    "issuer": "the certificate cannot be issued or renewed",
    "plugin": "KIC drops the plugin (and with it e.g. authentication) from the route",
}
CROSSPLANE = frozenset({"composite", "claim", "composes"})
ROUTE_RELATIONS = frozenset({"route-parent", "backend"})
CERT_MANAGER_SHIM = ("cert-manager.io/issuer", "cert-manager.io/cluster-issuer")
CERT_MANAGER_GROUP = "cert-manager.io"


class DanglingReference(Rule):
    """An ownerReference or known reference points at an object that is absent, re-created,
    or out of scope.

    The garbage collector deletes a dependent whose owner is gone, and treats an owner whose
    uid differs as gone too: the object is about to disappear, or the GC is stuck. A
    cluster-scoped object cannot be owned by a namespaced one; the GC treats such an owner as
    absent. Known references are checked too: a Crossplane claim's ``resourceRef``, an XR's
    ``claimRef`` and ``resourceRefs``, an Ingress's backend Services, IngressClass and TLS
    Secrets (unless cert-manager is asked to write them), a cert-manager Certificate's issuer
    (and its Secret once it says Ready; an absent Issuer with a ClusterIssuer of the same name
    asks "did you mean kind: ClusterIssuer?"), and the
    KongPlugins named by ``konghq.com/plugins`` or an HTTPRoute ExtensionRef (absent only when
    neither a KongPlugin nor a KongClusterPlugin of that name exists). "Absent" is only claimed
    when the target's kind was read (a manifest folder that does not ship a kind says nothing
    about it).
    Gateway API routes are checked the same way: the Gateway (or mesh Service) each
    ``parentRef`` names and the Service each ``backendRef`` names, whatever the route's own
    ``ResolvedRefs`` condition claims (aws-application-networking-k8s #544); in a manifest
    folder, a reference into another namespace only when something of that namespace is in
    it (a chart's route to a shared Gateway says nothing about the platform's namespace).
    Fix: point the reference at the live owner (its current uid), or remove the stale
    ownerReference if the dependent should outlive it; create the missing target of a known
    reference or correct the name that points at it.
    """

    code = "ST004"
    name = "dangling-reference"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        yield from self._owner_references(ctx)
        # Absent targets are the graph's missing nodes: visiting those (few) instead of every
        # object's references keeps this linear in what is actually dangling.
        for target in ctx.graph.missing():
            if REFERENCES.keys().isdisjoint(ctx.graph.relations_into(target)):
                continue  # e.g. a Node its pods run on: not a reference this rule knows
            for back in ctx.graph.incoming(target):
                obj = back.obj
                if back.relation not in REFERENCES or obj is None:
                    continue
                ref = ctx.graph.ref_of(target)
                if ref is None:
                    continue
                link = Link(target, ref, None, back.relation, back.pointer, back.attrs)
                hint = self._cluster_issuer_instead(ctx, obj, link)
                if hint is not None:
                    yield hint
                elif self._known_absent(ctx, obj, link):
                    yield self.finding(
                        obj, at=link.pointer,
                        message=f"references {link.ref.short}, which does not exist: "
                                f"{REFERENCES[link.relation]}{self._claims_resolved(obj, link)}",
                        related=[related(link.ref, link.relation)],
                    )

    @staticmethod
    def _claims_resolved(obj: KubeObject, link: Link) -> str:
        """The referrer's own status saying every reference resolved (Gateway API routes'
        ``ResolvedRefs``, per parent or at the top) is contradicted by the absent target:
        say so, since that status is what a user reads first. A parent is not one of the
        references ``ResolvedRefs`` speaks for."""
        if link.relation == "route-parent":
            return ""
        claim = next((c for c in conditions(obj) if c.type == "ResolvedRefs" and c.is_true),
                     None)
        if claim is None:
            return ""
        return f"; yet its status says ResolvedRefs=True ({claim.pointer})"

    def _cluster_issuer_instead(self, ctx: RuleContext, obj: KubeObject,
                                link: Link) -> Finding | None:
        """A Certificate whose ``issuerRef`` names a (namespaced) Issuer that is not there
        while a ClusterIssuer of that name is: the kind was left out or wrong, the classic
        cert-manager mistake (``issuerRef.kind`` defaults to Issuer). Said even when no
        Issuer at all was in a folder of manifests -- a ClusterIssuer of exactly that name
        is the evidence -- but not when a live read could not list Issuers."""
        if link.relation != "issuer" or link.ref.kind != "Issuer" \
                or link.ref.group != CERT_MANAGER_GROUP:
            return None
        snapshot = ctx.snapshot
        cluster_issuer = snapshot.get(ObjectKey(CERT_MANAGER_GROUP, "ClusterIssuer", "",
                                                link.ref.name))
        if cluster_issuer is None:
            return None
        if not snapshot.was_read(CERT_MANAGER_GROUP, "Issuer") and snapshot.is_live:
            return None
        ref = obj.spec.get("issuerRef")
        given = ref.get("kind") if isinstance(ref, dict) else None
        how = f"kind: {given}" if given else "no kind, which defaults to Issuer"
        return self.finding(
            obj, at=link.pointer,
            message=f"issuerRef names Issuer {link.ref.namespace}/{link.ref.name} ({how}), "
                    f"which does not exist, while ClusterIssuer {link.ref.name} does: did you "
                    f"mean kind: ClusterIssuer? {REFERENCES['issuer'].capitalize()} until then",
            related=[related(link.ref, "issuer"), related(cluster_issuer, "did-you-mean")],
        )

    @staticmethod
    def _known_absent(ctx: RuleContext, obj: KubeObject, link: Link) -> bool:
        snapshot = ctx.snapshot
        if link.relation in CROSSPLANE and not obj.group:
            # The Crossplane edges match any object-reference shape; a core object's field
            # (a PersistentVolume's claimRef, released after its claim is gone) is not one.
            return False
        if not snapshot.was_read(link.ref.group, link.ref.kind):
            return False
        alternative = link.attrs.get("alternative")
        if alternative and not snapshot.was_read(link.ref.group, alternative):
            return False
        if link.relation in ROUTE_RELATIONS and link.ref.namespace != obj.namespace \
                and not snapshot.is_live and not snapshot.in_namespace(link.ref.namespace):
            # A chart's route naming a shared Gateway (or a Service) in another team's
            # namespace: manifests that ship nothing of that namespace say nothing about it.
            return False
        if link.relation == "writes-secret":
            # cert-manager creates the Secret on issuance: absent is normal until Ready.
            return condition_is(obj, "Ready")
        if link.relation == "tls-secret":
            # A Secret cert-manager will write (a Certificate names it, or the Ingress asks
            # cert-manager's ingress-shim for one) is pending issuance, not dangling.
            if any(key in obj.annotations for key in CERT_MANAGER_SHIM):
                return False
            if any(back.relation == "writes-secret"
                   for back in ctx.graph.incoming(link.key)):
                return False
        return True

    def _owner_references(self, ctx: RuleContext, quick: bool = True) -> Iterator[Finding]:
        """``quick``: skip the objects ``_owners_certainly_present`` clears (the tests compare
        the findings with and without)."""
        snapshot = ctx.snapshot
        certain = _OwnerCheck(snapshot)
        # Every candidate has ownerReferences; the owner edges skip malformed entries, so an
        # object with only those has no links.
        for obj in snapshot.candidates(OWNED):
            if quick and certain.present(obj):
                continue
            for link in ctx.owners(obj):
                owner_ref = link.ref
                if not obj.namespace and \
                        snapshot.is_cluster_scoped(owner_ref.group, owner_ref.kind) is False and \
                        snapshot.is_cluster_scoped(obj.group, obj.kind) is True:
                    yield self.finding(
                        obj, at=link.pointer,
                        message=f"cluster-scoped {obj.kind} has namespaced owner "
                                f"{owner_ref.kind} {owner_ref.name}; the garbage collector "
                                "treats it as absent",
                        related=[related(owner_ref, "owner")],
                    )
                    continue
                owner = link.obj
                if owner is None:
                    if not snapshot.was_read(owner_ref.group, owner_ref.kind):
                        continue
                    yield self.finding(
                        obj, at=link.pointer,
                        message=f"owner {owner_ref.short} does not exist; the garbage "
                                "collector will delete this object (or is failing to)",
                        related=[related(owner_ref, "owner")],
                    )
                    continue
                expected_uid = link.attrs.get("uid")
                if expected_uid and owner.uid and expected_uid != owner.uid:
                    yield self.finding(
                        obj, at=link.pointer,
                        message=f"owner {owner_ref.short} was re-created (reference uid "
                                f"{expected_uid}, live uid {owner.uid}); the garbage collector "
                                "treats the owner as gone",
                        related=[related(owner, "owner")],
                    )


class _OwnerCheck:
    """Half of a cluster is owned (pods, replica sets), and nearly every owner is there with
    the uid its dependents name. Asking the graph for each dependent's owner links cost most
    of this rule; this check clears an object from its own ownerReferences and the snapshot's
    uid index alone, and only where the owner edge certainly leads to that very object: the
    dependent is namespaced, and each reference names by apiVersion (not of a legacy group,
    whose twin the edge may point at instead), kind, name and namespace the one object that
    carries its uid, of a kind known to be namespaced (so the edge resolves into the
    dependent's namespace), whose identity no other object shares. Anything else -- a uid no
    object carries, another name, an unknown scope -- is left to the graph.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._by_uid = snapshot.by_uid
        self._repeated = frozenset(snapshot.repeated_keys())
        self._legacy = legacy_groups()
        self._namespaced: dict[tuple[str, str], bool] = {}

    def present(self, obj: KubeObject) -> bool:
        namespace = obj.namespace
        refs = obj.metadata.get("ownerReferences")
        if not namespace or not isinstance(refs, list):
            return False
        for ref in refs:
            if not isinstance(ref, dict):
                return False
            uid = ref.get("uid")
            api_version = ref.get("apiVersion")
            if type(uid) is not str or not uid or type(api_version) is not str:
                return False
            owner = self._by_uid(uid)
            if owner is None or owner.api_version != api_version or owner.namespace != namespace \
                    or owner.kind != ref.get("kind") or owner.name != ref.get("name") \
                    or type(owner.kind) is not str or owner.group in self._legacy:
                return False
            scope = (owner.group, owner.kind)
            namespaced = self._namespaced.get(scope)
            if namespaced is None:
                namespaced = self._namespaced[scope] = \
                    self._snapshot.is_cluster_scoped(owner.group, owner.kind) is False
            if not namespaced or (self._repeated and owner.key in self._repeated):
                return False
        return True
