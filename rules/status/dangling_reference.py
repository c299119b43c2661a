"""References to objects that are not there."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.rules import Family, Finding, Rule, RuleContext, Severity, related


class DanglingReference(Rule):
    """An ownerReference points at an owner that is absent, re-created, or out of scope.

    The garbage collector deletes a dependent whose owner is gone, and treats an owner whose
    uid differs as gone too: the object is about to disappear, or the GC is stuck. A
    cluster-scoped object cannot be owned by a namespaced one; the GC treats such an owner as
    absent. "Absent" is only claimed when the owner's kind was read (a manifest folder that
    does not ship a kind says nothing about it).
    Fix: point the reference at the live owner (its current uid), or remove the stale
    ownerReference if the dependent should outlive it.
    """

    code = "ST004"
    name = "dangling-reference"
    family = Family.STATUS
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        snapshot = ctx.snapshot
        for obj in ctx.objects():
            if not obj.owner_references:
                continue
            for link in ctx.owners(obj):
                owner_ref = link.ref
                scoped = snapshot.is_cluster_scoped(owner_ref.group, owner_ref.kind)
                if not obj.namespace and scoped is False and \
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
