"""KIC's fallback configuration in DB mode before the fix for KIC #7374."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    ObjectKey,
    Reads,
    Rule,
    RuleContext,
    Severity,
    related,
    union,
)
from kaudit_rules.status.events import WHOLE_EVENTS, component, event_type, reason

FIXED = (3, 4, 5)
INTRODUCED = (3, 2, 0)  # FallbackConfiguration first shipped in KIC 3.2.0
FAILURE_REASONS = frozenset({
    "KongConfigurationTranslationFailed", "KongConfigurationApplyFailed",
    "FallbackKongConfigurationTranslationFailed", "FallbackKongConfigurationApplyFailed",
})
PLUGIN = "plugin"  # kaudit.graph.edges.kong_plugins
WORKLOADS = (("Deployment", "apps"), ("StatefulSet", "apps"), ("DaemonSet", "apps"))
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")
_MAX_NAMED = 10


@dataclass(frozen=True)
class Container:
    workload: KubeObject
    pointer: str
    body: Mapping[str, Any]

    @property
    def image(self) -> str:
        return str(self.body.get("image") or "")

    def env(self, name: str) -> tuple[str | None, str]:
        """The literal value of env var ``name`` and its pointer (``None`` when unset or not
        a literal: a value from a ConfigMap is unknown here)."""
        env = self.body.get("env")
        for i, item in enumerate(env if isinstance(env, list) else []):
            if isinstance(item, dict) and item.get("name") == name:
                value = item.get("value")
                return (str(value) if value is not None else None), f"{self.pointer}/env/{i}"
        return None, ""

    def flag(self, name: str) -> tuple[str | None, str]:
        for field in ("args", "command"):
            values = self.body.get(field)
            for i, arg in enumerate(values if isinstance(values, list) else []):
                if isinstance(arg, str) and arg.startswith(f"{name}="):
                    return arg.split("=", 1)[1], f"{self.pointer}/{field}/{i}"
        return None, ""


_CONTAINER_FIELDS = ("image", "env", "args", "command")
READS = union(WHOLE_EVENTS, Reads({
    **{f"{group}/{kind}": tuple(f"spec.template.spec.containers.*.{f}" for f in _CONTAINER_FIELDS)
       for kind, group in WORKLOADS},
    "Pod": tuple(f"spec.containers.*.{f}" for f in _CONTAINER_FIELDS)}))
"""What ``containers`` and the events helpers read (``kaudit.snapshot.reads``)."""


def containers(ctx: RuleContext[Any], image_part: str = "") -> Iterator[Container]:
    """Every container of every workload and ownerless Pod; with ``image_part``, only those
    whose image contains it (checked before a ``Container`` is made for each)."""
    # Plain lookups: this walks every workload and Pod of the snapshot.
    for kind, group in WORKLOADS:
        for obj in ctx.objects(kind, group):
            spec = obj.raw.get("spec")
            template = spec.get("template") if isinstance(spec, dict) else None
            spec = template.get("spec") if isinstance(template, dict) else None
            yield from _containers_of(obj, spec, "/spec/template/spec", image_part)
    for pod in ctx.objects("Pod", ""):
        refs = pod.metadata.get("ownerReferences")
        if not (isinstance(refs, list) and any(isinstance(o, dict) for o in refs)):
            yield from _containers_of(pod, pod.spec, "/spec", image_part)  # no owner


def _containers_of(obj: KubeObject, spec: Any, pointer: str,
                   image_part: str = "") -> Iterator[Container]:
    if not isinstance(spec, dict):
        return
    found = spec.get("containers")
    for i, body in enumerate(found if isinstance(found, list) else []):
        if isinstance(body, dict) and image_part in str(body.get("image") or ""):
            yield Container(obj, f"{pointer}/containers/{i}", body)


def image_repo_tag(image: str) -> tuple[str, str]:
    name = image.split("@", 1)[0]
    repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    return repo, tag


def kic_version(image: str) -> tuple[int, int, int | None] | None:
    repo, tag = image_repo_tag(image)
    if not repo.endswith("kubernetes-ingress-controller"):
        return None
    match = _VERSION.match(tag)
    if match is None:
        return None
    patch = match.group(3)
    return int(match.group(1)), int(match.group(2)), int(patch) if patch is not None else None


def affected_version(version: tuple[int, int, int | None]) -> bool:
    major, minor, patch = version
    if patch is None:
        # A floating tag (3.4) pulls the newest patch: only a whole minor below 3.4 is known
        # to be affected.
        return INTRODUCED[:2] <= (major, minor) < FIXED[:2]
    return INTRODUCED <= (major, minor, patch) < FIXED


def fallback_enabled(c: Container) -> tuple[bool, str]:
    for value, pointer in (c.env("CONTROLLER_FEATURE_GATES"), c.flag("--feature-gates")):
        if value is not None and re.search(r"(^|,)\s*FallbackConfiguration\s*=\s*true",
                                           value, re.IGNORECASE):
            return True, pointer
    return False, ""


def is_kong(c: Container) -> bool:
    repo, _ = image_repo_tag(c.image)
    last = repo.rsplit("/", 1)[-1]
    return last in ("kong", "kong-gateway", "kong-enterprise-edition")


class KongDbFallbackStale(Rule):
    """Kong in DB mode with KIC's FallbackConfiguration gate on a KIC older than 3.4.5.

    With the ``FallbackConfiguration`` feature gate, KIC answers a rejected configuration by
    pushing a fallback that excludes the broken objects and everything that depends on them.
    In DB-less mode a push is all-or-nothing; in DB mode (``KONG_DATABASE`` not ``off``) KIC
    applies entities one by one, and before KIC 3.4.5 it skipped the push when the fallback's
    hash equalled the last successful one -- so entities that should have been removed with
    the excluded objects stayed live in Kong's database (KIC #7374): a route whose auth
    plugin is broken can keep serving. The finding names the objects KIC reported as failed
    (Warning events from ``kong-client``) and the routes/consumers that attach them.
    Fix: upgrade KIC to 3.4.5 or later, or run Kong DB-less; until then, check the named
    objects against Kong's Admin API and delete stale entities by hand.
    """

    code = "ST008"
    name = "kong-db-fallback-stale"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = READS

    def check(self, ctx: RuleContext[Any]) -> Iterator[Finding]:
        # Nothing is flagged without Kong in DB mode, which few clusters run: look for it
        # first, among the containers whose image names kong at all (``is_kong`` needs that).
        kong_db = [c for c in containers(ctx, "kong") if is_kong(c) and self._db_mode(c)]
        if not kong_db:
            return
        all_containers = list(containers(ctx))
        excluded = self._excluded(ctx)
        for c in all_containers:
            version = kic_version(c.image)
            if version is None or not affected_version(version):
                continue
            enabled, pointer = fallback_enabled(c)
            if not enabled:
                continue
            kongs = [k for k in kong_db if k.workload is c.workload] or \
                [k for k in kong_db if k.workload.namespace == c.workload.namespace]
            if not kongs:
                continue
            database, _ = kongs[0].env("KONG_DATABASE")
            kong = kongs[0].workload
            names = ", ".join(o.short for o in excluded[:_MAX_NAMED])
            more = f" and {len(excluded) - _MAX_NAMED} more" if len(excluded) > _MAX_NAMED else ""
            tail = (f"; objects KIC reported as failed or that attach them, which a fallback "
                    f"excludes but may still be live in Kong: {names}{more}" if excluded else
                    "; no failed objects are reported now, but the next rejected push can "
                    "leave excluded entities live")
            version_text = ".".join(str(v) for v in version if v is not None)
            yield self.finding(
                c.workload, at=pointer,
                message=f"KIC {version_text} ({c.image}) runs with FallbackConfiguration=true "
                        f"against Kong in DB mode (KONG_DATABASE={database} in "
                        f"{kong.kind} {kong.namespace}/{kong.name}); before KIC 3.4.5 a "
                        "fallback push in DB mode can leave excluded entities live "
                        f"(KIC #7374){tail}",
                related=[related(kong, "kong")] + [related(o, "excluded") for o in
                                                   excluded[:_MAX_NAMED]],
                evidence={"kic_version": version_text, "excluded": [str(o) for o in excluded]},
            )

    @staticmethod
    def _db_mode(c: Container) -> bool:
        value, _ = c.env("KONG_DATABASE")
        return value is not None and value.strip().lower() not in ("off", "")

    @staticmethod
    def _excluded(ctx: RuleContext[Any]) -> list[Any]:
        """Objects KIC reported broken (Warning events from kong-client, not about its own
        Pod) and the objects attaching a broken plugin."""
        broken: set[ObjectKey] = set()
        for kind, group in (("Event", ""), ("Event", "events.k8s.io")):
            for event in ctx.objects(kind, group):
                if event_type(event) != "Warning" or component(event) != "kong-client" \
                        or reason(event) not in FAILURE_REASONS:
                    continue
                for link in ctx.graph.outgoing(event.key, "about"):
                    if link.ref.kind != "Pod":
                        broken.add(link.key)
        out = set(broken)
        for key in broken:
            out.update(link.key for link in ctx.graph.incoming(key, PLUGIN))
        refs = [ctx.graph.ref_of(key) for key in out]
        return sorted((r for r in refs if r is not None), key=str)
