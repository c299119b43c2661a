"""kcp APIBindings that no longer match what their APIExport exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    KubeObject,
    Rule,
    RuleContext,
    Severity,
    conditions,
    maybe_time,
    related,
)
from kaudit.rules.conditions import OBJECT
from kaudit_rules.schema.apis import KCP_APIS, logical_cluster

BINDS = "binds"      # graph relation APIBinding -> APIExport (kaudit.graph.edges.kcp)
EXPORTS = "exports"  # graph relation APIExport -> APIResourceSchema


class KcpBindingDrift(Rule):
    """A kcp APIBinding is bound to a schema its APIExport no longer exports, or is held back.

    kcp never un-binds a resource: when a provider moves or replaces a schema, the APIBinding
    keeps serving the old one from ``status.boundResources``, and a second binding of the same
    resource is refused or, before kcp 0.27, silently doubled (see SC001). An APIBinding with
    ``BindingUpToDate=False`` (for example ``NamingConflicts``) did not bind some resources at
    all: consumers of the workspace do not get the API they asked for (reported once the
    condition is older than ``grace``, so a binding still settling is left alone). The export
    is looked
    up in the inputs (by name, preferring the logical cluster in
    ``status.apiExportClusterName``); when it is not there, only the condition is checked.
    Fix: rebind to the export that now serves the resource (delete and recreate the stale
    APIBinding once its objects are migrated), or resolve the naming conflict named in the
    condition.
    """

    code = "SC006"
    name = "kcp-binding-drift"
    family = Family.SCHEMA
    severity = Severity.WARNING
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=5)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        for binding in ctx.objects("APIBinding", KCP_APIS):
            yield from self._condition(ctx, binding)
            yield from self._stale_schemas(ctx, binding)

    def _condition(self, ctx: RuleContext[Options], binding: KubeObject) -> Iterator[Finding]:
        for cond in conditions(binding):
            if cond.type == "BindingUpToDate" and cond.status == "False" and cond.scope == OBJECT:
                since = maybe_time(cond.last_transition)
                if since is not None and ctx.now - since < ctx.options.grace:
                    continue
                reason = cond.reason or "unknown reason"
                message = cond.raw.get("message")
                detail = f": {message}" if message else ""
                yield self.finding(
                    binding, at=cond.pointer,
                    message=f"APIBinding {binding.name} is not up to date ({reason}{detail}); "
                            "the resources it could not bind are missing from its workspace")

    def _stale_schemas(self, ctx: RuleContext, binding: KubeObject) -> Iterator[Finding]:
        export = self._export(ctx, binding)
        if export is None:
            return
        exported = {link.ref.name for link in ctx.graph.outgoing(export.key, EXPORTS)}
        resources = binding.get("status", "boundResources")
        for i, res in enumerate(resources if isinstance(resources, list) else []):
            if not isinstance(res, dict):
                continue
            schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
            name = schema.get("name")
            if not isinstance(name, str) or not name or name in exported:
                continue
            group = str(res.get("group") or "")
            gr = f"{res.get('resource')}.{group}" if group else str(res.get("resource"))
            yield self.finding(
                binding, at=f"/status/boundResources/{i}/schema/name",
                message=f"APIBinding {binding.name} still binds {gr} to schema {name}, which "
                        f"APIExport {export.name} no longer exports; kcp keeps serving the old "
                        "schema here and refuses (or, before kcp 0.27, duplicates) any binding "
                        "of the new one",
                related=[related(export, "export")])

    def _export(self, ctx: RuleContext, binding: KubeObject) -> KubeObject | None:
        want = str(binding.get("status", "apiExportClusterName") or "")
        for link in ctx.graph.outgoing(binding.key, BINDS):
            export = link.obj
            if export is None:
                continue
            if want and logical_cluster(export) and logical_cluster(export) != want:
                continue
            return export
        return None
