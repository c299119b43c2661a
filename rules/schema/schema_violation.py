"""Custom objects that their CRD's openAPIV3Schema rejects, or silently prunes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kaudit.rules import NOTHING, Family, Finding, KubeObject, Rule, RuleContext, Severity
from kaudit_rules.schema.apis import CRD_GROUP
from kaudit_rules.schema.apply_diff import dotted
from kaudit_rules.schema.crd_schema import (
    CompiledSchema,
    MalformedSchema,
    prune,
    prunes_unknown_fields,
    version_schema,
)


def _crd_index(ctx: RuleContext) -> dict[tuple[str, str], KubeObject]:
    """(group, kind) -> the CRD that defines it: the scanned CRD (what is about to be
    applied) over the ``--against`` cluster's."""
    index: dict[tuple[str, str], KubeObject] = {}
    sources = [ctx.snapshot.of_kind("CustomResourceDefinition", CRD_GROUP)]
    if ctx.against is not None:
        sources.insert(0, ctx.against.of_kind("CustomResourceDefinition", CRD_GROUP))
    for crds in sources:
        for crd in crds:
            names = crd.spec.get("names")
            group = crd.spec.get("group")
            if isinstance(names, Mapping) and isinstance(group, str) and names.get("kind"):
                index[(group, str(names["kind"]))] = crd
    return index


class SchemaViolation(Rule):
    """A custom object that its CRD's ``openAPIV3Schema`` rejects or silently prunes.

    The API server checks a custom object against the schema of its CRD's version (the one
    its ``apiVersion`` names): a wrong type, a missing required field or a value outside an
    ``enum`` (or past ``maximum``, ``maxLength``, ``minItems``…) is refused and the apply
    fails (error). A field the schema does not declare is worse because it is quiet: the API
    server prunes it and stores the object without it (unless
    ``x-kubernetes-preserve-unknown-fields`` keeps unknown fields there, or the CRD keeps
    them all: ``preserveUnknownFields``, the default of ``apiextensions.k8s.io/v1beta1``),
    so the object looks
    applied while the setting never took effect — a typo such as ``replica:`` for
    ``replicas:`` or a field of a newer CRD version (warning; ``kubectl apply`` with strict
    field validation refuses it with ``unknown field``, most other clients do not).
    The CRD comes from the inputs, else from the ``--against`` cluster. As the API server
    does: unknown fields are pruned, nulls of non-nullable fields dropped and defaults filled
    in before validation; ``nullable``, ``x-kubernetes-int-or-string`` and
    ``x-kubernetes-embedded-resource`` are honoured; ``metadata`` and ``status`` are not
    checked; ``format``, ``pattern`` (RE2 in the API server; a backtracking matcher here could
    be made to run for ever) and CEL rules are not evaluated. At most ``max-per-object`` (5)
    problems are reported per object.
    Fix: correct the field (its path is the finding's pointer), or upgrade the CRD to the
    version that defines it before applying the object.
    """

    code = "SC009"
    name = "schema-violation"
    family = Family.SCHEMA
    severity = Severity.ERROR
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        max_per_object: int = 5

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        index = _crd_index(ctx)
        if not index:
            return
        validators: dict[tuple[str, str], CompiledSchema | None] = {}
        for group, kind in ctx.snapshot.kinds():
            crd = index.get((group, kind))
            if crd is None:
                continue
            for obj in ctx.objects(kind, group):
                cache_key = (crd.name, obj.version)
                if cache_key not in validators:
                    schema = version_schema(crd, obj.version)
                    validators[cache_key] = CompiledSchema(schema) if schema else None
                compiled = validators[cache_key]
                if compiled is not None:
                    yield from self._check_object(ctx, obj, crd, compiled)

    def _check_object(self, ctx: RuleContext[Options], obj: KubeObject, crd: KubeObject,
                      compiled: CompiledSchema) -> Iterator[Finding]:
        try:
            kept, dropped = prune(obj.raw, compiled.schema,
                                  keep_unknown=not prunes_unknown_fields(crd))
            problems = compiled.violations(kept)
        except (RecursionError, MalformedSchema):
            return
        limit = max(1, ctx.options.max_per_object)
        found: list[tuple[str, Severity, str, str]] = []
        where = f"CRD {crd.name} ({obj.version})"
        for problem in problems:
            found.append((problem.pointer, Severity.ERROR, problem.kind,
                          f"{dotted(problem.pointer)}: {problem.message} in the schema of "
                          f"{where}: the API server refuses the object and the apply fails"))
        for gone in dropped:
            found.append((gone.pointer, Severity.WARNING, "unknown-field",
                          f"{dotted(gone.pointer)} is not in the schema of {where}: the API "
                          "server silently prunes it, so the object is stored without it and "
                          "the setting never takes effect"))
        found.sort(key=lambda f: (f[1] is not Severity.ERROR, f[0]))
        for i, (pointer, severity, kind, message) in enumerate(found[:limit]):
            if i == limit - 1 and len(found) > limit:
                message += f" (and {len(found) - limit} more problem(s) in this object)"
            yield self.finding(obj, at=pointer, message=message, severity=severity,
                               evidence={"problem": kind, "crd": crd.name})
